//! NDEF records: the header octet, the wire form of one record ([`RawRecord`]) and the logical
//! record ([`Record`]), borrowed when decoded and owned when built.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::error::{Error, Field, Result};

/// Message Begin: set on the first record of a message.
pub const MB: u8 = 0x80;
/// Message End: set on the last record of a message.
pub const ME: u8 = 0x40;
/// Chunk Flag: set on every chunk of a chunked record except the last.
pub const CF: u8 = 0x20;
/// Short Record: PAYLOAD_LENGTH is one octet.
pub const SR: u8 = 0x10;
/// ID Length present.
pub const IL: u8 = 0x08;

/// Type Name Format: how the TYPE field is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Tnf {
    /// 0: an empty record (no TYPE, ID or PAYLOAD).
    Empty = 0,
    /// 1: NFC Forum well-known type (`urn:nfc:wkt:`), e.g. `T`, `U`, `Sp`, `Sig`.
    WellKnown = 1,
    /// 2: a MIME media type (RFC 2046), e.g. `text/plain`.
    Mime = 2,
    /// 3: an absolute URI (RFC 3986) naming the type.
    AbsoluteUri = 3,
    /// 4: NFC Forum external type (`urn:nfc:ext:`), e.g. `android.com:pkg`.
    External = 4,
    /// 5: unknown payload type (no TYPE).
    Unknown = 5,
    /// 6: unchanged — only in the continuation chunks of a chunked record.
    Unchanged = 6,
    /// 7: reserved.
    Reserved = 7,
}

impl Tnf {
    /// The TNF of the low three bits of `v`.
    ///
    /// ```
    /// use mpay_nfc_ndef::Tnf;
    /// assert_eq!(Tnf::from_bits(0xD1), Tnf::WellKnown);
    /// ```
    pub const fn from_bits(v: u8) -> Tnf {
        match v & 7 {
            0 => Tnf::Empty,
            1 => Tnf::WellKnown,
            2 => Tnf::Mime,
            3 => Tnf::AbsoluteUri,
            4 => Tnf::External,
            5 => Tnf::Unknown,
            6 => Tnf::Unchanged,
            _ => Tnf::Reserved,
        }
    }

    /// A short lowercase name ("empty", "well-known", "mime", "absolute-uri", "external",
    /// "unknown", "unchanged", "reserved").
    pub const fn name(self) -> &'static str {
        match self {
            Tnf::Empty => "empty",
            Tnf::WellKnown => "well-known",
            Tnf::Mime => "mime",
            Tnf::AbsoluteUri => "absolute-uri",
            Tnf::External => "external",
            Tnf::Unknown => "unknown",
            Tnf::Unchanged => "unchanged",
            Tnf::Reserved => "reserved",
        }
    }
}

/// One record exactly as it appears on the wire (a whole record or one chunk), borrowing from
/// the input. `offset..offset + len` is its span in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// The header octet: flags and TNF.
    pub header: u8,
    /// The TYPE field.
    pub record_type: &'a [u8],
    /// The ID field (empty when IL is clear).
    pub id: &'a [u8],
    /// The PAYLOAD field.
    pub payload: &'a [u8],
    /// Offset of the header octet in the message.
    pub offset: usize,
    /// Encoded length of the record.
    pub len: usize,
}

impl RawRecord<'_> {
    /// The TNF.
    pub const fn tnf(&self) -> Tnf {
        Tnf::from_bits(self.header)
    }
    /// Message Begin.
    pub const fn mb(&self) -> bool {
        self.header & MB != 0
    }
    /// Message End.
    pub const fn me(&self) -> bool {
        self.header & ME != 0
    }
    /// Chunk Flag.
    pub const fn cf(&self) -> bool {
        self.header & CF != 0
    }
    /// Short Record.
    pub const fn sr(&self) -> bool {
        self.header & SR != 0
    }
    /// ID Length present.
    pub const fn il(&self) -> bool {
        self.header & IL != 0
    }
}

