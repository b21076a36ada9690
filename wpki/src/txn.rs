//! Signed transaction messages for online purchases: the user's wallet signs a DER
//! [`Transaction`] with its certificate key ([`Signer`]); the bank verifies it
//! ([`TxnVerifier`]): the signer's certificate path (with revocation when CRLs are given), the
//! signature, that it is addressed to this bank, the freshness window, and that the nonce or
//! counter was not used before ([`ReplayGuard`], in memory: [`MemoryReplayGuard`]).
//!
//! The message can instead be wrapped as GM/T 0010 `SignedData` (SM2 with SM3, the signer's
//! certificate embedded) through `mpay-gmt`: [`wrap_gmt0010`] and
//! [`TxnVerifier::verify_gmt0010`].
//!
//! # ASN.1
//!
//! ```text
//! Transaction ::= SEQUENCE {
//!   version          INTEGER { v1(1) },
//!   userId           UTF8String (SIZE(1..64)),
//!   account          PrintableString (SIZE(8..34)),  -- digits only: PAN or account number
//!   bankId           PrintableString (SIZE(1..11)),  -- institution ID of the user's bank
//!   transactionCode  INTEGER (0..99),                -- ISO 8583 processing code, first two
//!                                                    -- digits: 00 purchase, 20 refund, 21 load
//!   amount           INTEGER (0..MAX),               -- minor units of currency
//!   currency         PrintableString (SIZE(3)),      -- ISO 4217 numeric code, e.g. "156"
//!   merchantId       PrintableString (SIZE(1..15)),  -- card acceptor ID (ISO 8583 field 42)
//!   time             GeneralizedTime,                -- UTC, whole seconds
//!   nonce        [0] IMPLICIT OCTET STRING (SIZE(8..32)) OPTIONAL,
//!   counter      [1] IMPLICIT INTEGER (0..MAX) OPTIONAL
//! }  -- at least one of nonce and counter
//!
//! SignedTransaction ::= SEQUENCE {
//!   transaction         Transaction,          -- the signature covers its DER encoding
//!   signatureAlgorithm  AlgorithmIdentifier,  -- SM2-with-SM3, ecdsa-with-SHA256, RSA
//!   signature           BIT STRING,           -- DER signature (SEQUENCE { r, s } for EC)
//!   certificate     [0] EXPLICIT Certificate OPTIONAL,
//!   keyId           [1] IMPLICIT OCTET STRING (SIZE(1..64)) OPTIONAL
//! }  -- exactly one of certificate and keyId (the signer certificate's key identifier)
//! ```
//!
//! The account number is never shown in full: [`AccountRef`]'s `Debug` and `Display` keep the
//! first six and last four digits (last four only for numbers shorter than 13 digits).
//!
//! ```
//! use mpay_wpki::txn::*;
//! use mpay_wpki::{Ca, CertificateParams, Profile, SigningKey, Signer, DateTime,
//!     ParsedCertificate, TrustAnchor, ValidationOptions};
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(), DateTime::new(2030, 1, 1, 0, 0, 0).unwrap());
//! let bank = Ca::self_signed(SigningKey::generate_sm2(&mut rng).unwrap(),
//!     &CertificateParams::new("CN=Bank CA".parse().unwrap(), from, to, Profile::Ca { path_len: Some(0) }),
//!     &mut rng).unwrap();
//! let user_key = SigningKey::generate_sm2(&mut rng).unwrap();
//! let user_cert = bank.issue(&CertificateParams::new("CN=alice".parse().unwrap(), from, to,
//!     Profile::WalletUser), &user_key.public_key_info().unwrap(), &mut rng).unwrap();
//!
//! let now = DateTime::new(2027, 3, 1, 10, 0, 0).unwrap();
//! let txn = Transaction {
//!     user_id: "alice".into(),
//!     account: AccountRef::new("6212340000001234").unwrap(),
//!     bank_id: "01020000".into(),
//!     code: codes::PURCHASE,
//!     amount: 12_50,
//!     currency: Currency::CNY,
//!     merchant_id: "SHOP0001".into(),
//!     time: now,
//!     nonce: Some(vec![7; 16]),
//!     counter: None,
//! };
//! let signed = SignedTransaction::sign(txn, &user_key, SignerRef::certificate(&user_cert).unwrap()).unwrap();
//! let wire = signed.to_der().unwrap();
//!
//! // The bank.
//! let anchors = [TrustAnchor::from_certificate(bank.certificate())];
//! let verifier = TxnVerifier::new(&anchors, ValidationOptions::at(now), TxnPolicy::new("01020000"));
//! let mut seen = MemoryReplayGuard::default();
//! let ok = verifier.verify(&SignedTransaction::from_der(&wire).unwrap(), &mut seen).unwrap();
//! assert_eq!(ok.transaction.amount, 12_50);
//! assert_eq!(format!("{}", ok.transaction.account), "621234******1234");
//! // The same message again is a replay.
//! assert!(verifier.verify(&SignedTransaction::from_der(&wire).unwrap(), &mut seen).is_err());
//! ```

