//! Framing: the length header in front of each message on a stream (jPOS channels). The TPDU
//! and any network header belong to the message (`Spec::header_len`), not to the frame.
//!
//! [`Framing`] works on byte slices (no_std); with the `tokio` feature, [`codec::FrameCodec`] is a
//! tokio-util `Decoder`/`Encoder` over it.

use alloc::vec::Vec;

use crate::error::{Error, Loc, Result};

/// How a frame's length is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LengthHeader {
    /// 2 bytes big-endian binary (jPOS `NACChannel`, UnionPay POS).
    Binary2,
    /// 2 bytes of BCD, at most 9999 (jPOS `NCCChannel`).
    Bcd2,
    /// 4 ASCII digits (jPOS `ASCIIChannel`).
    Ascii4,
    /// 4 bytes big-endian binary (jPOS `RawChannel`).
    Binary4,
}

impl LengthHeader {
    /// Bytes of the length header.
    pub const fn width(self) -> usize {
        match self {
            LengthHeader::Binary2 | LengthHeader::Bcd2 => 2,
            LengthHeader::Ascii4 | LengthHeader::Binary4 => 4,
        }
    }

    /// Largest length the header can carry.
    pub const fn max(self) -> usize {
        match self {
            LengthHeader::Binary2 => 0xFFFF,
            LengthHeader::Bcd2 | LengthHeader::Ascii4 => 9999,
            LengthHeader::Binary4 => u32::MAX as usize,
        }
    }
}

/// A framing: length header and the largest frame accepted.
///
/// ```
/// use mpay_iso8583::frame::{Framing, LengthHeader};
/// let f = Framing::new(LengthHeader::Bcd2, 4096);
/// let mut out = Vec::new();
/// f.encode(b"0800", &mut out).unwrap();
/// assert_eq!(out, b"\x00\x040800");
/// assert_eq!(f.decode(&out).unwrap(), Some((&b"0800"[..], 6)));
/// assert_eq!(f.decode(&out[..3]).unwrap(), None); // need more bytes
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Framing {
    /// The length header.
    pub length: LengthHeader,
    /// Largest message (without the length header) accepted or sent.
    pub max_frame: usize,
}

impl Framing {
    /// A framing.
    pub const fn new(length: LengthHeader, max_frame: usize) -> Framing {
        Framing { length, max_frame }
    }

    /// Reads the length header at the start of `buf`: `Ok(None)` if more bytes are needed.
    pub fn frame_len(&self, buf: &[u8]) -> Result<Option<usize>> {
        let w = self.length.width();
        if buf.len() < w {
            return Ok(None);
        }
        let h = &buf[..w];
        let n = match self.length {
            LengthHeader::Binary2 => usize::from(u16::from_be_bytes([h[0], h[1]])),
            LengthHeader::Binary4 => u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize,
            LengthHeader::Bcd2 => {
                let mut v = 0usize;
                for (i, &b) in h.iter().enumerate() {
                    if b >> 4 > 9 || b & 0xF > 9 {
                        return Err(Error::BadByte {
                            loc: Loc::Header,
                            offset: i,
                            expected: "a BCD length byte",
                            found: b,
                        });
                    }
                    v = v * 100 + usize::from(b >> 4) * 10 + usize::from(b & 0xF);
                }
                v
            }
            LengthHeader::Ascii4 => {
                let mut v = 0usize;
                for (i, &b) in h.iter().enumerate() {
                    if !b.is_ascii_digit() {
                        return Err(Error::BadByte {
                            loc: Loc::Header,
                            offset: i,
                            expected: "an ASCII length digit",
                            found: b,
                        });
                    }
                    v = v * 10 + usize::from(b - b'0');
                }
                v
            }
        };
        if n > self.max_frame {
            return Err(Error::BadLength {
                loc: Loc::Header,
                offset: 0,
                expected: "at most (frame)",
                max: self.max_frame,
                found: n,
            });
        }
        Ok(Some(n))
    }

