//! The zero-copy scanner for routing: reads the MTI and a few chosen fields (e.g. 11, 32, 37,
//! 41) without checking or decoding the rest, and stops after the last field asked for.

use alloc::borrow::Cow;

use crate::error::{Error, Loc, Result};
use crate::field::Span;
use crate::message::read_bitmaps;
use crate::mti::Mti;
use crate::spec::Spec;

/// Most fields one scan can pick.
pub const MAX_SCAN: usize = 8;

/// The result of [`scan`].
///
/// ```
/// use mpay_iso8583::{scan::scan, specs::ISO87_ASCII};
/// let wire = b"08002020000000800000000000123456TERM0001";
/// let s = scan(&ISO87_ASCII, wire, &[11, 41]).unwrap();
/// assert_eq!(s.mti().as_str(), "0800");
/// assert_eq!(s.text(41).as_deref(), Some("TERM0001"));
/// assert_eq!(s.raw(11), Some(&b"123456"[..]));
/// ```
#[derive(Clone, Debug)]
pub struct Scanned<'a> {
    spec: &'a Spec,
    buf: &'a [u8],
    mti: Mti,
    found: [(u16, Span); MAX_SCAN],
    count: usize,
}

/// Scans `buf` for the MTI and the `wanted` fields (at most [`MAX_SCAN`]). Fields before the
/// last wanted one are skipped by their length prefixes only; wanted fields are checked.
pub fn scan<'a>(spec: &'a Spec, buf: &'a [u8], wanted: &[u16]) -> Result<Scanned<'a>> {
    if wanted.len() > MAX_SCAN {
        return Err(Error::BadValue {
            loc: Loc::Field(wanted[MAX_SCAN]),
            reason: "a scan picks at most 8 fields",
        });
    }
    let mut pos = spec.header_len as usize;
    if buf.len() < pos {
        return Err(Error::Truncated {
            loc: Loc::Header,
            offset: 0,
            needed: pos,
            available: buf.len(),
        });
    }
    let mti = Mti::read(spec.mti, buf, pos)?;
    pos += spec.mti.width();
    let (bm, p) = read_bitmaps(spec, buf, pos)?;
    pos = p;
    let last = wanted.iter().copied().max().unwrap_or(0);
    let mut out = Scanned {
        spec,
        buf,
        mti,
        found: [(0, Span::default()); MAX_SCAN],
        count: 0,
    };
    for n in bm.iter() {
        if n > last {
            break;
        }
        if n == 1 || (n == 65 && spec.tertiary) {
            continue;
        }
        let fs = spec.field(n).ok_or(Error::Undefined {
            loc: Loc::Field(n),
            offset: pos,
        })?;
        let span = if wanted.contains(&n) {
            let s = fs.read(buf, pos, Loc::Field(n))?;
            out.found[out.count] = (n, s);
            out.count += 1;
            s
        } else {
            fs.locate(buf, pos, Loc::Field(n))?
        };
        pos = span.end as usize;
    }
    Ok(out)
}

impl<'a> Scanned<'a> {
    /// The MTI.
    pub fn mti(&self) -> Mti {
        self.mti
    }

    /// The header before the MTI.
    pub fn header(&self) -> &'a [u8] {
        &self.buf[..self.spec.header_len as usize]
    }

    fn span(&self, n: u16) -> Option<Span> {
        self.found[..self.count]
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, s)| *s)
    }

    /// Wire content of field `n`, if it was wanted and present.
    pub fn raw(&self, n: u16) -> Option<&'a [u8]> {
        self.span(n).map(|s| &self.buf[s.range()])
    }

    /// Field `n` as text (decoded from BCD/EBCDIC when needed).
    pub fn text(&self, n: u16) -> Option<Cow<'a, str>> {
        let s = self.span(n)?;
        let fs = self.spec.field(n)?;
        if !fs.class.is_text() {
            return None;
        }
        match fs.decode(&self.buf[s.range()], s.units as usize) {
            Cow::Borrowed(b) => core::str::from_utf8(b).ok().map(Cow::Borrowed),
            Cow::Owned(v) => alloc::string::String::from_utf8(v).ok().map(Cow::Owned),
        }
    }

    /// Numeric field `n` as an integer.
    pub fn u64(&self, n: u16) -> Option<u64> {
        let s = self.span(n)?;
        self.spec
            .field(n)?
            .decode_u64(&self.buf[s.range()], s.units as usize)
    }
}
