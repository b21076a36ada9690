//! The reference message of the benchmarks and tests: an 0100 with 20 fields (2, 3, 4, 7, 11,
//! 12, 13, 14, 18, 22, 23, 25, 35, 37, 41, 42, 43, 49, 52, 55) and a 132-byte field 55
//! (research note `iso8583.md` §2; the same message jPOS and pyiso8583 were measured on).
#![allow(dead_code)]

use mpay_iso8583::{Message, Spec};

/// Field 55: 19 EMV data objects, 132 bytes.
pub const F55_HEX: &str = concat!(
    "5F2A020156",
    "82025C00",
    "95050000000000",
    "9A03251121",
    "9C0100",
    "9F0206000000010000",
    "9F0306000000000000",
    "9F09020030",
    "9F1012070101030000010000000000000000A1B2C3",
    "9F1A020156",
    "9F26081122334455667788",
    "9F270180",
    "9F3303E0F8C8",
    "9F34031E0300",
    "9F350122",
    "9F36020001",
    "9F370412345678",
    "9F410400000001",
    "8407A0000000031010",
);

/// The text fields of the reference message (field, value).
pub const TEXT: &[(u16, &str)] = &[
    (2, "4761739001010119"),
    (3, "000000"),
    (4, "000000010000"),
    (7, "1121054411"),
    (11, "123456"),
    (12, "054411"),
    (13, "1121"),
    (14, "2512"),
    (18, "5999"),
    (22, "051"),
    (23, "001"),
    (25, "00"),
    (35, "4761739001010119=25122011143804400000"),
    (37, "123456789012"),
    (41, "TERM0001"),
    (42, "MERCHANT0000001"),
    (43, "MPAY TEST MERCHANT      SHANGHAI      CN"),
    (49, "156"),
];

/// The PIN block (field 52).
pub const F52: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Field 55 as bytes.
pub fn f55() -> Vec<u8> {
    unhex(F55_HEX)
}

/// The reference 0100 under `spec` (field 55 kept as opaque bytes).
pub fn reference(spec: &Spec) -> Message<'_> {
    let mut m = Message::new(spec, "0100".parse().unwrap());
    for (n, v) in TEXT {
        m.set(*n, *v).unwrap();
    }
    m.set(52, F52).unwrap();
    m.set(55, f55()).unwrap();
    m
}
