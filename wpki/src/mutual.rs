//! Phone↔POS offline mutual authentication with a monotonic transaction counter.
//!
//! 1. **POS → phone**, [`PosChallenge`]: a random challenge, the POS ID and merchant ID, the
//!    time, the amount and currency asked for, the POS certificate (or its key identifier, which
//!    the phone resolves from its cached directory) and, for key exchange, an SM2 ephemeral
//!    key `R_P` ([`Pos::challenge`]).
//! 2. **Phone** ([`Phone::read_challenge`], then [`Phone::pay`]): checks the challenge time,
//!    that the POS ID is the POS certificate's common name, and validates the POS chain offline
//!    against its cached root, CA certificates and CRLs, refusing a CRL issued longer ago than
//!    [`OfflinePolicy::max_crl_age_secs`]. It then **increments and persists its counter before
//!    signing** ([`CounterStore`]), signs an [`OfflinePayment`] — the [`Transaction`] with the
//!    counter, the challenge echo, the POS ID and the POS certificate's key identifier — and
//!    sends it with its certificate ([`PhoneResponse`]). With key exchange, it also runs the
//!    responder side of SM2 key exchange (GM/T 0003.3) and signs its ephemeral key `R_U` and
//!    confirmation `S_B`.
//! 3. **POS** ([`Pos::accept`]): checks the POS ID, challenge echo, amount, freshness, the
//!    phone's chain and revocation, the signature, the key-exchange confirmation, and that the
//!    counter is above the last one seen for that certificate ([`SeenCounters`]), then returns a
//!    signed [`PosReceipt`] binding the digest of the phone's message (and `S_A`).
//! 4. **Phone** ([`PhoneSession::verify_receipt`]) checks the receipt's POS, signature, digest
//!    and confirmation: both sides are authenticated and, with key exchange, share a key.
//!
//! The bank clears the uploaded [`PhoneResponse`]s with [`PhoneResponse::verify`].
//!
//! # ASN.1
//!
//! ```text
//! PosChallenge ::= SEQUENCE {
//!   version       INTEGER { v1(1) },
//!   challenge     OCTET STRING (SIZE(16..32)),
//!   posId         PrintableString (SIZE(1..15)),   -- the POS certificate's commonName
//!   merchantId    PrintableString (SIZE(1..15)),
//!   time          GeneralizedTime,
//!   amount        INTEGER (0..MAX),                -- minor units
//!   currency      PrintableString (SIZE(3)),       -- ISO 4217 numeric
//!   certificate   [0] EXPLICIT Certificate OPTIONAL,
//!   keyId         [1] IMPLICIT OCTET STRING (SIZE(1..64)) OPTIONAL,  -- exactly one of the two
//!   ephemeral     [2] IMPLICIT OCTET STRING (SIZE(65)) OPTIONAL      -- SM2 R_P, uncompressed
//! }
//!
//! OfflinePayment ::= SEQUENCE {                    -- what the phone signs
//!   transaction   Transaction,                     -- crate::txn, counter present
//!   challenge     OCTET STRING (SIZE(16..32)),     -- the echo
//!   posId         PrintableString (SIZE(1..15)),
//!   posKeyId      OCTET STRING (SIZE(1..64)),      -- key identifier of the POS certificate
//!   ephemeral     [0] IMPLICIT OCTET STRING (SIZE(65)) OPTIONAL,     -- SM2 R_U
//!   confirmation  [1] IMPLICIT OCTET STRING (SIZE(32)) OPTIONAL      -- S_B
//! }
//!
//! PhoneResponse ::= SEQUENCE {
//!   payment             OfflinePayment,
//!   signatureAlgorithm  AlgorithmIdentifier,
//!   signature           BIT STRING,
//!   certificate         Certificate                -- the phone's (wallet user's) certificate
//! }
//!
//! ReceiptContent ::= SEQUENCE {
//!   posId         PrintableString (SIZE(1..15)),
//!   challenge     OCTET STRING (SIZE(16..32)),
//!   counter       INTEGER (0..MAX),
//!   paymentDigest OCTET STRING (SIZE(32)),         -- SM3 of the PhoneResponse DER
//!   time          GeneralizedTime,
//!   confirmation  [0] IMPLICIT OCTET STRING (SIZE(32)) OPTIONAL      -- S_A
//! }
//!
//! PosReceipt ::= SEQUENCE {
//!   receipt             ReceiptContent,
//!   signatureAlgorithm  AlgorithmIdentifier,
//!   signature           BIT STRING
//! }
//! ```
//!
//! Every decoder returns an error on any input that is not such a message (no panic), and
//! lengths are bounded by the input.
//!
//! ```
//! use mpay_wpki::mutual::*;
//! use mpay_wpki::txn::{AccountRef, Currency};
//! use mpay_wpki::{Ca, CertificateParams, DateTime, ParsedCertificate, Profile, Signer,
//!     SigningKey, TrustAnchor};
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(), DateTime::new(2030, 1, 1, 0, 0, 0).unwrap());
//! let now = DateTime::new(2027, 3, 1, 10, 0, 0).unwrap();
//! let root = Ca::self_signed(SigningKey::generate_sm2(&mut rng).unwrap(),
//!     &CertificateParams::new("CN=Root".parse().unwrap(), from, to, Profile::Ca { path_len: None }),
//!     &mut rng).unwrap();
//! let issue = |cn: &str, profile, key: &SigningKey, rng: &mut _| ParsedCertificate::from_certificate(
//!     &root.issue(&CertificateParams::new(cn.parse().unwrap(), from, to, profile),
//!         &key.public_key_info().unwrap(), rng).unwrap()).unwrap();
//! let (phone_key, pos_key) = (SigningKey::generate_sm2(&mut rng).unwrap(), SigningKey::generate_sm2(&mut rng).unwrap());
//! let phone_cert = issue("CN=alice", Profile::WalletUser, &phone_key, &mut rng);
//! let pos_cert = issue("CN=POS00001", Profile::PosTerminal, &pos_key, &mut rng);
//! let crl = root.issue_crl(&[1], now, DateTime::new(2027, 3, 8, 0, 0, 0).unwrap(), &[]).unwrap();
//! let mut trust = TrustStore::new(vec![TrustAnchor::from_certificate(root.certificate())]);
//! trust.add_crl(mpay_wpki::crl::ParsedCrl::from_der(&der::Encode::to_der(&crl).unwrap()).unwrap());
//! let policy = OfflinePolicy { key_exchange: true, ..OfflinePolicy::default() };
//!
//! let mut pos = Pos::new(pos_key, pos_cert, "POS00001", "SHOP0001", trust.clone(), policy.clone(),
//!     MemorySeenCounters::default()).unwrap();
//! let identity = WalletIdentity { user_id: "alice".into(),
//!     account: AccountRef::new("6212340000001234").unwrap(), bank_id: "01020000".into() };
//! let mut phone = Phone::new(phone_key, phone_cert, identity, trust, policy, MemoryCounter::new(0));
//!
//! let (session, challenge) = pos.challenge(25_00, Currency::CNY, now, &mut rng).unwrap();
//! let seen = phone.read_challenge(&challenge, now).unwrap();
//! assert_eq!(seen.challenge().amount, 25_00);
//! let (phone_session, response) = phone.pay(seen, now, &mut rng).unwrap();
//! let accepted = pos.accept(session, &response, now).unwrap();
//! let done = phone_session.verify_receipt(&accepted.receipt).unwrap();
//! assert_eq!(done.counter, 1);
//! assert_eq!(done.session_key(), accepted.session_key());
//! ```

