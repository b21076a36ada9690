//! The crate's error type.

use alloc::string::String;
use der::oid::ObjectIdentifier;

/// A path-validation rule (RFC 5280 §6.1) a certificate broke.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rule {
    /// The signature does not verify under the issuer's public key (§6.1.3 (a)(1)).
    #[error("signature does not verify under the issuer's key")]
    Signature,
    /// The signature algorithm is unsupported or does not match the issuer's key type.
    #[error("signature algorithm {0} does not fit the issuer's key")]
    Algorithm(ObjectIdentifier),
    /// The signature algorithm is supported but its parameters are not (e.g. RSASSA-PSS with a
    /// salt length other than 32).
    #[error("unsupported parameters for signature algorithm {oid}: {reason}")]
    AlgorithmParameters {
        /// The algorithm's OID.
        oid: ObjectIdentifier,
        /// Which parameter is not supported.
        reason: &'static str,
    },
    /// `TBSCertificate.signature` differs from `Certificate.signatureAlgorithm` (§4.1.1.2).
    #[error("inner and outer signature algorithms differ")]
    AlgorithmMismatch,
    /// The validation time is before `notBefore` (§6.1.3 (a)(2)).
    #[error("not yet valid")]
    NotYetValid,
    /// The validation time is after `notAfter` (§6.1.3 (a)(2)).
    #[error("expired")]
    Expired,
    /// The issuer name is not the previous certificate's subject (§6.1.3 (a)(4)).
    #[error("issuer name is not the subject of the certificate above it")]
    IssuerMismatch,
    /// An intermediate certificate is not a CA: basicConstraints absent or cA false (§6.1.4 (k)).
    #[error("not a CA certificate (basicConstraints cA absent or false)")]
    NotCa,
    /// An intermediate certificate is not version 3 (§6.1.4 (k)).
    #[error("CA certificate is not X.509 version 3")]
    NotV3,
    /// The path is longer than an issuer's pathLenConstraint allows (§6.1.4 (l)).
    #[error("path length constraint exceeded")]
    PathLength,
    /// keyUsage is present but lacks a bit the role needs (§6.1.4 (n)).
    #[error("keyUsage lacks {0}")]
    KeyUsage(&'static str),
    /// extendedKeyUsage is present but lacks the purpose the caller requires.
    #[error("extendedKeyUsage lacks {0}")]
    ExtendedKeyUsage(ObjectIdentifier),
    /// A critical extension this validator does not process (§6.1.4 (o), §6.1.5 (f)).
    #[error("unrecognised critical extension {0}")]
    UnknownCriticalExtension(ObjectIdentifier),
    /// The same extension appears twice (§4.2).
    #[error("extension {0} appears more than once")]
    DuplicateExtension(ObjectIdentifier),
    /// An extension value does not decode.
    #[error("extension {0} does not decode")]
    BadExtension(ObjectIdentifier),
    /// The issuer's CRL lists the certificate's serial number (§6.3).
    #[error("revoked (listed in the issuer's CRL)")]
    Revoked,
    /// Revocation checking is on and no CRL signed by the issuer is current at the validation
    /// time (`stale` when one was found but outside thisUpdate..nextUpdate).
    #[error("no current CRL from the issuer (stale one found: {stale})")]
    NoCurrentCrl {
        /// A CRL verified but was not current.
        stale: bool,
    },
    /// The subject public key is not an SM2, P-256 or RSA key, or does not decode.
    #[error("unsupported or malformed subject public key")]
    PublicKey,
    /// A name of the certificate lies outside the permitted subtrees of a CA above it
    /// (RFC 5280 §6.1.3 (b)).
    #[error("{0} is not within the permitted name-constraint subtrees")]
    NameNotPermitted(String),
    /// A name of the certificate lies within an excluded subtree of a CA above it
    /// (RFC 5280 §6.1.3 (c)).
    #[error("{0} is within an excluded name-constraint subtree")]
    NameExcluded(String),
    /// A CA above constrains a name form this validator does not process (URI, otherName, …)
    /// and the certificate has a name of that form (RFC 5280 §4.2.1.10).
    #[error("name constraints on the unprocessed form {0}, which the certificate uses")]
    NameFormUnsupported(&'static str),
    /// A name in the certificate does not decode as its form requires.
    #[error("malformed name: {0}")]
    BadName(&'static str),
    /// A checked OCSP response says the certificate is revoked (RFC 6960).
    #[error("revoked (OCSP response)")]
    RevokedByOcsp,
    /// A checked OCSP response says the certificate is unknown to the responder.
    #[error("status unknown to the OCSP responder")]
    OcspUnknown,
    /// OCSP responses were given but none names this certificate (and no CRLs were given).
    #[error("no OCSP response for this certificate")]
    NoOcspResponse,
    /// Every OCSP response naming this certificate failed a check; the last failure.
    #[error("OCSP response refused: {0}")]
    Ocsp(OcspRule),
}

/// An OCSP client-side check (RFC 6960 §3.2, RFC 8954) a response failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspRule {
    /// `responseStatus` is not `successful`.
    #[error("response status is {0:?}")]
    ResponseStatus(crate::ocsp::OcspResponseStatus),
    /// No `responseBytes`, or a response type other than `id-pkix-ocsp-basic`.
    #[error("response type {0:?} is not id-pkix-ocsp-basic")]
    ResponseType(Option<ObjectIdentifier>),
    /// No SingleResponse has a CertID naming the issuer and serial asked about.
    #[error("no SingleResponse matches the CertID")]
    CertIdMismatch,
    /// The response signature does not verify (or its algorithm does not fit the key).
    #[error("response signature does not verify")]
    Signature,
    /// The responderID names neither the CA nor a certificate included in the response.
    #[error("responder is neither the CA nor a delegated responder in the response")]
    ResponderNotAuthorized,
    /// The delegated responder's certificate was not issued (name and signature) by the CA.
    #[error("delegated responder certificate not issued by the CA")]
    ResponderNotIssuedByCa,
    /// The delegated responder's certificate lacks EKU id-kp-OCSPSigning.
    #[error("delegated responder certificate lacks EKU id-kp-OCSPSigning")]
    ResponderLacksOcspSigning,
    /// The delegated responder's keyUsage lacks digitalSignature.
    #[error("delegated responder keyUsage lacks digitalSignature")]
    ResponderKeyUsage,
    /// The delegated responder's certificate is not valid at the check time.
    #[error("delegated responder certificate not valid at the check time")]
    ResponderCertificateExpired,
    /// The delegated responder's certificate lacks id-pkix-ocsp-nocheck (when required).
    #[error("delegated responder certificate lacks id-pkix-ocsp-nocheck")]
    ResponderNoCheckMissing,
    /// thisUpdate is later than the check time plus the allowed skew.
    #[error("thisUpdate is in the future")]
    ThisUpdateInFuture,
    /// producedAt is later than the check time plus the allowed skew.
    #[error("producedAt is in the future")]
    ProducedInFuture,
    /// nextUpdate has passed (beyond the allowed skew).
    #[error("nextUpdate has passed")]
    NextUpdatePassed,
    /// nextUpdate is before thisUpdate.
    #[error("nextUpdate is before thisUpdate")]
    NextUpdateBeforeThisUpdate,
    /// thisUpdate is older than the maximum age allowed.
    #[error("thisUpdate is older than the maximum age")]
    TooOld,
    /// A nonce was sent but the response does not carry one.
    #[error("nonce not echoed")]
    NonceMissing,
    /// The response's nonce differs from the one sent.
    #[error("nonce echo differs from the nonce sent")]
    NonceMismatch,
    /// The nonce extension does not hold an OCTET STRING.
    #[error("nonce extension is malformed")]
    NonceMalformed,
    /// A nonce of this length is outside RFC 8954's 1..=32 octets.
    #[error("nonce of {0} octets is outside 1..=32")]
    NonceLength(usize),
}

/// Errors of this crate; each says what failed and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DER encoding or decoding of `what` failed.
    #[error("DER error in {what}: {source}")]
    Der {
        /// The structure being encoded or decoded.
        what: &'static str,
        /// The `der` error (carries the position).
        source: der::Error,
    },
    /// A key could not be parsed, generated or used.
    #[error("key error: {0}")]
    Key(&'static str),
    /// Signing failed.
    #[error("signing with {0} failed")]
    Sign(&'static str),
    /// A signature did not verify.
    #[error("{0} signature does not verify")]
    BadSignature(&'static str),
    /// The signature algorithm is unsupported or does not fit the key.
    #[error("signature algorithm {oid} does not fit a {key} key")]
    Algorithm {
        /// The algorithm identifier's OID.
        oid: ObjectIdentifier,
        /// The key type.
        key: &'static str,
    },
    /// The algorithm is supported but its parameters are not (e.g. RSASSA-PSS with SHA-1 or a
    /// salt length other than 32).
    #[error("unsupported parameters for signature algorithm {oid}: {reason}")]
    UnsupportedParameters {
        /// The algorithm identifier's OID.
        oid: ObjectIdentifier,
        /// Which parameter is not supported.
        reason: &'static str,
    },
    /// The random number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// A certificate request to the CA is inconsistent.
    #[error("invalid certificate parameters: {0}")]
    Params(&'static str),
    /// The chain is empty.
    #[error("empty certificate chain")]
    EmptyChain,
    /// No trust anchor's subject and key match the top certificate's issuer.
    #[error("no trust anchor for issuer {issuer}")]
    NoTrustAnchor {
        /// The issuer name (RFC 4514 string) of the top certificate.
        issuer: String,
    },
    /// An OCSP request or response broke `0` ([`crate::ocsp`]).
    #[error("OCSP: {0}")]
    Ocsp(OcspRule),
    /// Certificate `index` of the chain (0 = target) with `subject` broke `rule`.
    #[error("certificate {index} ({subject}): {rule}")]
    Path {
        /// Position in the chain as given (0 = the target/end-entity certificate).
        index: usize,
        /// The certificate's subject (RFC 4514 string).
        subject: String,
        /// The rule it broke.
        rule: Rule,
    },
    /// A signed transaction or an offline mutual-authentication message was refused
    /// ([`crate::txn`], [`crate::mutual`]).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A counter or replay store failed (I/O or SQLite), with what it was doing.
    #[error("store error while {what}: {detail}")]
    Store {
        /// The operation.
        what: &'static str,
        /// The underlying error's message.
        detail: String,
    },
}

impl Error {
    pub(crate) fn der(what: &'static str, source: der::Error) -> Self {
        Error::Der { what, source }
    }
}

/// Why a signed transaction ([`crate::txn`]) or an offline payment message
/// ([`crate::mutual`]) was refused; certificate-path failures come as [`Error::Path`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// `field` holds a value outside its ASN.1 constraint.
    #[error("field {field}: {reason}")]
    Field {
        /// The field name as in the ASN.1 module.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The message carries neither a nonce nor a counter.
    #[error("neither nonce nor counter present")]
    NoFreshness,
    /// The message time is more than the allowed age before the verifier's time.
    #[error("message is {age_secs} s old (at most {max_secs} s allowed)")]
    TooOld {
        /// Age in seconds.
        age_secs: u64,
        /// The policy's limit.
        max_secs: u64,
    },
    /// The message time is further in the future than the allowed clock skew.
    #[error("message is {ahead_secs} s in the future (at most {max_secs} s allowed)")]
    FromFuture {
        /// Seconds ahead of the verifier's clock.
        ahead_secs: u64,
        /// The policy's limit.
        max_secs: u64,
    },
    /// The same signer already used this nonce.
    #[error("replay: nonce already seen for this signer")]
    Replay,
    /// The counter is not above the last one seen for this signer (replay or rewind).
    #[error("counter {got} is not above the last seen {last}")]
    CounterNotIncreasing {
        /// The last accepted counter.
        last: u64,
        /// The counter received.
        got: u64,
    },
    /// The counter store cannot go further.
    #[error("counter exhausted")]
    CounterExhausted,
    /// The message names another bank than the verifier.
    #[error("addressed to bank {got}, not {expected}")]
    WrongBank {
        /// The verifier's bank ID.
        expected: alloc::string::String,
        /// The bank ID in the message.
        got: alloc::string::String,
    },
    /// A key identifier names no certificate the verifier knows.
    #[error("no certificate known for the signer's key identifier")]
    UnknownSigner,
    /// The certificate's subject key identifier differs from the one the message names.
    #[error("certificate does not match the key identifier in the message")]
    KeyIdMismatch,
    /// The message or receipt comes from, or is addressed to, another POS than this session's.
    #[error("wrong POS: expected {expected}, got {got}")]
    WrongPos {
        /// The POS ID of this session.
        expected: alloc::string::String,
        /// The POS ID in the message.
        got: alloc::string::String,
    },
    /// The POS certificate's subject common name is not the POS ID it claims.
    #[error("POS ID {pos_id} is not the certificate's common name")]
    PosIdNotCertified {
        /// The claimed POS ID.
        pos_id: alloc::string::String,
    },
    /// The challenge echoed is not the one this POS session issued.
    #[error("challenge echo does not match the session's challenge")]
    ChallengeMismatch,
    /// The receipt does not cover the payment the phone sent.
    #[error("receipt does not cover this payment")]
    ReceiptMismatch,
    /// A cached CRL needed for offline validation was issued longer ago than policy allows.
    #[error("cached CRL from {issuer} is {age_secs} s old (at most {max_secs} s allowed)")]
    CrlTooOld {
        /// The CRL issuer (RFC 4514).
        issuer: alloc::string::String,
        /// Age of the CRL (now − thisUpdate) in seconds.
        age_secs: u64,
        /// The policy's limit.
        max_secs: u64,
    },
    /// Key exchange was asked for but a key is not SM2, or a confirmation value is missing.
    #[error("key exchange: {0}")]
    KeyExchange(&'static str),
}

/// Maps a SQLite error to [`Error::Store`] naming the operation (the directory and the
/// counter stores).
#[cfg(feature = "sqlite")]
pub(crate) fn sqlite_error(what: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::Store {
        what,
        detail: alloc::string::ToString::to_string(&e),
    }
}
