//! # mpay
//!
//! Mobile payment protocols and cryptography, as a family of independent crates. This umbrella
//! crate re-exports each of them behind a cargo feature of the same name (all on by default):
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`emv_tlv`] | `mpay-emv-tlv` | BER-TLV, the EMV data dictionary, DOLs |
//! | [`apdu`] | `mpay-apdu` | ISO 7816-4 APDUs, transports, AID routing |
//! | [`gmt`] | `mpay-gmt` | SM2, SM3, SM4 and GM/T formats |
//! | [`iso8583`] | `mpay-iso8583` | the switch message codec |
//! | [`otp`] | `mpay-otp` | HOTP, TOTP, OCRA, payment codes |
//! | [`tokenization`] | `mpay-tokenization` | FF1 and vault tokens, payment tokens |
//! | [`wpki`] | `mpay-wpki` | wallet PKI |
//! | [`nfc_ndef`] | `mpay-nfc-ndef` | NDEF and the Type 4 Tag |
//! | [`qr_payment`] | `mpay-qr-payment` | EMVCo QR, payment-code images, audio modem |
//! | [`emv`] | `mpay-emv` | contactless card, terminal kernel, cryptograms |
#![forbid(unsafe_code)]

#[cfg(feature = "apdu")]
pub use mpay_apdu as apdu;
#[cfg(feature = "emv")]
pub use mpay_emv as emv;
#[cfg(feature = "emv-tlv")]
pub use mpay_emv_tlv as emv_tlv;
#[cfg(feature = "gmt")]
pub use mpay_gmt as gmt;
#[cfg(feature = "iso8583")]
pub use mpay_iso8583 as iso8583;
#[cfg(feature = "nfc-ndef")]
pub use mpay_nfc_ndef as nfc_ndef;
#[cfg(feature = "otp")]
pub use mpay_otp as otp;
#[cfg(feature = "qr-payment")]
pub use mpay_qr_payment as qr_payment;
#[cfg(feature = "tokenization")]
pub use mpay_tokenization as tokenization;
#[cfg(feature = "wpki")]
pub use mpay_wpki as wpki;
