//! Helpers shared by the integration tests: reading the vector files.
#![allow(dead_code)]

use mpay_nfc_ndef::Tnf;

/// The lines of `tests/vectors/<name>` that are not comments, split at `|` and trimmed.
pub fn vectors(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('|').map(|f| f.trim().to_string()).collect())
        .collect();
    assert!(!rows.is_empty(), "{path} holds no vectors");
    rows
}

/// Hex with spaces; `XX*N` repeats the octet XX N times.
pub fn hex(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for part in s.split_whitespace() {
        if let Some((b, n)) = part.split_once('*') {
            let b = hex::decode(b).unwrap();
            for _ in 0..n.parse::<usize>().unwrap() {
                out.extend_from_slice(&b);
            }
        } else {
            out.extend(hex::decode(part).unwrap());
        }
    }
    out
}

/// ndeflib's record-type notation to TNF and TYPE.
pub fn record_type(s: &str) -> (Tnf, Vec<u8>) {
    let s = s.trim_matches('\'');
    if s.is_empty() {
        (Tnf::Empty, vec![])
    } else if let Some(t) = s.strip_prefix("urn:nfc:wkt:") {
        (Tnf::WellKnown, t.into())
    } else if let Some(t) = s.strip_prefix("urn:nfc:ext:") {
        (Tnf::External, t.into())
    } else if s == "unknown" {
        (Tnf::Unknown, vec![])
    } else if s == "unchanged" {
        (Tnf::Unchanged, vec![])
    } else if s.contains("://") {
        (Tnf::AbsoluteUri, s.into())
    } else {
        (Tnf::Mime, s.into())
    }
}

/// Python-style `\uXXXX` escapes to text.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        out.push_str(&rest[..i]);
        let code = u32::from_str_radix(&rest[i + 2..i + 6], 16).unwrap();
        out.push(char::from_u32(code).unwrap());
        rest = &rest[i + 6..];
    }
    out.push_str(rest);
    out
}
