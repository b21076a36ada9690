//! Messages: [`MessageView`] is the zero-copy result of unpacking (each field a byte range of
//! the input); [`Message`] is the owned form for building and editing. Both are read and written
//! through a [`Spec`].

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::bitmap::Bitmap;
use crate::error::{Error, Loc, Result};
use crate::field::{Class, FieldSpec, Span};
use crate::mti::Mti;
use crate::spec::Spec;
use crate::sub::{self, Value};

/// An unpacked message borrowing its input: MTI, header, and the byte range of each field.
///
/// ```
/// use mpay_iso8583::{specs::ISO87_ASCII, MessageView};
/// let wire = b"08000020000000000000123456";
/// let m = MessageView::unpack(&ISO87_ASCII, wire).unwrap();
/// assert_eq!(m.mti().as_str(), "0800");
/// assert_eq!(m.u64(11), Some(123456));
/// ```
#[derive(Clone)]
pub struct MessageView<'a> {
    spec: &'a Spec,
    buf: &'a [u8],
    mti: Mti,
    present: Bitmap,
    end: usize,
    spans: [Span; 193],
}

/// One field of a [`MessageView`].
#[derive(Clone, Copy)]
pub struct FieldRef<'a> {
    spec: &'a FieldSpec,
    buf: &'a [u8],
    span: Span,
}

impl<'a> FieldRef<'a> {
    /// The field's definition.
    pub fn spec(&self) -> &'a FieldSpec {
        self.spec
    }

    /// The content bytes as on the wire (after the length prefix).
    pub fn raw(&self) -> &'a [u8] {
        &self.buf[self.span.range()]
    }

    /// Offset of the content in the message.
    pub fn offset(&self) -> usize {
        self.span.start as usize
    }

    /// Length in units (digits, characters or bytes).
    pub fn units(&self) -> usize {
        self.span.units as usize
    }

    /// The logical value: text as ASCII bytes, binary as bytes. Borrowed for ASCII and binary
    /// encodings, decoded otherwise.
    pub fn logical(&self) -> Cow<'a, [u8]> {
        self.spec.decode(self.raw(), self.units())
    }

    /// The value as text (`None` for binary fields).
    pub fn text(&self) -> Option<Cow<'a, str>> {
        if !self.spec.class.is_text() {
            return None;
        }
        Some(match self.logical() {
            // Content was checked to be ASCII when unpacking.
            Cow::Borrowed(b) => Cow::Borrowed(core::str::from_utf8(b).ok()?),
            Cow::Owned(v) => Cow::Owned(String::from_utf8(v).ok()?),
        })
    }

    /// The value of a numeric (`n`) field of at most 19 digits, without allocating.
    pub fn u64(&self) -> Option<u64> {
        self.spec.decode_u64(self.raw(), self.units())
    }

    /// The full value, subfields decoded when the spec defines them (an error if they do not
    /// decode).
    pub fn value(&self) -> Result<Value> {
        sub::value_of(self.spec, &self.logical(), self.spec.number)
    }

    /// The value with subfields decoded when they decode, else the raw value (text or bytes),
    /// so that the message still packs back to the same bytes.
    pub fn value_or_raw(&self) -> Value {
        self.value().unwrap_or_else(|_| {
            let l = self.logical();
            if self.spec.class.is_text() {
                Value::Text(String::from_utf8_lossy(&l).into_owned())
            } else {
                Value::Bytes(l.into_owned())
            }
        })
    }
}

