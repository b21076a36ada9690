//! `#[derive(Iso8583)]`: a struct to a message and back, through pack/unpack.
#![cfg(feature = "derive")]

use mpay_iso8583::{Error, Iso8583, Message, MessageView, specs};

#[derive(Iso8583, Debug, PartialEq, Clone)]
struct Auth {
    #[iso8583(2)]
    pan: String,
    #[iso8583(3)]
    processing: String,
    #[iso8583(4)]
    amount: u64,
    #[iso8583(11)]
    stan: u32,
    #[iso8583(41)]
    terminal: String,
    #[iso8583(52)]
    pin_block: Option<Vec<u8>>,
    #[iso8583("55.9F26")]
    arqc: Vec<u8>,
    #[iso8583("55.9F36")]
    atc: Option<Vec<u8>>,
}

#[test]
fn struct_to_wire_and_back() {
    let a = Auth {
        pan: "4761739001010119".into(),
        processing: "000000".into(),
        amount: 10_000,
        stan: 42,
        terminal: "TERM0001".into(),
        pin_block: None,
        arqc: vec![0x11; 8],
        atc: Some(vec![0, 1]),
    };
    let m = a
        .to_message(&specs::ISO87_BINARY, "0100".parse().unwrap())
        .unwrap();
    let wire = m.pack().unwrap();
    let v = MessageView::unpack(&specs::ISO87_BINARY, &wire).unwrap();
    assert_eq!(v.text(4).unwrap(), "000000010000");
    assert_eq!(v.text(11).unwrap(), "000042");
    assert!(v.field(52).is_none());
    let back = Auth::read_from(&Message::unpack(&specs::ISO87_BINARY, &wire).unwrap()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn required_fields_and_bad_values_are_errors() {
    let mut m = Message::new(&specs::ISO87_BINARY, "0100".parse().unwrap());
    m.set(2, "4761739001010119").unwrap();
    assert!(matches!(Auth::read_from(&m), Err(Error::BadPath { path, .. }) if path == "3"));
    let a = Auth {
        pan: "47617390010101191234".into(), // 20 digits: too long for n..19
        processing: "000000".into(),
        amount: 1,
        stan: 1,
        terminal: "T".into(),
        pin_block: None,
        arqc: vec![],
        atc: None,
    };
    assert!(matches!(
        a.to_message(&specs::ISO87_BINARY, "0100".parse().unwrap()),
        Err(Error::BadLength { found: 20, .. })
    ));
}
