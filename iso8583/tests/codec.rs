//! Byte-exact tests: the reference message in each 1987 spec, the UnionPay POS spec, EBCDIC,
//! tertiary bitmap, nested bitmapped and positional subfields, TLV/LTV, field 55 with unknown
//! and duplicate tags, errors with partial results, masking, paths.

mod common;

#[path = "../benches/reference.rs"]
mod reference;

use std::borrow::Cow;

use mpay_iso8583::bitmap::BitmapEncoding;
use mpay_iso8583::field::{Class, Encoding, FieldSpec, Mask, Pad, Prefix, Subfields};
use mpay_iso8583::mti::MtiEncoding;
use mpay_iso8583::{Error, Loc, Message, MessageView, Spec, SubKey, Value, specs};

fn asc(s: &str) -> String {
    hex::encode_upper(s.as_bytes())
}

#[test]
fn reference_iso87_binary_byte_exact() {
    let m = reference::reference(&specs::ISO87_BINARY);
    let wire = m.pack().unwrap();
    let expected = [
        "0100".to_string(),
        "723C468028E09200".into(),
        "164761739001010119".into(), // LL BCD, left-aligned
        "000000".into(),
        "000000010000".into(),
        "1121054411".into(),
        "123456".into(),
        "054411".into(),
        "1121".into(),
        "2512".into(),
        "5999".into(),
        "0051".into(), // n3 right-aligned: pad nibble first
        "0001".into(),
        "00".into(),
        "374761739001010119D251220111438044000000".into(), // 37 digits, '=' as D, pad last
        asc("123456789012"),
        asc("TERM0001"),
        asc("MERCHANT0000001"),
        asc("MPAY TEST MERCHANT      SHANGHAI      CN"),
        asc("156"),
        "123456789ABCDEF0".into(),
        "0132".into(),
        reference::F55_HEX.into(),
    ]
    .concat();
    assert_eq!(hex::encode_upper(&wire), expected);
    // Same size as jPOS iso87binary on this message (research note: 290 bytes).
    assert_eq!(wire.len(), 290);
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    assert_eq!(v.text(35).unwrap(), "4761739001010119=25122011143804400000");
    assert_eq!(v.u64(4), Some(10_000));
    assert_eq!(v.to_message().pack().unwrap(), wire);
}

#[test]
fn reference_iso87_ascii_byte_exact() {
    let m = reference::reference(&specs::ISO87_ASCII);
    let wire = m.pack().unwrap();
    let expected = [
        "0100723C468028E09200",
        "164761739001010119000000000000010000112105441112345605441111212512599905100100",
        "374761739001010119=25122011143804400000",
        "123456789012TERM0001MERCHANT0000001MPAY TEST MERCHANT      SHANGHAI      CN156",
        "123456789ABCDEF0",
        "264",
        reference::F55_HEX,
    ]
    .concat();
    assert_eq!(String::from_utf8(wire.clone()).unwrap(), expected);
    assert_eq!(wire.len(), 498);
    let v = MessageView::unpack(&specs::ISO87_ASCII, &wire).unwrap();
    assert_eq!(v.bin(55).unwrap().as_ref(), reference::f55());
    assert_eq!(v.bin(52).unwrap().as_ref(), reference::F52);
}

