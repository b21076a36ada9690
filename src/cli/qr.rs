//! `mpay qr …`: EMVCo merchant-presented (`mpm`) and consumer-presented (`cpm`) payloads, and
//! payment-code images (`render`, `decode`).
//!
//! JSON schemas (stable):
//! - `mpm parse --json`: `{"crc": "A13A", "objects": [{"id": "00", "offset": 0, "value": "01"},
//!   {"id": "62", "offset": 171, "value": "…", "objects": [{"id": "05", …}]}, …]}`; `objects`
//!   appears on templates (26–51, 62, 64, 80–99). `mpm build` reads the same shape (`offset`,
//!   `crc` and a template's `value` are ignored; `00` and `63` are added).
//! - `cpm parse --json`: `{"objects": [{"tag": "85", "offset": 0, "depth": 0, "name": "…",
//!   "value": "4350563031"}, …]}`; primitive values are hex, masked for PAN-like tags unless
//!   `--reveal`.

use super::{CliResult, emit, emit_json};
use clap::{Args, Subcommand, ValueEnum};
use mpay_qr_payment::cpm::{ConsumerPayload, decode_base64, mpay_emv_tlv::dictionary};
use mpay_qr_payment::image::{self, EcLevel, Render};
use mpay_qr_payment::mpm::{self, DataObject, MerchantPayload, MerchantPayloadBuilder, Value};
use serde_json::{Value as Json, json};
use std::fmt::Write as _;

/// Arguments of `mpay qr`.
#[derive(Args)]
pub struct QrArgs {
    #[command(subcommand)]
    command: QrCommand,
}

