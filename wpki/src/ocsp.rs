//! OCSP (RFC 6960): the ASN.1 types, request building with an RFC 8954 nonce, a [`Responder`]
//! (signing directly as the CA or as a delegated responder) and the client-side checks of a
//! response ([`ParsedResponse::check`]): CertID, signature, responder authorization,
//! freshness and nonce echo. Path validation uses the same checks through
//! [`crate::ValidationOptions::ocsp`].
//!
//! ```
//! use mpay_wpki::{Ca, CertificateParams, DateTime, Profile, Signer, SigningKey};
//! use mpay_wpki::ocsp::{self, CheckOptions, HashAlg, ParsedResponse, Responder, RevocationList, Status};
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0)?, DateTime::new(2036, 1, 1, 0, 0, 0)?);
//! let ca = Ca::self_signed(SigningKey::generate_p256(&mut rng),
//!     &CertificateParams::new("CN=Bank CA".parse()?, from, to, Profile::Ca { path_len: None }),
//!     &mut rng)?;
//! let user = ca.issue(&CertificateParams::new("CN=alice".parse()?, from, to, Profile::WalletUser),
//!     &SigningKey::generate_p256(&mut rng).public_key_info()?, &mut rng)?;
//! let serial = user.tbs_certificate().serial_number();
//!
//! // Client: a request with a nonce.
//! let id = ocsp::CertId::new(HashAlg::Sha256, ca.certificate(), serial)?;
//! let request = ocsp::request(vec![id], Some(&[0x42; 16]))?;
//!
//! // Responder: the CA itself answers from its revocation list.
//! let responder = Responder::direct(ca.certificate(), ca.signer().clone())?;
//! let now = DateTime::new(2027, 6, 1, 12, 0, 0)?;
//! let mut revoked = RevocationList::new();
//! revoked.revoke(serial.clone(), now, None);
//! let response = responder.respond_der(&der::Encode::to_der(&request)?, &revoked, now);
//!
//! // Client: every check of RFC 6960 §3.2, then the status.
//! let mut opts = CheckOptions::at(now);
//! opts.nonce = Some(vec![0x42; 16]);
//! let checked = ParsedResponse::from_der(&response)?.check(ca.certificate(), serial, &opts)?;
//! assert!(matches!(checked.status, Status::Revoked { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::alg::{Signer, Verifier, VerifyingKey};
use crate::cert::{SignedParts, key_identifier};
use crate::crl::ParsedCrl;
use crate::error::{OcspRule, Rule};
use crate::{Error, Result};
use alloc::vec::Vec;
use core::time::Duration;
use der::asn1::{AnyRef, BitString, BitStringRef, GeneralizedTime, Null, OctetString};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Choice, DateTime, Decode, Encode, Enumerated, Sequence};
use sha1::Digest;
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// `id-pkix-ocsp-basic`, `1.3.6.1.5.5.7.48.1.1`: the only response type defined.
pub const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce`, `1.3.6.1.5.5.7.48.1.2` (RFC 8954).
pub const OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// `id-pkix-ocsp-nocheck`, `1.3.6.1.5.5.7.48.1.5`: a delegated responder's certificate need not
/// be checked for revocation (RFC 6960 §4.2.2.2.1).
pub const OCSP_NOCHECK: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// `id-kp-OCSPSigning`, `1.3.6.1.5.5.7.3.9`: the EKU of a delegated responder.
pub const KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// `id-sha1`, `1.3.14.3.2.26`.
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256`, `2.16.840.1.101.3.4.2.1`.
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// Longest nonce RFC 8954 allows (and the shortest is 1 octet).
pub const MAX_NONCE_LEN: usize = 32;

// ---------------------------------------------------------------------------------------------
// ASN.1 (RFC 6960 §4.1.1, §4.2.1; explicit tagging module, CertStatus tagged IMPLICIT)
// ---------------------------------------------------------------------------------------------

/// `CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// The hash of the two issuer hashes (SHA-1 or SHA-256 here).
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// Hash of the DER of the issuer's subject name.
    pub issuer_name_hash: OctetString,
    /// Hash of the issuer's subjectPublicKey bits (no tag, length or unused-bits octet).
    pub issuer_key_hash: OctetString,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

/// `Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Request {
    /// The certificate asked about.
    pub req_cert: CertId,
    /// Per-request extensions.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub single_request_extensions: Option<Extensions>,
}

/// `TBSRequest` (version DEFAULT v1 is omitted on output).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TbsRequest {
    /// `v1(0)`.
    #[asn1(context_specific = "0", default = "Default::default")]
    pub version: u8,
    /// `requestorName [1] EXPLICIT GeneralName OPTIONAL`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub requestor_name: Option<GeneralName>,
    /// The certificates asked about.
    pub request_list: Vec<Request>,
    /// `requestExtensions [2] EXPLICIT Extensions OPTIONAL` (the nonce lives here).
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub request_extensions: Option<Extensions>,
}