impl<'a> MessageView<'a> {
    /// Unpacks a whole message; trailing bytes are an error.
    pub fn unpack(spec: &'a Spec, buf: &'a [u8]) -> Result<MessageView<'a>> {
        let mut v = Self::empty(spec, buf);
        v.fill()?;
        if v.end != buf.len() {
            return Err(Error::Trailing {
                offset: v.end,
                count: buf.len() - v.end,
            });
        }
        Ok(v)
    }

    /// Unpacks as far as possible: the view holds the fields decoded before the first error,
    /// which is returned beside it.
    ///
    /// ```
    /// use mpay_iso8583::{specs::ISO87_ASCII, MessageView};
    /// // Field 41 is cut short.
    /// let wire = b"0800002000000080000012345612345";
    /// let (view, err) = MessageView::unpack_partial(&ISO87_ASCII, wire);
    /// assert_eq!(view.text(11).as_deref(), Some("123456"));
    /// assert_eq!(err.unwrap().to_string(), "field 41 at offset 26: need 8 bytes, only 5 left");
    /// ```
    pub fn unpack_partial(spec: &'a Spec, buf: &'a [u8]) -> (MessageView<'a>, Option<Error>) {
        let mut v = Self::empty(spec, buf);
        let err = v.fill().err();
        (v, err)
    }

    #[inline]
    fn empty(spec: &'a Spec, buf: &'a [u8]) -> MessageView<'a> {
        MessageView {
            spec,
            buf,
            mti: Mti::ZERO,
            present: Bitmap::new(),
            end: 0,
            spans: [Span::default(); 193],
        }
    }

    #[inline]
    fn fill(&mut self) -> Result<()> {
        let spec = self.spec;
        let buf = self.buf;
        let h = spec.header_len as usize;
        if buf.len() < h {
            return Err(Error::Truncated {
                loc: Loc::Header,
                offset: 0,
                needed: h,
                available: buf.len(),
            });
        }
        let mut pos = h;
        self.mti = Mti::read(spec.mti, buf, pos)?;
        pos += spec.mti.width();
        self.end = pos;
        let (bm, p) = read_bitmaps(spec, buf, pos)?;
        pos = p;
        self.end = pos;
        for n in bm.iter() {
            if n == 1 || (n == 65 && spec.tertiary) {
                continue;
            }
            let fs = spec.field(n).ok_or(Error::Undefined {
                loc: Loc::Field(n),
                offset: pos,
            })?;
            let span = fs.read(buf, pos, Loc::Field(n))?;
            self.spans[n as usize] = span;
            self.present.set(n);
            pos = span.end as usize;
            self.end = pos;
        }
        Ok(())
    }

    /// The spec used.
    pub fn spec(&self) -> &'a Spec {
        self.spec
    }

    /// The whole input.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Bytes consumed by the fields decoded.
    pub fn len(&self) -> usize {
        self.end
    }

    /// True when nothing was decoded.
    pub fn is_empty(&self) -> bool {
        self.end == 0
    }

    /// The message type indicator.
    pub fn mti(&self) -> Mti {
        self.mti
    }

    /// The raw header (TPDU etc.) before the MTI.
    pub fn header(&self) -> &'a [u8] {
        &self.buf[..(self.spec.header_len as usize).min(self.buf.len())]
    }

    /// The data fields present (bitmap indicators excluded).
    pub fn present(&self) -> Bitmap {
        self.present
    }

    /// Field `n`, if present.
    #[inline]
    pub fn field(&self, n: u16) -> Option<FieldRef<'a>> {
        if !self.present.is_set(n) {
            return None;
        }
        Some(FieldRef {
            spec: self.spec.field(n)?,
            buf: self.buf,
            span: self.spans[n as usize],
        })
    }

    /// The content bytes of field `n` as on the wire.
    pub fn raw(&self, n: u16) -> Option<&'a [u8]> {
        self.field(n).map(|f| f.raw())
    }

    /// Field `n` as text (`None` if absent or binary).
    pub fn text(&self, n: u16) -> Option<Cow<'a, str>> {
        self.field(n)?.text()
    }

    /// Field `n` as bytes (binary fields; hex-ASCII decoded).
    pub fn bin(&self, n: u16) -> Option<Cow<'a, [u8]>> {
        let f = self.field(n)?;
        (f.spec.class == Class::B).then(|| f.logical())
    }

    /// Numeric field `n` as an integer.
    pub fn u64(&self, n: u16) -> Option<u64> {
        self.field(n)?.u64()
    }

    /// The value at a path such as `"2"`, `"60.1"` or `"55.9F26"` (see [`Message::get_path`]).
    pub fn get_path(&self, path: &str) -> Result<Option<Value>> {
        let (n, rest) = sub::split_path(path)?;
        let Some(f) = self.field(n) else {
            return Ok(None);
        };
        let v = f.value()?;
        sub::get_in(f.spec, v, rest, path)
    }

    /// Converts to an owned [`Message`], decoding the subfields the spec defines; a field
    /// whose subfields do not decode is kept raw ([`FieldRef::value_or_raw`]).
    pub fn to_message(&self) -> Message<'a> {
        self.to_message_in(self.spec)
    }

    /// [`MessageView::to_message`] under `spec` (the view's spec, with a longer lifetime).
    pub(crate) fn to_message_in<'s>(&self, spec: &'s Spec) -> Message<'s> {
        let mut fields = Vec::with_capacity(self.present.iter().count());
        for n in self.present.iter() {
            if let Some(f) = self.field(n) {
                fields.push((n, f.value_or_raw()));
            }
        }
        Message {
            spec,
            mti: self.mti,
            header: self.header().to_vec(),
            fields,
        }
    }

    /// The MAC field of this message: 128 when a secondary bitmap is present, else 64.
    pub fn mac_field(&self) -> u16 {
        if self.present.0[1] != 0 || self.present.0[2] != 0 {
            128
        } else {
            64
        }
    }

    /// The MAC block: from the MTI (or the header, per the spec) up to the MAC field.
    pub fn mab(&self) -> Option<&'a [u8]> {
        let mac = self.spec.mac?;
        let f = self.field(self.mac_field())?;
        let start = if mac.include_header {
            0
        } else {
            self.spec.header_len as usize
        };
        let end = f.offset() - f.spec.prefix.width();
        Some(&self.buf[start..end])
    }

    /// Verifies the MAC field in constant time with the caller's MAC algorithm.
    pub fn verify_mac(&self, mac: &dyn crate::mac::Mac) -> Result<()> {
        let field = self.mac_field();
        let mab = self.mab().ok_or(Error::Mac(
            "no MAC field in the message, or the spec defines no MAC",
        ))?;
        let got = self.raw(field).unwrap_or(&[]);
        crate::mac::verify(mac, mab, got, field)
    }

    /// A multi-line description with sensitive fields masked (PAN, tracks, PIN block, MAC,
    /// sensitive field 55 tags).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = crate::describe::header(&mut s, self.spec, self.mti);
        for n in self.present.iter() {
            if let Some(f) = self.field(n) {
                let v = f.value().unwrap_or_else(|_| Value::Bytes(f.raw().to_vec()));
                let _ = crate::describe::field(&mut s, f.spec, &v);
            }
        }
        s
    }
}

