//! The standard (EMV mode) flow between the kernel and the card: SDA, the CVM list with
//! offline plaintext and enciphered PIN, terminal risk management (random selection,
//! velocity), terminal action analysis with TACs and IACs, card risk management with offline
//! approvals, and completion when the terminal cannot go online. Quick-flow offline
//! approvals with fDDA too.

mod common;

use mpay_apdu::{Application, Card, Command, Response, Router, Target};
use mpay_emv::card::{
    CardProfile, ContactlessCard, GpoFlow, OfflineLimits, Ppse, STANDARD_CDOL1, phone_router,
};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::cvm::{Condition, CvRule, CvmList, Method};
use mpay_emv::kernel::{
    ActionCodes, CaKey, CaPublicKey, Cvm, Decision, IssuerResponse, Kernel, Oda, OdaMethod,
    Outcome, RandomSelection, TerminalConfig, TransactionRequest,
};
use mpay_emv::oda::{self, RsaPrivateKey};
use mpay_emv::{Error, issuer};
use mpay_gmt::sm2::PrivateKey;

const MC_PAN: &str = "5413330089010434";
const VISA_PAN: &str = "4761739001010119";
const MC_RID: [u8; 5] = [0xA0, 0, 0, 0, 0x04];
const VISA_RID: [u8; 5] = [0xA0, 0, 0, 0, 0x03];

fn keys() -> IssuerKeys {
    IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap())
}

fn req(amount: u64, un: u8) -> TransactionRequest {
    TransactionRequest {
        amount,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [un, 0x1B, 0x2C, un],
    }
}

fn phone(p: CardProfile) -> Card<Router> {
    Card::new(phone_router(vec![p]))
}

/// The RSA CA, issuer and ICC keys, and the issuer certificate for `pan`.
fn rsa_chain(
    pan: &str,
) -> (
    RsaPrivateKey,
    RsaPrivateKey,
    RsaPrivateKey,
    (Vec<u8>, Vec<u8>),
) {
    let k = common::rsa_test_keys();
    let mut iid = [0xFF; 4];
    iid[..3].copy_from_slice(&hex::decode(&pan[..6]).unwrap());
    let c90 =
        oda::sign_issuer_certificate(&k[0], k[1].public(), iid, [0x12, 0x30], [0, 0, 3]).unwrap();
    (k[0].clone(), k[1].clone(), k[2].clone(), c90)
}

fn terminal(ca: &RsaPrivateKey, rid: [u8; 5]) -> TerminalConfig {
    TerminalConfig {
        ca_keys: vec![CaKey {
            rid,
            index: 0x92,
            key: CaPublicKey::Rsa(ca.public().clone()),
        }],
        ..TerminalConfig::demo()
    }
}

/// Issuer action codes that keep a clean offline transaction offline: online on failed ODA,
/// expiry, failed cardholder verification and any velocity or floor limit bit; decline when
/// unable to go online past the upper consecutive limit.
const IAC: ActionCodes = ActionCodes {
    denial: [0; 5],
    online: [0xDC, 0x40, 0x80, 0xF0, 0x00],
    default: [0xDC, 0x40, 0x80, 0x20, 0x00],
};

/// A Mastercard CVN 16 standard-flow card with DDA (no CDA), IACs and offline limits (or
/// none: an online-only card).
fn offline_card(limits: impl Into<Option<OfflineLimits>>) -> (TerminalConfig, CardProfile) {
    let (ca, iss, icc, c90) = rsa_chain(MC_PAN);
    let mut p = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys()).unwrap();
    p.aip[0] &= !0x01;
    p.iac = Some(IAC);
    p.offline_limits = limits.into();
    let p = p.with_rsa_oda(0x92, c90, &iss, icc).unwrap();
    let mut t = terminal(&ca, MC_RID);
    t.floor_limit = 10_000;
    (t, p)
}

fn issuer_approves(out: &Outcome) -> Vec<u8> {
    issuer::authorise(
        &keys(),
        Cvn::Mastercard16,
        MC_PAN,
        "01",
        &out.field55(),
        *b"00",
    )
    .unwrap()
    .field55
}

