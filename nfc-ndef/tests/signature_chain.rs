//! Signature records whose X.509 certificate chain is validated to a trust anchor through
//! `mpay-wpki` (`verify_with_chain`): valid chains, wrong anchors, expiry, revocation, wrong
//! keys, tampering, the next-certificate URI, the M2M format, and the SM2 extension.
//! Certificates are made by `mpay_wpki::Ca`.
#![cfg(feature = "signature")]

use der::Encode;
use mpay_nfc_ndef::signature::chain::{DateTime, TrustAnchor, ValidationOptions};
use mpay_nfc_ndef::signature::{SigningKey, sign_p256, verify_with_chain};
use mpay_nfc_ndef::wkt::{CertificateFormat, SignatureRecord, Text, Uri};
use mpay_nfc_ndef::{Error, Message};
use mpay_wpki::crl::{ParsedCrl, RevokedEntry};
use mpay_wpki::{Ca, CertificateParams, Profile, Signer};

type Rng = rand_core::UnwrapErr<getrandom::SysRng>;

fn rng() -> Rng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

fn t(y: u16, m: u8, d: u8) -> DateTime {
    DateTime::new(y, m, d, 0, 0, 0).unwrap()
}

fn params(dn: &str, profile: Profile, to: DateTime) -> CertificateParams {
    CertificateParams::new(dn.parse().unwrap(), t(2026, 1, 1), to, profile)
}

fn der(c: &x509_cert::Certificate) -> Vec<u8> {
    c.to_der().unwrap()
}

/// Root → issuing CA → merchant tag certificate (P-256 throughout); the tag's key is fixed.
struct Pki {
    root: Ca,
    issuing: Ca,
    tag_key: SigningKey,
    tag_cert: x509_cert::Certificate,
}

fn pki(rng: &mut Rng) -> Pki {
    let root = Ca::self_signed(
        mpay_wpki::SigningKey::generate_p256(rng),
        &params(
            "CN=NDEF Root,O=Test",
            Profile::Ca { path_len: Some(1) },
            t(2036, 1, 1),
        ),
        rng,
    )
    .unwrap();
    let issuing = root
        .issue_subordinate(
            mpay_wpki::SigningKey::generate_p256(rng),
            &params(
                "CN=Tag CA,O=Test",
                Profile::Ca { path_len: Some(0) },
                t(2034, 1, 1),
            ),
            rng,
        )
        .unwrap();
    let tag_key = SigningKey::from_slice(&[0x5A; 32]).unwrap();
    let spki = mpay_wpki::SigningKey::P256(tag_key.clone())
        .public_key_info()
        .unwrap();
    let tag_cert = issuing
        .issue(
            &params("CN=Merchant tag 42", Profile::WalletUser, t(2028, 1, 1)),
            &spki,
            rng,
        )
        .unwrap();
    Pki {
        root,
        issuing,
        tag_key,
        tag_cert,
    }
}

fn payment_link() -> Message<'static> {
    Message::from(vec![
        Uri::new("https://pay.example/m/42?amount=12.50").to_record(),
        Text::new("Coffee shop", "en").to_record().unwrap(),
    ])
}

fn signed(p: &Pki, key: &SigningKey, uri: Option<&str>, with_issuing: bool) -> Vec<u8> {
    let mut msg = payment_link();
    let mut chain = vec![der(&p.tag_cert)];
    if with_issuing {
        chain.push(der(p.issuing.certificate()));
    }
    sign_p256(&mut msg, key, chain, uri.map(String::from)).unwrap();
    msg.encode().unwrap()
}

fn at(y: u16) -> ValidationOptions {
    ValidationOptions::at(DateTime::new(y, 6, 1, 12, 0, 0).unwrap())
}

fn anchors(p: &Pki) -> Vec<TrustAnchor> {
    vec![TrustAnchor::from_certificate(p.root.certificate())]
}

fn cert_reason(e: Error) -> String {
    match e {
        Error::Certificate { reason, .. } => reason,
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

#[test]
fn valid_chain_verifies() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    let v = verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| None).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].chain_len, 2);
    assert_eq!(v[0].anchor, 0);
    assert_eq!(v[0].signer.subject_string(), "CN=Merchant tag 42");
    assert_eq!(v[0].section.covered.start, 0);
    // The same message verifies with the key alone (the chain is an addition).
    mpay_nfc_ndef::signature::verify_p256(&bytes, p.tag_key.verifying_key()).unwrap();
}

