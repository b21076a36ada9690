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
//! **mpay extension** (feature `sm2`, not in the NFC Forum table): SM2/SM3 signatures through
//! `mpay-gmt`, see `sm2_ext` (`sign_sm2`, `verify_sm2`).
//!
//! **Certificate chains**: [`verify_with_chain`] validates the X.509 chain of each Signature
//! record to the caller's trust anchors through `mpay-wpki` (RFC 5280 path validation at a given
//! time, optionally with CRLs) and verifies the signature with the key of the signer's
//! certificate; see [`chain`]. [`verify_p256`] and `verify_sm2` take the key directly instead.
//!
//! Not done here: fetching a signature or certificate by URI (a fetcher callback gets the
//! next-certificate URI), M2M (X9.68) certificates (refused with an error).
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

pub mod chain;
pub use chain::{VerifiedSection, verify_with_chain};

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

/// Appends a Signature record covering the records after the last Signature record already in
/// `message` (or all of them); `sign` gets the signed data and returns the signature octets.
fn append_signature(
    message: &mut Message<'_>,
    signature_type: u8,
    hash_type: u8,
    certificates: Vec<Vec<u8>>,
    certificate_uri: Option<String>,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> Result<()> {
    let start = message
        .records
        .iter()
        .rposition(|r| r.is_well_known(SignatureRecord::TYPE))
        .map_or(0, |i| i + 1);
    if start == message.records.len() {
        return Err(sig_err(0, "no records to sign"));
    }
    // The records as they will be on the wire: MB on the message's first, no ME (the Signature
    // record follows).
    let mut section = Vec::new();
    encode_records(&message.records[start..], &mut section, start == 0, false)?;
    let record = SignatureRecord {
        version: VERSION_2_0,
        signature_type,
        hash_type,
        signature: SignatureValue::Bytes(sign(&section)?),
        certificate_format: CertificateFormat::X509,
        certificates,
        certificate_uri,
    };
    message.records.push(record.to_record()?);
    Ok(())
}

/// Checks every signed section of `encoded`: all must be of `signature_type` and `hash_type`,
/// carry the signature octets, and pass `verify(data, signature)`.
fn verify_sections(
    encoded: &[u8],
    signature_type: u8,
    hash_type: u8,
    verify: impl Fn(&[u8], &[u8]) -> core::result::Result<(), &'static str>,
) -> Result<Vec<SignedSection>> {
    let sections = signed_sections(encoded, DecodeOptions::default())?;
    if sections.is_empty() {
        return Err(sig_err(0, "message has no signature"));
    }
    for s in &sections {
        let r = &s.signature;
        if r.signature_type != signature_type {
            return Err(sig_err(s.offset, "unexpected signature type"));
        }
        if r.hash_type != hash_type {
            return Err(sig_err(s.offset, "unexpected hash type"));
        }
        let SignatureValue::Bytes(bytes) = &r.signature else {
            return Err(sig_err(s.offset, "signature is given by URI (not fetched)"));
        };
        verify(&s.data, bytes).map_err(|reason| sig_err(s.offset, reason))?;
    }
    Ok(sections)
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
    append_signature(
        message,
        signature_type::ECDSA_P256,
        HASH_SHA256,
        certificates,
        certificate_uri,
        |data| {
            let sig: Signature = key.sign(data);
            Ok(sig.to_der().as_bytes().to_vec())
        },
    )
}

/// Verifies every signed section of the encoded message `encoded` with `key` and returns them.
/// Fails if there is none, if any is not ECDSA P-256 with SHA-256, carries its signature by
/// URI, or does not verify.
pub fn verify_p256(encoded: &[u8], key: &VerifyingKey) -> Result<Vec<SignedSection>> {
    verify_sections(
        encoded,
        signature_type::ECDSA_P256,
        HASH_SHA256,
        |data, bytes| check_p256(key, data, bytes),
    )
}

/// Checks one ECDSA P-256 / SHA-256 signature (DER or r‖s) over `data`.
fn check_p256(
    key: &VerifyingKey,
    data: &[u8],
    bytes: &[u8],
) -> core::result::Result<(), &'static str> {
    let sig = parse_p256_signature(bytes).map_err(|_| "malformed ECDSA signature")?;
    key.verify(data, &sig)
        .map_err(|_| "signature does not verify")
}

/// **mpay extension, not in the NFC Forum table**: SM2 signatures with SM3 (GM/T 0003) through
/// `mpay-gmt` (feature `sm2`). Signature type [`SM2_SIGNATURE_TYPE`] and hash type
/// [`SM3_HASH_TYPE`] are taken from the RFU range; other implementations will not recognise
/// them. The distinguishing ID is `1234567812345678` (GM/T 0009's default); signatures are
/// written in DER and read in DER or raw r‖s.
///
/// ```
/// use mpay_nfc_ndef::{signature::{sign_sm2, verify_sm2}, wkt::Uri, Message};
/// use mpay_gmt::sm2::PrivateKey;
/// let key = PrivateKey::from_bytes(&[0x22; 32]).unwrap();
/// let mut msg = Message::from(vec![Uri::new("https://pay.example/cn").to_record()]);
/// sign_sm2(&mut msg, &key, vec![], None).unwrap();
/// let bytes = msg.encode().unwrap();
/// verify_sm2(&bytes, &key.public_key()).unwrap();
/// ```
#[cfg(feature = "sm2")]
pub mod sm2_ext {
    use super::*;
    use mpay_gmt::sm2::{DEFAULT_ID, PrivateKey, PublicKey, Signature as Sm2Signature};

    /// Signature type of the mpay SM2 extension (RFU in the NFC Forum table).
    pub const SM2_SIGNATURE_TYPE: u8 = 0x7F;
    /// Hash type of the mpay SM3 extension (RFU in the NFC Forum table).
    pub const SM3_HASH_TYPE: u8 = 0x7F;

    /// Appends an SM2/SM3 Signature record (mpay extension) over the last section.
    pub fn sign_sm2(
        message: &mut Message<'_>,
        key: &PrivateKey,
        certificates: Vec<Vec<u8>>,
        certificate_uri: Option<String>,
    ) -> Result<()> {
        append_signature(
            message,
            SM2_SIGNATURE_TYPE,
            SM3_HASH_TYPE,
            certificates,
            certificate_uri,
            |data| {
                key.sign(DEFAULT_ID, data)
                    .map(|s| s.to_der())
                    .map_err(|_| sig_err(0, "SM2 signing failed"))
            },
        )
    }

    /// Verifies every signed section as SM2/SM3 (mpay extension) with `key`.
    pub fn verify_sm2(encoded: &[u8], key: &PublicKey) -> Result<Vec<SignedSection>> {
        verify_sections(encoded, SM2_SIGNATURE_TYPE, SM3_HASH_TYPE, |data, bytes| {
            check_sm2(key, data, bytes)
        })
    }

    /// Checks one SM2/SM3 signature (DER or r‖s, ID `1234567812345678`) over `data`.
    pub(super) fn check_sm2(
        key: &PublicKey,
        data: &[u8],
        bytes: &[u8],
    ) -> core::result::Result<(), &'static str> {
        let sig = Sm2Signature::from_der(bytes)
            .or_else(|_| Sm2Signature::from_raw(bytes))
            .map_err(|_| "malformed SM2 signature")?;
        key.verify(DEFAULT_ID, data, &sig)
            .map_err(|_| "signature does not verify")
    }
}
#[cfg(feature = "sm2")]
pub use sm2_ext::{SM2_SIGNATURE_TYPE, SM3_HASH_TYPE, sign_sm2, verify_sm2};
