//! The Signature record (`urn:nfc:wkt:Sig`, Signature RTD 2.0): version, signature field
//! (signature type, hash type, signature or signature URI) and certificate chain field
//! (format X.509 or M2M, up to 15 certificates, optional next-certificate URI).
//!
//! Signing and verifying are in `crate::signature` (feature `signature`); this module only
//! parses and builds the record, so it is always available.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Field, Result};
use crate::message::Mode;
use crate::record::Record;

/// Signature RTD version 2.0.
pub const VERSION_2_0: u8 = 0x20;

/// Signature types of the NFC Forum table (Signature RTD 2.0). 0x0C..=0x7F are RFU.
pub mod signature_type {
    /// No signature: the record marks the start of a signed section.
    pub const NONE: u8 = 0x00;
    /// RSASSA-PSS, 1024-bit.
    pub const RSASSA_PSS_1024: u8 = 0x01;
    /// RSASSA-PKCS1-v1_5, 1024-bit.
    pub const RSASSA_PKCS1_V1_5_1024: u8 = 0x02;
    /// DSA, 1024-bit.
    pub const DSA_1024: u8 = 0x03;
    /// ECDSA on P-192.
    pub const ECDSA_P192: u8 = 0x04;
    /// RSASSA-PSS, 2048-bit.
    pub const RSASSA_PSS_2048: u8 = 0x05;
    /// RSASSA-PKCS1-v1_5, 2048-bit.
    pub const RSASSA_PKCS1_V1_5_2048: u8 = 0x06;
    /// DSA, 2048-bit.
    pub const DSA_2048: u8 = 0x07;
    /// ECDSA on P-224.
    pub const ECDSA_P224: u8 = 0x08;
    /// ECDSA on K-233.
    pub const ECDSA_K233: u8 = 0x09;
    /// ECDSA on B-233.
    pub const ECDSA_B233: u8 = 0x0A;
    /// ECDSA on P-256.
    pub const ECDSA_P256: u8 = 0x0B;

    /// The name of a signature type (ndeflib's names), or `None` for an RFU value.
    pub const fn name(t: u8) -> Option<&'static str> {
        Some(match t {
            NONE => "none",
            RSASSA_PSS_1024 => "RSASSA-PSS-1024",
            RSASSA_PKCS1_V1_5_1024 => "RSASSA-PKCS1-v1_5-1024",
            DSA_1024 => "DSA-1024",
            ECDSA_P192 => "ECDSA-P192",
            RSASSA_PSS_2048 => "RSASSA-PSS-2048",
            RSASSA_PKCS1_V1_5_2048 => "RSASSA-PKCS1-v1_5-2048",
            DSA_2048 => "DSA-2048",
            ECDSA_P224 => "ECDSA-P224",
            ECDSA_K233 => "ECDSA-K233",
            ECDSA_B233 => "ECDSA-B233",
            ECDSA_P256 => "ECDSA-P256",
            _ => return None,
        })
    }
}

/// Hash type SHA-256, the only one the RTD 2.0 table defines.
pub const HASH_SHA256: u8 = 0x02;

/// The format of the certificates in the chain field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateFormat {
    /// 0: X.509 (DER).
    X509,
    /// 1: M2M (X9.68).
    M2m,
    /// 2..=7: reserved.
    Reserved(u8),
}

impl CertificateFormat {
    /// The 3-bit value.
    pub const fn value(self) -> u8 {
        match self {
            CertificateFormat::X509 => 0,
            CertificateFormat::M2m => 1,
            CertificateFormat::Reserved(v) => v & 7,
        }
    }
    const fn from_bits(v: u8) -> Self {
        match v & 7 {
            0 => CertificateFormat::X509,
            1 => CertificateFormat::M2m,
            v => CertificateFormat::Reserved(v),
        }
    }
}

/// The signature itself, or where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignatureValue {
    /// The signature octets (for ECDSA: DER or raw r‖s — see `crate::signature`).
    Bytes(Vec<u8>),
    /// A URI the signature can be fetched from.
    Uri(String),
}

/// A Signature record.
///
/// ```
/// use mpay_nfc_ndef::wkt::{SignatureRecord, SignatureValue, signature_type};
/// let s = SignatureRecord::decode(&hex::decode("200002000000").unwrap()).unwrap();
/// assert_eq!(s.signature_type, signature_type::NONE);
/// assert_eq!(s, SignatureRecord::marker());
/// assert_eq!(hex::encode(s.payload().unwrap()), "200002000000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignatureRecord {
    /// The version octet (0x20 for 2.0).
    pub version: u8,
    /// The signature type (7 bits, see [`signature_type`]).
    pub signature_type: u8,
    /// The hash type ([`HASH_SHA256`]).
    pub hash_type: u8,
    /// The signature or its URI.
    pub signature: SignatureValue,
    /// Format of the certificates.
    pub certificate_format: CertificateFormat,
    /// The certificate chain, signer first (at most 15).
    pub certificates: Vec<Vec<u8>>,
    /// URI of the next certificate in the chain.
    pub certificate_uri: Option<String>,
}

