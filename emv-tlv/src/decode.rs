//! Decoders for the bit fields people read most: TVR `95`, AIP `82`, AUC `9F07`, TTQ `9F66`,
//! CTQ `9F6C` (EMV Book 3 Annex C, Book C-3/qPBOC), the CVM list `8E` and CVM results `9F34`.
//!
//! Each bit-field type holds its bytes, names every bit as an associated [`Bit`] constant, reads
//! and sets bits (a terminal builds its TVR with [`Tvr::set`]) and lists the bits that are set.
//!
//! ```
//! use mpay_emv_tlv::decode::{Tvr, describe};
//! use mpay_emv_tlv::Tag;
//! let mut tvr = Tvr::default();
//! tvr.set(Tvr::EXPIRED_APPLICATION);
//! tvr.set(Tvr::OFFLINE_DATA_AUTH_NOT_PERFORMED);
//! assert_eq!(tvr.bytes(), &[0x80, 0x40, 0, 0, 0]);
//! let names: Vec<&str> = tvr.iter_set().map(|b| b.name).collect();
//! assert_eq!(names, ["Offline data authentication was not performed", "Expired application"]);
//! assert_eq!(describe(Tag::new(0x95), &[0x80, 0x40, 0, 0, 0]).unwrap().to_string(),
//!            "Offline data authentication was not performed; Expired application");
//! ```

use core::fmt;

use crate::{Error, Tag};

/// One named bit: `byte` is 0-based, `mask` selects the bit(s) in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bit {
    /// Byte index, from 0.
    pub byte: u8,
    /// Mask within the byte (`0x80` = b8).
    pub mask: u8,
    /// What the bit means when set.
    pub name: &'static str,
}

