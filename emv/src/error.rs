//! The one error type of this crate.

/// Everything that can go wrong in `mpay-emv`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input has the wrong length.
    #[error("{what}: expected {expected} bytes, got {actual}")]
    Length {
        /// Which input.
        what: &'static str,
        /// The accepted length(s), in words.
        expected: &'static str,
        /// The length given.
        actual: usize,
    },
    /// A character that is not allowed where it stands.
    #[error("{what}: invalid character at position {position}")]
    Character {
        /// Which input.
        what: &'static str,
        /// Zero-based position of the offending character.
        position: usize,
    },
    /// A numeric string has a length outside its range.
    #[error("{what}: expected {min} to {max} digits, got {actual}")]
    Digits {
        /// Which input.
        what: &'static str,
        /// Fewest digits allowed.
        min: usize,
        /// Most digits allowed.
        max: usize,
        /// Digits given.
        actual: usize,
    },
    /// A parameter out of its range.
    #[error("{what}: {why}")]
    Parameter {
        /// Which parameter.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A decoded block does not have the structure its format requires.
    #[error("{what}: malformed ({why})")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A data element a computation needs is absent or has the wrong length.
    #[error("tag {tag:04X}: {why}")]
    DataElement {
        /// The EMV tag.
        tag: u32,
        /// What is wrong.
        why: &'static str,
    },
    /// BER-TLV input did not parse.
    #[error("TLV: {0}")]
    Tlv(#[from] mpay_emv_tlv::Error),
    /// The card (or transport) failed while executing a command.
    #[error("{command}: {why}")]
    Card {
        /// The command.
        command: &'static str,
        /// What happened.
        why: String,
    },
    /// The card answered a command with an error status word.
    #[error("{command}: card answered {sw:04X}")]
    CardStatus {
        /// The command.
        command: &'static str,
        /// SW1 SW2.
        sw: u16,
    },
    /// No application on the card can be used by this terminal.
    #[error("no mutually supported application")]
    NoApplication,
    /// The terminal declined before asking the card for a cryptogram.
    #[error("declined: {why}")]
    Declined {
        /// Why.
        why: &'static str,
    },
    /// A MAC, cryptogram or code did not verify (compared in constant time).
    #[error("{what} does not verify")]
    Verification {
        /// Which value failed.
        what: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
