//! Application cryptograms (ARQC, TC, AAC) and the issuer's response cryptogram (ARPC).
//!
//! ```
//! use mpay_emv::crypto::{ac, keys::TdesKey, mac::Padding};
//! let sk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
//! let arqc = ac::generate_ac(&sk, b"transaction data", Padding::Method2);
//! ac::verify_ac(&sk, b"transaction data", Padding::Method2, &arqc).unwrap();
//! let arpc = ac::arpc_method1(&sk, arqc, *b"00");
//! assert_eq!(arpc.len(), 8);
//! ```

use crate::crypto::keys::{AesKey, BlockKey, TdesKey};
use crate::crypto::mac::{self, Padding};
use crate::crypto::util::xor_into;
use crate::{Error, Result};

/// An 8-byte application cryptogram with a double-length DES session key: ISO/IEC 9797-1 MAC
/// algorithm 3 over the data, with padding method 1 (Visa VSDC) or 2 (EMV).
pub fn generate_ac(session_key: &TdesKey, data: &[u8], padding: Padding) -> [u8; 8] {
    mac::retail_mac(session_key, data, padding)
}

/// Checks a received cryptogram in constant time.
pub fn verify_ac(
    session_key: &TdesKey,
    data: &[u8],
    padding: Padding,
    received: &[u8; 8],
) -> Result<()> {
    mac::verify(
        "application cryptogram",
        &generate_ac(session_key, data, padding),
        received,
    )
}

/// An 8-byte application cryptogram with an AES session key (EMV 4.x, Book 2 A1.2.2):
/// AES-CMAC over the data, truncated to 8 bytes.
pub fn generate_ac_aes(session_key: &AesKey, data: &[u8]) -> [u8; 8] {
    mac::aes_cmac_truncated(session_key, data)
}

/// Checks a received AES cryptogram in constant time.
///
/// ```
/// use mpay_emv::crypto::{ac, keys::AesKey};
/// let sk = AesKey::from_slice(&[9; 16]).unwrap();
/// let mut arqc = ac::generate_ac_aes(&sk, b"transaction data");
/// ac::verify_ac_aes(&sk, b"transaction data", &arqc).unwrap();
/// arqc[0] ^= 1;
/// assert!(ac::verify_ac_aes(&sk, b"transaction data", &arqc).is_err());
/// ```
pub fn verify_ac_aes(session_key: &AesKey, data: &[u8], received: &[u8; 8]) -> Result<()> {
    mac::verify(
        "application cryptogram",
        &generate_ac_aes(session_key, data),
        received,
    )
}

/// ARPC method 1 (Book 2, A1.2.1): `3DES(SK)[ARQC ⊕ (ARC ‖ 00…00)]`; the issuer
/// authentication data (tag 91) is `ARPC ‖ ARC`.
pub fn arpc_method1(session_key: &TdesKey, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
    let mut block = arqc;
    xor_into(&mut block[..2], &arc);
    session_key.encrypt_block(&mut block);
    block
}

/// ARPC method 1 for 16-byte block ciphers (AES, SM4): the leftmost 8 bytes of
/// `E(SK)[(ARQC ⊕ (ARC ‖ 00…00)) ‖ 00…00]` — the 8-byte method widened to one 16-byte block;
/// tag 91 stays `ARPC ‖ ARC` (10 bytes).
///
/// ```
/// use mpay_emv::crypto::{ac, keys::AesKey};
/// let sk = AesKey::from_slice(&[5; 16]).unwrap();
/// assert_ne!(ac::arpc_method1_16(&sk, [1; 8], *b"00"), ac::arpc_method1_16(&sk, [1; 8], *b"05"));
/// ```
pub fn arpc_method1_16<K: BlockKey<16>>(session_key: &K, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(&arqc);
    xor_into(&mut block[..2], &arc);
    session_key.encrypt(&mut block);
    let mut out = [0u8; 8];
    out.copy_from_slice(&block[..8]);
    out
}

