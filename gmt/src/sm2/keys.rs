//! Key encodings: PKCS#8 / SubjectPublicKeyInfo (DER and PEM, as `openssl pkey` reads and
//! writes them: `id-ecPublicKey` with the SM2 curve OID) and the GM/T 0009 forms
//! (`SM2PublicKey ::= BIT STRING`, `SM2PrivateKey ::= INTEGER`).
//!
//! ```
//! use mpay_gmt::sm2::{PrivateKey, PublicKey};
//! let key = PrivateKey::from_bytes(&[3; 32]).unwrap();
//! let pem = key.to_pkcs8_pem().unwrap();
//! assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
//! assert_eq!(PrivateKey::from_pem(&pem).unwrap().to_bytes(), key.to_bytes());
//! let spki = key.public_key().to_spki_pem().unwrap();
//! assert_eq!(PublicKey::from_pem(&spki).unwrap(), key.public_key());
//! ```

use super::{PrivateKey, PublicKey, fixed32};
use crate::{Error, Result};
use alloc::{string::String, vec::Vec};
use der::{
    Decode, Encode,
    asn1::{BitStringRef, UintRef},
    pem::LineEnding,
};
use elliptic_curve::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

fn key_err(e: impl core::fmt::Display) -> Error {
    Error::KeyEncoding(alloc::format!("{e}"))
}

impl PrivateKey {
    /// PKCS#8 `PrivateKeyInfo` DER (RFC 5208/5915, curve OID `1.2.156.10197.1.301`).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.to_sm2_secret_key().to_pkcs8_der().map_err(key_err)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.to_sm2_secret_key()
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(key_err)
    }

    /// Reads PKCS#8 DER, or SEC1 `ECPrivateKey` DER as a fallback.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let sk = sm2::SecretKey::from_pkcs8_der(der)
            .or_else(|_| sm2::SecretKey::from_sec1_der(der))
            .map_err(key_err)?;
        Self::from_bytes(&sk.to_bytes().into())
    }

    /// Reads a PEM private key: `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(pem: &str) -> Result<Self> {
        let sk = sm2::SecretKey::from_pkcs8_pem(pem)
            .or_else(|_| sm2::SecretKey::from_sec1_pem(pem))
            .map_err(key_err)?;
        Self::from_bytes(&sk.to_bytes().into())
    }

    /// GM/T 0009 `SM2PrivateKey ::= INTEGER`.
    pub fn to_gmt0009_der(&self) -> Zeroizing<Vec<u8>> {
        let d = self.to_bytes();
        Zeroizing::new(
            UintRef::new(&d[..])
                .expect("32 bytes")
                .to_der()
                .expect("INTEGER encodes"),
        )
    }

    /// Parses GM/T 0009 `SM2PrivateKey ::= INTEGER`.
    pub fn from_gmt0009_der(der: &[u8]) -> Result<Self> {
        let i = UintRef::from_der(der).map_err(|e| Error::der("SM2PrivateKey", e))?;
        let d = Zeroizing::new(fixed32("SM2PrivateKey", i.as_bytes())?);
        Self::from_bytes(&d)
    }
}

impl PublicKey {
    /// `SubjectPublicKeyInfo` DER (`id-ecPublicKey`, curve `1.2.156.10197.1.301`).
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        Ok(self
            .0
            .to_public_key_der()
            .map_err(key_err)?
            .as_bytes()
            .to_vec())
    }

    /// `SubjectPublicKeyInfo` PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> Result<String> {
        self.0.to_public_key_pem(LineEnding::LF).map_err(key_err)
    }

    /// Reads `SubjectPublicKeyInfo` DER.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        sm2::PublicKey::from_public_key_der(der)
            .map(PublicKey)
            .map_err(key_err)
    }

    /// Reads a `PUBLIC KEY` PEM.
    pub fn from_pem(pem: &str) -> Result<Self> {
        sm2::PublicKey::from_public_key_pem(pem)
            .map(PublicKey)
            .map_err(key_err)
    }

    /// GM/T 0009 `SM2PublicKey ::= BIT STRING` (the uncompressed point).
    pub fn to_gmt0009_der(&self) -> Vec<u8> {
        let p = self.to_sec1_bytes();
        BitStringRef::from_bytes(&p)
            .expect("65 bytes")
            .to_der()
            .expect("BIT STRING encodes")
    }

    /// Parses GM/T 0009 `SM2PublicKey ::= BIT STRING`.
    pub fn from_gmt0009_der(der: &[u8]) -> Result<Self> {
        let b = BitStringRef::from_der(der).map_err(|e| Error::der("SM2PublicKey", e))?;
        let bytes = b.as_bytes().ok_or(Error::Length {
            what: "SM2PublicKey",
            len: b.bit_len(),
            expected: "a whole number of bytes",
        })?;
        if bytes.len() != 65 || bytes[0] != 4 {
            return Err(Error::InvalidPublicKey(
                "SM2PublicKey must hold an uncompressed point 04 ‖ x ‖ y",
            ));
        }
        Self::from_sec1_bytes(bytes)
    }
}
