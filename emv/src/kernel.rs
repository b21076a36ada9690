//! The terminal kernel: from PPSE selection to the online authorisation request and the
//! completion after it.
//!
//! [`Kernel::run`] drives a card over any [`apdu::Transport`](mpay_apdu::Transport) (a
//! [`Router`](mpay_apdu::Router) holding software cards, PC/SC, a vpcd bridge):
//!
//! 1. SELECT PPSE; candidates from `BF0C/61` entries this terminal supports, ordered by
//!    priority (87);
//! 2. final selection, falling back to the next candidate on `6A81`, `6283` or any error
//!    status, and on `6985` to GET PROCESSING OPTIONS;
//! 3. GPO with the PDOL data built by `emv-tlv` (Book 3 §5.4 rules);
//! 4. READ RECORD for every AFL entry (SFI 1–30, bounded);
//! 5. offline data authentication: fDDA (quick flow), CDA, DDA or SDA, RSA or SM2;
//! 6. processing restrictions (application version, usage control, dates);
//! 7. cardholder verification: the CTQ (quick flow) or the card's CVM list against the
//!    terminal's capabilities (offline plaintext and enciphered PIN, online PIN, signature);
//! 8. terminal risk management: floor limit, random transaction selection, velocity checking;
//! 9. terminal action analysis: TVR against the terminal's and the card's action codes
//!    decides between AAC, TC and ARQC; the card answers with GENERATE AC (or already did in
//!    the GPO response);
//! 10. the [`Outcome`]: decision, TVR, TSI, the field 55 tag set for ISO 8583, and a readable
//!     log of each decision.
//!
//! [`Kernel::complete`] then runs issuer authentication, scripts and the second GENERATE AC
//! with the issuer's answer, and [`Kernel::complete_unable_online`] the default action
//! analysis when there is no answer.
//!
//! A card that answers garbage, truncated or out-of-order responses ends the transaction
//! with an [`Error`] naming the command and what was wrong; nothing panics.
//!
//! ```
//! use mpay_apdu::Card;
//! use mpay_emv::card::{phone_router, CardProfile, OfflineLimits};
//! use mpay_emv::crypto::{cvn::{Cvn, IssuerKeys}, keys::TdesKey};
//! use mpay_emv::issuer;
//! use mpay_emv::kernel::{
//!     ActionCodes, CaKey, CaPublicKey, Decision, IssuerResponse, Kernel, TerminalConfig,
//!     TransactionRequest,
//! };
//! use mpay_emv::oda::sm2::sign_issuer_certificate;
//! use mpay_gmt::sm2::PrivateKey;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210")?);
//! // SM2 offline data authentication: a CA, an issuer certified by it, the card's own key.
//! let (ca, iss) = (PrivateKey::from_bytes(&[0x0C; 32])?, PrivateKey::from_bytes(&[0x1E; 32])?);
//! let issuer_cert =
//!     sign_issuer_certificate(&ca, &iss.public_key(), [0x54, 0x13, 0x33, 0xFF], [0x12, 0x30], [0, 0, 1])?;
//! // A standard-flow (M/Chip-style) card that may approve one transaction offline. Set the
//! // signed data (limits, IACs, CVM list) before the certificates.
//! let mut profile = CardProfile::visa_demo("5413330089010434", Cvn::Mastercard16, &keys)?;
//! profile.iac = Some(ActionCodes { denial: [0; 5], online: [0xDC, 0, 0x80, 0xF0, 0], default: [0; 5] });
//! profile.offline_limits = Some(OfflineLimits {
//!     lower_consecutive: 1,
//!     upper_consecutive: 2,
//!     cumulative_amount: 50_00,
//! });
//! let profile = profile.with_sm2_oda(0x05, issuer_cert, &iss, PrivateKey::from_bytes(&[0x2D; 32])?)?;
//! let mut phone = Card::new(phone_router(vec![profile]));
//! // A terminal holding the CA key that approves offline under 100.00 when the card agrees.
//! let kernel = Kernel::new(TerminalConfig {
//!     ca_keys: vec![CaKey { rid: [0xA0, 0, 0, 0, 0x04], index: 0x05, key: CaPublicKey::Sm2(ca.public_key()) }],
//!     floor_limit: 100_00,
//!     ..TerminalConfig::demo()
//! });
//! let req = |un| TransactionRequest {
//!     amount: 12_50,
//!     amount_other: 0,
//!     date: [0x26, 0x11, 0x21],
//!     transaction_type: 0x00,
//!     unpredictable_number: [un, 2, 3, 4],
//! };
//! let first = kernel.run(&mut phone, &req(1))?;
//! assert_eq!(first.decision, Decision::ApprovedOffline);
//! // Past the card's lower consecutive offline limit: velocity checking sends it online.
//! let second = kernel.run(&mut phone, &req(2))?;
//! assert_eq!(second.decision, Decision::OnlineRequest);
//! let auth = issuer::authorise(&keys, Cvn::Mastercard16, "5413330089010434", "01",
//!                              &second.field55(), *b"00")?;
//! let done = kernel.complete(&mut phone, &second,
//!                            &IssuerResponse { arc: *b"00", field55: &auth.field55 })?;
//! assert!(done.approved);
//! # Ok(()) }
//! ```

use mpay_apdu::{Card, CommandBuf, StatusWord, Transport};
use mpay_emv_tlv::{Dol, Options, Tag, TlvWrite, Tree};

use crate::card::{hex_upper as hex, mask_pan};
use crate::oda::{self, RsaPublicKey};
use crate::{Error, Result};

/// A certification authority public key the terminal holds for offline data authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaKey {
    /// Registered application provider identifier (the first 5 bytes of the AID).
    pub rid: [u8; 5],
    /// CA public key index (8F).
    pub index: u8,
    /// The key.
    pub key: CaPublicKey,
}

/// An RSA (EMV) or SM2 (PBOC/UICS) CA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaPublicKey {
    /// RSA: issuer certificates are recovered.
    Rsa(RsaPublicKey),
    /// SM2: issuer certificates are signed.
    Sm2(mpay_gmt::sm2::PublicKey),
}

/// Action codes: the TVR bits on which to decline (denial), go online (online) or decline
/// when unable to go online (default). Terminals hold TACs, cards IACs (9F0E, 9F0F, 9F0D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionCodes {
    /// Denial.
    pub denial: [u8; 5],
    /// Online.
    pub online: [u8; 5],
    /// Default.
    pub default: [u8; 5],
}

impl ActionCodes {
    /// What Book 3 §10.7 assumes for a card that gives no IACs: no denial bits, every bit
    /// online and default.
    pub const ABSENT_IAC: ActionCodes = ActionCodes {
        denial: [0; 5],
        online: [0xFF; 5],
        default: [0xFF; 5],
    };
}

/// Random transaction selection (EMV Book 3 §10.6.2) for amounts under the floor limit:
/// under `threshold` a transaction goes online with probability `target_percent`; from the
/// threshold up to the floor limit the probability rises linearly to `max_target_percent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RandomSelection {
    /// Threshold value for biased random selection (minor units).
    pub threshold: u64,
    /// Target percentage, 0–99.
    pub target_percent: u8,
    /// Maximum target percentage, from `target_percent` to 99.
    pub max_target_percent: u8,
}

/// How offline data authentication was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OdaMethod {
    /// Static data authentication: the issuer-signed static data (93) verified.
    Sda,
    /// Fast DDA: the signature came in the GPO response (quick flow).
    Fdda,
    /// DDA with INTERNAL AUTHENTICATE (standard flow).
    Dda,
    /// Combined DDA/AC generation: the cryptogram inside the signature of GENERATE AC.
    Cda,
}

/// The result of offline data authentication.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Oda {
    /// Not performed (the card does not offer it, or the terminal holds no CA key).
    #[default]
    NotPerformed,
    /// The certificate chain and the dynamic signature verified.
    Passed {
        /// The method.
        method: OdaMethod,
        /// `true` for the SM2 (national-algorithm) variant, `false` for RSA.
        sm2: bool,
    },
    /// Something failed (TVR byte 1 bit 4 "DDA failed", or bit 3 "CDA failed", is set).
    Failed {
        /// The method.
        method: OdaMethod,
        /// What failed.
        why: String,
    },
}

/// A verified public key of the chain (issuer or ICC).
#[derive(Clone)]
enum IccKey {
    Rsa(RsaPublicKey),
    Sm2(mpay_gmt::sm2::PublicKey),
}

/// Terminal configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalConfig {
    /// AIDs (or AID prefixes) this terminal supports.
    pub supported_aids: Vec<Vec<u8>>,
    /// Terminal transaction qualifiers (9F66).
    pub ttq: [u8; 4],
    /// Terminal country code (9F1A).
    pub country: [u8; 2],
    /// Transaction currency code (5F2A).
    pub currency: [u8; 2],
    /// Terminal type (9F35).
    pub terminal_type: u8,
    /// Terminal capabilities (9F33).
    pub capabilities: [u8; 3],
    /// Interface device serial number (9F1E), 8 characters.
    pub ifd_serial: [u8; 8],
    /// Amounts at or above this go online (floor limit), in minor units.
    pub floor_limit: u64,
    /// Amounts above this need a CVM.
    pub cvm_required_limit: u64,
    /// Amounts above this are refused on the contactless interface.
    pub contactless_limit: u64,
    /// CA public keys for offline data authentication. With at least one, the terminal
    /// announces ODA for online authorisations in its TTQ and verifies what the card signs.
    pub ca_keys: Vec<CaKey>,
    /// Request the PBOC/UICS national algorithms (DF69 = 01 in the PDOL data).
    pub national_algorithms: bool,
    /// Terminal action codes.
    pub tac: ActionCodes,
    /// Random transaction selection, if the terminal does it.
    pub random_selection: Option<RandomSelection>,
    /// Application version number (9F09) the terminal supports; a card giving another (9F08)
    /// sets TVR byte 2 bit 8.
    pub application_version: [u8; 2],
}