macro_rules! bitfield {
    ($(#[$m:meta])* $ty:ident, $tag:expr, $n:expr, [$( $(#[$bm:meta])* $c:ident = ($byte:expr, $mask:expr, $name:expr) ),* $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $ty(pub [u8; $n]);

        impl $ty {
            /// The tag this field is the value of.
            pub const TAG: Tag = Tag::new($tag);
            $(
                #[doc = concat!("Byte ", stringify!($byte), " mask ", stringify!($mask), ": ", $name, ".")]
                pub const $c: Bit = Bit { byte: $byte, mask: $mask, name: $name };
            )*
            /// Every named bit, in byte and bit order.
            pub const BITS: &'static [Bit] = &[$($ty::$c),*];

            /// Reads the field from its value ([`Error::ValueLength`] unless exactly
            #[doc = concat!(stringify!($n), " bytes).")]
            pub fn from_bytes(v: &[u8]) -> Result<$ty, Error> {
                let a: [u8; $n] = v.try_into().map_err(|_| Error::ValueLength {
                    tag: Self::TAG, min: $n, max: $n, actual: v.len(),
                })?;
                Ok($ty(a))
            }

            /// The bytes.
            pub fn bytes(&self) -> &[u8; $n] {
                &self.0
            }

            /// Whether `bit` is set.
            pub fn is_set(&self, bit: Bit) -> bool {
                self.0.get(bit.byte as usize).is_some_and(|b| b & bit.mask == bit.mask)
            }

            /// Sets `bit`.
            pub fn set(&mut self, bit: Bit) {
                if let Some(b) = self.0.get_mut(bit.byte as usize) {
                    *b |= bit.mask;
                }
            }

            /// Clears `bit`.
            pub fn clear(&mut self, bit: Bit) {
                if let Some(b) = self.0.get_mut(bit.byte as usize) {
                    *b &= !bit.mask;
                }
            }

            /// The named bits that are set.
            pub fn iter_set(&self) -> impl Iterator<Item = &'static Bit> + '_ {
                Self::BITS.iter().filter(move |b| self.is_set(**b))
            }
        }
    };
}

bitfield! {
    /// Terminal Verification Results (`95`), EMV Book 3 Annex C5.
    Tvr, 0x95, 5, [
        OFFLINE_DATA_AUTH_NOT_PERFORMED = (0, 0x80, "Offline data authentication was not performed"),
        SDA_FAILED = (0, 0x40, "SDA failed"),
        ICC_DATA_MISSING = (0, 0x20, "ICC data missing"),
        CARD_ON_EXCEPTION_FILE = (0, 0x10, "Card appears on terminal exception file"),
        DDA_FAILED = (0, 0x08, "DDA failed"),
        CDA_FAILED = (0, 0x04, "CDA failed"),
        SDA_SELECTED = (0, 0x02, "SDA selected"),
        DIFFERENT_APPLICATION_VERSIONS = (1, 0x80, "ICC and terminal have different application versions"),
        EXPIRED_APPLICATION = (1, 0x40, "Expired application"),
        APPLICATION_NOT_YET_EFFECTIVE = (1, 0x20, "Application not yet effective"),
        SERVICE_NOT_ALLOWED = (1, 0x10, "Requested service not allowed for card product"),
        NEW_CARD = (1, 0x08, "New card"),
        CARDHOLDER_VERIFICATION_FAILED = (2, 0x80, "Cardholder verification was not successful"),
        UNRECOGNISED_CVM = (2, 0x40, "Unrecognised CVM"),
        PIN_TRY_LIMIT_EXCEEDED = (2, 0x20, "PIN Try Limit exceeded"),
        PIN_PAD_NOT_PRESENT = (2, 0x10, "PIN entry required and PIN pad not present or not working"),
        PIN_NOT_ENTERED = (2, 0x08, "PIN entry required, PIN pad present, but PIN was not entered"),
        ONLINE_PIN_ENTERED = (2, 0x04, "Online PIN entered"),
        EXCEEDS_FLOOR_LIMIT = (3, 0x80, "Transaction exceeds floor limit"),
        LOWER_OFFLINE_LIMIT_EXCEEDED = (3, 0x40, "Lower consecutive offline limit exceeded"),
        UPPER_OFFLINE_LIMIT_EXCEEDED = (3, 0x20, "Upper consecutive offline limit exceeded"),
        RANDOMLY_SELECTED_ONLINE = (3, 0x10, "Transaction selected randomly for online processing"),
        MERCHANT_FORCED_ONLINE = (3, 0x08, "Merchant forced transaction online"),
        DEFAULT_TDOL_USED = (4, 0x80, "Default TDOL used"),
        ISSUER_AUTHENTICATION_FAILED = (4, 0x40, "Issuer authentication failed"),
        SCRIPT_FAILED_BEFORE_FINAL_GENAC = (4, 0x20, "Script processing failed before final GENERATE AC"),
        SCRIPT_FAILED_AFTER_FINAL_GENAC = (4, 0x10, "Script processing failed after final GENERATE AC"),
        RELAY_RESISTANCE_THRESHOLD_EXCEEDED = (4, 0x08, "Relay resistance threshold exceeded"),
        RELAY_RESISTANCE_TIME_LIMITS_EXCEEDED = (4, 0x04, "Relay resistance time limits exceeded"),
    ]
}

bitfield! {
    /// Application Interchange Profile (`82`), EMV Book 3 Annex C1 and the contactless kernels.
    Aip, 0x82, 2, [
        SDA_SUPPORTED = (0, 0x40, "SDA supported"),
        DDA_SUPPORTED = (0, 0x20, "DDA supported"),
        CARDHOLDER_VERIFICATION_SUPPORTED = (0, 0x10, "Cardholder verification is supported"),
        TERMINAL_RISK_MANAGEMENT = (0, 0x08, "Terminal risk management is to be performed"),
        ISSUER_AUTHENTICATION_SUPPORTED = (0, 0x04, "Issuer authentication is supported"),
        ON_DEVICE_CVM_SUPPORTED = (0, 0x02, "On device cardholder verification is supported"),
        CDA_SUPPORTED = (0, 0x01, "CDA supported"),
        EMV_MODE_SUPPORTED = (1, 0x80, "EMV mode is supported (contactless)"),
        RELAY_RESISTANCE_SUPPORTED = (1, 0x01, "Relay resistance protocol is supported"),
    ]
}

bitfield! {
    /// Application Usage Control (`9F07`), EMV Book 3 Annex C2.
    Auc, 0x9F07, 2, [
        DOMESTIC_CASH = (0, 0x80, "Valid for domestic cash transactions"),
        INTERNATIONAL_CASH = (0, 0x40, "Valid for international cash transactions"),
        DOMESTIC_GOODS = (0, 0x20, "Valid for domestic goods"),
        INTERNATIONAL_GOODS = (0, 0x10, "Valid for international goods"),
        DOMESTIC_SERVICES = (0, 0x08, "Valid for domestic services"),
        INTERNATIONAL_SERVICES = (0, 0x04, "Valid for international services"),
        ATMS = (0, 0x02, "Valid at ATMs"),
        NON_ATM_TERMINALS = (0, 0x01, "Valid at terminals other than ATMs"),
        DOMESTIC_CASHBACK = (1, 0x80, "Domestic cashback allowed"),
        INTERNATIONAL_CASHBACK = (1, 0x40, "International cashback allowed"),
    ]
}

bitfield! {
    /// Terminal Transaction Qualifiers (`9F66`), Visa qVSDC / qPBOC.
    Ttq, 0x9F66, 4, [
        MAG_STRIPE_MODE = (0, 0x80, "Mag-stripe mode supported"),
        EMV_MODE = (0, 0x20, "EMV mode supported"),
        EMV_CONTACT_CHIP = (0, 0x10, "EMV contact chip supported"),
        OFFLINE_ONLY_READER = (0, 0x08, "Offline-only reader"),
        ONLINE_PIN = (0, 0x04, "Online PIN supported"),
        SIGNATURE = (0, 0x02, "Signature supported"),
        ODA_FOR_ONLINE = (0, 0x01, "Offline data authentication for online authorizations supported"),
        ONLINE_CRYPTOGRAM_REQUIRED = (1, 0x80, "Online cryptogram required"),
        CVM_REQUIRED = (1, 0x40, "CVM required"),
        CONTACT_CHIP_OFFLINE_PIN = (1, 0x20, "(Contact chip) offline PIN supported"),
        ISSUER_UPDATE_PROCESSING = (2, 0x80, "Issuer update processing supported"),
        CONSUMER_DEVICE_CVM = (2, 0x40, "Consumer device CVM supported"),
    ]
}

bitfield! {
    /// Card Transaction Qualifiers (`9F6C`), Visa qVSDC / qPBOC.
    Ctq, 0x9F6C, 2, [
        ONLINE_PIN_REQUIRED = (0, 0x80, "Online PIN required"),
        SIGNATURE_REQUIRED = (0, 0x40, "Signature required"),
        ONLINE_IF_ODA_FAILS = (0, 0x20, "Go online if offline data authentication fails and reader is online capable"),
        SWITCH_IF_ODA_FAILS = (0, 0x10, "Switch interface if offline data authentication fails and reader supports contact chip"),
        ONLINE_IF_EXPIRED = (0, 0x08, "Go online if application expired"),
        SWITCH_FOR_CASH = (0, 0x04, "Switch interface for cash transactions"),
        SWITCH_FOR_CASHBACK = (0, 0x02, "Switch interface for cashback transactions"),
        CONSUMER_DEVICE_CVM_PERFORMED = (1, 0x80, "Consumer device CVM performed"),
        ISSUER_UPDATE_AT_POS = (1, 0x40, "Card supports issuer update processing at the POS"),
    ]
}

/// A cardholder verification method (b6–b1 of a CVM code, Book 3 Annex C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvmMethod {
    /// `00`: fail CVM processing.
    Fail,
    /// `01`: plaintext PIN verified by the ICC.
    PlaintextPinByIcc,
    /// `02`: enciphered PIN verified online.
    EncipheredPinOnline,
    /// `03`: plaintext PIN verified by the ICC, and signature.
    PlaintextPinByIccAndSignature,
    /// `04`: enciphered PIN verified by the ICC.
    EncipheredPinByIcc,
    /// `05`: enciphered PIN verified by the ICC, and signature.
    EncipheredPinByIccAndSignature,
    /// `1E`: signature (paper).
    Signature,
    /// `1F`: no CVM required.
    NoCvmRequired,
    /// `3F`: no CVM performed (CVM results only).
    NotPerformed,
    /// Any other value (RFU, scheme- or issuer-specific).
    Other(u8),
}

