//! Known-answer tests from the files in `tests/vectors/` (each names its source).
mod common;

use common::{hex, record_type, unescape, vectors};
use mpay_nfc_ndef::message::RawRecords;
use mpay_nfc_ndef::record::{CF, MB, ME, write_raw};
use mpay_nfc_ndef::wkt::{
    CertificateFormat, SignatureRecord, SignatureValue, SmartPoster, Text, TextEncoding, Uri,
};
use mpay_nfc_ndef::{DecodeOptions, Error, Message, Mode, Record};

fn first_record(bytes: &[u8], max_size: usize) -> Result<Record<'_>, Error> {
    let opts = DecodeOptions {
        max_size,
        ..Default::default()
    };
    let raw = RawRecords::new(bytes, opts).next().expect("no record")?;
    Ok(Record::new(raw.tnf(), raw.record_type, raw.id, raw.payload))
}

#[test]
fn ndeflib_record_rules() {
    let mut n = 0;
    for v in vectors("ndeflib_record.txt") {
        match v[0].as_str() {
            "encode" => {
                let (tnf, t) = record_type(&v[1]);
                let (id, payload, encoded) = (v[2].as_bytes(), hex(&v[3]), hex(&v[4]));
                let mut out = Vec::new();
                write_raw(&mut out, 0, tnf, &t, id, &payload).unwrap();
                assert_eq!(hex::encode(&out), hex::encode(&encoded), "encode {v:?}");
                let r = first_record(&encoded, 1 << 20).unwrap();
                assert_eq!(
                    (r.tnf, &*r.record_type, &*r.id, &*r.payload),
                    (tnf, &t[..], id, &payload[..])
                );
            }
            "decode" => {
                let (tnf, t) = record_type(&v[2]);
                let bytes = hex(&v[1]);
                let r = first_record(&bytes, 1 << 20).unwrap();
                assert_eq!(
                    (r.tnf, &*r.record_type, &*r.id),
                    (tnf, &t[..], v[3].as_bytes())
                );
                assert_eq!(&*r.payload, &hex(&v[4])[..]);
            }
            "error" => {
                let e = first_record(&hex(&v[1]), 1 << 20)
                    .expect_err(&v[1])
                    .to_string();
                assert!(e.contains(&v[2]), "{v:?}: got {e}");
            }
            "flags" => {
                let bytes = hex(&v[1]);
                let raw = RawRecords::new(&bytes, DecodeOptions::default())
                    .next()
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    [raw.mb(), raw.me(), raw.cf()],
                    [v[2] == "1", v[3] == "1", v[4] == "1"],
                    "{v:?}"
                );
            }
            "limit" => {
                let len: usize = v[2].parse().unwrap();
                let mut bytes = hex(&v[1]);
                bytes.resize(bytes.len() + len, 0);
                let r = first_record(&bytes, 0x10_0000);
                if v[3] == "ok" {
                    assert_eq!(r.unwrap().payload.len(), len);
                } else {
                    assert!(
                        matches!(r, Err(Error::TooLarge { size, limit: 0x10_0000, .. }) if size == len as u64)
                    );
                }
            }
            other => panic!("unknown verb {other}"),
        }
        n += 1;
    }
    assert_eq!(n, 40);
}

fn names(msg: &Message<'_>) -> Vec<String> {
    msg.records.iter().map(|r| r.type_name()).collect()
}

fn expected_names(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().trim_matches('\'').to_string())
        .collect()
}

