//! Signing and verifying NDEF messages with Signature RTD 2.0 records, ECDSA P-256 / SHA-256
//! (feature `signature`).
//!
//! **What is signed** (Signature RTD 2.0): the complete encoded records of the signed section —
//! header octet, length fields, TYPE, ID and PAYLOAD — with the ME flag taken as 0. The section
//! runs from the record after the previous Signature record (or the start of the message) up
//! to the Signature record. (Version 1.0 signed only TYPE‖ID‖PAYLOAD, which allowed the
//! record-composition attack; it is not implemented.)
//!
//! **Signature encoding**: [`sign_p256`] always writes the ASN.1 DER `SEQUENCE { r, s }` form
//! (as in ndeflib's test vector); decoding accepts DER and the raw 64-octet r‖s form.
//!
//! Not done here: fetching a signature or certificate by URI, and validating the certificate
//! chain to a trust anchor (that needs the `mpay-wpki` crate); callers pass the verifying key.
//!
//! ```
//! use mpay_nfc_ndef::{signature::{sign_p256, verify_p256, SigningKey}, wkt::Uri, Message};
//! let key = SigningKey::from_slice(&[0x11; 32]).unwrap();
//! let mut msg = Message::from(vec![Uri::new("https://pay.example/i/42").to_record()]);
//! sign_p256(&mut msg, &key, vec![], None).unwrap();
//! let bytes = msg.encode().unwrap();
//! let sections = verify_p256(&bytes, key.verifying_key()).unwrap();
//! assert_eq!(sections.len(), 1);
//! let mut tampered = bytes.clone();
//! tampered[8] ^= 1;
//! assert!(verify_p256(&tampered, key.verifying_key()).is_err());
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use p256::ecdsa::Signature;
use p256::ecdsa::signature::{Signer, Verifier};
pub use p256::ecdsa::{SigningKey, VerifyingKey};

use crate::error::{Error, Result};
use crate::message::{DecodeOptions, Message, encode_records};
use crate::wkt::{
    CertificateFormat, HASH_SHA256, SignatureRecord, SignatureValue, SignedSection, VERSION_2_0,
    signature_type, signed_sections,
};

fn sig_err(offset: usize, reason: &'static str) -> Error {
    Error::Signature { offset, reason }
}

/// Parses an ECDSA P-256 signature in DER or raw r‖s (64 octets) form.
///
/// ```
/// let der = hex::decode("3045022100a410c28fd9437fd24f6656f121e62bcc5f65e36257f5faadf68e3e83d40d481a0220335b1dff8d6fe722fcf7018be9684d2de5670b256fdfc02aa25bdae16f624b80").unwrap();
/// let sig = mpay_nfc_ndef::signature::parse_p256_signature(&der).unwrap();
/// let raw = sig.to_bytes();
/// assert_eq!(mpay_nfc_ndef::signature::parse_p256_signature(&raw).unwrap(), sig);
/// ```
pub fn parse_p256_signature(bytes: &[u8]) -> Result<Signature> {
    if bytes.first() == Some(&0x30)
        && let Ok(s) = Signature::from_der(bytes)
    {
        return Ok(s);
    }
    if bytes.len() == 64 {
        return Signature::from_slice(bytes).map_err(|_| sig_err(0, "r or s out of range"));
    }
    Err(sig_err(0, "signature is neither DER nor 64-octet r||s"))
}

/// Appends to `message` a Signature record (ECDSA P-256, SHA-256, DER) that signs the records
/// after the last Signature record already in `message` (or all of them). `certificates`
/// (X.509 DER, signer first, at most 15) and `certificate_uri` go into the certificate field.
pub fn sign_p256(
    message: &mut Message<'_>,
    key: &SigningKey,
    certificates: Vec<Vec<u8>>,
    certificate_uri: Option<String>,
) -> Result<()> {
    let start = message
        .records
        .iter()
        .rposition(|r| r.is_well_known(SignatureRecord::TYPE))
        .map_or(0, |i| i + 1);
    if start == message.records.len() {
        return Err(sig_err(0, "no records to sign"));
    }
    // The records as they will be on the wire: MB on the first, no ME (the Signature follows).
    let mut prefix = Vec::new();
    encode_records(&message.records[..start], &mut prefix, true, false)?;
    let mut section = Vec::new();
    encode_records(&message.records[start..], &mut section, start == 0, false)?;
    let sig: Signature = key.sign(&section);
    let record = SignatureRecord {
        version: VERSION_2_0,
        signature_type: signature_type::ECDSA_P256,
        hash_type: HASH_SHA256,
        signature: SignatureValue::Bytes(sig.to_der().as_bytes().to_vec()),
        certificate_format: CertificateFormat::X509,
        certificates,
        certificate_uri,
    };
    message.records.push(record.to_record()?);
    Ok(())
}

/// Verifies every signed section of the encoded message `encoded` with `key` and returns them.
/// Fails if there is none, if any is not ECDSA P-256 with SHA-256, carries its signature by
/// URI, or does not verify.
pub fn verify_p256(encoded: &[u8], key: &VerifyingKey) -> Result<Vec<SignedSection>> {
    let sections = signed_sections(encoded, DecodeOptions::default())?;
    if sections.is_empty() {
        return Err(sig_err(0, "message has no signature"));
    }
    for s in &sections {
        let r = &s.signature;
        if r.signature_type != signature_type::ECDSA_P256 {
            return Err(sig_err(s.offset, "signature type is not ECDSA-P256"));
        }
        if r.hash_type != HASH_SHA256 {
            return Err(sig_err(s.offset, "hash type is not SHA-256"));
        }
        let SignatureValue::Bytes(bytes) = &r.signature else {
            return Err(sig_err(s.offset, "signature is given by URI (not fetched)"));
        };
        let sig = parse_p256_signature(bytes)
            .map_err(|_| sig_err(s.offset, "malformed ECDSA signature"))?;
        key.verify(&s.data, &sig)
            .map_err(|_| sig_err(s.offset, "signature does not verify"))?;
    }
    Ok(sections)
}
