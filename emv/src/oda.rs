//! Offline data authentication with RSA (EMV 4.3 Book 2 §5–6): certificate recovery for the
//! terminal, certificate and signature generation for personalisation and CA tooling.
//!
//! Verify side: [`recover_issuer_key`] (tag 90 + 92 + 9F32 under the CA key),
//! [`recover_icc_key`] (9F46 + 9F48 + 9F47 and the static data to authenticate under the
//! issuer key), [`verify_sda`] (93), [`verify_dda`] (9F4B for DDA, and fDDA with the Visa
//! terminal dynamic data). Sign side: [`sign_issuer_certificate`], [`sign_icc_certificate`],
//! [`sign_sda`], [`sign_dda`].
//!
//! The PBOC/UICS national-algorithm variant (SM2 certificates, signed rather than recovered)
//! is in [`sm2`].
//!
//! Every recovered block is checked for its header (6A), format, trailer (BC), hash
//! algorithm, SHA-1 hash, the PAN it is bound to and its expiry, and every failure says which.
//! The RSA operation is a modular exponentiation with `crypto-bigint` (constant time in the
//! exponent, so the private side leaks nothing through timing).

pub mod sm2;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// An RSA public key as EMV carries it: modulus and exponent, big-endian.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "RsaPublicKey {{ bits: {}, exponent: {:02X?} }}",
            self.modulus.len() * 8,
            self.exponent
        )
    }
}

fn bad(what: &'static str, why: &'static str) -> Error {
    Error::Malformed { what, why }
}

impl RsaPublicKey {
    /// A key from its modulus (64 to 248 bytes, odd, no leading zero) and exponent (3 or
    /// 65537, as EMV allows).
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Result<Self> {
        if !(64..=248).contains(&modulus.len()) {
            return Err(Error::Length {
                what: "RSA modulus",
                expected: "64 to 248",
                actual: modulus.len(),
            });
        }
        if modulus[0] == 0 || modulus[modulus.len() - 1] & 1 == 0 {
            return Err(bad("RSA modulus", "leading zero byte or even"));
        }
        if exponent != [3] && exponent != [1, 0, 1] {
            return Err(bad("RSA exponent", "EMV allows 3 and 65537 only"));
        }
        Ok(RsaPublicKey {
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
        })
    }

    /// The modulus.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The exponent.
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// Length of the modulus in bytes (N).
    pub fn len(&self) -> usize {
        self.modulus.len()
    }

    /// Always false: a key has a modulus of 64 bytes or more.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The RSA public operation `data^e mod n` on a block of exactly N bytes.
    pub fn recover(&self, what: &'static str, data: &[u8]) -> Result<Vec<u8>> {
        if data.len() != self.modulus.len() {
            return Err(Error::Length {
                what,
                expected: "the length of the key's modulus",
                actual: data.len(),
            });
        }
        modpow(&self.modulus, &self.exponent, data, Exponent::Public)
            .ok_or(bad(what, "not smaller than the modulus"))
    }
}

/// Whether the exponent is public (recovery: variable-time setup and an exponent bounded by
/// its bit length are safe) or secret (signing: constant time throughout).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exponent {
    Public,
    Secret,
}

