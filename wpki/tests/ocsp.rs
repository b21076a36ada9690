//! OCSP (RFC 6960): responder statuses and error statuses, every client-side check valid and
//! invalid, RFC 8954 nonce limits, revocation by OCSP in path validation, and a proptest round
//! trip of requests and responses.

mod common;

use common::*;
use core::time::Duration;
use der::asn1::{BitString, GeneralizedTime, OctetString};
use der::{DateTime, Decode, Encode};
use mpay_wpki::ocsp::{
    self, BasicOcspResponse, CertId, CheckOptions, HashAlg, OcspEvidence, OcspRequest,
    OcspResponse, OcspResponseStatus, ParsedResponse, Responder, ResponderIdKind, RevocationList,
    Status, Unavailable,
};
use mpay_wpki::{
    Ca, CertificateParams, Error, OcspRule, ParsedCertificate, Profile, Rule, Signer, SigningKey,
    ValidationOptions, validate,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::serial_number::SerialNumber;

fn at(secs_after_now: i64) -> DateTime {
    let base = now().unix_duration().as_secs() as i64;
    DateTime::from_unix_duration(Duration::from_secs((base + secs_after_now) as u64)).unwrap()
}

fn serial(c: &Certificate) -> &SerialNumber {
    c.tbs_certificate().serial_number()
}

/// A delegated responder for `ca` with profile `profile` and validity `from..to`.
fn delegated_cert(
    ca: &Ca,
    profile: Profile,
    from: DateTime,
    to: DateTime,
) -> (SigningKey, Certificate) {
    let mut rng = rng();
    let key = SigningKey::generate_p256(&mut rng);
    let cert = ca
        .issue(
            &CertificateParams::new("CN=Test OCSP Responder".parse().unwrap(), from, to, profile),
            &key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    (key, cert)
}

fn request_der(ca: &Certificate, serial: &SerialNumber, nonce: Option<&[u8]>) -> Vec<u8> {
    let id = CertId::new(HashAlg::Sha1, ca, serial).unwrap();
    ocsp::request(vec![id], nonce).unwrap().to_der().unwrap()
}

fn check(
    resp: &[u8],
    ca: &Certificate,
    serial: &SerialNumber,
    opts: &CheckOptions,
) -> mpay_wpki::Result<ocsp::CheckedStatus> {
    ParsedResponse::from_der(resp)?.check(ca, serial, opts)
}

fn rule(r: mpay_wpki::Result<ocsp::CheckedStatus>) -> OcspRule {
    match r {
        Err(Error::Ocsp(rule)) => rule,
        other => panic!("expected an OCSP rule failure, got {other:?}"),
    }
}

/// Splits a successful response into its basic response.
fn basic_of(resp: &[u8]) -> BasicOcspResponse {
    ParsedResponse::from_der(resp)
        .unwrap()
        .basic()
        .unwrap()
        .clone()
}

/// Re-signs `basic` (after a test changed it) with `key` and wraps it as a response.
fn resign(mut basic: BasicOcspResponse, key: &SigningKey) -> Vec<u8> {
    let tbs = basic.tbs_response_data.to_der().unwrap();
    basic.signature = BitString::from_bytes(&key.sign(&tbs).unwrap()).unwrap();
    wrap(&basic)
}

/// Wraps `basic` as a successful response, unchanged (signature not redone).
fn wrap(basic: &BasicOcspResponse) -> Vec<u8> {
    OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ocsp::ResponseBytes {
            response_type: ocsp::OCSP_BASIC,
            response: OctetString::new(basic.to_der().unwrap()).unwrap(),
        }),
    }
    .to_der()
    .unwrap()
}

