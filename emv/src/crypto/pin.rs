//! PIN blocks, ISO 9564-1 formats 0, 1, 3 (DES-era, 8 bytes, usually enciphered under a PIN
//! key by the caller's HSM) and format 4 (AES, 16 bytes, enciphered here).
//!
//! A PIN never appears in `Debug` output:
//!
//! ```
//! use mpay_emv::crypto::pin::{self, Pin};
//! let block = pin::format0("1234", "5544332211009966").unwrap();
//! assert_eq!(block, [0x04, 0x12, 0x77, 0xCD, 0xDE, 0xEF, 0xF6, 0x69]);
//! let back: Pin = pin::decode_clear(&block, Some("5544332211009966")).unwrap();
//! assert_eq!(back.expose_secret(), "1234");
//! assert_eq!(format!("{back:?}"), "Pin(****)");
//! ```

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::keys::AesKey;
use crate::crypto::util::{digits, xor_into};
use crate::{Error, Result};

/// A PIN of 4 to 12 digits. Zeroized on drop; `Debug` shows only `****`.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Pin {
    digits: [u8; 12],
    len: u8,
}

/// Internal alias used by the secure-messaging PIN blocks.
pub(crate) type PinDigits = Pin;

impl Pin {
    /// Validates a PIN of 4 to 12 decimal digits.
    pub fn new(pin: &str) -> Result<Self> {
        digits("PIN", pin, 4, 12)?;
        let mut d = [0u8; 12];
        for (o, c) in d.iter_mut().zip(pin.bytes()) {
            *o = c - b'0';
        }
        Ok(Pin {
            digits: d,
            len: pin.len() as u8,
        })
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: a PIN has at least four digits.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The PIN as a string. Handle with care.
    pub fn expose_secret(&self) -> String {
        self.digits[..self.len()]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    /// Writes the digits as nibbles from the start of `out`, filling the rest of the nibbles
    /// with `fill`.
    pub(crate) fn write_nibbles(&self, out: &mut [u8], fill: u8) {
        for (i, byte) in out.iter_mut().enumerate() {
            let hi = self
                .digits
                .get(2 * i)
                .filter(|_| 2 * i < self.len())
                .copied();
            let lo = self
                .digits
                .get(2 * i + 1)
                .filter(|_| 2 * i + 1 < self.len())
                .copied();
            *byte = (hi.unwrap_or(fill) << 4) | lo.unwrap_or(fill);
        }
    }
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// The PAN field of formats 0 and 3: `0000` then the 12 rightmost PAN digits excluding the
/// check digit.
fn pan_field_8(pan: &str) -> Result<[u8; 8]> {
    digits("PAN", pan, 2, 19)?;
    let body = &pan.as_bytes()[..pan.len() - 1];
    let take = &body[body.len().saturating_sub(12)..];
    let mut nibbles = [0u8; 16];
    let start = 16 - take.len();
    for (i, c) in take.iter().enumerate() {
        nibbles[start + i] = c - b'0';
    }
    let mut out = [0u8; 8];
    for i in 0..8 {
        out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
    }
    Ok(out)
}

fn pin_field_8(control: u8, pin: &Pin, fill: impl Fn(usize) -> u8) -> [u8; 8] {
    let mut nibbles = [0u8; 16];
    nibbles[0] = control;
    nibbles[1] = pin.len() as u8;
    for (i, n) in nibbles[2..].iter_mut().enumerate() {
        *n = if i < pin.len() {
            pin.digits[i]
        } else {
            fill(i)
        };
    }
    let mut out = [0u8; 8];
    for i in 0..8 {
        out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
    }
    nibbles.zeroize();
    out
}

/// ISO 9564 format 0 (ANSI X9.8): `0L ‖ PIN ‖ F…F` XOR the PAN field.
pub fn format0(pin: &str, pan: &str) -> Result<[u8; 8]> {
    let p = Pin::new(pin)?;
    let mut block = pin_field_8(0, &p, |_| 0xF);
    xor_into(&mut block, &pan_field_8(pan)?);
    Ok(block)
}

/// ISO 9564 format 1: `1L ‖ PIN ‖ fill`, no PAN. `fill` gives one byte per fill nibble (a
/// transaction-unique value or random bytes); the low nibble of each is used.
pub fn format1(pin: &str, fill: &[u8; 14]) -> Result<[u8; 8]> {
    let p = Pin::new(pin)?;
    Ok(pin_field_8(1, &p, |i| fill[i] & 0x0F))
}

/// ISO 9564 format 3: `3L ‖ PIN ‖ random nibbles A–F` XOR the PAN field. `random` supplies
/// one byte per fill nibble, mapped onto A–F.
pub fn format3(pin: &str, pan: &str, random: &[u8; 14]) -> Result<[u8; 8]> {
    let p = Pin::new(pin)?;
    let mut block = pin_field_8(3, &p, |i| 0xA + random[i] % 6);
    xor_into(&mut block, &pan_field_8(pan)?);
    Ok(block)
}

/// Decodes a clear (deciphered) format 0, 1 or 3 block. Formats 0 and 3 need the PAN.
pub fn decode_clear(block: &[u8; 8], pan: Option<&str>) -> Result<Pin> {
    let malformed = |why| Error::Malformed {
        what: "PIN block",
        why,
    };
    let control = block[0] >> 4;
    let mut field = *block;
    match control {
        0 | 3 => {
            let pan = pan.ok_or(Error::Parameter {
                what: "PAN",
                why: "formats 0 and 3 need the PAN to decode",
            })?;
            xor_into(&mut field, &pan_field_8(pan)?);
        }
        1 => {}
        _ => return Err(malformed("control nibble is not 0, 1 or 3")),
    }
    let len = usize::from(field[0] & 0x0F);
    if !(4..=12).contains(&len) {
        return Err(malformed("PIN length nibble outside 4..=12"));
    }
    let nib = |i: usize| {
        if i.is_multiple_of(2) {
            field[i / 2] >> 4
        } else {
            field[i / 2] & 0x0F
        }
    };
    let mut s = String::with_capacity(len);
    for i in 2..2 + len {
        let d = nib(i);
        if d > 9 {
            s.zeroize();
            return Err(malformed("PIN digit is not decimal"));
        }
        s.push(char::from(b'0' + d));
    }
    for i in 2 + len..16 {
        let ok = match control {
            0 => nib(i) == 0xF,
            3 => nib(i) >= 0xA,
            _ => true,
        };
        if !ok {
            s.zeroize();
            return Err(malformed("fill nibbles do not match the format"));
        }
    }
    let pin = Pin::new(&s);
    s.zeroize();
    pin
}

/// The format 4 PAN field: `M` (PAN length − 12) then the PAN, zero-padded to 16 bytes.
fn pan_field_16(pan: &str) -> Result<[u8; 16]> {
    digits("PAN", pan, 1, 19)?;
    let mut nibbles = [0u8; 32];
    let (m, digits_start) = if pan.len() >= 12 {
        ((pan.len() - 12) as u8, 1)
    } else {
        (0, 1 + 12 - pan.len())
    };
    nibbles[0] = m;
    for (i, c) in pan.bytes().enumerate() {
        nibbles[digits_start + i] = c - b'0';
    }
    let mut out = [0u8; 16];
    for i in 0..16 {
        out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
    }
    Ok(out)
}

/// Enciphers a PIN as an ISO 9564 format 4 block under an AES key:
/// `C = AES(K)[AES(K)[PIN field] ⊕ PAN field]`, with PIN field = `4L ‖ PIN ‖ A…A ‖ 8 random
/// bytes`.
pub fn format4_encipher(key: &AesKey, pin: &str, pan: &str, random: &[u8; 8]) -> Result<[u8; 16]> {
    let p = Pin::new(pin)?;
    let mut field = [0u8; 16];
    field[..8].copy_from_slice(&pin_field_8(4, &p, |_| 0xA));
    field[8..].copy_from_slice(random);
    key.encrypt_block(&mut field);
    xor_into(&mut field, &pan_field_16(pan)?);
    key.encrypt_block(&mut field);
    Ok(field)
}

/// Deciphers an ISO 9564 format 4 block.
pub fn format4_decipher(key: &AesKey, block: &[u8; 16], pan: &str) -> Result<Pin> {
    let mut b = *block;
    let dec = |b: &mut [u8; 16]| key.decrypt_block(b);
    dec(&mut b);
    xor_into(&mut b, &pan_field_16(pan)?);
    dec(&mut b);
    let malformed = |why| Error::Malformed {
        what: "PIN block",
        why,
    };
    if b[0] >> 4 != 4 {
        b.zeroize();
        return Err(malformed("control nibble is not 4 (wrong key or PAN?)"));
    }
    let len = usize::from(b[0] & 0x0F);
    if !(4..=12).contains(&len) {
        b.zeroize();
        return Err(malformed("PIN length nibble outside 4..=12"));
    }
    let nib = |i: usize| {
        if i.is_multiple_of(2) {
            b[i / 2] >> 4
        } else {
            b[i / 2] & 0x0F
        }
    };
    let mut s = String::with_capacity(len);
    let mut bad = false;
    for i in 2..2 + len {
        bad |= nib(i) > 9;
        s.push(char::from(b'0' + nib(i).min(9)));
    }
    for i in 2 + len..16 {
        bad |= nib(i) != 0xA;
    }
    b.zeroize();
    if bad {
        s.zeroize();
        return Err(malformed("PIN digits or fill do not match format 4"));
    }
    let pin = Pin::new(&s);
    s.zeroize();
    pin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psec_doc_vectors() {
        // psec 1.3 documentation examples.
        assert_eq!(
            hex::encode_upper(format0("1234", "5544332211009966").unwrap()),
            "041277CDDEEFF669"
        );
        let p = decode_clear(
            &hex::decode("341277EEEFCCB43C").unwrap().try_into().unwrap(),
            Some("5544332211009966"),
        )
        .unwrap();
        assert_eq!(p.expose_secret(), "1234");
        assert_eq!(
            hex::encode_upper(pan_field_16("112233445566778899").unwrap()),
            "61122334455667788990000000000000"
        );
        let key =
            AesKey::from_slice(&hex::decode("00112233445566778899AABBCCDDEEFF").unwrap()).unwrap();
        let block: [u8; 16] = hex::decode("E4BE5B623AF7E006AC319E5B93544564")
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            format4_decipher(&key, &block, "1234567890123456")
                .unwrap()
                .expose_secret(),
            "1234"
        );
    }

    #[test]
    fn round_trips() {
        let key = AesKey::from_slice(&[7; 32]).unwrap();
        for pin in ["1234", "000000", "123456789012"] {
            let b = format4_encipher(&key, pin, "4761739001010119", &[9; 8]).unwrap();
            assert_eq!(
                format4_decipher(&key, &b, "4761739001010119")
                    .unwrap()
                    .expose_secret(),
                pin
            );
            assert!(format4_decipher(&key, &b, "4761739001010127").is_err());
            let b1 = format1(pin, &[0x3C; 14]).unwrap();
            assert_eq!(decode_clear(&b1, None).unwrap().expose_secret(), pin);
            let b3 = format3(pin, "4761739001010119", &[200; 14]).unwrap();
            assert_eq!(
                decode_clear(&b3, Some("4761739001010119"))
                    .unwrap()
                    .expose_secret(),
                pin
            );
        }
    }

    #[test]
    fn rejects_bad_pins_and_blocks() {
        assert!(format0("123", "5544332211009966").is_err());
        assert!(format0("1234567890123", "5544332211009966").is_err());
        assert!(format0("12a4", "5544332211009966").is_err());
        assert!(decode_clear(&[0x2F; 8], None).is_err());
        assert!(decode_clear(&[0x04, 0x12, 0x34, 0, 0, 0, 0, 0], Some("0000000000000")).is_err());
    }
}
