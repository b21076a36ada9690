//! FF1 format-preserving encryption (NIST SP 800-38G, Rev. 1 2pd keeps FF1 only).
//!
//! [`Ff1`] is generic over any 128-bit block cipher implementing the RustCrypto `cipher` traits
//! (AES-128/192/256 from `aes`; SM4 works the same way). Two paths give byte-equal results:
//!
//! - **radix 10, 6..=38 digits**: an exact integer implementation on `u64`/`u128` (both halves
//!   fit in `u64` since 10^19 < 2^64; `y` is at most 96 bits). The PRF prefix `P || T || 0*` is
//!   CBC-MACed once per call and each of the 10 rounds costs one block encryption. The parameter
//!   `b` comes from the bit length of `10^v - 1` ([`ff1_b`]), never from a logarithm.
//! - **every other radix or length**: the `fpe` crate (big integers). Note that `fpe` computes `b`
//!   with `libm::log2` for radixes that are not powers of two; no floating point is used in this
//!   crate itself.
//!
//! The domain rule `radix^n >= 10^6` (and `n >= 2`) is enforced on both paths.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use cipher::consts::U16;
use cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use fpe::ff1::{FF1 as FpeFf1, FlexibleNumeralString};

use crate::error::{Error, Result};

/// Smallest domain (radix^n) FF1 accepts (SP 800-38G Rev. 1).
pub const MIN_DOMAIN: u64 = 1_000_000;
/// Longest radix-10 input served by the integer fast path.
pub const FAST_MAX_DIGITS: usize = 38;
/// Longest input accepted on the generic (big-integer) path.
pub const MAX_LEN: usize = 4096;

const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// FF1's `b = ceil(ceil(v * log2(radix)) / 8)`, computed exactly as the byte length of
/// `radix^v - 1`. Returns `None` when `radix^v` does not fit in `u128` (the generic path then
/// applies).
///
/// ```
/// use mpay_tokenization::ff1::ff1_b;
/// assert_eq!(ff1_b(10, 8), Some(4)); // 10^8 - 1 needs 27 bits
/// assert_eq!(ff1_b(10, 19), Some(8));
/// assert_eq!(ff1_b(2, 16), Some(2));
/// ```
pub fn ff1_b(radix: u32, v: u32) -> Option<usize> {
    let mut p: u128 = 1;
    for _ in 0..v {
        p = p.checked_mul(u128::from(radix))?;
    }
    let bits = 128 - (p - 1).leading_zeros() as usize;
    Some(bits.div_ceil(8))
}

/// Checks `n >= 2` and `radix^n >= 10^6` without overflow.
pub fn check_domain(radix: u32, n: usize) -> Result<()> {
    let mut dom: u64 = 1;
    for _ in 0..n {
        dom = dom.saturating_mul(u64::from(radix));
        if dom >= MIN_DOMAIN {
            break;
        }
    }
    if n < 2 || dom < MIN_DOMAIN {
        return Err(Error::DomainTooSmall { radix, len: n });
    }
    Ok(())
}

/// Numerals of radix <= 36 as text: `0-9a-z` (parsing is case-insensitive).
const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// An FF1 instance: one key, one radix.
///
/// ```
/// use mpay_tokenization::ff1::Ff1;
/// let key = hex::decode("2B7E151628AED2A6ABF7158809CF4F3C").unwrap();
/// let ff1 = Ff1::<aes::Aes128>::new(&key, 10).unwrap();
/// // NIST SP 800-38G FF1 sample 1
/// assert_eq!(ff1.encrypt_str(&[], "0123456789").unwrap(), "2433477484");
/// assert_eq!(ff1.decrypt_str(&[], "2433477484").unwrap(), "0123456789");
/// ```
pub struct Ff1<C: BlockCipherEncrypt + Clone> {
    cipher: C,
    radix: u32,
    generic: FpeFf1<C>,
}

impl<C: BlockCipherEncrypt + Clone> core::fmt::Debug for Ff1<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ff1")
            .field("radix", &self.radix)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// FF1 over AES-128.
pub type Ff1Aes128 = Ff1<aes::Aes128>;
/// FF1 over AES-192.
pub type Ff1Aes192 = Ff1<aes::Aes192>;
/// FF1 over AES-256.
pub type Ff1Aes256 = Ff1<aes::Aes256>;

/// FF1 over SM4 (GB/T 32907, from `mpay-gmt`).
pub type Ff1Sm4 = Ff1<mpay_gmt::sm4::Sm4>;

/// Block cipher chosen at run time (command lines, configuration files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherKind {
    /// AES; the key length (16, 24, 32 bytes) selects AES-128/192/256.
    Aes,
    /// SM4 (16-byte key).
    Sm4,
}

