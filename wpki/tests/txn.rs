//! Signed online-purchase transactions: bank-side verification, each refusal, GM/T 0010
//! wrapping, and proptest round trips of the DER encodings.

mod common;

use common::*;
use der::DateTime;
use mpay_wpki::crl::{ParsedCrl, RevokedEntry};
use mpay_wpki::txn::*;
use mpay_wpki::{Error, ParsedCertificate, Refusal, Rule, SigningKey, ValidationOptions};
use proptest::prelude::*;

const BANK_ID: &str = "01020000";

fn txn(time: DateTime, nonce: u8) -> Transaction {
    Transaction {
        user_id: "wallet user 0001".into(),
        account: AccountRef::new("6212340000001234").unwrap(),
        bank_id: BANK_ID.into(),
        code: codes::PURCHASE,
        amount: 9_999,
        currency: Currency::CNY,
        merchant_id: "MPAYSHOP0001".into(),
        time,
        nonce: Some(vec![nonce; 16]),
        counter: Some(u64::from(nonce)),
    }
}

fn verifier<'a>(c: &Chain, anchors: &'a [mpay_wpki::TrustAnchor]) -> TxnVerifier<'a> {
    TxnVerifier::new(
        anchors,
        ValidationOptions::at(now()),
        TxnPolicy::new(BANK_ID),
    )
    .with_intermediates(vec![
        ParsedCertificate::from_certificate(c.bank.certificate()).unwrap(),
    ])
}

fn round(s: &SignedTransaction) -> SignedTransaction {
    SignedTransaction::from_der(&s.to_der().unwrap()).unwrap()
}

#[test]
fn sm2_p256_rsa_sign_and_verify_once() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let anchors = c.anchors();
        let v = verifier(&c, &anchors);
        let mut guard = MemoryReplayGuard::default();
        let s = SignedTransaction::sign(
            txn(now(), 1),
            &c.user_key,
            SignerRef::certificate(&c.user).unwrap(),
        )
        .unwrap();
        let ok = v.verify(&round(&s), &mut guard).unwrap();
        assert_eq!(ok.transaction, txn(now(), 1), "{alg:?}");
        assert_eq!(
            ok.signer_key_id,
            certificate_key_id(&c.user),
            "{alg:?} signer"
        );
        assert_eq!(
            v.verify(&round(&s), &mut guard).unwrap_err(),
            Error::Refused(Refusal::Replay),
            "{alg:?} replay"
        );
    }
}

#[test]
fn key_id_reference_resolves_from_known_signers() {
    let c = chain(Alg::Sm2);
    let anchors = c.anchors();
    let s =
        SignedTransaction::sign(txn(now(), 2), &c.user_key, SignerRef::key_id_of(&c.user)).unwrap();
    let wire = s.to_der().unwrap();
    let with_cert = SignedTransaction::sign(
        txn(now(), 2),
        &c.user_key,
        SignerRef::certificate(&c.user).unwrap(),
    )
    .unwrap();
    assert!(wire.len() + 300 < with_cert.to_der().unwrap().len());
    let mut guard = MemoryReplayGuard::default();
    assert_eq!(
        verifier(&c, &anchors)
            .verify(&round(&s), &mut guard)
            .unwrap_err(),
        Error::Refused(Refusal::UnknownSigner)
    );
    let v = verifier(&c, &anchors)
        .with_known_signers(vec![ParsedCertificate::from_certificate(&c.user).unwrap()]);
    v.verify(&round(&s), &mut guard).unwrap();
}

