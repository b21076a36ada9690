//! SM2 (GM/T 0003-2012 = GB/T 32918): keys, the user hash Z, signatures with any distinguishing
//! ID, public-key encryption and key exchange.
//!
//! Curve arithmetic is the RustCrypto `sm2` crate (fiat-crypto field arithmetic, constant-time
//! scalar multiplication); this module adds what that crate does not offer: byte-string IDs
//! (including the empty ID of the OpenSSL CLI), fixed-nonce known-answer paths, GM/T 0009
//! structures and the key exchange.
//!
//! ```
//! use mpay_gmt::sm2::{PrivateKey, Signature, DEFAULT_ID};
//! let key = PrivateKey::from_bytes(&[0x42; 32]).unwrap();
//! let sig = key.sign(DEFAULT_ID, b"pay 10.00 CNY").unwrap();
//! let der = sig.to_der();
//! let back = Signature::from_der(&der).unwrap();
//! assert!(key.public_key().verify(DEFAULT_ID, b"pay 10.00 CNY", &back).is_ok());
//! // The OpenSSL 3.0 CLI signs with the empty ID by default:
//! assert!(key.public_key().verify(b"", b"pay 10.00 CNY", &back).is_err());
//! ```

mod arith;
mod encrypt;
mod envelope;
mod exchange;
mod keys;
mod prepared;
mod sign;

pub use encrypt::{Ciphertext, CiphertextFormat};
pub use envelope::EnvelopedKey;
pub use exchange::{ExchangeResult, KeyExchange, Role};
pub use prepared::PreparedPublicKey;
pub use sign::Signature;

use crate::{Error, Result};
use elliptic_curve::{PrimeField, point::AffineCoordinates, sec1::ToSec1Point};
use rand_core::TryCryptoRng;
use sm2::{AffinePoint, NonZeroScalar, Scalar};
use zeroize::Zeroize;

/// The default distinguishing ID of GM/T 0009 §10 and GmSSL: `1234567812345678`.
pub const DEFAULT_ID: &[u8] = b"1234567812345678";
/// The empty distinguishing ID (ENTL = 0), the OpenSSL 3.0 CLI's default
/// (`-sigopt distid:` with nothing after the colon).
pub const EMPTY_ID: &[u8] = b"";

/// Length of an uncompressed SEC1 point (`04 ‖ x ‖ y`).
pub const POINT_SIZE: usize = 65;

// Curve parameters for Z (GM/T 0003.5 recommended curve).
const A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const GX: [u8; 32] = hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GY: [u8; 32] = hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nib(b[2 * i]) << 4) | nib(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nib(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("not hex"),
    }
}

/// An SM2 public key (a validated point on the curve, not the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(sm2::PublicKey);

impl PublicKey {
    /// Parses a SEC1 point: uncompressed (`04‖x‖y`, 65 bytes) or compressed (33 bytes).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self> {
        sm2::PublicKey::from_sec1_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| Error::InvalidPublicKey("not a point on the SM2 curve"))
    }

    /// The uncompressed SEC1 encoding `04 ‖ x ‖ y`.
    pub fn to_sec1_bytes(&self) -> [u8; POINT_SIZE] {
        let p = self.0.to_sec1_point(false);
        let mut out = [0u8; POINT_SIZE];
        out.copy_from_slice(p.as_bytes());
        out
    }

    /// The point.
    pub fn as_affine(&self) -> &AffinePoint {
        self.0.as_affine()
    }

    /// The RustCrypto `sm2` public key.
    pub fn inner(&self) -> &sm2::PublicKey {
        &self.0
    }

    /// The user hash `Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)` (GM/T 0003.2 §5.5) for this
    /// key and the distinguishing ID `id` (any bytes, at most 8191).
    pub fn z(&self, id: &[u8]) -> Result<[u8; 32]> {
        z(id, self)
    }
}

impl PublicKey {
    /// `[d]G` through the crate's constant-time fixed-base table.
    pub(crate) fn from_secret(d: &NonZeroScalar) -> Self {
        let p = sm2::PublicKey::from_affine(arith::mul_g(d).to_affine());
        PublicKey(p.expect("[d]G is not the identity for d in [1, n-1]"))
    }
}

