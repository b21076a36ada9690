//! Interop with the OpenSSL 3.0 CLI (peer): OpenSSL verifies our P-256, RSA and SM2 chains, and
//! we validate chains OpenSSL made. Skips unless `openssl` runs; fails if `MPAY_REQUIRE_PEERS`
//! is set and it does not.

mod common;

use common::peer::*;
use common::*;
use der::EncodePem;
use der::pem::LineEnding;
use mpay_wpki::{ParsedCertificate, TrustAnchor, ValidationOptions, validate};

#[test]
fn openssl_verifies_our_p256_and_rsa_chains() {
    if !have_openssl() {
        return;
    }
    for alg in [Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let dir = tempfile::tempdir().unwrap();
        let certs = [c.root.certificate(), c.bank.certificate(), &c.user];
        let (ok, out) = verify_chain_at(dir.path(), certs, true, &attime());
        assert!(ok && out.contains("user.pem: OK"), "{alg:?}: {out}");
        // And it refuses the chain at a time after the validity.
        let late = (now().unix_duration().as_secs() + 20 * 365 * 86400).to_string();
        let (ok, _) = verify_chain_at(dir.path(), certs, false, &late);
        assert!(!ok, "{alg:?}: expired chain accepted");
    }
}

/// OpenSSL 3.0 verifies SM2 certificate signatures with the *empty* distinguishing ID unless
/// `-vfyopt distid:` is given, and applies `-vfyopt` only to the certificate being verified
/// (not to intermediates, openssl#23471), so our standard-ID chain is checked link by link:
/// root → bank with `-CAfile root.pem`, bank → user with `-partial_chain -CAfile bank.pem`.
#[test]
fn openssl_verifies_our_sm2_chain_link_by_link() {
    if !have_openssl() {
        return;
    }
    let c = chain(Alg::Sm2);
    let dir = tempfile::tempdir().unwrap();
    write_pem(dir.path(), "root.pem", c.root.certificate());
    write_pem(dir.path(), "bank.pem", c.bank.certificate());
    write_pem(dir.path(), "user.pem", &c.user);
    let t = attime();
    let id = "distid:1234567812345678";
    let (ok, out) = openssl(
        dir.path(),
        &[
            "verify", "-attime", &t, "-vfyopt", id, "-CAfile", "root.pem", "bank.pem",
        ],
    );
    assert!(ok && out.contains("bank.pem: OK"), "{out}");
    let (ok, out) = openssl(
        dir.path(),
        &[
            "verify",
            "-attime",
            &t,
            "-partial_chain",
            "-vfyopt",
            id,
            "-CAfile",
            "bank.pem",
            "user.pem",
        ],
    );
    assert!(ok && out.contains("user.pem: OK"), "{out}");
    // Without the ID OpenSSL uses the empty one, and the (standard-ID) signature fails.
    let (ok, out) = openssl(
        dir.path(),
        &["verify", "-attime", &t, "-CAfile", "root.pem", "bank.pem"],
    );
    assert!(!ok, "empty-ID verification unexpectedly passed: {out}");
    // The signature value is a DER SEQUENCE (OpenSSL rejects raw r‖s).
    let (ok, out) = openssl(dir.path(), &["x509", "-in", "user.pem", "-noout", "-text"]);
    assert!(ok && out.contains("SM2-with-SM3"), "{out}");
}

