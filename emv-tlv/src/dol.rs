//! Data Object Lists (EMV Book 3 §5.4): PDOL `9F38`, CDOL1/2 `8C`/`8D`, DDOL `9F49`, TDOL `97`.
//!
//! A DOL is a list of (tag, length) entries. The terminal [builds](Dol::build) the data for it
//! from the values it holds, following §5.4 exactly:
//! - a tag that is missing, or constructed, gives `length` zero bytes;
//! - a value longer than requested: format **n** keeps the rightmost bytes, every other format
//!   the leftmost;
//! - a value shorter than requested: **n** is padded on the left with `00`, **cn** on the right
//!   with `FF`, every other format on the right with `00`.
//!
//! The format comes from the [dictionary](mod@crate::dictionary) (unknown tags count as `b`) or from
//! a caller's function ([`Dol::build_with`]). Building allocates nothing. The card side
//! [splits](Dol::split) received data back into (tag, value) pairs. Duplicate entries are
//! handled like any other: each gets its own bytes.
//!
//! ```
//! use mpay_emv_tlv::{Dol, Tag};
//! // PDOL: TTQ(4) amount(6) country(2) UN(4)
//! let pdol = Dol::parse(&[0x9F, 0x66, 0x04, 0x9F, 0x02, 0x06, 0x9F, 0x1A, 0x02, 0x9F, 0x37, 0x04]).unwrap();
//! let have: [(Tag, &[u8]); 3] = [
//!     (Tag::new(0x9F66), &[0x36, 0x00, 0x40, 0x00]),
//!     (Tag::new(0x9F02), &[0x00, 0x00, 0x10, 0x00]), // n: padded on the left
//!     (Tag::new(0x9F1A), &[0x01, 0x56]),
//! ]; // 9F37 missing: zeros
//! let mut out = [0u8; 32];
//! let n = pdol.build(&have, &mut out).unwrap();
//! assert_eq!(&out[..n], &[0x36, 0x00, 0x40, 0x00, 0, 0, 0, 0, 0x10, 0x00, 0x01, 0x56, 0, 0, 0, 0]);
//! let back: Vec<(Tag, &[u8])> = pdol.split(&out[..n]).unwrap().collect();
//! assert_eq!(back[2], (Tag::new(0x9F1A), &[0x01, 0x56][..]));
//! ```

use crate::dictionary::{self, Format};
use crate::parse::{read_len, read_tag};
use crate::{Error, Tag};

/// Where DOL building finds values: the terminal's (or card's) data by tag.
pub trait TagSource {
    /// The value of `tag`, if held.
    fn value_of(&self, tag: Tag) -> Option<&[u8]>;
}

impl TagSource for [(Tag, &[u8])] {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        self.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v)
    }
}

impl<const N: usize> TagSource for [(Tag, &[u8]); N] {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        self.as_slice().value_of(tag)
    }
}

impl<T: TagSource + ?Sized> TagSource for &T {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        (**self).value_of(tag)
    }
}

/// Encoded TLV used as a tag source: the first object with the tag, at any depth, found with the
/// default options (a parse error ends the search). Allocates nothing.
///
/// ```
/// use mpay_emv_tlv::{dol::{Encoded, TagSource}, Tag};
/// let src = Encoded(&[0x77, 0x04, 0x9F, 0x36, 0x01, 0x07]);
/// assert_eq!(src.value_of(Tag::new(0x9F36)), Some(&[7u8][..]));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Encoded<'a>(pub &'a [u8]);

impl TagSource for Encoded<'_> {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        crate::walk(self.0)
            .find(tag)
            .ok()
            .flatten()
            .map(|t| t.value())
    }
}

#[cfg(feature = "alloc")]
impl TagSource for crate::Tree<'_> {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        crate::Tree::value_of(self, tag)
    }
}

#[cfg(feature = "alloc")]
impl TagSource for [(Tag, alloc::vec::Vec<u8>)] {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        self.iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(feature = "alloc")]
impl TagSource for alloc::vec::Vec<(Tag, alloc::vec::Vec<u8>)> {
    fn value_of(&self, tag: Tag) -> Option<&[u8]> {
        self.as_slice().value_of(tag)
    }
}

/// One DOL entry: a tag and the number of bytes requested for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DolEntry {
    /// The tag.
    pub tag: Tag,
    /// Requested length in bytes.
    pub len: usize,
}

/// A parsed (validated) DOL, borrowed from its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dol<'a> {
    raw: &'a [u8],
    entries: usize,
    data_len: usize,
}

fn read_entry(b: &[u8], base: usize) -> Result<(DolEntry, usize), Error> {
    let (tag, tl) = read_tag(b, base)?;
    let (len, ll) = read_len(&b[tl..], base + tl, tag, false)?;
    if ll > 2 {
        // DOL lengths are one byte (at most `81 xx`): bounds the data any DOL can ask for.
        return Err(Error::LengthTooLong {
            offset: base + tl,
            tag,
            bytes: (ll - 1) as u8,
        });
    }
    Ok((DolEntry { tag, len }, tl + ll))
}

