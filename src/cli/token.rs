//! `mpay token …`: FF1 format-preserving encryption, a SQLite token vault, and the Luhn check.
//!
//! - `mpay token ff1 encrypt|decrypt --key-hex K [--tweak-hex T] [--radix 10] [--cipher aes|sm4] <NUMERALS>`:
//!   numerals as text over `0-9a-z` (radix <= 36). AES-128/192/256 follows the key length
//!   (16/24/32 bytes); SM4 takes 16 bytes. Prints the result.
//! - `mpay token vault tokenize --db FILE --key-hex K [--tenant T] [--convergent] <PAN>` prints a
//!   token; `mpay token vault detokenize --db FILE --key-hex K [--tenant T] [--masked] <TOKEN>`
//!   prints the PAN (or its masked form). `K` is a 32-byte master key: the data key and the
//!   fingerprint key are derived from it (HMAC-SHA-256 with distinct labels).
//! - `mpay token luhn <DIGITS>` prints `valid`, or `invalid (check digit should be D)`;
//!   `--complete` prints DIGITS followed by the check digit that makes it valid.

use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use mpay_tokenization::ff1::{CipherKind, DynFf1};
use mpay_tokenization::luhn;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::vault::{
    AccessPolicy, Caller, KeyRing, NoAudit, Reveal, Revealed, SqliteStore, TenantConfig, Vault,
};

use super::{CliResult, emit, parse_hex};

/// Tokenization: FF1, a SQLite vault, Luhn.
#[derive(Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// FF1 format-preserving encryption (NIST SP 800-38G).
    Ff1 {
        #[command(subcommand)]
        op: Ff1Op,
    },
    /// Vault tokens in a SQLite database.
    Vault {
        #[command(subcommand)]
        op: VaultOp,
    },
    /// Luhn (mod 10) check of a digit string.
    Luhn {
        /// The digits.
        digits: String,
        /// Print the digits with the check digit appended instead.
        #[arg(long)]
        complete: bool,
    },
}

#[derive(Args)]
struct Ff1Opts {
    /// Key in hex (AES: 16, 24 or 32 bytes; SM4: 16 bytes).
    #[arg(long)]
    key_hex: String,
    /// Tweak in hex (default empty).
    #[arg(long, default_value = "")]
    tweak_hex: String,
    /// Radix 2..=36.
    #[arg(long, default_value_t = 10)]
    radix: u32,
    /// Block cipher.
    #[arg(long, value_enum, default_value_t = CipherName::Aes)]
    cipher: CipherName,
    /// Numerals over 0-9a-z.
    numerals: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum CipherName {
    Aes,
    Sm4,
}

#[derive(Subcommand)]
enum Ff1Op {
    /// Encrypt numerals.
    Encrypt(Ff1Opts),
    /// Decrypt numerals.
    Decrypt(Ff1Opts),
}

#[derive(Args)]
struct VaultOpts {
    /// SQLite database file (created if missing).
    #[arg(long)]
    db: String,
    /// 32-byte master key in hex.
    #[arg(long)]
    key_hex: String,
    /// Tenant.
    #[arg(long, default_value = "default")]
    tenant: String,
}

#[derive(Subcommand)]
enum VaultOp {
    /// Tokenize a PAN; prints the token.
    Tokenize {
        #[command(flatten)]
        opts: VaultOpts,
        /// One token per PAN (the tenant's existing token is returned).
        #[arg(long)]
        convergent: bool,
        /// The PAN (12..=19 digits).
        pan: String,
    },
    /// Detokenize; prints the PAN.
    Detokenize {
        #[command(flatten)]
        opts: VaultOpts,
        /// Print only the masked PAN.
        #[arg(long)]
        masked: bool,
        /// The token.
        token: String,
    },
}

/// Runs `mpay token`.
pub fn run(args: TokenArgs) -> CliResult {
    match args.command {
        TokenCommand::Ff1 { op } => {
            let (o, enc) = match op {
                Ff1Op::Encrypt(o) => (o, true),
                Ff1Op::Decrypt(o) => (o, false),
            };
            let key = parse_hex("--key-hex", &o.key_hex)?;
            let tweak = parse_hex("--tweak-hex", &o.tweak_hex)?;
            let kind = match o.cipher {
                CipherName::Aes => CipherKind::Aes,
                CipherName::Sm4 => CipherKind::Sm4,
            };
            let f = DynFf1::new(kind, &key, o.radix)?;
            let out = if enc {
                f.encrypt_str(&tweak, o.numerals.trim())?
            } else {
                f.decrypt_str(&tweak, o.numerals.trim())?
            };
            emit(&format!("{out}\n"))
        }
        TokenCommand::Vault { op } => match op {
            VaultOp::Tokenize {
                opts,
                convergent,
                pan,
            } => {
                let v = vault(&opts)?;
                v.configure_tenant(
                    &opts.tenant,
                    TenantConfig {
                        convergent,
                        ..TenantConfig::default()
                    },
                )?;
                let pan = Pan::parse(pan.trim())?;
                let t = v.tokenize(&caller(), &opts.tenant, &pan, None)?;
                emit(&format!("{t}\n"))
            }
            VaultOp::Detokenize {
                opts,
                masked,
                token,
            } => {
                let v = vault(&opts)?;
                let c = if masked {
                    Caller::new("cli", "mask", "mpay token vault detokenize --masked")
                } else {
                    caller()
                };
                match v.detokenize(&c, &opts.tenant, token.trim())? {
                    Revealed::Plain(p) => emit(&format!("{}\n", p.expose().as_str())),
                    Revealed::Masked(m) => emit(&format!("{m}\n")),
                    Revealed::Redacted => emit("[redacted]\n"),
                }
            }
        },
        TokenCommand::Luhn { digits, complete } => {
            let d = luhn::digits(digits.trim())
                .map_err(|i| format!("luhn: not a decimal digit at offset {i}"))?;
            if d.is_empty() {
                return Err("luhn: no digits".into());
            }
            if complete {
                return emit(&format!("{}{}\n", digits.trim(), luhn::check_digit(&d)));
            }
            if luhn::is_valid(&d) {
                emit("valid\n")
            } else {
                let c = luhn::check_digit(&d[..d.len() - 1]);
                emit(&format!("invalid (check digit should be {c})\n"))
            }
        }
    }
}

fn caller() -> Caller {
    Caller::new("cli", "cli", "mpay token vault")
}

fn vault(o: &VaultOpts) -> Result<Vault<SqliteStore>, Box<dyn std::error::Error + Send + Sync>> {
    let keys = KeyRing::from_master(&parse_hex("--key-hex", &o.key_hex)?)?;
    let mut p = AccessPolicy::new();
    p.allow_tokenize("cli")
        .allow_detokenize("cli", "cli", Reveal::Plain)
        .allow_detokenize("cli", "mask", Reveal::Masked);
    Ok(Vault::new(
        SqliteStore::open(&o.db)?,
        keys,
        p,
        Arc::new(NoAudit),
    ))
}