/// `Signature ::= SEQUENCE { signatureAlgorithm, signature BIT STRING, certs [0] OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RequestSignature {
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature value.
    pub signature: BitString,
    /// Certificates helping to verify it.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// `OCSPRequest ::= SEQUENCE { tbsRequest, optionalSignature [0] EXPLICIT OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspRequest {
    /// The request proper.
    pub tbs_request: TbsRequest,
    /// A requestor signature (decoded and kept; this crate neither makes nor checks them).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub optional_signature: Option<RequestSignature>,
}

/// `OCSPResponseStatus` (value 4 is unused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u32)]
pub enum OcspResponseStatus {
    /// The response has valid confirmations.
    Successful = 0,
    /// Illegal confirmation request.
    MalformedRequest = 1,
    /// Internal error in the responder.
    InternalError = 2,
    /// Try again later.
    TryLater = 3,
    /// The request must be signed.
    SigRequired = 5,
    /// The requestor (or the issuer asked about) is not served by this responder.
    Unauthorized = 6,
}

/// `ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseBytes {
    /// [`OCSP_BASIC`] for every response this crate makes or accepts.
    pub response_type: ObjectIdentifier,
    /// The DER of a `BasicOCSPResponse`.
    pub response: OctetString,
}

/// `OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspResponse {
    /// The processing status.
    pub response_status: OcspResponseStatus,
    /// Present only when successful.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

impl OcspResponse {
    /// An unsigned error response (`status` must not be `Successful`).
    pub fn error(status: OcspResponseStatus) -> Self {
        OcspResponse {
            response_status: status,
            response_bytes: None,
        }
    }
}

/// `BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct BasicOcspResponse {
    /// The signed part.
    pub tbs_response_data: ResponseData,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature over the DER of `tbs_response_data`.
    pub signature: BitString,
    /// Certificates for verifying the signature (a delegated responder's own).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// `ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }` (explicit tags).
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ResponderId {
    /// The responder's subject name.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    /// SHA-1 of the responder's subjectPublicKey bits.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// `ResponseData` (version DEFAULT v1 is omitted on output).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseData {
    /// `v1(0)`.
    #[asn1(context_specific = "0", default = "Default::default")]
    pub version: u8,
    /// Who signed.
    pub responder_id: ResponderId,
    /// When the response was signed.
    pub produced_at: GeneralizedTime,
    /// One answer per certificate asked about.
    pub responses: Vec<SingleResponse>,
    /// `responseExtensions [1] EXPLICIT Extensions OPTIONAL` (the nonce echo lives here).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Extensions>,
}

/// `SingleResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SingleResponse {
    /// The certificate answered about.
    pub cert_id: CertId,
    /// Its status.
    pub cert_status: CertStatus,
    /// The time at which the status is known to be correct.
    pub this_update: GeneralizedTime,
    /// When newer information will be available.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    /// Per-response extensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Extensions>,
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT NULL }`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CertStatus {
    /// Not revoked.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// Revoked.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    /// The responder does not know the certificate.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevokedInfo {
    /// When it was revoked.
    pub revocation_time: GeneralizedTime,
    /// Why.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReason>,
}

// ---------------------------------------------------------------------------------------------
// CertID and requests
// ---------------------------------------------------------------------------------------------

/// The hash of a [`CertId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-1 (what RFC 5019 clients and `openssl ocsp` send by default).
    Sha1,
    /// SHA-256.
    Sha256,
}