#[test]
fn offline_approvals_within_the_lower_limit_then_online_resets_the_counters() {
    let (config, p) = offline_card(OfflineLimits {
        lower_consecutive: 2,
        upper_consecutive: 4,
        cumulative_amount: 100_000,
    });
    let kernel = Kernel::new(config);
    let mut card = phone(p);
    for (i, expect) in [
        Decision::ApprovedOffline,
        Decision::ApprovedOffline,
        Decision::OnlineRequest,
    ]
    .into_iter()
    .enumerate()
    {
        let out = kernel.run(&mut card, &req(2_500, i as u8)).unwrap();
        assert_eq!(out.decision, expect, "transaction {i}: {:?}", out.log);
        assert_eq!(
            out.oda,
            Oda::Passed {
                method: OdaMethod::Dda,
                sm2: false
            }
        );
        assert_eq!(out.cvm, Cvm::NoCvm);
        assert_eq!(out.tvr[1] & 0x08, 0x08, "a card never online is new");
        // ODA, cardholder verification, card and terminal risk management performed.
        assert_eq!(out.tsi, [0xE8, 0x00]);
        assert_eq!(out.get(0x9B), Some(&[0xE8, 0x00][..]));
        // The TC (or ARQC) verifies at the issuer, as clearing would check it.
        issuer_approves(&out);
        if expect == Decision::OnlineRequest {
            assert_eq!(out.tvr[3] & 0x40, 0x40, "lower consecutive offline limit");
            assert!(out.log.iter().any(|l| l.contains("→ ARQC")));
            let done = kernel
                .complete(
                    &mut card,
                    &out,
                    &IssuerResponse {
                        arc: *b"00",
                        field55: &issuer_approves(&out),
                    },
                )
                .unwrap();
            assert!(done.approved);
            assert_eq!(done.tsi[0] & 0x10, 0x10, "issuer authentication performed");
        } else {
            assert_eq!(out.get(0x9F27), Some(&[0x40][..]));
            assert!(out.log.iter().any(|l| l.contains("→ TC")), "{:?}", out.log);
        }
    }
    // Online and authenticated: the card is no longer new and may go offline again.
    let out = kernel.run(&mut card, &req(2_500, 9)).unwrap();
    assert_eq!(out.decision, Decision::ApprovedOffline, "{:?}", out.log);
    assert_eq!(out.tvr[1] & 0x08, 0);
    assert_eq!(out.tvr[3], 0);
}

#[test]
fn the_card_goes_online_past_its_cumulative_limit_and_over_the_floor_limit() {
    let (config, p) = offline_card(OfflineLimits {
        lower_consecutive: 5,
        upper_consecutive: 9,
        cumulative_amount: 4_000,
    });
    let kernel = Kernel::new(config);
    let mut card = phone(p);
    let first = kernel.run(&mut card, &req(2_500, 1)).unwrap();
    assert_eq!(first.decision, Decision::ApprovedOffline);
    // The terminal asks for a TC again; card risk management answers an ARQC.
    let second = kernel.run(&mut card, &req(2_500, 2)).unwrap();
    assert!(second.log.iter().any(|l| l.contains("→ TC")));
    assert_eq!(second.get(0x9F27), Some(&[0x80][..]));
    assert_eq!(second.decision, Decision::OnlineRequest);
    // Over the floor limit the terminal itself goes online (TVR byte 4 bit 8).
    let big = kernel.run(&mut card, &req(20_000, 3)).unwrap();
    assert_eq!(big.tvr[3] & 0x80, 0x80);
    assert!(big.log.iter().any(|l| l.contains("→ ARQC")));
}

#[test]
fn unable_to_go_online_the_default_codes_and_the_upper_limit_decide() {
    let (config, p) = offline_card(OfflineLimits {
        lower_consecutive: 1,
        upper_consecutive: 2,
        cumulative_amount: 100_000,
    });
    let kernel = Kernel::new(config);
    let mut card = phone(p);
    assert_eq!(
        kernel.run(&mut card, &req(1_000, 1)).unwrap().decision,
        Decision::ApprovedOffline
    );
    // Past the lower limit: online requested, but the switch is down. LCOL is not in the
    // default codes: ARC Y3, and the card is still within its upper limit.
    let out = kernel.run(&mut card, &req(1_000, 2)).unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest);
    let done = kernel.complete_unable_online(&mut card, &out).unwrap();
    assert!(done.approved, "{:?}", done.log);
    assert_eq!(done.cid & 0xC0, 0x40);
    assert!(done.log[0].contains("ARC Y3"));
    // Past the upper limit: UCOL is in the default codes: ARC Z3, AAC.
    let out = kernel.run(&mut card, &req(1_000, 3)).unwrap();
    assert_eq!(out.tvr[3] & 0x60, 0x60);
    let done = kernel.complete_unable_online(&mut card, &out).unwrap();
    assert!(!done.approved);
    assert_eq!(done.cid & 0xC0, 0x00);
    assert!(done.log[0].contains("ARC Z3"));
    // A transaction that did not go online cannot be completed.
    let (config, p) = offline_card(OfflineLimits {
        lower_consecutive: 3,
        upper_consecutive: 3,
        cumulative_amount: 100_000,
    });
    let mut card = phone(p);
    let kernel = Kernel::new(config);
    let out = kernel.run(&mut card, &req(1_000, 4)).unwrap();
    assert_eq!(out.decision, Decision::ApprovedOffline);
    assert!(matches!(
        kernel.complete_unable_online(&mut card, &out),
        Err(Error::Parameter { .. })
    ));
}

