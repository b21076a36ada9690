//! Audio modem speed: synthesis of one payment-code frame (target < 1 ms) and decoding of a
//! 2.5 s buffer holding one frame in noise (target < 20 ms), plus the GF(32) RS codec.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{Criterion, criterion_group, criterion_main};
use mpay_qr_payment::audio::{Mode, Modem, Receiver, rs};
use std::hint::black_box;

fn noisy_buffer(modem: &Modem, seconds: f64, snr_db: f64) -> Vec<f32> {
    let pcm = modem.encode("134567890123456789").unwrap();
    let len = (seconds * f64::from(modem.sample_rate())) as usize;
    let p = pcm.iter().map(|s| s * s).sum::<f32>() / pcm.len() as f32;
    let sigma = (p / 10f32.powf(snr_db as f32 / 10.0)).sqrt();
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut out: Vec<f32> = (0..len)
        .map(|_| {
            // Sum of 4 uniforms: close enough to Gaussian for timing.
            let mut acc = 0.0;
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                acc += (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            }
            acc * sigma * 1.732
        })
        .collect();
    let off = (len - pcm.len()) / 3;
    for (i, s) in pcm.iter().enumerate() {
        out[off + i] += s;
    }
    out
}

fn bench(c: &mut Criterion) {
    for rate in [44_100, 48_000] {
        let modem = Modem::new(rate, Mode::PaymentCode).unwrap();
        c.bench_function(&format!("audio synthesize paycode frame @{rate}"), |b| {
            b.iter(|| modem.encode(black_box("134567890123456789")).unwrap())
        });
        let buf = noisy_buffer(&modem, 2.5, -10.0);
        let rx = Receiver::new(&modem);
        assert_eq!(rx.decode(&buf)[0].code, "134567890123456789");
        c.bench_function(&format!("audio decode 2.5 s buffer @{rate}"), |b| {
            b.iter(|| rx.decode(black_box(&buf)))
        });
    }
    let data = [17u8, 12, 30, 7, 8, 4, 8, 27, 23, 3];
    c.bench_function("rs encode 10 symbols", |b| {
        b.iter(|| rs::encode(black_box(&data)))
    });
    let parity = rs::encode(&data).unwrap();
    let clean = [data.as_slice(), parity.as_slice()].concat();
    c.bench_function("rs decode 4 errors", |b| {
        b.iter(|| {
            let mut w = clean.clone();
            for p in [0, 5, 11, 16] {
                w[p] ^= 7;
            }
            rs::decode(black_box(&mut w), 10, &[]).unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