    /// The first frame in `buf` and the bytes it takes with its header; `Ok(None)` if `buf`
    /// does not hold a whole frame yet. A length beyond `max_frame` is an error before any
    /// buffering.
    pub fn decode<'a>(&self, buf: &'a [u8]) -> Result<Option<(&'a [u8], usize)>> {
        let Some(n) = self.frame_len(buf)? else {
            return Ok(None);
        };
        let w = self.length.width();
        if buf.len() - w < n {
            return Ok(None);
        }
        Ok(Some((&buf[w..w + n], w + n)))
    }

    /// Appends `payload` with its length header.
    pub fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let n = payload.len();
        if n > self.max_frame || n > self.length.max() {
            return Err(Error::BadLength {
                loc: Loc::Header,
                offset: 0,
                expected: "at most (frame)",
                max: self.max_frame.min(self.length.max()),
                found: n,
            });
        }
        match self.length {
            LengthHeader::Binary2 => out.extend_from_slice(&(n as u16).to_be_bytes()),
            LengthHeader::Binary4 => out.extend_from_slice(&(n as u32).to_be_bytes()),
            LengthHeader::Bcd2 => {
                let (hi, lo) = (n / 100, n % 100);
                out.push((((hi / 10) << 4) | (hi % 10)) as u8);
                out.push((((lo / 10) << 4) | (lo % 10)) as u8);
            }
            LengthHeader::Ascii4 => {
                for d in [n / 1000, n / 100 % 10, n / 10 % 10, n % 10] {
                    out.push(b'0' + d as u8);
                }
            }
        }
        out.extend_from_slice(payload);
        Ok(())
    }
}

/// tokio-util codec over a [`Framing`] (feature `tokio`).
#[cfg(feature = "tokio")]
pub mod codec {
    use super::Framing;
    use bytes::{Buf, BufMut, BytesMut};

    /// Frames in, frames out: `Decoder<Item = BytesMut>` (the message without its length
    /// header) and `Encoder<&[u8]>`. Errors are `std::io::Error` of kind `InvalidData` carrying
    /// the crate's [`crate::Error`].
    #[derive(Clone, Copy, Debug)]
    pub struct FrameCodec(pub Framing);

    fn io(e: crate::Error) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }

    impl tokio_util::codec::Decoder for FrameCodec {
        type Item = BytesMut;
        type Error = std::io::Error;
        fn decode(&mut self, src: &mut BytesMut) -> std::io::Result<Option<BytesMut>> {
            let Some(n) = self.0.frame_len(src).map_err(io)? else {
                return Ok(None);
            };
            let w = self.0.length.width();
            if src.len() < w + n {
                src.reserve(w + n - src.len());
                return Ok(None);
            }
            src.advance(w);
            Ok(Some(src.split_to(n)))
        }
    }

    impl tokio_util::codec::Encoder<&[u8]> for FrameCodec {
        type Error = std::io::Error;
        fn encode(&mut self, item: &[u8], dst: &mut BytesMut) -> std::io::Result<()> {
            let mut v = alloc::vec::Vec::with_capacity(item.len() + 4);
            self.0.encode(item, &mut v).map_err(io)?;
            dst.put_slice(&v);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_headers() {
        for (h, hdr) in [
            (LengthHeader::Binary2, &[0x01, 0x02][..]),
            (LengthHeader::Bcd2, &[0x02, 0x58]),
            (LengthHeader::Ascii4, b"0258"),
            (LengthHeader::Binary4, &[0, 0, 0x01, 0x02]),
        ] {
            let f = Framing::new(h, 1000);
            let p = [7u8; 258];
            let mut out = Vec::new();
            f.encode(&p, &mut out).unwrap();
            assert_eq!(&out[..h.width()], hdr);
            assert_eq!(f.decode(&out).unwrap(), Some((&p[..], 258 + h.width())));
            let small = Framing::new(h, 100);
            assert!(matches!(
                small.decode(&out),
                Err(Error::BadLength { found: 258, .. })
            ));
        }
        assert!(
            Framing::new(LengthHeader::Ascii4, 10)
                .decode(b"00A1")
                .is_err()
        );
    }
}
