//! Chunk reassembly (Android's rules), the size cap, and strict versus lenient decoding.
mod common;

use common::hex;
use mpay_nfc_ndef::record::{CF, MB, ME, write_raw};
use mpay_nfc_ndef::{DecodeOptions, Error, Message, Mode, Record, Tnf};

/// One wire record: flags, TNF, TYPE, ID, PAYLOAD.
type Wire<'a> = (u8, Tnf, &'a [u8], &'a [u8], &'a [u8]);

fn chunked(parts: &[Wire<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (flags, tnf, t, id, p) in parts {
        write_raw(&mut out, *flags, *tnf, t, id, p).unwrap();
    }
    out
}

fn chunk_rule(bytes: &[u8], opts: DecodeOptions) -> &'static str {
    match Message::decode_with(bytes, opts) {
        Err(Error::Chunk { rule, .. }) => rule,
        other => panic!("expected a chunk error, got {other:?}"),
    }
}

#[test]
fn reassembles_and_keeps_type_and_id_of_the_first_chunk() {
    let bytes = chunked(&[
        (MB | CF, Tnf::Mime, b"text/plain", b"id", b"ab"),
        (CF, Tnf::Unchanged, b"", b"", b"cd"),
        (0, Tnf::Unchanged, b"", b"", b"e"),
        (ME, Tnf::WellKnown, b"U", b"", b"\x04x.org"),
    ]);
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg.records.len(), 2);
    assert_eq!(
        msg.records[0],
        Record::mime("text/plain", b"abcde".to_vec()).with_id(b"id".to_vec())
    );
    // not reassembled: four wire records
    let raw = DecodeOptions {
        reassemble: false,
        ..Default::default()
    };
    assert_eq!(Message::decode_with(&bytes, raw).unwrap().records.len(), 4);
}

#[test]
fn android_chunk_rules() {
    let strict = DecodeOptions::default();
    let lenient = DecodeOptions::lenient();
    // a non-leading chunk must be TNF unchanged
    let b = chunked(&[
        (MB | CF, Tnf::Unknown, b"", b"", b"a"),
        (ME, Tnf::Unknown, b"", b"", b"b"),
    ]);
    for o in [strict, lenient] {
        assert_eq!(
            chunk_rule(&b, o),
            "expected TNF unchanged in non-leading chunk"
        );
    }
    // and carries no ID
    let b = chunked(&[
        (MB | CF, Tnf::Unknown, b"", b"", b"a"),
        (ME, Tnf::Unchanged, b"", b"i", b"b"),
    ]);
    for o in [strict, lenient] {
        assert_eq!(chunk_rule(&b, o), "IL flag set in non-leading chunk");
    }
    // the first chunk has a real TNF
    let b = chunked(&[
        (MB | CF, Tnf::Unchanged, b"", b"", b"a"),
        (ME, Tnf::Unchanged, b"", b"", b"b"),
    ]);
    for o in [strict, lenient] {
        assert_eq!(chunk_rule(&b, o), "TNF unchanged in the first chunk");
    }
    // an empty record can not be chunked (found by fuzzing: fuzz/artifacts crash-4c27fe2d…)
    let b = hex("b8000000 5600 07ffff002c000000");
    for o in [strict, lenient] {
        assert_eq!(chunk_rule(&b, o), "TNF empty in the first chunk");
    }
    // TNF unchanged outside a chunk: strict error, lenient keeps it as a record
    let b = chunked(&[
        (MB, Tnf::Unknown, b"", b"", b"a"),
        (ME, Tnf::Unchanged, b"", b"", b"b"),
    ]);
    assert_eq!(
        chunk_rule(&b, strict),
        "TNF unchanged outside a chunked record"
    );
    let m = Message::decode_with(&b, lenient).unwrap();
    assert_eq!(m.records[1].tnf, Tnf::Unchanged);
    // a chunk sequence cut off by the end of the input
    let b = chunked(&[
        (MB | CF, Tnf::Unknown, b"", b"", b"a"),
        (CF, Tnf::Unchanged, b"", b"", b"b"),
    ]);
    assert!(matches!(
        Message::decode_with(&b, strict),
        Err(Error::Flags {
            rule: "ME flag not set in last record",
            ..
        })
    ));
    assert_eq!(chunk_rule(&b, lenient), "chunked record not terminated");
    // CF together with ME: strict error (CF on the last record); lenient ends the chunk there
    let b = chunked(&[
        (MB | CF, Tnf::Unknown, b"", b"", b"a"),
        (ME | CF, Tnf::Unchanged, b"", b"", b"b"),
    ]);
    assert!(matches!(
        Message::decode_with(&b, strict),
        Err(Error::Flags {
            rule: "CF flag set in last record",
            ..
        })
    ));
    assert_eq!(
        &*Message::decode_with(&b, lenient).unwrap().records[0].payload,
        b"ab"
    );
}

