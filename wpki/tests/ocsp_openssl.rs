//! OCSP interop with the OpenSSL 3.0 CLI (peer), no network: `openssl ocsp` verifies our P-256
//! and RSA responses (direct and delegated, nonce echo included) and refuses tampered ones; it
//! builds requests our responder answers; and as a responder (`-index`) it produces responses
//! our client accepts. Skips unless `openssl` runs; fails if `MPAY_REQUIRE_PEERS` is set and it
//! does not.
//!
//! SM2: `openssl ocsp` has no option for the SM2 distinguishing ID (no `-vfyopt`) and verifies
//! with the empty ID, so it cannot check our standard-ID SM2 responses (asserted below); it
//! checks them when the whole hierarchy and the responder sign with the empty ID. In the other
//! direction its SM2 responses are signed with the empty ID, which we check with
//! `CheckOptions::sm2_id = b""`.

mod common;

use common::peer::{have_openssl, openssl, write_pem};
use common::*;
use core::time::Duration;
use der::pem::LineEnding;
use der::{DateTime, Decode, Encode};
use mpay_wpki::ocsp::{
    self, CertId, CheckOptions, HashAlg, OcspRequest, ParsedResponse, Responder, RevocationList,
    Status,
};
use mpay_wpki::{Ca, CertificateParams, Profile, Signer, SigningKey};
use std::path::Path;
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;

/// The real time (`openssl ocsp` checks thisUpdate/nextUpdate against its clock).
fn real_now() -> DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    DateTime::from_unix_duration(Duration::from_secs(secs)).unwrap()
}

fn shifted(t: DateTime, secs: i64) -> DateTime {
    let s = t.unix_duration().as_secs() as i64 + secs;
    DateTime::from_unix_duration(Duration::from_secs(s as u64)).unwrap()
}

struct Pki {
    root: Ca,
    bank: Ca,
    user: Certificate,
    responder_key: SigningKey,
    responder: Certificate,
}

