//! ISO 8583:2003, binary, as jPOS packs its ISO 8583:2003-based Common Message Format
//! (`jpos/src/main/resources/packager/cmf.xml`, jPOS 3, commit 1d3a8aa): BCD MTI (version
//! digit 2), binary bitmaps, BCD numerics and BCD length prefixes (LLLL = 2 bytes), text in
//! ASCII, binary fields raw. Lengths and variability are the 2003 data elements as cmf.xml
//! lists them; fields 2–49 agree with the ISO 8583:2003 table published at
//! kuriositaet.de/iso8583/fields.html (n 16 amounts, n 12 STAN, n 14 local date and time, n 4
//! action code, ans 16 terminal ID, LLVAR ans..35 card acceptor ID, LLLLVAR b..9999 fields 34,
//! 43, 44, 49), except 21 and 27 whose sizes follow cmf.xml's composites.
//!
//! Deviations, all from cmf.xml: composites (21, 43, 49, 74, 113) are kept as opaque binary;
//! amounts (4–6, 8, 97) are plain BCD digits (currency, minor unit, value); field 91, which
//! cmf.xml mislabels as a second 96, is an LLLL binary "reserved for ISO use"; the MAC fields
//! 64 and 128 are 4 bytes; no tertiary bitmap (field 65 is an 8-byte binary field).

use alloc::borrow::Cow;

use crate::bitmap::BitmapEncoding;
use crate::field::{Class::*, FieldSpec, Mask::*, Subfields};
use crate::mti::MtiEncoding;
use crate::spec::{MacSpec, Spec};

use super::table::{BINARY, De, FIX, LL, LLL, LLLL, build, de};

/// ISO 8583:2003, binary (jPOS CMF packing).
pub const ISO2003_BINARY: Spec = Spec {
    name: Cow::Borrowed("iso2003binary"),
    header_len: 0,
    mti: MtiEncoding::Bcd,
    bitmap: BitmapEncoding::Binary,
    tertiary: false,
    mac: Some(MacSpec {
        include_header: false,
    }),
    fields: Cow::Borrowed(&FIELDS),
};

static FIELDS: [FieldSpec; 127] = build(&ISO2003, &BINARY);

const RESERVED_ISO: &str = "Reserved for ISO use";