impl CvmMethod {
    /// From the low six bits of a CVM code.
    pub fn from_code(code: u8) -> CvmMethod {
        match code & 0x3F {
            0x00 => CvmMethod::Fail,
            0x01 => CvmMethod::PlaintextPinByIcc,
            0x02 => CvmMethod::EncipheredPinOnline,
            0x03 => CvmMethod::PlaintextPinByIccAndSignature,
            0x04 => CvmMethod::EncipheredPinByIcc,
            0x05 => CvmMethod::EncipheredPinByIccAndSignature,
            0x1E => CvmMethod::Signature,
            0x1F => CvmMethod::NoCvmRequired,
            0x3F => CvmMethod::NotPerformed,
            other => CvmMethod::Other(other),
        }
    }

    /// A readable name.
    pub fn name(self) -> &'static str {
        match self {
            CvmMethod::Fail => "Fail CVM processing",
            CvmMethod::PlaintextPinByIcc => "Plaintext PIN verification performed by ICC",
            CvmMethod::EncipheredPinOnline => "Enciphered PIN verified online",
            CvmMethod::PlaintextPinByIccAndSignature => {
                "Plaintext PIN verification performed by ICC and signature"
            }
            CvmMethod::EncipheredPinByIcc => "Enciphered PIN verification performed by ICC",
            CvmMethod::EncipheredPinByIccAndSignature => {
                "Enciphered PIN verification performed by ICC and signature"
            }
            CvmMethod::Signature => "Signature (paper)",
            CvmMethod::NoCvmRequired => "No CVM required",
            CvmMethod::NotPerformed => "No CVM performed",
            CvmMethod::Other(_) => "RFU or proprietary CVM",
        }
    }
}