mod store;

#[cfg(feature = "std")]
pub use store::FileCounter;
pub use store::{CounterStore, MemoryCounter, MemorySeenCounters, SeenCounters};
#[cfg(feature = "sqlite")]
pub use store::{SqliteCounterStore, SqliteSeenCounters};

use crate::alg::{Signer, SigningKey, Verifier, VerifyingKey};
use crate::cert::{KP_CLIENT_AUTH, KP_SERVER_AUTH};
use crate::crl::ParsedCrl;
use crate::directory::{BuildOptions, MemoryDirectory, build_path};
use crate::error::{Refusal, Rule};
use crate::path::{ParsedCertificate, TrustAnchor, ValidationOptions};
use crate::txn::{
    AccountRef, Currency, SignerRef, Transaction, certificate_key_id, check_freshness, check_len,
    codes, decode_algorithm, encode_signature, printable, refuse, signature_bytes, unix,
};
use crate::{Error, Result};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, OctetStringRef, PrintableStringRef};
use der::{DateTime, Decode, Encode, Sequence};
use mpay_gmt::sm2::{self, ExchangeResult, KeyExchange, Role};
use rand_core::CryptoRng;
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};
use x509_cert::name::Name;

/// Version of [`PosChallenge`].
pub const VERSION: u8 = 1;
/// Length of the challenge a [`Pos`] makes.
pub const CHALLENGE_LEN: usize = 16;
/// Length of the session key derived by SM2 key exchange.
pub const SESSION_KEY_LEN: usize = 16;

/// Offline policy shared by phone and POS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflinePolicy {
    /// A cached CRL covering a certificate of the peer's chain must have been issued at most
    /// this long ago (default 86 400 s), besides being within thisUpdate..nextUpdate.
    pub max_crl_age_secs: u64,
    /// Largest accepted difference between a message time and the local clock (default 300 s).
    pub max_clock_skew_secs: u64,
    /// Run SM2 key exchange with confirmations (both certificates must hold SM2 keys).
    pub key_exchange: bool,
}

impl Default for OfflinePolicy {
    fn default() -> Self {
        OfflinePolicy {
            max_crl_age_secs: 86_400,
            max_clock_skew_secs: 300,
            key_exchange: false,
        }
    }
}

/// What a device holds to validate its peers offline: trust anchors (the root), CA
/// certificates (bank and acquirer CAs), cached end-entity certificates resolvable by key
/// identifier, and cached CRLs.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    /// Trust anchors.
    pub anchors: Vec<TrustAnchor>,
    /// CA certificates between the anchors and end entities.
    pub ca_certificates: Vec<ParsedCertificate>,
    /// Cached end-entity certificates (named by key identifier in messages).
    pub directory: Vec<ParsedCertificate>,
    /// Cached CRLs.
    pub crls: Vec<ParsedCrl>,
}

fn common_name(name: &Name) -> Option<String> {
    name.common_name().ok().flatten().map(String::from)
}

impl TrustStore {
    /// A store with these anchors and nothing cached.
    pub fn new(anchors: Vec<TrustAnchor>) -> Self {
        TrustStore {
            anchors,
            ..TrustStore::default()
        }
    }

    /// Adds a CA certificate.
    pub fn add_ca(&mut self, cert: ParsedCertificate) {
        self.ca_certificates.push(cert);
    }

    /// Caches an end-entity certificate for look-up by key identifier.
    pub fn add_to_directory(&mut self, cert: ParsedCertificate) {
        self.directory.push(cert);
    }

    /// Caches `crl`, replacing any CRL of the same issuer with an older or equal thisUpdate.
    /// The signature is not checked here (validation checks it), so take CRLs from a trusted
    /// channel: a forged newer one would evict the genuine one and make validation refuse.
    pub fn add_crl(&mut self, crl: ParsedCrl) {
        let tbs = &crl.crl().tbs_cert_list;
        let (issuer, this) = (tbs.issuer.clone(), tbs.this_update.to_date_time());
        self.crls.retain(|c| {
            let t = &c.crl().tbs_cert_list;
            t.issuer != issuer || t.this_update.to_date_time() > this
        });
        self.crls.push(crl);
    }

