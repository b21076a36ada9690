//! Card-scheme cryptography benchmarks. `bench_pyemv.py` beside this file times pyemv on the
//! same inputs; `cargo bench -p mpay-emv` runs both when `MPAY_PYTHON` names a Python with
//! pyemv installed.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{Criterion, criterion_group, criterion_main};

use mpay_apdu::{Card, Router, Target};
use mpay_emv::card::{CardProfile, ContactlessCard, Ppse};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys, TransactionData};
use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::crypto::{kd, mac, pin};
use mpay_emv::kernel::{Kernel, TerminalConfig, TransactionRequest};
use std::hint::black_box;

fn tx() -> TransactionData {
    TransactionData {
        amount_authorised: [0, 0, 0, 0, 0x40, 0x00],
        amount_other: [0; 6],
        terminal_country: [0x01, 0x24],
        tvr: [0x80, 0x00, 0x04, 0x80, 0x00],
        currency: [0x01, 0x24],
        date: [0x19, 0x11, 0x05],
        transaction_type: 0x01,
        unpredictable_number: [0x52, 0xBF, 0x45, 0x85],
        aip: [0x18, 0x00],
        atc: [0x00, 0x1C],
        iad: vec![0x06, 0x01, 0x12, 0x03, 0xA0, 0xB8, 0x00],
        counters: vec![],
    }
}

