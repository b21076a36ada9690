//! SM4 (GB/T 32907-2016): a constant-time block cipher, its modes, AEADs and MACs.
//!
//! [`Sm4`] implements the RustCrypto `cipher` 0.5 traits (`KeyInit`, `BlockCipherEncrypt`,
//! `BlockCipherDecrypt`), so generic modes (`cbc`, `ctr`, `ecb`, `cfb`, `ofb`, `xts`), the AEADs
//! ([`Sm4Gcm`], [`Sm4Ccm`]), [`Sm4Cmac`] and format-preserving encryption (`fpe`) work with it.
//! It declares 16 parallel blocks, so modes that can work in parallel (ECB, CTR, CBC decryption,
//! GCM) hand it 16 blocks at a time.
//!
//! The core is table-free and branch-free on secret data (see the `bitslice` module docs and the
//! crate README's review note).
//!
//! ```
//! use mpay_gmt::sm4::{self, Sm4};
//! use cipher::{BlockCipherEncrypt, KeyInit};
//! let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
//! let c = Sm4::new_from_slice(&key).unwrap();
//! let mut block = cipher::Array::try_from(&key[..]).unwrap();
//! c.encrypt_block(&mut block);
//! assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
//! ```

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod aesni;
mod bitslice;

/// Which SM4 implementation an [`Sm4`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Portable bit-sliced core (16 blocks per pass), constant-time, no `unsafe`.
    Portable,
    /// x86-64 AES-NI + SSSE3 (4 blocks per pass), constant-time, chosen at run time; single
    /// blocks (CBC encryption, CMAC, CBC-MAC) use GFNI instead when the CPU has it.
    AesNi,
}

fn best_backend() -> Backend {
    #[cfg(target_arch = "x86_64")]
    if aesni::available() {
        return Backend::AesNi;
    }
    Backend::Portable
}

use crate::{Error, Result};
use alloc::vec::Vec;
use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut,
    InOutBuf, Key, KeyInit, KeySizeUser, ParBlocks, ParBlocksSizeUser,
    consts::{U12, U16},
};
use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

pub use aes_gcm::aead;

/// Key length in bytes.
pub const KEY_SIZE: usize = 16;
/// Block length in bytes.
pub const BLOCK_SIZE: usize = 16;

/// The SM4 block cipher (constant-time, 16 blocks in parallel).
#[derive(Clone)]
pub struct Sm4 {
    keys: Keys,
}

/// Round keys in the form the chosen backend uses, expanded once per key.
#[derive(Clone)]
// The portable variant carries the bit-sliced round keys (2 KiB) inline: no allocation per key.
#[allow(clippy::large_enum_variant)]
enum Keys {
    Portable(bitslice::RoundKeys),
    #[cfg(target_arch = "x86_64")]
    AesNi(aesni::RoundKeys),
}

impl Sm4 {
    /// Expands a 16-byte key; uses the fastest backend this CPU supports.
    pub fn from_key(key: &[u8; KEY_SIZE]) -> Self {
        Self::with_backend(key, best_backend())
    }

    /// Expands a 16-byte key for the portable backend (for comparisons and tests).
    pub fn portable(key: &[u8; KEY_SIZE]) -> Self {
        Self::with_backend(key, Backend::Portable)
    }

    fn with_backend(key: &[u8; KEY_SIZE], backend: Backend) -> Self {
        let keys = match backend {
            #[cfg(target_arch = "x86_64")]
            Backend::AesNi => Keys::AesNi(aesni::RoundKeys::new(key)),
            _ => Keys::Portable(bitslice::RoundKeys::new(key)),
        };
        Sm4 { keys }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.keys {
            Keys::Portable(_) => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Keys::AesNi(_) => Backend::AesNi,
        }
    }

    /// Encrypts one block in place.
    pub fn encrypt_in_place(&self, block: &mut [u8; BLOCK_SIZE]) {
        self.crypt_one(block, false);
    }

    /// Decrypts one block in place.
    pub fn decrypt_in_place(&self, block: &mut [u8; BLOCK_SIZE]) {
        self.crypt_one(block, true);
    }

