//! `mpay otp` end to end: RFC vectors through the CLI, paycode generate → verify, errors.
#![cfg(feature = "otp")]

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

const K20: &str = "3132333435363738393031323334353637383930";
const K32: &str = "3132333435363738393031323334353637383930313233343536373839303132";

#[test]
fn hotp_rfc4226() {
    assert_eq!(
        stdout(&["otp", "hotp", "--secret-hex", K20, "--counter", "9"]),
        "520489\n"
    );
}

#[test]
fn totp_rfc6238_sha256() {
    assert_eq!(
        stdout(&[
            "otp",
            "totp",
            "--secret-hex",
            K32,
            "--time",
            "1111111109",
            "--algo",
            "sha256"
        ]),
        "68084774\n"
    );
    assert_eq!(
        stdout(&[
            "otp",
            "totp",
            "--secret-hex",
            K20,
            "--time",
            "59",
            "--digits",
            "6",
            "--step",
            "30"
        ]),
        "287082\n"
    );
}

#[test]
fn ocra_rfc6287_counter_pin_and_time() {
    assert_eq!(
        stdout(&[
            "otp",
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
            "--secret-hex",
            K32,
            "--challenge",
            "12345678",
            "--counter",
            "9",
            "--pin",
            "1234",
        ]),
        "08522129\n"
    );
    assert_eq!(
        stdout(&[
            "otp",
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA256-8:QN08-PSHA1",
            "--secret-hex",
            K32,
            "--challenge",
            "44444444",
            "--pin-hash",
            "7110eda4d09e062aa5e4a390b0a572ac0d2c0220",
        ]),
        "86807031\n"
    );
    let k64 = K20.repeat(4)[..128].to_string();
    let t = (0x132d0b6u64 * 60).to_string();
    assert_eq!(
        stdout(&[
            "otp",
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA512-8:QA10-T1M",
            "--secret-hex",
            &k64,
            "--challenge",
            "SIG1000000",
            "--time",
            &t,
        ]),
        "77537423\n"
    );
}

#[test]
fn paycode_gen_then_verify() {
    let key = "42".repeat(32);
    let seed = "07".repeat(32);
    let code = stdout(&[
        "otp",
        "paycode",
        "gen",
        "--code-key-hex",
        &key,
        "--index",
        "123456",
        "--seed-hex",
        &seed,
        "--time",
        "1700000000",
        "--pos-id",
        "POS-A",
        "--prefix",
        "28",
    ]);
    let code = code.trim();
    assert_eq!(code.len(), 18);
    assert!(code.starts_with("28"));
    let cred = format!("123456:{seed}");
    let args = |pos: &'static str| {
        vec![
            "otp".to_string(),
            "paycode".into(),
            "verify".into(),
            "--code-key-hex".into(),
            key.clone(),
            "--credential".into(),
            cred.clone(),
            "--code".into(),
            code.to_string(),
            "--time".into(),
            "1700000010".into(),
            "--pos-id".into(),
            pos.into(),
            "--prefix".into(),
            "28".into(),
        ]
    };
    let ok = mpay().args(args("POS-A")).output().unwrap();
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8(ok.stdout).unwrap(),
        format!("accepted 123456 {}\n", 1700000000 / 30)
    );
    let mut json = args("POS-A");
    json.push("--json".into());
    let out = mpay().args(json).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "accepted");
    assert_eq!(v["index"], 123456);
    // The same code at another POS: refused, one line on stderr, exit 2.
    let bad = mpay().args(args("POS-B")).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("Invalid") && err.lines().count() == 1, "{err}");
}

#[test]
fn bad_input_is_one_line_exit_2() {
    for args in [
        vec!["otp", "hotp", "--secret-hex", "zz", "--counter", "1"],
        vec!["otp", "hotp", "--secret-hex", "00", "--counter", "1"],
        vec![
            "otp",
            "hotp",
            "--secret-hex",
            K20,
            "--counter",
            "1",
            "--digits",
            "5",
        ],
        vec![
            "otp",
            "ocra",
            "--suite",
            "OCRA-1:HOTP-MD5-6:QN08",
            "--secret-hex",
            K20,
            "--challenge",
            "1234",
        ],
        vec![
            "otp",
            "ocra",
            "--suite",
            "OCRA-1:HOTP-SHA1-6:C-QN08",
            "--secret-hex",
            K20,
            "--challenge",
            "1234",
        ],
    ] {
        let out = mpay().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    let out = mpay()
        .args([
            "otp",
            "hotp",
            "--secret-hex",
            K20,
            "--counter",
            "1",
            "--algo",
            "md5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