impl fmt::Debug for MessageView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

pub(crate) fn read_bitmaps(spec: &Spec, buf: &[u8], mut pos: usize) -> Result<(Bitmap, usize)> {
    let enc = spec.bitmap;
    let mut bm = Bitmap::new();
    bm.0[0] = enc.read(buf, pos, Loc::Bitmap(1))?;
    pos += enc.width();
    if bm.0[0] >> 63 == 1 {
        bm.0[1] = enc.read(buf, pos, Loc::Bitmap(2))?;
        pos += enc.width();
        if spec.tertiary && bm.0[1] >> 63 == 1 {
            bm.0[2] = enc.read(buf, pos, Loc::Bitmap(3))?;
            pos += enc.width();
        }
    }
    Ok((bm, pos))
}

/// An owned message for building and editing, bound to its spec.
///
/// ```
/// use mpay_iso8583::{specs::ISO87_BINARY, Message, MessageView};
/// let mut m = Message::new(&ISO87_BINARY, "0100".parse().unwrap());
/// m.set(2, "4761739001010119").unwrap();
/// m.set(3, "000000").unwrap();
/// m.set(11, "123456").unwrap();
/// let mut buf = Vec::new();
/// m.pack_into(&mut buf).unwrap();
/// let v = MessageView::unpack(&ISO87_BINARY, &buf).unwrap();
/// assert_eq!(v.text(2).as_deref(), Some("4761739001010119"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Message<'s> {
    spec: &'s Spec,
    /// The message type indicator.
    pub mti: Mti,
    /// The raw header before the MTI (exactly `spec.header_len` bytes when packing; an empty
    /// header packs as zeros).
    pub header: Vec<u8>,
    fields: Vec<(u16, Value)>,
}

