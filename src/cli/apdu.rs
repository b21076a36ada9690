//! `mpay apdu`: explain a command or response APDU.
//!
//! `mpay apdu decode <HEX> [--response] [--json] [--reveal]`
//!
//! A command is decoded strictly (ISO 7816-4 cases 1–4, short and extended); a malformed length
//! is an error naming the field. Text output, one fact per line:
//!
//! ```text
//! command: case 4, short
//! CLA 00: interindustry, channel 0
//! INS A4: SELECT
//! P1 04, P2 00: select by DF name, first or only occurrence, return FCI
//! Lc 0E: Nc 14
//! data: 325041592E5359532E4444463031
//! Le 00: Ne 256
//! ```
//!
//! A response (`--response`): `data (N bytes): HEX` (when there is data) and `SW 6A82: file or
//! application not found`.
//!
//! JSON output (stable schema), uppercase hex throughout:
//! * command: `{"type": "command", "case": 4, "form": "short"|"extended",
//!   "cla": {"byte": "00", "kind": "interindustry"|"further interindustry"|"proprietary"|"reserved"|"invalid",
//!   "channel": 0|null, "chained": false, "secure_messaging": "none"|"proprietary"|"header not authenticated"|"header authenticated"},
//!   "ins": {"byte": "A4", "name": "SELECT"|null}, "p1": "04", "p2": "00", "parameters": "…"|null,
//!   "nc": 14, "data": "…", "masked": false, "ne": 256|null}`;
//! * response: `{"type": "response", "data": "…", "len": 0, "masked": false,
//!   "sw": "9000", "status": "success"|"more data"|"wrong le"|"counter"|"warning"|"error",
//!   "meaning": "…"}`.
//!
//! Data that may be sensitive is masked unless `--reveal`: the data of PIN commands (VERIFY,
//! CHANGE REFERENCE DATA, RESET RETRY COUNTER) is hidden, and runs of 12+ BCD digits (PANs,
//! track 2) keep only their first 6 and last 4 digits; `masked` says whether anything was.

use clap::{Args, Subcommand};
use mpay_apdu::{
    Class, ClassKind, Command, LengthForm, Mask, ResponseView, SecureMessaging, Status, ins,
};
use serde_json::{Value, json};

use super::{CliResult, emit, emit_json, parse_hex};

/// `mpay apdu`.
#[derive(Args)]
pub struct ApduArgs {
    #[command(subcommand)]
    command: ApduCommand,
}

#[derive(Subcommand)]
enum ApduCommand {
    /// Explain a command APDU (or a response with --response): case, CLA bits, INS, lengths, SW.
    Decode {
        /// The APDU, in hex.
        hex: String,
        /// Decode as a response APDU (data + SW1 SW2).
        #[arg(long)]
        response: bool,
        /// JSON output (see the schema in the module documentation).
        #[arg(long)]
        json: bool,
        /// Show PIN data and PANs unmasked.
        #[arg(long)]
        reveal: bool,
    },
}

/// Runs `mpay apdu`.
pub fn run(args: ApduArgs) -> CliResult {
    match args.command {
        ApduCommand::Decode {
            hex,
            response,
            json,
            reveal,
        } => {
            let bytes = parse_hex("APDU", &hex)?;
            let mask = if reveal {
                Mask::Nothing
            } else {
                Mask::Sensitive
            };
            if response {
                let r = ResponseView::parse(&bytes)?;
                if json {
                    emit_json(&response_json(&r, mask))
                } else {
                    emit(&response_text(&r, mask))
                }
            } else {
                let c = Command::parse(&bytes)?;
                if json {
                    emit_json(&command_json(&c, mask))
                } else {
                    emit(&command_text(&c, &bytes, mask))
                }
            }
        }
    }
}

fn kind_name(k: ClassKind) -> &'static str {
    match k {
        ClassKind::FirstInterindustry => "interindustry",
        ClassKind::FurtherInterindustry => "further interindustry",
        ClassKind::Proprietary => "proprietary",
        ClassKind::Reserved => "reserved",
        ClassKind::Invalid => "invalid",
    }
}

fn sm_name(sm: SecureMessaging) -> &'static str {
    match sm {
        SecureMessaging::None => "none",
        SecureMessaging::Proprietary => "proprietary",
        SecureMessaging::HeaderNotAuthenticated => "header not authenticated",
        SecureMessaging::HeaderAuthenticated => "header authenticated",
    }
}

