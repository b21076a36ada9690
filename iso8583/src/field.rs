//! A field is the composition of a content class, an encoding, a length prefix and a padding
//! rule (the moov-io model). [`FieldSpec`] is plain data: it can be written as a Rust constant
//! or loaded from JSON/TOML (feature `serde`).
//!
//! Lengths count *units*: digits for `n`/`z`/`x+n`, characters for text classes, bytes for `b`.
//! A prefix may instead count encoded bytes ([`Unit::Bytes`], pyiso8583's `len_count: bytes`).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::ebcdic;
use crate::error::{Error, Loc, Result};

/// Content class of a field (what characters its value may hold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Class {
    /// Numeric digits `0-9`.
    N,
    /// Letters.
    A,
    /// Letters and digits.
    An,
    /// Letters, digits and specials (any ASCII).
    Ans,
    /// Digits and specials.
    Ns,
    /// Binary (bytes).
    B,
    /// Track 2/3 data: digits and the separator `=` (nibble `D` in BCD).
    Z,
    /// Amount with a sign: `C` (credit) or `D` (debit) followed by digits (x+n).
    Xn,
}

impl Class {
    /// True for the classes whose value is text (every class but `b`).
    pub const fn is_text(self) -> bool {
        !matches!(self, Class::B)
    }

    const fn expected(self) -> &'static str {
        match self {
            Class::N => "a digit",
            Class::A => "a letter",
            Class::An => "a letter or digit",
            Class::Ans => "an ASCII character",
            Class::Ns => "a digit or special character",
            Class::B => "a byte",
            Class::Z => "a digit or '='",
            Class::Xn => "'C' or 'D' then digits",
        }
    }

    /// Whether every character of `v` fits this class (fast path).
    #[inline]
    fn all_allowed(self, v: &[u8]) -> bool {
        match self {
            Class::N => v.iter().all(u8::is_ascii_digit),
            Class::Ans => v.is_ascii(),
            Class::B => true,
            Class::Xn => false,
            _ => v.iter().enumerate().all(|(i, &c)| self.allows(i, c)),
        }
    }

    /// Whether logical character `c` at `index` fits this class.
    #[inline]
    fn allows(self, index: usize, c: u8) -> bool {
        match self {
            Class::N => c.is_ascii_digit(),
            Class::A => c.is_ascii_alphabetic() || c == b' ',
            Class::An => c.is_ascii_alphanumeric() || c == b' ',
            Class::Ans => c.is_ascii(),
            Class::Ns => c.is_ascii() && !c.is_ascii_alphabetic(),
            Class::B => true,
            Class::Z => c.is_ascii_digit() || c == b'=' || c == b'D',
            Class::Xn => {
                if index == 0 {
                    c == b'C' || c == b'D'
                } else {
                    c.is_ascii_digit()
                }
            }
        }
    }
}

/// How a field's content is written on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Encoding {
    /// ASCII characters.
    Ascii,
    /// EBCDIC code page 037 (text restricted to characters with an ASCII equivalent).
    Ebcdic037,
    /// EBCDIC code page 1047.
    Ebcdic1047,
    /// Packed BCD, right-aligned: an odd number of digits gets a leading pad nibble.
    #[cfg_attr(feature = "serde", serde(alias = "bcd"))]
    BcdRight,
    /// Packed BCD, left-aligned: an odd number of digits gets a trailing pad nibble.
    BcdLeft,
    /// Raw bytes (class `b`).
    Binary,
    /// Bytes written as uppercase hexadecimal ASCII (class `b`; lowercase accepted on input).
    HexAscii,
}

impl Encoding {
    const fn is_bcd(self) -> bool {
        matches!(self, Encoding::BcdRight | Encoding::BcdLeft)
    }
}

/// How a length prefix is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LenEncoding {
    /// ASCII digits, one byte per digit.
    Ascii,
    /// EBCDIC digits (`F0`–`F9`), one byte per digit.
    Ebcdic,
    /// Packed BCD, two digits per byte (LL = 1 byte, LLL and LLLL = 2, LLLLLL = 3).
    Bcd,
    /// Big-endian binary, as many bytes as BCD would take (LL = 1 byte, LLL and LLLL = 2).
    Binary,
}

/// What the number in a length prefix counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Unit {
    /// Units of the value: digits (BCD nibbles), characters or bytes.
    #[default]
    Units,
    /// Encoded bytes on the wire.
    Bytes,
}

/// A length prefix: `digits` = 0 for a fixed field, 1..=6 for L…LLLLLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Prefix {
    /// Number of length digits: 0 (fixed), 1 (L) … 6 (LLLLLL).
    pub digits: u8,
    /// How the length is written.
    pub encoding: LenEncoding,
    /// What the length counts.
    pub unit: Unit,
}

