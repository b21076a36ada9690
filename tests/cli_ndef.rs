//! `mpay ndef` end to end.

use assert_cmd::Command;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

#[test]
fn uri_and_text_build_messages() {
    // ndeflib's vector: http://nfcpy.org
    mpay()
        .args(["ndef", "uri", "http://nfcpy.org"])
        .assert()
        .success()
        .stdout("d1010a55036e666370792e6f7267\n");
    // ndeflib's vector: TEXT in English
    mpay()
        .args(["ndef", "text", "TEXT"])
        .assert()
        .success()
        .stdout("d101075402656e54455854\n");
    mpay()
        .args(["ndef", "text", "Hallo", "--lang", "de"])
        .assert()
        .success()
        .stdout("d101085402646548616c6c6f\n");
}

#[test]
fn decode_json() {
    // libnfc's Smart Poster
    let out = mpay()
        .args([
            "ndef",
            "decode",
            "d1021c5370910109540265 6e4c69626e666351010b55036c69626e66632e6f7267",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["records"][0];
    assert_eq!(r["tnf"], "well-known");
    assert_eq!(r["type_name"], "urn:nfc:wkt:Sp");
    assert_eq!(r["content"]["kind"], "smart-poster");
    assert_eq!(r["content"]["uri"], "http://libnfc.org");
    assert_eq!(r["content"]["titles"][0]["text"], "Libnfc");

    let out = mpay()
        .args(["ndef", "decode", "d1010a55036e666370792e6f7267"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("urn:nfc:wkt:U") && text.contains("http://nfcpy.org"),
        "{text}"
    );
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    for args in [
        vec!["ndef", "decode", "zz"],
        vec!["ndef", "decode", "150000"], // MB not set
        vec!["ndef", "decode", "d10104"], // truncated
        vec!["ndef", "text", "x", "--lang", ""],
    ] {
        let out = mpay().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("mpay: "), "{err}");
    }
    // lenient mode accepts what strict refuses
    mpay()
        .args(["ndef", "decode", "150000", "--lenient"])
        .assert()
        .success();
}
