//! Offline data authentication with SM2 (PBOC 3.0 / UICS national algorithms, JR/T 0025.17):
//! certificates are **signed, not recovered** — each carries its data in the clear followed by
//! a 64-byte SM2 signature `r ‖ s` over SM3(Z ‖ data), Z computed with the standard
//! distinguishing ID `1234567812345678` (GM/T 0009) and the signer's public key.
//!
//! | object | layout (bytes) | signed data |
//! |---|---|---|
//! | CA key | 64 bytes `x ‖ y`, selected by RID and index (8F) | — |
//! | issuer certificate (90), 142 bytes | `12` ‖ issuer id (4) ‖ expiry MMYY (2) ‖ serial (3) ‖ signature algorithm `04` ‖ key algorithm `04` ‖ parameter `00` ‖ key length `40` ‖ key (64) ‖ signature (64) | the first 78 bytes |
//! | ICC certificate (9F46), 148 bytes | `14` ‖ PAN (10, F-padded) ‖ expiry (2) ‖ serial (3) ‖ `04` ‖ `04` ‖ `00` ‖ `40` ‖ key (64) ‖ signature (64) | the first 84 bytes ‖ static data to authenticate |
//! | signed static data (93), 67 bytes | `13` ‖ DAC (2) ‖ signature (64) | the first 3 bytes ‖ static data |
//! | signed dynamic data (9F4B) | `15` ‖ L ‖ ICC dynamic data (L) ‖ signature (64) | all but the signature ‖ terminal dynamic data |
//!
//! The certificate and SSAD lengths and leading bytes are those of a published PBOC card
//! transcript (research note, uzzz.org 2015/12/15): a 67-byte `93` starting `13`, a 148-byte
//! `9F46` starting `14` with the SM2 indicator `04`. JR/T 0025.17 itself is not openly
//! available; the signed-dynamic-data layout follows the same pattern (format `15`).
//!
//! A terminal asks a card for the national algorithms by sending `DF69` = `01` in the PDOL data.
//!
//! ```
//! use mpay_emv::oda::sm2;
//! use mpay_gmt::sm2::PrivateKey;
//!
//! let ca = PrivateKey::from_bytes(&[0x11; 32]).unwrap();
//! let issuer = PrivateKey::from_bytes(&[0x22; 32]).unwrap();
//! let icc = PrivateKey::from_bytes(&[0x33; 32]).unwrap();
//! let pan = "6228480000000000017";
//! let static_data = [0x5A, 0x0A, 0x62, 0x28];
//! // Personalisation: the CA signs the issuer key, the issuer signs the ICC key.
//! let c90 = sm2::sign_issuer_certificate(&ca, &issuer.public_key(), [0x62, 0x28, 0x48, 0xFF], [0x12, 0x30], [0, 0, 1])?;
//! let c9f46 = sm2::sign_icc_certificate(&issuer, &icc.public_key(), pan, [0x12, 0x30], [0, 0, 2], &static_data)?;
//! // The terminal verifies the chain.
//! let ik = sm2::verify_issuer_certificate(&ca.public_key(), &c90, pan, [0x26, 0x11])?;
//! let ck = sm2::verify_icc_certificate(&ik.key, &c9f46, &static_data, pan, [0x26, 0x11])?;
//! assert_eq!(ck.key, icc.public_key());
//! # Ok::<(), mpay_emv::Error>(())
//! ```

use mpay_gmt::sm2::{DEFAULT_ID, PreparedPublicKey, PrivateKey, PublicKey, Signature};

use super::{expired, matches_pan, pan_field};
use crate::{Error, Result};

/// SM2 in the algorithm indicators of PBOC certificates.
pub const ALGORITHM_SM2: u8 = 0x04;
/// Length of an SM2 issuer public key certificate (90).
pub const ISSUER_CERTIFICATE_LEN: usize = 142;
/// Length of an SM2 ICC public key certificate (9F46).
pub const ICC_CERTIFICATE_LEN: usize = 148;
/// Length of SM2 signed static application data (93).
pub const SSAD_LEN: usize = 67;

const SIG: usize = 64;

fn bad(what: &'static str, why: &'static str) -> Error {
    Error::Malformed { what, why }
}

