//! `mpay cert` end to end: keys, CSRs, issuance, path validation, CRLs and OCSP through files;
//! OpenSSL (when present) reads the keys and verifies the chain and an OCSP response.

use assert_cmd::Command;
use mpay::wpki::x509_cert::Certificate;
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mpay-cli-cert-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `mpay cert CMD` in `d` (CMD split at whitespace).
fn run(d: &Path, cmd: &str) -> std::process::Output {
    Command::cargo_bin("mpay")
        .unwrap()
        .current_dir(d)
        .arg("cert")
        .args(cmd.split_whitespace())
        .output()
        .unwrap()
}

/// `mpay cert CMD` succeeds; its stdout.
fn ok(d: &Path, cmd: &str) -> String {
    let out = run(d, cmd);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd}: {err}");
    String::from_utf8(out.stdout).unwrap()
}

/// `mpay cert CMD` exits with status 2 and one line on stderr; that line.
fn fails(d: &Path, cmd: &str) -> String {
    let out = run(d, cmd);
    assert_eq!(out.status.code(), Some(2), "{cmd} did not fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

fn serial_hex(d: &Path, cert: &str) -> String {
    let pem = std::fs::read(d.join(cert)).unwrap();
    let certs = Certificate::load_pem_chain(&pem).unwrap();
    hex::encode_upper(certs[0].tbs_certificate().serial_number().as_bytes())
}

fn have_openssl() -> bool {
    let ok = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("MPAY_REQUIRE_PEERS").is_none(),
            "MPAY_REQUIRE_PEERS is set but openssl is missing"
        );
        eprintln!("skipping the openssl part: openssl CLI not found");
    }
    ok
}

/// Runs `openssl CMD` in `d`: (success, stdout + stderr).
fn openssl(d: &Path, cmd: &str) -> (bool, String) {
    let o = std::process::Command::new("openssl")
        .current_dir(d)
        .args(cmd.split_whitespace())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    (o.status.success(), text)
}

/// Root → bank CA → user and a delegated OCSP responder, each key made by `keygen`, all but
/// the root from CSRs.
fn hierarchy(d: &Path, alg: &str) {
    for k in ["root", "bank", "user", "resp"] {
        ok(d, &format!("keygen --alg {alg} -o {k}.key"));
    }
    ok(
        d,
        "issue --self-signed --key root.key --subject CN=Root,O=Test --profile ca --path-len 1 \
         --days 3650 -o root.pem",
    );
    let sub = [
        ("bank", "CN=BankCA,O=Test", "root", "ca --path-len 0", 365),
        ("user", "CN=user1,O=Test", "bank", "user", 30),
        ("resp", "CN=OCSP,O=Test", "bank", "ocsp", 30),
    ];
    for (k, subject, ca, profile, days) in sub {
        ok(
            d,
            &format!("csr --key {k}.key --subject {subject} -o {k}.csr"),
        );
        ok(
            d,
            &format!(
                "issue --ca-cert {ca}.pem --ca-key {ca}.key --csr {k}.csr --profile {profile} \
                 --days {days} -o {k}.pem"
            ),
        );
    }
}

#[test]
fn issue_and_verify_p256_and_sm2() {
    for alg in ["p256", "sm2"] {
        let d = dir(alg);
        hierarchy(&d, alg);
        let chain = "--anchor root.pem user.pem bank.pem";
        let out = ok(&d, &format!("verify {chain}"));
        assert_eq!(
            out,
            "OK\n0: CN=user1,O=Test\n1: CN=BankCA,O=Test\nanchor: CN=Root,O=Test\n"
        );
        let v: serde_json::Value =
            serde_json::from_str(&ok(&d, &format!("verify --json {chain}"))).unwrap();
        assert_eq!(v["valid"], true);
        assert_eq!(v["path"][1], "CN=BankCA,O=Test");
        // After the user's 30 days, inside the bank CA's: one line naming certificate and rule.
        let later = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 100 * 86_400;
        let err = fails(&d, &format!("verify --at {later} {chain}"));
        assert!(
            err.contains("certificate 0 (CN=user1,O=Test): expired"),
            "{err}"
        );
        // The wrong EKU, a missing intermediate.
        let err = fails(&d, &format!("verify --eku 1.3.6.1.5.5.7.3.9 {chain}"));
        assert!(err.contains("extendedKeyUsage lacks"), "{err}");
        let err = fails(&d, "verify --anchor root.pem user.pem");
        assert!(err.contains("no trust anchor"), "{err}");
        // SM2 under OpenSSL's empty ID: the signatures were made with the standard one.
        if alg == "sm2" {
            let out = Command::cargo_bin("mpay")
                .unwrap()
                .current_dir(&d)
                .args(["cert", "verify", "--sm2-id", ""])
                .args(chain.split_whitespace())
                .output()
                .unwrap();
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(out.status.code(), Some(2), "{err}");
            assert!(err.contains("signature"), "{err}");
        }
    }
}

#[test]
fn crl_revokes() {
    let d = dir("crl");
    hierarchy(&d, "p256");
    let user = serial_hex(&d, "user.pem");
    ok(&d, "crl --ca-cert root.pem --ca-key root.key -o root.crl");
    ok(
        &d,
        &format!(
            "crl --ca-cert bank.pem --ca-key bank.key --revoke {user} --number 2 -o bank.crl.der"
        ),
    );
    let err = fails(
        &d,
        "verify --anchor root.pem --crl root.crl user.pem bank.pem",
    );
    assert!(
        err.contains("certificate 0") && err.contains("no current CRL"),
        "{err}"
    );
    let err = fails(
        &d,
        "verify --anchor root.pem --crl root.crl --crl bank.crl.der user.pem bank.pem",
    );
    assert!(
        err.contains("certificate 0") && err.contains("revoked"),
        "{err}"
    );
}

