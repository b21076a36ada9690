//! The crate's one error type.

/// A field of the NDEF record layout or of a record payload, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The first octet (flags and TNF).
    Header,
    /// TYPE_LENGTH.
    TypeLength,
    /// PAYLOAD_LENGTH (1 octet with SR, else 4).
    PayloadLength,
    /// ID_LENGTH (present when IL is set).
    IdLength,
    /// The TYPE field.
    Type,
    /// The ID field.
    Id,
    /// The PAYLOAD field.
    Payload,
    /// A field inside a payload, by name.
    Named(&'static str),
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Field::Header => "header",
            Field::TypeLength => "TYPE_LENGTH",
            Field::PayloadLength => "PAYLOAD_LENGTH",
            Field::IdLength => "ID_LENGTH",
            Field::Type => "TYPE field",
            Field::Id => "ID field",
            Field::Payload => "PAYLOAD field",
            Field::Named(n) => n,
        })
    }
}

/// Everything that can go wrong in this crate. Offsets are byte offsets into the input that was
/// being decoded (the message, or the payload for payload-level errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ends inside a field.
    #[error(
        "buffer underflow at reading {field} (offset {offset}: need {needed} octets, {available} left)"
    )]
    Truncated {
        /// Offset of the field.
        offset: usize,
        /// The field being read.
        field: Field,
        /// Octets the field needs.
        needed: usize,
        /// Octets left in the input.
        available: usize,
    },
    /// TNF 7 (reserved) in strict mode.
    #[error("record at offset {offset}: TNF field value must be between 0 and 6 (7 is reserved)")]
    ReservedTnf {
        /// Offset of the record.
        offset: usize,
    },
    /// A TNF-specific rule on TYPE/ID/PAYLOAD lengths is broken.
    #[error("record at offset {offset}: {field} must be {rule} for TNF value {tnf}")]
    TnfRule {
        /// Offset of the record.
        offset: usize,
        /// The TNF of the record.
        tnf: u8,
        /// The length field concerned.
        field: Field,
        /// What it must be ("0" or "> 0").
        rule: &'static str,
    },
    /// A message-level flag rule (MB, ME, CF) is broken.
    #[error("record at offset {offset}: {rule}")]
    Flags {
        /// Offset of the record.
        offset: usize,
        /// The rule, e.g. "MB flag not set in first record".
        rule: &'static str,
    },
    /// A chunk sequence breaks the reassembly rules.
    #[error("record at offset {offset}: {rule}")]
    Chunk {
        /// Offset of the chunk.
        offset: usize,
        /// The rule, e.g. "expected TNF unchanged in non-leading chunk".
        rule: &'static str,
    },
    /// A payload (or reassembled payload, or message) exceeds the configured size cap.
    #[error("record at offset {offset}: size {size} exceeds the limit of {limit} octets")]
    TooLarge {
        /// Offset of the record (or 0 when encoding).
        offset: usize,
        /// The declared or accumulated size.
        size: u64,
        /// The configured limit.
        limit: usize,
    },
    /// A field is too long for its length field when encoding.
    #[error("{field} of {len} octets can not be encoded (at most {max})")]
    FieldTooLong {
        /// The field.
        field: Field,
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// A record holds a value that this record type does not allow.
    #[error("{record} record: {field} at payload offset {offset}: {reason}")]
    InvalidPayload {
        /// The record type, e.g. "Text".
        record: &'static str,
        /// The field of the payload.
        field: Field,
        /// Offset within the payload.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A record is not of the type a typed decoder expects.
    #[error("expected a {expected} record")]
    WrongType {
        /// The expected type, e.g. "urn:nfc:wkt:T".
        expected: &'static str,
    },
    /// A signature did not verify, or a signature operation could not run.
    #[error("signature record at offset {offset}: {reason}")]
    Signature {
        /// Offset of the Signature record in the message.
        offset: usize,
        /// What failed.
        reason: &'static str,
    },
    /// The certificate chain field of a Signature record could not be used or did not validate
    /// to a trust anchor (feature `signature`).
    #[error("signature record at offset {offset}: certificate chain: {reason}")]
    Certificate {
        /// Offset of the Signature record in the message.
        offset: usize,
        /// What failed: the certificate (index in the chain, signer = 0) and the rule, as
        /// reported by path validation.
        reason: alloc::string::String,
    },
    /// A Capability Container (Type 4 Tag) is malformed.
    #[error("capability container at offset {offset}: {reason}")]
    CapabilityContainer {
        /// Offset within the CC file.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A Type 4 Tag command was answered with an error status word, or its answer was malformed.
    #[error("type 4 tag {command}: {reason} (SW {sw:04X})")]
    Tag {
        /// The command, e.g. "SELECT NDEF application".
        command: &'static str,
        /// The status word (0 when the answer had none).
        sw: u16,
        /// What went wrong.
        reason: &'static str,
    },
    /// The APDU transport failed.
    #[error("type 4 tag {command}: transport error: {message}")]
    Transport {
        /// The command being sent.
        command: &'static str,
        /// The transport's error, as text.
        message: alloc::string::String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
