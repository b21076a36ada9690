//! Messages as JSON (feature `serde`), the schema of `mpay iso8583 … --json`:
//!
//! ```json
//! {"mti": "0100", "header": "6000030000603100310730",
//!  "fields": {"2": "4761739001010119", "52": "123456789ABCDEF0",
//!             "55": {"9F26": "1122334455667788", "82": "5C00"},
//!             "60": {"1": "22", "2": "000001"}}}
//! ```
//!
//! Text fields (every class but `b`) are their text, binary fields uppercase hex; a field whose
//! spec defines subfields is an object keyed by subfield number or tag (BER-TLV tags in hex),
//! in wire order; a tag that occurs more than once has an array of values. `header` appears
//! only when the spec has one. On input, a field with subfields may also be given as its raw
//! text or hex. Output is not masked: it is the data itself.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};
use crate::field::{FieldSpec, Subfields};
use crate::message::Message;
use crate::spec::Spec;
use crate::sub::{SubKey, Value};

/// A JSON value with object keys in document order (only what the schema uses).
#[derive(Debug)]
enum Node {
    Str(String),
    Obj(Vec<(String, Node)>),
    Arr(Vec<Node>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Node, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string, an object or an array")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> core::result::Result<Node, E> {
                Ok(Node::Str(s.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> core::result::Result<Node, E> {
                Ok(Node::Str(n.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> core::result::Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some((k, n)) = m.next_entry::<String, Node>()? {
                    v.push((k, n));
                }
                Ok(Node::Obj(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> core::result::Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = s.next_element::<Node>()? {
                    v.push(n);
                }
                Ok(Node::Arr(v))
            }
        }
        d.deserialize_any(V)
    }
}

fn bad(reason: &'static str) -> Error {
    Error::SpecFile(format!("message JSON: {reason}"))
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.is_ascii() {
        return Err(bad("not hex"));
    }
    if !s.len().is_multiple_of(2) {
        return Err(bad("odd number of hex digits"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| bad("not hex")))
        .collect()
}

fn hex(out: &mut String, b: &[u8]) {
    for x in b {
        let _ = write!(out, "{x:02X}");
    }
}

fn leaf(fs_is_text: bool, n: &Node) -> Result<Value> {
    match n {
        Node::Str(s) if fs_is_text => Ok(Value::Text(s.clone())),
        Node::Str(s) => Ok(Value::Bytes(unhex(s)?)),
        _ => Err(bad("expected a string")),
    }
}

fn node_value(fs: &FieldSpec, n: &Node) -> Result<Value> {
    let Node::Obj(entries) = n else {
        return leaf(fs.class.is_text(), n);
    };
    let sub = fs
        .sub
        .as_deref()
        .ok_or(bad("an object for a field without subfields"))?;
    let mut out = Vec::new();
    for (k, v) in entries {
        match sub {
            Subfields::Positional { fields } | Subfields::Bitmapped { fields, .. } => {
                let id: u16 = k.parse().map_err(|_| bad("subfield keys are numbers"))?;
                let c = fields
                    .iter()
                    .find(|f| f.number == id)
                    .ok_or(bad("subfield not defined by the spec"))?;
                out.push((SubKey::Id(id), node_value(c, v)?));
            }
            Subfields::Tlv { .. } | Subfields::BerTlv => {
                let text = fs.class.is_text() && !matches!(sub, Subfields::BerTlv);
                let key = if matches!(sub, Subfields::BerTlv) {
                    crate::tlv::parse_tag_hex(k).ok_or(bad("not a BER-TLV tag"))?
                } else {
                    k.clone()
                };
                match v {
                    Node::Arr(items) => {
                        for it in items {
                            out.push((SubKey::Tag(key.clone()), leaf(text, it)?));
                        }
                    }
                    _ => out.push((SubKey::Tag(key), leaf(text, v)?)),
                }
            }
        }
    }
    Ok(Value::Sub(out))
}

/// Builds a message from JSON (schema above).
///
/// ```
/// use mpay_iso8583::{json, specs::ISO87_BINARY};
/// let m = json::from_json(&ISO87_BINARY, r#"{"mti":"0100","fields":{"2":"4761739001010119","55":{"9F26":"1122334455667788"}}}"#).unwrap();
/// assert_eq!(m.text(2), Some("4761739001010119"));
/// assert_eq!(json::to_json(&m), r#"{"mti":"0100","fields":{"2":"4761739001010119","55":{"9F26":"1122334455667788"}}}"#);
/// assert!(json::from_json(&ISO87_BINARY, r#"{"mti":"0100","fields":{"52":"aé00000000000000"}}"#).is_err());
/// ```
pub fn from_json<'s>(spec: &'s Spec, text: &str) -> Result<Message<'s>> {
    let root: Node =
        serde_json::from_str(text).map_err(|e| Error::SpecFile(format!("message JSON: {e}")))?;
    let Node::Obj(top) = root else {
        return Err(bad("expected an object"));
    };
    let mut mti = None;
    let mut header = Vec::new();
    let mut fields = None;
    for (k, v) in &top {
        match (k.as_str(), v) {
            ("mti", Node::Str(s)) => mti = Some(s.parse()?),
            ("header", Node::Str(s)) => header = unhex(s)?,
            ("fields", Node::Obj(f)) => fields = Some(f),
            _ => return Err(bad("unknown or malformed key (mti, header, fields)")),
        }
    }
    let mut m = Message::new(spec, mti.ok_or(bad("missing mti"))?);
    m.header = header;
    for (k, v) in fields.map(|f| f.as_slice()).unwrap_or(&[]) {
        let n: u16 = k.parse().map_err(|_| bad("field keys are numbers"))?;
        let fs = spec.field(n).ok_or(bad("field not defined by the spec"))?;
        m.set(n, node_value(fs, v)?)?;
    }
    Ok(m)
}

fn write_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Text(s) => write_str(out, s),
        Value::Bytes(b) => {
            out.push('"');
            hex(out, b);
            out.push('"');
        }
        Value::Sub(entries) => {
            out.push('{');
            let mut first = true;
            let mut done = Vec::new();
            for (k, _) in entries {
                if done.contains(&k) {
                    continue;
                }
                done.push(k);
                if !first {
                    out.push(',');
                }
                first = false;
                write_str(out, &k.to_string());
                out.push(':');
                let same: Vec<&Value> = entries
                    .iter()
                    .filter(|(x, _)| x == k)
                    .map(|(_, v)| v)
                    .collect();
                if same.len() == 1 {
                    write_value(out, same[0]);
                } else {
                    out.push('[');
                    for (i, v) in same.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write_value(out, v);
                    }
                    out.push(']');
                }
            }
            out.push('}');
        }
    }
}

/// The message as compact JSON (schema above), fields and subfields in wire order.
pub fn to_json(m: &Message<'_>) -> String {
    let mut out = String::from("{\"mti\":");
    write_str(&mut out, m.mti.as_str());
    if m.spec().header_len > 0 {
        out.push_str(",\"header\":\"");
        hex(&mut out, &m.header);
        out.push('"');
    }
    out.push_str(",\"fields\":{");
    for (i, n) in m.numbers().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{n}\":");
        if let Some(v) = m.get(n) {
            write_value(&mut out, v);
        }
    }
    out.push_str("}}");
    out
}
