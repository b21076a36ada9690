//! Zero-copy BER-TLV parsing: options, the flat [`Iter`], the depth-first [`Walk`], [`Tlv`].
//!
//! Nothing here allocates. [`Iter`] yields the objects of one level in order, duplicates kept;
//! [`Walk`] yields every object depth-first (constructed objects before their content), using a
//! fixed stack of [`MAX_DEPTH`] levels.

use core::fmt;

use crate::{Error, Tag};

/// The deepest nesting [`Options::max_depth`] can allow (the walker's fixed stack size).
pub const MAX_DEPTH: usize = 16;

/// What to do with padding bytes found where a tag is expected (EMV Book 3 Annex B: `00` bytes may
/// appear before, between or after data objects; some cards also pad records with `FF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Padding {
    /// No padding: a `00` where a tag is expected is an [`Error::Padding`].
    Strict,
    /// Skip `00` bytes (the default, what Book 3 allows).
    #[default]
    Skip00,
    /// Skip `00` and `FF` bytes. Real tags starting with `FF` exist (`FF0D`…), so this is a
    /// choice for cards known to pad with `FF` (Visa CDET-style records).
    Skip00AndFF,
}

impl Padding {
    #[inline(always)]
    fn skips(self, b: u8) -> bool {
        match self {
            Padding::Strict => false,
            Padding::Skip00 => b == 0,
            Padding::Skip00AndFF => b == 0 || b == 0xFF,
        }
    }
}

/// Parser options. `Options::default()` is [`Padding::Skip00`], not strict, depth limit 16,
/// not lenient.
///
/// ```
/// use mpay_emv_tlv::{Options, Padding};
/// let opts = Options::new().padding(Padding::Skip00AndFF).lenient(true);
/// assert_eq!(opts.padding, Padding::Skip00AndFF);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Options {
    /// Padding policy.
    pub padding: Padding,
    /// Strict encoding: reject non-minimal lengths (`81 05`), lengths of more than three
    /// subsequent bytes, and multi-byte tags whose second byte is `80` or `00`.
    pub strict: bool,
    /// How deeply constructed objects may nest (a top-level object has depth 0; its content
    /// depth 1). Capped at [`MAX_DEPTH`].
    pub max_depth: usize,
    /// Lenient mode: a constructed object whose content does not parse (or nests too deep) is
    /// kept as an opaque value ([`Tlv::is_opaque`]) instead of failing the whole parse.
    pub lenient: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

impl Options {
    /// The defaults: skip `00` padding, not strict, depth 16, not lenient.
    pub const fn new() -> Options {
        Options {
            padding: Padding::Skip00,
            strict: false,
            max_depth: MAX_DEPTH,
            lenient: false,
        }
    }

    /// Strict everything: no padding, minimal lengths, at most `83` lengths.
    pub const fn strict_ber() -> Options {
        Options {
            padding: Padding::Strict,
            strict: true,
            max_depth: MAX_DEPTH,
            lenient: false,
        }
    }

    /// Sets the padding policy.
    pub const fn padding(mut self, p: Padding) -> Options {
        self.padding = p;
        self
    }

    /// Sets strict length and tag encoding.
    pub const fn strict(mut self, on: bool) -> Options {
        self.strict = on;
        self
    }

    /// Sets the depth limit (capped at [`MAX_DEPTH`]).
    pub const fn max_depth(mut self, d: usize) -> Options {
        self.max_depth = if d > MAX_DEPTH { MAX_DEPTH } else { d };
        self
    }

    /// Sets lenient mode.
    pub const fn lenient(mut self, on: bool) -> Options {
        self.lenient = on;
        self
    }

    /// Iterates the top-level objects of `input` with these options.
    pub fn iter(self, input: &[u8]) -> Iter<'_> {
        Iter::new(input, self)
    }

    /// Walks all objects of `input` depth-first with these options.
    pub fn walk(self, input: &[u8]) -> Walk<'_> {
        Walk::new(input, self)
    }
}

/// One data object, borrowed from the input.
///
/// Its `Debug` masks sensitive values (PAN, track data, …) according to the
/// [dictionary](crate::dictionary).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    tag: Tag,
    raw: &'a [u8],
    header_len: u8,
    depth: u8,
    opaque: bool,
    offset: usize,
}