#[test]
fn refusals() {
    let c = chain(Alg::P256);
    let anchors = c.anchors();
    let v = verifier(&c, &anchors);
    let mut guard = MemoryReplayGuard::default();
    let sign = |t: Transaction| {
        SignedTransaction::sign(t, &c.user_key, SignerRef::certificate(&c.user).unwrap()).unwrap()
    };

    let mut other_bank = txn(now(), 3);
    other_bank.bank_id = "09990000".into();
    assert!(matches!(
        v.verify(&sign(other_bank), &mut guard),
        Err(Error::Refused(Refusal::WrongBank { .. }))
    ));

    let old = DateTime::new(2027, 6, 1, 11, 54, 0).unwrap();
    assert_eq!(
        v.verify(&sign(txn(old, 4)), &mut guard).unwrap_err(),
        Error::Refused(Refusal::TooOld {
            age_secs: 360,
            max_secs: 300
        })
    );
    let ahead = DateTime::new(2027, 6, 1, 12, 2, 0).unwrap();
    assert!(matches!(
        v.verify(&sign(txn(ahead, 5)), &mut guard),
        Err(Error::Refused(Refusal::FromFuture { .. }))
    ));

    // Tampered amount: the signature no longer covers the message.
    let good = sign(txn(now(), 6));
    let mut wire = good.to_der().unwrap();
    let tbs = good.signed_bytes().to_vec();
    let at = wire.windows(tbs.len()).position(|w| w == tbs).unwrap();
    let amount_at = at
        + tbs
            .windows(3)
            .position(|w| w == [0x02, 0x02, 0x27])
            .unwrap();
    wire[amount_at + 3] ^= 1;
    let tampered = SignedTransaction::from_der(&wire).unwrap();
    assert_eq!(tampered.transaction().amount, 9_999 ^ 1);
    assert_eq!(
        v.verify(&tampered, &mut guard).unwrap_err(),
        Error::BadSignature("ECDSA P-256")
    );

    // A key that is not the certificate's.
    let mut rng = rng();
    let impostor = SignedTransaction::sign(
        txn(now(), 7),
        &SigningKey::generate_p256(&mut rng),
        SignerRef::certificate(&c.user).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        v.verify(&impostor, &mut guard),
        Err(Error::BadSignature(_))
    ));

    // Nothing refused so far was recorded: the good message is accepted once.
    v.verify(&good, &mut guard).unwrap();
    let mut rewound = txn(now(), 8);
    rewound.counter = Some(6);
    assert_eq!(
        v.verify(&sign(rewound), &mut guard).unwrap_err(),
        Error::Refused(Refusal::CounterNotIncreasing { last: 6, got: 6 })
    );
}