impl TerminalConfig {
    /// A POS for China (country and currency 156) accepting Visa, Mastercard and UnionPay
    /// AIDs, attended and online-capable (type 22), with a floor limit of 0 (always online),
    /// a CVM limit of 300.00, a contactless limit of 1,000.00, every CVM supported (9F33
    /// E0F8C8), and Visa-style TACs (denial 0010000000, online DC4084F800, default
    /// DC4080A800).
    pub fn demo() -> Self {
        TerminalConfig {
            supported_aids: vec![
                vec![0xA0, 0, 0, 0, 0x03],
                vec![0xA0, 0, 0, 0, 0x04],
                vec![0xA0, 0, 0, 0x03, 0x33],
            ],
            ttq: [0x36, 0x00, 0x40, 0x00],
            country: [0x01, 0x56],
            currency: [0x01, 0x56],
            terminal_type: 0x22,
            capabilities: [0xE0, 0xF8, 0xC8],
            ifd_serial: *b"MPAYPOS1",
            floor_limit: 0,
            cvm_required_limit: 30_000, // 300.00
            contactless_limit: 100_000, // 1,000.00
            ca_keys: Vec::new(),
            national_algorithms: true,
            tac: ActionCodes {
                denial: [0x00, 0x10, 0x00, 0x00, 0x00],
                online: [0xDC, 0x40, 0x84, 0xF8, 0x00],
                default: [0xDC, 0x40, 0x80, 0xA8, 0x00],
            },
            random_selection: None,
            application_version: [0x00, 0x8C],
        }
    }
}

/// One transaction's terminal-side data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRequest {
    /// Amount, authorised (minor units).
    pub amount: u64,
    /// Amount, other (cashback).
    pub amount_other: u64,
    /// Transaction date, YYMMDD BCD.
    pub date: [u8; 3],
    /// Transaction type (9C): 00 purchase.
    pub transaction_type: u8,
    /// Unpredictable number (9F37).
    pub unpredictable_number: [u8; 4],
}

/// What the kernel decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Send an authorisation request with the ARQC.
    OnlineRequest,
    /// The card approved offline (TC).
    ApprovedOffline,
    /// The card declined (AAC), or the terminal did.
    Declined,
}

/// The cardholder verification method chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cvm {
    /// No CVM: below the CVM required limit, or the card's CVM list says none is needed.
    NoCvm,
    /// No CVM was performed: the card does not support cardholder verification (AIP) or
    /// gave no CVM list.
    NotPerformed,
    /// The phone verified the cardholder (CDCVM), as its CTQ says.
    ConsumerDevice,
    /// Online PIN (the PIN block goes in ISO 8583 field 52).
    OnlinePin,
    /// Signature on the receipt.
    Signature,
    /// Offline plaintext PIN, verified by the card (VERIFY).
    OfflinePlaintextPin,
    /// Offline plaintext PIN and signature.
    OfflinePlaintextPinAndSignature,
    /// Offline PIN enciphered under the card's RSA key, verified by the card.
    OfflineEncipheredPin,
    /// Offline enciphered PIN and signature.
    OfflineEncipheredPinAndSignature,
    /// Cardholder verification failed (TVR byte 3 bit 8): no rule of the CVM list succeeded.
    Failed,
}

/// The result of a kernel run.
#[derive(Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The decision.
    pub decision: Decision,
    /// The application selected.
    pub aid: Vec<u8>,
    /// The CVM.
    pub cvm: Cvm,
    /// Terminal verification results as the terminal ended the transaction. In the quick
    /// flow the cryptogram (and field 55) cover the TVR sent with GPO, which may say less.
    pub tvr: [u8; 5],
    /// Offline data authentication.
    pub oda: Oda,
    /// Transaction status information (9B): byte 1 bit 8 offline data authentication, bit 7
    /// cardholder verification, bit 6 card risk management, bit 5 issuer authentication, bit 4
    /// terminal risk management, bit 3 script processing were performed.
    pub tsi: [u8; 2],
    /// Every data element gathered, card and terminal, in the order received.
    pub data: Vec<(Tag, Vec<u8>)>,
    /// Readable log of each step and decision (no PAN, track data or keys).
    pub log: Vec<String>,
}

impl core::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Outcome")
            .field("decision", &self.decision)
            .field("pan", &self.pan().map(|p| mask_pan(&p)))
            .field("cvm", &self.cvm)
            .field("tvr", &self.tvr)
            .field("tsi", &self.tsi)
            .field("oda", &self.oda)
            .finish_non_exhaustive()
    }
}

/// The tags of ISO 8583 field 55 for an authorisation request, in the order sent.
pub const FIELD_55_TAGS: [u32; 20] = [
    0x9F26, 0x9F27, 0x9F10, 0x9F37, 0x9F36, 0x95, 0x9A, 0x9C, 0x9F02, 0x5F2A, 0x82, 0x9F1A, 0x9F03,
    0x9F33, 0x9F34, 0x9F35, 0x9F1E, 0x84, 0x9F09, 0x5F34,
];

impl Outcome {
    /// The value of a data element.
    pub fn get(&self, tag: u32) -> Option<&[u8]> {
        let t = Tag::try_new(tag)?;
        self.data
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, v)| v.as_slice())
    }

    /// The PAN as digits, from 5A or from track 2 equivalent data (57).
    pub fn pan(&self) -> Option<String> {
        pan_of(&self.data)
    }

    /// Track 2 equivalent data as ISO 8583 field 35 text (`D` separator, F padding dropped).
    pub fn track2(&self) -> Option<String> {
        Some(bcd_digits(self.get(0x57)?).replace('D', "="))
    }

    /// Expiry date YYMM (ISO 8583 field 14).
    pub fn expiry_yymm(&self) -> Option<String> {
        if let Some(e) = self.get(0x5F24) {
            return Some(bcd_digits(&e[..2.min(e.len())]));
        }
        let t2 = bcd_digits(self.get(0x57)?);
        let after = t2.split('D').nth(1)?;
        after.get(..4).map(str::to_string)
    }

    /// PAN sequence number (ISO 8583 field 23), three digits.
    pub fn psn(&self) -> Option<String> {
        self.get(0x5F34)
            .map(|v| format!("{:03}", bcd_digits(v).parse::<u16>().unwrap_or(0)))
    }

    /// The ICC data of ISO 8583 field 55: the [`FIELD_55_TAGS`] present, as BER-TLV.
    pub fn field55(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for tag in FIELD_55_TAGS {
            if let Some(v) = self.get(tag) {
                let _ = out.primitive(Tag::new(tag), v);
            }
        }
        out
    }
}

/// The value of `tag` among gathered data elements (the first, if it appears more than once).
fn value(data: &[(Tag, Vec<u8>)], tag: u32) -> Option<&[u8]> {
    let t = Tag::try_new(tag)?;
    data.iter()
        .find(|(k, _)| *k == t)
        .map(|(_, v)| v.as_slice())
}

/// The PAN from 5A or from track 2 equivalent data (57).
fn pan_of(data: &[(Tag, Vec<u8>)]) -> Option<String> {
    if let Some(v) = value(data, 0x5A) {
        return Some(bcd_digits(v));
    }
    bcd_digits(value(data, 0x57)?)
        .split('D')
        .next()
        .map(str::to_string)
}

fn bcd_digits(v: &[u8]) -> String {
    let mut s = String::with_capacity(v.len() * 2);
    for b in v {
        for n in [b >> 4, b & 0x0F] {
            match n {
                0..=9 => s.push(char::from(b'0' + n)),
                0xD => s.push('D'),
                _ => {}
            }
        }
    }
    s
}

fn to_bcd_n12(amount: u64) -> [u8; 6] {
    let mut out = [0u8; 6];
    let mut a = amount % 1_000_000_000_000;
    for i in (0..6).rev() {
        let lo = (a % 10) as u8;
        a /= 10;
        let hi = (a % 10) as u8;
        a /= 10;
        out[i] = (hi << 4) | lo;
    }
    out
}

/// The kernel.
#[derive(Debug, Clone)]
pub struct Kernel {
    config: TerminalConfig,
    /// `config.ca_keys[i]` prepared for SM2 verification when it is an SM2 key: built once in
    /// [`Kernel::new`] (CA keys are static terminal data), shared by clones.
    sm2_ca: Vec<Option<mpay_gmt::sm2::PreparedPublicKey>>,
}

/// At most this many candidate applications are tried.
const MAX_CANDIDATES: usize = 8;
/// At most this many records are read.
const MAX_RECORDS: usize = 64;

fn malformed(command: &'static str, why: &'static str) -> Error {
    Error::Malformed { what: command, why }
}

/// A card data element offline data authentication cannot do without.
fn need(card_data: &[(Tag, Vec<u8>)], t: u32) -> Result<&[u8]> {
    value(card_data, t).ok_or(Error::DataElement {
        tag: t,
        why: "missing for offline data authentication",
    })
}

/// Whether an ODA error is a missing data element (TVR byte 1 bit 6, "ICC data missing").
fn is_missing(e: &Error) -> bool {
    matches!(
        e,
        Error::DataElement {
            why: "missing for offline data authentication",
            ..
        }
    )
}

/// A 5-byte action code from the card's data.
fn codes(card_data: &[(Tag, Vec<u8>)], t: u32) -> Option<[u8; 5]> {
    value(card_data, t).and_then(|v| v.try_into().ok())
}

fn cryptogram_name(cid: u8) -> &'static str {
    match cid & 0xC0 {
        0x80 => "ARQC",
        0x40 => "TC",
        0x00 => "AAC",
        _ => "RFU",
    }
}

/// What offline data authentication left behind.
#[derive(Default)]
struct OdaRun {
    oda: Oda,
    /// A data element ODA needs was missing (TVR byte 1 bit 6).
    data_missing: bool,
    /// SDA's data authentication code (9F45).
    dac: Option<[u8; 2]>,
}