impl<'a> Tlv<'a> {
    /// Parses exactly one object spanning all of `input` (no padding around it).
    ///
    /// ```
    /// use mpay_emv_tlv::{Tag, Tlv};
    /// let t = Tlv::parse_one(&[0x9F, 0x02, 0x01, 0x05]).unwrap();
    /// assert_eq!((t.tag(), t.value()), (Tag::new(0x9F02), &[5u8][..]));
    /// ```
    pub fn parse_one(input: &'a [u8]) -> Result<Tlv<'a>, Error> {
        let t = read_one(input, 0, &Options::new())?;
        if t.raw.len() != input.len() {
            return Err(Error::TrailingBytes {
                offset: t.raw.len(),
            });
        }
        Ok(t)
    }

    /// The tag.
    #[inline]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value (for a constructed object: its encoded content).
    #[inline]
    pub fn value(&self) -> &'a [u8] {
        &self.raw[self.header_len as usize..]
    }

    /// The whole encoding: tag, length and value, exactly as in the input.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// `(tag, value)`.
    #[inline]
    pub fn pair(&self) -> (Tag, &'a [u8]) {
        (self.tag, self.value())
    }

    /// Offset of the tag's first byte in the top-level input.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Offset of the value's first byte in the top-level input.
    #[inline]
    pub fn value_offset(&self) -> usize {
        self.offset + self.header_len as usize
    }

    /// Nesting depth (0 for top-level objects; from [`Iter`], the iterator's depth).
    #[inline]
    pub fn depth(&self) -> usize {
        self.depth as usize
    }

    /// Whether the tag is constructed.
    #[inline]
    pub fn is_constructed(&self) -> bool {
        self.tag.is_constructed()
    }

    /// Lenient mode only: the tag is constructed but its content did not parse (or nested too
    /// deep), so it is kept as opaque bytes and not descended into.
    #[inline]
    pub fn is_opaque(&self) -> bool {
        self.opaque
    }

    /// The objects inside this one's value (for a constructed tag), with the given options.
    /// Offsets stay relative to the top-level input.
    pub fn children(&self, opts: Options) -> Iter<'a> {
        Iter {
            rest: self.value(),
            offset: self.value_offset(),
            opts,
            depth: self.depth.saturating_add(1),
            done: false,
        }
    }
}

impl fmt::Debug for Tlv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tlv")
            .field("tag", &self.tag)
            .field("offset", &self.offset)
            .field(
                "value",
                &format_args!("{}", crate::dictionary::masked(self.tag, self.value())),
            )
            .finish()
    }
}

/// Reads a tag at the start of `b`; `base` is `b`'s offset in the input (for errors).
#[inline]
pub(crate) fn read_tag(b: &[u8], base: usize) -> Result<(Tag, usize), Error> {
    let Some(&first) = b.first() else {
        return Err(Error::TruncatedTag { offset: base });
    };
    if first & 0x1F != 0x1F {
        return Ok((Tag::from_raw(first as u32), 1));
    }
    let mut v = first as u32;
    let mut i = 1;
    loop {
        let Some(&next) = b.get(i) else {
            return Err(Error::TruncatedTag { offset: base });
        };
        v = v << 8 | next as u32;
        i += 1;
        if next & 0x80 == 0 {
            return Ok((Tag::from_raw(v), i));
        }
        if i == crate::tag::MAX_TAG_LEN {
            return Err(Error::TagTooLong { offset: base });
        }
    }
}

/// Reads a length field at the start of `b`. Returns (length, bytes used).
#[inline]
pub(crate) fn read_len(
    b: &[u8],
    base: usize,
    tag: Tag,
    strict: bool,
) -> Result<(usize, usize), Error> {
    let Some(&first) = b.first() else {
        return Err(Error::TruncatedLength { offset: base, tag });
    };
    if first < 0x80 {
        return Ok((first as usize, 1));
    }
    let n = (first & 0x7F) as usize;
    if n == 0 {
        return Err(Error::IndefiniteLength { offset: base, tag });
    }
    let limit = if strict { 3 } else { 4 };
    if n > limit || n > core::mem::size_of::<usize>() {
        return Err(Error::LengthTooLong {
            offset: base,
            tag,
            bytes: n as u8,
        });
    }
    let Some(bytes) = b.get(1..1 + n) else {
        return Err(Error::TruncatedLength { offset: base, tag });
    };
    let mut len = 0usize;
    for &x in bytes {
        len = len << 8 | x as usize;
    }
    if strict && (len < 0x80 || bytes[0] == 0) {
        return Err(Error::NonMinimalLength { offset: base, tag });
    }
    Ok((len, 1 + n))
}