#[test]
fn good_revoked_unknown_direct_and_delegated_for_each_algorithm() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let (rkey, rcert) = delegated_cert(
            &c.bank,
            Profile::OcspResponder,
            t(2026, 1, 1),
            t(2036, 1, 1),
        );
        let direct = Responder::direct(c.bank.certificate(), c.bank.signer().clone()).unwrap();
        let mut delegated = Responder::delegated(c.bank.certificate(), rcert, rkey).unwrap();
        delegated.responder_id = ResponderIdKind::ByName;
        let user = serial(&c.user).clone();
        let other = SerialNumber::new(&[0x11, 0x22]).unwrap();
        let mut list = RevocationList::new();
        list.issued(user.clone());
        let when = t(2027, 3, 1);
        // Asks `responder` about `s` (with `nonce`) and checks the answer.
        let ask = |responder: &Responder, s: &SerialNumber, list: &RevocationList, nonce| {
            let ca = c.bank.certificate();
            let r = responder.respond_der(&request_der(ca, s, nonce), list, now());
            check(&r, ca, s, &CheckOptions::at(now())).unwrap()
        };
        for (responder, is_delegated) in [(&direct, false), (&delegated, true)] {
            let got = ask(responder, &user, &list, None);
            assert_eq!(got.status, Status::Good, "{alg:?}");
            assert_eq!(got.delegated, is_delegated);
            assert_eq!(got.this_update, now());
            assert_eq!(got.next_update, Some(at(86_400)));
            // Not in the issued set.
            let got = ask(responder, &other, &list, None);
            assert_eq!(got.status, Status::Unknown, "{alg:?}");
        }
        // Revoked, with time and reason.
        list.revoke(user.clone(), when, Some(CrlReason::KeyCompromise));
        let got = ask(&direct, &user, &list, Some(b"n1"));
        assert_eq!(
            got.status,
            Status::Revoked {
                time: when,
                reason: Some(CrlReason::KeyCompromise)
            }
        );
    }
}

#[test]
fn sha256_cert_id_and_multiple_requests() {
    let c = chain(Alg::P256);
    let responder = Responder::direct(c.bank.certificate(), c.bank.signer().clone()).unwrap();
    let a = serial(&c.user).clone();
    let b = SerialNumber::new(&[0x42]).unwrap();
    let ids = vec![
        CertId::new(HashAlg::Sha256, c.bank.certificate(), &a).unwrap(),
        CertId::new(HashAlg::Sha1, c.bank.certificate(), &b).unwrap(),
    ];
    let req = ocsp::request(ids, None).unwrap().to_der().unwrap();
    let mut list = RevocationList::new();
    list.revoke(b.clone(), t(2027, 1, 1), None);
    let r = responder.respond_der(&req, &list, now());
    let opts = CheckOptions::at(now());
    assert_eq!(
        check(&r, c.bank.certificate(), &a, &opts).unwrap().status,
        Status::Good
    );
    assert!(matches!(
        check(&r, c.bank.certificate(), &b, &opts).unwrap().status,
        Status::Revoked { reason: None, .. }
    ));
}

#[test]
fn status_from_a_crl() {
    let c = chain(Alg::Sm2);
    let revoked_at = t(2027, 2, 2);
    let crl = c
        .bank
        .issue_crl(
            &[7],
            t(2027, 1, 1),
            t(2027, 12, 1),
            &[mpay_wpki::crl::RevokedEntry {
                serial: serial(&c.user).clone(),
                date: revoked_at,
            }],
        )
        .unwrap();
    let crl = mpay_wpki::crl::ParsedCrl::from_der(&crl.to_der().unwrap()).unwrap();
    let responder = Responder::direct(c.bank.certificate(), c.bank.signer().clone()).unwrap();
    let opts = CheckOptions::at(now());
    let r = responder.respond_der(
        &request_der(c.bank.certificate(), serial(&c.user), None),
        &crl,
        now(),
    );
    assert_eq!(
        check(&r, c.bank.certificate(), serial(&c.user), &opts)
            .unwrap()
            .status,
        Status::Revoked {
            time: revoked_at,
            reason: None
        }
    );
    let bank_serial = serial(c.bank.certificate());
    let r = responder.respond_der(
        &request_der(c.bank.certificate(), bank_serial, None),
        &crl,
        now(),
    );
    assert_eq!(
        check(&r, c.bank.certificate(), bank_serial, &opts)
            .unwrap()
            .status,
        Status::Good
    );
}

