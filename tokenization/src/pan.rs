//! Primary account numbers and format-preserving PAN token policies.
//!
//! A [`PanPolicy`] keeps the BIN (6 or 8 digits) and the last 4 digits in clear and encrypts the
//! digits between them with FF1. The tweak binds the kept digits and a caller context (merchant,
//! channel, field: [`TweakContext`]). Luhn handling is reversible:
//!
//! - [`LuhnMode::Valid`]: cycle walking inside the Luhn residue class of the input, so a valid PAN
//!   gives a valid token (and an invalid one an invalid token).
//! - [`LuhnMode::Invalid`]: the PAN must be Luhn-valid; FF1 walks inside the valid class, then the
//!   last free digit is moved by +1 (mod 10), which makes the token fail Luhn — tokens can never
//!   be mistaken for card numbers. Detokenization undoes the shift first.
//! - [`LuhnMode::Any`]: one FF1 call, Luhn ignored.
//!
//! Policies that leave fewer than 6 free digits (domain < 10^6) are refused: use vault tokens.

use alloc::string::String;
use alloc::vec::Vec;
use cipher::consts::U16;
use cipher::{BlockCipherEncrypt, BlockSizeUser, KeyInit};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::ff1::Ff1;
use crate::luhn;

/// A primary account number (12..=19 decimal digits). Debug and Display show only the last four
/// digits; the digits are wiped on drop.
///
/// ```
/// use mpay_tokenization::pan::Pan;
/// let pan = Pan::parse("4111111111111111").unwrap();
/// assert_eq!(format!("{pan}"), "************1111");
/// assert_eq!(format!("{pan:?}"), "Pan(************1111)");
/// assert!(pan.is_luhn_valid());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Pan {
    digits: Zeroizing<Vec<u8>>,
}

impl Pan {
    /// Parses 12..=19 ASCII digits. Errors give the offset of a bad character, never the text.
    pub fn parse(s: &str) -> Result<Self> {
        if s.len() > 19 || s.len() < 12 {
            return Err(Error::PanLength {
                what: "PAN",
                len: s.len(),
            });
        }
        let digits = luhn::digits(s).map_err(|i| Error::numeral("PAN", i, 10))?;
        Ok(Pan {
            digits: Zeroizing::new(digits),
        })
    }

    /// From digit values 0..=9 (12..=19 of them).
    pub fn from_digits(d: &[u8]) -> Result<Self> {
        if !(12..=19).contains(&d.len()) {
            return Err(Error::PanLength {
                what: "PAN",
                len: d.len(),
            });
        }
        if let Some(i) = d.iter().position(|&x| x > 9) {
            return Err(Error::numeral("PAN", i, 10));
        }
        Ok(Pan {
            digits: Zeroizing::new(d.to_vec()),
        })
    }

    /// Digit values 0..=9.
    pub fn digits(&self) -> &[u8] {
        &self.digits
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.digits.len()
    }

    /// Always false (a PAN has at least 12 digits); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }

    /// The full number as text, in a buffer wiped on drop. Handle with care.
    pub fn expose(&self) -> Zeroizing<String> {
        Zeroizing::new(self.digits.iter().map(|&d| (b'0' + d) as char).collect())
    }

    /// Whether it passes the Luhn check.
    pub fn is_luhn_valid(&self) -> bool {
        luhn::is_valid(&self.digits)
    }

    /// Masked form: `*` for every digit but the last four.
    pub fn masked(&self) -> String {
        mask(&self.digits, 0, 4)
    }

    /// PCI display form: first six and last four (`411111******1111`).
    pub fn masked_bin_last4(&self) -> String {
        mask(&self.digits, 6, 4)
    }

    /// The first `n` digits as text (BIN / IIN).
    pub fn bin(&self, n: usize) -> String {
        self.digits[..n.min(self.len())]
            .iter()
            .map(|&d| (b'0' + d) as char)
            .collect()
    }
}

pub(crate) fn mask(d: &[u8], first: usize, last: usize) -> String {
    let n = d.len();
    d.iter()
        .enumerate()
        .map(|(i, &x)| {
            if i < first.min(n) || i + last >= n {
                (b'0' + x) as char
            } else {
                '*'
            }
        })
        .collect()
}

impl core::fmt::Debug for Pan {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Pan({})", self.masked())
    }
}