impl HashAlg {
    /// The `AlgorithmIdentifier` (parameters NULL, as OpenSSL writes them).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: match self {
                HashAlg::Sha1 => SHA1,
                HashAlg::Sha256 => SHA256,
            },
            parameters: Some(der::asn1::Any::from(Null)),
        }
    }

    /// The algorithm of `id` (parameters absent or NULL), if supported.
    pub fn of(id: &AlgorithmIdentifierOwned) -> Option<Self> {
        let null_or_absent = match &id.parameters {
            None => true,
            Some(p) => p.to_der().is_ok_and(|d| d == [0x05, 0x00]),
        };
        match id.oid {
            o if o == SHA1 && null_or_absent => Some(HashAlg::Sha1),
            o if o == SHA256 && null_or_absent => Some(HashAlg::Sha256),
            _ => None,
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}

/// An issuer as OCSP identifies it: the DER of its name and its public key bits.
#[derive(Clone, Debug)]
struct IssuerKey {
    name: Name,
    name_der: Vec<u8>,
    spki: SubjectPublicKeyInfoOwned,
}

impl IssuerKey {
    fn new(name: &Name, spki: &SubjectPublicKeyInfoOwned) -> Result<Self> {
        Ok(IssuerKey {
            name: name.clone(),
            name_der: name.to_der().map_err(|e| Error::der("issuer Name", e))?,
            spki: spki.clone(),
        })
    }

    fn of(cert: &Certificate) -> Result<Self> {
        let tbs = cert.tbs_certificate();
        Self::new(tbs.subject(), tbs.subject_public_key_info())
    }

    fn key_bits(&self) -> &[u8] {
        self.spki.subject_public_key.raw_bytes()
    }

    /// `true` when `id` names this issuer (any supported hash) and `serial`, if given.
    fn matches(&self, id: &CertId, serial: Option<&SerialNumber>) -> bool {
        let Some(h) = HashAlg::of(&id.hash_algorithm) else {
            return false;
        };
        serial.is_none_or(|s| *s == id.serial_number)
            && id.issuer_name_hash.as_bytes() == h.digest(&self.name_der)
            && id.issuer_key_hash.as_bytes() == h.digest(self.key_bits())
    }
}

impl CertId {
    /// The CertID of the certificate with `serial` issued by `issuer` (the CA certificate).
    pub fn new(hash: HashAlg, issuer: &Certificate, serial: &SerialNumber) -> Result<Self> {
        let issuer = IssuerKey::of(issuer)?;
        let octets = |v: Vec<u8>| OctetString::new(v).map_err(|e| Error::der("CertID hash", e));
        Ok(CertId {
            hash_algorithm: hash.algorithm_identifier(),
            issuer_name_hash: octets(hash.digest(&issuer.name_der))?,
            issuer_key_hash: octets(hash.digest(issuer.key_bits()))?,
            serial_number: serial.clone(),
        })
    }

    /// The CertID of `cert`, issued by `issuer`.
    pub fn for_certificate(
        hash: HashAlg,
        issuer: &Certificate,
        cert: &Certificate,
    ) -> Result<Self> {
        Self::new(hash, issuer, cert.tbs_certificate().serial_number())
    }
}

fn nonce_extension(nonce: &[u8]) -> Result<Extension> {
    if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
        return Err(Error::Ocsp(OcspRule::NonceLength(nonce.len())));
    }
    let inner = OctetString::new(nonce).map_err(|e| Error::der("nonce", e))?;
    Ok(Extension {
        extn_id: OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(inner.to_der().map_err(|e| Error::der("nonce", e))?)
            .map_err(|e| Error::der("nonce", e))?,
    })
}

/// The nonce in `exts`: `Some(Ok(bytes))`, `Some(Err(()))` when the extension is there but its
/// value is not an `OCTET STRING`, `None` when absent.
fn find_nonce(exts: Option<&Extensions>) -> Option<core::result::Result<Vec<u8>, ()>> {
    let e = exts?.iter().find(|e| e.extn_id == OCSP_NONCE)?;
    Some(
        OctetString::from_der(e.extn_value.as_bytes())
            .map(|o| o.as_bytes().to_vec())
            .map_err(|_| ()),
    )
}

/// An unsigned request for `ids`, with an RFC 8954 nonce (1..=32 octets) when given.
pub fn request(ids: Vec<CertId>, nonce: Option<&[u8]>) -> Result<OcspRequest> {
    if ids.is_empty() {
        return Err(Error::Params("an OCSP request needs at least one CertID"));
    }
    let request_extensions = nonce
        .map(|n| nonce_extension(n).map(|e| alloc::vec![e]))
        .transpose()?;
    Ok(OcspRequest {
        tbs_request: TbsRequest {
            version: 0,
            requestor_name: None,
            request_list: ids
                .into_iter()
                .map(|req_cert| Request {
                    req_cert,
                    single_request_extensions: None,
                })
                .collect(),
            request_extensions,
        },
        optional_signature: None,
    })
}

impl OcspRequest {
    /// The request's nonce, if any (`Err` when the extension does not hold an `OCTET STRING`).
    pub fn nonce(&self) -> Option<Result<Vec<u8>>> {
        find_nonce(self.tbs_request.request_extensions.as_ref())
            .map(|r| r.map_err(|()| Error::Ocsp(OcspRule::NonceMalformed)))
    }
}

// ---------------------------------------------------------------------------------------------
// Status sources
// ---------------------------------------------------------------------------------------------

/// A certificate's revocation status, as a responder reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not revoked.
    Good,
    /// Revoked at `time` for `reason`.
    Revoked {
        /// Revocation time.
        time: DateTime,
        /// Reason code, when known.
        reason: Option<CrlReason>,
    },
    /// Not known to the responder.
    Unknown,
}

/// The status database was unreachable: the responder answers `tryLater`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unavailable;

/// Where a [`Responder`] looks statuses up (for certificates of its CA).
pub trait StatusSource {
    /// The status of the certificate with `serial`.
    fn status(&self, serial: &SerialNumber) -> core::result::Result<Status, Unavailable>;
}

impl<F> StatusSource for F
where
    F: Fn(&SerialNumber) -> core::result::Result<Status, Unavailable>,
{
    fn status(&self, serial: &SerialNumber) -> core::result::Result<Status, Unavailable> {
        self(serial)
    }
}

