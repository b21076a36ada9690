//! `mpay apdu decode` end to end: every case and form, CLA bits, status words, JSON schema,
//! masking, and malformed input (one line on stderr, exit status 2).

use assert_cmd::Command;
use serde_json::Value;

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

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(args)).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn select_ppse_text() {
    assert_eq!(
        stdout(&["apdu", "decode", "00A404000E325041592E5359532E444446303100"]),
        "command: case 4, short\n\
         CLA 00: interindustry, channel 0\n\
         INS A4: SELECT\n\
         P1 04, P2 00: select by DF name, first or only occurrence, return FCI\n\
         Lc 0E: Nc 14\n\
         data: 325041592E5359532E4444463031\n\
         Le 00: Ne 256\n"
    );
}

#[test]
fn every_case_and_form() {
    let cases = [
        ("00A40400", 1, "short", 0, None),
        ("00B2010C00", 2, "short", 0, Some(256)),
        ("00A4040002AABB", 3, "short", 2, None),
        ("00A4040002AABB10", 4, "short", 2, Some(16)),
        ("00B00000000000", 2, "extended", 0, Some(65536)),
        ("00DA0000000002AABB", 3, "extended", 2, None),
        ("00DA0000000002AABB0101", 4, "extended", 2, Some(257)),
    ];
    for (hex, case, form, nc, ne) in cases {
        let v = json(&["apdu", "decode", hex, "--json"]);
        assert_eq!(v["type"], "command");
        assert_eq!(v["case"], case, "{hex}");
        assert_eq!(v["form"], form, "{hex}");
        assert_eq!(v["nc"], nc, "{hex}");
        assert_eq!(v["ne"], ne.map_or(Value::Null, Value::from), "{hex}");
    }
    let text = stdout(&["apdu", "decode", "00DA0000000002AABB0000"]);
    assert!(text.contains("Lc 000002: Nc 2\n"), "{text}");
    assert!(text.contains("Le 0000: Ne 65536\n"), "{text}");
    let text = stdout(&["apdu", "decode", "00B00000000000"]);
    assert!(text.contains("Le 000000: Ne 65536\n"), "{text}");
}

#[test]
fn class_bits_and_instruction_names() {
    let v = json(&["apdu", "decode", "84240000", "--json"]);
    assert_eq!(v["cla"]["kind"], "proprietary");
    assert_eq!(v["cla"]["secure_messaging"], "proprietary");
    assert_eq!(v["ins"]["name"], "PIN CHANGE/UNBLOCK");
    let v = json(&["apdu", "decode", "5FCA9F7F00", "--json"]);
    assert_eq!(v["cla"]["kind"], "further interindustry");
    assert_eq!(v["cla"]["channel"], 19);
    assert_eq!(v["cla"]["chained"], true);
    assert_eq!(v["ins"]["name"], "GET DATA");
    let text = stdout(&[
        "apdu",
        "decode",
        "80AE80001D000000001000000000000000084000000000000978251121005C2B3F8E00",
    ]);
    assert!(
        text.contains("INS AE: GENERATE AC\nP1 80, P2 00: ARQC requested\n"),
        "{text}"
    );
    let text = stdout(&["apdu", "decode", "00B2011400"]);
    assert!(text.contains("P1 01, P2 14: record 1 of SFI 2\n"), "{text}");
    let v = json(&["apdu", "decode", "20CA0000", "--json"]);
    assert_eq!(v["cla"]["kind"], "reserved");
    assert_eq!(v["cla"]["channel"], Value::Null);
}

#[test]
fn pin_data_and_pans_are_masked_unless_revealed() {
    let verify = "0020008008241234FFFFFFFFFF";
    let v = json(&["apdu", "decode", verify, "--json"]);
    assert_eq!(v["data"], "<8 bytes hidden>");
    assert_eq!(v["masked"], true);
    let v = json(&["apdu", "decode", verify, "--json", "--reveal"]);
    assert_eq!(v["data"], "241234FFFFFFFFFF");
    assert_eq!(v["masked"], false);
    let rec = "700A5A0847617390010100109000";
    let v = json(&["apdu", "decode", rec, "--response", "--json"]);
    assert_eq!(v["data"], "700A5A084761********0010");
    assert_eq!(v["masked"], true);
    assert_eq!(v["len"], 12);
}

#[test]
fn responses() {
    assert_eq!(
        stdout(&["apdu", "decode", "6A82", "--response"]),
        "SW 6A82: file or application not found\n"
    );
    assert_eq!(
        stdout(&["apdu", "decode", "6F009000", "--response"]),
        "data (2 bytes): 6F00\nSW 9000: success\n"
    );
    let cases = [
        ("9000", "success", "success"),
        (
            "6110",
            "more data",
            "16 more bytes available (GET RESPONSE)",
        ),
        ("6C32", "wrong le", "wrong Le: resend with Le = 50"),
        (
            "63C1",
            "counter",
            "warning: counter 1 (EMV VERIFY: 1 PIN tries left)",
        ),
        (
            "6283",
            "warning",
            "warning: selected file deactivated (EMV: application blocked)",
        ),
        ("6985", "error", "conditions of use not satisfied"),
        ("6D00", "error", "instruction code not supported or invalid"),
    ];
    for (sw, status, meaning) in cases {
        let v = json(&["apdu", "decode", sw, "--response", "--json"]);
        assert_eq!(v["type"], "response");
        assert_eq!(v["sw"], sw);
        assert_eq!(v["status"], status, "{sw}");
        assert_eq!(v["meaning"], meaning, "{sw}");
    }
}

#[test]
fn malformed_input_is_one_line_and_exit_2() {
    let e = fails(&["apdu", "decode", "00A4040002AA"]);
    assert!(e.contains("short Lc 2 at offset 4"), "{e}");
    let e = fails(&["apdu", "decode", "00A4040000AA"]);
    assert!(
        e.contains("extended length field at offset 4 is truncated"),
        "{e}"
    );
    let e = fails(&["apdu", "decode", "00A404"]);
    assert!(e.contains("shorter than the 4-byte header"), "{e}");
    let e = fails(&["apdu", "decode", "90", "--response"]);
    assert!(e.contains("no room for SW1 SW2"), "{e}");
    let e = fails(&["apdu", "decode", "zz"]);
    assert!(e.contains("not valid hex"), "{e}");
}