/// `base^exp mod modulus`, all big-endian; `None` when base ≥ modulus.
fn modpow(modulus: &[u8], exp: &[u8], base: &[u8], kind: Exponent) -> Option<Vec<u8>> {
    let r = match kind {
        // Public modulus and exponent (3 or 65537): variable time is fine, and num-bigint's
        // schoolbook arithmetic needs no per-key Montgomery setup.
        Exponent::Public => {
            let x = num_bigint::BigUint::from_bytes_be(base);
            let n = num_bigint::BigUint::from_bytes_be(modulus);
            if x >= n {
                return None;
            }
            let e = num_bigint::BigUint::from_bytes_be(exp);
            let mut r = x.clone();
            for i in (0..e.bits().saturating_sub(1)).rev() {
                r = &r * &r % &n;
                if e.bit(i) {
                    r = &r * &x % &n;
                }
            }
            r.to_bytes_be()
        }
        // Secret exponent: constant-time Montgomery exponentiation.
        Exponent::Secret => {
            let bits = (modulus.len() * 8) as u32;
            let n = BoxedUint::from_be_slice(modulus, bits).ok()?;
            let x = BoxedUint::from_be_slice(base, bits).ok()?;
            if x >= n {
                return None;
            }
            let n = Option::<Odd<BoxedUint>>::from(Odd::new(n))?;
            let e = BoxedUint::from_be_slice(exp, (exp.len() * 8).max(64) as u32).ok()?;
            let params = BoxedMontyParams::new(n);
            BoxedMontyForm::new(x, &params)
                .pow(&e)
                .retrieve()
                .to_be_bytes()
                .into_vec()
        }
    };
    let mut out = vec![0u8; modulus.len()];
    let take = r.len().min(modulus.len());
    out[modulus.len() - take..].copy_from_slice(&r[r.len() - take..]);
    Some(out)
}

