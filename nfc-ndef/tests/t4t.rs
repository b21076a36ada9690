//! Type 4 Tag: nfcpy's APDU sequences as known answers, and reader ↔ emulator round trips
//! through `mpay_apdu::Router`.
#![cfg(feature = "t4t")]
mod common;

use common::{hex, vectors};
use mpay_apdu::{Error as ApduError, Router, Target, Transport};
use mpay_nfc_ndef::cc::{ACCESS_NONE, CapabilityContainer};
use mpay_nfc_ndef::t4t::{NDEF_AID, Reader, TagEmulator};
use mpay_nfc_ndef::{Error, Message, Record};

/// Replays a recorded exchange: every command must be the expected one.
struct Replay {
    script: Vec<(Vec<u8>, Vec<u8>)>,
    at: usize,
}

impl Transport for Replay {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, ApduError> {
        let (want, answer) = self
            .script
            .get(self.at)
            .unwrap_or_else(|| panic!("unexpected command {}", hex::encode(command)));
        assert_eq!(
            hex::encode(command),
            hex::encode(want),
            "command #{}",
            self.at
        );
        self.at += 1;
        Ok(answer.clone())
    }
}

#[test]
fn nfcpy_apdu_sequences() {
    let rows = vectors("nfcpy_tt4.txt");
    type Script = Vec<(Vec<u8>, Vec<u8>)>;
    let mut scenarios: Vec<(String, String, Script, String)> = Vec::new();
    for v in rows {
        match v[0].as_str() {
            "scenario" => scenarios.push((v[1].clone(), v[2].clone(), vec![], String::new())),
            ">" => scenarios.last_mut().unwrap().2.push((hex(&v[1]), vec![])),
            "<" => scenarios.last_mut().unwrap().2.last_mut().unwrap().1 = hex(&v[1]),
            "=" => scenarios.last_mut().unwrap().3 = v[1].clone(),
            other => panic!("unknown verb {other}"),
        }
    }
    assert_eq!(scenarios.len(), 7);
    for (name, action, script, result) in scenarios {
        let n = script.len();
        let mut reader = Reader::new(Replay { script, at: 0 });
        let cc = reader.discover().unwrap();
        if action == "cc" {
            let got = format!(
                "{} {} {}",
                u8::from(cc.readable()),
                u8::from(cc.writable()),
                cc.capacity()
            );
            assert_eq!(got, result, "{name}");
            if !cc.readable() {
                assert!(
                    matches!(reader.read_ndef(), Err(Error::Tag { sw: 0, .. })),
                    "{name}"
                );
            }
            if !cc.writable() {
                assert!(
                    matches!(reader.write_ndef(b""), Err(Error::Tag { sw: 0, .. })),
                    "{name}"
                );
            }
        } else {
            assert_eq!(hex::encode(reader.read_ndef().unwrap()), result, "{name}");
            if let Some(msg) = action.strip_prefix("write:") {
                reader.write_ndef(&hex(msg)).unwrap();
            }
        }
        assert_eq!(
            reader.into_inner().at,
            n,
            "{name}: not every command was sent"
        );
    }
}

fn message_of_size(n: usize) -> Vec<u8> {
    // An encoded NDEF message of exactly n octets (n = 0: no message; else one unknown record).
    match n {
        0 => vec![],
        1..=2 => panic!("no NDEF message has {n} octets"),
        _ => {
            // short record: 3 + payload (<= 258); 259..=261 need an ID; long record: 6 + payload
            let (body, id) = match n {
                ..=258 => (n - 3, 0),
                259..=261 => (254, n - 258),
                _ => (n - 6, 0),
            };
            let payload: Vec<u8> = (0..body).map(|i| (i * 7) as u8).collect();
            let m = Message::from(vec![Record::unknown(payload).with_id(vec![b'i'; id])]);
            let bytes = m.encode().unwrap();
            assert_eq!(bytes.len(), n);
            bytes
        }
    }
}

fn round_trip(cc: CapabilityContainer, first: &[u8], second: &[u8]) {
    let mut router = Router::new();
    router.add_exact(
        &NDEF_AID,
        Target::Host,
        TagEmulator::new(cc, first).unwrap(),
    );
    let mut reader = Reader::new(&mut router);
    assert_eq!(reader.discover().unwrap(), cc);
    assert_eq!(reader.read_ndef().unwrap(), first);
    reader.write_ndef(second).unwrap();
    assert_eq!(reader.read_ndef().unwrap(), second);
    // a fresh session (new SELECT) sees the written message, and it decodes
    let mut again = Reader::new(&mut router);
    again.discover().unwrap();
    let read = again.read_ndef().unwrap();
    assert_eq!(read, second);
    Message::decode(&read).unwrap();
}

