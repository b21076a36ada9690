//! `mpay sm3`, `mpay sm4`, `mpay sm2`: the GM/T algorithms of `mpay-gmt` on the command line.
//!
//! Binary output goes to stdout as raw bytes unless `--hex` is given; keys are PEM or DER files
//! (PKCS#8 / SubjectPublicKeyInfo, as `openssl pkey` reads and writes them).

use super::{CliResult, emit, parse_hex};
use clap::{Args, Subcommand, ValueEnum};
use mpay_gmt::sm2::{self, CiphertextFormat, KeyExchange, PrivateKey, PublicKey, Role, Signature};
use mpay_gmt::{sm3, sm4};
use std::io::{Read, Write};

fn read_input(path: Option<&str>) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let mut v = Vec::new();
    match path {
        None | Some("-") => {
            std::io::stdin().read_to_end(&mut v)?;
        }
        Some(p) => v = std::fs::read(p).map_err(|e| format!("{p}: {e}"))?,
    }
    Ok(v)
}

fn write_output(bytes: &[u8], hex_out: bool) -> CliResult {
    if hex_out {
        return emit(&format!("{}\n", hex::encode(bytes)));
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn fixed<const N: usize>(what: &str, s: &str) -> Result<[u8; N], String> {
    let v = parse_hex(what, s)?;
    v.as_slice()
        .try_into()
        .map_err(|_| format!("{what}: expected {N} bytes, got {}", v.len()))
}

/// `mpay sm3 [FILE|-]`: SM3 digest (or HMAC-SM3 with `--hmac-key-hex`) as hex.
#[derive(Args)]
pub struct Sm3Args {
    /// Input file; `-` or nothing reads stdin.
    file: Option<String>,
    /// Compute HMAC-SM3 under this key instead of a plain digest.
    #[arg(long)]
    hmac_key_hex: Option<String>,
}

/// Runs `mpay sm3`.
pub fn run_sm3(args: Sm3Args) -> CliResult {
    let data = read_input(args.file.as_deref())?;
    let d = match args.hmac_key_hex {
        Some(k) => sm3::hmac(&parse_hex("--hmac-key-hex", &k)?, &data),
        None => sm3::hash(&data),
    };
    emit(&format!("{}\n", hex::encode(d)))
}

/// SM4 direction.
#[derive(Clone, Copy, ValueEnum)]
pub enum Sm4Op {
    /// Encrypt.
    Enc,
    /// Decrypt.
    Dec,
}

/// SM4 mode.
#[derive(Clone, Copy, ValueEnum)]
pub enum Sm4Mode {
    /// ECB (PKCS#7 padding unless --no-pad).
    Ecb,
    /// CBC (PKCS#7 padding unless --no-pad), 16-byte IV.
    Cbc,
    /// CTR with a 128-bit big-endian counter, 16-byte IV.
    Ctr,
    /// GCM, 12-byte IV, 16-byte tag appended to the ciphertext.
    Gcm,
}

/// `mpay sm4 enc|dec --mode … --key-hex … [--iv-hex …]`: byte-compatible with `openssl enc`.
#[derive(Args)]
pub struct Sm4Args {
    /// enc or dec.
    op: Sm4Op,
    /// Mode of operation.
    #[arg(long, value_enum)]
    mode: Sm4Mode,
    /// 16-byte key in hex.
    #[arg(long)]
    key_hex: String,
    /// IV (CBC, CTR: 16 bytes; GCM: 12 bytes) in hex.
    #[arg(long)]
    iv_hex: Option<String>,
    /// Additional authenticated data for GCM, in hex.
    #[arg(long)]
    aad_hex: Option<String>,
    /// No padding for ECB/CBC (data must be a multiple of 16 bytes).
    #[arg(long)]
    no_pad: bool,
    /// Input file (default stdin).
    #[arg(long = "in")]
    input: Option<String>,
    /// Input given as hex on the command line instead of a file.
    #[arg(long, conflicts_with = "input")]
    data_hex: Option<String>,
    /// Write hex instead of raw bytes.
    #[arg(long)]
    hex: bool,
}

/// Runs `mpay sm4`.
pub fn run_sm4(args: Sm4Args) -> CliResult {
    let key: [u8; 16] = fixed("--key-hex", &args.key_hex)?;
    let data = match &args.data_hex {
        Some(h) => parse_hex("--data-hex", h)?,
        None => read_input(args.input.as_deref())?,
    };
    let padding = if args.no_pad {
        sm4::Padding::None
    } else {
        sm4::Padding::Pkcs7
    };
    let iv16 = || -> Result<[u8; 16], String> {
        fixed(
            "--iv-hex",
            args.iv_hex
                .as_deref()
                .ok_or("--iv-hex is required for this mode")?,
        )
    };
    let enc = matches!(args.op, Sm4Op::Enc);
    let out = match args.mode {
        Sm4Mode::Ecb if enc => sm4::ecb_encrypt(&key, &data, padding)?,
        Sm4Mode::Ecb => sm4::ecb_decrypt(&key, &data, padding)?,
        Sm4Mode::Cbc if enc => sm4::cbc_encrypt(&key, &iv16()?, &data, padding)?,
        Sm4Mode::Cbc => sm4::cbc_decrypt(&key, &iv16()?, &data, padding)?,
        Sm4Mode::Ctr => sm4::ctr_apply(&key, &iv16()?, &data),
        Sm4Mode::Gcm => {
            let iv: [u8; 12] = fixed(
                "--iv-hex",
                args.iv_hex
                    .as_deref()
                    .ok_or("--iv-hex is required for GCM")?,
            )?;
            let aad = match &args.aad_hex {
                Some(a) => parse_hex("--aad-hex", a)?,
                None => Vec::new(),
            };
            if enc {
                sm4::gcm_encrypt(&key, &iv, &aad, &data)?
            } else {
                sm4::gcm_decrypt(&key, &iv, &aad, &data)?
            }
        }
    };
    write_output(&out, args.hex)
}

/// Signature encoding.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SigFormat {
    /// GM/T 0009 SM2Signature DER (what OpenSSL uses).
    Der,
    /// Raw r ‖ s (64 bytes).
    Raw,
}

/// Ciphertext encoding.
#[derive(Clone, Copy, ValueEnum)]
pub enum CtFormat {
    /// GM/T 0009 SM2Cipher DER (what OpenSSL uses).
    Der,
    /// C1 ‖ C3 ‖ C2.
    C1c3c2,
    /// C1 ‖ C2 ‖ C3 (legacy).
    C1c2c3,
}

impl From<CtFormat> for CiphertextFormat {
    fn from(f: CtFormat) -> Self {
        match f {
            CtFormat::Der => CiphertextFormat::Der,
            CtFormat::C1c3c2 => CiphertextFormat::C1C3C2,
            CtFormat::C1c2c3 => CiphertextFormat::C1C2C3,
        }
    }
}

/// Distinguishing-ID options shared by the SM2 subcommands.
#[derive(Args)]
pub struct IdArgs {
    /// Distinguishing ID as text (default 1234567812345678; `--id ""` is the empty ID that the
    /// OpenSSL CLI uses by default).
    #[arg(long)]
    id: Option<String>,
    /// Distinguishing ID as hex (binary IDs).
    #[arg(long, conflicts_with = "id")]
    id_hex: Option<String>,
}

impl IdArgs {
    fn get(&self) -> Result<Vec<u8>, String> {
        match (&self.id, &self.id_hex) {
            (Some(s), _) => Ok(s.as_bytes().to_vec()),
            (None, Some(h)) => parse_hex("--id-hex", h),
            (None, None) => Ok(sm2::DEFAULT_ID.to_vec()),
        }
    }
}

/// `mpay sm2 …`: keys, signatures, encryption and key exchange.
#[derive(Args)]
pub struct Sm2Args {
    #[command(subcommand)]
    command: Sm2Command,
}

/// SM2 operations.
#[derive(Subcommand)]
pub enum Sm2Command {
    /// Generate a key: PKCS#8 PEM to --out (or stdout), SPKI PEM to --pub-out.
    Keygen {
        /// Private key file (PKCS#8 PEM); stdout if absent.
        #[arg(long)]
        out: Option<String>,
        /// Public key file (SubjectPublicKeyInfo PEM).
        #[arg(long)]
        pub_out: Option<String>,
    },
    /// Sign a message (stdin or --in).
    Sign {
        /// Private key file (PEM or DER).
        #[arg(long)]
        key: String,
        #[command(flatten)]
        id: IdArgs,
        /// Signature format.
        #[arg(long, value_enum, default_value = "der")]
        format: SigFormat,
        /// Message file (default stdin).
        #[arg(long = "in")]
        input: Option<String>,
        /// Write hex instead of raw bytes.
        #[arg(long)]
        hex: bool,
    },
    /// Verify a signature; prints "OK" or fails with exit status 2.
    Verify {
        /// Public key file (PEM or DER SubjectPublicKeyInfo).
        #[arg(long = "pub")]
        public: String,
        /// Signature file (binary).
        #[arg(long)]
        sig: String,
        #[command(flatten)]
        id: IdArgs,
        /// Signature format.
        #[arg(long, value_enum, default_value = "der")]
        format: SigFormat,
        /// Message file (default stdin).
        #[arg(long = "in")]
        input: Option<String>,
    },
    /// Encrypt to a public key.
    Encrypt {
        /// Public key file.
        #[arg(long = "pub")]
        public: String,
        /// Ciphertext format.
        #[arg(long, value_enum, default_value = "der")]
        format: CtFormat,
        /// Plaintext file (default stdin).
        #[arg(long = "in")]
        input: Option<String>,
        /// Write hex instead of raw bytes.
        #[arg(long)]
        hex: bool,
    },
    /// Decrypt with a private key.
    Decrypt {
        /// Private key file.
        #[arg(long)]
        key: String,
        /// Ciphertext format.
        #[arg(long, value_enum, default_value = "der")]
        format: CtFormat,
        /// Ciphertext file (default stdin).
        #[arg(long = "in")]
        input: Option<String>,
    },
    /// One side of an SM2 key exchange (GM/T 0003.3): prints the key and this side's
    /// confirmation value (S_A or S_B) as hex lines `key=…` and `confirm=…`.
    Exchange {
        /// initiator (A) or responder (B).
        #[arg(long, value_enum)]
        role: ExchangeRole,
        /// Own static private key file.
        #[arg(long)]
        key: String,
        /// Own ephemeral private key file (fresh, from `mpay sm2 keygen`; never reuse it).
        #[arg(long)]
        ephemeral_key: String,
        /// Peer's static public key file.
        #[arg(long)]
        peer_pub: String,
        /// Peer's ephemeral public key file.
        #[arg(long)]
        peer_ephemeral_pub: String,
        #[command(flatten)]
        id: IdArgs,
        /// Peer's distinguishing ID as text (default 1234567812345678).
        #[arg(long)]
        peer_id: Option<String>,
        /// Key length in bytes.
        #[arg(long, default_value_t = 16)]
        len: usize,
        /// Peer's confirmation value to check (hex).
        #[arg(long)]
        peer_confirm_hex: Option<String>,
    },
}

/// Key-exchange role.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExchangeRole {
    /// User A.
    Initiator,
    /// User B.
    Responder,
}