impl<'s> Message<'s> {
    /// An empty message.
    pub fn new(spec: &'s Spec, mti: Mti) -> Self {
        Message {
            spec,
            mti,
            header: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Unpacks into an owned message: subfields decoded where the spec defines them and they
    /// decode; otherwise the field is kept raw, so `pack(unpack(x)) == x`.
    pub fn unpack(spec: &'s Spec, buf: &[u8]) -> Result<Message<'s>> {
        let v = MessageView::unpack(spec, buf)?;
        let mut fields = Vec::new();
        for n in v.present.iter() {
            if let Some(f) = v.field(n) {
                fields.push((n, f.value_or_raw()));
            }
        }
        Ok(Message {
            spec,
            mti: v.mti,
            header: v.header().to_vec(),
            fields,
        })
    }

    /// The spec.
    pub fn spec(&self) -> &'s Spec {
        self.spec
    }

    /// The same message tied to `spec`, which must be the message's spec (the same constant,
    /// or an equal spec): e.g. a `Message<'static>` from [`MessageView::to_message`] of a frame
    /// that does not live long enough, without unpacking again.
    ///
    /// ```
    /// use mpay_iso8583::{specs::ISO87_BINARY, Message, MessageView};
    /// let frame = Message::new(&ISO87_BINARY, "0800".parse().unwrap()).pack().unwrap();
    /// let owned: Message<'static> = MessageView::unpack(&ISO87_BINARY, &frame)
    ///     .unwrap()
    ///     .to_message()
    ///     .with_spec(&ISO87_BINARY)
    ///     .unwrap();
    /// drop(frame);
    /// assert_eq!(owned.mti.as_str(), "0800");
    /// assert!(owned.with_spec(&mpay_iso8583::specs::ISO87_ASCII).is_err());
    /// ```
    pub fn with_spec<'t>(self, spec: &'t Spec) -> Result<Message<'t>> {
        if !core::ptr::eq(spec, self.spec) && *spec != *self.spec {
            return Err(Error::BadValue {
                loc: Loc::Header,
                reason: "not the message's spec",
            });
        }
        Ok(Message {
            spec,
            mti: self.mti,
            header: self.header,
            fields: self.fields,
        })
    }