    /// The cached certificate whose key identifier is `key_id`.
    pub fn resolve(&self, key_id: &[u8]) -> Option<&ParsedCertificate> {
        self.directory
            .iter()
            .find(|c| certificate_key_id(c.certificate()) == key_id)
    }

    /// Validates `target` at `now` offline: builds its path through the cached CA certificates
    /// ([`build_path`]) and validates it with the extended key usage `eku` and revocation by
    /// those cached CRLs issued at most `max_crl_age_secs` before `now` (only a fresh CRL can
    /// vouch for a certificate). When a certificate has no current fresh CRL but an older
    /// cached one of its issuer exists, the refusal is [`Refusal::CrlTooOld`]. Returns the
    /// target's key.
    pub fn validate_offline(
        &self,
        target: &ParsedCertificate,
        now: DateTime,
        max_crl_age_secs: u64,
        eku: Option<der::oid::ObjectIdentifier>,
    ) -> Result<VerifyingKey> {
        let age = |c: &ParsedCrl| {
            unix(now).saturating_sub(unix(c.crl().tbs_cert_list.this_update.to_date_time()))
        };
        let (fresh, old): (Vec<ParsedCrl>, Vec<ParsedCrl>) = self
            .crls
            .iter()
            .cloned()
            .partition(|c| age(c) <= max_crl_age_secs);
        let mut options = ValidationOptions::at(now);
        options.crls = Some(fresh);
        options.required_eku = eku;
        let pool = MemoryDirectory::from_pool(&self.ca_certificates)?;
        match build_path(
            target,
            &self.anchors,
            &pool,
            &options,
            &BuildOptions::default(),
        ) {
            Ok(built) => Ok(built.valid.target_key),
            Err(Error::Path {
                index,
                rule: rule @ Rule::NoCurrentCrl { .. },
                subject,
            }) => {
                // The issuer of the certificate that lacked a CRL.
                let issuer = core::iter::once(target)
                    .chain(&self.ca_certificates)
                    .find(|c| c.subject_string() == subject)
                    .map(|c| c.certificate().tbs_certificate().issuer());
                let youngest_old = old
                    .iter()
                    .filter(|c| Some(&c.crl().tbs_cert_list.issuer) == issuer)
                    .map(age)
                    .min();
                Err(match (issuer, youngest_old) {
                    (Some(issuer), Some(age_secs)) => Error::Refused(Refusal::CrlTooOld {
                        issuer: issuer.to_string(),
                        age_secs,
                        max_secs: max_crl_age_secs,
                    }),
                    _ => Error::Path {
                        index,
                        rule,
                        subject,
                    },
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// Who the wallet pays as: the fields of the [`Transaction`] the phone fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletIdentity {
    /// The user's ID at the bank.
    pub user_id: String,
    /// The account the wallet draws on (masked in `Debug`).
    pub account: AccountRef,
    /// The user's bank.
    pub bank_id: String,
}

// ---------------------------------------------------------------------------------------------
// Messages

fn octets<'a>(b: &'a [u8], what: &'static str) -> Result<&'a OctetStringRef> {
    OctetStringRef::new(b).map_err(|e| Error::der(what, e))
}

fn sized(b: &OctetStringRef, field: &'static str, min: usize, max: usize) -> Result<Vec<u8>> {
    let b = b.as_bytes();
    if (min..=max).contains(&b.len()) {
        Ok(b.to_vec())
    } else {
        Err(refuse(field, "length outside its SIZE constraint"))
    }
}

fn point(b: Option<&OctetStringRef>, field: &'static str) -> Result<Option<sm2::PublicKey>> {
    b.map(|b| {
        sm2::PublicKey::from_sec1_bytes(&sized(b, field, 65, 65)?)
            .map_err(|_| refuse(field, "not an SM2 point"))
    })
    .transpose()
}

fn confirmation(b: Option<&OctetStringRef>, field: &'static str) -> Result<Option<[u8; 32]>> {
    b.map(|b| {
        let v = sized(b, field, 32, 32)?;
        let mut out = [0u8; 32];
        out.copy_from_slice(&v);
        Ok(out)
    })
    .transpose()
}

fn short_id<'a>(s: PrintableStringRef<'a>, field: &'static str) -> Result<&'a str> {
    let s = s.as_str();
    check_len(s, field, 15)?;
    Ok(s)
}

fn any_der<'a>(der: &'a [u8], what: &'static str) -> Result<AnyRef<'a>> {
    AnyRef::from_der(der).map_err(|e| Error::der(what, e))
}

fn alg_ref<'a>(der: &'a [u8]) -> Result<AlgorithmIdentifierRef<'a>> {
    AlgorithmIdentifierRef::from_der(der).map_err(|e| Error::der("AlgorithmIdentifier", e))
}

fn alg_der(a: &AlgorithmIdentifierOwned) -> Result<Vec<u8>> {
    a.to_der().map_err(|e| Error::der("AlgorithmIdentifier", e))
}

#[derive(Sequence)]
struct ChallengeWire<'a> {
    version: u8,
    challenge: &'a OctetStringRef,
    pos_id: PrintableStringRef<'a>,
    merchant_id: PrintableStringRef<'a>,
    time: GeneralizedTime,
    amount: u64,
    currency: PrintableStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certificate: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    key_id: Option<&'a OctetStringRef>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    ephemeral: Option<&'a OctetStringRef>,
}

/// The POS's challenge (see the module's ASN.1).
#[derive(Clone, Debug)]
pub struct PosChallenge {
    /// The random challenge (16..=32 bytes).
    pub challenge: Vec<u8>,
    /// The POS (terminal) ID, its certificate's common name.
    pub pos_id: String,
    /// The merchant ID.
    pub merchant_id: String,
    /// The POS's time.
    pub time: DateTime,
    /// Amount asked for, in minor units.
    pub amount: u64,
    /// Its currency.
    pub currency: Currency,
    /// The POS certificate or its key identifier.
    pub pos: SignerRef,
    /// The POS's SM2 ephemeral key `R_P` for key exchange.
    pub ephemeral: Option<sm2::PublicKey>,
}

impl PosChallenge {
    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        if !(16..=32).contains(&self.challenge.len()) {
            return Err(refuse("challenge", "length outside 16..32"));
        }
        check_len(&self.pos_id, "posId", 15)?;
        check_len(&self.merchant_id, "merchantId", 15)?;
        let digits = self.currency.digits();
        let cur = core::str::from_utf8(&digits).map_err(|_| refuse("currency", "digits"))?;
        let cert_der;
        let (certificate, key_id) = match &self.pos {
            SignerRef::Certificate(c) => {
                cert_der = c
                    .certificate()
                    .to_der()
                    .map_err(|e| Error::der("Certificate", e))?;
                (Some(any_der(&cert_der, "Certificate")?), None)
            }
            SignerRef::KeyId(k) => {
                check_len_bytes(k, "keyId", 64)?;
                (None, Some(octets(k, "keyId")?))
            }
        };
        let eph = self.ephemeral.map(|p| p.to_sec1_bytes());
        ChallengeWire {
            version: VERSION,
            challenge: octets(&self.challenge, "challenge")?,
            pos_id: printable(&self.pos_id, "posId")?,
            merchant_id: printable(&self.merchant_id, "merchantId")?,
            time: GeneralizedTime::from_date_time(self.time),
            amount: self.amount,
            currency: printable(cur, "currency")?,
            certificate,
            key_id,
            ephemeral: eph.as_ref().map(|e| octets(e, "ephemeral")).transpose()?,
        }
        .to_der()
        .map_err(|e| Error::der("PosChallenge", e))
    }

    /// Decodes a DER `PosChallenge`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = ChallengeWire::from_der(der).map_err(|e| Error::der("PosChallenge", e))?;
        if w.version != VERSION {
            return Err(refuse("version", "unsupported version"));
        }
        let pos = signer_ref(w.certificate, w.key_id)?;
        Ok(PosChallenge {
            challenge: sized(w.challenge, "challenge", 16, 32)?,
            pos_id: short_id(w.pos_id, "posId")?.to_string(),
            merchant_id: short_id(w.merchant_id, "merchantId")?.to_string(),
            time: w.time.to_date_time(),
            amount: w.amount,
            currency: Currency::parse(w.currency.as_str())?,
            pos,
            ephemeral: point(w.ephemeral, "ephemeral")?,
        })
    }
}

