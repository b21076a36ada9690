//! Field 55 (and any BER-TLV subfield) through `mpay-emv-tlv`: every top-level data object kept
//! in order, unknown and duplicate tags included; constructed objects kept as their raw value.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use mpay_emv_tlv::{Options, Tag};

use crate::error::{Error, Loc, Result};
use crate::sub::{SubKey, Value};

fn tlv_err(loc: Loc, e: mpay_emv_tlv::Error) -> Error {
    use mpay_emv_tlv::Error as E;
    let (offset, reason) = match e {
        E::TruncatedTag { offset } => (offset, "truncated tag"),
        E::TagTooLong { offset } => (offset, "tag longer than 4 bytes"),
        E::NonMinimalTag { offset } => (offset, "non-minimal tag"),
        E::Padding { offset, .. } => (offset, "padding byte where a tag is expected"),
        E::TruncatedLength { offset, .. } => (offset, "truncated length"),
        E::IndefiniteLength { offset, .. } => (offset, "indefinite length"),
        E::LengthTooLong { offset, .. } => (offset, "length field too long"),
        E::NonMinimalLength { offset, .. } => (offset, "non-minimal length"),
        E::TruncatedValue { offset, .. } => (offset, "value runs past the end of the field"),
        E::DepthExceeded { offset, .. } => (offset, "nesting too deep"),
        E::TrailingBytes { offset } => (offset, "trailing bytes"),
        _ => (0, "malformed BER-TLV"),
    };
    Error::Tlv {
        loc,
        offset,
        reason,
    }
}

/// Options used for field 55: strict BER (no padding, minimal lengths), so that packing what was
/// unpacked gives the same bytes.
pub(crate) const OPTIONS: Options = Options::strict_ber();

/// Uppercase hex of a tag given as hex text, if it is a well-formed tag.
pub(crate) fn parse_tag_hex(s: &str) -> Option<String> {
    let t = Tag::parse_hex(s).ok()?;
    let mut out = String::new();
    let _ = write!(out, "{t}");
    Some(out)
}

/// Decodes the top-level data objects of `b` into `(tag, bytes)` entries.
pub(crate) fn decode(b: &[u8], field: u16, out: &mut Vec<(SubKey, Value)>) -> Result<()> {
    for (i, t) in OPTIONS.iter(b).enumerate() {
        let t = t.map_err(|e| tlv_err(Loc::Sub(field, i as u16), e))?;
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let bytes = t.tag().as_bytes();
        let mut tag = String::with_capacity(2 * bytes.len());
        for b in bytes.iter() {
            tag.push(HEX[usize::from(b >> 4)] as char);
            tag.push(HEX[usize::from(b & 0x0F)] as char);
        }
        out.push((SubKey::Tag(tag), Value::Bytes(t.value().to_vec())));
    }
    Ok(())
}

/// Appends one data object.
pub(crate) fn write(tag_hex: &str, value: &[u8], out: &mut Vec<u8>, loc: Loc) -> Result<()> {
    let tag = Tag::parse_hex(tag_hex).map_err(|e| tlv_err(loc, e))?;
    let (len, n) = mpay_emv_tlv::build::encode_length(value.len()).ok_or(Error::BadValue {
        loc,
        reason: "BER-TLV value longer than 16 MiB",
    })?;
    out.extend_from_slice(&tag.as_bytes());
    out.extend_from_slice(&len[..n]);
    out.extend_from_slice(value);
    Ok(())
}

/// The value of `tag` masked per the EMV dictionary's sensitivity (uppercase hex otherwise).
pub(crate) fn masked(tag_hex: &str, value: &[u8]) -> String {
    let mut s = String::new();
    match Tag::parse_hex(tag_hex) {
        Ok(t) => {
            let _ = write!(s, "{}", mpay_emv_tlv::dictionary::masked(t, value));
        }
        Err(_) => {
            let _ = write!(s, "[{} bytes]", value.len());
        }
    }
    s
}
