//! Typed records: the NFC Forum well-known types, external types and the decoding of any
//! record into its typed [`Content`].

pub mod handover;
mod signature;
mod smart_poster;
mod text;
mod uri;

use alloc::string::String;

pub use handover::{Handover, HandoverCarrier, HandoverKind};
pub use signature::{
    CertificateFormat, HASH_SHA256, SignatureRecord, SignatureValue, SignedSection, VERSION_2_0,
    signature_type, signed_sections,
};
pub use smart_poster::{Action, Icon, SmartPoster};
pub use text::{Text, TextEncoding};
pub use uri::{URI_PREFIXES, Uri};

use crate::error::{Error, Field, Result};
use crate::record::{Record, Tnf};

/// The external type of an Android Application Record.
pub const ANDROID_PKG: &str = "android.com:pkg";

/// An Android Application Record (`urn:nfc:ext:android.com:pkg`) naming `package`.
///
/// ```
/// let r = mpay_nfc_ndef::wkt::android_app_record("com.example.pay");
/// assert_eq!(r.type_name(), "urn:nfc:ext:android.com:pkg");
/// assert_eq!(&*r.payload, b"com.example.pay");
/// ```
pub fn android_app_record(package: &str) -> Record<'static> {
    Record::external(ANDROID_PKG, package.as_bytes().to_vec())
}

/// The decoded content of a record whose type this crate knows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// `urn:nfc:wkt:T`
    Text(Text),
    /// `urn:nfc:wkt:U`
    Uri(Uri),
    /// `urn:nfc:wkt:Sp`
    SmartPoster(SmartPoster),
    /// `urn:nfc:wkt:Hr` or `urn:nfc:wkt:Hs`
    Handover(Handover),
    /// `urn:nfc:wkt:Hc`
    HandoverCarrier(HandoverCarrier),
    /// `urn:nfc:wkt:Sig`
    Signature(SignatureRecord),
    /// `urn:nfc:ext:android.com:pkg`: the package name.
    AndroidApp(String),
    /// TNF 3: the absolute URI that names the type.
    AbsoluteUri(String),
}

impl Content {
    /// Decodes `record` strictly if its type is known; `None` otherwise (MIME, unknown, other
    /// external or well-known types).
    ///
    /// ```
    /// use mpay_nfc_ndef::{wkt::{Content, Uri}, Record};
    /// let r = Uri::new("https://example.com").to_record();
    /// assert_eq!(Content::of(&r).unwrap().unwrap(), Content::Uri(Uri::new("https://example.com")));
    /// ```
    pub fn of(record: &Record<'_>) -> Option<Result<Content>> {
        let p = &record.payload;
        let t = &*record.record_type;
        Some(match record.tnf {
            Tnf::WellKnown => match t {
                b"T" => Text::decode(p).map(Content::Text),
                b"U" => Uri::decode(p).map(Content::Uri),
                b"Sp" => SmartPoster::decode(p).map(Content::SmartPoster),
                b"Hr" | b"Hs" => Handover::from_record(record).map(Content::Handover),
                b"Hc" => HandoverCarrier::decode(p).map(Content::HandoverCarrier),
                b"Sig" => SignatureRecord::decode(p).map(Content::Signature),
                _ => return None,
            },
            Tnf::External if t == ANDROID_PKG.as_bytes() => {
                utf8(p, "package name").map(Content::AndroidApp)
            }
            Tnf::AbsoluteUri => utf8(t, "absolute URI").map(Content::AbsoluteUri),
            _ => return None,
        })
    }
}

fn utf8(v: &[u8], field: &'static str) -> Result<String> {
    core::str::from_utf8(v)
        .map(String::from)
        .map_err(|_| Error::InvalidPayload {
            record: "record",
            field: Field::Named(field),
            offset: 0,
            reason: "not valid UTF-8",
        })
}