fn check_len_bytes(b: &[u8], field: &'static str, max: usize) -> Result<()> {
    if b.is_empty() || b.len() > max {
        Err(refuse(field, "length outside its SIZE constraint"))
    } else {
        Ok(())
    }
}

fn signer_ref(
    certificate: Option<AnyRef<'_>>,
    key_id: Option<&OctetStringRef>,
) -> Result<SignerRef> {
    match (certificate, key_id) {
        (Some(c), None) => Ok(SignerRef::Certificate(Box::new(
            ParsedCertificate::from_der(&c.to_der().map_err(|e| Error::der("Certificate", e))?)?,
        ))),
        (None, Some(k)) => Ok(SignerRef::KeyId(sized(k, "keyId", 1, 64)?)),
        _ => Err(refuse(
            "certificate",
            "exactly one of certificate and keyId",
        )),
    }
}

#[derive(Sequence)]
struct PaymentWire<'a> {
    transaction: AnyRef<'a>,
    challenge: &'a OctetStringRef,
    pos_id: PrintableStringRef<'a>,
    pos_key_id: &'a OctetStringRef,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    ephemeral: Option<&'a OctetStringRef>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    confirmation: Option<&'a OctetStringRef>,
}

/// What the phone signs (see the module's ASN.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflinePayment {
    /// The transaction, with the wallet's counter.
    pub transaction: Transaction,
    /// The POS's challenge, echoed.
    pub challenge: Vec<u8>,
    /// The POS paid.
    pub pos_id: String,
    /// The key identifier of the POS certificate the phone validated.
    pub pos_key_id: Vec<u8>,
    /// The phone's SM2 ephemeral key `R_U`.
    pub ephemeral: Option<sm2::PublicKey>,
    /// The phone's key confirmation `S_B`.
    pub confirmation: Option<[u8; 32]>,
}

impl OfflinePayment {
    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        if self.transaction.counter.is_none() {
            return Err(refuse("transaction.counter", "absent"));
        }
        if !(16..=32).contains(&self.challenge.len()) {
            return Err(refuse("challenge", "length outside 16..32"));
        }
        check_len(&self.pos_id, "posId", 15)?;
        check_len_bytes(&self.pos_key_id, "posKeyId", 64)?;
        let txn = self.transaction.to_der()?;
        let eph = self.ephemeral.map(|p| p.to_sec1_bytes());
        PaymentWire {
            transaction: any_der(&txn, "Transaction")?,
            challenge: octets(&self.challenge, "challenge")?,
            pos_id: printable(&self.pos_id, "posId")?,
            pos_key_id: octets(&self.pos_key_id, "posKeyId")?,
            ephemeral: eph.as_ref().map(|e| octets(e, "ephemeral")).transpose()?,
            confirmation: self
                .confirmation
                .as_ref()
                .map(|c| octets(c, "confirmation"))
                .transpose()?,
        }
        .to_der()
        .map_err(|e| Error::der("OfflinePayment", e))
    }

    /// Decodes a DER `OfflinePayment`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = PaymentWire::from_der(der).map_err(|e| Error::der("OfflinePayment", e))?;
        let transaction = Transaction::from_der(
            &w.transaction
                .to_der()
                .map_err(|e| Error::der("Transaction", e))?,
        )?;
        if transaction.counter.is_none() {
            return Err(refuse("transaction.counter", "absent"));
        }
        Ok(OfflinePayment {
            transaction,
            challenge: sized(w.challenge, "challenge", 16, 32)?,
            pos_id: short_id(w.pos_id, "posId")?.to_string(),
            pos_key_id: sized(w.pos_key_id, "posKeyId", 1, 64)?,
            ephemeral: point(w.ephemeral, "ephemeral")?,
            confirmation: confirmation(w.confirmation, "confirmation")?,
        })
    }

    /// The wallet counter.
    pub fn counter(&self) -> u64 {
        self.transaction.counter.unwrap_or_default()
    }
}

