//! `mpay sm3`, `mpay sm4`, `mpay sm2` end to end.

use assert_cmd::Command;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mpay-cli-gmt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn sm3_stdin_and_hmac() {
    mpay()
        .arg("sm3")
        .write_stdin("abc")
        .assert()
        .success()
        .stdout("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\n");
    let out = mpay()
        .args(["sm3", "--hmac-key-hex", "6b6579", "-"])
        .write_stdin("m")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        hex::encode(mpay::gmt::sm3::hmac(b"key", b"m"))
    );
}

#[test]
fn sm4_kat_and_round_trips() {
    let k = "0123456789abcdeffedcba9876543210";
    mpay()
        .args([
            "sm4",
            "enc",
            "--mode",
            "ecb",
            "--no-pad",
            "--key-hex",
            k,
            "--data-hex",
            k,
            "--hex",
        ])
        .assert()
        .success()
        .stdout("681edf34d206965e86b3e94f536e4246\n");
    for (mode, iv) in [
        ("cbc", "00112233445566778899aabbccddeeff"),
        ("ctr", "00112233445566778899aabbccddeeff"),
        ("gcm", "00112233445566778899aabb"),
        ("ecb", ""),
    ] {
        let mut enc = vec![
            "sm4",
            "enc",
            "--mode",
            mode,
            "--key-hex",
            k,
            "--data-hex",
            "68656c6c6f",
            "--hex",
        ];
        if !iv.is_empty() {
            enc.extend(["--iv-hex", iv]);
        }
        let out = mpay().args(&enc).output().unwrap();
        assert!(out.status.success(), "{mode}");
        let ct = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let mut dec = vec![
            "sm4",
            "dec",
            "--mode",
            mode,
            "--key-hex",
            k,
            "--data-hex",
            &ct,
        ];
        if !iv.is_empty() {
            dec.extend(["--iv-hex", iv]);
        }
        mpay().args(&dec).assert().success().stdout("hello");
    }
}

#[test]
fn sm4_bad_input_is_one_line_exit_2() {
    let out = mpay()
        .args([
            "sm4",
            "enc",
            "--mode",
            "cbc",
            "--key-hex",
            "00",
            "--data-hex",
            "00",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = mpay()
        .args([
            "sm4",
            "dec",
            "--mode",
            "gcm",
            "--key-hex",
            "00112233445566778899aabbccddeeff",
            "--iv-hex",
            "000000000000000000000000",
            "--data-hex",
            "00112233445566778899aabbccddeeff",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sm2_keygen_sign_verify_encrypt_decrypt() {
    let (key, public) = (tmp("a.key"), tmp("a.pub"));
    mpay()
        .args([
            "sm2",
            "keygen",
            "--out",
            key.to_str().unwrap(),
            "--pub-out",
            public.to_str().unwrap(),
        ])
        .assert()
        .success();
    let msg = tmp("msg");
    std::fs::write(&msg, b"pay 1.00").unwrap();
    for (format, id) in [
        ("der", None),
        ("raw", Some("")),
        ("der", Some("ALICE123@YAHOO.COM")),
    ] {
        let sig = tmp(&format!("sig-{format}"));
        let mut sign = vec![
            "sm2",
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--format",
            format,
            "--in",
            msg.to_str().unwrap(),
        ];
        if let Some(i) = id {
            sign.extend(["--id", i]);
        }
        let out = mpay().args(&sign).output().unwrap();
        assert!(out.status.success());
        std::fs::write(&sig, out.stdout).unwrap();
        let mut verify = vec![
            "sm2",
            "verify",
            "--pub",
            public.to_str().unwrap(),
            "--sig",
            sig.to_str().unwrap(),
            "--format",
            format,
            "--in",
            msg.to_str().unwrap(),
        ];
        if let Some(i) = id {
            verify.extend(["--id", i]);
        }
        mpay().args(&verify).assert().success().stdout("OK\n");
        verify.extend(["--id-hex", "00"]);
        if id.is_none() {
            mpay().args(&verify).assert().code(2);
        }
    }
    for format in ["der", "c1c3c2", "c1c2c3"] {
        let out = mpay()
            .args([
                "sm2",
                "encrypt",
                "--pub",
                public.to_str().unwrap(),
                "--format",
                format,
            ])
            .write_stdin("secret")
            .output()
            .unwrap();
        assert!(out.status.success());
        mpay()
            .args([
                "sm2",
                "decrypt",
                "--key",
                key.to_str().unwrap(),
                "--format",
                format,
            ])
            .write_stdin(out.stdout)
            .assert()
            .success()
            .stdout("secret");
    }
}

#[test]
fn sm2_exchange_both_roles() {
    let p = |n: &str| tmp(n).to_str().unwrap().to_string();
    for n in ["xa", "xb", "ea", "eb"] {
        mpay()
            .args([
                "sm2",
                "keygen",
                "--out",
                &p(&format!("{n}.key")),
                "--pub-out",
                &p(&format!("{n}.pub")),
            ])
            .assert()
            .success();
    }
    let run = |role: &str, own: &str, peer: &str, confirm: Option<&str>| {
        let (k, e, pp, pe) = (
            p(&format!("x{own}.key")),
            p(&format!("e{own}.key")),
            p(&format!("x{peer}.pub")),
            p(&format!("e{peer}.pub")),
        );
        let mut a = vec![
            "sm2",
            "exchange",
            "--role",
            role,
            "--key",
            &k,
            "--ephemeral-key",
            &e,
            "--peer-pub",
            &pp,
            "--peer-ephemeral-pub",
            &pe,
            "--len",
            "16",
        ];
        if let Some(c) = confirm {
            a.extend(["--peer-confirm-hex", c]);
        }
        let out = mpay().args(&a).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, b) = run("responder", "b", "a", None);
    assert_eq!(code, Some(0));
    let sb = b
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("confirm=")
        .to_string();
    let (code, a) = run("initiator", "a", "b", Some(&sb));
    assert_eq!(code, Some(0));
    assert_eq!(a.lines().next(), b.lines().next(), "same key");
    let sa = a
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("confirm=")
        .to_string();
    assert_eq!(run("responder", "b", "a", Some(&sa)).0, Some(0));
    assert_eq!(
        run("responder", "b", "a", Some(&sb)).0,
        Some(2),
        "wrong confirmation rejected"
    );
}
