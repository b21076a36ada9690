use super::*;
use alloc::string::ToString;

const SAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

/// Rewrites the CRC of `body` (which ends with `6304`) so that only the rule under test fails.
fn with_crc(body: &str) -> String {
    let mut s = String::from(body);
    let crc = crc16(s.as_bytes());
    s.extend(to_hex(crc).iter().map(|&b| char::from(b)));
    s
}

#[test]
fn emvco_sample_fields() {
    let qr = MerchantPayload::parse(SAMPLE).unwrap();
    assert_eq!(qr.crc(), 0xA13A);
    assert_eq!(qr.initiation(), Some(Initiation::Dynamic));
    let accounts: Vec<_> = qr.merchant_accounts().map(|o| (o.id, o.gui())).collect();
    assert_eq!(
        accounts,
        [(29, Some("D15600000000")), (31, Some("D15600000001"))]
    );
    assert_eq!(qr.get(31).unwrap().sub_value(3), Some("12345678"));
    assert_eq!(qr.merchant_category_code(), Some("4111"));
    assert_eq!(qr.currency(), Some("156"));
    assert_eq!(qr.amount(), Some("23.72"));
    assert_eq!(qr.tip(), Some(Tip::Prompt));
    assert_eq!(qr.country_code(), Some("CN"));
    assert_eq!(qr.merchant_name(), Some("BEST TRANSPORT"));
    assert_eq!(qr.merchant_city(), Some("BEIJING"));
    assert_eq!(
        qr.language(),
        Some(Language {
            language: "ZH",
            name: "最佳运输",
            city: Some("北京")
        })
    );
    assert_eq!(
        qr.additional_data_field(additional::STORE_LABEL),
        Some("1234")
    );
    assert_eq!(
        qr.additional_data_field(additional::CUSTOMER_LABEL),
        Some("***")
    );
    assert_eq!(
        qr.additional_data_field(additional::TERMINAL_LABEL),
        Some("A6008667")
    );
    assert_eq!(
        qr.additional_data_field(additional::CONSUMER_DATA_REQUEST),
        Some("ME")
    );
    assert_eq!(qr.get(91).unwrap().gui(), Some("A011223344998877"));
    assert_eq!(qr.get(91).unwrap().sub_value(7), Some("12345678"));
    qr.check_mandatory().unwrap();
    // The language template sits at byte 121 and its value counts 4 characters, 12 bytes.
    let lang = qr.get(64).unwrap();
    assert_eq!(
        (lang.offset, lang.char_len(), lang.value.len()),
        (121, 20, 32)
    );
    assert_eq!(qr.to_builder().build().unwrap(), SAMPLE);
}

#[test]
fn all_vectors_parse_and_rebuild() {
    let file = include_str!("../../tests/vectors/mpm.txt");
    let mut n = 0;
    for line in file
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, text) = line.split_once('\t').unwrap();
        let qr = MerchantPayload::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&to_hex(qr.crc()), &text.as_bytes()[text.len() - 4..]);
        assert_eq!(qr.to_builder().build().unwrap(), text, "{name}");
        n += 1;
    }
    assert_eq!(n, 7);
}

#[test]
fn crc_mismatch_names_the_crc_offset() {
    let bad = SAMPLE.replace("A13A", "A13B");
    assert_eq!(
        MerchantPayload::parse(&bad),
        Err(Error::CrcMismatch {
            offset: SAMPLE.len() - 8,
            found: 0xA13B,
            computed: 0xA13A
        })
    );
    // A lower-case CRC is a format error, not a mismatch.
    let lc = SAMPLE.replace("6304A13A", "6304a13a");
    assert!(matches!(
        MerchantPayload::parse(&lc),
        Err(Error::BadValue {
            path: Path {
                template: None,
                id: 63
            },
            ..
        })
    ));
}

