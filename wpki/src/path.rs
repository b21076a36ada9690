//! RFC 5280 §6.1 path validation of an ordered chain to a trust anchor at a given time.
//!
//! Checked for every certificate: the signature under the working public key (and that the
//! inner and outer signature algorithms agree), validity at the validation time, issuer =
//! previous subject (binary DER comparison), duplicate extensions and unrecognised critical
//! extensions. For intermediates additionally: version 3, BasicConstraints `cA`, the path length
//! (`max_path_length`, pathLenConstraint, self-issued certificates not counted) and keyUsage
//! keyCertSign. For the target: an optional required extended key usage. Name constraints of
//! the intermediates apply to every certificate below them (self-issued intermediates exempt):
//! directoryName, dNSName, rfc822Name (with emailAddress in the subject DN) and iPAddress, see
//! [`crate::names`].
//!
//! Not processed (so a *critical* occurrence fails as unrecognised): certificate policies,
//! policy mappings/constraints, inhibitAnyPolicy. Revocation is not
//! checked unless CRLs or OCSP responses are given ([`ValidationOptions::crls`],
//! [`ValidationOptions::ocsp`]).

use crate::alg::{DEFAULT_SM2_ID, Verifier, VerifyingKey};
use crate::cert::SignedParts;
use crate::crl::ParsedCrl;
use crate::error::Rule;
use crate::{Error, Result};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{DateTime, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

/// `anyExtendedKeyUsage` (RFC 5280 §4.2.1.12).
pub const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// A decoded certificate together with the exact bytes its signature covers.
#[derive(Clone, Debug)]
pub struct ParsedCertificate {
    certificate: Certificate,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl ParsedCertificate {
    /// Decodes a DER certificate (strict DER; no trailing data).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let parts = SignedParts::from_der(der).map_err(|e| Error::der("Certificate", e))?;
        let certificate = Certificate::from_der(der).map_err(|e| Error::der("Certificate", e))?;
        let tbs = parts
            .tbs
            .to_der()
            .map_err(|e| Error::der("TBSCertificate", e))?;
        let signature = parts
            .signature
            .as_bytes()
            .ok_or(Error::der(
                "signatureValue",
                der::ErrorKind::Value {
                    tag: der::Tag::BitString,
                }
                .into(),
            ))?
            .to_vec();
        Ok(ParsedCertificate {
            certificate,
            tbs,
            signature,
        })
    }

    /// From a decoded certificate (re-encoded to DER).
    pub fn from_certificate(certificate: &Certificate) -> Result<Self> {
        Self::from_der(
            &certificate
                .to_der()
                .map_err(|e| Error::der("Certificate", e))?,
        )
    }

    /// Decodes one PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let (label, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|e| Error::der("PEM", e.into()))?;
        if label != "CERTIFICATE" {
            return Err(Error::Params("PEM block is not a CERTIFICATE"));
        }
        Self::from_der(&der)
    }

    /// The decoded certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The subject as an RFC 4514 string.
    pub fn subject_string(&self) -> String {
        self.certificate.tbs_certificate().subject().to_string()
    }
}

/// A trust anchor: a name and a public key (taken from a trusted, usually self-signed,
/// certificate, whose own signature and constraints are not checked, RFC 5280 §6.1.1 (d)).
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    subject: Name,
    spki: spki::SubjectPublicKeyInfoOwned,
}

impl TrustAnchor {
    /// The anchor of a trusted certificate.
    pub fn from_certificate(cert: &Certificate) -> Self {
        let tbs = cert.tbs_certificate();
        TrustAnchor {
            subject: tbs.subject().clone(),
            spki: tbs.subject_public_key_info().clone(),
        }
    }

    /// The anchor's name.
    pub fn subject(&self) -> &Name {
        &self.subject
    }
}

