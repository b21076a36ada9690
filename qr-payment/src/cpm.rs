//! EMVCo QR Code Specification for Payment Systems, **Consumer-Presented Mode** (CPM): the
//! consumer's phone shows a QR code holding BER-TLV data (encoded with `mpay-emv-tlv`), in base64.
//!
//! Layout checked by [`ConsumerPayload::parse`]: the payload format indicator `85` = `"CPV01"`
//! first; then one or more application templates `61` (each with an ADF name `4F`, optionally an
//! application-specific transparent template `63`); then at most one common data template `62`
//! (optionally holding a common data transparent template `64`). Nothing else at the top level,
//! no padding, minimal lengths.
//!
//! ```
//! use mpay_qr_payment::cpm::{ConsumerPayload, decode_base64};
//!
//! // The example of the EMVCo CPM specification.
//! let b64 = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";
//! let bytes = decode_base64(b64)?;
//! let qr = ConsumerPayload::parse(&bytes)?;
//! assert_eq!(qr.applications().count(), 2);
//! assert_eq!(qr.find(0x5F20), Some(&b"CARDHOLDER/EMV"[..]));
//! assert_eq!(qr.find(0x9F26), Some(&[0x58, 0x4F, 0xD3, 0x85, 0xFA, 0x23, 0x4B, 0xCC][..]));
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

use crate::Error;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use base64::Engine as _;
use core::fmt;
use mpay_emv_tlv::{Options, Tag, Tlv, TlvWrite, dictionary};

/// The BER-TLV crate this module parses with (for its dictionary and walkers).
pub use mpay_emv_tlv;

/// Tag `85`: Payload Format Indicator.
pub const PAYLOAD_FORMAT_INDICATOR: u32 = 0x85;
/// Tag `61`: Application Template.
pub const APPLICATION_TEMPLATE: u32 = 0x61;
/// Tag `62`: Common Data Template.
pub const COMMON_DATA_TEMPLATE: u32 = 0x62;
/// Tag `63`: Application Specific Transparent Template.
pub const APPLICATION_TRANSPARENT_TEMPLATE: u32 = 0x63;
/// Tag `64`: Common Data Transparent Template.
pub const COMMON_TRANSPARENT_TEMPLATE: u32 = 0x64;
/// Tag `4F`: Application Definition File (ADF) Name.
pub const ADF_NAME: u32 = 0x4F;
/// The only payload format: `CPV01`.
pub const CPV01: &[u8] = b"CPV01";

/// Largest CPM payload accepted (a QR code holds at most 2953 bytes).
pub const MAX_PAYLOAD: usize = 4096;

fn tlv_err(e: mpay_emv_tlv::Error) -> Error {
    Error::Tlv {
        what: e.to_string(),
    }
}

fn options() -> Options {
    Options::strict_ber().max_depth(3)
}

/// Decodes the base64 text of a CPM QR code (standard alphabet, padding optional).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, Error> {
    let text = text.trim();
    if text.len() > MAX_PAYLOAD * 4 / 3 + 4 {
        return Err(Error::Base64 {
            what: "longer than any QR code".into(),
        });
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text).map_err(|e| Error::Base64 {
        what: e.to_string(),
    })
}

/// Encodes CPM bytes as the base64 text of the QR code (standard alphabet, padded).
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A parsed consumer-presented payload, borrowing the decoded bytes.
#[derive(Clone)]
pub struct ConsumerPayload<'a> {
    bytes: &'a [u8],
    top: Vec<Tlv<'a>>,
}

impl fmt::Debug for ConsumerPayload<'_> {
    /// Lists every object with its value masked by the EMV dictionary (PAN, track 2, name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for t in mpay_emv_tlv::Walk::new(self.bytes, options()).flatten() {
            if !t.is_constructed() {
                l.entry(&format_args!(
                    "{} {}",
                    t.tag(),
                    dictionary::masked(t.tag(), t.value())
                ));
            }
        }
        l.finish()
    }
}

fn cpm_err(tag: Tag, offset: usize, reason: &'static str) -> Error {
    Error::Cpm {
        tag: tag.value(),
        offset,
        reason,
    }
}

