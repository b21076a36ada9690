//! ISO 8583 message codec: specs as data, field encodings, bitmaps, field 55 as TLV, MAC hook,
//! framing and matching.
//!
//! Part of [mpay](https://example.invalid/mpay).
//!
//! - [`spec`]: a spec (packager) is data — header, MTI and bitmap encodings, MAC placement and
//!   a table of [`field::FieldSpec`]s; shipped ones in [`specs`], others from JSON/TOML.
//! - [`field`]: class × encoding × length prefix × padding, subfields.
//! - [`MessageView`]: zero-copy unpacking (fields as byte ranges); [`Message`]: owned, for
//!   building, with get/set by number and by path (`"55.9F26"`, `"60.1"`).
//! - [`scan`]: MTI and a few fields for routing, without unpacking the rest.
//! - [`mac`]: the MAC hook (the caller's algorithm, constant-time verification).
//!
//! ```
//! use mpay_iso8583::{specs::ISO87_BINARY, Message, MessageView};
//! let mut m = Message::new(&ISO87_BINARY, "0100".parse()?);
//! m.set(2, "4761739001010119")?;
//! m.set(4, "000000010000")?;
//! m.set_path("55.9F26", vec![0x11; 8])?;
//! let wire = m.pack()?;
//! let v = MessageView::unpack(&ISO87_BINARY, &wire)?;
//! assert_eq!(v.u64(4), Some(10000));
//! assert!(v.describe().contains("476173******0119"));
//! # Ok::<(), mpay_iso8583::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod bitmap;
mod describe;
mod ebcdic;
mod error;
pub mod field;
pub mod frame;
#[cfg(feature = "serde")]
pub mod json;
pub mod mac;
mod mapping;
pub mod message;
pub mod mti;
#[cfg(feature = "tokio")]
pub mod mux;
pub mod scan;
pub mod spec;
pub mod specs;
mod sub;
mod tlv;

pub use error::{Error, Loc, Result};
pub use mapping::{FieldValue, Iso8583};
pub use message::{FieldRef, Message, MessageView};
/// `#[derive(Iso8583)]` (feature `derive`).
#[cfg(feature = "derive")]
pub use mpay_iso8583_derive::Iso8583;
pub use mti::Mti;
pub use spec::Spec;
pub use sub::{SubKey, Value};