#[test]
fn an_online_only_card_and_an_offline_only_terminal() {
    // Without offline limits the card answers every TC request with an ARQC.
    let (config, p) = offline_card(None);
    let kernel = Kernel::new(config.clone());
    let out = kernel.run(&mut phone(p.clone()), &req(1_000, 1)).unwrap();
    assert!(out.log.iter().any(|l| l.contains("→ TC")), "{:?}", out.log);
    assert_eq!(out.decision, Decision::OnlineRequest);
    // An offline-only terminal (type 23) uses the default codes at once; the ARQC it still
    // gets is completed as "unable to go online".
    let offline_terminal = Kernel::new(TerminalConfig {
        terminal_type: 0x23,
        ..config
    });
    let mut card = phone(p);
    let out = offline_terminal.run(&mut card, &req(1_000, 2)).unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest);
    let done = offline_terminal
        .complete_unable_online(&mut card, &out)
        .unwrap();
    assert!(!done.approved, "the card has no offline limits");
}

#[test]
fn random_selection_sends_a_transaction_under_the_floor_limit_online() {
    let (mut config, p) = offline_card(OfflineLimits {
        lower_consecutive: 9,
        upper_consecutive: 9,
        cumulative_amount: 100_000,
    });
    config.random_selection = Some(RandomSelection {
        threshold: 0,
        target_percent: 99,
        max_target_percent: 99,
    });
    let out = Kernel::new(config.clone())
        .run(&mut phone(p.clone()), &req(1_000, 1))
        .unwrap();
    assert_eq!(out.tvr[3] & 0x10, 0x10);
    assert_eq!(out.decision, Decision::OnlineRequest);
    config.random_selection = Some(RandomSelection {
        threshold: 20_000,
        target_percent: 0,
        max_target_percent: 0,
    });
    let out = Kernel::new(config)
        .run(&mut phone(p), &req(1_000, 1))
        .unwrap();
    assert_eq!(out.tvr[3] & 0x10, 0);
    assert_eq!(out.decision, Decision::ApprovedOffline);
}

