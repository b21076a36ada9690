//! `mpay qr …` and `mpay audio …` end to end: MPM parse/build (text and JSON), CPM parse with
//! masking, QR/barcode rendering and QR decoding, WAV encode/decode, errors (exit 2, one line).

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
const CPM: &str = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";

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

fn fails_with_one_line(args: &[&str]) -> String {
    let out = mpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mpay-cli-qr-{}-{name}", std::process::id()))
}

#[test]
fn mpm_parse_text_and_json_and_build_round_trip() {
    let text = stdout(&["qr", "mpm", "parse", SAMPLE]);
    assert!(text.contains("54 Transaction Amount: 23.72"), "{text}");
    assert!(text.contains("  01 最佳运输"), "{text}");
    let json = stdout(&["qr", "mpm", "parse", SAMPLE, "--json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["crc"], "A13A");
    assert_eq!(v["objects"][2]["id"], "29");
    assert_eq!(v["objects"][2]["objects"][0]["value"], "D15600000000");
    let rebuilt = stdout(&["qr", "mpm", "build", &json]);
    assert_eq!(rebuilt.trim_end(), SAMPLE);
}

#[test]
fn mpm_errors() {
    let bad = SAMPLE.replace("A13A", "A13B");
    let err = fails_with_one_line(&["qr", "mpm", "parse", &bad]);
    assert!(err.contains("CRC") && err.contains("A13A"), "{err}");
    let err = fails_with_one_line(&[
        "qr",
        "mpm",
        "build",
        "{\"objects\": [{\"id\": \"52\", \"value\": \"12345\"}]}",
    ]);
    assert!(err.contains("52"), "{err}");
    fails_with_one_line(&["qr", "mpm", "build", "not json"]);
}

#[test]
fn cpm_parse_masks_the_pan() {
    let text = stdout(&["qr", "cpm", "parse", CPM]);
    assert!(text.contains("9F26"), "{text}");
    assert!(!text.contains("1234567890123458"), "{text}");
    let json: Value =
        serde_json::from_str(&stdout(&["qr", "cpm", "parse", CPM, "--json", "--reveal"])).unwrap();
    let objs = json["objects"].as_array().unwrap();
    assert_eq!(objs[0]["tag"], "85");
    assert_eq!(objs[0]["value"], "4350563031");
    assert!(
        objs.iter()
            .any(|o| o["tag"] == "5A" && o["value"] == "1234567890123458")
    );
    fails_with_one_line(&["qr", "cpm", "parse", "hQVDUFYwMg=="]);
}

#[test]
fn render_and_decode() {
    let png = tmp("code.png");
    stdout(&[
        "qr",
        "render",
        SAMPLE,
        "-o",
        png.to_str().unwrap(),
        "--ec",
        "q",
    ]);
    assert_eq!(
        stdout(&["qr", "decode", png.to_str().unwrap()]).trim_end(),
        SAMPLE
    );
    let svg = tmp("bar.svg");
    stdout(&[
        "qr",
        "render",
        "120061098828009406",
        "-o",
        svg.to_str().unwrap(),
        "--barcode",
    ]);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<path"));
    fails_with_one_line(&[
        "qr",
        "render",
        "12ab",
        "-o",
        svg.to_str().unwrap(),
        "--barcode",
    ]);
    fails_with_one_line(&["qr", "decode", svg.to_str().unwrap()]);
    std::fs::remove_file(png).ok();
    std::fs::remove_file(svg).ok();
}

#[test]
fn audio_encode_decode() {
    let wav = tmp("code.wav");
    stdout(&[
        "audio",
        "encode",
        "120061098828009406",
        "-o",
        wav.to_str().unwrap(),
    ]);
    assert_eq!(
        stdout(&["audio", "decode", wav.to_str().unwrap()]).trim_end(),
        "120061098828009406"
    );
    stdout(&[
        "audio",
        "encode",
        "hcu7848rn3",
        "-o",
        wav.to_str().unwrap(),
        "--mode",
        "chirp",
        "--rate",
        "48000",
    ]);
    assert_eq!(
        stdout(&["audio", "decode", wav.to_str().unwrap(), "--mode", "chirp"]).trim_end(),
        "hcu7848rn3"
    );
    fails_with_one_line(&[
        "audio",
        "encode",
        "990000000000000000",
        "-o",
        wav.to_str().unwrap(),
    ]);
    std::fs::remove_file(wav).ok();
}
