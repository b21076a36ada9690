//! EMVCo QR Code Specification for Payment Systems, **Merchant-Presented Mode** (MPM).
//!
//! A payload is a string of data objects, each `ID` (two digits) `LENGTH` (two digits) `VALUE`.
//! Lengths count **characters**, not bytes (the language template `64` carries e.g. Chinese text),
//! while the CRC in object `63` runs over the **UTF-8 bytes** of everything before its value,
//! `6304` included. Objects `26`–`51` (merchant account information), `62` (additional data),
//! `64` (language template) and `80`–`99` (unreserved) are templates holding objects of their own.
//!
//! [`MerchantPayload::parse`] borrows the text and checks structure (IDs, lengths, truncation),
//! order (`00` first, `63` last), duplicates at every level, the format of every known field and
//! the CRC; errors name the object and its byte offset. [`MerchantPayloadBuilder`] builds a
//! payload and appends the CRC. [`pix`] and [`promptpay`] build the two best-known profiles.
//!
//! ```
//! use mpay_qr_payment::mpm::{Initiation, MerchantPayload, MerchantPayloadBuilder};
//!
//! let text = MerchantPayloadBuilder::new()
//!     .initiation(Initiation::Dynamic)
//!     .merchant_account(26, "com.example.pay", &[(1, "merchant-42")])
//!     .set(52, "5812")
//!     .set(53, "156")
//!     .set(54, "23.72")
//!     .set(58, "CN")
//!     .set(59, "BEST TRANSPORT")
//!     .set(60, "BEIJING")
//!     .language("ZH", "最佳运输", Some("北京"))
//!     .build()?;
//! let qr = MerchantPayload::parse(&text)?;
//! qr.check_mandatory()?;
//! assert_eq!(qr.amount(), Some("23.72"));
//! assert_eq!(qr.language().unwrap().name, "最佳运输");
//! assert_eq!(qr.to_builder().build()?, text);
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

pub mod pix;
pub mod promptpay;

use crate::crc::{crc16, to_hex};
use crate::{Error, Path};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// IDs of the top-level data objects.
pub mod id {
    /// `00` Payload Format Indicator, `"01"`, always first.
    pub const PAYLOAD_FORMAT_INDICATOR: u8 = 0;
    /// `01` Point of Initiation Method: `"11"` static, `"12"` dynamic.
    pub const POINT_OF_INITIATION: u8 = 1;
    /// `52` Merchant Category Code (ISO 18245), four digits.
    pub const MERCHANT_CATEGORY_CODE: u8 = 52;
    /// `53` Transaction Currency (ISO 4217 numeric), three digits.
    pub const TRANSACTION_CURRENCY: u8 = 53;
    /// `54` Transaction Amount.
    pub const TRANSACTION_AMOUNT: u8 = 54;
    /// `55` Tip or Convenience Indicator: `01` prompt, `02` fixed fee, `03` percentage.
    pub const TIP_INDICATOR: u8 = 55;
    /// `56` Value of Convenience Fee Fixed.
    pub const CONVENIENCE_FEE_FIXED: u8 = 56;
    /// `57` Value of Convenience Fee Percentage.
    pub const CONVENIENCE_FEE_PERCENTAGE: u8 = 57;
    /// `58` Country Code (ISO 3166-1 alpha-2).
    pub const COUNTRY_CODE: u8 = 58;
    /// `59` Merchant Name, up to 25 characters.
    pub const MERCHANT_NAME: u8 = 59;
    /// `60` Merchant City, up to 15 characters.
    pub const MERCHANT_CITY: u8 = 60;
    /// `61` Postal Code, up to 10 characters.
    pub const POSTAL_CODE: u8 = 61;
    /// `62` Additional Data Field Template.
    pub const ADDITIONAL_DATA: u8 = 62;
    /// `63` CRC, always last.
    pub const CRC: u8 = 63;
    /// `64` Merchant Information — Language Template.
    pub const LANGUAGE_TEMPLATE: u8 = 64;
}