/// A CVM condition code (Book 3 Annex C3, second byte of a rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvmCondition {
    /// `00`
    Always,
    /// `01`
    UnattendedCash,
    /// `02`
    NotUnattendedCashNotManualCashNotCashback,
    /// `03`
    TerminalSupportsCvm,
    /// `04`
    ManualCash,
    /// `05`
    PurchaseWithCashback,
    /// `06`: application currency and under X.
    UnderX,
    /// `07`: application currency and over X.
    OverX,
    /// `08`: application currency and under Y.
    UnderY,
    /// `09`: application currency and over Y.
    OverY,
    /// Any other value.
    Other(u8),
}

impl CvmCondition {
    /// From the condition byte.
    pub fn from_code(code: u8) -> CvmCondition {
        match code {
            0x00 => CvmCondition::Always,
            0x01 => CvmCondition::UnattendedCash,
            0x02 => CvmCondition::NotUnattendedCashNotManualCashNotCashback,
            0x03 => CvmCondition::TerminalSupportsCvm,
            0x04 => CvmCondition::ManualCash,
            0x05 => CvmCondition::PurchaseWithCashback,
            0x06 => CvmCondition::UnderX,
            0x07 => CvmCondition::OverX,
            0x08 => CvmCondition::UnderY,
            0x09 => CvmCondition::OverY,
            o => CvmCondition::Other(o),
        }
    }

    /// A readable name.
    pub fn name(self) -> &'static str {
        match self {
            CvmCondition::Always => "Always",
            CvmCondition::UnattendedCash => "If unattended cash",
            CvmCondition::NotUnattendedCashNotManualCashNotCashback => {
                "If not unattended cash and not manual cash and not purchase with cashback"
            }
            CvmCondition::TerminalSupportsCvm => "If terminal supports the CVM",
            CvmCondition::ManualCash => "If manual cash",
            CvmCondition::PurchaseWithCashback => "If purchase with cashback",
            CvmCondition::UnderX => {
                "If transaction is in the application currency and is under X value"
            }
            CvmCondition::OverX => {
                "If transaction is in the application currency and is over X value"
            }
            CvmCondition::UnderY => {
                "If transaction is in the application currency and is under Y value"
            }
            CvmCondition::OverY => {
                "If transaction is in the application currency and is over Y value"
            }
            CvmCondition::Other(_) => "RFU or proprietary condition",
        }
    }
}

/// One rule of a CVM list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvmRule {
    /// The method.
    pub method: CvmMethod,
    /// b7 of the code: apply the next rule if this one fails.
    pub apply_next_if_unsuccessful: bool,
    /// The condition.
    pub condition: CvmCondition,
    /// The raw two bytes.
    pub raw: [u8; 2],
}

