//! Key derivation (EMV 4.3 Book 2, Annex A1.3–A1.4).
//!
//! - ICC master keys from issuer master keys: [`icc_master_key_a`] (option A) and
//!   [`icc_master_key_b`] (option B, for PANs longer than 16 digits);
//! - session keys: [`common_session_key`] (EMV common session key derivation, with the R of
//!   EMV/Visa [`r_emv`] or of Mastercard [`r_mastercard`]), [`visa_sm_session_key`] (Visa's
//!   secure-messaging keys) and [`emv2000_tree_session_key`] (the EMV2000 tree, superseded by
//!   SU-46 but still in the field);
//! - for AES (16-byte blocks, EMV 4.x): [`icc_master_key_c`] (option C) and
//!   [`common_session_key_aes`] with [`r_emv_aes`] or [`r_cryptogram_aes`].
//!
//! ```
//! use mpay_emv::crypto::{keys::TdesKey, kd};
//! let imk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
//! let mk = kd::icc_master_key_a(&imk, "12345678901234567", "01").unwrap();
//! assert_eq!(mk.expose_secret()[..4], [0x73, 0xAD, 0x54, 0x68]);
//! let sk = kd::common_session_key(&mk, kd::r_emv([0x00, 0x1C]));
//! assert_ne!(sk, mk);
//! ```

use sha1::{Digest, Sha1};

use zeroize::Zeroize;

use crate::crypto::keys::{AesKey, TdesKey};
use crate::crypto::util::{digits, pack_nibbles, xor_into};
use crate::{Error, Result};

/// Encrypts `a` and `b` under `key` and joins them into an odd-parity key.
fn two_blocks(key: &TdesKey, mut a: [u8; 8], mut b: [u8; 8]) -> TdesKey {
    key.encrypt_block(&mut a);
    key.encrypt_block(&mut b);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a);
    out[8..].copy_from_slice(&b);
    TdesKey::new(out).with_odd_parity()
}

fn y_and_inverse(y: [u8; 8]) -> ([u8; 8], [u8; 8]) {
    let mut inv = y;
    xor_into(&mut inv, &[0xFF; 8]);
    (y, inv)
}

/// ICC master key, EMV option A: `Y` = the rightmost 16 digits of PAN ‖ PSN (left-padded with
/// zeros), `MK = 3DES(IMK)[Y] ‖ 3DES(IMK)[Y ⊕ FF…FF]` with odd parity.
///
/// `psn` is the two-digit PAN sequence number (`"00"` when the card has none).
pub fn icc_master_key_a(imk: &TdesKey, pan: &str, psn: &str) -> Result<TdesKey> {
    let (a, b) = y_and_inverse(option_a_y(pan, psn)?);
    Ok(two_blocks(imk, a, b))
}

/// The option A diversification value `Y`: the rightmost 16 digits of PAN ‖ PSN, left-padded
/// with zeros, packed into 8 bytes.
pub(crate) fn option_a_y(pan: &str, psn: &str) -> Result<[u8; 8]> {
    pan_psn_y(pan, psn)
}

/// The rightmost `2N` digits of PAN ‖ PSN, left-padded with zeros, packed into `N` bytes
/// (`Y` of options A, N = 8, and C, N = 16).
fn pan_psn_y<const N: usize>(pan: &str, psn: &str) -> Result<[u8; N]> {
    digits("PAN", pan, 1, 19)?;
    digits("PAN sequence number", psn, 2, 2)?;
    let mut joined = [0u8; 21];
    let n = pan.len() + 2;
    joined[..pan.len()].copy_from_slice(pan.as_bytes());
    joined[pan.len()..n].copy_from_slice(psn.as_bytes());
    let s = core::str::from_utf8(&joined[n.saturating_sub(2 * N)..n]).expect("digits");
    let mut y = [0u8; N];
    pack_nibbles(s, &mut y[N - s.len().div_ceil(2)..]);
    Ok(y)
}

