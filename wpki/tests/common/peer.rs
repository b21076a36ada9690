//! The openssl CLI as a peer: presence check (skip, or fail under `MPAY_REQUIRE_PEERS`), runs
//! in a directory, PEM files.

use super::now;
use der::EncodePem;
use der::pem::LineEnding;
use std::path::Path;
use std::process::Command;
use x509_cert::Certificate;

pub fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("MPAY_REQUIRE_PEERS").is_none(),
            "MPAY_REQUIRE_PEERS is set but openssl is missing"
        );
        eprintln!("skipping: openssl CLI not found");
    }
    ok
}

pub fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

pub fn write_pem(dir: &Path, name: &str, cert: &Certificate) {
    std::fs::write(dir.join(name), cert.to_pem(LineEnding::LF).unwrap()).unwrap();
}

pub fn attime() -> String {
    now().unix_duration().as_secs().to_string()
}

/// Writes `root.pem`, `bank.pem` and `user.pem` into `dir` and runs `openssl verify
/// [-x509_strict] -attime <attime> -CAfile root.pem -untrusted bank.pem user.pem`.
pub fn verify_chain_at(
    dir: &Path,
    [root, bank, user]: [&Certificate; 3],
    strict: bool,
    attime: &str,
) -> (bool, String) {
    write_pem(dir, "root.pem", root);
    write_pem(dir, "bank.pem", bank);
    write_pem(dir, "user.pem", user);
    let mut args = vec!["verify"];
    if strict {
        args.push("-x509_strict");
    }
    args.extend([
        "-attime",
        attime,
        "-CAfile",
        "root.pem",
        "-untrusted",
        "bank.pem",
        "user.pem",
    ]);
    openssl(dir, &args)
}
