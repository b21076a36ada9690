//! Benchmarks: TOTP verification of a wrong code with a ±1 window (3 HMACs) next to totp-rs,
//! and payment-code server decode + verify.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use fpe::ff1::{FF1, FlexibleNumeralString};
use mpay_otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer,
};
use mpay_otp::replay::MemoryReplayGuard;
use mpay_otp::{Algorithm, Totp, Window};
use std::collections::HashMap;
use std::hint::black_box;

const SECRET: &[u8] = b"12345678901234567890";

/// Runs `f` `iters` times and reports this thread's on-CPU time (`CLOCK_THREAD_CPUTIME_ID`),
/// so that figures taken on a shared, loaded machine still say what one core does.
fn cpu_timed<R>(iters: u64, mut f: impl FnMut() -> R) -> std::time::Duration {
    let start = cpu_time::ThreadTime::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed()
}
const NOW: u64 = 1_700_000_000;

fn totp_verify(c: &mut Criterion) {
    let ours = Totp::new(Algorithm::Sha1, SECRET, 6)
        .unwrap()
        .with_window(Window::Symmetric(1));
    let theirs = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(SECRET)
        .build()
        .unwrap();
    // A code valid in neither implementation's window: all 3 steps are computed.
    let mut wrong = 0u32;
    while [NOW - 30, NOW, NOW + 30]
        .iter()
        .any(|&t| ours.generate(t).unwrap().value() == u64::from(wrong))
    {
        wrong += 1;
    }
    let wrong = format!("{wrong:06}");
    assert_eq!(ours.verify(&wrong, NOW).unwrap(), None);
    assert_eq!(theirs.check(&wrong, NOW), None);
    // Both agree on the right code.
    let right = ours.generate(NOW).unwrap().to_string();
    assert_eq!(theirs.generate(NOW).to_string(), right);

    let mut g = c.benchmark_group("totp_verify_wrong_code_window_pm1_sha1");
    g.bench_function("mpay-otp", |b| {
        b.iter(|| ours.verify(black_box(&wrong), black_box(NOW)).unwrap())
    });
    g.bench_function("totp-rs 6", |b| {
        b.iter(|| theirs.check(black_box(&wrong), black_box(NOW)))
    });
    g.finish();
    let mut g = c.benchmark_group("cpu_time/totp_verify_wrong_code_window_pm1_sha1");
    g.bench_function("mpay-otp", |b| {
        b.iter_custom(|n| cpu_timed(n, || ours.verify(black_box(&wrong), NOW).unwrap()))
    });
    g.bench_function("totp-rs 6", |b| {
        b.iter_custom(|n| cpu_timed(n, || theirs.check(black_box(&wrong), NOW)))
    });
    // The floor: the six SHA-1 compressions (3 inner + 3 outer blocks) any HMAC-SHA-1 TOTP
    // verifier of a ±1 window must run, through the `sha1` crate (SHA-NI when present).
    g.bench_function("floor: 6 SHA-1 compressions", |b| {
        b.iter_custom(|n| {
            cpu_timed(n, || {
                let mut blocks = [[0u8; 64]; 3];
                let mut st = [[
                    0x6745_2301u32,
                    0xEFCD_AB89,
                    0x98BA_DCFE,
                    0x1032_5476,
                    0xC3D2_E1F0,
                ]; 3];
                for (k, (s, blk)) in st.iter_mut().zip(blocks.iter_mut()).enumerate() {
                    blk[7] = k as u8;
                    sha1::block_api::compress(s, black_box(&[*blk]));
                }
                for (s, blk) in st.iter_mut().zip(blocks.iter_mut()) {
                    blk[0] = s[0] as u8;
                    sha1::block_api::compress(s, black_box(&[*blk]));
                }
                st
            })
        })
    });
    g.finish();
}

fn paycode(c: &mut Criterion) {
    let config = PaycodeConfig::wechat_style()
        .with_window(Window::Symmetric(1))
        .unwrap();
    let key = [0x33u8; 32];
    let mut creds = HashMap::new();
    let mut codes = Vec::new();
    let ctx = BindingContext {
        pos_id: Some("POS-0042"),
        ..BindingContext::default()
    };
    for i in 0..1024u64 {
        let index = i * 9_765_625 + 17;
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&index.to_be_bytes());
        creds.insert(index, PaycodeCredential::new(&config, &seed).unwrap());
        let d = PaycodeDevice::new(config.clone(), &key, index, &seed).unwrap();
        codes.push(d.generate(NOW, &ctx).unwrap());
    }
    let server = PaycodeServer::new(config, &key, creds, MemoryReplayGuard::new()).unwrap();
    let mut g = c.benchmark_group("paycode");
    // Decode (FF1) + 3 HMACs (±1 window) + replay check-and-store. After the first pass over
    // the 1,024 codes the verdict is `Replayed`, which does the same work.
    let mut i = 0;
    g.bench_function("server_decode_verify", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            server
                .verify(black_box(&codes[i]), NOW, &ctx, None)
                .unwrap()
        })
    });
    g.bench_function("server_decode_only", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            server.decode(black_box(&codes[i])).unwrap()
        })
    });
    g.bench_function("cpu_time/server_decode_verify", |b| {
        b.iter_custom(|n| {
            cpu_timed(n, || {
                i = (i + 1) & 1023;
                server
                    .verify(black_box(&codes[i]), NOW, &ctx, None)
                    .unwrap()
            })
        })
    });
    // Context: the fpe crate's big-integer numeral string on the same 16-digit payload.
    let ff1 = FF1::<aes::Aes256>::new(&key, 10).unwrap();
    let ns: Vec<u16> = codes[0][2..].bytes().map(|b| u16::from(b - b'0')).collect();
    g.bench_function("fpe_flexible_numeral_string_decrypt_16_digits", |b| {
        b.iter(|| {
            ff1.decrypt(
                b"tweak",
                &FlexibleNumeralString::from(black_box(ns.clone())),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, totp_verify, paycode);
criterion_main!(benches);