/// Reads one object at the start of `b` (no padding skipping).
#[inline]
fn read_one<'a>(b: &'a [u8], base: usize, opts: &Options) -> Result<Tlv<'a>, Error> {
    // Fast path: one- or two-byte tag, short-form length, value present.
    if let [t0, t1, t2, ..] = *b {
        let (tag, hl, len) = if t0 & 0x1F != 0x1F {
            (t0 as u32, 2, t1)
        } else {
            (u32::from(t0) << 8 | u32::from(t1), 3, t2)
        };
        let two_byte_ok = hl == 2 || (t1 < 0x80 && !(opts.strict && t1 == 0));
        if len < 0x80 && two_byte_ok && (len as usize) <= b.len() - hl {
            return Ok(Tlv {
                tag: Tag::from_raw(tag),
                raw: &b[..hl + len as usize],
                header_len: hl as u8,
                depth: 0,
                opaque: false,
                offset: base,
            });
        }
    }
    let (tag, tl) = read_tag(b, base)?;
    if opts.strict && tl > 1 && b[1] & 0x7F == 0 {
        return Err(Error::NonMinimalTag { offset: base });
    }
    let (len, ll) = read_len(&b[tl..], base + tl, tag, opts.strict)?;
    let hl = tl + ll;
    let available = b.len() - hl;
    if len > available {
        return Err(Error::TruncatedValue {
            offset: base + hl,
            tag,
            expected: len,
            available,
        });
    }
    Ok(Tlv {
        tag,
        raw: &b[..hl + len],
        header_len: hl as u8,
        depth: 0,
        opaque: false,
        offset: base,
    })
}

/// Skips padding; returns the number of bytes skipped, or an error in strict padding mode.
#[inline(always)]
fn skip_padding(b: &[u8], base: usize, padding: Padding) -> Result<usize, Error> {
    let mut i = 0;
    match padding {
        Padding::Strict => {
            if let Some(&0) = b.first() {
                return Err(Error::Padding {
                    offset: base,
                    byte: 0,
                });
            }
        }
        _ => {
            while i < b.len() && padding.skips(b[i]) {
                i += 1;
            }
        }
    }
    Ok(i)
}

/// The objects of one level, in order, duplicates kept. Yields `Result<Tlv>`; after the first
/// error it yields nothing more.
///
/// ```
/// use mpay_emv_tlv::{Tag, iter};
/// // Two 61 templates (duplicates kept), 00 padding between and after.
/// let data = [0x61, 0x03, 0x4F, 0x01, 0xA1, 0x00, 0x61, 0x03, 0x4F, 0x01, 0xA2, 0x00, 0x00];
/// let tags: Vec<Tag> = iter(&data).map(|t| t.unwrap().tag()).collect();
/// assert_eq!(tags, [Tag::new(0x61), Tag::new(0x61)]);
/// ```
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    rest: &'a [u8],
    offset: usize,
    opts: Options,
    depth: u8,
    done: bool,
}

impl<'a> Iter<'a> {
    /// Iterates the top-level objects of `input`.
    pub fn new(input: &'a [u8], opts: Options) -> Iter<'a> {
        Iter {
            rest: input,
            offset: 0,
            opts,
            depth: 0,
            done: false,
        }
    }

    /// The first object with tag `tag` at this level (errors end the search: `Err`).
    pub fn find(self, tag: Tag) -> Result<Option<Tlv<'a>>, Error> {
        find_tag(self, tag)
    }

