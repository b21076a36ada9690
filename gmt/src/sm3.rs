//! SM3 (GM/T 0004-2012): hashing, HMAC-SM3, the SM3 KDF and PBKDF2-HMAC-SM3.
//!
//! The compression function is the RustCrypto `sm3` crate; this module adds the constructions
//! payment systems need around it.
//!
//! ```
//! use mpay_gmt::sm3;
//! let d = sm3::hash(&b"abcd".repeat(16));
//! assert_eq!(hex::encode(d), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
//! let mac = sm3::hmac(b"key", b"message");
//! assert!(sm3::hmac_verify(b"key", b"message", &mac));
//! ```

use alloc::vec::Vec;
use digest::{Digest, KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

pub use sm3::Sm3;

/// Size of an SM3 digest in bytes.
pub const DIGEST_SIZE: usize = 32;

/// HMAC-SM3 (RFC 2104 over SM3), usable through the `digest::Mac` trait.
pub type HmacSm3 = hmac::Hmac<Sm3>;

/// SM3 digest of `data`.
pub fn hash(data: &[u8]) -> [u8; DIGEST_SIZE] {
    Sm3::digest(data).into()
}

/// SM3 digest of the concatenation of `parts` (no copy).
pub fn hash_parts(parts: &[&[u8]]) -> [u8; DIGEST_SIZE] {
    let mut h = Sm3::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SM3 of `data` under `key` (any key length).
pub fn hmac(key: &[u8], data: &[u8]) -> [u8; DIGEST_SIZE] {
    let mut m = <HmacSm3 as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Checks an HMAC-SM3 tag in constant time. `tag` may be truncated (at least 4 bytes).
pub fn hmac_verify(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let mut full = hmac(key, data);
    let ok = tag.len() >= 4 && tag.len() <= DIGEST_SIZE && bool::from(full[..tag.len()].ct_eq(tag));
    full.zeroize();
    ok
}

/// The SM3 key-derivation function of GM/T 0003.4 §5.4.3 (the same as ANSI X9.63 KDF with SM3):
/// `K = SM3(Z‖1) ‖ SM3(Z‖2) ‖ …` truncated to `out.len()` bytes, `Z` being the concatenation of
/// `z_parts`. The counter is 32-bit big-endian starting at 1.
///
/// ```
/// let mut k = [0u8; 16];
/// mpay_gmt::sm3::kdf_into(&[b"shared secret"], &mut k);
/// assert_eq!(k.to_vec(), mpay_gmt::sm3::kdf(&[b"shared ", b"secret"], 16));
/// ```
pub fn kdf_into(z_parts: &[&[u8]], out: &mut [u8]) {
    let mut base = Sm3::new();
    for p in z_parts {
        base.update(p);
    }
    for (i, chunk) in out.chunks_mut(DIGEST_SIZE).enumerate() {
        let ct = u32::try_from(i + 1).expect("KDF output below 2^32 blocks");
        let mut h = base.clone();
        h.update(ct.to_be_bytes());
        let mut block: [u8; DIGEST_SIZE] = h.finalize().into();
        chunk.copy_from_slice(&block[..chunk.len()]);
        block.zeroize();
    }
}

/// [`kdf_into`] returning a new vector of `len` bytes.
pub fn kdf(z_parts: &[&[u8]], len: usize) -> Vec<u8> {
    let mut out = alloc::vec![0u8; len];
    kdf_into(z_parts, &mut out);
    out
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC-SM3 as the PRF, filling `out`.
///
/// ```
/// let mut dk = [0u8; 32];
/// mpay_gmt::sm3::pbkdf2_hmac_sm3(b"password", b"salt", 2, &mut dk);
/// assert_ne!(dk, [0u8; 32]);
/// ```
pub fn pbkdf2_hmac_sm3(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    let prf = <HmacSm3 as KeyInit>::new_from_slice(password).expect("HMAC accepts any key length");
    for (i, chunk) in out.chunks_mut(DIGEST_SIZE).enumerate() {
        let block_index = u32::try_from(i + 1).expect("PBKDF2 output below 2^32 blocks");
        let mut m = prf.clone();
        m.update(salt);
        m.update(&block_index.to_be_bytes());
        let mut u: [u8; DIGEST_SIZE] = m.finalize().into_bytes().into();
        let mut t = u;
        for _ in 1..iterations {
            let mut m = prf.clone();
            m.update(&u);
            u = m.finalize().into_bytes().into();
            for (a, b) in t.iter_mut().zip(u.iter()) {
                *a ^= b;
            }
        }
        chunk.copy_from_slice(&t[..chunk.len()]);
        u.zeroize();
        t.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_counter_starts_at_one() {
        let k = kdf(&[b"z"], 40);
        assert_eq!(&k[..32], &hash(b"z\x00\x00\x00\x01"));
        assert_eq!(&k[32..], &hash(b"z\x00\x00\x00\x02")[..8]);
    }

    #[test]
    fn pbkdf2_one_iteration_is_hmac() {
        let mut dk = [0u8; 32];
        pbkdf2_hmac_sm3(b"pw", b"salt", 1, &mut dk);
        assert_eq!(dk, hmac(b"pw", b"salt\x00\x00\x00\x01"));
    }

    #[test]
    fn hmac_verify_rejects() {
        let t = hmac(b"k", b"m");
        assert!(hmac_verify(b"k", b"m", &t[..16]));
        assert!(!hmac_verify(b"k", b"n", &t));
        assert!(!hmac_verify(b"k", b"m", &t[..3]));
    }
}