fn bad(offset: usize, field: &'static str, reason: &'static str) -> Error {
    Error::InvalidPayload {
        record: "Signature",
        field: Field::Named(field),
        offset,
        reason,
    }
}

fn read_u16_block<'a>(p: &'a [u8], pos: &mut usize, field: &'static str) -> Result<&'a [u8]> {
    let len = p.get(*pos..*pos + 2).ok_or(Error::Truncated {
        offset: *pos,
        field: Field::Named(field),
        needed: 2,
        available: p.len().saturating_sub(*pos),
    })?;
    let n = usize::from(u16::from_be_bytes([len[0], len[1]]));
    let v = p.get(*pos + 2..*pos + 2 + n).ok_or(Error::Truncated {
        offset: *pos + 2,
        field: Field::Named(field),
        needed: n,
        available: p.len().saturating_sub(*pos + 2),
    })?;
    *pos += 2 + n;
    Ok(v)
}

fn uri_text(v: &[u8], offset: usize, field: &'static str) -> Result<String> {
    let s = core::str::from_utf8(v).map_err(|_| bad(offset, field, "not valid UTF-8 data"))?;
    if s.bytes().any(|b| b <= 31) {
        return Err(bad(offset, field, "contains invalid characters"));
    }
    Ok(s.into())
}

fn push_u16_block(out: &mut Vec<u8>, v: &[u8], field: &'static str) -> Result<()> {
    let n = u16::try_from(v.len()).map_err(|_| Error::FieldTooLong {
        field: Field::Named(field),
        len: v.len(),
        max: 0xFFFF,
    })?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(v);
    Ok(())
}

impl SignatureRecord {
    /// The record type `Sig`.
    pub const TYPE: &'static [u8] = b"Sig";

    /// The empty Signature record (type 0, no signature) that marks the start of a signed
    /// section.
    pub fn marker() -> Self {
        SignatureRecord {
            version: VERSION_2_0,
            signature_type: signature_type::NONE,
            hash_type: HASH_SHA256,
            signature: SignatureValue::Bytes(Vec::new()),
            certificate_format: CertificateFormat::X509,
            certificates: Vec::new(),
            certificate_uri: None,
        }
    }

    /// Decodes a Signature payload strictly (version must be 2.0).
    pub fn decode(payload: &[u8]) -> Result<Self> {
        Self::decode_with(payload, Mode::Strict)
    }

    /// Decodes a Signature payload. Octets after the certificate field are ignored, as ndeflib
    /// does (its test vectors carry a trailing empty URI length).
    pub fn decode_with(payload: &[u8], mode: Mode) -> Result<Self> {
        let [version, sig_byte, hash_type, ..] = *payload else {
            return Err(Error::Truncated {
                offset: 0,
                field: Field::Named("version and signature field"),
                needed: 3,
                available: payload.len(),
            });
        };
        if version != VERSION_2_0 && mode == Mode::Strict {
            return Err(bad(0, "version", "only version 2.0 (0x20) is supported"));
        }
        let mut pos = 3;
        let sig = read_u16_block(payload, &mut pos, "signature")?;
        let signature = if sig_byte & 0x80 != 0 {
            SignatureValue::Uri(uri_text(sig, 5, "signature URI")?)
        } else {
            SignatureValue::Bytes(sig.to_vec())
        };
        let cert_byte = *payload.get(pos).ok_or(Error::Truncated {
            offset: pos,
            field: Field::Named("certificate field"),
            needed: 1,
            available: 0,
        })?;
        pos += 1;
        let mut certificates = Vec::new();
        for _ in 0..cert_byte & 0x0F {
            certificates.push(read_u16_block(payload, &mut pos, "certificate")?.to_vec());
        }
        let certificate_uri = if cert_byte & 0x80 != 0 {
            let at = pos + 2;
            let v = read_u16_block(payload, &mut pos, "certificate URI")?;
            Some(uri_text(v, at, "certificate URI")?)
        } else {
            None
        };
        Ok(SignatureRecord {
            version,
            signature_type: sig_byte & 0x7F,
            hash_type,
            signature,
            certificate_format: CertificateFormat::from_bits(cert_byte >> 4),
            certificates,
            certificate_uri,
        })
    }