/// What an offline PIN CVM needs: the PIN block the cardholder entered and what it takes to
/// find the card's key for an enciphered PIN.
struct CvmPin<'a> {
    block: Option<&'a [u8; 8]>,
    aid: &'a [u8],
    records: &'a [(u8, Vec<u8>)],
    today: [u8; 2],
    icc_key: &'a mut Option<IccKey>,
}

impl Kernel {
    /// A kernel with this configuration. SM2 CA keys are prepared here for fast issuer
    /// certificate verification (a fixed-base table per key, about 1.3 ms and 88 KiB each; see
    /// [`oda::sm2::verify_issuer_certificate_prepared`]), so build a kernel once per terminal
    /// configuration, not per transaction.
    pub fn new(config: TerminalConfig) -> Self {
        let sm2_ca = config
            .ca_keys
            .iter()
            .map(|k| match &k.key {
                CaPublicKey::Sm2(p) => Some(mpay_gmt::sm2::PreparedPublicKey::new(p)),
                CaPublicKey::Rsa(_) => None,
            })
            .collect();
        Kernel { config, sm2_ca }
    }

    /// The configuration.
    pub fn config(&self) -> &TerminalConfig {
        &self.config
    }

    fn send<T: Transport>(
        card: &mut Card<T>,
        cmd: &CommandBuf,
        what: &'static str,
    ) -> Result<mpay_apdu::Response> {
        card.send(cmd).map_err(|e| Error::Card {
            command: what,
            why: e.to_string(),
        })
    }

    /// Runs one contactless transaction against `card`.
    pub fn run<T: Transport>(
        &self,
        card: &mut Card<T>,
        req: &TransactionRequest,
    ) -> Result<Outcome> {
        self.run_inner(card, req, None)
    }

    /// Runs one transaction in which the cardholder entered `pin` on the terminal. The CVM
    /// list decides what it is used for: an offline PIN the card verifies (plaintext, or
    /// enciphered under the card's RSA key), or an online PIN ([`Cvm::OnlinePin`]: the
    /// caller enciphers it for ISO 8583 field 52). A wrong PIN or an exhausted try counter is
    /// recorded in the TVR (byte 3: cardholder verification not successful, PIN try limit
    /// exceeded) and terminal action analysis decides what follows. Without a PIN
    /// ([`Kernel::run`]) a PIN CVM counts as bypassed (TVR byte 3 bit 4).
    pub fn run_with_pin<T: Transport>(
        &self,
        card: &mut Card<T>,
        req: &TransactionRequest,
        pin: &str,
    ) -> Result<Outcome> {
        let block = crate::crypto::sm::iso2_pin_block(pin)?;
        self.run_inner(card, req, Some(block))
    }

    fn run_inner<T: Transport>(
        &self,
        card: &mut Card<T>,
        req: &TransactionRequest,
        mut pin_block: Option<[u8; 8]>,
    ) -> Result<Outcome> {
        let out = self.run_steps(card, req, &mut pin_block);
        if let Some(b) = pin_block.as_mut() {
            zeroize::Zeroize::zeroize(b);
        }
        out
    }