use crate::alg::{Signer, Verifier, VerifyingKey};
use crate::directory::{BuildOptions, MemoryDirectory, build_path};
use crate::error::Refusal;
use crate::path::{ParsedCertificate, TrustAnchor, ValidationOptions};
use crate::{Error, Result};
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use der::asn1::{AnyRef, BitString, BitStringRef, GeneralizedTime, OctetStringRef};
use der::asn1::{PrintableStringRef, Utf8StringRef};
use der::{DateTime, Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};
use x509_cert::Certificate;

/// Version of [`Transaction`] this module writes and reads.
pub const VERSION: u8 = 1;

/// Transaction codes: the first two digits of the ISO 8583 processing code.
pub mod codes {
    /// Goods and services.
    pub const PURCHASE: u8 = 0;
    /// Refund (returns).
    pub const REFUND: u8 = 20;
    /// Deposit: loading a wallet.
    pub const LOAD: u8 = 21;
}

pub(crate) fn refuse(field: &'static str, reason: &'static str) -> Error {
    Error::Refused(Refusal::Field { field, reason })
}

/// A payment account number (PAN or bank account): 8 to 34 digits. `Debug` and `Display` mask
/// it; [`AccountRef::expose`] gives the digits.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountRef(String);

impl AccountRef {
    /// Checks `digits` (8..=34 ASCII digits).
    pub fn new(digits: &str) -> Result<Self> {
        if !(8..=34).contains(&digits.len()) {
            return Err(refuse("account", "length outside 8..34"));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("account", "not all digits"));
        }
        Ok(AccountRef(digits.to_string()))
    }

    /// The full number (for the bank's own records; never log it).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form: first six and last four digits for 13 digits or more, else the last
    /// four; every other digit as `*`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let head = if n >= 13 { 6 } else { 0 };
        self.0
            .char_indices()
            .map(|(i, c)| if i < head || i + 4 >= n { c } else { '*' })
            .collect()
    }
}

impl core::fmt::Debug for AccountRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AccountRef({})", self.masked())
    }
}

impl core::fmt::Display for AccountRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// An ISO 4217 numeric currency code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(u16);

impl Currency {
    /// Chinese yuan renminbi, 156.
    pub const CNY: Currency = Currency(156);
    /// Euro, 978.
    pub const EUR: Currency = Currency(978);
    /// US dollar, 840.
    pub const USD: Currency = Currency(840);

    /// A code in 1..=999.
    pub fn new(code: u16) -> Result<Self> {
        if (1..=999).contains(&code) {
            Ok(Currency(code))
        } else {
            Err(refuse("currency", "not an ISO 4217 numeric code (1..999)"))
        }
    }

    /// The numeric code.
    pub fn code(self) -> u16 {
        self.0
    }

    pub(crate) fn digits(self) -> [u8; 3] {
        let c = self.0;
        [
            b'0' + (c / 100) as u8,
            b'0' + (c / 10 % 10) as u8,
            b'0' + (c % 10) as u8,
        ]
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
            return Err(refuse("currency", "not three digits"));
        }
        Self::new(b.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0')))
    }
}