impl From<sm2::PublicKey> for PublicKey {
    fn from(p: sm2::PublicKey) -> Self {
        PublicKey(p)
    }
}

/// The user hash `Z` of [`PublicKey::z`].
///
/// ```
/// use mpay_gmt::sm2::{z, PrivateKey, DEFAULT_ID};
/// let key = PrivateKey::from_bytes(&[1; 32]).unwrap();
/// assert_ne!(z(DEFAULT_ID, &key.public_key()).unwrap(), z(b"", &key.public_key()).unwrap());
/// ```
pub fn z(id: &[u8], public_key: &PublicKey) -> Result<[u8; 32]> {
    if id.len() > 8191 {
        return Err(Error::IdTooLong(id.len()));
    }
    let entl = ((id.len() * 8) as u16).to_be_bytes();
    let p = public_key.as_affine();
    Ok(crate::sm3::hash_parts(&[
        &entl,
        id,
        &A,
        &B,
        &GX,
        &GY,
        &p.x(),
        &p.y(),
    ]))
}

/// An SM2 private key `d ∈ [1, n-2]` with its public key. Zeroized on drop; `Debug` shows only
/// the public key.
#[derive(Clone)]
pub struct PrivateKey {
    d: NonZeroScalar,
    /// `(1 + d)⁻¹ mod n`, used by every signature.
    d1_inv: Scalar,
    public: PublicKey,
}

impl PrivateKey {
    /// A random key from `rng`.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        loop {
            let mut b = [0u8; 32];
            rng.try_fill_bytes(&mut b).map_err(|_| Error::Rng)?;
            let k = Self::from_bytes(&b);
            b.zeroize();
            if let Ok(k) = k {
                return Ok(k);
            }
        }
    }

    /// A random key from the operating system's RNG.
    #[cfg(feature = "getrandom")]
    pub fn random() -> Result<Self> {
        Self::generate(&mut getrandom::SysRng)
    }

    /// A key from its 32-byte big-endian scalar. SM2 needs `1 ≤ d ≤ n-2` (so that `1+d` is
    /// invertible).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let d: Option<NonZeroScalar> = NonZeroScalar::from_repr((*bytes).into()).into_option();
        let d = d.ok_or(Error::InvalidPrivateKey(
            "zero or not below the group order n",
        ))?;
        let d1_inv: Option<Scalar> = (*d + Scalar::ONE).invert().into_option();
        let d1_inv = d1_inv.ok_or(Error::InvalidPrivateKey("d = n-1 is not allowed"))?;
        let public = PublicKey::from_secret(&d);
        Ok(PrivateKey { d, d1_inv, public })
    }

    /// The 32-byte big-endian scalar (a secret: zeroize it after use).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.d.to_repr().into())
    }

    /// The public key `[d]G`.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    pub(crate) fn scalar(&self) -> &NonZeroScalar {
        &self.d
    }

    pub(crate) fn d1_inv(&self) -> &Scalar {
        &self.d1_inv
    }

    /// The RustCrypto `sm2` secret key (for its PKCS#8/SEC1 encoders).
    pub fn to_sm2_secret_key(&self) -> sm2::SecretKey {
        sm2::SecretKey::from(self.d)
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.d.zeroize();
        self.d1_inv.zeroize();
    }
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A uniformly random non-zero scalar from `rng` (rejection sampling).
pub(crate) fn random_scalar<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<NonZeroScalar> {
    loop {
        let mut b = [0u8; 32];
        rng.try_fill_bytes(&mut b).map_err(|_| Error::Rng)?;
        let k: Option<NonZeroScalar> = NonZeroScalar::from_repr(b.into()).into_option();
        b.zeroize();
        if let Some(k) = k {
            return Ok(k);
        }
    }
}

pub(crate) fn scalar_from_be(bytes: &[u8; 32]) -> Option<Scalar> {
    Scalar::from_repr((*bytes).into()).into_option()
}

/// Left-pads a big-endian integer of at most 32 bytes to 32 bytes.
pub(crate) fn fixed32(what: &'static str, bytes: &[u8]) -> Result<[u8; 32]> {
    if bytes.len() > 32 {
        return Err(Error::Length {
            what,
            len: bytes.len(),
            expected: "at most 32 bytes",
        });
    }
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(bytes);
    Ok(out)
}
