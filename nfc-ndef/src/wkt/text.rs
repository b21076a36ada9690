//! The Text record (`urn:nfc:wkt:T`): status octet (bit 7 UTF-16, bits 5..0 language code
//! length), the IANA language code, then the text in UTF-8 or UTF-16.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Field, Result};
use crate::record::Record;

/// The text encoding of a Text record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextEncoding {
    /// UTF-8 (status bit 7 clear).
    #[default]
    Utf8,
    /// UTF-16 (status bit 7 set). Decoding honours a BOM (FFFE little-endian, FEFF big-endian;
    /// big-endian without one); encoding writes the BOM FFFE and little-endian text, as ndeflib.
    Utf16,
}

/// A decoded Text record.
///
/// ```
/// use mpay_nfc_ndef::wkt::{Text, TextEncoding};
/// let t = Text::decode(&hex::decode("82656efffe480065006c006c006f00").unwrap()).unwrap();
/// assert_eq!((t.text.as_str(), t.language.as_str(), t.encoding), ("Hello", "en", TextEncoding::Utf16));
/// assert_eq!(hex::encode(Text::new("Hello", "en").payload().unwrap()), "02656e48656c6c6f");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    /// The text.
    pub text: String,
    /// The IANA language code, e.g. `en` or `en-US` (1..=63 octets).
    pub language: String,
    /// The encoding used on the wire.
    pub encoding: TextEncoding,
}

fn bad(field: &'static str, offset: usize, reason: &'static str) -> Error {
    Error::InvalidPayload {
        record: "Text",
        field: Field::Named(field),
        offset,
        reason,
    }
}

impl Text {
    /// The record type `T`.
    pub const TYPE: &'static [u8] = b"T";

    /// A UTF-8 text in `language`.
    pub fn new(text: &str, language: &str) -> Self {
        Text {
            text: text.into(),
            language: language.into(),
            encoding: TextEncoding::Utf8,
        }
    }

    /// Decodes a Text payload.
    pub fn decode(payload: &[u8]) -> Result<Self> {
        let status = *payload.first().ok_or(Error::Truncated {
            offset: 0,
            field: Field::Named("status"),
            needed: 1,
            available: 0,
        })?;
        let lang_len = usize::from(status & 0x3F);
        if lang_len == 0 {
            return Err(bad(
                "language code",
                1,
                "language code length can not be zero",
            ));
        }
        if 1 + lang_len > payload.len() {
            return Err(bad(
                "language code",
                1,
                "language code length exceeds payload",
            ));
        }
        let language = core::str::from_utf8(&payload[1..1 + lang_len])
            .ok()
            .filter(|l| l.is_ascii())
            .ok_or_else(|| bad("language code", 1, "language code is not ASCII"))?
            .into();
        let body = &payload[1 + lang_len..];
        let at = 1 + lang_len;
        let (text, encoding) = if status & 0x80 == 0 {
            let t = core::str::from_utf8(body)
                .map_err(|_| bad("text", at, "can't be decoded as UTF-8"))?;
            (String::from(t), TextEncoding::Utf8)
        } else {
            (
                decode_utf16(body).ok_or_else(|| bad("text", at, "can't be decoded as UTF-16"))?,
                TextEncoding::Utf16,
            )
        };
        Ok(Text {
            text,
            language,
            encoding,
        })
    }

    /// Decodes the Text record `record` (which must be `urn:nfc:wkt:T`).
    pub fn from_record(record: &Record<'_>) -> Result<Self> {
        if !record.is_well_known(Self::TYPE) {
            return Err(Error::WrongType {
                expected: "urn:nfc:wkt:T",
            });
        }
        Self::decode(&record.payload)
    }

    /// Encodes the payload.
    pub fn payload(&self) -> Result<Vec<u8>> {
        let lang = self.language.as_bytes();
        if lang.is_empty() || lang.len() > 63 || !self.language.is_ascii() {
            return Err(Error::FieldTooLong {
                field: Field::Named("language code (1..=63 ASCII octets)"),
                len: lang.len(),
                max: 63,
            });
        }
        let mut out = Vec::with_capacity(1 + lang.len() + self.text.len() * 2 + 2);
        let utf16 = self.encoding == TextEncoding::Utf16;
        out.push(if utf16 { 0x80 } else { 0 } | lang.len() as u8);
        out.extend_from_slice(lang);
        if utf16 {
            out.extend_from_slice(&[0xFF, 0xFE]);
            for u in self.text.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
        } else {
            out.extend_from_slice(self.text.as_bytes());
        }
        Ok(out)
    }

    /// The Text record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(Self::TYPE, self.payload()?))
    }
}

fn decode_utf16(body: &[u8]) -> Option<String> {
    if !body.len().is_multiple_of(2) {
        return None;
    }
    let (le, body) = match body {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => (false, body),
    };
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<core::result::Result<String, _>>()
        .ok()
}