    /// The objects as `(tag, value)` pairs.
    ///
    /// ```
    /// use mpay_emv_tlv::{iter, Tag};
    /// let v: Vec<(Tag, &[u8])> = iter(&[0x9A, 0x01, 0x26, 0x9A, 0x00]).pairs().collect::<Result<_, _>>().unwrap();
    /// assert_eq!(v, [(Tag::new(0x9A), &[0x26][..]), (Tag::new(0x9A), &[][..])]);
    /// ```
    pub fn pairs(self) -> impl Iterator<Item = Result<(Tag, &'a [u8]), Error>> {
        self.map(|r| r.map(|t| t.pair()))
    }

    #[inline]
    fn step(&mut self) -> Result<Option<Tlv<'a>>, Error> {
        let skip = skip_padding(self.rest, self.offset, self.opts.padding)?;
        self.rest = &self.rest[skip..];
        self.offset += skip;
        if self.rest.is_empty() {
            return Ok(None);
        }
        let mut t = read_one(self.rest, self.offset, &self.opts)?;
        t.depth = self.depth;
        let n = t.raw.len();
        self.rest = &self.rest[n..];
        self.offset += n;
        Ok(Some(t))
    }
}

/// Turns a step's result into an iterator item, ending the iteration after `None` or an error.
#[inline(always)]
fn fuse<T>(done: &mut bool, r: Result<Option<T>, Error>) -> Option<Result<T, Error>> {
    match r {
        Ok(Some(t)) => Some(Ok(t)),
        Ok(None) => {
            *done = true;
            None
        }
        Err(e) => {
            *done = true;
            Some(Err(e))
        }
    }
}

fn find_tag<'a>(
    it: impl Iterator<Item = Result<Tlv<'a>, Error>>,
    tag: Tag,
) -> Result<Option<Tlv<'a>>, Error> {
    for t in it {
        let t = t?;
        if t.tag == tag {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

impl<'a> Iterator for Iter<'a> {
    type Item = Result<Tlv<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        fuse(&mut self.done, r)
    }
}

impl core::iter::FusedIterator for Iter<'_> {}

/// Whether `content` parses as a flat sequence of objects (lenient mode's test).
fn parses_flat(content: &[u8], base: usize, opts: &Options) -> bool {
    let mut it = Iter {
        rest: content,
        offset: base,
        opts: *opts,
        depth: 0,
        done: false,
    };
    it.all(|r| r.is_ok())
}

/// All objects, depth-first: each constructed object is yielded before its content. Yields
/// `Result<Tlv>` with [`Tlv::depth`] set; after the first error it yields nothing more.
/// Allocates nothing (a fixed stack of [`MAX_DEPTH`] levels).
///
/// ```
/// use mpay_emv_tlv::{Tag, walk};
/// let ppse = [0x6F, 0x07, 0xA5, 0x05, 0xBF, 0x0C, 0x02, 0x61, 0x00];
/// let v: Vec<(usize, Tag)> = walk(&ppse).map(|t| t.map(|t| (t.depth(), t.tag()))).collect::<Result<_, _>>().unwrap();
/// assert_eq!(v, [(0, Tag::new(0x6F)), (1, Tag::new(0xA5)), (2, Tag::new(0xBF0C)), (3, Tag::new(0x61))]);
/// ```
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    input: &'a [u8],
    /// Cursor: offset of the next byte to read.
    pos: usize,
    /// End offset of each open level (`ends[0]` = input length).
    ends: [usize; MAX_DEPTH + 1],
    depth: usize,
    opts: Options,
    done: bool,
}

impl<'a> Walk<'a> {
    /// Walks all objects of `input`.
    pub fn new(input: &'a [u8], opts: Options) -> Walk<'a> {
        let mut ends = [0usize; MAX_DEPTH + 1];
        ends[0] = input.len();
        let opts = opts.max_depth(opts.max_depth);
        Walk {
            input,
            pos: 0,
            ends,
            depth: 0,
            opts,
            done: false,
        }
    }

    /// The first object with tag `tag`, at any depth (errors end the search: `Err`).
    pub fn find(self, tag: Tag) -> Result<Option<Tlv<'a>>, Error> {
        find_tag(self, tag)
    }