    /// One block: the latency-bound path of CBC encryption, CMAC and CBC-MAC.
    #[inline]
    fn crypt_one(&self, block: &mut [u8; 16], decrypt: bool) {
        match &self.keys {
            #[cfg(target_arch = "x86_64")]
            Keys::AesNi(rk) => aesni::crypt_one(rk, block, decrypt),
            Keys::Portable(rk) => bitslice::crypt_one(rk, block, decrypt),
        }
    }

    fn crypt_blocks(&self, blocks: &mut [[u8; 16]], decrypt: bool) {
        match (&self.keys, blocks) {
            (_, []) => {}
            (_, [one]) => self.crypt_one(one, decrypt),
            #[cfg(target_arch = "x86_64")]
            (Keys::AesNi(rk), blocks) => aesni::crypt(rk, blocks, decrypt),
            (Keys::Portable(rk), blocks) => {
                for chunk in blocks.chunks_mut(bitslice::LANES) {
                    bitslice::crypt_many(rk, chunk, decrypt);
                }
            }
        }
    }

    fn crypt_inout_buf(&self, mut blocks: InOutBuf<'_, '_, Block<Self>>, decrypt: bool) {
        let n = blocks.len();
        let mut buf = [[0u8; 16]; bitslice::LANES];
        let mut done = 0;
        while done < n {
            let m = (n - done).min(bitslice::LANES);
            for (dst, src) in buf.iter_mut().zip(&blocks.get_in()[done..done + m]) {
                dst.copy_from_slice(src);
            }
            self.crypt_blocks(&mut buf[..m], decrypt);
            for (dst, src) in blocks.get_out()[done..done + m].iter_mut().zip(buf.iter()) {
                dst.copy_from_slice(src);
            }
            done += m;
        }
        buf.zeroize();
    }

    fn crypt_par(&self, blocks: InOut<'_, '_, ParBlocks<Self>>, decrypt: bool) {
        self.crypt_inout_buf(blocks.into_buf(), decrypt)
    }

    /// One block straight in the output buffer (no stack copy of the result to wipe: the
    /// only copy made is of the input, which the caller's buffer holds anyway).
    fn crypt_single(&self, mut block: InOut<'_, '_, Block<Self>>, decrypt: bool) {
        let input = *block.get_in();
        let out = block.get_out();
        *out = input;
        self.crypt_one(out.as_mut(), decrypt);
    }
}

impl KeySizeUser for Sm4 {
    type KeySize = U16;
}

impl KeyInit for Sm4 {
    fn new(key: &Key<Self>) -> Self {
        let mut k = [0u8; 16];
        k.copy_from_slice(key);
        let s = Sm4::from_key(&k);
        k.zeroize();
        s
    }
}

impl BlockSizeUser for Sm4 {
    type BlockSize = U16;
}

impl ParBlocksSizeUser for Sm4 {
    type ParBlocksSize = U16;
}

/// The `cipher` front and back ends for one direction (the two differ only in names and flag).
macro_rules! direction {
    ($front:ident, $with:ident, $closure:ident, $back:ident,
     $block:ident, $par:ident, $tail:ident, $decrypt:literal) => {
        impl $front for Sm4 {
            #[inline]
            fn $with(&self, f: impl $closure<BlockSize = Self::BlockSize>) {
                f.call(self)
            }
        }

        impl $back for Sm4 {
            #[inline]
            fn $block(&self, block: InOut<'_, '_, Block<Self>>) {
                self.crypt_single(block, $decrypt)
            }
            #[inline]
            fn $par(&self, blocks: InOut<'_, '_, ParBlocks<Self>>) {
                self.crypt_par(blocks, $decrypt)
            }
            #[inline]
            fn $tail(&self, blocks: InOutBuf<'_, '_, Block<Self>>) {
                self.crypt_inout_buf(blocks, $decrypt)
            }
        }
    };
}

