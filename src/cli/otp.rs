//! `mpay otp`: HOTP, TOTP, OCRA and offline payment codes from `mpay-otp`.
//!
//! Each generator prints the code alone on stdout. `paycode verify` prints
//! `accepted INDEX STEP` (or, with `--json`, `{"verdict":"accepted","index":N,"step":N}`);
//! a code that is refused is an error (one line on stderr, exit status 2).

use super::{CliResult, emit, emit_json, parse_hex};
use clap::{Args, Subcommand};
use mpay_otp::ocra::{OcraInput, OcraSuite};
use mpay_otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer, Verdict,
};
use mpay_otp::replay::MemoryReplayGuard;
use mpay_otp::{Algorithm, Hotp, Totp};
use std::collections::BTreeMap;

/// `mpay otp …`
#[derive(Args)]
pub struct OtpArgs {
    #[command(subcommand)]
    command: OtpCommand,
}

#[derive(Subcommand)]
enum OtpCommand {
    /// HOTP (RFC 4226) at a counter.
    Hotp(HotpArgs),
    /// TOTP (RFC 6238) at a Unix time.
    Totp(TotpArgs),
    /// OCRA (RFC 6287) response for a suite.
    Ocra(OcraArgs),
    /// Offline payment codes: generate (device) or verify (server).
    Paycode(PaycodeArgs),
}

fn algo(s: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(s)
        .ok_or_else(|| format!("unknown algorithm {s:?} (sha1|sha256|sha512|sm3)"))
}

#[derive(Args)]
struct HotpArgs {
    /// The shared secret, hex (at least 16 bytes).
    #[arg(long)]
    secret_hex: String,
    /// The counter.
    #[arg(long)]
    counter: u64,
    /// Digits (6–10).
    #[arg(long, default_value_t = 6)]
    digits: u8,
    /// HMAC hash: sha1, sha256, sha512 or sm3.
    #[arg(long, default_value = "sha1", value_parser = algo)]
    algo: Algorithm,
}

#[derive(Args)]
struct TotpArgs {
    /// The shared secret, hex (at least 16 bytes).
    #[arg(long)]
    secret_hex: String,
    /// Unix time in seconds.
    #[arg(long)]
    time: u64,
    /// Step in seconds.
    #[arg(long, default_value_t = 30)]
    step: u64,
    /// T0 in Unix seconds.
    #[arg(long, default_value_t = 0)]
    t0: u64,
    /// Digits (6–10).
    #[arg(long, default_value_t = 8)]
    digits: u8,
    /// HMAC hash: sha1, sha256, sha512 or sm3.
    #[arg(long, default_value = "sha1", value_parser = algo)]
    algo: Algorithm,
}

#[derive(Args)]
struct OcraArgs {
    /// The OCRA suite, e.g. `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1`.
    #[arg(long)]
    suite: String,
    /// The shared secret, hex.
    #[arg(long)]
    secret_hex: String,
    /// The challenge Q (for mutual challenge-response, both challenges concatenated).
    #[arg(long)]
    challenge: String,
    /// The counter C (suites with `C`).
    #[arg(long)]
    counter: Option<u64>,
    /// The PIN hash P, hex (suites with `PSHA…`).
    #[arg(long, conflicts_with = "pin")]
    pin_hash: Option<String>,
    /// The PIN itself; hashed with the suite's PIN hash.
    #[arg(long)]
    pin: Option<String>,
    /// Session information S, hex (suites with `Snnn`).
    #[arg(long)]
    session_hex: Option<String>,
    /// Unix time in seconds, converted to the suite's time steps (suites with `T…`).
    #[arg(long)]
    time: Option<u64>,
}

#[derive(Args)]
struct PaycodeArgs {
    #[command(subcommand)]
    command: PaycodeCommand,
}

#[derive(Args)]
struct FormatArgs {
    /// Prefix digits (WeChat uses 10–15, Alipay 25–30).
    #[arg(long, default_value = "13")]
    prefix: String,
    /// Total length in digits (16–24).
    #[arg(long, default_value_t = 18)]
    length: u8,
    /// OTP digits inside the payload (6–8).
    #[arg(long, default_value_t = 6)]
    otp_digits: u8,
    /// OTP step in seconds.
    #[arg(long, default_value_t = 30)]
    step: u64,
    /// The code key (FF1-AES-256), hex, 32 bytes.
    #[arg(long)]
    code_key_hex: String,
}

#[derive(Args)]
struct ContextArgs {
    /// Bind to this POS id.
    #[arg(long)]
    pos_id: Option<String>,
    /// Bind to this merchant id.
    #[arg(long)]
    merchant_id: Option<String>,
    /// Bind to this amount cap (minor units).
    #[arg(long)]
    amount_cap: Option<u64>,
}

impl ContextArgs {
    fn context(&self) -> BindingContext<'_> {
        BindingContext {
            pos_id: self.pos_id.as_deref(),
            merchant_id: self.merchant_id.as_deref(),
            amount_cap: self.amount_cap,
        }
    }
}

