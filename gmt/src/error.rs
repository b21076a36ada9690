//! The crate's one error type.

/// Everything that can go wrong in this crate; each variant names what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A DER structure could not be decoded.
    #[error("DER decoding of {what} failed: {detail}")]
    Der {
        /// The structure being decoded (e.g. `SM2Signature`).
        what: &'static str,
        /// The der crate's description (includes the position).
        detail: alloc::string::String,
    },
    /// A length was not acceptable.
    #[error("{what}: invalid length {len} (expected {expected})")]
    Length {
        /// The field.
        what: &'static str,
        /// The length seen.
        len: usize,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// A distinguishing ID longer than 8191 bytes (ENTL is a 16-bit bit count).
    #[error("SM2 distinguishing ID of {0} bytes is longer than 8191 bytes")]
    IdTooLong(usize),
    /// A public key is not a valid point on the SM2 curve.
    #[error("invalid SM2 public key: {0}")]
    InvalidPublicKey(&'static str),
    /// A private key is zero or not below the group order.
    #[error("invalid SM2 private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// A signature value r or s is outside [1, n-1].
    #[error("SM2 signature component {0} is out of range [1, n-1]")]
    SignatureRange(&'static str),
    /// A signature did not verify.
    #[error("SM2 signature verification failed")]
    BadSignature,
    /// A ciphertext did not decrypt (bad point, hash mismatch or zero KDF output).
    #[error("SM2 decryption failed: {0}")]
    Decrypt(&'static str),
    /// An AEAD tag or MAC did not verify.
    #[error("authentication tag mismatch")]
    BadTag,
    /// Key exchange failed (invalid point, confirmation mismatch, …).
    #[error("SM2 key exchange failed: {0}")]
    KeyExchange(&'static str),
    /// The random-number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// The data length is not what a mode needs (e.g. not a multiple of 16 for ECB).
    #[error("{what}: data length {len} is not a multiple of {block}")]
    NotBlockAligned {
        /// The operation.
        what: &'static str,
        /// The data length.
        len: usize,
        /// The block size required.
        block: usize,
    },
    /// Padding removal found invalid padding.
    #[error("invalid padding")]
    Padding,
    /// A key file (PKCS#8, SPKI, SEC1, PEM) could not be read or written.
    #[error("key encoding: {0}")]
    KeyEncoding(alloc::string::String),
    /// An unexpected or unsupported algorithm identifier.
    #[error("unsupported algorithm {oid} in {field}")]
    UnsupportedAlgorithm {
        /// The dotted OID.
        oid: alloc::string::String,
        /// Where it appeared.
        field: &'static str,
    },
}

impl Error {
    pub(crate) fn der(what: &'static str, e: der::Error) -> Self {
        Error::Der {
            what,
            detail: alloc::format!("{e}"),
        }
    }
}
