//! Issuer-script secure messaging (EMV 4.3 Book 2, §9; the Visa and Mastercard variants):
//! the command MAC, encryption of command data, and the PIN blocks a PIN CHANGE/UNBLOCK
//! command carries.
//!
//! The per-scheme choices (which session key, what the MAC covers, which encryption) are in
//! [`crate::crypto::cvn`] (3DES), [`crate::crypto::emv_aes`] (AES) and
//! [`crate::crypto::pboc`] (SM4); this module has the building blocks, for 8-byte
//! (3DES) and 16-byte (AES, SM4) block ciphers alike.

use crate::crypto::keys::{AesKey, BlockKey, TdesKey};
use crate::crypto::mac::{self, Padding};
use crate::crypto::pin::PinDigits;
use crate::crypto::util::xor_into;
use crate::{Error, Result};

/// The MAC of a script command (ISO/IEC 9797-1 algorithm 3, padding method 2, 8 bytes) over
/// the data the scheme defines (for EMV: header ‖ ATC ‖ ARQC ‖ command data).
pub fn command_mac(sk_smi: &TdesKey, data: &[u8]) -> [u8; 8] {
    mac::retail_mac(sk_smi, data, Padding::Method2)
}

/// The MAC of a script command with an AES session key: AES-CMAC over the same data as
/// [`command_mac`], truncated to 8 bytes.
pub fn command_mac_aes(sk_smi: &AesKey, data: &[u8]) -> [u8; 8] {
    mac::aes_cmac_truncated(sk_smi, data)
}

/// The data a script command MAC covers: `header ‖ ATC ‖ ARQC ‖ command data`, or
/// `header ‖ command data` when `atc_arqc` is `None`.
pub(crate) fn mac_input(
    header: &[u8],
    atc_arqc: Option<([u8; 2], [u8; 8])>,
    data: &[u8],
) -> Vec<u8> {
    let mut input = Vec::with_capacity(header.len() + 10 + data.len());
    input.extend_from_slice(header);
    if let Some((atc, arqc)) = atc_arqc {
        input.extend_from_slice(&atc);
        input.extend_from_slice(&arqc);
    }
    input.extend_from_slice(data);
    input
}

/// Assembles PIN CHANGE/UNBLOCK, `84 24 00 P2 Lc ‖ enciphered PIN data ‖ MAC` (P2 = 01 with
/// the current PIN, 02 without), with `mac` computing the 8-byte MAC from the header (whose
/// Lc counts the MAC) and the enciphered data.
pub(crate) fn pin_change_apdu(
    enciphered: &[u8],
    with_current_pin: bool,
    mac: impl FnOnce(&[u8; 5], &[u8]) -> [u8; 8],
) -> Result<Vec<u8>> {
    let p2 = if with_current_pin { 0x01 } else { 0x02 };
    let lc = u8::try_from(enciphered.len() + 8).map_err(|_| Error::Parameter {
        what: "PIN change",
        why: "command data too long",
    })?;
    let header = [0x84, 0x24, 0x00, p2, lc];
    let m = mac(&header, enciphered);
    let mut cmd = Vec::with_capacity(5 + usize::from(lc));
    cmd.extend_from_slice(&header);
    cmd.extend_from_slice(enciphered);
    cmd.extend_from_slice(&m);
    Ok(cmd)
}

/// PIN CHANGE/UNBLOCK without the current PIN, for the profiles that send an enciphered ISO
/// format 2 PIN block: `encrypt` enciphers the block, `mac` computes the command MAC; a current
/// PIN is refused.
pub(crate) fn iso2_pin_change_command(
    new_pin: &str,
    current_pin: Option<&str>,
    encrypt: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
    mac: impl FnOnce(&[u8; 5], &[u8]) -> [u8; 8],
) -> Result<Vec<u8>> {
    if current_pin.is_some() {
        return Err(Error::Parameter {
            what: "current PIN",
            why: "this profile's PIN change does not carry the current PIN",
        });
    }
    let mut block = iso2_pin_block(new_pin)?;
    let enc = encrypt(&block);
    block.fill(0);
    pin_change_apdu(&enc?, false, mac)
}

/// Enciphers whole `N`-byte blocks in place: CBC with a zero IV when `chained`, else ECB.
fn encipher_blocks<const N: usize, K: BlockKey<N>>(key: &K, buf: &mut [u8], chained: bool) {
    let mut chain = [0u8; N];
    for block in buf.chunks_exact_mut(N) {
        let b: &mut [u8; N] = block.try_into().expect("exact chunk");
        if chained {
            xor_into(b, &chain);
        }
        key.encrypt(b);
        chain = *b;
    }
}

