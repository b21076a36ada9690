//! # mpay-emv
//!
//! What an EMV card and terminal do, and the card-scheme cryptography around them.
//!
//! The issuer/HSM-side and card-side **cryptography** ([`crypto`]):
//!
//! - [`crypto::keys`]: double-length DES keys and AES keys that zeroize on drop and print only
//!   their check value;
//! - [`crypto::mac`]: ISO/IEC 9797-1 MAC algorithms 1 and 3 with padding methods 1, 2 and 3, and
//!   AES-CMAC (algorithm 5);
//! - [`crypto::kd`]: ICC master-key derivation options A and B, the EMV common session key, the
//!   Mastercard and Visa session-key variants and the EMV2000 tree;
//! - [`crypto::ac`]: ARQC/TC/AAC generation and constant-time verification, ARPC methods 1 and 2;
//! - [`crypto::cvn`]: named cryptogram version profiles (Visa CVN 10/18/22, Mastercard CVN
//!   16/17/20/21, Interac CVN 133) that say which keys, inputs and padding each uses;
//! - [`crypto::sm`]: issuer-script secure messaging (command MAC, encrypted PIN change);
//! - [`crypto::pin`]: PIN blocks in ISO 9564 formats 0, 1, 3 and 4;
//! - [`crypto::cvv`]: CVV/iCVV/CVV2, dCVV and CVC3;
//! - [`crypto::pboc`]: the PBOC/UICS national-algorithm (SM4) cryptogram profile;
//! - [`crypto::emv_aes`]: the EMV AES profile (16-byte blocks).
//!
//! On these build the [`card`] application (quick and standard flows), the terminal
//! [`kernel`] (with [`cvm`] lists), offline data authentication ([`oda`], RSA and SM2) and the
//! [`issuer`]'s ARQC check.
//!
//! ```
//! use mpay_emv::crypto::cvn::{Cvn, IssuerKeys, TransactionData};
//! use mpay_emv::crypto::keys::TdesKey;
//!
//! # fn main() -> Result<(), mpay_emv::Error> {
//! let issuer = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210")?);
//! let card = Cvn::Visa18.card_keys(&issuer, "1234567890123456", "00")?;
//! let tx = TransactionData {
//!     amount_authorised: [0, 0, 0, 0, 0x40, 0x00],
//!     amount_other: [0; 6],
//!     terminal_country: [0x01, 0x24],
//!     tvr: [0x80, 0x00, 0x04, 0x80, 0x00],
//!     currency: [0x01, 0x24],
//!     date: [0x19, 0x11, 0x05],
//!     transaction_type: 0x01,
//!     unpredictable_number: [0x52, 0xBF, 0x45, 0x85],
//!     aip: [0x18, 0x00],
//!     atc: [0x00, 0x1C],
//!     iad: vec![0x06, 0x01, 0x12, 0x03, 0xA0, 0xB8, 0x00],
//!     counters: vec![],
//! };
//! let arqc = Cvn::Visa18.arqc(&card, &tx)?;
//! assert_eq!(arqc, [0x7A, 0x78, 0x8E, 0xA6, 0xB8, 0xA3, 0xE7, 0x33]);
//! Cvn::Visa18.verify_arqc(&card, &tx, &arqc)?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod card;
pub mod crypto;
pub mod cvm;
mod error;
pub mod issuer;
pub mod kernel;
pub mod oda;

pub use error::{Error, Result};