/// ICC master key, EMV option B: for PANs of 16 digits or fewer it equals option A; longer
/// PANs are hashed (SHA-1 of PAN ‖ PSN), and `Y` is 16 decimal digits taken from the hash
/// (digits first, then the letters a–f decimalised to 0–5).
pub fn icc_master_key_b(imk: &TdesKey, pan: &str, psn: &str) -> Result<TdesKey> {
    digits("PAN", pan, 1, 19)?;
    digits("PAN sequence number", psn, 2, 2)?;
    if pan.len() <= 16 {
        return icc_master_key_a(imk, pan, psn);
    }
    let mut joined = [0u8; 22];
    let odd = pan.len() % 2 == 1;
    let mut n = 0;
    if odd {
        joined[0] = b'0';
        n = 1;
    }
    joined[n..n + pan.len()].copy_from_slice(pan.as_bytes());
    n += pan.len();
    joined[n..n + 2].copy_from_slice(psn.as_bytes());
    n += 2;
    let mut packed = [0u8; 11];
    let s = core::str::from_utf8(&joined[..n]).expect("digits");
    pack_nibbles(s, &mut packed[..n / 2]);
    let hash = Sha1::digest(&packed[..n / 2]);
    let mut nibbles = [0u8; 40];
    for (i, b) in hash.iter().enumerate() {
        nibbles[2 * i] = b >> 4;
        nibbles[2 * i + 1] = b & 0x0F;
    }
    let mut chosen = [0u8; 16];
    let mut k = 0;
    for &v in nibbles.iter().filter(|v| **v < 10) {
        if k == 16 {
            break;
        }
        chosen[k] = v;
        k += 1;
    }
    for &v in nibbles.iter().filter(|v| **v >= 10) {
        if k == 16 {
            break;
        }
        chosen[k] = v - 10;
        k += 1;
    }
    let mut y = [0u8; 8];
    for i in 0..8 {
        y[i] = (chosen[2 * i] << 4) | chosen[2 * i + 1];
    }
    let (a, b) = y_and_inverse(y);
    Ok(two_blocks(imk, a, b))
}

/// The diversification value R of EMV and Visa for AC session keys: `ATC ‖ 00 00 00 00 00 00`.
pub fn r_emv(atc: [u8; 2]) -> [u8; 8] {
    [atc[0], atc[1], 0, 0, 0, 0, 0, 0]
}

/// The diversification value R of Mastercard (M/Chip) for AC session keys:
/// `ATC ‖ 00 00 ‖ UN`.
pub fn r_mastercard(atc: [u8; 2], unpredictable_number: [u8; 4]) -> [u8; 8] {
    let u = unpredictable_number;
    [atc[0], atc[1], 0, 0, u[0], u[1], u[2], u[3]]
}

/// EMV common session key derivation (Book 2, A1.3.1, block size 8):
/// `SK = 3DES(MK)[R with byte 2 = F0] ‖ 3DES(MK)[R with byte 2 = 0F]`, odd parity.
///
/// R is [`r_emv`], [`r_mastercard`], the ARQC (for secure-messaging keys), or any
/// proprietary 8-byte value.
pub fn common_session_key(mk: &TdesKey, r: [u8; 8]) -> TdesKey {
    let mut a = r;
    a[2] = 0xF0;
    let mut b = r;
    b[2] = 0x0F;
    two_blocks(mk, a, b)
}

/// Visa's secure-messaging session key (CVN 10 and 18): `MK_L ⊕ (0…0 ‖ ATC)` ‖
/// `MK_R ⊕ (0…0 ‖ ¬ATC)`, odd parity.
pub fn visa_sm_session_key(mk: &TdesKey, atc: [u8; 2]) -> TdesKey {
    let mut k = *mk.expose_secret();
    k[6] ^= atc[0];
    k[7] ^= atc[1];
    k[14] ^= !atc[0];
    k[15] ^= !atc[1];
    let out = TdesKey::new(k).with_odd_parity();
    zeroize::Zeroize::zeroize(&mut k);
    out
}

