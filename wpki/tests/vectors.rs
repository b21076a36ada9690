//! A stored OpenSSL-made SM2 chain (tests/vectors/README.md) validated without the CLI, and a
//! proptest round trip: certificates we issue decode and re-encode to the same DER.

mod common;

use common::*;
use der::{DateTime, Encode};
use mpay_wpki::{
    Ca, ParsedCertificate, Profile, Rule, Signer, TrustAnchor, ValidationOptions, validate,
};
use proptest::prelude::*;

const ROOT: &[u8] = include_bytes!("vectors/openssl-sm2-root.der");
const LEAF: &[u8] = include_bytes!("vectors/openssl-sm2-leaf.der");

#[test]
fn openssl_sm2_chain_vector() {
    let root = ParsedCertificate::from_der(ROOT).unwrap();
    let leaf = ParsedCertificate::from_der(LEAF).unwrap();
    let anchors = [TrustAnchor::from_certificate(root.certificate())];
    let at = DateTime::new(2027, 1, 1, 0, 0, 0).unwrap();
    let chain = [leaf];
    let v = validate(&chain, &anchors, &ValidationOptions::at(at)).unwrap();
    assert!(matches!(v.target_key, mpay_wpki::VerifyingKey::Sm2 { .. }));
    // Re-encoding gives OpenSSL's exact bytes.
    assert_eq!(chain[0].certificate().to_der().unwrap(), LEAF);
    // Before notBefore (2026-11-21 07:20:06) and with the empty ID it fails.
    let early = DateTime::new(2026, 11, 21, 7, 20, 5).unwrap();
    match validate(&chain, &anchors, &ValidationOptions::at(early)) {
        Err(mpay_wpki::Error::Path {
            index: 0,
            rule: Rule::NotYetValid,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let mut empty = ValidationOptions::at(at);
    empty.sm2_id.clear();
    assert!(validate(&chain, &anchors, &empty).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn issued_certificates_round_trip(
        cn in "[A-Za-z0-9 ]{1,24}",
        org in "[A-Za-z]{1,12}",
        days in 1u32..40_000,
        which in 0u8..4,
    ) {
        let mut rng = rng();
        let key = key(Alg::Sm2, &mut rng);
        let profile = match which {
            0 => Profile::Ca { path_len: Some(which) },
            1 => Profile::WalletUser,
            2 => Profile::PosTerminal,
            _ => Profile::Ca { path_len: None },
        };
        let mut p = params(&format!("CN={cn},O={org}"), profile);
        let end = t(2026, 1, 1).unix_duration() + std::time::Duration::from_secs(u64::from(days) * 86_400);
        p.not_after = DateTime::from_unix_duration(end).unwrap();
        let root = Ca::self_signed(key.clone(), &params("CN=R", Profile::Ca { path_len: None }), &mut rng).unwrap();
        let cert = root.issue(&p, &key.public_key_info().unwrap(), &mut rng).unwrap();
        let der = cert.to_der().unwrap();
        let parsed = ParsedCertificate::from_der(&der).unwrap();
        prop_assert_eq!(parsed.certificate().to_der().unwrap(), der);
        prop_assert_eq!(parsed.certificate(), &cert);
        let anchors = [TrustAnchor::from_certificate(root.certificate())];
        prop_assert!(validate(&[parsed], &anchors, &ValidationOptions::at(t(2026, 1, 1))).is_ok());
    }
}
