//! Interop with ndeflib (Python, via `MPAY_PYTHON`): random well-known messages we encode are
//! decoded by ndeflib to the same records (and re-encoded by it to the same octets), and random
//! messages ndeflib encodes decode here to the same records. With the `signature` feature, a
//! message signed here verifies with an independent P-256 check in Python (`cryptography`).
//! One Python process per direction, so the whole file runs in seconds.
use std::io::Write;
use std::process::{Command, Stdio};

use mpay_nfc_ndef::wkt::handover::{AlternativeCarrier, HandoverError, PowerState};
use mpay_nfc_ndef::wkt::{
    Action, CertificateFormat, Content, Handover, HandoverKind, SignatureRecord, SignatureValue,
    SmartPoster, Text, TextEncoding, Uri, android_app_record, signature_type,
};
use mpay_nfc_ndef::{Message, Record, Tnf};
use serde_json::{Value, json};

fn python() -> Option<String> {
    match std::env::var("MPAY_PYTHON") {
        Ok(p) => Some(p),
        Err(_) if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() => {
            panic!("MPAY_PYTHON is not set")
        }
        Err(_) => {
            eprintln!("skipping: MPAY_PYTHON is not set (ndeflib peer)");
            None
        }
    }
}

fn run_peer(py: &str, args: &[&str], input: &str) -> Vec<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peer/ndeflib_peer.py");
    let mut child = Command::new(py)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the python peer");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// A record described the way the peer script describes ndeflib's records.
fn describe(r: &Record<'_>) -> Value {
    let mut d = json!({
        "type": r.type_name(),
        "id": String::from_utf8_lossy(&r.id),
        "data": hex::encode(&r.payload),
    });
    let enc = |e: TextEncoding| {
        if e == TextEncoding::Utf8 {
            "UTF-8"
        } else {
            "UTF-16"
        }
    };
    match Content::of(r) {
        Some(Ok(Content::Text(t))) => d["text"] = json!([t.text, t.language, enc(t.encoding)]),
        Some(Ok(Content::Uri(u))) => d["uri"] = json!(u.uri),
        Some(Ok(Content::SmartPoster(sp))) => {
            let mut titles: Vec<Value> = sp
                .titles
                .iter()
                .map(|t| json!([t.language, t.text]))
                .collect();
            titles.sort_by_key(|v| v.to_string());
            let action = sp
                .action
                .map(|a| ["exec", "save", "edit"][a.value() as usize]);
            d["sp"] = json!({"uri": sp.uri.uri, "titles": titles, "action": action, "size": sp.size, "type": sp.resource_type});
        }
        Some(Ok(Content::Handover(h))) => {
            let cps = |p: PowerState| ["inactive", "active", "activating", "unknown"][p as usize];
            let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            let carriers: Vec<Value> = h
                .alternative_carriers
                .iter()
                .map(|a| {
                    let aux: Vec<String> =
                        a.auxiliary_data_references.iter().map(|x| s(x)).collect();
                    json!([cps(a.power_state), s(&a.carrier_data_reference), aux])
                })
                .collect();
            let mut v = json!({"version": h.version, "carriers": carriers});
            if h.kind == HandoverKind::Request {
                v["crn"] = json!(h.collision_resolution);
            } else if let Some(e) = &h.error {
                v["error"] = json!([
                    e.reason,
                    if e.data.len() == 1 {
                        Some(e.data[0])
                    } else {
                        None
                    }
                ]);
            }
            d["handover"] = v;
        }
        Some(Ok(Content::Signature(s))) => {
            let (sig, uri) = match &s.signature {
                SignatureValue::Bytes(b) => (hex::encode(b), String::new()),
                SignatureValue::Uri(u) => (String::new(), u.clone()),
            };
            let fmt = if s.certificate_format == CertificateFormat::M2m {
                "M2M"
            } else {
                "X.509"
            };
            let certs: Vec<String> = s.certificates.iter().map(hex::encode).collect();
            d["sig"] = json!([
                signature_type::name(s.signature_type).filter(|n| *n != "none"),
                "SHA-256",
                sig,
                uri,
                fmt,
                certs,
                s.certificate_uri.clone().unwrap_or_default()
            ]);
        }
        Some(Err(e)) => panic!("our decode of {r:?}: {e}"),
        _ => {}
    }
    d
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn word(&mut self, max: usize, alphabet: &str) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..1 + self.below(max))
            .map(|_| chars[self.below(chars.len())])
            .collect()
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const ASCII: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const TEXT: &str = "abcdefghijklmnopqrstuvwxyz0123456789 éΔ中😀-";