    fn run_steps<T: Transport>(
        &self,
        card: &mut Card<T>,
        req: &TransactionRequest,
        pin_block: &mut Option<[u8; 8]>,
    ) -> Result<Outcome> {
        let mut log = Vec::new();
        let c = &self.config;
        if req.amount > c.contactless_limit {
            log.push(format!(
                "amount {} exceeds the contactless limit {}: try another interface",
                req.amount, c.contactless_limit
            ));
            return Err(Error::Declined {
                why: "amount exceeds the contactless transaction limit",
            });
        }
        // 1. PPSE.
        let ppse = Self::send(
            card,
            &CommandBuf::select_aid(b"2PAY.SYS.DDF01"),
            "SELECT PPSE",
        )?;
        if !ppse.sw.is_success() {
            log.push(format!("SELECT PPSE: {}", ppse.sw));
            return Err(Error::NoApplication);
        }
        let tree = Tree::parse_with(&ppse.data, Options::new()).map_err(Error::Tlv)?;
        let mut candidates: Vec<(u8, Vec<u8>, String)> = Vec::new();
        for entry in tree.find_all("BF0C/61") {
            let Some(aid) = entry.child(Tag::new(0x4F)).map(|n| n.value().to_vec()) else {
                continue;
            };
            if !c.supported_aids.iter().any(|p| aid.starts_with(p)) {
                log.push(format!("PPSE: {} not supported here", hex(&aid)));
                continue;
            }
            let prio = entry
                .child(Tag::new(0x87))
                .and_then(|n| n.value().first().copied())
                .map(|p| p & 0x0F)
                .filter(|p| *p != 0)
                .unwrap_or(16);
            let label = entry
                .child(Tag::new(0x50))
                .map(|n| String::from_utf8_lossy(n.value()).into_owned())
                .unwrap_or_default();
            candidates.push((prio, aid, label));
        }
        candidates.sort_by_key(|(p, _, _)| *p);
        candidates.truncate(MAX_CANDIDATES);
        log.push(format!(
            "PPSE: {} candidate(s): {}",
            candidates.len(),
            candidates
                .iter()
                .map(|(p, a, l)| format!("{} '{}' priority {}", hex(a), l, p))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // 2–3. Final selection and GPO, with fallback. What the TVR can say before GPO goes
        // into the PDOL data: a quick-flow cryptogram covers exactly that TVR.
        let mut gpo_tvr = [0u8; 5];
        gpo_tvr[0] |= 0x80; // offline data authentication was not performed
        if req.amount >= c.floor_limit {
            gpo_tvr[3] |= 0x80; // transaction exceeds floor limit
        }
        let mut ttq = c.ttq;
        if !c.ca_keys.is_empty() {
            ttq[0] |= 0x01; // offline data authentication for online authorisations supported
        }
        let randomly_selected = self.randomly_selected(req);
        if randomly_selected {
            gpo_tvr[3] |= 0x10;
        }
        match c.terminal_type & 0x0F {
            // Offline-only reader.
            3 | 6 => ttq[0] |= 0x08,
            // Online only, over the floor limit, or selected at random: a quick-flow card must
            // go online.
            1 | 4 => ttq[1] |= 0x80,
            _ if req.amount >= c.floor_limit || randomly_selected => ttq[1] |= 0x80,
            _ => {}
        }
        let mut terminal: Vec<(Tag, Vec<u8>)> = vec![
            (Tag::new(0x9F66), ttq.to_vec()),
            (Tag::new(0x9F02), to_bcd_n12(req.amount).to_vec()),
            (Tag::new(0x9F03), to_bcd_n12(req.amount_other).to_vec()),
            (Tag::new(0x9F1A), c.country.to_vec()),
            (Tag::new(0x95), gpo_tvr.to_vec()),
            (Tag::new(0x5F2A), c.currency.to_vec()),
            (Tag::new(0x9A), req.date.to_vec()),
            (Tag::new(0x9C), vec![req.transaction_type]),
            (Tag::new(0x9F37), req.unpredictable_number.to_vec()),
            (Tag::new(0x9F35), vec![c.terminal_type]),
            (Tag::new(0x9F33), c.capabilities.to_vec()),
            (Tag::new(0x9F1E), c.ifd_serial.to_vec()),
            (Tag::new(0xDF69), vec![u8::from(c.national_algorithms)]),
        ];
        let mut chosen = None;
        for (_, aid, label) in &candidates {
            let sel = Self::send(card, &CommandBuf::select_aid(aid), "SELECT AID")?;
            if !sel.sw.is_success() {
                log.push(format!("SELECT {}: {} — next candidate", hex(aid), sel.sw));
                continue;
            }
            let fci = Tree::parse(&sel.data).map_err(Error::Tlv)?;
            let pdol = fci
                .find("6F/A5/9F38")
                .map(|n| n.value().to_vec())
                .unwrap_or_default();
            let pdol_data = if pdol.is_empty() {
                Vec::new()
            } else {
                Dol::parse(&pdol)
                    .map_err(Error::Tlv)?
                    .build_vec(terminal.as_slice())
                    .map_err(Error::Tlv)?
            };
            let mut gpo_data = Vec::with_capacity(pdol_data.len() + 3);
            gpo_data
                .primitive(Tag::new(0x83), &pdol_data)
                .map_err(Error::Tlv)?;
            let gpo = Self::send(
                card,
                &CommandBuf::new(0x80, 0xA8, 0x00, 0x00)
                    .data(gpo_data)
                    .le(256),
                "GET PROCESSING OPTIONS",
            )?;
            if gpo.sw == StatusWord::CONDITIONS_NOT_SATISFIED {
                log.push(format!("GPO {}: 6985 — next candidate", hex(aid)));
                continue;
            }
            if !gpo.sw.is_success() {
                return Err(Error::CardStatus {
                    command: "GET PROCESSING OPTIONS",
                    sw: gpo.sw.0,
                });
            }
            log.push(format!("selected {} '{}'", hex(aid), label));
            chosen = Some((aid.clone(), gpo.data, pdol_data));
            break;
        }
        let (aid, gpo, pdol_data) = chosen.ok_or(Error::NoApplication)?;
        let mut card_data: Vec<(Tag, Vec<u8>)> = vec![(Tag::new(0x84), aid.clone())];
        // GPO response: format 1 (80: AIP ‖ AFL) or format 2 (77 template).
        let first = *gpo
            .first()
            .ok_or(malformed("GET PROCESSING OPTIONS", "empty response"))?;
        let resp = Tree::parse(&gpo).map_err(Error::Tlv)?;
        match first {
            0x80 => {
                let v = resp.value_of(Tag::new(0x80)).unwrap_or(&[]);
                if v.len() < 2 || (v.len() - 2) % 4 != 0 {
                    return Err(malformed(
                        "GET PROCESSING OPTIONS",
                        "format 1 is not AIP ‖ AFL",
                    ));
                }
                card_data.push((Tag::new(0x82), v[..2].to_vec()));
                card_data.push((Tag::new(0x94), v[2..].to_vec()));
            }
            0x77 => {
                let Some(root) = resp.roots().first() else {
                    return Err(malformed("GET PROCESSING OPTIONS", "empty template"));
                };
                for n in root.children() {
                    card_data.push((n.tag(), n.value().to_vec()));
                }
            }
            _ => {
                return Err(malformed(
                    "GET PROCESSING OPTIONS",
                    "neither format 1 (80) nor 2 (77)",
                ));
            }
        }
        let get = |data: &[(Tag, Vec<u8>)], t: u32| -> Option<Vec<u8>> {
            data.iter()
                .find(|(k, _)| *k == Tag::new(t))
                .map(|(_, v)| v.clone())
        };
        if get(&card_data, 0x82).map(|v| v.len()) != Some(2) {
            return Err(Error::DataElement {
                tag: 0x82,
                why: "AIP missing or not 2 bytes",
            });
        }
        // 4. Records.
        let afl = get(&card_data, 0x94).unwrap_or_default();
        if afl.len() % 4 != 0 {
            return Err(Error::DataElement {
                tag: 0x94,
                why: "AFL length is not a multiple of 4",
            });
        }
        let mut read = 0;
        let mut oda_records: Vec<(u8, Vec<u8>)> = Vec::new();
        for e in afl.chunks_exact(4) {
            let sfi = e[0] >> 3;
            if !(1..=30).contains(&sfi) || e[1] == 0 || e[2] < e[1] || e[3] > e[2] - e[1] + 1 {
                return Err(Error::DataElement {
                    tag: 0x94,
                    why: "invalid AFL entry",
                });
            }
            for rec in e[1]..=e[2] {
                read += 1;
                if read > MAX_RECORDS {
                    return Err(Error::DataElement {
                        tag: 0x94,
                        why: "AFL names too many records",
                    });
                }
                let r = Self::send(
                    card,
                    &CommandBuf::new(0x00, 0xB2, rec, (sfi << 3) | 4).le(256),
                    "READ RECORD",
                )?;
                if !r.sw.is_success() {
                    return Err(Error::CardStatus {
                        command: "READ RECORD",
                        sw: r.sw.0,
                    });
                }
                let t = Tree::parse(&r.data).map_err(Error::Tlv)?;
                let Some(root) = t
                    .roots()
                    .first()
                    .filter(|n| n.tag() == Tag::new(0x70) && t.roots().len() == 1)
                else {
                    return Err(malformed("READ RECORD", "record is not one 70 template"));
                };
                if rec - e[1] < e[3] {
                    oda_records.push((sfi, r.data.clone()));
                }
                for n in root.children() {
                    if get(&card_data, n.tag().value()).is_some() {
                        return Err(Error::DataElement {
                            tag: n.tag().value(),
                            why: "appears twice in the card's data",
                        });
                    }
                    card_data.push((n.tag(), n.value().to_vec()));
                }
            }
        }
        log.push(format!("read {read} record(s)"));
        if get(&card_data, 0x5A).is_none() && get(&card_data, 0x57).is_none() {
            return Err(Error::DataElement {
                tag: 0x5A,
                why: "neither PAN nor track 2 equivalent data",
            });
        }
        // 5. Offline data authentication (Book 3 §10.3): CDA when the card offers it, a
        // cryptogram is still to come and the terminal holds CA keys (done with GENERATE AC);
        // otherwise fDDA (quick flow), DDA or SDA here.
        let mut tvr = gpo_tvr;
        let mut tsi = [0u8; 2];
        let today = [req.date[0], req.date[1]];
        let aip = get(&card_data, 0x82).unwrap_or_default();
        let quick = get(&card_data, 0x9F26).is_some();
        let cda = !quick
            && aip[0] & 0x01 != 0
            && get(&card_data, 0x8F).is_some()
            && !c.ca_keys.is_empty();
        // The ICC key, recovered at most once per transaction (ODA, an enciphered PIN, CDA).
        let mut icc_key = None;
        if cda {
            // CDA counts as performed from here (Book 3 §10.3): a failure shows in the TVR
            // when GENERATE AC is checked.
            tvr[0] &= !0x80;
            tsi[0] |= 0x80;
            log.push("CDA selected: offline data authentication with GENERATE AC".into());
        }
        let mut oda = if cda {
            Oda::NotPerformed
        } else {
            let run = self.offline_data_authentication(
                card,
                &aid,
                &card_data,
                &terminal,
                &oda_records,
                today,
                &mut icc_key,
            );
            if run.data_missing {
                tvr[0] |= 0x20;
            }
            if let Some(dac) = run.dac {
                card_data.push((Tag::new(0x9F45), dac.to_vec()));
            }
            run.oda
        };
        match &oda {
            Oda::NotPerformed if cda => {}
            Oda::NotPerformed => log.push("offline data authentication not performed".into()),
            Oda::Passed { method, sm2 } => {
                tvr[0] &= !0x80;
                tsi[0] |= 0x80;
                log.push(format!(
                    "{method:?} ({}) passed",
                    if *sm2 { "SM2" } else { "RSA" }
                ));
            }
            Oda::Failed { method, why } => {
                tvr[0] = (tvr[0] & !0x80)
                    | if *method == OdaMethod::Sda {
                        0x40
                    } else {
                        0x08
                    };
                tsi[0] |= 0x80;
                log.push(format!("{method:?} failed: {why}"));
            }
        }
        if matches!(
            oda,
            Oda::Passed {
                method: OdaMethod::Sda,
                ..
            } | Oda::Failed {
                method: OdaMethod::Sda,
                ..
            }
        ) {
            tvr[0] |= 0x02; // SDA selected
        }
        // Processing restrictions (Book 3 §10.4).
        self.processing_restrictions(&card_data, req, &mut tvr, &mut log);
        // Cardholder verification (Book 3 §10.5): the CTQ in the quick flow, the CVM list in
        // the standard flow.
        let (cvm, cvm_results) = if quick {
            let ctq = get(&card_data, 0x9F6C).unwrap_or_default();
            if req.amount <= c.cvm_required_limit {
                (Cvm::NoCvm, [0x1F, 0x00, 0x02])
            } else if ctq.len() == 2 && ctq[1] & 0x80 != 0 {
                (Cvm::ConsumerDevice, [0x01, 0x00, 0x02])
            } else if ctq.len() == 2 && ctq[0] & 0x80 != 0 {
                tvr[2] |= 0x04;
                (Cvm::OnlinePin, [0x02, 0x00, 0x00])
            } else {
                (Cvm::Signature, [0x1E, 0x00, 0x00])
            }
        } else if aip[0] & 0x10 == 0 {
            log.push("the card does not support cardholder verification".into());
            (Cvm::NotPerformed, [0x3F, 0x00, 0x00])
        } else {
            tsi[0] |= 0x40;
            let pin = CvmPin {
                block: pin_block.as_ref(),
                aid: &aid,
                records: &oda_records,
                today,
                icc_key: &mut icc_key,
            };
            self.cardholder_verification(card, &card_data, req, pin, &mut tvr, &mut log)?
        };
        log.push(format!("CVM: {cvm:?} (results {})", hex(&cvm_results)));
        terminal.push((Tag::new(0x9F34), cvm_results.to_vec()));
        // Terminal risk management (Book 3 §10.6): the floor limit always; random selection
        // and velocity checking when the AIP asks for terminal risk management.
        if !quick && aip[0] & 0x08 != 0 {
            tsi[0] |= 0x08;
            self.terminal_risk_management(card, &card_data, randomly_selected, &mut tvr, &mut log)?;
        }
        // Terminal action analysis (Book 3 §10.7).
        let iac = ActionCodes {
            denial: codes(&card_data, 0x9F0E).unwrap_or(ActionCodes::ABSENT_IAC.denial),
            online: codes(&card_data, 0x9F0F).unwrap_or(ActionCodes::ABSENT_IAC.online),
            default: codes(&card_data, 0x9F0D).unwrap_or(ActionCodes::ABSENT_IAC.default),
        };
        let hits = |a: [u8; 5], b: [u8; 5]| (0..5).any(|i| tvr[i] & (a[i] | b[i]) != 0);
        let denied = hits(c.tac.denial, iac.denial);
        let requested = match c.terminal_type & 0x0F {
            _ if denied => 0x00,
            1 | 4 => 0x80,
            3 | 6 if hits(c.tac.default, iac.default) => 0x00,
            3 | 6 => 0x40,
            _ if hits(c.tac.online, iac.online) => 0x80,
            _ => 0x40,
        };
        if !quick {
            log.push(format!(
                "terminal action analysis: TVR {} → {}",
                hex(&tvr),
                cryptogram_name(requested)
            ));
            // The CDOL1 cryptogram covers the final TVR.
            terminal.retain(|(t, _)| *t != Tag::new(0x95));
            terminal.push((Tag::new(0x95), tvr.to_vec()));
        }
        // 6. Cryptogram.
        if !quick {
            tsi[0] |= 0x20;
            let cdol1 = get(&card_data, 0x8C).ok_or(Error::DataElement {
                tag: 0x8C,
                why: "no CDOL1 and no cryptogram in the GPO response",
            })?;
            let mut source = terminal.clone();
            source.extend(card_data.iter().cloned());
            let cdol_data = Dol::parse(&cdol1)
                .map_err(Error::Tlv)?
                .build_vec(source.as_slice())
                .map_err(Error::Tlv)?;
            // CDA is asked for with a TC or an ARQC, never with an AAC.
            let p1 = if cda && requested != 0x00 {
                requested | 0x10
            } else {
                requested
            };
            let gac = Self::send(
                card,
                &CommandBuf::new(0x80, 0xAE, p1, 0x00)
                    .data(cdol_data.clone())
                    .le(256),
                "GENERATE AC",
            )?;
            if !gac.sw.is_success() {
                return Err(Error::CardStatus {
                    command: "GENERATE AC",
                    sw: gac.sw.0,
                });
            }
            let t = Tree::parse(&gac.data).map_err(Error::Tlv)?;
            match gac.data.first() {
                Some(0x77) => {
                    let root = t
                        .roots()
                        .first()
                        .ok_or(malformed("GENERATE AC", "empty template"))?;
                    for n in root.children() {
                        card_data.retain(|(k, _)| *k != n.tag());
                        card_data.push((n.tag(), n.value().to_vec()));
                    }
                }
                Some(0x80) => {
                    let v = t.value_of(Tag::new(0x80)).unwrap_or(&[]);
                    if v.len() < 11 {
                        return Err(malformed(
                            "GENERATE AC",
                            "format 1 shorter than CID ‖ ATC ‖ AC",
                        ));
                    }
                    card_data.push((Tag::new(0x9F27), vec![v[0]]));
                    card_data.push((Tag::new(0x9F36), v[1..3].to_vec()));
                    card_data.push((Tag::new(0x9F26), v[3..11].to_vec()));
                    if v.len() > 11 {
                        card_data.push((Tag::new(0x9F10), v[11..].to_vec()));
                    }
                }
                _ => return Err(malformed("GENERATE AC", "neither format 1 (80) nor 2 (77)")),
            }
            log.push("GENERATE AC".into());
            if p1 & 0x10 != 0 {
                let result = get(&card_data, 0x9F4B)
                    .ok_or(Error::DataElement {
                        tag: 0x9F4B,
                        why: "CDA requested but no signed dynamic data in GENERATE AC",
                    })
                    .and_then(|sdad| {
                        self.verify_cda(
                            &aid,
                            &card_data,
                            &oda_records,
                            today,
                            &mut icc_key,
                            &sdad,
                            &gac.data,
                            [&pdol_data, &cdol_data],
                            req.unpredictable_number,
                        )
                    });
                match result {
                    Ok((ac, sm2)) => {
                        tvr[0] &= !0x80;
                        card_data.retain(|(k, _)| *k != Tag::new(0x9F26));
                        card_data.push((Tag::new(0x9F26), ac.to_vec()));
                        log.push(format!("CDA ({}) passed", if sm2 { "SM2" } else { "RSA" }));
                        oda = Oda::Passed {
                            method: OdaMethod::Cda,
                            sm2,
                        };
                    }
                    Err(e) => {
                        tvr[0] = (tvr[0] & !0x80) | 0x04;
                        log.push(format!("CDA failed: {e}"));
                        oda = Oda::Failed {
                            method: OdaMethod::Cda,
                            why: e.to_string(),
                        };
                    }
                }
            }
        }
        let cda_failed = matches!(
            oda,
            Oda::Failed {
                method: OdaMethod::Cda,
                ..
            }
        );
        for (tag, len) in [(0x9F26u32, 8usize), (0x9F36, 2)] {
            if cda_failed && tag == 0x9F26 {
                continue; // no usable cryptogram: the transaction is declined below
            }
            if get(&card_data, tag).map(|v| v.len()) != Some(len) {
                return Err(Error::DataElement {
                    tag,
                    why: "missing or wrong length in the card's response",
                });
            }
        }
        let cid = get(&card_data, 0x9F27)
            .and_then(|v| v.first().copied())
            .unwrap_or(0x80);
        if get(&card_data, 0x9F27).is_none() {
            card_data.push((Tag::new(0x9F27), vec![cid]));
        }
        // A card may answer a lower cryptogram than asked for (AAC < ARQC < TC), never a
        // higher one.
        let rank = |t: u8| match t & 0xC0 {
            0x40 => 2,
            0x80 => 1,
            _ => 0,
        };
        if !quick && rank(cid) > rank(requested) {
            return Err(malformed(
                "GENERATE AC",
                "the card answered a higher cryptogram than asked for",
            ));
        }
        let oda_passed = matches!(oda, Oda::Passed { .. });
        let decision = match cid & 0xC0 {
            _ if denied || cda_failed => Decision::Declined,
            0x80 => Decision::OnlineRequest,
            // A quick-flow offline approval stands only with fDDA (the card signs it).
            0x40 if quick && !oda_passed => Decision::Declined,
            0x40 => Decision::ApprovedOffline,
            _ => Decision::Declined,
        };
        log.push(format!(
            "cryptogram type {} → {decision:?}; TVR {}",
            cryptogram_name(cid),
            hex(&tvr)
        ));
        terminal.push((Tag::new(0x9B), tsi.to_vec()));
        let mut data = card_data;
        data.extend(terminal);
        Ok(Outcome {
            decision,
            aid,
            cvm,
            tvr,
            tsi,
            oda,
            data,
            log,
        })
    }

    /// Processing restrictions (Book 3 §10.4): application version, application usage
    /// control, effective and expiry dates.
    fn processing_restrictions(
        &self,
        card_data: &[(Tag, Vec<u8>)],
        req: &TransactionRequest,
        tvr: &mut [u8; 5],
        log: &mut Vec<String>,
    ) {
        let c = &self.config;
        let get = |t: u32| value(card_data, t);
        if let Some(v) = get(0x9F08)
            && v != c.application_version
        {
            tvr[1] |= 0x80;
            log.push(format!(
                "application version {} differs from the terminal's {}",
                hex(v),
                hex(&c.application_version)
            ));
        }
        if let Some(auc) = get(0x9F07).filter(|v| v.len() == 2) {
            let domestic = get(0x5F28).is_some_and(|v| v == c.country);
            let atm = matches!(c.terminal_type, 0x14..=0x16);
            let pick = |dom: u8, intl: u8| if domestic { dom } else { intl };
            let allowed = (auc[0] & if atm { 0x02 } else { 0x01 } != 0)
                && match req.transaction_type {
                    0x01 => auc[0] & pick(0x80, 0x40) != 0,
                    0x09 => auc[0] & pick(0x28, 0x14) != 0 && auc[1] & pick(0x80, 0x40) != 0,
                    _ => auc[0] & pick(0x28, 0x14) != 0,
                };
            if !allowed {
                tvr[1] |= 0x10;
                log.push(format!(
                    "application usage control {} does not allow this service",
                    hex(auc)
                ));
            }
        }
        if let Some(exp) = get(0x5F24).filter(|e| e.len() == 3)
            && exp < req.date.as_slice()
        {
            tvr[1] |= 0x40;
            log.push("expired application".into());
        }
        if let Some(eff) = get(0x5F25).filter(|e| e.len() == 3)
            && eff > req.date.as_slice()
        {
            tvr[1] |= 0x20;
            log.push("application not yet effective".into());
        }
    }

    /// Cardholder verification with the card's CVM list (Book 3 §10.5): the first rule whose
    /// condition holds is tried; a rule that fails (or is unrecognised or unsupported) passes
    /// on to the next only when it says so. Up to the CVM required limit the terminal offers
    /// only "no CVM"; above it, everything its capabilities list but "no CVM" (as contactless
    /// kernels do). Returns the CVM and the CVM results (9F34).
    fn cardholder_verification<T: Transport>(
        &self,
        card: &mut Card<T>,
        card_data: &[(Tag, Vec<u8>)],
        req: &TransactionRequest,
        mut pin: CvmPin<'_>,
        tvr: &mut [u8; 5],
        log: &mut Vec<String>,
    ) -> Result<(Cvm, [u8; 3])> {
        use crate::cvm::{Context, CvmList, Method};
        let c = &self.config;
        let get = |t: u32| value(card_data, t);
        let Some(list) = get(0x8E).filter(|v| !v.is_empty()) else {
            tvr[0] |= 0x20; // ICC data missing
            log.push("no CVM list".into());
            return Ok((Cvm::NotPerformed, [0x3F, 0x00, 0x00]));
        };
        let list = CvmList::parse(list)?;
        let mut capabilities = c.capabilities;
        capabilities[1] = if req.amount <= c.cvm_required_limit {
            0x08
        } else {
            capabilities[1] & !0x08
        };
        let ctx = Context {
            amount: req.amount,
            transaction_type: req.transaction_type,
            transaction_currency: c.currency,
            application_currency: get(0x9F42).and_then(|v| v.try_into().ok()),
            terminal_type: c.terminal_type,
            capabilities,
        };
        let mut results = [0x3F, 0x00, 0x01];
        for rule in &list.rules {
            if !list.condition_met(*rule, &ctx) {
                continue;
            }
            let method = rule.method();
            results = [rule.0[0], rule.0[1], 0x01];
            let done: Option<(Cvm, u8)> = match method {
                Method::Other(code) => {
                    tvr[2] |= 0x40;
                    log.push(format!("CVM {code:02X} not recognised"));
                    None
                }
                _ if !method.supported_by(capabilities) => None,
                Method::Fail => None,
                Method::NoCvm => Some((Cvm::NoCvm, 0x02)),
                Method::Signature => Some((Cvm::Signature, 0x00)),
                Method::EncipheredPinOnline if pin.block.is_some() => {
                    tvr[2] |= 0x04;
                    Some((Cvm::OnlinePin, 0x00))
                }
                _ if pin.block.is_none() => {
                    tvr[2] |= 0x08; // PIN pad present, PIN not entered
                    log.push(format!("{method:?}: no PIN entered"));
                    None
                }
                _ => {
                    let enciphered = matches!(
                        method,
                        Method::EncipheredPinByIcc | Method::EncipheredPinByIccAndSignature
                    );
                    let verified =
                        self.offline_pin(card, card_data, &mut pin, enciphered, tvr, log)?;
                    let cvm = match method {
                        Method::PlaintextPinByIcc => Cvm::OfflinePlaintextPin,
                        Method::PlaintextPinByIccAndSignature => {
                            Cvm::OfflinePlaintextPinAndSignature
                        }
                        Method::EncipheredPinByIcc => Cvm::OfflineEncipheredPin,
                        _ => Cvm::OfflineEncipheredPinAndSignature,
                    };
                    let with_signature = matches!(
                        method,
                        Method::PlaintextPinByIccAndSignature
                            | Method::EncipheredPinByIccAndSignature
                    );
                    verified.then_some((cvm, if with_signature { 0x00 } else { 0x02 }))
                }
            };
            match done {
                Some((cvm, result)) => {
                    results[2] = result;
                    return Ok((cvm, results));
                }
                None if rule.next_on_fail() => continue,
                None => break,
            }
        }
        tvr[2] |= 0x80;
        Ok((Cvm::Failed, results))
    }

    /// An offline PIN: GET DATA of the PIN try counter (none left: try limit exceeded), then
    /// VERIFY with the plaintext block, or with `7F ‖ block ‖ challenge ‖ random padding`
    /// enciphered under the card's RSA key after GET CHALLENGE. `Ok(false)` when the CVM
    /// failed (recorded in the TVR).
    fn offline_pin<T: Transport>(
        &self,
        card: &mut Card<T>,
        card_data: &[(Tag, Vec<u8>)],
        pin: &mut CvmPin<'_>,
        enciphered: bool,
        tvr: &mut [u8; 5],
        log: &mut Vec<String>,
    ) -> Result<bool> {
        let Some(block) = pin.block else {
            return Ok(false);
        };
        let tries = Self::send(
            card,
            &CommandBuf::new(0x80, 0xCA, 0x9F, 0x17).le(256),
            "GET DATA",
        )?;
        if tries.sw.is_success() && tries.data.last() == Some(&0) {
            tvr[2] |= 0x20;
            log.push("offline PIN try limit already exceeded".into());
            return Ok(false);
        }
        let (p2, data) = if enciphered {
            let key = match self.pin_encipherment_key(pin, card_data) {
                Ok(k) => k,
                Err(e) => {
                    log.push(format!("no key to encipher the PIN: {e}"));
                    return Ok(false);
                }
            };
            let challenge = Self::send(
                card,
                &CommandBuf::new(0x00, 0x84, 0x00, 0x00).le(8),
                "GET CHALLENGE",
            )?;
            if !challenge.sw.is_success() || challenge.data.len() != 8 || key.len() < 17 {
                log.push(format!("GET CHALLENGE: {}", challenge.sw));
                return Ok(false);
            }
            let mut plain = vec![0u8; key.len()];
            plain[0] = 0x7F;
            plain[1..9].copy_from_slice(block);
            plain[9..17].copy_from_slice(&challenge.data);
            if getrandom::fill(&mut plain[17..]).is_err() {
                return Err(Error::Parameter {
                    what: "offline PIN encipherment",
                    why: "the operating system's random number generator failed",
                });
            }
            let enc = key.recover("enciphered PIN", &plain);
            zeroize::Zeroize::zeroize(&mut plain);
            (0x88, enc?)
        } else {
            (0x80, block.to_vec())
        };
        let r = Self::send(
            card,
            &CommandBuf::new(0x00, 0x20, 0x00, p2).data(data).no_le(),
            "VERIFY",
        )?;
        let how = if enciphered {
            "enciphered"
        } else {
            "plaintext"
        };
        match (r.sw.sw1(), r.sw.sw2()) {
            (0x90, 0x00) => {
                log.push(format!("offline {how} PIN verified"));
                Ok(true)
            }
            (0x63, sw2) if sw2 & 0xF0 == 0xC0 => {
                if sw2 & 0x0F == 0 {
                    tvr[2] |= 0x20;
                }
                log.push(format!(
                    "offline {how} PIN wrong, {} tries left",
                    sw2 & 0x0F
                ));
                Ok(false)
            }
            (0x69, 0x83) | (0x69, 0x84) => {
                tvr[2] |= 0x20;
                log.push("offline PIN try limit exceeded".into());
                Ok(false)
            }
            _ => Err(Error::CardStatus {
                command: "VERIFY",
                sw: r.sw.0,
            }),
        }
    }

    /// Random transaction selection (Book 3 §10.6.2) under the floor limit, with the random
    /// number 1–99 taken from the transaction's unpredictable number.
    fn randomly_selected(&self, req: &TransactionRequest) -> bool {
        let c = &self.config;
        let Some(rs) = c.random_selection else {
            return false;
        };
        if req.amount >= c.floor_limit {
            return false;
        }
        let random = u64::from(u32::from_be_bytes(req.unpredictable_number) % 99) + 1;
        let target = u64::from(rs.target_percent.min(99));
        let percent = if req.amount < rs.threshold {
            target
        } else {
            let max = u64::from(rs.max_target_percent.clamp(rs.target_percent, 99));
            let span = c.floor_limit.saturating_sub(rs.threshold).max(1);
            target + (max - target) * (req.amount - rs.threshold) / span
        };
        random <= percent
    }

    /// Terminal risk management beyond the floor limit (Book 3 §10.6): random transaction
    /// selection, and velocity checking when the card gives its consecutive offline limits
    /// (9F14, 9F23): the ATC and the last online ATC register (9F13) by GET DATA.
    fn terminal_risk_management<T: Transport>(
        &self,
        card: &mut Card<T>,
        card_data: &[(Tag, Vec<u8>)],
        randomly_selected: bool,
        tvr: &mut [u8; 5],
        log: &mut Vec<String>,
    ) -> Result<()> {
        if randomly_selected {
            tvr[3] |= 0x10;
            log.push("selected randomly for online processing".into());
        }
        let limit = |t: u32| value(card_data, t).and_then(|v| v.first().copied());
        let (Some(lower), Some(upper)) = (limit(0x9F14), limit(0x9F23)) else {
            return Ok(());
        };
        let mut counter = |p2: u8| -> Result<Option<u16>> {
            let r = Self::send(
                card,
                &CommandBuf::new(0x80, 0xCA, 0x9F, p2).le(256),
                "GET DATA",
            )?;
            let t = Tree::parse(&r.data).ok();
            Ok(t.and_then(|t| {
                t.value_of(Tag::new(0x9F00 | u32::from(p2)))
                    .map(<[u8]>::to_vec)
            })
            .filter(|_| r.sw.is_success())
            .and_then(|v| <[u8; 2]>::try_from(v.as_slice()).ok())
            .map(u16::from_be_bytes))
        };
        let atc = counter(0x36)?;
        let last_online = counter(0x13)?;
        match (atc, last_online) {
            (Some(atc), Some(last)) if atc > last => {
                if last == 0 {
                    tvr[1] |= 0x08; // new card
                }
                let since = atc - last;
                if since > u16::from(lower) {
                    tvr[3] |= 0x40;
                }
                if since > u16::from(upper) {
                    tvr[3] |= 0x20;
                }
                log.push(format!(
                    "velocity: {since} transaction(s) since the last online (limits {lower}/{upper})"
                ));
            }
            _ => {
                tvr[3] |= 0x60;
                log.push("velocity: ATC or last online ATC unavailable or inconsistent".into());
            }
        }
        Ok(())
    }

    /// Offline data authentication other than CDA: fDDA when the GPO response carries signed
    /// dynamic data (9F4B); in the standard flow, when the terminal holds CA keys, DDA with
    /// INTERNAL AUTHENTICATE if the AIP offers it, else SDA if the AIP offers that; otherwise
    /// not performed.
    #[allow(clippy::too_many_arguments)]
    fn offline_data_authentication<T: Transport>(
        &self,
        card: &mut Card<T>,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        terminal: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
        icc_key: &mut Option<IccKey>,
    ) -> OdaRun {
        let get = |data: &[(Tag, Vec<u8>)], t: u32| {
            data.iter()
                .find(|(k, _)| *k == Tag::new(t))
                .map(|(_, v)| v.clone())
        };
        let fail = |method, why: String| OdaRun {
            oda: Oda::Failed { method, why },
            ..OdaRun::default()
        };
        let aip = get(card_data, 0x82).unwrap_or_default();
        let quick = get(card_data, 0x9F26).is_some();
        let has_keys = !self.config.ca_keys.is_empty();
        let (method, sdad, tdd) = if let (true, Some(sdad)) = (quick, get(card_data, 0x9F4B)) {
            // Visa/PBOC fDDA 01: UN ‖ amount ‖ currency ‖ card authentication related data.
            let mut tdd = Vec::new();
            for t in [0x9F37, 0x9F02, 0x5F2A] {
                tdd.extend_from_slice(&get(terminal, t).unwrap_or_default());
            }
            tdd.extend_from_slice(&get(card_data, 0x9F69).unwrap_or_default());
            (OdaMethod::Fdda, sdad, tdd)
        } else if !quick && aip.first().is_some_and(|b| b & 0x20 != 0) && has_keys {
            let ddol = get(card_data, 0x9F49).unwrap_or_else(|| vec![0x9F, 0x37, 0x04]);
            let tdd = match Dol::parse(&ddol).and_then(|d| d.build_vec(terminal)) {
                Ok(v) => v,
                Err(e) => return fail(OdaMethod::Dda, format!("DDOL: {e}")),
            };
            let r = match Self::send(
                card,
                &CommandBuf::new(0x00, 0x88, 0x00, 0x00)
                    .data(tdd.clone())
                    .le(256),
                "INTERNAL AUTHENTICATE",
            ) {
                Ok(r) if r.sw.is_success() => r,
                Ok(r) => {
                    return fail(OdaMethod::Dda, format!("INTERNAL AUTHENTICATE: {}", r.sw));
                }
                Err(e) => return fail(OdaMethod::Dda, e.to_string()),
            };
            let sdad = Tree::parse(&r.data).ok().and_then(|t| {
                t.value_of(Tag::new(0x80))
                    .or_else(|| t.find("77/9F4B").map(|n| n.value()))
                    .map(<[u8]>::to_vec)
            });
            let Some(sdad) = sdad else {
                return fail(
                    OdaMethod::Dda,
                    "INTERNAL AUTHENTICATE response has no signed dynamic data".into(),
                );
            };
            (OdaMethod::Dda, sdad, tdd)
        } else if !quick && aip.first().is_some_and(|b| b & 0x40 != 0) && has_keys {
            return match self.verify_sda(aid, card_data, records, today_yymm) {
                Ok((dac, sm2)) => OdaRun {
                    oda: Oda::Passed {
                        method: OdaMethod::Sda,
                        sm2,
                    },
                    dac: Some(dac),
                    ..OdaRun::default()
                },
                Err(e) => OdaRun {
                    data_missing: is_missing(&e),
                    ..fail(OdaMethod::Sda, e.to_string())
                },
            };
        } else {
            return OdaRun::default();
        };
        match self.verify_dynamic(aid, card_data, records, today_yymm, icc_key, &sdad, &tdd) {
            Ok((_, sm2)) => OdaRun {
                oda: Oda::Passed { method, sm2 },
                ..OdaRun::default()
            },
            Err(e) => OdaRun {
                data_missing: is_missing(&e),
                ..fail(method, e.to_string())
            },
        }
    }

    /// The issuer public key from the certificate (90) under the CA key the card names (8F):
    /// RSA recovered or SM2 verified, by the CA key's kind. Also returns the PAN.
    fn issuer_key(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        today_yymm: [u8; 2],
    ) -> Result<(IccKey, String)> {
        let need = |t: u32| need(card_data, t);
        let index = *need(0x8F)?.first().ok_or(Error::DataElement {
            tag: 0x8F,
            why: "empty",
        })?;
        let at = self
            .config
            .ca_keys
            .iter()
            .position(|k| aid.get(..5) == Some(&k.rid[..]) && k.index == index)
            .ok_or(Error::DataElement {
                tag: 0x8F,
                why: "the terminal holds no CA key with this index for this RID",
            })?;
        let pan = pan_of(card_data).ok_or(Error::DataElement {
            tag: 0x5A,
            why: "no PAN to bind the certificates to",
        })?;
        let issuer = match &self.config.ca_keys[at].key {
            CaPublicKey::Rsa(k) => IccKey::Rsa(
                oda::recover_issuer_key(
                    k,
                    need(0x90)?,
                    need(0x92).unwrap_or(&[]),
                    need(0x9F32)?,
                    &pan,
                    today_yymm,
                )?
                .key,
            ),
            CaPublicKey::Sm2(k) => IccKey::Sm2(
                match &self.sm2_ca[at] {
                    Some(prepared) => oda::sm2::verify_issuer_certificate_prepared(
                        prepared,
                        need(0x90)?,
                        &pan,
                        today_yymm,
                    )?,
                    None => oda::sm2::verify_issuer_certificate(k, need(0x90)?, &pan, today_yymm)?,
                }
                .key,
            ),
        };
        Ok((issuer, pan))
    }

    /// The static data to be authenticated: the ODA records, and the AIP when 9F4A lists it.
    fn static_data(card_data: &[(Tag, Vec<u8>)], records: &[(u8, Vec<u8>)]) -> Result<Vec<u8>> {
        let aip = need(card_data, 0x82)?;
        let with_aip = need(card_data, 0x9F4A).unwrap_or(&[]).contains(&0x82);
        let recs: Vec<(u8, &[u8])> = records.iter().map(|(s, r)| (*s, r.as_slice())).collect();
        oda::static_data(&recs, with_aip.then(|| [aip[0], aip[1]]))
    }

    /// SDA: the issuer key, then the signed static application data (93) over the static
    /// data. Returns the data authentication code and whether it was SM2.
    fn verify_sda(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
    ) -> Result<([u8; 2], bool)> {
        let (issuer, _) = self.issuer_key(aid, card_data, today_yymm)?;
        let static_data = Self::static_data(card_data, records)?;
        let ssad = need(card_data, 0x93)?;
        match issuer {
            IccKey::Rsa(k) => oda::verify_sda(&k, ssad, &static_data).map(|d| (d, false)),
            IccKey::Sm2(k) => oda::sm2::verify_sda(&k, ssad, &static_data).map(|d| (d, true)),
        }
    }

    /// The ICC public key: `cache` when an earlier step recovered it, else the issuer key,
    /// then the ICC certificate (9F46) over the static data, kept in `cache`.
    fn icc_key<'k>(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
        cache: &'k mut Option<IccKey>,
    ) -> Result<&'k IccKey> {
        if let Some(k) = cache {
            return Ok(k);
        }
        let key = self.recover_icc_key(aid, card_data, records, today_yymm)?;
        Ok(cache.insert(key))
    }

