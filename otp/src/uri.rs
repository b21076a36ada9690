//! `otpauth://` key URIs (the Google Authenticator key-URI format): parse and emit.
//!
//! The parser refuses what authenticator apps silently mis-handle: an unknown `algorithm`
//! (apps fall back to SHA-1), `digits` outside 6–10, a zero `period`, a `counter` on a TOTP
//! key or none on an HOTP key, an issuer prefix that contradicts the `issuer` parameter,
//! repeated parameters, bad percent-escapes and bad base32. Emitted URIs are canonical:
//! unpadded upper-case base32, every parameter present.
//!
//! ```
//! use mpay_otp::uri::{KeyUri, OtpKind};
//! let uri = "otpauth://totp/ACME%20Pay:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ACME%20Pay";
//! let k = KeyUri::parse(uri)?;
//! assert_eq!(k.issuer.as_deref(), Some("ACME Pay"));
//! assert_eq!(k.account, "alice@example.com");
//! assert_eq!(k.kind, OtpKind::Totp { period: 30 });
//! assert_eq!(KeyUri::parse(&k.to_uri())?, k);
//! # Ok::<(), mpay_otp::Error>(())
//! ```

use crate::{Algorithm, Error, Hotp, Result, Secret, Totp};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// HOTP or TOTP, with the moving factor's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpKind {
    /// `otpauth://totp/…`, with the step in seconds.
    Totp {
        /// `period` (default 30).
        period: u64,
    },
    /// `otpauth://hotp/…`, with the initial counter.
    Hotp {
        /// `counter` (required).
        counter: u64,
    },
}

/// A provisioned OTP key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    /// TOTP or HOTP.
    pub kind: OtpKind,
    /// The provider (label prefix and `issuer` parameter); must not contain `:`.
    pub issuer: Option<String>,
    /// The account name; must not be empty nor contain `:`.
    pub account: String,
    /// The shared secret.
    pub secret: Secret,
    /// `algorithm` (default SHA1).
    pub algorithm: Algorithm,
    /// `digits` (default 6).
    pub digits: u8,
}

fn err(offset: usize, reason: &'static str) -> Error {
    Error::Uri { offset, reason }
}

/// Percent-decodes `s` (which starts at `base` in the URI) into UTF-8.
fn decode(s: &str, base: usize) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = b.get(i + 1).and_then(|&c| (c as char).to_digit(16));
                let lo = b.get(i + 2).and_then(|&c| (c as char).to_digit(16));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => return Err(err(base + i, "bad percent-escape")),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| err(base, "percent-decoded text is not UTF-8"))
}

fn encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn number(v: &str, offset: usize, reason: &'static str) -> Result<u64> {
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(offset, reason));
    }
    v.parse().map_err(|_| err(offset, reason))
}