/// Validation inputs other than the chain.
#[derive(Clone, Debug)]
pub struct ValidationOptions {
    /// The time at which the path must be valid.
    pub time: DateTime,
    /// The SM2 distinguishing ID certificate signatures are checked for
    /// (default [`DEFAULT_SM2_ID`]; `b""` for certificates signed by the OpenSSL CLI without
    /// `-sigopt distid:`).
    pub sm2_id: Vec<u8>,
    /// If set, the target's extendedKeyUsage, when present, must contain this purpose or
    /// `anyExtendedKeyUsage`.
    pub required_eku: Option<ObjectIdentifier>,
    /// If set, every certificate must be covered by a CRL here that its issuer signed (with
    /// cRLSign in the issuer's keyUsage, when present), current at `time`, and must not be
    /// listed in it (RFC 5280 §6.3, complete CRLs only: no delta CRLs or distribution-point
    /// scopes).
    pub crls: Option<Vec<ParsedCrl>>,
    /// If set, a certificate named by a response here is checked by OCSP instead of CRL
    /// ([`crate::ocsp::ParsedResponse::check`]: CertID, signature by the issuer or its delegated
    /// responder, freshness); revoked or unknown fails. A certificate no response names falls
    /// back to `crls`, or fails with [`Rule::NoOcspResponse`] when `crls` is not set.
    pub ocsp: Option<crate::ocsp::OcspEvidence>,
}

impl ValidationOptions {
    /// Options for `time` with the standard SM2 ID, no EKU requirement, no revocation check.
    pub fn at(time: DateTime) -> Self {
        ValidationOptions {
            time,
            sm2_id: DEFAULT_SM2_ID.to_vec(),
            required_eku: None,
            crls: None,
            ocsp: None,
        }
    }
}

/// A successfully validated path.
#[derive(Clone, Debug)]
pub struct ValidPath {
    /// Index of the anchor (in the slice given) the path ends at.
    pub anchor: usize,
    /// The target's public key (for verifying what it signs).
    pub target_key: VerifyingKey,
}

/// Known extensions: processed here or never critical in a way that matters to path validity.
fn recognised(oid: &ObjectIdentifier) -> bool {
    [
        BasicConstraints::OID,
        KeyUsage::OID,
        ExtendedKeyUsage::OID,
        SubjectKeyIdentifier::OID,
        AuthorityKeyIdentifier::OID,
        SubjectAltName::OID,
        NameConstraints::OID,
    ]
    .contains(oid)
}

struct Exts {
    bc: Option<BasicConstraints>,
    ku: Option<KeyUsage>,
    eku: Option<ExtendedKeyUsage>,
    nc: Option<NameConstraints>,
}

fn decode_ext<'a, T: Decode<'a>>(
    oid: ObjectIdentifier,
    value: &'a [u8],
) -> core::result::Result<T, Rule> {
    T::from_der(value).map_err(|_| Rule::BadExtension(oid))
}

fn extensions(cert: &Certificate) -> core::result::Result<Exts, Rule> {
    let mut out = Exts {
        bc: None,
        ku: None,
        eku: None,
        nc: None,
    };
    let list = cert
        .tbs_certificate()
        .extensions()
        .map(|e| e.as_slice())
        .unwrap_or(&[]);
    for (i, e) in list.iter().enumerate() {
        if list[..i].iter().any(|p| p.extn_id == e.extn_id) {
            return Err(Rule::DuplicateExtension(e.extn_id));
        }
        let v = e.extn_value.as_bytes();
        if e.extn_id == BasicConstraints::OID {
            out.bc = Some(decode_ext(e.extn_id, v)?);
        } else if e.extn_id == KeyUsage::OID {
            out.ku = Some(decode_ext(e.extn_id, v)?);
        } else if e.extn_id == ExtendedKeyUsage::OID {
            out.eku = Some(decode_ext(e.extn_id, v)?);
        } else if e.extn_id == NameConstraints::OID {
            out.nc = Some(decode_ext(e.extn_id, v)?);
        } else if e.critical && !recognised(&e.extn_id) {
            return Err(Rule::UnknownCriticalExtension(e.extn_id));
        }
    }
    Ok(out)
}