impl Default for Prefix {
    fn default() -> Self {
        Prefix::FIXED
    }
}

impl Prefix {
    /// No prefix: the field has a fixed length.
    pub const FIXED: Prefix = Prefix {
        digits: 0,
        encoding: LenEncoding::Ascii,
        unit: Unit::Units,
    };

    /// A prefix of `digits` ASCII digits counting units.
    pub const fn ascii(digits: u8) -> Prefix {
        Prefix {
            digits,
            encoding: LenEncoding::Ascii,
            unit: Unit::Units,
        }
    }

    /// A prefix of `digits` BCD digits counting units.
    pub const fn bcd(digits: u8) -> Prefix {
        Prefix {
            digits,
            encoding: LenEncoding::Bcd,
            unit: Unit::Units,
        }
    }

    /// A binary prefix of `digits` (LL = 1 byte, LLL/LLLL = 2 bytes) counting units.
    pub const fn binary(digits: u8) -> Prefix {
        Prefix {
            digits,
            encoding: LenEncoding::Binary,
            unit: Unit::Units,
        }
    }

    /// A prefix of `digits` EBCDIC digits counting units.
    pub const fn ebcdic(digits: u8) -> Prefix {
        Prefix {
            digits,
            encoding: LenEncoding::Ebcdic,
            unit: Unit::Units,
        }
    }

    /// The same prefix counting encoded bytes instead of units.
    pub const fn counting_bytes(self) -> Prefix {
        Prefix {
            unit: Unit::Bytes,
            ..self
        }
    }

    /// Bytes the prefix takes on the wire.
    pub const fn width(&self) -> usize {
        match self.encoding {
            LenEncoding::Ascii | LenEncoding::Ebcdic => self.digits as usize,
            LenEncoding::Bcd | LenEncoding::Binary => (self.digits as usize).div_ceil(2),
        }
    }

    /// Largest number the prefix can carry.
    pub fn max_value(&self) -> usize {
        match self.encoding {
            LenEncoding::Binary => (1usize << (8 * self.width().min(7))) - 1,
            _ => 10usize.pow(u32::from(self.digits.min(9))) - 1,
        }
    }

    #[inline]
    fn decode(&self, b: &[u8], offset: usize, loc: Loc) -> Result<usize> {
        let mut v = 0usize;
        match self.encoding {
            LenEncoding::Ascii | LenEncoding::Ebcdic => {
                let zero = if self.encoding == LenEncoding::Ascii {
                    b'0'
                } else {
                    0xF0
                };
                for (i, &c) in b.iter().enumerate() {
                    let d = c.wrapping_sub(zero);
                    if d > 9 {
                        return Err(Error::BadByte {
                            loc,
                            offset: offset + i,
                            expected: "a length digit",
                            found: c,
                        });
                    }
                    v = v * 10 + d as usize;
                }
            }
            LenEncoding::Bcd => {
                for (i, &c) in b.iter().enumerate() {
                    let (hi, lo) = (c >> 4, c & 0x0F);
                    if hi > 9 || lo > 9 {
                        return Err(Error::BadByte {
                            loc,
                            offset: offset + i,
                            expected: "a BCD length byte",
                            found: c,
                        });
                    }
                    v = v * 100 + (hi * 10 + lo) as usize;
                }
            }
            LenEncoding::Binary => {
                for &c in b {
                    v = (v << 8) | c as usize;
                }
            }
        }
        Ok(v)
    }

    /// Writes `v` (already checked against `max_value`) into `out` (exactly `width()` bytes).
    fn encode(&self, mut v: usize, out: &mut [u8]) {
        match self.encoding {
            LenEncoding::Ascii | LenEncoding::Ebcdic => {
                let zero = if self.encoding == LenEncoding::Ascii {
                    b'0'
                } else {
                    0xF0
                };
                for b in out.iter_mut().rev() {
                    *b = zero + (v % 10) as u8;
                    v /= 10;
                }
            }
            LenEncoding::Bcd => {
                for b in out.iter_mut().rev() {
                    let two = v % 100;
                    *b = (((two / 10) as u8) << 4) | (two % 10) as u8;
                    v /= 100;
                }
            }
            LenEncoding::Binary => {
                for b in out.iter_mut().rev() {
                    *b = v as u8;
                    v >>= 8;
                }
            }
        }
    }
}

/// Padding of a fixed-length value that is shorter than the field when packing. Unpacking
/// never strips it, so `pack(unpack(x)) == x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Pad {
    /// No padding: a value of the wrong length is an error.
    #[default]
    None,
    /// Pad on the left with this character (numerics: `'0'`).
    Left(char),
    /// Pad on the right with this character (text: `' '`).
    Right(char),
}

