use crate::code::check_digits;
use crate::{Algorithm, Code, Error, Hotp, KeyedMac, Match, Result, parse_code};

/// Which time steps a TOTP verifier accepts besides the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The current step and `n` steps before it (a code never comes from the future).
    PastOnly(u8),
    /// The current step and `n` steps on either side (clock drift both ways).
    Symmetric(u8),
}

impl Default for Window {
    /// One step back, none ahead (RFC 6238 §5.2 recommends at most one backward step).
    fn default() -> Self {
        Window::PastOnly(1)
    }
}

/// A TOTP credential (RFC 6238): HOTP over T = ⌊(time − T0) / step⌋.
///
/// ```
/// use mpay_otp::{Algorithm, Totp, Window};
/// let totp = Totp::new(Algorithm::Sha256, b"12345678901234567890123456789012", 8)?;
/// assert_eq!(totp.generate(1111111109)?.to_string(), "68084774"); // RFC 6238 Appendix B
/// # Ok::<(), mpay_otp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Totp {
    hotp: Hotp,
    step: u64,
    t0: u64,
    window: Window,
}

impl Totp {
    /// A credential with 30-second steps, T0 = 0, and the default window.
    pub fn new(algorithm: Algorithm, key: &[u8], digits: u8) -> Result<Self> {
        Ok(Totp {
            hotp: Hotp::new(algorithm, key, digits)?,
            step: 30,
            t0: 0,
            window: Window::default(),
        })
    }

    /// A credential from an already keyed HMAC.
    pub fn from_mac(mac: KeyedMac, digits: u8) -> Result<Self> {
        check_digits(digits, 6, 10)?;
        Ok(Totp {
            hotp: Hotp::from_mac(mac, digits)?,
            step: 30,
            t0: 0,
            window: Window::default(),
        })
    }

    /// Sets the step length in seconds (≥ 1).
    pub fn with_step(mut self, step: u64) -> Result<Self> {
        if step == 0 {
            return Err(Error::Step);
        }
        self.step = step;
        Ok(self)
    }

    /// Sets T0 (Unix seconds).
    pub fn with_t0(mut self, t0: u64) -> Self {
        self.t0 = t0;
        self
    }

    /// Sets the verification window.
    pub fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// Step length in seconds.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// T0 in Unix seconds.
    pub fn t0(&self) -> u64 {
        self.t0
    }

    /// The verification window.
    pub fn window(&self) -> Window {
        self.window
    }

    /// Number of digits.
    pub fn digits(&self) -> u8 {
        self.hotp.digits()
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.hotp.algorithm()
    }

    /// The time step T at Unix time `time`.
    pub fn step_at(&self, time: u64) -> Result<u64> {
        if time < self.t0 {
            return Err(Error::TimeBeforeT0 { time, t0: self.t0 });
        }
        Ok((time - self.t0) / self.step)
    }

    /// The code at Unix time `time`.
    pub fn generate(&self, time: u64) -> Result<Code> {
        Ok(self.hotp.generate(self.step_at(time)?))
    }

    /// The code of time step `step`.
    pub fn generate_step(&self, step: u64) -> Code {
        self.hotp.generate(step)
    }

    /// Verifies `code` at Unix time `time` within the window; every step of the window is
    /// computed and compared in constant time. Returns the matched step; to refuse replays,
    /// consume it through a [`crate::replay::ReplayGuard`].
    pub fn verify(&self, code: &str, time: u64) -> Result<Option<Match>> {
        let given = parse_code(code, self.hotp.digits())?;
        self.verify_value(given, time)
    }

    /// As [`Totp::verify`] with an already parsed code value.
    pub fn verify_value(&self, given: u64, time: u64) -> Result<Option<Match>> {
        let t = self.step_at(time)?;
        let (back, ahead) = match self.window {
            Window::PastOnly(n) => (u64::from(n), 0),
            Window::Symmetric(n) => (u64::from(n), u64::from(n)),
        };
        let first = t.saturating_sub(back);
        let last = t.saturating_add(ahead);
        Ok(self.hotp.scan_range(given, first, last).map(Match::Step))
    }
}
