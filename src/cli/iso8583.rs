//! `mpay iso8583`: unpack and pack ISO 8583 messages under a shipped spec or a spec file.
//!
//! `mpay iso8583 unpack --spec <NAME|FILE> <HEX> [--json]` — text output is a masked
//! description (PAN, tracks, PIN block, MAC and sensitive field 55 tags hidden); `--json` prints
//! the message itself (not masked) in the schema below.
//!
//! `mpay iso8583 pack --spec <NAME|FILE> <JSON>` prints the packed message in uppercase hex.
//!
//! `mpay iso8583 specs` lists the shipped spec names (also shown by `--help`).
//!
//! JSON schema: `{"mti":"0100","header":"<hex, only when the spec has a header>",
//! "fields":{"2":"4761739001010119","52":"123456789ABCDEF0","55":{"9F26":"1122334455667788"},
//! "60":{"1":"22","2":"000001"}}}` — text fields as their text, binary fields as uppercase hex,
//! subfields (when the spec defines them) as objects keyed by subfield number or tag in wire
//! order, a repeated tag as an array. On input a field with subfields may also be raw text/hex.
//! A spec FILE is JSON, or TOML when its name ends in `.toml` (schema: `iso8583/README.md`).

use clap::{Args, Subcommand};
use mpay_iso8583::{Message, Spec, json, specs};

use super::{CliResult, emit, parse_hex};

const SPEC_HELP: &str = "A shipped spec (iso87ascii, iso87binary, iso93ascii, iso2003binary, cup-pos) or a spec file (.json or .toml)";

/// `mpay iso8583`.
#[derive(Args)]
pub struct Iso8583Args {
    #[command(subcommand)]
    command: Iso8583Command,
}

#[derive(Subcommand)]
enum Iso8583Command {
    /// Unpack a message given in hex (masked description, or `--json`).
    Unpack {
        #[arg(long, help = SPEC_HELP)]
        spec: String,
        /// The message in hex (header, MTI, bitmaps, fields; no frame length).
        hex: String,
        /// JSON output (not masked; schema in `mpay iso8583 --help`).
        #[arg(long)]
        json: bool,
    },
    /// Pack a message given as JSON; prints uppercase hex.
    Pack {
        #[arg(long, help = SPEC_HELP)]
        spec: String,
        /// The message as JSON: {"mti":"0100","fields":{"2":"...","55":"9F26..."}}.
        json: String,
    },
    /// List the shipped specs.
    Specs,
}

fn load(name: &str) -> Result<Spec, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(s) = specs::by_name(name) {
        return Ok(s.clone());
    }
    let text = std::fs::read_to_string(name).map_err(|e| {
        let names: Vec<&str> = specs::ALL.iter().map(|s| &*s.name).collect();
        format!(
            "--spec {name}: not a shipped spec ({}) and not a readable file ({e})",
            names.join(", ")
        )
    })?;
    Ok(if name.ends_with(".toml") {
        Spec::from_toml(&text)?
    } else {
        Spec::from_json(&text)?
    })
}

/// Runs `mpay iso8583`.
pub fn run(args: Iso8583Args) -> CliResult {
    match args.command {
        Iso8583Command::Specs => {
            let mut out = String::new();
            for s in specs::ALL {
                out.push_str(&s.name);
                out.push('\n');
            }
            emit(&out)
        }
        Iso8583Command::Unpack { spec, hex, json } => {
            let spec = load(&spec)?;
            let bytes = parse_hex("message", &hex)?;
            let m = Message::unpack(&spec, &bytes)?;
            if json {
                emit(&(json::to_json(&m) + "\n"))
            } else {
                emit(&m.describe())
            }
        }
        Iso8583Command::Pack { spec, json } => {
            let spec = load(&spec)?;
            let m = json::from_json(&spec, &json)?;
            let wire = m.pack()?;
            emit(&(hex::encode_upper(wire) + "\n"))
        }
    }
}