#[test]
fn responder_error_statuses() {
    let c = chain(Alg::P256);
    let responder = Responder::direct(c.bank.certificate(), c.bank.signer().clone()).unwrap();
    let list = RevocationList::new();
    let status = |der: &[u8], source: &dyn ocsp::StatusSource| {
        OcspResponse::from_der(&responder.respond_der(der, source, now()))
            .unwrap()
            .response_status
    };
    let good = request_der(c.bank.certificate(), serial(&c.user), None);
    assert_eq!(status(&good, &list), OcspResponseStatus::Successful);
    // Not DER at all.
    assert_eq!(
        status(b"\x30\x03\x02\x01", &list),
        OcspResponseStatus::MalformedRequest
    );
    // Empty request list.
    let mut empty = OcspRequest::from_der(&good).unwrap();
    empty.tbs_request.request_list.clear();
    assert_eq!(
        status(&empty.to_der().unwrap(), &list),
        OcspResponseStatus::MalformedRequest
    );
    // A certificate of another CA (the root issued the bank CA).
    let foreign = request_der(c.root.certificate(), serial(c.bank.certificate()), None);
    assert_eq!(status(&foreign, &list), OcspResponseStatus::Unauthorized);
    // The status database is down.
    let down = |_: &SerialNumber| -> Result<Status, Unavailable> { Err(Unavailable) };
    assert_eq!(status(&good, &down), OcspResponseStatus::TryLater);
    // The client refuses every non-successful status by name.
    let r = responder.respond_der(&foreign, &list, now());
    assert_eq!(
        rule(check(
            &r,
            c.bank.certificate(),
            serial(&c.user),
            &CheckOptions::at(now())
        )),
        OcspRule::ResponseStatus(OcspResponseStatus::Unauthorized)
    );
}

#[test]
fn nonce_limits_and_echo() {
    let c = chain(Alg::P256);
    let ca = c.bank.certificate();
    let s = serial(&c.user);
    let responder = Responder::direct(ca, c.bank.signer().clone()).unwrap();
    let list = RevocationList::new();
    // RFC 8954: 1..=32 octets when building.
    for len in [0usize, 33] {
        let id = CertId::new(HashAlg::Sha1, ca, s).unwrap();
        assert_eq!(
            ocsp::request(vec![id], Some(&vec![1; len])).unwrap_err(),
            Error::Ocsp(OcspRule::NonceLength(len))
        );
    }
    for len in [1usize, 32] {
        let nonce = vec![0xA5; len];
        let r = responder.respond_der(&request_der(ca, s, Some(&nonce)), &list, now());
        let mut opts = CheckOptions::at(now());
        opts.nonce = Some(nonce);
        assert!(check(&r, ca, s, &opts).is_ok(), "{len}-octet nonce");
    }
    // The responder refuses a 33-octet nonce that another client put in.
    let mut req = OcspRequest::from_der(&request_der(ca, s, Some(&[1; 32]))).unwrap();
    let ext = &mut req.tbs_request.request_extensions.as_mut().unwrap()[0];
    ext.extn_value =
        OctetString::new(OctetString::new(vec![1u8; 33]).unwrap().to_der().unwrap()).unwrap();
    assert_eq!(
        OcspResponse::from_der(&responder.respond_der(&req.to_der().unwrap(), &list, now()))
            .unwrap()
            .response_status,
        OcspResponseStatus::MalformedRequest
    );
    // …and one that is not an OCTET STRING.
    req.tbs_request.request_extensions.as_mut().unwrap()[0].extn_value =
        OctetString::new(vec![0x02, 0x01, 0x05]).unwrap();
    assert_eq!(
        OcspResponse::from_der(&responder.respond_der(&req.to_der().unwrap(), &list, now()))
            .unwrap()
            .response_status,
        OcspResponseStatus::MalformedRequest
    );
    // Client: echo missing, different, malformed.
    let mut opts = CheckOptions::at(now());
    opts.nonce = Some(b"sent".to_vec());
    let no_nonce = responder.respond_der(&request_der(ca, s, None), &list, now());
    assert_eq!(rule(check(&no_nonce, ca, s, &opts)), OcspRule::NonceMissing);
    let other = responder.respond_der(&request_der(ca, s, Some(b"other")), &list, now());
    assert_eq!(rule(check(&other, ca, s, &opts)), OcspRule::NonceMismatch);
    let mut basic = basic_of(&other);
    basic
        .tbs_response_data
        .response_extensions
        .as_mut()
        .unwrap()[0]
        .extn_value = OctetString::new(vec![0x05, 0x00]).unwrap();
    let bad = resign(basic, c.bank.signer());
    assert_eq!(rule(check(&bad, ca, s, &opts)), OcspRule::NonceMalformed);
    // Not asked for: an echo is ignored.
    assert!(check(&other, ca, s, &CheckOptions::at(now())).is_ok());
}

