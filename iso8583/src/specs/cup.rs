//! China UnionPay POS terminal spec (直联 POS, ISO 8583:1987-based): 11-byte header (5-byte TPDU
//! `60` + destination + source NII, then a 6-byte BCD application header), BCD MTI, binary
//! bitmap, BCD numerics (2, 22, 32, 35, 36 left-aligned; 23 right-aligned), BCD length
//! prefixes (LL = 1 byte, LLL = 2 bytes), field 55 BER-TLV, field 60 positional (60.1 message
//! type code, 60.2 batch number, 60.3 network management information code, 60.4 terminal read
//! capability, 60.5 IC card condition code, 60.6 partial approval flag, 60.7 account type),
//! field 62 binary (keys in sign-on responses), field 64 MAC over MTI..field 63.
//! The 2-byte frame length is framing, not part of the message.

use alloc::borrow::Cow;

use crate::bitmap::BitmapEncoding;
use crate::field::{Class, Encoding, FieldSpec, Mask, Pad, Prefix, Subfields};
use crate::mti::MtiEncoding;
use crate::spec::{MacSpec, Spec};

use super::f;

const Z: Pad = Pad::Left('0');
const S: Pad = Pad::Right(' ');
const NP: Pad = Pad::None;

/// The China UnionPay POS spec.
pub const CUP_POS: Spec = Spec {
    name: Cow::Borrowed("cup-pos"),
    header_len: 11,
    mti: MtiEncoding::Bcd,
    bitmap: BitmapEncoding::Binary,
    tertiary: false,
    mac: Some(MacSpec {
        include_header: false,
    }),
    fields: Cow::Borrowed(&FIELDS),
};

const F60: Subfields = Subfields::Positional {
    fields: Cow::Borrowed(&[
        f!(
            1,
            "Message type code",
            N,
            Ascii,
            2,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            2,
            "Batch number",
            N,
            Ascii,
            6,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            3,
            "Network management information code",
            N,
            Ascii,
            3,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            4,
            "Terminal read capability",
            N,
            Ascii,
            1,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            5,
            "IC card condition code",
            N,
            Ascii,
            1,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            6,
            "Partial approval flag",
            N,
            Ascii,
            1,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
        f!(
            7,
            "Account type",
            N,
            Ascii,
            3,
            Prefix::FIXED,
            Z,
            0,
            None,
            None
        ),
    ]),
};

const FIELDS: [FieldSpec; 37] = [
    f!(
        2,
        "Primary account number",
        N,
        BcdLeft,
        19,
        Prefix::bcd(2),
        NP,
        0,
        Pan,
        None
    ),
    f!(
        3,
        "Processing code",
        N,
        BcdRight,
        6,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        4,
        "Amount, transaction",
        N,
        BcdRight,
        12,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        11,
        "System trace audit number",
        N,
        BcdRight,
        6,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        12,
        "Time, local transaction",
        N,
        BcdRight,
        6,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        13,
        "Date, local transaction",
        N,
        BcdRight,
        4,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        14,
        "Date, expiration",
        N,
        BcdRight,
        4,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        15,
        "Date, settlement",
        N,
        BcdRight,
        4,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        22,
        "Point of service entry mode",
        N,
        BcdLeft,
        3,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        23,
        "Card sequence number",
        N,
        BcdRight,
        3,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        25,
        "Point of service condition code",
        N,
        BcdRight,
        2,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        26,
        "Point of service PIN capture code",
        N,
        BcdRight,
        2,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        32,
        "Acquiring institution identification code",
        N,
        BcdLeft,
        11,
        Prefix::bcd(2),
        NP,
        0,
        None,
        None
    ),
    f!(
        35,
        "Track 2 data",
        Z,
        BcdLeft,
        37,
        Prefix::bcd(2),
        NP,
        0,
        Track,
        None
    ),
    f!(
        36,
        "Track 3 data",
        Z,
        BcdLeft,
        104,
        Prefix::bcd(3),
        NP,
        0,
        Track,
        None
    ),
    f!(
        37,
        "Retrieval reference number",
        An,
        Ascii,
        12,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        38,
        "Authorization identification response",
        An,
        Ascii,
        6,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        39,
        "Response code",
        An,
        Ascii,
        2,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        41,
        "Card acceptor terminal identification",
        Ans,
        Ascii,
        8,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        42,
        "Card acceptor identification code",
        Ans,
        Ascii,
        15,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        44,
        "Additional response data",
        Ans,
        Ascii,
        25,
        Prefix::bcd(2),
        NP,
        0,
        None,
        None
    ),
    f!(
        48,
        "Additional data, private",
        N,
        BcdLeft,
        322,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        49,
        "Currency code, transaction",
        An,
        Ascii,
        3,
        Prefix::FIXED,
        S,
        0,
        None,
        None
    ),
    f!(
        52,
        "PIN data",
        B,
        Binary,
        8,
        Prefix::FIXED,
        NP,
        0,
        Full,
        None
    ),
    f!(
        53,
        "Security related control information",
        N,
        BcdRight,
        16,
        Prefix::FIXED,
        Z,
        0,
        None,
        None
    ),
    f!(
        54,
        "Additional amounts",
        Ans,
        Ascii,
        20,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        55,
        "IC card data",
        B,
        Binary,
        255,
        Prefix::bcd(3),
        NP,
        0,
        Tlv,
        Some(Cow::Borrowed(&Subfields::BerTlv))
    ),
    f!(
        56,
        "Reserved",
        Ans,
        Ascii,
        999,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        57,
        "Reserved, national",
        Ans,
        Ascii,
        999,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        58,
        "IC card data (e-cash)",
        Ans,
        Ascii,
        100,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        59,
        "Reserved, national",
        Ans,
        Ascii,
        999,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        60,
        "Reserved, private (transaction type, batch, network management)",
        N,
        BcdLeft,
        17,
        Prefix::bcd(3),
        NP,
        0,
        None,
        Some(Cow::Borrowed(&F60))
    ),
    f!(
        61,
        "Original message data",
        N,
        BcdLeft,
        29,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        62,
        "Reserved, private (keys in sign-on)",
        B,
        Binary,
        512,
        Prefix::bcd(3),
        NP,
        0,
        Full,
        None
    ),
    f!(
        63,
        "Reserved, private (card organisation code)",
        Ans,
        Ascii,
        163,
        Prefix::bcd(3),
        NP,
        0,
        None,
        None
    ),
    f!(
        64,
        "Message authentication code",
        B,
        Binary,
        8,
        Prefix::FIXED,
        NP,
        0,
        Full,
        None
    ),
    f!(
        128,
        "Message authentication code",
        B,
        Binary,
        8,
        Prefix::FIXED,
        NP,
        0,
        Full,
        None
    ),
];