    fn recover_icc_key(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
    ) -> Result<IccKey> {
        let (issuer, pan) = self.issuer_key(aid, card_data, today_yymm)?;
        let static_data = Self::static_data(card_data, records)?;
        let need = |t: u32| need(card_data, t);
        Ok(match issuer {
            IccKey::Rsa(k) => IccKey::Rsa(
                oda::recover_icc_key(
                    &k,
                    need(0x9F46)?,
                    need(0x9F48).unwrap_or(&[]),
                    need(0x9F47)?,
                    &static_data,
                    &pan,
                    today_yymm,
                )?
                .key,
            ),
            IccKey::Sm2(k) => IccKey::Sm2(
                oda::sm2::verify_icc_certificate(
                    &k,
                    need(0x9F46)?,
                    &static_data,
                    &pan,
                    today_yymm,
                )?
                .key,
            ),
        })
    }

    /// The RSA key an offline PIN is enciphered under (Book 2 §7.1): the ICC PIN encipherment
    /// public key (9F2D, 9F2E, 9F2F) when the card has one, else the ICC public key (`known`
    /// when offline data authentication already recovered it).
    fn pin_encipherment_key(
        &self,
        pin: &mut CvmPin<'_>,
        card_data: &[(Tag, Vec<u8>)],
    ) -> Result<RsaPublicKey> {
        if card_data.iter().any(|(t, _)| *t == Tag::new(0x9F2D)) {
            let (issuer, pan) = self.issuer_key(pin.aid, card_data, pin.today)?;
            let IccKey::Rsa(issuer) = issuer else {
                return Err(malformed(
                    "ICC PIN encipherment public key certificate",
                    "an SM2 issuer key",
                ));
            };
            let need = |t: u32| need(card_data, t);
            return Ok(oda::recover_icc_key(
                &issuer,
                need(0x9F2D)?,
                need(0x9F2F).unwrap_or(&[]),
                need(0x9F2E)?,
                &[],
                &pan,
                pin.today,
            )?
            .key);
        }
        match self.icc_key(pin.aid, card_data, pin.records, pin.today, pin.icc_key)? {
            IccKey::Rsa(k) => Ok(k.clone()),
            _ => Err(malformed(
                "offline PIN encipherment",
                "the card's key is not RSA",
            )),
        }
    }