/// The input of ARPC method 2, `ARQC ‖ CSU ‖ proprietary authentication data` (0 to 8 bytes),
/// in a fixed buffer with its length.
fn arpc2_input(arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> Result<([u8; 20], usize)> {
    if proprietary.len() > 8 {
        return Err(Error::Length {
            what: "proprietary authentication data",
            expected: "0 to 8",
            actual: proprietary.len(),
        });
    }
    let mut buf = [0u8; 20];
    buf[..8].copy_from_slice(&arqc);
    buf[8..12].copy_from_slice(&csu);
    buf[12..12 + proprietary.len()].copy_from_slice(proprietary);
    Ok((buf, 12 + proprietary.len()))
}

/// ARPC method 2 (Book 2, A1.2.2): a 4-byte MAC (algorithm 3, padding method 2) over
/// `ARQC ‖ CSU ‖ proprietary authentication data` (0 to 8 bytes); tag 91 is
/// `ARPC ‖ CSU ‖ proprietary data`.
pub fn arpc_method2(
    session_key: &TdesKey,
    arqc: [u8; 8],
    csu: [u8; 4],
    proprietary: &[u8],
) -> Result<[u8; 4]> {
    let (buf, n) = arpc2_input(arqc, csu, proprietary)?;
    let m = mac::retail_mac(session_key, &buf[..n], Padding::Method2);
    Ok([m[0], m[1], m[2], m[3]])
}

/// ARPC method 2 with an AES session key: AES-CMAC over
/// `ARQC ‖ CSU ‖ proprietary authentication data` (0 to 8 bytes), truncated to 4 bytes.
///
/// ```
/// use mpay_emv::crypto::{ac, keys::AesKey};
/// let sk = AesKey::from_slice(&[5; 32]).unwrap();
/// let arpc = ac::arpc_method2_aes(&sk, [1; 8], [0, 0x80, 0, 0], &[]).unwrap();
/// assert_eq!(arpc.len(), 4);
/// assert!(ac::arpc_method2_aes(&sk, [1; 8], [0; 4], &[0; 9]).is_err());
/// ```
pub fn arpc_method2_aes(
    session_key: &AesKey,
    arqc: [u8; 8],
    csu: [u8; 4],
    proprietary: &[u8],
) -> Result<[u8; 4]> {
    let (buf, n) = arpc2_input(arqc, csu, proprietary)?;
    Ok(mac::aes_cmac_truncated(session_key, &buf[..n]))
}

/// A key the two ARPC methods run under: [`TdesKey`] (retail MAC, 8-byte blocks) or
/// [`AesKey`] (CMAC, 16-byte blocks). Lets a profile pick the method once for both.
pub trait ArpcKey {
    /// ARPC method 1 ([`arpc_method1`] or [`arpc_method1_16`]).
    fn arpc_method1(&self, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8];
    /// ARPC method 2 ([`arpc_method2`] or [`arpc_method2_aes`]).
    fn arpc_method2(&self, arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> Result<[u8; 4]>;
}

impl ArpcKey for TdesKey {
    fn arpc_method1(&self, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
        arpc_method1(self, arqc, arc)
    }
    fn arpc_method2(&self, arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> Result<[u8; 4]> {
        arpc_method2(self, arqc, csu, proprietary)
    }
}

impl ArpcKey for AesKey {
    fn arpc_method1(&self, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
        arpc_method1_16(self, arqc, arc)
    }
    fn arpc_method2(&self, arqc: [u8; 8], csu: [u8; 4], proprietary: &[u8]) -> Result<[u8; 4]> {
        arpc_method2_aes(self, arqc, csu, proprietary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kd;

    #[test]
    fn pyemv_kd_hsm_vectors() {
        // pyemv tests/test_kd_hsm.py (values checked on an HSM): option A MK, common session
        // key with R = 1234567890123456, AC over 0123456789ABCDEF0123456789ABCDEF, ARPC-1
        // under the ICC master key.
        let imk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let mk = kd::icc_master_key_a(&imk, "12345678901234567", "45").unwrap();
        assert_eq!(mk.check_value()[..2], [0xFF, 0x08]);
        let sk = kd::common_session_key(&mk, [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56]);
        assert_eq!(sk.check_value()[..2], [0xDF, 0x82]);
        let data = hex::decode("0123456789ABCDEF0123456789ABCDEF").unwrap();
        let arqc = generate_ac(&sk, &data, Padding::Method2);
        assert_eq!(hex::encode_upper(arqc), "19C1FBC83EBDC0D5");
        assert_eq!(
            hex::encode_upper(arpc_method1(&mk, arqc, [0, 0])),
            "78A372523FA35A03"
        );
    }

    #[test]
    fn arpc2_limits() {
        let sk = TdesKey::new([1; 16]);
        assert!(arpc_method2(&sk, [0; 8], [0; 4], &[0; 9]).is_err());
        assert!(arpc_method2(&sk, [0; 8], [0; 4], &[0; 8]).is_ok());
    }

    #[test]
    fn verify_rejects_flipped_bit() {
        let sk = TdesKey::new([3; 16]);
        let mut ac = generate_ac(&sk, b"abc", Padding::Method1);
        assert!(verify_ac(&sk, b"abc", Padding::Method1, &ac).is_ok());
        ac[7] ^= 1;
        assert_eq!(
            verify_ac(&sk, b"abc", Padding::Method1, &ac),
            Err(Error::Verification {
                what: "application cryptogram"
            })
        );
    }
}