impl core::fmt::Display for Currency {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// An online-purchase transaction as the user signs it (see the module's ASN.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// The user's ID at the bank (1..=64 UTF-8 bytes).
    pub user_id: String,
    /// The account paid from (masked in `Debug`).
    pub account: AccountRef,
    /// The bank's institution ID (1..=11 printable characters).
    pub bank_id: String,
    /// The transaction code (see [`codes`], 0..=99).
    pub code: u8,
    /// Amount in minor units of `currency`.
    pub amount: u64,
    /// The currency.
    pub currency: Currency,
    /// The merchant (card acceptor) ID (1..=15 printable characters).
    pub merchant_id: String,
    /// When the user signed (UTC, whole seconds).
    pub time: DateTime,
    /// A random nonce (8..=32 bytes).
    pub nonce: Option<Vec<u8>>,
    /// The wallet's transaction counter.
    pub counter: Option<u64>,
}

#[derive(Sequence)]
struct TxnWire<'a> {
    version: u8,
    user_id: Utf8StringRef<'a>,
    account: PrintableStringRef<'a>,
    bank_id: PrintableStringRef<'a>,
    code: u8,
    amount: u64,
    currency: PrintableStringRef<'a>,
    merchant_id: PrintableStringRef<'a>,
    time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    nonce: Option<&'a OctetStringRef>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    counter: Option<u64>,
}

pub(crate) fn printable<'a>(s: &'a str, field: &'static str) -> Result<PrintableStringRef<'a>> {
    PrintableStringRef::new(s).map_err(|_| refuse(field, "not a PrintableString"))
}

pub(crate) fn check_len(s: &str, field: &'static str, max: usize) -> Result<()> {
    if s.is_empty() || s.len() > max {
        Err(refuse(field, "length outside its SIZE constraint"))
    } else {
        Ok(())
    }
}

impl Transaction {
    /// Checks every field against its ASN.1 constraint.
    pub fn check(&self) -> Result<()> {
        check_len(&self.user_id, "userId", 64)?;
        AccountRef::new(&self.account.0)?;
        check_len(&self.bank_id, "bankId", 11)?;
        printable(&self.bank_id, "bankId")?;
        if self.code > 99 {
            return Err(refuse("transactionCode", "above 99"));
        }
        Currency::new(self.currency.0)?;
        check_len(&self.merchant_id, "merchantId", 15)?;
        printable(&self.merchant_id, "merchantId")?;
        match (&self.nonce, self.counter) {
            (None, None) => return Err(Error::Refused(Refusal::NoFreshness)),
            (Some(n), _) if !(8..=32).contains(&n.len()) => {
                return Err(refuse("nonce", "length outside 8..32"));
            }
            _ => {}
        }
        Ok(())
    }

    /// The DER encoding (after [`Transaction::check`]).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        self.check()?;
        let digits = self.currency.digits();
        let currency = core::str::from_utf8(&digits).map_err(|_| refuse("currency", "digits"))?;
        let nonce = match &self.nonce {
            Some(n) => Some(OctetStringRef::new(n).map_err(|e| Error::der("nonce", e))?),
            None => None,
        };
        TxnWire {
            version: VERSION,
            user_id: Utf8StringRef::new(&self.user_id).map_err(|e| Error::der("userId", e))?,
            account: printable(&self.account.0, "account")?,
            bank_id: printable(&self.bank_id, "bankId")?,
            code: self.code,
            amount: self.amount,
            currency: printable(currency, "currency")?,
            merchant_id: printable(&self.merchant_id, "merchantId")?,
            time: GeneralizedTime::from_date_time(self.time),
            nonce,
            counter: self.counter,
        }
        .to_der()
        .map_err(|e| Error::der("Transaction", e))
    }

    /// Decodes and checks a DER `Transaction` (no trailing data).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = TxnWire::from_der(der).map_err(|e| Error::der("Transaction", e))?;
        if w.version != VERSION {
            return Err(refuse("version", "unsupported version"));
        }
        let t = Transaction {
            user_id: w.user_id.as_str().to_string(),
            account: AccountRef::new(w.account.as_str())?,
            bank_id: w.bank_id.as_str().to_string(),
            code: w.code,
            amount: w.amount,
            currency: Currency::parse(w.currency.as_str())?,
            merchant_id: w.merchant_id.as_str().to_string(),
            time: w.time.to_date_time(),
            nonce: w.nonce.map(|n| n.as_bytes().to_vec()),
            counter: w.counter,
        };
        t.check()?;
        Ok(t)
    }
}

