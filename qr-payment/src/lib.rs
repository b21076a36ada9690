//! EMVCo QR payloads, payment-code images and a chirp-style audio modem.
//!
//! - [`mpm`]: EMVCo **Merchant-Presented Mode** — the ID–length–value payload of a merchant's
//!   static or dynamic QR (PIX, PromptPay, UnionPay QR, …): a zero-copy parser with order,
//!   duplicate, format and CRC checks, a builder, typed access to the common fields, and the
//!   [`mpm::pix`] and [`mpm::promptpay`] profiles.
//! - [`crc`]: the CRC-16/CCITT-FALSE that closes every MPM payload.
//! - [`cpm`]: EMVCo **Consumer-Presented Mode** — BER-TLV (through `mpay-emv-tlv`) in base64.
//! - [`image`] (feature `std`): payment codes as QR and Code 128 set C, rendered to PNG and SVG,
//!   and QR decoding of images.
//! - [`audio`] (feature `audio`): a data-over-sound modem compatible with Chirp's 32-tone
//!   protocol, a payment-code mode carrying 18-digit codes, and the GF(32) Reed–Solomon codec.
//!
//! ```
//! use mpay_qr_payment::mpm::MerchantPayload;
//!
//! let text = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
//! let qr = MerchantPayload::parse(text)?;
//! assert_eq!(qr.country_code(), Some("TH"));
//! assert_eq!(qr.currency(), Some("764"));
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

#[cfg(feature = "audio")]
pub mod audio;
pub mod cpm;
pub mod crc;
mod error;
#[cfg(feature = "std")]
pub mod image;
pub mod mpm;

pub use error::{Error, Path};
