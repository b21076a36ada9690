//! FF3-1 (NIST SP 800-38G Rev. 1, 2019 draft) — **deprecated, interoperability only**.
//!
//! The 2025 second public draft of SP 800-38G Rev. 1 withdraws FF3 and FF3-1 after Beyne's
//! linear cryptanalysis (CRYPTO 2021); use [`crate::ff1`]. This module exists, behind the
//! `legacy-ff3-1` feature, to read values produced by systems that still use FF3-1 (e.g.
//! HashiCorp Vault Transform) and to migrate them.
//!
//! Exact integer arithmetic: every half of a valid input is below `radix^h <= 2^96`, so `u128`
//! holds every value.
//!
//! ```
//! #![allow(deprecated)]
//! use mpay_tokenization::ff3_1::Ff3_1;
//! let key = hex::decode("2DE79D232DF5585D68CE47882AE256D6").unwrap();
//! let tweak = hex::decode("CBD09280979564").unwrap();
//! let f = Ff3_1::<aes::Aes128>::new(&key, 10).unwrap();
//! let x = [3, 9, 9, 2, 5, 2, 0, 2, 4, 0];
//! let c = f.encrypt(&tweak, &x).unwrap();
//! assert_eq!(c, [8, 9, 0, 1, 8, 0, 1, 1, 0, 6]);
//! assert_eq!(f.decrypt(&tweak, &c).unwrap(), x);
//! ```
#![allow(deprecated)]

use alloc::vec::Vec;
use cipher::consts::U16;
use cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::ff1::check_domain;

/// FF3-1 keyed for one radix. Deprecated: withdrawn by NIST (SP 800-38G Rev. 1 2pd).
#[deprecated(
    note = "FF3-1 is withdrawn in SP 800-38G Rev. 1 (2025 draft): use FF1; kept for legacy interop"
)]
pub struct Ff3_1<C> {
    cipher: C,
    radix: u32,
    max_half: usize,
}

impl<C> core::fmt::Debug for Ff3_1<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ff3_1")
            .field("radix", &self.radix)
            .finish_non_exhaustive()
    }
}

impl<C> Ff3_1<C>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit,
{
    /// Keys FF3-1 (the cipher is keyed with the byte-reversed key, as the standard says).
    pub fn new(key: &[u8], radix: u32) -> Result<Self> {
        if !(2..=65536).contains(&radix) {
            return Err(Error::InvalidRadix { radix });
        }
        let rev: Zeroizing<Vec<u8>> = Zeroizing::new(key.iter().rev().copied().collect());
        let cipher = C::new_from_slice(&rev).map_err(|_| Error::InvalidKeyLength {
            what: "FF3-1 key",
            expected: C::key_size(),
            got: key.len(),
        })?;
        // largest h with radix^h <= 2^96
        let mut h = 0;
        let mut p: u128 = 1;
        while let Some(q) = p.checked_mul(u128::from(radix)) {
            if q > 1u128 << 96 {
                break;
            }
            p = q;
            h += 1;
        }
        Ok(Ff3_1 {
            cipher,
            radix,
            max_half: h,
        })
    }

    fn check(&self, tweak: &[u8], x: &[u16]) -> Result<()> {
        if tweak.len() != 7 {
            return Err(Error::Config {
                field: "FF3-1 tweak",
                reason: "exactly 56 bits (7 bytes)",
            });
        }
        if x.len() > 2 * self.max_half {
            return Err(Error::TooLong {
                what: "FF3-1 input",
                len: x.len(),
                max: 2 * self.max_half,
            });
        }
        check_domain(self.radix, x.len())?;
        if let Some(i) = x.iter().position(|&d| u32::from(d) >= self.radix) {
            return Err(Error::numeral("FF3-1 input", i, self.radix));
        }
        Ok(())
    }

    /// NUM_radix(REV(x)): little-endian value.
    fn num_rev(&self, x: &[u16]) -> u128 {
        x.iter()
            .rev()
            .fold(0u128, |a, &d| a * u128::from(self.radix) + u128::from(d))
    }

    /// REV(STR^m_radix(c)).
    fn str_rev(&self, mut c: u128, m: usize) -> Vec<u16> {
        let r = u128::from(self.radix);
        (0..m)
            .map(|_| {
                let d = (c % r) as u16;
                c /= r;
                d
            })
            .collect()
    }

    fn pow(&self, m: usize) -> u128 {
        (0..m).fold(1u128, |a, _| a * u128::from(self.radix))
    }

    fn round(&self, w: &[u8; 4], i: u8, b: u128) -> u128 {
        let mut p = [0u8; 16];
        p[..4].copy_from_slice(w);
        p[3] ^= i;
        p[4..].copy_from_slice(&b.to_be_bytes()[4..]);
        p.reverse();
        let mut blk: Array<u8, U16> = Array::from(p);
        self.cipher.encrypt_block(&mut blk);
        let mut s: [u8; 16] = blk.into();
        s.reverse();
        u128::from_be_bytes(s)
    }

    fn halves(tweak: &[u8]) -> ([u8; 4], [u8; 4]) {
        let tl = [tweak[0], tweak[1], tweak[2], tweak[3] & 0xF0];
        let tr = [tweak[4], tweak[5], tweak[6], (tweak[3] & 0x0F) << 4];
        (tl, tr)
    }

    /// Encrypts a numeral string with a 7-byte tweak.
    pub fn encrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        self.check(tweak, x)?;
        let n = x.len();
        let u = n.div_ceil(2);
        let (tl, tr) = Self::halves(tweak);
        let mut a = x[..u].to_vec();
        let mut b = x[u..].to_vec();
        for i in 0..8u8 {
            let (m, w) = if i % 2 == 0 { (u, &tr) } else { (n - u, &tl) };
            let rm = self.pow(m);
            let y = self.round(w, i, self.num_rev(&b)) % rm;
            let c = (self.num_rev(&a) + y) % rm;
            a = core::mem::replace(&mut b, self.str_rev(c, m));
        }
        a.extend_from_slice(&b);
        Ok(a)
    }

    /// Decrypts a numeral string with a 7-byte tweak.
    pub fn decrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        self.check(tweak, x)?;
        let n = x.len();
        let u = n.div_ceil(2);
        let (tl, tr) = Self::halves(tweak);
        let mut a = x[..u].to_vec();
        let mut b = x[u..].to_vec();
        for i in (0..8u8).rev() {
            let (m, w) = if i % 2 == 0 { (u, &tr) } else { (n - u, &tl) };
            let rm = self.pow(m);
            let y = self.round(w, i, self.num_rev(&a)) % rm;
            let c = (self.num_rev(&b) + rm - y) % rm;
            b = core::mem::replace(&mut a, self.str_rev(c, m));
        }
        a.extend_from_slice(&b);
        Ok(a)
    }
}
