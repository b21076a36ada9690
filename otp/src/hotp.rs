use crate::code::{POW10, check_digits, scan};
use crate::{Algorithm, Code, KeyedMac, Match, Result, parse_code};

/// An HOTP credential (RFC 4226): a keyed HMAC and a number of digits (6–10).
///
/// ```
/// use mpay_otp::{Algorithm, Hotp, Match};
/// let hotp = Hotp::new(Algorithm::Sha1, b"12345678901234567890", 6)?;
/// assert_eq!(hotp.generate(1).to_string(), "287082"); // RFC 4226 Appendix D
/// // The server expects counter 0; the token was pressed twice: look-ahead finds counter 1.
/// assert_eq!(hotp.verify("287082", 0, 10)?, Some(Match::Counter(1)));
/// # Ok::<(), mpay_otp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Hotp {
    mac: KeyedMac,
    digits: u8,
}

impl Hotp {
    /// A credential with `key` (≥ 16 bytes) producing `digits` digits (6–10).
    pub fn new(algorithm: Algorithm, key: &[u8], digits: u8) -> Result<Self> {
        check_digits(digits, 6, 10)?;
        Ok(Hotp {
            mac: KeyedMac::new_checked(algorithm, key)?,
            digits,
        })
    }

    /// A credential from an already keyed HMAC.
    pub fn from_mac(mac: KeyedMac, digits: u8) -> Result<Self> {
        check_digits(digits, 6, 10)?;
        Ok(Hotp { mac, digits })
    }

    /// Number of digits.
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.mac.algorithm()
    }

    /// HOTP(K, C).
    pub fn generate(&self, counter: u64) -> Code {
        let v = self.mac.truncated(&[&counter.to_be_bytes()]);
        Code::new(u64::from(v), self.digits)
    }

    fn value(&self, counter: u64) -> u64 {
        u64::from(self.mac.truncated(&[&counter.to_be_bytes()])) % POW10[self.digits as usize]
    }

    /// Verifies `code` against counters `counter ..= counter + look_ahead` (RFC 4226 §7.4),
    /// comparing every candidate in constant time. On success the caller stores
    /// `matched + 1` as the next counter.
    pub fn verify(&self, code: &str, counter: u64, look_ahead: u32) -> Result<Option<Match>> {
        let given = parse_code(code, self.digits)?;
        Ok(self.verify_value(given, counter, look_ahead))
    }

    /// As [`Hotp::verify`] with an already parsed code value.
    pub fn verify_value(&self, given: u64, counter: u64, look_ahead: u32) -> Option<Match> {
        let last = counter.saturating_add(u64::from(look_ahead));
        scan(given, (counter..=last).map(|c| (c, self.value(c)))).map(Match::Counter)
    }

    /// Resynchronisation (RFC 4226 §7.4): the user supplies two consecutive codes; searches
    /// `counter ..= counter + window` for a counter `c` where `first` matches `c` and `second`
    /// matches `c + 1`. Returns the counter to store next (`c + 2`).
    ///
    /// ```
    /// use mpay_otp::{Algorithm, Hotp};
    /// let hotp = Hotp::new(Algorithm::Sha1, b"12345678901234567890", 6)?;
    /// assert_eq!(hotp.resync("399871", "520489", 0, 100)?, Some(10));
    /// # Ok::<(), mpay_otp::Error>(())
    /// ```
    pub fn resync(
        &self,
        first: &str,
        second: &str,
        counter: u64,
        window: u32,
    ) -> Result<Option<u64>> {
        let a = parse_code(first, self.digits)?;
        let b = parse_code(second, self.digits)?;
        let last = counter.saturating_add(u64::from(window));
        let mut found = subtle::Choice::from(0);
        let mut which = 0u64;
        let mut prev = self.value(counter);
        for c in counter..=last {
            let next = self.value(c.saturating_add(1));
            let eq = subtle::ConstantTimeEq::ct_eq(&prev, &a)
                & subtle::ConstantTimeEq::ct_eq(&next, &b)
                & !found;
            which = subtle::ConditionallySelectable::conditional_select(&which, &c, eq);
            found |= eq;
            prev = next;
        }
        Ok(Option::from(subtle::CtOption::new(which, found)).map(|c: u64| c.saturating_add(2)))
    }
}