    #[inline]
    fn step(&mut self) -> Result<Option<Tlv<'a>>, Error> {
        loop {
            let input = self.input;
            let end = self.ends[self.depth];
            let mut pos = self.pos;
            match self.opts.padding {
                Padding::Skip00 => {
                    while pos < end && input[pos] == 0 {
                        pos += 1;
                    }
                }
                Padding::Skip00AndFF => {
                    while pos < end && (input[pos] == 0 || input[pos] == 0xFF) {
                        pos += 1;
                    }
                }
                Padding::Strict => {
                    if pos < end && input[pos] == 0 {
                        return Err(Error::Padding {
                            offset: pos,
                            byte: 0,
                        });
                    }
                }
            }
            if pos >= end {
                self.pos = end;
                if self.depth == 0 {
                    return Ok(None);
                }
                self.depth -= 1;
                continue;
            }
            let mut t = read_one(&input[pos..end], pos, &self.opts)?;
            let obj_end = pos + t.raw.len();
            self.pos = obj_end;
            t.depth = self.depth as u8;
            if t.tag.is_constructed() {
                if self.depth >= self.opts.max_depth {
                    if self.opts.lenient {
                        t.opaque = true;
                    } else {
                        return Err(Error::DepthExceeded {
                            offset: pos,
                            tag: t.tag,
                            limit: self.opts.max_depth,
                        });
                    }
                } else if self.opts.lenient && !parses_flat(t.value(), t.value_offset(), &self.opts)
                {
                    t.opaque = true;
                } else {
                    self.depth += 1;
                    self.ends[self.depth] = obj_end;
                    self.pos = t.value_offset();
                }
            }
            return Ok(Some(t));
        }
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = Result<Tlv<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        fuse(&mut self.done, r)
    }
}

impl core::iter::FusedIterator for Walk<'_> {}

