//! The terminal kernel and the card application run complete contactless transactions against
//! each other through the `apdu` router, and the issuer verifies the result.

use mpay_apdu::{Application, Card, Command, Response, Router, StatusWord, Target};
use mpay_emv::card::{CardProfile, ContactlessCard, Ppse, PpseEntry};
use mpay_emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::kernel::{Cvm, Decision, Kernel, TerminalConfig, TransactionRequest};
use mpay_emv::{Error, issuer};
use proptest::prelude::*;

fn keys() -> IssuerKeys {
    IssuerKeys::new(
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        TdesKey::from_hex("FEDCBA98765432100123456789ABCDEF").unwrap(),
        TdesKey::from_hex("89ABCDEF0123456776543210FEDCBA98").unwrap(),
    )
}

fn phone(profiles: Vec<CardProfile>) -> Card<Router> {
    let mut router = Router::new();
    router.add_exact(
        Ppse::AID,
        Target::Host,
        Ppse::new(profiles.iter().map(CardProfile::ppse_entry).collect()),
    );
    for p in profiles {
        let aid = p.aid.clone();
        router.add_exact(&aid, Target::Host, ContactlessCard::new(p));
    }
    Card::new(router)
}

fn req(amount: u64) -> TransactionRequest {
    TransactionRequest {
        amount,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [0x11, 0x22, 0x33, 0x44],
    }
}

#[test]
fn every_cvn_goes_online_and_verifies_at_the_issuer() {
    for cvn in [
        Cvn::Visa10,
        Cvn::Visa18,
        Cvn::Visa22,
        Cvn::Mastercard16,
        Cvn::Mastercard17,
        Cvn::Mastercard20,
        Cvn::Mastercard21,
    ] {
        let profile = CardProfile::visa_demo("4761739001010119", cvn, &keys()).unwrap();
        let mut card = phone(vec![profile]);
        let kernel = Kernel::new(TerminalConfig::demo());
        for atc in 1..=3u16 {
            let out = kernel.run(&mut card, &req(1_234)).unwrap();
            assert_eq!(out.decision, Decision::OnlineRequest, "{cvn:?}");
            assert_eq!(out.pan().unwrap(), "4761739001010119");
            assert!(!format!("{out:?}").contains("4761739001010119"));
            let f55 = out.field55();
            let auth = issuer::authorise(&keys(), cvn, &out.pan().unwrap(), "01", &f55, *b"00")
                .unwrap_or_else(|e| panic!("{cvn:?}: {e}"));
            assert_eq!(auth.atc, atc);
            assert!(auth.field55.starts_with(&[0x91]));
            // Tampering with the amount breaks the cryptogram.
            let mut bad = f55.clone();
            let pos = bad.windows(2).position(|w| w == [0x9F, 0x02]).unwrap();
            bad[pos + 3 + 5] ^= 0x01;
            assert!(matches!(
                issuer::authorise(&keys(), cvn, "4761739001010119", "01", &bad, *b"00"),
                Err(Error::Verification { .. })
            ));
        }
    }
}

/// An application that is blocked (SELECT answers 6A81) or refuses GPO (6985).
struct Refusing(StatusWord, bool);
impl Application for Refusing {
    fn select(&mut self, aid: &[u8], _c: &Command<'_>) -> Response {
        if self.1 {
            let mut fci = vec![0x6F, (aid.len() + 2) as u8, 0x84, aid.len() as u8];
            fci.extend_from_slice(aid);
            Response::ok(fci)
        } else {
            self.0.into()
        }
    }
    fn process(&mut self, _c: &Command<'_>) -> Response {
        self.0.into()
    }
}

#[test]
fn falls_back_to_the_next_application() {
    for (sw, selectable) in [
        (StatusWord::FUNCTION_NOT_SUPPORTED, false),
        (StatusWord::FILE_DEACTIVATED, false),
        (StatusWord::CONDITIONS_NOT_SATISFIED, true),
    ] {
        let good = CardProfile::visa_demo("5413330089010434", Cvn::Mastercard16, &keys()).unwrap();
        let blocked_aid = vec![0xA0, 0, 0, 0, 0x03, 0x10, 0x10];
        let mut router = Router::new();
        router.add_exact(
            Ppse::AID,
            Target::Host,
            Ppse::new(vec![
                PpseEntry {
                    aid: blocked_aid.clone(),
                    label: "BLOCKED".into(),
                    priority: 1,
                    kernel_id: None,
                },
                PpseEntry {
                    priority: 2,
                    ..good.ppse_entry()
                },
            ]),
        );
        router.add_exact(&blocked_aid, Target::Host, Refusing(sw, selectable));
        let aid = good.aid.clone();
        router.add_exact(&aid, Target::Host, ContactlessCard::new(good));
        let mut card = Card::new(router);
        let out = Kernel::new(TerminalConfig::demo())
            .run(&mut card, &req(500))
            .unwrap();
        assert_eq!(out.aid, aid, "{sw}");
        assert!(out.log.iter().any(|l| l.contains("next candidate")));
    }
}

