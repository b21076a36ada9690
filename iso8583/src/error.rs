//! The crate's one error type. Every variant says where (header, MTI, bitmap, field or
//! subfield, byte offset) and what was expected versus found. Errors never carry field content,
//! so a PAN or track cannot leak through an error message.

use core::fmt;

/// Where in a message something happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// The fixed-length header before the MTI (TPDU, network header).
    Header,
    /// The message type indicator.
    Mti,
    /// A bitmap: 1 primary, 2 secondary, 3 tertiary (or the bitmap of a bitmapped subfield).
    Bitmap(u8),
    /// A data element.
    Field(u16),
    /// A subfield of a data element: field number and subfield position (1-based) or, for
    /// TLV subfields, the index of the element (0-based).
    Sub(u16, u16),
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Header => f.write_str("header"),
            Loc::Mti => f.write_str("MTI"),
            Loc::Bitmap(n) => write!(f, "bitmap {n}"),
            Loc::Field(n) => write!(f, "field {n}"),
            Loc::Sub(n, s) => write!(f, "field {n}.{s}"),
        }
    }
}

/// Errors of the ISO 8583 codec.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended inside an element.
    #[error("{loc} at offset {offset}: need {needed} bytes, only {available} left")]
    Truncated {
        /// Element being read.
        loc: Loc,
        /// Offset where the element (or its length prefix) starts.
        offset: usize,
        /// Bytes needed.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// A byte that the element's encoding does not allow.
    #[error("{loc} at offset {offset}: expected {expected}, found byte 0x{found:02X}")]
    BadByte {
        /// Element being read.
        loc: Loc,
        /// Offset of the offending byte.
        offset: usize,
        /// What the encoding allows.
        expected: &'static str,
        /// The byte found.
        found: u8,
    },
    /// A length (from a prefix, or of a value being packed) outside what the spec allows.
    #[error("{loc} at offset {offset}: length {found} not allowed, expected {expected} {max}")]
    BadLength {
        /// Element.
        loc: Loc,
        /// Offset of the length prefix (0 when packing).
        offset: usize,
        /// "exactly" for fixed fields, "at most" for variable ones, "even for hex" etc.
        expected: &'static str,
        /// The limit or the exact length.
        max: usize,
        /// The length found.
        found: usize,
    },
    /// The bitmap announces a field the spec does not define.
    #[error("{loc} at offset {offset}: present in the bitmap but not defined by the spec")]
    Undefined {
        /// Element.
        loc: Loc,
        /// Offset where the field would start.
        offset: usize,
    },
    /// Bytes left after the last field.
    #[error("{count} trailing bytes at offset {offset} after the last field")]
    Trailing {
        /// Offset of the first trailing byte.
        offset: usize,
        /// Number of trailing bytes.
        count: usize,
    },
    /// A value to pack (or to set) that does not fit the field's class or encoding.
    #[error("{loc}: value not allowed: {reason}")]
    BadValue {
        /// Element.
        loc: Loc,
        /// What is wrong.
        reason: &'static str,
    },
    /// A character of a value to pack outside the field's class.
    #[error("{loc}: character {index} of the value is not allowed, expected {expected}")]
    BadChar {
        /// Element.
        loc: Loc,
        /// Index of the character.
        index: usize,
        /// What the class allows.
        expected: &'static str,
    },
    /// A path such as `"55.9F26"` that cannot be parsed or does not fit the spec.
    #[error("path {path:?}: {reason}")]
    BadPath {
        /// The path (field numbers, subfield numbers and tags only: no content).
        path: alloc::string::String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A spec that is inconsistent (found by `Spec::validate` or when loading).
    #[error("spec {spec}: {loc}: {reason}")]
    Spec {
        /// Name of the spec.
        spec: alloc::string::String,
        /// Element.
        loc: Loc,
        /// What is wrong.
        reason: &'static str,
    },
    /// A spec file that does not parse (JSON or TOML syntax or schema).
    #[error("spec file: {0}")]
    SpecFile(alloc::string::String),
    /// A BER-TLV subfield (field 55) that does not parse.
    #[error("{loc} at offset {offset}: BER-TLV: {reason}")]
    Tlv {
        /// Element.
        loc: Loc,
        /// Offset inside the field content.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The MAC hook failed or the message has no MAC field where the spec expects one.
    #[error("MAC: {0}")]
    Mac(&'static str),
    /// A MAC that does not verify.
    #[error("MAC in field {field} does not verify")]
    MacMismatch {
        /// The MAC field (64 or 128).
        field: u16,
    },
}

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, Error>;
