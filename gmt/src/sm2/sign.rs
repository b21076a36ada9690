//! SM2 digital signatures (GM/T 0003.2) and the GM/T 0009 `SM2Signature` encoding.

use super::{PrivateKey, PublicKey, fixed32, scalar_from_be};
use crate::{Error, Result};
use alloc::vec::Vec;
use der::{Decode, Encode, Sequence, asn1::UintRef};
use elliptic_curve::{Curve, PrimeField, bigint::U256, ops::Reduce, point::AffineCoordinates};
use rand_core::TryCryptoRng;
use sm2::{FieldBytes, NonZeroScalar, Scalar, Sm2};
use zeroize::Zeroize;

/// An SM2 signature `(r, s)`, both in `[1, n-1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    r: [u8; 32],
    s: [u8; 32],
}

/// GM/T 0009 `SM2Signature ::= SEQUENCE { R INTEGER, S INTEGER }`.
#[derive(Sequence)]
struct Sm2SignatureDer<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

impl Signature {
    /// From the two 32-byte big-endian values; each must be in `[1, n-1]`.
    pub fn from_scalars(r: [u8; 32], s: [u8; 32]) -> Result<Self> {
        let ok = |v: &[u8; 32]| scalar_from_be(v).is_some_and(|x| !bool::from(x.is_zero()));
        if !ok(&r) {
            return Err(Error::SignatureRange("r"));
        }
        if !ok(&s) {
            return Err(Error::SignatureRange("s"));
        }
        Ok(Signature { r, s })
    }

    /// `r` as 32 big-endian bytes.
    pub fn r(&self) -> &[u8; 32] {
        &self.r
    }

    /// `s` as 32 big-endian bytes.
    pub fn s(&self) -> &[u8; 32] {
        &self.s
    }

    /// The raw 64-byte form `r ‖ s`.
    pub fn to_raw(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.r);
        out[32..].copy_from_slice(&self.s);
        out
    }

    /// Parses the raw 64-byte form `r ‖ s`.
    pub fn from_raw(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 64 {
            return Err(Error::Length {
                what: "raw SM2 signature",
                len: bytes.len(),
                expected: "64 bytes (r ‖ s)",
            });
        }
        Self::from_scalars(fixed32("r", &bytes[..32])?, fixed32("s", &bytes[32..])?)
    }

    /// The DER form (GM/T 0009 `SM2Signature`, as OpenSSL and GmSSL use in certificates).
    pub fn to_der(&self) -> Vec<u8> {
        Sm2SignatureDer {
            r: UintRef::new(&self.r).expect("32 bytes"),
            s: UintRef::new(&self.s).expect("32 bytes"),
        }
        .to_der()
        .expect("two 32-byte integers always encode")
    }

    /// Parses the DER form (strict DER: minimal integers, no trailing data).
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        let d = Sm2SignatureDer::from_der(bytes).map_err(|e| Error::der("SM2Signature", e))?;
        Self::from_scalars(
            fixed32("SM2Signature.R", d.r.as_bytes())?,
            fixed32("SM2Signature.S", d.s.as_bytes())?,
        )
    }
}

/// `e = SM3(Z ‖ M)` for `id` and `public_key`.
pub(crate) fn message_digest(id: &[u8], public_key: &PublicKey, msg: &[u8]) -> Result<[u8; 32]> {
    let z = super::z(id, public_key)?;
    Ok(crate::sm3::hash_parts(&[&z, msg]))
}

pub(crate) fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(bytes))
}

/// The signature equation for a given nonce `k`; `None` when `r = 0`, `r + k = n` or `s = 0`
/// (the caller then draws another `k`).
fn sign_with_scalar(key: &PrivateKey, e: &[u8; 32], k: &NonZeroScalar) -> Option<Signature> {
    let d = key.scalar();
    let e = reduce(e);
    let p = super::arith::mul_g(k).to_affine();
    let x1 = <Scalar as Reduce<FieldBytes>>::reduce(&p.x());
    let r = e + x1;
    if bool::from(r.is_zero() | (r + **k).is_zero()) {
        return None;
    }
    let s = *key.d1_inv() * (**k - r * **d);
    if bool::from(s.is_zero()) {
        return None;
    }
    Some(Signature {
        r: r.to_repr().into(),
        s: s.to_repr().into(),
    })
}