impl KeyUri {
    /// Parses an `otpauth://` URI.
    pub fn parse(uri: &str) -> Result<Self> {
        const SCHEME: &str = "otpauth://";
        if !uri
            .get(..SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
        {
            return Err(err(0, "scheme is not otpauth://"));
        }
        let rest = &uri[SCHEME.len()..];
        let slash = rest
            .find('/')
            .ok_or_else(|| err(SCHEME.len(), "missing '/' after the type"))?;
        let ty = &rest[..slash];
        let is_totp = if ty.eq_ignore_ascii_case("totp") {
            true
        } else if ty.eq_ignore_ascii_case("hotp") {
            false
        } else {
            return Err(err(SCHEME.len(), "type is neither totp nor hotp"));
        };
        let label_start = SCHEME.len() + slash + 1;
        let after = &uri[label_start..];
        let (label, query, query_start) = match after.find('?') {
            Some(q) => (&after[..q], &after[q + 1..], label_start + q + 1),
            None => (after, "", uri.len()),
        };
        if label.contains('#') || query.contains('#') {
            return Err(err(label_start, "fragment '#' in a key URI"));
        }
        let label = decode(label, label_start)?;
        let (label_issuer, account) = match label.find(':') {
            Some(c) => (Some(&label[..c]), label[c + 1..].trim_start_matches(' ')),
            None => (None, label.as_str()),
        };
        if account.is_empty() {
            return Err(err(label_start, "empty account name"));
        }
        if account.contains(':') {
            return Err(err(label_start, "account name contains ':'"));
        }
        if label_issuer == Some("") {
            return Err(err(label_start, "empty issuer prefix"));
        }

        let mut secret = None;
        let mut issuer = None;
        let mut algorithm = None;
        let mut digits = None;
        let mut counter = None;
        let mut period = None;
        let mut off = query_start;
        for pair in query.split('&') {
            if pair.is_empty() {
                off += 1;
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let voff = off + k.len() + 1;
            let slot_taken = |taken: bool| {
                if taken {
                    Err(err(off, "parameter repeated"))
                } else {
                    Ok(())
                }
            };
            match k {
                "secret" => {
                    slot_taken(secret.is_some())?;
                    secret = Some(parse_secret(&decode(v, voff)?, voff)?);
                }
                "issuer" => {
                    slot_taken(issuer.is_some())?;
                    let i = decode(v, voff)?;
                    if i.is_empty() || i.contains(':') {
                        return Err(err(voff, "issuer is empty or contains ':'"));
                    }
                    issuer = Some(i);
                }
                "algorithm" => {
                    slot_taken(algorithm.is_some())?;
                    let a = Algorithm::from_name(v)
                        .ok_or_else(|| err(voff, "unknown algorithm (apps would use SHA1)"))?;
                    algorithm = Some(a);
                }
                "digits" => {
                    slot_taken(digits.is_some())?;
                    let d = number(v, voff, "digits is not a number")?;
                    if !(6..=10).contains(&d) {
                        return Err(err(voff, "digits outside 6..=10"));
                    }
                    digits = Some(d as u8);
                }
                "counter" => {
                    slot_taken(counter.is_some())?;
                    counter = Some(number(v, voff, "counter is not a number")?);
                }
                "period" => {
                    slot_taken(period.is_some())?;
                    let p = number(v, voff, "period is not a number")?;
                    if p == 0 {
                        return Err(err(voff, "period is zero"));
                    }
                    period = Some(p);
                }
                // Other parameters (image, color, …) are app extensions: ignored.
                _ => {}
            }
            off += pair.len() + 1;
        }
        let secret = secret.ok_or_else(|| err(query_start, "missing secret"))?;
        let kind = if is_totp {
            if counter.is_some() {
                return Err(err(query_start, "counter given for a totp key"));
            }
            OtpKind::Totp {
                period: period.unwrap_or(30),
            }
        } else {
            if period.is_some() {
                return Err(err(query_start, "period given for an hotp key"));
            }
            OtpKind::Hotp {
                counter: counter.ok_or_else(|| err(query_start, "hotp key without counter"))?,
            }
        };
        let issuer = match (label_issuer, issuer) {
            (Some(a), Some(b)) if a != b => {
                return Err(err(
                    label_start,
                    "issuer prefix differs from issuer parameter",
                ));
            }
            (Some(a), _) => Some(String::from(a)),
            (None, b) => b,
        };
        Ok(KeyUri {
            kind,
            issuer,
            account: String::from(account),
            secret,
            algorithm: algorithm.unwrap_or_default(),
            digits: digits.unwrap_or(6),
        })
    }

    /// The canonical URI: `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=…&digits=…&period|counter=…`.
    pub fn to_uri(&self) -> String {
        let mut s = String::from("otpauth://");
        s.push_str(match self.kind {
            OtpKind::Totp { .. } => "totp/",
            OtpKind::Hotp { .. } => "hotp/",
        });
        if let Some(i) = &self.issuer {
            encode(i, &mut s);
            s.push(':');
        }
        encode(&self.account, &mut s);
        s.push_str("?secret=");
        s.push_str(&data_encoding::BASE32_NOPAD.encode(self.secret.expose()));
        if let Some(i) = &self.issuer {
            s.push_str("&issuer=");
            encode(i, &mut s);
        }
        let _ = write!(
            s,
            "&algorithm={}&digits={}",
            self.algorithm.name(),
            self.digits
        );
        let _ = match self.kind {
            OtpKind::Totp { period } => write!(s, "&period={period}"),
            OtpKind::Hotp { counter } => write!(s, "&counter={counter}"),
        };
        s
    }

    /// An HOTP credential for this key (refuses TOTP keys and keys under 128 bits).
    pub fn hotp(&self) -> Result<Hotp> {
        match self.kind {
            OtpKind::Hotp { .. } => Hotp::new(self.algorithm, self.secret.expose(), self.digits),
            OtpKind::Totp { .. } => Err(err(10, "not an hotp key")),
        }
    }

    /// A TOTP credential for this key (refuses HOTP keys and keys under 128 bits).
    pub fn totp(&self) -> Result<Totp> {
        match self.kind {
            OtpKind::Totp { period } => {
                Totp::new(self.algorithm, self.secret.expose(), self.digits)?.with_step(period)
            }
            OtpKind::Hotp { .. } => Err(err(10, "not a totp key")),
        }
    }
}

/// Base32 (RFC 4648), case-insensitive, optional correct padding.
fn parse_secret(v: &str, offset: usize) -> Result<Secret> {
    let trimmed = v.trim_end_matches('=');
    if trimmed.is_empty() {
        return Err(err(offset, "empty secret"));
    }
    let pad = v.len() - trimmed.len();
    if pad != 0 && (!v.len().is_multiple_of(8) || pad > 6) {
        return Err(err(offset + trimmed.len(), "bad base32 padding"));
    }
    let upper = trimmed.to_ascii_uppercase();
    data_encoding::BASE32_NOPAD
        .decode(upper.as_bytes())
        .map(Secret::new)
        .map_err(|e| {
            err(
                offset + e.position,
                match e.kind {
                    data_encoding::DecodeKind::Length => "base32 secret has an impossible length",
                    data_encoding::DecodeKind::Trailing => {
                        "base32 secret has non-zero trailing bits"
                    }
                    _ => "character outside the base32 alphabet",
                },
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotp_uri() {
        let k = KeyUri::parse(
            "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5&digits=8&algorithm=sha256",
        )
        .unwrap();
        assert_eq!(k.kind, OtpKind::Hotp { counter: 5 });
        assert_eq!(k.secret.expose(), b"12345678901234567890");
        assert_eq!(k.algorithm, Algorithm::Sha256);
        assert_eq!(k.digits, 8);
        assert_eq!(k.issuer.as_deref(), Some("Bank"));
        assert!(k.hotp().is_ok() && k.totp().is_err());
        assert_eq!(KeyUri::parse(&k.to_uri()).unwrap(), k);
    }

    #[test]
    fn refuses_what_apps_mishandle() {
        let s = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        for (uri, why) in [
            (
                format!("otpauth://totp/a?{s}&algorithm=MD5"),
                "unknown algorithm",
            ),
            (format!("otpauth://totp/a?{s}&digits=5"), "digits outside"),
            (format!("otpauth://totp/a?{s}&digits=11"), "digits outside"),
            (format!("otpauth://totp/a?{s}&period=0"), "period is zero"),
            (format!("otpauth://totp/a?{s}&counter=1"), "counter given"),
            (format!("otpauth://hotp/a?{s}"), "without counter"),
            (format!("otpauth://totp/X:a?{s}&issuer=Y"), "differs"),
            (format!("otpauth://totp/a?{s}&{s}"), "repeated"),
            (String::from("otpauth://totp/a?secret=GEZ1"), "alphabet"),
            (String::from("otpauth://totp/a?digits=6"), "missing secret"),
            (format!("otpauth://totp/a%2?{s}"), "percent"),
            (format!("otpauth://sotp/a?{s}"), "neither"),
            (format!("http://totp/a?{s}"), "scheme"),
            (format!("otpauth://totp/?{s}"), "empty account"),
        ] {
            let e = KeyUri::parse(&uri).unwrap_err().to_string();
            assert!(e.contains(why), "{uri}: {e}");
        }
    }
}
