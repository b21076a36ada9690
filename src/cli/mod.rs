//! Subcommands of the `mpay` tool: one module per crate.
//!
//! Each module exposes a clap `Args` type and `run(args) -> CliResult`. Errors become one line on
//! stderr and exit status 2 (see `main.rs`).

use std::io::Write;

/// What a subcommand returns: any error is printed on one line, exit status 2.
pub type CliResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Parses hex from the command line: spaces, colons and an optional `0x` prefix are allowed.
pub fn parse_hex(what: &str, s: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = s
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    hex::decode(&cleaned).map_err(|e| format!("{what}: not valid hex ({e})"))
}

/// Writes `text` to stdout; a closed pipe (`mpay … | head`) is not an error.
pub fn emit(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes a JSON value (pretty) followed by a newline.
pub fn emit_json(value: &serde_json::Value) -> CliResult {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    emit(&s)
}
#[cfg(feature = "gmt")]
pub mod gmt;

#[cfg(feature = "emv")]
pub mod emv;

#[cfg(feature = "apdu")]
pub mod apdu;
#[cfg(feature = "qr-payment")]
pub mod audio;
#[cfg(feature = "wpki")]
pub mod cert;
#[cfg(feature = "iso8583")]
pub mod iso8583;
#[cfg(feature = "nfc-ndef")]
pub mod ndef;
#[cfg(feature = "otp")]
pub mod otp;
#[cfg(feature = "qr-payment")]
pub mod qr;
#[cfg(feature = "emv-tlv")]
pub mod tlv;
#[cfg(feature = "tokenization")]
pub mod token;