#[test]
fn rsa_and_sm2_sda() {
    let (ca, iss, _, c90) = rsa_chain(MC_PAN);
    let mut p = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys()).unwrap();
    p.aip[0] &= !0x21; // no DDA, no CDA
    let p = p.with_rsa_sda(0x92, c90, &iss, [0xDA, 0xC1]).unwrap();
    let config = terminal(&ca, MC_RID);
    let out = Kernel::new(config.clone())
        .run(&mut phone(p.clone()), &req(1_000, 1))
        .unwrap();
    assert_eq!(
        out.oda,
        Oda::Passed {
            method: OdaMethod::Sda,
            sm2: false
        },
        "{:?}",
        out.log
    );
    assert_eq!(out.tvr[0] & 0xE2, 0x02, "SDA selected, not failed");
    assert_eq!(out.get(0x9F45), Some(&[0xDA, 0xC1][..]));
    // Signed data changed after signing: SDA failed.
    let mut changed = p.clone();
    changed.expiry = [0x29, 0x12, 0x31];
    let out = Kernel::new(config.clone())
        .run(&mut phone(changed), &req(1_000, 1))
        .unwrap();
    assert!(matches!(
        out.oda,
        Oda::Failed {
            method: OdaMethod::Sda,
            ..
        }
    ));
    assert_eq!(out.tvr[0] & 0x42, 0x42);
    // 93 missing: SDA failed and ICC data missing.
    let mut bare = p;
    bare.sda.as_mut().unwrap().ssad.clear();
    let out = Kernel::new(config).run(&mut phone(bare), &req(1_000, 1));
    // An empty 93 is still present: the signature check fails (not "missing").
    let out = out.unwrap();
    assert_eq!(out.tvr[0] & 0x60, 0x40);

    // SM2: an SM2 CA, issuer certificate and signed static data (format 13).
    let sm2_ca = PrivateKey::from_bytes(&[0x31; 32]).unwrap();
    let sm2_iss = PrivateKey::from_bytes(&[0x32; 32]).unwrap();
    let c90 = oda::sm2::sign_issuer_certificate(
        &sm2_ca,
        &sm2_iss.public_key(),
        [0x54, 0x13, 0x33, 0xFF],
        [0x12, 0x30],
        [0, 0, 7],
    )
    .unwrap();
    let mut p = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys()).unwrap();
    p.aip[0] &= !0x21;
    let p = p.with_sm2_sda(0x05, c90, &sm2_iss, [0x5D, 0xA2]).unwrap();
    let config = TerminalConfig {
        ca_keys: vec![CaKey {
            rid: MC_RID,
            index: 0x05,
            key: CaPublicKey::Sm2(sm2_ca.public_key()),
        }],
        ..TerminalConfig::demo()
    };
    let out = Kernel::new(config)
        .run(&mut phone(p), &req(1_000, 1))
        .unwrap();
    assert_eq!(
        out.oda,
        Oda::Passed {
            method: OdaMethod::Sda,
            sm2: true
        },
        "{:?}",
        out.log
    );
    assert_eq!(out.get(0x9F45), Some(&[0x5D, 0xA2][..]));
}

#[test]
fn offline_enciphered_pin_under_the_icc_key() {
    let (ca, iss, icc, c90) = rsa_chain(MC_PAN);
    // A CDA card: the kernel recovers the ICC key for the PIN before GENERATE AC.
    let p = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys())
        .unwrap()
        .with_offline_pin("2468", true)
        .unwrap()
        .with_rsa_oda(0x92, c90, &iss, icc)
        .unwrap();
    let config = terminal(&ca, MC_RID);
    let kernel = Kernel::new(config.clone());
    let mut card = phone(p.clone());
    let out = kernel
        .run_with_pin(&mut card, &req(50_000, 1), "2468")
        .unwrap();
    assert_eq!(out.cvm, Cvm::OfflineEncipheredPin, "{:?}", out.log);
    assert_eq!(out.get(0x9F34), Some(&[0x04, 0x03, 0x02][..]));
    assert_eq!(
        out.oda,
        Oda::Passed {
            method: OdaMethod::Cda,
            sm2: false
        }
    );
    assert_eq!(out.tsi[0] & 0x40, 0x40, "cardholder verification performed");
    let out = kernel
        .run_with_pin(&mut card, &req(50_000, 2), "1111")
        .unwrap();
    assert_eq!(out.cvm, Cvm::Failed);
    assert_eq!(out.get(0x9F34), Some(&[0x04, 0x03, 0x01][..]));
    assert_eq!(out.tvr[2] & 0x80, 0x80);
    assert!(
        out.log.iter().any(|l| l.contains("2 tries left")),
        "{:?}",
        out.log
    );
    // A terminal without offline enciphered PIN (9F33 byte 2 bit 5) uses the plaintext rule.
    let mut plain = config.clone();
    plain.capabilities[1] &= !0x10;
    let out = Kernel::new(plain)
        .run_with_pin(&mut card, &req(50_000, 3), "2468")
        .unwrap();
    assert_eq!(out.cvm, Cvm::OfflinePlaintextPin, "{:?}", out.log);
    assert_eq!(out.get(0x9F34), Some(&[0x01, 0x03, 0x02][..]));
    // Without CA keys the terminal cannot find the key to encipher under: the rule fails and
    // the list says not to go on.
    let out = Kernel::new(TerminalConfig::demo())
        .run_with_pin(&mut phone(p), &req(50_000, 4), "2468")
        .unwrap();
    assert_eq!(out.cvm, Cvm::Failed);
    assert!(out.log.iter().any(|l| l.contains("no key to encipher")));
}

