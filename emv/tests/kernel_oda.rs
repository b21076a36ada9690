//! Offline data authentication inside the kernel and the card, and the PBOC/UICS
//! national-algorithm card (SM4 cryptograms, SM2 certificates, DF69): complete contactless
//! transactions through the `apdu` router, with passing and failing ODA.

mod common;

use mpay_apdu::{Application, Card, Command, Response, Router, Target};
use mpay_emv::card::{CardProfile, ContactlessCard, Ppse, phone_router};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay_emv::crypto::keys::{Sm4Key, TdesKey};
use mpay_emv::crypto::pboc::Sm4IssuerKeys;
use mpay_emv::kernel::{
    CaKey, CaPublicKey, Decision, Kernel, Oda, OdaMethod, TerminalConfig, TransactionRequest,
};
use mpay_emv::oda;
use mpay_emv::{Error, issuer};
use mpay_gmt::sm2::PrivateKey;

const UICS_RID: [u8; 5] = [0xA0, 0, 0, 0x03, 0x33];
const PAN: &str = "6228480000000000017";

fn phone(p: CardProfile) -> Card<Router> {
    Card::new(phone_router(vec![p]))
}

fn req() -> TransactionRequest {
    TransactionRequest {
        amount: 2_500,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [0x0A, 0x1B, 0x2C, 0x3D],
    }
}

fn sm4_keys() -> Sm4IssuerKeys {
    Sm4IssuerKeys::new(
        Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        Sm4Key::from_hex("00112233445566778899AABBCCDDEEFF").unwrap(),
        Sm4Key::from_hex("FFEEDDCCBBAA99887766554433221100").unwrap(),
    )
}

/// An SM2 CA (index 0x0B), an issuer certified by it, and a UICS SM4 card with SM2 ODA.
fn sm2_card() -> (PrivateKey, CardProfile) {
    let ca = PrivateKey::from_bytes(&[0x0C; 32]).unwrap();
    let iss = PrivateKey::from_bytes(&[0x1E; 32]).unwrap();
    let c90 = oda::sm2::sign_issuer_certificate(
        &ca,
        &iss.public_key(),
        [0x62, 0x28, 0x48, 0xFF],
        [0x12, 0x30],
        [0, 0, 9],
    )
    .unwrap();
    let icc = PrivateKey::from_bytes(&[0x1C; 32]).unwrap();
    let profile = CardProfile::pboc_sm4_demo(PAN, &sm4_keys())
        .unwrap()
        .with_sm2_oda(0x0B, c90, &iss, icc)
        .unwrap();
    (ca, profile)
}

fn sm2_terminal(ca: &PrivateKey) -> TerminalConfig {
    TerminalConfig {
        ca_keys: vec![CaKey {
            rid: UICS_RID,
            index: 0x0B,
            key: CaPublicKey::Sm2(ca.public_key()),
        }],
        ..TerminalConfig::demo()
    }
}

#[test]
fn uics_sm4_card_with_sm2_fdda_goes_online_and_verifies_at_the_issuer() {
    let (ca, profile) = sm2_card();
    let mut card = phone(profile);
    let kernel = Kernel::new(sm2_terminal(&ca));
    for atc in 1..=2u16 {
        let out = kernel.run(&mut card, &req()).unwrap();
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
        assert_eq!(out.tvr[0] & 0x88, 0, "ODA performed and not failed");
        assert_eq!(out.get(0x9F10).unwrap()[7], 0x04, "SM4 algorithm indicator");
        let f55 = out.field55();
        let auth = issuer::authorise_sm4(&sm4_keys(), PAN, "01", &f55, *b"00").unwrap();
        assert_eq!(auth.atc, atc);
        assert_eq!(auth.issuer_authentication_data.len(), 10);
        // A 3DES issuer cannot verify it, and a changed amount breaks it.
        let mut bad = f55.clone();
        let pos = bad.windows(2).position(|w| w == [0x9F, 0x02]).unwrap();
        bad[pos + 3 + 5] ^= 0x01;
        assert!(matches!(
            issuer::authorise_sm4(&sm4_keys(), PAN, "01", &bad, *b"00"),
            Err(Error::Verification { .. })
        ));
    }
}

