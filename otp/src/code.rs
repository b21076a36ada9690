use crate::{Error, Result};
use core::fmt;
use subtle::{ConditionallySelectable, ConstantTimeEq, CtOption};

/// Powers of ten up to 10^10 (the largest code length supported).
pub(crate) const POW10: [u64; 11] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
];

/// A numeric one-time password: its value and its number of digits (shown zero-padded).
///
/// ```
/// let c = mpay_otp::Code::new(42, 6);
/// assert_eq!(c.to_string(), "000042");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    value: u64,
    digits: u8,
}

impl Code {
    /// A code of `digits` digits (`value` is reduced modulo 10^digits; digits ≤ 10).
    pub fn new(value: u64, digits: u8) -> Self {
        let d = digits.min(10);
        Code {
            value: value % POW10[d as usize],
            digits: d,
        }
    }

    /// The numeric value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The number of digits.
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Constant-time comparison with another code value.
    pub fn ct_matches(&self, value: u64) -> subtle::Choice {
        self.value.ct_eq(&value)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.digits as usize)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A code is a credential while it is valid: never print it.
        write!(f, "Code({} digits)", self.digits)
    }
}

/// What a successful verification matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Match {
    /// HOTP: the counter value that matched (the next expected counter is this + 1).
    Counter(u64),
    /// TOTP: the time step that matched (consume it through a [`crate::replay::ReplayGuard`]).
    Step(u64),
}

impl Match {
    /// The counter or step number.
    pub fn value(&self) -> u64 {
        match *self {
            Match::Counter(v) | Match::Step(v) => v,
        }
    }
}

/// Parses a code of exactly `digits` ASCII digits into its value.
///
/// ```
/// assert_eq!(mpay_otp::parse_code("004200", 6)?, 4200);
/// assert!(mpay_otp::parse_code("4200", 6).is_err());
/// # Ok::<(), mpay_otp::Error>(())
/// ```
pub fn parse_code(code: &str, digits: u8) -> Result<u64> {
    let bytes = code.as_bytes();
    if bytes.len() != digits as usize || digits > 19 {
        return Err(Error::CodeLength {
            len: bytes.len(),
            expected: digits as usize,
        });
    }
    let mut v: u64 = 0;
    for (offset, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            return Err(Error::CodeDigit { offset });
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Ok(v)
}

/// Checks that `digits` is within `min..=max`.
pub(crate) fn check_digits(digits: u8, min: u8, max: u8) -> Result<()> {
    if (min..=max).contains(&digits) {
        Ok(())
    } else {
        Err(Error::Digits { digits, min, max })
    }
}

/// Reduces a 31-bit truncated HMAC to `digits` digits (`digits` ≤ 10; 10^10 exceeds every
/// 31-bit value) with 32-bit arithmetic.
pub(crate) fn reduce(truncated: u32, digits: u8) -> u64 {
    match u32::try_from(POW10[usize::from(digits.min(10))]) {
        Ok(m) => u64::from(truncated % m),
        Err(_) => u64::from(truncated),
    }
}

/// A constant-time search: every candidate pushed is compared in constant time, there is no
/// early exit, and the first match (in push order) is kept.
pub(crate) struct Scan {
    given: u64,
    found: subtle::Choice,
    which: u64,
}

impl Scan {
    pub(crate) fn new(given: u64) -> Self {
        Scan {
            given,
            found: subtle::Choice::from(0),
            which: 0,
        }
    }

    pub(crate) fn push(&mut self, label: u64, value: u64) {
        let eq = value.ct_eq(&self.given) & !self.found;
        self.which = u64::conditional_select(&self.which, &label, eq);
        self.found |= eq;
    }

    pub(crate) fn finish(self) -> Option<u64> {
        Option::from(CtOption::new(self.which, self.found))
    }
}

/// Scans candidates without an early exit: every candidate is computed and compared in
/// constant time; the first match (in iteration order) is returned.
pub(crate) fn scan<I: Iterator<Item = (u64, u64)>>(given: u64, candidates: I) -> Option<u64> {
    let mut s = Scan::new(given);
    for (label, value) in candidates {
        s.push(label, value);
    }
    s.finish()
}