#[test]
fn byte_lengths_are_rejected() {
    // A payload that counts the Chinese name in bytes (12) instead of characters (4).
    let body = "0002010102115802CN64220002ZH0112最佳运输6304";
    assert!(MerchantPayload::parse(&with_crc(body)).is_err());
    let good = with_crc("0002010102115802CN64140002ZH0104最佳运输6304");
    assert_eq!(
        MerchantPayload::parse(&good)
            .unwrap()
            .language()
            .unwrap()
            .name,
        "最佳运输"
    );
}

#[test]
fn structural_errors_have_offsets() {
    assert_eq!(
        MerchantPayload::parse("0002010x"),
        Err(Error::BadId { offset: 6 })
    );
    assert_eq!(
        MerchantPayload::parse("000201015"),
        Err(Error::BadLength {
            path: Path::top(1),
            offset: 6
        })
    );
    assert_eq!(
        MerchantPayload::parse("00020101051"),
        Err(Error::Truncated {
            path: Path::top(1),
            offset: 6,
            len: 5
        })
    );
    assert_eq!(
        MerchantPayload::parse(""),
        Err(Error::Missing { path: Path::top(0) })
    );
    assert_eq!(
        MerchantPayload::parse("000201010211"),
        Err(Error::Missing {
            path: Path::top(63)
        })
    );
    // Nested: template 62 with a truncated child, offsets counted from the payload start.
    assert_eq!(
        MerchantPayload::parse(&with_crc("00020162060510ab6304")),
        Err(Error::Truncated {
            path: Path::nested(62, 5),
            offset: 10,
            len: 10
        })
    );
}

#[test]
fn order_and_duplicates() {
    assert!(matches!(
        MerchantPayload::parse(&with_crc("01021100020163 04")),
        Err(Error::Order {
            path: Path {
                template: None,
                id: 1
            },
            offset: 0,
            ..
        })
    ));
    assert_eq!(
        MerchantPayload::parse(&with_crc("00020153039865303986 6304").replace(' ', "")),
        Err(Error::Duplicate {
            path: Path::top(53),
            offset: 13,
            first: 6
        })
    );
    let after = format!("{}5802BR", with_crc("0002016304"));
    assert!(matches!(
        MerchantPayload::parse(&after),
        Err(Error::Order {
            path: Path {
                template: None,
                id: 58
            },
            offset: 14,
            ..
        })
    ));
    assert_eq!(
        MerchantPayload::parse(&with_crc("00020162140503abc0503abc6304")),
        Err(Error::Duplicate {
            path: Path::nested(62, 5),
            offset: 17,
            first: 10
        })
    );
}

#[test]
fn field_formats() {
    let cases: &[(&str, Path)] = &[
        ("000202", Path::top(0)),
        ("000201010213", Path::top(1)),
        ("0002015203581", Path::top(52)),
        ("0002015303A86", Path::top(53)),
        ("000201540512.3.", Path::top(54)),
        ("000201550204", Path::top(55)),
        ("0002015802br", Path::top(58)),
        ("0002015926ABCDEFGHIJKLMNOPQRSTUVWXYZ", Path::top(59)),
        ("0002016016ABCDEFGHIJKLMNOP", Path::top(60)),
        ("00020162060902AX", Path::nested(62, 9)),
        ("000201640600023h", Path::nested(64, 0)),
        ("00020126060102AB", Path::nested(26, 0)),
        ("0002016406000201", Path::nested(64, 0)),
        ("00020164060002ZH", Path::nested(64, 1)),
    ];
    for (body, path) in cases {
        let text = with_crc(&format!("{body}6304"));
        let err = MerchantPayload::parse(&text).unwrap_err();
        let got = match err {
            Error::BadValue { path, .. }
            | Error::Missing { path }
            | Error::Truncated { path, .. }
            | Error::BadLength { path, .. } => path,
            other => panic!("{body}: {other}"),
        };
        assert_eq!(got.to_string(), path.to_string(), "{body}");
    }
    // Fees need their indicator, and the indicator its fee.
    assert!(matches!(
        MerchantPayload::parse(&with_crc("000201560210 6304").replace(' ', "")),
        Err(Error::Order { .. })
    ));
    assert_eq!(
        MerchantPayload::parse(&with_crc("0002015502036304")),
        Err(Error::Missing {
            path: Path::top(57)
        })
    );
    let fee_text = with_crc("000201550203570412.56304");
    let fee = MerchantPayload::parse(&fee_text).unwrap();
    assert_eq!(fee.tip(), Some(Tip::Percentage("12.5")));
}