    /// Field numbers present, ascending.
    pub fn numbers(&self) -> impl Iterator<Item = u16> + '_ {
        self.fields.iter().map(|(n, _)| *n)
    }

    /// Field `n`'s value.
    pub fn get(&self, n: u16) -> Option<&Value> {
        let i = self.fields.binary_search_by_key(&n, |(k, _)| *k).ok()?;
        Some(&self.fields[i].1)
    }

    /// Field `n` as text.
    pub fn text(&self, n: u16) -> Option<&str> {
        match self.get(n)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Field `n` as bytes: a binary field's content, also when it holds decoded subfields —
    /// after [`Message::unpack`], field 55 holds its BER-TLV elements and `bin(55)` gives them
    /// encoded, exactly the field's content on the wire (without its length prefix). `None`
    /// for text fields and absent ones.
    ///
    /// ```
    /// use mpay_iso8583::{specs::ISO87_BINARY, Message};
    /// let mut m = Message::new(&ISO87_BINARY, "0100".parse().unwrap());
    /// m.set(55, vec![0x9F, 0x26, 0x02, 0xAB, 0xCD]).unwrap();
    /// let back = Message::unpack(&ISO87_BINARY, &m.pack().unwrap()).unwrap();
    /// assert!(back.get(55).unwrap().as_sub().is_some()); // decoded TLV
    /// assert_eq!(back.bin(55).as_deref(), Some(&[0x9F, 0x26, 0x02, 0xAB, 0xCD][..]));
    /// ```
    pub fn bin(&self, n: u16) -> Option<Cow<'_, [u8]>> {
        match self.get(n)? {
            Value::Bytes(b) => Some(Cow::Borrowed(b)),
            Value::Sub(entries) => {
                let fs = self.spec.field(n)?;
                if fs.class.is_text() {
                    return None;
                }
                sub::content_of(fs, entries, n).ok().map(Cow::Owned)
            }
            Value::Text(_) => None,
        }
    }

    fn spec_of(&self, n: u16) -> Result<&'s FieldSpec> {
        if n == 1 || (n == 65 && self.spec.tertiary) {
            return Err(Error::BadValue {
                loc: Loc::Field(n),
                reason: "a bitmap indicator is set automatically",
            });
        }
        self.spec.field(n).ok_or(Error::BadValue {
            loc: Loc::Field(n),
            reason: "field not defined by the spec",
        })
    }

    /// Sets field `n`. Text fields take text; binary fields take bytes
    /// (`Value::Bytes`, `Vec<u8>` or `&[u8]`). The value is checked against the field.
    pub fn set(&mut self, n: u16, value: impl Into<Value>) -> Result<()> {
        let fs = self.spec_of(n)?;
        let value = value.into();
        sub::check_value(fs, &value, Loc::Field(n))?;
        self.put(n, value);
        Ok(())
    }

    /// Sets numeric field `n` from an integer, zero-padded to the field's fixed length.
    pub fn set_u64(&mut self, n: u16, v: u64) -> Result<()> {
        let fs = self.spec_of(n)?;
        let mut digits = alloc::format!("{v}");
        if !fs.is_variable() && digits.len() < fs.length as usize {
            let pad = fs.length as usize - digits.len();
            digits.insert_str(0, &"0".repeat(pad));
        }
        self.set(n, digits)
    }

    pub(crate) fn put(&mut self, n: u16, value: Value) {
        match self.fields.binary_search_by_key(&n, |(k, _)| *k) {
            Ok(i) => self.fields[i].1 = value,
            Err(i) => self.fields.insert(i, (n, value)),
        }
    }

    /// Removes field `n`.
    pub fn remove(&mut self, n: u16) -> Option<Value> {
        let i = self.fields.binary_search_by_key(&n, |(k, _)| *k).ok()?;
        Some(self.fields.remove(i).1)
    }

    /// The value at a path: `"2"`, `"60.1"` (positional or bitmapped subfield), `"55.9F26"`
    /// (BER-TLV tag, hex), `"48.01"` (TLV tag), nested as deep as the spec goes.
    ///
    /// ```
    /// use mpay_iso8583::{specs::CUP_POS, Message, Value};
    /// let mut m = Message::new(&CUP_POS, "0200".parse().unwrap());
    /// m.set_path("60.1", "22").unwrap();
    /// m.set_path("60.2", "000001").unwrap();
    /// m.set_path("55.9F26", vec![1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    /// assert_eq!(m.get_path("60.2").unwrap(), Some(Value::Text("000001".into())));
    /// assert_eq!(m.get_path("55.9F26").unwrap(), Some(Value::Bytes(vec![1, 2, 3, 4, 5, 6, 7, 8])));
    /// ```
    pub fn get_path(&self, path: &str) -> Result<Option<Value>> {
        let (n, rest) = sub::split_path(path)?;
        let fs = self
            .spec
            .field(n)
            .ok_or_else(|| sub::bad_path(path, "no such field"))?;
        let Some(v) = self.get(n) else {
            return Ok(None);
        };
        sub::get_in(fs, v.clone(), rest, path)
    }

    /// Sets the value at a path, creating the parent field's subfield list when needed (a field
    /// holding raw content is decoded into subfields first).
    pub fn set_path(&mut self, path: &str, value: impl Into<Value>) -> Result<()> {
        let (n, rest) = sub::split_path(path)?;
        if rest.is_empty() {
            return self.set(n, value);
        }
        let fs = self.spec_of(n)?;
        let cur = self.remove(n);
        let res = sub::set_in(fs, cur.clone(), rest, value.into(), path, n);
        match res {
            Ok(v) => {
                self.put(n, v);
                Ok(())
            }
            Err(e) => {
                if let Some(c) = cur {
                    self.put(n, c);
                }
                Err(e)
            }
        }
    }

    /// Packs into `out` (appending). With a reused buffer and no composite field needing a
    /// non-ASCII, non-binary encoding, packing allocates nothing.
    pub fn pack_into(&self, out: &mut Vec<u8>) -> Result<()> {
        self.pack_inner(out, None).map(|_| ())
    }

    /// Packs into a new buffer.
    pub fn pack(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(512);
        self.pack_into(&mut out)?;
        Ok(out)
    }

    /// The MAC field this message gets: 128 with a secondary bitmap, else 64.
    pub fn mac_field(&self) -> u16 {
        if self.fields.iter().any(|(n, _)| *n > 64 && *n != 128) {
            128
        } else {
            64
        }
    }

    /// Packs and fills the MAC field (64 or 128) with the caller's MAC over the MAB the spec
    /// describes. Any value already set in the MAC field is ignored.
    pub fn pack_with_mac(&self, mac: &dyn crate::mac::Mac, out: &mut Vec<u8>) -> Result<()> {
        let mspec = self.spec.mac.ok_or(Error::Mac("the spec defines no MAC"))?;
        let base = out.len();
        let field = self.mac_field();
        let at = self.pack_inner(out, Some(field))?.unwrap_or(0);
        let start = base
            + if mspec.include_header {
                0
            } else {
                self.spec.header_len as usize
            };
        let len = out.len() - at;
        let (head, tail) = out.split_at_mut(at);
        let fs = self
            .spec
            .field(field)
            .ok_or(Error::Mac("MAC field not defined"))?;
        let w = fs.prefix.width();
        if len != mac.len() + w {
            return Err(Error::Mac("MAC length differs from the MAC field length"));
        }
        mac.compute(&head[start..], &mut tail[w..])
    }

    /// Packs; with `mac_field`, writes zeros there (after all other fields) and returns the
    /// offset where the MAC field starts.
    fn pack_inner(&self, out: &mut Vec<u8>, mac_field: Option<u16>) -> Result<Option<usize>> {
        let spec = self.spec;
        let h = spec.header_len as usize;
        if self.header.is_empty() {
            out.extend(core::iter::repeat_n(0u8, h));
        } else if self.header.len() == h {
            out.extend_from_slice(&self.header);
        } else {
            return Err(Error::BadLength {
                loc: Loc::Header,
                offset: 0,
                expected: "exactly",
                max: h,
                found: self.header.len(),
            });
        }
        self.mti.write(spec.mti, out);
        let mut bm = Bitmap::new();
        for (n, _) in &self.fields {
            bm.set(*n);
        }
        if let Some(m) = mac_field {
            bm.set(m);
            if m == 128 {
                bm.clear(64);
            }
        }
        if bm.0[2] != 0 {
            if !spec.tertiary {
                return Err(Error::BadValue {
                    loc: Loc::Bitmap(3),
                    reason: "fields beyond 128 need a spec with a tertiary bitmap",
                });
            }
            bm.set(65);
        }
        if bm.0[1] != 0 {
            bm.set(1);
        }
        spec.bitmap.write(bm.0[0], out);
        if bm.is_set(1) {
            spec.bitmap.write(bm.0[1], out);
            if spec.tertiary && bm.is_set(65) {
                spec.bitmap.write(bm.0[2], out);
            }
        }
        let mut mac_at = None;
        for (n, v) in &self.fields {
            let n = *n;
            if Some(n) == mac_field || (mac_field == Some(128) && n == 64) {
                continue;
            }
            let fs = self.spec_of(n)?;
            sub::write_value(fs, v, out, Loc::Field(n))?;
        }
        if let Some(m) = mac_field {
            let fs = self.spec_of(m)?;
            mac_at = Some(out.len());
            let zeros = [0u8; 16];
            let l = (fs.length as usize).min(16);
            fs.write(&zeros[..l], out, Loc::Field(m))?;
        }
        Ok(mac_at)
    }

    /// A multi-line description with sensitive fields masked.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = crate::describe::header(&mut s, self.spec, self.mti);
        for (n, v) in &self.fields {
            if let Some(fs) = self.spec.field(*n) {
                let _ = crate::describe::field(&mut s, fs, v);
            }
        }
        s
    }
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
