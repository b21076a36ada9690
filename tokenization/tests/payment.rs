//! EMV payment tokens: ranges, one PAN → many tokens with one PAR, assurance, lifecycle,
//! domain restriction controls.

use mpay_tokenization::Error;
use mpay_tokenization::luhn;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::payment::*;
use mpay_tokenization::vault::SqliteStore;

mod common;
use common::{SHOP, WALLET, issue, issue_with, pan, register};

fn tsp() -> Tsp {
    let t = Tsp::new("V001", [7; 32], [8; 32]).unwrap();
    register(&t);
    t
}

#[test]
fn tokens_come_from_the_range_and_pass_luhn() {
    let t = tsp();
    let range = TokenBinRange::new("48950000", "48950099", 16).unwrap();
    for _ in 0..100 {
        let i = issue(&t, WALLET, IdvMethod::Otp, &[Channel::Contactless]);
        assert!(range.contains(&i.token), "{}", i.token);
        assert!(luhn::is_valid(&luhn::digits(&i.token).unwrap()));
        assert_ne!(i.token, "4111111111111111");
    }
    assert!(
        t.request_token(
            "40010099999",
            &pan(),
            IdvMethod::Otp,
            DomainControls::new(vec![Channel::Chip])
        )
        .is_err()
    );
    assert!(
        TokenRequestor::new(
            "4001003027",
            "short",
            TokenBinRange::new("489500", "489500", 16).unwrap()
        )
        .is_err()
    );
    assert!(TokenBinRange::new("489600", "489500", 16).is_err());
    assert!(TokenBinRange::new("4896000000", "4896000000", 16).is_err());
}

#[test]
fn one_pan_many_tokens_one_par() {
    let t = tsp();
    let a = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::Contactless]);
    let b = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::InApp]);
    let c = issue(
        &t,
        SHOP,
        IdvMethod::AccountVerification,
        &[Channel::CardOnFile],
    );
    assert!(a.token != b.token && b.token != c.token);
    assert_eq!(a.par, b.par);
    assert_eq!(a.par, c.par);
    assert_eq!(a.par.len(), 29);
    assert!(a.par.starts_with("V001"));
    assert!(
        a.par
            .bytes()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit())
    );
    let other = Pan::parse("5500000000000004").unwrap();
    assert_ne!(t.par(&other), a.par);
    let mut all = t.tokens_for_pan(&pan()).unwrap();
    all.sort();
    let mut want = vec![a.token.clone(), b.token.clone(), c.token.clone()];
    want.sort();
    assert_eq!(all, want);
    t.transition(&b.token, TokenState::Deleted).unwrap();
    assert_eq!(t.tokens_for_pan(&pan()).unwrap().len(), 2);
}

#[test]
fn assurance_from_idv_and_activation() {
    let t = tsp();
    let weak = issue(
        &t,
        SHOP,
        IdvMethod::AccountVerification,
        &[Channel::CardOnFile],
    );
    assert_eq!(weak.assurance, 20);
    assert_eq!(weak.state, TokenState::Inactive);
    let req = AuthRequest::new(&weak.token, Channel::CardOnFile, "M", 2601);
    assert_eq!(
        t.authorize(&req),
        Err(Error::DomainViolation {
            control: "token inactive"
        })
    );
    assert_eq!(t.complete_idv(&weak.token, IdvMethod::Otp).unwrap(), 40);
    assert_eq!(t.state(&weak.token).unwrap(), TokenState::Active);
    assert_eq!(t.authorize(&req).unwrap(), pan());
    assert!(IdvMethod::IssuerAppBiometric.assurance() > IdvMethod::IssuerApp.assurance());
    assert!(IdvMethod::IssuerApp.assurance() > IdvMethod::None.assurance());
}

#[test]
fn lifecycle_only_legal_transitions() {
    use TokenState::*;
    let all = [Inactive, Active, Suspended, Deleted];
    let legal = [
        (Inactive, Active),
        (Inactive, Deleted),
        (Active, Suspended),
        (Active, Deleted),
        (Suspended, Active),
        (Suspended, Deleted),
    ];
    for a in all {
        for b in all {
            assert_eq!(a.can_become(b), legal.contains(&(a, b)), "{a:?} -> {b:?}");
        }
    }
    let t = tsp();
    let i = issue(&t, WALLET, IdvMethod::IssuerApp, &[Channel::Contactless]);
    let req = AuthRequest::new(&i.token, Channel::Contactless, "M", 2601);
    assert!(t.authorize(&req).is_ok());
    t.transition(&i.token, Suspended).unwrap();
    // a Suspended token fails authorization and detokenization for authorization
    assert_eq!(
        t.authorize(&req),
        Err(Error::DomainViolation {
            control: "token suspended"
        })
    );
    assert!(matches!(
        t.transition(&i.token, Inactive),
        Err(Error::IllegalTransition { .. })
    ));
    t.transition(&i.token, Active).unwrap();
    assert!(t.authorize(&req).is_ok());
    t.transition(&i.token, Deleted).unwrap();
    assert!(t.authorize(&req).is_err());
    assert!(t.detokenize(&i.token, WALLET).is_err());
    for to in all {
        assert!(t.transition(&i.token, to).is_err(), "Deleted is final");
    }
}

