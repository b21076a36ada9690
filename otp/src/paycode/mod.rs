//! Offline payment codes: the numbers under a wallet's payment QR code / barcode.
//!
//! The server provisions each device with a credential index and a seed. With no network the
//! device computes OTP = Truncate(HMAC(seed, step ‖ binding context)) and shows
//! `prefix ‖ FF1(index ‖ OTP)`: the payload is enciphered with FF1 (radix 10, AES-256, the
//! `fpe` crate) under the code key, so no stable user number appears across codes. The
//! server deciphers, finds the credential by index, verifies the OTP within its window (with
//! the context the acquirer reports: POS id, merchant id, amount cap) and consumes the step
//! through a [`ReplayGuard`], so a code is spent at most once and older codes die once a newer
//! one is used.
//!
//! The code key must be held by devices to generate codes: it hides users from observers
//! (merchants, cameras at the till), not from someone who extracts it from a device; keep it
//! in the device's secure storage and rotate it with a new prefix.
//!
//! ```
//! use mpay_otp::paycode::{BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice,
//!     PaycodeServer, Verdict};
//! use mpay_otp::replay::MemoryReplayGuard;
//! use std::collections::BTreeMap;
//!
//! let config = PaycodeConfig::wechat_style();          // 18 digits, prefix 13
//! let code_key = [0x42u8; 32];
//! let seed = [0x07u8; 32];
//! let device = PaycodeDevice::new(config.clone(), &code_key, 123_456, &seed)?;
//! let pos = BindingContext { pos_id: Some("POS-A"), ..BindingContext::default() };
//! let code = device.generate(1_700_000_000, &pos)?;
//! assert_eq!(code.len(), 18);
//! assert!(code.starts_with("13"));
//!
//! let mut creds = BTreeMap::new();
//! creds.insert(123_456, PaycodeCredential::new(&config, &seed)?);
//! let server = PaycodeServer::new(config, &code_key, creds, MemoryReplayGuard::new())?;
//! let v = server.verify(&code, 1_700_000_010, &pos, None)?;
//! assert!(matches!(v, Verdict::Accepted { index: 123_456, .. }));
//! // Single use:
//! assert_eq!(server.verify(&code, 1_700_000_011, &pos, None)?, Verdict::Replayed);
//! # Ok::<(), mpay_otp::Error>(())
//! ```

mod decimal;

use crate::code::{POW10, scan};
use crate::replay::ReplayGuard;
use crate::{Algorithm, Error, KeyedMac, Result, Window};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use decimal::{Decimal, MAX_DIGITS};
use fpe::ff1::FF1;

/// Domain separation of the OTP input.
const OTP_LABEL: &[u8] = b"mpay-paycode-v1";

/// The shape of a payment code and the OTP inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaycodeConfig {
    prefix: String,
    length: u8,
    otp_digits: u8,
    step: u64,
    window: Window,
    algorithm: Algorithm,
}

