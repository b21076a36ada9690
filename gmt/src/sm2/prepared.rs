//! A prepared SM2 verifying key: a public key with a precomputed fixed-base table, for keys
//! that verify many signatures over a long life (a payment terminal's CA public keys, a
//! switch's trusted signers).

use super::sign::{check, message_digest, reduce, verify_scalars};
use super::{DEFAULT_ID, PublicKey, Signature, arith::CombTable};
use crate::Result;
use alloc::sync::Arc;

/// An SM2 public key prepared for fast verification.
///
/// [`PreparedPublicKey::new`] builds a fixed-base comb for the key's point (43 rows × 32
/// affine multiples, 88 KiB, about 1 ms once) and the user hash `Z` for [`DEFAULT_ID`].
/// Verification then computes `[s]G + [t]P` with two tables and no point doubling — one mixed
/// addition per signed radix-64 digit of each scalar — instead of a 256-step double-and-add
/// loop. Results are identical to [`PublicKey::verify`] / [`PublicKey::verify_digest`].
/// Verification handles only public data, so its variable time is no concern; signing never
/// uses these tables.
///
/// Preparing pays off from a few verifications on: use it for static keys (CA keys), not for
/// a key seen once. Cloning shares the table.
///
/// ```
/// use mpay_gmt::sm2::{PreparedPublicKey, PrivateKey, DEFAULT_ID};
/// let key = PrivateKey::from_bytes(&[7; 32]).unwrap();
/// let prepared = PreparedPublicKey::new(&key.public_key());
/// let sig = key.sign(DEFAULT_ID, b"issuer certificate").unwrap();
/// assert!(prepared.verify(DEFAULT_ID, b"issuer certificate", &sig).is_ok());
/// assert!(prepared.verify(DEFAULT_ID, b"issuer certificatE", &sig).is_err());
/// assert_eq!(prepared.public_key(), &key.public_key());
/// ```
#[derive(Clone)]
pub struct PreparedPublicKey {
    key: PublicKey,
    z_default: [u8; 32],
    table: Arc<CombTable>,
}