direction!(
    BlockCipherEncrypt,
    encrypt_with_backend,
    BlockCipherEncClosure,
    BlockCipherEncBackend,
    encrypt_block,
    encrypt_par_blocks,
    encrypt_tail_blocks,
    false
);
direction!(
    BlockCipherDecrypt,
    decrypt_with_backend,
    BlockCipherDecClosure,
    BlockCipherDecBackend,
    decrypt_block,
    decrypt_par_blocks,
    decrypt_tail_blocks,
    true
);

impl fmt::Debug for Sm4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sm4 { .. }")
    }
}

impl AlgorithmName for Sm4 {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SM4")
    }
}

impl Drop for Sm4 {
    fn drop(&mut self) {
        match &mut self.keys {
            Keys::Portable(rk) => rk.zeroize(),
            #[cfg(target_arch = "x86_64")]
            Keys::AesNi(rk) => rk.zeroize(),
        }
    }
}

impl zeroize::ZeroizeOnDrop for Sm4 {}

/// SM4-GCM (NIST SP 800-38D with SM4, as RFC 8998 uses it): 12-byte nonce, 16-byte tag.
/// Use it through the [`aead`] traits.
pub type Sm4Gcm = aes_gcm::AesGcm<Sm4, U12>;

/// SM4-CCM (NIST SP 800-38C / RFC 8998): 12-byte nonce, 16-byte tag.
pub type Sm4Ccm = ccm::Ccm<Sm4, U16, U12>;

/// SM4-CMAC (NIST SP 800-38B with SM4), usable through `digest::Mac`.
pub type Sm4Cmac = cmac::Cmac<Sm4>;

/// Block-mode padding for [`cbc_encrypt`] / [`ecb_encrypt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// No padding: the data must be a multiple of 16 bytes.
    None,
    /// PKCS#7 padding (what `openssl enc` uses by default).
    Pkcs7,
}

/// Padding of the last block for [`cbc_mac`] (ISO/IEC 9797-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacPadding {
    /// Method 1: zero bytes up to a block boundary (nothing added to aligned data).
    Zeros,
    /// Method 2: `0x80` then zero bytes (always adds at least one byte).
    Iso9797Method2,
}

fn pad(data: &[u8], padding: Padding, what: &'static str) -> Result<Vec<u8>> {
    let mut v = data.to_vec();
    match padding {
        Padding::None => {
            if !data.len().is_multiple_of(BLOCK_SIZE) {
                return Err(Error::NotBlockAligned {
                    what,
                    len: data.len(),
                    block: BLOCK_SIZE,
                });
            }
        }
        Padding::Pkcs7 => {
            let n = BLOCK_SIZE - data.len() % BLOCK_SIZE;
            v.resize(data.len() + n, n as u8);
        }
    }
    Ok(v)
}

fn unpad(mut v: Vec<u8>, padding: Padding) -> Result<Vec<u8>> {
    if padding == Padding::Pkcs7 {
        // Constant-time over the last block: no early exit on the padding bytes.
        let len = v.len();
        let n = *v.last().ok_or(Error::Padding)? as usize;
        let last = &v[len - BLOCK_SIZE..];
        let mut bad = subtle::Choice::from(u8::from(n == 0 || n > BLOCK_SIZE));
        for (i, b) in last.iter().enumerate() {
            let in_pad = subtle::Choice::from(u8::from(i >= BLOCK_SIZE - n.min(BLOCK_SIZE)));
            bad |= in_pad & !b.ct_eq(&(n as u8));
        }
        if bool::from(bad) {
            v.zeroize();
            return Err(Error::Padding);
        }
        v.truncate(len - n);
    }
    Ok(v)
}

/// Pads `data`, runs the block-mode encryption `f` over the padded copy and returns it.
fn encrypt_padded(
    data: &[u8],
    padding: Padding,
    what: &'static str,
    f: impl FnOnce(&mut [cipher::Block<Sm4>]),
) -> Result<Vec<u8>> {
    let mut v = pad(data, padding, what)?;
    f(cipher::Array::slice_as_chunks_mut(&mut v).0);
    Ok(v)
}