/// An SM2 public key from the 64 bytes `x ‖ y` that PBOC certificates carry.
pub fn public_key_from_xy(xy: &[u8]) -> Result<PublicKey> {
    if xy.len() != 64 {
        return Err(Error::Length {
            what: "SM2 public key",
            expected: "64",
            actual: xy.len(),
        });
    }
    let mut sec1 = [0u8; 65];
    sec1[0] = 0x04;
    sec1[1..].copy_from_slice(xy);
    PublicKey::from_sec1_bytes(&sec1).map_err(|_| bad("SM2 public key", "not a point on the curve"))
}

/// The 64 bytes `x ‖ y` of an SM2 public key.
pub fn public_key_xy(key: &PublicKey) -> [u8; 64] {
    let mut out = [0u8; 64];
    out.copy_from_slice(&key.to_sec1_bytes()[1..]);
    out
}

/// A verifying key with the standard distinguishing ID: plain or prepared.
trait Verifier {
    fn z(&self) -> mpay_gmt::Result<[u8; 32]>;
    fn verify_digest(&self, e: &[u8; 32], signature: &Signature) -> mpay_gmt::Result<()>;
}

impl Verifier for PublicKey {
    fn z(&self) -> mpay_gmt::Result<[u8; 32]> {
        PublicKey::z(self, DEFAULT_ID)
    }
    fn verify_digest(&self, e: &[u8; 32], signature: &Signature) -> mpay_gmt::Result<()> {
        PublicKey::verify_digest(self, e, signature)
    }
}

impl Verifier for PreparedPublicKey {
    fn z(&self) -> mpay_gmt::Result<[u8; 32]> {
        PreparedPublicKey::z(self, DEFAULT_ID)
    }
    fn verify_digest(&self, e: &[u8; 32], signature: &Signature) -> mpay_gmt::Result<()> {
        PreparedPublicKey::verify_digest(self, e, signature)
    }
}

/// Verifies `sig` (64 bytes `r ‖ s`) by `key` over the concatenation of `parts`.
fn verify_parts(
    what: &'static str,
    key: &impl Verifier,
    parts: &[&[u8]],
    sig: &[u8],
) -> Result<()> {
    let signature = Signature::from_raw(sig).map_err(|_| Error::Verification { what })?;
    let z = key.z().map_err(|_| bad(what, "public key"))?;
    let mut all: [&[u8]; 4] = [&z, &[], &[], &[]];
    let n = parts.len().min(3);
    all[1..=n].copy_from_slice(&parts[..n]);
    let e = mpay_gmt::sm3::hash_parts(&all[..=n]);
    key.verify_digest(&e, &signature)
        .map_err(|_| Error::Verification { what })
}

fn sign_parts(key: &PrivateKey, parts: &[&[u8]]) -> Result<[u8; 64]> {
    let z = key
        .public_key()
        .z(DEFAULT_ID)
        .map_err(|_| bad("SM2 signing key", "public key"))?;
    let mut all: [&[u8]; 4] = [&z, &[], &[], &[]];
    let n = parts.len().min(3);
    all[1..=n].copy_from_slice(&parts[..n]);
    let e = mpay_gmt::sm3::hash_parts(&all[..=n]);
    let sig = key
        .sign_digest(&e)
        .map_err(|_| bad("SM2 signature", "could not be computed"))?;
    Ok(sig.to_raw())
}

fn check_len(what: &'static str, v: &[u8], len: usize) -> Result<()> {
    if v.len() != len {
        return Err(Error::Length {
            what,
            expected: match len {
                ISSUER_CERTIFICATE_LEN => "142",
                ICC_CERTIFICATE_LEN => "148",
                _ => "67",
            },
            actual: v.len(),
        });
    }
    Ok(())
}

/// A verified SM2 issuer public key with its certificate's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sm2IssuerPublicKey {
    /// The key.
    pub key: PublicKey,
    /// Issuer identifier: the leftmost 3–8 PAN digits, F-padded.
    pub issuer_id: [u8; 4],
    /// Certificate expiry, MMYY.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// A verified SM2 ICC public key with its certificate's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sm2IccPublicKey {
    /// The key.
    pub key: PublicKey,
    /// The PAN it is bound to, F-padded to 10 bytes.
    pub pan: [u8; 10],
    /// Certificate expiry, MMYY.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// Checks the common fields of both certificates from `at` (the algorithm indicators, the