/// The ISO 8583:2003 data elements 2–128 (cmf.xml).
#[rustfmt::skip]
const ISO2003: [De; 127] = [
    de(2, "Primary account number", N, 19, LL).mask(Pan),
    de(3, "Processing code", Ans, 6, FIX),
    de(4, "Amount, transaction", N, 16, FIX),
    de(5, "Amount, reconciliation", N, 16, FIX),
    de(6, "Amount, cardholder billing", N, 16, FIX),
    de(7, "Date and time, transmission", N, 10, FIX),
    de(8, "Amount, cardholder billing fee", N, 12, FIX),
    de(9, "Conversion rate, reconciliation", N, 8, FIX),
    de(10, "Conversion rate, cardholder billing", N, 8, FIX),
    de(11, "Systems trace audit number", N, 12, FIX),
    de(12, "Date and time, local transaction", N, 14, FIX),
    de(13, "Date, effective", N, 6, FIX),
    de(14, "Date, expiration", N, 4, FIX),
    de(15, "Date, settlement", N, 8, FIX),
    de(16, "Date, conversion", N, 4, FIX),
    de(17, "Date, capture", N, 4, FIX),
    de(18, "Message error indicator", Ans, 140, LLL),
    de(19, "Country code, acquiring institution", N, 3, FIX),
    de(20, "Country code, primary account number", N, 3, FIX),
    de(21, "Transaction life cycle identification data", B, 19, FIX),
    de(22, "Point of service data code", B, 16, FIX),
    de(23, "Card sequence number", N, 3, FIX),
    de(24, "Function code", N, 3, FIX),
    de(25, "Message reason code", N, 4, FIX),
    de(26, "Merchant category code", N, 4, FIX),
    de(27, "Point of service capability", B, 27, FIX),
    de(28, "Date, reconciliation", N, 8, FIX),
    de(29, "Reconciliation indicator", N, 3, FIX),
    de(30, "Amounts, original", N, 32, FIX),
    de(31, "Acquirer reference number", N, 23, FIX),
    de(32, "Acquiring institution identification code", N, 11, LL),
    de(33, "Forwarding institution identification code", N, 11, LL),
    de(34, "Electronic commerce data", B, 9999, LLLL),
    de(35, "Track 2 data", Z, 37, LL).mask(Track).text(),
    de(36, "Track 3 data", Z, 104, LLL).mask(Track).text(),
    de(37, "Retrieval reference number", Ans, 12, FIX),
    de(38, "Approval code", Ans, 6, FIX),
    de(39, "Action code", N, 4, FIX),
    de(40, "Service code", N, 3, FIX),
    de(41, "Card acceptor terminal identification", Ans, 16, FIX),
    de(42, "Card acceptor identification code", Ans, 35, LL),
    de(43, "Card acceptor name/location", B, 9999, LLLL),
    de(44, "Additional response data", B, 9999, LLLL),
    de(45, "Track 1 data", Ans, 76, LL).mask(Track),
    de(46, "Amounts, fees", Ans, 216, LLL),
    de(47, "Additional data, national", Ans, 999, LLL),
    de(48, "Additional data, private", Ans, 999, LLL),
    de(49, "Verification data", B, 9999, LLLL),
    de(50, RESERVED_ISO, B, 9999, LLLL),
    de(51, RESERVED_ISO, B, 9999, LLLL),
    de(52, "PIN data", B, 8, FIX).mask(Full),
    de(53, "Security related control information", B, 48, LL),
    de(54, "Amounts, additional", Ans, 126, LLL),
    de(55, "Integrated circuit card system related data", B, 9999, LLLL).mask(Tlv).sub(&Subfields::BerTlv),
    de(56, "Original data elements", N, 41, LL),
    de(57, "Authorization life cycle code", N, 3, FIX),
    de(58, "Authorizing agent institution identification code", N, 11, LL),
    de(59, "Transport data", Ans, 999, LLL),
    de(60, "Reserved for national use", Ans, 999, LLL),
    de(61, "Reserved for national use", Ans, 999, LLL),
    de(62, "Reserved for private use", Ans, 999, LLL),
    de(63, "Reserved for private use", Ans, 999, LLL),
    de(64, "Message authentication code field", B, 4, FIX).mask(Full),
    de(65, RESERVED_ISO, B, 8, FIX),
    de(66, "Amounts, original fees", Ans, 216, LLL),
    de(67, "Extended payment data", N, 2, FIX),
    de(68, "Batch/file transfer message control", Ans, 9, FIX),
    de(69, "Batch/file transfer control data", Ans, 40, FIX),
    de(70, "File transfer description data", N, 18, FIX),
    de(71, RESERVED_ISO, B, 9999, LLLL),
    de(72, "Data record", B, 999, LLL),
    de(73, "Date, action", N, 8, FIX),
    de(74, "Reconciliation data primary", B, 78, FIX),
    de(75, "Reconciliation data secondary", N, 90, FIX),
    de(76, RESERVED_ISO, B, 9999, LLLL),
    de(77, RESERVED_ISO, B, 9999, LLLL),
    de(78, RESERVED_ISO, B, 9999, LLLL),
    de(79, RESERVED_ISO, B, 9999, LLLL),
    de(80, RESERVED_ISO, B, 9999, LLLL),
    de(81, RESERVED_ISO, B, 9999, LLLL),
    de(82, RESERVED_ISO, B, 9999, LLLL),
    de(83, RESERVED_ISO, B, 9999, LLLL),
    de(84, RESERVED_ISO, B, 9999, LLLL),
    de(85, RESERVED_ISO, B, 9999, LLLL),
    de(86, RESERVED_ISO, B, 9999, LLLL),
    de(87, RESERVED_ISO, B, 9999, LLLL),
    de(88, RESERVED_ISO, B, 9999, LLLL),
    de(89, RESERVED_ISO, B, 9999, LLLL),
    de(90, RESERVED_ISO, B, 9999, LLLL),
    de(91, RESERVED_ISO, B, 9999, LLLL),
    de(92, RESERVED_ISO, B, 9999, LLLL),
    de(93, "Transaction destination institution identification code", N, 11, LL),
    de(94, "Transaction originator institution identification code", N, 11, LL),
    de(95, "Card issuer reference data", Ans, 99, LL),
    de(96, "Key management data", B, 999, LLL).mask(Full),
    de(97, "Amount, net reconciliation", N, 21, FIX),
    de(98, "Payee", Ans, 25, FIX),
    de(99, "Settlement institution identification code", Ans, 11, LL),
    de(100, "Receiving institution identification code", N, 11, LL),
    de(101, "File name", Ans, 99, LL),
    de(102, "Account identification 1", Ans, 28, LL),
    de(103, "Account identification 2", Ans, 28, LL),
    de(104, "Transaction specific data", B, 9999, LLLL),
    de(105, RESERVED_ISO, B, 9999, LLLL),
    de(106, RESERVED_ISO, B, 9999, LLLL),
    de(107, RESERVED_ISO, B, 9999, LLLL),
    de(108, RESERVED_ISO, B, 9999, LLLL),
    de(109, "Reconciliation fee amounts, credit", Ans, 144, LLL),
    de(110, "Reconciliation fee amounts, debit", Ans, 144, LLL),
    de(111, "Reserved for private use", B, 9999, LLLL),
    de(112, "Reserved for private use", B, 9999, LLLL),
    de(113, "Reserved for private use", B, 9999, LLLL),
    de(114, "Reserved for private use", B, 9999, LLLL),
    de(115, "Reserved for private use", B, 9999, LLLL),
    de(116, "Reserved for national use", B, 9999, LLLL),
    de(117, "Reserved for national use", B, 9999, LLLL),
    de(118, "Reserved for national use", B, 9999, LLLL),
    de(119, "Reserved for national use", B, 9999, LLLL),
    de(120, "Reserved for national use", B, 9999, LLLL),
    de(121, "Reserved for national use", B, 9999, LLLL),
    de(122, "Reserved for national use", B, 9999, LLLL),
    de(123, "Reserved for private use", Ans, 999, LLL),
    de(124, "Reserved for private use", B, 9999, LLLL),
    de(125, "Reserved for private use", B, 9999, LLLL),
    de(126, "Reserved for private use", B, 9999, LLLL),
    de(127, "Reserved for private use", B, 9999, LLLL),
    de(128, "Message authentication code field", B, 4, FIX).mask(Full),
];