const EXT: &str = "[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical,CA:TRUE,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Makes root → int → leaf with the OpenSSL CLI; `curve` is `P-256` or `SM2`, `sign` the extra
/// signing options (e.g. `-sm3 -sigopt distid:…`). Returns `(chain target-first, anchor)`.
fn openssl_chain(curve: &str, sign: &[&str]) -> (Vec<ParsedCertificate>, TrustAnchor) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ext.cnf"), EXT).unwrap();
    let run = |args: &[&str]| {
        let (ok, out) = openssl(d, args);
        assert!(ok, "openssl {args:?}: {out}");
    };
    let curve_opt = format!("ec_paramgen_curve:{curve}");
    for k in ["root", "int", "leaf"] {
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &curve_opt,
            "-out",
            &format!("{k}.key"),
        ]);
    }
    let mut root = vec![
        "req",
        "-new",
        "-x509",
        "-key",
        "root.key",
        "-subj",
        "/C=CN/O=OSSL/CN=OSSL Root",
        "-days",
        "30",
    ];
    root.extend_from_slice(sign);
    root.extend_from_slice(&[
        "-config",
        "ext.cnf",
        "-extensions",
        "v3_root",
        "-out",
        "root.pem",
    ]);
    run(&root);
    for (k, ca, subj, ext) in [
        ("int", "root", "/C=CN/O=OSSL/CN=OSSL Int", "v3_int"),
        ("leaf", "int", "/CN=OSSL Leaf", "v3_leaf"),
    ] {
        let (key, csr, pem) = (format!("{k}.key"), format!("{k}.csr"), format!("{k}.pem"));
        let mut req = vec![
            "req", "-new", "-key", &key, "-subj", subj, "-config", "ext.cnf", "-out", &csr,
        ];
        req.extend_from_slice(sign);
        run(&req);
        let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        let mut x = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &pem,
        ];
        x.extend_from_slice(sign);
        // `x509 -req` checks the CSR's self-signature: it needs the same ID.
        if let Some(i) = sign.iter().position(|a| *a == "-sigopt") {
            x.extend_from_slice(&["-vfyopt", sign[i + 1]]);
        }
        run(&x);
    }
    let read = |n: &str| {
        ParsedCertificate::from_pem(&std::fs::read_to_string(d.join(n)).unwrap()).unwrap()
    };
    let anchor = TrustAnchor::from_certificate(read("root.pem").certificate());
    (vec![read("leaf.pem"), read("int.pem")], anchor)
}

fn system_now() -> der::DateTime {
    der::DateTime::from_system_time(std::time::SystemTime::now()).unwrap()
}

#[test]
fn we_validate_openssl_p256_chain() {
    if !have_openssl() {
        return;
    }
    let (chain, anchor) = openssl_chain("P-256", &["-sha256"]);
    let mut opts = ValidationOptions::at(system_now());
    opts.required_eku = Some(mpay_wpki::cert::KP_CLIENT_AUTH);
    let anchors = [anchor];
    validate(&chain, &anchors, &opts).unwrap();
    // Path length and validity are enforced on OpenSSL's certificates too.
    let late = der::DateTime::from_unix_duration(
        system_now().unix_duration() + std::time::Duration::from_secs(40 * 86400),
    )
    .unwrap();
    assert!(validate(&chain, &anchors, &ValidationOptions::at(late)).is_err());
}

/// OpenSSL-made SM2 chains: signed with `-sigopt distid:1234567812345678` they validate with
/// our default ID; signed without it (OpenSSL's empty default ID) they need `sm2_id = b""`.
#[test]
fn we_validate_openssl_sm2_chains_standard_and_empty_id() {
    if !have_openssl() {
        return;
    }
    let (chain, anchor) = openssl_chain("SM2", &["-sm3", "-sigopt", "distid:1234567812345678"]);
    let anchors = [anchor];
    validate(&chain, &anchors, &ValidationOptions::at(system_now())).unwrap();
    let mut empty = ValidationOptions::at(system_now());
    empty.sm2_id = Vec::new();
    assert!(validate(&chain, &anchors, &empty).is_err());

    let (chain, anchor) = openssl_chain("SM2", &["-sm3"]);
    let anchors = [anchor];
    // OpenSSL's notBefore is the second it signed: validate at a time not before it.
    empty.time = system_now();
    validate(&chain, &anchors, &empty).unwrap();
    assert!(validate(&chain, &anchors, &ValidationOptions::at(system_now())).is_err());
}