/// A revocation list kept by the CA: revoked serials with time and reason, and optionally the
/// set of issued serials (then any other serial is `unknown`, otherwise `good`).
#[derive(Clone, Debug, Default)]
pub struct RevocationList {
    revoked: Vec<(SerialNumber, DateTime, Option<CrlReason>)>,
    issued: Option<Vec<SerialNumber>>,
}

impl RevocationList {
    /// An empty list: everything is good.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks `serial` revoked.
    pub fn revoke(&mut self, serial: SerialNumber, time: DateTime, reason: Option<CrlReason>) {
        self.revoked.retain(|(s, ..)| *s != serial);
        self.revoked.push((serial, time, reason));
    }

    /// Records an issued serial; once any is recorded, unrecorded serials are `unknown`.
    pub fn issued(&mut self, serial: SerialNumber) {
        self.issued.get_or_insert_with(Vec::new).push(serial);
    }
}

impl StatusSource for RevocationList {
    fn status(&self, serial: &SerialNumber) -> core::result::Result<Status, Unavailable> {
        if let Some((_, time, reason)) = self.revoked.iter().find(|(s, ..)| s == serial) {
            return Ok(Status::Revoked {
                time: *time,
                reason: *reason,
            });
        }
        match &self.issued {
            Some(issued) if !issued.contains(serial) => Ok(Status::Unknown),
            _ => Ok(Status::Good),
        }
    }
}