    /// The certificate chain (or the ICC key already in `icc_key`), then the signed dynamic
    /// data. Returns the ICC dynamic data and whether it was SM2.
    #[allow(clippy::too_many_arguments)]
    fn verify_dynamic(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
        icc_key: &mut Option<IccKey>,
        sdad: &[u8],
        tdd: &[u8],
    ) -> Result<(Vec<u8>, bool)> {
        Ok(
            match self.icc_key(aid, card_data, records, today_yymm, icc_key)? {
                IccKey::Rsa(k) => (oda::verify_dda(k, sdad, tdd)?, false),
                IccKey::Sm2(k) => (oda::sm2::verify_dda(k, sdad, tdd)?, true),
            },
        )
    }

    /// CDA: verifies the chain and the signature over the unpredictable number, then the ICC
    /// dynamic data `LDN ‖ IDN ‖ CID ‖ AC ‖ transaction data hash code`; returns the AC.
    #[allow(clippy::too_many_arguments)]
    fn verify_cda(
        &self,
        aid: &[u8],
        card_data: &[(Tag, Vec<u8>)],
        records: &[(u8, Vec<u8>)],
        today_yymm: [u8; 2],
        icc_key: &mut Option<IccKey>,
        sdad: &[u8],
        response: &[u8],
        dol_data: [&[u8]; 2],
        unpredictable_number: [u8; 4],
    ) -> Result<([u8; 8], bool)> {
        const W: &str = "CDA signed dynamic data";
        let (idd, sm2) = self.verify_dynamic(
            aid,
            card_data,
            records,
            today_yymm,
            icc_key,
            sdad,
            &unpredictable_number,
        )?;
        let ldn = usize::from(*idd.first().ok_or(malformed(W, "empty ICC dynamic data"))?);
        let hash_len = if sm2 { 32 } else { 20 };
        if idd.len() != 1 + ldn + 1 + 8 + hash_len {
            return Err(malformed(
                W,
                "ICC dynamic data is not LDN ‖ IDN ‖ CID ‖ AC ‖ hash",
            ));
        }
        let cid = idd[1 + ldn];
        let mut ac = [0u8; 8];
        ac.copy_from_slice(&idd[2 + ldn..10 + ldn]);
        let card_cid = card_data
            .iter()
            .find(|(k, _)| *k == Tag::new(0x9F27))
            .and_then(|(_, v)| v.first().copied());
        if card_cid != Some(cid) {
            return Err(malformed(W, "signed CID differs from 9F27"));
        }
        // The response's data objects other than 9F4B, in order.
        let t = Tree::parse(response)?;
        let root = t
            .roots()
            .first()
            .filter(|r| r.tag() == Tag::new(0x77))
            .ok_or(malformed(W, "GENERATE AC response is not a 77 template"))?;
        let mut rest = Vec::new();
        for n in root
            .children()
            .iter()
            .filter(|n| n.tag() != Tag::new(0x9F4B))
        {
            rest.primitive(n.tag(), n.value())?;
        }
        let tdhc = crate::card::transaction_data_hash(sm2, &[dol_data[0], dol_data[1], &rest]);
        crate::crypto::mac::verify("CDA transaction data hash code", &tdhc, &idd[10 + ldn..])?;
        Ok((ac, sm2))
    }
}

