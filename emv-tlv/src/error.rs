//! The crate's one error type.

use crate::Tag;

/// Everything that can go wrong, each variant saying what and where.
///
/// Offsets are byte offsets from the start of the input given to the top-level call (for nested
/// objects too), so an error points at the exact byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ends inside a tag.
    #[error("truncated tag at offset {offset}")]
    TruncatedTag {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// A tag longer than four bytes.
    #[error("tag longer than 4 bytes at offset {offset}")]
    TagTooLong {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// Strict mode: a multi-byte tag whose first subsequent byte is `80` or `00` (ISO 8825
    /// 8.1.2.4.2 c: bits 7–1 of the first subsequent byte shall not all be zero).
    #[error("non-minimal tag encoding at offset {offset}")]
    NonMinimalTag {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// Strict padding: a `00` or `FF` byte where a tag was expected.
    #[error("padding byte {byte:02X} at offset {offset} (padding policy is strict)")]
    Padding {
        /// Offset of the byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// The input ends inside a length field.
    #[error("truncated length of tag {tag} at offset {offset}")]
    TruncatedLength {
        /// Offset of the length field's first byte.
        offset: usize,
        /// The tag whose length it is.
        tag: Tag,
    },
    /// Indefinite length `80`: not allowed in EMV (Book 3 Annex B2).
    #[error("indefinite length (80) of tag {tag} at offset {offset}")]
    IndefiniteLength {
        /// Offset of the length byte.
        offset: usize,
        /// The tag.
        tag: Tag,
    },
    /// A long-form length with more subsequent bytes than allowed (3 in strict mode, else 4),
    /// or one that does not fit in memory.
    #[error("length of tag {tag} at offset {offset} uses {bytes} bytes (too many)")]
    LengthTooLong {
        /// Offset of the length field's first byte.
        offset: usize,
        /// The tag.
        tag: Tag,
        /// How many length bytes follow the `8x` byte.
        bytes: u8,
    },
    /// Strict mode: a length that could have been encoded in fewer bytes (`81 05`, `82 00 80`).
    #[error("non-minimal length encoding of tag {tag} at offset {offset}")]
    NonMinimalLength {
        /// Offset of the length field's first byte.
        offset: usize,
        /// The tag.
        tag: Tag,
    },
    /// A value runs past the end of its input (or its enclosing constructed object).
    #[error("value of tag {tag} at offset {offset} needs {expected} bytes, {available} available")]
    TruncatedValue {
        /// Offset of the value's first byte.
        offset: usize,
        /// The tag.
        tag: Tag,
        /// Length announced by the length field.
        expected: usize,
        /// Bytes left in the input or enclosing object.
        available: usize,
    },
    /// Constructed objects nested deeper than the configured limit.
    #[error("tag {tag} at offset {offset} nests deeper than the limit of {limit}")]
    DepthExceeded {
        /// Offset of the tag.
        offset: usize,
        /// The constructed tag that would exceed the limit.
        tag: Tag,
        /// The limit.
        limit: usize,
    },
    /// Bytes left over where exactly one object (or a tag) was expected.
    #[error("unexpected trailing bytes at offset {offset}")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
    },
    /// A number that is not a well-formed tag.
    #[error("{value:#X} is not a well-formed BER-TLV tag")]
    InvalidTag {
        /// The number given.
        value: u32,
    },
    /// Not a hex digit.
    #[error("invalid hex at character {offset}")]
    InvalidHex {
        /// Offset of the character.
        offset: usize,
    },
    /// A tag path (`"61/4F"`) with a segment that is not a tag.
    #[error("invalid tag path at character {offset}")]
    InvalidPath {
        /// Offset of the bad segment.
        offset: usize,
    },
    /// The output buffer is too small.
    #[error("output buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// Bytes the write needs in total.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A value too long to encode (more than `FFFFFF` bytes, the 3-byte EMV limit).
    #[error("value of tag {tag} is {len} bytes, more than a length field can hold")]
    ValueTooLong {
        /// The tag.
        tag: Tag,
        /// The value's length.
        len: usize,
    },
    /// DOL data whose length differs from the sum of the DOL's entries.
    #[error("DOL data is {available} bytes, the DOL describes {expected}")]
    DolDataLength {
        /// Sum of the lengths in the DOL.
        expected: usize,
        /// Length of the data received.
        available: usize,
    },
    /// A value whose length does not fit its data element (bit-field decoders, dictionary).
    #[error("value of tag {tag} is {actual} bytes, expected {min} to {max}")]
    ValueLength {
        /// The tag.
        tag: Tag,
        /// Smallest allowed length.
        min: usize,
        /// Largest allowed length.
        max: usize,
        /// Length found.
        actual: usize,
    },
}