impl<'a> ConsumerPayload<'a> {
    /// Parses and checks decoded CPM bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_PAYLOAD {
            return Err(cpm_err(Tag::new(0), 0, "payload longer than any QR code"));
        }
        mpay_emv_tlv::validate(bytes, options()).map_err(tlv_err)?;
        let top: Vec<Tlv<'a>> = options()
            .iter(bytes)
            .collect::<Result<_, _>>()
            .map_err(tlv_err)?;
        let Some(first) = top.first() else {
            return Err(cpm_err(
                Tag::new(PAYLOAD_FORMAT_INDICATOR),
                0,
                "empty payload",
            ));
        };
        if first.tag().value() != PAYLOAD_FORMAT_INDICATOR {
            return Err(cpm_err(
                first.tag(),
                0,
                "the payload format indicator 85 must come first",
            ));
        }
        if first.value() != CPV01 {
            return Err(cpm_err(
                first.tag(),
                0,
                "payload format indicator must be CPV01",
            ));
        }
        let mut apps = 0;
        let mut common = false;
        for t in &top[1..] {
            match t.tag().value() {
                APPLICATION_TEMPLATE => {
                    if common {
                        return Err(cpm_err(
                            t.tag(),
                            t.offset(),
                            "application template after the common data template",
                        ));
                    }
                    apps += 1;
                    check_template(t, APPLICATION_TRANSPARENT_TEMPLATE)?;
                    let has_adf = t
                        .children(options())
                        .flatten()
                        .any(|c| c.tag().value() == ADF_NAME);
                    if !has_adf {
                        return Err(cpm_err(
                            t.tag(),
                            t.offset(),
                            "application template without ADF name 4F",
                        ));
                    }
                }
                COMMON_DATA_TEMPLATE => {
                    if common {
                        return Err(cpm_err(t.tag(), t.offset(), "second common data template"));
                    }
                    common = true;
                    check_template(t, COMMON_TRANSPARENT_TEMPLATE)?;
                }
                PAYLOAD_FORMAT_INDICATOR => {
                    return Err(cpm_err(
                        t.tag(),
                        t.offset(),
                        "second payload format indicator",
                    ));
                }
                _ => return Err(cpm_err(t.tag(), t.offset(), "not allowed at the top level")),
            }
        }
        if apps == 0 {
            return Err(cpm_err(
                Tag::new(APPLICATION_TEMPLATE),
                bytes.len(),
                "no application template",
            ));
        }
        Ok(ConsumerPayload { bytes, top })
    }

    /// The bytes parsed.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The top-level objects (`85`, `61`…, `62`).
    pub fn objects(&self) -> &[Tlv<'a>] {
        &self.top
    }

    /// The application templates `61`, in order.
    pub fn applications(&self) -> impl Iterator<Item = Application<'a>> + '_ {
        self.top
            .iter()
            .filter(|t| t.tag().value() == APPLICATION_TEMPLATE)
            .map(|t| Application { tlv: *t })
    }

    /// The common data template `62`.
    pub fn common_data(&self) -> Option<Tlv<'a>> {
        self.top
            .iter()
            .copied()
            .find(|t| t.tag().value() == COMMON_DATA_TEMPLATE)
    }

    /// Every object, depth-first, as the TLV codec sees it (for listing; use
    /// `mpay_emv_tlv::dictionary::masked` to print values).
    pub fn walk(&self) -> impl Iterator<Item = Tlv<'a>> + use<'a> {
        mpay_emv_tlv::Walk::new(self.bytes, options()).flatten()
    }

    /// The first primitive value with `tag`, anywhere in the payload.
    pub fn find(&self, tag: u32) -> Option<&'a [u8]> {
        mpay_emv_tlv::Walk::new(self.bytes, options())
            .flatten()
            .find(|t| t.tag().value() == tag && !t.is_constructed())
            .map(|t| t.value())
    }

    /// An owned builder with the same content: `to_builder().build()` gives back the bytes.
    pub fn to_builder(&self) -> ConsumerPayloadBuilder {
        let fields = |t: &Tlv<'_>, inner: u32| {
            let mut f = Vec::new();
            let mut transparent = None;
            for c in t.children(options()).flatten() {
                if c.tag().value() == inner {
                    transparent = Some(
                        c.children(options())
                            .flatten()
                            .map(|g| (g.tag().value(), g.value().to_vec()))
                            .collect(),
                    );
                } else {
                    f.push((c.tag().value(), c.value().to_vec()));
                }
            }
            Template {
                fields: f,
                transparent,
            }
        };
        let mut b = ConsumerPayloadBuilder::default();
        for t in &self.top[1..] {
            match t.tag().value() {
                APPLICATION_TEMPLATE => b
                    .applications
                    .push(fields(t, APPLICATION_TRANSPARENT_TEMPLATE)),
                _ => b.common = Some(fields(t, COMMON_TRANSPARENT_TEMPLATE)),
            }
        }
        b
    }
}