fn random_uri(rng: &mut Rng) -> String {
    let prefixes = [
        "",
        "http://www.",
        "https://",
        "tel:",
        "mailto:",
        "urn:nfc:",
        "urn:epc:id:",
        "ftp://",
        "sip:",
        "imap:",
    ];
    format!(
        "{}{}",
        prefixes[rng.below(prefixes.len())],
        rng.word(30, ASCII)
    )
}

fn random_text(rng: &mut Rng) -> Text {
    Text {
        text: rng.word(40, TEXT),
        language: rng.word(5, "abcdefghijklmnopqrstuvwxyz"),
        encoding: if rng.below(2) == 0 {
            TextEncoding::Utf8
        } else {
            TextEncoding::Utf16
        },
    }
}

fn random_record(rng: &mut Rng) -> Record<'static> {
    match rng.below(9) {
        0 => random_text(rng).to_record().unwrap(),
        1 => Uri::new(&random_uri(rng)).to_record(),
        2 => {
            let mut sp = SmartPoster::new(&random_uri(rng));
            for lang in ["en", "de", "fr"].into_iter().take(rng.below(4)) {
                sp.titles.push(Text {
                    language: lang.into(),
                    ..random_text(rng)
                });
            }
            sp.action = [
                None,
                Some(Action::Exec),
                Some(Action::Save),
                Some(Action::Edit),
            ][rng.below(4)];
            sp.size = (rng.below(2) == 0).then(|| rng.next() as u32);
            sp.resource_type = (rng.below(2) == 0).then(|| "image/png".to_string());
            sp.to_record().unwrap()
        }
        3 | 4 => {
            let kind = if rng.below(2) == 0 {
                HandoverKind::Select
            } else {
                HandoverKind::Request
            };
            let mut h = Handover::new(kind);
            h.version = [0x12, 0x13][rng.below(2)];
            for _ in 0..rng.below(3) + usize::from(kind == HandoverKind::Request) {
                let aux = (0..rng.below(3))
                    .map(|_| rng.word(3, ASCII).into_bytes())
                    .collect();
                h.alternative_carriers.push(AlternativeCarrier {
                    power_state: [
                        PowerState::Inactive,
                        PowerState::Active,
                        PowerState::Activating,
                        PowerState::Unknown,
                    ][rng.below(4)],
                    carrier_data_reference: rng.word(4, ASCII).into_bytes(),
                    auxiliary_data_references: aux,
                });
            }
            if kind == HandoverKind::Request {
                h.collision_resolution = Some(rng.next() as u16);
            } else if rng.below(3) == 0 {
                h.error = Some(HandoverError {
                    reason: 1,
                    data: vec![rng.next() as u8],
                });
            }
            h.to_record().unwrap()
        }
        5 => {
            let mut s = SignatureRecord::marker();
            let n = [0, 64, 71][rng.below(3)];
            if n > 0 {
                s.signature_type = signature_type::ECDSA_P256;
                s.signature = SignatureValue::Bytes(rng.bytes(n));
            } else if rng.below(2) == 0 {
                s.signature_type = signature_type::ECDSA_P256;
                s.signature =
                    SignatureValue::Uri(format!("https://sig.example/{}", rng.word(8, ASCII)));
            }
            s.certificate_format = if rng.below(2) == 0 {
                CertificateFormat::X509
            } else {
                CertificateFormat::M2m
            };
            s.certificates = (0..rng.below(4))
                .map(|_| {
                    let n = 1 + rng.below(40);
                    rng.bytes(n)
                })
                .collect();
            s.certificate_uri =
                (rng.below(2) == 0).then(|| format!("https://ca.example/{}", rng.word(8, ASCII)));
            if s.payload().unwrap().len() < 7 {
                // ndeflib 0.3.3 encodes the bare marker in 6 octets but will not decode fewer than 7
                s.certificate_uri = Some("https://ca.example/".into());
            }
            s.to_record().unwrap()
        }
        6 => {
            let n = rng.below(301);
            Record::mime("application/vnd.mpay+json", rng.bytes(n))
                .with_id(rng.word(6, ASCII).into_bytes())
        }
        7 => android_app_record(&format!("com.{}", rng.word(12, ASCII))),
        _ => Record::absolute_uri(
            &format!("https://example.com/type/{}", rng.word(6, ASCII)),
            vec![],
        ),
    }
}

