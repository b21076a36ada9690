//! Issuance (serials, AKI/SKI, extensions, DER signatures) and the Signer/Verifier layer.

mod common;

use common::*;
use der::asn1::{Any, Null};
use der::{Decode, Encode};
use mpay_wpki::alg::{ECDSA_WITH_SHA256, SHA256_WITH_RSA, SM2_WITH_SM3};
use mpay_wpki::cert::key_identifier;
use mpay_wpki::{Ca, Error, Profile, Signer, SigningKey, Verifier, VerifyingKey};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

fn ext<'a, T: Decode<'a> + der::oid::AssociatedOid>(c: &'a Certificate) -> Option<(bool, T)> {
    let e = c
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == T::OID)?;
    Some((e.critical, T::from_der(e.extn_value.as_bytes()).unwrap()))
}

#[test]
fn serials_are_positive_random_and_short() {
    let c = chain(Alg::P256);
    let mut rng = rng();
    let spki = c.user_key.public_key_info().unwrap();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..8 {
        let cert = c
            .bank
            .issue(&params("CN=x", Profile::WalletUser), &spki, &mut rng)
            .unwrap();
        let s = cert.tbs_certificate().serial_number().as_bytes().to_vec();
        assert!(
            !s.is_empty() && s.len() <= 20 && s[0] & 0x80 == 0 && s[0] != 0,
            "{s:02x?}"
        );
        assert!(seen.insert(s));
    }
}

#[test]
fn key_identifiers_and_profiles() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let root = c.root.certificate();
        let bank = c.bank.certificate();
        let ski = |x: &Certificate| {
            ext::<SubjectKeyIdentifier>(x)
                .unwrap()
                .1
                .0
                .as_bytes()
                .to_vec()
        };
        let aki = |x: &Certificate| {
            let (critical, a) = ext::<AuthorityKeyIdentifier>(x).unwrap();
            assert!(!critical);
            a.key_identifier.unwrap().as_bytes().to_vec()
        };
        // SKI = SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 (1)).
        assert_eq!(
            ski(root),
            key_identifier(root.tbs_certificate().subject_public_key_info())
        );
        assert_eq!(ski(root).len(), 20);
        assert_eq!(aki(root), ski(root));
        assert_eq!(aki(bank), ski(root));
        assert_eq!(aki(&c.user), ski(bank));
        assert_eq!(c.bank.key_id(), ski(bank).as_slice());
        // BasicConstraints and keyUsage.
        assert_eq!(
            ext::<BasicConstraints>(root).unwrap(),
            (
                true,
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(1)
                }
            )
        );
        assert_eq!(
            ext::<BasicConstraints>(bank).unwrap().1.path_len_constraint,
            Some(0)
        );
        let (crit, ku) = ext::<KeyUsage>(bank).unwrap();
        assert!(crit && ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());
        let (crit, bc) = ext::<BasicConstraints>(&c.user).unwrap();
        assert!(crit && !bc.ca);
        let (_, ku) = ext::<KeyUsage>(&c.user).unwrap();
        assert!(ku.digital_signature() && ku.non_repudiation() && !ku.key_cert_sign());
        let (_, eku) = ext::<ExtendedKeyUsage>(&c.user).unwrap();
        assert_eq!(eku.0, vec![mpay_wpki::cert::KP_CLIENT_AUTH]);
        // Version 3, names chain, algorithm identifiers.
        assert_eq!(
            c.user.tbs_certificate().version(),
            x509_cert::certificate::Version::V3
        );
        assert_eq!(
            c.user.tbs_certificate().issuer(),
            bank.tbs_certificate().subject()
        );
        let want = match alg {
            Alg::Sm2 => SM2_WITH_SM3,
            Alg::P256 => ECDSA_WITH_SHA256,
            Alg::Rsa => SHA256_WITH_RSA,
        };
        assert_eq!(c.user.signature_algorithm().oid, want);
        assert_eq!(
            c.user.tbs_certificate().signature(),
            c.user.signature_algorithm()
        );
    }
}

#[test]
fn sm2_certificate_signatures_are_der() {
    let c = chain(Alg::Sm2);
    let sig = c.user.signature().as_bytes().unwrap();
    assert_eq!(sig[0], 0x30, "SEQUENCE, not raw r‖s");
    assert_ne!(sig.len(), 64);
    mpay_gmt::sm2::Signature::from_der(sig).unwrap();
    // Parameters absent (GM/T 0015).
    assert!(c.user.signature_algorithm().parameters.is_none());
}

