use crate::{Error, Result};
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};

/// The HMAC hash of a HOTP/TOTP/OCRA credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// HMAC-SHA-1 (RFC 4226 default).
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
    /// HMAC-SM3 (GB/T 32905 hash in HMAC).
    Sm3,
}

impl Algorithm {
    /// Name as in key URIs and OCRA suites (`SHA1`, `SHA256`, `SHA512`, `SM3`).
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
            Algorithm::Sm3 => "SM3",
        }
    }

    /// Parses a name case-insensitively (`sha1`, `SHA-256`, `sm3`, …); `None` if unknown.
    pub fn from_name(s: &str) -> Option<Self> {
        let mut buf = [0u8; 8];
        let mut n = 0;
        for b in s.bytes().filter(|&b| b != b'-') {
            if n == buf.len() {
                return None;
            }
            buf[n] = b.to_ascii_uppercase();
            n += 1;
        }
        match &buf[..n] {
            b"SHA1" => Some(Algorithm::Sha1),
            b"SHA256" => Some(Algorithm::Sha256),
            b"SHA512" => Some(Algorithm::Sha512),
            b"SM3" => Some(Algorithm::Sm3),
            _ => None,
        }
    }

    /// Output length of the hash in bytes.
    pub fn output_len(&self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 | Algorithm::Sm3 => 32,
            Algorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An HMAC keyed once: the inner and outer pad states are computed at construction, so each
/// code costs only the message blocks. The states are zeroized on drop.
#[derive(Clone)]
pub enum KeyedMac {
    /// HMAC-SHA-1.
    Sha1(Hmac<sha1::Sha1>),
    /// HMAC-SHA-256.
    Sha256(Hmac<sha2::Sha256>),
    /// HMAC-SHA-512.
    Sha512(Hmac<sha2::Sha512>),
    /// HMAC-SM3.
    Sm3(Hmac<sm3::Sm3>),
}

impl fmt::Debug for KeyedMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyedMac({})", self.algorithm())
    }
}

/// The largest HMAC output (SHA-512).
pub(crate) const MAX_MAC: usize = 64;

impl KeyedMac {
    /// Keys an HMAC of `algorithm` with `key` (any length; policy checks are the caller's).
    pub fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        // `new_from_slice` accepts any key length for HMAC.
        match algorithm {
            Algorithm::Sha1 => KeyedMac::Sha1(hmac_new(key)),
            Algorithm::Sha256 => KeyedMac::Sha256(hmac_new(key)),
            Algorithm::Sha512 => KeyedMac::Sha512(hmac_new(key)),
            Algorithm::Sm3 => KeyedMac::Sm3(hmac_new(key)),
        }
    }

    /// Keys an HMAC, refusing keys shorter than [`crate::MIN_KEY_LEN`].
    pub fn new_checked(algorithm: Algorithm, key: &[u8]) -> Result<Self> {
        if key.len() < crate::MIN_KEY_LEN {
            return Err(Error::KeyLength {
                len: key.len(),
                what: "an HMAC-based OTP",
                need: "at least 16 bytes (RFC 4226 R6)",
            });
        }
        Ok(Self::new(algorithm, key))
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyedMac::Sha1(_) => Algorithm::Sha1,
            KeyedMac::Sha256(_) => Algorithm::Sha256,
            KeyedMac::Sha512(_) => Algorithm::Sha512,
            KeyedMac::Sm3(_) => Algorithm::Sm3,
        }
    }

    /// HMAC over the concatenation of `parts`; writes the tag into `out` and returns its length.
    pub fn compute_into(&self, parts: &[&[u8]], out: &mut [u8; MAX_MAC]) -> usize {
        fn run<M: Mac + Clone>(m: &M, parts: &[&[u8]], out: &mut [u8; MAX_MAC]) -> usize {
            let mut m = m.clone();
            for p in parts {
                m.update(p);
            }
            let tag = m.finalize().into_bytes();
            out[..tag.len()].copy_from_slice(&tag);
            tag.len()
        }
        match self {
            KeyedMac::Sha1(m) => run(m, parts, out),
            KeyedMac::Sha256(m) => run(m, parts, out),
            KeyedMac::Sha512(m) => run(m, parts, out),
            KeyedMac::Sm3(m) => run(m, parts, out),
        }
    }

    /// RFC 4226 §5.3 dynamic truncation of the HMAC over `parts`, as a 31-bit number.
    pub fn truncated(&self, parts: &[&[u8]]) -> u32 {
        let mut out = [0u8; MAX_MAC];
        let n = self.compute_into(parts, &mut out);
        dynamic_truncate(&out[..n])
    }
}

fn hmac_new<D>(key: &[u8]) -> Hmac<D>
where
    D: hmac::EagerHash,
    Hmac<D>: KeyInit,
{
    match <Hmac<D> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        // HMAC takes keys of every length; this arm is unreachable in practice.
        Err(_) => <Hmac<D> as KeyInit>::new(&Default::default()),
    }
}

/// RFC 4226 §5.3: offset = low nibble of the last byte; 31 bits from there.
pub(crate) fn dynamic_truncate(tag: &[u8]) -> u32 {
    let offset = (tag[tag.len() - 1] & 0x0f) as usize;
    u32::from_be_bytes([
        tag[offset] & 0x7f,
        tag[offset + 1],
        tag[offset + 2],
        tag[offset + 3],
    ])
}