/// Checks a template's children: primitives, plus at most one transparent template `inner`
/// (itself holding primitives only).
fn check_template(t: &Tlv<'_>, inner: u32) -> Result<(), Error> {
    let mut seen_inner = false;
    for c in t.children(options()) {
        let c = c.map_err(tlv_err)?;
        if c.is_constructed() {
            if c.tag().value() != inner || seen_inner {
                return Err(cpm_err(c.tag(), c.offset(), "unexpected template"));
            }
            seen_inner = true;
            for g in c.children(options()) {
                let g = g.map_err(tlv_err)?;
                if g.is_constructed() {
                    return Err(cpm_err(g.tag(), g.offset(), "templates nest too deep"));
                }
            }
        }
    }
    Ok(())
}

/// One application template `61`.
#[derive(Clone, Copy)]
pub struct Application<'a> {
    tlv: Tlv<'a>,
}

impl fmt::Debug for Application<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("adf_name", &self.adf_name().map(Hex))
            .field("label", &self.label())
            .finish()
    }
}

struct Hex<'a>(&'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

impl<'a> Application<'a> {
    /// The template itself.
    pub fn tlv(&self) -> Tlv<'a> {
        self.tlv
    }

    /// A primitive value of the template (or of its transparent template `63`).
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        mpay_emv_tlv::Walk::new(self.tlv.value(), options())
            .flatten()
            .find(|t| t.tag().value() == tag && !t.is_constructed())
            .map(|t| t.value())
    }

    /// `4F` ADF name (the AID).
    pub fn adf_name(&self) -> Option<&'a [u8]> {
        self.get(ADF_NAME)
    }

    /// `50` Application Label, when it is text.
    pub fn label(&self) -> Option<&'a str> {
        self.get(0x50).and_then(|v| core::str::from_utf8(v).ok())
    }
}

/// The primitive objects of a template, and of its transparent template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    /// `(tag, value)` in order.
    pub fields: Vec<(u32, Vec<u8>)>,
    /// The transparent template (`63` in an application template, `64` in the common data
    /// template), last in the template.
    pub transparent: Option<Vec<(u32, Vec<u8>)>>,
}

/// Builds a CPM payload: `85 CPV01`, the application templates, the common data template.
///
/// ```
/// use mpay_qr_payment::cpm::{ConsumerPayload, ConsumerPayloadBuilder, Template};
///
/// let bytes = ConsumerPayloadBuilder::new()
///     .application(Template {
///         fields: vec![(0x4F, vec![0xA0, 0, 0, 3, 0x33, 1, 1, 1]), (0x50, b"UnionPay".to_vec())],
///         transparent: None,
///     })
///     .build()?;
/// let qr = ConsumerPayload::parse(&bytes)?;
/// assert_eq!(qr.applications().next().unwrap().label(), Some("UnionPay"));
/// # Ok::<(), mpay_qr_payment::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerPayloadBuilder {
    /// Application templates `61`.
    pub applications: Vec<Template>,
    /// Common data template `62`.
    pub common: Option<Template>,
}

