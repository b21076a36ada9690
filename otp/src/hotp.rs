use crate::code::{Scan, check_digits, reduce};
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
        Code::new(self.value(counter), self.digits)
    }

    fn value(&self, counter: u64) -> u64 {
        let mut v = [0u32];
        self.mac.truncated_counters(&[counter], &mut v);
        reduce(v[0], self.digits)
    }

    /// Calls `f(counter, code value)` for every counter of `first..=last` in order (nothing if
    /// `first > last`), computing the HMACs a batch at a time.
    pub(crate) fn for_each_value(&self, first: u64, last: u64, mut f: impl FnMut(u64, u64)) {
        const N: usize = 4;
        let mut next = (first <= last).then_some(first);
        while let Some(mut c) = next {
            next = None;
            let mut cs = [0u64; N];
            let mut n = 0;
            loop {
                cs[n] = c;
                n += 1;
                if c == last {
                    break;
                }
                c += 1;
                if n == N {
                    next = Some(c);
                    break;
                }
            }
            let mut vs = [0u32; N];
            self.mac.truncated_counters(&cs[..n], &mut vs[..n]);
            for (&c, &v) in cs[..n].iter().zip(&vs[..n]) {
                f(c, reduce(v, self.digits));
            }
        }
    }

    /// Constant-time search of `given` over the codes of `first..=last`: the first matching
    /// counter, every candidate computed and compared.
    pub(crate) fn scan_range(&self, given: u64, first: u64, last: u64) -> Option<u64> {
        let mut s = Scan::new(given);
        self.for_each_value(first, last, |c, v| s.push(c, v));
        s.finish()
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
        self.scan_range(given, counter, last).map(Match::Counter)
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
        // Pairs (value(c), value(c + 1)) for c in counter..=last: a match of both codes at c.
        let mut s = Scan::new(1);
        let mut prev: Option<(u64, u64)> = None;
        self.for_each_value(counter, last.saturating_add(1), |c, v| {
            if let Some((pc, pv)) = prev {
                let both =
                    subtle::ConstantTimeEq::ct_eq(&pv, &a) & subtle::ConstantTimeEq::ct_eq(&v, &b);
                s.push(pc, u64::from(both.unwrap_u8()));
            }
            prev = Some((c, v));
        });
        Ok(s.finish().map(|c| c.saturating_add(2)))
    }
}