#[test]
fn ours_decode_identically_in_ndeflib() {
    let Some(py) = python() else { return };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let messages: Vec<Message<'static>> = (0..300)
        .map(|_| {
            Message::from(
                (0..1 + rng.below(4))
                    .map(|_| random_record(&mut rng))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let input: String = messages
        .iter()
        .map(|m| hex::encode(m.encode().unwrap()) + "\n")
        .collect();
    let out = run_peer(&py, &["check"], &input);
    assert_eq!(out.len(), messages.len());
    for (m, line) in messages.iter().zip(out) {
        let v: Value = serde_json::from_str(&line).unwrap();
        let ours: Vec<Value> = m.records.iter().map(describe).collect();
        assert_eq!(
            v["records"],
            Value::Array(ours),
            "message {}",
            hex::encode(m.encode().unwrap())
        );
        assert_eq!(
            v["same"],
            json!(true),
            "ndeflib re-encodes {} differently",
            hex::encode(m.encode().unwrap())
        );
    }
}

#[test]
fn ndeflib_messages_decode_identically_here() {
    let Some(py) = python() else { return };
    let out = run_peer(&py, &["gen", "20261121", "300"], "");
    assert_eq!(out.len(), 300);
    let mut kinds = std::collections::BTreeSet::new();
    for line in out {
        let v: Value = serde_json::from_str(&line).unwrap();
        let bytes = hex::decode(v["hex"].as_str().unwrap()).unwrap();
        let msg = Message::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", v["hex"]));
        let ours: Vec<Value> = msg.records.iter().map(describe).collect();
        assert_eq!(v["records"], Value::Array(ours), "message {}", v["hex"]);
        assert_eq!(msg.encode().unwrap(), bytes, "re-encoding {}", v["hex"]);
        for r in &msg.records {
            kinds.insert((r.tnf, r.record_type.to_vec()));
        }
    }
    // every generator branch was exercised
    assert!(kinds.len() >= 9, "{kinds:?}");
    assert!(kinds.contains(&(Tnf::WellKnown, b"Sig".to_vec())));
}

#[cfg(feature = "signature")]
#[test]
fn signed_message_verifies_in_python() {
    use mpay_nfc_ndef::signature::{SigningKey, sign_p256, verify_p256};
    let Some(py) = python() else { return };
    let mut rng = Rng(42);
    let mut lines = String::new();
    let mut expected = Vec::new();
    for i in 0..20 {
        let key = SigningKey::from_slice(&rng.bytes(32)).unwrap();
        let mut msg = Message::from(
            (0..1 + rng.below(3))
                .map(|_| random_record(&mut rng))
                .filter(|r| !r.is_well_known(b"Sig"))
                .collect::<Vec<_>>(),
        );
        if msg.records.is_empty() {
            msg.records
                .push(Uri::new("https://pay.example/").to_record());
        }
        if i % 2 == 1 {
            // a second section after the first signature
            sign_p256(&mut msg, &key, vec![rng.bytes(20)], None).unwrap();
            msg.records.push(random_text(&mut rng).to_record().unwrap());
        }
        sign_p256(&mut msg, &key, vec![], Some("https://ca.example/c".into())).unwrap();
        let mut bytes = msg.encode().unwrap();
        let public = key.verifying_key().to_sec1_point(false);
        verify_p256(&bytes, key.verifying_key()).unwrap();
        let tamper = i % 4 == 3;
        if tamper {
            bytes[4] ^= 0x01;
        }
        lines += &format!(
            "{} {}\n",
            hex::encode(public.as_bytes()),
            hex::encode(&bytes)
        );
        expected.push(if tamper { "invalid signature" } else { "ok" });
    }
    assert_eq!(run_peer(&py, &["verify"], &lines), expected);
}

/// mpay's SM2/SM3 extension: a signed message verifies with gmssl (PyPI), sections split by
/// ndeflib.
#[cfg(feature = "sm2")]
#[test]
fn sm2_signed_message_verifies_with_gmssl() {
    use mpay_gmt::sm2::PrivateKey;
    use mpay_nfc_ndef::signature::{sign_sm2, verify_sm2};
    let Some(py) = python() else { return };
    let mut rng = Rng(7);
    let mut lines = String::new();
    let mut expected = Vec::new();
    let mut n = 0;
    while n < 8 {
        let key = PrivateKey::from_bytes(&rng.bytes(32).try_into().unwrap()).unwrap();
        let xy = hex::encode(&key.public_key().to_sec1_bytes()[1..]);
        if xy.starts_with(['0', '4']) {
            continue; // gmssl strips every leading '0' and '4' of the key (lstrip("04"))
        }
        let mut msg = Message::from(vec![Uri::new(&random_uri(&mut rng)).to_record()]);
        sign_sm2(&mut msg, &key, vec![], None).unwrap();
        let mut bytes = msg.encode().unwrap();
        verify_sm2(&bytes, &key.public_key()).unwrap();
        let tamper = n % 3 == 2;
        if tamper {
            bytes[5] ^= 0x01; // a character of the URI
            assert!(verify_sm2(&bytes, &key.public_key()).is_err());
        }
        lines += &format!("{xy} {}\n", hex::encode(&bytes));
        expected.push(if tamper { "invalid signature" } else { "ok" });
        n += 1;
    }
    assert_eq!(run_peer(&py, &["verify-sm2"], &lines), expected);
}

/// Certificate chains: messages signed here under a `mpay_wpki::Ca` chain are judged the same
/// way by `verify_with_chain` and by an independent walk of the chain in Python
/// (`cryptography`: each certificate directly issued by the next, valid at the time, then the
/// section's signature under the signer certificate's key).
#[cfg(feature = "signature")]
#[test]
fn certificate_chains_agree_with_python() {
    use der::Encode;
    use mpay_nfc_ndef::signature::chain::{DateTime, TrustAnchor, ValidationOptions};
    use mpay_nfc_ndef::signature::{SigningKey, sign_p256, verify_with_chain};
    use mpay_wpki::{Ca, CertificateParams, Profile, Signer};
    let Some(py) = python() else { return };
    let mut os_rng = rand_core::UnwrapErr(getrandom::SysRng);
    let day = |y, m, d| DateTime::new(y, m, d, 0, 0, 0).unwrap();
    let params =
        |dn: &str, p, to| CertificateParams::new(dn.parse().unwrap(), day(2026, 1, 1), to, p);
    let root = Ca::self_signed(
        mpay_wpki::SigningKey::generate_p256(&mut os_rng),
        &params(
            "CN=Interop Root",
            Profile::Ca { path_len: None },
            day(2036, 1, 1),
        ),
        &mut os_rng,
    )
    .unwrap();
    let issuing = root
        .issue_subordinate(
            mpay_wpki::SigningKey::generate_p256(&mut os_rng),
            &params(
                "CN=Interop Tag CA",
                Profile::Ca { path_len: Some(0) },
                day(2034, 1, 1),
            ),
            &mut os_rng,
        )
        .unwrap();
    let root_der = root.certificate().to_der().unwrap();
    let mut rng = Rng(7);
    let mut lines = String::new();
    let mut ours = Vec::new();
    for i in 0..12 {
        let key = SigningKey::from_slice(&rng.bytes(32)).unwrap();
        let spki = mpay_wpki::SigningKey::P256(key.clone())
            .public_key_info()
            .unwrap();
        let leaf = issuing
            .issue(
                &params(&format!("CN=tag {i}"), Profile::WalletUser, day(2028, 1, 1)),
                &spki,
                &mut os_rng,
            )
            .unwrap();
        let chain = vec![
            leaf.to_der().unwrap(),
            issuing.certificate().to_der().unwrap(),
        ];
        let mut msg = Message::from(vec![Uri::new("https://pay.example/").to_record()]);
        msg.records.push(random_text(&mut rng).to_record().unwrap());
        // Every third message is signed by a key its certificate does not hold.
        let signer = if i % 3 == 2 {
            SigningKey::from_slice(&rng.bytes(32)).unwrap()
        } else {
            key
        };
        sign_p256(&mut msg, &signer, chain, None).unwrap();
        let mut bytes = msg.encode().unwrap();
        if i % 4 == 1 {
            bytes[5] ^= 0x01; // tampered URI
        }
        // Every fifth one is checked after the signer certificate expired.
        let when = if i % 5 == 4 {
            day(2029, 3, 1)
        } else {
            day(2027, 3, 1)
        };
        let verdict = verify_with_chain(
            &bytes,
            &[TrustAnchor::from_certificate(root.certificate())],
            &ValidationOptions::at(when),
            |_| None,
        );
        ours.push(match verdict {
            Ok(_) => "ok",
            Err(mpay_nfc_ndef::Error::Signature { .. }) => "invalid signature",
            Err(mpay_nfc_ndef::Error::Certificate { reason, .. }) if reason.contains("expired") => {
                "certificate expired or not yet valid"
            }
            Err(e) => panic!("unexpected {e}"),
        });
        lines += &format!(
            "{} {} {}\n",
            hex::encode(&root_der),
            when.unix_duration().as_secs(),
            hex::encode(&bytes)
        );
    }
    assert_eq!(run_peer(&py, &["verify-chain"], &lines), ours);
    for kind in [
        "ok",
        "invalid signature",
        "certificate expired or not yet valid",
    ] {
        assert!(ours.contains(&kind), "{kind}");
    }
}
