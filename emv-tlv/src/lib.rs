//! BER-TLV for EMV: codec (EMV Book 3 Annex B), data dictionary, bit-field decoders and Data
//! Object Lists (Book 3 §5.4).
//!
//! # API overview
//!
//! | need | use |
//! |---|---|
//! | a tag (`9F02`, `BF0C`, `DF8101`) | [`Tag`] (`Tag::new(0x9F02)`, `Tag::parse_hex`) |
//! | parser settings | [`Options`]: [`Padding`] (`Strict`, `Skip00` default, `Skip00AndFF`), `strict` lengths, `max_depth`, `lenient` |
//! | objects of one level, zero-copy, no alloc | [`iter`] / [`Options::iter`] → [`Iter`] of `Result<`[`Tlv`]`>`; [`Iter::pairs`] for `(Tag, &[u8])` |
//! | every object depth-first, no alloc | [`walk`] / [`Options::walk`] → [`Walk`]; [`validate`] |
//! | exactly one object | [`Tlv::parse_one`] |
//! | a tree with path lookup (`alloc`) | [`Tree::parse`] / [`Tree::parse_with`], [`Tree::find_all`]`("BF0C/61")`, [`Tree::find`]`("61/4F")` |
//! | building | [`TlvWrite`] (`primitive`, `constructed`) on [`SliceWriter`] (no alloc) or `Vec<u8>` |
//! | names, formats, masking | [`dictionary`]: [`dictionary::lookup`], [`dictionary::masked`] |
//! | TVR, AIP, CVM list, TTQ, CTQ, AUC, CVM results | [`decode`] |
//! | PDOL/CDOL/DDOL/TDOL | [`Dol`]: [`Dol::parse`], [`Dol::build`] (no alloc), [`Dol::split`] (card side) |
//! | errors | [`Error`]: offset, tag, expected/available |
//!
//! Parsing never panics and never allocates in proportion to a length field: lengths are
//! checked against the bytes present before anything is done with them.
//!
//! ```
//! use mpay_emv_tlv::{dictionary, walk, Tag, Tree};
//! // A READ RECORD response: 70 { 5A PAN, 5F24 expiry }
//! let rec = [0x70, 0x0D, 0x5A, 0x08, 0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19,
//!            0x5F, 0x24, 0x00];
//! // Zero-copy walk:
//! for t in walk(&rec) {
//!     let t = t.unwrap();
//!     println!("{:indent$}{} {} {}", "", t.tag(), dictionary::name_of(t.tag()),
//!              dictionary::masked(t.tag(), t.value()), indent = 2 * t.depth());
//! }
//! // Tree with path lookup:
//! let tree = Tree::parse(&rec).unwrap();
//! let pan = tree.find("70/5A").unwrap();
//! assert_eq!(dictionary::masked(pan.tag(), pan.value()).to_string(), "476173******0119");
//! assert_eq!(tree.value_of(Tag::new(0x5F24)), Some(&[][..]));
//! ```
//!
//! # Features
//! - `std` (default): implies `alloc`.
//! - `alloc`: [`Tree`], `TlvWrite for Vec<u8>`, [`Dol::build_vec`], [`build::to_vec`].
//!
//! Without either the crate is `no_std` and allocation-free.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(all(test, not(feature = "std")))]
#[macro_use]
extern crate std;

pub mod build;
pub mod decode;
pub mod dictionary;
pub mod dol;
mod error;
pub mod parse;
pub mod tag;
#[cfg(feature = "alloc")]
pub mod tree;

pub use build::{SliceWriter, TlvWrite};
pub use dol::{Dol, DolEntry, TagSource};
pub use error::Error;
pub use parse::{Iter, Options, Padding, Tlv, Walk, validate};
pub use tag::Tag;
#[cfg(feature = "alloc")]
pub use tree::{Node, Path, Tree};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The top-level objects of `input` with the default [`Options`] (skip `00` padding).
pub fn iter(input: &[u8]) -> Iter<'_> {
    Iter::new(input, Options::new())
}

/// Every object of `input`, depth-first, with the default [`Options`].
pub fn walk(input: &[u8]) -> Walk<'_> {
    Walk::new(input, Options::new())
}