/// The issuer's answer to an online request as the terminal received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuerResponse<'a> {
    /// Authorisation response code (ISO 8583 field 39), e.g. `*b"00"` to approve.
    pub arc: [u8; 2],
    /// ICC data of the response (field 55): issuer authentication data (91) and issuer
    /// script templates (71 before, 72 after the second GENERATE AC).
    pub field55: &'a [u8],
}

/// The end of a transaction after the online response.
#[derive(Clone, PartialEq, Eq)]
pub struct Completion {
    /// The card accepted the transaction (TC in the second GENERATE AC).
    pub approved: bool,
    /// Cryptogram information data of the second GENERATE AC.
    pub cid: u8,
    /// The second cryptogram (TC or AAC), for the clearing record or reversal.
    pub cryptogram: [u8; 8],
    /// TVR at the end (byte 5 bits 6/5: script processing failed before/after the final
    /// GENERATE AC).
    pub tvr: [u8; 5],
    /// TSI at the end (issuer authentication and script processing performed).
    pub tsi: [u8; 2],
    /// Issuer script results (9F5B): per script, result (`0x` not performed, `1n` failed at
    /// command n, `20` succeeded) and the script identifier (9F18, zeros if absent).
    pub script_results: Vec<u8>,
    /// Readable log of each step.
    pub log: Vec<String>,
}

