//! Certificate chains of Signature records, validated to trust anchors through `mpay-wpki`.
//!
//! For every signed section of a message, [`verify_with_chain`]:
//!
//! 1. takes the certificate chain field of its Signature record — **X.509 only**: the M2M
//!    format (ANSI X9.68-2, which is not publicly available) and the reserved formats are
//!    refused with [`Error::Certificate`];
//! 2. if the record carries a next-certificate URI, asks the caller's `fetch` callback for the
//!    certificates found there (DER, in chain order) and appends them — this crate does no
//!    network I/O;
//! 3. validates the chain (signer first) with [`mpay_wpki::validate`] against the caller's
//!    [`TrustAnchor`]s and [`ValidationOptions`] (validation time, optional CRLs, SM2 ID of the
//!    certificate signatures, optional extended key usage);
//! 4. requires the signer certificate's keyUsage, when present, to allow signatures
//!    (digitalSignature or nonRepudiation; RFC 5280 §4.2.1.3), so a CA certificate can not stand
//!    in for a signer;
//! 5. verifies the signature with the signer certificate's key: ECDSA P-256 / SHA-256 (NFC Forum
//!    type `0x0B`) for a P-256 key, and — with feature `sm2`, the **mpay extension** not in the
//!    NFC Forum table — SM2 / SM3 (type `0x7F`) for an SM2 key. Any other pairing of signature
//!    type and key is an error.
//!
//! ```
//! use mpay_nfc_ndef::signature::{sign_p256, verify_with_chain, SigningKey};
//! use mpay_nfc_ndef::signature::chain::{DateTime, TrustAnchor, ValidationOptions};
//! use mpay_nfc_ndef::{wkt::Uri, Message};
//! use mpay_wpki::{Ca, CertificateParams, Profile, Signer};
//!
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0)?, DateTime::new(2031, 1, 1, 0, 0, 0)?);
//! let root = Ca::self_signed(mpay_wpki::SigningKey::generate_p256(&mut rng),
//!     &CertificateParams::new("CN=Tag Root".parse()?, from, to, Profile::Ca { path_len: None }),
//!     &mut rng)?;
//! let tag_key = SigningKey::from_slice(&[0x11; 32])?;
//! let tag_cert = root.issue(
//!     &CertificateParams::new("CN=Merchant tag 7".parse()?, from, to, Profile::WalletUser),
//!     &mpay_wpki::SigningKey::P256(tag_key.clone()).public_key_info()?, &mut rng)?;
//!
//! let mut msg = Message::from(vec![Uri::new("https://pay.example/m/7").to_record()]);
//! sign_p256(&mut msg, &tag_key, vec![der::Encode::to_der(&tag_cert)?], None)?;
//! let bytes = msg.encode()?;
//!
//! let anchors = [TrustAnchor::from_certificate(root.certificate())];
//! let now = ValidationOptions::at(DateTime::new(2027, 3, 1, 12, 0, 0)?);
//! let verified = verify_with_chain(&bytes, &anchors, &now, |_| None)?;
//! assert_eq!(verified[0].signer.subject_string(), "CN=Merchant tag 7");
//!
//! let later = ValidationOptions::at(DateTime::new(2032, 1, 1, 0, 0, 0)?);
//! assert!(verify_with_chain(&bytes, &anchors, &later, |_| None).is_err()); // expired
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::Decode;
use der::oid::AssociatedOid;
use x509_cert::ext::pkix::KeyUsage;

pub use mpay_wpki::{DateTime, ParsedCertificate, TrustAnchor, ValidationOptions};

use super::sig_err;
use crate::error::{Error, Result};
use crate::message::DecodeOptions;
use crate::wkt::{
    CertificateFormat, HASH_SHA256, SignatureValue, SignedSection, signature_type, signed_sections,
};

/// A signed section whose signature verified under the signer certificate of a chain that
/// validated to a trust anchor.
#[derive(Debug, Clone)]
pub struct VerifiedSection {
    /// The section (covered bytes, signed data, the Signature record).
    pub section: SignedSection,
    /// The signer's certificate (the first of the chain).
    pub signer: ParsedCertificate,
    /// Number of certificates in the validated chain (record field plus fetched ones).
    pub chain_len: usize,
    /// Index of the trust anchor (in the slice given) the chain validated to.
    pub anchor: usize,
}

fn cert_err(offset: usize, reason: impl Into<String>) -> Error {
    Error::Certificate {
        offset,
        reason: reason.into(),
    }
}