impl PrivateKey {
    /// Signs `msg` with distinguishing ID `id` (use [`super::DEFAULT_ID`] unless a protocol says
    /// otherwise). The nonce is derived as in RFC 6979 (HMAC-DRBG with SM3), so no RNG is
    /// needed and equal inputs give equal signatures.
    pub fn sign(&self, id: &[u8], msg: &[u8]) -> Result<Signature> {
        let e = message_digest(id, &self.public, msg)?;
        self.sign_digest_hedged(&e, &[])
    }

    /// Signs with the nonce derivation hedged by 32 bytes from `rng` (RFC 6979 §3.6 extra data).
    pub fn sign_with_rng<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        id: &[u8],
        msg: &[u8],
    ) -> Result<Signature> {
        let e = message_digest(id, &self.public, msg)?;
        let mut extra = [0u8; 32];
        rng.try_fill_bytes(&mut extra).map_err(|_| Error::Rng)?;
        let s = self.sign_digest_hedged(&e, &extra);
        extra.zeroize();
        s
    }

    /// Signs a precomputed `e = SM3(Z ‖ M)`.
    pub fn sign_digest(&self, e: &[u8; 32]) -> Result<Signature> {
        self.sign_digest_hedged(e, &[])
    }

    fn sign_digest_hedged(&self, e: &[u8; 32], extra: &[u8]) -> Result<Signature> {
        let d_repr = self.d.to_repr();
        let mut kgen = rfc6979::KGenerator::<sm3::Sm3, _>::new(
            &d_repr,
            e,
            extra,
            <Sm2 as Curve>::ORDER.as_ref(),
        );
        loop {
            let mut kb = FieldBytes::default();
            kgen.fill_next_k(&mut kb);
            let k: Option<NonZeroScalar> = NonZeroScalar::from_repr(kb).into_option();
            kb.zeroize();
            if let Some(k) = k
                && let Some(sig) = sign_with_scalar(self, e, &k)
            {
                return Ok(sig);
            }
        }
    }

    /// Signs with a caller-chosen nonce `k` — for the GM/T 0003.5 known-answer tests only:
    /// reusing `k` reveals the private key.
    pub fn sign_digest_with_nonce(&self, e: &[u8; 32], k: &[u8; 32]) -> Result<Signature> {
        let k: Option<NonZeroScalar> = NonZeroScalar::from_repr((*k).into()).into_option();
        let k = k.ok_or(Error::InvalidPrivateKey("nonce k is zero or not below n"))?;
        sign_with_scalar(self, e, &k).ok_or(Error::SignatureRange("r or s (choose another k)"))
    }
}

impl PublicKey {
    /// Verifies `signature` on `msg` for distinguishing ID `id`.
    pub fn verify(&self, id: &[u8], msg: &[u8], signature: &Signature) -> Result<()> {
        let e = message_digest(id, self, msg)?;
        self.verify_digest(&e, signature)
    }

    /// Verifies against a precomputed `e = SM3(Z ‖ M)`.
    pub fn verify_digest(&self, e: &[u8; 32], signature: &Signature) -> Result<()> {
        let (r, s, t) = verify_scalars(signature)?;
        // Everything here is public: one variable-time joint wNAF loop for [s]G + [t]P.
        check(super::arith::verify_equation(
            &reduce(e),
            &r,
            &s,
            &t,
            self.as_affine(),
        ))
    }
}

/// `(r, s, t = r + s)` of a signature, `t ≠ 0` (GM/T 0003.2 §7.1 B5).
pub(crate) fn verify_scalars(signature: &Signature) -> Result<(Scalar, Scalar, Scalar)> {
    // r, s ∈ [1, n-1] is guaranteed by construction of `Signature`.
    let r = scalar_from_be(&signature.r).ok_or(Error::SignatureRange("r"))?;
    let s = scalar_from_be(&signature.s).ok_or(Error::SignatureRange("s"))?;
    let t = r + s;
    if bool::from(t.is_zero()) {
        return Err(Error::BadSignature);
    }
    Ok((r, s, t))
}

pub(crate) fn check(equation_holds: bool) -> Result<()> {
    if equation_holds {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}
