//! Building BER-TLV: into a `&mut [u8]` ([`SliceWriter`], no allocation) or a `Vec<u8>`
//! (with the `alloc` feature), always with minimal length encoding.
//!
//! Both implement [`TlvWrite`], so code that builds TLV can target either:
//!
//! ```
//! use mpay_emv_tlv::{SliceWriter, Tag, TlvWrite};
//! let mut buf = [0u8; 32];
//! let mut w = SliceWriter::new(&mut buf);
//! w.constructed(Tag::new(0x70), |w| {
//!     w.primitive(Tag::new(0x5F24), &[0x25, 0x12, 0x31])?;
//!     w.primitive(Tag::new(0x9F07), &[0xFF, 0x00])
//! })
//! .unwrap();
//! assert_eq!(w.written(), [0x70, 0x0B, 0x5F, 0x24, 0x03, 0x25, 0x12, 0x31, 0x9F, 0x07, 0x02, 0xFF, 0x00]);
//! ```

use crate::{Error, Tag, Tlv};

/// The largest value length this crate encodes (`83 FF FF FF`, EMV's three-byte limit).
pub const MAX_VALUE_LEN: usize = 0xFF_FFFF;

/// The minimal BER length field for `len`, as (bytes, count).
///
/// ```
/// use mpay_emv_tlv::build::encode_length;
/// let (b, n) = encode_length(200).unwrap();
/// assert_eq!(&b[..n], &[0x81, 200]);
/// ```
pub fn encode_length(len: usize) -> Option<([u8; 4], usize)> {
    let mut b = [0u8; 4];
    let n = if len < 0x80 {
        b[0] = len as u8;
        1
    } else if len <= 0xFF {
        b[0] = 0x81;
        b[1] = len as u8;
        2
    } else if len <= 0xFFFF {
        b[0] = 0x82;
        b[1..3].copy_from_slice(&(len as u16).to_be_bytes());
        3
    } else if len <= MAX_VALUE_LEN {
        b[0] = 0x83;
        b[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
        4
    } else {
        return None;
    };
    Some((b, n))
}

/// Bytes a minimal length field for `len` takes (1 to 4).
pub const fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xFF {
        2
    } else if len <= 0xFFFF {
        3
    } else {
        4
    }
}

/// Bytes the object `tag` with a value of `value_len` bytes takes when encoded.
pub const fn encoded_len(tag: Tag, value_len: usize) -> usize {
    tag.len() + length_len(value_len) + value_len
}

/// Somewhere TLV can be written. Implemented by [`SliceWriter`] and (with `alloc`) `Vec<u8>`.
///
/// The required methods are the byte sink; the provided ones encode objects.
pub trait TlvWrite {
    /// Bytes written so far.
    fn position(&self) -> usize;
    /// Appends bytes. After an error the writer's content is unspecified.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Inserts `n` bytes at `at` (shifting what follows), filled with `fill`.
    fn insert(&mut self, at: usize, fill: &[u8]) -> Result<(), Error>;
    /// Overwrites one byte already written.
    fn set(&mut self, at: usize, byte: u8);

    /// Writes a primitive (or any pre-encoded-value) object: tag, minimal length, value.
    fn primitive(&mut self, tag: Tag, value: &[u8]) -> Result<(), Error> {
        let (lb, ln) = encode_length(value.len()).ok_or(Error::ValueTooLong {
            tag,
            len: value.len(),
        })?;
        self.put(&tag.to_bytes())?;
        self.put(&lb[..ln])?;
        self.put(value)
    }

    /// Writes a constructed object whose content `content` writes; the length is filled in
    /// afterwards, minimally.
    fn constructed<F>(&mut self, tag: Tag, content: F) -> Result<(), Error>
    where
        F: FnOnce(&mut Self) -> Result<(), Error>,
    {
        self.put(&tag.to_bytes())?;
        let at = self.position();
        self.put(&[0])?;
        content(self)?;
        let len = self.position() - at - 1;
        let (lb, ln) = encode_length(len).ok_or(Error::ValueTooLong { tag, len })?;
        if ln > 1 {
            self.insert(at + 1, &lb[1..ln])?;
        }
        self.set(at, lb[0]);
        Ok(())
    }

    /// Copies an already parsed object exactly as it was encoded.
    fn tlv(&mut self, tlv: &Tlv<'_>) -> Result<(), Error> {
        self.put(tlv.raw())
    }
}

