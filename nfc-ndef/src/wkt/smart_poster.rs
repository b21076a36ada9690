//! The Smart Poster record (`urn:nfc:wkt:Sp`): a nested NDEF message with one URI record,
//! titles (Text records), an action (`act`), a size (`s`), a type (`t`) and icons (MIME
//! `image/*` or `video/*` records).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Field, Result};
use crate::message::{DecodeOptions, Message, Mode};
use crate::record::{Record, Tnf};
use crate::wkt::{Text, Uri};

/// The recommended action of a Smart Poster (`act` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 0: do the action (open the URI, send the SMS, …).
    Exec,
    /// 1: save for later.
    Save,
    /// 2: open for editing.
    Edit,
    /// 3..=255: reserved (kept in lenient mode only).
    Reserved(u8),
}

impl Action {
    /// The octet value.
    pub const fn value(self) -> u8 {
        match self {
            Action::Exec => 0,
            Action::Save => 1,
            Action::Edit => 2,
            Action::Reserved(v) => v,
        }
    }
}

/// An icon: a MIME type (`image/…` or `video/…`) and its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Icon {
    /// The MIME type.
    pub mime_type: String,
    /// The image or video data.
    pub data: Vec<u8>,
}

/// A decoded Smart Poster.
///
/// ```
/// use mpay_nfc_ndef::wkt::{SmartPoster, Text, Uri};
/// // libnfc's nfc-emulate-forum-tag4 default file: title "Libnfc", URI http://libnfc.org
/// let bytes = hex::decode("d1021c5370910109540265 6e4c69626e666351010b55036c69626e66632e6f7267".replace(' ', "")).unwrap();
/// let msg = mpay_nfc_ndef::Message::decode(&bytes).unwrap();
/// let sp = SmartPoster::from_record(&msg.records[0]).unwrap();
/// assert_eq!(sp.uri, Uri::new("http://libnfc.org"));
/// assert_eq!(sp.titles, [Text::new("Libnfc", "en")]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmartPoster {
    /// The URI (exactly one in strict mode).
    pub uri: Uri,
    /// Titles, typically one per language.
    pub titles: Vec<Text>,
    /// The recommended action.
    pub action: Option<Action>,
    /// Icons.
    pub icons: Vec<Icon>,
    /// Size of the referenced resource.
    pub size: Option<u32>,
    /// MIME type of the referenced resource.
    pub resource_type: Option<String>,
    /// Records of other types, kept as they were.
    pub other: Vec<Record<'static>>,
}

fn bad(offset: usize, reason: &'static str) -> Error {
    Error::InvalidPayload {
        record: "Smart Poster",
        field: Field::Payload,
        offset,
        reason,
    }
}

impl SmartPoster {
    /// The record type `Sp`.
    pub const TYPE: &'static [u8] = b"Sp";

    /// A Smart Poster for `uri`, nothing else.
    pub fn new(uri: &str) -> Self {
        SmartPoster {
            uri: Uri::new(uri),
            titles: Vec::new(),
            action: None,
            icons: Vec::new(),
            size: None,
            resource_type: None,
            other: Vec::new(),
        }
    }

    /// Decodes a Smart Poster payload strictly.
    pub fn decode(payload: &[u8]) -> Result<Self> {
        Self::decode_with(payload, DecodeOptions::default())
    }

    /// Decodes a Smart Poster payload with `options` (for the nested message).
    pub fn decode_with(payload: &[u8], options: DecodeOptions) -> Result<Self> {
        let strict = options.mode == Mode::Strict;
        let msg = Message::decode_with(payload, options)?;
        let mut uris = Vec::new();
        let mut sp = SmartPoster::new("");
        for r in msg.records {
            if r.is_well_known(Uri::TYPE) {
                uris.push(Uri::decode_with(&r.payload, options.mode)?);
            } else if r.is_well_known(Text::TYPE) {
                sp.titles.push(Text::decode(&r.payload)?);
            } else if r.is_well_known(b"act") {
                let v = match &*r.payload {
                    [v] => *v,
                    _ => return Err(bad(0, "action record payload must be 1 octet")),
                };
                sp.action = Some(match v {
                    0 => Action::Exec,
                    1 => Action::Save,
                    2 => Action::Edit,
                    v if !strict => Action::Reserved(v),
                    _ => return Err(bad(0, "reserved action value")),
                });
            } else if r.is_well_known(b"s") {
                let b: [u8; 4] = (*r.payload)
                    .try_into()
                    .map_err(|_| bad(0, "size record payload must be 4 octets"))?;
                sp.size = Some(u32::from_be_bytes(b));
            } else if r.is_well_known(b"t") {
                let t = core::str::from_utf8(&r.payload)
                    .map_err(|_| bad(0, "type record is not UTF-8"))?;
                sp.resource_type = Some(t.into());
            } else if r.tnf == Tnf::Mime
                && (r.record_type.starts_with(b"image/") || r.record_type.starts_with(b"video/"))
            {
                sp.icons.push(Icon {
                    mime_type: String::from_utf8_lossy(&r.record_type).into_owned(),
                    data: r.payload.into_owned(),
                });
            } else {
                sp.other.push(r.into_owned());
            }
        }
        if strict && uris.len() != 1 {
            return Err(bad(0, "payload must contain exactly one URI record"));
        }
        sp.uri = uris
            .into_iter()
            .next()
            .ok_or_else(|| bad(0, "payload has no URI record"))?;
        Ok(sp)
    }

    /// Decodes the Smart Poster record `record` (which must be `urn:nfc:wkt:Sp`).
    pub fn from_record(record: &Record<'_>) -> Result<Self> {
        if !record.is_well_known(Self::TYPE) {
            return Err(Error::WrongType {
                expected: "urn:nfc:wkt:Sp",
            });
        }
        Self::decode(&record.payload)
    }

    /// Encodes the payload: URI, titles, action, icons, size, type, then the other records (the
    /// order ndeflib uses).
    pub fn payload(&self) -> Result<Vec<u8>> {
        let mut records = Vec::new();
        records.push(self.uri.to_record());
        for t in &self.titles {
            records.push(t.to_record()?);
        }
        if let Some(a) = self.action {
            records.push(Record::well_known(&b"act"[..], alloc::vec![a.value()]));
        }
        for i in &self.icons {
            records.push(Record::mime(&i.mime_type, i.data.clone()));
        }
        if let Some(s) = self.size {
            records.push(Record::well_known(&b"s"[..], s.to_be_bytes().to_vec()));
        }
        if let Some(t) = &self.resource_type {
            records.push(Record::well_known(&b"t"[..], t.as_bytes().to_vec()));
        }
        records.extend(self.other.iter().cloned());
        Message::from(records).encode()
    }

    /// The Smart Poster record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(Self::TYPE, self.payload()?))
    }
}
