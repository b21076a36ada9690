//! MPM parse + CRC check per payload (target ≤ 5 µs), and building.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{Criterion, criterion_group, criterion_main};
use mpay_qr_payment::mpm::{MerchantPayload, pix::Pix};
use std::hint::black_box;

const SAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

fn bench(c: &mut Criterion) {
    c.bench_function("mpm parse+crc emvco sample (224 B)", |b| {
        b.iter(|| MerchantPayload::parse(black_box(SAMPLE)).unwrap().crc())
    });
    c.bench_function("mpm parse+crc pix (140 B)", |b| {
        b.iter(|| MerchantPayload::parse(black_box(PIX)).unwrap().crc())
    });
    c.bench_function("mpm build pix", |b| {
        b.iter(|| {
            Pix::new(
                black_box("123e4567-e12b-12d1-a456-426655440000"),
                "Fulano de Tal",
                "BRASILIA",
            )
            .to_payload()
            .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