impl<'a> Dol<'a> {
    /// Parses and validates a DOL (the value of `9F38`, `8C`, …). Lengths are one byte (short
    /// form or `81 xx`); an empty DOL is valid.
    pub fn parse(raw: &'a [u8]) -> Result<Dol<'a>, Error> {
        let mut pos = 0;
        let mut entries = 0;
        let mut data_len = 0usize;
        while pos < raw.len() {
            let (e, n) = read_entry(&raw[pos..], pos)?;
            pos += n;
            entries += 1;
            data_len += e.len;
        }
        Ok(Dol {
            raw,
            entries,
            data_len,
        })
    }

    /// The DOL's encoding.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether the DOL has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Total length of the data this DOL asks for (sum of the entries' lengths).
    pub fn data_len(&self) -> usize {
        self.data_len
    }

    /// The entries, in order (duplicates kept).
    pub fn entries(&self) -> DolEntries<'a> {
        DolEntries {
            rest: self.raw,
            offset: 0,
        }
    }

    /// Builds the DOL data into `out` from `source`, formats from the dictionary. Returns the
    /// number of bytes written ([`Dol::data_len`]). Allocates nothing.
    pub fn build<S: TagSource + ?Sized>(&self, source: &S, out: &mut [u8]) -> Result<usize, Error> {
        self.build_with(source, dictionary::format_of, out)
    }

    /// Like [`Dol::build`], the format of each tag given by `format_of`.
    pub fn build_with<S, F>(&self, source: &S, format_of: F, out: &mut [u8]) -> Result<usize, Error>
    where
        S: TagSource + ?Sized,
        F: Fn(Tag) -> Format,
    {
        let total = self.data_len;
        let Some(out) = out.get_mut(..total) else {
            return Err(Error::BufferTooSmall {
                needed: total,
                available: out.len(),
            });
        };
        let mut pos = 0;
        for e in self.entries() {
            let dst = &mut out[pos..pos + e.len];
            pos += e.len;
            fill(dst, e.tag, source, &format_of);
        }
        Ok(total)
    }

    /// [`Dol::build`] into a new `Vec` of [`Dol::data_len`] bytes.
    #[cfg(feature = "alloc")]
    pub fn build_vec<S: TagSource + ?Sized>(
        &self,
        source: &S,
    ) -> Result<alloc::vec::Vec<u8>, Error> {
        let mut v = alloc::vec![0u8; self.data_len];
        self.build(source, &mut v)?;
        Ok(v)
    }

    /// Card side: splits received DOL data into `(tag, value)` pairs, in DOL order. The data
    /// must be exactly [`Dol::data_len`] bytes ([`Error::DolDataLength`] otherwise).
    pub fn split<'d>(&self, data: &'d [u8]) -> Result<DolSplit<'a, 'd>, Error> {
        if data.len() != self.data_len {
            return Err(Error::DolDataLength {
                expected: self.data_len,
                available: data.len(),
            });
        }
        Ok(DolSplit {
            entries: self.entries(),
            data,
        })
    }
}

/// Fills one DOL entry's bytes per Book 3 §5.4.
#[inline]
fn fill<S, F>(dst: &mut [u8], tag: Tag, source: &S, format_of: &F)
where
    S: TagSource + ?Sized,
    F: Fn(Tag) -> Format,
{
    let value = if tag.is_constructed() {
        None
    } else {
        source.value_of(tag)
    };
    let Some(v) = value else {
        dst.fill(0);
        return;
    };
    let want = dst.len();
    if v.len() == want {
        dst.copy_from_slice(v);
        return;
    }
    // Only a length mismatch needs the format.
    let format = format_of(tag);
    if v.len() > want {
        if format == Format::N {
            dst.copy_from_slice(&v[v.len() - want..]);
        } else {
            dst.copy_from_slice(&v[..want]);
        }
        return;
    }
    let pad = want - v.len();
    match format {
        Format::N => {
            dst[..pad].fill(0);
            dst[pad..].copy_from_slice(v);
        }
        Format::Cn => {
            dst[..v.len()].copy_from_slice(v);
            dst[v.len()..].fill(0xFF);
        }
        _ => {
            dst[..v.len()].copy_from_slice(v);
            dst[v.len()..].fill(0);
        }
    }
}

