//! Issuer-script secure messaging (EMV 4.3 Book 2, §9; the Visa and Mastercard variants):
//! the command MAC, encryption of command data, and the PIN blocks a PIN CHANGE/UNBLOCK
//! command carries.
//!
//! The per-scheme choices (which session key, what the MAC covers, which encryption) are in
//! [`crate::crypto::cvn`]; this module has the building blocks.

use crate::crypto::keys::TdesKey;
use crate::crypto::mac::{self, Padding};
use crate::crypto::pin::PinDigits;
use crate::crypto::util::xor_into;
use crate::{Error, Result};

/// The MAC of a script command (ISO/IEC 9797-1 algorithm 3, padding method 2, 8 bytes) over
/// the data the scheme defines (for EMV: header ‖ ATC ‖ ARQC ‖ command data).
pub fn command_mac(sk_smi: &TdesKey, data: &[u8]) -> [u8; 8] {
    mac::retail_mac(sk_smi, data, Padding::Method2)
}

/// How command data is enciphered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encryption {
    /// Visa: 3DES-ECB over `length ‖ data`, padded by method 2.
    Visa,
    /// Mastercard: 3DES-CBC (zero IV) over the data, padded by method 2 only when it is not
    /// already a multiple of 8 bytes.
    Mastercard,
    /// EMV: 3DES-CBC (zero IV) over the data padded by method 2.
    Emv,
}

/// Enciphers script command data under the secure-messaging confidentiality session key.
pub fn encrypt_command_data(sk_smc: &TdesKey, data: &[u8], method: Encryption) -> Result<Vec<u8>> {
    let mut buf = match method {
        Encryption::Visa => {
            let len = u8::try_from(data.len()).map_err(|_| Error::Length {
                what: "script command data",
                expected: "at most 255",
                actual: data.len(),
            })?;
            let mut v = Vec::with_capacity(data.len() + 9);
            v.push(len);
            v.extend_from_slice(data);
            mac::pad(&v, 8, Padding::Method2)
        }
        Encryption::Mastercard if data.len().is_multiple_of(8) => data.to_vec(),
        Encryption::Mastercard | Encryption::Emv => mac::pad(data, 8, Padding::Method2),
    };
    let mut chain = [0u8; 8];
    for block in buf.chunks_exact_mut(8) {
        let b: &mut [u8; 8] = block.try_into().expect("exact chunk");
        if method != Encryption::Visa {
            xor_into(b, &chain);
        }
        sk_smc.encrypt_block(b);
        chain = *b;
    }
    Ok(buf)
}

/// Deciphers script command data (the card side). Visa and EMV padding is removed; the
/// Mastercard form cannot tell padding from data, so its plaintext is returned as is.
pub fn decrypt_command_data(sk_smc: &TdesKey, data: &[u8], method: Encryption) -> Result<Vec<u8>> {
    if data.is_empty() || !data.len().is_multiple_of(8) {
        return Err(Error::Length {
            what: "enciphered command data",
            expected: "a non-zero multiple of 8",
            actual: data.len(),
        });
    }
    let mut out = data.to_vec();
    let mut chain = [0u8; 8];
    for block in out.chunks_exact_mut(8) {
        let b: &mut [u8; 8] = block.try_into().expect("exact chunk");
        let cipher_block = *b;
        sk_smc.decrypt_block(b);
        if method != Encryption::Visa {
            xor_into(b, &chain);
        }
        chain = cipher_block;
    }
    let malformed = |why| Error::Malformed {
        what: "enciphered command data",
        why,
    };
    match method {
        Encryption::Mastercard => Ok(out),
        Encryption::Emv => {
            let end = strip_method2(&out).ok_or(malformed("no 80 padding"))?;
            out.truncate(end);
            Ok(out)
        }
        Encryption::Visa => {
            let len = usize::from(out[0]);
            let end = strip_method2(&out).ok_or(malformed("no 80 padding"))?;
            if len + 1 != end {
                return Err(malformed("length byte does not match the padded data"));
            }
            Ok(out[1..end].to_vec())
        }
    }
}

/// The length of `data` without its method-2 padding, if it has well-formed padding.
fn strip_method2(data: &[u8]) -> Option<usize> {
    let end = data.iter().rposition(|b| *b != 0)?;
    (data[end] == 0x80 && data.len() - end <= 8).then_some(end)
}

/// The Visa ("VIS") PIN block of a PIN CHANGE command: `(00 00 00 00 ‖ MK_AC[4..8]) ⊕
/// (len ‖ PIN ‖ F…F)`, and, when the current PIN is sent too, `⊕ (current PIN ‖ 0…0)`.
pub fn vis_pin_block(
    icc_mk_ac: &TdesKey,
    new_pin: &str,
    current_pin: Option<&str>,
) -> Result<[u8; 8]> {
    let pin = PinDigits::new(new_pin)?;
    let mut block_a = [0u8; 8];
    block_a[4..].copy_from_slice(&icc_mk_ac.expose_secret()[4..8]);
    let mut block_b = [0xFFu8; 8];
    block_b[0] = pin.len() as u8;
    pin.write_nibbles(&mut block_b[1..], 0xF);
    xor_into(&mut block_a, &block_b);
    if let Some(current) = current_pin {
        let cur = PinDigits::new(current)?;
        let mut c = [0u8; 8];
        cur.write_nibbles(&mut c, 0x0);
        xor_into(&mut block_a, &c);
    }
    Ok(block_a)
}

/// The ISO 9564 format 2 PIN block (`2L ‖ PIN ‖ F…F`), which Mastercard and Visa CVN 22 send
/// enciphered in PIN CHANGE/UNBLOCK.
pub fn iso2_pin_block(pin: &str) -> Result<[u8; 8]> {
    let p = PinDigits::new(pin)?;
    let mut b = [0xFFu8; 8];
    b[0] = 0x20 | p.len() as u8;
    p.write_nibbles(&mut b[1..], 0xF);
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips() {
        let k = TdesKey::new([0x5A; 16]);
        for method in [Encryption::Visa, Encryption::Emv] {
            for n in 0..20 {
                let data: Vec<u8> = (0..n as u8).collect();
                let c = encrypt_command_data(&k, &data, method).unwrap();
                assert_eq!(decrypt_command_data(&k, &c, method).unwrap(), data);
            }
        }
        let c = encrypt_command_data(&k, &[1; 16], Encryption::Mastercard).unwrap();
        assert_eq!(c.len(), 16);
        assert_eq!(
            decrypt_command_data(&k, &c, Encryption::Mastercard).unwrap(),
            [1; 16]
        );
        assert!(decrypt_command_data(&k, &[0; 7], Encryption::Visa).is_err());
    }

    #[test]
    fn iso2_block() {
        assert_eq!(
            hex::encode_upper(iso2_pin_block("9999").unwrap()),
            "249999FFFFFFFFFF"
        );
        assert!(iso2_pin_block("123").is_err());
    }
}
