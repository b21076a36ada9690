//! A radix-10 numeral string for the `fpe` crate's FF1, with machine-integer arithmetic.
//!
//! `fpe`'s own `FlexibleNumeralString` does its arithmetic with big integers; payment codes
//! have at most 24 digits, so each half fits in a `u64` and the arithmetic in `u128`. Only the
//! numeral-string operations live here: the FF1 algorithm itself is `fpe`'s.

use fpe::ff1::{NumeralString, Operations};

use crate::code::POW10;

/// Largest number of digits handled (each half ≤ 12 digits).
pub(crate) const MAX_DIGITS: usize = 24;

fn pow10(n: usize) -> u128 {
    if n <= 10 {
        u128::from(POW10[n])
    } else {
        u128::from(POW10[10]) * pow10(n - 10)
    }
}

/// A decimal numeral string of `len` digits (leading zeros count) with value `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub(crate) value: u128,
    pub(crate) len: usize,
}

/// One half of a [`Decimal`] during FF1 rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Half {
    value: u128,
    len: usize,
}

/// Big-endian bytes of a half (at most 16).
pub(crate) struct HalfBytes {
    buf: [u8; 16],
    len: usize,
}

impl AsRef<[u8]> for HalfBytes {
    fn as_ref(&self) -> &[u8] {
        &self.buf[16 - self.len..]
    }
}

impl NumeralString for Decimal {
    type Ops = Half;

    fn is_valid(&self, radix: u32) -> bool {
        radix == 10 && self.len <= MAX_DIGITS && self.value < pow10(self.len)
    }

    fn numeral_count(&self) -> usize {
        self.len
    }

    fn split(&self) -> (Half, Half) {
        let u = self.len / 2;
        let v = self.len - u;
        let m = pow10(v);
        (
            Half {
                value: self.value / m,
                len: u,
            },
            Half {
                value: self.value % m,
                len: v,
            },
        )
    }

    fn concat(a: Half, b: Half) -> Self {
        Decimal {
            value: a.value * pow10(b.len) + b.value,
            len: a.len + b.len,
        }
    }
}

/// `other` (big-endian bytes) modulo `m`, for `m ≤ 10^12 < 2^40`: with `acc < m`,
/// `acc · 2^24 + (three bytes) < 2^64`, so three bytes are folded in per 64-bit division
/// (a `u128` remainder per byte cost several times more: it was most of a paycode decode).
fn reduce(other: impl Iterator<Item = u8>, m: u64) -> u64 {
    let (mut acc, mut chunk, mut n) = (0u64, 0u64, 0u32);
    for b in other {
        chunk = (chunk << 8) | u64::from(b);
        n += 1;
        if n == 3 {
            acc = ((acc << 24) | chunk) % m;
            (chunk, n) = (0, 0);
        }
    }
    if n > 0 {
        acc = ((acc << (8 * n)) | chunk) % m;
    }
    acc
}

impl Half {
    /// The value as `u64` (a half has at most 12 digits) and the modulus `10^m`.
    fn parts(&self, m: usize) -> (u64, u64) {
        (self.value as u64, pow10(m) as u64)
    }
}

impl Operations for Half {
    type Bytes = HalfBytes;

    fn numeral_count(&self) -> usize {
        self.len
    }

    fn to_be_bytes(&self, _radix: u32, b: usize) -> HalfBytes {
        let b = b.min(16);
        HalfBytes {
            buf: self.value.to_be_bytes(),
            len: b,
        }
    }

    fn add_mod_exp(self, other: impl Iterator<Item = u8>, _radix: u32, m: usize) -> Self {
        let (v, md) = self.parts(m);
        let y = reduce(other, md);
        Half {
            value: u128::from((v % md + y) % md),
            len: m,
        }
    }

    fn sub_mod_exp(self, other: impl Iterator<Item = u8>, _radix: u32, m: usize) -> Self {
        let (v, md) = self.parts(m);
        let y = reduce(other, md);
        Half {
            value: u128::from((v % md + md - y) % md),
            len: m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fpe::ff1::{FF1, FlexibleNumeralString};

    fn digits(v: u128, len: usize) -> std::vec::Vec<u16> {
        let mut out = std::vec![0u16; len];
        let mut x = v;
        for i in (0..len).rev() {
            out[i] = (x % 10) as u16;
            x /= 10;
        }
        out
    }

    #[test]
    fn nist_ff1_samples_1_and_2() {
        // NIST SP 800-38G FF1 samples 1 and 2 (AES-128, radix 10).
        let key = hex::decode("2B7E151628AED2A6ABF7158809CF4F3C").unwrap();
        let ff1 = FF1::<aes::Aes128>::new(&key, 10).unwrap();
        let pt = Decimal {
            value: 123456789,
            len: 10,
        };
        assert_eq!(ff1.encrypt(&[], &pt).unwrap().value, 2433477484);
        let tweak = hex::decode("39383736353433323130").unwrap();
        let ct = ff1.encrypt(&tweak, &pt).unwrap();
        assert_eq!(ct.value, 6124200773);
        assert_eq!(ff1.decrypt(&tweak, &ct).unwrap(), pt);
    }

    #[test]
    fn agrees_with_flexible_numeral_string() {
        let ff1 = FF1::<aes::Aes256>::new(&[7u8; 32], 10).unwrap();
        let mut x: u128 = 0x1234_5678_9abc_def0;
        for len in 6..=MAX_DIGITS {
            for _ in 0..8 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = x % pow10(len);
                let ours = ff1.encrypt(b"tw", &Decimal { value: v, len }).unwrap();
                let theirs: std::vec::Vec<u16> = ff1
                    .encrypt(b"tw", &FlexibleNumeralString::from(digits(v, len)))
                    .unwrap()
                    .into();
                assert_eq!(digits(ours.value, len), theirs, "len {len}");
                let back = ff1.decrypt(b"tw", &ours).unwrap();
                assert_eq!(back.value, v);
            }
        }
    }
}