/// What P1 P2 mean for the instructions people decode most.
fn parameters(c: &Command<'_>) -> Option<String> {
    let (cla, p1, p2) = (c.cla(), c.p1(), c.p2());
    let proprietary = Class(cla).is_proprietary();
    match c.ins() {
        ins::SELECT if !proprietary => {
            let by = match p1 {
                0x00 => "select MF, DF or EF by file identifier",
                0x01 => "select child DF",
                0x02 => "select EF under the current DF",
                0x03 => "select parent DF",
                0x04 => "select by DF name",
                0x08 => "select from the MF by path",
                0x09 => "select from the current DF by path",
                _ => "unknown selection method",
            };
            let occurrence = match p2 & 0x03 {
                0 => "first or only occurrence",
                1 => "last occurrence",
                2 => "next occurrence",
                _ => "previous occurrence",
            };
            let answer = match (p2 >> 2) & 0x03 {
                0 => "return FCI",
                1 => "return FCP",
                2 => "return FMD",
                _ => "no response data",
            };
            Some(format!("{by}, {occurrence}, {answer}"))
        }
        ins::READ_RECORD if !proprietary => {
            let sfi = p2 >> 3;
            let how = match p2 & 0x07 {
                0x04 => format!("record {p1}"),
                0x05 => format!("records from {p1} to the last"),
                0x06 => format!("records from the last to {p1}"),
                0x00 => "first occurrence".to_string(),
                0x01 => "last occurrence".to_string(),
                0x02 => "next occurrence".to_string(),
                _ => "previous occurrence".to_string(),
            };
            Some(if sfi == 0 {
                format!("{how} of the current EF")
            } else {
                format!("{how} of SFI {sfi}")
            })
        }
        ins::MANAGE_CHANNEL if !proprietary => Some(match p1 {
            0x00 if p2 == 0 => "open the next free logical channel".to_string(),
            0x00 => format!("open logical channel {p2}"),
            0x80 if p2 == 0 => "close this logical channel".to_string(),
            0x80 => format!("close logical channel {p2}"),
            _ => "unknown MANAGE CHANNEL function".to_string(),
        }),
        ins::GENERATE_AC if proprietary => {
            let kind = match p1 & 0xC0 {
                0x00 => "AAC",
                0x40 => "TC",
                0x80 => "ARQC",
                _ => "RFU",
            };
            let cda = if p1 & 0x10 != 0 {
                ", CDA signature requested"
            } else {
                ""
            };
            Some(format!("{kind} requested{cda}"))
        }
        ins::GET_RESPONSE if !proprietary => Some("get the response data left".to_string()),
        ins::VERIFY if !proprietary => Some(match p2 {
            0x80 => "plaintext offline PIN".to_string(),
            0x88 => "enciphered offline PIN".to_string(),
            _ => format!("reference data {p2:02X}"),
        }),
        _ => None,
    }
}

fn command_json(c: &Command<'_>, mask: Mask) -> Value {
    let class = c.class();
    let data = mask.data_hex(c.cla(), c.ins(), c.data());
    let raw = hex::encode_upper(c.data());
    json!({
        "type": "command",
        "case": c.case().number(),
        "form": match c.form() { LengthForm::Short => "short", LengthForm::Extended => "extended" },
        "cla": {
            "byte": format!("{:02X}", c.cla()),
            "kind": kind_name(class.kind()),
            "channel": class.channel(),
            "chained": class.is_chained(),
            "secure_messaging": sm_name(class.secure_messaging()),
        },
        "ins": { "byte": format!("{:02X}", c.ins()), "name": ins::name(c.cla(), c.ins()) },
        "p1": format!("{:02X}", c.p1()),
        "p2": format!("{:02X}", c.p2()),
        "parameters": parameters(c),
        "nc": c.nc(),
        "data": data,
        "masked": data != raw,
        "ne": c.ne(),
    })
}

fn command_text(c: &Command<'_>, bytes: &[u8], mask: Mask) -> String {
    let class = c.class();
    let mut out = format!(
        "command: case {}, {}\n",
        c.case().number(),
        match c.form() {
            LengthForm::Short => "short",
            LengthForm::Extended => "extended",
        }
    );
    // "CLA 84: proprietary, channel 0, …": the class's Display without its own "84 (…)" frame.
    let cla_text = class.to_string();
    let inner = cla_text
        .split_once(" (")
        .map(|(_, rest)| rest.trim_end_matches(')'))
        .unwrap_or(&cla_text);
    out.push_str(&format!("CLA {:02X}: {inner}\n", c.cla()));
    out.push_str(&format!(
        "INS {:02X}: {}\n",
        c.ins(),
        ins::name(c.cla(), c.ins()).unwrap_or("unknown instruction")
    ));
    match parameters(c) {
        Some(p) => out.push_str(&format!("P1 {:02X}, P2 {:02X}: {p}\n", c.p1(), c.p2())),
        None => out.push_str(&format!("P1 {:02X}, P2 {:02X}\n", c.p1(), c.p2())),
    }
    let body = &bytes[4..];
    let nc = c.nc();
    if nc > 0 {
        let lc_bytes = match c.form() {
            LengthForm::Short => &body[..1],
            LengthForm::Extended => &body[..3],
        };
        out.push_str(&format!("Lc {}: Nc {nc}\n", hex::encode_upper(lc_bytes)));
        out.push_str(&format!(
            "data: {}\n",
            mask.data_hex(c.cla(), c.ins(), c.data())
        ));
    }
    if let Some(ne) = c.ne() {
        let le_len = match (c.form(), nc) {
            (LengthForm::Short, _) => 1,
            (LengthForm::Extended, 0) => 3,
            (LengthForm::Extended, _) => 2,
        };
        let le = &bytes[bytes.len() - le_len..];
        out.push_str(&format!("Le {}: Ne {ne}\n", hex::encode_upper(le)));
    }
    out
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Success => "success",
        Status::MoreData(_) => "more data",
        Status::WrongLe(_) => "wrong le",
        Status::Counter(_) => "counter",
        Status::WarningUnchanged | Status::WarningChanged => "warning",
        _ => "error",
    }
}

fn meaning(r: &ResponseView<'_>) -> String {
    let s = r.sw().to_string();
    s.split_once(": ").map(|(_, m)| m.to_string()).unwrap_or(s)
}

fn response_json(r: &ResponseView<'_>, mask: Mask) -> Value {
    let data = mask.data_hex(0x00, 0x00, r.data());
    json!({
        "type": "response",
        "data": data,
        "len": r.data().len(),
        "masked": data != hex::encode_upper(r.data()),
        "sw": format!("{:04X}", r.sw().0),
        "status": status_name(r.sw().status()),
        "meaning": meaning(r),
    })
}

fn response_text(r: &ResponseView<'_>, mask: Mask) -> String {
    let mut out = String::new();
    if !r.data().is_empty() {
        out.push_str(&format!(
            "data ({} bytes): {}\n",
            r.data().len(),
            mask.data_hex(0x00, 0x00, r.data())
        ));
    }
    out.push_str(&format!("SW {}\n", r.sw()));
    out
}