impl core::fmt::Debug for Completion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Completion")
            .field("approved", &self.approved)
            .field("cid", &self.cid)
            .field("tvr", &self.tvr)
            .field("tsi", &self.tsi)
            .field("script_results", &hex(&self.script_results))
            .finish_non_exhaustive()
    }
}

/// At most this many issuer scripts, and commands per script, are processed.
const MAX_SCRIPTS: usize = 8;
const MAX_SCRIPT_COMMANDS: usize = 16;

impl Kernel {
    /// Completes an online transaction with the issuer's response (EMV Book 3 §10.9–10.10):
    /// issuer scripts in 71 templates, the second GENERATE AC with the CDOL2 data (ARC,
    /// issuer authentication data 91, TVR, UN; a TC is asked for when the issuer approved),
    /// then the scripts in 72 templates. The card checks the ARPC: a card that cannot
    /// authenticate the issuer answers an AAC. Standard-flow cards only (those with CDOL2).
    pub fn complete<T: Transport>(
        &self,
        card: &mut Card<T>,
        outcome: &Outcome,
        response: &IssuerResponse<'_>,
    ) -> Result<Completion> {
        let cdol2 = Self::cdol2(outcome)?;
        let mut log = Vec::new();
        let mut tvr = outcome.tvr;
        let mut tsi = outcome.tsi;
        let mut issuer_auth: Option<Vec<u8>> = None;
        let mut before = Vec::new();
        let mut after = Vec::new();
        for t in mpay_emv_tlv::walk(response.field55) {
            let t = t?;
            match t.tag().value() {
                0x91 => issuer_auth = Some(t.value().to_vec()),
                0x71 if before.len() + after.len() < MAX_SCRIPTS => before.push(t.value()),
                0x72 if before.len() + after.len() < MAX_SCRIPTS => after.push(t.value()),
                _ => {}
            }
        }
        if !before.is_empty() || !after.is_empty() {
            tsi[0] |= 0x04;
        }
        let mut results = Vec::new();
        for s in &before {
            if !Self::script(card, s, &mut results, &mut log)? {
                tvr[4] |= 0x20;
            }
        }
        let approve = response.arc == *b"00";
        if issuer_auth.is_some() {
            tsi[0] |= 0x10;
        }
        let (cid, cryptogram) = Self::second_generate_ac(
            card,
            outcome,
            cdol2,
            response.arc,
            issuer_auth.as_deref(),
            tvr,
            approve,
        )?;
        let approved = cid & 0xC0 == 0x40;
        log.push(format!(
            "second GENERATE AC: {} (issuer {})",
            cryptogram_name(cid),
            if approve { "approved" } else { "declined" }
        ));
        if approve && !approved && issuer_auth.is_some() {
            tvr[4] |= 0x40; // the card did not authenticate the issuer
        }
        for s in &after {
            if !Self::script(card, s, &mut results, &mut log)? {
                tvr[4] |= 0x10;
            }
        }
        Ok(Completion {
            approved,
            cid,
            cryptogram,
            tvr,
            tsi,
            script_results: results,
            log,
        })
    }

    /// Completes an online request the terminal could not send, or that got no answer (EMV
    /// Book 3 §10.7, "unable to go online"): the default action codes decide — a TVR bit in
    /// TAC-Default or IAC-Default (all bits when the card gave none) declines with ARC `Z3`,
    /// otherwise the terminal asks the card for a TC with ARC `Y3`, which the card gives only
    /// within its upper consecutive offline limit. An offline-only terminal completes every
    /// ARQC this way. Standard-flow cards only (those with CDOL2).
    pub fn complete_unable_online<T: Transport>(
        &self,
        card: &mut Card<T>,
        outcome: &Outcome,
    ) -> Result<Completion> {
        let cdol2 = Self::cdol2(outcome)?;
        let default = outcome
            .get(0x9F0D)
            .and_then(|v| <[u8; 5]>::try_from(v).ok())
            .unwrap_or(ActionCodes::ABSENT_IAC.default);
        let tac = self.config.tac.default;
        let tvr = outcome.tvr;
        let approve = (0..5).all(|i| tvr[i] & (tac[i] | default[i]) == 0);
        let arc = if approve { *b"Y3" } else { *b"Z3" };
        let (cid, cryptogram) =
            Self::second_generate_ac(card, outcome, cdol2, arc, None, tvr, approve)?;
        let approved = cid & 0xC0 == 0x40;
        let log = vec![format!(
            "unable to go online: default action analysis {} → ARC {}, card answered {}",
            hex(&tvr),
            String::from_utf8_lossy(&arc),
            cryptogram_name(cid)
        )];
        Ok(Completion {
            approved,
            cid,
            cryptogram,
            tvr,
            tsi: outcome.tsi,
            script_results: Vec::new(),
            log,
        })
    }

    /// The card's CDOL2, for an outcome that went online.
    fn cdol2(outcome: &Outcome) -> Result<&[u8]> {
        if outcome.decision != Decision::OnlineRequest {
            return Err(Error::Parameter {
                what: "completion",
                why: "the transaction did not go online",
            });
        }
        outcome.get(0x8D).ok_or(Error::DataElement {
            tag: 0x8D,
            why: "no CDOL2: the card takes no second GENERATE AC",
        })
    }

    /// The second GENERATE AC with the CDOL2 data; returns the CID and the cryptogram.
    fn second_generate_ac<T: Transport>(
        card: &mut Card<T>,
        outcome: &Outcome,
        cdol2: &[u8],
        arc: [u8; 2],
        issuer_auth: Option<&[u8]>,
        tvr: [u8; 5],
        tc: bool,
    ) -> Result<(u8, [u8; 8])> {
        let mut source: Vec<(Tag, Vec<u8>)> = vec![
            (Tag::new(0x8A), arc.to_vec()),
            (Tag::new(0x95), tvr.to_vec()),
        ];
        if let Some(v) = issuer_auth {
            source.push((Tag::new(0x91), v.to_vec()));
        }
        if let Some(un) = outcome.get(0x9F37) {
            source.push((Tag::new(0x9F37), un.to_vec()));
        }
        let data = Dol::parse(cdol2)?.build_vec(source.as_slice())?;
        let p1 = if tc { 0x40 } else { 0x00 };
        let r = Self::send(
            card,
            &CommandBuf::new(0x80, 0xAE, p1, 0x00).data(data).le(256),
            "GENERATE AC (second)",
        )?;
        if !r.sw.is_success() {
            return Err(Error::CardStatus {
                command: "GENERATE AC (second)",
                sw: r.sw.0,
            });
        }
        let t = Tree::parse(&r.data)?;
        let find = |tag: u32| -> Option<Vec<u8>> {
            t.find(&format!("77/{tag:X}"))
                .map(|n| n.value().to_vec())
                .or_else(|| {
                    let v = t.value_of(Tag::new(0x80))?;
                    match tag {
                        0x9F27 => v.first().map(|b| vec![*b]),
                        0x9F26 => v.get(3..11).map(<[u8]>::to_vec),
                        _ => None,
                    }
                })
        };
        let cid = find(0x9F27)
            .and_then(|v| v.first().copied())
            .ok_or(malformed(
                "GENERATE AC (second)",
                "no cryptogram information data",
            ))?;
        let cryptogram: [u8; 8] = find(0x9F26)
            .and_then(|v| v.try_into().ok())
            .ok_or(malformed("GENERATE AC (second)", "no 8-byte cryptogram"))?;
        if cid & 0xC0 == 0x80 || (!tc && cid & 0xC0 == 0x40) {
            return Err(malformed(
                "GENERATE AC (second)",
                "the card answered a higher cryptogram than asked for",
            ));
        }
        Ok((cid, cryptogram))
    }

    /// Runs one issuer script (the value of a 71/72 template): its 86 commands in order,
    /// stopping at the first error status. Appends the 5-byte result; `false` if it failed.
    fn script<T: Transport>(
        card: &mut Card<T>,
        template: &[u8],
        results: &mut Vec<u8>,
        log: &mut Vec<String>,
    ) -> Result<bool> {
        let mut id = [0u8; 4];
        let mut n = 0u8;
        let mut result = 0x20;
        for t in mpay_emv_tlv::walk(template) {
            let Ok(t) = t else {
                result = 0x10;
                break;
            };
            match t.tag().value() {
                0x9F18 if t.value().len() == 4 => id.copy_from_slice(t.value()),
                0x86 => {
                    n += 1;
                    if usize::from(n) > MAX_SCRIPT_COMMANDS {
                        result = 0x10 | 0x0F;
                        break;
                    }
                    let r = card.transmit_raw(t.value()).map_err(|e| Error::Card {
                        command: "issuer script command",
                        why: e.to_string(),
                    })?;
                    if !(r.sw.is_success() || r.sw.sw1() == 0x62 || r.sw.sw1() == 0x63) {
                        log.push(format!("script {} command {n}: {}", hex(&id), r.sw));
                        result = 0x10 | n.min(15);
                        break;
                    }
                }
                _ => {}
            }
        }
        if result == 0x20 {
            log.push(format!("script {}: {n} command(s) done", hex(&id)));
        }
        results.push(result);
        results.extend_from_slice(&id);
        Ok(result == 0x20)
    }
}
