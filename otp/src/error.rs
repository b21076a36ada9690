use alloc::string::String;

/// Every failure of this crate; each variant says what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The number of digits is outside the supported range.
    #[error("digits: {digits} is outside {min}..={max}")]
    Digits {
        /// The value given.
        digits: u8,
        /// Smallest allowed.
        min: u8,
        /// Largest allowed.
        max: u8,
    },
    /// A key has the wrong length.
    #[error("key: {len} bytes, {what} needs {need}")]
    KeyLength {
        /// Length given.
        len: usize,
        /// What the key is for.
        what: &'static str,
        /// The requirement, in words.
        need: &'static str,
    },
    /// A time step of zero seconds.
    #[error("step: must be at least one second")]
    Step,
    /// The time is before the epoch T0 of the TOTP.
    #[error("time: {time} is before T0 = {t0}")]
    TimeBeforeT0 {
        /// Time given (Unix seconds).
        time: u64,
        /// T0 (Unix seconds).
        t0: u64,
    },
    /// A code has the wrong number of characters.
    #[error("code: {len} characters where {expected} digits are expected")]
    CodeLength {
        /// Characters given.
        len: usize,
        /// Digits expected.
        expected: usize,
    },
    /// A code holds a character that is not an ASCII digit.
    #[error("code: character at offset {offset} is not a decimal digit")]
    CodeDigit {
        /// Byte offset of the character.
        offset: usize,
    },
    /// An OCRA suite string does not follow RFC 6287 §6.
    #[error("ocra suite: {reason} at offset {offset}")]
    OcraSuite {
        /// Byte offset in the suite string.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An OCRA input does not match what the suite asks for.
    #[error("ocra input {field}: {reason}")]
    OcraInput {
        /// Which data input (`C`, `Q`, `P`, `S`, `T`).
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A GM/T 0021 input is unusable.
    #[error("gm/t 0021 {field}: {reason}")]
    Gmt0021 {
        /// Which input.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// An `otpauth://` key URI is malformed or ambiguous.
    #[error("key uri: {reason} at offset {offset}")]
    Uri {
        /// Byte offset in the URI.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A payment code has the wrong shape (length, prefix, digits).
    #[error("paycode: {reason} at offset {offset}")]
    PaycodeFormat {
        /// Byte offset in the code.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A payment-code configuration is unusable.
    #[error("paycode config {field}: {reason}")]
    PaycodeConfig {
        /// Which setting.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A credential index is out of the range the code format can carry.
    #[error("paycode: credential index {index} does not fit in {digits} digits")]
    PaycodeIndex {
        /// Index given.
        index: u64,
        /// Digits available.
        digits: u8,
    },
    /// A replay-guard store failed (I/O, database).
    #[error("replay store: {0}")]
    Store(String),
    /// Too many failures: the credential is in back-off until `retry_at`, or locked.
    #[error("throttled: retry at {retry_at} (Unix seconds); locked: {locked}")]
    Throttled {
        /// Earliest time of the next attempt (`u64::MAX` when locked).
        retry_at: u64,
        /// Whether the credential is locked until an administrator resets it.
        locked: bool,
    },
}