/// EMV2000 tree session key derivation (EMV 4.1 Book 2, A1.3): the ATC selects a leaf of a
/// tree of `height` levels and `branch_factor` children per node under the ICC master key.
/// The specification recommends height 8 with branch factor 4 (or 16 with 2) and a zero IV.
pub fn emv2000_tree_session_key(
    mk: &TdesKey,
    atc: [u8; 2],
    height: u32,
    branch_factor: u32,
    iv: [u8; 16],
) -> Result<TdesKey> {
    if !(1..=16).contains(&height) || !(2..=16).contains(&branch_factor) {
        return Err(Error::Parameter {
            what: "EMV2000 tree",
            why: "height must be 1..=16 and branch factor 2..=16",
        });
    }
    if (branch_factor as u64).pow(height) < 65535 {
        return Err(Error::Parameter {
            what: "EMV2000 tree",
            why: "branch_factor^height must cover every ATC value (at least 65535)",
        });
    }
    // F(X, Y, j) = 3DES(X)[Y_L ⊕ (j mod b)] ‖ 3DES(X)[Y_R ⊕ (j mod b) ⊕ F0], without parity.
    let f = |x: &[u8; 16], y: &[u8; 16], j: u64| -> [u8; 16] {
        let jm = (j % u64::from(branch_factor)).to_be_bytes();
        let key = TdesKey::new(*x);
        let mut l = [0u8; 8];
        l.copy_from_slice(&y[..8]);
        xor_into(&mut l, &jm);
        key.encrypt_block(&mut l);
        let mut r = [0u8; 8];
        r.copy_from_slice(&y[8..]);
        xor_into(&mut r, &jm);
        r[7] ^= 0xF0;
        key.encrypt_block(&mut r);
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&l);
        out[8..].copy_from_slice(&r);
        out
    };
    let atc = u64::from(u16::from_be_bytes(atc));
    let b = u64::from(branch_factor);
    // Walk down from the root: level h uses the index ATC / b^(height-h).
    let mut parent = *mk.expose_secret(); // IK at level 0
    let mut grandparent = iv;
    for level in 1..height {
        let j = atc / b.pow(height - level);
        let child = f(&parent, &grandparent, j);
        grandparent = parent;
        parent = child;
    }
    let mut sk = f(&parent, &grandparent, atc);
    xor_into(&mut sk, &grandparent);
    let out = TdesKey::new(sk).with_odd_parity();
    zeroize::Zeroize::zeroize(&mut parent);
    zeroize::Zeroize::zeroize(&mut grandparent);
    zeroize::Zeroize::zeroize(&mut sk);
    Ok(out)
}

/// Encrypts `a` and `b` under an AES key and keeps the leftmost `k` bytes of the two blocks,
/// `k` being the key's length: one block for AES-128, one and a half for AES-192, two for
/// AES-256.
fn two_blocks_aes(key: &AesKey, mut a: [u8; 16], mut b: [u8; 16]) -> AesKey {
    let mut out = [0u8; 32];
    key.encrypt_block(&mut a);
    out[..16].copy_from_slice(&a);
    if key.len() > 16 {
        key.encrypt_block(&mut b);
        out[16..].copy_from_slice(&b);
    }
    let derived = AesKey::from_slice(&out[..key.len()]).expect("16, 24 or 32 bytes");
    out.zeroize();
    a.zeroize();
    b.zeroize();
    derived
}

/// ICC master key, EMV option C (EMV 4.x Book 2, A1.4.3; the method for 16-byte block
/// ciphers): `Y` = PAN ‖ PSN left-padded with zeros to 32 digits (16 bytes), and
/// `MK` = the leftmost k bytes of `AES(IMK)[Y] ‖ AES(IMK)[Y ⊕ FF…FF]`, k being the issuer
/// master key's length (16, 24 or 32), so an AES-128 ICC master key is `AES(IMK)[Y]`.
///
/// ```
/// use mpay_emv::crypto::{keys::AesKey, kd};
/// let imk = AesKey::from_hex("0123456789ABCDEFFEDCBA98765432100123456789ABCDEF").unwrap();
/// let mk = kd::icc_master_key_c(&imk, "5413330089600010", "01").unwrap();
/// assert_eq!(mk.len(), 24);
/// ```
pub fn icc_master_key_c(imk: &AesKey, pan: &str, psn: &str) -> Result<AesKey> {
    let y: [u8; 16] = pan_psn_y(pan, psn)?;
    let mut inverse = y;
    xor_into(&mut inverse, &[0xFF; 16]);
    Ok(two_blocks_aes(imk, y, inverse))
}