/// The key identifier of a certificate: its subjectKeyIdentifier extension, else the RFC 5280
/// method (1) identifier of its key.
pub fn certificate_key_id(cert: &Certificate) -> Vec<u8> {
    crate::cert::subject_key_identifier_of(cert).unwrap_or_else(|| {
        crate::cert::key_identifier(cert.tbs_certificate().subject_public_key_info())
    })
}

/// How a signed message names its signer.
#[derive(Clone, Debug)]
pub enum SignerRef {
    /// The signer's certificate, carried in the message.
    Certificate(alloc::boxed::Box<ParsedCertificate>),
    /// The key identifier of the signer's certificate, which the verifier already holds.
    KeyId(Vec<u8>),
}

impl SignerRef {
    /// The certificate itself.
    pub fn certificate(cert: &Certificate) -> Result<Self> {
        Ok(SignerRef::Certificate(alloc::boxed::Box::new(
            ParsedCertificate::from_certificate(cert)?,
        )))
    }

    /// A reference by the certificate's key identifier ([`certificate_key_id`]).
    pub fn key_id_of(cert: &Certificate) -> Self {
        SignerRef::KeyId(certificate_key_id(cert))
    }
}

#[derive(Sequence)]
struct SignedWire<'a> {
    transaction: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certificate: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    key_id: Option<&'a OctetStringRef>,
}

/// A [`Transaction`] with the user's signature over its DER encoding.
#[derive(Clone, Debug)]
pub struct SignedTransaction {
    transaction: Transaction,
    tbs: Vec<u8>,
    algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    signer: SignerRef,
}

pub(crate) fn decode_algorithm(a: AlgorithmIdentifierRef<'_>) -> Result<AlgorithmIdentifierOwned> {
    let der = a
        .to_der()
        .map_err(|e| Error::der("AlgorithmIdentifier", e))?;
    AlgorithmIdentifierOwned::from_der(&der).map_err(|e| Error::der("AlgorithmIdentifier", e))
}

pub(crate) fn signature_bytes(s: BitStringRef<'_>, what: &'static str) -> Result<Vec<u8>> {
    s.as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or(refuse(what, "signature BIT STRING has unused bits"))
}

pub(crate) fn encode_signature(sig: &[u8], what: &'static str) -> Result<BitString> {
    BitString::from_bytes(sig).map_err(|e| Error::der(what, e))
}

impl SignedTransaction {
    /// Signs `transaction` with `signer`, naming the signer as `signer_ref`.
    pub fn sign<S: Signer + ?Sized>(
        transaction: Transaction,
        signer: &S,
        signer_ref: SignerRef,
    ) -> Result<Self> {
        let tbs = transaction.to_der()?;
        let signature = signer.sign(&tbs)?;
        Ok(SignedTransaction {
            transaction,
            tbs,
            algorithm: signer.signature_algorithm(),
            signature,
            signer: signer_ref,
        })
    }