    /// Decodes the Signature record `record` (which must be `urn:nfc:wkt:Sig`).
    pub fn from_record(record: &Record<'_>) -> Result<Self> {
        if !record.is_well_known(Self::TYPE) {
            return Err(Error::WrongType {
                expected: "urn:nfc:wkt:Sig",
            });
        }
        Self::decode(&record.payload)
    }

    /// Encodes the payload (16-bit length fields; the certificate URI only when present).
    pub fn payload(&self) -> Result<Vec<u8>> {
        if self.signature_type > 0x7F {
            return Err(bad(1, "signature type", "signature type is 7 bits"));
        }
        if self.certificates.len() > 15 {
            return Err(Error::FieldTooLong {
                field: Field::Named("certificate chain (count)"),
                len: self.certificates.len(),
                max: 15,
            });
        }
        let mut out = alloc::vec![self.version];
        match &self.signature {
            SignatureValue::Bytes(b) => {
                out.extend_from_slice(&[self.signature_type, self.hash_type]);
                push_u16_block(&mut out, b, "signature")?;
            }
            SignatureValue::Uri(u) => {
                out.extend_from_slice(&[0x80 | self.signature_type, self.hash_type]);
                push_u16_block(&mut out, u.as_bytes(), "signature URI")?;
            }
        }
        let uri_flag = if self.certificate_uri.is_some() {
            0x80
        } else {
            0
        };
        out.push(uri_flag | self.certificate_format.value() << 4 | self.certificates.len() as u8);
        for c in &self.certificates {
            push_u16_block(&mut out, c, "certificate")?;
        }
        if let Some(u) = &self.certificate_uri {
            push_u16_block(&mut out, u.as_bytes(), "certificate URI")?;
        }
        Ok(out)
    }

    /// The Signature record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(Self::TYPE, self.payload()?))
    }
}

/// A signed section of an encoded message: the records between the previous Signature record
/// (or the start of the message) and a Signature record whose type is not
/// [`signature_type::NONE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSection {
    /// Offset of the Signature record in the message.
    pub offset: usize,
    /// Byte range of the covered records in the message.
    pub covered: core::ops::Range<usize>,
    /// What is signed (Signature RTD 2.0): the complete encoded records of the section, header
    /// octets included, with the ME flag taken as 0.
    pub data: Vec<u8>,
    /// The Signature record.
    pub signature: SignatureRecord,
}

/// Finds the signed sections of the encoded message `encoded`. The message is first checked
/// with `options` (so a signed message must also be a valid one); Signature records are
/// decoded in `options.mode`.
///
/// ```
/// use mpay_nfc_ndef::wkt::{signed_sections, SignatureRecord};
/// use mpay_nfc_ndef::{Message, Record};
/// let mut sig = SignatureRecord::marker();
/// sig.signature_type = mpay_nfc_ndef::wkt::signature_type::ECDSA_P256;
/// sig.signature = mpay_nfc_ndef::wkt::SignatureValue::Bytes(vec![1; 64]);
/// let msg = Message::from(vec![Record::unknown(b"x".to_vec()), sig.to_record().unwrap()]);
/// let bytes = msg.encode().unwrap();
/// let sections = signed_sections(&bytes, Default::default()).unwrap();
/// assert_eq!(sections[0].data, [0x95, 0x00, 0x01, b'x']); // MB kept, ME 0
/// ```
pub fn signed_sections(
    encoded: &[u8],
    options: crate::DecodeOptions,
) -> Result<Vec<SignedSection>> {
    crate::Message::decode_with(encoded, options)?;
    let mut sections = Vec::new();
    let mut start = 0;
    let mut in_chunk = false;
    for raw in crate::message::RawRecords::new(encoded, options) {
        let raw = raw?;
        let is_sig = !in_chunk
            && !raw.cf()
            && raw.tnf() == crate::Tnf::WellKnown
            && raw.record_type == SignatureRecord::TYPE;
        in_chunk = raw.cf() && !raw.me();
        if !is_sig {
            continue;
        }
        let sig = SignatureRecord::decode_with(raw.payload, options.mode)?;
        if sig.signature_type != signature_type::NONE {
            let mut data = encoded[start..raw.offset].to_vec();
            let mut pos = 0;
            while pos < data.len() {
                data[pos] &= !crate::record::ME;
                // The records were validated above; re-parse to find the next header.
                let r =
                    crate::record::parse_raw(&encoded[start..raw.offset], pos, usize::MAX, true)?;
                pos += r.len;
            }
            sections.push(SignedSection {
                offset: raw.offset,
                covered: start..raw.offset,
                data,
                signature: sig,
            });
        }
        start = raw.offset + raw.len;
    }
    Ok(sections)
}
