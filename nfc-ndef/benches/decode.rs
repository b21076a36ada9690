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
    let mut bytes = Message::from(records).encode().unwrap();
    assert!(bytes.len() <= 4096);
    bytes.truncate(4096);
    bytes
}

fn bench(c: &mut Criterion) {
    let small = four_kib();
    let big = Message::from(vec![Record::unknown(vec![0xA5; 0x10_0000])])
        .encode()
        .unwrap();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(small.len() as u64));
    g.bench_function("4KiB message", |b| {
        b.iter(|| Message::decode(black_box(&small)).unwrap())
    });
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("1MiB single record", |b| {
        b.iter(|| Message::decode_with(black_box(&big), DecodeOptions::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
