//! `mpay token` end to end: NIST FF1 samples, SM4 round trip, vault tokenize → detokenize in a
//! SQLite file across processes, Luhn, and one-line errors with exit status 2.
#![cfg(feature = "tokenization")]

use assert_cmd::Command;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

fn stdout<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let e = String::from_utf8(out.stderr).unwrap();
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

/// `mpay token <group> <op> --key-hex <key> [--db <db>] <rest…>`: the shared head of the
/// `ff1` and `vault` invocations.
fn token(group: &str, op: &str, db: Option<&str>, key: &str, rest: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["token", group, op].map(String::from).to_vec();
    if let Some(db) = db {
        a.extend(["--db".to_string(), db.to_string()]);
    }
    a.extend(["--key-hex".to_string(), key.to_string()]);
    a.extend(rest.iter().map(|r| r.to_string()));
    a
}

fn ff1(op: &str, key: &str, rest: &[&str]) -> Vec<String> {
    token("ff1", op, None, key, rest)
}

const K128: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
const K256: &str = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94";

#[test]
fn ff1_nist_samples() {
    assert_eq!(
        stdout(&ff1("encrypt", K128, &["0123456789"])),
        "2433477484\n"
    );
    let tweak = ["--tweak-hex", "39383736353433323130", "0123456789"];
    assert_eq!(stdout(&ff1("encrypt", K256, &tweak)), "1001623463\n");
    let radix36 = [
        "--tweak-hex",
        "3737373770717273373737",
        "--radix",
        "36",
        "a9tv40mll9kdu509eum",
    ];
    assert_eq!(
        stdout(&ff1("decrypt", K128, &radix36)),
        "0123456789abcdefghi\n"
    );
}

#[test]
fn ff1_sm4_round_trip() {
    let k = "0123456789ABCDEFFEDCBA9876543210";
    let c = stdout(&ff1("encrypt", k, &["--cipher", "sm4", "4111111111111111"]));
    assert_eq!(c.trim().len(), 16);
    assert_ne!(c.trim(), "4111111111111111");
    assert_eq!(
        stdout(&ff1("decrypt", k, &["--cipher", "sm4", c.trim()])),
        "4111111111111111\n"
    );
}

#[test]
fn ff1_errors() {
    assert!(fails(&ff1("encrypt", K128, &["12345"])).contains("below 10^6"));
    assert!(fails(&ff1("encrypt", "00ff", &["123456"])).contains("key"));
    assert!(fails(&ff1("encrypt", K128, &["12a456"])).contains("offset 2"));
    fails(&ff1("encrypt", "zz", &["123456"]));
}

#[test]
fn vault_tokenize_detokenize_across_processes() {
    let dir = std::env::temp_dir().join(format!("mpay-cli-token-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("v.db");
    let db = db.to_str().unwrap();
    let key = "11".repeat(32);
    let vault = |op: &str, rest: &[&str]| token("vault", op, Some(db), &key, rest);
    let t = stdout(&vault("tokenize", &["4111111111111111"]));
    let t = t.trim();
    assert!(t.starts_with("tok_"), "{t}");
    assert_eq!(stdout(&vault("detokenize", &[t])), "4111111111111111\n");
    assert_eq!(
        stdout(&vault("detokenize", &["--masked", t])),
        "************1111\n"
    );
    // convergent: same PAN, same token
    let convergent = ["--tenant", "c", "--convergent", "5500000000000004"];
    let c1 = stdout(&vault("tokenize", &convergent));
    let c2 = stdout(&vault("tokenize", &convergent));
    assert_eq!(c1, c2);
    // wrong key: authentication fails, no PAN in the error
    let e = fails(&token(
        "vault",
        "detokenize",
        Some(db),
        &"22".repeat(32),
        &[t],
    ));
    assert!(
        e.contains("authentication") && !e.contains("4111111"),
        "{e}"
    );
    assert!(fails(&vault("detokenize", &["tok_nope"])).contains("not found"));
    let e = fails(&vault("tokenize", &["41111111x1111111"]));
    assert!(e.contains("offset 8") && !e.contains("4111"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn luhn() {
    assert_eq!(stdout(&["token", "luhn", "79927398713"]), "valid\n");
    assert_eq!(
        stdout(&["token", "luhn", "79927398710"]),
        "invalid (check digit should be 3)\n"
    );
    assert_eq!(
        stdout(&["token", "luhn", "--complete", "7992739871"]),
        "79927398713\n"
    );
    assert!(fails(&["token", "luhn", "7992x"]).contains("offset 4"));
}
