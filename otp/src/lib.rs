//! One-time passwords for payments: HOTP (RFC 4226), TOTP (RFC 6238), OCRA (RFC 6287), the
//! GM/T 0021 SM3/SM4 one-time password, `otpauth://` key URIs, replay protection, throttling
//! and offline payment codes.
//!
//! Part of [mpay](https://example.invalid/mpay). The core is `no_std` + `alloc`. Features:
//! `std` (default) adds the in-memory `replay::MemoryReplayGuard`; `gmt` (default) adds
//! `gmt0021::sm4_otp` with `mpay-gmt`'s SM4; `sqlite` adds `replay::SqliteReplayGuard`
//! (bundled SQLite).
//!
//! ```
//! use mpay_otp::{Algorithm, Totp, Window, Match};
//!
//! // RFC 6238 Appendix B, SHA-1, T = 59 s.
//! let totp = Totp::new(Algorithm::Sha1, b"12345678901234567890", 8)?
//!     .with_window(Window::Symmetric(1));
//! assert_eq!(totp.generate(59)?.to_string(), "94287082");
//! assert_eq!(totp.verify("94287082", 59 + 30)?, Some(Match::Step(1)));
//! # Ok::<(), mpay_otp::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod code;
mod error;
pub mod gmt0021;
mod hotp;
mod mac;
pub mod ocra;
pub mod paycode;
pub mod replay;
mod secret;
pub mod throttle;
mod totp;
pub mod uri;

pub use code::{Code, Match, parse_code};
pub use error::Error;
pub use hotp::Hotp;
pub use mac::{Algorithm, KeyedMac};
pub use secret::Secret;
pub use totp::{Totp, Window};

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, Error>;

/// The shortest key accepted (RFC 4226 R6: at least 128 bits).
pub const MIN_KEY_LEN: usize = 16;