/// Checks that all of `input` parses (walking every level) without allocating.
///
/// ```
/// use mpay_emv_tlv::{validate, Options, Error, Tag};
/// assert!(validate(&[0x70, 0x03, 0x5A, 0x01, 0x12], Options::new()).is_ok());
/// assert_eq!(
///     validate(&[0x70, 0x03, 0x5A, 0x05, 0x12], Options::new()),
///     Err(Error::TruncatedValue { offset: 4, tag: Tag::new(0x5A), expected: 5, available: 1 })
/// );
/// ```
pub fn validate(input: &[u8], opts: Options) -> Result<(), Error> {
    for t in Walk::new(input, opts) {
        t?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    fn tags(input: &[u8], opts: Options) -> Result<Vec<(usize, u32)>, Error> {
        Walk::new(input, opts)
            .map(|t| t.map(|t| (t.depth(), t.tag().value())))
            .collect()
    }

    #[test]
    fn lengths() {
        let mut long = vec![0x5A, 0x81, 0x80];
        long.extend([7u8; 128]);
        assert_eq!(tags(&long, Options::strict_ber()).unwrap(), [(0, 0x5A)]);
        let mut l82 = vec![0x5A, 0x82, 0x01, 0x00];
        l82.extend([7u8; 256]);
        assert_eq!(tags(&l82, Options::strict_ber()).unwrap(), [(0, 0x5A)]);
        let mut l83 = vec![0x5A, 0x83, 0x01, 0x00, 0x00];
        l83.extend(vec![7u8; 65536]);
        assert_eq!(tags(&l83, Options::strict_ber()).unwrap(), [(0, 0x5A)]);
        // Non-minimal: accepted by default, rejected when strict.
        let nm = [0x5A, 0x81, 0x01, 0x12];
        assert!(tags(&nm, Options::new()).is_ok());
        assert_eq!(
            tags(&nm, Options::strict_ber()),
            Err(Error::NonMinimalLength {
                offset: 1,
                tag: Tag::new(0x5A)
            })
        );
        let nm2 = [0x5A, 0x82, 0x00, 0x81, 0x12];
        assert!(matches!(
            tags(&nm2, Options::strict_ber()),
            Err(Error::NonMinimalLength { .. })
        ));
        // Indefinite.
        assert_eq!(
            tags(&[0x70, 0x80, 0x00, 0x00], Options::new()),
            Err(Error::IndefiniteLength {
                offset: 1,
                tag: Tag::new(0x70)
            })
        );
        // 84 accepted when not strict, rejected when strict.
        let l84 = [0x5A, 0x84, 0, 0, 0, 1, 9];
        assert!(tags(&l84, Options::new()).is_ok());
        assert!(matches!(
            tags(&l84, Options::strict_ber()),
            Err(Error::LengthTooLong { bytes: 4, .. })
        ));
        // Hostile length: no allocation, precise error.
        assert_eq!(
            tags(&[0x5A, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], Options::new()),
            Err(Error::TruncatedValue {
                offset: 6,
                tag: Tag::new(0x5A),
                expected: 0xFFFF_FFFF,
                available: 0
            })
        );
    }

    #[test]
    fn tags_up_to_four_bytes() {
        let data = [
            0x9F, 0x02, 0x00, 0xBF, 0x0C, 0x00, 0xDF, 0x81, 0x01, 0x00, 0xDF, 0x81, 0x81, 0x01,
            0x00,
        ];
        assert_eq!(
            tags(&data, Options::new()).unwrap(),
            [(0, 0x9F02), (0, 0xBF0C), (0, 0xDF8101), (0, 0xDF818101)]
        );
        assert_eq!(
            tags(&[0xDF, 0x81, 0x81, 0x81, 0x01, 0x00], Options::new()),
            Err(Error::TagTooLong { offset: 0 })
        );
        assert_eq!(
            tags(&[0x9F], Options::new()),
            Err(Error::TruncatedTag { offset: 0 })
        );
        assert_eq!(
            tags(&[0x9F, 0x80, 0x02, 0x00], Options::strict_ber()),
            Err(Error::NonMinimalTag { offset: 0 })
        );
    }

    #[test]
    fn padding_policies() {
        let data = [0x00, 0x5A, 0x01, 0x12, 0x00, 0xFF, 0xFF];
        assert_eq!(
            tags(&data, Options::new().padding(Padding::Strict)),
            Err(Error::Padding { offset: 0, byte: 0 })
        );
        // Skip00: FF FF is read as a tag FFFF… that runs off the end.
        assert!(tags(&data, Options::new()).is_err());
        assert_eq!(
            tags(&data, Options::new().padding(Padding::Skip00AndFF)).unwrap(),
            [(0, 0x5A)]
        );
        // A real FF0D tag under Skip00.
        assert_eq!(
            tags(&[0xFF, 0x0D, 0x00], Options::new()).unwrap(),
            [(0, 0xFF0D)]
        );
    }

    #[test]
    fn depth_limit_and_lenient() {
        let nested = [0x70, 0x04, 0x71, 0x02, 0x72, 0x00];
        assert_eq!(tags(&nested, Options::new()).unwrap().len(), 3);
        assert_eq!(
            tags(&nested, Options::new().max_depth(1)),
            Err(Error::DepthExceeded {
                offset: 2,
                tag: Tag::new(0x71),
                limit: 1
            })
        );
        let lenient: Vec<Tlv> = Walk::new(&nested, Options::new().max_depth(1).lenient(true))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(lenient.len(), 2);
        assert!(lenient[1].is_opaque());
        // 65 with non-TLV content inside 6F (GlobalPlatformPro#152 style).
        let bad = [0x6F, 0x07, 0x84, 0x01, 0xA0, 0x65, 0x02, 0x9F, 0xFF];
        assert!(tags(&bad, Options::new()).is_err());
        let l: Vec<Tlv> = Walk::new(&bad, Options::new().lenient(true))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(l.len(), 3);
        assert!(l[2].is_opaque() && l[2].value() == [0x9F, 0xFF]);
        assert!(!l[0].is_opaque());
    }

    #[test]
    fn truncated_value_inside_constructed() {
        assert_eq!(
            tags(&[0x70, 0x03, 0x5A, 0x05, 0x12], Options::new()),
            Err(Error::TruncatedValue {
                offset: 4,
                tag: Tag::new(0x5A),
                expected: 5,
                available: 1
            })
        );
        assert_eq!(
            tags(&[0x70, 0x01, 0x5A], Options::new()),
            Err(Error::TruncatedLength {
                offset: 3,
                tag: Tag::new(0x5A)
            })
        );
    }
}