/// Checks block alignment, runs the block-mode decryption `f` over a copy and unpads it.
fn decrypt_padded(
    data: &[u8],
    padding: Padding,
    what: &'static str,
    f: impl FnOnce(&mut [cipher::Block<Sm4>]),
) -> Result<Vec<u8>> {
    let mut v = pad(data, Padding::None, what)?;
    if padding == Padding::Pkcs7 && v.is_empty() {
        return Err(Error::Padding);
    }
    f(cipher::Array::slice_as_chunks_mut(&mut v).0);
    unpad(v, padding)
}

/// SM4-ECB encryption of `data` (each block independently; 16 blocks at a time).
pub fn ecb_encrypt(key: &[u8; KEY_SIZE], data: &[u8], padding: Padding) -> Result<Vec<u8>> {
    encrypt_padded(data, padding, "SM4-ECB encrypt", |b| {
        Sm4::from_key(key).encrypt_blocks(b)
    })
}

/// SM4-ECB decryption.
pub fn ecb_decrypt(key: &[u8; KEY_SIZE], data: &[u8], padding: Padding) -> Result<Vec<u8>> {
    decrypt_padded(data, padding, "SM4-ECB decrypt", |b| {
        Sm4::from_key(key).decrypt_blocks(b)
    })
}

/// SM4-CBC encryption (the generic `cbc` crate over [`Sm4`]).
///
/// ```
/// use mpay_gmt::sm4::{cbc_decrypt, cbc_encrypt, Padding};
/// let (k, iv) = ([1u8; 16], [2u8; 16]);
/// let c = cbc_encrypt(&k, &iv, b"hello", Padding::Pkcs7).unwrap();
/// assert_eq!(cbc_decrypt(&k, &iv, &c, Padding::Pkcs7).unwrap(), b"hello");
/// ```
pub fn cbc_encrypt(
    key: &[u8; KEY_SIZE],
    iv: &[u8; BLOCK_SIZE],
    data: &[u8],
    padding: Padding,
) -> Result<Vec<u8>> {
    use cipher::{BlockModeEncrypt, KeyIvInit};
    encrypt_padded(data, padding, "SM4-CBC encrypt", |b| {
        cbc::Encryptor::<Sm4>::new(key.into(), iv.into()).encrypt_blocks(b)
    })
}

/// SM4-CBC decryption (16 blocks decrypted in parallel).
pub fn cbc_decrypt(
    key: &[u8; KEY_SIZE],
    iv: &[u8; BLOCK_SIZE],
    data: &[u8],
    padding: Padding,
) -> Result<Vec<u8>> {
    use cipher::{BlockModeDecrypt, KeyIvInit};
    decrypt_padded(data, padding, "SM4-CBC decrypt", |b| {
        cbc::Decryptor::<Sm4>::new(key.into(), iv.into()).decrypt_blocks(b)
    })
}

/// SM4-CTR with a 128-bit big-endian counter starting at `iv` (as `openssl enc -sm4-ctr`).
/// Encryption and decryption are the same operation.
pub fn ctr_apply(key: &[u8; KEY_SIZE], iv: &[u8; BLOCK_SIZE], data: &[u8]) -> Vec<u8> {
    use cipher::{KeyIvInit, StreamCipher};
    let mut v = data.to_vec();
    let mut c = ctr::Ctr128BE::<Sm4>::new(key.into(), iv.into());
    c.apply_keystream(&mut v);
    v
}

/// SM4-GCM encryption: returns `ciphertext ‖ tag` (16-byte tag), or [`Error::Length`] for a
/// plaintext beyond GCM's limit (2^36 − 32 bytes).
///
/// ```
/// use mpay_gmt::sm4::{gcm_decrypt, gcm_encrypt};
/// let c = gcm_encrypt(&[0u8; 16], &[1u8; 12], b"aad", b"msg").unwrap();
/// assert_eq!(gcm_decrypt(&[0u8; 16], &[1u8; 12], b"aad", &c).unwrap(), b"msg");
/// assert!(gcm_decrypt(&[0u8; 16], &[1u8; 12], b"AAD", &c).is_err());
/// ```
pub fn gcm_encrypt(
    key: &[u8; KEY_SIZE],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    aead_run::<Sm4Gcm>(key, nonce, aad, plaintext, true).map_err(|_| Error::Length {
        what: "SM4-GCM plaintext",
        len: plaintext.len(),
        expected: "at most 2^36 - 32 bytes",
    })
}