fn read_private(path: &str) -> Result<PrivateKey, Box<dyn std::error::Error + Send + Sync>> {
    let b = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(match std::str::from_utf8(&b) {
        Ok(s) if s.contains("-----BEGIN") => PrivateKey::from_pem(s),
        _ => PrivateKey::from_der(&b),
    }
    .map_err(|e| format!("{path}: {e}"))?)
}

fn read_public(path: &str) -> Result<PublicKey, Box<dyn std::error::Error + Send + Sync>> {
    let b = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(match std::str::from_utf8(&b) {
        Ok(s) if s.contains("-----BEGIN") => PublicKey::from_pem(s),
        _ => PublicKey::from_der(&b),
    }
    .map_err(|e| format!("{path}: {e}"))?)
}

/// Runs `mpay sm2`.
pub fn run_sm2(args: Sm2Args) -> CliResult {
    match args.command {
        Sm2Command::Keygen { out, pub_out } => {
            let key = PrivateKey::random()?;
            let pem = key.to_pkcs8_pem()?;
            if let Some(p) = pub_out {
                std::fs::write(&p, key.public_key().to_spki_pem()?)
                    .map_err(|e| format!("{p}: {e}"))?;
            }
            match out {
                Some(p) => std::fs::write(&p, pem.as_bytes()).map_err(|e| format!("{p}: {e}"))?,
                None => emit(&pem)?,
            }
            Ok(())
        }
        Sm2Command::Sign {
            key,
            id,
            format,
            input,
            hex,
        } => {
            let key = read_private(&key)?;
            let msg = read_input(input.as_deref())?;
            let sig = key.sign(&id.get()?, &msg)?;
            let bytes = match format {
                SigFormat::Der => sig.to_der(),
                SigFormat::Raw => sig.to_raw().to_vec(),
            };
            write_output(&bytes, hex)
        }
        Sm2Command::Verify {
            public,
            sig,
            id,
            format,
            input,
        } => {
            let pk = read_public(&public)?;
            let sig_bytes = std::fs::read(&sig).map_err(|e| format!("{sig}: {e}"))?;
            let sig = match format {
                SigFormat::Der => Signature::from_der(&sig_bytes)?,
                SigFormat::Raw => Signature::from_raw(&sig_bytes)?,
            };
            let msg = read_input(input.as_deref())?;
            pk.verify(&id.get()?, &msg, &sig)?;
            emit("OK\n")
        }
        Sm2Command::Encrypt {
            public,
            format,
            input,
            hex,
        } => {
            let pk = read_public(&public)?;
            let msg = read_input(input.as_deref())?;
            let ct = pk.encrypt_with_os_rng(&msg)?;
            write_output(&ct.to_bytes(format.into()), hex)
        }
        Sm2Command::Decrypt { key, format, input } => {
            let key = read_private(&key)?;
            let ct = read_input(input.as_deref())?;
            let m = key.decrypt_bytes(&ct, format.into())?;
            write_output(&m, false)
        }
        Sm2Command::Exchange {
            role,
            key,
            ephemeral_key,
            peer_pub,
            peer_ephemeral_pub,
            id,
            peer_id,
            len,
            peer_confirm_hex,
        } => {
            let own = read_private(&key)?;
            let eph = read_private(&ephemeral_key)?;
            let peer = read_public(&peer_pub)?;
            let peer_eph = read_public(&peer_ephemeral_pub)?;
            let peer_id = peer_id.map_or(sm2::DEFAULT_ID.to_vec(), |s| s.into_bytes());
            let role = match role {
                ExchangeRole::Initiator => Role::Initiator,
                ExchangeRole::Responder => Role::Responder,
            };
            let kx = KeyExchange::with_ephemeral_key(
                role,
                &own,
                &id.get()?,
                &peer,
                &peer_id,
                &eph.to_bytes(),
            )?;
            let r = kx.finish(&peer_eph, len)?;
            if let Some(c) = peer_confirm_hex {
                r.verify_peer_confirmation(&parse_hex("--peer-confirm-hex", &c)?)?;
            }
            emit(&format!(
                "key={}\nconfirm={}\n",
                hex::encode(r.key()),
                hex::encode(r.confirmation())
            ))
        }
    }
}