#[derive(Subcommand)]
enum PaycodeCommand {
    /// Device side: print the payment code.
    Gen {
        #[command(flatten)]
        format: FormatArgs,
        #[command(flatten)]
        context: ContextArgs,
        /// The device's credential index.
        #[arg(long)]
        index: u64,
        /// The device's seed, hex (at least 16 bytes).
        #[arg(long)]
        seed_hex: String,
        /// Unix time in seconds.
        #[arg(long)]
        time: u64,
    },
    /// Server side: decode and verify a code against provisioned credentials.
    Verify {
        #[command(flatten)]
        format: FormatArgs,
        #[command(flatten)]
        context: ContextArgs,
        /// A provisioned credential, `INDEX:SEEDHEX` (repeatable).
        #[arg(long = "credential", required = true)]
        credentials: Vec<String>,
        /// The code to verify.
        #[arg(long)]
        code: String,
        /// Unix time in seconds.
        #[arg(long)]
        time: u64,
        /// The transaction amount (checked against `--amount-cap`).
        #[arg(long)]
        amount: Option<u64>,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn config(
    f: &FormatArgs,
) -> Result<(PaycodeConfig, Vec<u8>), Box<dyn std::error::Error + Send + Sync>> {
    let c = PaycodeConfig::new(&f.prefix, f.length, f.otp_digits)?.with_step(f.step)?;
    Ok((c, parse_hex("--code-key-hex", &f.code_key_hex)?))
}

/// Runs `mpay otp …`.
pub fn run(args: OtpArgs) -> CliResult {
    match args.command {
        OtpCommand::Hotp(a) => {
            let key = parse_hex("--secret-hex", &a.secret_hex)?;
            let code = Hotp::new(a.algo, &key, a.digits)?.generate(a.counter);
            emit(&format!("{code}\n"))
        }
        OtpCommand::Totp(a) => {
            let key = parse_hex("--secret-hex", &a.secret_hex)?;
            let totp = Totp::new(a.algo, &key, a.digits)?
                .with_step(a.step)?
                .with_t0(a.t0);
            emit(&format!("{}\n", totp.generate(a.time)?))
        }
        OtpCommand::Ocra(a) => {
            let suite: OcraSuite = a.suite.parse()?;
            let key = parse_hex("--secret-hex", &a.secret_hex)?;
            let pin_hash = match (&a.pin_hash, &a.pin) {
                (Some(h), _) => Some(parse_hex("--pin-hash", h)?),
                (None, Some(p)) => Some(
                    suite
                        .hash_pin(p.as_bytes())
                        .ok_or("--pin: the suite takes no PIN")?,
                ),
                (None, None) => None,
            };
            let session = a
                .session_hex
                .as_deref()
                .map(|s| parse_hex("--session-hex", s))
                .transpose()?;
            let timestamp = match a.time {
                Some(t) => Some(
                    suite
                        .timestamp_at(t)
                        .ok_or("--time: the suite takes no timestamp")?,
                ),
                None => None,
            };
            let input = OcraInput {
                counter: a.counter,
                question: &a.challenge,
                pin_hash: pin_hash.as_deref(),
                session: session.as_deref(),
                timestamp,
            };
            emit(&format!("{}\n", suite.compute(&key, &input)?))
        }
        OtpCommand::Paycode(p) => match p.command {
            PaycodeCommand::Gen {
                format,
                context,
                index,
                seed_hex,
                time,
            } => {
                let (cfg, key) = config(&format)?;
                let seed = parse_hex("--seed-hex", &seed_hex)?;
                let device = PaycodeDevice::new(cfg, &key, index, &seed)?;
                emit(&format!("{}\n", device.generate(time, &context.context())?))
            }
            PaycodeCommand::Verify {
                format,
                context,
                credentials,
                code,
                time,
                amount,
                json,
            } => {
                let (cfg, key) = config(&format)?;
                let mut store = BTreeMap::new();
                for c in &credentials {
                    let (i, s) = c
                        .split_once(':')
                        .ok_or_else(|| format!("--credential {c:?}: expected INDEX:SEEDHEX"))?;
                    let index: u64 = i
                        .parse()
                        .map_err(|_| format!("--credential {c:?}: index is not a number"))?;
                    let seed = parse_hex("--credential seed", s)?;
                    store.insert(index, PaycodeCredential::new(&cfg, &seed)?);
                }
                let server = PaycodeServer::new(cfg, &key, store, MemoryReplayGuard::new())?;
                match server.verify(&code, time, &context.context(), amount)? {
                    Verdict::Accepted { index, step } if json => emit_json(&serde_json::json!({
                        "verdict": "accepted", "index": index, "step": step
                    })),
                    Verdict::Accepted { index, step } => {
                        emit(&format!("accepted {index} {step}\n"))
                    }
                    other => Err(format!("paycode refused: {other:?}").into()),
                }
            }
        },
    }
}
