//! `mpay emv …`: issuer/HSM-side EMV calculations with hex in and hex out.

use clap::{Args, Subcommand, ValueEnum};
use mpay_emv::crypto::cvn::{AcDataTail, ArpcInput, ArpcMethod, Cvn, IssuerKeys, TransactionData};
use mpay_emv::crypto::emv_aes::{AesCardKeys, AesEmv, AesIssuerKeys};
use mpay_emv::crypto::keys::{AesKey, Sm4Key, TdesKey};
use mpay_emv::crypto::pboc::{PbocSm4, Sm4CardKeys, Sm4IssuerKeys};
use mpay_emv::crypto::{cvv, kd, mac, pin};

use super::{CliResult, emit, parse_hex};

/// EMV card-scheme cryptography: cryptograms, ARPC, MACs, PIN blocks, CVV.
#[derive(Args)]
pub struct EmvArgs {
    #[command(subcommand)]
    command: EmvCommand,
}

#[derive(Subcommand)]
enum EmvCommand {
    /// Compute the application cryptogram (ARQC/TC/AAC) of a transaction; prints 16 hex digits.
    Arqc(CardTx),
    /// Compute the ARPC for an ARQC; prints it in hex (8 bytes for method 1, 4 for method 2).
    Arpc {
        #[command(flatten)]
        card: CardTx,
        /// The ARQC (16 hex digits).
        #[arg(long)]
        arqc: String,
        /// Authorisation response code (2 bytes hex, e.g. 3030 for "00"), ARPC method 1.
        #[arg(long, conflicts_with = "csu")]
        arc: Option<String>,
        /// Card status update (4 bytes hex), ARPC method 2.
        #[arg(long)]
        csu: Option<String>,
        /// Proprietary authentication data (0-8 bytes hex), ARPC method 2.
        #[arg(long, default_value = "")]
        proprietary: String,
    },
    /// ISO/IEC 9797-1 MAC of hex data: algorithms 1 and 3 under a double-length DES key,
    /// algorithm 5 (AES-CMAC, the full 16 bytes; EMV keeps the leftmost 8) under an AES key.
    Mac {
        /// Double-length DES key (32 hex digits), or AES key (32, 48 or 64) for --alg 5.
        #[arg(long)]
        key: String,
        /// MAC algorithm: 1 (3DES CBC-MAC), 3 (retail MAC) or 5 (AES-CMAC).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
        alg: u8,
        /// Padding method 1, 2 or 3 (algorithms 1 and 3; CMAC pads itself).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
        padding: u8,
        /// The data, hex.
        data: String,
    },
    /// UnionPay POS MAC (8 ASCII hex characters) of a MAC element block, printed as text:
    /// single DES (8-byte key), 3DES (16 bytes) or SM4 (16 bytes with --sm4).
    Posmac {
        /// The MAC key (16 or 32 hex digits).
        #[arg(long)]
        key: String,
        /// The key is an SM4 key (the national-algorithm POS MAC).
        #[arg(long)]
        sm4: bool,
        /// The MAC element block, hex.
        data: String,
    },
    /// Build an ISO 9564 PIN block: formats 0 and 3 (clear, with the PAN), 1 (clear), 4 (AES,
    /// enciphered under --key).
    Pinblock {
        /// Format: 0, 1, 3 or 4.
        #[arg(long, default_value_t = 0)]
        format: u8,
        /// The PIN (4-12 digits).
        #[arg(long)]
        pin: String,
        /// The PAN (formats 0, 3, 4).
        #[arg(long)]
        pan: Option<String>,
        /// AES key for format 4 (hex).
        #[arg(long)]
        key: Option<String>,
        /// Fill or random bytes (hex: 14 bytes for formats 1 and 3, 8 for format 4); from the
        /// system RNG when absent.
        #[arg(long)]
        random: Option<String>,
    },
    /// Card verification value (CVV/CVC; iCVV with service code 999, CVV2 with 000; Visa dCVV
    /// with --dcvv-atc).
    Cvv {
        /// Card verification key (32 hex digits).
        #[arg(long)]
        cvk: String,
        /// PAN.
        #[arg(long)]
        pan: String,
        /// Expiry date, YYMM.
        #[arg(long)]
        expiry: String,
        /// Service code (3 digits).
        #[arg(long, default_value = "101")]
        service_code: String,
        /// Compute Visa's dynamic dCVV for this ATC (4 hex digits) instead: `--cvk` is then the
        /// issuer MK-dCVV, from which the card's key is derived (option A, or B with
        /// `--option-b`) with `--psn`.
        #[arg(long)]
        dcvv_atc: Option<String>,
        /// PAN sequence number for the dCVV key derivation.
        #[arg(long, default_value = "00", requires = "dcvv_atc")]
        psn: String,
        /// Derive the dCVV key by option B (SHA-1 for PANs over 16 digits).
        #[arg(long, requires = "dcvv_atc")]
        option_b: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CvnName {
    Visa10,
    Visa18,
    Visa22,
    Mc16,
    Mc17,
    Mc20,
    Mc21,
    Interac133,
    /// PBOC/UICS national algorithms (SM4, CVN 01, IAD algorithm 04); --imk is an SM4 key.
    PbocSm4,
    /// EMV AES (option C, common session keys with 16-byte blocks, AES-CMAC; the AC covers the
    /// full IAD); --imk is an AES key of 16, 24 or 32 bytes. ARPC method 1 under the session
    /// key with --arc, method 2 with --csu.
    Aes,
}

impl CvnName {
    /// The EMV (3DES) profile, `None` for the SM4 and AES profiles.
    fn emv(self) -> Option<Cvn> {
        Some(match self {
            CvnName::Visa10 => Cvn::Visa10,
            CvnName::Visa18 => Cvn::Visa18,
            CvnName::Visa22 => Cvn::Visa22,
            CvnName::Mc16 => Cvn::Mastercard16,
            CvnName::Mc17 => Cvn::Mastercard17,
            CvnName::Mc20 => Cvn::Mastercard20,
            CvnName::Mc21 => Cvn::Mastercard21,
            CvnName::Interac133 => Cvn::Interac133,
            CvnName::PbocSm4 | CvnName::Aes => return None,
        })
    }
}

/// The card keys of either kind of profile.
enum Keys {
    Emv(Cvn, mpay_emv::crypto::cvn::CardKeys),
    Sm4(Sm4CardKeys),
    Aes(AesCardKeys),
}

/// The AES profile of `--cvn aes`, with the ARPC method its input names.
fn aes_profile(arpc: ArpcMethod) -> AesEmv {
    AesEmv::new(AcDataTail::FullIad, arpc)
}

/// The card and transaction a cryptogram is about.
#[derive(Args)]
struct CardTx {
    /// Cryptogram version.
    #[arg(long, value_enum)]
    cvn: CvnName,
    /// Issuer master key for AC (32 hex digits).
    #[arg(long)]
    imk: String,
    /// PAN.
    #[arg(long)]
    pan: String,
    /// PAN sequence number (2 digits).
    #[arg(long, default_value = "00")]
    psn: String,
    /// Transaction data as BER-TLV hex (as in field 55): 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82
    /// 9F36 9F10.
    #[arg(long)]
    tx: String,
    /// Mastercard counters in the clear (CVN 17/21), hex.
    #[arg(long, default_value = "")]
    counters: String,
}

impl CardTx {
    fn load(&self) -> Result<(Keys, TransactionData), String> {
        let imk = parse_hex("--imk", &self.imk)?;
        let keys = match self.cvn.emv() {
            None if matches!(self.cvn, CvnName::Aes) => {
                let imk = AesKey::from_slice(&imk).map_err(|e| e.to_string())?;
                let card = aes_profile(ArpcMethod::Method1SessionKey)
                    .card_keys(&AesIssuerKeys::single(imk), &self.pan, &self.psn)
                    .map_err(|e| e.to_string())?;
                Keys::Aes(card)
            }
            Some(cvn) => {
                let imk = TdesKey::from_slice(&imk).map_err(|e| e.to_string())?;
                let card = cvn
                    .card_keys(&IssuerKeys::single(imk), &self.pan, &self.psn)
                    .map_err(|e| e.to_string())?;
                Keys::Emv(cvn, card)
            }
            None => {
                let imk = Sm4Key::from_slice(&imk).map_err(|e| e.to_string())?;
                let card = PbocSm4::card_keys(&Sm4IssuerKeys::single(imk), &self.pan, &self.psn)
                    .map_err(|e| e.to_string())?;
                Keys::Sm4(card)
            }
        };
        let mut tx = TransactionData::from_tlv(&parse_hex("--tx", &self.tx)?)
            .map_err(|e| format!("--tx: {e}"))?;
        tx.counters = parse_hex("--counters", &self.counters)?;
        Ok((keys, tx))
    }
}

fn fixed<const N: usize>(what: &str, s: &str) -> Result<[u8; N], String> {
    let v = parse_hex(what, s)?;
    v.as_slice()
        .try_into()
        .map_err(|_| format!("{what}: expected {N} bytes, got {}", v.len()))
}

fn random<const N: usize>(given: &Option<String>) -> Result<[u8; N], String> {
    match given {
        Some(h) => fixed("--random", h),
        None => {
            let mut b = [0u8; N];
            getrandom::fill(&mut b).map_err(|e| format!("system RNG: {e}"))?;
            Ok(b)
        }
    }
}

/// Runs `mpay emv …`.
pub fn run(args: EmvArgs) -> CliResult {
    let out = match args.command {
        EmvCommand::Arqc(c) => match c.load()? {
            (Keys::Emv(cvn, card), tx) => hex::encode_upper(cvn.arqc(&card, &tx)?),
            (Keys::Sm4(card), tx) => hex::encode_upper(PbocSm4::arqc(&card, &tx)?),
            (Keys::Aes(card), tx) => {
                hex::encode_upper(aes_profile(ArpcMethod::Method1SessionKey).arqc(&card, &tx)?)
            }
        },
        EmvCommand::Arpc {
            card: c,
            arqc,
            arc,
            csu,
            proprietary,
        } => {
            let (keys, tx) = c.load()?;
            let arqc = fixed::<8>("--arqc", &arqc)?;
            let prop = parse_hex("--proprietary", &proprietary)?;
            let input = match (arc, csu) {
                (Some(a), None) => ArpcInput::ResponseCode(fixed("--arc", &a)?),
                (None, Some(c)) => ArpcInput::CardStatusUpdate {
                    csu: fixed("--csu", &c)?,
                    proprietary: &prop,
                },
                _ => return Err("give --arc (ARPC method 1) or --csu (method 2)".into()),
            };
            match (keys, input) {
                (Keys::Emv(cvn, card), input) => {
                    hex::encode_upper(cvn.arpc(&card, &tx, arqc, input)?)
                }
                (Keys::Sm4(card), ArpcInput::ResponseCode(arc)) => {
                    hex::encode_upper(PbocSm4::arpc(&card, &tx, arqc, arc))
                }
                (Keys::Sm4(_), _) => return Err("--cvn pboc-sm4 takes --arc".into()),
                (Keys::Aes(card), input) => {
                    let method = match input {
                        ArpcInput::ResponseCode(_) => ArpcMethod::Method1SessionKey,
                        ArpcInput::CardStatusUpdate { .. } => ArpcMethod::Method2,
                    };
                    hex::encode_upper(aes_profile(method).arpc(&card, &tx, arqc, input)?)
                }
            }
        }
        EmvCommand::Posmac { key, sm4, data } => {
            use mpay_emv::crypto::posmac::{MacKey, unionpay_pos_mac, unionpay_pos_mac_sm4};
            let key = parse_hex("--key", &key)?;
            let data = parse_hex("data", &data)?;
            let m = match (sm4, key.len()) {
                (true, _) => unionpay_pos_mac_sm4(&Sm4Key::from_slice(&key)?, &data),
                (false, 8) => {
                    let k: [u8; 8] = key[..].try_into().map_err(|_| "--key: 8 bytes")?;
                    unionpay_pos_mac(&MacKey::single(k), &data)
                }
                (false, _) => unionpay_pos_mac(&MacKey::Double(TdesKey::from_slice(&key)?), &data),
            };
            String::from_utf8_lossy(&m).into_owned()
        }
        EmvCommand::Mac {
            key,
            alg,
            padding,
            data,
        } => {
            let key = parse_hex("--key", &key)?;
            let data = parse_hex("data", &data)?;
            if alg == 5 {
                let key = AesKey::from_slice(&key)?;
                return emit(&format!(
                    "{}\n",
                    hex::encode_upper(mac::aes_cmac(&key, &data))
                ));
            }
            let key = TdesKey::from_slice(&key)?;
            let padding = match padding {
                1 => mac::Padding::Method1,
                2 => mac::Padding::Method2,
                _ => mac::Padding::Method3,
            };
            match alg {
                1 => hex::encode_upper(mac::tdes_cbc_mac(&key, &data, padding)),
                3 => hex::encode_upper(mac::retail_mac(&key, &data, padding)),
                _ => return Err("--alg: 1, 3 or 5 (algorithms 2 and 4 are not used in EMV)".into()),
            }
        }
        EmvCommand::Pinblock {
            format,
            pin: p,
            pan,
            key,
            random: r,
        } => {
            let need_pan = || pan.clone().ok_or("--pan is required for this format");
            match format {
                0 => hex::encode_upper(pin::format0(&p, &need_pan()?)?),
                1 => hex::encode_upper(pin::format1(&p, &random::<14>(&r)?)?),
                3 => hex::encode_upper(pin::format3(&p, &need_pan()?, &random::<14>(&r)?)?),
                4 => {
                    let key = key.ok_or("--key (AES) is required for format 4")?;
                    let key = AesKey::from_slice(&parse_hex("--key", &key)?)?;
                    hex::encode_upper(pin::format4_encipher(
                        &key,
                        &p,
                        &need_pan()?,
                        &random::<8>(&r)?,
                    )?)
                }
                other => return Err(format!("--format {other}: use 0, 1, 3 or 4").into()),
            }
        }
        EmvCommand::Cvv {
            cvk,
            pan,
            expiry,
            service_code,
            dcvv_atc,
            psn,
            option_b,
        } => {
            let cvk = TdesKey::from_slice(&parse_hex("--cvk", &cvk)?)?;
            match dcvv_atc {
                None => cvv::cvv(&cvk, &pan, &expiry, &service_code)?,
                Some(atc) => {
                    let atc: [u8; 2] = parse_hex("--dcvv-atc", &atc)?
                        .try_into()
                        .map_err(|_| "--dcvv-atc: expected 4 hex digits")?;
                    let card = if option_b {
                        kd::icc_master_key_b(&cvk, &pan, &psn)?
                    } else {
                        kd::icc_master_key_a(&cvk, &pan, &psn)?
                    };
                    cvv::dcvv(&card, &pan, &expiry, &service_code, atc)?
                }
            }
        }
    };
    emit(&format!("{out}\n"))
}