/// The diversification value R of an AES application-cryptogram session key: the ATC
/// left-justified in 16 bytes, `ATC ‖ 00…00` (the 8-byte [`r_emv`] widened to the block).
pub fn r_emv_aes(atc: [u8; 2]) -> [u8; 16] {
    let mut r = [0u8; 16];
    r[..2].copy_from_slice(&atc);
    r
}

/// The diversification value R of AES secure-messaging session keys: the application
/// cryptogram (ARQC) left-justified in 16 bytes, `AC ‖ 00…00`.
pub fn r_cryptogram_aes(ac: [u8; 8]) -> [u8; 16] {
    let mut r = [0u8; 16];
    r[..8].copy_from_slice(&ac);
    r
}

/// EMV common session key derivation for 16-byte blocks (Book 2, A1.3.1 with n = 16):
/// `F1` = R with byte 2 set to `F0`, `F2` = R with byte 2 set to `0F`, and
/// `SK` = the leftmost k bytes of `AES(MK)[F1] ‖ AES(MK)[F2]`, k being the master key's length
/// (an AES-128 session key is `AES(MK)[F1]`).
///
/// ```
/// use mpay_emv::crypto::{keys::AesKey, kd};
/// let mk = AesKey::from_hex(&"11".repeat(32)).unwrap();
/// let sk = kd::common_session_key_aes(&mk, kd::r_emv_aes([0x00, 0x2A]));
/// assert_eq!(sk.len(), 32);
/// assert_ne!(sk, kd::common_session_key_aes(&mk, kd::r_emv_aes([0x00, 0x2B])));
/// ```
pub fn common_session_key_aes(mk: &AesKey, r: [u8; 16]) -> AesKey {
    let mut f1 = r;
    f1[2] = 0xF0;
    let mut f2 = r;
    f2[2] = 0x0F;
    two_blocks_aes(mk, f1, f2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imk() -> TdesKey {
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap()
    }

    #[test]
    fn option_a_doc_vectors() {
        // pyemv documentation examples (HSM-checked).
        let mk = icc_master_key_a(&imk(), "12345678901234567", "01").unwrap();
        assert_eq!(
            hex::encode_upper(mk.expose_secret()),
            "73AD54688CEF2934B0979857E3C719F1"
        );
        let mk = icc_master_key_a(&imk(), "99012345678901234", "45").unwrap();
        assert_eq!(
            hex::encode_upper(mk.expose_secret()),
            "67F8292358083E5EA7AB7FDA58D53B6B"
        );
    }

    #[test]
    fn option_b_doc_vector() {
        let mk = icc_master_key_b(&imk(), "12345678901234567", "01").unwrap();
        assert_eq!(
            hex::encode_upper(mk.expose_secret()),
            "AD406D7F6D7570916D75E5DCAB8CF737"
        );
    }

    #[test]
    fn session_key_doc_vectors() {
        let sk = common_session_key(&imk(), [0x00, 0x1C, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            hex::encode_upper(sk.expose_secret()),
            "E9FB384AF807B940FEDCEA613461B0C4"
        );
        let sk = visa_sm_session_key(&imk(), [0x00, 0x1C]);
        assert_eq!(
            hex::encode_upper(sk.expose_secret()),
            "0123456789ABCDF2FEDCBA987654CDF2"
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            icc_master_key_a(&imk(), "1234x", "00"),
            Err(Error::Character { position: 4, .. })
        ));
        assert!(icc_master_key_a(&imk(), "1234", "0").is_err());
        assert!(emv2000_tree_session_key(&imk(), [0, 1], 4, 4, [0; 16]).is_err());
    }
}