fn take(input: &[u8], pos: usize, n: usize, field: Field) -> Result<&[u8]> {
    let available = input.len().saturating_sub(pos);
    if available < n {
        return Err(Error::Truncated {
            offset: pos,
            field,
            needed: n,
            available,
        });
    }
    Ok(&input[pos..pos + n])
}

/// Checks the TNF-specific rules on the length fields (both modes enforce them, as ndeflib's
/// "relax" does; TNF 7 is only accepted when `allow_reserved`).
fn check_tnf_rules(
    offset: usize,
    tnf: Tnf,
    type_len: usize,
    id_len: usize,
    payload_len: u64,
    allow_reserved: bool,
) -> Result<()> {
    let rule = |field, rule| Error::TnfRule {
        offset,
        tnf: tnf as u8,
        field,
        rule,
    };
    match tnf {
        Tnf::Empty => {
            if type_len != 0 {
                return Err(rule(Field::TypeLength, "0"));
            }
            if id_len != 0 {
                return Err(rule(Field::IdLength, "0"));
            }
            if payload_len != 0 {
                return Err(rule(Field::PayloadLength, "0"));
            }
        }
        Tnf::WellKnown | Tnf::Mime | Tnf::AbsoluteUri | Tnf::External => {
            if type_len == 0 {
                return Err(rule(Field::TypeLength, "> 0"));
            }
        }
        Tnf::Unknown | Tnf::Unchanged => {
            if type_len != 0 {
                return Err(rule(Field::TypeLength, "0"));
            }
        }
        Tnf::Reserved => {
            if !allow_reserved {
                return Err(Error::ReservedTnf { offset });
            }
        }
    }
    Ok(())
}

/// Parses the record starting at `offset` in `input`: structure, the TNF rules and the size cap
/// (the declared PAYLOAD_LENGTH is compared with `max_size` before anything else is read).
pub(crate) fn parse_raw(
    input: &[u8],
    offset: usize,
    max_size: usize,
    allow_reserved: bool,
) -> Result<RawRecord<'_>> {
    let header = take(input, offset, 1, Field::Header)?[0];
    let tnf = Tnf::from_bits(header);
    if tnf == Tnf::Reserved && !allow_reserved {
        return Err(Error::ReservedTnf { offset });
    }
    let sr = header & SR != 0;
    let il = header & IL != 0;
    let fixed = 1 + if sr { 1 } else { 4 } + usize::from(il);
    let lens = take(input, offset + 1, fixed, Field::Named("length fields"))?;
    let type_len = usize::from(lens[0]);
    let (payload_len, rest) = if sr {
        (u64::from(lens[1]), &lens[2..])
    } else {
        (
            u64::from(u32::from_be_bytes([lens[1], lens[2], lens[3], lens[4]])),
            &lens[5..],
        )
    };
    let id_len = if il { usize::from(rest[0]) } else { 0 };
    check_tnf_rules(offset, tnf, type_len, id_len, payload_len, allow_reserved)?;
    if payload_len > max_size as u64 {
        return Err(Error::TooLarge {
            offset,
            size: payload_len,
            limit: max_size,
        });
    }
    let payload_len = payload_len as usize; // <= max_size, fits
    let mut pos = offset + 1 + fixed;
    let record_type = take(input, pos, type_len, Field::Type)?;
    pos += type_len;
    let id = take(input, pos, id_len, Field::Id)?;
    pos += id_len;
    let payload = take(input, pos, payload_len, Field::Payload)?;
    pos += payload_len;
    Ok(RawRecord {
        header,
        record_type,
        id,
        payload,
        offset,
        len: pos - offset,
    })
}

