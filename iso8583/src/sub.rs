//! Field values and subfields: positional, bitmapped (DE 127 style), TLV/LTV and BER-TLV
//! (field 55), and paths such as `"60.1"` or `"55.9F26"`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{Error, Loc, Result};
use crate::field::{FieldSpec, Subfields};

/// The key of a subfield: a position/number, or a tag (TLV tags as written, BER-TLV tags as
/// uppercase hex such as `"9F26"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubKey {
    /// Positional or bitmapped subfield number (1-based).
    Id(u16),
    /// TLV or BER-TLV tag.
    Tag(String),
}

impl core::fmt::Display for SubKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SubKey::Id(n) => write!(f, "{n}"),
            SubKey::Tag(t) => f.write_str(t),
        }
    }
}

/// The value of a field or subfield.
///
/// Text fields (`n`, `an`, `ans`, `z`, `x+n`…) hold text whatever their wire encoding (BCD,
/// EBCDIC…); binary fields hold bytes; fields with subfields may hold their subfields, in order
/// (TLV duplicates kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text of a text class.
    Text(String),
    /// Bytes of a binary field.
    Bytes(Vec<u8>),
    /// Subfields, in wire order.
    Sub(Vec<(SubKey, Value)>),
}

impl Value {
    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if these are bytes.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The subfields, if any.
    pub fn as_sub(&self) -> Option<&[(SubKey, Value)]> {
        match self {
            Value::Sub(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(s.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}
impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }
}
impl<const N: usize> From<[u8; N]> for Value {
    fn from(b: [u8; N]) -> Value {
        Value::Bytes(b.to_vec())
    }
}
impl<const N: usize> From<&[u8; N]> for Value {
    fn from(b: &[u8; N]) -> Value {
        Value::Bytes(b.to_vec())
    }
}

pub(crate) fn bad_path(path: &str, reason: &'static str) -> Error {
    Error::BadPath {
        path: path.to_string(),
        reason,
    }
}

/// Splits `"55.9F26"` into field 55 and `"9F26"`.
pub(crate) fn split_path(path: &str) -> Result<(u16, &str)> {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let n: u16 = head
        .parse()
        .map_err(|_| bad_path(path, "a path starts with a field number"))?;
    if !(1..=192).contains(&n) {
        return Err(bad_path(path, "field numbers are 1..=192"));
    }
    if path.ends_with('.') {
        return Err(bad_path(path, "empty path segment"));
    }
    Ok((n, rest))
}

fn parse_key(sub: &Subfields, seg: &str, path: &str) -> Result<SubKey> {
    match sub {
        Subfields::Positional { fields } | Subfields::Bitmapped { fields, .. } => {
            let id: u16 = seg
                .parse()
                .map_err(|_| bad_path(path, "subfield numbers are decimal"))?;
            if !fields.iter().any(|f| f.number == id) {
                return Err(bad_path(path, "no such subfield in the spec"));
            }
            Ok(SubKey::Id(id))
        }
        Subfields::Tlv { tag_len, .. } => {
            if seg.len() != *tag_len as usize || !seg.is_ascii() {
                return Err(bad_path(path, "TLV tag of the wrong length"));
            }
            Ok(SubKey::Tag(seg.to_string()))
        }
        Subfields::BerTlv => {
            let t = crate::tlv::parse_tag_hex(seg)
                .ok_or_else(|| bad_path(path, "not a BER-TLV tag"))?;
            Ok(SubKey::Tag(t))
        }
    }
}

fn child<'f>(sub: &'f Subfields, key: &SubKey) -> Option<&'f FieldSpec> {
    match (sub, key) {
        (Subfields::Positional { fields } | Subfields::Bitmapped { fields, .. }, SubKey::Id(n)) => {
            fields.iter().find(|f| f.number == *n)
        }
        _ => None,
    }
}

fn entries_of(fs: &FieldSpec, v: Option<Value>) -> Result<Vec<(SubKey, Value)>> {
    Ok(match v {
        None => Vec::new(),
        Some(Value::Sub(e)) => e,
        Some(Value::Text(s)) => decode_sub(fs, s.as_bytes())?,
        Some(Value::Bytes(b)) => decode_sub(fs, &b)?,
    })
}