    /// The DER `SignedTransaction`.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let alg = self
            .algorithm
            .to_der()
            .map_err(|e| Error::der("AlgorithmIdentifier", e))?;
        let sig = encode_signature(&self.signature, "SignedTransaction.signature")?;
        let cert_der;
        let (certificate, key_id) = match &self.signer {
            SignerRef::Certificate(c) => {
                cert_der = c
                    .certificate()
                    .to_der()
                    .map_err(|e| Error::der("Certificate", e))?;
                (
                    Some(AnyRef::from_der(&cert_der).map_err(|e| Error::der("Certificate", e))?),
                    None,
                )
            }
            SignerRef::KeyId(k) => (
                None,
                Some(OctetStringRef::new(k).map_err(|e| Error::der("keyId", e))?),
            ),
        };
        SignedWire {
            transaction: AnyRef::from_der(&self.tbs).map_err(|e| Error::der("Transaction", e))?,
            algorithm: AlgorithmIdentifierRef::from_der(&alg)
                .map_err(|e| Error::der("AlgorithmIdentifier", e))?,
            signature: BitStringRef::from(&sig),
            certificate,
            key_id,
        }
        .to_der()
        .map_err(|e| Error::der("SignedTransaction", e))
    }

    /// Decodes a DER `SignedTransaction` (the signature is not checked here: see
    /// [`TxnVerifier::verify`]).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = SignedWire::from_der(der).map_err(|e| Error::der("SignedTransaction", e))?;
        let tbs = w
            .transaction
            .to_der()
            .map_err(|e| Error::der("Transaction", e))?;
        let transaction = Transaction::from_der(&tbs)?;
        let signer = match (w.certificate, w.key_id) {
            (Some(c), None) => {
                SignerRef::Certificate(alloc::boxed::Box::new(ParsedCertificate::from_der(
                    &c.to_der().map_err(|e| Error::der("Certificate", e))?,
                )?))
            }
            (None, Some(k)) if (1..=64).contains(&k.as_bytes().len()) => {
                SignerRef::KeyId(k.as_bytes().to_vec())
            }
            (None, Some(_)) => return Err(refuse("keyId", "length outside 1..64")),
            _ => {
                return Err(refuse(
                    "certificate",
                    "exactly one of certificate and keyId",
                ));
            }
        };
        Ok(SignedTransaction {
            transaction,
            tbs,
            algorithm: decode_algorithm(w.algorithm)?,
            signature: signature_bytes(w.signature, "SignedTransaction.signature")?,
            signer,
        })
    }

    /// The transaction (not yet verified).
    pub fn transaction(&self) -> &Transaction {
        &self.transaction
    }

    /// The exact bytes the signature covers (the `Transaction` DER).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.tbs
    }

    /// How the signer is named.
    pub fn signer(&self) -> &SignerRef {
        &self.signer
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.algorithm
    }

    /// The signature value (DER `SEQUENCE { r, s }` for SM2 and ECDSA).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// Bank-side policy for signed transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnPolicy {
    /// This bank's ID: transactions for another bank are refused.
    pub bank_id: String,
    /// Oldest accepted message, in seconds before the verification time (default 300).
    pub max_age_secs: u64,
    /// Furthest accepted message time ahead of the verification time (default 60).
    pub max_skew_secs: u64,
}

impl TxnPolicy {
    /// The policy of bank `bank_id` with a 5-minute window and 1 minute of clock skew.
    pub fn new(bank_id: &str) -> Self {
        TxnPolicy {
            bank_id: bank_id.to_string(),
            max_age_secs: 300,
            max_skew_secs: 60,
        }
    }
}

/// Refuses a `time` outside `[now − max_age, now + max_skew]`.
pub fn check_freshness(time: DateTime, now: DateTime, max_age: u64, max_skew: u64) -> Result<()> {
    let (t, n) = (unix(time), unix(now));
    if t + max_age < n {
        return Err(Error::Refused(Refusal::TooOld {
            age_secs: n - t,
            max_secs: max_age,
        }));
    }
    if t > n + max_skew {
        return Err(Error::Refused(Refusal::FromFuture {
            ahead_secs: t - n,
            max_secs: max_skew,
        }));
    }
    Ok(())
}

pub(crate) fn unix(t: DateTime) -> u64 {
    t.unix_duration().as_secs()
}

/// Remembers what each signer used, so that a message is accepted once.
pub trait ReplayGuard {
    /// Refuses with [`Refusal::Replay`] when `signer` already used `nonce`, and with
    /// [`Refusal::CounterNotIncreasing`] when `counter` is not above the last one of `signer`;
    /// otherwise records both. `time` is the message time (for expiring old nonces).
    fn check_and_record(
        &mut self,
        signer: &[u8],
        nonce: Option<&[u8]>,
        counter: Option<u64>,
        time: DateTime,
    ) -> Result<()>;
}