/// Appends one wire record (a whole record or a chunk) to `out`. SR and IL are derived from the
/// lengths; `flags` supplies MB, ME and CF. No TNF rule is checked: this is the building block
/// for chunk sequences and test messages; [`crate::Message::encode`] is the checked encoder.
///
/// ```
/// use mpay_nfc_ndef::{record::{write_raw, MB, CF}, Tnf};
/// let mut out = Vec::new();
/// write_raw(&mut out, MB | CF, Tnf::Unknown, b"", b"", b"abc").unwrap();
/// assert_eq!(out, [0xB5, 0x00, 0x03, b'a', b'b', b'c']);
/// ```
pub fn write_raw(
    out: &mut Vec<u8>,
    flags: u8,
    tnf: Tnf,
    record_type: &[u8],
    id: &[u8],
    payload: &[u8],
) -> Result<()> {
    if record_type.len() > 255 {
        return Err(Error::FieldTooLong {
            field: Field::Type,
            len: record_type.len(),
            max: 255,
        });
    }
    if id.len() > 255 {
        return Err(Error::FieldTooLong {
            field: Field::Id,
            len: id.len(),
            max: 255,
        });
    }
    let payload_len = u32::try_from(payload.len()).map_err(|_| Error::FieldTooLong {
        field: Field::Payload,
        len: payload.len(),
        max: u32::MAX as usize,
    })?;
    let short = payload_len < 256;
    let mut header = (flags & (MB | ME | CF)) | tnf as u8;
    if short {
        header |= SR;
    }
    // ID_LENGTH is written whenever an ID is present (never for chunk continuations).
    if !id.is_empty() {
        header |= IL;
    }
    out.reserve(6 + 1 + record_type.len() + id.len() + payload.len());
    out.push(header);
    out.push(record_type.len() as u8);
    if short {
        out.push(payload_len as u8);
    } else {
        out.extend_from_slice(&payload_len.to_be_bytes());
    }
    if !id.is_empty() {
        out.push(id.len() as u8);
    }
    out.extend_from_slice(record_type);
    out.extend_from_slice(id);
    out.extend_from_slice(payload);
    Ok(())
}

/// A logical NDEF record (chunks already reassembled). Decoding borrows from the input wherever
/// it can (`Cow::Borrowed`); building uses owned data. Encoding sets SR and IL automatically.
///
/// ```
/// use mpay_nfc_ndef::{Record, Tnf};
/// let r = Record::mime("text/plain", b"hi".to_vec()).with_id(b"x".to_vec());
/// assert_eq!(r.tnf, Tnf::Mime);
/// assert_eq!(&*r.record_type, b"text/plain");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// Type Name Format.
    pub tnf: Tnf,
    /// The TYPE field (its meaning depends on `tnf`).
    pub record_type: Cow<'a, [u8]>,
    /// The ID field (empty when absent).
    pub id: Cow<'a, [u8]>,
    /// The PAYLOAD.
    pub payload: Cow<'a, [u8]>,
}

impl<'a> Record<'a> {
    /// A record from its parts.
    pub fn new(
        tnf: Tnf,
        record_type: impl Into<Cow<'a, [u8]>>,
        id: impl Into<Cow<'a, [u8]>>,
        payload: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        Record {
            tnf,
            record_type: record_type.into(),
            id: id.into(),
            payload: payload.into(),
        }
    }

    /// The empty record (TNF 0).
    pub fn empty() -> Self {
        Record::new(Tnf::Empty, &[][..], &[][..], &[][..])
    }

    /// An NFC Forum well-known type record (TNF 1), e.g. type `b"U"`.
    pub fn well_known(
        record_type: impl Into<Cow<'a, [u8]>>,
        payload: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        Record::new(Tnf::WellKnown, record_type, &[][..], payload)
    }

    /// A MIME record (TNF 2) of media type `media_type`.
    pub fn mime(media_type: &str, payload: impl Into<Cow<'a, [u8]>>) -> Self {
        Record::new(Tnf::Mime, media_type.as_bytes().to_vec(), &[][..], payload)
    }

    /// An absolute-URI record (TNF 3): the URI names the type, the payload is typically empty.
    pub fn absolute_uri(uri: &str, payload: impl Into<Cow<'a, [u8]>>) -> Self {
        Record::new(Tnf::AbsoluteUri, uri.as_bytes().to_vec(), &[][..], payload)
    }