/// IDs inside the additional data field template `62`.
pub mod additional {
    /// `01` Bill Number.
    pub const BILL_NUMBER: u8 = 1;
    /// `02` Mobile Number.
    pub const MOBILE_NUMBER: u8 = 2;
    /// `03` Store Label.
    pub const STORE_LABEL: u8 = 3;
    /// `04` Loyalty Number.
    pub const LOYALTY_NUMBER: u8 = 4;
    /// `05` Reference Label (PIX puts its transaction ID here).
    pub const REFERENCE_LABEL: u8 = 5;
    /// `06` Customer Label.
    pub const CUSTOMER_LABEL: u8 = 6;
    /// `07` Terminal Label.
    pub const TERMINAL_LABEL: u8 = 7;
    /// `08` Purpose of Transaction.
    pub const PURPOSE: u8 = 8;
    /// `09` Additional Consumer Data Request: any of `A` (address), `M` (mobile), `E` (e-mail).
    pub const CONSUMER_DATA_REQUEST: u8 = 9;
}

/// Whether a top-level ID is a template whose value holds data objects.
pub const fn is_template(id: u8) -> bool {
    matches!(id, 26..=51 | 62 | 64 | 80..=99)
}

/// One data object, borrowed from the payload.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DataObject<'a> {
    /// The enclosing template's ID, `None` at the top level.
    pub template: Option<u8>,
    /// The object's ID, 0–99.
    pub id: u8,
    /// Its value.
    pub value: &'a str,
    /// Byte offset of its ID in the whole payload.
    pub offset: usize,
}

impl fmt::Debug for DataObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}={:?}", self.path(), self.offset, self.value)
    }
}

impl<'a> DataObject<'a> {
    /// Where the object sits (`62.05`).
    pub fn path(&self) -> Path {
        Path {
            template: self.template,
            id: self.id,
        }
    }

    /// Length of the value in characters (what the two-digit length field says).
    pub fn char_len(&self) -> usize {
        self.value.chars().count()
    }

    /// The value read as nested data objects (meaningful for templates).
    pub fn objects(&self) -> Objects<'a> {
        Objects {
            text: self.value,
            pos: 0,
            base: self.offset + 4,
            template: Some(self.id),
            failed: false,
        }
    }

    /// The nested object `id` of a template (the first one, if the value does not parse further).
    pub fn sub(&self, id: u8) -> Option<DataObject<'a>> {
        self.objects().map_while(Result::ok).find(|o| o.id == id)
    }

    /// The nested value `id` of a template.
    pub fn sub_value(&self, id: u8) -> Option<&'a str> {
        self.sub(id).map(|o| o.value)
    }

    /// For a merchant-account or unreserved template: its globally unique identifier (`00`).
    pub fn gui(&self) -> Option<&'a str> {
        if is_template(self.id) && self.template.is_none() {
            self.sub_value(0)
        } else {
            None
        }
    }
}

/// Iterator over the data objects of a string (a payload or a template's value). It stops after
/// the first error.
#[derive(Debug, Clone)]
pub struct Objects<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
    template: Option<u8>,
    failed: bool,
}

impl<'a> Objects<'a> {
    /// The top-level objects of `text`, with offsets from its start. No checks beyond structure.
    pub fn new(text: &'a str) -> Self {
        Objects {
            text,
            pos: 0,
            base: 0,
            template: None,
            failed: false,
        }
    }
}

impl<'a> Iterator for Objects<'a> {
    type Item = Result<DataObject<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.text.len() {
            return None;
        }
        match read_object(self.text, self.pos, self.base, self.template) {
            Ok((obj, next)) => {
                self.pos = next;
                Some(Ok(obj))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

fn two_digits(b: &[u8], pos: usize) -> Option<u8> {
    let d0 = *b.get(pos)?;
    let d1 = *b.get(pos + 1)?;
    if d0.is_ascii_digit() && d1.is_ascii_digit() {
        Some((d0 - b'0') * 10 + (d1 - b'0'))
    } else {
        None
    }
}

/// Byte length of the first `n` characters of `s`, or `None` if `s` is shorter.
fn byte_len_of_chars(s: &str, n: usize) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() >= n && b[..n].is_ascii() {
        return Some(n);
    }
    let mut count = 0;
    for (i, _) in s.char_indices() {
        if count == n {
            return Some(i);
        }
        count += 1;
    }
    (count == n).then_some(s.len())
}

fn read_object<'a>(
    text: &'a str,
    pos: usize,
    base: usize,
    template: Option<u8>,
) -> Result<(DataObject<'a>, usize), Error> {
    let b = text.as_bytes();
    let offset = base + pos;
    let id = two_digits(b, pos).ok_or(Error::BadId { offset })?;
    let path = Path { template, id };
    let len = usize::from(two_digits(b, pos + 2).ok_or(Error::BadLength { path, offset })?);
    // The four bytes just read are ASCII digits, so `pos + 4` is a character boundary.
    let rest = &text[pos + 4..];
    let n = byte_len_of_chars(rest, len).ok_or(Error::Truncated { path, offset, len })?;
    let obj = DataObject {
        template,
        id,
        value: &rest[..n],
        offset,
    };
    Ok((obj, pos + 4 + n))
}

/// Point of Initiation Method (`01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiation {
    /// `11`: the same QR for many payments.
    Static,
    /// `12`: a QR for one payment.
    Dynamic,
}

