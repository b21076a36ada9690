//! Differential tests against pyiso8583 (MPAY_PYTHON with pyiso8583 installed): for random
//! messages under equivalent specs, our pack equals pyiso8583's encode and our unpack equals
//! its decode. The pyiso8583 spec is derived from ours field by field.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Rng, pyiso_can, random_message};
use mpay_iso8583::bitmap::BitmapEncoding;
use mpay_iso8583::field::{Encoding, FieldSpec, LenEncoding, Unit};
use mpay_iso8583::mti::MtiEncoding;
use mpay_iso8583::{Message, MessageView, Spec, Value, specs};
use serde_json::{Map, Value as J, json};

fn python() -> Option<String> {
    match std::env::var("MPAY_PYTHON") {
        Ok(p) => Some(p),
        Err(_) => {
            if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
                panic!("MPAY_PYTHON not set and MPAY_REQUIRE_PEERS is");
            }
            eprintln!("skipping: MPAY_PYTHON not set (pyiso8583 peer)");
            None
        }
    }
}

fn is_bcd(e: Encoding) -> bool {
    matches!(e, Encoding::BcdLeft | Encoding::BcdRight)
}

fn field_spec(f: &FieldSpec) -> J {
    let data_enc = match f.encoding {
        Encoding::Ascii | Encoding::HexAscii => "ascii",
        Encoding::Ebcdic037 => "cp037",
        Encoding::Ebcdic1047 => "cp1047",
        Encoding::BcdLeft | Encoding::BcdRight | Encoding::Binary => "b",
    };
    let len_enc = match f.prefix.encoding {
        LenEncoding::Ascii => "ascii",
        LenEncoding::Ebcdic => "cp037",
        LenEncoding::Bcd => "bcd",
        LenEncoding::Binary => "b",
    };
    let nibbles = is_bcd(f.encoding) && f.prefix.unit == Unit::Units;
    let max_len = match f.encoding {
        Encoding::HexAscii => 2 * f.length,
        _ => f.length,
    };
    let mut o = json!({
        "data_enc": data_enc, "len_enc": len_enc, "len_type": f.prefix.width(),
        "max_len": max_len, "desc": f.name,
        "len_count": if nibbles { "nibbles" } else { "bytes" },
    });
    if nibbles {
        let pad = format!("{:X}", f.pad_nibble);
        let key = if f.encoding == Encoding::BcdRight {
            "left_pad"
        } else {
            "right_pad"
        };
        o[key] = J::String(pad);
    }
    o
}

fn pyiso_spec(spec: &Spec) -> J {
    let mut m = Map::new();
    let h = spec.header_len as usize;
    m.insert(
        "h".into(),
        json!({"data_enc": "b", "len_enc": "ascii", "len_type": 0, "max_len": h, "desc": "Header"}),
    );
    let (tenc, tlen) = match spec.mti {
        MtiEncoding::Ascii => ("ascii", 4),
        MtiEncoding::Ebcdic => ("cp037", 4),
        MtiEncoding::Bcd => ("b", 2),
    };
    m.insert("t".into(), json!({"data_enc": tenc, "len_enc": "ascii", "len_type": 0, "max_len": tlen, "desc": "MTI"}));
    let (benc, blen) = match spec.bitmap {
        BitmapEncoding::Binary => ("b", 8),
        BitmapEncoding::HexAscii => ("ascii", 16),
        BitmapEncoding::HexEbcdic => ("cp037", 16),
    };
    for k in ["p", "1", "65"] {
        m.insert(k.into(), json!({"data_enc": benc, "len_enc": "ascii", "len_type": 0, "max_len": blen, "desc": "Bitmap"}));
    }
    for f in spec.fields.iter() {
        if f.number != 65 {
            m.insert(f.number.to_string(), field_spec(f));
        }
    }
    J::Object(m)
}

/// Our value as pyiso8583 writes it in its dict.
fn pyiso_value(f: &FieldSpec, v: &Value) -> String {
    match v {
        Value::Text(s) if is_bcd(f.encoding) => s.replace('=', "D"),
        Value::Text(s) => s.clone(),
        Value::Bytes(b) => hex::encode_upper(b),
        Value::Sub(_) => unreachable!("random messages have no subfields"),
    }
}