#[derive(Sequence)]
struct SignedWire<'a> {
    tbs: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

#[derive(Sequence)]
struct ResponseWire<'a> {
    payment: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
    certificate: AnyRef<'a>,
}

/// The phone's signed answer (see the module's ASN.1).
#[derive(Clone, Debug)]
pub struct PhoneResponse {
    payment: OfflinePayment,
    tbs: Vec<u8>,
    algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    certificate: ParsedCertificate,
    der: Vec<u8>,
}

/// A phone payment whose signature verified under a validated certificate.
#[derive(Clone, Debug)]
pub struct VerifiedPayment {
    /// The signed payment.
    pub payment: OfflinePayment,
    /// The key identifier of the phone's certificate.
    pub phone_key_id: Vec<u8>,
    /// The phone's key.
    pub phone_key: VerifyingKey,
}

impl PhoneResponse {
    fn sign<S: Signer + ?Sized>(
        payment: OfflinePayment,
        key: &S,
        certificate: ParsedCertificate,
    ) -> Result<Self> {
        let tbs = payment.to_der()?;
        let signature = key.sign(&tbs)?;
        let algorithm = key.signature_algorithm();
        let a = alg_der(&algorithm)?;
        let sig = encode_signature(&signature, "PhoneResponse.signature")?;
        let cert = certificate
            .certificate()
            .to_der()
            .map_err(|e| Error::der("Certificate", e))?;
        let der = ResponseWire {
            payment: any_der(&tbs, "OfflinePayment")?,
            algorithm: alg_ref(&a)?,
            signature: BitStringRef::from(&sig),
            certificate: any_der(&cert, "Certificate")?,
        }
        .to_der()
        .map_err(|e| Error::der("PhoneResponse", e))?;
        Ok(PhoneResponse {
            payment,
            tbs,
            algorithm,
            signature,
            certificate,
            der,
        })
    }

    /// Decodes a DER `PhoneResponse` (signature not yet checked).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = ResponseWire::from_der(der).map_err(|e| Error::der("PhoneResponse", e))?;
        let tbs = w
            .payment
            .to_der()
            .map_err(|e| Error::der("OfflinePayment", e))?;
        Ok(PhoneResponse {
            payment: OfflinePayment::from_der(&tbs)?,
            tbs,
            algorithm: decode_algorithm(w.algorithm)?,
            signature: signature_bytes(w.signature, "PhoneResponse.signature")?,
            certificate: ParsedCertificate::from_der(
                &w.certificate
                    .to_der()
                    .map_err(|e| Error::der("Certificate", e))?,
            )?,
            der: der.to_vec(),
        })
    }

    /// The DER encoding (as received or sent).
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The signed payment (not yet verified).
    pub fn payment(&self) -> &OfflinePayment {
        &self.payment
    }

    /// The phone's certificate.
    pub fn certificate(&self) -> &ParsedCertificate {
        &self.certificate
    }

    /// The exact bytes the phone signed (the `OfflinePayment` DER).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.tbs
    }

    /// The phone's signature value (DER).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Validates the phone's certificate offline at `time` (chain, cached CRLs no older than
    /// `max_crl_age_secs`, EKU clientAuth when present) and checks the signature: what the POS
    /// does, and what the issuing bank does when the POS uploads its batch.
    pub fn verify(
        &self,
        trust: &TrustStore,
        time: DateTime,
        max_crl_age_secs: u64,
    ) -> Result<VerifiedPayment> {
        let key = trust.validate_offline(
            &self.certificate,
            time,
            max_crl_age_secs,
            Some(KP_CLIENT_AUTH),
        )?;
        key.verify(&self.algorithm, &self.tbs, &self.signature)?;
        Ok(VerifiedPayment {
            payment: self.payment.clone(),
            phone_key_id: certificate_key_id(self.certificate.certificate()),
            phone_key: key,
        })
    }
}

#[derive(Sequence)]
struct ReceiptWire<'a> {
    pos_id: PrintableStringRef<'a>,
    challenge: &'a OctetStringRef,
    counter: u64,
    payment_digest: &'a OctetStringRef,
    time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    confirmation: Option<&'a OctetStringRef>,
}

/// The POS's receipt content (see the module's ASN.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptContent {
    /// The POS that accepted the payment.
    pub pos_id: String,
    /// The session's challenge.
    pub challenge: Vec<u8>,
    /// The wallet counter accepted.
    pub counter: u64,
    /// SM3 of the `PhoneResponse` DER.
    pub payment_digest: [u8; 32],
    /// The POS's time.
    pub time: DateTime,
    /// The POS's key confirmation `S_A`.
    pub confirmation: Option<[u8; 32]>,
}

impl ReceiptContent {
    fn to_der(&self) -> Result<Vec<u8>> {
        check_len(&self.pos_id, "posId", 15)?;
        ReceiptWire {
            pos_id: printable(&self.pos_id, "posId")?,
            challenge: octets(&self.challenge, "challenge")?,
            counter: self.counter,
            payment_digest: octets(&self.payment_digest, "paymentDigest")?,
            time: GeneralizedTime::from_date_time(self.time),
            confirmation: self
                .confirmation
                .as_ref()
                .map(|c| octets(c, "confirmation"))
                .transpose()?,
        }
        .to_der()
        .map_err(|e| Error::der("ReceiptContent", e))
    }

