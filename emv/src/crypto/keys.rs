//! Keys: double-length DES keys (the EMV card-scheme keys), AES keys and SM4 keys (PBOC/UICS).
//!
//! All zeroize on drop, compare in constant time, and print only their key check value (KCV):
//! `TdesKey { kcv: "08D7" }`.

use cipher::{Array, BlockCipherEncrypt, KeyInit};
use des::{Des, TdesEde2};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// A double-length (16-byte, two-key) triple-DES key, as every EMV card-scheme key is.
///
/// ```
/// use mpay_emv::crypto::keys::TdesKey;
/// let k = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
/// assert_eq!(k.check_value(), [0x08, 0xD7, 0xB4]);
/// assert_eq!(format!("{k:?}"), "TdesKey { kcv: \"08D7B4\" }");
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TdesKey {
    bytes: [u8; 16],
}

impl TdesKey {
    /// A key from its 16 bytes (parity bits are kept as given).
    pub fn new(bytes: [u8; 16]) -> Self {
        TdesKey { bytes }
    }

    /// A key from a 16-byte slice.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| Error::Length {
            what: "double-length DES key",
            expected: "16",
            actual: bytes.len(),
        })?;
        Ok(TdesKey { bytes })
    }

    /// A key from 32 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self> {
        Ok(TdesKey {
            bytes: crate::crypto::util::hex_array("double-length DES key", hex)?,
        })
    }

    /// The key bytes. Handle with care: this is the secret.
    pub fn expose_secret(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// The same key with every byte set to odd parity, as derived EMV keys are.
    pub fn with_odd_parity(mut self) -> Self {
        for b in &mut self.bytes {
            *b = (*b & 0xFE) | u8::from((*b >> 1).count_ones() % 2 == 0);
        }
        self
    }

    /// The key check value: the first three bytes of the encryption of eight zero bytes.
    pub fn check_value(&self) -> [u8; 3] {
        let mut block = [0u8; 8];
        self.encrypt_block(&mut block);
        [block[0], block[1], block[2]]
    }

    /// Encrypts one 8-byte block in place (3DES EDE, ECB).
    pub fn encrypt_block(&self, block: &mut [u8; 8]) {
        let c = self.cipher();
        let b = <&mut Array<u8, _>>::from(block);
        c.encrypt_block(b);
    }

    /// Decrypts one 8-byte block in place (3DES EDE, ECB).
    pub fn decrypt_block(&self, block: &mut [u8; 8]) {
        use cipher::BlockCipherDecrypt;
        let c = self.cipher();
        c.decrypt_block(<&mut Array<u8, _>>::from(block));
    }

    /// The 3DES cipher of this key.
    pub fn cipher(&self) -> TdesEde2 {
        TdesEde2::new(&Array(self.bytes))
    }

    /// The single-DES ciphers of the left and right halves (for ISO 9797-1 algorithm 3).
    pub(crate) fn halves(&self) -> (Des, Des) {
        let mut l = [0u8; 8];
        let mut r = [0u8; 8];
        l.copy_from_slice(&self.bytes[..8]);
        r.copy_from_slice(&self.bytes[8..]);
        let out = (Des::new(&Array(l)), Des::new(&Array(r)));
        l.zeroize();
        r.zeroize();
        out
    }
}

impl core::fmt::Debug for TdesKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kcv = self.check_value();
        write!(
            f,
            "TdesKey {{ kcv: \"{:02X}{:02X}{:02X}\" }}",
            kcv[0], kcv[1], kcv[2]
        )
    }
}

impl PartialEq for TdesKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}
impl Eq for TdesKey {}

/// An AES key of 16, 24 or 32 bytes.
///
/// ```
/// use mpay_emv::crypto::keys::AesKey;
/// let k = AesKey::from_slice(&[0x2B; 16]).unwrap();
/// assert_eq!(k.len(), 16);
/// assert!(format!("{k:?}").starts_with("AesKey { bits: 128, kcv: "));
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AesKey {
    bytes: [u8; 32],
    len: u8,
}

