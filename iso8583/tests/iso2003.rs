//! ISO 8583:2003 binary (`iso2003binary`): a message packed byte for byte as the 2003 data
//! element table (kuriositaet.de/iso8583/fields.html) and jPOS's 2003-based binary packager
//! (`cmf.xml`) define it, written out by hand below, field by field.

use mpay_iso8583::{Message, MessageView, Value, specs::ISO2003_BINARY};

fn wire() -> Vec<u8> {
    let parts: [&str; 12] = [
        "2100",             // MTI, BCD, version 2 (2003)
        "F030040000800200", /* 1-4, 11, 12, 22, 41, 55 */
        "0000000001000000", // secondary bitmap: 104
        "16",               /* LL BCD */
        // 2: PAN, n..19 left-aligned BCD; 3: an 6 ASCII
        "4761739001010119303030303030",
        "8402000000010000", // 4: n 16 (currency 840, exponent 2, amount)
        "000000000123",     // 11: STAN, n 12
        "20260521123456",   // 12: CCYYMMDDhhmmss, n 14
        "000102030405060708090A0B0C0D0E0F", // 22: POS data code, b 16
        "5445524D494E414C3030303030303031", // 41: ans 16 "TERMINAL00000001"
        "00119F26080102030405060708", // 55: LLLL BCD (11) + BER-TLV
        "0003010203",       // 104: LLLL BCD (3) + bytes
    ];
    hex::decode(parts.concat()).unwrap()
}

#[test]
fn pack_is_byte_exact() {
    let mut m = Message::new(&ISO2003_BINARY, "2100".parse().unwrap());
    m.set(2, "4761739001010119").unwrap();
    m.set(3, "000000").unwrap();
    m.set(4, "8402000000010000").unwrap();
    m.set(11, "000000000123").unwrap();
    m.set(12, "20260521123456").unwrap();
    m.set(22, (0u8..16).collect::<Vec<u8>>()).unwrap();
    m.set(41, "TERMINAL00000001").unwrap();
    m.set_path("55.9F26", vec![1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    m.set(104, vec![1, 2, 3]).unwrap();
    assert_eq!(
        hex::encode_upper(m.pack().unwrap()),
        hex::encode_upper(wire())
    );
}

#[test]
fn unpack_and_back() {
    let w = wire();
    let v = MessageView::unpack(&ISO2003_BINARY, &w).unwrap();
    assert_eq!(v.mti().as_str(), "2100");
    assert_eq!(v.mti().version(), mpay_iso8583::mti::Version::V2003);
    assert_eq!(v.text(11).as_deref(), Some("000000000123"));
    assert_eq!(v.text(12).as_deref(), Some("20260521123456"));
    assert_eq!(v.text(41).as_deref(), Some("TERMINAL00000001"));
    assert_eq!(
        v.get_path("55.9F26").unwrap(),
        Some(Value::Bytes(vec![1, 2, 3, 4, 5, 6, 7, 8]))
    );
    let m = Message::unpack(&ISO2003_BINARY, &w).unwrap();
    assert_eq!(m.pack().unwrap(), w);
}

#[test]
fn lengths_follow_the_2003_table() {
    let s = &ISO2003_BINARY;
    // LLLLVAR b..9999 (2-byte BCD prefix) for 34, 43, 44, 49, 55 and 104.
    for n in [34, 43, 44, 49, 55, 104] {
        let f = s.field(n).unwrap();
        assert_eq!(
            (f.length, f.prefix.digits, f.prefix.width()),
            (9999, 4, 2),
            "{n}"
        );
    }
    let fixed = |n: u16| s.field(n).unwrap().length;
    assert_eq!(
        [fixed(4), fixed(11), fixed(12), fixed(39), fixed(41)],
        [16, 12, 14, 4, 16]
    );
    assert_eq!(s.field(42).unwrap().length, 35);
    // A 17-digit STAN does not fit.
    let mut m = Message::new(s, "2100".parse().unwrap());
    assert!(m.set(11, "0000000000001").is_err());
}