#[test]
fn ndeflib_message_rules() {
    let raw = DecodeOptions {
        reassemble: false,
        ..Default::default()
    };
    let raw_lenient = DecodeOptions {
        mode: Mode::Lenient,
        ..raw
    };
    for v in vectors("ndeflib_message.txt") {
        let bytes = hex(&v[1]);
        match v[0].as_str() {
            "valid" => {
                let msg = Message::decode_with(&bytes, raw).unwrap();
                assert_eq!(names(&msg), expected_names(&v[2]), "{v:?}");
                // re-encode record by record (the unchanged chunk needs the raw writer)
                let mut out = Vec::new();
                let n = msg.records.len();
                for (i, r) in msg.records.iter().enumerate() {
                    let raw = RawRecords::new(&bytes, raw).nth(i).unwrap().unwrap();
                    let flags = (if i == 0 { MB } else { 0 })
                        | (if i + 1 == n { ME } else { 0 })
                        | (raw.header & CF);
                    write_raw(&mut out, flags, r.tnf, &r.record_type, &r.id, &r.payload).unwrap();
                }
                assert_eq!(out, bytes);
            }
            "strict" => {
                let e = Message::decode_with(&bytes, raw).unwrap_err().to_string();
                assert!(e.contains(&v[2]), "{v:?}: {e}");
                // reassembling, a chunk rule may fire before the flag rule does
                let e = Message::decode(&bytes).unwrap_err();
                assert!(
                    matches!(e, Error::Flags { .. } | Error::Chunk { .. }),
                    "reassembling {v:?}: {e}"
                );
                let msg = Message::decode_with(&bytes, raw_lenient).unwrap();
                assert_eq!(names(&msg), expected_names(&v[3]), "{v:?}");
            }
            "relax" => {
                for input in [bytes.clone(), [&[0x90, 0, 0][..], &bytes].concat()] {
                    for opts in [raw_lenient, DecodeOptions::lenient()] {
                        let e = Message::decode_with(&input, opts).unwrap_err().to_string();
                        assert!(e.contains(&v[2]), "{v:?}: {e}");
                    }
                }
            }
            other => panic!("unknown verb {other}"),
        }
    }
}

#[test]
fn chunk_reassembly_of_ndeflib_chunk_vector() {
    // ndeflib decodes B50000 560000 into two raw records; reassembled it is one empty unknown record
    let bytes = hex("B50000 560000");
    let msg = Message::decode(&bytes).unwrap();
    assert_eq!(msg, Message::from(vec![Record::unknown(vec![])]));
    assert_eq!(msg.encode().unwrap(), hex("D50000"));
}

fn encoding(s: &str) -> TextEncoding {
    match s {
        "UTF-8" => TextEncoding::Utf8,
        "UTF-16" => TextEncoding::Utf16,
        e => panic!("{e}"),
    }
}

#[test]
fn ndeflib_text() {
    for v in vectors("ndeflib_text.txt") {
        match v[0].as_str() {
            "payload" => {
                let want = Text {
                    text: unescape(&v[2]),
                    language: v[3].clone(),
                    encoding: encoding(&v[4]),
                };
                assert_eq!(Text::decode(&hex(&v[1])).unwrap(), want, "{v:?}");
                assert_eq!(hex::encode(want.payload().unwrap()), v[1], "{v:?}");
            }
            "error" => {
                let e = Text::decode(&hex(&v[1])).unwrap_err().to_string();
                assert!(e.contains(&v[2]), "{v:?}: {e}");
            }
            "message" => {
                let bytes = hex(&v[1]);
                let want: Vec<Text> = v[2]
                    .split(", ")
                    .map(|t| {
                        let f: Vec<&str> = t.split(';').collect();
                        Text {
                            text: f[0].into(),
                            language: f[1].into(),
                            encoding: encoding(f[2]),
                        }
                    })
                    .collect();
                let msg = Message::decode(&bytes).unwrap();
                let got: Vec<Text> = msg
                    .records
                    .iter()
                    .map(|r| Text::from_record(r).unwrap())
                    .collect();
                assert_eq!(got, want);
                let records = want
                    .iter()
                    .map(|t| t.to_record().unwrap())
                    .collect::<Vec<_>>();
                assert_eq!(Message::from(records).encode().unwrap(), bytes);
            }
            other => panic!("unknown verb {other}"),
        }
    }
}