impl PreparedPublicKey {
    /// Prepares `key`: builds its comb table and its `Z` for [`DEFAULT_ID`].
    pub fn new(key: &PublicKey) -> Self {
        let z_default = super::z(DEFAULT_ID, key).expect("DEFAULT_ID is 16 bytes");
        PreparedPublicKey {
            key: *key,
            z_default,
            table: Arc::new(CombTable::new(key.as_affine())),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The user hash `Z` for `id` (the [`DEFAULT_ID`] one is cached).
    pub fn z(&self, id: &[u8]) -> Result<[u8; 32]> {
        if id == DEFAULT_ID {
            Ok(self.z_default)
        } else {
            self.key.z(id)
        }
    }

    /// Verifies `signature` on `msg` for distinguishing ID `id`; same result as
    /// [`PublicKey::verify`].
    pub fn verify(&self, id: &[u8], msg: &[u8], signature: &Signature) -> Result<()> {
        let e = if id == DEFAULT_ID {
            crate::sm3::hash_parts(&[&self.z_default, msg])
        } else {
            message_digest(id, &self.key, msg)?
        };
        self.verify_digest(&e, signature)
    }

    /// Verifies against a precomputed `e = SM3(Z ‖ M)`; same result as
    /// [`PublicKey::verify_digest`].
    pub fn verify_digest(&self, e: &[u8; 32], signature: &Signature) -> Result<()> {
        let (r, s, t) = verify_scalars(signature)?;
        check(super::arith::verify_equation_prepared(
            &reduce(e),
            &r,
            &s,
            &t,
            &self.table,
        ))
    }
}

impl From<PublicKey> for PreparedPublicKey {
    fn from(key: PublicKey) -> Self {
        PreparedPublicKey::new(&key)
    }
}

impl From<&PublicKey> for PreparedPublicKey {
    fn from(key: &PublicKey) -> Self {
        PreparedPublicKey::new(key)
    }
}

/// Equal when the keys are equal (the table is a function of the key).
impl PartialEq for PreparedPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for PreparedPublicKey {}

impl core::fmt::Debug for PreparedPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreparedPublicKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sm2::PrivateKey;

    /// A deterministic byte stream (SM3 in counter mode).
    struct Stream([u8; 32]);

    impl Stream {
        fn next(&mut self) -> [u8; 32] {
            self.0 = crate::sm3::hash(&self.0);
            self.0
        }
    }

    #[test]
    fn agrees_with_the_generic_path() {
        let mut rnd = Stream([0xA5; 32]);
        for round in 0..12 {
            let key = PrivateKey::from_bytes(&rnd.next()).unwrap();
            let other = PrivateKey::from_bytes(&rnd.next()).unwrap();
            let plain = key.public_key();
            let prepared = PreparedPublicKey::new(&plain);
            assert_eq!(
                prepared.z(DEFAULT_ID).unwrap(),
                plain.z(DEFAULT_ID).unwrap()
            );
            assert_eq!(prepared.z(b"").unwrap(), plain.z(b"").unwrap());
            let msg = rnd.next();
            let msg = &msg[..usize::from(msg[0] % 33)];
            let id: &[u8] = if round % 3 == 0 { b"" } else { DEFAULT_ID };
            let good = key.sign(id, msg).unwrap();
            // Valid, then invalid: wrong key, wrong message, wrong ID, random (r, s), r and s
            // each perturbed.
            let random = Signature::from_scalars(rnd.next(), rnd.next());
            let mut cases = alloc::vec![
                (good, msg.to_vec(), id),
                (other.sign(id, msg).unwrap(), msg.to_vec(), id),
                (good, [msg, b"x"].concat(), id),
                (
                    good,
                    msg.to_vec(),
                    if id.is_empty() { DEFAULT_ID } else { b"" }
                ),
            ];
            if let Ok(sig) = random {
                cases.push((sig, msg.to_vec(), id));
            }
            let mut r = *good.r();
            r[31] ^= 1;
            let mut s = *good.s();
            s[0] ^= 0x40;
            for sig in [
                Signature::from_scalars(r, *good.s()),
                Signature::from_scalars(*good.r(), s),
            ]
            .into_iter()
            .flatten()
            {
                cases.push((sig, msg.to_vec(), id));
            }
            for (i, (sig, m, id)) in cases.iter().enumerate() {
                let want = plain.verify(id, m, sig);
                assert_eq!(prepared.verify(id, m, sig), want, "round {round} case {i}");
                assert_eq!(want.is_ok(), i == 0, "round {round} case {i}");
                let e = rnd.next();
                assert_eq!(
                    prepared.verify_digest(&e, sig),
                    plain.verify_digest(&e, sig)
                );
            }
        }
    }

    #[test]
    fn exceptional_additions_agree() {
        use elliptic_curve::{PrimeField, point::AffineCoordinates};
        use sm2::{ProjectivePoint, Scalar};
        // P = G and scalars chosen so that the comb sum meets its exceptional cases: s = 5,
        // t = 69 adds 5G to 5G (a doubling), s = 5, t = 59 (digits −5, 1) passes through the
        // identity, t = −s ends at the identity.
        let mut one = [0u8; 32];
        one[31] = 1;
        let plain = PrivateKey::from_bytes(&one).unwrap().public_key();
        let prepared = PreparedPublicKey::new(&plain);
        let big = Scalar::from_repr(Stream([9; 32]).next().into()).unwrap();
        for (s, t) in [
            (Scalar::from(5u64), Scalar::from(69u64)),
            (Scalar::from(5u64), Scalar::from(59u64)),
            (big, -big),
            (big, big.double()),
        ] {
            let r = t - s;
            let sig = Signature::from_scalars(r.to_repr().into(), s.to_repr().into()).unwrap();
            let q = (ProjectivePoint::GENERATOR * (s + t)).to_affine();
            let x = if bool::from(q.is_identity()) {
                Scalar::ZERO
            } else {
                reduce(&q.x().into())
            };
            for (e, valid) in [
                (r - x, !bool::from(q.is_identity())),
                (r - x + Scalar::ONE, false),
            ] {
                let e: [u8; 32] = e.to_repr().into();
                assert_eq!(plain.verify_digest(&e, &sig).is_ok(), valid);
                assert_eq!(prepared.verify_digest(&e, &sig).is_ok(), valid);
            }
        }
    }
}