#[test]
fn anchor_found_among_several() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let other = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    let list = [anchors(&other), anchors(&p)].concat();
    // Both anchors have the same name: the other root's key fails, this root's succeeds.
    let v = verify_with_chain(&bytes, &list, &at(2027), |_| None).unwrap();
    assert_eq!(v[0].anchor, 1);
}

#[test]
fn wrong_anchor_is_refused() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    // Same name, other key: the issuing CA's signature does not verify.
    let impostor = pki(&mut rng);
    let reason = cert_reason(
        verify_with_chain(&bytes, &anchors(&impostor), &at(2027), |_| None).unwrap_err(),
    );
    assert!(reason.contains("certificate 1"), "{reason}");
    assert!(reason.contains("signature does not verify"), "{reason}");
    // Another name altogether: no anchor for the chain's issuer.
    let stranger = Ca::self_signed(
        mpay_wpki::SigningKey::generate_p256(&mut rng),
        &params(
            "CN=Other Root",
            Profile::Ca { path_len: None },
            t(2036, 1, 1),
        ),
        &mut rng,
    )
    .unwrap();
    let reason = cert_reason(
        verify_with_chain(
            &bytes,
            &[TrustAnchor::from_certificate(stranger.certificate())],
            &at(2027),
            |_| None,
        )
        .unwrap_err(),
    );
    assert!(reason.contains("no trust anchor"), "{reason}");
    // The issuing CA alone as anchor validates the one-certificate path below it.
    let ca_anchor = [TrustAnchor::from_certificate(p.issuing.certificate())];
    let only_leaf = signed(&p, &p.tag_key, None, false);
    verify_with_chain(&only_leaf, &ca_anchor, &at(2027), |_| None).unwrap();
}

#[test]
fn expired_and_not_yet_valid_are_refused() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &at(2029), |_| None).unwrap_err());
    assert!(reason.contains("certificate 0"), "{reason}");
    assert!(reason.contains("expired"), "{reason}");
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &at(2025), |_| None).unwrap_err());
    assert!(reason.contains("not yet valid"), "{reason}");
}

#[test]
fn wrong_key_is_refused() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let thief = SigningKey::from_slice(&[0x66; 32]).unwrap();
    let bytes = signed(&p, &thief, None, true);
    let err = verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Signature {
                reason: "signature does not verify",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn tampered_record_or_certificate_is_refused() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    // A byte of the URI ("…amount=12.50" → "…amount=92.50").
    let at_amount = bytes.windows(5).position(|w| w == b"12.50").unwrap();
    let mut tampered = bytes.clone();
    tampered[at_amount] = b'9';
    let err = verify_with_chain(&tampered, &anchors(&p), &at(2027), |_| None).unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err:?}");
    // A byte inside the signer certificate's subject ("Merchant tag 42" → "…43").
    let at_subject = bytes
        .windows(15)
        .rposition(|w| w == b"Merchant tag 42")
        .unwrap();
    let mut tampered = bytes.clone();
    tampered[at_subject + 14] = b'3';
    let reason =
        cert_reason(verify_with_chain(&tampered, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains("certificate 0"), "{reason}");
    // Every single-bit flip anywhere in the message is refused.
    for i in (0..bytes.len()).step_by(11) {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(
            verify_with_chain(&b, &anchors(&p), &at(2027), |_| None).is_err(),
            "flip at {i}"
        );
    }
}

#[test]
fn next_certificate_uri_is_left_to_the_caller() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let uri = "https://pki.example/tag-ca.der";
    let bytes = signed(&p, &p.tag_key, Some(uri), false);
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains(uri), "{reason}");
    let mut asked = Vec::new();
    let v = verify_with_chain(&bytes, &anchors(&p), &at(2027), |u| {
        asked.push(u.to_string());
        Some(vec![der(p.issuing.certificate())])
    })
    .unwrap();
    assert_eq!(asked, [uri]);
    assert_eq!(v[0].chain_len, 2);
    // A fetcher returning garbage: the fetched certificate's index is named.
    let reason = cert_reason(
        verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| {
            Some(vec![vec![0x30, 0x00]])
        })
        .unwrap_err(),
    );
    assert!(reason.starts_with("certificate 1:"), "{reason}");
}