    fn from_der(der: &[u8]) -> Result<Self> {
        let w = ReceiptWire::from_der(der).map_err(|e| Error::der("ReceiptContent", e))?;
        let digest = sized(w.payment_digest, "paymentDigest", 32, 32)?;
        let mut payment_digest = [0u8; 32];
        payment_digest.copy_from_slice(&digest);
        Ok(ReceiptContent {
            pos_id: short_id(w.pos_id, "posId")?.to_string(),
            challenge: sized(w.challenge, "challenge", 16, 32)?,
            counter: w.counter,
            payment_digest,
            time: w.time.to_date_time(),
            confirmation: confirmation(w.confirmation, "confirmation")?,
        })
    }
}

/// The POS's signed receipt (see the module's ASN.1).
#[derive(Clone, Debug)]
pub struct PosReceipt {
    content: ReceiptContent,
    tbs: Vec<u8>,
    algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
}

impl PosReceipt {
    fn sign<S: Signer + ?Sized>(content: ReceiptContent, key: &S) -> Result<Self> {
        let tbs = content.to_der()?;
        let signature = key.sign(&tbs)?;
        Ok(PosReceipt {
            content,
            tbs,
            algorithm: key.signature_algorithm(),
            signature,
        })
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let a = alg_der(&self.algorithm)?;
        let sig = encode_signature(&self.signature, "PosReceipt.signature")?;
        SignedWire {
            tbs: any_der(&self.tbs, "ReceiptContent")?,
            algorithm: alg_ref(&a)?,
            signature: BitStringRef::from(&sig),
        }
        .to_der()
        .map_err(|e| Error::der("PosReceipt", e))
    }

    /// Decodes a DER `PosReceipt` (signature not yet checked).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let w = SignedWire::from_der(der).map_err(|e| Error::der("PosReceipt", e))?;
        let tbs = w
            .tbs
            .to_der()
            .map_err(|e| Error::der("ReceiptContent", e))?;
        Ok(PosReceipt {
            content: ReceiptContent::from_der(&tbs)?,
            tbs,
            algorithm: decode_algorithm(w.algorithm)?,
            signature: signature_bytes(w.signature, "PosReceipt.signature")?,
        })
    }

    /// The receipt content (not yet verified).
    pub fn content(&self) -> &ReceiptContent {
        &self.content
    }
}

// ---------------------------------------------------------------------------------------------
// The POS

/// A POS terminal: its key and certificate, IDs, trust store, policy and the counters it has
/// seen per phone certificate.
#[derive(Debug)]
pub struct Pos<S> {
    key: SigningKey,
    certificate: ParsedCertificate,
    key_id: Vec<u8>,
    pos_id: String,
    merchant_id: String,
    /// What the POS validates phones against (update its CRLs as they arrive).
    pub trust: TrustStore,
    policy: OfflinePolicy,
    seen: S,
    send_certificate: bool,
}

/// One outstanding challenge of a [`Pos`].
#[derive(Debug)]
pub struct PosSession {
    challenge: Vec<u8>,
    amount: u64,
    currency: Currency,
    ephemeral: Option<sm2::PrivateKey>,
}

/// A payment the POS accepted.
#[derive(Debug)]
pub struct AcceptedPayment {
    /// The verified payment.
    pub payment: VerifiedPayment,
    /// The phone's message as received, for the end-of-day batch to the bank.
    pub record: Vec<u8>,
    /// The receipt to send to the phone (DER `PosReceipt`).
    pub receipt: Vec<u8>,
    exchange: Option<ExchangeResult>,
}

impl AcceptedPayment {
    /// The key shared with the phone by SM2 key exchange, if it ran.
    pub fn session_key(&self) -> Option<&[u8]> {
        self.exchange.as_ref().map(ExchangeResult::key)
    }
}

fn sm2_private(key: &SigningKey) -> Result<&sm2::PrivateKey> {
    match key {
        SigningKey::Sm2 { key, .. } => Ok(key),
        _ => Err(Error::Refused(Refusal::KeyExchange("own key is not SM2"))),
    }
}

fn sm2_public(key: &VerifyingKey) -> Result<&sm2::PublicKey> {
    match key {
        VerifyingKey::Sm2 { key, .. } => Ok(key),
        _ => Err(Error::Refused(Refusal::KeyExchange("peer key is not SM2"))),
    }
}

fn digest(der: &[u8]) -> [u8; 32] {
    mpay_gmt::sm3::hash(der)
}

impl<S: SeenCounters> Pos<S> {
    /// A POS; `pos_id` must be its certificate's common name.
    pub fn new(
        key: SigningKey,
        certificate: ParsedCertificate,
        pos_id: &str,
        merchant_id: &str,
        trust: TrustStore,
        policy: OfflinePolicy,
        seen: S,
    ) -> Result<Self> {
        if common_name(certificate.certificate().tbs_certificate().subject()).as_deref()
            != Some(pos_id)
        {
            return Err(Error::Refused(Refusal::PosIdNotCertified {
                pos_id: pos_id.to_string(),
            }));
        }
        if policy.key_exchange {
            sm2_private(&key)?;
        }
        Ok(Pos {
            key_id: certificate_key_id(certificate.certificate()),
            key,
            certificate,
            pos_id: pos_id.to_string(),
            merchant_id: merchant_id.to_string(),
            trust,
            policy,
            seen,
            send_certificate: true,
        })
    }

    /// Send only the certificate's key identifier in challenges (phones that cache the
    /// directory resolve it).
    pub fn send_key_id_only(mut self) -> Self {
        self.send_certificate = false;
        self
    }

    /// The POS ID.
    pub fn pos_id(&self) -> &str {
        &self.pos_id
    }

    /// The counters seen so far.
    pub fn seen(&self) -> &S {
        &self.seen
    }

