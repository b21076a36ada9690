//! SM2 key exchange (GM/T 0003.3 §6) for both roles, with the optional key confirmation
//! (`S_B` from the responder, `S_A` from the initiator).
//!
//! ```
//! use mpay_gmt::sm2::{KeyExchange, PrivateKey, Role, DEFAULT_ID};
//! let rng = &mut getrandom::SysRng;
//! let (alice, bob) = (PrivateKey::random().unwrap(), PrivateKey::random().unwrap());
//! // A → B: R_A
//! let a = KeyExchange::new(rng, Role::Initiator, &alice, DEFAULT_ID, &bob.public_key(), DEFAULT_ID).unwrap();
//! let b = KeyExchange::new(rng, Role::Responder, &bob, DEFAULT_ID, &alice.public_key(), DEFAULT_ID).unwrap();
//! let (ra, rb) = (a.ephemeral_public_key(), b.ephemeral_public_key());
//! // B computes its key and S_B, sends R_B and S_B
//! let kb = b.finish(&ra, 16).unwrap();
//! // A checks S_B, sends S_A
//! let ka = a.finish(&rb, 16).unwrap();
//! ka.verify_peer_confirmation(kb.confirmation()).unwrap();
//! kb.verify_peer_confirmation(ka.confirmation()).unwrap();
//! assert_eq!(ka.key(), kb.key());
//! ```

use super::{PrivateKey, PublicKey, random_scalar};
use crate::{Error, Result};
use alloc::vec::Vec;
use elliptic_curve::{Group, PrimeField, point::AffineCoordinates};
use rand_core::TryCryptoRng;
use sm2::{NonZeroScalar, ProjectivePoint, Scalar};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Which side of the exchange this party is (it fixes the order of `Z_A`, `Z_B` and of the
/// ephemeral points in the hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// User A, who sends `R_A` first and checks `S_B`.
    Initiator,
    /// User B, who answers with `R_B` and `S_B` and checks `S_A`.
    Responder,
}

/// One party's state: static key, both users' Z values and the ephemeral key pair `(r, R)`.
/// The ephemeral scalar is zeroized on drop.
pub struct KeyExchange {
    role: Role,
    d: NonZeroScalar,
    own_z: [u8; 32],
    peer: PublicKey,
    peer_z: [u8; 32],
    r: NonZeroScalar,
    big_r: PublicKey,
}

impl Drop for KeyExchange {
    fn drop(&mut self) {
        self.d.zeroize();
        self.r.zeroize();
    }
}

impl core::fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyExchange")
            .field("role", &self.role)
            .field("ephemeral_public_key", &self.big_r)
            .finish_non_exhaustive()
    }
}

/// The outcome: the shared key and the two confirmation values.
pub struct ExchangeResult {
    key: Zeroizing<Vec<u8>>,
    own_confirmation: [u8; 32],
    expected_peer_confirmation: [u8; 32],
}

impl core::fmt::Debug for ExchangeResult {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExchangeResult")
            .field("key_len", &self.key.len())
            .finish_non_exhaustive()
    }
}

impl ExchangeResult {
    /// The shared key `K` (`key_len` bytes).
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The confirmation value this party sends: `S_B` for the responder, `S_A` for the initiator.
    pub fn confirmation(&self) -> &[u8; 32] {
        &self.own_confirmation
    }

    /// Checks the peer's confirmation in constant time (`S_1 = S_B` for the initiator, `S_2 = S_A`
    /// for the responder).
    pub fn verify_peer_confirmation(&self, value: &[u8]) -> Result<()> {
        if bool::from(self.expected_peer_confirmation.as_slice().ct_eq(value)) {
            Ok(())
        } else {
            Err(Error::KeyExchange("peer confirmation value mismatch"))
        }
    }
}

/// `x̄ = 2^w + (x mod 2^w)`, w = 127.
fn x_bar(x: &[u8; 32]) -> Scalar {
    let mut b = [0u8; 32];
    b[16..].copy_from_slice(&x[16..]);
    b[16] |= 0x80;
    Scalar::from_repr(b.into())
        .into_option()
        .expect("below 2^128 < n")
}