#[test]
fn cup_pos_byte_exact_with_header_subfields_and_mac() {
    struct Xor;
    impl mpay_iso8583::mac::Mac for Xor {
        fn len(&self) -> usize {
            8
        }
        fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
            out.fill(0);
            for (i, b) in mab.iter().enumerate() {
                out[i % 8] ^= b;
            }
            Ok(())
        }
    }
    let spec = &specs::CUP_POS;
    let mut m = Message::new(spec, "0200".parse().unwrap());
    m.header = hex::decode("6000030000603100310730").unwrap();
    m.set(2, "6212345678901234567").unwrap(); // 19 digits: left-aligned, pad nibble last
    m.set(3, "000000").unwrap();
    m.set(4, "000000000100").unwrap();
    m.set(11, "000017").unwrap();
    m.set(22, "051").unwrap(); // left-aligned
    m.set(23, "001").unwrap(); // right-aligned
    m.set(25, "00").unwrap();
    m.set(35, "6212345678901234567=2512").unwrap();
    m.set(41, "12345678").unwrap();
    m.set(42, "123456789012345").unwrap();
    m.set(49, "156").unwrap();
    m.set_path("55.9F26", [0x11u8; 8]).unwrap();
    m.set_path("60.1", "22").unwrap();
    m.set_path("60.2", "000001").unwrap();
    m.set_path("60.3", "000").unwrap();
    let mut wire = Vec::new();
    m.pack_with_mac(&Xor, &mut wire).unwrap();
    let body = [
        "0200",
        "7020068020C08211",
        "196212345678901234567",
        "0",
        "000000",
        "000000000100",
        "000017",
        "0510",
        "0001",
        "00",
        "246212345678901234567D2512",
        &asc("12345678"),
        &asc("123456789012345"),
        &asc("156"),
        "0011",
        "9F26081111111111111111",
        "0011",
        "220000010000",
    ]
    .concat();
    let mab = hex::decode(&body).unwrap();
    let mut mac = [0u8; 8];
    for (i, b) in mab.iter().enumerate() {
        mac[i % 8] ^= b;
    }
    let expected = format!("6000030000603100310730{body}{}", hex::encode_upper(mac));
    assert_eq!(hex::encode_upper(&wire), expected);
    let v = MessageView::unpack(spec, &wire).unwrap();
    assert_eq!(v.header(), hex::decode("6000030000603100310730").unwrap());
    assert_eq!(v.mab().unwrap(), &mab[..]);
    v.verify_mac(&Xor).unwrap();
    let mut bad = wire.clone();
    bad[23] ^= 0x01; // a PAN digit: still valid BCD, MAC must fail
    let v2 = MessageView::unpack(spec, &bad).unwrap();
    assert_eq!(v2.verify_mac(&Xor), Err(Error::MacMismatch { field: 64 }));
    assert_eq!(v.get_path("60.1").unwrap(), Some(Value::Text("22".into())));
    assert_eq!(v.get_path("60.3").unwrap(), Some(Value::Text("000".into())));
    assert_eq!(v.get_path("60.4").unwrap(), None);
    assert_eq!(
        v.get_path("55.9F26").unwrap(),
        Some(Value::Bytes(vec![0x11; 8]))
    );
    assert_eq!(v.text(2).unwrap(), "6212345678901234567");
    assert_eq!(v.text(22).unwrap(), "051");
}

#[test]
fn ebcdic_and_tertiary_byte_exact() {
    let spec = common::ebcdic_tertiary_spec();
    let mut m = Message::new(spec, "0800".parse().unwrap());
    m.set(2, "12345").unwrap();
    m.set(70, "301").unwrap();
    m.set(130, "A[^]").unwrap();
    let wire = m.pack().unwrap();
    // MTI F0F8F0F0; bitmaps in EBCDIC hex: primary C0… (1, 2), secondary 80 (65) | 04 (70),
    // tertiary 40 (130).
    let e = |s: &str| -> String {
        s.bytes()
            .map(|c| match c {
                b'0'..=b'9' => format!("{:02X}", 0xF0 + (c - b'0')),
                b'A'..=b'F' => format!("{:02X}", 0xC1 + (c - b'A')),
                _ => unreachable!(),
            })
            .collect()
    };
    let expected = [
        "F0F8F0F0".to_string(),
        e("C000000000000000"),
        e("8400000000000000"),
        e("4000000000000000"),
        "F0F5F1F2F3F4F5".into(),
        "F3F0F1".into(),
        "F0F4C1BAB0BB".into(), // cp037: [ = BA, ^ = B0, ] = BB
    ]
    .concat();
    assert_eq!(hex::encode_upper(&wire), expected);
    let v = MessageView::unpack(spec, &wire).unwrap();
    assert_eq!(v.text(130).unwrap(), "A[^]");
    assert_eq!(v.present().iter().collect::<Vec<_>>(), [2, 70, 130]);

    // Code page 1047 differs: [ = AD, ^ = 5F, ] = BD.
    let f = FieldSpec::new(43, "", Class::Ans, Encoding::Ebcdic1047, 4, Prefix::FIXED);
    let s = one_field_spec(f);
    let mut m = Message::new(s, "0100".parse().unwrap());
    m.set(43, "A[^]").unwrap();
    let wire = m.pack().unwrap();
    assert_eq!(hex::encode_upper(&wire[4 + 8..]), "C1AD5FBD");
}