/// FF1 with the cipher chosen at run time.
///
/// ```
/// use mpay_tokenization::ff1::{CipherKind, DynFf1};
/// let f = DynFf1::new(CipherKind::Sm4, &[0x11; 16], 10).unwrap();
/// let c = f.encrypt_str(b"", "4111111111").unwrap();
/// assert_eq!(f.decrypt_str(b"", &c).unwrap(), "4111111111");
/// assert!(DynFf1::new(CipherKind::Aes, &[0; 20], 10).is_err());
/// ```
#[derive(Debug)]
pub enum DynFf1 {
    /// AES-128.
    Aes128(Box<Ff1Aes128>),
    /// AES-192.
    Aes192(Box<Ff1Aes192>),
    /// AES-256.
    Aes256(Box<Ff1Aes256>),
    /// SM4.
    Sm4(Box<Ff1Sm4>),
}

macro_rules! dispatch {
    ($s:expr, $f:ident, $($a:expr),*) => {
        match $s {
            DynFf1::Aes128(x) => x.$f($($a),*),
            DynFf1::Aes192(x) => x.$f($($a),*),
            DynFf1::Aes256(x) => x.$f($($a),*),
            DynFf1::Sm4(x) => x.$f($($a),*),
        }
    };
}

impl DynFf1 {
    /// Keys FF1 with `kind`; for AES the key length picks the variant.
    pub fn new(kind: CipherKind, key: &[u8], radix: u32) -> Result<Self> {
        Ok(match (kind, key.len()) {
            (CipherKind::Aes, 16) => DynFf1::Aes128(Box::new(Ff1::new(key, radix)?)),
            (CipherKind::Aes, 24) => DynFf1::Aes192(Box::new(Ff1::new(key, radix)?)),
            (CipherKind::Aes, 32) => DynFf1::Aes256(Box::new(Ff1::new(key, radix)?)),
            (CipherKind::Aes, got) => {
                return Err(Error::InvalidKeyLength {
                    what: "FF1 AES key (16, 24 or 32 bytes)",
                    expected: 32,
                    got,
                });
            }
            (CipherKind::Sm4, _) => DynFf1::Sm4(Box::new(Ff1::new(key, radix)?)),
        })
    }

    /// See [`Ff1::encrypt`].
    pub fn encrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        dispatch!(self, encrypt, tweak, x)
    }
    /// See [`Ff1::decrypt`].
    pub fn decrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        dispatch!(self, decrypt, tweak, x)
    }
    /// See [`Ff1::encrypt_str`].
    pub fn encrypt_str(&self, tweak: &[u8], s: &str) -> Result<String> {
        dispatch!(self, encrypt_str, tweak, s)
    }
    /// See [`Ff1::decrypt_str`].
    pub fn decrypt_str(&self, tweak: &[u8], s: &str) -> Result<String> {
        dispatch!(self, decrypt_str, tweak, s)
    }
}

/// State of the FF1 PRF after `P || T || 0*` (everything but the last block).
struct Prefix {
    state: [u8; 16],
    b: usize,
    d: usize,
}

impl<C> Ff1<C>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit + Clone,
{
    /// Keys FF1 for `radix` in 2..=65536. The key length must match the cipher.
    pub fn new(key: &[u8], radix: u32) -> Result<Self> {
        if !(2..=65536).contains(&radix) {
            return Err(Error::InvalidRadix { radix });
        }
        let cipher = C::new_from_slice(key).map_err(|_| Error::InvalidKeyLength {
            what: "FF1 key",
            expected: C::key_size(),
            got: key.len(),
        })?;
        let generic = FpeFf1::<C>::new(key, radix).map_err(|_| Error::InvalidRadix { radix })?;
        Ok(Ff1 {
            cipher,
            radix,
            generic,
        })
    }

    /// The radix this instance was keyed for.
    pub fn radix(&self) -> u32 {
        self.radix
    }

    fn check(&self, what: &'static str, x: &[u16]) -> Result<()> {
        if x.len() > MAX_LEN {
            return Err(Error::TooLong {
                what,
                len: x.len(),
                max: MAX_LEN,
            });
        }
        check_domain(self.radix, x.len())?;
        if let Some(i) = x.iter().position(|&d| u32::from(d) >= self.radix) {
            return Err(Error::numeral(what, i, self.radix));
        }
        Ok(())
    }

