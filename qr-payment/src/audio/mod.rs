//! A data-over-sound modem compatible with Chirp's protocol, plus a payment-code mode.
//!
//! **Signal.** One pure tone per symbol, 87.2 ms each, from a 32-symbol alphabet `0-9a-v`;
//! symbol *k* sounds at 1760 · 2^(k/12) Hz (A6 upwards in semitones, up to 10 548 Hz). A frame is
//! the two-symbol header `hj`, the data symbols, then eight Reed–Solomon parity symbols over
//! GF(32) (see [`rs`]; the header is not covered).
//!
//! **Modes.** [`Mode::Chirp`] carries 10 data symbols (50 bits): a chirp.io "shortcode", whose
//! longcode (data + parity) matches the published ones. [`Mode::PaymentCode`] carries 12 data
//! symbols (60 bits), enough for an 18-digit one-time payment code (10¹⁸ < 2⁶⁰), and its receiver
//! only returns codes that pass the payment-code format check ([`is_payment_code`]).
//!
//! **Receiver.** [`Receiver`] finds frames anywhere in a buffer: it mixes the input against the
//! 32 exact (non-bin) tone frequencies in short blocks once, then for each candidate time scale
//! (±2% sample-rate mismatch) corrects the residual frequency offset, builds prefix sums, scores
//! every start position, and tries the best candidates with the Reed–Solomon decoder. It never
//! returns a frame whose header, RS check or format check fails. [`StreamReceiver`] does the same
//! on a stream delivered in arbitrary chunks.
//!
//! ```
//! use mpay_qr_payment::audio::{Mode, Modem, Receiver};
//!
//! let modem = Modem::new(44_100, Mode::PaymentCode)?;
//! let mut samples = vec![0.0f32; 10_000]; // some silence first
//! samples.extend(modem.encode("134567890123456789")?);
//! let found = Receiver::new(&modem).decode(&samples);
//! assert_eq!(found[0].code, "134567890123456789");
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

mod receiver;
pub mod rs;
mod synth;
mod wav;

pub use receiver::{Detection, Receiver, StreamReceiver};
pub use wav::{read_wav, write_wav};

use crate::Error;
use alloc::string::String;
use alloc::vec::Vec;

/// The 32 symbols, in order.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
/// The frame header, `hj`.
pub const HEADER: [u8; 2] = [17, 19];
/// Seconds per tone.
pub const SYMBOL_SECONDS: f64 = 0.0872;
/// Frequency of symbol 0 (A6).
pub const BASE_HZ: f64 = 1760.0;

/// Frequency of symbol `k` (0–31), in hertz.
///
/// ```
/// assert_eq!(mpay_qr_payment::audio::tone_hz(12), 3520.0);
/// ```
pub fn tone_hz(k: u8) -> f64 {
    BASE_HZ * (f64::from(k) / 12.0).exp2()
}

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// 10 data symbols, a chirp.io shortcode such as `hcu7848rn3`.
    Chirp,
    /// 12 data symbols holding an 18-digit payment code.
    PaymentCode,
    /// Any number of data symbols from 1 to 23, as `0-9a-v` text.
    Symbols(usize),
}

impl Mode {
    /// Data symbols per frame.
    pub fn data_len(self) -> usize {
        match self {
            Mode::Chirp => 10,
            Mode::PaymentCode => 12,
            Mode::Symbols(n) => n,
        }
    }

    /// The data symbols for a code of this mode.
    pub fn code_to_symbols(self, code: &str) -> Result<Vec<u8>, Error> {
        match self {
            Mode::PaymentCode => Ok(payment_code_to_symbols(code)?.to_vec()),
            _ => {
                let syms = text_to_symbols(code)?;
                if syms.len() != self.data_len() {
                    return Err(Error::Code {
                        index: syms.len().min(code.len()),
                        reason: "wrong number of symbols for the mode",
                    });
                }
                Ok(syms)
            }
        }
    }

    /// The code carried by data symbols, or `None` if they fail the mode's format check.
    pub fn symbols_to_code(self, symbols: &[u8]) -> Option<String> {
        if symbols.len() != self.data_len() {
            return None;
        }
        match self {
            Mode::PaymentCode => symbols_to_payment_code(symbols),
            _ => Some(symbols_to_text(symbols)),
        }
    }
}

/// `0-9a-v` text to symbols (upper case accepted).
pub fn text_to_symbols(text: &str) -> Result<Vec<u8>, Error> {
    text.bytes()
        .enumerate()
        .map(|(index, c)| {
            let c = c.to_ascii_lowercase();
            ALPHABET
                .iter()
                .position(|&a| a == c)
                .map(|p| p as u8)
                .ok_or(Error::Code {
                    index,
                    reason: "not in the alphabet 0-9a-v",
                })
        })
        .collect()
}