fn write_template<W: TlvWrite>(
    w: &mut W,
    tag: u32,
    inner: u32,
    t: &Template,
) -> Result<(), mpay_emv_tlv::Error> {
    w.constructed(Tag::new(tag), |w| {
        for (tag, v) in &t.fields {
            w.primitive(Tag::new(*tag), v)?;
        }
        if let Some(tr) = &t.transparent {
            w.constructed(Tag::new(inner), |w| {
                for (tag, v) in tr {
                    w.primitive(Tag::new(*tag), v)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

impl ConsumerPayloadBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an application template.
    pub fn application(mut self, t: Template) -> Self {
        self.applications.push(t);
        self
    }

    /// Sets the common data template.
    pub fn common_data(mut self, t: Template) -> Self {
        self.common = Some(t);
        self
    }

    /// The BER-TLV bytes, checked with [`ConsumerPayload::parse`].
    pub fn build(&self) -> Result<Vec<u8>, Error> {
        let mut out: Vec<u8> = Vec::new();
        out.primitive(Tag::new(PAYLOAD_FORMAT_INDICATOR), CPV01)
            .map_err(tlv_err)?;
        for a in &self.applications {
            write_template(
                &mut out,
                APPLICATION_TEMPLATE,
                APPLICATION_TRANSPARENT_TEMPLATE,
                a,
            )
            .map_err(tlv_err)?;
        }
        if let Some(c) = &self.common {
            write_template(
                &mut out,
                COMMON_DATA_TEMPLATE,
                COMMON_TRANSPARENT_TEMPLATE,
                c,
            )
            .map_err(tlv_err)?;
        }
        ConsumerPayload::parse(&out)?;
        Ok(out)
    }

    /// The base64 text for the QR code.
    pub fn build_base64(&self) -> Result<String, Error> {
        Ok(encode_base64(&self.build()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";
    const SPEC_HEX: &str = "85054350563031\
        61134F07A0000000555555500850726F6475637431\
        61134F07A0000000666666500850726F6475637432\
        62495A0812345678901234585F200E43415244484F4C4445522F454D565F2D08727565736465656E\
        64219F100706010A030000009F2608584FD385FA234BCC9F360200019F37046D58EF13";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn spec_example_decodes_to_its_tags() {
        let bytes = decode_base64(SPEC).unwrap();
        assert_eq!(bytes.len(), 124);
        assert_eq!(bytes, unhex(SPEC_HEX));
        let qr = ConsumerPayload::parse(&bytes).unwrap();
        let apps: Vec<_> = qr
            .applications()
            .map(|a| (a.adf_name().unwrap().to_vec(), a.label().unwrap()))
            .collect();
        assert_eq!(
            apps,
            [
                (unhex("A0000000555555"), "Product1"),
                (unhex("A0000000666666"), "Product2"),
            ]
        );
        assert_eq!(qr.find(0x5A), Some(&unhex("1234567890123458")[..]));
        assert_eq!(qr.find(0x5F2D), Some(&b"ruesdeen"[..]));
        assert_eq!(qr.find(0x9F10), Some(&unhex("06010A03000000")[..]));
        assert_eq!(qr.find(0x9F36), Some(&[0x00, 0x01][..]));
        assert_eq!(qr.find(0x9F37), Some(&unhex("6D58EF13")[..]));
        // The PAN is masked in Debug.
        let dbg = format!("{qr:?}");
        assert!(!dbg.contains("1234567890123458"), "{dbg}");
        // Round trip through the builder and base64.
        assert_eq!(qr.to_builder().build().unwrap(), bytes);
        assert_eq!(qr.to_builder().build_base64().unwrap(), SPEC);
    }

    #[test]
    fn layout_errors() {
        let cases: &[(&str, u32)] = &[
            ("", 0x85),
            ("85054350563032 61034F0100", 0x85),  // CPV02
            ("6103 4F0100 85054350563031", 0x61), // 85 not first
            ("85054350563031", 0x61),             // no application
            ("85054350563031 6103500141", 0x61),  // no 4F
            ("85054350563031 61034F0100 9F0100", 0x9F01),
            ("85054350563031 61034F0100 6200 6200", 0x62),
            ("85054350563031 6200 61034F0100", 0x61),
            ("85054350563031 61074F0100 6502 5A00", 0x65),
        ];
        for (hex, tag) in cases {
            let bytes = unhex(&hex.replace(' ', ""));
            match ConsumerPayload::parse(&bytes) {
                Err(Error::Cpm { tag: t, .. }) => assert_eq!(t, *tag, "{hex}"),
                other => panic!("{hex}: {other:?}"),
            }
        }
        assert!(matches!(
            ConsumerPayload::parse(&[0x85, 0x05, 0x43]),
            Err(Error::Tlv { .. })
        ));
        assert!(matches!(decode_base64("hQ!!"), Err(Error::Base64 { .. })));
    }
}
