//! ISO/IEC 9797-1 MACs: algorithm 1 (CBC-MAC) and algorithm 3 (the "retail MAC") with padding
//! methods 1, 2 and 3, and AES-CMAC (algorithm 5) as EMV 4.x uses for AES cryptograms.
//!
//! None of these allocate: blocks are streamed through the cipher with the padding applied to
//! the last one.
//!
//! ```
//! use mpay_emv::crypto::{keys::TdesKey, mac::{self, Padding}};
//! let k = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
//! let m = mac::retail_mac(&k, b"Hello, World!", Padding::Method2);
//! assert_eq!(m.len(), 8);
//! mac::verify("MAC", &m, &m[..4]).unwrap(); // a truncated MAC verifies against its prefix
//! ```

use cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use subtle::ConstantTimeEq;

use crate::crypto::keys::{AesKey, TdesKey};
use crate::{Error, Result};

/// ISO/IEC 9797-1 padding methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    /// Method 1: zero bytes up to a whole block (an empty message becomes one zero block).
    /// The Visa "VSDC" cryptogram padding.
    Method1,
    /// Method 2: one `80` byte, then zero bytes up to a whole block. The EMV padding.
    Method2,
    /// Method 3: a first block holding the message length in bits (big-endian), then the
    /// message padded as in method 1 (no block is added to an empty message).
    Method3,
}

/// Feeds `data` padded by `padding` to `f`, one block of `N` bytes at a time.
pub fn for_each_padded_block<const N: usize>(
    data: &[u8],
    padding: Padding,
    mut f: impl FnMut(&[u8; N]),
) {
    if padding == Padding::Method3 {
        let mut len_block = [0u8; N];
        let bits = (data.len() as u128).wrapping_mul(8).to_be_bytes();
        let n = N.min(16);
        len_block[N - n..].copy_from_slice(&bits[16 - n..]);
        f(&len_block);
    }
    let mut chunks = data.chunks_exact(N);
    for c in &mut chunks {
        f(c.try_into().expect("exact chunk"));
    }
    let rest = chunks.remainder();
    let mut last = [0u8; N];
    last[..rest.len()].copy_from_slice(rest);
    match padding {
        Padding::Method1 => {
            if !rest.is_empty() || data.is_empty() {
                f(&last);
            }
        }
        Padding::Method2 => {
            last[rest.len()] = 0x80;
            f(&last);
        }
        Padding::Method3 => {
            if !rest.is_empty() {
                f(&last);
            }
        }
    }
}

/// Returns `data` padded by `padding` to a multiple of `block` bytes (8 or 16).
pub fn pad(data: &[u8], block: usize, padding: Padding) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 2 * block);
    match block {
        16 => for_each_padded_block::<16>(data, padding, |b| out.extend_from_slice(b)),
        _ => for_each_padded_block::<8>(data, padding, |b| out.extend_from_slice(b)),
    }
    out
}

/// ISO/IEC 9797-1 MAC algorithm 1 (CBC-MAC, zero IV) with any cipher of 8-byte blocks:
/// single DES (`des::Des`), 3DES (`des::TdesEde2`), … Returns the full last block.
pub fn cbc_mac_8<C>(cipher: &C, data: &[u8], padding: Padding) -> [u8; 8]
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = cipher::consts::U8>,
{
    let mut state = [0u8; 8];
    for_each_padded_block::<8>(data, padding, |b| {
        crate::crypto::util::xor_into(&mut state, b);
        cipher.encrypt_block(<&mut Array<u8, _>>::from(&mut state));
    });
    state
}

/// ISO/IEC 9797-1 MAC algorithm 1 with cipher blocks of 16 bytes (AES, SM4 through any
/// implementation of the RustCrypto `cipher` traits).
pub fn cbc_mac_16<C>(cipher: &C, data: &[u8], padding: Padding) -> [u8; 16]
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = cipher::consts::U16>,
{
    let mut state = [0u8; 16];
    for_each_padded_block::<16>(data, padding, |b| {
        crate::crypto::util::xor_into(&mut state, b);
        cipher.encrypt_block(<&mut Array<u8, _>>::from(&mut state));
    });
    state
}

/// ISO/IEC 9797-1 MAC algorithm 1 with a double-length DES key (full 3DES on every block).
pub fn tdes_cbc_mac(key: &TdesKey, data: &[u8], padding: Padding) -> [u8; 8] {
    cbc_mac_8(&key.cipher(), data, padding)
}

/// ISO/IEC 9797-1 MAC algorithm 3, the ANSI X9.19 "retail MAC": single-DES CBC under the left
/// key half, then the last block decrypted with the right half and encrypted with the left.
/// This is the MAC of EMV cryptograms and secure messaging.
pub fn retail_mac(key: &TdesKey, data: &[u8], padding: Padding) -> [u8; 8] {
    use cipher::BlockCipherDecrypt;
    let (left, right) = key.halves();
    let mut state = cbc_mac_8(&left, data, padding);
    right.decrypt_block(<&mut Array<u8, _>>::from(&mut state));
    left.encrypt_block(<&mut Array<u8, _>>::from(&mut state));
    state
}

