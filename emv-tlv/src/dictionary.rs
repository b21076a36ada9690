//! The EMV data dictionary: name, format, length limits, source and sensitivity of 270+ tags
//! (EMV Books 1–4 Annex A, the contactless kernels — Mastercard kernel 2 `DF81xx`/`FF81xx`,
//! Visa/Amex/JCB scheme tags — and PBOC/UICS tags such as `DF69`, `9F63`, `9F74`, `9F79`).
//!
//! Tags in the `9F50`–`9F7F` and `DF6x` ranges mean different things to different kernels; their
//! names list the meanings (`"Card Transaction Qualifiers (CTQ) / Mag-stripe Application Version
//! Number (card)"`), and format/limits are the widest of them. Sensitivity drives masking: a PAN
//! shows its first 6 and last 4 digits, track 2 its PAN that way and nothing after the `D`
//! separator, secrets (track 1, cardholder name, PIN data) show nothing.
//!
//! ```
//! use mpay_emv_tlv::{dictionary::{self, Format, Sensitivity}, Tag};
//! let info = dictionary::lookup(Tag::new(0x9F02)).unwrap();
//! assert_eq!(info.name, "Amount, Authorised (Numeric)");
//! assert_eq!((info.format, info.min_len, info.max_len), (Format::N, 6, 6));
//! assert_eq!(dictionary::lookup(Tag::new(0x5A)).unwrap().sensitivity, Sensitivity::Pan);
//! let pan = [0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19];
//! assert_eq!(dictionary::masked(Tag::new(0x5A), &pan).to_string(), "476173******0119");
//! ```

use core::fmt;

use crate::{Error, Tag};

/// Data element format (EMV Book 1 §4.3 / Book 3 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Alphabetic.
    A,
    /// Alphanumeric.
    An,
    /// Alphanumeric special.
    Ans,
    /// Binary.
    B,
    /// Compressed numeric: BCD digits left-justified, padded with `F`.
    Cn,
    /// Numeric: BCD digits right-justified, padded with leading `0`.
    N,
    /// Variable / constructed (templates, AFL, tag lists).
    Var,
}

impl Format {
    /// The format's name as EMV writes it (`"n"`, `"cn"`, `"ans"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::A => "a",
            Format::An => "an",
            Format::Ans => "ans",
            Format::B => "b",
            Format::Cn => "cn",
            Format::N => "n",
            Format::Var => "var",
        }
    }

    /// Whether values are text (a, an, ans).
    pub fn is_text(self) -> bool {
        matches!(self, Format::A | Format::An | Format::Ans)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who provides a data element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The card (ICC).
    Card,
    /// The terminal (or reader / kernel).
    Terminal,
    /// The issuer (through the authorisation response).
    Issuer,
}

/// How a value may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sensitivity {
    /// Shown as is.
    Public,
    /// A PAN: first 6 and last 4 digits shown.
    Pan,
    /// Track 2 (equivalent) data: the PAN masked like [`Sensitivity::Pan`], everything after the
    /// `D` separator masked.
    Track,
    /// Nothing shown (track 1, cardholder name, PIN data, discretionary track data).
    Secret,
}

/// One dictionary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// Name (several meanings separated by ` / ` where kernels disagree).
    pub name: &'static str,
    /// Format.
    pub format: Format,
    /// Smallest length in bytes.
    pub min_len: u16,
    /// Largest length in bytes.
    pub max_len: u16,
    /// Who provides it.
    pub source: Source,
    /// How it may be shown.
    pub sensitivity: Sensitivity,
}

impl TagInfo {
    /// Checks a value's length against the entry's limits ([`Error::ValueLength`]).
    pub fn check_len(&self, len: usize) -> Result<(), Error> {
        if len < self.min_len as usize || len > self.max_len as usize {
            return Err(Error::ValueLength {
                tag: self.tag,
                min: self.min_len as usize,
                max: self.max_len as usize,
                actual: len,
            });
        }
        Ok(())
    }
}

const fn e(
    tag: u32,
    name: &'static str,
    format: Format,
    min_len: u16,
    max_len: u16,
    source: Source,
    sensitivity: Sensitivity,
) -> TagInfo {
    TagInfo {
        tag: Tag::new(tag),
        name,
        format,
        min_len,
        max_len,
        source,
        sensitivity,
    }
}

/// All entries, sorted by tag.
pub fn entries() -> &'static [TagInfo] {
    TAGS
}

