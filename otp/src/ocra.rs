//! OCRA, the OATH challenge-response algorithm (RFC 6287): one-way and mutual
//! challenge-response and transaction signatures, with counter, PIN-hash, session-information
//! and timestamp inputs.
//!
//! ```
//! use mpay_otp::ocra::{OcraInput, OcraSuite};
//! let suite: OcraSuite = "OCRA-1:HOTP-SHA1-6:QN08".parse()?;
//! let key = b"12345678901234567890";
//! let r = suite.compute(key, &OcraInput { question: "00000000", ..OcraInput::default() })?;
//! assert_eq!(r, "237653"); // RFC 6287 Appendix C.1
//! # Ok::<(), mpay_otp::Error>(())
//! ```

use crate::code::POW10;
use crate::mac::MAX_MAC;
use crate::{Algorithm, Error, KeyedMac, Result};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};
use core::str::FromStr;
use digest::Digest;
use subtle::ConstantTimeEq;

/// How the challenge question is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeFormat {
    /// `A`: alphanumeric characters, taken as bytes.
    Alphanumeric,
    /// `N`: a decimal number, taken as its big-endian hex value.
    Numeric,
    /// `H`: hex digits.
    Hex,
}

impl ChallengeFormat {
    fn letter(self) -> char {
        match self {
            ChallengeFormat::Alphanumeric => 'A',
            ChallengeFormat::Numeric => 'N',
            ChallengeFormat::Hex => 'H',
        }
    }
}

/// A parsed OCRA suite (`OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1-S064-T1M`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OcraSuite {
    algorithm: Algorithm,
    digits: u8,
    counter: bool,
    challenge: ChallengeFormat,
    challenge_len: u8,
    pin: Option<Algorithm>,
    session_len: Option<u16>,
    timestep: Option<(u8, char)>,
    text: String,
}

/// The inputs of one OCRA computation (fields the suite does not name must stay `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OcraInput<'a> {
    /// `C`: the counter.
    pub counter: Option<u64>,
    /// `Q`: the challenge — one challenge, or for mutual challenge-response the concatenation
    /// of both (client ‖ server for the server's response, server ‖ client for the client's).
    pub question: &'a str,
    /// `P`: the hash of the PIN/password (see [`OcraSuite::hash_pin`]).
    pub pin_hash: Option<&'a [u8]>,
    /// `S`: session information (at most the suite's length; left-padded with zeros).
    pub session: Option<&'a [u8]>,
    /// `T`: the timestamp, in the suite's time steps since the Unix epoch
    /// (see [`OcraSuite::timestamp_at`]).
    pub timestamp: Option<u64>,
}

fn suite_err(offset: usize, reason: &'static str) -> Error {
    Error::OcraSuite { offset, reason }
}

fn input_err(field: &'static str, reason: &'static str) -> Error {
    Error::OcraInput { field, reason }
}

fn parse_hash(s: &str) -> Option<Algorithm> {
    match s {
        "SHA1" => Some(Algorithm::Sha1),
        "SHA256" => Some(Algorithm::Sha256),
        "SHA512" => Some(Algorithm::Sha512),
        _ => None,
    }
}

fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl FromStr for OcraSuite {
    type Err = Error;

    /// Parses an OCRA suite (RFC 6287 §6); strict about case, field order and ranges.
    fn from_str(s: &str) -> Result<Self> {
        if s.len() > 64 {
            return Err(suite_err(64, "suite longer than 64 characters"));
        }
        if let Some(i) = s.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(suite_err(i, "character outside printable ASCII"));
        }
        let mut parts = s.splitn(3, ':');
        let version = parts.next().unwrap_or("");
        if version != "OCRA-1" {
            return Err(suite_err(0, "version is not OCRA-1"));
        }
        let cf = parts
            .next()
            .ok_or_else(|| suite_err(s.len(), "missing crypto function"))?;
        let cf_off = version.len() + 1;
        let di = parts
            .next()
            .ok_or_else(|| suite_err(s.len(), "missing data input"))?;
        let di_off = cf_off + cf.len() + 1;

        // CryptoFunction: HOTP-SHAx-t
        let mut cfp = cf.split('-');
        if cfp.next() != Some("HOTP") {
            return Err(suite_err(cf_off, "crypto function is not HOTP"));
        }
        let hash = cfp.next().unwrap_or("");
        let algorithm =
            parse_hash(hash).ok_or_else(|| suite_err(cf_off + 5, "hash is not SHA1/256/512"))?;
        let t = cfp.next().unwrap_or("");
        let t_off = cf_off + 6 + hash.len();
        let digits = match small_number(t) {
            Some(d) if d == 0 || (4..=10).contains(&d) => d as u8,
            _ => return Err(suite_err(t_off, "truncation is not 0 or 4..=10")),
        };
        if cfp.next().is_some() || t.len() != if digits >= 10 { 2 } else { 1 } {
            return Err(suite_err(t_off, "malformed truncation length"));
        }

        // DataInput: [C] | QFxx | [PH] | [Snnn] | [TG]
        let mut counter = false;
        let mut challenge = None;
        let mut pin = None;
        let mut session_len = None;
        let mut timestep = None;
        let mut off = di_off;
        let mut stage = 0u8;
        for field in di.split('-') {
            let b = field.as_bytes();
            let (order, what) = match b.first() {
                Some(b'C') if b.len() == 1 => (0, 'C'),
                Some(b'Q') => (1, 'Q'),
                Some(b'P') => (2, 'P'),
                Some(b'S') => (3, 'S'),
                Some(b'T') => (4, 'T'),
                _ => return Err(suite_err(off, "unknown data input")),
            };
            if order < stage || (order == stage && stage != 0) || (order == 0 && counter) {
                return Err(suite_err(off, "data input repeated or out of order"));
            }
            stage = order;
            match what {
                'C' => counter = true,
                'Q' => {
                    if b.len() != 4 {
                        return Err(suite_err(off, "challenge is not QFxx"));
                    }
                    let f = match b[1] {
                        b'A' => ChallengeFormat::Alphanumeric,
                        b'N' => ChallengeFormat::Numeric,
                        b'H' => ChallengeFormat::Hex,
                        _ => return Err(suite_err(off + 1, "challenge format is not A, N or H")),
                    };
                    let xx = match small_number(&field[2..]) {
                        Some(x) if (4..=64).contains(&x) => x as u8,
                        _ => return Err(suite_err(off + 2, "challenge length is not 04..64")),
                    };
                    challenge = Some((f, xx));
                }
                'P' => {
                    pin = Some(
                        parse_hash(&field[1..])
                            .ok_or_else(|| suite_err(off + 1, "PIN hash is not SHA1/256/512"))?,
                    );
                }
                'S' => {
                    session_len = match small_number(&field[1..]) {
                        Some(n) if field.len() == 4 && (1..=512).contains(&n) => Some(n as u16),
                        _ => return Err(suite_err(off + 1, "session length is not 001..512")),
                    };
                }
                _ => {
                    let (num, unit) = field[1..].split_at(field.len().saturating_sub(2));
                    let unit = unit.chars().next().unwrap_or(' ');
                    let n = small_number(num).filter(|_| num.len() <= 2);
                    let ok = match (n, unit) {
                        (Some(n), 'S' | 'M') => (1..=59).contains(&n),
                        (Some(n), 'H') => n <= 48,
                        _ => false,
                    };
                    match n {
                        Some(n) if ok => timestep = Some((n as u8, unit)),
                        _ => {
                            return Err(suite_err(
                                off + 1,
                                "time step is not 1-59S, 1-59M or 0-48H",
                            ));
                        }
                    }
                }
            }
            off += field.len() + 1;
        }
        let (challenge, challenge_len) =
            challenge.ok_or_else(|| suite_err(di_off, "data input has no challenge QFxx"))?;
        Ok(OcraSuite {
            algorithm,
            digits,
            counter,
            challenge,
            challenge_len,
            pin,
            session_len,
            timestep,
            text: String::from(s),
        })
    }
}

