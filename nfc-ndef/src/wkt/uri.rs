//! The URI record (`urn:nfc:wkt:U`): one identifier code (a prefix from a 36-entry table) and
//! the rest of the URI in UTF-8.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Field, Result};
use crate::message::Mode;
use crate::record::Record;

/// The URI identifier codes 0x00..=0x23 and their prefixes (NFC Forum URI RTD; the same table
/// as ndeflib and Android). Codes 0x24..=0xFF are reserved.
pub const URI_PREFIXES: [&str; 36] = [
    "",
    "http://www.",
    "https://www.",
    "http://",
    "https://",
    "tel:",
    "mailto:",
    "ftp://anonymous:anonymous@",
    "ftp://ftp.",
    "ftps://",
    "sftp://",
    "smb://",
    "nfs://",
    "ftp://",
    "dav://",
    "news:",
    "telnet://",
    "imap:",
    "rtsp://",
    "urn:",
    "pop:",
    "sip:",
    "sips:",
    "tftp:",
    "btspp://",
    "btl2cap://",
    "btgoep://",
    "tcpobex://",
    "irdaobex://",
    "file://",
    "urn:epc:id:",
    "urn:epc:tag:",
    "urn:epc:pat:",
    "urn:epc:raw:",
    "urn:epc:",
    "urn:nfc:",
];

/// A decoded URI record.
///
/// ```
/// use mpay_nfc_ndef::wkt::Uri;
/// let u = Uri::new("urn:nfc:x");
/// // longest match: 0x23 "urn:nfc:", not 0x13 "urn:"
/// assert_eq!(u.payload(), [0x23, b'x']);
/// assert_eq!(Uri::decode(&[0x13, b'n', b'f', b'c', b':', b'x']).unwrap(), u);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri {
    /// The full URI (prefix expanded).
    pub uri: String,
}

fn bad(offset: usize, reason: &'static str) -> Error {
    Error::InvalidPayload {
        record: "URI",
        field: Field::Named("URI field"),
        offset,
        reason,
    }
}

impl Uri {
    /// The record type `U`.
    pub const TYPE: &'static [u8] = b"U";

    /// A URI.
    pub fn new(uri: &str) -> Self {
        Uri { uri: uri.into() }
    }

    /// Decodes a URI payload strictly (reserved codes are errors).
    pub fn decode(payload: &[u8]) -> Result<Self> {
        Self::decode_with(payload, Mode::Strict)
    }

    /// Decodes a URI payload; in lenient mode a reserved code means "no prefix".
    pub fn decode_with(payload: &[u8], mode: Mode) -> Result<Self> {
        let code = *payload.first().ok_or(Error::Truncated {
            offset: 0,
            field: Field::Named("identifier code"),
            needed: 1,
            available: 0,
        })?;
        let prefix = match URI_PREFIXES.get(usize::from(code)) {
            Some(p) => *p,
            None if mode == Mode::Lenient => "",
            None => {
                return Err(Error::InvalidPayload {
                    record: "URI",
                    field: Field::Named("identifier code"),
                    offset: 0,
                    reason: "reserved URI identifier code",
                });
            }
        };
        let rest = core::str::from_utf8(&payload[1..])
            .map_err(|_| bad(1, "URI field is not valid UTF-8 data"))?;
        if let Some(i) = rest.bytes().position(|b| b <= 31) {
            return Err(bad(1 + i, "URI field contains invalid characters"));
        }
        let mut uri = String::with_capacity(prefix.len() + rest.len());
        uri.push_str(prefix);
        uri.push_str(rest);
        Ok(Uri { uri })
    }

    /// Decodes the URI record `record` (which must be `urn:nfc:wkt:U`).
    pub fn from_record(record: &Record<'_>) -> Result<Self> {
        if !record.is_well_known(Self::TYPE) {
            return Err(Error::WrongType {
                expected: "urn:nfc:wkt:U",
            });
        }
        Self::decode(&record.payload)
    }

    /// The identifier code of the longest table prefix of `uri` (0 when none matches).
    pub fn prefix_code(uri: &str) -> u8 {
        let mut best = 0usize;
        for (i, p) in URI_PREFIXES.iter().enumerate().skip(1) {
            if uri.starts_with(p) && p.len() > URI_PREFIXES[best].len() {
                best = i;
            }
        }
        best as u8
    }

    /// Encodes the payload with the longest matching prefix.
    pub fn payload(&self) -> Vec<u8> {
        let code = Self::prefix_code(&self.uri);
        let rest = &self.uri.as_bytes()[URI_PREFIXES[usize::from(code)].len()..];
        let mut out = Vec::with_capacity(1 + rest.len());
        out.push(code);
        out.extend_from_slice(rest);
        out
    }

    /// The URI record.
    pub fn to_record(&self) -> Record<'static> {
        Record::well_known(Self::TYPE, self.payload())
    }
}