/// The entry for `tag`.
pub fn lookup(tag: Tag) -> Option<&'static TagInfo> {
    TAGS.binary_search_by_key(&tag, |i| i.tag)
        .ok()
        .map(|i| &TAGS[i])
}

/// The tag's name, or `"Unknown"`.
pub fn name_of(tag: Tag) -> &'static str {
    lookup(tag).map_or("Unknown", |i| i.name)
}

/// The tag's format; unknown tags are [`Format::B`] (what DOL building then applies).
pub fn format_of(tag: Tag) -> Format {
    lookup(tag).map_or(Format::B, |i| i.format)
}

/// The tag's sensitivity; unknown tags are [`Sensitivity::Public`].
pub fn sensitivity_of(tag: Tag) -> Sensitivity {
    lookup(tag).map_or(Sensitivity::Public, |i| i.sensitivity)
}

/// A value shown as uppercase hex, masked per its tag's [`Sensitivity`] (`*` per hidden digit).
/// Allocates nothing.
#[derive(Clone, Copy)]
pub struct Masked<'a> {
    value: &'a [u8],
    sensitivity: Sensitivity,
}

/// `value` of `tag`, masked for display.
pub fn masked(tag: Tag, value: &[u8]) -> Masked<'_> {
    Masked {
        value,
        sensitivity: sensitivity_of(tag),
    }
}

