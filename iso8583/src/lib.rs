#![doc = include_str!("../README.md")]
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