impl core::fmt::Display for Pan {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// How a PAN token treats the Luhn check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LuhnMode {
    /// The token passes Luhn exactly when the PAN does (cycle walking in the residue class).
    Valid,
    /// The token always fails Luhn (the PAN must pass it).
    Invalid,
    /// No Luhn handling.
    Any,
}

/// Which digits stay in clear and how Luhn is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanPolicy {
    /// Leading digits kept (0..=8; 6 or 8 for a BIN).
    pub keep_bin: usize,
    /// Trailing digits kept (0..=4).
    pub keep_last: usize,
    /// Luhn handling.
    pub luhn: LuhnMode,
}

impl PanPolicy {
    /// BIN 6 + last 4, tokens fail Luhn (distinguishable from PANs).
    pub const BIN6_LAST4_LUHN_INVALID: PanPolicy = PanPolicy {
        keep_bin: 6,
        keep_last: 4,
        luhn: LuhnMode::Invalid,
    };
    /// BIN 6 + last 4, tokens pass Luhn.
    pub const BIN6_LAST4_LUHN_VALID: PanPolicy = PanPolicy {
        keep_bin: 6,
        keep_last: 4,
        luhn: LuhnMode::Valid,
    };

    /// Checks the policy against a PAN length; returns the number of free digits.
    pub fn free_digits(&self, len: usize) -> Result<usize> {
        if self.keep_bin > 8 {
            return Err(Error::Config {
                field: "keep_bin",
                reason: "at most 8 leading digits",
            });
        }
        if self.keep_last > 4 {
            return Err(Error::Config {
                field: "keep_last",
                reason: "at most 4 trailing digits",
            });
        }
        let kept = self.keep_bin + self.keep_last;
        let free = len.saturating_sub(kept);
        if free < 6 {
            return Err(Error::TooFewFreeDigits { len, kept, free });
        }
        Ok(free)
    }
}

/// Context bound into the FF1 tweak: the same PAN tokenizes differently per merchant, channel or
/// field. The tweak is SHA-256 over a length-prefixed encoding, cut to 16 bytes.
///
/// ```
/// use mpay_tokenization::pan::TweakContext;
/// let a = TweakContext::new().with("merchant", "M-1").with("channel", "ecom");
/// let b = TweakContext::new().with("merchant", "M-2").with("channel", "ecom");
/// assert_ne!(a.tweak(b""), b.tweak(b""));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TweakContext {
    parts: Vec<(String, String)>,
}

impl TweakContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a named value (order matters).
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.parts.push((name.into(), value.into()));
        self
    }

    /// The 16-byte FF1 tweak for this context and the clear digits `kept`.
    pub fn tweak(&self, kept: &[u8]) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(b"mpay-tokenization/ff1-tweak/v1");
        for (k, v) in &self.parts {
            h.update((k.len() as u32).to_be_bytes());
            h.update(k.as_bytes());
            h.update((v.len() as u32).to_be_bytes());
            h.update(v.as_bytes());
        }
        h.update((kept.len() as u32).to_be_bytes());
        h.update(kept);
        let out = h.finalize();
        let mut t = [0u8; 16];
        t.copy_from_slice(&out[..16]);
        t
    }
}

/// Format-preserving PAN tokenizer: FF1 under one key plus a [`PanPolicy`].
///
/// ```
/// use mpay_tokenization::pan::{FpeTokenizer, Pan, PanPolicy, TweakContext};
/// let t = FpeTokenizer::<aes::Aes256>::new(&[7u8; 32], PanPolicy::BIN6_LAST4_LUHN_INVALID).unwrap();
/// let pan = Pan::parse("4111111111111111").unwrap();
/// let ctx = TweakContext::new().with("merchant", "M-1");
/// let token = t.tokenize(&pan, &ctx).unwrap();
/// assert!(token.starts_with("411111") && token.ends_with("1111"));
/// assert!(!mpay_tokenization::luhn::is_valid(&mpay_tokenization::luhn::digits(&token).unwrap()));
/// assert_eq!(t.detokenize(&token, &ctx).unwrap(), pan);
/// ```
#[derive(Debug)]
pub struct FpeTokenizer<C: BlockCipherEncrypt + Clone> {
    ff1: Ff1<C>,
    policy: PanPolicy,
}

/// PAN tokenizer over FF1-AES-128.
pub type FpeTokenizerAes128 = FpeTokenizer<aes::Aes128>;
/// PAN tokenizer over FF1-AES-256.
pub type FpeTokenizerAes256 = FpeTokenizer<aes::Aes256>;
/// PAN tokenizer over FF1-SM4.
pub type FpeTokenizerSm4 = FpeTokenizer<mpay_gmt::sm4::Sm4>;