/// AES-CMAC (ISO/IEC 9797-1 MAC algorithm 5, NIST SP 800-38B), full 16-byte tag.
pub fn aes_cmac(key: &AesKey, data: &[u8]) -> [u8; 16] {
    use cmac::{Cmac, Mac};
    fn run<C: cmac::block_api::CmacCipher + KeyInit + Clone>(k: &[u8], data: &[u8]) -> [u8; 16] {
        let mut m = <Cmac<C> as KeyInit>::new_from_slice(k).expect("length checked");
        m.update(data);
        let tag = m.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&tag[..16]);
        out
    }
    match key.len() {
        16 => run::<aes::Aes128>(key.expose_secret(), data),
        24 => run::<aes::Aes192>(key.expose_secret(), data),
        _ => run::<aes::Aes256>(key.expose_secret(), data),
    }
}

/// AES-CMAC truncated to its leftmost `S` bytes (4 ≤ `S` ≤ 16): the EMV MAC for 16-byte block
/// ciphers (Book 2, A1.2.2) — 8 bytes for an application cryptogram or a script MAC, 4 for an
/// ARPC of method 2.
///
/// ```
/// use mpay_emv::crypto::{keys::AesKey, mac};
/// let k = AesKey::from_hex("2b7e151628aed2a6abf7158809cf4f3c").unwrap();
/// assert_eq!(mac::aes_cmac_truncated::<4>(&k, b""), [0xBB, 0x1D, 0x69, 0x29]);
/// ```
pub fn aes_cmac_truncated<const S: usize>(key: &AesKey, data: &[u8]) -> [u8; S] {
    const { assert!(S >= 4 && S <= 16, "an EMV MAC has 4 to 16 bytes") };
    let t = aes_cmac(key, data);
    let mut out = [0u8; S];
    out.copy_from_slice(&t[..S]);
    out
}

/// Compares a received MAC, cryptogram or code with the computed one in constant time.
/// A received value may be a truncation of the computed one (4-byte ARPC, 8-byte AES AC), but
/// never empty.
pub fn verify(what: &'static str, computed: &[u8], received: &[u8]) -> Result<()> {
    if received.is_empty() || received.len() > computed.len() {
        return Err(Error::Verification { what });
    }
    if bool::from(computed[..received.len()].ct_eq(received)) {
        Ok(())
    } else {
        Err(Error::Verification { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k() -> TdesKey {
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap()
    }

    #[test]
    fn padding_methods() {
        assert_eq!(pad(b"", 8, Padding::Method1), [0u8; 8]);
        assert_eq!(pad(&[1; 8], 8, Padding::Method1), [1u8; 8]);
        assert_eq!(
            pad(&[1; 3], 8, Padding::Method2),
            [1, 1, 1, 0x80, 0, 0, 0, 0]
        );
        assert_eq!(pad(&[1; 8], 8, Padding::Method2).len(), 16);
        assert_eq!(
            pad(&[1; 3], 8, Padding::Method3),
            [0, 0, 0, 0, 0, 0, 0, 24, 1, 1, 1, 0, 0, 0, 0, 0]
        );
        assert_eq!(pad(b"", 8, Padding::Method3), [0u8; 8]);
        assert_eq!(pad(&[7; 17], 16, Padding::Method2).len(), 32);
    }

    #[test]
    fn retail_mac_equals_definition() {
        // Algorithm 3 equals algorithm 1 with single DES on all but the last block and
        // 3DES on the last when K3 = K1: check against a direct 3DES-last computation.
        use cipher::BlockCipherEncrypt;
        let data = b"The quick brown fox jumps over the lazy dog";
        let padded = pad(data, 8, Padding::Method2);
        let (l, _) = k().halves();
        let mut state = [0u8; 8];
        let n = padded.len() / 8;
        for (i, block) in padded.chunks(8).enumerate() {
            crate::crypto::util::xor_into(&mut state, block);
            if i + 1 < n {
                l.encrypt_block(<&mut Array<u8, _>>::from(&mut state));
            } else {
                k().encrypt_block(&mut state);
            }
        }
        assert_eq!(retail_mac(&k(), data, Padding::Method2), state);
    }

    #[test]
    fn cmac_sp800_38b() {
        // NIST SP 800-38B, D.1 (AES-128), examples 1 and 2.
        let key =
            AesKey::from_slice(&hex::decode("2b7e151628aed2a6abf7158809cf4f3c").unwrap()).unwrap();
        assert_eq!(
            hex::encode(aes_cmac(&key, b"")),
            "bb1d6929e95937287fa37d129b756746"
        );
        let m = hex::decode("6bc1bee22e409f96e93d7e117393172a").unwrap();
        assert_eq!(
            hex::encode(aes_cmac(&key, &m)),
            "070a16b46b4d4144f79bdd9dd04a287c"
        );
    }

    #[test]
    fn verify_is_strict() {
        let m = [1, 2, 3, 4, 5, 6, 7, 8];
        assert!(verify("MAC", &m, &m).is_ok());
        assert!(verify("MAC", &m, &m[..4]).is_ok());
        assert!(verify("MAC", &m, &[]).is_err());
        assert!(verify("MAC", &m, &[1, 2, 3, 5]).is_err());
        assert!(verify("MAC", &m[..4], &m).is_err());
    }
}