pub(crate) fn get_in(fs: &FieldSpec, v: Value, rest: &str, path: &str) -> Result<Option<Value>> {
    if rest.is_empty() {
        return Ok(Some(v));
    }
    let sub = fs
        .sub
        .as_deref()
        .ok_or_else(|| bad_path(path, "the field has no subfields"))?;
    let (seg, rest2) = rest.split_once('.').unwrap_or((rest, ""));
    let key = parse_key(sub, seg, path)?;
    let entries = entries_of(fs, Some(v))?;
    let Some((_, found)) = entries.into_iter().find(|(k, _)| *k == key) else {
        return Ok(None);
    };
    if rest2.is_empty() {
        return Ok(Some(found));
    }
    let c = child(sub, &key).ok_or_else(|| bad_path(path, "the subfield has no subfields"))?;
    get_in(c, found, rest2, path)
}

pub(crate) fn set_in(
    fs: &FieldSpec,
    cur: Option<Value>,
    rest: &str,
    value: Value,
    path: &str,
    top: u16,
) -> Result<Value> {
    let sub = fs
        .sub
        .as_deref()
        .ok_or_else(|| bad_path(path, "the field has no subfields"))?;
    let (seg, rest2) = rest.split_once('.').unwrap_or((rest, ""));
    let key = parse_key(sub, seg, path)?;
    let mut entries = entries_of(fs, cur)?;
    let idx = entries.iter().position(|(k, _)| *k == key);
    let c = child(sub, &key);
    let new = if rest2.is_empty() {
        match c {
            Some(c) => {
                let mut scratch = Vec::new();
                write_value(c, &value, &mut scratch, Loc::Sub(top, c.number))?;
            }
            None => {
                if let Value::Sub(_) = value {
                    return Err(bad_path(path, "TLV values are text or bytes"));
                }
            }
        }
        value
    } else {
        let c = c.ok_or_else(|| bad_path(path, "the subfield has no subfields"))?;
        let old = idx.map(|i| entries[i].1.clone());
        set_in(c, old, rest2, value, path, top)?
    };
    match idx {
        Some(i) => entries[i].1 = new,
        None => {
            let at = match key {
                SubKey::Id(n) => entries
                    .iter()
                    .position(|(k, _)| matches!(k, SubKey::Id(m) if *m > n))
                    .unwrap_or(entries.len()),
                SubKey::Tag(_) => entries.len(),
            };
            entries.insert(at, (key, new));
        }
    }
    let v = Value::Sub(entries);
    let mut scratch = Vec::new();
    let loc = if fs.number == top {
        Loc::Field(top)
    } else {
        Loc::Sub(top, fs.number)
    };
    write_value(fs, &v, &mut scratch, loc)?;
    Ok(v)
}

/// Checks a value against a field (subfields by packing them into a scratch buffer).
pub(crate) fn check_value(fs: &FieldSpec, v: &Value, loc: Loc) -> Result<()> {
    match v {
        // Plain values: the checks of `FieldSpec::write` without a scratch buffer.
        Value::Text(s) if fs.class.is_text() => fs.check_plain(s.as_bytes(), loc),
        Value::Bytes(b) if !fs.class.is_text() => fs.check_plain(b, loc),
        _ => {
            let mut scratch = Vec::new();
            write_value(fs, v, &mut scratch, loc)
        }
    }
}

/// Packs one field value (prefix included).
pub(crate) fn write_value(fs: &FieldSpec, v: &Value, out: &mut Vec<u8>, loc: Loc) -> Result<()> {
    match v {
        Value::Text(s) => {
            if !fs.class.is_text() {
                return Err(Error::BadValue {
                    loc,
                    reason: "a binary field takes bytes, not text",
                });
            }
            fs.write(s.as_bytes(), out, loc)
        }
        Value::Bytes(b) => {
            if fs.class.is_text() {
                return Err(Error::BadValue {
                    loc,
                    reason: "a text field takes text, not bytes",
                });
            }
            fs.write(b, out, loc)
        }
        Value::Sub(entries) => {
            let sub = fs.sub.as_deref().ok_or(Error::BadValue {
                loc,
                reason: "the field has no subfields in the spec",
            })?;
            let parent = match loc {
                Loc::Field(n) | Loc::Sub(n, _) => n,
                _ => fs.number,
            };
            if fs.identity() {
                let mark = fs.begin(out);
                write_sub(sub, entries, out, parent)?;
                fs.finish_identity(out, mark, loc)
            } else {
                let mut tmp = Vec::new();
                write_sub(sub, entries, &mut tmp, parent)?;
                fs.write(&tmp, out, loc)
            }
        }
    }
}

/// The content (no length prefix) of a field holding subfields.
pub(crate) fn content_of(
    fs: &FieldSpec,
    entries: &[(SubKey, Value)],
    field: u16,
) -> Result<Vec<u8>> {
    let sub = fs.sub.as_deref().ok_or(Error::BadValue {
        loc: Loc::Field(field),
        reason: "the field has no subfields in the spec",
    })?;
    let mut out = Vec::new();
    write_sub(sub, entries, &mut out, field)?;
    Ok(out)
}