/// A CRL as a status source: listed serials are revoked (with the entry's date and reasonCode
/// extension), every other serial is good. The caller checks the CRL's signature and currency.
impl StatusSource for ParsedCrl {
    fn status(&self, serial: &SerialNumber) -> core::result::Result<Status, Unavailable> {
        let list = self.crl().tbs_cert_list.revoked_certificates.as_deref();
        let Some(entry) = list
            .unwrap_or(&[])
            .iter()
            .find(|r| r.serial_number == *serial)
        else {
            return Ok(Status::Good);
        };
        let reason = entry
            .crl_entry_extensions
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .find(|e| e.extn_id == CrlReason::OID)
            .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok());
        Ok(Status::Revoked {
            time: entry.revocation_date.to_date_time(),
            reason,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Responder
// ---------------------------------------------------------------------------------------------

/// How a [`Responder`] names itself in `responderID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponderIdKind {
    /// `byKey`: SHA-1 of its public key bits (RFC 5019's choice; the default).
    ByKey,
    /// `byName`: its subject name.
    ByName,
}

/// An OCSP responder for one CA: signs as the CA itself, or as a delegated responder whose
/// certificate the CA issued with EKU `id-kp-OCSPSigning` (see [`crate::Profile::OcspResponder`]).
#[derive(Clone, Debug)]
pub struct Responder<S = crate::SigningKey> {
    ca: IssuerKey,
    key: S,
    /// The delegated responder's certificate (`None`: the CA signs directly).
    responder_cert: Option<Certificate>,
    responder_name: Name,
    responder_key_hash: Vec<u8>,
    /// `responderID` form (default [`ResponderIdKind::ByKey`]).
    pub responder_id: ResponderIdKind,
    /// `nextUpdate = thisUpdate + validity` when set (default one day).
    pub validity: Option<Duration>,
    /// Include the delegated responder's certificate in `certs` (default `true`).
    pub include_certificate: bool,
}

impl<S: Signer> Responder<S> {
    /// The CA answers for itself with its own key (which must match `ca_cert`).
    pub fn direct(ca_cert: &Certificate, key: S) -> Result<Self> {
        if &key.public_key_info()? != ca_cert.tbs_certificate().subject_public_key_info() {
            return Err(Error::Params("key does not match the CA certificate"));
        }
        Self::build(ca_cert, key, None)
    }

    /// A delegated responder: `responder_cert` must be issued by `ca_cert` (name and signature),
    /// carry EKU `id-kp-OCSPSigning` and match `key`.
    pub fn delegated(ca_cert: &Certificate, responder_cert: Certificate, key: S) -> Result<Self> {
        let tbs = responder_cert.tbs_certificate();
        if &key.public_key_info()? != tbs.subject_public_key_info() {
            return Err(Error::Params(
                "key does not match the responder certificate",
            ));
        }
        // The issuer's signature is left to clients (the SM2 ID it was made with is theirs).
        check_delegation(&IssuerKey::of(ca_cert)?, None, &responder_cert, None, false)
            .map_err(Error::Ocsp)?;
        Self::build(ca_cert, key, Some(responder_cert))
    }

    fn build(ca_cert: &Certificate, key: S, responder_cert: Option<Certificate>) -> Result<Self> {
        let (responder_name, spki) = match &responder_cert {
            Some(c) => (
                c.tbs_certificate().subject().clone(),
                c.tbs_certificate().subject_public_key_info().clone(),
            ),
            None => (
                ca_cert.tbs_certificate().subject().clone(),
                ca_cert.tbs_certificate().subject_public_key_info().clone(),
            ),
        };
        Ok(Responder {
            ca: IssuerKey::of(ca_cert)?,
            key,
            responder_cert,
            responder_name,
            responder_key_hash: key_identifier(&spki),
            responder_id: ResponderIdKind::ByKey,
            validity: Some(Duration::from_secs(86_400)),
            include_certificate: true,
        })
    }

    /// Answers a DER request at time `now`; never fails: a bad request gets an error status
    /// (`malformedRequest` for undecodable requests, an empty list or a nonce outside 1..=32
    /// octets; `unauthorized` for a CertID of another issuer; `tryLater` when `source` is
    /// unavailable; `internalError` when signing fails).
    pub fn respond<T: StatusSource + ?Sized>(
        &self,
        request_der: &[u8],
        source: &T,
        now: DateTime,
    ) -> OcspResponse {
        let Ok(req) = OcspRequest::from_der(request_der) else {
            return OcspResponse::error(OcspResponseStatus::MalformedRequest);
        };
        self.respond_to(&req, source, now)
    }

    /// [`Responder::respond`], DER-encoded.
    pub fn respond_der<T: StatusSource + ?Sized>(
        &self,
        request_der: &[u8],
        source: &T,
        now: DateTime,
    ) -> Vec<u8> {
        encode_response(&self.respond(request_der, source, now))
    }

    /// Answers a decoded request (see [`Responder::respond`]).
    pub fn respond_to<T: StatusSource + ?Sized>(
        &self,
        req: &OcspRequest,
        source: &T,
        now: DateTime,
    ) -> OcspResponse {
        let tbs = &req.tbs_request;
        if tbs.request_list.is_empty() {
            return OcspResponse::error(OcspResponseStatus::MalformedRequest);
        }
        let nonce = match req.nonce() {
            None => None,
            Some(Ok(n)) if (1..=MAX_NONCE_LEN).contains(&n.len()) => Some(n),
            Some(_) => return OcspResponse::error(OcspResponseStatus::MalformedRequest),
        };
        if tbs
            .request_list
            .iter()
            .any(|r| !self.ca.matches(&r.req_cert, None))
        {
            return OcspResponse::error(OcspResponseStatus::Unauthorized);
        }
        let mut statuses = Vec::with_capacity(tbs.request_list.len());
        for r in &tbs.request_list {
            match source.status(&r.req_cert.serial_number) {
                Ok(s) => statuses.push((r.req_cert.clone(), s)),
                Err(Unavailable) => return OcspResponse::error(OcspResponseStatus::TryLater),
            }
        }
        self.sign(statuses, nonce.as_deref(), now)
            .unwrap_or_else(|_| OcspResponse::error(OcspResponseStatus::InternalError))
    }

    /// Signs a successful response with the given statuses at `now` (thisUpdate = producedAt =
    /// `now`), echoing `nonce` if given.
    pub fn sign(
        &self,
        statuses: Vec<(CertId, Status)>,
        nonce: Option<&[u8]>,
        now: DateTime,
    ) -> Result<OcspResponse> {
        let gt = GeneralizedTime::from_date_time;
        let next_update = match self.validity {
            Some(d) => Some(gt(DateTime::from_unix_duration(now.unix_duration() + d)
                .map_err(|e| Error::der("nextUpdate", e))?)),
            None => None,
        };
        let responses = statuses
            .into_iter()
            .map(|(cert_id, s)| SingleResponse {
                cert_id,
                cert_status: match s {
                    Status::Good => CertStatus::Good(Null),
                    Status::Unknown => CertStatus::Unknown(Null),
                    Status::Revoked { time, reason } => CertStatus::Revoked(RevokedInfo {
                        revocation_time: gt(time),
                        revocation_reason: reason,
                    }),
                },
                this_update: gt(now),
                next_update,
                single_extensions: None,
            })
            .collect();
        let responder_id = match self.responder_id {
            ResponderIdKind::ByKey => ResponderId::ByKey(
                OctetString::new(self.responder_key_hash.clone())
                    .map_err(|e| Error::der("KeyHash", e))?,
            ),
            ResponderIdKind::ByName => ResponderId::ByName(self.responder_name.clone()),
        };
        let data = ResponseData {
            version: 0,
            responder_id,
            produced_at: gt(now),
            responses,
            response_extensions: nonce
                .map(|n| nonce_extension(n).map(|e| alloc::vec![e]))
                .transpose()?,
        };
        let tbs = data.to_der().map_err(|e| Error::der("ResponseData", e))?;
        let signature = BitString::from_bytes(&self.key.sign(&tbs)?)
            .map_err(|e| Error::der("BasicOCSPResponse.signature", e))?;
        let certs = match (&self.responder_cert, self.include_certificate) {
            (Some(c), true) => Some(alloc::vec![c.clone()]),
            _ => None,
        };
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: self.key.signature_algorithm(),
            signature,
            certs,
        };
        let response = OctetString::new(
            basic
                .to_der()
                .map_err(|e| Error::der("BasicOCSPResponse", e))?,
        )
        .map_err(|e| Error::der("ResponseBytes", e))?;
        Ok(OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: OCSP_BASIC,
                response,
            }),
        })
    }

    /// The CA this responder answers for, as `(name, public key)`.
    pub fn ca(&self) -> (&Name, &SubjectPublicKeyInfoOwned) {
        (&self.ca.name, &self.ca.spki)
    }
}