/// Rewrites the last (Signature) record of `bytes` with `edit`.
fn edit_signature(bytes: &[u8], edit: impl FnOnce(&mut SignatureRecord)) -> Vec<u8> {
    let mut msg = Message::decode(bytes).unwrap().into_owned();
    let last = msg.records.len() - 1;
    let mut sig = SignatureRecord::from_record(&msg.records[last]).unwrap();
    edit(&mut sig);
    msg.records[last] = sig.to_record().unwrap();
    msg.encode().unwrap()
}

#[test]
fn m2m_and_reserved_formats_are_refused_and_empty_chains_too() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    let m2m = edit_signature(&bytes, |s| s.certificate_format = CertificateFormat::M2m);
    let reason =
        cert_reason(verify_with_chain(&m2m, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains("M2M"), "{reason}");
    let reserved = edit_signature(&bytes, |s| {
        s.certificate_format = CertificateFormat::Reserved(5)
    });
    let reason =
        cert_reason(verify_with_chain(&reserved, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains("reserved"), "{reason}");
    let empty = edit_signature(&bytes, |s| s.certificates.clear());
    let reason =
        cert_reason(verify_with_chain(&empty, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains("no certificate"), "{reason}");
    // A message without any signature.
    let plain = payment_link().encode().unwrap();
    assert!(matches!(
        verify_with_chain(&plain, &anchors(&p), &at(2027), |_| None),
        Err(Error::Signature { .. })
    ));
}

#[test]
fn ca_certificate_can_not_sign_records() {
    let mut rng = rng();
    let p = pki(&mut rng);
    // The issuing CA signs with its own key and puts its own certificate first: the path
    // validates, but its keyUsage (keyCertSign, cRLSign) does not allow signing records.
    let mpay_wpki::SigningKey::P256(ca_key) = p.issuing.signer().clone() else {
        unreachable!("the issuing CA has a P-256 key")
    };
    let mut msg = payment_link();
    sign_p256(&mut msg, &ca_key, vec![der(p.issuing.certificate())], None).unwrap();
    let bytes = msg.encode().unwrap();
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| None).unwrap_err());
    assert!(reason.contains("keyUsage"), "{reason}");
}

#[test]
fn crls_are_checked_through_validation_options() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let bytes = signed(&p, &p.tag_key, None, true);
    let crl = |ca: &Ca, revoked: &[RevokedEntry]| {
        let list = ca
            .issue_crl(&[1], t(2027, 5, 1), t(2027, 7, 1), revoked)
            .unwrap();
        ParsedCrl::from_der(&list.to_der().unwrap()).unwrap()
    };
    let mut options = at(2027);
    options.crls = Some(vec![crl(&p.root, &[]), crl(&p.issuing, &[])]);
    verify_with_chain(&bytes, &anchors(&p), &options, |_| None).unwrap();
    let revoked = RevokedEntry {
        serial: p.tag_cert.tbs_certificate().serial_number().clone(),
        date: t(2027, 5, 15),
    };
    options.crls = Some(vec![crl(&p.root, &[]), crl(&p.issuing, &[revoked])]);
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &options, |_| None).unwrap_err());
    assert!(reason.contains("revoked"), "{reason}");
    // Without the issuing CA's CRL the tag certificate's status is unknown.
    options.crls = Some(vec![crl(&p.root, &[])]);
    let reason =
        cert_reason(verify_with_chain(&bytes, &anchors(&p), &options, |_| None).unwrap_err());
    assert!(reason.contains("no current CRL"), "{reason}");
}

