//! MACs of switch messages: the UnionPay POS MAC ("ECB" algorithm of the China UnionPay POS
//! terminal specification) and the ANSI X9.19 retail MAC, as implementations of
//! `mpay-iso8583`'s `Mac` trait (feature `iso8583`) and as plain
//! functions; [`unionpay_pos_mac_sm4`] is the SM4 (national-algorithm) variant.
//!
//! The UnionPay POS MAC of a MAC element block (MTI through field 63):
//! 1. XOR the MAB in 8-byte blocks (the last one zero-padded) into one block R;
//! 2. write R as 16 upper-case hex characters H = H1 ‖ H2 (8 ASCII bytes each);
//! 3. E1 = E(MAK)(H1); E2 = E(MAK)(E1 ⊕ H2) (single DES, or 3DES with a double-length MAK);
//! 4. the MAC is the first 8 characters of E2 written as upper-case hex.
//!
//! ```
//! use mpay_emv::crypto::posmac::{unionpay_pos_mac, MacKey};
//! let mak = MacKey::single([0xC2, 0x4A, 0x8F, 0xB5, 0x7A, 0xA2, 0x01, 0x23]);
//! let mac = unionpay_pos_mac(&mak, b"0200 message block");
//! assert!(mac.iter().all(|c| c.is_ascii_hexdigit()));
//! ```

use cipher::{Array, BlockCipherEncrypt, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::keys::{Sm4Key, TdesKey};
use crate::crypto::mac::{self, Padding};

/// A MAC key: single-length DES (the classic POS MAK) or double-length 3DES.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub enum MacKey {
    /// Single DES.
    Single([u8; 8]),
    /// Double-length 3DES.
    Double(TdesKey),
}

impl core::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MacKey::Single(_) => f.write_str("MacKey::Single(****)"),
            MacKey::Double(k) => write!(f, "MacKey::Double({k:?})"),
        }
    }
}

impl MacKey {
    /// A single-length DES key.
    pub fn single(key: [u8; 8]) -> Self {
        MacKey::Single(key)
    }

    fn encrypt(&self, block: &mut [u8; 8]) {
        match self {
            MacKey::Single(k) => {
                des::Des::new(&Array(*k)).encrypt_block(<&mut Array<u8, _>>::from(block))
            }
            MacKey::Double(k) => k.encrypt_block(block),
        }
    }
}

fn hex_upper(b: &[u8; 8]) -> [u8; 16] {
    const D: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = [0u8; 16];
    for (i, x) in b.iter().enumerate() {
        out[2 * i] = D[usize::from(x >> 4)];
        out[2 * i + 1] = D[usize::from(x & 0x0F)];
    }
    out
}

/// The UnionPay POS MAC (8 ASCII hex characters) of a MAC element block.
pub fn unionpay_pos_mac(key: &MacKey, mab: &[u8]) -> [u8; 8] {
    let mut r = [0u8; 8];
    mac::for_each_padded_block::<8>(mab, Padding::Method1, |b| {
        crate::crypto::util::xor_into(&mut r, b)
    });
    let h = hex_upper(&r);
    let mut e = [0u8; 8];
    e.copy_from_slice(&h[..8]);
    key.encrypt(&mut e);
    crate::crypto::util::xor_into(&mut e, &h[8..]);
    key.encrypt(&mut e);
    let out = hex_upper(&e);
    let mut m = [0u8; 8];
    m.copy_from_slice(&out[..8]);
    m
}

/// The UnionPay POS MAC with SM4 (the national-algorithm POS MAC): the same construction on
/// 16-byte blocks — XOR the MAB in 16-byte blocks (the last zero-padded) into R, write R as 32
/// upper-case hex characters H1 ‖ H2, E1 = SM4(MAK)(H1), E2 = SM4(MAK)(E1 ⊕ H2), and the MAC
/// is the first 8 characters of E2 written as upper-case hex.
///
/// ```
/// use mpay_emv::crypto::{keys::Sm4Key, posmac::unionpay_pos_mac_sm4};
/// let mak = Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
/// let mac = unionpay_pos_mac_sm4(&mak, b"0200 message block");
/// assert!(mac.iter().all(|c| c.is_ascii_hexdigit()));
/// ```
pub fn unionpay_pos_mac_sm4(key: &Sm4Key, mab: &[u8]) -> [u8; 8] {
    let mut r = [0u8; 16];
    mac::for_each_padded_block::<16>(mab, Padding::Method1, |b| {
        crate::crypto::util::xor_into(&mut r, b)
    });
    let mut h = [0u8; 32];
    for (i, half) in r.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(half);
        h[16 * i..16 * i + 16].copy_from_slice(&hex_upper(&b));
    }
    let mut e = [0u8; 16];
    e.copy_from_slice(&h[..16]);
    key.encrypt_block(&mut e);
    crate::crypto::util::xor_into(&mut e, &h[16..]);
    key.encrypt_block(&mut e);
    let mut first = [0u8; 8];
    first.copy_from_slice(&e[..8]);
    let out = hex_upper(&first);
    let mut m = [0u8; 8];
    m.copy_from_slice(&out[..8]);
    m
}

