//! `mpay token` end to end: NIST FF1 samples, SM4 round trip, vault tokenize → detokenize in a
//! SQLite file across processes, Luhn, and one-line errors with exit status 2.
#![cfg(feature = "tokenization")]

use assert_cmd::Command;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let e = String::from_utf8(out.stderr).unwrap();
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

const K128: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
const K256: &str = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94";

#[test]
fn ff1_nist_samples() {
    assert_eq!(
        stdout(&["token", "ff1", "encrypt", "--key-hex", K128, "0123456789"]),
        "2433477484\n"
    );
    assert_eq!(
        stdout(&[
            "token",
            "ff1",
            "encrypt",
            "--key-hex",
            K256,
            "--tweak-hex",
            "39383736353433323130",
            "0123456789"
        ]),
        "1001623463\n"
    );
    assert_eq!(
        stdout(&[
            "token",
            "ff1",
            "decrypt",
            "--key-hex",
            K128,
            "--tweak-hex",
            "3737373770717273373737",
            "--radix",
            "36",
            "a9tv40mll9kdu509eum"
        ]),
        "0123456789abcdefghi\n"
    );
}

#[test]
fn ff1_sm4_round_trip() {
    let k = "0123456789ABCDEFFEDCBA9876543210";
    let c = stdout(&[
        "token",
        "ff1",
        "encrypt",
        "--cipher",
        "sm4",
        "--key-hex",
        k,
        "4111111111111111",
    ]);
    assert_eq!(c.trim().len(), 16);
    assert_ne!(c.trim(), "4111111111111111");
    assert_eq!(
        stdout(&[
            "token",
            "ff1",
            "decrypt",
            "--cipher",
            "sm4",
            "--key-hex",
            k,
            c.trim()
        ]),
        "4111111111111111\n"
    );
}

#[test]
fn ff1_errors() {
    assert!(fails(&["token", "ff1", "encrypt", "--key-hex", K128, "12345"]).contains("below 10^6"));
    assert!(fails(&["token", "ff1", "encrypt", "--key-hex", "00ff", "123456"]).contains("key"));
    assert!(fails(&["token", "ff1", "encrypt", "--key-hex", K128, "12a456"]).contains("offset 2"));
    fails(&["token", "ff1", "encrypt", "--key-hex", "zz", "123456"]);
}

#[test]
fn vault_tokenize_detokenize_across_processes() {
    let dir = std::env::temp_dir().join(format!("mpay-cli-token-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("v.db");
    let db = db.to_str().unwrap();
    let key = "11".repeat(32);
    let t = stdout(&[
        "token",
        "vault",
        "tokenize",
        "--db",
        db,
        "--key-hex",
        &key,
        "4111111111111111",
    ]);
    let t = t.trim();
    assert!(t.starts_with("tok_"), "{t}");
    assert_eq!(
        stdout(&[
            "token",
            "vault",
            "detokenize",
            "--db",
            db,
            "--key-hex",
            &key,
            t
        ]),
        "4111111111111111\n"
    );
    assert_eq!(
        stdout(&[
            "token",
            "vault",
            "detokenize",
            "--db",
            db,
            "--key-hex",
            &key,
            "--masked",
            t
        ]),
        "************1111\n"
    );
    // convergent: same PAN, same token
    let c1 = stdout(&[
        "token",
        "vault",
        "tokenize",
        "--db",
        db,
        "--key-hex",
        &key,
        "--tenant",
        "c",
        "--convergent",
        "5500000000000004",
    ]);
    let c2 = stdout(&[
        "token",
        "vault",
        "tokenize",
        "--db",
        db,
        "--key-hex",
        &key,
        "--tenant",
        "c",
        "--convergent",
        "5500000000000004",
    ]);
    assert_eq!(c1, c2);
    // wrong key: authentication fails, no PAN in the error
    let e = fails(&[
        "token",
        "vault",
        "detokenize",
        "--db",
        db,
        "--key-hex",
        &"22".repeat(32),
        t,
    ]);
    assert!(
        e.contains("authentication") && !e.contains("4111111"),
        "{e}"
    );
    assert!(
        fails(&[
            "token",
            "vault",
            "detokenize",
            "--db",
            db,
            "--key-hex",
            &key,
            "tok_nope"
        ])
        .contains("not found")
    );
    let e = fails(&[
        "token",
        "vault",
        "tokenize",
        "--db",
        db,
        "--key-hex",
        &key,
        "41111111x1111111",
    ]);
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