/// An in-memory [`ReplayGuard`]. Nonces older than `retention_secs` before the newest message
/// seen are forgotten (set it to at least the policy's age window plus skew, which refuses
/// older messages anyway); counters are kept for ever.
#[derive(Clone, Debug)]
pub struct MemoryReplayGuard {
    retention_secs: u64,
    newest: u64,
    nonces: BTreeMap<(Vec<u8>, Vec<u8>), u64>,
    counters: BTreeMap<Vec<u8>, u64>,
}

impl Default for MemoryReplayGuard {
    /// Retention 360 s (the default [`TxnPolicy`] window plus skew).
    fn default() -> Self {
        Self::new(360)
    }
}

impl MemoryReplayGuard {
    /// A guard that forgets nonces `retention_secs` older than the newest message.
    pub fn new(retention_secs: u64) -> Self {
        MemoryReplayGuard {
            retention_secs,
            newest: 0,
            nonces: BTreeMap::new(),
            counters: BTreeMap::new(),
        }
    }

    /// Number of nonces remembered.
    pub fn nonces_held(&self) -> usize {
        self.nonces.len()
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn check_and_record(
        &mut self,
        signer: &[u8],
        nonce: Option<&[u8]>,
        counter: Option<u64>,
        time: DateTime,
    ) -> Result<()> {
        let key = nonce.map(|n| (signer.to_vec(), n.to_vec()));
        if key.as_ref().is_some_and(|k| self.nonces.contains_key(k)) {
            return Err(Error::Refused(Refusal::Replay));
        }
        if let (Some(got), Some(&last)) = (counter, self.counters.get(signer))
            && got <= last
        {
            return Err(Error::Refused(Refusal::CounterNotIncreasing { last, got }));
        }
        let t = unix(time);
        if let Some(k) = key {
            self.nonces.insert(k, t);
        }
        if let Some(c) = counter {
            self.counters.insert(signer.to_vec(), c);
        }
        self.newest = self.newest.max(t);
        let horizon = self.newest.saturating_sub(self.retention_secs);
        self.nonces.retain(|_, seen| *seen >= horizon);
        Ok(())
    }
}

/// A transaction the bank accepted.
#[derive(Clone, Debug)]
pub struct VerifiedTransaction {
    /// The transaction.
    pub transaction: Transaction,
    /// The key identifier of the signer's certificate.
    pub signer_key_id: Vec<u8>,
    /// The signer's certificate.
    pub signer: ParsedCertificate,
}

/// The bank's verifier: trust anchors, the CA certificates between them and the users, the
/// user certificates it can resolve by key identifier, validation options (time, CRLs, SM2 ID)
/// and the [`TxnPolicy`].
#[derive(Clone, Debug)]
pub struct TxnVerifier<'a> {
    anchors: &'a [TrustAnchor],
    intermediates: Vec<ParsedCertificate>,
    known: Vec<ParsedCertificate>,
    options: ValidationOptions,
    policy: TxnPolicy,
}

impl<'a> TxnVerifier<'a> {
    /// A verifier for users whose certificates anchors issue directly (add CA certificates in
    /// between with [`TxnVerifier::with_intermediates`]).
    pub fn new(anchors: &'a [TrustAnchor], options: ValidationOptions, policy: TxnPolicy) -> Self {
        TxnVerifier {
            anchors,
            intermediates: Vec::new(),
            known: Vec::new(),
            options,
            policy,
        }
    }

    /// CA certificates between the anchors and the users, in any order (e.g. `[bank CA]`); the
    /// path is built through them ([`build_path`]).
    pub fn with_intermediates(mut self, certs: Vec<ParsedCertificate>) -> Self {
        self.intermediates = certs;
        self
    }

    /// User certificates a message may name by key identifier only.
    pub fn with_known_signers(mut self, certs: Vec<ParsedCertificate>) -> Self {
        self.known = certs;
        self
    }

    /// The validation options (e.g. to move the time or replace the CRLs).
    pub fn options_mut(&mut self) -> &mut ValidationOptions {
        &mut self.options
    }