#[test]
fn ocsp_request_respond_check() {
    let d = dir("ocsp");
    hierarchy(&d, "p256");
    let user = serial_hex(&d, "user.pem");
    // The CA answers itself: good.
    ok(
        &d,
        "ocsp request --issuer bank.pem --cert user.pem -o req.der",
    );
    let respond = "ocsp respond --ca-cert bank.pem";
    ok(
        &d,
        &format!("{respond} --key bank.key --reqin req.der -o resp.der"),
    );
    let check = "ocsp check --issuer bank.pem";
    let out = ok(
        &d,
        &format!("{check} --cert user.pem --respin resp.der --reqin req.der"),
    );
    assert!(out.starts_with(&format!("{user}: good\n")), "{out}");
    assert!(out.contains("signed by the CA"), "{out}");
    // A delegated responder: revoked for keyCompromise (1), SHA-256 CertID, byName.
    ok(
        &d,
        &format!(
            "ocsp request --sha256 --nonce 00112233 --issuer bank.pem --serial {user} -o req2.der"
        ),
    );
    ok(
        &d,
        &format!(
            "{respond} --key resp.key --rsigner resp.pem --revoke {user}:1 --by-name \
             --reqin req2.der -o resp2.der"
        ),
    );
    let json = ok(
        &d,
        &format!(
            "{check} --json --serial {user} --respin resp2.der --reqin req2.der --require-nocheck"
        ),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["status"], "revoked");
    assert_eq!(v[0]["reason"], "KeyCompromise");
    assert_eq!(v[0]["delegated"], true);
    // The nonce of another request is refused by rule, and so is a check after nextUpdate.
    let err = fails(
        &d,
        &format!("{check} --serial {user} --respin resp2.der --reqin req.der"),
    );
    assert!(err.contains("nonce echo differs"), "{err}");
    let err = fails(
        &d,
        &format!("{check} --at 2100-01-01 --serial {user} --respin resp.der"),
    );
    assert!(err.contains("nextUpdate has passed"), "{err}");
    // Path validation: the user by OCSP, the bank CA by the root's CRL.
    ok(&d, "crl --ca-cert root.pem --ca-key root.key -o root.crl");
    let verify = "verify --anchor root.pem --crl root.crl user.pem bank.pem --ocsp";
    ok(&d, &format!("{verify} resp.der"));
    let err = fails(&d, &format!("{verify} resp2.der"));
    assert!(
        err.contains("certificate 0") && err.contains("revoked (OCSP response)"),
        "{err}"
    );
    // Status from a CRL.
    ok(
        &d,
        &format!("crl --ca-cert bank.pem --ca-key bank.key --revoke {user} -o bank.crl"),
    );
    ok(
        &d,
        &format!("{respond} --key bank.key --crl bank.crl --reqin req.der -o resp3.der"),
    );
    let out = ok(&d, &format!("{check} --cert user.pem --respin resp3.der"));
    assert!(out.starts_with(&format!("{user}: revoked at ")), "{out}");
}

#[test]
fn openssl_reads_the_cli_files() {
    if !have_openssl() {
        return;
    }
    let d = dir("openssl");
    hierarchy(&d, "p256");
    for k in ["root.key", "user.key"] {
        let (good, out) = openssl(&d, &format!("pkey -in {k} -noout"));
        assert!(good, "{k}: {out}");
    }
    let (good, out) = openssl(
        &d,
        "verify -x509_strict -CAfile root.pem -untrusted bank.pem user.pem",
    );
    assert!(good && out.contains("user.pem: OK"), "{out}");
    ok(
        &d,
        "ocsp request --issuer bank.pem --cert user.pem -o req.der",
    );
    ok(
        &d,
        "ocsp respond --ca-cert bank.pem --key resp.key --rsigner resp.pem --reqin req.der \
         -o resp.der",
    );
    let (good, out) = openssl(
        &d,
        "ocsp -reqin req.der -respin resp.der -CAfile root.pem -verify_other bank.pem",
    );
    assert!(good && out.contains("Response verify OK"), "{out}");
    // An SM2 key the CLI wrote is an SM2 key to OpenSSL.
    ok(&d, "keygen --alg sm2 -o sm2.key");
    let (good, out) = openssl(&d, "pkey -in sm2.key -text -noout");
    assert!(good && out.contains("SM2"), "{out}");
    // An RSA key and a self-signed RSA CA.
    ok(&d, "keygen --alg rsa -o rsa.key");
    let (good, out) = openssl(&d, "pkey -in rsa.key -text -noout");
    assert!(good && out.contains("(2048 bit"), "{out}");
    ok(
        &d,
        "issue --self-signed --key rsa.key --subject CN=RSA-Root --profile ca -o rsa.pem",
    );
    let (good, out) = openssl(&d, "verify -x509_strict -CAfile rsa.pem rsa.pem");
    assert!(good && out.contains("rsa.pem: OK"), "{out}");
}

#[test]
fn bad_input_is_one_line() {
    let d = dir("bad");
    std::fs::write(d.join("junk.pem"), "not a certificate").unwrap();
    fails(&d, "verify --anchor junk.pem junk.pem");
    fails(&d, "verify --anchor missing.pem junk.pem");
    ok(&d, "keygen --alg p256 -o k.pem");
    let err = fails(&d, "csr --key k.pem --subject no-equals-sign -o x");
    assert!(err.contains("subject"), "{err}");
    let err = fails(
        &d,
        "issue --self-signed --key k.pem --subject CN=x --not-before yesterday -o x.pem",
    );
    assert!(err.contains("time"), "{err}");
    fails(&d, "ocsp request --issuer k.pem --serial 01 -o r.der");
}