impl Initiation {
    /// The two-digit value.
    pub fn as_str(self) -> &'static str {
        match self {
            Initiation::Static => "11",
            Initiation::Dynamic => "12",
        }
    }
}

/// Tip or convenience fee (`55`, with `56` or `57`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tip<'a> {
    /// `01`: the consumer is prompted for a tip.
    Prompt,
    /// `02`: a fixed convenience fee (`56`).
    Fixed(&'a str),
    /// `03`: a percentage convenience fee (`57`).
    Percentage(&'a str),
}

/// The language template `64`: the merchant's name and city in another language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language<'a> {
    /// `00`: ISO 639 two-letter language code.
    pub language: &'a str,
    /// `01`: merchant name in that language.
    pub name: &'a str,
    /// `02`: merchant city in that language.
    pub city: Option<&'a str>,
}

/// A parsed merchant-presented payload, borrowing the text.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantPayload<'a> {
    text: &'a str,
    objects: Vec<DataObject<'a>>,
    index: [u8; 100],
    crc: u16,
}

impl fmt::Debug for MerchantPayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantPayload")
            .field("objects", &self.objects)
            .field("crc", &format_args!("{:04X}", self.crc))
            .finish()
    }
}

fn bad(path: Path, offset: usize, reason: &'static str) -> Error {
    Error::BadValue {
        path,
        offset,
        reason,
    }
}

fn is_control(c: char) -> bool {
    c.is_control()
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Digits with at most one `.`, not ending with it (`"23.72"`, `"100"`, `"0.5"`).
fn is_amount(s: &str) -> bool {
    let mut dots = 0;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => {}
            b'.' => dots += 1,
            _ => return false,
        }
    }
    !s.is_empty() && dots <= 1 && !s.starts_with('.') && !s.ends_with('.')
}

fn max_chars(obj: &DataObject<'_>, max: usize, reason: &'static str) -> Result<(), Error> {
    if obj.char_len() > max {
        return Err(bad(obj.path(), obj.offset, reason));
    }
    Ok(())
}

/// Parses the children of a template, rejecting duplicates and checking each with `check`.
fn check_template<'a>(
    obj: &DataObject<'a>,
    mut check: impl FnMut(&DataObject<'a>) -> Result<(), Error>,
) -> Result<u128, Error> {
    let mut seen: u128 = 0;
    let mut first = [0usize; 100];
    for child in obj.objects() {
        let child = child?;
        let bit = 1u128 << child.id;
        if seen & bit != 0 {
            return Err(Error::Duplicate {
                path: child.path(),
                offset: child.offset,
                first: first[usize::from(child.id)],
            });
        }
        seen |= bit;
        first[usize::from(child.id)] = child.offset;
        if child.value.is_empty() {
            return Err(bad(child.path(), child.offset, "empty value"));
        }
        if child.value.chars().any(is_control) {
            return Err(bad(
                child.path(),
                child.offset,
                "control character in value",
            ));
        }
        check(&child)?;
    }
    Ok(seen)
}