/// Iterator over a [`Dol`]'s entries.
#[derive(Debug, Clone)]
pub struct DolEntries<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl Iterator for DolEntries<'_> {
    type Item = DolEntry;
    fn next(&mut self) -> Option<DolEntry> {
        if self.rest.is_empty() {
            return None;
        }
        // The DOL was validated in `Dol::parse`; an error cannot occur, but end cleanly if it did.
        let (e, n) = read_entry(self.rest, self.offset).ok()?;
        self.rest = &self.rest[n..];
        self.offset += n;
        Some(e)
    }
}

/// Iterator over `(tag, value)` pairs of split DOL data.
#[derive(Debug, Clone)]
pub struct DolSplit<'a, 'd> {
    entries: DolEntries<'a>,
    data: &'d [u8],
}

impl<'d> Iterator for DolSplit<'_, 'd> {
    type Item = (Tag, &'d [u8]);
    fn next(&mut self) -> Option<(Tag, &'d [u8])> {
        let e = self.entries.next()?;
        let (v, rest) = self.data.split_at_checked(e.len)?;
        self.data = rest;
        Some((e.tag, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    fn build(dol: &[u8], src: &[(Tag, &[u8])]) -> Vec<u8> {
        let d = Dol::parse(dol).unwrap();
        let mut out = vec![0u8; d.data_len()];
        assert_eq!(d.build(src, &mut out).unwrap(), d.data_len());
        out
    }

    #[test]
    fn section_5_4_rules() {
        let src: [(Tag, &[u8]); 5] = [
            (Tag::new(0x9F02), &[0x00, 0x00, 0x00, 0x01, 0x23, 0x45]), // n 12
            (
                Tag::new(0x5A),
                &[0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19],
            ), // cn
            (Tag::new(0x9F37), &[0xDE, 0xAD, 0xBE, 0xEF]),             // b
            (Tag::new(0x9F16), b"MERCHANT12345"),                      // ans 15
            (Tag::new(0x70), &[0x5A, 0x00]),                           // constructed
        ];
        // n shorter: rightmost bytes.
        assert_eq!(build(&[0x9F, 0x02, 0x04], &src), [0x00, 0x01, 0x23, 0x45]);
        // n longer: 00 on the left.
        assert_eq!(
            build(&[0x9F, 0x02, 0x08], &src),
            [0, 0, 0, 0, 0, 0x01, 0x23, 0x45]
        );
        // cn longer: FF on the right; shorter: leftmost.
        assert_eq!(
            build(&[0x5A, 0x0A], &src),
            [0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19, 0xFF, 0xFF]
        );
        assert_eq!(build(&[0x5A, 0x03], &src), [0x47, 0x61, 0x73]);
        // b: leftmost / 00 right.
        assert_eq!(build(&[0x9F, 0x37, 0x02], &src), [0xDE, 0xAD]);
        assert_eq!(
            build(&[0x9F, 0x37, 0x05], &src),
            [0xDE, 0xAD, 0xBE, 0xEF, 0]
        );
        // an/ans: leftmost / 00 right.
        assert_eq!(build(&[0x9F, 0x16, 0x04], &src), *b"MERC");
        assert_eq!(build(&[0x9F, 0x16, 0x0F], &src), *b"MERCHANT12345\0\0");
        // Missing and constructed: zeros.
        assert_eq!(build(&[0x9F, 0x1A, 0x02, 0x70, 0x02], &src), [0, 0, 0, 0]);
        // Duplicates: each entry filled (python-emv#22: 9A twice).
        assert_eq!(
            build(&[0x9F, 0x37, 0x02, 0x9F, 0x37, 0x04], &src),
            [0xDE, 0xAD, 0xDE, 0xAD, 0xBE, 0xEF]
        );
    }

    #[test]
    fn split_and_errors() {
        let d = Dol::parse(&[0x9A, 0x03, 0x9A, 0x03, 0x9C, 0x01]).unwrap();
        assert_eq!(d.len(), 3);
        let data = [0x25, 0x01, 0x01, 0x25, 0x01, 0x02, 0x00];
        let v: Vec<_> = d.split(&data).unwrap().collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[1], (Tag::new(0x9A), &[0x25, 0x01, 0x02][..]));
        assert_eq!(
            d.split(&data[..6]).unwrap_err(),
            Error::DolDataLength {
                expected: 7,
                available: 6
            }
        );
        assert_eq!(
            Dol::parse(&[0x9F, 0x02]),
            Err(Error::TruncatedLength {
                offset: 2,
                tag: Tag::new(0x9F02)
            })
        );
        assert!(matches!(
            Dol::parse(&[0x9F, 0x02, 0x82, 0x01, 0x00]),
            Err(Error::LengthTooLong { .. })
        ));
        let mut small = [0u8; 3];
        assert_eq!(
            d.build(&[][..] as &[(Tag, &[u8])], &mut small),
            Err(Error::BufferTooSmall {
                needed: 7,
                available: 3
            })
        );
        assert!(Dol::parse(&[]).unwrap().is_empty());
    }
}
