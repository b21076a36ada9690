//! `mpay tlv` end to end: named masked tree, the JSON schema, DOL building, errors (exit 2).

use assert_cmd::Command;
use serde_json::Value;

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

/// READ RECORD SFI 2 record 6 of a real (deactivated) Visa card, see
/// `emv-tlv/tests/vectors/visa_lloyds_contactless.txt`.
const RECORD: &str = "702e9f4701035a0849218280948967525f3401005f24032502285f280208269f6e04207000009f690701b4cba8d61600";
/// Its PPSE response.
const PPSE: &str =
    "6f2b840e325041592e5359532e4444463031a519bf0c1661144f07a00000000310109f0a080001050100000000";

fn stdout(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails_with_one_line(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn decode_prints_a_named_masked_tree() {
    let text = stdout(&["tlv", "decode", RECORD]);
    assert!(
        text.starts_with("70 READ RECORD Response Message Template [46]\n"),
        "{text}"
    );
    assert!(
        text.contains("  5A Application Primary Account Number (PAN) [8]: 492182******6752\n"),
        "{text}"
    );
    assert!(
        text.contains("  5F24 Application Expiration Date [3]: 250228\n"),
        "{text}"
    );
    assert!(!text.contains("4921828094896752"));
    let ppse = stdout(&["tlv", "decode", PPSE]);
    assert!(
        ppse.contains("      61 Application Template [20]\n"),
        "{ppse}"
    );
    assert!(ppse.contains("        4F Application Identifier (AID) - card [7]: A0000000031010\n"));
}

#[test]
fn decode_decodes_bit_fields() {
    let text = stdout(&["tlv", "decode", "95058000000000 9F34031F0002"]);
    assert!(
        text.contains("95 Terminal Verification Results (TVR) [5]: 8000000000 — Offline data authentication was not performed\n"),
        "{text}"
    );
    assert!(
        text.contains("— No CVM required — Always — successful\n"),
        "{text}"
    );
}

#[test]
fn decode_json_schema() {
    let out = stdout(&["tlv", "decode", RECORD, "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let top = v.as_array().unwrap();
    assert_eq!(top.len(), 1);
    assert_eq!(top[0]["tag"], "70");
    assert_eq!(top[0]["len"], 46);
    assert!(top[0].get("value").is_none());
    let kids = top[0]["children"].as_array().unwrap();
    assert_eq!(kids.len(), 7);
    assert_eq!(kids[1]["tag"], "5A");
    assert_eq!(kids[1]["name"], "Application Primary Account Number (PAN)");
    assert_eq!(kids[1]["value"], "492182******6752");
    assert_eq!(kids[1]["masked"], true);
    assert_eq!(kids[6]["tag"], "9F69");
    assert_eq!(kids[6]["value"], "01B4CBA8D61600");
    assert!(kids.iter().all(|k| k.get("children").is_none()));
    // --reveal shows the PAN.
    let out = stdout(&["tlv", "decode", RECORD, "--json", "--reveal"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["children"][1]["value"], "4921828094896752");
    assert!(v[0]["children"][1].get("masked").is_none());
}

#[test]
fn padding_and_lenient_options() {
    // Visa CDET card with FF padding (evsinev/ber-tlv#11).
    let rec = "700C5F340101FFFFFF9F57020840";
    fails_with_one_line(&["tlv", "decode", rec]);
    let out = stdout(&["tlv", "decode", rec, "--padding", "skip00ff", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["children"][1]["tag"], "9F57");
    // Non-TLV inside a constructed 65: lenient keeps it opaque.
    let bad = "6F0784 01A0 6502 9FFF";
    fails_with_one_line(&["tlv", "decode", bad]);
    let out = stdout(&["tlv", "decode", bad, "--lenient", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["children"][1]["opaque"], true);
    assert_eq!(v[0]["children"][1]["value"], "9FFF");
    // Strict lengths.
    fails_with_one_line(&["tlv", "decode", "5A810112", "--strict"]);
}

#[test]
fn dol_builds_data_per_book3() {
    // Visa PDOL from the real SELECT response, data from TLV: the real GPO command data.
    let pdol = "9f66049f02069f03069f1a0295055f2a029a039c019f3704";
    let data = "9F660427000000 9F02021000 9F1A020978 5F2A020978 9A03230301 9C0100 9F370438393031";
    let out = stdout(&["tlv", "dol", pdol, "--data", data]);
    assert_eq!(
        out,
        "270000000000000010000000000000000978000000000009782303010038393031\n"
    );
    // cn pads with FF on the right.
    assert_eq!(
        stdout(&["tlv", "dol", "5A0A", "--data", "5A0412345678"]),
        "12345678FFFFFFFFFFFF\n"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let e = fails_with_one_line(&["tlv", "decode", "ZZ"]);
    assert!(e.contains("hex"), "{e}");
    let e = fails_with_one_line(&["tlv", "decode", "9F0206000000"]);
    assert!(e.contains("needs 6 bytes, 3 available"), "{e}");
    fails_with_one_line(&["tlv", "dol", "9F02", "--data", ""]);
    fails_with_one_line(&["tlv", "dol", "9F0206", "--data", "9F02"]);
    // clap usage errors exit 2 too.
    let out = mpay().args(["tlv", "dol", "9F0206"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = mpay().args(["tlv", "decode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
