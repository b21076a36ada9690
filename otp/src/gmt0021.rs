//! The GM/T 0021-2012 one-time password (动态口令密码应用技术规范), SM3- and SM4-based.
//!
//! ID = T ‖ C ‖ Q — T the time factor (8 bytes, big-endian: ⌊t / Tc⌋, Tc ≤ 60 s), C the event
//! counter (4 bytes, big-endian), Q the challenge (≥ 4 bytes, ASCII); the factors a deployment
//! uses are concatenated in that order and zero-padded to at least 128 bits.
//! S = SM3(K ‖ ID) (K ≥ 128 bits), or S = SM4 under K (exactly 128 bits) over ID — one block,
//! or for longer IDs CBC-MAC with a zero IV over ID zero-padded to whole blocks (the chaining
//! GmSSL uses). Truncate(S) = the sum of S's big-endian 32-bit words modulo 2^32;
//! P = Truncate(S) mod 10^N, N ≥ 6.
//!
//! The SM4 variant is generic over any RustCrypto 128-bit block cipher; [`sm4_otp`] uses the
//! constant-time SM4 of `mpay-gmt` (feature `gmt`, default).
//!
//! ```
//! use mpay_otp::gmt0021::{Factors, sm3_otp};
//! let key = [0x11u8; 16];
//! let f = Factors { time: Some(1_700_000_000 / 60), ..Factors::default() };
//! let code = sm3_otp(&key, &f, 6)?;
//! assert_eq!(code.to_string().len(), 6);
//! # Ok::<(), mpay_otp::Error>(())
//! ```

use crate::code::check_digits;
use crate::{Code, Error, Result};
use alloc::vec::Vec;
use cipher::{Block, BlockCipherEncrypt, BlockSizeUser, KeyInit, consts::U16};
use digest::Digest;

/// The inputs of a GM/T 0021 OTP; at least one must be present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Factors<'a> {
    /// T: the time factor, ⌊t / Tc⌋ (see [`time_factor`]).
    pub time: Option<u64>,
    /// C: the event counter.
    pub counter: Option<u32>,
    /// Q: the challenge (at least 4 bytes).
    pub challenge: Option<&'a [u8]>,
}

/// T = ⌊unix / tc⌋ with the change period tc in 1..=60 seconds.
pub fn time_factor(unix: u64, tc: u64) -> Result<u64> {
    if !(1..=60).contains(&tc) {
        return Err(Error::Gmt0021 {
            field: "Tc",
            reason: "change period is not 1..=60 seconds",
        });
    }
    Ok(unix / tc)
}

impl Factors<'_> {
    /// ID = T ‖ C ‖ Q, zero-padded to at least 16 bytes.
    pub fn id(&self) -> Result<Vec<u8>> {
        if self.time.is_none() && self.counter.is_none() && self.challenge.is_none() {
            return Err(Error::Gmt0021 {
                field: "ID",
                reason: "no factor (T, C or Q) given",
            });
        }
        let mut id = Vec::with_capacity(32);
        if let Some(t) = self.time {
            id.extend_from_slice(&t.to_be_bytes());
        }
        if let Some(c) = self.counter {
            id.extend_from_slice(&c.to_be_bytes());
        }
        if let Some(q) = self.challenge {
            if q.len() < 4 {
                return Err(Error::Gmt0021 {
                    field: "Q",
                    reason: "challenge shorter than 4 bytes",
                });
            }
            if q.len() > 1024 {
                return Err(Error::Gmt0021 {
                    field: "Q",
                    reason: "challenge longer than 1024 bytes",
                });
            }
            id.extend_from_slice(q);
        }
        if id.len() < 16 {
            id.resize(16, 0);
        }
        Ok(id)
    }
}

/// Sum of the big-endian 32-bit words of `s`, modulo 2^32 (`s.len()` a multiple of 4).
fn truncate(s: &[u8]) -> u32 {
    s.chunks_exact(4)
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .fold(0u32, u32::wrapping_add)
}

/// The SM3-based OTP of `digits` digits (6..=10).
pub fn sm3_otp(key: &[u8], factors: &Factors<'_>, digits: u8) -> Result<Code> {
    check_digits(digits, 6, 10)?;
    if key.len() < 16 {
        return Err(Error::KeyLength {
            len: key.len(),
            what: "GM/T 0021 SM3",
            need: "at least 16 bytes",
        });
    }
    let id = factors.id()?;
    let mut h = sm3::Sm3::new();
    h.update(key);
    h.update(&id);
    let s = h.finalize();
    Ok(Code::new(u64::from(truncate(&s)), digits))
}

/// The block-cipher OTP of `digits` digits (6..=10) with cipher `C` keyed by `key`.
pub fn block_cipher_otp<C>(key: &[u8], factors: &Factors<'_>, digits: u8) -> Result<Code>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit,
{
    check_digits(digits, 6, 10)?;
    let cipher = C::new_from_slice(key).map_err(|_| Error::KeyLength {
        len: key.len(),
        what: "GM/T 0021 block cipher",
        need: "exactly the cipher's key length (16 bytes for SM4)",
    })?;
    let id = factors.id()?;
    let mut state = Block::<C>::default();
    for chunk in id.chunks(16) {
        for (s, b) in state.iter_mut().zip(chunk) {
            *s ^= b;
        }
        cipher.encrypt_block(&mut state);
    }
    Ok(Code::new(u64::from(truncate(&state)), digits))
}

/// The SM4-based OTP of `digits` digits (6..=10); `key` is 16 bytes (feature `gmt`).
#[cfg(feature = "gmt")]
pub fn sm4_otp(key: &[u8], factors: &Factors<'_>, digits: u8) -> Result<Code> {
    block_cipher_otp::<mpay_gmt::sm4::Sm4>(key, factors, digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_layout_and_padding() {
        let f = Factors {
            time: Some(0x0102),
            counter: Some(7),
            challenge: None,
        };
        let id = f.id().unwrap();
        assert_eq!(id, [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 7, 0, 0, 0, 0]);
        assert!(Factors::default().id().is_err());
        let short = Factors {
            challenge: Some(b"abc"),
            ..Factors::default()
        };
        assert!(short.id().is_err());
    }

    #[test]
    fn truncate_sums_words_mod_2_32() {
        let s = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2];
        assert_eq!(truncate(&s), 1);
    }

    #[cfg(feature = "gmt")]
    #[test]
    fn sm4_key_length_checked() {
        let f = Factors {
            counter: Some(1),
            ..Factors::default()
        };
        assert!(sm4_otp(&[0u8; 15], &f, 6).is_err());
        assert!(sm4_otp(&[0u8; 16], &f, 6).is_ok());
        assert!(sm4_otp(&[0u8; 16], &f, 5).is_err());
    }
}