    /// Starts a payment of `amount` `currency`: a fresh challenge (and ephemeral key for key
    /// exchange); returns the session and the DER `PosChallenge` to send.
    pub fn challenge<R: CryptoRng + ?Sized>(
        &self,
        amount: u64,
        currency: Currency,
        now: DateTime,
        rng: &mut R,
    ) -> Result<(PosSession, Vec<u8>)> {
        let mut challenge = alloc::vec![0u8; CHALLENGE_LEN];
        rng.fill_bytes(&mut challenge);
        let ephemeral = if self.policy.key_exchange {
            Some(sm2::PrivateKey::generate(rng).map_err(|_| Error::Rng)?)
        } else {
            None
        };
        let msg = PosChallenge {
            challenge: challenge.clone(),
            pos_id: self.pos_id.clone(),
            merchant_id: self.merchant_id.clone(),
            time: now,
            amount,
            currency,
            pos: if self.send_certificate {
                SignerRef::Certificate(Box::new(self.certificate.clone()))
            } else {
                SignerRef::KeyId(self.key_id.clone())
            },
            ephemeral: ephemeral.as_ref().map(sm2::PrivateKey::public_key),
        };
        Ok((
            PosSession {
                challenge,
                amount,
                currency,
                ephemeral,
            },
            msg.to_der()?,
        ))
    }