#[test]
fn reader_emulator_round_trips_mapping_2() {
    // MLe/MLc from 1 to 255 (sampled), messages from 0 octets to the file's capacity.
    for (mle, mlc) in [
        (1, 1),
        (2, 255),
        (15, 1),
        (59, 52),
        (128, 7),
        (254, 254),
        (255, 255),
        (255, 1),
    ] {
        let small = mle.min(mlc);
        let max_file: u16 = if small < 8 { 600 } else { 0xFFFF };
        let cc = CapabilityContainer::new(0xE104, max_file, mle, mlc);
        let cap = cc.capacity();
        for size in [0, 3, 4, 258, 259, cap / 3, cap - 1, cap] {
            if (1..=2).contains(&size) {
                continue;
            }
            round_trip(
                cc,
                &message_of_size(size),
                &message_of_size(cap - size.min(cap - 3)),
            );
        }
    }
}

#[test]
fn reader_emulator_round_trips_mapping_3_up_to_the_cap() {
    // Extended NDEF File Control TLV: 4-octet ENLEN, offsets above 7FFF through B1/D7.
    let cap = mpay_nfc_ndef::DEFAULT_MAX_SIZE;
    let mut cc = CapabilityContainer::new(0xE104, 0, 255, 255);
    cc.mapping_version = 0x30;
    cc.extended = true;
    cc.ndef_file.max_size = (cap + 4) as u32;
    assert_eq!(CapabilityContainer::parse(&cc.encode()).unwrap(), cc);
    for (first, second) in [(0, cap), (cap, 40_000), (0x8000, 3)] {
        round_trip(cc, &message_of_size(first), &message_of_size(second));
    }
}

#[test]
fn access_bytes_are_enforced() {
    let msg = message_of_size(20);
    let mut cc = CapabilityContainer::new(0xE104, 100, 59, 52);
    cc.ndef_file.write_access = ACCESS_NONE;
    let mut router = Router::new();
    router.add_exact(&NDEF_AID, Target::Host, TagEmulator::new(cc, &msg).unwrap());
    let mut reader = Reader::new(&mut router);
    reader.discover().unwrap();
    assert_eq!(reader.read_ndef().unwrap(), msg);
    assert!(matches!(reader.write_ndef(b""), Err(Error::Tag { .. })));
    // the emulator refuses too, whatever the reader thinks
    let t = |r: &mut Router, apdu: &str| hex::encode(r.transmit(&hex(apdu)).unwrap());
    assert_eq!(t(&mut router, "00a4000c02e104"), "9000");
    assert_eq!(t(&mut router, "00d60000020000"), "6982");
    assert_eq!(t(&mut router, "00a4000c02e103"), "9000");
    assert_eq!(t(&mut router, "00d60000020000"), "6982"); // the CC is read-only
    assert_eq!(t(&mut router, "00a4000c02e105"), "6a82");

    cc.ndef_file.read_access = 0x80;
    cc.ndef_file.write_access = 0;
    let mut router = Router::new();
    router.add_exact(&NDEF_AID, Target::Host, TagEmulator::new(cc, &msg).unwrap());
    let mut reader = Reader::new(&mut router);
    reader.discover().unwrap();
    assert!(matches!(reader.read_ndef(), Err(Error::Tag { .. })));
    assert_eq!(t(&mut router, "00a4000c02e104"), "9000");
    assert_eq!(t(&mut router, "00b0000002"), "6982");
}

#[test]
fn emulator_honours_mle_and_mlc() {
    let cc = CapabilityContainer::new(0xE104, 100, 15, 4);
    let mut router = Router::new();
    router.add_exact(
        &NDEF_AID,
        Target::Host,
        TagEmulator::new(cc, &message_of_size(50)).unwrap(),
    );
    let t = |r: &mut Router, apdu: &str| hex::encode(r.transmit(&hex(apdu)).unwrap());
    assert_eq!(t(&mut router, "00a4040007d2760000850101"), "9000");
    assert_eq!(t(&mut router, "00a4000c02e104"), "9000");
    // Le 0x20 > MLe 15: 15 octets come back
    assert_eq!(t(&mut router, "00b0000020").len(), (15 + 2) * 2);
    assert_eq!(t(&mut router, "00d600000500000000ff"), "6700");
    assert_eq!(t(&mut router, "00d60000040000d500"), "9000");
    // NLEN larger than the file: the reader refuses before reading
    assert_eq!(t(&mut router, "00d6000002ffff"), "9000");
    let mut reader = Reader::new(&mut router);
    reader.discover().unwrap();
    assert!(matches!(reader.read_ndef(), Err(Error::Tag { .. })));
}

#[test]
fn reader_size_cap_is_checked_before_reading() {
    let msg = message_of_size(300);
    let cc = CapabilityContainer::new(0xE104, 400, 255, 255);
    let mut router = Router::new();
    router.add_exact(&NDEF_AID, Target::Host, TagEmulator::new(cc, &msg).unwrap());
    let mut reader = Reader::new(&mut router).with_max_size(299);
    reader.discover().unwrap();
    assert!(matches!(
        reader.read_ndef(),
        Err(Error::TooLarge {
            size: 300,
            limit: 299,
            ..
        })
    ));
}