    /// Encrypts a numeral string (each numeral `< radix`).
    pub fn encrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        self.check("FF1 input", x)?;
        if self.radix == 10 && x.len() <= FAST_MAX_DIGITS {
            let mut d: Vec<u8> = x.iter().map(|&v| v as u8).collect();
            self.fast(tweak, &mut d, true);
            return Ok(d.into_iter().map(u16::from).collect());
        }
        let ns = FlexibleNumeralString::from(x.to_vec());
        let out = self
            .generic
            .encrypt(tweak, &ns)
            .map_err(|_| Error::DomainTooSmall {
                radix: self.radix,
                len: x.len(),
            })?;
        Ok(out.into())
    }

    /// Decrypts a numeral string.
    pub fn decrypt(&self, tweak: &[u8], x: &[u16]) -> Result<Vec<u16>> {
        self.check("FF1 input", x)?;
        if self.radix == 10 && x.len() <= FAST_MAX_DIGITS {
            let mut d: Vec<u8> = x.iter().map(|&v| v as u8).collect();
            self.fast(tweak, &mut d, false);
            return Ok(d.into_iter().map(u16::from).collect());
        }
        let ns = FlexibleNumeralString::from(x.to_vec());
        let out = self
            .generic
            .decrypt(tweak, &ns)
            .map_err(|_| Error::DomainTooSmall {
                radix: self.radix,
                len: x.len(),
            })?;
        Ok(out.into())
    }

    /// Encrypts decimal digit values (0..=9) in place, without allocating. Requires radix 10.
    pub fn encrypt_digits(&self, tweak: &[u8], digits: &mut [u8]) -> Result<()> {
        self.digits(tweak, digits, true)
    }

    /// Decrypts decimal digit values (0..=9) in place. Requires radix 10.
    pub fn decrypt_digits(&self, tweak: &[u8], digits: &mut [u8]) -> Result<()> {
        self.digits(tweak, digits, false)
    }

    fn digits(&self, tweak: &[u8], digits: &mut [u8], enc: bool) -> Result<()> {
        if self.radix != 10 {
            return Err(Error::Config {
                field: "radix",
                reason: "digit operations need an FF1 instance of radix 10",
            });
        }
        if let Some(i) = digits.iter().position(|&d| d > 9) {
            return Err(Error::numeral("FF1 input", i, 10));
        }
        check_domain(10, digits.len())?;
        if digits.len() <= FAST_MAX_DIGITS {
            self.fast(tweak, digits, enc);
            return Ok(());
        }
        let x: Vec<u16> = digits.iter().map(|&d| u16::from(d)).collect();
        let y = if enc {
            self.encrypt(tweak, &x)?
        } else {
            self.decrypt(tweak, &x)?
        };
        for (o, v) in digits.iter_mut().zip(y) {
            *o = v as u8;
        }
        Ok(())
    }

    /// Encrypts text over the alphabet `0-9a-z` cut to the radix (radix <= 36).
    pub fn encrypt_str(&self, tweak: &[u8], s: &str) -> Result<String> {
        let x = self.parse_str(s)?;
        Ok(self.format_str(&self.encrypt(tweak, &x)?))
    }

    /// Decrypts text over the alphabet `0-9a-z` cut to the radix (radix <= 36).
    pub fn decrypt_str(&self, tweak: &[u8], s: &str) -> Result<String> {
        let x = self.parse_str(s)?;
        Ok(self.format_str(&self.decrypt(tweak, &x)?))
    }

    fn parse_str(&self, s: &str) -> Result<Vec<u16>> {
        if self.radix > 36 {
            return Err(Error::Config {
                field: "radix",
                reason: "text numerals need radix <= 36; use encrypt() with numerals",
            });
        }
        s.bytes()
            .enumerate()
            .map(|(i, c)| {
                let v = match c {
                    b'0'..=b'9' => c - b'0',
                    b'a'..=b'z' => c - b'a' + 10,
                    b'A'..=b'Z' => c - b'A' + 10,
                    _ => return Err(Error::numeral("FF1 input", i, self.radix)),
                };
                if u32::from(v) < self.radix {
                    Ok(u16::from(v))
                } else {
                    Err(Error::numeral("FF1 input", i, self.radix))
                }
            })
            .collect()
    }

    fn format_str(&self, x: &[u16]) -> String {
        x.iter().map(|&v| ALPHABET[v as usize] as char).collect()
    }

    fn encrypt_block(&self, block: [u8; 16]) -> [u8; 16] {
        let mut blk: Array<u8, U16> = Array::from(block);
        self.cipher.encrypt_block(&mut blk);
        blk.into()
    }

    /// CBC-MAC of `P || T || 0^pad` except the bytes that belong to the last block.
    fn prefix(&self, n: usize, u: usize, tweak: &[u8]) -> (Prefix, [u8; 16]) {
        let v = n - u;
        let b = ff1_b(10, v as u32).unwrap_or(8);
        let d = 4 * b.div_ceil(4) + 4;
        let t = tweak.len();
        let mut p = [1, 2, 1, 0, 0, 10, 10, u as u8, 0, 0, 0, 0, 0, 0, 0, 0];
        p[8..12].copy_from_slice(&(n as u32).to_be_bytes());
        p[12..16].copy_from_slice(&(t as u32).to_be_bytes());
        let mut state = self.encrypt_block(p);
        let pad = (16 - (t + b + 1) % 16) % 16;
        let q_len = t + pad + 1 + b; // multiple of 16
        let head = q_len - 16; // bytes of Q before the last block, all from T || 0*
        let byte = |k: usize| if k < t { tweak[k] } else { 0 };
        let mut k = 0;
        while k < head {
            let mut blk = state;
            for (j, x) in blk.iter_mut().enumerate() {
                *x ^= byte(k + j);
            }
            state = self.encrypt_block(blk);
            k += 16;
        }
        let mut last = [0u8; 16];
        for (j, x) in last.iter_mut().enumerate().take(15 - b) {
            *x = byte(head + j);
        }
        (Prefix { state, b, d }, last)
    }

    #[inline]
    fn round(&self, pre: &Prefix, last: &[u8; 16], i: u8, num_b: u64) -> u128 {
        let mut blk = pre.state;
        for (x, l) in blk.iter_mut().zip(last) {
            *x ^= l;
        }
        blk[15 - pre.b] ^= i;
        let be = num_b.to_be_bytes();
        for j in 0..pre.b {
            blk[16 - pre.b + j] ^= be[8 - pre.b + j];
        }
        let r = self.encrypt_block(blk);
        let mut y: u128 = 0;
        for &x in &r[..pre.d] {
            y = (y << 8) | u128::from(x);
        }
        y
    }

    /// Radix-10 FF1 on `u64` halves. `digits` are values 0..=9, length 6..=38 (checked by callers).
    fn fast(&self, tweak: &[u8], digits: &mut [u8], enc: bool) {
        let n = digits.len();
        let u = n / 2;
        let v = n - u;
        let num = |ds: &[u8]| ds.iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d));
        let mut a = num(&digits[..u]);
        let mut b = num(&digits[u..]);
        let (pre, last) = self.prefix(n, u, tweak);
        let (pu, pv) = (POW10[u], POW10[v]);
        let reduce = |y: u128, m: u64| -> u64 {
            if pre.d == 8 {
                (y as u64) % m
            } else {
                (y % u128::from(m)) as u64
            }
        };
        if enc {
            for i in 0..10u8 {
                let m = if i % 2 == 0 { pu } else { pv };
                let y = reduce(self.round(&pre, &last, i, b), m);
                // a < m and y < m, so the sum fits in u64 (m <= 10^19 < 2^63 * 2)
                let c = (u128::from(a) + u128::from(y)) % u128::from(m);
                a = b;
                b = c as u64;
            }
        } else {
            for i in (0..10u8).rev() {
                let m = if i % 2 == 0 { pu } else { pv };
                let y = reduce(self.round(&pre, &last, i, a), m);
                let c = (u128::from(b) + u128::from(m) - u128::from(y)) % u128::from(m);
                b = a;
                a = c as u64;
            }
        }
        let put = |ds: &mut [u8], mut x: u64| {
            for d in ds.iter_mut().rev() {
                *d = (x % 10) as u8;
                x /= 10;
            }
        };
        put(&mut digits[..u], a);
        put(&mut digits[u..], b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_rule() {
        assert!(check_domain(10, 5).is_err());
        assert!(check_domain(10, 6).is_ok());
        assert!(check_domain(2, 19).is_err());
        assert!(check_domain(2, 20).is_ok());
        assert!(check_domain(65536, 1).is_err());
        assert!(check_domain(65536, 2).is_ok());
        assert!(check_domain(1000, 2).is_ok());
        assert!(check_domain(999, 2).is_err());
    }

    #[test]
    fn short_input_refused() {
        let f = Ff1Aes128::new(&[0u8; 16], 10).unwrap();
        assert_eq!(
            f.encrypt(&[], &[1, 2, 3, 4, 5]),
            Err(Error::DomainTooSmall { radix: 10, len: 5 })
        );
        let mut d = [1u8, 2, 3, 4, 5];
        assert!(f.encrypt_digits(&[], &mut d).is_err());
        assert!(f.encrypt(&[], &[1, 2, 3, 4, 5, 10]).is_err());
    }

    #[test]
    fn bad_key_length() {
        assert!(matches!(
            Ff1Aes256::new(&[0u8; 16], 10),
            Err(Error::InvalidKeyLength {
                expected: 32,
                got: 16,
                ..
            })
        ));
    }
}
