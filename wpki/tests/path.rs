//! RFC 5280 §6.1 path validation: one valid and one or more invalid cases per rule.

mod common;

use common::*;
use der::{Decode, Encode};
use mpay_wpki::cert::{KP_CLIENT_AUTH, KP_SERVER_AUTH, ext};
use mpay_wpki::{
    Ca, Error, ParsedCertificate, Profile, Rule, Signer, TrustAnchor, ValidationOptions, validate,
};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

fn rule_of(e: Error) -> (usize, String, Rule) {
    match e {
        Error::Path {
            index,
            subject,
            rule,
        } => (index, subject, rule),
        other => panic!("expected a path error, got {other:?}"),
    }
}

#[test]
fn valid_chains_all_algorithms() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let v = validate(&c.parsed(), &c.anchors(), &ValidationOptions::at(now()))
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(v.anchor, 0);
        assert_eq!(v.target_key, c.user_key.verifying_key(), "{alg:?}");
    }
}

#[test]
fn validity_window() {
    let c = chain(Alg::P256);
    let (chain, anchors) = (c.parsed(), c.anchors());
    // Inclusive bounds.
    assert!(validate(&chain, &anchors, &ValidationOptions::at(t(2026, 1, 1))).is_ok());
    assert!(validate(&chain, &anchors, &ValidationOptions::at(t(2036, 1, 1))).is_ok());
    let before = der::DateTime::new(2025, 12, 31, 23, 59, 59).unwrap();
    let (index, _, rule) =
        rule_of(validate(&chain, &anchors, &ValidationOptions::at(before)).unwrap_err());
    assert_eq!((index, rule), (1, Rule::NotYetValid));
    let after = der::DateTime::new(2036, 1, 1, 0, 0, 1).unwrap();
    let (index, _, rule) =
        rule_of(validate(&chain, &anchors, &ValidationOptions::at(after)).unwrap_err());
    assert_eq!((index, rule), (1, Rule::Expired));
    // Only the leaf expired: the error names the leaf.
    let mut rng = rng();
    let mut p = params("CN=short-lived", Profile::WalletUser);
    p.not_after = t(2027, 1, 1);
    let leaf = c
        .bank
        .issue(&p, &c.user_key.public_key_info().unwrap(), &mut rng)
        .unwrap();
    let chain2 = [
        ParsedCertificate::from_certificate(&leaf).unwrap(),
        chain[1].clone(),
    ];
    let (index, subject, rule) =
        rule_of(validate(&chain2, &anchors, &ValidationOptions::at(now())).unwrap_err());
    assert_eq!(
        (index, subject.as_str(), rule),
        (0, "CN=short-lived", Rule::Expired)
    );
}

fn tamper(cert: &ParsedCertificate, at: impl Fn(&[u8]) -> usize) -> ParsedCertificate {
    let mut der = cert.certificate().to_der().unwrap();
    let i = at(&der);
    der[i] ^= 0x01;
    ParsedCertificate::from_der(&der).unwrap()
}

#[test]
fn broken_signatures() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let chain = c.parsed();
        // A byte of the subject's CN ("wallet user 0001" → "wallet user 0000").
        let changed = tamper(&chain[0], |d| {
            d.windows(4).position(|w| w == b"0001").unwrap() + 3
        });
        let (index, _, rule) = rule_of(
            validate(
                &[changed, chain[1].clone()],
                &c.anchors(),
                &ValidationOptions::at(now()),
            )
            .unwrap_err(),
        );
        assert_eq!((index, rule), (0, Rule::Signature), "{alg:?}");
        // The last byte of the signature value.
        let sig = tamper(&chain[1], |d| d.len() - 1);
        let (index, _, rule) = rule_of(
            validate(
                &[chain[0].clone(), sig],
                &c.anchors(),
                &ValidationOptions::at(now()),
            )
            .unwrap_err(),
        );
        assert_eq!((index, rule), (1, Rule::Signature), "{alg:?}");
    }
}

