//! The one error type of the crate. No variant ever carries a PAN, a token's secret part or a key.

use alloc::string::String;

/// Everything that can go wrong in `mpay-tokenization`. Messages say what and where (offset,
/// field, store), never the card number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The FF1 radix is outside 2..=65536.
    #[error("FF1: radix {radix} outside 2..=65536")]
    InvalidRadix {
        /// The radix asked for.
        radix: u32,
    },
    /// A key of the wrong length for the chosen cipher.
    #[error("{what}: key is {got} bytes, expected {expected}")]
    InvalidKeyLength {
        /// Which key (e.g. "FF1 key", "data key").
        what: &'static str,
        /// Length the cipher takes.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// radix^len is below the SP 800-38G minimum domain of 10^6 (or len < 2).
    #[error("FF1: domain radix^len = {radix}^{len} is below 10^6 (SP 800-38G)")]
    DomainTooSmall {
        /// The radix.
        radix: u32,
        /// The numeral-string length.
        len: usize,
    },
    /// A numeral string longer than this path supports.
    #[error("{what}: length {len} exceeds the maximum {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// A numeral not below the radix, or a character outside the alphabet.
    #[error("{what}: invalid numeral at offset {offset} for radix {radix}")]
    InvalidNumeral {
        /// What was being read ("FF1 input", "PAN", "token").
        what: &'static str,
        /// Offset of the bad numeral.
        offset: usize,
        /// The radix in force.
        radix: u32,
    },
    /// A PAN (or PAN-shaped token) of a length outside 12..=19 digits.
    #[error("{what}: {len} digits, expected 12..=19")]
    PanLength {
        /// "PAN" or "token".
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A PAN token policy leaves too few digits to encrypt.
    #[error(
        "PAN policy keeps {kept} of {len} digits, leaving {free} free (< 6, domain below 10^6): use vault tokens instead"
    )]
    TooFewFreeDigits {
        /// PAN length.
        len: usize,
        /// Digits kept in clear (BIN + last digits).
        kept: usize,
        /// Digits left to encrypt.
        free: usize,
    },
    /// The input does not satisfy the Luhn requirement of the policy.
    #[error("{what}: {reason}")]
    Luhn {
        /// "PAN" or "token".
        what: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A policy or configuration value out of range.
    #[error("invalid configuration: {field}: {reason}")]
    Config {
        /// The field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// No entry for this token (never existed, deleted or tidied away).
    #[error("token not found in tenant {tenant:?}")]
    NotFound {
        /// The tenant searched.
        tenant: String,
    },
    /// The entry's TTL has passed.
    #[error("token expired in tenant {tenant:?}")]
    Expired {
        /// The tenant.
        tenant: String,
    },
    /// The caller lacks the permission for this operation.
    #[error("permission denied: principal {principal:?} may not {action}")]
    Denied {
        /// Who asked.
        principal: String,
        /// What was refused (e.g. "detokenize for purpose \"analytics\"").
        action: String,
    },
    /// A stored entry names a data-key version the key ring does not hold.
    #[error("key ring has no data key version {version}")]
    UnknownKeyVersion {
        /// The version.
        version: u32,
    },
    /// Authenticated decryption of a stored entry failed (tampering or wrong key).
    #[error("vault entry failed authentication ({what})")]
    Integrity {
        /// Which field.
        what: &'static str,
    },
    /// The store failed.
    #[error("store {store}: {message}")]
    Store {
        /// "sqlite", "postgres", "memory".
        store: &'static str,
        /// The backend's message (never contains a PAN: all PAN data is bound as ciphertext).
        message: String,
    },
    /// Random token generation kept colliding or the RNG failed.
    #[error("token generation: {reason}")]
    Generation {
        /// Why.
        reason: &'static str,
    },
    /// A payment-token lifecycle transition that EMVCo does not allow.
    #[error("payment token: illegal transition {from} -> {to}")]
    IllegalTransition {
        /// Current state.
        from: &'static str,
        /// Requested state.
        to: &'static str,
    },
    /// A payment token used outside its domain restriction controls, or not active.
    #[error("payment token refused: {control}")]
    DomainViolation {
        /// Which control failed.
        control: &'static str,
    },
}

impl Error {
    pub(crate) fn numeral(what: &'static str, offset: usize, radix: u32) -> Self {
        Error::InvalidNumeral {
            what,
            offset,
            radix,
        }
    }
}

/// Result alias of the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
