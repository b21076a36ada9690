//! GM/T 0009 `SM2EnvelopedKey`: an SM2 private key protected for a recipient — how a CA hands
//! over a CA-generated encryption key pair (GM/T 0092, the dual-certificate model).
//!
//! ```text
//! SM2EnvelopedKey ::= SEQUENCE {
//!     symAlgID                AlgorithmIdentifier,   -- SM4-ECB
//!     symEncryptedKey         SM2Cipher,             -- the SM4 key, SM2-encrypted to the recipient
//!     sm2PublicKey            SM2PublicKey,          -- BIT STRING 04 ‖ x ‖ y of the wrapped key
//!     sm2EncryptedPrivateKey  BIT STRING }           -- SM4-ECB(d)
//! ```
//!
//! ```
//! use mpay_gmt::sm2::{EnvelopedKey, PrivateKey};
//! let recipient = PrivateKey::from_bytes(&[1; 32]).unwrap();
//! let wrapped = PrivateKey::from_bytes(&[2; 32]).unwrap();
//! let env = EnvelopedKey::seal(&mut getrandom::SysRng, &recipient.public_key(), &wrapped).unwrap();
//! let der = env.to_der();
//! let opened = EnvelopedKey::from_der(&der).unwrap().open(&recipient).unwrap();
//! assert_eq!(opened.public_key(), wrapped.public_key());
//! ```

use super::{Ciphertext, CiphertextFormat, PrivateKey, PublicKey};
use crate::asn1::{self, Items};
use crate::{Error, Result, oid, sm4};
use alloc::vec::Vec;
use der::{Tag, Tagged};
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// A GM/T 0009 `SM2EnvelopedKey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopedKey {
    encrypted_sym_key: Ciphertext,
    public_key: PublicKey,
    encrypted_private_key: Vec<u8>,
}

