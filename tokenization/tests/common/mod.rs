//! Shared setup of the payment-token (TSP) tests: the same requestors and keys over any store,
//! and the restart scenario every persistent store must pass.
#![allow(dead_code)]

use mpay_tokenization::Error;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::payment::*;
use mpay_tokenization::vault::DataKey;

pub const WALLET: &str = "40010030273";
pub const SHOP: &str = "40010075001";

/// The PAN of the tests.
pub fn pan() -> Pan {
    Pan::parse("4111111111111111").unwrap()
}

/// A TSP over `store` with the tests' keys (data key version 1 = `data`).
pub fn tsp_with<S: TspStore>(store: S, data: [u8; 32]) -> Tsp<S> {
    Tsp::with_store("V001", [7; 32], [8; 32], (1, DataKey::aes256(data)), store).unwrap()
}

/// Registers the wallet (range 48950000–48950099) and the card-on-file shop (489600).
pub fn register<S: TspStore>(t: &Tsp<S>) {
    for (id, name, low, high) in [
        (WALLET, "Wallet", "48950000", "48950099"),
        (SHOP, "Shop COF", "489600", "489600"),
    ] {
        let range = TokenBinRange::new(low, high, 16).unwrap();
        t.register_requestor(TokenRequestor::new(id, name, range).unwrap())
            .unwrap();
    }
}

/// Issues a token of the test PAN to `trid` after `idv`, usable on `channels`.
pub fn issue<S: TspStore>(
    t: &Tsp<S>,
    trid: &str,
    idv: IdvMethod,
    channels: &[Channel],
) -> IssuedToken {
    issue_with(t, trid, idv, DomainControls::new(channels.to_vec()))
}

/// As [`issue`] with full domain controls.
pub fn issue_with<S: TspStore>(
    t: &Tsp<S>,
    trid: &str,
    idv: IdvMethod,
    domain: DomainControls,
) -> IssuedToken {
    t.request_token(trid, &pan(), idv, domain).unwrap()
}

/// The restart scenario: tokens in every lifecycle state, raised assurance and domain controls
/// are all there after the TSP is rebuilt over a freshly opened store; the PANs open only with
/// the right data key.
pub fn restart_keeps_tokens_and_lifecycle<S: TspStore>(open: impl Fn() -> S) {
    let (active, weak, suspended, deleted) = {
        let t = tsp_with(open(), [9; 32]);
        register(&t);
        let d = DomainControls::new(vec![Channel::Contactless])
            .merchants(&["M-1", "M;2"])
            .expiry(2912);
        let active = issue_with(&t, WALLET, IdvMethod::IssuerApp, d);
        let weak = issue(
            &t,
            SHOP,
            IdvMethod::AccountVerification,
            &[Channel::CardOnFile],
        );
        assert_eq!(weak.state, TokenState::Inactive);
        assert_eq!(t.complete_idv(&weak.token, IdvMethod::Otp).unwrap(), 40);
        let suspended = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::InApp]);
        t.transition(&suspended.token, TokenState::Suspended)
            .unwrap();
        let deleted = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::Chip]);
        t.transition(&deleted.token, TokenState::Deleted).unwrap();
        (active, weak, suspended, deleted)
    };

    let t = tsp_with(open(), [9; 32]);
    // requestors survived: registering again is refused, issuing works
    assert!(
        t.register_requestor(
            TokenRequestor::new(
                WALLET,
                "Wallet",
                TokenBinRange::new("48950000", "48950099", 16).unwrap()
            )
            .unwrap()
        )
        .is_err()
    );
    assert_eq!(t.state(&active.token).unwrap(), TokenState::Active);
    let ok = AuthRequest::new(&active.token, Channel::Contactless, "M;2", 2601).expiry(2912);
    assert_eq!(t.authorize(&ok).unwrap(), pan());
    let mut elsewhere = ok.clone();
    elsewhere.merchant = "M-3".into();
    assert_eq!(
        t.authorize(&elsewhere),
        Err(Error::DomainViolation {
            control: "merchant not allowed"
        })
    );
    assert_eq!(t.state(&weak.token).unwrap(), TokenState::Active);
    assert_eq!(t.info(&weak.token).unwrap(), (40, weak.par.clone()));
    assert_eq!(t.state(&suspended.token).unwrap(), TokenState::Suspended);
    let inapp = AuthRequest::new(&suspended.token, Channel::InApp, "M", 2601);
    assert_eq!(
        t.authorize(&inapp),
        Err(Error::DomainViolation {
            control: "token suspended"
        })
    );
    t.transition(&suspended.token, TokenState::Active).unwrap();
    assert_eq!(t.authorize(&inapp).unwrap(), pan());
    assert!(matches!(
        t.transition(&deleted.token, TokenState::Active),
        Err(Error::IllegalTransition { .. })
    ));
    let mut live = t.tokens_for_pan(&pan()).unwrap();
    live.sort();
    let mut want = vec![active.token.clone(), weak.token.clone(), suspended.token];
    want.sort();
    assert_eq!(live, want);
    assert_eq!(t.detokenize(&weak.token, SHOP).unwrap(), pan());
    let more = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::Chip]);
    assert_eq!(more.par, active.par);
    drop(t);

    // the stored PANs are sealed: another data key opens none of them
    let wrong = tsp_with(open(), [10; 32]);
    assert!(matches!(
        wrong.detokenize(&weak.token, SHOP),
        Err(Error::Integrity { .. })
    ));
}

/// Eight TSP front ends, each over its own store handle (`open`), suspend one Active token at
/// the same moment: the lifecycle update is a compare-and-set, so exactly one succeeds and the
/// others see a Suspended token (Suspended → Suspended is illegal).
pub fn one_of_concurrent_suspensions_wins<S: TspStore>(open: impl Fn() -> S + Sync) {
    let t = tsp_with(open(), [9; 32]);
    if t.store().requestor(WALLET).unwrap().is_none() {
        register(&t);
    }
    let i = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::Chip]);
    let barrier = std::sync::Barrier::new(8);
    let wins = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let t = tsp_with(open(), [9; 32]);
                    barrier.wait();
                    match t.transition(&i.token, TokenState::Suspended) {
                        Ok(()) => 1,
                        Err(Error::IllegalTransition { .. }) => 0,
                        Err(e) => panic!("{e}"),
                    }
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum::<u32>()
    });
    assert_eq!(wins, 1);
    assert_eq!(t.state(&i.token).unwrap(), TokenState::Suspended);
}