#[test]
fn revoked_user_is_refused() {
    let c = chain(Alg::Sm2);
    let anchors = c.anchors();
    let serial = c.user.tbs_certificate().serial_number().clone();
    let der = |crl: &x509_cert::crl::CertificateList| {
        ParsedCrl::from_der(&der::Encode::to_der(crl).unwrap()).unwrap()
    };
    let root_crl = c
        .root
        .issue_crl(&[1], t(2027, 5, 1), t(2027, 7, 1), &[])
        .unwrap();
    let bank_crl = c
        .bank
        .issue_crl(
            &[2],
            t(2027, 5, 30),
            t(2027, 6, 30),
            &[RevokedEntry {
                serial,
                date: t(2027, 5, 30),
            }],
        )
        .unwrap();
    let mut v = verifier(&c, &anchors);
    v.options_mut().crls = Some(vec![der(&root_crl), der(&bank_crl)]);
    let s = SignedTransaction::sign(
        txn(now(), 9),
        &c.user_key,
        SignerRef::certificate(&c.user).unwrap(),
    )
    .unwrap();
    let e = v.verify(&s, &mut MemoryReplayGuard::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Path {
                index: 0,
                rule: Rule::Revoked,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn gmt0010_wrapping() {
    let c = chain(Alg::Sm2);
    let anchors = c.anchors();
    let v = verifier(&c, &anchors);
    let SigningKey::Sm2 { key, .. } = &c.user_key else {
        unreachable!()
    };
    let wrapped = wrap_gmt0010(&txn(now(), 10), key, &c.user).unwrap();
    let sd = mpay_gmt::cms::SignedData::from_der(&wrapped).unwrap();
    assert_eq!(sd.content(), txn(now(), 10).to_der().unwrap());
    let mut guard = MemoryReplayGuard::default();
    let ok = v.verify_gmt0010(&wrapped, &mut guard).unwrap();
    assert_eq!(ok.transaction.amount, 9_999);
    assert_eq!(
        v.verify_gmt0010(&wrapped, &mut guard).unwrap_err(),
        Error::Refused(Refusal::Replay)
    );
    // Another SM2 key claiming the same certificate.
    let other = mpay_gmt::sm2::PrivateKey::random().unwrap();
    let forged = wrap_gmt0010(&txn(now(), 11), &other, &c.user).unwrap();
    assert_eq!(
        v.verify_gmt0010(&forged, &mut guard).unwrap_err(),
        Error::BadSignature("GM/T 0010 SM2")
    );
}

#[test]
fn decoder_refuses_constraint_violations() {
    let mut t = txn(now(), 1);
    t.nonce = None;
    t.counter = None;
    assert_eq!(
        t.to_der().unwrap_err(),
        Error::Refused(Refusal::NoFreshness)
    );
    let mut t = txn(now(), 1);
    t.nonce = Some(vec![0; 7]);
    assert!(matches!(
        t.to_der(),
        Err(Error::Refused(Refusal::Field { field: "nonce", .. }))
    ));
    let mut t = txn(now(), 1);
    t.merchant_id = "MERCHANT_WITH_A_LONG_NAME".into();
    assert!(t.to_der().is_err());
    let der = txn(now(), 1).to_der().unwrap();
    assert!(Transaction::from_der(&der[..der.len() - 1]).is_err());
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(Transaction::from_der(&trailing).is_err());
    // Debug never shows the full account number.
    let shown = format!("{:?}", txn(now(), 1));
    assert!(!shown.contains("6212340000001234"), "{shown}");
    assert!(shown.contains("621234******1234"));
}

fn arb_txn() -> impl Strategy<Value = Transaction> {
    (
        "[a-z0-9 ]{1,20}",
        "[0-9]{8,34}",
        "[0-9A-Z]{1,11}",
        0u8..100,
        any::<u64>(),
        1u16..1000,
        "[0-9A-Za-z ]{1,15}",
        0u64..4_000_000_000,
        proptest::option::of(proptest::collection::vec(any::<u8>(), 8..=32)),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                user,
                acct,
                bank,
                code,
                amount,
                cur,
                merchant,
                secs,
                nonce,
                counter,
                with_counter,
            )| {
                let counter = (with_counter || nonce.is_none()).then_some(counter);
                Transaction {
                    user_id: user,
                    account: AccountRef::new(&acct).unwrap(),
                    bank_id: bank,
                    code,
                    amount,
                    currency: Currency::new(cur).unwrap(),
                    merchant_id: merchant,
                    time: DateTime::from_unix_duration(core::time::Duration::from_secs(secs))
                        .unwrap(),
                    nonce,
                    counter,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn transaction_round_trip(t in arb_txn()) {
        let der = t.to_der().unwrap();
        let back = Transaction::from_der(&der).unwrap();
        prop_assert_eq!(&back, &t);
        prop_assert_eq!(back.to_der().unwrap(), der);
    }

    #[test]
    fn signed_round_trip(t in arb_txn(), by_key_id in any::<bool>()) {
        let mut rng = rng();
        let key = SigningKey::generate_p256(&mut rng);
        let r = if by_key_id { SignerRef::KeyId(vec![1, 2, 3]) } else {
            SignerRef::certificate(&chain_cert()).unwrap()
        };
        let s = SignedTransaction::sign(t, &key, r).unwrap();
        let der = s.to_der().unwrap();
        let back = SignedTransaction::from_der(&der).unwrap();
        prop_assert_eq!(back.to_der().unwrap(), der);
        prop_assert_eq!(back.transaction(), s.transaction());
    }

    #[test]
    fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = SignedTransaction::from_der(&bytes);
        let _ = Transaction::from_der(&bytes);
    }
}

fn chain_cert() -> x509_cert::Certificate {
    use std::sync::OnceLock;
    static CERT: OnceLock<x509_cert::Certificate> = OnceLock::new();
    CERT.get_or_init(|| chain(Alg::P256).user).clone()
}