impl PaycodeConfig {
    /// A configuration: `prefix` of 1–4 digits, total `length` 16–24, OTP of `otp_digits`
    /// (6–8). The credential index takes the remaining digits (at least 4). Defaults: 30 s
    /// steps, a past-only window of one step, HMAC-SHA-256.
    pub fn new(prefix: &str, length: u8, otp_digits: u8) -> Result<Self> {
        let cfg = |field, reason| Error::PaycodeConfig { field, reason };
        if prefix.is_empty() || prefix.len() > 4 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(cfg("prefix", "not 1 to 4 decimal digits"));
        }
        if !(16..=24).contains(&length) {
            return Err(cfg("length", "outside 16..=24"));
        }
        if !(6..=8).contains(&otp_digits) {
            return Err(cfg("otp_digits", "outside 6..=8"));
        }
        let payload = length as usize - prefix.len();
        if payload > MAX_DIGITS || payload < otp_digits as usize + 4 {
            return Err(cfg(
                "length",
                "leaves fewer than 4 digits for the credential index",
            ));
        }
        Ok(PaycodeConfig {
            prefix: String::from(prefix),
            length,
            otp_digits,
            step: 30,
            window: Window::PastOnly(1),
            algorithm: Algorithm::Sha256,
        })
    }

    /// WeChat-style: 18 digits, prefix `13` (WeChat uses 10–15), 6-digit OTP, 10-digit index.
    pub fn wechat_style() -> Self {
        Self::new("13", 18, 6).unwrap_or_else(|_| unreachable_config())
    }

    /// Alipay-style: 18 digits, prefix `28` (Alipay uses 25–30), 6-digit OTP, 10-digit index.
    pub fn alipay_style() -> Self {
        Self::new("28", 18, 6).unwrap_or_else(|_| unreachable_config())
    }

    /// Sets the OTP step in seconds (1..=300).
    pub fn with_step(mut self, step: u64) -> Result<Self> {
        if !(1..=300).contains(&step) {
            return Err(Error::PaycodeConfig {
                field: "step",
                reason: "outside 1..=300 seconds",
            });
        }
        self.step = step;
        Ok(self)
    }

    /// Sets the verification window (at most 5 steps each way).
    pub fn with_window(mut self, window: Window) -> Result<Self> {
        let (Window::PastOnly(n) | Window::Symmetric(n)) = window;
        if n > 5 {
            return Err(Error::PaycodeConfig {
                field: "window",
                reason: "more than 5 steps",
            });
        }
        self.window = window;
        Ok(self)
    }

    /// Sets the HMAC hash of the OTP.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Total length in digits.
    pub fn length(&self) -> usize {
        self.length as usize
    }

    /// Digits of the enciphered payload (index ‖ OTP).
    pub fn payload_digits(&self) -> usize {
        self.length as usize - self.prefix.len()
    }

    /// Digits of the credential index.
    pub fn index_digits(&self) -> usize {
        self.payload_digits() - self.otp_digits as usize
    }

    /// Digits of the OTP.
    pub fn otp_digits(&self) -> u8 {
        self.otp_digits
    }

    /// Largest credential index + 1.
    pub fn index_capacity(&self) -> u64 {
        POW10[self.index_digits().min(10)] * POW10[self.index_digits().saturating_sub(10)]
    }

    fn tweak(&self) -> Vec<u8> {
        let mut t = Vec::with_capacity(8);
        t.extend_from_slice(self.prefix.as_bytes());
        t.push(self.length);
        t.push(self.otp_digits);
        t
    }

    fn step_at(&self, now: u64) -> u64 {
        now / self.step
    }
}

fn unreachable_config() -> PaycodeConfig {
    // The built-in formats are valid by construction (checked in tests).
    PaycodeConfig {
        prefix: String::from("13"),
        length: 18,
        otp_digits: 6,
        step: 30,
        window: Window::PastOnly(1),
        algorithm: Algorithm::Sha256,
    }
}

/// What a code is bound to: the device puts it into the OTP, the server recomputes with what
/// the acquirer reports. A code sniffed at one POS is refused at another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BindingContext<'a> {
    /// The terminal's id (e.g. scanned from a QR code on the POS).
    pub pos_id: Option<&'a str>,
    /// The merchant's id.
    pub merchant_id: Option<&'a str>,
    /// The largest amount (minor units) the code may pay.
    pub amount_cap: Option<u64>,
}

impl BindingContext<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        for (tag, v) in [(1u8, self.pos_id), (2, self.merchant_id)] {
            if let Some(s) = v {
                out.push(tag);
                out.extend_from_slice(&(s.len() as u64).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        if let Some(a) = self.amount_cap {
            out.push(3);
            out.extend_from_slice(&a.to_be_bytes());
        }
    }
}

/// A provisioned seed, keyed once (server side).
#[derive(Debug, Clone)]
pub struct PaycodeCredential {
    mac: KeyedMac,
}

impl PaycodeCredential {
    /// Keys the credential's HMAC with `seed` (≥ 16 bytes).
    pub fn new(config: &PaycodeConfig, seed: &[u8]) -> Result<Self> {
        Ok(PaycodeCredential {
            mac: KeyedMac::new_checked(config.algorithm, seed)?,
        })
    }