fn one_field_spec(f: FieldSpec) -> &'static Spec {
    Box::leak(Box::new(Spec {
        name: Cow::Borrowed("one"),
        header_len: 0,
        mti: MtiEncoding::Ascii,
        bitmap: BitmapEncoding::Binary,
        tertiary: false,
        mac: None,
        fields: Cow::Owned(vec![f]),
    }))
}

fn nested_spec() -> &'static Spec {
    let inner = Subfields::Positional {
        fields: Cow::Owned(vec![
            FieldSpec::new(1, "Code", Class::N, Encoding::Ascii, 2, Prefix::FIXED),
            FieldSpec::new(2, "Text", Class::Ans, Encoding::Ascii, 20, Prefix::ascii(2)),
        ]),
    };
    let mut s2 = FieldSpec::new(
        2,
        "Structured",
        Class::Ans,
        Encoding::Ascii,
        99,
        Prefix::ascii(2),
    );
    s2.sub = Some(Cow::Owned(inner));
    let de127 = Subfields::Bitmapped {
        bitmap: BitmapEncoding::Binary,
        fields: Cow::Owned(vec![
            s2,
            FieldSpec::new(3, "Routing", Class::Ans, Encoding::Ascii, 4, Prefix::FIXED),
            FieldSpec::new(12, "Amount", Class::N, Encoding::BcdRight, 5, Prefix::FIXED),
            FieldSpec::new(
                22,
                "Blob",
                Class::B,
                Encoding::Binary,
                9999,
                Prefix::binary(4),
            ),
        ]),
    };
    let mut f127 = FieldSpec::new(
        127,
        "Private",
        Class::B,
        Encoding::Binary,
        999_999,
        Prefix::ascii(6),
    );
    f127.sub = Some(Cow::Owned(de127));
    let mut f48 = FieldSpec::new(
        48,
        "TLV",
        Class::Ans,
        Encoding::Ascii,
        999,
        Prefix::ascii(3),
    );
    f48.sub = Some(Cow::Owned(Subfields::Tlv {
        tag_len: 2,
        length: Prefix::ascii(2),
        ltv: false,
    }));
    let mut f62 = FieldSpec::new(62, "LTV", Class::B, Encoding::Binary, 999, Prefix::bcd(3));
    f62.sub = Some(Cow::Owned(Subfields::Tlv {
        tag_len: 1,
        length: Prefix::binary(2),
        ltv: true,
    }));
    let mut f55 = FieldSpec::new(55, "ICC", Class::B, Encoding::Binary, 999, Prefix::bcd(3));
    f55.sub = Some(Cow::Owned(Subfields::BerTlv));
    f55.mask = Mask::Tlv;
    let s = Spec {
        name: Cow::Borrowed("nested"),
        header_len: 0,
        mti: MtiEncoding::Ascii,
        bitmap: BitmapEncoding::HexAscii,
        tertiary: false,
        mac: None,
        fields: Cow::Owned(vec![f48, f55, f62, f127]),
    };
    s.validate().unwrap();
    Box::leak(Box::new(s))
}