    fn resolve(&self, signer: &SignerRef) -> Result<ParsedCertificate> {
        match signer {
            SignerRef::Certificate(c) => Ok((**c).clone()),
            SignerRef::KeyId(k) => self
                .known
                .iter()
                .find(|c| &certificate_key_id(c.certificate()) == k)
                .cloned()
                .ok_or(Error::Refused(Refusal::UnknownSigner)),
        }
    }

    /// Builds and validates the signer's path and returns its key.
    fn signer_key(&self, cert: &ParsedCertificate) -> Result<VerifyingKey> {
        let pool = MemoryDirectory::from_pool(&self.intermediates)?;
        let built = build_path(
            cert,
            self.anchors,
            &pool,
            &self.options,
            &BuildOptions::default(),
        )?;
        Ok(built.valid.target_key)
    }

    fn accept(
        &self,
        transaction: &Transaction,
        cert: ParsedCertificate,
        replay: &mut dyn ReplayGuard,
    ) -> Result<VerifiedTransaction> {
        let key_id = certificate_key_id(cert.certificate());
        replay.check_and_record(
            &key_id,
            transaction.nonce.as_deref(),
            transaction.counter,
            transaction.time,
        )?;
        Ok(VerifiedTransaction {
            transaction: transaction.clone(),
            signer_key_id: key_id,
            signer: cert,
        })
    }

    fn check_policy(&self, t: &Transaction) -> Result<()> {
        if t.bank_id != self.policy.bank_id {
            return Err(Error::Refused(Refusal::WrongBank {
                expected: self.policy.bank_id.clone(),
                got: t.bank_id.clone(),
            }));
        }
        check_freshness(
            t.time,
            self.options.time,
            self.policy.max_age_secs,
            self.policy.max_skew_secs,
        )
    }

    /// Verifies `signed`: bank ID, freshness, the signer's certificate path at the options'
    /// time (revocation if CRLs are set), the signature, then records the nonce/counter in
    /// `replay` (a message refused earlier records nothing).
    pub fn verify(
        &self,
        signed: &SignedTransaction,
        replay: &mut dyn ReplayGuard,
    ) -> Result<VerifiedTransaction> {
        let cert = self.resolve(&signed.signer)?;
        self.check_policy(&signed.transaction)?;
        let key = self.signer_key(&cert)?;
        key.verify(&signed.algorithm, &signed.tbs, &signed.signature)?;
        self.accept(&signed.transaction, cert, replay)
    }

    /// Verifies a GM/T 0010 `SignedData` made by [`wrap_gmt0010`]: the signer's certificate
    /// must be embedded and named by its issuer and serial number; the content is a DER
    /// [`Transaction`]; then the same checks as [`TxnVerifier::verify`]. The SM2 signature
    /// inside `SignedData` uses the standard distinguishing ID.
    pub fn verify_gmt0010(
        &self,
        der: &[u8],
        replay: &mut dyn ReplayGuard,
    ) -> Result<VerifiedTransaction> {
        use mpay_gmt::cms::SignedData;
        let sd = SignedData::from_der(der).map_err(|_| refuse("SignedData", "does not decode"))?;
        let [si] = sd.signer_infos() else {
            return Err(refuse(
                "SignedData.signerInfos",
                "exactly one signer expected",
            ));
        };
        let cert = sd
            .certificates()
            .iter()
            .filter_map(|c| ParsedCertificate::from_der(c).ok())
            .find(|c| sid_of(c.certificate()).is_ok_and(|s| s == si.sid))
            .ok_or(Error::Refused(Refusal::UnknownSigner))?;
        let transaction = Transaction::from_der(sd.content())?;
        self.check_policy(&transaction)?;
        let key = match self.signer_key(&cert)? {
            VerifyingKey::Sm2 { key, .. } => key,
            _ => return Err(refuse("SignedData", "signer key is not SM2")),
        };
        sd.verify_signer(&si.sid, &key)
            .map_err(|_| Error::BadSignature("GM/T 0010 SM2"))?;
        self.accept(&transaction, cert, replay)
    }
}

