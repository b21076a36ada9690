//! Masked, human-readable descriptions of messages (`describe`, `Display`, `Debug`).
//! PAN (mask `pan`), tracks (`track`), PIN block and MAC (`full`) and sensitive BER-TLV tags
//! (`tlv`, per the EMV dictionary of `mpay-emv-tlv`) never appear in clear.

use alloc::string::String;
use core::fmt::{self, Write};

use crate::field::{FieldSpec, Mask};
use crate::mti::Mti;
use crate::spec::Spec;
use crate::sub::{SubKey, Value};

pub(crate) fn header(s: &mut String, spec: &Spec, mti: Mti) -> fmt::Result {
    writeln!(s, "{} {}", spec.name, mti)
}

/// `4761739001010119` → `476173******0119`; short values keep only the last 4 (or nothing).
pub(crate) fn mask_pan(p: &str) -> String {
    let n = p.chars().count();
    let (head, tail) = if n >= 13 {
        (6, 4)
    } else if n > 4 {
        (0, 4)
    } else {
        (0, 0)
    };
    p.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

fn mask_track(t: &str) -> String {
    match t.find(['=', 'D', '^']) {
        Some(i) => {
            let mut s = mask_pan(&t[..i]);
            s.push_str(&t[i..i + 1]);
            s.extend(t[i + 1..].chars().map(|_| '*'));
            s
        }
        None => t.chars().map(|_| '*').collect(),
    }
}

fn hex(s: &mut String, b: &[u8]) {
    for x in b {
        let _ = write!(s, "{x:02X}");
    }
}

fn value(s: &mut String, fs: Option<&FieldSpec>, mask: Mask, v: &Value, indent: usize) {
    match v {
        Value::Text(t) => match mask {
            Mask::None | Mask::Tlv => s.push_str(t),
            Mask::Pan => s.push_str(&mask_pan(t)),
            Mask::Track => s.push_str(&mask_track(t)),
            Mask::Full => {
                let _ = write!(s, "[{} characters, masked]", t.len());
            }
        },
        Value::Bytes(b) => match mask {
            Mask::None | Mask::Tlv => hex(s, b),
            Mask::Full | Mask::Pan | Mask::Track => {
                let _ = write!(s, "[{} bytes, masked]", b.len());
            }
        },
        Value::Sub(entries) => {
            for (k, v) in entries {
                s.push('\n');
                s.extend(core::iter::repeat_n(' ', indent + 2));
                let child = match (fs.and_then(|f| f.sub.as_deref()), k) {
                    (
                        Some(
                            crate::field::Subfields::Positional { fields }
                            | crate::field::Subfields::Bitmapped { fields, .. },
                        ),
                        SubKey::Id(n),
                    ) => fields.iter().find(|f| f.number == *n),
                    _ => None,
                };
                let _ = write!(s, "{k}");
                if let Some(c) = child
                    && !c.name.is_empty()
                {
                    let _ = write!(s, " {}", c.name);
                }
                s.push_str(": ");
                match (mask, k, v) {
                    (Mask::Tlv, SubKey::Tag(t), Value::Bytes(b)) => {
                        s.push_str(&crate::tlv::masked(t, b))
                    }
                    (Mask::Full, _, _) | (Mask::Pan, _, _) | (Mask::Track, _, _) => {
                        s.push_str("[masked]")
                    }
                    _ => value(
                        s,
                        child,
                        child.map_or(Mask::None, |c| c.mask),
                        v,
                        indent + 2,
                    ),
                }
            }
        }
    }
}

pub(crate) fn field(s: &mut String, fs: &FieldSpec, v: &Value) -> fmt::Result {
    write!(s, "{:>4}", fs.number)?;
    if !fs.name.is_empty() {
        write!(s, " {}", fs.name)?;
    }
    s.push_str(": ");
    // Raw content of a field with subfields is shown decoded, so that masking applies per
    // subfield; content that does not decode is hidden when the field is masked.
    let decoded;
    let v = match (v, fs.sub.is_some()) {
        (Value::Text(_) | Value::Bytes(_), true) => {
            let raw: &[u8] = match v {
                Value::Text(t) => t.as_bytes(),
                Value::Bytes(b) => b,
                Value::Sub(_) => &[],
            };
            match crate::sub::decode_sub_at(fs, raw, fs.number) {
                Ok(e) => {
                    decoded = Value::Sub(e);
                    &decoded
                }
                Err(_) if fs.mask != Mask::None => {
                    write!(s, "[{} bytes, undecodable, masked]", raw.len())?;
                    s.push('\n');
                    return Ok(());
                }
                Err(_) => v,
            }
        }
        _ => v,
    };
    value(s, Some(fs), fs.mask, v, 4);
    s.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_pan("4761739001010119"), "476173******0119");
        assert_eq!(mask_pan("12345678"), "****5678");
        assert_eq!(
            mask_track("4761739001010119=25122011143804400000"),
            "476173******0119=********************"
        );
    }
}