#[test]
fn profile_and_time_checks() {
    let mut rng = rng();
    let k = key(Alg::P256, &mut rng);
    assert!(matches!(
        Ca::self_signed(k.clone(), &params("CN=r", Profile::WalletUser), &mut rng),
        Err(Error::Params(_))
    ));
    let mut p = params("CN=r", Profile::Ca { path_len: None });
    std::mem::swap(&mut p.not_before, &mut p.not_after);
    assert!(matches!(
        Ca::self_signed(k.clone(), &p, &mut rng),
        Err(Error::Params(_))
    ));
    // UTCTime through 2049, GeneralizedTime from 2050.
    let mut p = params("CN=r", Profile::Ca { path_len: None });
    p.not_after = t(2050, 1, 1);
    let root = Ca::self_signed(k, &p, &mut rng).unwrap();
    let v = root.certificate().tbs_certificate().validity();
    assert!(matches!(v.not_before, x509_cert::time::Time::UtcTime(_)));
    assert!(matches!(v.not_after, x509_cert::time::Time::GeneralTime(_)));
    // A key that does not match the certificate.
    let other = key(Alg::P256, &mut rng);
    assert!(Ca::from_parts(other, root.certificate().clone()).is_err());
}

#[test]
fn signer_verifier_all_algorithms() {
    let mut rng = rng();
    let keys = [
        key(Alg::Sm2, &mut rng),
        key(Alg::P256, &mut rng),
        key(Alg::Rsa, &mut rng),
    ];
    for k in &keys {
        let sig = k.sign(b"order 42").unwrap();
        let alg = k.signature_algorithm();
        let vk = k.verifying_key();
        vk.verify(&alg, b"order 42", &sig).unwrap();
        assert!(matches!(
            vk.verify(&alg, b"order 43", &sig),
            Err(Error::BadSignature(_))
        ));
        // SPKI round trip.
        let spki = k.public_key_info().unwrap();
        let again =
            VerifyingKey::from_spki_der(&spki.to_der().unwrap(), mpay_wpki::alg::DEFAULT_SM2_ID)
                .unwrap();
        assert_eq!(again, vk);
        // Every other algorithm identifier is refused.
        for other in &keys {
            let oa = other.signature_algorithm();
            if oa.oid != alg.oid {
                assert!(matches!(
                    vk.verify(&oa, b"order 42", &sig),
                    Err(Error::Algorithm { .. })
                ));
            }
        }
    }
    // SM2-with-SM3 with NULL parameters (GmSSL's optional form) is accepted; RSA with absent too.
    let sm2 = &keys[0];
    let sig = sm2.sign(b"m").unwrap();
    let with_null = spki::AlgorithmIdentifierOwned {
        oid: SM2_WITH_SM3,
        parameters: Some(Any::from(Null)),
    };
    sm2.verifying_key().verify(&with_null, b"m", &sig).unwrap();
    // A P-256 signature with parameters is refused.
    let p = &keys[1];
    let sig = p.sign(b"m").unwrap();
    let bad = spki::AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: Some(Any::from(Null)),
    };
    assert!(p.verifying_key().verify(&bad, b"m", &sig).is_err());
}

/// GM/T 0003.5 annex key: an SM2 signature made with the standard ID verifies with the gmt
/// crate directly (so the ID really is `1234567812345678`).
#[test]
fn sm2_uses_the_standard_id_by_default() {
    let d = hex_literal("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
    let sk = mpay_gmt::sm2::PrivateKey::from_bytes(&d).unwrap();
    let k = SigningKey::sm2(sk.clone());
    let sig = mpay_gmt::sm2::Signature::from_der(&k.sign(b"message digest").unwrap()).unwrap();
    sk.public_key()
        .verify(b"1234567812345678", b"message digest", &sig)
        .unwrap();
    assert!(
        sk.public_key()
            .verify(b"", b"message digest", &sig)
            .is_err()
    );
    let k = SigningKey::sm2_with_id(sk.clone(), b"ALICE123@YAHOO.COM");
    let sig = mpay_gmt::sm2::Signature::from_der(&k.sign(b"x").unwrap()).unwrap();
    sk.public_key()
        .verify(b"ALICE123@YAHOO.COM", b"x", &sig)
        .unwrap();
}

fn hex_literal(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn pkcs8_keys() {
    let mut rng = rng();
    let sm2 = mpay_gmt::sm2::PrivateKey::generate(&mut rng).unwrap();
    let der = sm2.to_pkcs8_der().unwrap();
    let k = SigningKey::from_pkcs8_der(&der).unwrap();
    assert_eq!(k.verifying_key(), SigningKey::sm2(sm2).verifying_key());
    assert!(matches!(
        SigningKey::from_pkcs8_der(RSA_PKCS8).unwrap(),
        SigningKey::Rsa(_)
    ));
    assert!(SigningKey::from_pkcs8_der(&[0x30, 0x00]).is_err());
    // Debug never shows key material.
    assert_eq!(format!("{k:?}"), "SigningKey(SM2, secret masked)");
}