/// A CVM list (`8E`): amounts X and Y and the rules, borrowed.
///
/// ```
/// use mpay_emv_tlv::decode::{CvmList, CvmMethod, CvmCondition};
/// let v = [0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x03, 0x1E, 0x03, 0x1F, 0x00];
/// let l = CvmList::parse(&v).unwrap();
/// let r: Vec<_> = l.rules().collect();
/// assert_eq!(r[0].method, CvmMethod::EncipheredPinOnline);
/// assert!(r[0].apply_next_if_unsuccessful);
/// assert_eq!(r[2].condition, CvmCondition::Always);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CvmList<'a> {
    /// Amount X (binary, application currency, implicit exponent).
    pub x: u32,
    /// Amount Y.
    pub y: u32,
    rules: &'a [u8],
}

impl<'a> CvmList<'a> {
    /// Parses: 8 bytes of amounts then 2-byte rules ([`Error::ValueLength`] otherwise).
    pub fn parse(v: &'a [u8]) -> Result<CvmList<'a>, Error> {
        if v.len() < 8 || !v.len().is_multiple_of(2) || v.len() > 252 {
            return Err(Error::ValueLength {
                tag: Tag::new(0x8E),
                min: 8,
                max: 252,
                actual: v.len(),
            });
        }
        Ok(CvmList {
            x: u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            y: u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
            rules: &v[8..],
        })
    }

    /// The rules, in order.
    pub fn rules(&self) -> impl Iterator<Item = CvmRule> + 'a {
        self.rules.chunks_exact(2).map(|c| CvmRule {
            method: CvmMethod::from_code(c[0]),
            apply_next_if_unsuccessful: c[0] & 0x40 != 0,
            condition: CvmCondition::from_code(c[1]),
            raw: [c[0], c[1]],
        })
    }
}

impl fmt::Display for CvmList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X={} Y={}", self.x, self.y)?;
        for r in self.rules() {
            write!(f, "; {} — {}", r.method.name(), r.condition.name())?;
            if r.apply_next_if_unsuccessful {
                f.write_str(" (else next)")?;
            }
        }
        Ok(())
    }
}

/// Result byte of the CVM results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvmOutcome {
    /// `00`
    Unknown,
    /// `01`
    Failed,
    /// `02`
    Successful,
    /// Other values.
    Other(u8),
}

/// CVM Results (`9F34`): method performed, condition, result.
///
/// ```
/// use mpay_emv_tlv::decode::{CvmResults, CvmMethod, CvmOutcome};
/// let r = CvmResults::from_bytes(&[0x1F, 0x00, 0x02]).unwrap();
/// assert_eq!((r.method, r.outcome), (CvmMethod::NoCvmRequired, CvmOutcome::Successful));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvmResults {
    /// The method performed (or [`CvmMethod::NotPerformed`]).
    pub method: CvmMethod,
    /// The condition of the rule applied.
    pub condition: CvmCondition,
    /// The outcome.
    pub outcome: CvmOutcome,
    /// The raw bytes.
    pub raw: [u8; 3],
}

impl CvmResults {
    /// Reads the 3-byte value.
    pub fn from_bytes(v: &[u8]) -> Result<CvmResults, Error> {
        let raw: [u8; 3] = v.try_into().map_err(|_| Error::ValueLength {
            tag: Tag::new(0x9F34),
            min: 3,
            max: 3,
            actual: v.len(),
        })?;
        Ok(CvmResults {
            method: CvmMethod::from_code(raw[0]),
            condition: CvmCondition::from_code(raw[1]),
            outcome: match raw[2] {
                0 => CvmOutcome::Unknown,
                1 => CvmOutcome::Failed,
                2 => CvmOutcome::Successful,
                o => CvmOutcome::Other(o),
            },
            raw,
        })
    }
}

impl fmt::Display for CvmResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match self.outcome {
            CvmOutcome::Unknown => "unknown",
            CvmOutcome::Failed => "failed",
            CvmOutcome::Successful => "successful",
            CvmOutcome::Other(_) => "RFU",
        };
        write!(
            f,
            "{} — {} — {}",
            self.method.name(),
            self.condition.name(),
            outcome
        )
    }
}

/// A decoded bit field, CVM list or CVM results, for display ([`describe`]).
#[derive(Debug, Clone, Copy)]
pub enum Described<'a> {
    /// Names of set bits from a bit-field table.
    Bits(&'static [Bit], &'a [u8]),
    /// A CVM list.
    CvmList(CvmList<'a>),
    /// CVM results.
    CvmResults(CvmResults),
}