/// The ANSI X9.19 retail MAC (ISO/IEC 9797-1 algorithm 3, padding method 1) of a switch
/// message's MAB, truncated to `len` bytes (4 or 8).
#[derive(Debug, Clone)]
pub struct X919Mac {
    /// The double-length MAC key.
    pub key: TdesKey,
    /// MAC length in bytes (1 to 8).
    pub len: usize,
}

/// AES-CMAC (ISO/IEC 9797-1 MAC algorithm 5) of a switch message's MAB, truncated to `len`
/// bytes (4 to 16; 8 is usual) — the MAC of AES-keyed links (ANSI X9.24-3 / TR-31 era keys).
#[derive(Debug, Clone)]
pub struct CmacMac {
    /// The AES MAC key.
    pub key: crate::crypto::keys::AesKey,
    /// MAC length in bytes (4 to 16).
    pub len: usize,
}

/// The UnionPay POS MAC as a `Mac` for `mpay-iso8583`.
#[derive(Debug, Clone)]
pub struct UnionPayPosMac(pub MacKey);

#[cfg(feature = "iso8583")]
impl mpay_iso8583::mac::Mac for UnionPayPosMac {
    fn len(&self) -> usize {
        8
    }
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
        if out.len() != 8 {
            return Err(mpay_iso8583::Error::Mac("the UnionPay POS MAC is 8 bytes"));
        }
        out.copy_from_slice(&unionpay_pos_mac(&self.0, mab));
        Ok(())
    }
}

/// The SM4 UnionPay POS MAC as a `Mac` for `mpay-iso8583`.
#[derive(Debug, Clone)]
pub struct UnionPayPosMacSm4(pub Sm4Key);

#[cfg(feature = "iso8583")]
impl mpay_iso8583::mac::Mac for UnionPayPosMacSm4 {
    fn len(&self) -> usize {
        8
    }
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
        if out.len() != 8 {
            return Err(mpay_iso8583::Error::Mac("the UnionPay POS MAC is 8 bytes"));
        }
        out.copy_from_slice(&unionpay_pos_mac_sm4(&self.0, mab));
        Ok(())
    }
}

#[cfg(feature = "iso8583")]
impl mpay_iso8583::mac::Mac for X919Mac {
    fn len(&self) -> usize {
        self.len
    }
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
        if !(1..=8).contains(&self.len) || out.len() != self.len {
            return Err(mpay_iso8583::Error::Mac(
                "X9.19 MAC length must be 1 to 8 bytes",
            ));
        }
        let m = mac::retail_mac(&self.key, mab, Padding::Method1);
        out.copy_from_slice(&m[..self.len]);
        Ok(())
    }
}

#[cfg(feature = "iso8583")]
impl mpay_iso8583::mac::Mac for CmacMac {
    fn len(&self) -> usize {
        self.len
    }
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
        if !(4..=16).contains(&self.len) || out.len() != self.len {
            return Err(mpay_iso8583::Error::Mac(
                "AES-CMAC length must be 4 to 16 bytes",
            ));
        }
        out.copy_from_slice(&mac::aes_cmac(&self.key, mab)[..self.len]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_by_steps() {
        // The worked example's MAB from the UnionPay POS specification walkthrough: the XOR
        // of the first three blocks is 9A1161201CF422D0.
        let mab = hex::decode(
            "0200302004C020C0981100000000000000005100183402100006324392260009942820D1312101120084393136363838303134303030303030303030303030303031313536ACF46E73838A82F92600000000000000000822000001",
        )
        .unwrap();
        let mut r = [0u8; 8];
        for b in mab.chunks(8).take(3) {
            crate::crypto::util::xor_into(&mut r, b);
        }
        assert_eq!(hex::encode_upper(r), "9A1161201CF422D0");
        let k = MacKey::single([0xC2, 0x4A, 0x8F, 0xB5, 0x7A, 0xA2, 0x01, 0x23]);
        let m = unionpay_pos_mac(&k, &mab);
        assert!(m.iter().all(u8::is_ascii_hexdigit));
        // Double-length with K1 = K2 equals single DES.
        let mut kk = [0u8; 16];
        kk[..8].copy_from_slice(&[0xC2, 0x4A, 0x8F, 0xB5, 0x7A, 0xA2, 0x01, 0x23]);
        kk[8..].copy_from_slice(&[0xC2, 0x4A, 0x8F, 0xB5, 0x7A, 0xA2, 0x01, 0x23]);
        assert_eq!(unionpay_pos_mac(&MacKey::Double(TdesKey::new(kk)), &mab), m);
    }
}
