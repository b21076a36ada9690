//! Criterion benches for SM3, SM4 and SM2. Compare with OpenSSL in the same run with
//! `bash gmt/benches/openssl_speed.sh` (see README).
//!
//! Times are *thread CPU time* (like `openssl speed`'s default), not wall-clock time, so that
//! the figures stay comparable on a shared, loaded machine.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

/// Thread CPU time as a criterion measurement.
struct CpuTime;

static WALL: WallTime = WallTime;

impl Measurement for CpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }
    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

type C = Criterion<CpuTime>;
use mpay_gmt::sm2::{
    CiphertextFormat, DEFAULT_ID, KeyExchange, PreparedPublicKey, PrivateKey, Role,
};
use mpay_gmt::{sm3, sm4};
use std::hint::black_box;

fn bench_sm3(c: &mut C) {
    let mut g = c.benchmark_group("sm3");
    for size in [64usize, 1024, 16384] {
        let data = vec![0x5au8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("hash/{size}"), |b| {
            b.iter(|| sm3::hash(black_box(&data)))
        });
    }
    g.finish();
}

fn bench_sm4(c: &mut C) {
    let mut g = c.benchmark_group("sm4");
    let (key, iv) = ([7u8; 16], [9u8; 16]);
    let data = vec![0xa5u8; 16384];
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("ecb/16384", |b| {
        b.iter(|| sm4::ecb_encrypt(&key, black_box(&data), sm4::Padding::None).unwrap())
    });
    g.bench_function("ecb-portable/16384", |b| {
        use cipher::BlockCipherEncrypt;
        let c = sm4::Sm4::portable(&key);
        let mut blocks: Vec<cipher::Array<u8, _>> = data
            .chunks(16)
            .map(|x| cipher::Array::try_from(x).unwrap())
            .collect();
        b.iter(|| c.encrypt_blocks(black_box(&mut blocks)))
    });
    g.bench_function("cbc-encrypt-portable/16384", |b| {
        use cipher::{BlockModeEncrypt, InnerIvInit};
        let mut blocks: Vec<cipher::Array<u8, _>> = data
            .chunks(16)
            .map(|x| cipher::Array::try_from(x).unwrap())
            .collect();
        b.iter(|| {
            let mut e =
                cbc::Encryptor::<sm4::Sm4>::inner_iv_init(sm4::Sm4::portable(&key), &iv.into());
            e.encrypt_blocks(black_box(&mut blocks))
        })
    });
    // One block at a time, each depending on the last (the latency CBC encryption and MACs see),
    // 1,024 blocks per iteration like the 16 KiB rows.
    for (name, c) in [
        ("chained-blocks/16384", sm4::Sm4::from_key(&key)),
        ("chained-blocks-portable/16384", sm4::Sm4::portable(&key)),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut x = black_box(iv);
                for _ in 0..1024 {
                    c.encrypt_in_place(&mut x);
                }
                x
            })
        });
    }
    // Key setup, and a short MAC that pays for it (what a POS MAC or an ARQC with a fresh
    // `Sm4` costs).
    g.throughput(Throughput::Elements(1));
    g.bench_function("key-setup", |b| {
        b.iter(|| sm4::Sm4::from_key(black_box(&key)))
    });
    g.bench_function("key-setup-portable", |b| {
        b.iter(|| sm4::Sm4::portable(black_box(&key)))
    });
    g.bench_function("cbc-mac-with-key-setup/64", |b| {
        b.iter(|| sm4::cbc_mac(&key, black_box(&data[..64]), sm4::MacPadding::Zeros))
    });
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("cmac/16384", |b| {
        b.iter(|| sm4::cmac(&key, black_box(&data)))
    });
    g.bench_function("ecb-rustcrypto-sm4-reference/16384", |b| {
        use cipher::{BlockCipherEncrypt, KeyInit};
        let c = ::sm4::Sm4::new(&key.into());
        let mut blocks: Vec<cipher::Array<u8, _>> = data
            .chunks(16)
            .map(|x| cipher::Array::try_from(x).unwrap())
            .collect();
        b.iter(|| c.encrypt_blocks(black_box(&mut blocks)))
    });
    g.bench_function("ctr/16384", |b| {
        b.iter(|| sm4::ctr_apply(&key, &iv, black_box(&data)))
    });
    g.bench_function("cbc-encrypt/16384", |b| {
        b.iter(|| sm4::cbc_encrypt(&key, &iv, black_box(&data), sm4::Padding::None).unwrap())
    });
    g.bench_function("cbc-decrypt/16384", |b| {
        b.iter(|| sm4::cbc_decrypt(&key, &iv, black_box(&data), sm4::Padding::None).unwrap())
    });
    g.bench_function("gcm/16384", |b| {
        b.iter(|| sm4::gcm_encrypt(&key, &[1; 12], b"", black_box(&data)).unwrap())
    });
    g.finish();
}

fn bench_sm2(c: &mut C) {
    let mut g = c.benchmark_group("sm2");
    let key = PrivateKey::from_bytes(&[0x3c; 32]).unwrap();
    let pk = key.public_key();
    let msg = [0x11u8; 20];
    let sig = key.sign(DEFAULT_ID, &msg).unwrap();
    g.bench_function("sign", |b| {
        b.iter(|| key.sign(DEFAULT_ID, black_box(&msg)).unwrap())
    });
    g.bench_function("verify", |b| {
        b.iter(|| pk.verify(DEFAULT_ID, black_box(&msg), &sig).unwrap())
    });
    // A prepared key (fixed-base table for P, built once, as for a terminal's CA keys).
    let prepared = PreparedPublicKey::new(&pk);
    g.bench_function("verify_prepared", |b| {
        b.iter(|| prepared.verify(DEFAULT_ID, black_box(&msg), &sig).unwrap())
    });
    g.bench_function("prepare_key", |b| {
        b.iter(|| PreparedPublicKey::new(black_box(&pk)))
    });
    let pt = [0x22u8; 32];
    g.bench_function("encrypt/32", |b| {
        b.iter(|| pk.encrypt(&mut getrandom::SysRng, black_box(&pt)).unwrap())
    });
    let ct = pk
        .encrypt(&mut getrandom::SysRng, &pt)
        .unwrap()
        .to_bytes(CiphertextFormat::Der);
    g.bench_function("decrypt/32", |b| {
        b.iter(|| {
            key.decrypt_bytes(black_box(&ct), CiphertextFormat::Der)
                .unwrap()
        })
    });
    let peer = PrivateKey::from_bytes(&[0x4d; 32]).unwrap();
    let peer_eph = PrivateKey::from_bytes(&[0x5e; 32]).unwrap().public_key();
    g.bench_function("exchange/one-side", |b| {
        b.iter(|| {
            let kx = KeyExchange::new(
                &mut getrandom::SysRng,
                Role::Initiator,
                &key,
                DEFAULT_ID,
                &peer.public_key(),
                DEFAULT_ID,
            )
            .unwrap();
            kx.finish(black_box(&peer_eph), 16).unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench_sm3, bench_sm4, bench_sm2
}
criterion_main!(benches);