#[derive(Subcommand)]
enum QrCommand {
    /// EMVCo merchant-presented mode (ID-length-value text with CRC).
    Mpm {
        #[command(subcommand)]
        command: MpmCommand,
    },
    /// EMVCo consumer-presented mode (base64 BER-TLV).
    Cpm {
        #[command(subcommand)]
        command: CpmCommand,
    },
    /// Render text as a QR code (or a Code 128 barcode of digits) to PNG or SVG.
    Render {
        /// The text (an MPM payload, a payment code, …).
        text: String,
        /// Output file; `.svg` writes SVG, anything else PNG.
        #[arg(short, long)]
        output: std::path::PathBuf,
        /// Code 128 (set C) barcode instead of a QR code (digits only).
        #[arg(long)]
        barcode: bool,
        /// QR error-correction level.
        #[arg(long, value_enum, default_value = "m")]
        ec: Level,
        /// Pixels per module.
        #[arg(long, default_value_t = 4)]
        scale: u32,
    },
    /// Decode the QR codes in a PNG image; prints one text per line.
    Decode {
        /// The PNG file.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum MpmCommand {
    /// Parse and check a payload (order, duplicates, formats, CRC).
    Parse {
        /// The payload text.
        payload: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Build a payload from JSON (the shape `parse --json` prints); prints the text.
    Build {
        /// The JSON document.
        json: String,
    },
}

#[derive(Subcommand)]
enum CpmCommand {
    /// Decode and check a base64 payload.
    Parse {
        /// The base64 text.
        base64: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// Show PAN and track data in clear.
        #[arg(long)]
        reveal: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
    L,
    M,
    Q,
    H,
}

/// Runs `mpay qr`.
pub fn run(args: QrArgs) -> CliResult {
    match args.command {
        QrCommand::Mpm { command } => match command {
            MpmCommand::Parse { payload, json } => mpm_parse(&payload, json),
            MpmCommand::Build { json } => mpm_build(&json),
        },
        QrCommand::Cpm {
            command:
                CpmCommand::Parse {
                    base64,
                    json,
                    reveal,
                },
        } => cpm_parse(&base64, json, reveal),
        QrCommand::Render {
            text,
            output,
            barcode,
            ec,
            scale,
        } => render(&text, &output, barcode, ec, scale),
        QrCommand::Decode { file } => {
            let png = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let texts = image::decode_qr_png(&png)?;
            emit(&texts.iter().map(|t| format!("{t}\n")).collect::<String>())
        }
    }
}

fn object_json(o: &DataObject<'_>) -> Json {
    let mut v = json!({"id": format!("{:02}", o.id), "offset": o.offset, "value": o.value});
    if o.template.is_none() && mpm::is_template(o.id) {
        let kids: Vec<Json> = o
            .objects()
            .map_while(Result::ok)
            .map(|c| object_json(&c))
            .collect();
        v["objects"] = Json::Array(kids);
    }
    v
}

fn name(id: u8) -> &'static str {
    match id {
        0 => "Payload Format Indicator",
        1 => "Point of Initiation Method",
        2..=25 => "Merchant Account Information",
        26..=51 => "Merchant Account Information (template)",
        52 => "Merchant Category Code",
        53 => "Transaction Currency",
        54 => "Transaction Amount",
        55 => "Tip or Convenience Indicator",
        56 => "Convenience Fee Fixed",
        57 => "Convenience Fee Percentage",
        58 => "Country Code",
        59 => "Merchant Name",
        60 => "Merchant City",
        61 => "Postal Code",
        62 => "Additional Data Field Template",
        63 => "CRC",
        64 => "Merchant Information - Language Template",
        80..=99 => "Unreserved Template",
        _ => "RFU",
    }
}

fn mpm_parse(payload: &str, as_json: bool) -> CliResult {
    let qr = MerchantPayload::parse(payload)?;
    if as_json {
        let objects: Vec<Json> = qr.objects().iter().map(object_json).collect();
        return emit_json(&json!({"crc": format!("{:04X}", qr.crc()), "objects": objects}));
    }
    let mut s = String::new();
    for o in qr.objects() {
        if mpm::is_template(o.id) {
            writeln!(s, "{:02} {}", o.id, name(o.id))?;
            for c in o.objects().map_while(Result::ok) {
                writeln!(s, "  {:02} {}", c.id, c.value)?;
            }
        } else {
            writeln!(s, "{:02} {}: {}", o.id, name(o.id), o.value)?;
        }
    }
    emit(&s)
}

fn id_of(v: &Json, what: &str) -> Result<u8, String> {
    let id = v
        .get("id")
        .and_then(Json::as_str)
        .ok_or(format!("{what}: missing \"id\""))?;
    id.parse::<u8>()
        .ok()
        .filter(|n| *n <= 99 && id.len() == 2)
        .ok_or(format!("{what}: id {id:?} is not two digits"))
}

fn mpm_build(doc: &str) -> CliResult {
    let doc: Json = serde_json::from_str(doc).map_err(|e| format!("JSON: {e}"))?;
    let objects = doc
        .get("objects")
        .and_then(Json::as_array)
        .ok_or("JSON: expected {\"objects\": [...]}")?;
    let mut b = MerchantPayloadBuilder::new();
    for o in objects {
        let id = id_of(o, "object")?;
        if id == mpm::id::CRC {
            continue;
        }
        let value = match o.get("objects").and_then(Json::as_array) {
            Some(kids) => {
                let mut t = Vec::new();
                for k in kids {
                    let kid = id_of(k, "template object")?;
                    let v = k
                        .get("value")
                        .and_then(Json::as_str)
                        .ok_or("template object: missing \"value\"")?;
                    t.push((kid, v.to_string()));
                }
                Value::Template(t)
            }
            None => Value::Text(
                o.get("value")
                    .and_then(Json::as_str)
                    .ok_or(format!("object {id:02}: missing \"value\""))?
                    .to_string(),
            ),
        };
        b = b.set_value(id, value);
    }
    emit(&format!("{}\n", b.build()?))
}

fn cpm_parse(text: &str, as_json: bool, reveal: bool) -> CliResult {
    let bytes = decode_base64(text)?;
    let qr = ConsumerPayload::parse(&bytes)?;
    let shown = |t: &mpay_qr_payment::cpm::mpay_emv_tlv::Tlv<'_>| {
        if reveal {
            hex::encode_upper(t.value())
        } else {
            dictionary::masked(t.tag(), t.value()).to_string()
        }
    };
    if as_json {
        let objects: Vec<Json> = qr
            .walk()
            .map(|t| {
                let mut v = json!({"tag": t.tag().to_string(), "offset": t.offset(),
                    "depth": t.depth(), "name": dictionary::name_of(t.tag())});
                if !t.is_constructed() {
                    v["value"] = Json::String(shown(&t));
                }
                v
            })
            .collect();
        return emit_json(&json!({ "objects": objects }));
    }
    let mut s = String::new();
    for t in qr.walk() {
        let indent = "  ".repeat(t.depth());
        if t.is_constructed() {
            writeln!(s, "{indent}{} {}", t.tag(), dictionary::name_of(t.tag()))?;
        } else {
            writeln!(
                s,
                "{indent}{} {}: {}",
                t.tag(),
                dictionary::name_of(t.tag()),
                shown(&t)
            )?;
        }
    }
    emit(&s)
}

fn render(text: &str, out: &std::path::Path, barcode: bool, ec: Level, scale: u32) -> CliResult {
    let ec = match ec {
        Level::L => EcLevel::L,
        Level::M => EcLevel::M,
        Level::Q => EcLevel::Q,
        Level::H => EcLevel::H,
    };
    let (modules, mut r) = if barcode {
        (image::code128(text)?, Render::barcode())
    } else {
        (image::qr(text, ec)?, Render::default())
    };
    r.module_px = scale.clamp(1, 64);
    let svg = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let bytes = if svg {
        modules.to_svg(&r).into_bytes()
    } else {
        modules.to_png(&r)?
    };
    std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(())
}