impl AesKey {
    /// A key from 16, 24 or 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        if !matches!(bytes.len(), 16 | 24 | 32) {
            return Err(Error::Length {
                what: "AES key",
                expected: "16, 24 or 32",
                actual: bytes.len(),
            });
        }
        let mut buf = [0u8; 32];
        buf[..bytes.len()].copy_from_slice(bytes);
        Ok(AesKey {
            bytes: buf,
            len: bytes.len() as u8,
        })
    }

    /// A key from 32, 48 or 64 hex digits.
    ///
    /// ```
    /// use mpay_emv::crypto::keys::AesKey;
    /// assert_eq!(AesKey::from_hex(&"00".repeat(24)).unwrap().len(), 24);
    /// assert!(AesKey::from_hex(&"00".repeat(20)).is_err());
    /// ```
    pub fn from_hex(hex: &str) -> Result<Self> {
        let s = hex.trim();
        if let Some(position) = s.bytes().position(|b| !b.is_ascii_hexdigit()) {
            return Err(Error::Character {
                what: "AES key",
                position,
            });
        }
        if !matches!(s.len(), 32 | 48 | 64) {
            return Err(Error::Length {
                what: "AES key",
                expected: "16, 24 or 32",
                actual: s.len() / 2,
            });
        }
        let mut buf = [0u8; 32];
        crate::crypto::util::pack_nibbles(s, &mut buf[..s.len() / 2]);
        let key = Self::from_slice(&buf[..s.len() / 2]);
        buf.zeroize();
        key
    }

    /// Key length in bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: an AES key has 16 to 32 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The key bytes. Handle with care: this is the secret.
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes[..self.len()]
    }

    /// Encrypts one 16-byte block in place (AES, ECB).
    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        let b = <&mut Array<u8, _>>::from(block);
        match self.len {
            16 => aes::Aes128::new_from_slice(self.expose_secret())
                .expect("length checked")
                .encrypt_block(b),
            24 => aes::Aes192::new_from_slice(self.expose_secret())
                .expect("length checked")
                .encrypt_block(b),
            _ => aes::Aes256::new_from_slice(self.expose_secret())
                .expect("length checked")
                .encrypt_block(b),
        }
    }

    /// Decrypts one 16-byte block in place (AES, ECB).
    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        use cipher::BlockCipherDecrypt;
        let b = <&mut Array<u8, _>>::from(block);
        match self.len {
            16 => aes::Aes128::new_from_slice(self.expose_secret())
                .expect("length checked")
                .decrypt_block(b),
            24 => aes::Aes192::new_from_slice(self.expose_secret())
                .expect("length checked")
                .decrypt_block(b),
            _ => aes::Aes256::new_from_slice(self.expose_secret())
                .expect("length checked")
                .decrypt_block(b),
        }
    }

    /// The key check value: the first three bytes of the encryption of sixteen zero bytes (the
    /// legacy KCV, as most HSMs print it).
    pub fn check_value(&self) -> [u8; 3] {
        let mut block = [0u8; 16];
        self.encrypt_block(&mut block);
        [block[0], block[1], block[2]]
    }
}

impl core::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kcv = self.check_value();
        write!(
            f,
            "AesKey {{ bits: {}, kcv: \"{:02X}{:02X}{:02X}\" }}",
            self.len() * 8,
            kcv[0],
            kcv[1],
            kcv[2]
        )
    }
}

impl PartialEq for AesKey {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && bool::from(self.expose_secret().ct_eq(other.expose_secret()))
    }
}
impl Eq for AesKey {}

/// An SM4 key (16 bytes), as the PBOC/UICS national-algorithm profile uses for its master and
/// session keys and the UnionPay SM4 MAC key.
///
/// ```
/// use mpay_emv::crypto::keys::Sm4Key;
/// let k = Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
/// // GB/T 32907 example 1: the first bytes of SM4(k)[k].
/// let mut b = *k.expose_secret();
/// k.encrypt_block(&mut b);
/// assert_eq!(b[..4], [0x68, 0x1E, 0xDF, 0x34]);
/// assert!(format!("{k:?}").starts_with("Sm4Key { kcv: "));
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Sm4Key {
    bytes: [u8; 16],
}

impl Sm4Key {
    /// A key from its 16 bytes.
    pub fn new(bytes: [u8; 16]) -> Self {
        Sm4Key { bytes }
    }