fn write_sub(
    sub: &Subfields,
    entries: &[(SubKey, Value)],
    out: &mut Vec<u8>,
    parent: u16,
) -> Result<()> {
    match sub {
        Subfields::Positional { fields } => {
            for (k, _) in entries {
                if !matches!(k, SubKey::Id(n) if fields.iter().any(|f| f.number == *n)) {
                    return Err(Error::BadValue {
                        loc: Loc::Field(parent),
                        reason: "a subfield not defined by the spec",
                    });
                }
            }
            let mut missing = None;
            for sf in fields.iter() {
                let loc = Loc::Sub(parent, sf.number);
                match entries.iter().find(|(k, _)| *k == SubKey::Id(sf.number)) {
                    Some((_, v)) => {
                        if let Some(m) = missing {
                            return Err(Error::BadValue {
                                loc: Loc::Sub(parent, m),
                                reason: "missing while a later positional subfield is set",
                            });
                        }
                        write_value(sf, v, out, loc)?;
                    }
                    None => {
                        missing.get_or_insert(sf.number);
                    }
                }
            }
            Ok(())
        }
        Subfields::Bitmapped { bitmap, fields } => {
            let mut bm = 0u64;
            for (k, _) in entries {
                match k {
                    SubKey::Id(n) if fields.iter().any(|f| f.number == *n) => {
                        bm |= 1u64 << (64 - *n);
                    }
                    _ => {
                        return Err(Error::BadValue {
                            loc: Loc::Field(parent),
                            reason: "a subfield not defined by the spec",
                        });
                    }
                }
            }
            bitmap.write(bm, out);
            for sf in fields.iter() {
                if let Some((_, v)) = entries.iter().find(|(k, _)| *k == SubKey::Id(sf.number)) {
                    write_value(sf, v, out, Loc::Sub(parent, sf.number))?;
                }
            }
            Ok(())
        }
        Subfields::Tlv {
            tag_len,
            length,
            ltv,
        } => {
            for (i, (k, v)) in entries.iter().enumerate() {
                let loc = Loc::Sub(parent, i as u16);
                let SubKey::Tag(t) = k else {
                    return Err(Error::BadValue {
                        loc,
                        reason: "TLV subfields are keyed by tag",
                    });
                };
                if t.len() != *tag_len as usize || !t.is_ascii() {
                    return Err(Error::BadValue {
                        loc,
                        reason: "TLV tag of the wrong length",
                    });
                }
                let val: &[u8] = match v {
                    Value::Text(s) => s.as_bytes(),
                    Value::Bytes(b) => b,
                    Value::Sub(_) => {
                        return Err(Error::BadValue {
                            loc,
                            reason: "TLV values are text or bytes",
                        });
                    }
                };
                let lenf = tlv_len_field(*length);
                if *ltv {
                    let mark = lenf.begin(out);
                    out.extend_from_slice(t.as_bytes());
                    out.extend_from_slice(val);
                    lenf.finish_units(out, mark, t.len() + val.len(), loc)?;
                } else {
                    out.extend_from_slice(t.as_bytes());
                    let mark = lenf.begin(out);
                    out.extend_from_slice(val);
                    lenf.finish_units(out, mark, val.len(), loc)?;
                }
            }
            Ok(())
        }
        Subfields::BerTlv => {
            for (i, (k, v)) in entries.iter().enumerate() {
                let loc = Loc::Sub(parent, i as u16);
                let (SubKey::Tag(t), Value::Bytes(val)) = (k, v) else {
                    return Err(Error::BadValue {
                        loc,
                        reason: "BER-TLV subfields are a hex tag and bytes",
                    });
                };
                crate::tlv::write(t, val, out, loc)?;
            }
            Ok(())
        }
    }
}

fn tlv_len_field(p: crate::field::Prefix) -> FieldSpec {
    FieldSpec::new(
        0,
        "",
        crate::field::Class::B,
        crate::field::Encoding::Binary,
        999_999,
        p,
    )
}

/// Decodes a field's logical value into its value, with subfields when the spec has them.
pub(crate) fn value_of(fs: &FieldSpec, logical: &[u8], field: u16) -> Result<Value> {
    if fs.sub.is_some() {
        return Ok(Value::Sub(decode_sub_at(fs, logical, field)?));
    }
    Ok(if fs.class.is_text() {
        // Unpacking checked the content: ASCII only.
        Value::Text(String::from_utf8_lossy(logical).into_owned())
    } else {
        Value::Bytes(logical.to_vec())
    })
}