    /// An NFC Forum external type record (TNF 4); `domain_type` is `domain:type`, e.g.
    /// `android.com:pkg`.
    pub fn external(domain_type: &str, payload: impl Into<Cow<'a, [u8]>>) -> Self {
        Record::new(
            Tnf::External,
            domain_type.as_bytes().to_vec(),
            &[][..],
            payload,
        )
    }

    /// An unknown-type record (TNF 5).
    pub fn unknown(payload: impl Into<Cow<'a, [u8]>>) -> Self {
        Record::new(Tnf::Unknown, &[][..], &[][..], payload)
    }

    /// Sets the ID field.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<Cow<'a, [u8]>>) -> Self {
        self.id = id.into();
        self
    }

    /// True when this is a well-known record of type `t`.
    pub fn is_well_known(&self, t: &[u8]) -> bool {
        self.tnf == Tnf::WellKnown && &*self.record_type == t
    }

    /// The type as a string in ndeflib's notation: `urn:nfc:wkt:T`, `text/plain`,
    /// `urn:nfc:ext:android.com:pkg`, `unknown`, `unchanged`, or `""` for empty records. Bytes that
    /// are not UTF-8 are replaced.
    pub fn type_name(&self) -> alloc::string::String {
        use alloc::string::String;
        let t = String::from_utf8_lossy(&self.record_type);
        match self.tnf {
            Tnf::Empty => String::new(),
            Tnf::WellKnown => alloc::format!("urn:nfc:wkt:{t}"),
            Tnf::Mime | Tnf::AbsoluteUri => t.into_owned(),
            Tnf::External => alloc::format!("urn:nfc:ext:{t}"),
            Tnf::Unknown => String::from("unknown"),
            Tnf::Unchanged => String::from("unchanged"),
            Tnf::Reserved => String::from("reserved"),
        }
    }

    /// A copy that owns its data.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            tnf: self.tnf,
            record_type: Cow::Owned(self.record_type.into_owned()),
            id: Cow::Owned(self.id.into_owned()),
            payload: Cow::Owned(self.payload.into_owned()),
        }
    }

    /// Checks the rules a record must meet to be encoded: TNF 0 has no TYPE/ID/PAYLOAD, TNF 1–4
    /// have a TYPE, TNF 5 has none, TNF 6 and 7 are never encoded as records of their own.
    pub fn validate(&self) -> Result<()> {
        match self.tnf {
            Tnf::Unchanged => Err(Error::Chunk {
                offset: 0,
                rule: "TNF unchanged is only allowed in a chunk continuation",
            }),
            Tnf::Reserved => Err(Error::ReservedTnf { offset: 0 }),
            tnf => check_tnf_rules(
                0,
                tnf,
                self.record_type.len(),
                self.id.len(),
                self.payload.len() as u64,
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_where() {
        // second record truncated inside its PAYLOAD: the offset is the field's
        let input = [0x95, 0x00, 0x01, 0xAA, 0x55, 0x00, 0x05, 0x01];
        assert_eq!(parse_raw(&input, 0, 100, false).unwrap().len, 4);
        assert_eq!(
            parse_raw(&input, 4, 100, false),
            Err(Error::Truncated {
                offset: 7,
                field: Field::Payload,
                needed: 5,
                available: 1
            })
        );
        assert_eq!(
            parse_raw(&[0x11, 0x00, 0x00], 0, 100, false),
            Err(Error::TnfRule {
                offset: 0,
                tnf: 1,
                field: Field::TypeLength,
                rule: "> 0"
            })
        );
    }

    #[test]
    fn long_record_length_field() {
        let mut out = Vec::new();
        write_raw(&mut out, MB | ME, Tnf::Unknown, &[], &[], &[7; 300]).unwrap();
        assert_eq!(&out[..6], &[0xC5, 0x00, 0x00, 0x00, 0x01, 0x2C]);
        let r = parse_raw(&out, 0, 300, false).unwrap();
        assert_eq!((r.sr(), r.payload.len(), r.len), (false, 300, 306));
        assert!(matches!(
            parse_raw(&out, 0, 299, false),
            Err(Error::TooLarge { size: 300, .. })
        ));
    }
}
