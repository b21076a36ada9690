//! ISO 7816-4 command and response APDUs, status words, transports and AID routing for card
//! emulation.
//!
//! Part of [mpay](https://example.invalid/mpay). `no_std` + `alloc`; `std` (default) adds the
//! [`vpcd`] virtual-card bridge that serves a [`Router`] to `pcscd`; `pcsc` adds the `pcsc` module's
//! transport over PC/SC readers.
//!
//! # The stable core (used by `mpay-nfc-ndef` and `mpay-emv`)
//!
//! | item | what |
//! |---|---|
//! | [`Command<'a>`] | decoded command APDU borrowing its data: `parse`, `cla/ins/p1/p2/data/ne`, `case`, `form`, `channel`, `to_bytes` |
//! | [`CommandBuf`] | owned command builder: `new(cla, ins, p1, p2).data(..).le(ne)`, `select_aid`, `view`, `to_bytes` |
//! | [`Response`] / [`ResponseView`] | data + [`StatusWord`]; `Response::ok(data)`, `Response::from(sw)`, `into_bytes` |
//! | [`StatusWord`] | SW1 SW2 with named constants (`SUCCESS`, `NOT_FOUND`, …), [`Status`] grouping and an explaining `Display` |
//! | [`Transport`] | `fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error>`: bytes out, bytes back |
//! | [`Card`] | terminal helper over a `Transport`: `send(&CommandBuf) -> Result<Response, Error>` with 61xx / 6Cxx / chaining / extended length |
//! | [`Application`] | card side: `fn process(&mut self, command: &Command<'_>) -> Response`, plus `select(aid, command)` and `deselect(channel)` with defaults |
//! | [`Router`] | AID routing table + logical channels in front of applications; itself a `Transport` |
//! | [`Recorder`] / [`Replayer`] / [`Transcript`] | record (masked logs) and replay exchanges |
//!
//! Both traits are object safe (`Box<dyn Transport>`, `Box<dyn Application + Send>`).
//!
//! # Example: a terminal talks to a software card in-process
//!
//! ```
//! use mpay_apdu::{Application, Card, Command, CommandBuf, Response, Router, StatusWord, Target};
//!
//! /// A toy payment application: FCI on SELECT, a fixed answer to GET PROCESSING OPTIONS.
//! struct Toy;
//! impl Application for Toy {
//!     fn select(&mut self, aid: &[u8], _command: &Command<'_>) -> Response {
//!         let mut fci = vec![0x6F, aid.len() as u8 + 2, 0x84, aid.len() as u8];
//!         fci.extend_from_slice(aid);
//!         Response::ok(fci)
//!     }
//!     fn process(&mut self, command: &Command<'_>) -> Response {
//!         match (command.cla(), command.ins()) {
//!             (0x80, 0xA8) => Response::ok(vec![0x80, 0x02, 0x19, 0x80]),
//!             _ => StatusWord::INS_NOT_SUPPORTED.into(),
//!         }
//!     }
//! }
//!
//! let mut router = Router::new();
//! router.add_prefix(&[0xA0, 0x00, 0x00, 0x00, 0x04], Target::Host, Toy);
//! let mut card = Card::new(router);
//! let fci = card.send(&CommandBuf::select_aid(&[0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10]))?;
//! assert_eq!(fci.sw, StatusWord::SUCCESS);
//! let gpo = card.send(&CommandBuf::new(0x80, 0xA8, 0x00, 0x00).data(vec![0x83, 0x00]).le(256))?;
//! assert_eq!(gpo.data, [0x80, 0x02, 0x19, 0x80]);
//! # Ok::<(), mpay_apdu::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod card;
mod class;
mod command;
mod error;
pub mod ins;
mod response;
pub mod router;
mod status;
mod transcript;
mod transport;

#[cfg(feature = "pcsc")]
pub mod pcsc;
#[cfg(feature = "std")]
pub mod vpcd;

pub use card::{Card, CardConfig};
pub use class::{Class, ClassKind, SecureMessaging};
pub use command::{Case, Command, CommandBuf, LengthForm};
pub use error::Error;
pub use response::{Response, ResponseView};
pub use router::{AppId, Application, Router, Target};
pub use status::{Status, StatusWord};
pub use transcript::{Exchange, Mask, Recorder, Replayer, Transcript};
pub use transport::Transport;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