/// How `describe`/`Display` show a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Mask {
    /// Shown as is.
    #[default]
    None,
    /// A PAN: first 6 and last 4 digits kept.
    Pan,
    /// Track data: the PAN part masked like a PAN, the rest after the separator hidden.
    Track,
    /// Hidden entirely (PIN block, MAC, keys): only the length is shown.
    Full,
    /// BER-TLV: sensitive tags (5A, 57, 56, 5F20, 9F1F, 9F20, 9F6B, 99) hidden.
    Tlv,
}

/// Subfield layouts of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum Subfields {
    /// Subfields one after the other (each with its own prefix, if any), numbered from 1;
    /// trailing ones may be absent.
    Positional {
        /// The subfields, in order; `number` is the position.
        fields: Cow<'static, [FieldSpec]>,
    },
    /// A bitmap (8 bytes binary or 16 hex characters) followed by the subfields it announces
    /// (like DE 127 of Postilion). Bit 1 is not a continuation bit.
    Bitmapped {
        /// How the inner bitmap is written.
        bitmap: crate::bitmap::BitmapEncoding,
        /// The subfields, sorted by number (1..=64).
        fields: Cow<'static, [FieldSpec]>,
    },
    /// Tag-length-value elements: a `tag_len`-character ASCII tag, then `length`, then the
    /// value. With `ltv`, the length comes first and counts tag and value.
    Tlv {
        /// Characters in a tag.
        tag_len: u8,
        /// The length prefix of each element (counting value bytes, or tag+value for LTV).
        length: Prefix,
        /// Length before tag.
        #[cfg_attr(feature = "serde", serde(default))]
        ltv: bool,
    },
    /// BER-TLV (EMV field 55): every tag kept, unknown and duplicate ones included.
    BerTlv,
}

/// The definition of one field (or subfield).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FieldSpec {
    /// Field number (1..=192) or subfield position.
    pub number: u16,
    /// Human-readable name.
    #[cfg_attr(feature = "serde", serde(default))]
    pub name: Cow<'static, str>,
    /// Content class.
    pub class: Class,
    /// Wire encoding of the content.
    pub encoding: Encoding,
    /// Fixed length, or the maximum for a variable field, in units.
    pub length: u32,
    /// Length prefix (fixed when absent).
    #[cfg_attr(feature = "serde", serde(default))]
    pub prefix: Prefix,
    /// Padding of short fixed-length values when packing.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pad: Pad,
    /// Pad nibble written for an odd number of BCD digits (0 or 15 usually).
    #[cfg_attr(feature = "serde", serde(default))]
    pub pad_nibble: u8,
    /// Masking in `describe`/`Display`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub mask: Mask,
    /// Subfield layout, if the field has one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sub: Option<Cow<'static, Subfields>>,
}

/// Where a field's content lies in a buffer: `start..end`, holding `units` units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
    pub units: u32,
}