#[test]
fn mandatory_fields() {
    let pp = MerchantPayload::parse(
        "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
    )
    .unwrap();
    assert_eq!(
        pp.check_mandatory(),
        Err(Error::Missing {
            path: Path::top(52)
        })
    );
    let none_text = with_crc("0002016304");
    let none = MerchantPayload::parse(&none_text).unwrap();
    assert_eq!(
        none.check_mandatory(),
        Err(Error::Missing { path: Path::top(2) })
    );
}

#[test]
fn builder_rules() {
    let long = "x".repeat(100);
    assert!(matches!(
        MerchantPayloadBuilder::new().set(62, long.clone()).build(),
        Err(Error::Build { .. })
    ));
    assert!(matches!(
        MerchantPayloadBuilder::new().set(63, "0000").build(),
        Err(Error::Build { .. })
    ));
    assert!(matches!(
        MerchantPayloadBuilder::new().set(100, "x").build(),
        Err(Error::Build { .. })
    ));
    // The builder checks what it wrote.
    assert!(matches!(
        MerchantPayloadBuilder::new().set(52, "12345").build(),
        Err(Error::BadValue { .. })
    ));
    // Setting twice replaces in place.
    let a = MerchantPayloadBuilder::new()
        .set(58, "BR")
        .set(59, "A")
        .set(58, "TH")
        .build()
        .unwrap();
    assert!(a.starts_with("0002015802TH5901A6304"));
}

#[test]
fn pix_vector_and_reader() {
    let text = pix::Pix::new(
        "123e4567-e12b-12d1-a456-426655440000",
        "Fulano de Tal",
        "BRASILIA",
    )
    .to_payload()
    .unwrap();
    assert_eq!(
        text,
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
    );
    let qr = MerchantPayload::parse(&text).unwrap();
    let p = pix::Pix::from_payload(&qr).unwrap();
    assert_eq!(p.key, "123e4567-e12b-12d1-a456-426655440000");
    assert_eq!(p.txid, None);
    let with = pix::Pix::new("a@b.c", "N", "C")
        .with_amount("10.00")
        .with_txid("ORDER42")
        .with_description("hi")
        .to_payload()
        .unwrap();
    let qr = MerchantPayload::parse(&with).unwrap();
    qr.check_mandatory().unwrap();
    let p = pix::Pix::from_payload(&qr).unwrap();
    assert_eq!(
        (p.amount, p.txid, p.description),
        (Some("10.00"), Some("ORDER42"), Some("hi"))
    );
}

#[test]
fn promptpay_vectors() {
    use promptpay::{Target, payload};
    let cases = [
        (
            Target::Phone("0801234567"),
            None,
            "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
        ),
        (
            Target::Phone("+66-89-123-4567"),
            None,
            "00020101021129370016A000000677010111011300668912345675802TH5303764630429C1",
        ),
        (
            Target::NationalId("1-1111-11111-11-1"),
            None,
            "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A",
        ),
        (
            Target::Phone("000-000-0000"),
            Some("4.22"),
            "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
        ),
    ];
    for (target, amount, want) in cases {
        let got = payload(target, amount).unwrap();
        assert_eq!(got, want);
        let qr = MerchantPayload::parse(&got).unwrap();
        assert_eq!(
            promptpay::proxy(&qr),
            Some(target.encode().unwrap())
                .as_ref()
                .map(|(i, s)| (*i, s.as_str()))
        );
    }
    assert!(payload(Target::NationalId("123"), None).is_err());
    assert!(payload(Target::EWallet("123456789012345"), None).is_ok());
}

#[test]
fn bytes_must_be_utf8() {
    assert_eq!(
        MerchantPayload::parse_bytes(b"000201\xff"),
        Err(Error::Utf8 { offset: 6 })
    );
}
