//! CRL issuance (AKI = the signing CA's own SKI, cRLNumber) and revocation in path validation.

mod common;

use common::*;
use der::{Decode, Encode};
use mpay_wpki::crl::{ParsedCrl, RevokedEntry};
use mpay_wpki::{Ca, Error, ParsedCertificate, Rule, ValidationOptions, VerifyingKey, validate};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, SubjectKeyIdentifier};

fn crl(
    ca: &Ca,
    number: u8,
    from: der::DateTime,
    to: der::DateTime,
    revoked: &[&x509_cert::Certificate],
) -> ParsedCrl {
    let entries: Vec<_> = revoked
        .iter()
        .map(|c| RevokedEntry {
            serial: c.tbs_certificate().serial_number().clone(),
            date: from,
        })
        .collect();
    let list = ca.issue_crl(&[number], from, to, &entries).unwrap();
    ParsedCrl::from_der(&list.to_der().unwrap()).unwrap()
}

fn rule_of(e: Error) -> (usize, Rule) {
    match e {
        Error::Path { index, rule, .. } => (index, rule),
        other => panic!("expected a path error, got {other:?}"),
    }
}

#[test]
fn crl_fields_and_signature() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let p = crl(&c.bank, 7, t(2027, 1, 1), t(2027, 2, 1), &[&c.user]);
        let tbs = &p.crl().tbs_cert_list;
        let find = |oid| {
            tbs.crl_extensions
                .as_ref()
                .unwrap()
                .iter()
                .find(|e| e.extn_id == oid)
                .unwrap()
        };
        use der::oid::AssociatedOid;
        let aki = AuthorityKeyIdentifier::from_der(
            find(AuthorityKeyIdentifier::OID).extn_value.as_bytes(),
        )
        .unwrap();
        // The intermediate's own key id — not the root's (the x509-cert CrlBuilder pitfall).
        let bank_ski = c
            .bank
            .certificate()
            .tbs_certificate()
            .extensions()
            .unwrap()
            .iter()
            .find(|e| e.extn_id == SubjectKeyIdentifier::OID)
            .unwrap()
            .extn_value
            .clone();
        let bank_ski = SubjectKeyIdentifier::from_der(bank_ski.as_bytes()).unwrap();
        assert_eq!(aki.key_identifier.unwrap(), bank_ski.0);
        assert_eq!(c.bank.key_id(), bank_ski.0.as_bytes());
        let n = CrlNumber::from_der(find(CrlNumber::OID).extn_value.as_bytes()).unwrap();
        assert_eq!(n.0.as_bytes(), &[7]);
        assert_eq!(
            &tbs.issuer,
            c.bank.certificate().tbs_certificate().subject()
        );
        let bank_key = VerifyingKey::from_spki(
            c.bank
                .certificate()
                .tbs_certificate()
                .subject_public_key_info(),
            mpay_wpki::alg::DEFAULT_SM2_ID,
        )
        .unwrap();
        p.verify(&bank_key).unwrap();
        let root_key = VerifyingKey::from_spki(
            c.root
                .certificate()
                .tbs_certificate()
                .subject_public_key_info(),
            mpay_wpki::alg::DEFAULT_SM2_ID,
        )
        .unwrap();
        // (The RSA test chain reuses one stored key for every level, so only EC can tell.)
        if !matches!(alg, Alg::Rsa) {
            assert!(p.verify(&root_key).is_err(), "{alg:?}");
        }
        assert!(p.is_revoked(c.user.tbs_certificate().serial_number()));
        assert!(!p.is_revoked(c.bank.certificate().tbs_certificate().serial_number()));
        assert!(
            p.is_current(t(2027, 1, 15))
                && !p.is_current(t(2027, 2, 2))
                && !p.is_current(t(2026, 12, 31))
        );
    }
}

#[test]
fn revocation_in_path_validation() {
    let c = chain(Alg::Sm2);
    let (from, to) = (t(2027, 5, 1), t(2027, 7, 1));
    let root_crl = crl(&c.root, 1, from, to, &[]);
    let mut opts = ValidationOptions::at(now());
    // Good: both links covered, nothing revoked.
    opts.crls = Some(vec![root_crl.clone(), crl(&c.bank, 1, from, to, &[])]);
    validate(&c.parsed(), &c.anchors(), &opts).unwrap();
    // The user revoked by the bank.
    opts.crls = Some(vec![
        root_crl.clone(),
        crl(&c.bank, 2, from, to, &[&c.user]),
    ]);
    assert_eq!(
        rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err()),
        (0, Rule::Revoked)
    );
    // The bank CA revoked by the root.
    opts.crls = Some(vec![
        crl(&c.root, 2, from, to, &[c.bank.certificate()]),
        crl(&c.bank, 1, from, to, &[]),
    ]);
    assert_eq!(
        rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err()),
        (1, Rule::Revoked)
    );
    // Stale bank CRL; missing bank CRL.
    opts.crls = Some(vec![
        root_crl.clone(),
        crl(&c.bank, 1, t(2027, 1, 1), t(2027, 2, 1), &[]),
    ]);
    assert_eq!(
        rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err()),
        (0, Rule::NoCurrentCrl { stale: true })
    );
    opts.crls = Some(vec![root_crl.clone()]);
    assert_eq!(
        rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err()),
        (0, Rule::NoCurrentCrl { stale: false })
    );
    // A CRL with the bank's name but signed by another key is not used.
    let impostor = Ca::self_signed(
        key(Alg::Sm2, &mut rng()),
        &params(
            "CN=Test Bank CA,O=Test Bank,C=CN",
            mpay_wpki::Profile::Ca { path_len: None },
        ),
        &mut rng(),
    )
    .unwrap();
    opts.crls = Some(vec![root_crl, crl(&impostor, 1, from, to, &[])]);
    assert_eq!(
        rule_of(validate(&c.parsed(), &c.anchors(), &opts).unwrap_err()),
        (0, Rule::NoCurrentCrl { stale: false })
    );
    // Decoding is strict.
    assert!(ParsedCrl::from_der(&[0x30, 0x00]).is_err());
    let _ = ParsedCertificate::from_der(&[]).unwrap_err();
}

#[test]
fn issuer_without_crl_sign_cannot_vouch() {
    use mpay_wpki::cert::ext;
    use mpay_wpki::{Profile, Signer};
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
    let c = chain(Alg::P256);
    let mut rng = rng();
    let mut p = params("CN=No CRL CA", Profile::Custom);
    p.extra_extensions = vec![
        ext(
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
            true,
        )
        .unwrap(),
        ext(&KeyUsage(KeyUsages::KeyCertSign.into()), true).unwrap(),
    ];
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
    let (from, to) = (t(2027, 5, 1), t(2027, 7, 1));
    let mut opts = ValidationOptions::at(now());
    opts.crls = Some(vec![
        crl(&c.root, 1, from, to, &[]),
        crl(&int, 1, from, to, &[]),
    ]);
    let (index, rule) = rule_of(validate(&chain, &c.anchors(), &opts).unwrap_err());
    assert_eq!(index, 0);
    assert!(matches!(rule, Rule::KeyUsage(s) if s.starts_with("cRLSign")));
    // Without revocation checking the same path is fine.
    assert!(validate(&chain, &c.anchors(), &ValidationOptions::at(now())).is_ok());
}