/// Decodes `value` if `tag` is one of the fields this module knows and the length fits.
pub fn describe(tag: Tag, value: &[u8]) -> Option<Described<'_>> {
    let bits = |table: &'static [Bit], n: usize| {
        (value.len() == n).then_some(Described::Bits(table, value))
    };
    match tag.value() {
        0x95 => bits(Tvr::BITS, 5),
        0x82 => bits(Aip::BITS, 2),
        0x9F07 => bits(Auc::BITS, 2),
        0x9F66 => bits(Ttq::BITS, 4),
        0x9F6C => bits(Ctq::BITS, 2),
        0x8E => CvmList::parse(value).ok().map(Described::CvmList),
        0x9F34 => CvmResults::from_bytes(value)
            .ok()
            .map(Described::CvmResults),
        _ => None,
    }
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Described::Bits(table, v) => {
                let mut first = true;
                for b in table.iter() {
                    if v.get(b.byte as usize).is_some_and(|x| x & b.mask == b.mask) {
                        if !first {
                            f.write_str("; ")?;
                        }
                        first = false;
                        f.write_str(b.name)?;
                    }
                }
                if first {
                    f.write_str("(none set)")?;
                }
                Ok(())
            }
            Described::CvmList(l) => fmt::Display::fmt(l, f),
            Described::CvmResults(r) => fmt::Display::fmt(r, f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    #[test]
    fn ttq_ctq_aip_auc() {
        // Visa qVSDC TTQ 36 00 40 00: EMV mode, contact chip, online PIN, signature; CDCVM.
        let t = Ttq::from_bytes(&[0x36, 0x00, 0x40, 0x00]).unwrap();
        let n: Vec<_> = t.iter_set().map(|b| b.name).collect();
        assert_eq!(
            n,
            [
                "EMV mode supported",
                "EMV contact chip supported",
                "Online PIN supported",
                "Signature supported",
                "Consumer device CVM supported"
            ]
        );
        assert!(
            Ctq::from_bytes(&[0x80, 0x00])
                .unwrap()
                .is_set(Ctq::ONLINE_PIN_REQUIRED)
        );
        let aip = Aip::from_bytes(&[0x19, 0x80]).unwrap();
        assert!(aip.is_set(Aip::CDA_SUPPORTED) && aip.is_set(Aip::EMV_MODE_SUPPORTED));
        assert!(!aip.is_set(Aip::DDA_SUPPORTED));
        let auc = Auc::from_bytes(&[0xFF, 0x00]).unwrap();
        assert_eq!(auc.iter_set().count(), 8);
        assert_eq!(
            Tvr::from_bytes(&[0; 4]),
            Err(Error::ValueLength {
                tag: Tag::new(0x95),
                min: 5,
                max: 5,
                actual: 4
            })
        );
        let mut tvr = Tvr::from_bytes(&[0xFF; 5]).unwrap();
        tvr.clear(Tvr::NEW_CARD);
        assert_eq!(tvr.0[1], 0xF7);
    }

    #[test]
    fn cvm() {
        assert!(CvmList::parse(&[0; 9]).is_err());
        assert!(CvmList::parse(&[0; 7]).is_err());
        let l = CvmList::parse(&[0, 0, 0x13, 0x88, 0, 0, 0, 0, 0x5E, 0x06]).unwrap();
        assert_eq!(l.x, 5000);
        let r = l.rules().next().unwrap();
        assert_eq!(
            (r.method, r.condition, r.apply_next_if_unsuccessful),
            (CvmMethod::Signature, CvmCondition::UnderX, true)
        );
        let res = CvmResults::from_bytes(&[0x42, 0x03, 0x00]).unwrap();
        assert_eq!(res.method, CvmMethod::EncipheredPinOnline);
        assert_eq!(res.outcome, CvmOutcome::Unknown);
        assert!(describe(Tag::new(0x9F34), &[1, 2]).is_none());
        assert_eq!(
            describe(Tag::new(0x9F34), &[0x1F, 0x00, 0x02])
                .unwrap()
                .to_string(),
            "No CVM required — Always — successful"
        );
    }
}