#[test]
fn nested_bitmapped_positional_tlv_ltv_byte_exact() {
    let spec = nested_spec();
    let mut m = Message::new(spec, "0100".parse().unwrap());
    m.set_path("127.2.1", "07").unwrap();
    m.set_path("127.2.2", "HELLO").unwrap();
    m.set_path("127.12", "12345").unwrap();
    m.set_path("127.22", vec![0xAB, 0xCD]).unwrap();
    m.set_path("48.AB", "xyz").unwrap();
    m.set_path("48.01", "1").unwrap();
    m.set_path("62.K", vec![1, 2, 3]).unwrap();
    let wire = m.pack().unwrap();
    let mut expected = b"0100".to_vec();
    expected.extend_from_slice(b"80010000000000040000000000000002"); // 1, 16 (48), 64+62? see below
    // Recompute the expected bitmap honestly: fields 48, 62, 127.
    let mut bm = mpay_iso8583::bitmap::Bitmap::new();
    for n in [1, 48, 62, 127] {
        bm.set(n);
    }
    expected.truncate(4);
    expected.extend_from_slice(format!("{:016X}{:016X}", bm.0[0], bm.0[1]).as_bytes());
    expected.extend_from_slice(b"012AB03xyz01011");
    expected.extend_from_slice(&[0x00, 0x05, 0x04, b'K', 1, 2, 3]);
    // 127: LLLLLL ascii, inner binary bitmap with bits 2, 12, 22.
    let inner_bm: u64 = (1 << 62) | (1 << 52) | (1 << 42);
    let mut f127 = inner_bm.to_be_bytes().to_vec();
    f127.extend_from_slice(b"0907HELLO"); // 127.2: LL=09, "07" + "05HELLO"
    f127.clear();
    f127.extend_from_slice(&inner_bm.to_be_bytes());
    f127.extend_from_slice(b"090705HELLO");
    f127.extend_from_slice(&[0x01, 0x23, 0x45]);
    f127.extend_from_slice(&[0x00, 0x02, 0xAB, 0xCD]);
    expected.extend_from_slice(format!("{:06}", f127.len()).as_bytes());
    expected.extend_from_slice(&f127);
    assert_eq!(hex::encode_upper(&wire), hex::encode_upper(&expected));

    let back = Message::unpack(spec, &wire).unwrap();
    assert_eq!(
        back.get_path("127.2.2").unwrap(),
        Some(Value::Text("HELLO".into()))
    );
    assert_eq!(
        back.get_path("127.12").unwrap(),
        Some(Value::Text("12345".into()))
    );
    assert_eq!(
        back.get_path("48.01").unwrap(),
        Some(Value::Text("1".into()))
    );
    assert_eq!(
        back.get_path("62.K").unwrap(),
        Some(Value::Bytes(vec![1, 2, 3]))
    );
    assert_eq!(back.pack().unwrap(), wire);
    assert!(matches!(
        m.set_path("127.5", "x"),
        Err(Error::BadPath { .. })
    ));
    assert!(matches!(m.get_path("48.ABC"), Err(Error::BadPath { .. })));
}

#[test]
fn positional_gap_is_an_error() {
    let spec = nested_spec();
    let mut m = Message::new(spec, "0100".parse().unwrap());
    let err = m.set_path("127.2.2", "X").unwrap_err();
    assert_eq!(
        err,
        Error::BadValue {
            loc: Loc::Sub(127, 1),
            reason: "missing while a later positional subfield is set"
        }
    );
}

#[test]
fn field55_unknown_and_duplicate_tags_kept() {
    let spec = nested_spec();
    // 9F26 twice, DF7F (unknown/proprietary), 5A (PAN, masked in describe).
    let f55 = hex::decode(
        "9F260811111111111111119F26082222222222222222DF7F0101 5A084761739001010119"
            .replace(' ', ""),
    )
    .unwrap();
    let mut m = Message::new(spec, "0100".parse().unwrap());
    m.set(55, f55.clone()).unwrap();
    let wire = m.pack().unwrap();
    let back = Message::unpack(spec, &wire).unwrap();
    let Value::Sub(tags) = back.get(55).unwrap() else {
        panic!("decoded as TLV")
    };
    let keys: Vec<String> = tags.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(keys, ["9F26", "9F26", "DF7F", "5A"]);
    assert_eq!(tags[1].1, Value::Bytes(vec![0x22; 8]));
    assert_eq!(back.pack().unwrap(), wire);
    // Path access finds the first of duplicates; set replaces the first.
    assert_eq!(
        back.get_path("55.9f26").unwrap(),
        Some(Value::Bytes(vec![0x11; 8]))
    );
    let d = back.describe();
    assert!(!d.contains("4761739001010119"), "{d}");
    assert!(d.contains("DF7F: 01"), "{d}");
    assert!(tags.contains(&(SubKey::Tag("DF7F".into()), Value::Bytes(vec![1]))));
}

#[test]
fn masked_describe_and_debug() {
    let m = reference::reference(&specs::ISO87_BINARY);
    let wire = m.pack().unwrap();
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    for text in [
        m.describe(),
        v.describe(),
        format!("{m:?}"),
        format!("{v:?}"),
        m.to_string(),
    ] {
        assert!(!text.contains("4761739001010119"), "PAN in clear:\n{text}");
        assert!(text.contains("476173******0119"), "{text}");
        assert!(!text.contains("25122011143804400000"), "track in clear");
        assert!(!text.contains("123456789ABCDEF0"), "PIN block in clear");
        assert!(text.contains("[8 bytes, masked]"), "{text}");
        assert!(text.contains("9F26: 1122334455667788"), "{text}");
    }
}