/// OpenSSL checks the self-signature of our CSRs (SM2 with `-vfyopt distid:`), and we verify
/// CSRs OpenSSL made (P-256; SM2 with the standard ID).
#[test]
fn csr_interop() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rng = rng();
    for (alg, extra) in [
        (Alg::P256, vec![]),
        (Alg::Rsa, vec![]),
        (Alg::Sm2, vec!["-vfyopt", "distid:1234567812345678"]),
    ] {
        let k = key(alg, &mut rng);
        let req =
            mpay_wpki::csr::create(&k, "CN=wallet user,O=Test Bank,C=CN".parse().unwrap()).unwrap();
        std::fs::write(d.join("our.csr"), req.to_pem(LineEnding::LF).unwrap()).unwrap();
        let mut args = vec!["req", "-verify", "-noout", "-in", "our.csr"];
        args.extend_from_slice(&extra);
        let (ok, out) = openssl(d, &args);
        assert!(ok && out.contains("verify OK"), "{alg:?}: {out}");
    }
    for (curve, sign) in [
        ("P-256", vec!["-sha256"]),
        ("SM2", vec!["-sm3", "-sigopt", "distid:1234567812345678"]),
    ] {
        let (ok, out) = openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{curve}"),
                "-out",
                "k.pem",
            ],
        );
        assert!(ok, "{out}");
        std::fs::write(d.join("ext.cnf"), EXT).unwrap();
        let mut args = vec![
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=OpenSSL CSR",
            "-config",
            "ext.cnf",
            "-outform",
            "DER",
            "-out",
            "theirs.der",
        ];
        args.extend_from_slice(&sign);
        let (ok, out) = openssl(d, &args);
        assert!(ok, "{out}");
        let der = std::fs::read(d.join("theirs.der")).unwrap();
        let v = mpay_wpki::csr::verify(&der, mpay_wpki::alg::DEFAULT_SM2_ID).unwrap();
        assert_eq!(v.subject().to_string(), "CN=OpenSSL CSR");
    }
}

/// OpenSSL verifies our P-256 and RSA CRLs (`openssl crl -CAfile`) and, with `-crl_check`,
/// reports the revoked user. OpenSSL 3.0 cannot check SM2 CRLs signed with the standard ID
/// (`openssl crl` has no `-vfyopt`; it uses the empty ID), so SM2 CRLs are covered by our own
/// tests only (tests/crl.rs).
#[test]
fn openssl_checks_our_crls() {
    if !have_openssl() {
        return;
    }
    for alg in [Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_pem(d, "root.pem", c.root.certificate());
        write_pem(d, "bank.pem", c.bank.certificate());
        write_pem(d, "user.pem", &c.user);
        let (from, to) = (t(2027, 5, 1), t(2027, 7, 1));
        let serial = c.user.tbs_certificate().serial_number().clone();
        let entry = mpay_wpki::crl::RevokedEntry { serial, date: from };
        for (name, revoked) in [("empty.crl", vec![]), ("revoked.crl", vec![entry])] {
            let list = c.bank.issue_crl(&[1], from, to, &revoked).unwrap();
            std::fs::write(d.join(name), list.to_pem(LineEnding::LF).unwrap()).unwrap();
            let (ok, out) = openssl(d, &["crl", "-in", name, "-CAfile", "bank.pem", "-noout"]);
            assert!(ok && out.contains("verify OK"), "{alg:?} {name}: {out}");
        }
        let t = attime();
        let verify = |crl: &str| {
            openssl(
                d,
                &[
                    "verify",
                    "-attime",
                    &t,
                    "-crl_check",
                    "-CRLfile",
                    crl,
                    "-CAfile",
                    "root.pem",
                    "-untrusted",
                    "bank.pem",
                    "user.pem",
                ],
            )
        };
        let (ok, out) = verify("empty.crl");
        assert!(ok && out.contains("user.pem: OK"), "{alg:?}: {out}");
        let (ok, out) = verify("revoked.crl");
        assert!(!ok && out.contains("certificate revoked"), "{alg:?}: {out}");
    }
}
