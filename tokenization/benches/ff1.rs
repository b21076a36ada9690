//! FF1 radix 10, 16 digits, AES-256: this crate's integer fast path next to `fpe` on the same
//! inputs (and a check that both give the same output before timing).
// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fpe::ff1::{FF1, FlexibleNumeralString};
use mpay_tokenization::ff1::Ff1;
use std::hint::black_box;

fn inputs() -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut s = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..1024)
        .map(|_| {
            let d: Vec<u8> = (0..16).map(|_| (next() % 10) as u8).collect();
            let t: Vec<u8> = next().to_be_bytes().to_vec();
            (d, t)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let key = [0x2bu8; 32];
    let ours = Ff1::<aes::Aes256>::new(&key, 10).unwrap();
    let theirs = FF1::<aes::Aes256>::new(&key, 10).unwrap();
    let data = inputs();
    for (d, t) in &data[..64] {
        let mut x = d.clone();
        ours.encrypt_digits(t, &mut x).unwrap();
        let y: Vec<u16> = theirs
            .encrypt(
                t,
                &FlexibleNumeralString::from(d.iter().map(|&v| u16::from(v)).collect::<Vec<_>>()),
            )
            .unwrap()
            .into();
        assert!(
            x.iter().zip(&y).all(|(&a, &b)| u16::from(a) == b),
            "outputs differ"
        );
    }
    let mut g = c.benchmark_group("ff1_radix10_16digits_aes256");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("mpay_encrypt", |b| {
        b.iter(|| {
            let (d, t) = &data[i & 1023];
            i += 1;
            let mut x = [0u8; 16];
            x.copy_from_slice(d);
            ours.encrypt_digits(t, &mut x).unwrap();
            black_box(x)
        })
    });
    g.bench_function("mpay_decrypt", |b| {
        b.iter(|| {
            let (d, t) = &data[i & 1023];
            i += 1;
            let mut x = [0u8; 16];
            x.copy_from_slice(d);
            ours.decrypt_digits(t, &mut x).unwrap();
            black_box(x)
        })
    });
    let flex: Vec<(FlexibleNumeralString, Vec<u8>)> = data
        .iter()
        .map(|(d, t)| {
            (
                FlexibleNumeralString::from(d.iter().map(|&v| u16::from(v)).collect::<Vec<_>>()),
                t.clone(),
            )
        })
        .collect();
    g.bench_function("fpe_0_7_encrypt", |b| {
        b.iter(|| {
            let (x, t) = &flex[i & 1023];
            i += 1;
            black_box(theirs.encrypt(t, x).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
