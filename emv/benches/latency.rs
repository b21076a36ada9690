//! Latency percentiles of whole in-process transactions (criterion reports means; the issue's
//! target is a p99): each transaction kind runs a few thousand times on a fresh phone, one at
//! a time, and the p50, p99 and maximum are printed. `cargo bench -p mpay-emv --bench latency`.

#![allow(missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use mpay_apdu::{Card, Router};
use mpay_emv::card::{CardProfile, OfflineLimits, phone_router};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay_emv::crypto::keys::{Sm4Key, TdesKey};
use mpay_emv::crypto::pboc::Sm4IssuerKeys;
use mpay_emv::issuer;
use mpay_emv::kernel::{CaKey, CaPublicKey, Kernel, TerminalConfig, TransactionRequest};
use mpay_emv::oda;
use mpay_gmt::sm2::PrivateKey;

const RUNS: usize = 3_000;

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{name:<58} p50 {:>8.1} µs   p99 {:>8.1} µs   max {:>8.1} µs   ({} runs)",
        at(0.50).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        times[times.len() - 1].as_secs_f64() * 1e6,
        times.len()
    );
}

/// Times `tx` on a fresh phone per run (a card's ATC is finite); the phone's set-up is not
/// timed.
fn measure(name: &str, profile: &CardProfile, tx: impl Fn(&mut Card<Router>)) {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let mut phone = Card::new(phone_router(vec![profile.clone()]));
        let start = Instant::now();
        tx(&mut phone);
        times.push(start.elapsed());
    }
    report(name, times);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and test harness probing
    }
    let req = |amount| TransactionRequest {
        amount,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0,
        unpredictable_number: [1, 2, 3, 4],
    };
    let issuer = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());

    // Quick flow (Visa CVN 18): PPSE → GPO with ARQC → records → field 55 → issuer check.
    let visa = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &issuer).unwrap();
    let kernel = Kernel::new(TerminalConfig::demo());
    measure("quick flow, Visa CVN 18, + issuer check", &visa, |phone| {
        let out = kernel.run(phone, &req(1_234)).unwrap();
        issuer::authorise(
            &issuer,
            Cvn::Visa18,
            "4761739001010119",
            "01",
            &out.field55(),
            *b"00",
        )
        .unwrap();
    });

    // UICS: SM4 cryptogram, SM2 fDDA signed by the card and verified with the chain.
    let ca = PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let iss = PrivateKey::from_bytes(&[0x22; 32]).unwrap();
    let pan = "6228480000000000017";
    let c90 = oda::sm2::sign_issuer_certificate(
        &ca,
        &iss.public_key(),
        [0x62, 0x28, 0x48, 0xFF],
        [0x12, 0x30],
        [0, 0, 1],
    )
    .unwrap();
    let sm4 = Sm4IssuerKeys::single(Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let uics = CardProfile::pboc_sm4_demo(pan, &sm4)
        .unwrap()
        .with_sm2_oda(
            0x0B,
            c90,
            &iss,
            PrivateKey::from_bytes(&[0x33; 32]).unwrap(),
        )
        .unwrap();
    let sm2_kernel = Kernel::new(TerminalConfig {
        ca_keys: vec![CaKey {
            rid: [0xA0, 0, 0, 0x03, 0x33],
            index: 0x0B,
            key: CaPublicKey::Sm2(ca.public_key()),
        }],
        ..TerminalConfig::demo()
    });
    measure(
        "quick flow, UICS SM4 + SM2 fDDA, + issuer check",
        &uics,
        |phone| {
            let out = sm2_kernel.run(phone, &req(1_234)).unwrap();
            issuer::authorise_sm4(&sm4, pan, "01", &out.field55(), *b"00").unwrap();
        },
    );

    // Standard flow: RSA DDA, enciphered offline PIN, velocity, GENERATE AC.
    let k = common::rsa_test_keys();
    let mc = "5413330089010434";
    let c90 = oda::sign_issuer_certificate(
        &k[0],
        k[1].public(),
        [0x54, 0x13, 0x33, 0xFF],
        [0x12, 0x30],
        [0, 0, 3],
    )
    .unwrap();
    let mut p = CardProfile::visa_demo(mc, Cvn::Mastercard16, &issuer).unwrap();
    p.aip[0] &= !0x01;
    p.offline_limits = Some(OfflineLimits {
        lower_consecutive: 3,
        upper_consecutive: 5,
        cumulative_amount: 100_000,
    });
    let p = p
        .with_offline_pin("2468", true)
        .unwrap()
        .with_rsa_oda(0x92, c90, &k[1], k[2].clone())
        .unwrap();
    let rsa_kernel = Kernel::new(TerminalConfig {
        ca_keys: vec![CaKey {
            rid: [0xA0, 0, 0, 0, 0x04],
            index: 0x92,
            key: CaPublicKey::Rsa(k[0].public().clone()),
        }],
        ..TerminalConfig::demo()
    });
    measure(
        "standard flow, RSA DDA + enciphered PIN, + issuer check",
        &p,
        |phone| {
            let out = rsa_kernel
                .run_with_pin(phone, &req(50_000), "2468")
                .unwrap();
            issuer::authorise(&issuer, Cvn::Mastercard16, mc, "01", &out.field55(), *b"00")
                .unwrap();
        },
    );
}