impl KeyExchange {
    /// Starts an exchange with a fresh ephemeral key from `rng`. `own_id`/`peer_id` are the two
    /// distinguishing IDs (usually [`super::DEFAULT_ID`]).
    pub fn new<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        role: Role,
        own: &PrivateKey,
        own_id: &[u8],
        peer: &PublicKey,
        peer_id: &[u8],
    ) -> Result<Self> {
        let r = random_scalar(rng)?;
        Self::build(role, own, own_id, peer, peer_id, r)
    }

    /// Starts an exchange with a caller-supplied ephemeral scalar: for the GM/T 0003.5
    /// known-answer test, or when the ephemeral key pair was generated in an earlier step (as
    /// `mpay sm2 exchange` does). It must be fresh and used for one exchange only.
    pub fn with_ephemeral_key(
        role: Role,
        own: &PrivateKey,
        own_id: &[u8],
        peer: &PublicKey,
        peer_id: &[u8],
        r: &[u8; 32],
    ) -> Result<Self> {
        let r: Option<NonZeroScalar> = NonZeroScalar::from_repr((*r).into()).into_option();
        let r = r.ok_or(Error::InvalidPrivateKey(
            "ephemeral r is zero or not below n",
        ))?;
        Self::build(role, own, own_id, peer, peer_id, r)
    }

    fn build(
        role: Role,
        own: &PrivateKey,
        own_id: &[u8],
        peer: &PublicKey,
        peer_id: &[u8],
        r: NonZeroScalar,
    ) -> Result<Self> {
        let big_r = PublicKey::from_secret(&r);
        Ok(KeyExchange {
            role,
            d: *own.scalar(),
            own_z: own.public_key().z(own_id)?,
            peer: *peer,
            peer_z: peer.z(peer_id)?,
            r,
            big_r,
        })
    }

    /// This party's ephemeral public key (`R_A` or `R_B`) to send to the peer.
    pub fn ephemeral_public_key(&self) -> PublicKey {
        self.big_r
    }

    /// Completes the exchange with the peer's ephemeral public key, deriving `key_len` bytes.
    pub fn finish(self, peer_ephemeral: &PublicKey, key_len: usize) -> Result<ExchangeResult> {
        let own_r = self.big_r.as_affine();
        let peer_r = peer_ephemeral.as_affine();
        let (own_x, own_y): ([u8; 32], [u8; 32]) = (own_r.x().into(), own_r.y().into());
        let (peer_x, peer_y): ([u8; 32], [u8; 32]) = (peer_r.x().into(), peer_r.y().into());
        let mut t = *self.d + x_bar(&own_x) * *self.r;
        let peer_part = ProjectivePoint::from(*self.peer.as_affine())
            + super::arith::mul_vartime(peer_r, &x_bar(&peer_x));
        // h = 1 for the SM2 curve.
        let v = peer_part * t;
        t.zeroize();
        if bool::from(v.is_identity()) {
            return Err(Error::KeyExchange("shared point is the point at infinity"));
        }
        let v = v.to_affine();
        let (mut xv, mut yv): ([u8; 32], [u8; 32]) = (v.x().into(), v.y().into());
        let (za, zb, x1, y1, x2, y2) = match self.role {
            Role::Initiator => (&self.own_z, &self.peer_z, &own_x, &own_y, &peer_x, &peer_y),
            Role::Responder => (&self.peer_z, &self.own_z, &peer_x, &peer_y, &own_x, &own_y),
        };
        let key = Zeroizing::new(crate::sm3::kdf(&[&xv, &yv, za, zb], key_len));
        let inner = crate::sm3::hash_parts(&[&xv, za, zb, x1, y1, x2, y2]);
        let s02 = crate::sm3::hash_parts(&[&[0x02], &yv, &inner]);
        let s03 = crate::sm3::hash_parts(&[&[0x03], &yv, &inner]);
        xv.zeroize();
        yv.zeroize();
        let (own_confirmation, expected_peer_confirmation) = match self.role {
            Role::Initiator => (s03, s02),
            Role::Responder => (s02, s03),
        };
        Ok(ExchangeResult {
            key,
            own_confirmation,
            expected_peer_confirmation,
        })
    }
}