#[test]
fn ndeflib_uri() {
    let mut codes_seen = 0;
    for v in vectors("ndeflib_uri.txt") {
        let bytes = hex(&v[1]);
        match v[0].as_str() {
            "payload" => {
                assert_eq!(Uri::decode(&bytes).unwrap(), Uri::new(&v[2]), "{v:?}");
                // ndeflib encodes with the longest prefix; so do we. "ftp://anonymous:anonymous@nfcpy"
                // and the others all round-trip to their own code.
                assert_eq!(hex::encode(Uri::new(&v[2]).payload()), v[1], "{v:?}");
                codes_seen += 1;
            }
            "error" => {
                let e = Uri::decode(&bytes).unwrap_err();
                let ok = if v[2].contains("identifier") {
                    matches!(
                        e,
                        Error::InvalidPayload {
                            reason: "reserved URI identifier code",
                            ..
                        }
                    )
                } else {
                    e.to_string()
                        .contains(v[2].trim_start_matches("URI field "))
                };
                assert!(ok, "{v:?}: {e}");
            }
            "relax" => assert_eq!(
                Uri::decode_with(&bytes, Mode::Lenient).unwrap(),
                Uri::new(&v[2])
            ),
            "message" => {
                let want: Vec<Record> = v[2].split(", ").map(|u| Uri::new(u).to_record()).collect();
                let msg = Message::decode(&bytes).unwrap();
                assert_eq!(msg, Message::from(want.clone()));
                assert_eq!(Message::from(want).encode().unwrap(), bytes);
            }
            other => panic!("unknown verb {other}"),
        }
    }
    assert_eq!(codes_seen, 36);
}

#[test]
fn ndeflib_signature() {
    for v in vectors("ndeflib_signature.txt") {
        let bytes = hex(&v[1]);
        match v[0].as_str() {
            "payload" => {
                let s = SignatureRecord::decode(&bytes).unwrap();
                assert_eq!(s.version, 0x20);
                assert_eq!(s.signature_type, v[2].parse::<u8>().unwrap());
                assert_eq!(s.hash_type, v[3].parse::<u8>().unwrap());
                let sig = match v[4].strip_prefix("uri:") {
                    Some(u) => SignatureValue::Uri(u.into()),
                    None => SignatureValue::Bytes(hex(&v[4])),
                };
                assert_eq!(s.signature, sig);
                let fmt = if v[5] == "M2M" {
                    CertificateFormat::M2m
                } else {
                    CertificateFormat::X509
                };
                assert_eq!(s.certificate_format, fmt);
                let certs: Vec<Vec<u8>> =
                    v[6].split(',').filter(|c| !c.is_empty()).map(hex).collect();
                assert_eq!(s.certificates, certs);
                assert_eq!(
                    s.certificate_uri.as_deref(),
                    Some(v[7].as_str()).filter(|u| !u.is_empty())
                );
                // canonical form: ours re-decodes to the same record and is a prefix of ndeflib's vector
                let ours = s.payload().unwrap();
                assert!(bytes.starts_with(&ours), "{v:?}");
                assert_eq!(SignatureRecord::decode(&ours).unwrap(), s);
            }
            "error" => {
                let e = SignatureRecord::decode(&bytes).unwrap_err().to_string();
                let key = if v[2].contains("version") {
                    "only version 2.0"
                } else {
                    v[2].rsplit(" field ")
                        .next()
                        .unwrap()
                        .trim_start_matches("is ")
                };
                assert!(e.contains(key), "{v:?}: {e}");
                let field = if v[2].starts_with("Signature") {
                    "signature URI"
                } else {
                    "certificate URI"
                };
                assert!(v[2].contains("version") || e.contains(field), "{v:?}: {e}");
            }
            other => panic!("unknown verb {other}"),
        }
    }
}

#[test]
fn libnfc_smart_poster() {
    for v in vectors("libnfc_smartposter.txt") {
        let bytes = hex(&v[1]);
        let msg = Message::decode(&bytes).unwrap();
        let sp = SmartPoster::from_record(&msg.records[0]).unwrap();
        assert_eq!(sp.uri, Uri::new(&v[2]));
        let (title, lang) = v[3].split_once(';').unwrap();
        assert_eq!(sp.titles, [Text::new(title, lang)]);
        // libnfc puts the title first; we (like ndeflib) write the URI first
        let ours = Message::from(vec![sp.to_record().unwrap()])
            .encode()
            .unwrap();
        assert_eq!(ours.len(), bytes.len());
        assert_eq!(
            SmartPoster::from_record(&Message::decode(&ours).unwrap().records[0]).unwrap(),
            sp
        );
    }
}
