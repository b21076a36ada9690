//! Small helpers shared by the crypto modules.

use crate::{Error, Result};

/// XORs `b` into `a` (lengths must be equal; callers pass fixed-size arrays).
pub(crate) fn xor_into(a: &mut [u8], b: &[u8]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= *y;
    }
}

/// Checks that `s` is only decimal digits and has `min..=max` of them.
pub(crate) fn digits(what: &'static str, s: &str, min: usize, max: usize) -> Result<()> {
    if let Some(position) = s.bytes().position(|b| !b.is_ascii_digit()) {
        return Err(Error::Character { what, position });
    }
    if s.len() < min || s.len() > max {
        return Err(Error::Digits {
            what,
            min,
            max,
            actual: s.len(),
        });
    }
    Ok(())
}

/// Packs decimal/hex digit characters two per byte (the caller has validated them).
/// An odd count is left-padded with a zero nibble.
pub(crate) fn pack_nibbles(s: &str, out: &mut [u8]) {
    let start_odd = s.len() % 2 == 1;
    out.fill(0);
    for (i, c) in s.bytes().enumerate() {
        let v = nibble(c);
        let pos = i + usize::from(start_odd);
        if pos / 2 >= out.len() {
            break;
        }
        if pos % 2 == 0 {
            out[pos / 2] |= v << 4;
        } else {
            out[pos / 2] |= v;
        }
    }
}

/// The value of one hex digit character (callers pass validated characters).
pub(crate) fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Parses hex into a fixed array, naming the input on error.
pub(crate) fn hex_array<const N: usize>(what: &'static str, s: &str) -> Result<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N {
        return Err(Error::Length {
            what,
            expected: "a fixed number of hex digits",
            actual: s.len() / 2,
        });
    }
    if let Some(position) = s.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(Error::Character { what, position });
    }
    let mut out = [0u8; N];
    pack_nibbles(s, &mut out);
    Ok(out)
}
