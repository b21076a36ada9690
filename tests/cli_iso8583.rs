//! `mpay iso8583` end to end: pack from JSON, unpack to a masked description and to JSON,
//! spec files, errors (one line, exit 2).

use assert_cmd::Command;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

const MSG: &str = r#"{"mti":"0100","fields":{"2":"4761739001010119","3":"000000","11":"123456","35":"4761739001010119=2512","52":"123456789ABCDEF0","55":{"9F26":"1122334455667788","5A":"4761739001010119"}}}"#;

#[test]
fn pack_then_unpack_binary() {
    let hex = stdout(&["iso8583", "pack", "--spec", "iso87binary", MSG]);
    let hex = hex.trim();
    assert_eq!(
        hex,
        concat!(
            "0100",
            "6020000020001200",
            "164761739001010119",
            "000000",
            "123456",
            "214761739001010119D25120",
            "123456789ABCDEF0",
            "0021",
            "9F260811223344556677885A084761739001010119"
        )
    );
    let json = stdout(&["iso8583", "unpack", "--spec", "iso87binary", hex, "--json"]);
    assert_eq!(json.trim(), MSG);
    let text = stdout(&["iso8583", "unpack", "--spec", "iso87binary", hex]);
    assert!(text.contains("476173******0119"), "{text}");
    assert!(!text.contains("4761739001010119"), "PAN in clear: {text}");
    assert!(
        !text.contains("123456789ABCDEF0"),
        "PIN block in clear: {text}"
    );
    assert!(text.contains("9F26: 1122334455667788"), "{text}");
}

#[test]
fn lists_specs_and_loads_spec_files() {
    let names = stdout(&["iso8583", "specs"]);
    assert_eq!(
        names,
        "iso87ascii\niso87binary\niso93ascii\niso2003binary\ncup-pos\n"
    );
    let dir = std::env::temp_dir().join(format!("mpay-cli-iso8583-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("tiny.toml");
    std::fs::write(
        &toml,
        "name = \"tiny\"\nmti = \"ascii\"\nbitmap = \"hex_ascii\"\n\n[[fields]]\nnumber = 11\nclass = \"n\"\nencoding = \"ascii\"\nlength = 6\n",
    )
    .unwrap();
    let t = toml.to_str().unwrap();
    let hex = stdout(&[
        "iso8583",
        "pack",
        "--spec",
        t,
        r#"{"mti":"0800","fields":{"11":"000001"}}"#,
    ]);
    assert_eq!(hex.trim(), hex::encode_upper("08000020000000000000000001"));
    let json = stdout(&["iso8583", "unpack", "--spec", t, hex.trim(), "--json"]);
    assert_eq!(json.trim(), r#"{"mti":"0800","fields":{"11":"000001"}}"#);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_are_one_line() {
    let e = fails(&["iso8583", "unpack", "--spec", "nope", "0800"]);
    assert!(
        e.contains("iso87ascii, iso87binary, iso93ascii, iso2003binary, cup-pos"),
        "{e}"
    );
    let e = fails(&["iso8583", "unpack", "--spec", "iso87ascii", "30383030"]);
    assert!(e.contains("bitmap 1 at offset 4"), "{e}");
    fails(&["iso8583", "unpack", "--spec", "iso87ascii", "zz"]);
    let e = fails(&[
        "iso8583",
        "pack",
        "--spec",
        "iso87ascii",
        r#"{"mti":"0100","fields":{"3":"12X"}}"#,
    ]);
    assert!(e.contains("field 3"), "{e}");
    fails(&["iso8583", "pack", "--spec", "iso87ascii", "{"]);
}
