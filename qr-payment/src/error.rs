use alloc::string::String;
use core::fmt;

/// Where an EMVCo merchant-presented data object sits: its ID and, inside a template, the
/// template's ID. Displays as `54` or `62.05`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Path {
    /// The enclosing template (`26`–`51`, `62`, `64`, `80`–`99`), or `None` at the top level.
    pub template: Option<u8>,
    /// The object's ID, 0–99.
    pub id: u8,
}

impl Path {
    /// A top-level object.
    pub const fn top(id: u8) -> Self {
        Path { template: None, id }
    }

    /// An object inside template `template`.
    pub const fn nested(template: u8, id: u8) -> Self {
        Path {
            template: Some(template),
            id,
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.template {
            Some(t) => write!(f, "{t:02}.{:02}", self.id),
            None => write!(f, "{:02}", self.id),
        }
    }
}

/// Everything that can go wrong in this crate. Offsets are byte offsets into the input (for MPM
/// the UTF-8 text, for CPM the decoded BER-TLV bytes, for images the module or character index).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The MPM payload bytes are not UTF-8.
    #[error("MPM: payload is not valid UTF-8 at byte {offset}")]
    Utf8 {
        /// First invalid byte.
        offset: usize,
    },
    /// Two decimal digits were expected for an object ID.
    #[error("MPM: expected a two-digit ID at byte {offset}")]
    BadId {
        /// Where the ID starts.
        offset: usize,
    },
    /// The two-digit length of an object is not decimal digits.
    #[error("MPM: object {path} at byte {offset}: length is not two digits")]
    BadLength {
        /// The object.
        path: Path,
        /// Where the object starts.
        offset: usize,
    },
    /// An object's value runs past the end of the payload or template.
    #[error("MPM: object {path} at byte {offset}: {len} characters run past the end")]
    Truncated {
        /// The object.
        path: Path,
        /// Where the object starts.
        offset: usize,
        /// Its declared length in characters.
        len: usize,
    },
    /// An ID appears twice at the same level.
    #[error("MPM: object {path} at byte {offset} repeats the one at byte {first}")]
    Duplicate {
        /// The object.
        path: Path,
        /// Where the repetition starts.
        offset: usize,
        /// Where the first occurrence starts.
        first: usize,
    },
    /// An object is out of place (`00` not first, `63` not last, a fee without its indicator).
    #[error("MPM: object {path} at byte {offset}: {rule}")]
    Order {
        /// The object.
        path: Path,
        /// Where it starts.
        offset: usize,
        /// The rule broken.
        rule: &'static str,
    },
    /// A value does not have its object's format.
    #[error("MPM: object {path} at byte {offset}: {reason}")]
    BadValue {
        /// The object.
        path: Path,
        /// Where the object starts.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The CRC in object `63` does not match the payload.
    #[error(
        "MPM: CRC in object 63 at byte {offset} is {found:04X}, the payload's is {computed:04X}"
    )]
    CrcMismatch {
        /// Where object `63` starts.
        offset: usize,
        /// The CRC the payload carries.
        found: u16,
        /// The CRC computed over the payload.
        computed: u16,
    },
    /// A mandatory object is absent.
    #[error("MPM: mandatory object {path} is missing")]
    Missing {
        /// The object (for merchant account information, the first ID of the range, `02`).
        path: Path,
    },
    /// A value given to a builder is unusable.
    #[error("MPM build: object {path}: {reason}")]
    Build {
        /// The object.
        path: Path,
        /// What is wrong.
        reason: &'static str,
    },
    /// The CPM text is not base64.
    #[error("CPM: not valid base64 ({what})")]
    Base64 {
        /// The decoder's message.
        what: String,
    },
    /// The CPM payload is not well-formed BER-TLV.
    #[error("CPM: BER-TLV: {what}")]
    Tlv {
        /// The TLV codec's message (it names the offset).
        what: String,
    },
    /// The CPM payload breaks a rule of the EMVCo consumer-presented mode.
    #[error("CPM: tag {tag:X} at byte {offset}: {reason}")]
    Cpm {
        /// The tag concerned.
        tag: u32,
        /// Byte offset of its TLV in the decoded payload.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A QR code cannot be made from the data (too long for the version or level, bad version).
    #[error("QR: cannot encode: {what}")]
    QrEncode {
        /// The encoder's message.
        what: String,
    },
    /// No QR code could be read from the image.
    #[error("QR: {what}")]
    QrDecode {
        /// What went wrong.
        what: String,
    },
    /// A barcode cannot encode the text.
    #[error("Code 128: character {index}: {reason}")]
    Barcode {
        /// Index of the offending character.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A PNG image cannot be read or written.
    #[error("PNG: {what}")]
    Png {
        /// The PNG codec's message.
        what: String,
    },
    /// An audio code (payment code or Chirp code) is malformed.
    #[error("audio code: character {index}: {reason}")]
    Code {
        /// Index of the offending character.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Modem parameters are unusable (sample rate, frame length).
    #[error("audio: {reason}")]
    Modem {
        /// What is wrong.
        reason: &'static str,
    },
    /// A WAV file cannot be read or written.
    #[error("WAV: {what}")]
    Wav {
        /// The WAV codec's message.
        what: String,
    },
    /// A Reed–Solomon codeword has more errors than the code can correct.
    #[error("Reed-Solomon: {reason}")]
    Uncorrectable {
        /// Why decoding failed.
        reason: &'static str,
    },
}