#[test]
fn cert_id_must_match() {
    let c = chain(Alg::P256);
    let ca = c.bank.certificate();
    let responder = Responder::direct(ca, c.bank.signer().clone()).unwrap();
    let r = responder.respond_der(
        &request_der(ca, serial(&c.user), None),
        &RevocationList::new(),
        now(),
    );
    let opts = CheckOptions::at(now());
    assert!(check(&r, ca, serial(&c.user), &opts).is_ok());
    let other = SerialNumber::new(&[9]).unwrap();
    assert_eq!(rule(check(&r, ca, &other, &opts)), OcspRule::CertIdMismatch);
    // Same serial, another issuer key hash.
    let mut basic = basic_of(&r);
    basic.tbs_response_data.responses[0].cert_id.issuer_key_hash =
        OctetString::new([0u8; 20]).unwrap();
    let bad = resign(basic, c.bank.signer());
    assert_eq!(
        rule(check(&bad, ca, serial(&c.user), &opts)),
        OcspRule::CertIdMismatch
    );
}

#[test]
fn signature_and_response_type() {
    let c = chain(Alg::Sm2);
    let ca = c.bank.certificate();
    let s = serial(&c.user);
    let responder = Responder::direct(ca, c.bank.signer().clone()).unwrap();
    let r = responder.respond_der(&request_der(ca, s, None), &RevocationList::new(), now());
    let opts = CheckOptions::at(now());
    // Signed part changed after signing.
    let mut basic = basic_of(&r);
    basic.tbs_response_data.produced_at = GeneralizedTime::from_date_time(at(-60));
    assert_eq!(
        rule(check(&wrap(&basic), ca, s, &opts)),
        OcspRule::Signature
    );
    // Signed under another SM2 ID than the client expects.
    let mut empty_id = opts.clone();
    empty_id.sm2_id = Vec::new();
    assert_eq!(rule(check(&r, ca, s, &empty_id)), OcspRule::Signature);
    // A response type other than id-pkix-ocsp-basic.
    let mut resp = OcspResponse::from_der(&r).unwrap();
    let other = der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.99");
    resp.response_bytes.as_mut().unwrap().response_type = other;
    assert_eq!(
        rule(check(&resp.to_der().unwrap(), ca, s, &opts)),
        OcspRule::ResponseType(Some(other))
    );
}