fn check_object(obj: &DataObject<'_>) -> Result<(), Error> {
    let (path, off, v) = (obj.path(), obj.offset, obj.value);
    if v.is_empty() {
        return Err(bad(path, off, "empty value"));
    }
    if !is_template(obj.id) && v.chars().any(is_control) {
        return Err(bad(path, off, "control character in value"));
    }
    match obj.id {
        0 if v != "01" => Err(bad(path, off, "payload format indicator must be \"01\"")),
        1 if v != "11" && v != "12" => Err(bad(path, off, "initiation method must be 11 or 12")),
        26..=51 | 80..=99 => {
            let seen = check_template(obj, |c| {
                if c.id == 0 {
                    max_chars(c, 32, "globally unique identifier longer than 32")?;
                }
                Ok(())
            })?;
            if seen & 1 == 0 {
                return Err(Error::Missing {
                    path: Path::nested(obj.id, 0),
                });
            }
            Ok(())
        }
        52 if v.len() != 4 || !all_digits(v) => {
            Err(bad(path, off, "merchant category code must be 4 digits"))
        }
        53 if v.len() != 3 || !all_digits(v) => Err(bad(
            path,
            off,
            "currency must be 3 digits (ISO 4217 numeric)",
        )),
        54 | 56 if v.len() > 13 || !is_amount(v) => Err(bad(
            path,
            off,
            "amount must be up to 13 digits with one optional '.'",
        )),
        55 if !matches!(v, "01" | "02" | "03") => {
            Err(bad(path, off, "tip indicator must be 01, 02 or 03"))
        }
        57 if v.len() > 5 || !is_amount(v) => Err(bad(
            path,
            off,
            "percentage must be up to 5 digits with one optional '.'",
        )),
        58 if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) => {
            Err(bad(path, off, "country code must be 2 upper-case letters"))
        }
        59 => max_chars(obj, 25, "merchant name longer than 25 characters"),
        60 => max_chars(obj, 15, "merchant city longer than 15 characters"),
        61 => max_chars(obj, 10, "postal code longer than 10 characters"),
        62 => check_template(obj, |c| match c.id {
            1..=8 => max_chars(c, 25, "additional data field longer than 25 characters"),
            9 => {
                let ok = c.value.len() <= 3
                    && c.value.bytes().all(|b| matches!(b, b'A' | b'M' | b'E'))
                    && !has_repeat(c.value.as_bytes());
                if ok {
                    Ok(())
                } else {
                    Err(bad(
                        c.path(),
                        c.offset,
                        "consumer data request must be distinct A, M, E",
                    ))
                }
            }
            _ => Ok(()),
        })
        .map(drop),
        63 if v.len() != 4 || !v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F')) => {
            Err(bad(path, off, "CRC must be 4 upper-case hex digits"))
        }
        64 => {
            let seen = check_template(obj, |c| match c.id {
                0 if c.value.len() != 2 || !c.value.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    Err(bad(
                        c.path(),
                        c.offset,
                        "language must be 2 letters (ISO 639)",
                    ))
                }
                1 => max_chars(c, 25, "alternate merchant name longer than 25 characters"),
                2 => max_chars(c, 15, "alternate merchant city longer than 15 characters"),
                _ => Ok(()),
            })?;
            for need in [0u8, 1] {
                if seen & (1 << need) == 0 {
                    return Err(Error::Missing {
                        path: Path::nested(64, need),
                    });
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn has_repeat(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, x)| b[..i].contains(x))
}