impl<'a> Masked<'a> {
    /// `value` masked with an explicit sensitivity.
    pub fn new(value: &'a [u8], sensitivity: Sensitivity) -> Masked<'a> {
        Masked { value, sensitivity }
    }

    /// Whether anything is hidden.
    pub fn hides_anything(&self) -> bool {
        self.sensitivity != Sensitivity::Public && !self.value.is_empty()
    }
}

fn nibble(v: &[u8], i: usize) -> u8 {
    let b = v[i / 2];
    if i.is_multiple_of(2) {
        b >> 4
    } else {
        b & 0x0F
    }
}

/// Digits before the trailing `F` padding in nibbles `[0, end)`.
fn digits_before_padding(v: &[u8], end: usize) -> usize {
    let mut n = end;
    while n > 0 && nibble(v, n - 1) == 0xF {
        n -= 1;
    }
    n
}

fn pan_shows(i: usize, digits: usize) -> bool {
    i >= digits || (digits >= 13 && (i < 6 || i >= digits - 4))
}

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let v = self.value;
        let nibbles = v.len() * 2;
        let sep = (0..nibbles).find(|&i| nibble(v, i) == 0xD);
        let pan_end = match self.sensitivity {
            Sensitivity::Track => sep.unwrap_or(nibbles),
            _ => nibbles,
        };
        let pan_digits = digits_before_padding(v, pan_end);
        let tail_digits = digits_before_padding(v, nibbles);
        for i in 0..nibbles {
            let show = match self.sensitivity {
                Sensitivity::Public => true,
                Sensitivity::Secret => false,
                Sensitivity::Pan => pan_shows(i, pan_digits),
                Sensitivity::Track => {
                    if i < pan_end {
                        pan_shows(i, pan_digits)
                    } else {
                        i == pan_end || i >= tail_digits
                    }
                }
            };
            let c = if show {
                HEX[nibble(v, i) as usize] as char
            } else {
                '*'
            };
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[rustfmt::skip]
static TAGS: &[TagInfo] = &[
    e(0x42, "Issuer Identification Number (IIN)", Format::N, 3, 3, Source::Card, Sensitivity::Public),
    e(0x4F, "Application Identifier (AID) - card", Format::B, 5, 16, Source::Card, Sensitivity::Public),
    e(0x50, "Application Label", Format::Ans, 1, 16, Source::Card, Sensitivity::Public),
    e(0x56, "Track 1 Data", Format::Ans, 0, 76, Source::Card, Sensitivity::Secret),
    e(0x57, "Track 2 Equivalent Data", Format::B, 0, 19, Source::Card, Sensitivity::Track),
    e(0x5A, "Application Primary Account Number (PAN)", Format::Cn, 0, 10, Source::Card, Sensitivity::Pan),
    e(0x61, "Application Template", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x6F, "File Control Information (FCI) Template", Format::Var, 0, 252, Source::Card, Sensitivity::Public),
    e(0x70, "READ RECORD Response Message Template", Format::Var, 0, 65535, Source::Card, Sensitivity::Public),
    e(0x71, "Issuer Script Template 1", Format::Var, 0, 255, Source::Issuer, Sensitivity::Public),
    e(0x72, "Issuer Script Template 2", Format::Var, 0, 255, Source::Issuer, Sensitivity::Public),
    e(0x73, "Directory Discretionary Template", Format::Var, 0, 252, Source::Card, Sensitivity::Public),
    e(0x77, "Response Message Template Format 2", Format::Var, 0, 65535, Source::Card, Sensitivity::Public),
    e(0x80, "Response Message Template Format 1", Format::Var, 0, 65535, Source::Card, Sensitivity::Public),
    e(0x81, "Amount, Authorised (Binary)", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x82, "Application Interchange Profile (AIP)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x83, "Command Template", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0x84, "Dedicated File (DF) Name", Format::B, 5, 16, Source::Card, Sensitivity::Public),
    e(0x86, "Issuer Script Command", Format::B, 0, 261, Source::Issuer, Sensitivity::Public),
    e(0x87, "Application Priority Indicator", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x88, "Short File Identifier (SFI)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x89, "Authorisation Code", Format::An, 6, 6, Source::Issuer, Sensitivity::Public),
    e(0x8A, "Authorisation Response Code", Format::An, 2, 2, Source::Issuer, Sensitivity::Public),
    e(0x8C, "Card Risk Management Data Object List 1 (CDOL1)", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x8D, "Card Risk Management Data Object List 2 (CDOL2)", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x8E, "Cardholder Verification Method (CVM) List", Format::B, 10, 252, Source::Card, Sensitivity::Public),
    e(0x8F, "Certification Authority Public Key Index (card)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x90, "Issuer Public Key Certificate", Format::B, 0, 248, Source::Card, Sensitivity::Public),
    e(0x91, "Issuer Authentication Data", Format::B, 8, 16, Source::Issuer, Sensitivity::Public),
    e(0x92, "Issuer Public Key Remainder", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x93, "Signed Static Application Data", Format::B, 0, 248, Source::Card, Sensitivity::Public),
    e(0x94, "Application File Locator (AFL)", Format::Var, 0, 252, Source::Card, Sensitivity::Public),
    e(0x95, "Terminal Verification Results (TVR)", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0x97, "Transaction Certificate Data Object List (TDOL)", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x98, "Transaction Certificate (TC) Hash Value", Format::B, 20, 20, Source::Terminal, Sensitivity::Public),
    e(0x99, "Transaction Personal Identification Number (PIN) Data", Format::B, 0, 255, Source::Terminal, Sensitivity::Secret),
    e(0x9A, "Transaction Date", Format::N, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0x9B, "Transaction Status Information (TSI)", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x9C, "Transaction Type", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9D, "Directory Definition File (DDF) Name", Format::B, 5, 16, Source::Card, Sensitivity::Public),
    e(0xA5, "File Control Information (FCI) Proprietary Template", Format::Var, 0, 252, Source::Card, Sensitivity::Public),
    e(0x5F20, "Cardholder Name", Format::Ans, 2, 26, Source::Card, Sensitivity::Secret),
    e(0x5F24, "Application Expiration Date", Format::N, 3, 3, Source::Card, Sensitivity::Public),
    e(0x5F25, "Application Effective Date", Format::N, 3, 3, Source::Card, Sensitivity::Public),
    e(0x5F28, "Issuer Country Code", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0x5F2A, "Transaction Currency Code", Format::N, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x5F2D, "Language Preference", Format::An, 2, 8, Source::Card, Sensitivity::Public),
    e(0x5F30, "Service Code", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0x5F34, "Application PAN Sequence Number", Format::N, 1, 1, Source::Card, Sensitivity::Public),
    e(0x5F36, "Transaction Currency Exponent", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x5F50, "Issuer URL", Format::Ans, 0, 255, Source::Card, Sensitivity::Public),
    e(0x5F53, "International Bank Account Number (IBAN)", Format::Var, 0, 34, Source::Card, Sensitivity::Secret),
    e(0x5F54, "Bank Identifier Code (BIC)", Format::Var, 8, 11, Source::Card, Sensitivity::Public),
    e(0x5F55, "Issuer Country Code (alpha2 format)", Format::A, 2, 2, Source::Card, Sensitivity::Public),
    e(0x5F56, "Issuer Country Code (alpha3 format)", Format::A, 3, 3, Source::Card, Sensitivity::Public),
    e(0x5F57, "Account Type", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F01, "Acquirer Identifier", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0x9F02, "Amount, Authorised (Numeric)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0x9F03, "Amount, Other (Numeric)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0x9F04, "Amount, Other (Binary)", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F05, "Application Discretionary Data", Format::B, 1, 32, Source::Card, Sensitivity::Public),
    e(0x9F06, "Application Identifier (AID) - terminal", Format::B, 5, 16, Source::Terminal, Sensitivity::Public),
    e(0x9F07, "Application Usage Control (AUC)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F08, "Application Version Number (card)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F09, "Application Version Number (terminal)", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x9F0A, "Application Selection Registered Proprietary Data (ASRPD)", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F0B, "Cardholder Name Extended", Format::Ans, 27, 45, Source::Card, Sensitivity::Secret),
    e(0x9F0C, "Issuer Identification Number Extended (IINE)", Format::N, 3, 4, Source::Card, Sensitivity::Public),
    e(0x9F0D, "Issuer Action Code - Default", Format::B, 5, 5, Source::Card, Sensitivity::Public),
    e(0x9F0E, "Issuer Action Code - Denial", Format::B, 5, 5, Source::Card, Sensitivity::Public),
    e(0x9F0F, "Issuer Action Code - Online", Format::B, 5, 5, Source::Card, Sensitivity::Public),
    e(0x9F10, "Issuer Application Data (IAD)", Format::B, 0, 32, Source::Card, Sensitivity::Public),
    e(0x9F11, "Issuer Code Table Index", Format::N, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F12, "Application Preferred Name", Format::Ans, 1, 16, Source::Card, Sensitivity::Public),
    e(0x9F13, "Last Online Application Transaction Counter (ATC) Register", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F14, "Lower Consecutive Offline Limit", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F15, "Merchant Category Code", Format::N, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x9F16, "Merchant Identifier", Format::Ans, 15, 15, Source::Terminal, Sensitivity::Public),
    e(0x9F17, "Personal Identification Number (PIN) Try Counter", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F18, "Issuer Script Identifier", Format::B, 4, 4, Source::Issuer, Sensitivity::Public),
    e(0x9F19, "Token Requestor ID", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0x9F1A, "Terminal Country Code", Format::N, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x9F1B, "Terminal Floor Limit", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F1C, "Terminal Identification", Format::An, 8, 8, Source::Terminal, Sensitivity::Public),
    e(0x9F1D, "Terminal Risk Management Data", Format::B, 1, 8, Source::Terminal, Sensitivity::Public),
    e(0x9F1E, "Interface Device (IFD) Serial Number", Format::An, 8, 8, Source::Terminal, Sensitivity::Public),
    e(0x9F1F, "Track 1 Discretionary Data", Format::Ans, 0, 54, Source::Card, Sensitivity::Secret),
    e(0x9F20, "Track 2 Discretionary Data", Format::Cn, 0, 16, Source::Card, Sensitivity::Secret),
    e(0x9F21, "Transaction Time", Format::N, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0x9F22, "Certification Authority Public Key Index (terminal)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F23, "Upper Consecutive Offline Limit", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F24, "Payment Account Reference (PAR)", Format::An, 29, 29, Source::Card, Sensitivity::Public),
    e(0x9F25, "Last 4 Digits of PAN", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F26, "Application Cryptogram", Format::B, 8, 8, Source::Card, Sensitivity::Public),
    e(0x9F27, "Cryptogram Information Data", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F29, "Extended Selection", Format::B, 0, 11, Source::Card, Sensitivity::Public),
    e(0x9F2A, "Kernel Identifier", Format::B, 1, 8, Source::Card, Sensitivity::Public),
    e(0x9F2D, "ICC PIN Encipherment Public Key Certificate", Format::B, 0, 248, Source::Card, Sensitivity::Public),
    e(0x9F2E, "ICC PIN Encipherment Public Key Exponent", Format::B, 1, 3, Source::Card, Sensitivity::Public),
    e(0x9F2F, "ICC PIN Encipherment Public Key Remainder", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F32, "Issuer Public Key Exponent", Format::B, 1, 3, Source::Card, Sensitivity::Public),
    e(0x9F33, "Terminal Capabilities", Format::B, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0x9F34, "Cardholder Verification Method (CVM) Results", Format::B, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0x9F35, "Terminal Type", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F36, "Application Transaction Counter (ATC)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F37, "Unpredictable Number", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F38, "Processing Options Data Object List (PDOL)", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x9F39, "Point-of-Service (POS) Entry Mode", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F3A, "Amount, Reference Currency", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F3B, "Application Reference Currency", Format::N, 2, 8, Source::Card, Sensitivity::Public),
    e(0x9F3C, "Transaction Reference Currency Code", Format::N, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0x9F3D, "Transaction Reference Currency Exponent", Format::N, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F40, "Additional Terminal Capabilities", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0x9F41, "Transaction Sequence Counter", Format::N, 2, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F42, "Application Currency Code", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F43, "Application Reference Currency Exponent", Format::N, 1, 4, Source::Card, Sensitivity::Public),
    e(0x9F44, "Application Currency Exponent", Format::N, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F45, "Data Authentication Code", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F46, "ICC Public Key Certificate", Format::B, 0, 248, Source::Card, Sensitivity::Public),
    e(0x9F47, "ICC Public Key Exponent", Format::B, 1, 3, Source::Card, Sensitivity::Public),
    e(0x9F48, "ICC Public Key Remainder", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F49, "Dynamic Data Authentication Data Object List (DDOL)", Format::B, 0, 252, Source::Card, Sensitivity::Public),
    e(0x9F4A, "Static Data Authentication Tag List", Format::Var, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F4B, "Signed Dynamic Application Data", Format::B, 0, 248, Source::Card, Sensitivity::Public),
    e(0x9F4C, "ICC Dynamic Number", Format::B, 2, 8, Source::Card, Sensitivity::Public),
    e(0x9F4D, "Log Entry", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F4E, "Merchant Name and Location", Format::Ans, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0x9F4F, "Log Format", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F50, "Offline Accumulator Balance (Visa) / Cardholder Verification Status", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0x9F51, "Application Currency Code (Visa, PBOC) / DRDOL (Mastercard)", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0x9F52, "Application Default Action (ADA) / Terminal Compatibility Indicator (JCB)", Format::B, 1, 4, Source::Card, Sensitivity::Public),
    e(0x9F53, "Consecutive Transaction Limit International / Transaction Category Code (Mastercard)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F54, "Cumulative Total Transaction Amount Limit / DS ODS Card (Mastercard)", Format::B, 0, 160, Source::Card, Sensitivity::Public),
    e(0x9F55, "Geographic Indicator / Issuer Authentication Flags", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F56, "Issuer Authentication Indicator", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F57, "Issuer Country Code (card risk management)", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F58, "Lower Consecutive Offline Limit (card risk management)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F59, "Upper Consecutive Offline Limit (card risk management)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F5A, "Application Program Identifier (Visa)", Format::B, 1, 16, Source::Card, Sensitivity::Public),
    e(0x9F5B, "Issuer Script Results", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0x9F5C, "Cumulative Total Transaction Amount Upper Limit / DS Requested Operator ID (Mastercard)", Format::B, 6, 8, Source::Card, Sensitivity::Public),
    e(0x9F5D, "Available Offline Spending Amount (AOSA)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0x9F5E, "Consecutive Transaction International Upper Limit / DS ID (Mastercard)", Format::B, 1, 11, Source::Card, Sensitivity::Public),
    e(0x9F5F, "DS Slot Availability (Mastercard)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F60, "CVC3 (Track 1)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F61, "CVC3 (Track 2)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F62, "PCVC3 (Track 1)", Format::B, 6, 6, Source::Card, Sensitivity::Public),
    e(0x9F63, "Card Product Identification Information (PBOC) / PUNATC (Track 1) (Mastercard)", Format::B, 0, 16, Source::Card, Sensitivity::Public),
    e(0x9F64, "NATC (Track 1)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F65, "PCVC3 (Track 2)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F66, "Terminal Transaction Qualifiers (TTQ) / PUNATC (Track 2) (Mastercard)", Format::B, 2, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F67, "NATC (Track 2) / MSD Offset", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F68, "Card Additional Processes (Visa) / Mag-stripe CVM List (Mastercard)", Format::B, 4, 32, Source::Card, Sensitivity::Public),
    e(0x9F69, "Card Authentication Related Data (Visa, PBOC) / UDOL (Mastercard)", Format::B, 0, 16, Source::Card, Sensitivity::Public),
    e(0x9F6A, "Unpredictable Number (Numeric)", Format::N, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0x9F6B, "Track 2 Data (Mastercard) / Card CVM Limit (Visa)", Format::B, 0, 19, Source::Card, Sensitivity::Track),
    e(0x9F6C, "Card Transaction Qualifiers (CTQ) / Mag-stripe Application Version Number (card)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0x9F6D, "Mag-stripe Application Version Number (reader) / EC Reset Threshold (PBOC) / Contactless Reader Capabilities (Amex)", Format::B, 1, 6, Source::Terminal, Sensitivity::Public),
    e(0x9F6E, "Form Factor Indicator (Visa) / Third Party Data (Mastercard) / Enhanced Contactless Reader Capabilities (Amex)", Format::B, 4, 32, Source::Card, Sensitivity::Public),
    e(0x9F6F, "DS Slot Management Control (Mastercard)", Format::B, 1, 1, Source::Card, Sensitivity::Public),
    e(0x9F70, "Protected Data Envelope 1 (Mastercard) / Card Interface Capabilities (Amex)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F71, "Protected Data Envelope 2 (Mastercard) / Mobile CVM Results (Amex)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F72, "Protected Data Envelope 3 (Mastercard) / Consecutive Transaction Limit International Country (PBOC)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F73, "Protected Data Envelope 4 (Mastercard) / Currency Conversion Factor (PBOC)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F74, "EC Issuer Authorisation Code (PBOC) / VLP Issuer Authorisation Code (Visa)", Format::A, 6, 6, Source::Card, Sensitivity::Public),
    e(0x9F75, "Unprotected Data Envelope 1 (Mastercard) / Cumulative Total Transaction Amount Limit - Dual Currency (PBOC)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F76, "Unprotected Data Envelope 2 (Mastercard) / Secondary Application Currency Code (PBOC)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F77, "EC Balance Limit (PBOC) / VLP Funds Limit / Unprotected Data Envelope 3 (Mastercard)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F78, "EC Single Transaction Limit (PBOC) / VLP Single Transaction Limit / Unprotected Data Envelope 4 (Mastercard)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F79, "EC Balance (PBOC) / VLP Available Funds / Unprotected Data Envelope 5 (Mastercard)", Format::B, 0, 192, Source::Card, Sensitivity::Public),
    e(0x9F7A, "EC Terminal Support Indicator (PBOC) / VLP Terminal Support Indicator", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0x9F7B, "EC Terminal Transaction Limit (PBOC) / VLP Terminal Transaction Limit", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0x9F7C, "Customer Exclusive Data (Visa) / Merchant Custom Data (Mastercard)", Format::B, 0, 32, Source::Card, Sensitivity::Public),
    e(0x9F7D, "DS Summary 1 (Mastercard)", Format::B, 8, 16, Source::Card, Sensitivity::Public),
    e(0x9F7E, "Mobile Support Indicator (Mastercard) / Application Life Cycle Data (Visa)", Format::B, 1, 48, Source::Card, Sensitivity::Public),
    e(0x9F7F, "DS Unpredictable Number (Mastercard) / Card Production Life Cycle Data", Format::B, 4, 42, Source::Card, Sensitivity::Public),
    e(0xBF0C, "File Control Information (FCI) Issuer Discretionary Data", Format::Var, 0, 222, Source::Card, Sensitivity::Public),
    e(0xBF60, "Integrated Data Storage Record Update Template (Mastercard)", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF01, "Application Selection Indicator (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF02, "CA Public Key Modulus (UnionPay terminal parameter)", Format::B, 0, 248, Source::Terminal, Sensitivity::Public),
    e(0xDF03, "CA Public Key Check Sum (UnionPay terminal parameter)", Format::B, 20, 20, Source::Terminal, Sensitivity::Public),
    e(0xDF04, "CA Public Key Exponent (UnionPay terminal parameter)", Format::B, 1, 3, Source::Terminal, Sensitivity::Public),
    e(0xDF05, "CA Public Key Expiration Date (UnionPay terminal parameter)", Format::N, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0xDF06, "CA Public Key Hash Algorithm Indicator (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF07, "CA Public Key Algorithm Indicator (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF11, "Terminal Action Code - Default (UnionPay terminal parameter)", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF12, "Terminal Action Code - Online (UnionPay terminal parameter)", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF13, "Terminal Action Code - Denial (UnionPay terminal parameter)", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF14, "Default DDOL (UnionPay terminal parameter)", Format::B, 0, 252, Source::Terminal, Sensitivity::Public),
    e(0xDF15, "Threshold Value for Biased Random Selection (UnionPay terminal parameter)", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0xDF16, "Maximum Target Percentage for Biased Random Selection (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF17, "Target Percentage for Random Selection (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF18, "Terminal Online PIN Capability (UnionPay terminal parameter)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF19, "Contactless Floor Limit (UnionPay terminal parameter)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF20, "Contactless Transaction Limit (UnionPay terminal parameter)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF21, "CVM Required Limit (UnionPay terminal parameter)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF31, "Issuer Script Results (PBOC)", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF4B, "POS Cardholder Interaction Information (Mastercard)", Format::B, 3, 3, Source::Card, Sensitivity::Public),
    e(0xDF4D, "Load Log Entry (PBOC)", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0xDF4F, "Load Log Format (PBOC)", Format::B, 0, 255, Source::Card, Sensitivity::Public),
    e(0xDF60, "CAPP Transaction Indicator (PBOC) / DS Input (Card) (Mastercard)", Format::B, 1, 8, Source::Terminal, Sensitivity::Public),
    e(0xDF61, "Partial-Deduction Application Identifier (PBOC) / DS Digest H (Mastercard)", Format::B, 1, 8, Source::Card, Sensitivity::Public),
    e(0xDF62, "EC Partial-Deduction Limit (PBOC) / DS ODS Info (Mastercard)", Format::B, 1, 6, Source::Card, Sensitivity::Public),
    e(0xDF63, "EC Partial-Deduction Amount (PBOC) / DS ODS Term (Mastercard)", Format::B, 0, 160, Source::Card, Sensitivity::Public),
    e(0xDF69, "SM Algorithm Supported Indicator (PBOC)", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF71, "EC Second Application Currency Code (PBOC)", Format::N, 2, 2, Source::Card, Sensitivity::Public),
    e(0xDF72, "EC Second Currency Single Transaction Limit (PBOC)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF76, "EC Second Currency Reset Threshold (PBOC)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF77, "EC Second Currency Balance Limit (PBOC)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF78, "EC Second Currency Single Transaction Limit (PBOC)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF79, "EC Second Currency Balance (PBOC)", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF8101, "DS Summary 2", Format::B, 8, 16, Source::Card, Sensitivity::Public),
    e(0xDF8102, "DS Summary 3", Format::B, 8, 16, Source::Card, Sensitivity::Public),
    e(0xDF8104, "Balance Read Before Gen AC", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF8105, "Balance Read After Gen AC", Format::N, 6, 6, Source::Card, Sensitivity::Public),
    e(0xDF8106, "Data Needed", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8107, "CDOL1 Related Data", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8108, "DS AC Type", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8109, "DS Input (Term)", Format::B, 8, 8, Source::Terminal, Sensitivity::Public),
    e(0xDF810A, "DS ODS Info For Reader", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF810B, "DS Summary Status", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF810C, "Kernel ID", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF810D, "DSVN Term", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF810E, "Post-Gen AC Put Data Status", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF810F, "Pre-Gen AC Put Data Status", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8110, "Proceed To First Write Flag", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8111, "PDOL Related Data", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8112, "Tags To Read", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8113, "DRDOL Related Data", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8114, "Reference Control Parameter", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8115, "Error Indication", Format::B, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF8116, "User Interface Request Data", Format::B, 22, 22, Source::Terminal, Sensitivity::Public),
    e(0xDF8117, "Card Data Input Capability", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8118, "CVM Capability - CVM Required", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8119, "CVM Capability - No CVM Required", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF811A, "Default UDOL", Format::B, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0xDF811B, "Kernel Configuration", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF811C, "Max Lifetime of Torn Transaction Log Record", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF811D, "Max Number of Torn Transaction Log Records", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF811E, "Mag-stripe CVM Capability - CVM Required", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF811F, "Security Capability", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8120, "Terminal Action Code - Default", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF8121, "Terminal Action Code - Denial", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF8122, "Terminal Action Code - Online", Format::B, 5, 5, Source::Terminal, Sensitivity::Public),
    e(0xDF8123, "Reader Contactless Floor Limit", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF8124, "Reader Contactless Transaction Limit (No On-device CVM)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF8125, "Reader Contactless Transaction Limit (On-device CVM)", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF8126, "Reader CVM Required Limit", Format::N, 6, 6, Source::Terminal, Sensitivity::Public),
    e(0xDF8127, "Time Out Value", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8128, "IDS Status", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8129, "Outcome Parameter Set", Format::B, 8, 8, Source::Terminal, Sensitivity::Public),
    e(0xDF812A, "DD Card (Track 1)", Format::Ans, 0, 56, Source::Card, Sensitivity::Public),
    e(0xDF812B, "DD Card (Track 2)", Format::B, 0, 8, Source::Card, Sensitivity::Public),
    e(0xDF812C, "Mag-stripe CVM Capability - No CVM Required", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF812D, "Message Hold Time", Format::N, 3, 3, Source::Terminal, Sensitivity::Public),
    e(0xDF8130, "Hold Time Value", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8131, "Phone Message Table", Format::B, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xDF8132, "Minimum Relay Resistance Grace Period", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8133, "Maximum Relay Resistance Grace Period", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8134, "Terminal Expected Transmission Time For Relay Resistance C-APDU", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8135, "Terminal Expected Transmission Time For Relay Resistance R-APDU", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8136, "Relay Resistance Accuracy Threshold", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8137, "Relay Resistance Transmission Time Mismatch Threshold", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xDF8301, "Terminal Relay Resistance Entropy", Format::B, 4, 4, Source::Terminal, Sensitivity::Public),
    e(0xDF8302, "Device Relay Resistance Entropy", Format::B, 4, 4, Source::Card, Sensitivity::Public),
    e(0xDF8303, "Min Time For Processing Relay Resistance APDU", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0xDF8304, "Max Time For Processing Relay Resistance APDU", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0xDF8305, "Device Estimated Transmission Time For Relay Resistance R-APDU", Format::B, 2, 2, Source::Card, Sensitivity::Public),
    e(0xDF8306, "Measured Relay Resistance Processing Time", Format::B, 2, 2, Source::Terminal, Sensitivity::Public),
    e(0xDF8307, "RRP Counter", Format::B, 1, 1, Source::Terminal, Sensitivity::Public),
    e(0xFF8101, "Torn Record", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xFF8102, "Tags To Write Before Gen AC", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xFF8103, "Tags To Write After Gen AC", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xFF8104, "Data To Send", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xFF8105, "Data Record", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
    e(0xFF8106, "Discretionary Data", Format::Var, 0, 255, Source::Terminal, Sensitivity::Public),
];

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    #[test]
    fn sorted_unique_and_big_enough() {
        assert!(TAGS.len() >= 250, "{}", TAGS.len());
        assert!(TAGS.windows(2).all(|w| w[0].tag < w[1].tag));
        assert!(
            TAGS.iter()
                .all(|i| i.min_len <= i.max_len && !i.name.is_empty())
        );
        for t in [
            0x9F02, 0xBF0C, 0xDF8101, 0xDF69, 0x9F63, 0x9F74, 0x9F66, 0x9F6C, 0x8E,
        ] {
            assert!(lookup(Tag::new(t)).is_some(), "{t:X}");
        }
        assert_eq!(format_of(Tag::new(0x9F0A)), Format::B);
        assert_eq!(format_of(Tag::new(0xDF7F)), Format::B); // unknown
        assert_eq!(name_of(Tag::new(0xDF7F)), "Unknown");
    }

    #[test]
    fn masking() {
        let t2 = [
            0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19, 0xD2, 0x21, 0x22, 0x01, 0x17, 0x58,
            0x99, 0x28, 0x9F,
        ];
        assert_eq!(
            masked(Tag::new(0x57), &t2).to_string(),
            "476173******0119D****************F"
        );
        assert_eq!(masked(Tag::new(0x5F20), b"AB").to_string(), "****");
        assert_eq!(masked(Tag::new(0x9F02), &[0, 1]).to_string(), "0001");
        // 19-digit PAN padded with F.
        let pan19 = [0x62, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x7F];
        assert_eq!(
            masked(Tag::new(0x5A), &pan19).to_string(),
            "621234*********4567F"
        );
        // Short values are hidden entirely.
        assert_eq!(masked(Tag::new(0x5A), &[0x12, 0x34]).to_string(), "****");
        assert_eq!(
            lookup(Tag::new(0x9F02)).unwrap().check_len(5),
            Err(Error::ValueLength {
                tag: Tag::new(0x9F02),
                min: 6,
                max: 6,
                actual: 5
            })
        );
    }
}