impl EnvelopedKey {
    /// Wraps `key` for `recipient`: a fresh SM4 key encrypts `d` (SM4-ECB, 32 bytes, no
    /// padding) and is itself SM2-encrypted to `recipient`.
    pub fn seal<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        recipient: &PublicKey,
        key: &PrivateKey,
    ) -> Result<Self> {
        let mut sym = Zeroizing::new([0u8; 16]);
        rng.try_fill_bytes(&mut sym[..]).map_err(|_| Error::Rng)?;
        let encrypted_sym_key = recipient.encrypt(rng, &sym[..])?;
        let encrypted_private_key =
            sm4::ecb_encrypt(&sym, &key.to_bytes()[..], sm4::Padding::None)?;
        Ok(EnvelopedKey {
            encrypted_sym_key,
            public_key: key.public_key(),
            encrypted_private_key,
        })
    }

    /// The public key of the wrapped key pair.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Unwraps with the recipient's private key and checks that the recovered private key
    /// matches the enclosed public key.
    pub fn open(&self, recipient: &PrivateKey) -> Result<PrivateKey> {
        let sym = recipient.decrypt(&self.encrypted_sym_key)?;
        let sym: [u8; 16] = sym.as_slice().try_into().map_err(|_| Error::Length {
            what: "SM2EnvelopedKey.symEncryptedKey plaintext",
            len: sym.len(),
            expected: "16 bytes (an SM4 key)",
        })?;
        let sym = Zeroizing::new(sym);
        let d = Zeroizing::new(sm4::ecb_decrypt(
            &sym,
            &self.encrypted_private_key,
            sm4::Padding::None,
        )?);
        // 32 bytes, or a 64-byte field left-padded with zeros (GM/T 0016 key blobs).
        let d32: [u8; 32] = match d.len() {
            32 => d[..].try_into().expect("32 bytes"),
            64 if d[..32].iter().all(|b| *b == 0) => d[32..].try_into().expect("32 bytes"),
            n => {
                return Err(Error::Length {
                    what: "SM2EnvelopedKey.sm2EncryptedPrivateKey plaintext",
                    len: n,
                    expected: "32 bytes (or 64 with 32 leading zeros)",
                });
            }
        };
        let key = PrivateKey::from_bytes(&Zeroizing::new(d32))?;
        if key.public_key() != self.public_key {
            return Err(Error::InvalidPrivateKey(
                "unwrapped private key does not match sm2PublicKey",
            ));
        }
        Ok(key)
    }

    /// DER encoding (symAlgID SM4-ECB with parameters absent).
    pub fn to_der(&self) -> Vec<u8> {
        let mut epk = Vec::with_capacity(self.encrypted_private_key.len() + 1);
        epk.push(0);
        epk.extend_from_slice(&self.encrypted_private_key);
        asn1::seq(&[
            &asn1::algorithm(&oid::SM4_ECB),
            &self.encrypted_sym_key.to_bytes(CiphertextFormat::Der),
            &self.public_key.to_gmt0009_der(),
            &asn1::tlv(Tag::BitString, &epk),
        ])
    }

    /// Parses the DER encoding; accepts symAlgID `sm4-ecb` or `sm4` with parameters absent or
    /// NULL.
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        const WHAT: &str = "SM2EnvelopedKey";
        let top = asn1::parse_one(bytes, WHAT)?;
        let mut it = Items::new(asn1::expect(top, Tag::Sequence, WHAT)?, WHAT)?;
        let (alg, params) = asn1::parse_algorithm(it.required("symAlgID")?, WHAT)?;
        if alg != oid::SM4_ECB && alg != oid::SM4 {
            return Err(asn1::unsupported(&alg, "SM2EnvelopedKey.symAlgID"));
        }
        asn1::no_params(&params, WHAT)?;
        let c = it.required("symEncryptedKey")?;
        let c_der = asn1::tlv(c.tag(), c.value());
        let encrypted_sym_key = Ciphertext::from_bytes(&c_der, CiphertextFormat::Der)?;
        let p = it.required("sm2PublicKey")?;
        let public_key = PublicKey::from_gmt0009_der(&asn1::tlv(p.tag(), p.value()))?;
        let e = asn1::expect(
            it.required("sm2EncryptedPrivateKey")?,
            Tag::BitString,
            "SM2EnvelopedKey.sm2EncryptedPrivateKey",
        )?;
        it.finish()?;
        let (unused, data) = e.split_first().ok_or(Error::Length {
            what: "SM2EnvelopedKey.sm2EncryptedPrivateKey",
            len: 0,
            expected: "a BIT STRING with content",
        })?;
        if *unused != 0 || data.is_empty() || !data.len().is_multiple_of(16) {
            return Err(Error::Length {
                what: "SM2EnvelopedKey.sm2EncryptedPrivateKey",
                len: data.len(),
                expected: "whole SM4 blocks with no unused bits",
            });
        }
        Ok(EnvelopedKey {
            encrypted_sym_key,
            public_key,
            encrypted_private_key: data.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u32::from(self.0) | 0x0101_0100)
        }
        fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
            Ok(u64::from(self.try_next_u32()?) << 32 | 0x5555)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0 | 1;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}

    #[test]
    fn null_params_accepted_absent_emitted() {
        let recipient = PrivateKey::from_bytes(&[1; 32]).unwrap();
        let wrapped = PrivateKey::from_bytes(&[2; 32]).unwrap();
        let env = EnvelopedKey::seal(&mut Counter(0), &recipient.public_key(), &wrapped).unwrap();
        let der = env.to_der();
        // Re-encode with an explicit NULL in symAlgID.
        let top = asn1::parse_one(&der, "t").unwrap();
        let mut it = Items::new(top.value(), "t").unwrap();
        let _alg = it.required("alg").unwrap();
        let rest: Vec<Vec<u8>> = core::iter::from_fn(|| it.next().unwrap())
            .map(|a| asn1::tlv(a.tag(), a.value()))
            .collect();
        let with_null = asn1::seq(&[
            &asn1::algorithm_with(&oid::SM4_ECB, &[0x05, 0x00]),
            &rest[0],
            &rest[1],
            &rest[2],
        ]);
        let parsed = EnvelopedKey::from_der(&with_null).unwrap();
        assert_eq!(parsed, env);
        assert_eq!(parsed.to_der(), der, "emits absent parameters");
        assert_eq!(
            parsed.open(&recipient).unwrap().public_key(),
            wrapped.public_key()
        );
        // Other parameters are refused.
        let bad = asn1::seq(&[
            &asn1::algorithm_with(&oid::SM4_ECB, &[0x04, 0x00]),
            &rest[0],
            &rest[1],
            &rest[2],
        ]);
        assert!(EnvelopedKey::from_der(&bad).is_err());
        // The wrong recipient cannot open it.
        assert!(env.open(&wrapped).is_err());
    }
}