#[test]
fn sm2_fdda_failures_set_the_tvr_but_the_transaction_still_goes_online() {
    let (ca, profile) = sm2_card();
    // A terminal holding another key under the same index.
    let other = PrivateKey::from_bytes(&[0x0D; 32]).unwrap();
    let out = Kernel::new(sm2_terminal(&other))
        .run(&mut phone(profile.clone()), &req())
        .unwrap();
    assert!(matches!(
        out.oda,
        Oda::Failed {
            method: OdaMethod::Fdda,
            ..
        }
    ));
    assert_eq!(out.tvr[0] & 0x88, 0x08);
    assert_eq!(out.decision, Decision::OnlineRequest);
    // Static data changed after personalisation: the ICC certificate no longer verifies.
    let mut changed = profile.clone();
    changed.effective = [0x21, 0x01, 0x01];
    let out = Kernel::new(sm2_terminal(&ca))
        .run(&mut phone(changed), &req())
        .unwrap();
    match &out.oda {
        Oda::Failed { why, .. } => assert!(why.contains("ICC"), "{why}"),
        o => panic!("{o:?}"),
    }
    // No CA key: the TTQ does not ask for ODA and the card signs nothing.
    let out = Kernel::new(TerminalConfig::demo())
        .run(&mut phone(profile.clone()), &req())
        .unwrap();
    assert_eq!(out.oda, Oda::NotPerformed);
    assert!(out.get(0x9F4B).is_none());
    assert_eq!(out.tvr[0] & 0x80, 0x80);
    // A terminal that does not request national algorithms (DF69 = 00): the SM-only card
    // refuses GPO and no application remains.
    let kernel = Kernel::new(TerminalConfig {
        national_algorithms: false,
        ..sm2_terminal(&ca)
    });
    assert_eq!(
        kernel.run(&mut phone(profile), &req()).unwrap_err(),
        Error::NoApplication
    );
}

fn tdes_keys() -> IssuerKeys {
    IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap())
}

/// Corrupts the last byte of the GENERATE AC response data (the end of 9F10).
struct TamperGac(ContactlessCard);
impl Application for TamperGac {
    fn select(&mut self, aid: &[u8], c: &Command<'_>) -> Response {
        self.0.select(aid, c)
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        let r = self.0.process(c);
        if c.ins() != 0xAE || !r.sw.is_success() {
            return r;
        }
        let mut data = r.data.clone();
        if let Some(b) = data.last_mut() {
            *b ^= 0x01;
        }
        Response::new(data, r.sw)
    }
}