fn decode_sub(fs: &FieldSpec, logical: &[u8]) -> Result<Vec<(SubKey, Value)>> {
    decode_sub_at(fs, logical, fs.number)
}

/// Decodes subfields of a logical value. Offsets in errors are relative to the value.
pub(crate) fn decode_sub_at(fs: &FieldSpec, b: &[u8], field: u16) -> Result<Vec<(SubKey, Value)>> {
    let Some(sub) = fs.sub.as_deref() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    match sub {
        Subfields::Positional { fields } => {
            let mut pos = 0;
            for sf in fields.iter() {
                if pos == b.len() {
                    break;
                }
                let span = sf.read(b, pos, Loc::Sub(field, sf.number))?;
                let v = value_of(sf, &sf.decode(&b[span.range()], span.units as usize), field)?;
                out.push((SubKey::Id(sf.number), v));
                pos = span.end as usize;
            }
            if pos != b.len() {
                return Err(Error::Trailing {
                    offset: pos,
                    count: b.len() - pos,
                });
            }
        }
        Subfields::Bitmapped { bitmap, fields } => {
            let bm = bitmap.read(b, 0, Loc::Bitmap(1))?;
            let mut pos = bitmap.width();
            for bit in 1..=64u16 {
                if bm & (1u64 << (64 - bit)) == 0 {
                    continue;
                }
                let sf = fields
                    .iter()
                    .find(|f| f.number == bit)
                    .ok_or(Error::Undefined {
                        loc: Loc::Sub(field, bit),
                        offset: pos,
                    })?;
                let span = sf.read(b, pos, Loc::Sub(field, bit))?;
                let v = value_of(sf, &sf.decode(&b[span.range()], span.units as usize), field)?;
                out.push((SubKey::Id(bit), v));
                pos = span.end as usize;
            }
            if pos != b.len() {
                return Err(Error::Trailing {
                    offset: pos,
                    count: b.len() - pos,
                });
            }
        }
        Subfields::Tlv {
            tag_len,
            length,
            ltv,
        } => {
            let tl = *tag_len as usize;
            let lenf = tlv_len_field(*length);
            let mut pos = 0;
            let mut i = 0u16;
            while pos < b.len() {
                let loc = Loc::Sub(field, i);
                let (tag_at, val_at, val_len) = if *ltv {
                    let span = lenf_read(&lenf, b, pos, loc)?;
                    if span.1 < tl {
                        return Err(Error::BadLength {
                            loc,
                            offset: pos,
                            expected: "at least",
                            max: tl,
                            found: span.1,
                        });
                    }
                    (span.0, span.0 + tl, span.1 - tl)
                } else {
                    need(b, pos, tl, loc)?;
                    let span = lenf_read(&lenf, b, pos + tl, loc)?;
                    (pos, span.0, span.1)
                };
                need(b, val_at, val_len, loc)?;
                let tag = &b[tag_at..tag_at + tl];
                if let Some(k) = tag.iter().position(|c| !c.is_ascii()) {
                    return Err(Error::BadByte {
                        loc,
                        offset: tag_at + k,
                        expected: "an ASCII tag",
                        found: tag[k],
                    });
                }
                let val = &b[val_at..val_at + val_len];
                let v = if fs.class.is_text() {
                    Value::Text(String::from_utf8_lossy(val).into_owned())
                } else {
                    Value::Bytes(val.to_vec())
                };
                out.push((SubKey::Tag(String::from_utf8_lossy(tag).into_owned()), v));
                pos = val_at + val_len;
                i = i.saturating_add(1);
            }
        }
        Subfields::BerTlv => {
            crate::tlv::decode(b, field, &mut out)?;
        }
    }
    Ok(out)
}

fn need(b: &[u8], pos: usize, n: usize, loc: Loc) -> Result<()> {
    let avail = b.len().saturating_sub(pos);
    if avail < n {
        return Err(Error::Truncated {
            loc,
            offset: pos,
            needed: n,
            available: avail,
        });
    }
    Ok(())
}

/// Reads a TLV length prefix at `pos`: (offset after it, value).
fn lenf_read(lenf: &FieldSpec, b: &[u8], pos: usize, loc: Loc) -> Result<(usize, usize)> {
    let w = lenf.prefix.width();
    need(b, pos, w, loc)?;
    let v = lenf.prefix_value(&b[pos..pos + w], pos, loc)?;
    Ok((pos + w, v))
}
