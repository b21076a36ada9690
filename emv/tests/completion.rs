//! Completion of online transactions: the issuer's ARPC checked by the card in the second
//! GENERATE AC (CDOL2), issuer scripts (71/72, results in 9F5B) that block the application
//! or change the PIN, and offline plaintext PIN (VERIFY) in the card and the kernel.

use mpay_apdu::{Card, Router};
use mpay_emv::card::{CardProfile, GpoFlow, phone_router};
use mpay_emv::crypto::cvn::{CardKeys, Cvn, IssuerKeys};
use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::kernel::{
    Cvm, Decision, IssuerResponse, Kernel, Outcome, TerminalConfig, TransactionRequest,
};
use mpay_emv::{Error, issuer};
use mpay_emv_tlv::{Tag, TlvWrite};

fn keys() -> IssuerKeys {
    IssuerKeys::new(
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        TdesKey::from_hex("FEDCBA98765432100123456789ABCDEF").unwrap(),
        TdesKey::from_hex("89ABCDEF0123456776543210FEDCBA98").unwrap(),
    )
}

fn phone(p: CardProfile) -> Card<Router> {
    Card::new(phone_router(vec![p]))
}

fn req(amount: u64) -> TransactionRequest {
    TransactionRequest {
        amount,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [0x55, 0x66, 0x77, 0x88],
    }
}

/// A standard-flow card (Mastercard CVN 16, or Visa CVN 18 switched to the standard flow).
fn profile(cvn: Cvn, pan: &str) -> CardProfile {
    let mut p = CardProfile::visa_demo(pan, cvn, &keys()).unwrap();
    if p.flow == GpoFlow::Quick {
        p.flow = GpoFlow::Standard;
        p.pdol = vec![0x9F, 0x66, 0x04];
    }
    p.with_offline_pin("1234", false).unwrap()
}

/// An issuer script command `84 INS 00 P2 Lc data MAC` with the card's SMI session key.
fn script_command(cvn: Cvn, card: &CardKeys, out: &Outcome, ins: u8, mac_ok: bool) -> Vec<u8> {
    let atc: [u8; 2] = out.get(0x9F36).unwrap().try_into().unwrap();
    let arqc: [u8; 8] = out.get(0x9F26).unwrap().try_into().unwrap();
    let header = [0x84, ins, 0x00, 0x00, 0x08];
    let mut mac = cvn.profile().script_mac(card, &header, atc, arqc, &[]);
    if !mac_ok {
        mac[0] ^= 1;
    }
    [&header[..], &mac].concat()
}