#[test]
fn rsa_fdda_quick_flow_dda_and_cda_standard_flow() {
    let k = common::rsa_test_keys();
    let (ca, iss, icc) = (&k[0], &k[1], &k[2]);
    for (cvn, pan, rid, method) in [
        (
            Cvn::Visa18,
            "4761739001010119",
            [0xA0, 0, 0, 0, 0x03],
            OdaMethod::Fdda,
        ),
        (
            Cvn::Mastercard16,
            "5413330089010434",
            [0xA0, 0, 0, 0, 0x04],
            OdaMethod::Dda,
        ),
        (
            Cvn::Mastercard16,
            "5413330089010434",
            [0xA0, 0, 0, 0, 0x04],
            OdaMethod::Cda,
        ),
    ] {
        let mut iid = [0xFF; 4];
        iid[..3].copy_from_slice(&hex::decode(&pan[..6]).unwrap());
        let c90 =
            oda::sign_issuer_certificate(ca, iss.public(), iid, [0x12, 0x30], [0, 0, 3]).unwrap();
        let mut profile = CardProfile::visa_demo(pan, cvn, &tdes_keys()).unwrap();
        if method == OdaMethod::Dda {
            profile.aip[0] &= !0x01; // no CDA: the terminal does DDA
        }
        let profile = profile.with_rsa_oda(0x92, c90, iss, icc.clone()).unwrap();
        let config = TerminalConfig {
            ca_keys: vec![CaKey {
                rid,
                index: 0x92,
                key: CaPublicKey::Rsa(ca.public().clone()),
            }],
            ..TerminalConfig::demo()
        };
        let out = Kernel::new(config.clone())
            .run(&mut phone(profile.clone()), &req())
            .unwrap();
        assert_eq!(out.oda, Oda::Passed { method, sm2: false }, "{:?}", out.log);
        assert_eq!(out.tvr[0] & 0x88, 0);
        issuer::authorise(&tdes_keys(), cvn, pan, "01", &out.field55(), *b"00").unwrap();
        // The same card under another CA key index: DDA/fDDA failed, recorded in the TVR.
        let wrong = TerminalConfig {
            ca_keys: vec![CaKey {
                index: 0x93,
                ..config.ca_keys[0].clone()
            }],
            ..config.clone()
        };
        let out = Kernel::new(wrong)
            .run(&mut phone(profile.clone()), &req())
            .unwrap();
        assert!(matches!(out.oda, Oda::Failed { .. }), "{cvn:?}");
        let bit = if method == OdaMethod::Cda { 0x04 } else { 0x08 };
        assert_eq!(out.tvr[0] & 0x0C, bit);
        if method == OdaMethod::Cda {
            // No usable cryptogram after a failed CDA: declined, no 9F26 for field 55.
            assert_eq!(out.decision, Decision::Declined);
            assert!(out.get(0x9F26).is_none());
            // A response changed in transit breaks the transaction data hash code.
            let mut router = Router::new();
            router.add_exact(
                Ppse::AID,
                Target::Host,
                Ppse::new(vec![profile.ppse_entry()]),
            );
            let aid = profile.aid.clone();
            router.add_exact(&aid, Target::Host, TamperGac(ContactlessCard::new(profile)));
            let out = Kernel::new(config.clone())
                .run(&mut Card::new(router), &req())
                .unwrap();
            match &out.oda {
                Oda::Failed { why, .. } => assert!(why.contains("hash code"), "{why}"),
                o => panic!("{o:?}"),
            }
            assert_eq!(out.decision, Decision::Declined);
        }
    }
}

#[test]
fn sm2_dda_and_cda_in_the_standard_flow() {
    let ca = PrivateKey::from_bytes(&[0x21; 32]).unwrap();
    let iss = PrivateKey::from_bytes(&[0x22; 32]).unwrap();
    let pan = "5413330089010434";
    let c90 = oda::sm2::sign_issuer_certificate(
        &ca,
        &iss.public_key(),
        [0x54, 0x13, 0x33, 0xFF],
        [0x12, 0x30],
        [0, 0, 4],
    )
    .unwrap();
    let config = TerminalConfig {
        ca_keys: vec![CaKey {
            rid: [0xA0, 0, 0, 0, 0x04],
            index: 0x05,
            key: CaPublicKey::Sm2(ca.public_key()),
        }],
        ..TerminalConfig::demo()
    };
    for method in [OdaMethod::Dda, OdaMethod::Cda] {
        let mut profile = CardProfile::visa_demo(pan, Cvn::Mastercard16, &tdes_keys()).unwrap();
        if method == OdaMethod::Dda {
            profile.aip[0] &= !0x01;
        }
        let icc = PrivateKey::from_bytes(&[0x23; 32]).unwrap();
        let profile = profile.with_sm2_oda(0x05, c90.clone(), &iss, icc).unwrap();
        let out = Kernel::new(config.clone())
            .run(&mut phone(profile), &req())
            .unwrap();
        assert_eq!(out.oda, Oda::Passed { method, sm2: true }, "{:?}", out.log);
        assert_eq!(out.decision, Decision::OnlineRequest);
        let f55 = out.field55();
        issuer::authorise(&tdes_keys(), Cvn::Mastercard16, pan, "01", &f55, *b"00").unwrap();
    }
}