fn encode_response(r: &OcspResponse) -> Vec<u8> {
    // An OcspResponse built here always encodes (every field was built from valid values);
    // should it not, the fixed internalError response stands in.
    r.to_der()
        .unwrap_or_else(|_| alloc::vec![0x30, 0x03, 0x0a, 0x01, 0x02])
}

// ---------------------------------------------------------------------------------------------
// Client-side checks
// ---------------------------------------------------------------------------------------------

/// `BasicOCSPResponse` with the signed part kept as its exact encoded bytes.
#[derive(Sequence)]
struct BasicParts<'a> {
    tbs: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<AnyRef<'a>>,
}

/// A decoded response; for a successful one also the basic response and the exact bytes its
/// signature covers.
#[derive(Clone, Debug)]
pub struct ParsedResponse {
    response: OcspResponse,
    basic: Option<(BasicOcspResponse, Vec<u8>, Vec<u8>)>,
}

/// Options of [`ParsedResponse::check`].
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The time of the check.
    pub time: DateTime,
    /// Clock skew tolerated on thisUpdate/producedAt (future) and nextUpdate (past); default
    /// 5 minutes.
    pub skew: Duration,
    /// If set, `time - thisUpdate` must not exceed this (RFC 5019 §4: responses without
    /// nextUpdate need a local policy).
    pub max_age: Option<Duration>,
    /// The nonce sent: the response must echo it.
    pub nonce: Option<Vec<u8>>,
    /// SM2 distinguishing ID for response and responder-certificate signatures.
    pub sm2_id: Vec<u8>,
    /// Require the `id-pkix-ocsp-nocheck` extension in a delegated responder's certificate.
    pub require_nocheck: bool,
}

impl CheckOptions {
    /// Checks at `time`, 5 minutes skew, no max age, no nonce, standard SM2 ID.
    pub fn at(time: DateTime) -> Self {
        CheckOptions {
            time,
            skew: Duration::from_secs(300),
            max_age: None,
            nonce: None,
            sm2_id: crate::alg::DEFAULT_SM2_ID.to_vec(),
            require_nocheck: false,
        }
    }
}

/// A status that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedStatus {
    /// The certificate's status.
    pub status: Status,
    /// `thisUpdate`.
    pub this_update: DateTime,
    /// `nextUpdate`, if any.
    pub next_update: Option<DateTime>,
    /// `producedAt`.
    pub produced_at: DateTime,
    /// `true` when a delegated responder signed (`false`: the CA itself).
    pub delegated: bool,
}