#[test]
fn cvm_list_rules_conditions_and_bypass() {
    let base = || CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys()).unwrap();
    let kernel = Kernel::new(TerminalConfig::demo());
    // No PIN entered above the CVM limit: online PIN bypassed (TVR byte 3 bit 4), signature.
    let out = kernel.run(&mut phone(base()), &req(50_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::Signature, "{:?}", out.log);
    assert_eq!(out.tvr[2], 0x08);
    assert_eq!(out.get(0x9F34), Some(&[0x5E, 0x03, 0x00][..]));
    // With the PIN: online PIN (TVR byte 3 bit 3 "online PIN entered").
    let out = kernel
        .run_with_pin(&mut phone(base()), &req(50_000, 1), "1234")
        .unwrap();
    assert_eq!(out.cvm, Cvm::OnlinePin);
    assert_eq!(out.tvr[2], 0x04);
    // Up to the CVM required limit only "no CVM" is offered.
    let out = kernel.run(&mut phone(base()), &req(30_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::NoCvm);
    assert_eq!(out.get(0x9F34), Some(&[0x1F, 0x03, 0x02][..]));

    // Amount conditions in the application currency, an unrecognised method, and "fail".
    let list = CvmList::new(
        10_000,
        0,
        vec![
            CvRule::new(Method::Other(0x15), Condition::Always, true),
            CvRule::new(Method::Signature, Condition::UnderX, false),
            CvRule::new(Method::EncipheredPinOnline, Condition::OverX, false),
            CvRule::new(Method::Fail, Condition::Always, false),
        ],
    );
    let mut p = base();
    p.cvm_list = list.to_bytes();
    let mut all_cvms = TerminalConfig::demo();
    all_cvms.cvm_required_limit = 0;
    let kernel = Kernel::new(all_cvms);
    let out = kernel.run(&mut phone(p.clone()), &req(5_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::Signature);
    assert_eq!(out.tvr[2], 0x40, "unrecognised CVM");
    let out = kernel
        .run_with_pin(&mut phone(p.clone()), &req(50_000, 1), "1234")
        .unwrap();
    assert_eq!(out.cvm, Cvm::OnlinePin);
    // In another application currency the amount conditions never hold: "fail CVM".
    p.currency = [0x08, 0x40];
    let out = kernel.run(&mut phone(p.clone()), &req(5_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::Failed);
    assert_eq!(out.get(0x9F34), Some(&[0x00, 0x00, 0x01][..]));
    assert_eq!(out.tvr[2] & 0x80, 0x80);
    // No CVM list although the AIP announces cardholder verification: ICC data missing.
    p.cvm_list.clear();
    let out = kernel.run(&mut phone(p.clone()), &req(5_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::NotPerformed);
    assert_eq!(out.tvr[0] & 0x20, 0x20);
    assert_eq!(out.get(0x9F34), Some(&[0x3F, 0x00, 0x00][..]));
    // A card without cardholder verification in its AIP: not performed, and not missing.
    p.aip[0] &= !0x10;
    let out = kernel.run(&mut phone(p), &req(5_000, 1)).unwrap();
    assert_eq!(out.cvm, Cvm::NotPerformed);
    assert_eq!(out.tvr[0] & 0x20, 0);
    assert_eq!(out.tsi[0] & 0x40, 0);
}

#[test]
fn application_usage_control_and_a_card_that_answers_above_what_was_asked() {
    // A domestic-only card (AUC AB00) abroad: service not allowed, TAC-Denial declines.
    let mut p = CardProfile::visa_demo(MC_PAN, Cvn::Mastercard16, &keys()).unwrap();
    p.usage_control = [0xAB, 0x00];
    let abroad = Kernel::new(TerminalConfig {
        country: [0x08, 0x40],
        ..TerminalConfig::demo()
    });
    let out = abroad.run(&mut phone(p.clone()), &req(1_000, 1)).unwrap();
    assert_eq!(out.tvr[1] & 0x10, 0x10);
    assert_eq!(out.decision, Decision::Declined);
    let home = Kernel::new(TerminalConfig::demo());
    let out = home.run(&mut phone(p.clone()), &req(1_000, 1)).unwrap();
    assert_eq!(out.tvr[1] & 0x10, 0);
    assert_eq!(out.decision, Decision::OnlineRequest);

    // A card answering a TC to an AAC request ends the transaction with an error.
    let mut router = Router::new();
    router.add_exact(Ppse::AID, Target::Host, Ppse::new(vec![p.ppse_entry()]));
    let aid = p.aid.clone();
    router.add_exact(&aid, Target::Host, UpgradeCid(ContactlessCard::new(p)));
    let err = abroad
        .run(&mut Card::new(router), &req(1_000, 1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Malformed {
                what: "GENERATE AC",
                ..
            }
        ),
        "{err:?}"
    );
}

/// Answers every GENERATE AC with CID 40 (TC), whatever was asked.
struct UpgradeCid(ContactlessCard);
impl Application for UpgradeCid {
    fn select(&mut self, aid: &[u8], c: &Command<'_>) -> Response {
        self.0.select(aid, c)
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        let r = self.0.process(c);
        if c.ins() != 0xAE || !r.sw.is_success() {
            return r;
        }
        let mut data = r.data.clone();
        // 77 L 9F27 01 CID …
        if data.len() > 5 && data[2..5] == [0x9F, 0x27, 0x01] {
            data[5] = 0x40;
        }
        Response::new(data, r.sw)
    }
}

#[test]
fn quick_flow_offline_approval_needs_fdda() {
    let (ca, iss, icc, c90) = rsa_chain(VISA_PAN);
    let mut p = CardProfile::visa_demo(VISA_PAN, Cvn::Visa18, &keys()).unwrap();
    p.offline_limits = Some(OfflineLimits {
        lower_consecutive: 1,
        upper_consecutive: 1,
        cumulative_amount: 50_000,
    });
    let p = p.with_rsa_oda(0x92, c90, &iss, icc).unwrap();
    let mut config = terminal(&ca, VISA_RID);
    config.floor_limit = 10_000;
    let kernel = Kernel::new(config.clone());
    let mut card = phone(p.clone());
    let out = kernel.run(&mut card, &req(2_000, 1)).unwrap();
    assert_eq!(out.decision, Decision::ApprovedOffline, "{:?}", out.log);
    assert_eq!(
        out.oda,
        Oda::Passed {
            method: OdaMethod::Fdda,
            sm2: false
        }
    );
    issuer::authorise(&keys(), Cvn::Visa18, VISA_PAN, "01", &out.field55(), *b"00").unwrap();
    // Past its lower limit the card goes online.
    let out = kernel.run(&mut card, &req(2_000, 2)).unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest);
    // Over the floor limit the TTQ requires an online cryptogram.
    let out = kernel.run(&mut phone(p.clone()), &req(20_000, 3)).unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest);
    // An offline-only reader: a card that may not approve offline declines (AAC).
    let offline_reader = Kernel::new(TerminalConfig {
        terminal_type: 0x23,
        ..config.clone()
    });
    let out = offline_reader.run(&mut card, &req(2_000, 4)).unwrap();
    assert_eq!(out.get(0x9F27), Some(&[0x00][..]));
    assert_eq!(out.decision, Decision::Declined);
    // A terminal without the CA key cannot verify fDDA: the TC is not accepted.
    let out = Kernel::new(TerminalConfig {
        floor_limit: 10_000,
        ..TerminalConfig::demo()
    })
    .run(&mut phone(p), &req(2_000, 5))
    .unwrap();
    assert_eq!(out.get(0x9F27), Some(&[0x40][..]));
    assert!(matches!(out.oda, Oda::Failed { .. }), "{:?}", out.oda);
    assert_eq!(out.decision, Decision::Declined);
}

#[test]
fn a_national_algorithm_card_in_the_standard_flow_uses_df69_in_cdol1() {
    // The UICS SM4 card switched to the standard flow keeps asking for DF69 in CDOL1.
    let keys = mpay_emv::crypto::pboc::Sm4IssuerKeys::single(
        mpay_emv::crypto::keys::Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
    );
    let mut p = CardProfile::pboc_sm4_demo("6228480000000000017", &keys).unwrap();
    p.flow = GpoFlow::Standard;
    p.cdol1 = [STANDARD_CDOL1, &[0xDF, 0x69, 0x01]].concat();
    p.cvm_list = mpay_emv::card::ONLINE_PIN_CVM_LIST.to_vec();
    let out = Kernel::new(TerminalConfig::demo())
        .run(&mut phone(p), &req(1_000, 1))
        .unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest, "{:?}", out.log);
    issuer::authorise_sm4(&keys, "6228480000000000017", "01", &out.field55(), *b"00").unwrap();
}
