//! The message type indicator: four digits — version, class, function, origin.

use core::fmt;

use crate::error::{Error, Loc, Result};

/// How the MTI is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MtiEncoding {
    /// Four ASCII digits.
    Ascii,
    /// Four EBCDIC digits.
    Ebcdic,
    /// Two bytes of packed BCD.
    Bcd,
}

impl MtiEncoding {
    /// Bytes the MTI takes.
    pub const fn width(self) -> usize {
        match self {
            MtiEncoding::Bcd => 2,
            _ => 4,
        }
    }
}

/// ISO 8583 version (first MTI digit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// 0: ISO 8583:1987.
    V1987,
    /// 1: ISO 8583:1993.
    V1993,
    /// 2: ISO 8583:2003.
    V2003,
    /// 3–7 reserved, 8 national, 9 private.
    Other(u8),
}

/// A message type indicator, four ASCII digits.
///
/// ```
/// use mpay_iso8583::mti::Mti;
/// let m: Mti = "0100".parse().unwrap();
/// assert_eq!(m.response().as_str(), "0110");
/// assert_eq!(m.class(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mti([u8; 4]);

impl Mti {
    /// `0000`, a placeholder.
    pub const ZERO: Mti = Mti(*b"0000");

    /// From four ASCII digits.
    pub const fn new(digits: [u8; 4]) -> Result<Mti> {
        let mut i = 0;
        while i < 4 {
            if !digits[i].is_ascii_digit() {
                return Err(Error::BadByte {
                    loc: Loc::Mti,
                    offset: i,
                    expected: "a digit",
                    found: digits[i],
                });
            }
            i += 1;
        }
        Ok(Mti(digits))
    }

    /// The four digits.
    pub const fn digits(&self) -> [u8; 4] {
        self.0
    }

    /// As text.
    pub fn as_str(&self) -> &str {
        // Digits only (checked on construction).
        core::str::from_utf8(&self.0).unwrap_or("????")
    }

    /// Version digit as a [`Version`].
    pub const fn version(&self) -> Version {
        match self.0[0] - b'0' {
            0 => Version::V1987,
            1 => Version::V1993,
            2 => Version::V2003,
            d => Version::Other(d),
        }
    }

    /// Message class (second digit): 1 authorization, 2 financial, 4 reversal, 8 network…
    pub const fn class(&self) -> u8 {
        self.0[1] - b'0'
    }

    /// Message function (third digit): 0 request, 1 response, 2 advice, 3 advice response…
    pub const fn function(&self) -> u8 {
        self.0[2] - b'0'
    }

    /// Message origin (fourth digit): 0 acquirer, 1 acquirer repeat, 2 issuer…
    pub const fn origin(&self) -> u8 {
        self.0[3] - b'0'
    }

    /// True for request and advice functions (even third digit).
    pub const fn is_request(&self) -> bool {
        self.function().is_multiple_of(2)
    }

    /// The matching response MTI (function + 1, origin 0 for repeats): 0100 → 0110,
    /// 0421 → 0430.
    pub const fn response(&self) -> Mti {
        let mut d = self.0;
        if d[2].is_multiple_of(2) {
            d[2] += 1;
        }
        if d[3] == b'1' {
            d[3] = b'0';
        }
        Mti(d)
    }

    /// Reads the MTI at `pos`.
    pub fn read(enc: MtiEncoding, buf: &[u8], pos: usize) -> Result<Mti> {
        let w = enc.width();
        let avail = buf.len().saturating_sub(pos);
        if avail < w {
            return Err(Error::Truncated {
                loc: Loc::Mti,
                offset: pos,
                needed: w,
                available: avail,
            });
        }
        let b = &buf[pos..pos + w];
        let d = match enc {
            MtiEncoding::Ascii => [b[0], b[1], b[2], b[3]],
            MtiEncoding::Ebcdic => {
                let mut d = [0u8; 4];
                for i in 0..4 {
                    d[i] = b[i].wrapping_sub(0xF0).wrapping_add(b'0');
                    if !(0xF0..=0xF9).contains(&b[i]) {
                        return Err(Error::BadByte {
                            loc: Loc::Mti,
                            offset: pos + i,
                            expected: "an EBCDIC digit",
                            found: b[i],
                        });
                    }
                }
                d
            }
            MtiEncoding::Bcd => {
                for (i, &c) in b.iter().enumerate() {
                    if c >> 4 > 9 || c & 0xF > 9 {
                        return Err(Error::BadByte {
                            loc: Loc::Mti,
                            offset: pos + i,
                            expected: "a BCD digit pair",
                            found: c,
                        });
                    }
                }
                [
                    b'0' + (b[0] >> 4),
                    b'0' + (b[0] & 0xF),
                    b'0' + (b[1] >> 4),
                    b'0' + (b[1] & 0xF),
                ]
            }
        };
        Mti::new(d).map_err(|e| match e {
            Error::BadByte {
                offset,
                expected,
                found,
                ..
            } => Error::BadByte {
                loc: Loc::Mti,
                offset: pos + offset,
                expected,
                found,
            },
            other => other,
        })
    }

    /// Appends the MTI.
    pub fn write(&self, enc: MtiEncoding, out: &mut alloc::vec::Vec<u8>) {
        let d = self.0.map(|c| c - b'0');
        match enc {
            MtiEncoding::Ascii => out.extend_from_slice(&self.0),
            MtiEncoding::Ebcdic => out.extend(d.iter().map(|x| 0xF0 + x)),
            MtiEncoding::Bcd => out.extend_from_slice(&[(d[0] << 4) | d[1], (d[2] << 4) | d[3]]),
        }
    }
}

impl core::str::FromStr for Mti {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mti> {
        let b = s.as_bytes();
        if b.len() != 4 {
            return Err(Error::BadLength {
                loc: Loc::Mti,
                offset: 0,
                expected: "exactly",
                max: 4,
                found: b.len(),
            });
        }
        Mti::new([b[0], b[1], b[2], b[3]])
    }
}

impl fmt::Display for Mti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Mti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mti({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let m: Mti = "0421".parse().unwrap();
        for enc in [MtiEncoding::Ascii, MtiEncoding::Ebcdic, MtiEncoding::Bcd] {
            let mut out = alloc::vec::Vec::new();
            m.write(enc, &mut out);
            assert_eq!(Mti::read(enc, &out, 0).unwrap(), m);
        }
        assert_eq!(m.response().as_str(), "0430");
        assert_eq!(m.version(), Version::V1987);
        assert!("01A0".parse::<Mti>().is_err());
        assert!(Mti::read(MtiEncoding::Bcd, &[0x0A, 0x00], 0).is_err());
    }
}
