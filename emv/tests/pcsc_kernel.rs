//! The kernel and the card through the real PC/SC stack: the phone's applications (PPSE, a
//! UICS card with SM4 cryptograms and SM2 fDDA, a Mastercard-style card with RSA CDA) are
//! served to `pcscd` by the vpcd bridge on its second reader ("Virtual PCD 00 01"), and the
//! kernel drives them over the `pcsc` transport; the issuer verifies each cryptogram and the
//! standard-flow transaction is completed with a second GENERATE AC.
//!
//! Needs `pcscd` with `vsmartcard-vpcd` running and `MPAY_PCSC=1` (`.ci/setup.d/apdu.sh` and
//! `emv.sh`). Without it the test skips, or fails when `MPAY_REQUIRE_PEERS` is set.
#![cfg(feature = "pcsc")]

mod common;

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use mpay_apdu::pcsc::PcscTransport;
use mpay_apdu::vpcd::VirtualCard;
use mpay_apdu::{Card, Router, Transport};
use mpay_emv::card::{CardProfile, phone_router};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay_emv::crypto::keys::{Sm4Key, TdesKey};
use mpay_emv::crypto::pboc::Sm4IssuerKeys;
use mpay_emv::issuer;
use mpay_emv::kernel::{
    CaKey, CaPublicKey, Decision, IssuerResponse, Kernel, Oda, OdaMethod, TerminalConfig,
    TransactionRequest,
};
use mpay_emv::oda;
use mpay_gmt::sm2::PrivateKey;

const READER: &str = "Virtual PCD 00 01";
const CARD_ADDR: &str = "127.0.0.1:35964";

fn pcsc_available() -> bool {
    if std::env::var_os("MPAY_PCSC").is_some() {
        return true;
    }
    if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
        panic!("MPAY_PCSC is not set: pcscd with vsmartcard-vpcd is required");
    }
    eprintln!("skipping: MPAY_PCSC not set (no pcscd with vsmartcard-vpcd)");
    false
}

fn retry<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out: {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

const UICS_PAN: &str = "6228480000000000017";
const MC_PAN: &str = "5413330089010434";

fn sm4_keys() -> Sm4IssuerKeys {
    Sm4IssuerKeys::single(Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap())
}

fn tdes_keys() -> IssuerKeys {
    IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap())
}

/// The phone: PPSE, a UICS SM4/SM2 card (priority 1) and a Mastercard RSA CDA card
/// (priority 2), and the terminal holding both CA keys.
fn phone_and_terminal() -> (Router, TerminalConfig) {
    let sm2_ca = PrivateKey::from_bytes(&[0x0C; 32]).unwrap();
    let sm2_issuer = PrivateKey::from_bytes(&[0x1E; 32]).unwrap();
    let c90 = oda::sm2::sign_issuer_certificate(
        &sm2_ca,
        &sm2_issuer.public_key(),
        [0x62, 0x28, 0x48, 0xFF],
        [0x12, 0x30],
        [0, 0, 9],
    )
    .unwrap();
    let uics = CardProfile::pboc_sm4_demo(UICS_PAN, &sm4_keys())
        .unwrap()
        .with_sm2_oda(
            0x0B,
            c90,
            &sm2_issuer,
            PrivateKey::from_bytes(&[0x1C; 32]).unwrap(),
        )
        .unwrap();
    let k = common::rsa_test_keys();
    let c90 = oda::sign_issuer_certificate(
        &k[0],
        k[1].public(),
        [0x54, 0x13, 0x33, 0xFF],
        [0x12, 0x30],
        [0, 0, 3],
    )
    .unwrap();
    let mut mc = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &tdes_keys())
        .unwrap()
        .with_rsa_oda(0x92, c90, &k[1], k[2].clone())
        .unwrap();
    mc.priority = 2;
    let router = phone_router(vec![uics, mc]);
    let config = TerminalConfig {
        ca_keys: vec![
            CaKey {
                rid: [0xA0, 0, 0, 0x03, 0x33],
                index: 0x0B,
                key: CaPublicKey::Sm2(sm2_ca.public_key()),
            },
            CaKey {
                rid: [0xA0, 0, 0, 0, 0x04],
                index: 0x92,
                key: CaPublicKey::Rsa(k[0].public().clone()),
            },
        ],
        ..TerminalConfig::demo()
    };
    (router, config)
}

fn req(un: u8) -> TransactionRequest {
    TransactionRequest {
        amount: 8_800,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [un, 0x22, 0x33, 0x44],
    }
}

#[test]
fn kernel_and_card_through_pcscd_and_vpcd() {
    if !pcsc_available() {
        return;
    }
    let (router, config) = phone_and_terminal();
    let stream = retry("connecting to vpcd", || TcpStream::connect(CARD_ADDR).ok());
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let server = thread::spawn(move || VirtualCard::new(router).serve_until(stream, &flag));
    // pcscd powers the card on its own schedule: retry until SELECT PPSE answers 9000.
    let transport = retry("a first exchange with the card", || {
        let mut t = PcscTransport::connect(READER).ok()?;
        let r = t
            .transmit(&hex::decode("00A404000E325041592E5359532E444446303100").unwrap())
            .ok()?;
        r.ends_with(&[0x90, 0x00]).then_some(t)
    });
    let mut card = Card::new(transport);

    // The UICS card (highest priority): qPBOC with SM4 ARQC and SM2 fDDA.
    let kernel = Kernel::new(config.clone());
    let mut times = Vec::new();
    for i in 0..5u8 {
        let t0 = Instant::now();
        let out = kernel.run(&mut card, &req(i)).unwrap();
        times.push(t0.elapsed());
        assert_eq!(out.decision, Decision::OnlineRequest);
        assert_eq!(
            out.oda,
            Oda::Passed {
                method: OdaMethod::Fdda,
                sm2: true
            },
            "{:?}",
            out.log
        );
        let auth =
            issuer::authorise_sm4(&sm4_keys(), UICS_PAN, "01", &out.field55(), *b"00").unwrap();
        assert_eq!(auth.atc, u16::from(i) + 1);
    }
    times.sort();
    eprintln!(
        "UICS SM4/SM2 transaction through pcscd + vpcd: median {:?}, max {:?}",
        times[times.len() / 2],
        times[times.len() - 1]
    );

    // A terminal without national algorithms: the UICS card refuses GPO (6985) and the kernel
    // falls back to the Mastercard application: RSA CDA, then completion with the ARPC.
    let kernel = Kernel::new(TerminalConfig {
        national_algorithms: false,
        ..config
    });
    let out = kernel.run(&mut card, &req(9)).unwrap();
    assert!(
        out.log.iter().any(|l| l.contains("next candidate")),
        "{:?}",
        out.log
    );
    assert_eq!(
        out.oda,
        Oda::Passed {
            method: OdaMethod::Cda,
            sm2: false
        }
    );
    let auth = issuer::authorise(
        &tdes_keys(),
        Cvn::Mastercard16,
        MC_PAN,
        "01",
        &out.field55(),
        *b"00",
    )
    .unwrap();
    let done = kernel
        .complete(
            &mut card,
            &out,
            &IssuerResponse {
                arc: *b"00",
                field55: &auth.field55,
            },
        )
        .unwrap();
    assert!(done.approved, "{:?}", done.log);

    drop(card);
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
}