fn doc(m: &Message<'_>) -> J {
    let spec = m.spec();
    let mut d = Map::new();
    d.insert("h".into(), J::String(hex::encode_upper(&m.header)));
    d.insert("t".into(), J::String(m.mti.as_str().to_string()));
    for n in m.numbers() {
        let f = spec.field(n).unwrap();
        d.insert(n.to_string(), J::String(pyiso_value(f, m.get(n).unwrap())));
    }
    J::Object(d)
}

fn differential(spec: &'static Spec, seed: u64, count: usize) {
    let Some(py) = python() else { return };
    let mut rng = Rng(seed);
    let msgs: Vec<Message<'_>> = (0..count)
        .map(|_| random_message(spec, &mut rng, |f| f.sub.is_none() && pyiso_can(f)))
        .collect();
    let wires: Vec<String> = msgs
        .iter()
        .map(|m| hex::encode_upper(m.pack().unwrap()))
        .collect();
    let job = json!({
        "spec": pyiso_spec(spec),
        "messages": msgs.iter().map(doc).collect::<Vec<_>>(),
        "wires": wires,
    });
    let mut child = Command::new(&py)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyiso_peer.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run MPAY_PYTHON");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pyiso8583 peer failed");
    let res: J = serde_json::from_slice(&out.stdout).unwrap();
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(
            res["encoded"][i],
            J::String(wires[i].clone()),
            "encode of message {i} under {}",
            spec.name
        );
        let dec = &res["decoded"][i];
        let wire = hex::decode(&wires[i]).unwrap();
        let v = MessageView::unpack(spec, &wire).unwrap();
        assert_eq!(
            dec["t"],
            J::String(v.mti().as_str().into()),
            "MTI of message {i}"
        );
        let mut ours = Vec::new();
        for n in v.present().iter() {
            let f = v.field(n).unwrap();
            let val = match f.text() {
                Some(t) => Value::Text(t.into_owned()),
                None => Value::Bytes(f.logical().into_owned()),
            };
            ours.push((n.to_string(), pyiso_value(f.spec(), &val)));
        }
        let theirs: Vec<(String, String)> = dec
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.parse::<u16>().is_ok_and(|n| n != 1 && n != 65))
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let mut ours_sorted = ours.clone();
        ours_sorted.sort();
        let mut theirs_sorted = theirs;
        theirs_sorted.sort();
        assert_eq!(
            ours_sorted, theirs_sorted,
            "decode of message {i} under {}",
            spec.name
        );
        let _ = m;
    }
}

#[test]
fn pyiso_iso87_ascii() {
    differential(&specs::ISO87_ASCII, 0x1987_A5C1, 150);
}

#[test]
fn pyiso_iso87_binary() {
    differential(&specs::ISO87_BINARY, 0x1987_B1A7, 150);
}

#[test]
fn pyiso_iso93_ascii() {
    differential(&specs::ISO93_ASCII, 0x1993_A5C1, 150);
}

#[test]
fn pyiso_cup_pos() {
    differential(&specs::CUP_POS, 0xC0B5_0001, 150);
}

#[test]
fn pyiso_ebcdic_tertiary() {
    differential(common::ebcdic_tertiary_spec(), 0xEBCD_1C00, 100);
}

/// The reference message in 1987 ASCII is byte for byte what pyiso8583's own `default_ascii`
/// spec encodes (field 55 and 52 as hex text).
#[test]
fn reference_matches_pyiso_default_ascii() {
    let Some(py) = python() else { return };
    #[path = "../benches/reference.rs"]
    mod reference;
    let m = reference::reference(&specs::ISO87_ASCII);
    let ours = hex::encode_upper(m.pack().unwrap());
    let mut d = Map::new();
    d.insert("t".into(), J::String("0100".into()));
    for (n, v) in reference::TEXT {
        d.insert(n.to_string(), J::String(v.to_string()));
    }
    d.insert("52".into(), J::String(hex::encode_upper(reference::F52)));
    d.insert("55".into(), J::String(reference::F55_HEX.into()));
    let script = format!(
        "import iso8583,json,sys,binascii\nfrom iso8583.specs import default_ascii\nd=json.loads({:?})\nraw,_=iso8583.encode(d, default_ascii)\nprint(binascii.hexlify(raw).decode().upper())",
        J::Object(d).to_string()
    );
    let out = Command::new(&py).arg("-c").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), ours);
    assert_eq!(ours.len() / 2, 498);
}