fn benches(c: &mut Criterion) {
    let issuer = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
    let card = Cvn::Visa18
        .card_keys(&issuer, "1234567890123456", "00")
        .unwrap();
    let t = tx();
    assert_eq!(
        Cvn::Visa18.arqc(&card, &t).unwrap(),
        [0x7A, 0x78, 0x8E, 0xA6, 0xB8, 0xA3, 0xE7, 0x33]
    );
    c.bench_function("cvn18_arqc_with_session_key", |b| {
        b.iter(|| Cvn::Visa18.arqc(black_box(&card), black_box(&t)).unwrap())
    });
    c.bench_function("cvn18_icc_mk_and_arqc", |b| {
        b.iter(|| {
            let card = Cvn::Visa18
                .card_keys(black_box(&issuer), "1234567890123456", "00")
                .unwrap();
            Cvn::Visa18.arqc(&card, black_box(&t)).unwrap()
        })
    });
    let sk = kd::common_session_key(&card.ac, kd::r_emv([0, 0x1C]));
    let data = [0x5Au8; 64];
    c.bench_function("retail_mac_64B", |b| {
        b.iter(|| mac::retail_mac(black_box(&sk), black_box(&data), mac::Padding::Method2))
    });
    // A complete in-process contactless transaction: PPSE, SELECT, GPO (ARQC), READ RECORD ×2,
    // field 55, then the issuer's ARQC check and ARPC.
    // A fresh phone per batch: a card's ATC is 16 bits, and an exhausted card (correctly)
    // refuses to compute cryptograms.
    let profile = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &issuer).unwrap();
    let new_phone = || {
        let mut router = Router::new();
        router.add_exact(
            Ppse::AID,
            Target::Host,
            Ppse::new(vec![profile.ppse_entry()]),
        );
        router.add_exact(
            &profile.aid.clone(),
            Target::Host,
            ContactlessCard::new(profile.clone()),
        );
        Card::new(router)
    };
    let kernel = Kernel::new(TerminalConfig::demo());
    let req = TransactionRequest {
        amount: 1_234,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0,
        unpredictable_number: [1, 2, 3, 4],
    };
    c.bench_function("contactless_transaction_and_issuer_check", |b| {
        b.iter_batched_ref(
            new_phone,
            |phone| {
                let out = kernel.run(phone, black_box(&req)).unwrap();
                mpay_emv::issuer::authorise(
                    &issuer,
                    Cvn::Visa18,
                    "4761739001010119",
                    "01",
                    &out.field55(),
                    *b"00",
                )
                .unwrap()
            },
            criterion::BatchSize::SmallInput,
        )
    });
    // ODA: issuer and ICC certificate recovery on emv-tools' 1408-bit Mastercard test chain.
    let v: std::collections::HashMap<&str, Vec<u8>> =
        include_str!("../tests/vectors/emv_tools_dda.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('=') && !l.starts_with("pan"))
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap();
                (k.trim(), hex::decode(v.trim()).unwrap())
            })
            .collect();
    let ca = mpay_emv::oda::RsaPublicKey::new(&v["ca_modulus"], &[3]).unwrap();
    c.bench_function("oda_issuer_and_icc_recovery_1408", |b| {
        b.iter(|| {
            let issuer = mpay_emv::oda::recover_issuer_key(
                &ca,
                &v["issuer_cert"],
                &v["issuer_remainder"],
                &[3],
                "5285881254345653",
                [0, 1],
            )
            .unwrap();
            mpay_emv::oda::recover_icc_key(
                &issuer.key,
                &v["icc_cert"],
                &[],
                &[3],
                &v["static_data"],
                "5285881254345653",
                [0, 1],
            )
            .unwrap()
        })
    });
    // PBOC/UICS SM2 ODA: issuer certificate under the CA key, then the ICC certificate over
    // 200 bytes of static data (two SM2 verifications).
    {
        use mpay_emv::oda::sm2 as oda_sm2;
        use mpay_gmt::sm2::PrivateKey;
        let (ca, iss, icc) = (
            PrivateKey::from_bytes(&[0x11; 32]).unwrap(),
            PrivateKey::from_bytes(&[0x22; 32]).unwrap(),
            PrivateKey::from_bytes(&[0x33; 32]).unwrap(),
        );
        let pan = "6228480000000000017";
        let sd = [0x5Au8; 200];
        let c90 = oda_sm2::sign_issuer_certificate(
            &ca,
            &iss.public_key(),
            [0x62, 0x28, 0x48, 0xFF],
            [0x12, 0x30],
            [0, 0, 1],
        )
        .unwrap();
        let c46 = oda_sm2::sign_icc_certificate(
            &iss,
            &icc.public_key(),
            pan,
            [0x12, 0x30],
            [0, 0, 2],
            &sd,
        )
        .unwrap();
        let ca_pub = ca.public_key();
        // The CA key prepared once, as a terminal (and `Kernel::new`) holds it; the issuer
        // key comes from the card and is used once, unprepared.
        let ca_prepared = mpay_gmt::sm2::PreparedPublicKey::new(&ca_pub);
        c.bench_function("oda_sm2_issuer_and_icc_certificates", |b| {
            b.iter(|| {
                let ik = oda_sm2::verify_issuer_certificate_prepared(
                    &ca_prepared,
                    black_box(&c90),
                    pan,
                    [0x26, 0x11],
                )
                .unwrap();
                oda_sm2::verify_icc_certificate(&ik.key, black_box(&c46), &sd, pan, [0x26, 0x11])
                    .unwrap()
            })
        });
        c.bench_function("oda_sm2_issuer_and_icc_certificates_unprepared_ca", |b| {
            b.iter(|| {
                let ik =
                    oda_sm2::verify_issuer_certificate(&ca_pub, black_box(&c90), pan, [0x26, 0x11])
                        .unwrap();
                oda_sm2::verify_icc_certificate(&ik.key, black_box(&c46), &sd, pan, [0x26, 0x11])
                    .unwrap()
            })
        });
        let card = mpay_emv::crypto::pboc::PbocSm4::card_keys(
            &mpay_emv::crypto::pboc::Sm4IssuerKeys::single(
                mpay_emv::crypto::keys::Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210")
                    .unwrap(),
            ),
            pan,
            "01",
        )
        .unwrap();
        let mut t = tx();
        t.iad = mpay_emv::crypto::pboc::PbocSm4::iad(1, [0xA0, 0, 0]).to_vec();
        // A full in-process UICS transaction: PPSE → GPO (SM4 ARQC + SM2 fDDA signature) →
        // 4 records → SM2 chain and fDDA verification → field 55, then the issuer's SM4 check.
        let sm4_issuer = mpay_emv::crypto::pboc::Sm4IssuerKeys::single(
            mpay_emv::crypto::keys::Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        );
        let uics = CardProfile::pboc_sm4_demo(pan, &sm4_issuer)
            .unwrap()
            .with_sm2_oda(0x0B, c90.clone(), &iss, icc.clone())
            .unwrap();
        let sm2_kernel = Kernel::new(TerminalConfig {
            ca_keys: vec![mpay_emv::kernel::CaKey {
                rid: [0xA0, 0, 0, 0x03, 0x33],
                index: 0x0B,
                key: mpay_emv::kernel::CaPublicKey::Sm2(ca_pub),
            }],
            ..TerminalConfig::demo()
        });
        c.bench_function("contactless_uics_sm4_sm2_fdda_and_issuer_check", |b| {
            b.iter_batched_ref(
                || Card::new(mpay_emv::card::phone_router(vec![uics.clone()])),
                |phone| {
                    let out = sm2_kernel.run(phone, black_box(&req)).unwrap();
                    mpay_emv::issuer::authorise_sm4(&sm4_issuer, pan, "01", &out.field55(), *b"00")
                        .unwrap()
                },
                criterion::BatchSize::SmallInput,
            )
        });
        c.bench_function("pboc_sm4_arqc_with_session_key", |b| {
            b.iter(|| {
                mpay_emv::crypto::pboc::PbocSm4::arqc(black_box(&card), black_box(&t)).unwrap()
            })
        });
    }
    c.bench_function("pin_format0", |b| {
        b.iter(|| pin::format0(black_box("1234"), black_box("5544332211009966")).unwrap())
    });
}

/// The EMV AES profile: the ARQC of the CVN 18 transaction including the AC session-key
/// derivation (common session key, n = 16), for AES-128 and AES-256 ICC master keys.
fn aes_benches(c: &mut Criterion) {
    use mpay_emv::crypto::cvn::{AcDataTail, ArpcMethod};
    use mpay_emv::crypto::emv_aes::{AesEmv, AesIssuerKeys};
    use mpay_emv::crypto::keys::AesKey;
    let profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1SessionKey);
    let t = tx();
    for (name, len) in [
        ("aes128_arqc_with_session_key", 16),
        ("aes256_arqc_with_session_key", 32),
    ] {
        let issuer = AesIssuerKeys::single(AesKey::from_slice(&vec![0x3C; len]).unwrap());
        let card = profile
            .card_keys(&issuer, "4761739001010119", "01")
            .unwrap();
        c.bench_function(name, |b| {
            b.iter(|| profile.arqc(black_box(&card), black_box(&t)).unwrap())
        });
    }
}

criterion_group!(benches_group, benches, aes_benches);
criterion_main!(benches_group);