/// The signer certificate's keyUsage, when present, must allow signing (digitalSignature or
/// nonRepudiation).
fn check_signer_key_usage(signer: &ParsedCertificate, offset: usize) -> Result<()> {
    let tbs = signer.certificate().tbs_certificate();
    let Some(exts) = tbs.extensions() else {
        return Ok(());
    };
    for e in exts.iter().filter(|e| e.extn_id == KeyUsage::OID) {
        let ku = KeyUsage::from_der(e.extn_value.as_bytes())
            .map_err(|_| cert_err(offset, "certificate 0: malformed keyUsage"))?;
        if !ku.digital_signature() && !ku.non_repudiation() {
            return Err(cert_err(
                offset,
                format!(
                    "certificate 0 ({}): keyUsage allows neither digitalSignature nor nonRepudiation",
                    signer.subject_string()
                ),
            ));
        }
    }
    Ok(())
}

/// Verifies one signed section's signature with the key of its validated signer certificate.
fn check_signature(
    section: &SignedSection,
    key: &mpay_wpki::VerifyingKey,
) -> core::result::Result<(), &'static str> {
    let r = &section.signature;
    let SignatureValue::Bytes(bytes) = &r.signature else {
        return Err("signature is given by URI (not fetched)");
    };
    match key {
        mpay_wpki::VerifyingKey::P256(k) => {
            if r.signature_type != signature_type::ECDSA_P256 || r.hash_type != HASH_SHA256 {
                return Err(
                    "signer certificate holds a P-256 key but the record is not ECDSA-P256 with SHA-256",
                );
            }
            super::check_p256(k, &section.data, bytes)
        }
        #[cfg(feature = "sm2")]
        mpay_wpki::VerifyingKey::Sm2 { key, .. } => {
            if r.signature_type != super::SM2_SIGNATURE_TYPE || r.hash_type != super::SM3_HASH_TYPE
            {
                return Err(
                    "signer certificate holds an SM2 key but the record is not the SM2/SM3 extension",
                );
            }
            super::sm2_ext::check_sm2(key, &section.data, bytes)
        }
        #[cfg(not(feature = "sm2"))]
        mpay_wpki::VerifyingKey::Sm2 { .. } => {
            Err("signer certificate holds an SM2 key (the SM2 extension needs feature `sm2`)")
        }
        _ => Err("signer certificate's key type is not supported for NDEF signatures"),
    }
}

/// Verifies every signed section of the encoded message `encoded`: its X.509 certificate chain
/// must validate to one of `anchors` under `options` (time, CRLs, …) and its signature must
/// verify with the signer certificate's key (see the [module docs](self)).
///
/// `fetch` is called with the next-certificate URI of a record that has one and returns the
/// certificates found there (DER, in chain order, appended after the record's own), or `None`
/// to validate with the record's certificates only.
///
/// Fails if the message has no signed section, or any section fails (the first failure is
/// returned, with the offset of its Signature record).
pub fn verify_with_chain(
    encoded: &[u8],
    anchors: &[TrustAnchor],
    options: &ValidationOptions,
    mut fetch: impl FnMut(&str) -> Option<Vec<Vec<u8>>>,
) -> Result<Vec<VerifiedSection>> {
    let sections = signed_sections(encoded, DecodeOptions::default())?;
    if sections.is_empty() {
        return Err(sig_err(0, "message has no signature"));
    }
    let mut out = Vec::with_capacity(sections.len());
    for section in sections {
        let offset = section.offset;
        let r = &section.signature;
        match r.certificate_format {
            CertificateFormat::X509 => {}
            CertificateFormat::M2m => {
                return Err(cert_err(
                    offset,
                    "M2M (ANSI X9.68-2) certificates are not supported; only X.509 chains can be validated",
                ));
            }
            CertificateFormat::Reserved(v) => {
                return Err(cert_err(
                    offset,
                    format!("certificate format {v} is reserved"),
                ));
            }
        }
        let fetched = match &r.certificate_uri {
            Some(uri) => fetch(uri),
            None => None,
        };
        let ders = r.certificates.iter().chain(fetched.iter().flatten());
        let chain = ders
            .enumerate()
            .map(|(i, der)| {
                ParsedCertificate::from_der(der)
                    .map_err(|e| cert_err(offset, format!("certificate {i}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(signer) = chain.first().cloned() else {
            return Err(cert_err(offset, "no certificate in the chain field"));
        };
        let path = mpay_wpki::validate(&chain, anchors, options).map_err(|e| {
            let mut reason = e.to_string();
            if let (Some(uri), None) = (&r.certificate_uri, &fetched) {
                reason.push_str(&format!(
                    " (the chain continues at the next-certificate URI {uri:?}, which was not fetched)"
                ));
            }
            cert_err(offset, reason)
        })?;
        check_signer_key_usage(&signer, offset)?;
        check_signature(&section, &path.target_key).map_err(|reason| sig_err(offset, reason))?;
        out.push(VerifiedSection {
            section,
            signer,
            chain_len: chain.len(),
            anchor: path.anchor,
        });
    }
    Ok(out)
}