#[test]
fn domain_restriction_controls() {
    let t = tsp();
    let d = DomainControls::new(vec![Channel::Ecommerce])
        .merchants(&["MERCH-1"])
        .cryptogram_required()
        .expiry(2712);
    let i = issue_with(&t, WALLET, IdvMethod::IssuerApp, d);
    let c = t.cryptogram(&i.token, "MERCH-1", 1999);
    let ok = AuthRequest::new(&i.token, Channel::Ecommerce, "MERCH-1", 2601)
        .expiry(2712)
        .with_cryptogram(1999, c);
    assert_eq!(t.authorize(&ok).unwrap(), pan());
    let v = |r: &AuthRequest| match t.authorize(r) {
        Err(Error::DomainViolation { control }) => control,
        other => panic!("{other:?}"),
    };
    let mut r = ok.clone();
    r.channel = Channel::Contactless;
    assert_eq!(v(&r), "channel / POS entry mode not allowed");
    let mut r = ok.clone();
    r.merchant = "MERCH-2".into();
    assert_eq!(v(&r), "merchant not allowed");
    let mut r = ok.clone();
    r.cryptogram = None;
    assert_eq!(v(&r), "cryptogram required");
    let mut r = ok.clone();
    r.amount = 2000; // cryptogram bound to the amount
    assert_eq!(v(&r), "cryptogram invalid");
    let mut r = ok.clone();
    r.expiry = Some(2711);
    assert_eq!(v(&r), "token expiry mismatch");
    let mut r = ok.clone();
    r.today = 2801;
    assert_eq!(v(&r), "token expired");
    let mut r = ok;
    r.today = 2712;
    assert!(
        t.authorize(&r).is_ok(),
        "valid through the end of the expiry month"
    );

    let cof = issue_with(
        &t,
        SHOP,
        IdvMethod::Otp,
        DomainControls::new(vec![Channel::Ecommerce, Channel::CardOnFile]).card_on_file_only(),
    );
    let mut r = AuthRequest::new(&cof.token, Channel::Ecommerce, "M", 2601);
    assert_eq!(v(&r), "card-on-file only");
    r.card_on_file = true;
    assert!(t.authorize(&r).is_ok());
    // only the token's requestor may detokenize outside authorization
    assert!(t.detokenize(&cof.token, WALLET).is_err());
    assert_eq!(t.detokenize(&cof.token, SHOP).unwrap(), pan());
}

#[test]
fn sqlite_restart_keeps_tokens_and_lifecycle() {
    let dir = std::env::temp_dir().join(format!("mpay-tsp-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tsp.db");
    common::restart_keeps_tokens_and_lifecycle(|| SqliteStore::open(&db).unwrap());
    // the PAN is never written in clear (database, WAL)
    for f in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!bytes.windows(16).any(|w| w == b"4111111111111111"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_concurrent_suspensions_one_wins() {
    let dir = std::env::temp_dir().join(format!("mpay-tsp-cas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.join("tsp.db")).unwrap());
    common::one_of_concurrent_suspensions_wins(|| store.clone());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_store_shared_by_two_tsps() {
    // two TSP front ends over one store (stand-in for two processes on one database): a
    // lifecycle change made through one is seen by the other
    let store = std::sync::Arc::new(MemoryTspStore::new());
    let a = common::tsp_with(store.clone(), [9; 32]);
    register(&a);
    let b = common::tsp_with(store, [9; 32]);
    let i = issue(&a, WALLET, IdvMethod::IssuerApp, &[Channel::Chip]);
    b.transition(&i.token, TokenState::Suspended).unwrap();
    assert_eq!(a.state(&i.token).unwrap(), TokenState::Suspended);
    assert_eq!(b.detokenize(&i.token, WALLET).unwrap(), pan());
}

mod domain_record {
    use mpay_tokenization::payment::{Channel, DomainControls};
    use proptest::prelude::*;

    fn channel() -> impl Strategy<Value = Channel> {
        prop::sample::select(Channel::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Stored text of domain controls round-trips (any merchant text, empty lists included).
        #[test]
        fn round_trip(
            channels in prop::collection::vec(channel(), 0..6),
            merchants in prop::option::of(prop::collection::vec(".{0,12}", 0..4)),
            cof: bool,
            cryptogram: bool,
            expiry in prop::option::of(0u16..10000),
        ) {
            let d = DomainControls {
                channels,
                merchants,
                card_on_file_only: cof,
                cryptogram_required: cryptogram,
                expiry,
            };
            prop_assert_eq!(DomainControls::from_record(&d.to_record()).unwrap(), d);
        }

        /// Arbitrary text never panics the parser.
        #[test]
        fn parser_never_panics(s in ".{0,80}") {
            let _ = DomainControls::from_record(&s);
        }
    }
}