#[test]
fn errors_name_field_offset_expected_found_with_partial_result() {
    let m = reference::reference(&specs::ISO87_ASCII);
    let mut wire = m.pack().unwrap();
    // Corrupt field 4 (offset 4 + 16 + 18 + 6 = 44): a letter in a numeric field.
    wire[46] = b'X';
    let (partial, err) = MessageView::unpack_partial(&specs::ISO87_ASCII, &wire);
    assert_eq!(
        err,
        Some(Error::BadByte {
            loc: Loc::Field(4),
            offset: 46,
            expected: "a digit",
            found: b'X'
        })
    );
    assert_eq!(partial.present().iter().collect::<Vec<_>>(), [2, 3]);
    assert_eq!(partial.text(3).unwrap(), "000000");
    let msg = err.unwrap().to_string();
    assert_eq!(
        msg,
        "field 4 at offset 46: expected a digit, found byte 0x58"
    );

    // Truncated field 55 content.
    let wire = m.pack().unwrap();
    let cut = &wire[..wire.len() - 10];
    let e = MessageView::unpack(&specs::ISO87_ASCII, cut).unwrap_err();
    assert_eq!(
        e,
        Error::Truncated {
            loc: Loc::Field(55),
            offset: 234,
            needed: 264,
            available: 254
        }
    );
    // Too long a length prefix.
    let mut w2 = m.pack().unwrap();
    w2[20] = b'2';
    w2[21] = b'0';
    assert!(matches!(
        MessageView::unpack(&specs::ISO87_ASCII, &w2),
        Err(Error::BadLength {
            loc: Loc::Field(2),
            offset: 20,
            max: 19,
            found: 20,
            ..
        })
    ));
    // Trailing bytes.
    let mut w3 = m.pack().unwrap();
    w3.push(b'0');
    assert_eq!(
        MessageView::unpack(&specs::ISO87_ASCII, &w3).unwrap_err(),
        Error::Trailing {
            offset: 498,
            count: 1
        }
    );
    // A bit for an undefined field.
    let s = one_field_spec(FieldSpec::new(
        3,
        "",
        Class::N,
        Encoding::Ascii,
        6,
        Prefix::FIXED,
    ));
    let e = MessageView::unpack(s, b"0100\x40\x00\x00\x00\x00\x00\x00\x00").unwrap_err();
    assert_eq!(
        e,
        Error::Undefined {
            loc: Loc::Field(2),
            offset: 12
        }
    );
    // Errors never carry field content.
    assert!(
        !format!("{:?}", MessageView::unpack(&specs::ISO87_ASCII, cut))
            .contains("4761739001010119")
    );
}

#[test]
fn values_are_checked_when_set() {
    let mut m = Message::new(&specs::ISO87_BINARY, "0100".parse().unwrap());
    assert_eq!(
        m.set(3, "12345X"),
        Err(Error::BadChar {
            loc: Loc::Field(3),
            index: 5,
            expected: "a digit"
        })
    );
    assert!(matches!(
        m.set(2, "12345678901234567890"),
        Err(Error::BadLength { found: 20, .. })
    ));
    assert!(matches!(m.set(52, "text"), Err(Error::BadValue { .. })));
    assert!(matches!(
        m.set(1, vec![0u8; 8]),
        Err(Error::BadValue { .. })
    ));
    // Fixed numerics pad on the left in the shipped specs; set_u64 pads too.
    m.set(4, "100").unwrap();
    assert_eq!(m.text(4), Some("100"));
    m.set_u64(11, 42).unwrap();
    assert_eq!(m.text(11), Some("000042"));
    let wire = m.pack().unwrap();
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    assert_eq!(v.text(4).unwrap(), "000000000100");
    assert_eq!(v.u64(11), Some(42));
}