/// An RSA private key for signing certificates and dynamic data (personalisation, CA
/// tooling, card emulation). The private exponent is zeroized on drop and never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RsaPrivateKey {
    #[zeroize(skip)]
    public: RsaPublicKey,
    d: Vec<u8>,
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl RsaPrivateKey {
    /// A key from the public key and the private exponent `d` (big-endian).
    pub fn new(public: RsaPublicKey, d: &[u8]) -> Result<Self> {
        if d.is_empty() || d.len() > public.len() {
            return Err(Error::Length {
                what: "RSA private exponent",
                expected: "1 to the modulus length",
                actual: d.len(),
            });
        }
        Ok(RsaPrivateKey {
            public,
            d: d.to_vec(),
        })
    }

    /// The public half.
    pub fn public(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The RSA private operation on a block of N bytes (smaller than the modulus).
    pub fn sign_raw(&self, block: &[u8]) -> Result<Vec<u8>> {
        if block.len() != self.public.len() {
            return Err(Error::Length {
                what: "block to sign",
                expected: "the length of the key's modulus",
                actual: block.len(),
            });
        }
        modpow(&self.public.modulus, &self.d, block, Exponent::Secret)
            .ok_or(bad("block to sign", "not smaller than the modulus"))
    }
}

/// A recovered issuer public key with its certificate's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerPublicKey {
    /// The key.
    pub key: RsaPublicKey,
    /// Issuer identifier: the leftmost 3–8 PAN digits, F-padded.
    pub issuer_id: [u8; 4],
    /// Certificate expiry, MMYY.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// A recovered ICC public key with its certificate's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccPublicKey {
    /// The key.
    pub key: RsaPublicKey,
    /// The PAN it is bound to, F-padded to 10 bytes.
    pub pan: [u8; 10],
    /// Certificate expiry, MMYY.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

const SHA1: u8 = 0x01;
const RSA: u8 = 0x01;

/// Checks the frame of a recovered block: header 6A, format, trailer BC, SHA-1 hash over
/// `block[1..N-21] ‖ extra` equal to `block[N-21..N-1]`.
fn check_frame(what: &'static str, block: &[u8], format: u8, extra: &[&[u8]]) -> Result<()> {
    let n = block.len();
    if block[0] != 0x6A {
        return Err(bad(what, "recovered data header is not 6A (wrong key?)"));
    }
    if block[n - 1] != 0xBC {
        return Err(bad(what, "recovered data trailer is not BC"));
    }
    if block[1] != format {
        return Err(bad(what, "unexpected certificate or signature format"));
    }
    let mut h = Sha1::new();
    h.update(&block[1..n - 21]);
    for e in extra {
        h.update(e);
    }
    crate::crypto::mac::verify(what, &h.finalize(), &block[n - 21..n - 1])
}

/// `true` when MMYY `expiry` is before the YYMM month `today` (the certificate is valid to the
/// end of its month).
fn expired(expiry: [u8; 2], today_yymm: [u8; 2]) -> bool {
    [expiry[1], expiry[0]] < today_yymm
}

/// Packs PAN digits into `N` bytes, F-padded.
fn pan_field<const N: usize>(pan: &str) -> Result<[u8; N]> {
    crate::crypto::util::digits("PAN", pan, 1, 2 * N)?;
    let mut out = [0xFFu8; N];
    for (i, c) in pan.bytes().enumerate() {
        let d = c - b'0';
        out[i / 2] = if i % 2 == 0 {
            (d << 4) | (out[i / 2] & 0x0F)
        } else {
            (out[i / 2] & 0xF0) | d
        };
    }
    Ok(out)
}

/// Does an F-padded identifier match the start of the PAN?
fn matches_pan(id: &[u8], pan: &[u8]) -> bool {
    for (i, b) in id.iter().enumerate() {
        for (k, nib) in [b >> 4, b & 0x0F].into_iter().enumerate() {
            if nib == 0xF {
                return i * 2 + k >= 3; // at least 3 digits
            }
            let p = pan.get(i).map(|x| if k == 0 { x >> 4 } else { x & 0x0F });
            if p != Some(nib) {
                return false;
            }
        }
    }
    true
}

/// Recovers the issuer public key (EMV Book 2 §5.3 / §6.3): certificate 90 under the CA key,
/// remainder 92 (may be empty), exponent 9F32. Checks everything the book lists, including the
/// issuer identifier against the PAN and the expiry against `today_yymm`.
pub fn recover_issuer_key(
    ca: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<IssuerPublicKey> {
    const W: &str = "issuer public key certificate";
    let b = ca.recover(W, certificate)?;
    let n = b.len();
    check_frame(W, &b, 0x02, &[remainder, exponent])?;
    if b[11] != SHA1 || b[12] != RSA {
        return Err(bad(W, "hash or public-key algorithm indicator is not 01"));
    }
    let ni = usize::from(b[13]);
    let room = n - 36;
    let key = if ni <= room {
        if !remainder.is_empty() {
            return Err(bad(
                W,
                "a remainder is present but the key fits in the certificate",
            ));
        }
        if b[15 + ni..15 + room].iter().any(|x| *x != 0xBB) {
            return Err(bad(W, "padding after the key is not BB"));
        }
        b[15..15 + ni].to_vec()
    } else {
        if remainder.len() != ni - room {
            return Err(bad(W, "remainder length does not complete the key"));
        }
        let mut k = b[15..15 + room].to_vec();
        k.extend_from_slice(remainder);
        k
    };
    if usize::from(b[14]) != exponent.len() {
        return Err(bad(W, "exponent length does not match 9F32"));
    }
    let pan_bytes = pan_field::<10>(pan)?;
    let mut issuer_id = [0u8; 4];
    issuer_id.copy_from_slice(&b[2..6]);
    if !matches_pan(&issuer_id, &pan_bytes) {
        return Err(bad(W, "issuer identifier does not match the PAN"));
    }
    let expiry = [b[6], b[7]];
    if expired(expiry, today_yymm) {
        return Err(Error::Verification {
            what: "issuer public key certificate (expired)",
        });
    }
    Ok(IssuerPublicKey {
        key: RsaPublicKey::new(&key, exponent)?,
        issuer_id,
        expiry,
        serial: [b[8], b[9], b[10]],
    })
}

/// Recovers the ICC public key (EMV Book 2 §6.4): certificate 9F46 under the issuer key,
/// remainder 9F48 (may be empty), exponent 9F47, and the static data to be authenticated
/// ([`static_data`]).
pub fn recover_icc_key(
    issuer: &RsaPublicKey,
    certificate: &[u8],
    remainder: &[u8],
    exponent: &[u8],
    static_data: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<IccPublicKey> {
    const W: &str = "ICC public key certificate";
    let b = issuer.recover(W, certificate)?;
    let n = b.len();
    check_frame(W, &b, 0x04, &[remainder, exponent, static_data])?;
    if b[17] != SHA1 || b[18] != RSA {
        return Err(bad(W, "hash or public-key algorithm indicator is not 01"));
    }
    let nic = usize::from(b[19]);
    let room = n - 42;
    let key = if nic <= room {
        if b[21 + nic..21 + room].iter().any(|x| *x != 0xBB) {
            return Err(bad(W, "padding after the key is not BB"));
        }
        b[21..21 + nic].to_vec()
    } else {
        if remainder.len() != nic - room {
            return Err(bad(W, "remainder length does not complete the key"));
        }
        let mut k = b[21..21 + room].to_vec();
        k.extend_from_slice(remainder);
        k
    };
    if usize::from(b[20]) != exponent.len() {
        return Err(bad(W, "exponent length does not match 9F47"));
    }
    let mut pan_bytes = [0u8; 10];
    pan_bytes.copy_from_slice(&b[2..12]);
    if pan_bytes != pan_field::<10>(pan)? {
        return Err(bad(W, "PAN does not match the card's"));
    }
    let expiry = [b[12], b[13]];
    if expired(expiry, today_yymm) {
        return Err(Error::Verification {
            what: "ICC public key certificate (expired)",
        });
    }
    Ok(IccPublicKey {
        key: RsaPublicKey::new(&key, exponent)?,
        pan: pan_bytes,
        expiry,
        serial: [b[14], b[15], b[16]],
    })
}

/// SDA: verifies the signed static application data (93) and returns the data
/// authentication code (9F45).
pub fn verify_sda(issuer: &RsaPublicKey, ssad: &[u8], static_data: &[u8]) -> Result<[u8; 2]> {
    const W: &str = "signed static application data";
    let b = issuer.recover(W, ssad)?;
    check_frame(W, &b, 0x03, &[static_data])?;
    if b[2] != SHA1 {
        return Err(bad(W, "hash algorithm indicator is not 01"));
    }
    Ok([b[3], b[4]])
}

/// DDA and fDDA: verifies the signed dynamic application data (9F4B) over the terminal's
/// dynamic data (the DDOL data for DDA; for Visa fDDA 01: UN ‖ amount ‖ currency ‖ 9F69) and
/// returns the ICC dynamic data (its first byte is the length of the ICC dynamic number 9F4C).
pub fn verify_dda(
    icc: &RsaPublicKey,
    sdad: &[u8],
    terminal_dynamic_data: &[u8],
) -> Result<Vec<u8>> {
    const W: &str = "signed dynamic application data";
    let b = icc.recover(W, sdad)?;
    let n = b.len();
    check_frame(W, &b, 0x05, &[terminal_dynamic_data])?;
    if b[2] != SHA1 {
        return Err(bad(W, "hash algorithm indicator is not 01"));
    }
    let ldd = usize::from(b[3]);
    if ldd > n - 25 {
        return Err(bad(W, "ICC dynamic data longer than the block"));
    }
    Ok(b[4..4 + ldd].to_vec())
}

/// The static data to be authenticated: for each record the AFL marks for ODA, in order, the
/// contents of its `70` template (SFI 1–10) or the whole record (SFI 11–30); then the AIP when
/// the static data authentication tag list (9F4A) names it.
pub fn static_data(records: &[(u8, &[u8])], aip: Option<[u8; 2]>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (sfi, rec) in records {
        if *sfi <= 10 {
            let t = mpay_emv_tlv::Tlv::parse_one(rec)?;
            if t.tag() != mpay_emv_tlv::Tag::new(0x70) {
                return Err(bad("ODA record", "SFI 1-10 record is not a 70 template"));
            }
            out.extend_from_slice(t.value());
        } else {
            out.extend_from_slice(rec);
        }
    }
    if let Some(a) = aip {
        out.extend_from_slice(&a);
    }
    Ok(out)
}

fn seal(mut block: Vec<u8>, hash_extra: &[&[u8]]) -> Vec<u8> {
    let n = block.len();
    let mut h = Sha1::new();
    h.update(&block[1..n - 21]);
    for e in hash_extra {
        h.update(e);
    }
    block[n - 21..n - 1].copy_from_slice(&h.finalize());
    block[n - 1] = 0xBC;
    block
}

/// Builds and signs an issuer public key certificate with the CA's private key; returns the
/// certificate (90) and the remainder (92, possibly empty).
pub fn sign_issuer_certificate(
    ca: &RsaPrivateKey,
    issuer: &RsaPublicKey,
    issuer_id: [u8; 4],
    expiry_mmyy: [u8; 2],
    serial: [u8; 3],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let n = ca.public().len();
    let ni = issuer.len();
    if ni > n {
        return Err(bad("issuer key", "longer than the CA key"));
    }
    let room = n - 36;
    let mut b = vec![0xBBu8; n];
    b[0] = 0x6A;
    b[1] = 0x02;
    b[2..6].copy_from_slice(&issuer_id);
    b[6..8].copy_from_slice(&expiry_mmyy);
    b[8..11].copy_from_slice(&serial);
    b[11] = SHA1;
    b[12] = RSA;
    b[13] = ni as u8;
    b[14] = issuer.exponent().len() as u8;
    let split = ni.min(room);
    b[15..15 + split].copy_from_slice(&issuer.modulus()[..split]);
    let remainder = issuer.modulus()[split..].to_vec();
    let b = seal(b, &[&remainder, issuer.exponent()]);
    Ok((ca.sign_raw(&b)?, remainder))
}

/// Builds and signs an ICC public key certificate with the issuer's private key; returns the
/// certificate (9F46) and the remainder (9F48, possibly empty).
pub fn sign_icc_certificate(
    issuer: &RsaPrivateKey,
    icc: &RsaPublicKey,
    pan: &str,
    expiry_mmyy: [u8; 2],
    serial: [u8; 3],
    static_data: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let n = issuer.public().len();
    let nic = icc.len();
    if nic > n {
        return Err(bad("ICC key", "longer than the issuer key"));
    }
    let room = n - 42;
    let mut b = vec![0xBBu8; n];
    b[0] = 0x6A;
    b[1] = 0x04;
    b[2..12].copy_from_slice(&pan_field::<10>(pan)?);
    b[12..14].copy_from_slice(&expiry_mmyy);
    b[14..17].copy_from_slice(&serial);
    b[17] = SHA1;
    b[18] = RSA;
    b[19] = nic as u8;
    b[20] = icc.exponent().len() as u8;
    let split = nic.min(room);
    b[21..21 + split].copy_from_slice(&icc.modulus()[..split]);
    let remainder = icc.modulus()[split..].to_vec();
    let b = seal(b, &[&remainder, icc.exponent(), static_data]);
    Ok((issuer.sign_raw(&b)?, remainder))
}

/// Signs static application data (93) for SDA with the issuer's private key.
pub fn sign_sda(issuer: &RsaPrivateKey, dac: [u8; 2], static_data: &[u8]) -> Result<Vec<u8>> {
    let n = issuer.public().len();
    let mut b = vec![0xBBu8; n];
    b[0] = 0x6A;
    b[1] = 0x03;
    b[2] = SHA1;
    b[3..5].copy_from_slice(&dac);
    issuer.sign_raw(&seal(b, &[static_data]))
}

/// Signs dynamic application data (9F4B) for DDA/fDDA with the ICC private key:
/// `icc_dynamic_data` usually starts with the ICC dynamic number (length byte, then 9F4C).
pub fn sign_dda(
    icc: &RsaPrivateKey,
    icc_dynamic_data: &[u8],
    terminal_dynamic_data: &[u8],
) -> Result<Vec<u8>> {
    let n = icc.public().len();
    if icc_dynamic_data.len() > n - 25 {
        return Err(bad("ICC dynamic data", "too long for the key"));
    }
    let mut b = vec![0xBBu8; n];
    b[0] = 0x6A;
    b[1] = 0x05;
    b[2] = SHA1;
    b[3] = icc_dynamic_data.len() as u8;
    b[4..4 + icc_dynamic_data.len()].copy_from_slice(icc_dynamic_data);
    icc.sign_raw(&seal(b, &[terminal_dynamic_data]))
}