/// One AEAD operation with a 16-byte key and a 12-byte nonce: seal (`msg` = plaintext) or open
/// (`msg` = `ciphertext ‖ tag`).
fn aead_run<A>(
    key: &[u8; KEY_SIZE],
    nonce: &[u8; 12],
    aad: &[u8],
    msg: &[u8],
    seal: bool,
) -> core::result::Result<Vec<u8>, aead::Error>
where
    A: aead::Aead + KeyInit + aead::AeadCore<NonceSize = U12> + KeySizeUser<KeySize = U16>,
{
    let c = A::new(key.into());
    let payload = aead::Payload { msg, aad };
    if seal {
        c.encrypt(nonce.into(), payload)
    } else {
        c.decrypt(nonce.into(), payload)
    }
}

/// SM4-GCM decryption of `ciphertext ‖ tag`; the tag is checked in constant time.
pub fn gcm_decrypt(
    key: &[u8; KEY_SIZE],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>> {
    aead_run::<Sm4Gcm>(key, nonce, aad, ciphertext_and_tag, false).map_err(|_| Error::BadTag)
}

/// SM4-CCM encryption (12-byte nonce, 16-byte tag): returns `ciphertext ‖ tag`.
pub fn ccm_encrypt(
    key: &[u8; KEY_SIZE],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    aead_run::<Sm4Ccm>(key, nonce, aad, plaintext, true).map_err(|_| Error::Length {
        what: "SM4-CCM plaintext",
        len: plaintext.len(),
        expected: "below 2^24 bytes",
    })
}

/// SM4-CCM decryption of `ciphertext ‖ tag`.
pub fn ccm_decrypt(
    key: &[u8; KEY_SIZE],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>> {
    aead_run::<Sm4Ccm>(key, nonce, aad, ciphertext_and_tag, false).map_err(|_| Error::BadTag)
}

/// SM4-CMAC of `data` (16-byte tag).
pub fn cmac(key: &[u8; KEY_SIZE], data: &[u8]) -> [u8; BLOCK_SIZE] {
    use cmac::Mac;
    let mut m = <Sm4Cmac as cmac::KeyInit>::new(key.into());
    m.update(data);
    m.finalize().into_bytes().into()
}

/// CBC-MAC with SM4 (ISO/IEC 9797-1 MAC algorithm 1, zero IV, full 16-byte result), as PBOC uses
/// for SM4 MACs. Only safe for messages of a fixed length, as any raw CBC-MAC.
///
/// ```
/// use mpay_gmt::sm4::{cbc_mac, MacPadding};
/// let t = cbc_mac(&[0u8; 16], b"0123456789", MacPadding::Iso9797Method2);
/// assert_eq!(t.len(), 16);
/// ```
pub fn cbc_mac(key: &[u8; KEY_SIZE], data: &[u8], padding: MacPadding) -> [u8; BLOCK_SIZE] {
    let c = Sm4::from_key(key);
    let mut v = data.to_vec();
    if padding == MacPadding::Iso9797Method2 {
        v.push(0x80);
    }
    let rem = v.len() % BLOCK_SIZE;
    if rem != 0 || v.is_empty() {
        v.resize(
            v.len() + (BLOCK_SIZE - rem) % BLOCK_SIZE + usize::from(v.is_empty()) * BLOCK_SIZE,
            0,
        );
    }
    let mut state = [0u8; BLOCK_SIZE];
    for block in v.chunks_exact(BLOCK_SIZE) {
        for (s, b) in state.iter_mut().zip(block) {
            *s ^= b;
        }
        c.encrypt_in_place(&mut state);
    }
    v.zeroize();
    state
}

/// Compares two MACs or tags in constant time.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}