impl fmt::Display for OcraSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl OcraSuite {
    /// Builds the canonical suite string from its parts.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        algorithm: Algorithm,
        digits: u8,
        counter: bool,
        challenge: ChallengeFormat,
        challenge_len: u8,
        pin: Option<Algorithm>,
        session_len: Option<u16>,
        timestep: Option<(u8, char)>,
    ) -> Result<Self> {
        let mut s = String::new();
        let _ = write!(s, "OCRA-1:HOTP-{}-{}:", algorithm.name(), digits);
        if counter {
            s.push_str("C-");
        }
        let _ = write!(s, "Q{}{:02}", challenge.letter(), challenge_len);
        if let Some(p) = pin {
            let _ = write!(s, "-P{}", p.name());
        }
        if let Some(n) = session_len {
            let _ = write!(s, "-S{n:03}");
        }
        if let Some((n, u)) = timestep {
            let _ = write!(s, "-T{n}{u}");
        }
        s.parse()
    }

    /// The HMAC hash.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits of the response (0 = the full HMAC, in hex).
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Whether the suite takes a counter.
    pub fn has_counter(&self) -> bool {
        self.counter
    }

    /// Challenge format and maximum length.
    pub fn challenge(&self) -> (ChallengeFormat, u8) {
        (self.challenge, self.challenge_len)
    }

    /// PIN hash algorithm, if the suite takes a PIN.
    pub fn pin(&self) -> Option<Algorithm> {
        self.pin
    }

    /// Session-information length in bytes, if any.
    pub fn session_len(&self) -> Option<u16> {
        self.session_len
    }

    /// Length of the timestamp step in seconds, if the suite takes a timestamp.
    pub fn timestep_seconds(&self) -> Option<u64> {
        self.timestep.map(|(n, u)| {
            let n = u64::from(n);
            match u {
                'S' => n,
                'M' => n * 60,
                _ => n * 3600,
            }
        })
    }

    /// The timestamp input `T` at Unix time `unix` (`None` if the suite has no timestamp;
    /// a `T0H` suite counts in whole seconds).
    pub fn timestamp_at(&self, unix: u64) -> Option<u64> {
        self.timestep_seconds().map(|s| unix / s.max(1))
    }

    /// Hashes a PIN/password with the suite's PIN hash (`None` if the suite has no PIN).
    pub fn hash_pin(&self, pin: &[u8]) -> Option<Vec<u8>> {
        Some(match self.pin? {
            Algorithm::Sha1 => sha1::Sha1::digest(pin).to_vec(),
            Algorithm::Sha256 => sha2::Sha256::digest(pin).to_vec(),
            Algorithm::Sha512 => sha2::Sha512::digest(pin).to_vec(),
            Algorithm::Sm3 => sm3::Sm3::digest(pin).to_vec(),
        })
    }

    /// Builds the DataInput (suite ‖ 0x00 ‖ C ‖ Q ‖ P ‖ S ‖ T), checking every input.
    pub fn data_input(&self, input: &OcraInput<'_>) -> Result<Vec<u8>> {
        let mut d = Vec::with_capacity(self.text.len() + 1 + 8 + 128 + 64 + 512 + 8);
        d.extend_from_slice(self.text.as_bytes());
        d.push(0);
        match (self.counter, input.counter) {
            (true, Some(c)) => d.extend_from_slice(&c.to_be_bytes()),
            (true, None) => return Err(input_err("C", "the suite needs a counter")),
            (false, Some(_)) => return Err(input_err("C", "the suite takes no counter")),
            (false, None) => {}
        }
        d.extend_from_slice(&self.encode_question(input.question)?);
        match (self.pin, input.pin_hash) {
            (Some(h), Some(p)) if p.len() == h.output_len() => d.extend_from_slice(p),
            (Some(_), Some(_)) => {
                return Err(input_err(
                    "P",
                    "PIN hash length differs from the suite's hash",
                ));
            }
            (Some(_), None) => return Err(input_err("P", "the suite needs a PIN hash")),
            (None, Some(_)) => return Err(input_err("P", "the suite takes no PIN hash")),
            (None, None) => {}
        }
        match (self.session_len, input.session) {
            (Some(n), Some(s)) if s.len() <= n as usize => {
                d.resize(d.len() + n as usize - s.len(), 0);
                d.extend_from_slice(s);
            }
            (Some(_), Some(_)) => {
                return Err(input_err(
                    "S",
                    "session information longer than the suite's",
                ));
            }
            (Some(_), None) => return Err(input_err("S", "the suite needs session information")),
            (None, Some(_)) => {
                return Err(input_err("S", "the suite takes no session information"));
            }
            (None, None) => {}
        }
        match (self.timestep, input.timestamp) {
            (Some(_), Some(t)) => d.extend_from_slice(&t.to_be_bytes()),
            (Some(_), None) => return Err(input_err("T", "the suite needs a timestamp")),
            (None, Some(_)) => return Err(input_err("T", "the suite takes no timestamp")),
            (None, None) => {}
        }
        Ok(d)
    }

    /// The 128-byte Q field: the challenge left-aligned, zero-padded on the right.
    fn encode_question(&self, q: &str) -> Result<[u8; 128]> {
        let max = 2 * self.challenge_len as usize;
        if q.len() < 4 || q.len() > max {
            return Err(input_err(
                "Q",
                "challenge shorter than 4 or longer than twice the suite's length",
            ));
        }
        let mut out = [0u8; 128];
        match self.challenge {
            ChallengeFormat::Alphanumeric => {
                if !q.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(input_err(
                        "Q",
                        "alphanumeric challenge holds other characters",
                    ));
                }
                out[..q.len()].copy_from_slice(q.as_bytes());
            }
            ChallengeFormat::Hex => {
                for (i, b) in q.bytes().enumerate() {
                    let n = hex_nibble(b)
                        .ok_or_else(|| input_err("Q", "hex challenge holds a non-hex character"))?;
                    out[i / 2] |= n << (4 * (1 - i % 2));
                }
            }
            ChallengeFormat::Numeric => {
                // Decimal → big-endian binary (≤ 128 digits → ≤ 54 bytes), then its hex digits
                // without leading zeros, left-aligned.
                let mut num = [0u8; 54];
                for b in q.bytes() {
                    if !b.is_ascii_digit() {
                        return Err(input_err("Q", "numeric challenge holds a non-digit"));
                    }
                    let mut carry = u32::from(b - b'0');
                    for byte in num.iter_mut().rev() {
                        let v = u32::from(*byte) * 10 + carry;
                        *byte = v as u8;
                        carry = v >> 8;
                    }
                }
                let mut nibbles = num
                    .iter()
                    .flat_map(|b| [b >> 4, b & 0x0f])
                    .skip_while(|&n| n == 0)
                    .peekable();
                if nibbles.peek().is_none() {
                    // Zero is written "0": an all-zero field either way.
                    return Ok(out);
                }
                for (i, n) in nibbles.enumerate() {
                    out[i / 2] |= n << (4 * (1 - i % 2));
                }
            }
        }
        Ok(out)
    }

    /// Computes the OCRA response: `digits` decimal digits, or the full HMAC in lowercase hex
    /// for a truncation of 0.
    pub fn compute(&self, key: &[u8], input: &OcraInput<'_>) -> Result<String> {
        let data = self.data_input(input)?;
        let mac = KeyedMac::new(self.algorithm, key);
        let mut tag = [0u8; MAX_MAC];
        let n = mac.compute_into(&[&data], &mut tag);
        let mut s = String::new();
        if self.digits == 0 {
            for b in &tag[..n] {
                let _ = write!(s, "{b:02x}");
            }
        } else {
            let v =
                u64::from(crate::mac::dynamic_truncate(&tag[..n])) % POW10[self.digits as usize];
            let _ = write!(s, "{:0width$}", v, width = self.digits as usize);
        }
        Ok(s)
    }

    /// Checks a response in constant time.
    pub fn verify(&self, key: &[u8], input: &OcraInput<'_>, response: &str) -> Result<bool> {
        let expected = self.compute(key, input)?;
        Ok(expected.len() == response.len()
            && bool::from(expected.as_bytes().ct_eq(response.as_bytes())))
    }

    /// Mutual challenge-response, server side: the server's response to the client
    /// (Q = client challenge ‖ server challenge).
    pub fn server_response(
        &self,
        key: &[u8],
        client_q: &str,
        server_q: &str,
        rest: &OcraInput<'_>,
    ) -> Result<String> {
        let q = [client_q, server_q].concat();
        self.compute(
            key,
            &OcraInput {
                question: &q,
                ..*rest
            },
        )
    }

    /// Mutual challenge-response, client side: the client's response to the server
    /// (Q = server challenge ‖ client challenge).
    pub fn client_response(
        &self,
        key: &[u8],
        client_q: &str,
        server_q: &str,
        rest: &OcraInput<'_>,
    ) -> Result<String> {
        let q = [server_q, client_q].concat();
        self.compute(
            key,
            &OcraInput {
                question: &q,
                ..*rest
            },
        )
    }
}

