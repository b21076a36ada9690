//! `mpay tlv`: decode BER-TLV as a named, masked tree; build DOL data.
//!
//! `mpay tlv decode <HEX> [--json] [--reveal] [--padding P] [--strict] [--lenient]`
//!
//! Text output: one line per object, indented by depth:
//! `9F02 Amount, Authorised (Numeric) [6]: 000000001000`, text formats (a/an/ans) also shown as
//! text, and TVR/AIP/AUC/TTQ/CTQ/CVM list/CVM results decoded after `—`.
//!
//! JSON output (stable schema): an array of objects, each
//! `{"tag": "9F02", "name": "Amount, Authorised (Numeric)", "len": 6, "value": "000000001000"}`
//! for a primitive object, or `{"tag": "70", "name": "...", "len": 20, "children": [...]}` for a
//! constructed one (no `value`: its content is in `children`). Hex is uppercase. A sensitive value
//! (PAN, track data, cardholder name, PIN data) has each hidden digit replaced by `*` and carries
//! `"masked": true`, unless `--reveal` is given. A constructed object kept opaque in `--lenient`
//! mode has `value` and `"opaque": true` instead of `children`. Unknown tags have name `"Unknown"`.
//!
//! `mpay tlv dol <DOL-HEX> --data <TLV-HEX>` prints the DOL data (uppercase hex) built from the
//! objects in the TLV data per EMV Book 3 §5.4.

use clap::{Args, Subcommand, ValueEnum};
use mpay_emv_tlv::dictionary::{self, Masked, Sensitivity};
use mpay_emv_tlv::{Dol, Node, Options, Padding, Tree, decode};
use serde_json::{Value, json};

use super::{CliResult, emit, emit_json, parse_hex};

/// `mpay tlv`.
#[derive(Args)]
pub struct TlvArgs {
    #[command(subcommand)]
    command: TlvCommand,
}

#[derive(Subcommand)]
enum TlvCommand {
    /// Decode BER-TLV into a named tree (sensitive values masked).
    Decode {
        /// The TLV, in hex.
        hex: String,
        /// JSON output (see the schema in `mpay tlv --help`).
        #[arg(long)]
        json: bool,
        /// Show sensitive values (PAN, track data, names) unmasked.
        #[arg(long)]
        reveal: bool,
        /// Padding policy.
        #[arg(long, value_enum, default_value = "skip00")]
        padding: PaddingArg,
        /// Reject non-minimal lengths and lengths of more than 3 bytes.
        #[arg(long)]
        strict: bool,
        /// Keep a constructed value that does not parse as opaque bytes.
        #[arg(long)]
        lenient: bool,
    },
    /// Build the data for a DOL (PDOL, CDOL1/2, DDOL, TDOL) from TLV data.
    Dol {
        /// The DOL, in hex (the value of 9F38, 8C, 8D, 9F49 or 97).
        dol: String,
        /// The TLV objects to take values from, in hex.
        #[arg(long)]
        data: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PaddingArg {
    /// No padding allowed.
    Strict,
    /// Skip 00 bytes.
    Skip00,
    /// Skip 00 and FF bytes.
    Skip00ff,
}

/// Runs `mpay tlv`.
pub fn run(args: TlvArgs) -> CliResult {
    match args.command {
        TlvCommand::Decode {
            hex,
            json,
            reveal,
            padding,
            strict,
            lenient,
        } => {
            let bytes = parse_hex("TLV", &hex)?;
            let padding = match padding {
                PaddingArg::Strict => Padding::Strict,
                PaddingArg::Skip00 => Padding::Skip00,
                PaddingArg::Skip00ff => Padding::Skip00AndFF,
            };
            let opts = Options::new()
                .padding(padding)
                .strict(strict)
                .lenient(lenient);
            let tree = Tree::parse_with(&bytes, opts)?;
            if json {
                let v: Vec<Value> = tree.roots().iter().map(|n| node_json(n, reveal)).collect();
                emit_json(&Value::Array(v))
            } else {
                let mut out = String::new();
                for n in tree.iter() {
                    node_line(n, reveal, &mut out);
                }
                emit(&out)
            }
        }
        TlvCommand::Dol { dol, data } => {
            let dol_bytes = parse_hex("DOL", &dol)?;
            let data_bytes = parse_hex("data", &data)?;
            let dol = Dol::parse(&dol_bytes).map_err(|e| format!("DOL: {e}"))?;
            let tree = Tree::parse(&data_bytes).map_err(|e| format!("data: {e}"))?;
            let built = dol.build_vec(&tree)?;
            emit(&format!("{}\n", hex::encode_upper(built)))
        }
    }
}

fn shown<'a>(n: &Node<'a>, reveal: bool) -> Masked<'a> {
    if reveal {
        Masked::new(n.value(), Sensitivity::Public)
    } else {
        dictionary::masked(n.tag(), n.value())
    }
}

fn node_json(n: &Node<'_>, reveal: bool) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("tag".into(), json!(n.tag().to_string()));
    o.insert("name".into(), json!(dictionary::name_of(n.tag())));
    o.insert("len".into(), json!(n.value().len()));
    if n.is_constructed() && !n.is_opaque() {
        let kids: Vec<Value> = n.children().iter().map(|c| node_json(c, reveal)).collect();
        o.insert("children".into(), Value::Array(kids));
    } else {
        let m = shown(n, reveal);
        o.insert("value".into(), json!(m.to_string()));
        if m.hides_anything() {
            o.insert("masked".into(), json!(true));
        }
        if n.is_opaque() {
            o.insert("opaque".into(), json!(true));
        }
    }
    Value::Object(o)
}

fn node_line(n: &Node<'_>, reveal: bool, out: &mut String) {
    use std::fmt::Write;
    let indent = "  ".repeat(n.depth());
    let name = dictionary::name_of(n.tag());
    let len = n.value().len();
    if n.is_constructed() && !n.is_opaque() {
        let _ = writeln!(out, "{indent}{} {name} [{len}]", n.tag());
        return;
    }
    let m = shown(n, reveal);
    let _ = write!(out, "{indent}{} {name} [{len}]: {m}", n.tag());
    if n.is_opaque() {
        out.push_str(" (opaque)");
    }
    let info = dictionary::lookup(n.tag());
    let text_ok = reveal || !m.hides_anything();
    if text_ok
        && info.is_some_and(|i| i.format.is_text())
        && n.value().iter().all(|b| (0x20..0x7F).contains(b))
    {
        let _ = write!(out, " \"{}\"", String::from_utf8_lossy(n.value()));
    }
    if let Some(d) = decode::describe(n.tag(), n.value()) {
        let _ = write!(out, " — {d}");
    }
    out.push('\n');
}
