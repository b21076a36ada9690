//! SM2 public-key encryption (GM/T 0003.4) in the C1C3C2, legacy C1C2C3 and GM/T 0009 DER forms.
//!
//! ```
//! use mpay_gmt::sm2::{CiphertextFormat, PrivateKey};
//! let key = PrivateKey::from_bytes(&[9; 32]).unwrap();
//! let ct = key.public_key().encrypt(&mut getrandom::SysRng, b"PIN key").unwrap();
//! let der = ct.to_bytes(CiphertextFormat::Der);
//! let back = mpay_gmt::sm2::Ciphertext::from_bytes(&der, CiphertextFormat::Der).unwrap();
//! assert_eq!(key.decrypt(&back).unwrap().as_slice(), b"PIN key");
//! ```

use super::{PrivateKey, PublicKey, fixed32, random_scalar};
use crate::{Error, Result};
use alloc::vec::Vec;
use der::{
    Decode, Encode, Sequence,
    asn1::{OctetStringRef, UintRef},
};
use elliptic_curve::point::AffineCoordinates;
use rand_core::TryCryptoRng;
use sm2::{NonZeroScalar, ProjectivePoint};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Byte layout of an SM2 ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiphertextFormat {
    /// `C1 ‖ C3 ‖ C2` (GM/T 0003-2012 current order; `C1` uncompressed with the `04` prefix).
    C1C3C2,
    /// `C1 ‖ C2 ‖ C3` (the legacy draft order, still produced by some HSMs and libraries).
    C1C2C3,
    /// GM/T 0009 `SM2Cipher ::= SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER,
    /// HASH OCTET STRING (32), CipherText OCTET STRING }` — what OpenSSL's `pkeyutl` produces.
    Der,
}

/// An SM2 ciphertext: the ephemeral point `C1`, the hash `C3` and the masked message `C2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    c1: PublicKey,
    c3: [u8; 32],
    c2: Vec<u8>,
}

#[derive(Sequence)]
struct Sm2CipherDer<'a> {
    x: UintRef<'a>,
    y: UintRef<'a>,
    hash: &'a OctetStringRef,
    ciphertext: &'a OctetStringRef,
}

impl Ciphertext {
    /// The ephemeral public point `C1 = [k]G`.
    pub fn c1(&self) -> &PublicKey {
        &self.c1
    }
    /// `C3 = SM3(x2 ‖ M ‖ y2)`.
    pub fn c3(&self) -> &[u8; 32] {
        &self.c3
    }
    /// `C2 = M ⊕ KDF(x2 ‖ y2)`.
    pub fn c2(&self) -> &[u8] {
        &self.c2
    }

    /// Encodes in `format`.
    pub fn to_bytes(&self, format: CiphertextFormat) -> Vec<u8> {
        let c1 = self.c1.to_sec1_bytes();
        match format {
            CiphertextFormat::C1C3C2 => [&c1[..], &self.c3, &self.c2].concat(),
            CiphertextFormat::C1C2C3 => [&c1[..], &self.c2, &self.c3].concat(),
            CiphertextFormat::Der => Sm2CipherDer {
                x: UintRef::new(&c1[1..33]).expect("32 bytes"),
                y: UintRef::new(&c1[33..]).expect("32 bytes"),
                hash: OctetStringRef::new(&self.c3).expect("32 bytes"),
                ciphertext: OctetStringRef::new(&self.c2).expect("bounded by the input"),
            }
            .to_der()
            .expect("SM2Cipher encodes"),
        }
    }

    /// Decodes from `format`. `C1` must be an uncompressed point on the curve.
    pub fn from_bytes(bytes: &[u8], format: CiphertextFormat) -> Result<Self> {
        match format {
            CiphertextFormat::C1C3C2 | CiphertextFormat::C1C2C3 => {
                if bytes.len() < 97 {
                    return Err(Error::Length {
                        what: "SM2 ciphertext",
                        len: bytes.len(),
                        expected: "at least 97 bytes (C1 65 + C3 32)",
                    });
                }
                if bytes[0] != 0x04 {
                    return Err(Error::InvalidPublicKey(
                        "C1 is not an uncompressed point (04…)",
                    ));
                }
                let c1 = PublicKey::from_sec1_bytes(&bytes[..65])?;
                let rest = &bytes[65..];
                let (c3, c2) = if format == CiphertextFormat::C1C3C2 {
                    (&rest[..32], &rest[32..])
                } else {
                    (&rest[rest.len() - 32..], &rest[..rest.len() - 32])
                };
                Ok(Ciphertext {
                    c1,
                    c3: c3.try_into().expect("32 bytes"),
                    c2: c2.to_vec(),
                })
            }
            CiphertextFormat::Der => {
                let d = Sm2CipherDer::from_der(bytes).map_err(|e| Error::der("SM2Cipher", e))?;
                let mut point = [0u8; 65];
                point[0] = 4;
                point[1..33].copy_from_slice(&fixed32("SM2Cipher.XCoordinate", d.x.as_bytes())?);
                point[33..].copy_from_slice(&fixed32("SM2Cipher.YCoordinate", d.y.as_bytes())?);
                let c1 = PublicKey::from_sec1_bytes(&point)?;
                let hash = d.hash.as_bytes();
                let c3: [u8; 32] = hash.try_into().map_err(|_| Error::Length {
                    what: "SM2Cipher.HASH",
                    len: hash.len(),
                    expected: "32 bytes",
                })?;
                Ok(Ciphertext {
                    c1,
                    c3,
                    c2: d.ciphertext.as_bytes().to_vec(),
                })
            }
        }
    }
}