impl ParsedResponse {
    /// Decodes a DER `OCSPResponse` (and, when successful, its `BasicOCSPResponse`).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let response = OcspResponse::from_der(der).map_err(|e| Error::der("OCSPResponse", e))?;
        let basic = match &response.response_bytes {
            Some(rb) if rb.response_type == OCSP_BASIC => {
                let bytes = rb.response.as_bytes();
                let parts =
                    BasicParts::from_der(bytes).map_err(|e| Error::der("BasicOCSPResponse", e))?;
                let basic = BasicOcspResponse::from_der(bytes)
                    .map_err(|e| Error::der("BasicOCSPResponse", e))?;
                let tbs = parts
                    .tbs
                    .to_der()
                    .map_err(|e| Error::der("ResponseData", e))?;
                let sig = parts
                    .signature
                    .as_bytes()
                    .ok_or(Error::Ocsp(OcspRule::Signature))?
                    .to_vec();
                Some((basic, tbs, sig))
            }
            _ => None,
        };
        Ok(ParsedResponse { response, basic })
    }

    /// The decoded `OCSPResponse`.
    pub fn response(&self) -> &OcspResponse {
        &self.response
    }

    /// The basic response, when the response is successful and of the basic type.
    pub fn basic(&self) -> Option<&BasicOcspResponse> {
        self.basic.as_ref().map(|b| &b.0)
    }

    /// Checks the response for the certificate `serial` issued by `issuer` (RFC 6960 §3.2):
    /// successful basic response; a SingleResponse whose CertID names `issuer` and `serial`;
    /// the signature under the CA's key (responderID = CA) or under a delegated responder's
    /// certificate from `certs` that the CA issued with EKU `id-kp-OCSPSigning`, valid at
    /// `time`; thisUpdate and producedAt not later than `time + skew`; nextUpdate (if any) not
    /// earlier than `time - skew`; the max age; the nonce echo. Each failure is
    /// [`Error::Ocsp`] naming the rule.
    pub fn check(
        &self,
        issuer: &Certificate,
        serial: &SerialNumber,
        opts: &CheckOptions,
    ) -> Result<CheckedStatus> {
        let ca = IssuerKey::of(issuer)?;
        let ca_key = VerifyingKey::from_spki(&ca.spki, &opts.sm2_id)?;
        self.check_with(&ca, &ca_key, serial, opts)
            .map_err(Error::Ocsp)
    }

    /// `true` when a SingleResponse names this issuer and serial.
    fn covers(&self, ca: &IssuerKey, serial: &SerialNumber) -> bool {
        self.basic().is_some_and(|b| {
            b.tbs_response_data
                .responses
                .iter()
                .any(|r| ca.matches(&r.cert_id, Some(serial)))
        })
    }

    fn check_with(
        &self,
        ca: &IssuerKey,
        ca_key: &VerifyingKey,
        serial: &SerialNumber,
        opts: &CheckOptions,
    ) -> core::result::Result<CheckedStatus, OcspRule> {
        if self.response.response_status != OcspResponseStatus::Successful {
            return Err(OcspRule::ResponseStatus(self.response.response_status));
        }
        let rb = self
            .response
            .response_bytes
            .as_ref()
            .ok_or(OcspRule::ResponseType(None))?;
        let (basic, tbs, sig) = self
            .basic
            .as_ref()
            .ok_or(OcspRule::ResponseType(Some(rb.response_type)))?;
        let data = &basic.tbs_response_data;

        // Authorization and signature.
        let delegated = self.verify_signer(ca, ca_key, basic, tbs, sig, opts)?;

        // Nonce echo.
        if let Some(sent) = &opts.nonce {
            match find_nonce(data.response_extensions.as_ref()) {
                None => return Err(OcspRule::NonceMissing),
                Some(Err(())) => return Err(OcspRule::NonceMalformed),
                Some(Ok(got)) if got != *sent => return Err(OcspRule::NonceMismatch),
                Some(Ok(_)) => {}
            }
        }

        // CertID.
        let single = data
            .responses
            .iter()
            .find(|r| ca.matches(&r.cert_id, Some(serial)))
            .ok_or(OcspRule::CertIdMismatch)?;

        // Freshness.
        let t = opts.time.unix_duration();
        let this_update = single.this_update.to_date_time();
        let produced_at = data.produced_at.to_date_time();
        let next_update = single.next_update.map(|n| n.to_date_time());
        if next_update.is_some_and(|n| n < this_update) {
            return Err(OcspRule::NextUpdateBeforeThisUpdate);
        }
        if this_update.unix_duration() > t + opts.skew {
            return Err(OcspRule::ThisUpdateInFuture);
        }
        if produced_at.unix_duration() > t + opts.skew {
            return Err(OcspRule::ProducedInFuture);
        }
        if next_update.is_some_and(|n| n.unix_duration() + opts.skew < t) {
            return Err(OcspRule::NextUpdatePassed);
        }
        if let Some(max) = opts.max_age
            && t.saturating_sub(this_update.unix_duration()) > max
        {
            return Err(OcspRule::TooOld);
        }
        let status = match &single.cert_status {
            CertStatus::Good(_) => Status::Good,
            CertStatus::Unknown(_) => Status::Unknown,
            CertStatus::Revoked(info) => Status::Revoked {
                time: info.revocation_time.to_date_time(),
                reason: info.revocation_reason,
            },
        };
        Ok(CheckedStatus {
            status,
            this_update,
            next_update,
            produced_at,
            delegated,
        })
    }

    /// Finds who signed (the CA, or a delegated responder from `certs`), checks that it may,
    /// and verifies the signature. Returns `true` for a delegated responder.
    fn verify_signer(
        &self,
        ca: &IssuerKey,
        ca_key: &VerifyingKey,
        basic: &BasicOcspResponse,
        tbs: &[u8],
        sig: &[u8],
        opts: &CheckOptions,
    ) -> core::result::Result<bool, OcspRule> {
        let id = &basic.tbs_response_data.responder_id;
        let names = |name: &Name, spki: &SubjectPublicKeyInfoOwned| match id {
            ResponderId::ByName(n) => n == name,
            ResponderId::ByKey(h) => h.as_bytes() == key_identifier(spki).as_slice(),
        };
        let alg = &basic.signature_algorithm;
        if names(&ca.name, &ca.spki) {
            return ca_key
                .verify(alg, tbs, sig)
                .map(|()| false)
                .map_err(|_| OcspRule::Signature);
        }
        let certs = basic.certs.as_deref().unwrap_or(&[]);
        let cert = certs
            .iter()
            .find(|c| {
                let t = c.tbs_certificate();
                names(t.subject(), t.subject_public_key_info())
            })
            .ok_or(OcspRule::ResponderNotAuthorized)?;
        check_delegation(
            ca,
            Some(ca_key),
            cert,
            Some(opts.time),
            opts.require_nocheck,
        )?;
        let key = VerifyingKey::from_spki(
            cert.tbs_certificate().subject_public_key_info(),
            &opts.sm2_id,
        )
        .map_err(|_| OcspRule::Signature)?;
        key.verify(alg, tbs, sig)
            .map(|()| true)
            .map_err(|_| OcspRule::Signature)
    }
}