#[test]
fn cvm_limits_and_expiry() {
    let kernel = Kernel::new(TerminalConfig::demo());
    let mut p = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &keys()).unwrap();
    p.ctq = [0x00, 0x80]; // the phone verified the cardholder
    let out = kernel
        .run(&mut phone(vec![p.clone()]), &req(50_000))
        .unwrap();
    assert_eq!(out.cvm, Cvm::ConsumerDevice);
    p.ctq = [0x80, 0x00];
    let out = kernel
        .run(&mut phone(vec![p.clone()]), &req(50_000))
        .unwrap();
    assert_eq!(out.cvm, Cvm::OnlinePin);
    assert_eq!(
        kernel
            .run(&mut phone(vec![p.clone()]), &req(500_000))
            .unwrap_err(),
        Error::Declined {
            why: "amount exceeds the contactless transaction limit"
        }
    );
    // An expired standard-flow card: the demo TAC-Online sends it to the issuer with the
    // TVR bit set; a terminal whose TAC-Denial names "expired application" asks for an AAC.
    let mut mc = CardProfile::visa_demo("5413330089010434", Cvn::Mastercard16, &keys()).unwrap();
    mc.expiry = [0x25, 0x01, 0x31];
    let out = kernel.run(&mut phone(vec![mc.clone()]), &req(100)).unwrap();
    assert_eq!(out.decision, Decision::OnlineRequest);
    assert_eq!(out.tvr[1] & 0x40, 0x40);
    let mut strict = TerminalConfig::demo();
    strict.tac.denial[1] |= 0x40;
    let out = Kernel::new(strict)
        .run(&mut phone(vec![mc]), &req(100))
        .unwrap();
    assert_eq!(out.decision, Decision::Declined);
    assert_eq!(out.get(0x9F27), Some(&[0x00][..]));
    assert!(out.log.iter().any(|l| l.contains("→ AAC")), "{:?}", out.log);
}

#[test]
fn unsupported_or_missing_applications() {
    let kernel = Kernel::new(TerminalConfig {
        supported_aids: vec![vec![0xA0, 0, 0, 0x99]],
        ..TerminalConfig::demo()
    });
    let p = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &keys()).unwrap();
    assert_eq!(
        kernel.run(&mut phone(vec![p]), &req(1)).unwrap_err(),
        Error::NoApplication
    );
    let mut empty = Card::new(Router::new());
    assert_eq!(
        Kernel::new(TerminalConfig::demo())
            .run(&mut empty, &req(1))
            .unwrap_err(),
        Error::NoApplication
    );
}

/// A card application that answers every command with arbitrary bytes.
struct Garbage(Vec<Vec<u8>>, usize);
impl Application for Garbage {
    fn select(&mut self, _aid: &[u8], c: &Command<'_>) -> Response {
        self.process(c)
    }
    fn process(&mut self, _c: &Command<'_>) -> Response {
        let r = self.0.get(self.1).cloned().unwrap_or_default();
        self.1 += 1;
        if r.len() >= 2 {
            let sw = StatusWord::new(r[r.len() - 2], r[r.len() - 1]);
            Response::new(r[..r.len() - 2].to_vec(), sw)
        } else {
            StatusWord::SUCCESS.into()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn a_garbage_card_never_panics_the_kernel(answers in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..12)) {
        let mut router = Router::new();
        router.add_prefix(&[], Target::Host, Garbage(answers, 0));
        let mut card = Card::new(router);
        let _ = Kernel::new(TerminalConfig::demo()).run(&mut card, &req(100));
    }

    #[test]
    fn a_mangled_real_card_never_panics_the_kernel(flip in any::<prop::sample::Index>(), byte in any::<u8>(), which in 0usize..6) {
        // Record a real exchange, then corrupt one response and replay everything.
        let p = CardProfile::visa_demo("5413330089010434", Cvn::Mastercard16, &keys()).unwrap();
        let mut good = phone(vec![p]);
        let mut answers = Vec::new();
        for cmd in [
            mpay_apdu::CommandBuf::select_aid(Ppse::AID),
            mpay_apdu::CommandBuf::select_aid(&[0xA0, 0, 0, 0, 0x04, 0x10, 0x10]),
            mpay_apdu::CommandBuf::new(0x80, 0xA8, 0, 0).data(vec![0x83, 0x04, 0x36, 0, 0x40, 0]).le(256),
            mpay_apdu::CommandBuf::new(0x00, 0xB2, 1, 0x0C).le(256),
            mpay_apdu::CommandBuf::new(0x00, 0xB2, 2, 0x0C).le(256),
        ] {
            let r = good.send(&cmd).unwrap();
            answers.push(r.into_bytes());
        }
        let a = &mut answers[which.min(4)];
        let i = flip.index(a.len());
        a[i] = byte;
        let mut router = Router::new();
        router.add_prefix(&[], Target::Host, Garbage(answers, 0));
        let _ = Kernel::new(TerminalConfig::demo()).run(&mut Card::new(router), &req(100));
    }
}