fn script(template: u32, id: [u8; 4], commands: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.constructed(Tag::new(template), |w| {
        w.primitive(Tag::new(0x9F18), &id)?;
        for c in commands {
            w.primitive(Tag::new(0x86), c)?;
        }
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn approved_online_with_a_blocking_script_then_the_card_is_refused() {
    for (cvn, pan) in [
        (Cvn::Mastercard16, "5413330089010434"),
        (Cvn::Visa18, "4761739001010119"),
    ] {
        let kernel = Kernel::new(TerminalConfig::demo());
        let mut card = phone(profile(cvn, pan));
        let out = kernel.run(&mut card, &req(1_000)).unwrap();
        assert_eq!(out.decision, Decision::OnlineRequest);
        let auth = issuer::authorise(&keys(), cvn, pan, "01", &out.field55(), *b"00").unwrap();
        let ck = cvn.card_keys(&keys(), pan, "01").unwrap();
        let mut f55 = auth.field55.clone();
        f55.extend(script(
            0x72,
            [0, 0, 0, 7],
            &[script_command(cvn, &ck, &out, 0x1E, true)],
        ));
        let done = kernel
            .complete(
                &mut card,
                &out,
                &IssuerResponse {
                    arc: *b"00",
                    field55: &f55,
                },
            )
            .unwrap();
        assert!(done.approved, "{cvn:?}: {:?}", done.log);
        assert_eq!(done.cid, 0x40);
        assert_eq!(done.script_results, [0x20, 0, 0, 0, 7]);
        assert_eq!(done.tvr[4] & 0x70, 0);
        // The application is blocked now: SELECT answers 6283 and nothing else is offered.
        assert_eq!(
            kernel.run(&mut card, &req(1_000)).unwrap_err(),
            Error::NoApplication,
            "{cvn:?}"
        );
    }
}

#[test]
fn forged_arpc_declined_issuer_and_bad_script_mac() {
    let (cvn, pan) = (Cvn::Mastercard16, "5413330089010434");
    let kernel = Kernel::new(TerminalConfig::demo());
    // A changed ARPC: the card does not authenticate the issuer and answers an AAC.
    let mut card = phone(profile(cvn, pan));
    let out = kernel.run(&mut card, &req(1_000)).unwrap();
    let auth = issuer::authorise(&keys(), cvn, pan, "01", &out.field55(), *b"00").unwrap();
    let mut f55 = auth.field55.clone();
    f55[3] ^= 0x01;
    let done = kernel
        .complete(
            &mut card,
            &out,
            &IssuerResponse {
                arc: *b"00",
                field55: &f55,
            },
        )
        .unwrap();
    assert!(!done.approved);
    assert_eq!(done.tvr[4] & 0x40, 0x40, "issuer authentication failed");
    // The issuer declines: AAC.
    let mut card = phone(profile(cvn, pan));
    let out = kernel.run(&mut card, &req(1_000)).unwrap();
    let auth = issuer::authorise(&keys(), cvn, pan, "01", &out.field55(), *b"05").unwrap();
    let done = kernel
        .complete(
            &mut card,
            &out,
            &IssuerResponse {
                arc: *b"05",
                field55: &auth.field55,
            },
        )
        .unwrap();
    assert!(!done.approved);
    // A script with a wrong MAC before the final GENERATE AC fails at its first command.
    let mut card = phone(profile(cvn, pan));
    let out = kernel.run(&mut card, &req(1_000)).unwrap();
    let auth = issuer::authorise(&keys(), cvn, pan, "01", &out.field55(), *b"00").unwrap();
    let ck = cvn.card_keys(&keys(), pan, "01").unwrap();
    let mut f55 = auth.field55.clone();
    f55.extend(script(
        0x71,
        [0, 0, 0, 1],
        &[script_command(cvn, &ck, &out, 0x1E, false)],
    ));
    let done = kernel
        .complete(
            &mut card,
            &out,
            &IssuerResponse {
                arc: *b"00",
                field55: &f55,
            },
        )
        .unwrap();
    assert!(done.approved);
    assert_eq!(done.script_results, [0x11, 0, 0, 0, 1]);
    assert_eq!(done.tvr[4] & 0x20, 0x20);
    // The card is not blocked: the next transaction goes through.
    assert!(kernel.run(&mut card, &req(1_000)).is_ok());
}

#[test]
fn offline_pin_verify_and_pin_change_by_script() {
    for (cvn, pan) in [
        (Cvn::Mastercard16, "5413330089010434"),
        (Cvn::Visa18, "4761739001010119"),
    ] {
        let kernel = Kernel::new(TerminalConfig::demo());
        let mut card = phone(profile(cvn, pan));
        let above_cvm_limit = req(50_000);
        let out = kernel
            .run_with_pin(&mut card, &above_cvm_limit, "1234")
            .unwrap();
        assert_eq!(out.cvm, Cvm::OfflinePlaintextPin);
        assert_eq!(out.tvr[2] & 0xA0, 0);
        assert_eq!(out.get(0x9F34).unwrap(), [0x01, 0x03, 0x02]);
        // The issuer changes the PIN to 9876 with a script after the final GENERATE AC.
        let auth = issuer::authorise(&keys(), cvn, pan, "01", &out.field55(), *b"00").unwrap();
        let ck = cvn.card_keys(&keys(), pan, "01").unwrap();
        let atc: [u8; 2] = out.get(0x9F36).unwrap().try_into().unwrap();
        let arqc: [u8; 8] = out.get(0x9F26).unwrap().try_into().unwrap();
        let change = cvn
            .profile()
            .pin_change_command(&ck, "9876", None, atc, arqc)
            .unwrap();
        let mut f55 = auth.field55.clone();
        f55.extend(script(0x72, [0, 0, 0, 2], &[change]));
        let done = kernel
            .complete(
                &mut card,
                &out,
                &IssuerResponse {
                    arc: *b"00",
                    field55: &f55,
                },
            )
            .unwrap();
        assert_eq!(
            done.script_results,
            [0x20, 0, 0, 0, 2],
            "{cvn:?}: {:?}",
            done.log
        );
        // The old PIN fails (TVR byte 3 bit 8), three wrong tries exceed the limit.
        let out = kernel
            .run_with_pin(&mut card, &above_cvm_limit, "1234")
            .unwrap();
        assert_eq!(out.tvr[2] & 0x80, 0x80, "{cvn:?}");
        assert_eq!(out.cvm, Cvm::Failed);
        assert_eq!(out.get(0x9F34).unwrap(), [0x01, 0x03, 0x01]);
        let out = kernel
            .run_with_pin(&mut card, &above_cvm_limit, "9876")
            .unwrap();
        assert_eq!(out.tvr[2] & 0xA0, 0, "the new PIN verifies");
        for _ in 0..3 {
            kernel
                .run_with_pin(&mut card, &above_cvm_limit, "0000")
                .unwrap();
        }
        let out = kernel
            .run_with_pin(&mut card, &above_cvm_limit, "9876")
            .unwrap();
        assert_eq!(out.tvr[2] & 0xA0, 0xA0, "try limit exceeded");
        assert_eq!(out.decision, Decision::OnlineRequest, "the issuer decides");
    }
    // Below the CVM limit no PIN is asked for; a quick-flow card cannot be completed.
    let kernel = Kernel::new(TerminalConfig::demo());
    let mut card = phone(CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &keys()).unwrap());
    let out = kernel.run_with_pin(&mut card, &req(100), "1234").unwrap();
    assert_eq!(out.cvm, Cvm::NoCvm);
    assert!(matches!(
        kernel.complete(
            &mut card,
            &out,
            &IssuerResponse {
                arc: *b"00",
                field55: &[]
            }
        ),
        Err(Error::DataElement { tag: 0x8D, .. })
    ));
}

#[test]
fn sm4_and_aes_cards_run_their_scripts_under_their_own_secure_messaging() {
    use mpay_emv::card::STANDARD_CDOL1;
    use mpay_emv::crypto::emv_aes::AesIssuerKeys;
    use mpay_emv::crypto::keys::{AesKey, Sm4Key};
    use mpay_emv::crypto::pboc::{PbocSm4, Sm4IssuerKeys};

    let sm4_keys = Sm4IssuerKeys::new(
        Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        Sm4Key::from_hex("00112233445566778899AABBCCDDEEFF").unwrap(),
        Sm4Key::from_hex("FFEEDDCCBBAA99887766554433221100").unwrap(),
    );
    let aes_keys = AesIssuerKeys::new(
        AesKey::from_hex("000102030405060708090A0B0C0D0E0F").unwrap(),
        AesKey::from_hex("101112131415161718191A1B1C1D1E1F2021222324252627").unwrap(),
        AesKey::from_hex("303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F")
            .unwrap(),
    );
    let uics_pan = "6228480000000000017";
    let aes_pan = "5413330089010434";
    let mut uics = CardProfile::pboc_sm4_demo(uics_pan, &sm4_keys).unwrap();
    uics.flow = GpoFlow::Standard;
    uics.cdol1 = [STANDARD_CDOL1, &[0xDF, 0x69, 0x01]].concat();
    let uics = uics.with_offline_pin("1234", false).unwrap();
    let aes = CardProfile::aes_demo(aes_pan, &aes_keys)
        .unwrap()
        .with_offline_pin("1234", false)
        .unwrap();
    let aes_profile = match &aes.cryptogram {
        mpay_emv::card::Cryptogram::Aes { profile, .. } => *profile,
        _ => unreachable!(),
    };
    let kernel = Kernel::new(TerminalConfig::demo());
    for (name, profile) in [("SM4", uics), ("AES", aes)] {
        let mut card = phone(profile);
        let out = kernel
            .run_with_pin(&mut card, &req(50_000), "1234")
            .unwrap();
        assert_eq!(out.cvm, Cvm::OfflinePlaintextPin, "{name}");
        assert_eq!(
            out.decision,
            Decision::OnlineRequest,
            "{name}: {:?}",
            out.log
        );
        let atc: [u8; 2] = out.get(0x9F36).unwrap().try_into().unwrap();
        let arqc: [u8; 8] = out.get(0x9F26).unwrap().try_into().unwrap();
        let header = [0x84, 0x1E, 0x00, 0x00, 0x08];
        let (auth, change, mut block_mac) = if name == "SM4" {
            let ck = PbocSm4::card_keys(&sm4_keys, uics_pan, "01").unwrap();
            (
                issuer::authorise_sm4(&sm4_keys, uics_pan, "01", &out.field55(), *b"00").unwrap(),
                PbocSm4::pin_change_command(&ck, "9876", None, atc, arqc).unwrap(),
                PbocSm4::script_mac(&ck, &header, atc, arqc, &[]),
            )
        } else {
            let ck = aes_profile.card_keys(&aes_keys, aes_pan, "01").unwrap();
            (
                issuer::authorise_aes(
                    &aes_keys,
                    aes_profile,
                    aes_pan,
                    "01",
                    &out.field55(),
                    *b"00",
                )
                .unwrap(),
                aes_profile
                    .pin_change_command(&ck, "9876", None, atc, arqc)
                    .unwrap(),
                aes_profile.script_mac(&ck, &header, atc, arqc, &[]),
            )
        };
        // A PIN change after the final GENERATE AC, and an APPLICATION BLOCK with a bad MAC.
        block_mac[7] ^= 1;
        let mut f55 = auth.field55.clone();
        f55.extend(script(0x72, [0, 0, 0, 7], &[change]));
        f55.extend(script(
            0x72,
            [0, 0, 0, 8],
            &[[&header[..], &block_mac].concat()],
        ));
        let done = kernel
            .complete(
                &mut card,
                &out,
                &IssuerResponse {
                    arc: *b"00",
                    field55: &f55,
                },
            )
            .unwrap();
        assert!(done.approved, "{name}: {:?}", done.log);
        assert_eq!(
            done.script_results,
            [0x20, 0, 0, 0, 7, 0x11, 0, 0, 0, 8],
            "{name}"
        );
        assert_eq!(
            done.tvr[4] & 0x10,
            0x10,
            "{name}: script failed after GENERATE AC"
        );
        // The new PIN verifies; the old one fails.
        let out = kernel
            .run_with_pin(&mut card, &req(50_000), "9876")
            .unwrap();
        assert_eq!(out.cvm, Cvm::OfflinePlaintextPin, "{name}: {:?}", out.log);
        let out = kernel
            .run_with_pin(&mut card, &req(50_000), "1234")
            .unwrap();
        assert_eq!(out.cvm, Cvm::Failed, "{name}");
    }
}