#[test]
fn responder_authorization() {
    let c = chain(Alg::P256);
    let ca = c.bank.certificate();
    let s = serial(&c.user).clone();
    let id = || CertId::new(HashAlg::Sha1, ca, &s).unwrap();
    let opts = CheckOptions::at(now());
    let (from, to) = (t(2026, 1, 1), t(2036, 1, 1));

    // Valid delegation, by key and by name.
    let (rkey, rcert) = delegated_cert(&c.bank, Profile::OcspResponder, from, to);
    let good = Responder::delegated(ca, rcert.clone(), rkey.clone()).unwrap();
    let resp = good.sign(vec![(id(), Status::Good)], None, now()).unwrap();
    let resp = resp.to_der().unwrap();
    assert!(check(&resp, ca, &s, &opts).unwrap().delegated);

    // Signed by a key that is neither the CA's nor in `certs`.
    let stranger = Ca::self_signed(
        SigningKey::generate_p256(&mut rng()),
        &params("CN=Stranger", Profile::Ca { path_len: None }),
        &mut rng(),
    )
    .unwrap();
    let r = Responder::direct(stranger.certificate(), stranger.signer().clone())
        .unwrap()
        .sign(vec![(id(), Status::Good)], None, now())
        .unwrap();
    assert_eq!(
        rule(check(&r.to_der().unwrap(), ca, &s, &opts)),
        OcspRule::ResponderNotAuthorized
    );
    // Without its certificate the delegated responder is unknown too.
    let mut no_cert = good.clone();
    no_cert.include_certificate = false;
    let r = no_cert
        .sign(vec![(id(), Status::Good)], None, now())
        .unwrap();
    assert_eq!(
        rule(check(&r.to_der().unwrap(), ca, &s, &opts)),
        OcspRule::ResponderNotAuthorized
    );

    // A responder certificate the root issued, not the bank CA.
    let (k2, by_root) = delegated_cert(&c.root, Profile::OcspResponder, from, to);
    assert_eq!(
        Responder::delegated(ca, by_root.clone(), k2.clone()).unwrap_err(),
        Error::Ocsp(OcspRule::ResponderNotIssuedByCa)
    );
    let r = Responder::delegated(c.root.certificate(), by_root, k2)
        .unwrap()
        .sign(vec![(id(), Status::Good)], None, now())
        .unwrap();
    assert_eq!(
        rule(check(&r.to_der().unwrap(), ca, &s, &opts)),
        OcspRule::ResponderNotIssuedByCa
    );
    // A responder certificate from an impostor CA with the bank CA's name.
    let impostor = Ca::self_signed(
        SigningKey::generate_p256(&mut rng()),
        &params(
            "CN=Test Bank CA,O=Test Bank,C=CN",
            Profile::Ca { path_len: None },
        ),
        &mut rng(),
    )
    .unwrap();
    let (k3, fake) = delegated_cert(&impostor, Profile::OcspResponder, from, to);
    let r = Responder::delegated(impostor.certificate(), fake, k3)
        .unwrap()
        .sign(vec![(id(), Status::Good)], None, now())
        .unwrap();
    assert_eq!(
        rule(check(&r.to_der().unwrap(), ca, &s, &opts)),
        OcspRule::ResponderNotIssuedByCa
    );

    // The responder's key certified by the bank CA, but under a profile that does not delegate:
    // swap the certificate in `certs` (it is outside the signature).
    let swap = |cert: Certificate| {
        let mut basic = basic_of(&resp);
        basic.certs = Some(vec![cert]);
        wrap(&basic)
    };
    let reissue = |profile: Profile, from, to, extra: Vec<x509_cert::ext::Extension>| {
        let mut p =
            CertificateParams::new("CN=Test OCSP Responder".parse().unwrap(), from, to, profile);
        p.extra_extensions = extra;
        c.bank
            .issue(&p, &rkey.public_key_info().unwrap(), &mut rng())
            .unwrap()
    };
    let eku = x509_cert::ext::pkix::ExtendedKeyUsage(vec![ocsp::KP_OCSP_SIGNING]);
    let eku_ext = mpay_wpki::cert::ext(&eku, false).unwrap();
    let user_profile = reissue(Profile::WalletUser, from, to, vec![]);
    // The responder itself refuses to run with such a certificate, or with a key that is not
    // the certificate's.
    assert_eq!(
        Responder::delegated(ca, user_profile.clone(), rkey.clone()).unwrap_err(),
        Error::Ocsp(OcspRule::ResponderLacksOcspSigning)
    );
    assert!(matches!(
        Responder::delegated(ca, rcert.clone(), SigningKey::generate_p256(&mut rng())),
        Err(Error::Params(_))
    ));
    assert_eq!(
        rule(check(&swap(user_profile), ca, &s, &opts)),
        OcspRule::ResponderLacksOcspSigning
    );
    let ku = x509_cert::ext::pkix::KeyUsage(x509_cert::ext::pkix::KeyUsages::KeyAgreement.into());
    let wrong_ku = reissue(
        Profile::Custom,
        from,
        to,
        vec![eku_ext.clone(), mpay_wpki::cert::ext(&ku, true).unwrap()],
    );
    assert_eq!(
        rule(check(&swap(wrong_ku), ca, &s, &opts)),
        OcspRule::ResponderKeyUsage
    );
    let expired = reissue(Profile::OcspResponder, from, t(2027, 1, 1), vec![]);
    assert_eq!(
        rule(check(&swap(expired), ca, &s, &opts)),
        OcspRule::ResponderCertificateExpired
    );
    // No ocsp-nocheck: fine unless required.
    let no_nocheck = reissue(Profile::Custom, from, to, vec![eku_ext]);
    assert!(check(&swap(no_nocheck.clone()), ca, &s, &opts).is_ok());
    let mut strict = opts.clone();
    strict.require_nocheck = true;
    assert_eq!(
        rule(check(&swap(no_nocheck), ca, &s, &strict)),
        OcspRule::ResponderNoCheckMissing
    );
    assert!(check(&resp, ca, &s, &strict).is_ok());
}