fn hex_nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_parse_rejects_bad_input() {
        for bad in [
            "",
            "OCRA-2:HOTP-SHA1-6:QN08",
            "OCRA-1:HOTP-MD5-6:QN08",
            "OCRA-1:HOTP-SHA1-3:QN08",
            "OCRA-1:HOTP-SHA1-11:QN08",
            "OCRA-1:HOTP-SHA1-6:C",
            "OCRA-1:HOTP-SHA1-6:QN03",
            "OCRA-1:HOTP-SHA1-6:QN65",
            "OCRA-1:HOTP-SHA1-6:QX08",
            "OCRA-1:HOTP-SHA1-6:QN08-C",
            "OCRA-1:HOTP-SHA1-6:QN08-T60M",
            "OCRA-1:HOTP-SHA1-6:QN08-T49H",
            "OCRA-1:HOTP-SHA1-6:QN08-S64",
            "OCRA-1:HOTP-SHA1-6:QN08-PMD5",
            "OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1",
            "OCRA-1:HOTP-SHA1-6:C-C-QN08",
            "OCRA-1:HOTP-SHA1-6:QN08-QN08",
        ] {
            assert!(bad.parse::<OcraSuite>().is_err(), "{bad}");
        }
    }

    #[test]
    fn build_round_trips() {
        let s = OcraSuite::build(
            Algorithm::Sha256,
            8,
            true,
            ChallengeFormat::Hex,
            40,
            Some(Algorithm::Sha1),
            Some(64),
            Some((30, 'S')),
        )
        .unwrap();
        assert_eq!(s.to_string(), "OCRA-1:HOTP-SHA256-8:C-QH40-PSHA1-S064-T30S");
        assert_eq!(s.to_string().parse::<OcraSuite>().unwrap(), s);
        assert_eq!(s.timestep_seconds(), Some(30));
    }

    #[test]
    fn inputs_must_match_suite() {
        let s: OcraSuite = "OCRA-1:HOTP-SHA1-6:C-QN08".parse().unwrap();
        let k = [0u8; 20];
        let q = OcraInput {
            question: "1234",
            ..OcraInput::default()
        };
        assert!(s.compute(&k, &q).is_err());
        assert!(
            s.compute(
                &k,
                &OcraInput {
                    counter: Some(1),
                    timestamp: Some(1),
                    ..q
                }
            )
            .is_err()
        );
        assert!(
            s.compute(
                &k,
                &OcraInput {
                    counter: Some(1),
                    ..q
                }
            )
            .is_ok()
        );
        assert!(
            s.compute(
                &k,
                &OcraInput {
                    counter: Some(1),
                    question: "12a4",
                    ..q
                }
            )
            .is_err()
        );
    }

    #[test]
    fn truncation_zero_gives_full_hmac() {
        let s: OcraSuite = "OCRA-1:HOTP-SHA1-0:QA08".parse().unwrap();
        let r = s
            .compute(
                b"12345678901234567890",
                &OcraInput {
                    question: "SIG10000",
                    ..OcraInput::default()
                },
            )
            .unwrap();
        assert_eq!(r.len(), 40);
    }
}