/// parameter and the key length) and returns the key.
fn key_fields(what: &'static str, c: &[u8], at: usize) -> Result<PublicKey> {
    if c[at] != ALGORITHM_SM2 || c[at + 1] != ALGORITHM_SM2 {
        return Err(bad(
            what,
            "signature or key algorithm indicator is not 04 (SM2)",
        ));
    }
    if c[at + 3] != 0x40 {
        return Err(bad(what, "key length is not 64"));
    }
    public_key_from_xy(&c[at + 4..at + 68])
}

/// Verifies an SM2 issuer public key certificate (90) under the CA key: format `12`, the
/// algorithm indicators, the issuer identifier against the PAN, the expiry against
/// `today_yymm`, and the signature.
pub fn verify_issuer_certificate(
    ca: &PublicKey,
    certificate: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<Sm2IssuerPublicKey> {
    issuer_certificate(ca, certificate, pan, today_yymm)
}

/// [`verify_issuer_certificate`] under a CA key prepared once ([`PreparedPublicKey`]: a
/// fixed-base table for the key and its `Z`), as a terminal holds its CA keys; the same checks
/// and results, about 3× faster. The [`Kernel`](crate::kernel::Kernel) prepares its SM2 CA
/// keys when it is built.
///
/// ```
/// use mpay_emv::oda::sm2;
/// use mpay_gmt::sm2::{PreparedPublicKey, PrivateKey};
///
/// let ca = PrivateKey::from_bytes(&[0x11; 32]).unwrap();
/// let issuer = PrivateKey::from_bytes(&[0x22; 32]).unwrap();
/// let c90 = sm2::sign_issuer_certificate(&ca, &issuer.public_key(), [0x62, 0x28, 0x48, 0xFF], [0x12, 0x30], [0, 0, 1])?;
/// let prepared = PreparedPublicKey::new(&ca.public_key()); // once, at terminal set-up
/// let ik = sm2::verify_issuer_certificate_prepared(&prepared, &c90, "6228480000000000017", [0x26, 0x11])?;
/// assert_eq!(ik.key, issuer.public_key());
/// # Ok::<(), mpay_emv::Error>(())
/// ```
pub fn verify_issuer_certificate_prepared(
    ca: &PreparedPublicKey,
    certificate: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<Sm2IssuerPublicKey> {
    issuer_certificate(ca, certificate, pan, today_yymm)
}

fn issuer_certificate(
    ca: &impl Verifier,
    certificate: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<Sm2IssuerPublicKey> {
    const W: &str = "SM2 issuer public key certificate";
    check_len(W, certificate, ISSUER_CERTIFICATE_LEN)?;
    let c = certificate;
    if c[0] != 0x12 {
        return Err(bad(W, "certificate format is not 12"));
    }
    verify_parts(W, ca, &[&c[..78]], &c[78..])?;
    let key = key_fields(W, c, 10)?;
    let mut issuer_id = [0u8; 4];
    issuer_id.copy_from_slice(&c[1..5]);
    if !matches_pan(&issuer_id, &pan_field::<10>(pan)?) {
        return Err(bad(W, "issuer identifier does not match the PAN"));
    }
    let expiry = [c[5], c[6]];
    if expired(expiry, today_yymm) {
        return Err(Error::Verification {
            what: "SM2 issuer public key certificate (expired)",
        });
    }
    Ok(Sm2IssuerPublicKey {
        key,
        issuer_id,
        expiry,
        serial: [c[7], c[8], c[9]],
    })
}

/// Verifies an SM2 ICC public key certificate (9F46) under the issuer key, over the
/// certificate data and the static data to authenticate ([`super::static_data`]).
pub fn verify_icc_certificate(
    issuer: &PublicKey,
    certificate: &[u8],
    static_data: &[u8],
    pan: &str,
    today_yymm: [u8; 2],
) -> Result<Sm2IccPublicKey> {
    const W: &str = "SM2 ICC public key certificate";
    check_len(W, certificate, ICC_CERTIFICATE_LEN)?;
    let c = certificate;
    if c[0] != 0x14 {
        return Err(bad(W, "certificate format is not 14"));
    }
    verify_parts(W, issuer, &[&c[..84], static_data], &c[84..])?;
    let key = key_fields(W, c, 16)?;
    let mut pan_bytes = [0u8; 10];
    pan_bytes.copy_from_slice(&c[1..11]);
    if pan_bytes != pan_field::<10>(pan)? {
        return Err(bad(W, "PAN does not match the card's"));
    }
    let expiry = [c[11], c[12]];
    if expired(expiry, today_yymm) {
        return Err(Error::Verification {
            what: "SM2 ICC public key certificate (expired)",
        });
    }
    Ok(Sm2IccPublicKey {
        key,
        pan: pan_bytes,
        expiry,
        serial: [c[13], c[14], c[15]],
    })
}

/// SDA: verifies SM2 signed static application data (93) and returns the data authentication
/// code (9F45).
pub fn verify_sda(issuer: &PublicKey, ssad: &[u8], static_data: &[u8]) -> Result<[u8; 2]> {
    const W: &str = "SM2 signed static application data";
    check_len(W, ssad, SSAD_LEN)?;
    if ssad[0] != 0x13 {
        return Err(bad(W, "format is not 13"));
    }
    verify_parts(W, issuer, &[&ssad[..3], static_data], &ssad[3..])?;
    Ok([ssad[1], ssad[2]])
}

/// DDA and fDDA: verifies SM2 signed dynamic application data (9F4B) over the terminal's
/// dynamic data and returns the ICC dynamic data.
pub fn verify_dda(icc: &PublicKey, sdad: &[u8], terminal_dynamic_data: &[u8]) -> Result<Vec<u8>> {
    const W: &str = "SM2 signed dynamic application data";
    if sdad.len() < 2 + SIG || sdad[0] != 0x15 {
        return Err(bad(W, "not format 15 with a 64-byte signature"));
    }
    let l = usize::from(sdad[1]);
    if sdad.len() != 2 + l + SIG {
        return Err(bad(W, "ICC dynamic data length does not match the object"));
    }
    verify_parts(
        W,
        icc,
        &[&sdad[..2 + l], terminal_dynamic_data],
        &sdad[2 + l..],
    )?;
    Ok(sdad[2..2 + l].to_vec())
}

fn key_block(out: &mut Vec<u8>, key: &PublicKey) {
    out.extend_from_slice(&[ALGORITHM_SM2, ALGORITHM_SM2, 0x00, 0x40]);
    out.extend_from_slice(&public_key_xy(key));
}

/// Builds and signs an SM2 issuer public key certificate (90) with the CA's private key.
pub fn sign_issuer_certificate(
    ca: &PrivateKey,
    issuer: &PublicKey,
    issuer_id: [u8; 4],
    expiry_mmyy: [u8; 2],
    serial: [u8; 3],
) -> Result<Vec<u8>> {
    let mut c = Vec::with_capacity(ISSUER_CERTIFICATE_LEN);
    c.push(0x12);
    c.extend_from_slice(&issuer_id);
    c.extend_from_slice(&expiry_mmyy);
    c.extend_from_slice(&serial);
    key_block(&mut c, issuer);
    let sig = sign_parts(ca, &[&c])?;
    c.extend_from_slice(&sig);
    Ok(c)
}

/// Builds and signs an SM2 ICC public key certificate (9F46) with the issuer's private key,
/// binding the static data to authenticate.
pub fn sign_icc_certificate(
    issuer: &PrivateKey,
    icc: &PublicKey,
    pan: &str,
    expiry_mmyy: [u8; 2],
    serial: [u8; 3],
    static_data: &[u8],
) -> Result<Vec<u8>> {
    let mut c = Vec::with_capacity(ICC_CERTIFICATE_LEN);
    c.push(0x14);
    c.extend_from_slice(&pan_field::<10>(pan)?);
    c.extend_from_slice(&expiry_mmyy);
    c.extend_from_slice(&serial);
    key_block(&mut c, icc);
    let sig = sign_parts(issuer, &[&c, static_data])?;
    c.extend_from_slice(&sig);
    Ok(c)
}

/// Signs static application data (93) for SM2 SDA with the issuer's private key.
pub fn sign_sda(issuer: &PrivateKey, dac: [u8; 2], static_data: &[u8]) -> Result<Vec<u8>> {
    let mut c = vec![0x13, dac[0], dac[1]];
    let sig = sign_parts(issuer, &[&c, static_data])?;
    c.extend_from_slice(&sig);
    Ok(c)
}

/// Signs dynamic application data (9F4B) for SM2 DDA/fDDA with the ICC private key.
pub fn sign_dda(
    icc: &PrivateKey,
    icc_dynamic_data: &[u8],
    terminal_dynamic_data: &[u8],
) -> Result<Vec<u8>> {
    let l = u8::try_from(icc_dynamic_data.len()).map_err(|_| Error::Length {
        what: "ICC dynamic data",
        expected: "0 to 255",
        actual: icc_dynamic_data.len(),
    })?;
    let mut c = Vec::with_capacity(2 + icc_dynamic_data.len() + SIG);
    c.push(0x15);
    c.push(l);
    c.extend_from_slice(icc_dynamic_data);
    let sig = sign_parts(icc, &[&c, terminal_dynamic_data])?;
    c.extend_from_slice(&sig);
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> PrivateKey {
        PrivateKey::from_bytes(&[b; 32]).unwrap()
    }

    #[test]
    fn chain_and_signatures_round_trip_and_reject_tampering() {
        let (ca, iss, icc) = (key(1), key(2), key(3));
        let pan = "6228480000000000017";
        let sd = b"static data to be authenticated";
        let c90 = sign_issuer_certificate(
            &ca,
            &iss.public_key(),
            [0x62, 0x28, 0x48, 0xFF],
            [0x12, 0x30],
            [0, 0, 1],
        )
        .unwrap();
        assert_eq!(c90.len(), ISSUER_CERTIFICATE_LEN);
        let c46 = sign_icc_certificate(&iss, &icc.public_key(), pan, [0x12, 0x30], [0, 0, 2], sd)
            .unwrap();
        assert_eq!(c46.len(), ICC_CERTIFICATE_LEN);
        let ik = verify_issuer_certificate(&ca.public_key(), &c90, pan, [0x26, 0x11]).unwrap();
        assert_eq!(ik.key, iss.public_key());
        let prepared = PreparedPublicKey::new(&ca.public_key());
        assert_eq!(
            verify_issuer_certificate_prepared(&prepared, &c90, pan, [0x26, 0x11]).unwrap(),
            ik
        );
        let ck = verify_icc_certificate(&ik.key, &c46, sd, pan, [0x26, 0x11]).unwrap();
        assert_eq!(ck.key, icc.public_key());
        for i in [0usize, 3, 10, 20, 77, 100, 141] {
            let mut bad = c90.clone();
            bad[i] ^= 0x01;
            assert!(
                verify_issuer_certificate(&ca.public_key(), &bad, pan, [0x26, 0x11]).is_err(),
                "byte {i}"
            );
            assert!(
                verify_issuer_certificate_prepared(&prepared, &bad, pan, [0x26, 0x11]).is_err(),
                "byte {i}"
            );
        }
        assert!(
            verify_icc_certificate(&ik.key, &c46, b"other static data", pan, [0x26, 0x11]).is_err()
        );
        assert!(
            verify_icc_certificate(&ik.key, &c46, sd, "6228480000000000018", [0x26, 0x11]).is_err()
        );
        assert!(matches!(
            verify_issuer_certificate(&ca.public_key(), &c90, pan, [0x31, 0x01]),
            Err(Error::Verification { .. })
        ));
        assert!(
            verify_issuer_certificate(&ca.public_key(), &c90, "4761739001010119", [0x26, 0x11])
                .is_err()
        );
        let ssad = sign_sda(&iss, [0xDA, 0xC1], sd).unwrap();
        assert_eq!(ssad.len(), SSAD_LEN);
        assert_eq!(
            verify_sda(&iss.public_key(), &ssad, sd).unwrap(),
            [0xDA, 0xC1]
        );
        assert!(verify_sda(&iss.public_key(), &ssad, b"x").is_err());
        let sdad = sign_dda(&icc, &[0x02, 0xAB, 0xCD], b"UN+amount").unwrap();
        assert_eq!(
            verify_dda(&icc.public_key(), &sdad, b"UN+amount").unwrap(),
            [0x02, 0xAB, 0xCD]
        );
        assert!(verify_dda(&icc.public_key(), &sdad, b"UN+amounT").is_err());
        assert!(verify_dda(&icc.public_key(), &sdad[..10], b"UN+amount").is_err());
    }
}