#[test]
fn freshness() {
    let c = chain(Alg::P256);
    let ca = c.bank.certificate();
    let s = serial(&c.user).clone();
    let mut responder = Responder::direct(ca, c.bank.signer().clone()).unwrap();
    responder.validity = Some(Duration::from_secs(3600));
    let id = || CertId::new(HashAlg::Sha1, ca, &s).unwrap();
    let sign_at = |r: &Responder, when| {
        r.sign(vec![(id(), Status::Good)], None, when)
            .unwrap()
            .to_der()
            .unwrap()
    };
    let opts = |when| CheckOptions::at(when);
    let r = sign_at(&responder, now());
    // thisUpdate within the skew ahead of the client clock is fine; beyond it is not.
    assert!(check(&r, ca, &s, &opts(at(-240))).is_ok());
    assert_eq!(
        rule(check(&r, ca, &s, &opts(at(-360)))),
        OcspRule::ThisUpdateInFuture
    );
    // nextUpdate (now + 1 h) may lag by the skew, no more.
    assert!(check(&r, ca, &s, &opts(at(3600 + 240))).is_ok());
    assert_eq!(
        rule(check(&r, ca, &s, &opts(at(3600 + 360)))),
        OcspRule::NextUpdatePassed
    );
    // Max age, e.g. for responses without nextUpdate.
    responder.validity = None;
    let r = sign_at(&responder, now());
    assert_eq!(
        check(&r, ca, &s, &opts(at(10 * 86_400)))
            .unwrap()
            .next_update,
        None
    );
    let mut aged = opts(at(1800 + 1));
    aged.max_age = Some(Duration::from_secs(1800));
    assert_eq!(rule(check(&r, ca, &s, &aged)), OcspRule::TooOld);
    aged.time = at(1799);
    assert!(check(&r, ca, &s, &aged).is_ok());
    // producedAt in the future while thisUpdate is not; nextUpdate before thisUpdate.
    let mut basic = basic_of(&r);
    basic.tbs_response_data.produced_at = GeneralizedTime::from_date_time(at(3600));
    assert_eq!(
        rule(check(&resign(basic, c.bank.signer()), ca, &s, &opts(now()))),
        OcspRule::ProducedInFuture
    );
    let mut basic = basic_of(&r);
    basic.tbs_response_data.responses[0].next_update =
        Some(GeneralizedTime::from_date_time(at(-7200)));
    assert_eq!(
        rule(check(
            &resign(basic, c.bank.signer()),
            ca,
            &s,
            &opts(at(-7200))
        )),
        OcspRule::NextUpdateBeforeThisUpdate
    );
}