    fn otp(&self, step: u64, ctx: &[u8], digits: u8) -> u64 {
        u64::from(self.mac.truncated(&[OTP_LABEL, &step.to_be_bytes(), ctx]))
            % POW10[digits as usize]
    }
}

/// Where the server finds a credential by index.
pub trait CredentialStore {
    /// The credential provisioned under `index`, if any.
    fn credential(&self, index: u64) -> Option<&PaycodeCredential>;
}

impl CredentialStore for BTreeMap<u64, PaycodeCredential> {
    fn credential(&self, index: u64) -> Option<&PaycodeCredential> {
        self.get(&index)
    }
}

#[cfg(feature = "std")]
impl<S: core::hash::BuildHasher> CredentialStore
    for std::collections::HashMap<u64, PaycodeCredential, S>
{
    fn credential(&self, index: u64) -> Option<&PaycodeCredential> {
        self.get(&index)
    }
}

/// The code key's AES-256 for FF1, shared behind an `Arc`: `fpe` clones its cipher for every
/// FF1 round (ten PRF forks per code), and cloning a reference count is cheaper than copying
/// key schedules. FF1 only ever encrypts blocks, so the encrypt-only schedule suffices.
#[derive(Clone)]
struct CodeCipher(alloc::sync::Arc<aes::Aes256Enc>);

impl cipher::KeySizeUser for CodeCipher {
    type KeySize = <aes::Aes256Enc as cipher::KeySizeUser>::KeySize;
}

impl cipher::KeyInit for CodeCipher {
    fn new(key: &cipher::Key<Self>) -> Self {
        CodeCipher(alloc::sync::Arc::new(
            <aes::Aes256Enc as cipher::KeyInit>::new(key),
        ))
    }
}

impl cipher::BlockSizeUser for CodeCipher {
    type BlockSize = <aes::Aes256Enc as cipher::BlockSizeUser>::BlockSize;
}

impl cipher::BlockCipherEncrypt for CodeCipher {
    fn encrypt_with_backend(
        &self,
        f: impl cipher::BlockCipherEncClosure<BlockSize = Self::BlockSize>,
    ) {
        self.0.encrypt_with_backend(f)
    }
}

fn ff1(code_key: &[u8]) -> Result<FF1<CodeCipher>> {
    if code_key.len() != 32 {
        return Err(Error::KeyLength {
            len: code_key.len(),
            what: "the paycode FF1 key",
            need: "32 bytes (AES-256)",
        });
    }
    FF1::<CodeCipher>::new(code_key, 10).map_err(|_| Error::PaycodeConfig {
        field: "radix",
        reason: "FF1 refused radix 10",
    })
}

fn ff1_err(_: fpe::ff1::NumeralStringError) -> Error {
    Error::PaycodeConfig {
        field: "payload",
        reason: "FF1 refused the payload length",
    }
}

/// The phone: computes codes offline.
pub struct PaycodeDevice {
    config: PaycodeConfig,
    ff1: FF1<CodeCipher>,
    tweak: Vec<u8>,
    index: u64,
    credential: PaycodeCredential,
}

impl core::fmt::Debug for PaycodeDevice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PaycodeDevice")
            .field("config", &self.config)
            .field("index", &"***")
            .finish_non_exhaustive()
    }
}

impl PaycodeDevice {
    /// A device with the code key (32 bytes), its credential index and its seed.
    pub fn new(config: PaycodeConfig, code_key: &[u8], index: u64, seed: &[u8]) -> Result<Self> {
        if index >= config.index_capacity() {
            return Err(Error::PaycodeIndex {
                index,
                digits: config.index_digits() as u8,
            });
        }
        Ok(PaycodeDevice {
            ff1: ff1(code_key)?,
            tweak: config.tweak(),
            credential: PaycodeCredential::new(&config, seed)?,
            config,
            index,
        })
    }

    /// The code at Unix time `now`, bound to `ctx`.
    pub fn generate(&self, now: u64, ctx: &BindingContext<'_>) -> Result<String> {
        let mut c = Vec::new();
        ctx.encode(&mut c);
        let otp = self
            .credential
            .otp(self.config.step_at(now), &c, self.config.otp_digits);
        let m = u128::from(POW10[self.config.otp_digits as usize]);
        let payload = Decimal {
            value: u128::from(self.index) * m + u128::from(otp),
            len: self.config.payload_digits(),
        };
        let enc = self.ff1.encrypt(&self.tweak, &payload).map_err(ff1_err)?;
        let mut s = String::with_capacity(self.config.length());
        s.push_str(&self.config.prefix);
        let _ = write!(s, "{:0width$}", enc.value, width = enc.len);
        Ok(s)
    }
}

/// The server's decision on a payment code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid and now consumed.
    Accepted {
        /// The credential index.
        index: u64,
        /// The time step consumed.
        step: u64,
    },
    /// No credential under the deciphered index (a guess, or another key/format).
    UnknownCredential,
    /// The OTP does not match in the window for this context (wrong POS, merchant or cap,
    /// expired, or guessed).
    Invalid,
    /// The step was already consumed, or a newer one was.
    Replayed,
    /// The transaction amount exceeds the cap the code is bound to.
    OverCap,
}

/// The server: deciphers, verifies and consumes codes.
pub struct PaycodeServer<S, G> {
    config: PaycodeConfig,
    ff1: FF1<CodeCipher>,
    tweak: Vec<u8>,
    store: S,
    guard: G,
}