impl<'a> MerchantPayload<'a> {
    /// Parses and checks a payload: structure, `00` first and `63` last, no duplicate ID at any
    /// level, the format of every known field, tip/fee consistency, and the CRC.
    ///
    /// Mandatory fields are checked separately by [`check_mandatory`](Self::check_mandatory),
    /// because national profiles (PromptPay) omit some of them.
    ///
    /// ```
    /// use mpay_qr_payment::{Error, mpm::MerchantPayload};
    /// let good = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
    /// assert!(MerchantPayload::parse(good).is_ok());
    /// let bad = "00020101021129370016A000000677010111011300668012345675802TH530376463046198";
    /// assert!(matches!(MerchantPayload::parse(bad), Err(Error::CrcMismatch { offset: 66, .. })));
    /// ```
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        let mut objects: Vec<DataObject<'a>> = Vec::with_capacity(20);
        let mut index = [0u8; 100];
        for obj in Objects::new(text) {
            let obj = obj?;
            let slot = &mut index[usize::from(obj.id)];
            if *slot != 0 {
                return Err(Error::Duplicate {
                    path: obj.path(),
                    offset: obj.offset,
                    first: objects[usize::from(*slot) - 1].offset,
                });
            }
            match objects.last() {
                None if obj.id != id::PAYLOAD_FORMAT_INDICATOR => {
                    return Err(Error::Order {
                        path: obj.path(),
                        offset: obj.offset,
                        rule: "the payload format indicator 00 must come first",
                    });
                }
                Some(last) if last.id == id::CRC => {
                    return Err(Error::Order {
                        path: obj.path(),
                        offset: obj.offset,
                        rule: "no object may follow the CRC 63",
                    });
                }
                _ => {}
            }
            objects.push(obj);
            // At most 100 distinct IDs, so the position fits in a u8.
            *slot = objects.len() as u8;
        }
        let Some(last) = objects.last() else {
            return Err(Error::Missing {
                path: Path::top(id::PAYLOAD_FORMAT_INDICATOR),
            });
        };
        if last.id != id::CRC {
            return Err(Error::Missing {
                path: Path::top(id::CRC),
            });
        }
        let crc_obj = *last;
        for obj in &objects {
            check_object(obj)?;
        }
        let payload = MerchantPayload {
            text,
            objects,
            index,
            crc: 0,
        };
        payload.check_tip()?;
        let found = u16::from_str_radix(crc_obj.value, 16).map_err(|_| {
            bad(
                crc_obj.path(),
                crc_obj.offset,
                "CRC must be 4 upper-case hex digits",
            )
        })?;
        let computed = crc16(&text.as_bytes()[..crc_obj.offset + 4]);
        if found != computed {
            return Err(Error::CrcMismatch {
                offset: crc_obj.offset,
                found,
                computed,
            });
        }
        Ok(MerchantPayload {
            crc: found,
            ..payload
        })
    }

    /// Parses raw bytes (as read from a QR code), which must be UTF-8.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        let text = core::str::from_utf8(bytes).map_err(|e| Error::Utf8 {
            offset: e.valid_up_to(),
        })?;
        Self::parse(text)
    }

    fn check_tip(&self) -> Result<(), Error> {
        let ind = self.value(id::TIP_INDICATOR);
        for (fee, need) in [
            (id::CONVENIENCE_FEE_FIXED, "02"),
            (id::CONVENIENCE_FEE_PERCENTAGE, "03"),
        ] {
            match (self.get(fee), ind == Some(need)) {
                (Some(o), false) => {
                    return Err(Error::Order {
                        path: o.path(),
                        offset: o.offset,
                        rule: "convenience fee present without its tip indicator (55)",
                    });
                }
                (None, true) => {
                    return Err(Error::Missing {
                        path: Path::top(fee),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks that the objects the EMVCo specification makes mandatory are present: `00`, at
    /// least one merchant account information (`02`–`51`), `52`, `53`, `58`, `59`, `60`, `63`.
    pub fn check_mandatory(&self) -> Result<(), Error> {
        if !self.objects.iter().any(|o| (2..=51).contains(&o.id)) {
            return Err(Error::Missing { path: Path::top(2) });
        }
        for need in [52u8, 53, 58, 59, 60] {
            if self.get(need).is_none() {
                return Err(Error::Missing {
                    path: Path::top(need),
                });
            }
        }
        Ok(())
    }

    /// The text parsed.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The top-level objects in payload order.
    pub fn objects(&self) -> &[DataObject<'a>] {
        &self.objects
    }

    /// The top-level object `id`.
    pub fn get(&self, id: u8) -> Option<&DataObject<'a>> {
        let slot = *self.index.get(usize::from(id))?;
        (slot != 0).then(|| &self.objects[usize::from(slot) - 1])
    }

    /// The value of top-level object `id`.
    pub fn value(&self, id: u8) -> Option<&'a str> {
        self.get(id).map(|o| o.value)
    }

    /// The CRC the payload carries (checked by [`parse`](Self::parse)).
    pub fn crc(&self) -> u16 {
        self.crc
    }

    /// `01`: static or dynamic.
    pub fn initiation(&self) -> Option<Initiation> {
        match self.value(id::POINT_OF_INITIATION)? {
            "11" => Some(Initiation::Static),
            "12" => Some(Initiation::Dynamic),
            _ => None,
        }
    }

    /// The merchant account information objects (`02`–`51`), in payload order. Templates
    /// (`26`–`51`) expose their GUI through [`DataObject::gui`].
    pub fn merchant_accounts(&self) -> impl Iterator<Item = &DataObject<'a>> {
        self.objects.iter().filter(|o| (2..=51).contains(&o.id))
    }

    /// The merchant account template whose GUI is `gui` (case-insensitive, as PIX's
    /// `br.gov.bcb.pix` appears in both cases).
    pub fn merchant_account_by_gui(&self, gui: &str) -> Option<&DataObject<'a>> {
        self.merchant_accounts()
            .find(|o| o.gui().is_some_and(|g| g.eq_ignore_ascii_case(gui)))
    }

    /// `52` Merchant Category Code.
    pub fn merchant_category_code(&self) -> Option<&'a str> {
        self.value(id::MERCHANT_CATEGORY_CODE)
    }

    /// `53` Transaction Currency (ISO 4217 numeric).
    pub fn currency(&self) -> Option<&'a str> {
        self.value(id::TRANSACTION_CURRENCY)
    }

    /// `54` Transaction Amount, as written.
    pub fn amount(&self) -> Option<&'a str> {
        self.value(id::TRANSACTION_AMOUNT)
    }

    /// `55`–`57` tip or convenience fee.
    pub fn tip(&self) -> Option<Tip<'a>> {
        match self.value(id::TIP_INDICATOR)? {
            "01" => Some(Tip::Prompt),
            "02" => Some(Tip::Fixed(self.value(id::CONVENIENCE_FEE_FIXED)?)),
            "03" => Some(Tip::Percentage(self.value(id::CONVENIENCE_FEE_PERCENTAGE)?)),
            _ => None,
        }
    }

    /// `58` Country Code.
    pub fn country_code(&self) -> Option<&'a str> {
        self.value(id::COUNTRY_CODE)
    }

    /// `59` Merchant Name.
    pub fn merchant_name(&self) -> Option<&'a str> {
        self.value(id::MERCHANT_NAME)
    }

    /// `60` Merchant City.
    pub fn merchant_city(&self) -> Option<&'a str> {
        self.value(id::MERCHANT_CITY)
    }

    /// `61` Postal Code.
    pub fn postal_code(&self) -> Option<&'a str> {
        self.value(id::POSTAL_CODE)
    }

    /// `62` Additional Data Field Template (see [`additional`] for its IDs).
    pub fn additional_data(&self) -> Option<&DataObject<'a>> {
        self.get(id::ADDITIONAL_DATA)
    }

    /// One field of the additional data template, e.g. [`additional::REFERENCE_LABEL`].
    pub fn additional_data_field(&self, sub: u8) -> Option<&'a str> {
        self.additional_data()?.sub_value(sub)
    }

    /// `64` Language Template.
    pub fn language(&self) -> Option<Language<'a>> {
        let t = self.get(id::LANGUAGE_TEMPLATE)?;
        Some(Language {
            language: t.sub_value(0)?,
            name: t.sub_value(1)?,
            city: t.sub_value(2),
        })
    }

    /// An owned builder holding the same objects: `to_builder().build()` gives back the text.
    pub fn to_builder(&self) -> MerchantPayloadBuilder {
        let mut b = MerchantPayloadBuilder::new();
        for o in &self.objects {
            if o.id == id::CRC {
                continue;
            }
            let value = if is_template(o.id) {
                Value::Template(
                    o.objects()
                        .map_while(Result::ok)
                        .map(|c| (c.id, String::from(c.value)))
                        .collect(),
                )
            } else {
                Value::Text(String::from(o.value))
            };
            b.objects.push((o.id, value));
        }
        b
    }
}

