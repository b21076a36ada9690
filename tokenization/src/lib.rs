//! Format-preserving (FF1) and vault tokenization of card numbers, EMV payment tokens.
//!
//! - [`ff1`]: FF1 (NIST SP 800-38G) over any 128-bit block cipher, with an exact-integer radix-10
//!   fast path byte-equal to the `fpe` crate.
//! - [`pan`]: PAN token policies (keep BIN 6/8 and the last 4, Luhn valid/invalid/any by
//!   reversible cycle walking, tweaks from context).
//! - [`lookup`]: stateless lookup-table tokenization (weaker than FF1; see its docs).
//! - `vault` (feature `std`): random tokens with the PAN sealed under versioned AES-256-GCM keys,
//!   keyed fingerprints, convergent mode, metadata, TTL, rotation, permissioned detokenization and
//!   audit, over in-memory, SQLite and PostgreSQL stores.
//! - `payment` (feature `std`): an EMVCo payment-token service provider model.
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod error;
pub mod ff1;
#[cfg(feature = "legacy-ff3-1")]
pub mod ff3_1;
pub mod lookup;
pub mod luhn;
pub mod pan;
#[cfg(feature = "std")]
pub mod payment;
#[cfg(feature = "std")]
pub mod vault;

pub use error::{Error, Result};
