//! Vault throughput: in-memory tokenize/detokenize (single and batches of 1,000), SQLite
//! durable group commit (batches of 1,000 in one fsync'd transaction), and — when `MPAY_PG_URL`
//! is set and the `postgres` feature is on — PostgreSQL with 8 concurrent clients. FF1 PAN tokenization alongside, for the cost of state.
// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mpay_tokenization::luhn;
use mpay_tokenization::pan::{FpeTokenizer, Pan, PanPolicy, TweakContext};
use mpay_tokenization::vault::*;
use std::hint::black_box;

fn pans(n: u64) -> Vec<Pan> {
    (0..n)
        .map(|i| {
            let mut d =
                luhn::digits(&format!("{:015}", 450_000_000_000_000u64 + i * 7919)).unwrap();
            d.push(luhn::check_digit(&d));
            Pan::from_digits(&d).unwrap()
        })
        .collect()
}

fn policy() -> AccessPolicy {
    let mut p = AccessPolicy::new();
    p.allow_tokenize("app")
        .allow_detokenize("app", "pay", Reveal::Plain);
    p
}

fn vault<S: TokenStore>(s: S) -> Vault<S> {
    Vault::new(
        s,
        KeyRing::new(1, [1; 32], [2; 32]),
        policy(),
        Arc::new(NoAudit),
    )
}

fn bench(c: &mut Criterion) {
    let ps = pans(4096);
    let caller = Caller::new("app", "pay", "bench");
    let mut g = c.benchmark_group("vault");
    g.throughput(Throughput::Elements(1));

    let v = vault(MemoryStore::new());
    let mut i = 0usize;
    g.bench_function("memory_tokenize", |b| {
        b.iter(|| {
            i += 1;
            black_box(v.tokenize(&caller, "t", &ps[i & 4095], None).unwrap())
        })
    });
    g.throughput(Throughput::Elements(1000));
    let mut k = 0usize;
    g.bench_function("memory_tokenize_batch_1000", |b| {
        b.iter(|| {
            k = (k + 1000) & 4095;
            let end = (k + 1000).min(4096);
            black_box(
                v.tokenize_batch(&caller, "tb", &ps[end - 1000..end], None)
                    .unwrap(),
            )
        })
    });
    g.throughput(Throughput::Elements(1));
    let toks: Vec<String> = ps[..1024]
        .iter()
        .map(|p| v.tokenize(&caller, "d", p, None).unwrap())
        .collect();
    g.bench_function("memory_detokenize", |b| {
        b.iter(|| {
            i += 1;
            black_box(v.detokenize(&caller, "d", &toks[i & 1023]).unwrap())
        })
    });
    let fpe =
        FpeTokenizer::<aes::Aes256>::new(&[3; 32], PanPolicy::BIN6_LAST4_LUHN_INVALID).unwrap();
    let ctx = TweakContext::new().with("merchant", "M-1");
    g.bench_function("ff1_pan_tokenize_luhn_invalid", |b| {
        b.iter(|| {
            i += 1;
            black_box(fpe.tokenize(&ps[i & 4095], &ctx).unwrap())
        })
    });

    let dir = std::env::temp_dir().join(format!("mpay-tok-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sv = vault(SqliteStore::open(dir.join("bench.db")).unwrap());
    g.throughput(Throughput::Elements(1000));
    let mut k = 0usize;
    g.bench_function("sqlite_tokenize_group_commit_1000", |b| {
        b.iter(|| {
            k = (k + 1000) & 4095;
            let end = (k + 1000).min(4096);
            let start = end - 1000;
            black_box(
                sv.tokenize_batch(&caller, "s", &ps[start..end], None)
                    .unwrap(),
            )
        })
    });
    // The figure depends on the table size (random tokens scatter index writes): say it.
    eprintln!(
        "sqlite group commit: table holds {} entries after the run",
        sv.store().count().unwrap()
    );
    g.throughput(Throughput::Elements(1));
    g.bench_function("sqlite_tokenize_single_fsync", |b| {
        b.iter(|| {
            i += 1;
            black_box(sv.tokenize(&caller, "s1", &ps[i & 4095], None).unwrap())
        })
    });
    let stoks: Vec<String> = sv.tokenize_batch(&caller, "sd", &ps[..1024], None).unwrap();
    g.bench_function("sqlite_detokenize", |b| {
        b.iter(|| {
            i += 1;
            black_box(sv.detokenize(&caller, "sd", &stoks[i & 1023]).unwrap())
        })
    });
    drop(sv);
    let _ = std::fs::remove_dir_all(&dir);

    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("MPAY_PG_URL") {
        let pv = Arc::new(vault(PgStore::connect(&url, 8).unwrap()));
        let run = Arc::new(std::sync::atomic::AtomicU64::new(0));
        g.throughput(Throughput::Elements(8 * 64));
        g.bench_function("postgres_tokenize_8_clients_x64", |b| {
            b.iter(|| {
                let base = run.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let hs: Vec<_> = (0..8u64)
                    .map(|t| {
                        let (pv, ps) = (pv.clone(), ps.clone());
                        std::thread::spawn(move || {
                            let c = Caller::new("app", "pay", "bench");
                            for j in 0..64u64 {
                                let p = &ps[((base * 512 + t * 64 + j) % 4096) as usize];
                                pv.tokenize(&c, "pg", p, None).unwrap();
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
