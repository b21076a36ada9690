//! `mpay`: the command-line tool of the mpay crates. One subcommand per crate; every decoder has
//! `--json`; bad input gives one line on stderr and exit status 2.
#![forbid(unsafe_code)]

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mpay", version, about = "Mobile payment protocols and cryptography", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Each crate adds one variant (behind its feature) here and one arm in `run` below.
#[derive(Subcommand)]
enum Command {
    /// SM3 digest or HMAC-SM3 of a file or stdin (GM/T 0004).
    #[cfg(feature = "gmt")]
    Sm3(cli::gmt::Sm3Args),
    /// SM4 encryption/decryption: ECB, CBC, CTR, GCM (byte-compatible with `openssl enc`).
    #[cfg(feature = "gmt")]
    Sm4(cli::gmt::Sm4Args),
    /// SM2 keys, signatures with a distinguishing ID, encryption, key exchange (GM/T 0003).
    #[cfg(feature = "gmt")]
    Sm2(cli::gmt::Sm2Args),
    /// EMV card-scheme cryptography: ARQC, ARPC, MACs, PIN blocks, CVV.
    #[cfg(feature = "emv")]
    Emv(cli::emv::EmvArgs),
    /// NFC NDEF: decode messages, build URI and Text records.
    #[cfg(feature = "nfc-ndef")]
    Ndef(cli::ndef::NdefArgs),
    /// One-time passwords: HOTP, TOTP, OCRA, offline payment codes.
    #[cfg(feature = "otp")]
    Otp(cli::otp::OtpArgs),
    /// BER-TLV: decode into a named, masked tree (`--json`); build DOL data.
    #[cfg(feature = "emv-tlv")]
    Tlv(cli::tlv::TlvArgs),
    /// ISO 7816-4 APDUs: explain a command or response (case, CLA bits, INS, Lc/Le, status word).
    #[cfg(feature = "apdu")]
    Apdu(cli::apdu::ApduArgs),
    /// ISO 8583: unpack (masked, or `--json`) and pack messages under a shipped spec or a spec file.
    #[cfg(feature = "iso8583")]
    Iso8583(cli::iso8583::Iso8583Args),
    /// EMVCo QR: merchant-presented (`mpm`) and consumer-presented (`cpm`) payloads; QR and
    /// Code 128 images.
    #[cfg(feature = "qr-payment")]
    Qr(cli::qr::QrArgs),
    /// Payment codes as sound: chirp-style audio modem (WAV in and out).
    #[cfg(feature = "qr-payment")]
    Audio(cli::audio::AudioArgs),
    /// Tokenization: FF1 format-preserving encryption, a SQLite token vault, Luhn.
    #[cfg(feature = "tokenization")]
    Token(cli::token::TokenArgs),
    /// Certificates (wpki): keys, CSRs, issuance, path validation, CRLs, OCSP; PEM/DER files.
    #[cfg(feature = "wpki")]
    Cert(cli::cert::CertArgs),
    // mpay-cli: variants
}

fn run(command: Command) -> cli::CliResult {
    match command {
        #[cfg(feature = "gmt")]
        Command::Sm3(a) => cli::gmt::run_sm3(a),
        #[cfg(feature = "gmt")]
        Command::Sm4(a) => cli::gmt::run_sm4(a),
        #[cfg(feature = "gmt")]
        Command::Sm2(a) => cli::gmt::run_sm2(a),
        #[cfg(feature = "emv")]
        Command::Emv(args) => cli::emv::run(args),
        #[cfg(feature = "nfc-ndef")]
        Command::Ndef(args) => cli::ndef::run(args),
        #[cfg(feature = "otp")]
        Command::Otp(a) => cli::otp::run(a),
        #[cfg(feature = "emv-tlv")]
        Command::Tlv(a) => cli::tlv::run(a),
        #[cfg(feature = "apdu")]
        Command::Apdu(a) => cli::apdu::run(a),
        #[cfg(feature = "iso8583")]
        Command::Iso8583(a) => cli::iso8583::run(a),
        #[cfg(feature = "qr-payment")]
        Command::Qr(a) => cli::qr::run(a),
        #[cfg(feature = "qr-payment")]
        Command::Audio(a) => cli::audio::run(a),
        #[cfg(feature = "tokenization")]
        Command::Token(a) => cli::token::run(a),
        #[cfg(feature = "wpki")]
        Command::Cert(a) => cli::cert::run(a),
        // mpay-cli: dispatch
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.to_string().replace(['\n', '\r'], " ");
            eprintln!("mpay: {line}");
            ExitCode::from(2)
        }
    }
}