#[test]
fn sm2_distinguishing_id_is_checked() {
    let c = chain(Alg::Sm2);
    let mut opts = ValidationOptions::at(now());
    opts.sm2_id = b"".to_vec();
    let (index, _, rule) = rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err());
    assert_eq!((index, rule), (1, Rule::Signature));
    // A root signing with the empty ID (as the OpenSSL CLI does by default) validates with it.
    let mut rng = rng();
    let key = mpay_wpki::SigningKey::sm2_with_id(
        mpay_gmt::sm2::PrivateKey::generate(&mut rng).unwrap(),
        b"",
    );
    let root = Ca::self_signed(
        key,
        &params("CN=Empty ID Root", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let leaf = root
        .issue(
            &params("CN=leaf", Profile::WalletUser),
            &c.user_key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let chain = [ParsedCertificate::from_certificate(&leaf).unwrap()];
    let anchors = [TrustAnchor::from_certificate(root.certificate())];
    assert!(validate(&chain, &anchors, &opts).is_ok());
    assert!(validate(&chain, &anchors, &ValidationOptions::at(now())).is_err());
}

#[test]
fn issuer_chaining_and_anchor() {
    let a = chain(Alg::P256);
    let b = chain(Alg::P256);
    // b's user under a's bank CA: the names are equal but the key is not → signature.
    let mixed = [
        ParsedCertificate::from_certificate(&b.user).unwrap(),
        a.parsed()[1].clone(),
    ];
    let (index, _, rule) =
        rule_of(validate(&mixed, &a.anchors(), &ValidationOptions::at(now())).unwrap_err());
    assert_eq!((index, rule), (0, Rule::Signature));
    // A leaf whose issuer name is not the CA above it.
    let mut rng = rng();
    let other = Ca::self_signed(
        key(Alg::P256, &mut rng),
        &params("CN=Other CA", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let stray = other
        .issue(
            &params("CN=stray", Profile::WalletUser),
            &a.user_key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let chain = [
        ParsedCertificate::from_certificate(&stray).unwrap(),
        a.parsed()[1].clone(),
    ];
    let (index, subject, rule) =
        rule_of(validate(&chain, &a.anchors(), &ValidationOptions::at(now())).unwrap_err());
    assert_eq!(
        (index, subject.as_str(), rule),
        (0, "CN=stray", Rule::IssuerMismatch)
    );
    // No anchor with the top certificate's issuer name.
    let anchors = [TrustAnchor::from_certificate(other.certificate())];
    assert!(matches!(
        validate(&a.parsed(), &anchors, &ValidationOptions::at(now())),
        Err(Error::NoTrustAnchor { issuer }) if issuer.contains("Test UnionPay Root")
    ));
    assert_eq!(
        validate(&[], &anchors, &ValidationOptions::at(now())).unwrap_err(),
        Error::EmptyChain
    );
    // A second, matching anchor is found after a wrong one with the same name.
    let anchors = [b.anchors()[0].clone(), a.anchors()[0].clone()];
    assert_eq!(
        validate(&a.parsed(), &anchors, &ValidationOptions::at(now()))
            .unwrap()
            .anchor,
        1
    );
}

fn custom(extensions: Vec<Extension>) -> mpay_wpki::CertificateParams {
    let mut p = params("CN=Custom CA", Profile::Custom);
    p.extra_extensions = extensions;
    p
}

/// Validates root → `int` (issued with `p`) → leaf and returns the result.
fn with_intermediate(p: mpay_wpki::CertificateParams) -> mpay_wpki::Result<mpay_wpki::ValidPath> {
    let c = chain(Alg::P256);
    let mut rng = rng();
    let int_key = key(Alg::P256, &mut rng);
    let int_cert = c
        .root
        .issue(&p, &int_key.public_key_info().unwrap(), &mut rng)
        .unwrap();
    let int = Ca::from_parts(int_key, int_cert).unwrap();
    let leaf = int
        .issue(
            &params("CN=leaf", Profile::WalletUser),
            &c.user_key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let chain = [
        ParsedCertificate::from_certificate(&leaf).unwrap(),
        ParsedCertificate::from_certificate(int.certificate()).unwrap(),
    ];
    validate(&chain, &c.anchors(), &ValidationOptions::at(now()))
}

fn bc(ca: bool, path_len: Option<u8>) -> Extension {
    ext(
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
        true,
    )
    .unwrap()
}

fn ku(bits: impl Into<x509_cert::ext::pkix::KeyUsages>) -> Extension {
    ext(&KeyUsage(bits.into().into()), true).unwrap()
}

#[test]
fn basic_constraints_and_key_usage() {
    // Valid: cA with keyCertSign; cA without keyUsage at all.
    assert!(with_intermediate(custom(vec![bc(true, None), ku(KeyUsages::KeyCertSign)])).is_ok());
    assert!(with_intermediate(custom(vec![bc(true, None)])).is_ok());
    // No basicConstraints / cA false.
    let (i, s, r) = rule_of(with_intermediate(custom(vec![])).unwrap_err());
    assert_eq!((i, s.as_str(), r), (1, "CN=Custom CA", Rule::NotCa));
    let (_, _, r) = rule_of(with_intermediate(custom(vec![bc(false, None)])).unwrap_err());
    assert_eq!(r, Rule::NotCa);
    // keyUsage without keyCertSign.
    let (i, _, r) = rule_of(
        with_intermediate(custom(vec![
            bc(true, None),
            ku(KeyUsages::DigitalSignature),
        ]))
        .unwrap_err(),
    );
    assert_eq!((i, r), (1, Rule::KeyUsage("keyCertSign")));
    // An end-entity certificate used as a CA.
    let (_, _, r) = rule_of(with_intermediate(params("CN=POS", Profile::PosTerminal)).unwrap_err());
    assert_eq!(r, Rule::NotCa);
}

#[test]
fn critical_and_duplicate_extensions() {
    let unknown = |critical| Extension {
        extn_id: der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"),
        critical,
        extn_value: der::asn1::OctetString::new(vec![0x05, 0x00]).unwrap(),
    };
    assert!(with_intermediate(custom(vec![bc(true, None), unknown(false)])).is_ok());
    let (i, _, r) =
        rule_of(with_intermediate(custom(vec![bc(true, None), unknown(true)])).unwrap_err());
    assert_eq!(
        (i, r),
        (
            1,
            Rule::UnknownCriticalExtension("1.3.6.1.4.1.99999.1".parse().unwrap())
        )
    );
    // Name constraints are processed (tests/namecons.rs); an empty one is malformed.
    let nc = Extension {
        extn_id: "2.5.29.30".parse().unwrap(),
        critical: true,
        extn_value: der::asn1::OctetString::new(vec![0x30, 0x00]).unwrap(),
    };
    let (_, _, r) = rule_of(with_intermediate(custom(vec![bc(true, None), nc])).unwrap_err());
    assert_eq!(r, Rule::BadExtension("2.5.29.30".parse().unwrap()));
    let (_, _, r) =
        rule_of(with_intermediate(custom(vec![bc(true, None), bc(true, None)])).unwrap_err());
    assert_eq!(r, Rule::DuplicateExtension("2.5.29.19".parse().unwrap()));
    let broken = Extension {
        extn_id: "2.5.29.19".parse().unwrap(),
        critical: true,
        extn_value: der::asn1::OctetString::new(vec![0x30, 0x03, 0x01, 0x01]).unwrap(),
    };
    let (_, _, r) = rule_of(with_intermediate(custom(vec![broken])).unwrap_err());
    assert_eq!(r, Rule::BadExtension("2.5.29.19".parse().unwrap()));
}

/// root → A (pathLen `a`) → B (pathLen `b`) → leaf.
fn two_intermediates(a: Option<u8>, b: Option<u8>) -> mpay_wpki::Result<mpay_wpki::ValidPath> {
    let c = chain(Alg::P256);
    let mut rng = rng();
    let sub = |ca: &Ca, name: &str, path_len, rng: &mut Rng| {
        ca.issue_subordinate(
            key(Alg::P256, rng),
            &params(name, Profile::Ca { path_len }),
            rng,
        )
        .unwrap()
    };
    let a = sub(&c.root, "CN=A", a, &mut rng);
    let b = sub(&a, "CN=B", b, &mut rng);
    let user = c.user_key.public_key_info().unwrap();
    let leaf = b
        .issue(&params("CN=leaf", Profile::WalletUser), &user, &mut rng)
        .unwrap();
    let chain: Vec<_> = [&leaf, b.certificate(), a.certificate()]
        .into_iter()
        .map(|x| ParsedCertificate::from_certificate(x).unwrap())
        .collect();
    validate(&chain, &c.anchors(), &ValidationOptions::at(now()))
}

#[test]
fn path_length() {
    // B exceeds A's pathLenConstraint 0.
    let (i, s, r) = rule_of(two_intermediates(Some(0), None).unwrap_err());
    assert_eq!((i, s.as_str(), r), (1, "CN=B", Rule::PathLength));
    assert!(two_intermediates(Some(1), Some(0)).is_ok());
    assert!(two_intermediates(None, None).is_ok());
}

#[test]
fn extended_key_usage() {
    let c = chain(Alg::P256);
    let mut opts = ValidationOptions::at(now());
    opts.required_eku = Some(KP_CLIENT_AUTH);
    assert!(validate(&c.parsed(), &c.anchors(), &opts).is_ok());
    opts.required_eku = Some(KP_SERVER_AUTH);
    let (i, _, r) = rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err());
    assert_eq!((i, r), (0, Rule::ExtendedKeyUsage(KP_SERVER_AUTH)));
}

#[test]
fn algorithm_must_fit_issuer_key() {
    // A P-256-signed leaf presented under an SM2 CA with the same name.
    let sm = chain(Alg::Sm2);
    let ec = chain(Alg::P256);
    let chain = [
        ParsedCertificate::from_certificate(&ec.user).unwrap(),
        sm.parsed()[1].clone(),
    ];
    let (i, _, r) =
        rule_of(validate(&chain, &sm.anchors(), &ValidationOptions::at(now())).unwrap_err());
    assert_eq!(
        (i, r),
        (0, Rule::Algorithm(mpay_wpki::alg::ECDSA_WITH_SHA256))
    );
    // Decoding checks.
    assert!(ParsedCertificate::from_der(&[0x30, 0x00]).is_err());
    let mut der = ec.user.to_der().unwrap();
    der.push(0);
    assert!(ParsedCertificate::from_der(&der).is_err());
    assert!(x509_cert::Certificate::from_der(&ec.user.to_der().unwrap()).is_ok());
}
