//! BER-TLV tags (EMV Book 3 Annex B1): one to four bytes, held in a `u32`.
//!
//! A [`Tag`] is the tag's bytes read as a big-endian number: `9F02` is `Tag::new(0x9F02)`,
//! `BF0C` is `Tag::new(0xBF0C)`, `DF8101` is `Tag::new(0xDF8101)`. Because the first byte of a
//! tag is never `00`, the number identifies the byte string uniquely.

use core::fmt;

use crate::Error;

/// The longest tag this crate accepts, in bytes (EMV uses at most three; kernels' `DF81xx`).
pub const MAX_TAG_LEN: usize = 4;

/// Class of a tag: bits b8–b7 of its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `00`: universal (ISO 8825 types).
    Universal,
    /// `01`: application (EMV's `4F`, `5A`, `61`, `6F`, `70`, `77`, …).
    Application,
    /// `10`: context-specific (`82`, `8C`, `95`, `9F02`, `A5`, `BF0C`, …).
    ContextSpecific,
    /// `11`: private (`DF69`, `DF8101`, real `FFxx` tags).
    Private,
}

/// A BER-TLV tag of one to four bytes.
///
/// ```
/// use mpay_emv_tlv::Tag;
/// let t = Tag::new(0x9F02);
/// assert_eq!(t.len(), 2);
/// assert_eq!(&*t.to_bytes(), &[0x9F, 0x02]);
/// assert!(!t.is_constructed());
/// assert!(Tag::new(0xBF0C).is_constructed());
/// assert_eq!(t.to_string(), "9F02");
/// assert_eq!(Tag::parse_hex("df8101").unwrap(), Tag::new(0xDF8101));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

/// The bytes of a tag, as returned by [`Tag::to_bytes`]: derefs to `&[u8]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TagBytes {
    buf: [u8; MAX_TAG_LEN],
    len: u8,
}

impl core::ops::Deref for TagBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

impl fmt::Debug for TagBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// How many bytes a valid tag number occupies, or `None` if `v` is not a well-formed tag.
const fn valid_len(v: u32) -> Option<usize> {
    let len = if v == 0 {
        return None;
    } else if v <= 0xFF {
        1
    } else if v <= 0xFFFF {
        2
    } else if v <= 0xFF_FFFF {
        3
    } else {
        4
    };
    let b = v.to_be_bytes();
    let first = b[4 - len];
    let multi = first & 0x1F == 0x1F;
    if len == 1 {
        return if multi { None } else { Some(1) };
    }
    if !multi {
        return None;
    }
    // Subsequent bytes: all but the last have b8 set; the last has it clear.
    let mut i = 4 - len + 1;
    while i < 4 {
        let more = b[i] & 0x80 != 0;
        if more != (i < 3) {
            return None;
        }
        i += 1;
    }
    Some(len)
}

impl Tag {
    /// The tag whose bytes, read big-endian, are `v` (`0x9F02`, `0xBF0C`, `0xDF8101`).
    ///
    /// # Panics
    /// If `v` is not a well-formed tag (then in a `const` it fails to compile). Use
    /// [`Tag::try_new`] for values that come from outside.
    pub const fn new(v: u32) -> Tag {
        match Tag::try_new(v) {
            Some(t) => t,
            None => panic!("not a well-formed BER-TLV tag"),
        }
    }

    /// The tag whose bytes, read big-endian, are `v`, or `None` if `v` is not well formed: `0`,
    /// a one-byte tag whose low five bits are `11111`, or a multi-byte tag whose continuation
    /// bits (b8 of each subsequent byte) are not set on exactly all bytes but the last.
    pub const fn try_new(v: u32) -> Option<Tag> {
        match valid_len(v) {
            Some(_) => Some(Tag(v)),
            None => None,
        }
    }

    /// The tag at the start of `bytes` and its length in bytes.
    ///
    /// Errors: [`Error::TruncatedTag`] when the tag runs off the end, [`Error::TagTooLong`]
    /// beyond four bytes.
    pub fn from_prefix(bytes: &[u8]) -> Result<(Tag, usize), Error> {
        crate::parse::read_tag(bytes, 0)
    }