impl Span {
    pub(crate) fn range(&self) -> core::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[inline]
fn nib_digit(class: Class, n: u8) -> Option<u8> {
    match n {
        0..=9 => Some(b'0' + n),
        0xD if class == Class::Z => Some(b'='),
        _ => None,
    }
}

#[inline]
fn digit_nib(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        // '=' or 'D' (track separator); classes were checked before.
        _ => 0xD,
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl FieldSpec {
    /// A field definition with no padding, no mask and no subfields.
    ///
    /// ```
    /// use mpay_iso8583::field::{Class, Encoding, FieldSpec, Prefix};
    /// const PAN: FieldSpec = FieldSpec::new(2, "PAN", Class::N, Encoding::BcdRight, 19, Prefix::bcd(2));
    /// assert_eq!(PAN.length, 19);
    /// ```
    pub const fn new(
        number: u16,
        name: &'static str,
        class: Class,
        encoding: Encoding,
        length: u32,
        prefix: Prefix,
    ) -> FieldSpec {
        FieldSpec {
            number,
            name: Cow::Borrowed(name),
            class,
            encoding,
            length,
            prefix,
            pad: Pad::None,
            pad_nibble: 0,
            mask: Mask::None,
            sub: None,
        }
    }

    /// Decodes a length prefix's bytes (exactly `prefix.width()` of them).
    pub(crate) fn prefix_value(&self, b: &[u8], offset: usize, loc: Loc) -> Result<usize> {
        self.prefix.decode(b, offset, loc)
    }

    /// Whether the field has a length prefix.
    pub const fn is_variable(&self) -> bool {
        self.prefix.digits != 0
    }

    /// Checks that class, encoding, prefix and length fit together.
    pub fn check(&self, loc: Loc) -> core::result::Result<(), (Loc, &'static str)> {
        let ok = match self.encoding {
            Encoding::Binary | Encoding::HexAscii => self.class == Class::B,
            Encoding::BcdLeft | Encoding::BcdRight => {
                matches!(self.class, Class::N | Class::Z | Class::Xn)
            }
            Encoding::Ascii | Encoding::Ebcdic037 | Encoding::Ebcdic1047 => self.class != Class::B,
        };
        if !ok {
            return Err((loc, "class and encoding do not fit together"));
        }
        if self.prefix.digits > 6 {
            return Err((loc, "a length prefix has at most 6 digits"));
        }
        if self.length == 0 {
            return Err((loc, "length must be at least 1"));
        }
        if self.pad_nibble > 0x0F {
            return Err((loc, "pad_nibble must be 0..=15"));
        }
        if self.class == Class::Xn && self.encoding.is_bcd() && self.length < 2 {
            return Err((loc, "x+n needs at least a sign and one digit"));
        }
        if self.is_variable() {
            let max_bytes = self.encoded_len(self.length as usize);
            let needed = match self.prefix.unit {
                Unit::Units => self.length as usize,
                Unit::Bytes => max_bytes,
            };
            if needed > self.prefix.max_value() && self.prefix.encoding != LenEncoding::Binary {
                return Err((loc, "length exceeds what the prefix can carry"));
            }
        }
        if let Some(sub) = &self.sub {
            match &**sub {
                Subfields::Positional { fields } | Subfields::Bitmapped { fields, .. } => {
                    for f in fields.iter() {
                        f.check(Loc::Sub(loc_field(loc), f.number))?;
                    }
                    if let Subfields::Bitmapped { fields, .. } = &**sub
                        && (fields.windows(2).any(|w| w[0].number >= w[1].number)
                            || fields.iter().any(|f| f.number == 0 || f.number > 64))
                    {
                        return Err((loc, "bitmapped subfields must be sorted, 1..=64"));
                    }
                }
                Subfields::Tlv {
                    tag_len, length, ..
                } => {
                    if *tag_len == 0 || length.digits == 0 || length.digits > 6 {
                        return Err((loc, "TLV needs a tag length and a length prefix"));
                    }
                }
                Subfields::BerTlv => {
                    if self.class != Class::B {
                        return Err((loc, "BER-TLV subfields need a binary field"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Encoded bytes of a value of `units` units.
    #[inline]
    pub fn encoded_len(&self, units: usize) -> usize {
        match self.encoding {
            Encoding::BcdLeft | Encoding::BcdRight => {
                if self.class == Class::Xn {
                    1 + units.saturating_sub(1).div_ceil(2)
                } else {
                    units.div_ceil(2)
                }
            }
            Encoding::HexAscii => units * 2,
            _ => units,
        }
    }

    fn units_for_bytes(&self, bytes: usize, offset: usize, loc: Loc) -> Result<usize> {
        Ok(match self.encoding {
            Encoding::BcdLeft | Encoding::BcdRight => {
                if self.class == Class::Xn {
                    if bytes == 0 {
                        return Err(Error::BadLength {
                            loc,
                            offset,
                            expected: "at least",
                            max: 1,
                            found: 0,
                        });
                    }
                    2 * bytes - 1
                } else {
                    2 * bytes
                }
            }
            Encoding::HexAscii => {
                if !bytes.is_multiple_of(2) {
                    return Err(Error::BadLength {
                        loc,
                        offset,
                        expected: "a multiple of",
                        max: 2,
                        found: bytes,
                    });
                }
                bytes / 2
            }
            _ => bytes,
        })
    }

    /// Reads the field at `pos`: prefix, then content (checked against class and encoding).
    #[inline]
    pub(crate) fn read(&self, buf: &[u8], pos: usize, loc: Loc) -> Result<Span> {
        let span = self.locate(buf, pos, loc)?;
        self.check_content(
            &buf[span.range()],
            span.units as usize,
            span.start as usize,
            loc,
        )?;
        Ok(span)
    }

    /// Finds the field at `pos` from its prefix without checking the content.
    #[inline]
    pub(crate) fn locate(&self, buf: &[u8], pos: usize, loc: Loc) -> Result<Span> {
        let (units, start) = if self.prefix.digits == 0 {
            (self.length as usize, pos)
        } else {
            let w = self.prefix.width();
            let avail = buf.len().saturating_sub(pos);
            if avail < w {
                return Err(Error::Truncated {
                    loc,
                    offset: pos,
                    needed: w,
                    available: avail,
                });
            }
            let v = self.prefix.decode(&buf[pos..pos + w], pos, loc)?;
            let units = match self.prefix.unit {
                Unit::Units => v,
                Unit::Bytes => self.units_for_bytes(v, pos, loc)?,
            };
            if units > self.length as usize {
                return Err(Error::BadLength {
                    loc,
                    offset: pos,
                    expected: "at most",
                    max: self.length as usize,
                    found: units,
                });
            }
            (units, pos + w)
        };
        if units == 0 && self.class == Class::Xn && self.encoding.is_bcd() {
            return Err(Error::BadLength {
                loc,
                offset: pos,
                expected: "at least",
                max: 1,
                found: 0,
            });
        }
        let n = self.encoded_len(units);
        let avail = buf.len().saturating_sub(start);
        if avail < n {
            return Err(Error::Truncated {
                loc,
                offset: start,
                needed: n,
                available: avail,
            });
        }
        Ok(Span {
            start: start as u32,
            end: (start + n) as u32,
            units: units as u32,
        })
    }

    #[inline]
    fn check_content(&self, c: &[u8], units: usize, offset: usize, loc: Loc) -> Result<()> {
        let bad = |i: usize, found: u8, expected: &'static str| Error::BadByte {
            loc,
            offset: offset + i,
            expected,
            found,
        };
        match self.encoding {
            Encoding::Binary => Ok(()),
            Encoding::Ascii => {
                if self.class.all_allowed(c) {
                    return Ok(());
                }
                for (i, &b) in c.iter().enumerate() {
                    if !self.class.allows(i, b) {
                        return Err(bad(i, b, self.class.expected()));
                    }
                }
                Ok(())
            }
            Encoding::Ebcdic037 | Encoding::Ebcdic1047 => {
                let t = self.ebcdic_to_ascii();
                for (i, &b) in c.iter().enumerate() {
                    let a = t[b as usize];
                    if !a.is_ascii() || !self.class.allows(i, a) {
                        return Err(bad(i, b, self.class.expected()));
                    }
                }
                Ok(())
            }
            Encoding::HexAscii => {
                for (i, &b) in c.iter().enumerate() {
                    if hex_val(b).is_none() {
                        return Err(bad(i, b, "a hex digit"));
                    }
                }
                Ok(())
            }
            Encoding::BcdLeft | Encoding::BcdRight => {
                let (digits, nibbles) = if self.class == Class::Xn {
                    if !matches!(c[0], b'C' | b'D') {
                        return Err(bad(0, c[0], "'C' or 'D'"));
                    }
                    (&c[1..], units - 1)
                } else {
                    (c, units)
                };
                if self.class == Class::N || self.class == Class::Xn {
                    // Whole bytes first: both nibbles decimal (the pad nibble, if any, is
                    // checked below only when a byte fails).
                    let ok = digits.iter().all(|&b| b & 0xF0 <= 0x90 && b & 0x0F <= 9);
                    if ok {
                        return Ok(());
                    }
                }
                let skip = if nibbles % 2 == 1 && self.encoding == Encoding::BcdRight {
                    1
                } else {
                    0
                };
                let base = c.len() - digits.len();
                for k in 0..nibbles {
                    let idx = k + skip;
                    let byte = digits[idx / 2];
                    let nib = if idx % 2 == 0 { byte >> 4 } else { byte & 0x0F };
                    if nib_digit(self.class, nib).is_none() {
                        return Err(bad(base + idx / 2, byte, self.class.expected()));
                    }
                }
                Ok(())
            }
        }
    }

    fn ebcdic_to_ascii(&self) -> &'static [u8; 256] {
        if self.encoding == Encoding::Ebcdic1047 {
            &ebcdic::CP1047_TO_LATIN1
        } else {
            &ebcdic::CP037_TO_LATIN1
        }
    }

    fn ascii_to_ebcdic(&self) -> &'static [u8; 256] {
        if self.encoding == Encoding::Ebcdic1047 {
            &ebcdic::LATIN1_TO_CP1047
        } else {
            &ebcdic::LATIN1_TO_CP037
        }
    }

    /// Decodes checked wire content into its logical bytes (text as ASCII, binary as bytes),
    /// borrowing when the encoding is the identity.
    pub(crate) fn decode<'a>(&self, c: &'a [u8], units: usize) -> Cow<'a, [u8]> {
        match self.encoding {
            Encoding::Ascii | Encoding::Binary => Cow::Borrowed(c),
            Encoding::Ebcdic037 | Encoding::Ebcdic1047 => {
                let t = self.ebcdic_to_ascii();
                Cow::Owned(c.iter().map(|&b| t[b as usize]).collect())
            }
            Encoding::HexAscii => Cow::Owned(
                c.chunks_exact(2)
                    .map(|p| (hex_val(p[0]).unwrap_or(0) << 4) | hex_val(p[1]).unwrap_or(0))
                    .collect(),
            ),
            Encoding::BcdLeft | Encoding::BcdRight => {
                let mut out = Vec::with_capacity(units);
                let (digits, nibbles) = if self.class == Class::Xn {
                    out.push(c[0]);
                    (&c[1..], units - 1)
                } else {
                    (c, units)
                };
                let skip = usize::from(nibbles % 2 == 1 && self.encoding == Encoding::BcdRight);
                for k in 0..nibbles {
                    let idx = k + skip;
                    let byte = digits[idx / 2];
                    let nib = if idx % 2 == 0 { byte >> 4 } else { byte & 0x0F };
                    out.push(nib_digit(self.class, nib).unwrap_or(b'?'));
                }
                Cow::Owned(out)
            }
        }
    }

    /// Numeric value of checked wire content of a numeric field, without allocating.
    pub(crate) fn decode_u64(&self, c: &[u8], units: usize) -> Option<u64> {
        if self.class != Class::N || units > 19 {
            return None;
        }
        let mut v: u64 = 0;
        match self.encoding {
            Encoding::Ascii => {
                for &b in c {
                    v = v * 10 + u64::from(b - b'0');
                }
            }
            Encoding::BcdLeft | Encoding::BcdRight => {
                let skip = usize::from(units % 2 == 1 && self.encoding == Encoding::BcdRight);
                for k in 0..units {
                    let idx = k + skip;
                    let byte = c[idx / 2];
                    let nib = if idx % 2 == 0 { byte >> 4 } else { byte & 0x0F };
                    v = v * 10 + u64::from(nib);
                }
            }
            _ => {
                let t = self.ebcdic_to_ascii();
                for &b in c {
                    v = v * 10 + u64::from(t[b as usize] - b'0');
                }
            }
        }
        Some(v)
    }

    /// Length check and padding count of a logical value of `len` units.
    fn plan(&self, len: usize, loc: Loc) -> Result<(usize, usize)> {
        if len == 0 && self.class == Class::Xn && self.encoding.is_bcd() {
            return Err(Error::BadValue {
                loc,
                reason: "an x+n amount needs a sign and digits",
            });
        }
        if self.is_variable() {
            if len > self.length as usize {
                return Err(Error::BadLength {
                    loc,
                    offset: 0,
                    expected: "at most",
                    max: self.length as usize,
                    found: len,
                });
            }
            Ok((0, len))
        } else {
            let want = self.length as usize;
            if len == want {
                return Ok((0, len));
            }
            if len < want && self.pad != Pad::None {
                return Ok((want - len, want));
            }
            Err(Error::BadLength {
                loc,
                offset: 0,
                expected: "exactly",
                max: want,
                found: len,
            })
        }
    }

    #[inline]
    fn check_logical(&self, v: &[u8], pad: usize, loc: Loc) -> Result<()> {
        if self.class == Class::B || (pad == 0 && self.class.all_allowed(v)) {
            return Ok(());
        }
        let shift = if matches!(self.pad, Pad::Left(_)) {
            pad
        } else {
            0
        };
        for (i, &c) in v.iter().enumerate() {
            if !self.class.allows(i + shift, c) {
                return Err(Error::BadChar {
                    loc,
                    index: i,
                    expected: self.class.expected(),
                });
            }
        }
        if pad > 0 {
            let p = match self.pad {
                Pad::Left(p) | Pad::Right(p) => p,
                Pad::None => ' ',
            };
            if !p.is_ascii() || !self.class.allows(1, p as u8) {
                return Err(Error::BadValue {
                    loc,
                    reason: "the pad character does not fit the class",
                });
            }
        }
        Ok(())
    }

    /// Checks that [`FieldSpec::write`] would accept `v`, without writing anything.
    pub(crate) fn check_plain(&self, v: &[u8], loc: Loc) -> Result<()> {
        let (pad, units) = self.plan(v.len(), loc)?;
        self.check_logical(v, pad, loc)?;
        if self.prefix.digits != 0 {
            let n = match self.prefix.unit {
                Unit::Units => units,
                Unit::Bytes => self.encoded_len(units),
            };
            if n > self.prefix.max_value() {
                return Err(Error::BadLength {
                    loc,
                    offset: 0,
                    expected: "at most (prefix)",
                    max: self.prefix.max_value(),
                    found: n,
                });
            }
        }
        Ok(())
    }

    /// Appends the field (prefix and content) for the logical value `v`.
    #[inline]
    pub(crate) fn write(&self, v: &[u8], out: &mut Vec<u8>, loc: Loc) -> Result<()> {
        let (pad, units) = self.plan(v.len(), loc)?;
        self.check_logical(v, pad, loc)?;
        let mark = self.begin(out);
        let (padc, left) = match self.pad {
            Pad::Left(c) => (c as u8, true),
            Pad::Right(c) => (c as u8, false),
            Pad::None => (b' ', true),
        };
        let lead = if left { pad } else { 0 };
        let trail = pad - lead;
        match self.encoding {
            Encoding::Ascii | Encoding::Binary => {
                out.extend(core::iter::repeat_n(padc, lead));
                out.extend_from_slice(v);
                out.extend(core::iter::repeat_n(padc, trail));
            }
            Encoding::Ebcdic037 | Encoding::Ebcdic1047 => {
                let t = self.ascii_to_ebcdic();
                let p = t[padc as usize];
                out.extend(core::iter::repeat_n(p, lead));
                out.extend(v.iter().map(|&c| t[c as usize]));
                out.extend(core::iter::repeat_n(p, trail));
            }
            Encoding::HexAscii => {
                for &b in v {
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0x0F) as usize]);
                }
            }
            Encoding::BcdLeft | Encoding::BcdRight if pad == 0 && self.class != Class::Xn => {
                self.put_bcd_slice(v, out);
            }
            Encoding::BcdLeft | Encoding::BcdRight => {
                let digits = core::iter::repeat_n(padc, lead)
                    .chain(v.iter().copied())
                    .chain(core::iter::repeat_n(padc, trail));
                if self.class == Class::Xn {
                    let mut it = digits;
                    out.push(it.next().unwrap_or(b'C'));
                    self.put_bcd(it, units - 1, out);
                } else {
                    self.put_bcd(digits, units, out);
                }
            }
        }
        self.finish_units(out, mark, units, loc)
    }

    #[inline]
    fn put_bcd_slice(&self, v: &[u8], out: &mut Vec<u8>) {
        let mut rest = v;
        if v.len() % 2 == 1 && self.encoding == Encoding::BcdRight {
            out.push((self.pad_nibble << 4) | digit_nib(v[0]));
            rest = &v[1..];
        }
        let mut pairs = rest.chunks_exact(2);
        for p in &mut pairs {
            out.push((digit_nib(p[0]) << 4) | digit_nib(p[1]));
        }
        if let [last] = pairs.remainder() {
            out.push((digit_nib(*last) << 4) | self.pad_nibble);
        }
    }

    fn put_bcd(&self, digits: impl Iterator<Item = u8>, n: usize, out: &mut Vec<u8>) {
        let mut hi: Option<u8> = None;
        if n % 2 == 1 && self.encoding == Encoding::BcdRight {
            hi = Some(self.pad_nibble);
        }
        for c in digits {
            let d = digit_nib(c);
            match hi.take() {
                Some(h) => out.push((h << 4) | d),
                None => hi = Some(d),
            }
        }
        if let Some(h) = hi {
            out.push((h << 4) | self.pad_nibble);
        }
    }

    /// Reserves room for the prefix; returns the mark to pass to `finish_*`.
    #[inline]
    pub(crate) fn begin(&self, out: &mut Vec<u8>) -> usize {
        let mark = out.len();
        out.extend(core::iter::repeat_n(0u8, self.prefix.width()));
        mark
    }

    /// Fills the prefix reserved at `mark` for content of `units` units.
    pub(crate) fn finish_units(
        &self,
        out: &mut [u8],
        mark: usize,
        units: usize,
        loc: Loc,
    ) -> Result<()> {
        if self.prefix.digits == 0 {
            return Ok(());
        }
        let w = self.prefix.width();
        let v = match self.prefix.unit {
            Unit::Units => units,
            Unit::Bytes => out.len() - mark - w,
        };
        if v > self.prefix.max_value() {
            return Err(Error::BadLength {
                loc,
                offset: mark,
                expected: "at most (prefix)",
                max: self.prefix.max_value(),
                found: v,
            });
        }
        self.prefix.encode(v, &mut out[mark..mark + w]);
        Ok(())
    }

    /// Whether subfield content can be written straight into the output (the encoding does
    /// not transform bytes).
    pub(crate) fn identity(&self) -> bool {
        matches!(self.encoding, Encoding::Ascii | Encoding::Binary)
    }

    /// Completes an identity-encoded field whose content was written after `begin`.
    pub(crate) fn finish_identity(&self, out: &mut Vec<u8>, mark: usize, loc: Loc) -> Result<()> {
        let w = self.prefix.width();
        let content = &out[mark + w..];
        let (pad, units) = self.plan(content.len(), loc)?;
        if pad != 0 {
            // Subfields shorter than a fixed parent: pad like a plain value.
            let padc = match self.pad {
                Pad::Left(c) | Pad::Right(c) => c as u8,
                Pad::None => b' ',
            };
            if let Pad::Left(_) = self.pad {
                let at = mark + w;
                out.splice(at..at, core::iter::repeat_n(padc, pad));
            } else {
                out.extend(core::iter::repeat_n(padc, pad));
            }
        }
        self.check_logical(&out[mark + w..], 0, loc)?;
        self.finish_units(out, mark, units, loc)
    }
}

fn loc_field(loc: Loc) -> u16 {
    match loc {
        Loc::Field(n) | Loc::Sub(n, _) => n,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(f: &FieldSpec, v: &[u8], wire: &[u8]) {
        let mut out = Vec::new();
        f.write(v, &mut out, Loc::Field(f.number)).unwrap();
        assert_eq!(out, wire, "pack of {v:?}");
        let span = f.read(&out, 0, Loc::Field(f.number)).unwrap();
        assert_eq!(span.end as usize, wire.len());
        assert_eq!(
            &*f.decode(&out[span.range()], span.units as usize),
            v,
            "unpack"
        );
    }

    #[test]
    fn bcd_odd_right_and_left() {
        let r = FieldSpec::new(2, "", Class::N, Encoding::BcdRight, 19, Prefix::bcd(2));
        roundtrip(&r, b"123", &[0x03, 0x01, 0x23]);
        let mut l = FieldSpec::new(2, "", Class::N, Encoding::BcdLeft, 19, Prefix::bcd(2));
        l.pad_nibble = 0xF;
        roundtrip(&l, b"123", &[0x03, 0x12, 0x3F]);
    }

    #[test]
    fn prefixes_every_encoding() {
        let mut f = FieldSpec::new(
            48,
            "",
            Class::Ans,
            Encoding::Ascii,
            999_999,
            Prefix::ascii(6),
        );
        roundtrip(&f, b"AB", b"000002AB");
        f.prefix = Prefix::bcd(3);
        roundtrip(&f, b"AB", &[0x00, 0x02, b'A', b'B']);
        f.prefix = Prefix::binary(4);
        roundtrip(&f, b"AB", &[0x00, 0x02, b'A', b'B']);
        f.prefix = Prefix::ebcdic(2);
        f.encoding = Encoding::Ebcdic037;
        roundtrip(&f, b"AB", &[0xF0, 0xF2, 0xC1, 0xC2]);
        f.prefix = Prefix::ascii(1);
        f.length = 9;
        f.encoding = Encoding::Ascii;
        roundtrip(&f, b"AB", b"2AB");
    }

    #[test]
    fn bytes_unit_and_hex() {
        let f = FieldSpec::new(
            35,
            "",
            Class::Z,
            Encoding::BcdRight,
            37,
            Prefix::bcd(2).counting_bytes(),
        );
        roundtrip(&f, b"12=4", &[0x02, 0x12, 0xD4]);
        let h = FieldSpec::new(55, "", Class::B, Encoding::HexAscii, 255, Prefix::ascii(3));
        roundtrip(&h, &[0x9F, 0x26], b"0029F26");
    }

    #[test]
    fn xn_amount_bcd_and_ascii() {
        let f = FieldSpec::new(28, "", Class::Xn, Encoding::BcdRight, 9, Prefix::FIXED);
        roundtrip(&f, b"C00000100", &[b'C', 0x00, 0x00, 0x01, 0x00]);
        let a = FieldSpec::new(28, "", Class::Xn, Encoding::Ascii, 9, Prefix::FIXED);
        roundtrip(&a, b"D00000100", b"D00000100");
    }

    #[test]
    fn empty_bcd_amount_is_an_error_not_a_panic() {
        let f = FieldSpec::new(28, "", Class::Xn, Encoding::BcdRight, 9, Prefix::bcd(2));
        assert!(matches!(
            f.read(&[0x00], 0, Loc::Field(28)),
            Err(Error::BadLength { found: 0, .. })
        ));
        assert!(f.write(b"", &mut Vec::new(), Loc::Field(28)).is_err());
    }

    #[test]
    fn padding_and_errors() {
        let mut f = FieldSpec::new(4, "", Class::N, Encoding::Ascii, 6, Prefix::FIXED);
        let mut out = Vec::new();
        assert!(matches!(
            f.write(b"12", &mut out, Loc::Field(4)),
            Err(Error::BadLength { found: 2, .. })
        ));
        f.pad = Pad::Left('0');
        out.clear();
        f.write(b"12", &mut out, Loc::Field(4)).unwrap();
        assert_eq!(out, b"000012");
        assert_eq!(
            f.read(b"00A012", 0, Loc::Field(4)),
            Err(Error::BadByte {
                loc: Loc::Field(4),
                offset: 2,
                expected: "a digit",
                found: b'A'
            })
        );
        assert!(matches!(
            f.read(b"0001", 0, Loc::Field(4)),
            Err(Error::Truncated {
                needed: 6,
                available: 4,
                ..
            })
        ));
    }
}