/// RFC 6960 §4.2.2.2: a delegated responder's certificate is issued directly by the CA (name
/// and, if `ca_key` is given, signature), has EKU `id-kp-OCSPSigning`, digitalSignature if
/// keyUsage is present, is valid at `time` (if given) and carries `ocsp-nocheck` (if required).
fn check_delegation(
    ca: &IssuerKey,
    ca_key: Option<&VerifyingKey>,
    c: &Certificate,
    time: Option<DateTime>,
    require_nocheck: bool,
) -> core::result::Result<(), OcspRule> {
    let tbs = c.tbs_certificate();
    if tbs.issuer() != &ca.name || tbs.signature() != c.signature_algorithm() {
        return Err(OcspRule::ResponderNotIssuedByCa);
    }
    if let Some(ca_key) = ca_key {
        let der = c.to_der().map_err(|_| OcspRule::ResponderNotIssuedByCa)?;
        let parts = SignedParts::from_der(&der).map_err(|_| OcspRule::ResponderNotIssuedByCa)?;
        let tbs_der = parts
            .tbs
            .to_der()
            .map_err(|_| OcspRule::ResponderNotIssuedByCa)?;
        let sig = parts
            .signature
            .as_bytes()
            .ok_or(OcspRule::ResponderNotIssuedByCa)?;
        ca_key
            .verify(c.signature_algorithm(), &tbs_der, sig)
            .map_err(|_| OcspRule::ResponderNotIssuedByCa)?;
    }
    let exts = tbs.extensions().map(|e| e.as_slice()).unwrap_or(&[]);
    let find = |oid| exts.iter().find(|e| e.extn_id == oid);
    let eku = find(ExtendedKeyUsage::OID)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok());
    if !eku.is_some_and(|eku| eku.0.contains(&KP_OCSP_SIGNING)) {
        return Err(OcspRule::ResponderLacksOcspSigning);
    }
    if let Some(ku) = find(KeyUsage::OID) {
        let ku = KeyUsage::from_der(ku.extn_value.as_bytes())
            .map_err(|_| OcspRule::ResponderKeyUsage)?;
        if !ku.digital_signature() {
            return Err(OcspRule::ResponderKeyUsage);
        }
    }
    if let Some(time) = time {
        let v = tbs.validity();
        if time < v.not_before.to_date_time() || time > v.not_after.to_date_time() {
            return Err(OcspRule::ResponderCertificateExpired);
        }
    }
    if require_nocheck && find(OCSP_NOCHECK).is_none() {
        return Err(OcspRule::ResponderNoCheckMissing);
    }
    Ok(())
}

/// OCSP responses for path validation ([`crate::ValidationOptions::ocsp`]).
#[derive(Clone, Debug, Default)]
pub struct OcspEvidence {
    /// Responses (stapled or fetched); each certificate uses the ones that name it.
    pub responses: Vec<ParsedResponse>,
    /// Clock skew tolerated (default 5 minutes).
    pub skew: Duration,
    /// Maximum age of thisUpdate, if any.
    pub max_age: Option<Duration>,
}

impl OcspEvidence {
    /// Evidence from `responses`, 5 minutes skew, no max age.
    pub fn new(responses: Vec<ParsedResponse>) -> Self {
        OcspEvidence {
            responses,
            skew: Duration::from_secs(300),
            max_age: None,
        }
    }

    /// Revocation of one certificate in path validation: `None` when no response names it;
    /// otherwise the first response that passes every check decides (good → `Ok`, revoked or
    /// unknown → the rule), or the last check failure.
    pub(crate) fn check(
        &self,
        issuer_name: &Name,
        issuer_spki: &SubjectPublicKeyInfoOwned,
        issuer_key: &VerifyingKey,
        serial: &SerialNumber,
        time: DateTime,
        sm2_id: &[u8],
    ) -> Option<core::result::Result<(), Rule>> {
        let ca = IssuerKey::new(issuer_name, issuer_spki).ok()?;
        let mut opts = CheckOptions::at(time);
        opts.skew = self.skew;
        opts.max_age = self.max_age;
        opts.sm2_id = sm2_id.to_vec();
        let mut last = None;
        for r in self.responses.iter().filter(|r| r.covers(&ca, serial)) {
            match r.check_with(&ca, issuer_key, serial, &opts) {
                Ok(c) => {
                    return Some(match c.status {
                        Status::Good => Ok(()),
                        Status::Revoked { .. } => Err(Rule::RevokedByOcsp),
                        Status::Unknown => Err(Rule::OcspUnknown),
                    });
                }
                Err(rule) => last = Some(Err(Rule::Ocsp(rule))),
            }
        }
        last
    }
}
