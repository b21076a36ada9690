//! `mpay ndef`: decode NDEF messages, build URI and Text messages (`mpay-nfc-ndef`).
//!
//! `mpay ndef decode <HEX> [--json] [--lenient]` prints the records; with `--json` the schema is
//! `{"records": [{"tnf": "well-known", "tnf_value": 1, "type": "U", "type_hex": "55",
//! "type_name": "urn:nfc:wkt:U", "id": "<hex>", "payload": "<hex>", "content": {...} | null,
//! "content_error": "<text>" (only when a known type fails to decode)}]}` where `content` has a
//! `kind` (`text`, `uri`, `smart-poster`, `handover-request`, `handover-select`,
//! `handover-carrier`, `signature`, `android-app`, `absolute-uri`) and that kind's fields.
//! `mpay ndef uri <URI>` and `mpay ndef text <TEXT> [--lang en]` print a one-record message
//! as hex.

use super::{CliResult, emit, emit_json, parse_hex};
use clap::{Args, Subcommand};
use mpay_nfc_ndef::wkt::handover::HandoverKind;
use mpay_nfc_ndef::wkt::{
    CertificateFormat, Content, SignatureValue, Text, TextEncoding, Uri, signature_type,
};
use mpay_nfc_ndef::{DecodeOptions, Message, Record};
use serde_json::{Value, json};

/// Arguments of `mpay ndef`.
#[derive(Args)]
pub struct NdefArgs {
    #[command(subcommand)]
    command: NdefCommand,
}

#[derive(Subcommand)]
enum NdefCommand {
    /// Decode an NDEF message given in hex: records and their well-known content.
    Decode {
        /// The message in hex (spaces and colons allowed).
        hex: String,
        /// JSON output (stable schema, see the module documentation).
        #[arg(long)]
        json: bool,
        /// Lenient decoding (message flags not checked, TNF 7 read as unknown).
        #[arg(long)]
        lenient: bool,
    },
    /// Build a message with one URI record (longest prefix code) and print it as hex.
    Uri {
        /// The URI.
        uri: String,
    },
    /// Build a message with one UTF-8 Text record and print it as hex.
    Text {
        /// The text.
        text: String,
        /// The IANA language code.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

/// Runs `mpay ndef`.
pub fn run(args: NdefArgs) -> CliResult {
    match args.command {
        NdefCommand::Decode { hex, json, lenient } => {
            let bytes = parse_hex("message", &hex)?;
            let opts = if lenient {
                DecodeOptions::lenient()
            } else {
                DecodeOptions::default()
            };
            let msg = Message::decode_with(&bytes, opts)?;
            let records: Vec<Value> = msg.records.iter().map(record_json).collect();
            if json {
                emit_json(&json!({ "records": records }))
            } else {
                let mut out = String::new();
                for (i, r) in records.iter().enumerate() {
                    out += &format!(
                        "record {i}: {} type={} id={} payload={}\n",
                        r["tnf"].as_str().unwrap_or(""),
                        r["type_name"].as_str().unwrap_or(""),
                        r["id"].as_str().unwrap_or(""),
                        r["payload"].as_str().unwrap_or("")
                    );
                    if !r["content"].is_null() {
                        out += &format!("  {}\n", r["content"]);
                    }
                    if let Some(e) = r.get("content_error") {
                        out += &format!("  content error: {}\n", e.as_str().unwrap_or(""));
                    }
                }
                emit(&out)
            }
        }
        NdefCommand::Uri { uri } => emit_message(vec![Uri::new(&uri).to_record()]),
        NdefCommand::Text { text, lang } => {
            emit_message(vec![Text::new(&text, &lang).to_record()?])
        }
    }
}

fn emit_message(records: Vec<Record<'static>>) -> CliResult {
    emit(&format!(
        "{}\n",
        hex::encode(Message::from(records).encode()?)
    ))
}

fn record_json(r: &Record<'_>) -> Value {
    let mut v = json!({
        "tnf": r.tnf.name(),
        "tnf_value": r.tnf as u8,
        "type": String::from_utf8_lossy(&r.record_type),
        "type_hex": hex::encode(&r.record_type),
        "type_name": r.type_name(),
        "id": hex::encode(&r.id),
        "payload": hex::encode(&r.payload),
        "content": Value::Null,
    });
    match Content::of(r) {
        Some(Ok(c)) => v["content"] = content_json(&c),
        Some(Err(e)) => v["content_error"] = json!(e.to_string()),
        None => {}
    }
    v
}

fn text_json(t: &Text) -> Value {
    let enc = if t.encoding == TextEncoding::Utf8 {
        "UTF-8"
    } else {
        "UTF-16"
    };
    json!({"text": t.text, "language": t.language, "encoding": enc})
}

fn content_json(c: &Content) -> Value {
    match c {
        Content::Text(t) => {
            let mut v = text_json(t);
            v["kind"] = json!("text");
            v
        }
        Content::Uri(u) => json!({"kind": "uri", "uri": u.uri}),
        Content::SmartPoster(sp) => json!({
            "kind": "smart-poster",
            "uri": sp.uri.uri,
            "titles": sp.titles.iter().map(text_json).collect::<Vec<_>>(),
            "action": sp.action.map(|a| a.value()),
            "size": sp.size,
            "type": sp.resource_type,
            "icons": sp.icons.iter().map(|i| json!({"type": i.mime_type, "data": hex::encode(&i.data)})).collect::<Vec<_>>(),
        }),
        Content::Handover(h) => {
            let carriers: Vec<Value> = h
                .alternative_carriers
                .iter()
                .map(|a| {
                    json!({
                        "power_state": a.power_state as u8,
                        "carrier_data_reference": hex::encode(&a.carrier_data_reference),
                        "auxiliary_data_references": a.auxiliary_data_references.iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let kind = if h.kind == HandoverKind::Request {
                "handover-request"
            } else {
                "handover-select"
            };
            json!({
                "kind": kind,
                "version": format!("{}.{}", h.version >> 4, h.version & 15),
                "alternative_carriers": carriers,
                "collision_resolution": h.collision_resolution,
                "error": h.error.as_ref().map(|e| json!({"reason": e.reason, "data": hex::encode(&e.data)})),
            })
        }
        Content::HandoverCarrier(c) => json!({
            "kind": "handover-carrier",
            "carrier_tnf": c.carrier_tnf as u8,
            "carrier_type": String::from_utf8_lossy(&c.carrier_type),
            "carrier_data": hex::encode(&c.carrier_data),
        }),
        Content::Signature(s) => {
            let (sig, uri) = match &s.signature {
                SignatureValue::Bytes(b) => (Some(hex::encode(b)), None),
                SignatureValue::Uri(u) => (None, Some(u.clone())),
            };
            json!({
                "kind": "signature",
                "version": format!("{}.{}", s.version >> 4, s.version & 15),
                "signature_type": s.signature_type,
                "signature_type_name": signature_type::name(s.signature_type),
                "hash_type": s.hash_type,
                "signature": sig,
                "signature_uri": uri,
                "certificate_format": match s.certificate_format {
                    CertificateFormat::X509 => "X.509",
                    CertificateFormat::M2m => "M2M",
                    CertificateFormat::Reserved(_) => "reserved",
                },
                "certificates": s.certificates.iter().map(hex::encode).collect::<Vec<_>>(),
                "certificate_uri": s.certificate_uri,
            })
        }
        Content::AndroidApp(p) => json!({"kind": "android-app", "package": p}),
        Content::AbsoluteUri(u) => json!({"kind": "absolute-uri", "uri": u}),
        _ => Value::Null,
    }
}