fn name_eq(a: &Name, b: &Name) -> bool {
    // Binary comparison of the DER encodings (RFC 5280 §7.1 allows it as a subset of the
    // full comparison rules; names this crate issues compare equal this way).
    a == b
}

/// Validates `chain` (target first, then its issuers up to the certificate issued by an
/// anchor) against `anchors` at `options.time` (RFC 5280 §6.1 as described in the module
/// docs). Anchors whose name matches the top certificate's issuer are tried in order.
///
/// ```
/// # use mpay_wpki::*;
/// # use der::DateTime;
/// # let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// # let from = DateTime::new(2026, 1, 1, 0, 0, 0).unwrap();
/// # let to = DateTime::new(2036, 1, 1, 0, 0, 0).unwrap();
/// let root = Ca::self_signed(SigningKey::generate_p256(&mut rng),
///     &CertificateParams::new("CN=Root".parse().unwrap(), from, to, Profile::Ca { path_len: None }),
///     &mut rng).unwrap();
/// let pos_key = SigningKey::generate_p256(&mut rng);
/// let pos = root.issue(&CertificateParams::new("CN=POS 1".parse().unwrap(), from, to,
///     Profile::PosTerminal), &pos_key.public_key_info().unwrap(), &mut rng).unwrap();
/// let chain = [ParsedCertificate::from_certificate(&pos).unwrap()];
/// let anchors = [TrustAnchor::from_certificate(root.certificate())];
/// let now = DateTime::new(2027, 6, 1, 12, 0, 0).unwrap();
/// assert!(validate(&chain, &anchors, &ValidationOptions::at(now)).is_ok());
/// let later = DateTime::new(2040, 1, 1, 0, 0, 0).unwrap();
/// assert!(validate(&chain, &anchors, &ValidationOptions::at(later)).is_err());
/// ```
pub fn validate(
    chain: &[ParsedCertificate],
    anchors: &[TrustAnchor],
    options: &ValidationOptions,
) -> Result<ValidPath> {
    let top = chain.last().ok_or(Error::EmptyChain)?;
    let issuer = top.certificate.tbs_certificate().issuer();
    let mut last_err = None;
    for (i, anchor) in anchors.iter().enumerate() {
        if !name_eq(&anchor.subject, issuer) {
            continue;
        }
        match validate_from(chain, anchor, options) {
            Ok(target_key) => {
                return Ok(ValidPath {
                    anchor: i,
                    target_key,
                });
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| Error::NoTrustAnchor {
        issuer: issuer.to_string(),
    }))
}

fn validate_from(
    chain: &[ParsedCertificate],
    anchor: &TrustAnchor,
    options: &ValidationOptions,
) -> Result<VerifyingKey> {
    let anchor_key = VerifyingKey::from_spki(&anchor.spki, &options.sm2_id).map_err(|_| {
        Error::NoTrustAnchor {
            issuer: anchor.subject.to_string(),
        }
    })?;
    let mut working_key = anchor_key;
    let mut working_name = &anchor.subject;
    let mut working_spki = &anchor.spki;
    let mut max_path_length = chain.len();
    let mut issuer_may_sign_crls = true;
    let mut names = crate::names::NameState::default();
    for (index, pc) in chain.iter().enumerate().rev() {
        let fail = |rule| Error::Path {
            index,
            subject: pc.subject_string(),
            rule,
        };
        let tbs = pc.certificate.tbs_certificate();
        let outer: &AlgorithmIdentifierOwned = pc.certificate.signature_algorithm();
        if tbs.signature() != outer {
            return Err(fail(Rule::AlgorithmMismatch));
        }
        if !name_eq(tbs.issuer(), working_name) {
            return Err(fail(Rule::IssuerMismatch));
        }
        match working_key.verify(outer, &pc.tbs, &pc.signature) {
            Ok(()) => {}
            Err(Error::Algorithm { oid, .. }) => return Err(fail(Rule::Algorithm(oid))),
            Err(Error::UnsupportedParameters { oid, reason }) => {
                return Err(fail(Rule::AlgorithmParameters { oid, reason }));
            }
            Err(_) => return Err(fail(Rule::Signature)),
        }
        let by_ocsp = options.ocsp.as_ref().and_then(|o| {
            let serial = tbs.serial_number();
            o.check(
                working_name,
                working_spki,
                &working_key,
                serial,
                options.time,
                &options.sm2_id,
            )
        });
        if let Some(result) = by_ocsp {
            result.map_err(fail)?;
        } else if let Some(crls) = &options.crls {
            if !issuer_may_sign_crls {
                return Err(fail(Rule::KeyUsage("cRLSign (issuer cannot sign CRLs)")));
            }
            check_revocation(
                crls,
                working_name,
                &working_key,
                tbs.serial_number(),
                options.time,
            )
            .map_err(fail)?;
        } else if options.ocsp.is_some() {
            return Err(fail(Rule::NoOcspResponse));
        }
        let validity = tbs.validity();
        if options.time < validity.not_before.to_date_time() {
            return Err(fail(Rule::NotYetValid));
        }
        if options.time > validity.not_after.to_date_time() {
            return Err(fail(Rule::Expired));
        }
        let exts = extensions(&pc.certificate).map_err(fail)?;
        // §6.1.3 (b)(c): the names must satisfy the constraints of the CAs above (a self-issued
        // intermediate is exempt; the target never is).
        if index == 0 || !name_eq(tbs.issuer(), tbs.subject()) {
            names.check(&pc.certificate).map_err(fail)?;
        }
        if index > 0 {
            if tbs.version() != Version::V3 {
                return Err(fail(Rule::NotV3));
            }
            let bc = exts
                .bc
                .filter(|bc| bc.ca)
                .ok_or_else(|| fail(Rule::NotCa))?;
            let self_issued = name_eq(tbs.issuer(), tbs.subject());
            if !self_issued {
                if max_path_length == 0 {
                    return Err(fail(Rule::PathLength));
                }
                max_path_length -= 1;
            }
            if let Some(p) = bc.path_len_constraint {
                max_path_length = max_path_length.min(usize::from(p));
            }
            if exts.ku.is_some_and(|ku| !ku.key_cert_sign()) {
                return Err(fail(Rule::KeyUsage("keyCertSign")));
            }
            // §6.1.4 (g): intersect the permitted, unite the excluded subtrees.
            if let Some(nc) = &exts.nc {
                names.update(nc).map_err(fail)?;
            }
        } else if let (Some(want), Some(eku)) = (options.required_eku, &exts.eku)
            && !eku
                .0
                .iter()
                .any(|p| *p == want || *p == ANY_EXTENDED_KEY_USAGE)
        {
            return Err(fail(Rule::ExtendedKeyUsage(want)));
        }
        working_key = VerifyingKey::from_spki(tbs.subject_public_key_info(), &options.sm2_id)
            .map_err(|_| fail(Rule::PublicKey))?;
        working_name = tbs.subject();
        working_spki = tbs.subject_public_key_info();
        issuer_may_sign_crls = exts.ku.is_none_or(|ku| ku.crl_sign());
    }
    Ok(working_key)
}

fn check_revocation(
    crls: &[ParsedCrl],
    issuer: &Name,
    issuer_key: &VerifyingKey,
    serial: &x509_cert::serial_number::SerialNumber,
    time: DateTime,
) -> core::result::Result<(), Rule> {
    let mut stale = false;
    for crl in crls {
        let c = crl.crl();
        if !name_eq(&c.tbs_cert_list.issuer, issuer)
            || crl.has_unknown_critical_extension()
            || crl.verify(issuer_key).is_err()
        {
            continue;
        }
        if !crl.is_current(time) {
            stale = true;
            continue;
        }
        return if crl.is_revoked(serial) {
            Err(Rule::Revoked)
        } else {
            Ok(())
        };
    }
    Err(Rule::NoCurrentCrl { stale })
}