    /// The tag made of exactly these bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tag, Error> {
        let (t, n) = Tag::from_prefix(bytes)?;
        if n != bytes.len() {
            return Err(Error::TrailingBytes { offset: n });
        }
        Ok(t)
    }

    /// Parses a tag written in hex (`"9F02"`, `"bf0c"`).
    pub fn parse_hex(s: &str) -> Result<Tag, Error> {
        let s = s.as_bytes();
        if s.is_empty() || !s.len().is_multiple_of(2) || s.len() > 2 * MAX_TAG_LEN {
            return Err(Error::InvalidHex { offset: 0 });
        }
        let mut buf = [0u8; MAX_TAG_LEN];
        for (i, pair) in s.chunks(2).enumerate() {
            let hi = hex_val(pair[0]).ok_or(Error::InvalidHex { offset: 2 * i })?;
            let lo = hex_val(pair[1]).ok_or(Error::InvalidHex { offset: 2 * i + 1 })?;
            buf[i] = hi << 4 | lo;
        }
        Tag::from_bytes(&buf[..s.len() / 2])
    }

    /// Builds a tag from bytes already known to form one tag (used by the parser).
    pub(crate) const fn from_raw(v: u32) -> Tag {
        Tag(v)
    }

    /// The tag's bytes read as a big-endian number (`0x9F02`).
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Length of the tag in bytes (1 to 4).
    #[allow(clippy::len_without_is_empty)]
    pub const fn len(self) -> usize {
        if self.0 <= 0xFF {
            1
        } else if self.0 <= 0xFFFF {
            2
        } else if self.0 <= 0xFF_FFFF {
            3
        } else {
            4
        }
    }

    /// The tag's bytes.
    pub const fn to_bytes(self) -> TagBytes {
        let all = self.0.to_be_bytes();
        let len = self.len();
        let mut buf = [0u8; MAX_TAG_LEN];
        let mut i = 0;
        while i < len {
            buf[i] = all[4 - len + i];
            i += 1;
        }
        TagBytes {
            buf,
            len: len as u8,
        }
    }

    /// The tag's bytes (same as [`Tag::to_bytes`], as a slice-like value).
    pub fn as_bytes(self) -> TagBytes {
        self.to_bytes()
    }

    /// The first byte of the tag.
    pub const fn first_byte(self) -> u8 {
        (self.0 >> (8 * (self.len() as u32 - 1))) as u8
    }

    /// Whether the tag is constructed (b6 of the first byte): its value is a sequence of TLVs.
    pub const fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    /// The tag's class (b8–b7 of the first byte).
    pub const fn class(self) -> Class {
        match self.first_byte() >> 6 {
            0 => Class::Universal,
            1 => Class::Application,
            2 => Class::ContextSpecific,
            _ => Class::Private,
        }
    }
}

pub(crate) const fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Tag {
    /// Uppercase hex of the tag's bytes (`9F02`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.to_bytes().iter() {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl TryFrom<u32> for Tag {
    type Error = Error;
    fn try_from(v: u32) -> Result<Tag, Error> {
        Tag::try_new(v).ok_or(Error::InvalidTag { value: v })
    }
}

impl From<Tag> for u32 {
    fn from(t: Tag) -> u32 {
        t.0
    }
}

impl core::str::FromStr for Tag {
    type Err = Error;
    fn from_str(s: &str) -> Result<Tag, Error> {
        Tag::parse_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    #[test]
    fn validity() {
        for ok in [
            0x4F, 0x5A, 0x9F02, 0xBF0C, 0xDF8101, 0x5F2A, 0xFF0D, 0x9F8101, 0xDF818101,
        ] {
            assert!(Tag::try_new(ok).is_some(), "{ok:X}");
        }
        for bad in [0, 0x1F, 0x9F, 0x9F82, 0x4F02, 0x9F8102_u32 << 8, 0xDF81] {
            assert!(Tag::try_new(bad).is_none(), "{bad:X}");
        }
    }

    #[test]
    fn bytes_and_classes() {
        assert_eq!(&*Tag::new(0xDF8101).to_bytes(), &[0xDF, 0x81, 0x01]);
        assert_eq!(Tag::new(0x70).class(), Class::Application);
        assert_eq!(Tag::new(0xBF0C).class(), Class::ContextSpecific);
        assert_eq!(Tag::new(0xDF69).class(), Class::Private);
        assert_eq!(Tag::new(0x9F02).class(), Class::ContextSpecific);
        assert_eq!(Tag::new(0x1).class(), Class::Universal);
        assert!(Tag::new(0x61).is_constructed());
        assert_eq!(Tag::parse_hex("9f"), Err(Error::TruncatedTag { offset: 0 }));
        assert!(Tag::parse_hex("9G02").is_err());
        assert_eq!("5F2A".parse::<Tag>().unwrap(), Tag::new(0x5F2A));
    }
}