fn sid_of(cert: &Certificate) -> Result<mpay_gmt::cms::IssuerAndSerialNumber> {
    let tbs = cert.tbs_certificate();
    let issuer = tbs.issuer().to_der().map_err(|e| Error::der("issuer", e))?;
    mpay_gmt::cms::IssuerAndSerialNumber::new(issuer, tbs.serial_number().as_bytes().to_vec())
        .map_err(|_| refuse("issuerAndSerialNumber", "does not encode"))
}

/// Wraps `transaction` as GM/T 0010 `SignedData` (content = the `Transaction` DER), signed by
/// the SM2 `key` (standard distinguishing ID) whose certificate `cert` is embedded and names
/// the signer (issuer and serial number).
pub fn wrap_gmt0010(
    transaction: &Transaction,
    key: &mpay_gmt::sm2::PrivateKey,
    cert: &Certificate,
) -> Result<Vec<u8>> {
    let content = transaction.to_der()?;
    let cert_der = cert.to_der().map_err(|e| Error::der("Certificate", e))?;
    let sd =
        mpay_gmt::cms::SignedData::sign(&content, &[(key, sid_of(cert)?)], alloc::vec![cert_der])
            .map_err(|_| Error::Sign("GM/T 0010 SignedData"))?;
    Ok(sd.to_der())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking() {
        let a = AccountRef::new("6212340000001234").unwrap();
        assert_eq!(a.masked(), "621234******1234");
        assert_eq!(alloc::format!("{a:?}"), "AccountRef(621234******1234)");
        assert_eq!(AccountRef::new("123456789").unwrap().masked(), "*****6789");
        assert!(AccountRef::new("1234567").is_err());
        assert!(AccountRef::new("12345678x").is_err());
    }

    #[test]
    fn currency() {
        assert_eq!(Currency::parse("156").unwrap(), Currency::CNY);
        assert_eq!(alloc::format!("{}", Currency::new(8).unwrap()), "008");
        assert_eq!(Currency::new(8).unwrap().digits(), *b"008");
        assert!(Currency::parse("000").is_err());
        assert!(Currency::parse("15a").is_err());
        assert!(Currency::new(1000).is_err());
    }

    #[test]
    fn freshness() {
        let now = DateTime::new(2027, 1, 1, 12, 0, 0).unwrap();
        let old = DateTime::new(2027, 1, 1, 11, 54, 59).unwrap();
        let ahead = DateTime::new(2027, 1, 1, 12, 1, 1).unwrap();
        assert!(check_freshness(now, now, 300, 60).is_ok());
        assert_eq!(
            check_freshness(old, now, 300, 60),
            Err(Error::Refused(Refusal::TooOld {
                age_secs: 301,
                max_secs: 300
            }))
        );
        assert_eq!(
            check_freshness(ahead, now, 300, 60),
            Err(Error::Refused(Refusal::FromFuture {
                ahead_secs: 61,
                max_secs: 60
            }))
        );
    }

    #[test]
    fn replay_guard_forgets_old_nonces_only() {
        let mut g = MemoryReplayGuard::new(100);
        let t0 = DateTime::new(2027, 1, 1, 0, 0, 0).unwrap();
        let t1 = DateTime::new(2027, 1, 1, 0, 5, 0).unwrap();
        g.check_and_record(b"k", Some(b"n1"), Some(1), t0).unwrap();
        assert_eq!(
            g.check_and_record(b"k", Some(b"n1"), None, t0),
            Err(Error::Refused(Refusal::Replay))
        );
        // Another signer may use the same nonce.
        g.check_and_record(b"j", Some(b"n1"), None, t0).unwrap();
        g.check_and_record(b"k", Some(b"n2"), Some(2), t1).unwrap();
        assert_eq!(g.nonces_held(), 1);
        assert_eq!(
            g.check_and_record(b"k", Some(b"n3"), Some(2), t1),
            Err(Error::Refused(Refusal::CounterNotIncreasing {
                last: 2,
                got: 2
            }))
        );
    }
}
