//! Decode throughput: a 4 KiB message of many small records and a 1 MiB single-record message.
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mpay_nfc_ndef::{DecodeOptions, Message, Record, wkt::Uri};
use std::hint::black_box;

fn four_kib() -> Vec<u8> {
    let mut records = Vec::new();
    let mut i = 0;
    loop {
        let r = if i % 2 == 0 {
            Uri::new(&format!("https://example.com/pay?invoice={i}")).to_record()
        } else {
            Record::mime("application/octet-stream", vec![i as u8; 40])
        };
        records.push(r);
        let len = Message::from(records.clone()).encode().unwrap().len();
        if len >= 4096 {
            records.pop();
            break;
        }
        i += 1;
    }
    // fill up to exactly 4096 octets with one short unknown record
    let rest = 4096 - Message::from(records.clone()).encode().unwrap().len();
    records.push(Record::unknown(vec![0x5A; rest - 3]));
    let bytes = Message::from(records).encode().unwrap();
    assert_eq!(bytes.len(), 4096);
    bytes
}

/// The peer, ndeflib, decoding the same octets in the same run (if `MPAY_PYTHON` is set).
fn ndeflib_figures(inputs: &[(&str, &[u8])]) {
    let Ok(py) = std::env::var("MPAY_PYTHON") else {
        eprintln!("ndeflib: skipped (MPAY_PYTHON not set)");
        return;
    };
    let script = "import sys, timeit, ndef\n\
        b = open(sys.argv[1], 'rb').read()\n\
        f = lambda: list(ndef.message_decoder(b))\n\
        n, t = timeit.Timer(f).autorange()\n\
        best = min(timeit.repeat(f, number=n, repeat=5)) / n\n\
        print(f'{best * 1e6:.1f} us  {len(b) / best / 2**20:.1f} MiB/s')";
    for (name, bytes) in inputs {
        let path = std::env::temp_dir().join(format!("mpay-ndef-bench-{}.bin", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(&py)
            .args(["-c", script])
            .arg(&path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let text = String::from_utf8_lossy(if out.status.success() {
            &out.stdout
        } else {
            &out.stderr
        })
        .into_owned();
        println!("ndeflib decode/{name}: {}", text.trim());
    }
}

fn bench(c: &mut Criterion) {
    let small = four_kib();
    let big = Message::from(vec![Record::unknown(vec![0xA5; 0x10_0000])])
        .encode()
        .unwrap();
    ndeflib_figures(&[("4KiB message", &small), ("1MiB single record", &big)]);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(small.len() as u64));
    g.bench_function("4KiB message", |b| {
        b.iter(|| Message::decode(black_box(&small)).unwrap())
    });
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("1MiB single record", |b| {
        b.iter(|| Message::decode_with(black_box(&big), DecodeOptions::default()).unwrap())
    });
    // zero-copy scan without building records
    g.throughput(Throughput::Bytes(small.len() as u64));
    g.bench_function("4KiB message, raw records only", |b| {
        b.iter(|| {
            mpay_nfc_ndef::message::RawRecords::new(black_box(&small), DecodeOptions::default())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