#[test]
fn two_sections_with_their_own_chains() {
    let mut rng = rng();
    let p = pki(&mut rng);
    let other_key = SigningKey::from_slice(&[0x77; 32]).unwrap();
    let other_cert = p
        .issuing
        .issue(
            &params("CN=Merchant tag 43", Profile::WalletUser, t(2028, 1, 1)),
            &mpay_wpki::SigningKey::P256(other_key.clone())
                .public_key_info()
                .unwrap(),
            &mut rng,
        )
        .unwrap();
    let mut msg = payment_link();
    let ca = der(p.issuing.certificate());
    sign_p256(
        &mut msg,
        &p.tag_key,
        vec![der(&p.tag_cert), ca.clone()],
        None,
    )
    .unwrap();
    msg.records
        .push(Uri::new("https://pay.example/m/43").to_record());
    sign_p256(&mut msg, &other_key, vec![der(&other_cert), ca], None).unwrap();
    let bytes = msg.encode().unwrap();
    let v = verify_with_chain(&bytes, &anchors(&p), &at(2027), |_| None).unwrap();
    let subjects: Vec<String> = v.iter().map(|s| s.signer.subject_string()).collect();
    assert_eq!(subjects, ["CN=Merchant tag 42", "CN=Merchant tag 43"]);
    // The second section's chain points at the first key: refused at the second record.
    let mut msg = payment_link();
    sign_p256(&mut msg, &p.tag_key, vec![der(&p.tag_cert)], None).unwrap();
    msg.records
        .push(Uri::new("https://pay.example/m/43").to_record());
    sign_p256(&mut msg, &other_key, vec![der(&p.tag_cert)], None).unwrap();
    let bytes = msg.encode().unwrap();
    let ca_anchor = [TrustAnchor::from_certificate(p.issuing.certificate())];
    let err = verify_with_chain(&bytes, &ca_anchor, &at(2027), |_| None).unwrap_err();
    let Error::Signature { offset, .. } = err else {
        panic!("{err:?}")
    };
    assert!(
        offset > bytes.len() / 2,
        "second Signature record, at {offset}"
    );
}

#[cfg(feature = "sm2")]
#[test]
fn sm2_extension_with_an_sm2_chain() {
    use mpay_gmt::sm2::PrivateKey;
    use mpay_nfc_ndef::signature::sign_sm2;
    let mut rng = rng();
    let root = Ca::self_signed(
        mpay_wpki::SigningKey::generate_sm2(&mut rng).unwrap(),
        &params(
            "CN=SM2 Root,C=CN",
            Profile::Ca { path_len: None },
            t(2036, 1, 1),
        ),
        &mut rng,
    )
    .unwrap();
    let key = PrivateKey::from_bytes(&[0x31; 32]).unwrap();
    let cert = root
        .issue(
            &params("CN=UnionPay tag 1,C=CN", Profile::WalletUser, t(2030, 1, 1)),
            &mpay_wpki::SigningKey::sm2(key.clone())
                .public_key_info()
                .unwrap(),
            &mut rng,
        )
        .unwrap();
    let anchors = [TrustAnchor::from_certificate(root.certificate())];
    let mut msg = payment_link();
    sign_sm2(&mut msg, &key, vec![der(&cert)], None).unwrap();
    let bytes = msg.encode().unwrap();
    let v = verify_with_chain(&bytes, &anchors, &at(2027), |_| None).unwrap();
    assert_eq!(v[0].signer.subject_string(), "CN=UnionPay tag 1,C=CN");
    // An SM2-certified key with a P-256 record type (and vice versa) is refused.
    let p256 = SigningKey::from_slice(&[0x31; 32]).unwrap();
    let mut msg = payment_link();
    sign_p256(&mut msg, &p256, vec![der(&cert)], None).unwrap();
    let err = verify_with_chain(&msg.encode().unwrap(), &anchors, &at(2027), |_| None).unwrap_err();
    assert!(
        matches!(&err, Error::Signature { reason, .. } if reason.contains("SM2 key")),
        "{err:?}"
    );
    // Another SM2 key under the same certificate.
    let mut msg = payment_link();
    sign_sm2(
        &mut msg,
        &PrivateKey::from_bytes(&[0x32; 32]).unwrap(),
        vec![der(&cert)],
        None,
    )
    .unwrap();
    assert!(verify_with_chain(&msg.encode().unwrap(), &anchors, &at(2027), |_| None).is_err());
}

#[cfg(feature = "sm2")]
#[test]
fn p256_certificate_with_sm2_record_type_is_refused() {
    use mpay_gmt::sm2::PrivateKey;
    use mpay_nfc_ndef::signature::sign_sm2;
    let mut rng = rng();
    let p = pki(&mut rng);
    let mut msg = payment_link();
    sign_sm2(
        &mut msg,
        &PrivateKey::from_bytes(&[0x5A; 32]).unwrap(),
        vec![der(&p.tag_cert), der(p.issuing.certificate())],
        None,
    )
    .unwrap();
    let err =
        verify_with_chain(&msg.encode().unwrap(), &anchors(&p), &at(2027), |_| None).unwrap_err();
    assert!(
        matches!(&err, Error::Signature { reason, .. } if reason.contains("P-256 key")),
        "{err:?}"
    );
}