#[test]
fn size_cap_applies_to_declared_and_reassembled_sizes() {
    let opts = DecodeOptions {
        max_size: 4,
        ..Default::default()
    };
    // declared PAYLOAD_LENGTH of 4 GiB - 1 with no data behind it: rejected on the header alone
    let b = hex("c5 00 ffffffff");
    assert!(matches!(
        Message::decode_with(&b, opts),
        Err(Error::TooLarge {
            offset: 0,
            size: 0xFFFF_FFFF,
            limit: 4
        })
    ));
    // chunks of 3 + 2 octets: each fits, the total does not
    let b = chunked(&[
        (MB | CF, Tnf::Unknown, b"", b"", b"abc"),
        (ME, Tnf::Unchanged, b"", b"", b"de"),
    ]);
    assert!(matches!(
        Message::decode_with(&b, opts),
        Err(Error::TooLarge {
            size: 5,
            limit: 4,
            ..
        })
    ));
    assert_eq!(Message::decode(&b).unwrap().records[0].payload.len(), 5);
}

#[test]
fn strict_and_lenient_message_rules() {
    // a record after the ME record: strict error, lenient stops there
    let b = hex("d50000 d50000");
    assert!(matches!(
        Message::decode(&b),
        Err(Error::Flags { offset: 3, .. })
    ));
    assert_eq!(
        Message::decode_with(&b, DecodeOptions::lenient())
            .unwrap()
            .records
            .len(),
        1
    );
    // TNF 7: strict error, lenient reads it like unknown (Android)
    let b = hex("d70001aa");
    assert!(matches!(
        Message::decode(&b),
        Err(Error::ReservedTnf { offset: 0 })
    ));
    let m = Message::decode_with(&b, DecodeOptions::lenient()).unwrap();
    assert_eq!(
        (m.records[0].tnf, &*m.records[0].payload),
        (Tnf::Reserved, &[0xAA][..])
    );
    assert_eq!(DecodeOptions::lenient().mode, Mode::Lenient);
    // decoding borrows unchunked payloads
    let b = hex("d1010355046162");
    let m = Message::decode(&b).unwrap();
    assert!(matches!(
        m.records[0].payload,
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn encoder_rules() {
    // SR is set automatically; 256 octets need the 4-octet length
    let m = Message::from(vec![
        Record::unknown(vec![0; 255]),
        Record::unknown(vec![0; 256]),
    ]);
    let b = m.encode().unwrap();
    assert_eq!(&b[..3], &[0x95, 0x00, 0xFF]);
    assert_eq!(&b[258..264], &[0x45, 0x00, 0x00, 0x00, 0x01, 0x00]);
    // records that can not be encoded
    for r in [
        Record::new(Tnf::Empty, b"x".to_vec(), vec![], vec![]),
        Record::new(Tnf::WellKnown, vec![], vec![], vec![]),
        Record::new(Tnf::Unknown, b"x".to_vec(), vec![], vec![]),
        Record::new(Tnf::Unchanged, vec![], vec![], vec![]),
        Record::new(Tnf::Reserved, vec![], vec![], vec![]),
    ] {
        assert!(Message::from(vec![r]).encode().is_err());
    }
    assert!(matches!(
        Message::from(vec![Record::unknown(vec![]).with_id(vec![0; 256])]).encode(),
        Err(Error::FieldTooLong {
            len: 256,
            max: 255,
            ..
        })
    ));
}