/// The value of an object being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A primitive value.
    Text(String),
    /// A template: its objects, in order.
    Template(Vec<(u8, String)>),
}

/// Builds a merchant-presented payload. Objects come out in the order they were first set, after
/// `00` (added as `"01"` unless set) and before the CRC `63`, which [`build`](Self::build)
/// computes. The result is checked with [`MerchantPayload::parse`] before it is returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerchantPayloadBuilder {
    objects: Vec<(u8, Value)>,
}

impl MerchantPayloadBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets object `id` (replacing an earlier value in place).
    pub fn set_value(mut self, id: u8, value: Value) -> Self {
        match self.objects.iter_mut().find(|(i, _)| *i == id) {
            Some(slot) => slot.1 = value,
            None => self.objects.push((id, value)),
        }
        self
    }

    /// Sets primitive object `id`.
    pub fn set(self, id: u8, value: impl Into<String>) -> Self {
        self.set_value(id, Value::Text(value.into()))
    }

    /// Sets template `id` from its objects.
    pub fn set_template(self, id: u8, objects: &[(u8, &str)]) -> Self {
        let objs = objects
            .iter()
            .map(|(i, v)| (*i, String::from(*v)))
            .collect();
        self.set_value(id, Value::Template(objs))
    }

    /// `01` point of initiation.
    pub fn initiation(self, method: Initiation) -> Self {
        self.set(id::POINT_OF_INITIATION, method.as_str())
    }

    /// A merchant account template (`26`–`51`): GUI in `00`, then `fields`.
    pub fn merchant_account(self, id: u8, gui: &str, fields: &[(u8, &str)]) -> Self {
        let mut objs = Vec::with_capacity(fields.len() + 1);
        objs.push((0, String::from(gui)));
        objs.extend(fields.iter().map(|(i, v)| (*i, String::from(*v))));
        self.set_value(id, Value::Template(objs))
    }

    /// `64` language template.
    pub fn language(self, language: &str, name: &str, city: Option<&str>) -> Self {
        let mut objs = alloc::vec![(0, String::from(language)), (1, String::from(name))];
        if let Some(c) = city {
            objs.push((2, String::from(c)));
        }
        self.set_value(id::LANGUAGE_TEMPLATE, Value::Template(objs))
    }

    /// The objects set so far.
    pub fn objects(&self) -> &[(u8, Value)] {
        &self.objects
    }

    /// Writes the payload with its CRC, then parses it back to check every rule.
    pub fn build(&self) -> Result<String, Error> {
        let mut out = String::with_capacity(128);
        let pfi = self.objects.iter().find(|(i, _)| *i == 0);
        match pfi {
            Some((_, v)) => write_object(&mut out, None, 0, v)?,
            None => out.push_str("000201"),
        }
        for (i, v) in &self.objects {
            match *i {
                0 => {}
                id::CRC => {
                    return Err(Error::Build {
                        path: Path::top(id::CRC),
                        reason: "the CRC is computed by build()",
                    });
                }
                100.. => {
                    return Err(Error::Build {
                        path: Path::top(*i),
                        reason: "IDs run from 00 to 99",
                    });
                }
                _ => write_object(&mut out, None, *i, v)?,
            }
        }
        out.push_str("6304");
        let crc = crc16(out.as_bytes());
        out.extend(to_hex(crc).iter().map(|&b| char::from(b)));
        MerchantPayload::parse(&out)?;
        Ok(out)
    }
}

fn write_object(
    out: &mut String,
    template: Option<u8>,
    id: u8,
    value: &Value,
) -> Result<(), Error> {
    let path = Path { template, id };
    if id > 99 {
        return Err(Error::Build {
            path,
            reason: "IDs run from 00 to 99",
        });
    }
    let inner;
    let text = match value {
        Value::Text(t) => t.as_str(),
        Value::Template(objs) => {
            if template.is_some() {
                return Err(Error::Build {
                    path,
                    reason: "templates do not nest further",
                });
            }
            let mut s = String::new();
            for (i, v) in objs {
                write_object(&mut s, Some(id), *i, &Value::Text(v.clone()))?;
            }
            inner = s;
            inner.as_str()
        }
    };
    let n = text.chars().count();
    if n > 99 {
        return Err(Error::Build {
            path,
            reason: "value longer than 99 characters",
        });
    }
    push_two(out, id);
    push_two(out, n as u8);
    out.push_str(text);
    Ok(())
}

fn push_two(out: &mut String, n: u8) {
    out.push(char::from(b'0' + n / 10));
    out.push(char::from(b'0' + n % 10));
}

#[cfg(test)]
mod tests;