    /// Verifies the phone's response to `session` at `now` (see the module docs for the
    /// checks, in order); on success records the counter and returns the signed receipt.
    pub fn accept(
        &mut self,
        session: PosSession,
        response: &[u8],
        now: DateTime,
    ) -> Result<AcceptedPayment> {
        let r = PhoneResponse::from_der(response)?;
        let p = &r.payment;
        if p.pos_id != self.pos_id || p.pos_key_id != self.key_id {
            return Err(Error::Refused(Refusal::WrongPos {
                expected: self.pos_id.clone(),
                got: p.pos_id.clone(),
            }));
        }
        if p.challenge != session.challenge {
            return Err(Error::Refused(Refusal::ChallengeMismatch));
        }
        let t = &p.transaction;
        if t.amount != session.amount {
            return Err(refuse("amount", "differs from the POS request"));
        }
        if t.currency != session.currency {
            return Err(refuse("currency", "differs from the POS request"));
        }
        if t.merchant_id != self.merchant_id {
            return Err(refuse("merchantId", "differs from the POS's"));
        }
        let skew = self.policy.max_clock_skew_secs;
        check_freshness(t.time, now, skew, skew)?;
        let verified = r.verify(&self.trust, now, self.policy.max_crl_age_secs)?;
        let exchange = match session.ephemeral {
            Some(eph) => {
                let (Some(ru), Some(sb)) = (p.ephemeral, p.confirmation) else {
                    return Err(Error::Refused(Refusal::KeyExchange(
                        "phone sent no ephemeral key or confirmation",
                    )));
                };
                let kx = KeyExchange::with_ephemeral_key(
                    Role::Initiator,
                    sm2_private(&self.key)?,
                    sm2::DEFAULT_ID,
                    sm2_public(&verified.phone_key)?,
                    sm2::DEFAULT_ID,
                    &eph.to_bytes(),
                )
                .map_err(|_| Error::Refused(Refusal::KeyExchange("cannot start")))?;
                let res = kx
                    .finish(&ru, SESSION_KEY_LEN)
                    .map_err(|_| Error::Refused(Refusal::KeyExchange("shared point invalid")))?;
                res.verify_peer_confirmation(&sb).map_err(|_| {
                    Error::Refused(Refusal::KeyExchange(
                        "phone confirmation S_B does not verify",
                    ))
                })?;
                Some(res)
            }
            None => None,
        };
        self.seen
            .check_and_record(&verified.phone_key_id, p.counter())?;
        let receipt = PosReceipt::sign(
            ReceiptContent {
                pos_id: self.pos_id.clone(),
                challenge: session.challenge,
                counter: p.counter(),
                payment_digest: digest(response),
                time: now,
                confirmation: exchange.as_ref().map(|e| *e.confirmation()),
            },
            &self.key,
        )?
        .to_der()?;
        Ok(AcceptedPayment {
            payment: verified,
            record: response.to_vec(),
            receipt,
            exchange,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The phone

/// The wallet side: its key and certificate, identity, trust store, policy and counter.
#[derive(Debug)]
pub struct Phone<C> {
    key: SigningKey,
    certificate: ParsedCertificate,
    identity: WalletIdentity,
    /// What the phone validates POS terminals against (refresh its CRLs when online).
    pub trust: TrustStore,
    policy: OfflinePolicy,
    counter: C,
}

/// A challenge whose POS the phone validated, for the wallet to approve before paying.
#[derive(Debug)]
pub struct CheckedChallenge {
    challenge: PosChallenge,
    pos_key: VerifyingKey,
    pos_key_id: Vec<u8>,
}

impl CheckedChallenge {
    /// The challenge (amount, currency, POS and merchant IDs).
    pub fn challenge(&self) -> &PosChallenge {
        &self.challenge
    }
}

/// The phone's state between its response and the POS's receipt.
#[derive(Debug)]
pub struct PhoneSession {
    pos_id: String,
    challenge: Vec<u8>,
    counter: u64,
    response_digest: [u8; 32],
    pos_key: VerifyingKey,
    transaction: Transaction,
    exchange: Option<ExchangeResult>,
}

/// A payment the POS confirmed with a valid receipt.
#[derive(Debug)]
pub struct CompletedPayment {
    /// The transaction paid.
    pub transaction: Transaction,
    /// Its counter.
    pub counter: u64,
    /// The POS paid.
    pub pos_id: String,
    exchange: Option<ExchangeResult>,
}

impl CompletedPayment {
    /// The key shared with the POS by SM2 key exchange, if it ran.
    pub fn session_key(&self) -> Option<&[u8]> {
        self.exchange.as_ref().map(ExchangeResult::key)
    }
}

impl<C: CounterStore> Phone<C> {
    /// A phone.
    pub fn new(
        key: SigningKey,
        certificate: ParsedCertificate,
        identity: WalletIdentity,
        trust: TrustStore,
        policy: OfflinePolicy,
        counter: C,
    ) -> Self {
        Phone {
            key,
            certificate,
            identity,
            trust,
            policy,
            counter,
        }
    }

    /// The counter store.
    pub fn counter(&self) -> &C {
        &self.counter
    }

    /// Decodes a POS challenge and checks it at `now`: time within the clock skew, the POS
    /// certificate (carried, or resolved by key identifier from the cached directory), its
    /// common name = the POS ID, and its chain offline (cached CRLs no older than policy, EKU
    /// serverAuth when present).
    pub fn read_challenge(&self, der: &[u8], now: DateTime) -> Result<CheckedChallenge> {
        let challenge = PosChallenge::from_der(der)?;
        let skew = self.policy.max_clock_skew_secs;
        check_freshness(challenge.time, now, skew, skew)?;
        let cert = match &challenge.pos {
            SignerRef::Certificate(c) => (**c).clone(),
            SignerRef::KeyId(k) => self
                .trust
                .resolve(k)
                .cloned()
                .ok_or(Error::Refused(Refusal::UnknownSigner))?,
        };
        if common_name(cert.certificate().tbs_certificate().subject()).as_deref()
            != Some(challenge.pos_id.as_str())
        {
            return Err(Error::Refused(Refusal::PosIdNotCertified {
                pos_id: challenge.pos_id.clone(),
            }));
        }
        let pos_key = self.trust.validate_offline(
            &cert,
            now,
            self.policy.max_crl_age_secs,
            Some(KP_SERVER_AUTH),
        )?;
        if self.policy.key_exchange && challenge.ephemeral.is_none() {
            return Err(Error::Refused(Refusal::KeyExchange(
                "POS sent no ephemeral key",
            )));
        }
        Ok(CheckedChallenge {
            pos_key_id: certificate_key_id(cert.certificate()),
            challenge,
            pos_key,
        })
    }

    /// Pays a checked challenge: increments and persists the counter, then signs the payment
    /// (running SM2 key exchange when the policy asks for it) and returns the session and the
    /// DER `PhoneResponse` to send.
    pub fn pay<R: CryptoRng + ?Sized>(
        &mut self,
        checked: CheckedChallenge,
        now: DateTime,
        rng: &mut R,
    ) -> Result<(PhoneSession, Vec<u8>)> {
        let ch = checked.challenge;
        let kx = if self.policy.key_exchange {
            let kx = KeyExchange::new(
                rng,
                Role::Responder,
                sm2_private(&self.key)?,
                sm2::DEFAULT_ID,
                sm2_public(&checked.pos_key)?,
                sm2::DEFAULT_ID,
            )
            .map_err(|_| Error::Rng)?;
            Some(kx)
        } else {
            None
        };
        // Persisted before anything is signed: a crash after this point burns a counter value
        // but can never reuse one.
        let counter = self.counter.next()?;
        let mut nonce = alloc::vec![0u8; 16];
        rng.fill_bytes(&mut nonce);
        let transaction = Transaction {
            user_id: self.identity.user_id.clone(),
            account: self.identity.account.clone(),
            bank_id: self.identity.bank_id.clone(),
            code: codes::PURCHASE,
            amount: ch.amount,
            currency: ch.currency,
            merchant_id: ch.merchant_id.clone(),
            time: now,
            nonce: Some(nonce),
            counter: Some(counter),
        };
        let (ephemeral, confirmation, exchange) = match (kx, ch.ephemeral) {
            (Some(kx), Some(rp)) => {
                let ru = kx.ephemeral_public_key();
                let res = kx
                    .finish(&rp, SESSION_KEY_LEN)
                    .map_err(|_| Error::Refused(Refusal::KeyExchange("shared point invalid")))?;
                (Some(ru), Some(*res.confirmation()), Some(res))
            }
            _ => (None, None, None),
        };
        let payment = OfflinePayment {
            transaction: transaction.clone(),
            challenge: ch.challenge.clone(),
            pos_id: ch.pos_id.clone(),
            pos_key_id: checked.pos_key_id,
            ephemeral,
            confirmation,
        };
        let response = PhoneResponse::sign(payment, &self.key, self.certificate.clone())?;
        let der = response.der;
        Ok((
            PhoneSession {
                pos_id: ch.pos_id,
                challenge: ch.challenge,
                counter,
                response_digest: digest(&der),
                pos_key: checked.pos_key,
                transaction,
                exchange,
            },
            der,
        ))
    }
}

impl PhoneSession {
    /// The counter this payment used.
    pub fn counter(&self) -> u64 {
        self.counter
    }

    /// Checks the POS's receipt: same POS, signature under the POS key validated for this
    /// session, same challenge, counter and payment digest, and (with key exchange) the POS
    /// confirmation `S_A`.
    pub fn verify_receipt(self, der: &[u8]) -> Result<CompletedPayment> {
        let r = PosReceipt::from_der(der)?;
        let c = &r.content;
        if c.pos_id != self.pos_id {
            return Err(Error::Refused(Refusal::WrongPos {
                expected: self.pos_id,
                got: c.pos_id.clone(),
            }));
        }
        self.pos_key.verify(&r.algorithm, &r.tbs, &r.signature)?;
        if c.challenge != self.challenge
            || c.counter != self.counter
            || c.payment_digest != self.response_digest
        {
            return Err(Error::Refused(Refusal::ReceiptMismatch));
        }
        if let Some(res) = &self.exchange {
            let sa = c.confirmation.ok_or(Error::Refused(Refusal::KeyExchange(
                "receipt without confirmation S_A",
            )))?;
            res.verify_peer_confirmation(&sa).map_err(|_| {
                Error::Refused(Refusal::KeyExchange("POS confirmation S_A does not verify"))
            })?;
        }
        Ok(CompletedPayment {
            transaction: self.transaction,
            counter: self.counter,
            pos_id: self.pos_id,
            exchange: self.exchange,
        })
    }
}