/// Deciphers whole `N`-byte blocks in place: CBC with a zero IV when `chained`, else ECB.
fn decipher_blocks<const N: usize, K: BlockKey<N>>(key: &K, buf: &mut [u8], chained: bool) {
    let mut chain = [0u8; N];
    for block in buf.chunks_exact_mut(N) {
        let b: &mut [u8; N] = block.try_into().expect("exact chunk");
        let cipher_block = *b;
        key.decrypt(b);
        if chained {
            xor_into(b, &chain);
        }
        chain = cipher_block;
    }
}

/// Checks that enciphered data is a non-zero number of `n`-byte blocks.
fn check_blocks(data: &[u8], n: usize) -> Result<()> {
    if data.is_empty() || !data.len().is_multiple_of(n) {
        return Err(Error::Length {
            what: "enciphered command data",
            expected: if n == 8 {
                "a non-zero multiple of 8"
            } else {
                "a non-zero multiple of 16"
            },
            actual: data.len(),
        });
    }
    Ok(())
}

/// EMV secure-messaging encipherment with a 16-byte block cipher (AES, SM4): CBC with a zero
/// IV over the data padded by method 2 (the [`Encryption::Emv`] form on 16-byte blocks).
///
/// ```
/// use mpay_emv::crypto::{keys::Sm4Key, sm};
/// let k = Sm4Key::new([3; 16]);
/// let c = sm::encrypt_command_data_16(&k, &[0x24, 0x12, 0x34, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
/// assert_eq!(c.len(), 16);
/// assert_eq!(sm::decrypt_command_data_16(&k, &c).unwrap()[..2], [0x24, 0x12]);
/// ```
pub fn encrypt_command_data_16<K: BlockKey<16>>(sk_smc: &K, data: &[u8]) -> Vec<u8> {
    let mut buf = mac::pad(data, 16, Padding::Method2);
    encipher_blocks::<16, K>(sk_smc, &mut buf, true);
    buf
}

/// Deciphers EMV secure-messaging data of a 16-byte block cipher and removes its method-2
/// padding (the card side of [`encrypt_command_data_16`]).
pub fn decrypt_command_data_16<K: BlockKey<16>>(sk_smc: &K, data: &[u8]) -> Result<Vec<u8>> {
    check_blocks(data, 16)?;
    let mut out = data.to_vec();
    decipher_blocks::<16, K>(sk_smc, &mut out, true);
    let end = strip_method2(&out, 16).ok_or(Error::Malformed {
        what: "enciphered command data",
        why: "no 80 padding",
    })?;
    out.truncate(end);
    Ok(out)
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
    encipher_blocks::<8, TdesKey>(sk_smc, &mut buf, method != Encryption::Visa);
    Ok(buf)
}

/// Deciphers script command data (the card side). Visa and EMV padding is removed; the
/// Mastercard form cannot tell padding from data, so its plaintext is returned as is.
pub fn decrypt_command_data(sk_smc: &TdesKey, data: &[u8], method: Encryption) -> Result<Vec<u8>> {
    check_blocks(data, 8)?;
    let mut out = data.to_vec();
    decipher_blocks::<8, TdesKey>(sk_smc, &mut out, method != Encryption::Visa);
    let malformed = |why| Error::Malformed {
        what: "enciphered command data",
        why,
    };
    match method {
        Encryption::Mastercard => Ok(out),
        Encryption::Emv => {
            let end = strip_method2(&out, 8).ok_or(malformed("no 80 padding"))?;
            out.truncate(end);
            Ok(out)
        }
        Encryption::Visa => {
            let len = usize::from(out[0]);
            let end = strip_method2(&out, 8).ok_or(malformed("no 80 padding"))?;
            if len + 1 != end {
                return Err(malformed("length byte does not match the padded data"));
            }
            Ok(out[1..end].to_vec())
        }
    }
}

/// The length of `data` without its method-2 padding (at most one `block`), if it has
/// well-formed padding.
fn strip_method2(data: &[u8], block: usize) -> Option<usize> {
    let end = data.iter().rposition(|b| *b != 0)?;
    (data[end] == 0x80 && data.len() - end <= block).then_some(end)
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