/// Most cycle-walking steps tried before giving up (the expected number is 10; 2,000 steps fail
/// with probability about (0.9)^2000).
const MAX_WALK: usize = 2000;

impl<C> FpeTokenizer<C>
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit + Clone,
{
    /// A tokenizer with an FF1 key (radix 10) and a policy.
    pub fn new(key: &[u8], policy: PanPolicy) -> Result<Self> {
        policy.free_digits(19)?;
        Ok(FpeTokenizer {
            ff1: Ff1::new(key, 10)?,
            policy,
        })
    }

    /// The policy.
    pub fn policy(&self) -> PanPolicy {
        self.policy
    }

    fn kept(&self, d: &[u8]) -> Vec<u8> {
        let n = d.len();
        let mut k = d[..self.policy.keep_bin].to_vec();
        k.extend_from_slice(&d[n - self.policy.keep_last..]);
        k
    }

    fn walk(&self, tweak: &[u8], d: &mut [u8], enc: bool, class: u8) -> Result<()> {
        let (s, e) = (self.policy.keep_bin, d.len() - self.policy.keep_last);
        for _ in 0..MAX_WALK {
            if enc {
                self.ff1.encrypt_digits(tweak, &mut d[s..e])?;
            } else {
                self.ff1.decrypt_digits(tweak, &mut d[s..e])?;
            }
            if self.policy.luhn == LuhnMode::Any || luhn::residue(d) == class {
                return Ok(());
            }
        }
        Err(Error::Generation {
            reason: "cycle walking did not reach the Luhn class",
        })
    }

    /// Tokenizes a PAN under a context. The token has the PAN's length.
    pub fn tokenize(&self, pan: &Pan, ctx: &TweakContext) -> Result<String> {
        let n = pan.len();
        let free = self.policy.free_digits(n)?;
        let mut d = Zeroizing::new(pan.digits().to_vec());
        let tweak = ctx.tweak(&self.kept(&d));
        let class = luhn::residue(&d);
        if self.policy.luhn == LuhnMode::Invalid && class != 0 {
            return Err(Error::Luhn {
                what: "PAN",
                reason: "Luhn-invalid tokens need a Luhn-valid PAN",
            });
        }
        self.walk(&tweak, &mut d, true, class)?;
        if self.policy.luhn == LuhnMode::Invalid {
            let last_free = self.policy.keep_bin + free - 1;
            d[last_free] = (d[last_free] + 1) % 10;
        }
        Ok(d.iter().map(|&x| (b'0' + x) as char).collect())
    }

    /// Recovers the PAN from a token produced under the same context.
    pub fn detokenize(&self, token: &str, ctx: &TweakContext) -> Result<Pan> {
        if !(12..=19).contains(&token.len()) {
            return Err(Error::PanLength {
                what: "token",
                len: token.len(),
            });
        }
        let mut d =
            Zeroizing::new(luhn::digits(token).map_err(|i| Error::numeral("token", i, 10))?);
        let free = self.policy.free_digits(d.len())?;
        let tweak = ctx.tweak(&self.kept(&d));
        if self.policy.luhn == LuhnMode::Invalid {
            if luhn::is_valid(&d) {
                return Err(Error::Luhn {
                    what: "token",
                    reason: "passes Luhn, so it is not a Luhn-invalid token",
                });
            }
            let last_free = self.policy.keep_bin + free - 1;
            d[last_free] = (d[last_free] + 9) % 10;
            if !luhn::is_valid(&d) {
                return Err(Error::Luhn {
                    what: "token",
                    reason: "not produced by this Luhn-invalid policy",
                });
            }
        }
        let class = luhn::residue(&d);
        self.walk(&tweak, &mut d, false, class)?;
        let pan = Pan::from_digits(&d);
        d.zeroize();
        pan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digit_bin_on_16_digits_refused() {
        let p = PanPolicy {
            keep_bin: 8,
            keep_last: 4,
            luhn: LuhnMode::Any,
        };
        let e = p.free_digits(16).unwrap_err();
        assert!(e.to_string().contains("use vault tokens"), "{e}");
        assert_eq!(p.free_digits(18), Ok(6));
    }

    #[test]
    fn masking() {
        let pan = Pan::parse("5500000000000004").unwrap();
        assert_eq!(pan.masked_bin_last4(), "550000******0004");
        assert!(!format!("{pan:?}").contains("5500000"));
    }
}