/// Path validation with OCSP: responses from the root (for the bank CA) and from the bank
/// CA's delegated responder (for the user).
#[test]
fn path_validation_with_ocsp() {
    for alg in [Alg::Sm2, Alg::P256] {
        let c = chain(alg);
        let bank_responder =
            Responder::direct(c.root.certificate(), c.root.signer().clone()).unwrap();
        let (rkey, rcert) = delegated_cert(
            &c.bank,
            Profile::OcspResponder,
            t(2026, 1, 1),
            t(2036, 1, 1),
        );
        let user_responder = Responder::delegated(c.bank.certificate(), rcert, rkey).unwrap();
        let respond = |r: &Responder, issuer: &Ca, cert: &Certificate, list: &RevocationList| {
            ParsedResponse::from_der(&r.respond_der(
                &request_der(issuer.certificate(), serial(cert), None),
                list,
                now(),
            ))
            .unwrap()
        };
        let empty = RevocationList::new();
        let bank_ok = respond(&bank_responder, &c.root, c.bank.certificate(), &empty);
        let user_ok = respond(&user_responder, &c.bank, &c.user, &empty);
        let mut revoked = RevocationList::new();
        revoked.revoke(serial(&c.user).clone(), t(2027, 1, 1), None);
        let user_revoked = respond(&user_responder, &c.bank, &c.user, &revoked);
        let mut issued = RevocationList::new();
        issued.issued(SerialNumber::new(&[1]).unwrap());
        let user_unknown = respond(&user_responder, &c.bank, &c.user, &issued);

        let run = |responses: Vec<ParsedResponse>, crls| {
            let mut o = ValidationOptions::at(now());
            o.ocsp = Some(OcspEvidence::new(responses));
            o.crls = crls;
            validate(&c.parsed(), &c.anchors(), &o)
        };
        let path_rule = |r: mpay_wpki::Result<mpay_wpki::ValidPath>| match r {
            Err(Error::Path { index, rule, .. }) => (index, rule),
            other => panic!("{other:?}"),
        };
        assert!(run(vec![bank_ok.clone(), user_ok.clone()], None).is_ok());
        assert_eq!(
            path_rule(run(vec![bank_ok.clone(), user_revoked.clone()], None)),
            (0, Rule::RevokedByOcsp),
            "{alg:?}"
        );
        // A good response next to a revoked one: the first that checks out decides.
        assert_eq!(
            path_rule(run(
                vec![bank_ok.clone(), user_revoked, user_ok.clone()],
                None
            )),
            (0, Rule::RevokedByOcsp)
        );
        assert_eq!(
            path_rule(run(vec![bank_ok.clone(), user_unknown], None)),
            (0, Rule::OcspUnknown)
        );
        // Nothing for the bank CA and no CRLs.
        assert_eq!(
            path_rule(run(vec![user_ok.clone()], None)),
            (1, Rule::NoOcspResponse)
        );
        // The bank CA by CRL, the user by OCSP.
        let root_crl = c
            .root
            .issue_crl(&[1], t(2027, 1, 1), t(2027, 12, 1), &[])
            .unwrap();
        let root_crl = mpay_wpki::crl::ParsedCrl::from_der(&root_crl.to_der().unwrap()).unwrap();
        assert!(run(vec![user_ok.clone()], Some(vec![root_crl])).is_ok());
        // A response that fails a check names the check.
        let mut stale = ValidationOptions::at(at(2 * 86_400));
        stale.ocsp = Some(OcspEvidence::new(vec![bank_ok, user_ok]));
        assert_eq!(
            path_rule(validate(&c.parsed(), &c.anchors(), &stale)),
            (1, Rule::Ocsp(OcspRule::NextUpdatePassed))
        );
    }
}

#[test]
fn delegated_responder_profile() {
    let c = chain(Alg::P256);
    let (_, cert) = delegated_cert(
        &c.bank,
        Profile::OcspResponder,
        t(2026, 1, 1),
        t(2036, 1, 1),
    );
    let exts = cert.tbs_certificate().extensions().unwrap();
    let nocheck = exts
        .iter()
        .find(|e| e.extn_id == ocsp::OCSP_NOCHECK)
        .unwrap();
    assert_eq!(nocheck.extn_value.as_bytes(), [0x05, 0x00]);
    assert!(!nocheck.critical);
    // The responder certificate itself validates as a chain with the OCSPSigning EKU.
    let mut o = ValidationOptions::at(now());
    o.required_eku = Some(ocsp::KP_OCSP_SIGNING);
    let chain = [
        ParsedCertificate::from_certificate(&cert).unwrap(),
        ParsedCertificate::from_certificate(c.bank.certificate()).unwrap(),
    ];
    assert!(validate(&chain, &c.anchors(), &o).is_ok());
}

mod roundtrip {
    use super::*;
    use der::asn1::Null;
    use mpay_wpki::ocsp::{
        CertStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    };
    use proptest::prelude::*;