/// Root → bank CA → user and a delegated responder, valid around the real time, every key of
/// `alg` (the delegated responder: P-256 unless SM2), SM2 keys signing with `sm2_id`.
fn pki(alg: Alg, sm2_id: &[u8]) -> Pki {
    let mut rng = rng();
    let now = real_now();
    let p = |dn: &str, profile| {
        CertificateParams::new(
            dn.parse().unwrap(),
            shifted(now, -86_400),
            shifted(now, 365 * 86_400),
            profile,
        )
    };
    let key = |rng: &mut Rng| match (alg, key(alg, rng)) {
        (Alg::Sm2, SigningKey::Sm2 { key, .. }) => SigningKey::sm2_with_id(key, sm2_id),
        (_, k) => k,
    };
    let root = Ca::self_signed(
        key(&mut rng),
        &p("CN=OCSP Test Root,O=Test", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let bank = root
        .issue_subordinate(
            key(&mut rng),
            &p(
                "CN=OCSP Test Bank CA,O=Test",
                Profile::Ca { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let user = bank
        .issue(
            &p("CN=wallet user 7,O=Test", Profile::WalletUser),
            &key(&mut rng).public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let responder_key = match alg {
        Alg::Sm2 => key(&mut rng),
        _ => SigningKey::generate_p256(&mut rng),
    };
    let responder = bank
        .issue(
            &p("CN=OCSP Responder,O=Test", Profile::OcspResponder),
            &responder_key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    Pki {
        root,
        bank,
        user,
        responder_key,
        responder,
    }
}

fn write_key(dir: &Path, name: &str, key: &SigningKey) {
    let der = key.to_pkcs8_der().unwrap();
    let pem = der::pem::encode_string("PRIVATE KEY", LineEnding::LF, der.as_bytes()).unwrap();
    std::fs::write(dir.join(name), pem).unwrap();
}

fn write_files(dir: &Path, p: &Pki) {
    write_pem(dir, "root.pem", p.root.certificate());
    write_pem(dir, "bank.pem", p.bank.certificate());
    write_pem(dir, "user.pem", &p.user);
    write_pem(dir, "resp.pem", &p.responder);
    write_key(dir, "bank.key", p.bank.signer());
    write_key(dir, "resp.key", &p.responder_key);
}

fn serial_hex(c: &Certificate) -> String {
    hex::encode_upper(c.tbs_certificate().serial_number().as_bytes())
}

/// `openssl ocsp` checking `resp.der`: signature, signer chain to `root.pem`, authorization,
/// validity, nonce against `req.der` (when `with_req`), then the user's status.
fn openssl_check(dir: &Path, with_req: bool) -> (bool, String) {
    let mut args = vec![
        "ocsp",
        "-respin",
        "resp.der",
        "-CAfile",
        "root.pem",
        "-verify_other",
        "bank.pem",
    ];
    if with_req {
        args.extend(["-reqin", "req.der"]);
    } else {
        args.extend(["-issuer", "bank.pem", "-cert", "user.pem", "-no_nonce"]);
    }
    openssl(dir, &args)
}

#[test]
fn openssl_verifies_our_p256_and_rsa_responses() {
    if !have_openssl() {
        return;
    }
    for alg in [Alg::P256, Alg::Rsa] {
        let p = pki(alg, b"");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_files(d, &p);
        let serial = p.user.tbs_certificate().serial_number();
        let id = CertId::new(HashAlg::Sha1, p.bank.certificate(), serial).unwrap();
        let req = ocsp::request(vec![id], Some(&[0x5A; 20])).unwrap();
        std::fs::write(d.join("req.der"), req.to_der().unwrap()).unwrap();
        let mut list = RevocationList::new();
        let direct = Responder::direct(p.bank.certificate(), p.bank.signer().clone()).unwrap();
        let delegated = Responder::delegated(
            p.bank.certificate(),
            p.responder.clone(),
            p.responder_key.clone(),
        )
        .unwrap();
        for (who, r) in [("direct", &direct), ("delegated", &delegated)] {
            let resp = r.respond_der(&req.to_der().unwrap(), &list, real_now());
            std::fs::write(d.join("resp.der"), &resp).unwrap();
            let (ok, out) = openssl_check(d, true);
            assert!(
                ok && out.contains("Response verify OK"),
                "{alg:?} {who}: {out}"
            );
            let (ok, out) = openssl_check(d, false);
            assert!(ok && out.contains("user.pem: good"), "{alg:?} {who}: {out}");
        }
        // Revoked, with reason.
        list.revoke(
            serial.clone(),
            shifted(real_now(), -3600),
            Some(CrlReason::KeyCompromise),
        );
        let resp = direct.respond_der(&req.to_der().unwrap(), &list, real_now());
        std::fs::write(d.join("resp.der"), &resp).unwrap();
        let (ok, out) = openssl_check(d, false);
        assert!(
            ok && out.contains("user.pem: revoked") && out.contains("keyCompromise"),
            "{alg:?}: {out}"
        );
        // A flipped signature bit is refused.
        let mut bad = resp.clone();
        let n = bad.len();
        bad[n - 10] ^= 0x01;
        std::fs::write(d.join("resp.der"), &bad).unwrap();
        let (ok, out) = openssl_check(d, false);
        assert!(!ok, "{alg:?}: tampered response accepted: {out}");
        // A response to another nonce fails openssl's nonce check against req.der.
        let other = ocsp::request(
            vec![CertId::new(HashAlg::Sha1, p.bank.certificate(), serial).unwrap()],
            Some(b"another nonce"),
        )
        .unwrap();
        let resp = direct.respond_der(&other.to_der().unwrap(), &list, real_now());
        std::fs::write(d.join("resp.der"), &resp).unwrap();
        let (ok, out) = openssl_check(d, true);
        assert!(!ok && out.contains("once"), "{alg:?}: {out}");
    }
}

/// OpenSSL 3.0 verifies SM2 OCSP signatures with the empty distinguishing ID only (`openssl
/// ocsp` has no `-vfyopt`): it refuses our standard-ID responses and accepts them from a
/// hierarchy and responder that all sign with the empty ID.
#[test]
fn openssl_and_our_sm2_responses() {
    if !have_openssl() {
        return;
    }
    for (sm2_id, accepted) in [(&b""[..], true), (mpay_wpki::alg::DEFAULT_SM2_ID, false)] {
        let p = pki(Alg::Sm2, sm2_id);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_files(d, &p);
        let id = CertId::for_certificate(HashAlg::Sha1, p.bank.certificate(), &p.user).unwrap();
        let req = ocsp::request(vec![id], None).unwrap().to_der().unwrap();
        let direct = Responder::direct(p.bank.certificate(), p.bank.signer().clone()).unwrap();
        let resp = direct.respond_der(&req, &RevocationList::new(), real_now());
        std::fs::write(d.join("resp.der"), &resp).unwrap();
        let (ok, out) = openssl_check(d, false);
        if accepted {
            assert!(ok && out.contains("user.pem: good"), "{out}");
        } else {
            assert!(!ok, "standard-ID SM2 response accepted: {out}");
        }
        // We check both, each under its own ID.
        let mut opts = CheckOptions::at(real_now());
        opts.sm2_id = sm2_id.to_vec();
        let st = ParsedResponse::from_der(&resp)
            .unwrap()
            .check(
                p.bank.certificate(),
                p.user.tbs_certificate().serial_number(),
                &opts,
            )
            .unwrap();
        assert_eq!(st.status, Status::Good);
    }
}

#[test]
fn our_responder_answers_openssl_requests() {
    if !have_openssl() {
        return;
    }
    for (alg, digest) in [(Alg::P256, "-sha1"), (Alg::Rsa, "-sha256")] {
        let p = pki(alg, b"");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_files(d, &p);
        let (ok, out) = openssl(
            d,
            &[
                "ocsp", digest, "-issuer", "bank.pem", "-cert", "user.pem", "-nonce", "-reqout",
                "req.der",
            ],
        );
        assert!(ok, "{out}");
        let req_der = std::fs::read(d.join("req.der")).unwrap();
        let req = OcspRequest::from_der(&req_der).unwrap();
        let nonce = req.nonce().expect("openssl sent a nonce").unwrap();
        let hash = HashAlg::of(&req.tbs_request.request_list[0].req_cert.hash_algorithm);
        assert_eq!(
            hash,
            Some(if digest == "-sha1" {
                HashAlg::Sha1
            } else {
                HashAlg::Sha256
            })
        );
        let mut list = RevocationList::new();
        list.revoke(
            p.user.tbs_certificate().serial_number().clone(),
            shifted(real_now(), -60),
            Some(CrlReason::Superseded),
        );
        let responder = Responder::delegated(
            p.bank.certificate(),
            p.responder.clone(),
            p.responder_key.clone(),
        )
        .unwrap();
        let resp = responder.respond_der(&req_der, &list, real_now());
        std::fs::write(d.join("resp.der"), &resp).unwrap();
        // OpenSSL checks the nonce echo and signature…
        let (ok, out) = openssl_check(d, true);
        assert!(ok && out.contains("Response verify OK"), "{alg:?}: {out}");
        // …and reads the status (its own CertID for -cert, in the same digest).
        let (ok, out) = openssl(
            d,
            &[
                "ocsp",
                "-respin",
                "resp.der",
                "-CAfile",
                "root.pem",
                "-verify_other",
                "bank.pem",
                digest,
                "-issuer",
                "bank.pem",
                "-cert",
                "user.pem",
                "-no_nonce",
            ],
        );
        assert!(
            ok && out.contains("user.pem: revoked") && out.contains("superseded"),
            "{alg:?}: {out}"
        );
        // And so does our client, with the nonce OpenSSL chose.
        let mut opts = CheckOptions::at(real_now());
        opts.nonce = Some(nonce);
        let st = ParsedResponse::from_der(&resp)
            .unwrap()
            .check(
                p.bank.certificate(),
                p.user.tbs_certificate().serial_number(),
                &opts,
            )
            .unwrap();
        assert!(matches!(st.status, Status::Revoked { .. }));
    }
}

/// `openssl ocsp -index` as the responder (no network): a delegated responder (our
/// `Profile::OcspResponder` certificate) and the CA itself; a good and a revoked entry with
/// reason; our nonce echoed.
#[test]
fn we_accept_openssl_responses() {
    if !have_openssl() {
        return;
    }
    for alg in [Alg::P256, Alg::Rsa, Alg::Sm2] {
        let p = pki(alg, mpay_wpki::alg::DEFAULT_SM2_ID);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_files(d, &p);
        let user = &p.user;
        let other = p.bank.certificate(); // any serial not in the index: unknown
        let index = format!(
            "R\t351231235959Z\t{},keyCompromise\t{}\tunknown\t/CN=wallet user 7/O=Test\n\
             V\t351231235959Z\t\t0A0B0C\tunknown\t/CN=good user/O=Test\n",
            "260101000000Z",
            serial_hex(user),
        );
        std::fs::write(d.join("index.txt"), index).unwrap();
        let good = x509_cert::serial_number::SerialNumber::new(&[0x0A, 0x0B, 0x0C]).unwrap();
        let ids = vec![
            CertId::for_certificate(HashAlg::Sha1, p.bank.certificate(), user).unwrap(),
            CertId::new(HashAlg::Sha1, p.bank.certificate(), &good).unwrap(),
            CertId::new(
                HashAlg::Sha1,
                p.bank.certificate(),
                other.tbs_certificate().serial_number(),
            )
            .unwrap(),
        ];
        let nonce = [0x77u8; 32];
        let req = ocsp::request(ids, Some(&nonce)).unwrap();
        std::fs::write(d.join("req.der"), req.to_der().unwrap()).unwrap();
        // SM2: OpenSSL signs with the empty ID; a delegated responder would mix IDs (our CA's
        // standard-ID certificate, OpenSSL's empty-ID response), so SM2 runs direct only.
        let signers: &[(&str, &str, bool)] = match alg {
            Alg::Sm2 => &[("bank.pem", "bank.key", false)],
            _ => &[
                ("resp.pem", "resp.key", true),
                ("bank.pem", "bank.key", false),
            ],
        };
        for &(cert, key, delegated) in signers {
            let (ok, out) = openssl(
                d,
                &[
                    "ocsp",
                    "-index",
                    "index.txt",
                    "-CA",
                    "bank.pem",
                    "-rsigner",
                    cert,
                    "-rkey",
                    key,
                    "-reqin",
                    "req.der",
                    "-respout",
                    "resp.der",
                    "-ndays",
                    "1",
                ],
            );
            assert!(ok, "{alg:?} {cert}: {out}");
            let resp =
                ParsedResponse::from_der(&std::fs::read(d.join("resp.der")).unwrap()).unwrap();
            let mut opts = CheckOptions::at(real_now());
            opts.nonce = Some(nonce.to_vec());
            if matches!(alg, Alg::Sm2) {
                opts.sm2_id = Vec::new();
            }
            let ca = p.bank.certificate();
            let st = resp.check(ca, user.tbs_certificate().serial_number(), &opts);
            let st = st.unwrap_or_else(|e| panic!("{alg:?} {cert}: {e}"));
            assert_eq!(st.delegated, delegated);
            assert_eq!(
                st.status,
                Status::Revoked {
                    time: DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(),
                    reason: Some(CrlReason::KeyCompromise)
                }
            );
            assert!(st.next_update.is_some());
            assert_eq!(resp.check(ca, &good, &opts).unwrap().status, Status::Good);
            assert_eq!(
                resp.check(ca, other.tbs_certificate().serial_number(), &opts)
                    .unwrap()
                    .status,
                Status::Unknown
            );
            // The wrong nonce is refused by name.
            opts.nonce = Some(vec![0x78; 32]);
            assert_eq!(
                resp.check(ca, &good, &opts).unwrap_err(),
                mpay_wpki::Error::Ocsp(mpay_wpki::OcspRule::NonceMismatch)
            );
        }
    }
}
