//! # mpay-nfc-ndef
//!
//! NFC Data Exchange Format: messages and records, the NFC Forum well-known types (Text, URI,
//! Smart Poster, Connection Handover, Signature), external types, signed messages (feature
//! `signature`) and the Type 4 Tag over APDUs (feature `t4t`).
//!
//! * [`Message::decode`] is zero-copy (payloads borrow from the input unless chunks had to be
//!   reassembled), strict by default ([`Mode`]), with a size cap checked before allocating
//!   ([`DecodeOptions::max_size`], 1 MiB by default).
//! * [`Message::encode`] sets MB, ME, SR and IL; [`Message::encode_chunked`] splits payloads.
//! * [`wkt`] holds the typed records and [`wkt::Content`] decodes any known record.
//! * With feature `signature`, `signature::verify_with_chain` validates the X.509 chain of each
//!   Signature record to trust anchors through `mpay-wpki` and checks the signature with the
//!   signer certificate's key.
//!
//! ```
//! use mpay_nfc_ndef::{Message, wkt::{Content, Uri}};
//! let bytes = hex::decode("d1010a55036e666370792e6f7267").unwrap();
//! let msg = Message::decode(&bytes).unwrap();
//! assert_eq!(Content::of(&msg.records[0]).unwrap().unwrap(), Content::Uri(Uri::new("http://nfcpy.org")));
//! assert_eq!(Message::from(vec![Uri::new("http://nfcpy.org").to_record()]).encode().unwrap(), bytes);
//! ```
//!
//! The core is `no_std` + `alloc`; `std` (default) only adds `std::error::Error`.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod cc;
mod error;
pub mod message;
pub mod record;
#[cfg(feature = "signature")]
pub mod signature;
#[cfg(feature = "t4t")]
pub mod t4t;
pub mod wkt;

pub use error::{Error, Field, Result};
pub use message::{DEFAULT_MAX_SIZE, DecodeOptions, Message, Mode};
pub use record::{RawRecord, Record, Tnf};
