//! Specs as files: every shipped spec survives JSON and TOML (one schema, documented in the
//! README), and a hand-written TOML spec loads and works.
#![cfg(feature = "serde")]

use mpay_iso8583::{Message, MessageView, Spec, specs};

#[test]
fn shipped_specs_round_trip_through_json_and_toml() {
    for s in specs::ALL {
        let j = s.to_json();
        assert_eq!(&Spec::from_json(&j).unwrap(), *s, "JSON {}", s.name);
        let t = s.to_toml().unwrap();
        assert_eq!(&Spec::from_toml(&t).unwrap(), *s, "TOML {}", s.name);
    }
}

const HAND_WRITTEN: &str = r#"
name = "acme-host"
header_len = 0
mti = "ascii"
bitmap = "hex_ascii"

[[fields]]
number = 2
name = "PAN"
class = "n"
encoding = "bcd_left"
length = 19
prefix = { digits = 2, encoding = "bcd" }
mask = "pan"

[[fields]]
number = 11
class = "n"
encoding = "ascii"
length = 6
pad = { left = "0" }

[[fields]]
number = 55
class = "b"
encoding = "binary"
length = 255
prefix = { digits = 3, encoding = "binary" }
mask = "tlv"
sub = { kind = "ber_tlv" }

[[fields]]
number = 60
class = "ans"
encoding = "ascii"
length = 99
prefix = { digits = 2, encoding = "ascii" }
sub = { kind = "positional", fields = [
    { number = 1, class = "n", encoding = "ascii", length = 2 },
    { number = 2, class = "ans", encoding = "ascii", length = 20, prefix = { digits = 2, encoding = "ascii" } },
] }
"#;

#[test]
fn hand_written_toml_spec() {
    let spec = Spec::from_toml(HAND_WRITTEN).unwrap();
    let mut m = Message::new(&spec, "0100".parse().unwrap());
    m.set(2, "476173900101011").unwrap();
    m.set(11, "42").unwrap();
    m.set_path("55.9F02", vec![0, 0, 0, 0, 1, 0]).unwrap();
    m.set_path("60.1", "07").unwrap();
    m.set_path("60.2", "hi").unwrap();
    let wire = m.pack().unwrap();
    let expected = [
        &b"01004020000000000210"[..],
        &[0x15, 0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x10],
        b"000042",
        &[0x00, 0x09, 0x9F, 0x02, 0x06, 0, 0, 0, 0, 1, 0],
        b"060702hi",
    ]
    .concat();
    assert_eq!(wire, expected);
    let v = MessageView::unpack(&spec, &wire).unwrap();
    assert_eq!(v.get_path("60.2").unwrap().unwrap().as_text(), Some("hi"));
    // The same spec as JSON.
    assert_eq!(Spec::from_json(&spec.to_json()).unwrap(), spec);
}

#[test]
fn bad_spec_files_are_errors() {
    assert!(matches!(
        Spec::from_json("{"),
        Err(mpay_iso8583::Error::SpecFile(_))
    ));
    let bad = HAND_WRITTEN.replace("encoding = \"bcd_left\"", "encoding = \"binary\"");
    assert!(matches!(
        Spec::from_toml(&bad),
        Err(mpay_iso8583::Error::Spec { .. })
    ));
}
