//! Bitmaps: primary (fields 1–64), secondary (65–128) and tertiary (129–192), written in binary
//! (8 bytes each) or as 16 hex characters (ASCII or EBCDIC). Bit 1 announces the secondary
//! bitmap; with a tertiary bitmap, bit 65 announces it.

use crate::error::{Error, Loc, Result};

/// How a bitmap is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum BitmapEncoding {
    /// 8 raw bytes per bitmap.
    Binary,
    /// 16 uppercase hex ASCII characters per bitmap (lowercase accepted on input).
    HexAscii,
    /// 16 hex characters in EBCDIC (`F0`–`F9`, `C1`–`C6`).
    HexEbcdic,
}

impl BitmapEncoding {
    /// Bytes one 64-bit bitmap takes on the wire.
    pub const fn width(self) -> usize {
        match self {
            BitmapEncoding::Binary => 8,
            _ => 16,
        }
    }

    /// Reads one 64-bit bitmap at `pos`.
    pub fn read(self, buf: &[u8], pos: usize, loc: Loc) -> Result<u64> {
        let w = self.width();
        let avail = buf.len().saturating_sub(pos);
        if avail < w {
            return Err(Error::Truncated {
                loc,
                offset: pos,
                needed: w,
                available: avail,
            });
        }
        let b = &buf[pos..pos + w];
        match self {
            BitmapEncoding::Binary => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Ok(u64::from_be_bytes(a))
            }
            _ => {
                let mut v = 0u64;
                for (i, &c) in b.iter().enumerate() {
                    let d = if self == BitmapEncoding::HexAscii {
                        match c {
                            b'0'..=b'9' => Some(c - b'0'),
                            b'A'..=b'F' => Some(c - b'A' + 10),
                            b'a'..=b'f' => Some(c - b'a' + 10),
                            _ => None,
                        }
                    } else {
                        match c {
                            0xF0..=0xF9 => Some(c - 0xF0),
                            0xC1..=0xC6 => Some(c - 0xC1 + 10),
                            0x81..=0x86 => Some(c - 0x81 + 10),
                            _ => None,
                        }
                    };
                    let Some(d) = d else {
                        return Err(Error::BadByte {
                            loc,
                            offset: pos + i,
                            expected: "a hex digit",
                            found: c,
                        });
                    };
                    v = (v << 4) | u64::from(d);
                }
                Ok(v)
            }
        }
    }

    /// Appends one 64-bit bitmap.
    pub fn write(self, v: u64, out: &mut alloc::vec::Vec<u8>) {
        match self {
            BitmapEncoding::Binary => out.extend_from_slice(&v.to_be_bytes()),
            BitmapEncoding::HexAscii => {
                for i in (0..16).rev() {
                    out.push(b"0123456789ABCDEF"[((v >> (4 * i)) & 0xF) as usize]);
                }
            }
            BitmapEncoding::HexEbcdic => {
                for i in (0..16).rev() {
                    let d = ((v >> (4 * i)) & 0xF) as u8;
                    out.push(if d < 10 { 0xF0 + d } else { 0xC1 + d - 10 });
                }
            }
        }
    }
}

/// The set of fields present in a message (1..=192).
///
/// ```
/// use mpay_iso8583::bitmap::Bitmap;
/// let mut b = Bitmap::new();
/// b.set(2);
/// b.set(70);
/// assert!(b.is_set(70));
/// assert_eq!(b.iter().collect::<Vec<_>>(), [2, 70]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bitmap(pub [u64; 3]);

impl Bitmap {
    /// An empty bitmap.
    pub const fn new() -> Self {
        Bitmap([0; 3])
    }

    /// Marks field `n` (1..=192) present; other numbers are ignored.
    #[inline]
    pub fn set(&mut self, n: u16) {
        if (1..=192).contains(&n) {
            let i = (n - 1) as usize;
            self.0[i / 64] |= 1u64 << (63 - i % 64);
        }
    }

    /// Marks field `n` absent.
    #[inline]
    pub fn clear(&mut self, n: u16) {
        if (1..=192).contains(&n) {
            let i = (n - 1) as usize;
            self.0[i / 64] &= !(1u64 << (63 - i % 64));
        }
    }

    /// Whether field `n` is present.
    #[inline]
    pub fn is_set(&self, n: u16) -> bool {
        if !(1..=192).contains(&n) {
            return false;
        }
        let i = (n - 1) as usize;
        self.0[i / 64] & (1u64 << (63 - i % 64)) != 0
    }

    /// The present field numbers, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            core::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let lz = bits.leading_zeros();
                bits &= !(1u64 << (63 - lz));
                Some((w as u16) * 64 + lz as u16 + 1)
            })
        })
    }

    /// True when no field is present.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_ebcdic() {
        let v = 0x7234_0541_28C2_8805u64;
        for enc in [
            BitmapEncoding::Binary,
            BitmapEncoding::HexAscii,
            BitmapEncoding::HexEbcdic,
        ] {
            let mut out = alloc::vec::Vec::new();
            enc.write(v, &mut out);
            assert_eq!(out.len(), enc.width());
            assert_eq!(enc.read(&out, 0, Loc::Bitmap(1)).unwrap(), v);
        }
        let mut out = alloc::vec::Vec::new();
        BitmapEncoding::HexAscii.write(v, &mut out);
        assert_eq!(out, b"7234054128C28805");
        assert!(matches!(
            BitmapEncoding::HexAscii.read(b"7234054128C2880G", 0, Loc::Bitmap(1)),
            Err(Error::BadByte { offset: 15, .. })
        ));
    }

    #[test]
    fn iter_all_words() {
        let mut b = Bitmap::new();
        for n in [1, 64, 65, 128, 129, 192] {
            b.set(n);
        }
        assert_eq!(
            b.iter().collect::<alloc::vec::Vec<_>>(),
            [1, 64, 65, 128, 129, 192]
        );
        b.clear(64);
        assert!(!b.is_set(64));
    }
}