    fn cert_id() -> impl Strategy<Value = CertId> {
        (
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 20..=32),
            proptest::collection::vec(any::<u8>(), 20..=32),
            proptest::collection::vec(any::<u8>(), 1..=20),
        )
            .prop_map(|(sha1, n, k, mut serial)| {
                serial[0] = (serial[0] & 0x7f) | 0x01;
                CertId {
                    hash_algorithm: if sha1 { HashAlg::Sha1 } else { HashAlg::Sha256 }
                        .algorithm_identifier(),
                    issuer_name_hash: OctetString::new(n).unwrap(),
                    issuer_key_hash: OctetString::new(k).unwrap(),
                    serial_number: SerialNumber::new(&serial).unwrap(),
                }
            })
    }

    fn time() -> impl Strategy<Value = GeneralizedTime> {
        (0u64..4_000_000_000)
            .prop_map(|s| GeneralizedTime::from_unix_duration(Duration::from_secs(s)).unwrap())
    }

    fn status() -> impl Strategy<Value = CertStatus> {
        prop_oneof![
            Just(CertStatus::Good(Null)),
            Just(CertStatus::Unknown(Null)),
            (time(), proptest::option::of(0u8..3)).prop_map(|(t, r)| {
                CertStatus::Revoked(RevokedInfo {
                    revocation_time: t,
                    revocation_reason: r.map(|r| match r {
                        0 => CrlReason::Unspecified,
                        1 => CrlReason::KeyCompromise,
                        _ => CrlReason::Superseded,
                    }),
                })
            }),
        ]
    }

    fn single() -> impl Strategy<Value = SingleResponse> {
        (cert_id(), status(), time(), proptest::option::of(time())).prop_map(
            |(cert_id, cert_status, this_update, next_update)| SingleResponse {
                cert_id,
                cert_status,
                this_update,
                next_update,
                single_extensions: None,
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn request_encode_decode(
            ids in proptest::collection::vec(cert_id(), 1..4),
            nonce in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..=32)),
        ) {
            let req = ocsp::request(ids, nonce.as_deref()).unwrap();
            let der = req.to_der().unwrap();
            let back = OcspRequest::from_der(&der).unwrap();
            prop_assert_eq!(&back, &req);
            prop_assert_eq!(back.to_der().unwrap(), der);
            prop_assert_eq!(back.nonce().map(|n| n.unwrap()), nonce);
        }

        #[test]
        fn response_encode_decode(
            responses in proptest::collection::vec(single(), 1..4),
            by_key in any::<bool>(),
            produced in time(),
            sig in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            let data = ResponseData {
                version: 0,
                responder_id: if by_key {
                    ResponderId::ByKey(OctetString::new([7u8; 20]).unwrap())
                } else {
                    ResponderId::ByName("CN=Responder,O=Test".parse().unwrap())
                },
                produced_at: produced,
                responses,
                response_extensions: None,
            };
            let basic = BasicOcspResponse {
                tbs_response_data: data,
                signature_algorithm: SigningKey::generate_p256(&mut rng()).signature_algorithm(),
                signature: BitString::from_bytes(&sig).unwrap(),
                certs: None,
            };
            let resp = OcspResponse {
                response_status: OcspResponseStatus::Successful,
                response_bytes: Some(ResponseBytes {
                    response_type: ocsp::OCSP_BASIC,
                    response: OctetString::new(basic.to_der().unwrap()).unwrap(),
                }),
            };
            let der = resp.to_der().unwrap();
            prop_assert_eq!(&OcspResponse::from_der(&der).unwrap(), &resp);
            let parsed = ParsedResponse::from_der(&der).unwrap();
            prop_assert_eq!(parsed.basic().unwrap(), &basic);
            prop_assert_eq!(parsed.basic().unwrap().to_der().unwrap(),
                basic.to_der().unwrap());
        }

        #[test]
        fn error_response_encode_decode(s in prop_oneof![
            Just(OcspResponseStatus::MalformedRequest),
            Just(OcspResponseStatus::InternalError),
            Just(OcspResponseStatus::TryLater),
            Just(OcspResponseStatus::SigRequired),
            Just(OcspResponseStatus::Unauthorized),
        ]) {
            let der = OcspResponse::error(s).to_der().unwrap();
            prop_assert_eq!(der.len(), 5);
            prop_assert_eq!(OcspResponse::from_der(&der).unwrap().response_status, s);
        }
    }
}