impl<S, G> core::fmt::Debug for PaycodeServer<S, G> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PaycodeServer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: CredentialStore, G: ReplayGuard> PaycodeServer<S, G> {
    /// A server with the code key (32 bytes), a credential store and a replay guard.
    pub fn new(config: PaycodeConfig, code_key: &[u8], store: S, guard: G) -> Result<Self> {
        Ok(PaycodeServer {
            ff1: ff1(code_key)?,
            tweak: config.tweak(),
            config,
            store,
            guard,
        })
    }

    /// The credential store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The replay guard.
    pub fn guard(&self) -> &G {
        &self.guard
    }

    /// Deciphers `code` into (credential index, OTP) without verifying it.
    pub fn decode(&self, code: &str) -> Result<(u64, u64)> {
        let b = code.as_bytes();
        if b.len() != self.config.length() {
            return Err(Error::PaycodeFormat {
                offset: b.len().min(self.config.length()),
                reason: "wrong length",
            });
        }
        if let Some(offset) = b.iter().position(|c| !c.is_ascii_digit()) {
            return Err(Error::PaycodeFormat {
                offset,
                reason: "not a decimal digit",
            });
        }
        let p = self.config.prefix.len();
        if &b[..p] != self.config.prefix.as_bytes() {
            return Err(Error::PaycodeFormat {
                offset: 0,
                reason: "prefix differs",
            });
        }
        let value = b[p..]
            .iter()
            .fold(0u128, |v, &c| v * 10 + u128::from(c - b'0'));
        let dec = self
            .ff1
            .decrypt(
                &self.tweak,
                &Decimal {
                    value,
                    len: b.len() - p,
                },
            )
            .map_err(ff1_err)?;
        let m = u128::from(POW10[self.config.otp_digits as usize]);
        // index < 10^16 and otp < 10^8: both fit in u64.
        Ok(((dec.value / m) as u64, (dec.value % m) as u64))
    }

    /// Decodes, verifies at Unix time `now` with the context the acquirer reports, checks the
    /// amount against the bound cap, and consumes the step. Malformed codes are errors; every
    /// well-formed code gets a [`Verdict`].
    pub fn verify(
        &self,
        code: &str,
        now: u64,
        ctx: &BindingContext<'_>,
        amount: Option<u64>,
    ) -> Result<Verdict> {
        let (index, otp) = self.decode(code)?;
        let Some(cred) = self.store.credential(index) else {
            return Ok(Verdict::UnknownCredential);
        };
        let mut c = Vec::new();
        ctx.encode(&mut c);
        let t = self.config.step_at(now);
        let (back, ahead) = match self.config.window {
            Window::PastOnly(n) => (u64::from(n), 0),
            Window::Symmetric(n) => (u64::from(n), u64::from(n)),
        };
        let digits = self.config.otp_digits;
        let Some(step) = scan(
            otp,
            (t.saturating_sub(back)..=t.saturating_add(ahead))
                .map(|s| (s, cred.otp(s, &c, digits))),
        ) else {
            return Ok(Verdict::Invalid);
        };
        if let (Some(cap), Some(a)) = (ctx.amount_cap, amount)
            && a > cap
        {
            return Ok(Verdict::OverCap);
        }
        let mut key = String::with_capacity(24);
        let _ = write!(key, "paycode:{index}");
        if self.guard.check_and_store(&key, step)? {
            Ok(Verdict::Accepted { index, step })
        } else {
            Ok(Verdict::Replayed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_formats_are_valid() {
        assert_eq!(
            PaycodeConfig::new("13", 18, 6).unwrap(),
            PaycodeConfig::wechat_style()
        );
        assert_eq!(
            PaycodeConfig::new("28", 18, 6).unwrap(),
            PaycodeConfig::alipay_style()
        );
        assert_eq!(
            PaycodeConfig::wechat_style().index_capacity(),
            10_000_000_000
        );
    }

    #[test]
    fn config_limits() {
        assert!(PaycodeConfig::new("", 18, 6).is_err());
        assert!(PaycodeConfig::new("1a", 18, 6).is_err());
        assert!(PaycodeConfig::new("13", 15, 6).is_err());
        assert!(PaycodeConfig::new("13", 25, 6).is_err());
        assert!(PaycodeConfig::new("1234", 16, 8).is_ok());
        assert!(PaycodeConfig::new("12345", 24, 6).is_err());
        let c = PaycodeConfig::new("62", 24, 8).unwrap();
        assert_eq!(c.index_digits(), 14);
        assert_eq!(c.index_capacity(), 100_000_000_000_000);
    }
}