fn encrypt_with_scalar(pk: &PublicKey, k: &NonZeroScalar, msg: &[u8]) -> Option<Ciphertext> {
    let c1 = super::arith::mul_g(k).to_affine();
    let s = (ProjectivePoint::from(*pk.as_affine()) * **k).to_affine();
    let (mut x2, mut y2): ([u8; 32], [u8; 32]) = (s.x().into(), s.y().into());
    let mut t = Zeroizing::new(crate::sm3::kdf(&[&x2, &y2], msg.len()));
    if !msg.is_empty() && bool::from(t.ct_eq(&alloc::vec![0u8; msg.len()][..])) {
        return None;
    }
    let c2: Vec<u8> = msg.iter().zip(t.iter()).map(|(m, t)| m ^ t).collect();
    let c3 = crate::sm3::hash_parts(&[&x2, msg, &y2]);
    x2.zeroize();
    y2.zeroize();
    t.zeroize();
    Some(Ciphertext {
        c1: PublicKey(sm2::PublicKey::from_affine(c1).ok()?),
        c3,
        c2,
    })
}

impl PublicKey {
    /// Encrypts `msg` to this key with a fresh random `k` from `rng`.
    pub fn encrypt<R: TryCryptoRng + ?Sized>(&self, rng: &mut R, msg: &[u8]) -> Result<Ciphertext> {
        loop {
            let k = random_scalar(rng)?;
            if let Some(c) = encrypt_with_scalar(self, &k, msg) {
                return Ok(c);
            }
        }
    }

    /// Encrypts `msg` with `k` from the operating system's RNG.
    #[cfg(feature = "getrandom")]
    pub fn encrypt_with_os_rng(&self, msg: &[u8]) -> Result<Ciphertext> {
        self.encrypt(&mut getrandom::SysRng, msg)
    }

    /// Encrypts with a caller-chosen `k` — for the GM/T 0003.5 known-answer test only.
    pub fn encrypt_with_nonce(&self, k: &[u8; 32], msg: &[u8]) -> Result<Ciphertext> {
        let k: Option<NonZeroScalar> = NonZeroScalar::from_repr((*k).into()).into_option();
        let k = k.ok_or(Error::InvalidPrivateKey("nonce k is zero or not below n"))?;
        encrypt_with_scalar(self, &k, msg).ok_or(Error::Decrypt("KDF output is all zero"))
    }
}

impl PrivateKey {
    /// Decrypts; fails if `C3` does not match (compared in constant time) or the KDF output is
    /// all zero. The plaintext is returned in a zeroizing buffer.
    pub fn decrypt(&self, ct: &Ciphertext) -> Result<Zeroizing<Vec<u8>>> {
        let s = (ProjectivePoint::from(*ct.c1.as_affine()) * **self.scalar()).to_affine();
        let (mut x2, mut y2): ([u8; 32], [u8; 32]) = (s.x().into(), s.y().into());
        let t = Zeroizing::new(crate::sm3::kdf(&[&x2, &y2], ct.c2.len()));
        let zero_kdf = !ct.c2.is_empty() && bool::from(t.ct_eq(&alloc::vec![0u8; t.len()][..]));
        let m: Zeroizing<Vec<u8>> =
            Zeroizing::new(ct.c2.iter().zip(t.iter()).map(|(c, t)| c ^ t).collect());
        let u = crate::sm3::hash_parts(&[&x2, &m, &y2]);
        x2.zeroize();
        y2.zeroize();
        if zero_kdf {
            return Err(Error::Decrypt("KDF output is all zero"));
        }
        if !bool::from(u.ct_eq(&ct.c3)) {
            return Err(Error::Decrypt("C3 hash mismatch"));
        }
        Ok(m)
    }

    /// Decodes `bytes` in `format` and decrypts.
    pub fn decrypt_bytes(
        &self,
        bytes: &[u8],
        format: CiphertextFormat,
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt(&Ciphertext::from_bytes(bytes, format)?)
    }
}