#[test]
fn right_padding_and_x_n_amounts() {
    let mut f = FieldSpec::new(43, "", Class::Ans, Encoding::Ascii, 10, Prefix::FIXED);
    f.pad = Pad::Right(' ');
    let s = one_field_spec(f);
    let mut m = Message::new(s, "0100".parse().unwrap());
    m.set(43, "ABC").unwrap();
    assert_eq!(&m.pack().unwrap()[12..], b"ABC       ");

    let mut m = Message::new(&specs::ISO87_BINARY, "0100".parse().unwrap());
    m.set(28, "D00000150").unwrap();
    let wire = m.pack().unwrap();
    assert_eq!(hex::encode_upper(&wire[10..]), "4400000150");
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    assert_eq!(v.text(28).unwrap(), "D00000150");
}

#[test]
fn secondary_bitmap_and_mac_in_128() {
    struct Fixed;
    impl mpay_iso8583::mac::Mac for Fixed {
        fn len(&self) -> usize {
            8
        }
        fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
            out.copy_from_slice(&(mab.len() as u64).to_be_bytes());
            Ok(())
        }
    }
    let mut m = Message::new(&specs::ISO87_BINARY, "0800".parse().unwrap());
    m.set(11, "000001").unwrap();
    m.set(70, "301").unwrap();
    let mut wire = Vec::new();
    m.pack_with_mac(&Fixed, &mut wire).unwrap();
    // MTI 2 + bitmaps 16 + 11 (3) + 70 (2) = 23 bytes of MAB, MAC in 128.
    assert_eq!(
        hex::encode_upper(&wire),
        "08008020000000000000040000000000000100000103010000000000000017"
    );
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    assert_eq!(v.mac_field(), 128);
    v.verify_mac(&Fixed).unwrap();
}

#[test]
fn iso93_ascii_byte_exact() {
    let spec = &specs::ISO93_ASCII;
    let mut m = Message::new(spec, "1100".parse().unwrap());
    m.set(2, "4761739001010119").unwrap();
    m.set(12, "251121054411").unwrap(); // n12 in 1993
    m.set(22, "A1010151134C").unwrap(); // an12 POS data code
    m.set(24, "100").unwrap(); // function code
    m.set(39, "000").unwrap(); // n3 action code
    m.set(43, "MPAY\\SHANGHAI\\CN").unwrap(); // LLVAR in 1993
    m.set(53, vec![0xAB; 3]).unwrap(); // b..48 LLVAR, hex on the wire
    m.set(128, [0x01u8; 8]).unwrap();
    let wire = m.pack().unwrap();
    let mut bm = mpay_iso8583::bitmap::Bitmap::new();
    for n in [1, 2, 12, 22, 24, 39, 43, 53, 128] {
        bm.set(n);
    }
    let expected = format!(
        "1100{:016X}{:016X}164761739001010119251121054411A1010151134C100000{}{}{}",
        bm.0[0], bm.0[1], "16MPAY\\SHANGHAI\\CN", "06ABABAB", "0101010101010101"
    );
    assert_eq!(String::from_utf8(wire.clone()).unwrap(), expected);
    let v = MessageView::unpack(spec, &wire).unwrap();
    assert_eq!(v.mti().version(), mpay_iso8583::mti::Version::V1993);
    assert_eq!(v.text(43).unwrap(), "MPAY\\SHANGHAI\\CN");
    assert_eq!(v.bin(53).unwrap().as_ref(), [0xAB; 3]);
}

#[test]
fn owned_message_gives_field_55_bytes_after_unpack() {
    for spec in [&specs::ISO87_BINARY, &specs::ISO87_ASCII] {
        let wire = reference::reference(spec).pack().unwrap();
        let m = Message::unpack(spec, &wire).unwrap();
        // Decoded into its TLV elements, and still available as the bytes on the wire.
        assert!(m.get(55).unwrap().as_sub().is_some());
        assert_eq!(m.bin(55).unwrap().as_ref(), reference::f55());
        assert_eq!(m.bin(52).unwrap().as_ref(), reference::F52);
        assert_eq!(m.bin(2), None, "a text field has no bytes");
        assert_eq!(m.bin(64), None, "absent");
    }
    // A positional text field (UnionPay 60) is not bytes either.
    let mut m = Message::new(&specs::CUP_POS, "0200".parse().unwrap());
    m.set_path("60.1", "22").unwrap();
    assert_eq!(m.bin(60), None);
}