/// Symbols (each below 32) to `0-9a-v` text.
pub fn symbols_to_text(symbols: &[u8]) -> String {
    symbols
        .iter()
        .map(|&s| char::from(ALPHABET[usize::from(s & 31)]))
        .collect()
}

/// Whether `code` is a one-time payment code this modem carries: 18 digits starting `10`–`15`
/// (WeChat Pay `auth_code`) or `25`–`30` (Alipay).
///
/// ```
/// use mpay_qr_payment::audio::is_payment_code;
/// assert!(is_payment_code("120061098828009406"));
/// assert!(!is_payment_code("990061098828009406"));
/// ```
pub fn is_payment_code(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 18 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let prefix = (b[0] - b'0') * 10 + (b[1] - b'0');
    matches!(prefix, 10..=15 | 25..=30)
}

/// An 18-digit payment code as 12 symbols (60 bits, most significant first).
pub fn payment_code_to_symbols(code: &str) -> Result<[u8; 12], Error> {
    if let Some(index) = code.bytes().position(|b| !b.is_ascii_digit()) {
        return Err(Error::Code {
            index,
            reason: "payment codes are digits",
        });
    }
    if !is_payment_code(code) {
        return Err(Error::Code {
            index: 0,
            reason: "payment codes are 18 digits starting 10-15 or 25-30",
        });
    }
    let v: u64 = code.parse().map_err(|_| Error::Code {
        index: 0,
        reason: "payment code out of range",
    })?;
    let mut out = [0u8; 12];
    for (i, s) in out.iter_mut().enumerate() {
        *s = ((v >> (55 - 5 * i)) & 31) as u8;
    }
    Ok(out)
}

/// 12 symbols back to an 18-digit payment code, if they hold one.
pub fn symbols_to_payment_code(symbols: &[u8]) -> Option<String> {
    if symbols.len() != 12 || symbols.iter().any(|&s| s >= 32) {
        return None;
    }
    let v = symbols
        .iter()
        .fold(0u64, |acc, &s| (acc << 5) | u64::from(s));
    let code = alloc::format!("{v:018}");
    is_payment_code(&code).then_some(code)
}

/// Modem parameters: sample rate and frame layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Modem {
    sample_rate: u32,
    mode: Mode,
    amplitude: f32,
}

impl Modem {
    /// A modem at `sample_rate` Hz (8 000 to 192 000; 44 100 and 48 000 are the usual ones).
    pub fn new(sample_rate: u32, mode: Mode) -> Result<Self, Error> {
        if !(22_050..=192_000).contains(&sample_rate) {
            return Err(Error::Modem {
                reason: "sample rate must be 22050 to 192000 Hz (tones reach 10.5 kHz)",
            });
        }
        let n = mode.data_len();
        if n == 0 || n > rs::MAX_DATA {
            return Err(Error::Modem {
                reason: "a frame carries 1 to 23 data symbols",
            });
        }
        Ok(Modem {
            sample_rate,
            mode,
            amplitude: 0.5,
        })
    }

    /// Sets the peak amplitude of the synthesized tones (0 < a ≤ 1; default 0.5).
    pub fn with_amplitude(mut self, amplitude: f32) -> Self {
        self.amplitude = amplitude.clamp(f32::MIN_POSITIVE, 1.0);
        self
    }

    /// Sample rate in hertz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Tones per frame: header, data and parity.
    pub fn frame_symbols(&self) -> usize {
        HEADER.len() + self.mode.data_len() + rs::PARITY
    }

    /// Samples per tone (fractional; tone *i* starts at round(i · this)).
    pub fn samples_per_symbol(&self) -> f64 {
        SYMBOL_SECONDS * f64::from(self.sample_rate)
    }

    /// Samples in one frame.
    pub fn frame_samples(&self) -> usize {
        (self.frame_symbols() as f64 * self.samples_per_symbol()).round() as usize
    }

    /// The full symbol sequence of a frame: header, data, parity.
    pub fn frame(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        if data.len() != self.mode.data_len() {
            return Err(Error::Modem {
                reason: "data length does not match the mode",
            });
        }
        let parity = rs::encode(data)?;
        let mut f = Vec::with_capacity(self.frame_symbols());
        f.extend_from_slice(&HEADER);
        f.extend_from_slice(data);
        f.extend_from_slice(&parity);
        Ok(f)
    }

    /// PCM samples (−1..1) for a code of the modem's mode.
    pub fn encode(&self, code: &str) -> Result<Vec<f32>, Error> {
        let data = self.mode.code_to_symbols(code)?;
        self.encode_symbols(&data)
    }

    /// PCM samples for raw data symbols.
    pub fn encode_symbols(&self, data: &[u8]) -> Result<Vec<f32>, Error> {
        let frame = self.frame(data)?;
        Ok(synth::synthesize(self, &frame))
    }
}

#[cfg(test)]
mod tests;
