//! Card verification values: CVV/CVC (magnetic stripe), iCVV (chip track 2 image, service
//! code 999), CVV2/CVC2 (printed, service code 000), Visa's dynamic dCVV and Mastercard's
//! dynamic CVC3.
//!
//! ```
//! use mpay_emv::crypto::{cvv, keys::TdesKey};
//! let cvk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
//! let code = cvv::cvv(&cvk, "4999988887777000", "9105", "101").unwrap();
//! assert_eq!(code.len(), 3);
//! let icvv = cvv::cvv(&cvk, "4999988887777000", "9105", cvv::ICVV_SERVICE_CODE).unwrap();
//! assert_ne!(code, icvv);
//! ```

use crate::crypto::keys::TdesKey;
use crate::crypto::mac::{self, Padding};
use crate::crypto::util::{digits, pack_nibbles, xor_into};

use crate::Result;

/// The service code that turns a CVV into an iCVV.
pub const ICVV_SERVICE_CODE: &str = "999";
/// The service code that turns a CVV into a CVV2/CVC2.
pub const CVV2_SERVICE_CODE: &str = "000";

/// The Visa CVV method (also Mastercard CVC): `PAN ‖ expiry (YYMM) ‖ service code`, zero-padded
/// to 32 digits; DES(KA) of the first half, XOR the second, 3DES; then the first three decimal
/// digits of the result (letters decimalised A→0 … F→5 if there are fewer than three).
pub fn cvv(cvk: &TdesKey, pan: &str, expiry_yymm: &str, service_code: &str) -> Result<String> {
    digits("PAN", pan, 1, 19)?;
    cvv_of(cvk, pan, expiry_yymm, service_code)
}

/// Visa dCVV, the dynamic CVV of contactless magnetic-stripe-data (MSD) transactions: the
/// CVV method under the card's dCVV key (the ICC master key derived from the issuer's
/// MK-dCVV by option A or B, see [`crate::crypto::kd`]) with the ATC, as four hex digits,
/// overlaid on the first four digits of the PAN: `ATC ‖ PAN[4..] ‖ expiry ‖ service code`.
/// This is how jPOS's `JCESecurityModule` computes it (after Visa's patent US 8387866 B2), and
/// its published test values are this function's known answers.
///
/// ```
/// use mpay_emv::crypto::{cvv, kd, keys::TdesKey};
/// let imk = TdesKey::from_hex("12345678123456781234567812345678").unwrap();
/// let card = kd::icc_master_key_a(&imk, "1234567890123456", "00").unwrap();
/// assert_eq!(cvv::dcvv(&card, "1234567890123456", "1310", "226", [0x32, 0x10]).unwrap(), "422");
/// ```
pub fn dcvv(
    card_key: &TdesKey,
    pan: &str,
    expiry_yymm: &str,
    service_code: &str,
    atc: [u8; 2],
) -> Result<String> {
    digits("PAN", pan, 5, 19)?;
    let altered = format!("{:02X}{:02X}{}", atc[0], atc[1], &pan[4..]);
    cvv_of(card_key, &altered, expiry_yymm, service_code)
}

/// The CVV method over `account` (hex digits: a PAN, or dCVV's ATC-altered PAN).
fn cvv_of(cvk: &TdesKey, account: &str, expiry_yymm: &str, service_code: &str) -> Result<String> {
    digits("expiry (YYMM)", expiry_yymm, 4, 4)?;
    digits("service code", service_code, 3, 3)?;
    let mut text = [b'0'; 32];
    let joined = account.len() + 4 + 3;
    if joined > 32 {
        return Err(crate::Error::Parameter {
            what: "CVV input",
            why: "PAN, expiry and service code exceed 32 digits",
        });
    }
    text[..account.len()].copy_from_slice(account.as_bytes());
    text[account.len()..account.len() + 4].copy_from_slice(expiry_yymm.as_bytes());
    text[account.len() + 4..joined].copy_from_slice(service_code.as_bytes());
    let s = core::str::from_utf8(&text).map_err(|_| crate::Error::Parameter {
        what: "CVV input",
        why: "not ASCII",
    })?;
    let mut blocks = [0u8; 16];
    pack_nibbles(s, &mut blocks);
    let (ka, _) = cvk.halves();
    let mut r = [0u8; 8];
    r.copy_from_slice(&blocks[..8]);
    {
        use cipher::{Array, BlockCipherEncrypt};
        ka.encrypt_block(<&mut Array<u8, _>>::from(&mut r));
    }
    xor_into(&mut r, &blocks[8..]);
    cvk.encrypt_block(&mut r);
    Ok(decimalise(&r, 3))
}

/// Takes the decimal digits of `r` (as hex) in order, then the letters decimalised, up to `n`.
fn decimalise(r: &[u8; 8], n: usize) -> String {
    let nibbles: Vec<u8> = r.iter().flat_map(|b| [b >> 4, b & 0xF]).collect();
    nibbles
        .iter()
        .filter(|v| **v < 10)
        .copied()
        .chain(nibbles.iter().filter(|v| **v >= 10).map(|v| v - 10))
        .take(n)
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// Mastercard CVC3 (contactless mag-stripe): `IVCVC3` = last two bytes of the retail MAC
/// (padding 2) of the track template under the ICC CVC3 key; then 3DES of
/// `IVCVC3 ‖ UN ‖ ATC`; the CVC3 is the last two bytes as a decimal number (up to 65535).
pub fn cvc3(icc_cvc3_key: &TdesKey, track_template: &[u8], atc: [u8; 2], un: [u8; 4]) -> u16 {
    let m = mac::retail_mac(icc_cvc3_key, track_template, Padding::Method2);
    let mut block = [m[6], m[7], un[0], un[1], un[2], un[3], atc[0], atc[1]];
    icc_cvc3_key.encrypt_block(&mut block);
    u16::from_be_bytes([block[6], block[7]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psec_doc_vector() {
        // psec 1.3: CVV 170 for PAN 1234567890123456, expiry 9912, service code 220.
        let cvk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        assert_eq!(cvv(&cvk, "1234567890123456", "9912", "220").unwrap(), "170");
    }

    #[test]
    fn decimalisation_fallback() {
        assert_eq!(
            decimalise(&[0xAB, 0xCD, 0xEF, 0xAB, 0xCD, 0xEF, 0xAB, 0xC1], 3),
            "101"
        );
    }

    #[test]
    fn bad_inputs() {
        let cvk = TdesKey::new([1; 16]);
        assert!(cvv(&cvk, "1234", "991", "220").is_err());
        assert!(cvv(&cvk, "12345678901234567890", "9912", "220").is_err());
    }
}