/// A [`TlvWrite`] into a caller's buffer. Allocates nothing.
#[derive(Debug)]
pub struct SliceWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> SliceWriter<'a> {
    /// Writes from the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> SliceWriter<'a> {
        SliceWriter { buf, pos: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.pos]
    }

    /// Ends writing; returns the bytes written, borrowed for the buffer's lifetime.
    pub fn finish(self) -> &'a [u8] {
        &self.buf[..self.pos]
    }
}

impl TlvWrite for SliceWriter<'_> {
    fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.pos + bytes.len();
        let available = self.buf.len();
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall {
                needed: end,
                available,
            })?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn insert(&mut self, at: usize, fill: &[u8]) -> Result<(), Error> {
        let n = fill.len();
        let end = self.pos + n;
        if end > self.buf.len() {
            return Err(Error::BufferTooSmall {
                needed: end,
                available: self.buf.len(),
            });
        }
        self.buf.copy_within(at..self.pos, at + n);
        self.buf[at..at + n].copy_from_slice(fill);
        self.pos = end;
        Ok(())
    }

    fn set(&mut self, at: usize, byte: u8) {
        if let Some(b) = self.buf.get_mut(at) {
            *b = byte;
        }
    }
}

#[cfg(feature = "alloc")]
impl TlvWrite for alloc::vec::Vec<u8> {
    fn position(&self) -> usize {
        self.len()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn insert(&mut self, at: usize, fill: &[u8]) -> Result<(), Error> {
        self.splice(at..at, fill.iter().copied());
        Ok(())
    }

    fn set(&mut self, at: usize, byte: u8) {
        if let Some(b) = self.get_mut(at) {
            *b = byte;
        }
    }
}

/// Encodes one primitive object into a new `Vec`.
///
/// ```
/// use mpay_emv_tlv::{Tag, build::to_vec};
/// assert_eq!(to_vec(Tag::new(0x9A), &[0x25, 0x01, 0x31]).unwrap(), [0x9A, 0x03, 0x25, 0x01, 0x31]);
/// ```
#[cfg(feature = "alloc")]
pub fn to_vec(tag: Tag, value: &[u8]) -> Result<alloc::vec::Vec<u8>, Error> {
    let mut v = alloc::vec::Vec::with_capacity(encoded_len(tag, value.len()));
    v.primitive(tag, value)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    #[test]
    fn long_constructed_in_slice() {
        let mut buf = [0u8; 300];
        let mut w = SliceWriter::new(&mut buf);
        w.constructed(Tag::new(0x70), |w| {
            w.primitive(Tag::new(0x5A), &[0x11; 200])
        })
        .unwrap();
        let out = w.finish();
        assert_eq!(&out[..6], &[0x70, 0x81, 0xCB, 0x5A, 0x81, 0xC8]);
        assert_eq!(out.len(), 3 + 3 + 200);
        let t = Tlv::parse_one(out).unwrap();
        assert_eq!(t.value().len(), 203);
    }

    #[test]
    fn buffer_too_small() {
        let mut buf = [0u8; 4];
        let mut w = SliceWriter::new(&mut buf);
        assert_eq!(
            w.primitive(Tag::new(0x9F02), &[0; 6]),
            Err(Error::BufferTooSmall {
                needed: 9,
                available: 4
            })
        );
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn vec_and_slice_agree() {
        let mut v = alloc::vec::Vec::new();
        let mut buf = [0u8; 1024];
        let mut s = SliceWriter::new(&mut buf);
        fn build<W: TlvWrite>(w: &mut W) -> Result<(), Error> {
            w.constructed(Tag::new(0x6F), |w| {
                w.primitive(Tag::new(0x84), b"2PAY.SYS.DDF01")?;
                w.constructed(Tag::new(0xA5), |w| {
                    w.constructed(Tag::new(0xBF0C), |w| {
                        w.primitive(Tag::new(0x4F), &[0xA0; 300])
                    })
                })
            })
        }
        build(&mut v).unwrap();
        build(&mut s).unwrap();
        assert_eq!(v.as_slice(), s.written());
        assert_eq!(&v[..4], &[0x6F, 0x82, 0x01, 0x49]);
    }

    #[test]
    fn lengths() {
        assert_eq!(encode_length(0x7F).unwrap().1, 1);
        assert_eq!(encode_length(0x80).unwrap().0[..2], [0x81, 0x80]);
        assert_eq!(encode_length(0x100).unwrap().0[..3], [0x82, 0x01, 0x00]);
        assert_eq!(encode_length(0x10000).unwrap().0, [0x83, 0x01, 0x00, 0x00]);
        assert!(encode_length(0x100_0000).is_none());
    }
}
