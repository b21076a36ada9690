//! GM/T algorithms SM2, SM3 and SM4 with the constructions and formats payment systems use.
//!
//! - [`sm3`]: hashing, HMAC-SM3, the SM3 key-derivation function (GM/T 0003.4 §5.4.3) and
//!   PBKDF2-HMAC-SM3.
//! - [`sm4`]: a table-free, constant-time SM4 ([`sm4::Sm4`]) that processes 16 blocks at a time
//!   and implements the RustCrypto `cipher` traits, so the generic `cbc`, `ctr`, `ecb`, `fpe`
//!   crates work with it; SM4-GCM and SM4-CCM AEADs, CBC-MAC and CMAC.
//! - [`sm2`]: signatures with any byte-string distinguishing ID (default `1234567812345678`, or
//!   the empty ID the OpenSSL CLI uses), Z computation, DER (GM/T 0009) and raw `r‖s` forms.
//!
//! Part of [mpay](https://example.invalid/mpay).
//!
//! ```
//! use mpay_gmt::sm3;
//! assert_eq!(
//!     hex::encode(sm3::hash(b"abc")),
//!     "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
//! );
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod asn1;
pub mod cms;
mod error;
pub mod oid;
pub mod sm2;
pub mod sm3;
pub mod sm4;

pub use error::Error;

/// Result type of this crate.
pub type Result<T> = core::result::Result<T, Error>;