    /// A key from a 16-byte slice.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| Error::Length {
            what: "SM4 key",
            expected: "16",
            actual: bytes.len(),
        })?;
        Ok(Sm4Key { bytes })
    }

    /// A key from 32 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self> {
        Ok(Sm4Key {
            bytes: crate::crypto::util::hex_array("SM4 key", hex)?,
        })
    }

    /// The key bytes. Handle with care: this is the secret.
    pub fn expose_secret(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// The SM4 cipher of this key (RustCrypto `cipher` traits, so the generic MACs and modes
    /// of [`crate::crypto::mac`] take it).
    pub fn cipher(&self) -> mpay_gmt::sm4::Sm4 {
        mpay_gmt::sm4::Sm4::from_key(&self.bytes)
    }

    /// Encrypts one 16-byte block in place (SM4, ECB).
    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        self.cipher().encrypt_in_place(block);
    }

    /// Decrypts one 16-byte block in place (SM4, ECB).
    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        self.cipher().decrypt_in_place(block);
    }

    /// The key check value: the first three bytes of the encryption of sixteen zero bytes.
    pub fn check_value(&self) -> [u8; 3] {
        let mut block = [0u8; 16];
        self.encrypt_block(&mut block);
        [block[0], block[1], block[2]]
    }
}

impl core::fmt::Debug for Sm4Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kcv = self.check_value();
        write!(
            f,
            "Sm4Key {{ kcv: \"{:02X}{:02X}{:02X}\" }}",
            kcv[0], kcv[1], kcv[2]
        )
    }
}

impl PartialEq for Sm4Key {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}
impl Eq for Sm4Key {}

/// A key of a block cipher with `N`-byte blocks: what the generic modes of secure messaging
/// ([`crate::crypto::sm`]) and the 16-byte ARPC ([`crate::crypto::ac::arpc_method1_16`]) run on.
/// Implemented by [`TdesKey`] (`N` = 8), [`AesKey`] and [`Sm4Key`] (`N` = 16).
///
/// ```
/// use mpay_emv::crypto::keys::{AesKey, BlockKey};
/// fn kcv<const N: usize, K: BlockKey<N>>(k: &K) -> [u8; N] {
///     let mut b = [0u8; N];
///     k.encrypt(&mut b);
///     b
/// }
/// let k = AesKey::from_slice(&[7; 16]).unwrap();
/// assert_eq!(kcv(&k)[..3], k.check_value());
/// ```
pub trait BlockKey<const N: usize> {
    /// Encrypts one block in place (ECB).
    fn encrypt(&self, block: &mut [u8; N]);
    /// Decrypts one block in place (ECB).
    fn decrypt(&self, block: &mut [u8; N]);
}

impl BlockKey<8> for TdesKey {
    fn encrypt(&self, block: &mut [u8; 8]) {
        self.encrypt_block(block);
    }
    fn decrypt(&self, block: &mut [u8; 8]) {
        self.decrypt_block(block);
    }
}

impl BlockKey<16> for AesKey {
    fn encrypt(&self, block: &mut [u8; 16]) {
        self.encrypt_block(block);
    }
    fn decrypt(&self, block: &mut [u8; 16]) {
        self.decrypt_block(block);
    }
}

impl BlockKey<16> for Sm4Key {
    fn encrypt(&self, block: &mut [u8; 16]) {
        self.encrypt_block(block);
    }
    fn decrypt(&self, block: &mut [u8; 16]) {
        self.decrypt_block(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_and_kcv() {
        let k = TdesKey::new([0u8; 16]).with_odd_parity();
        assert!(k.expose_secret().iter().all(|b| b.count_ones() % 2 == 1));
        assert_eq!(k.expose_secret()[0], 0x01);
        let k = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        assert_eq!(k.check_value()[..2], [0x08, 0xD7]);
    }

    #[test]
    fn bad_lengths() {
        assert!(matches!(
            TdesKey::from_slice(&[0; 8]),
            Err(Error::Length { actual: 8, .. })
        ));
        assert!(AesKey::from_slice(&[0; 20]).is_err());
        assert!(TdesKey::from_hex("zz").is_err());
    }

    #[test]
    fn aes_fips197_kat() {
        // FIPS-197 Appendix C.1.
        let k =
            AesKey::from_slice(&hex::decode("000102030405060708090a0b0c0d0e0f").unwrap()).unwrap();
        let mut b: [u8; 16] = hex::decode("00112233445566778899aabbccddeeff")
            .unwrap()
            .try_into()
            .unwrap();
        k.encrypt_block(&mut b);
        assert_eq!(hex::encode(b), "69c4e0d86a7b0430d8cdb78070b4c55a");
    }
}
