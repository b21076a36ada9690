//! Field arithmetic mod the SM2 prime `p = 2^256 − 2^224 − 2^96 + 2^64 − 1` for the
//! **variable-time** verification paths of [`super`] (public data only).
//!
//! Montgomery form with `R = 2^256` on four `u64` limbs, always fully reduced (`< p`). The
//! reduction exploits the shape of `p`: `−p⁻¹ mod 2^64 = 1`, so each round's multiplier is the
//! low limb itself, and `p = p′·2^64 − 1` with `p′ = 2^192 − 2^160 − 2^32 + 1`, so adding
//! `m·p` is adding `m·p′` one limb up — shifts, additions and subtractions, no multiplication.
//! A multiplication is then 16 (a squaring 10) 64×64-bit products. Results are exact; the
//! `sm2` crate's fiat-crypto field (constant time) stays in use for every secret path.

use core::ops::{Add, Mul, MulAssign, Neg, Sub};
use sm2::FieldBytes;

/// `p`, little-endian limbs.
const P: [u64; 4] = [
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFF_0000_0000,
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFE_FFFF_FFFF,
];
/// `R mod p = 2^256 − p`.
const R1: [u64; 4] = [1, 0xFFFF_FFFF, 0, 0x1_0000_0000];
/// `R² mod p`.
const R2: [u64; 4] = [0x2_0000_0003, 0x2_FFFF_FFFF, 0x1_0000_0001, 0x4_0000_0002];

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `a − b − borrow`, the borrow out as 0 or 1.
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = u128::from(a)
        .wrapping_sub(u128::from(b))
        .wrapping_sub(u128::from(borrow));
    (t as u64, (t >> 127) as u64)
}

/// `a + b·c + carry` as (low, high).
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) * u128::from(c) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `r − p` if `hi = 1` or `r ≥ p`, else `r` (for `hi·2^256 + r < 2p`).
#[inline(always)]
fn sub_p_if_needed(r: [u64; 4], hi: u64) -> [u64; 4] {
    let (d0, b) = sbb(r[0], P[0], 0);
    let (d1, b) = sbb(r[1], P[1], b);
    let (d2, b) = sbb(r[2], P[2], b);
    let (d3, b) = sbb(r[3], P[3], b);
    let (_, b) = sbb(hi, 0, b);
    // b = 1: hi·2^256 + r < p, keep r.
    let keep = 0u64.wrapping_sub(b);
    [
        (r[0] & keep) | (d0 & !keep),
        (r[1] & keep) | (d1 & !keep),
        (r[2] & keep) | (d2 & !keep),
        (r[3] & keep) | (d3 & !keep),
    ]
}

/// Montgomery reduction of a 512-bit `t < p·2^256`: `t·2^−256 mod p`, fully reduced.
#[inline(always)]
fn reduce(mut t: [u64; 8]) -> [u64; 4] {
    let mut hi = 0u64;
    for i in 0..4 {
        // m = t[i] (−p⁻¹ ≡ 1); t + m·p = t − m + m·p′·2^64 and t[i] − m = 0.
        let m = t[i];
        let a = m << 32;
        let b = m >> 32;
        // d = m·p′ = m + m·2^192 − (m·2^32 + m·2^160), non-negative and < 2^256.
        let (d0, br) = sbb(m, a, 0);
        let (d1, br) = sbb(0, b, br);
        let (d2, br) = sbb(0, a, br);
        let (d3, _) = sbb(m, b, br);
        let (x, c) = adc(t[i + 1], d0, 0);
        t[i + 1] = x;
        let (x, c) = adc(t[i + 2], d1, c);
        t[i + 2] = x;
        let (x, c) = adc(t[i + 3], d2, c);
        t[i + 3] = x;
        let (x, c) = adc(t[i + 4], d3, c);
        t[i + 4] = x;
        // Carry into limb i + 5 accumulates in `hi` until the round that reaches it.
        if i < 3 {
            let (x, c2) = adc(t[i + 5], c, hi);
            t[i + 5] = x;
            hi = c2;
        } else {
            hi += c;
        }
    }
    sub_p_if_needed([t[4], t[5], t[6], t[7]], hi)
}

/// An element of `GF(p)` in Montgomery form, fully reduced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Fe([u64; 4]);

impl Fe {
    pub(super) const ZERO: Fe = Fe([0; 4]);
    pub(super) const ONE: Fe = Fe(R1);

    /// The canonical big-endian encoding, `None` if it is not below `p`.
    pub(super) fn from_repr(bytes: FieldBytes) -> Option<Fe> {
        let mut l = [0u64; 4];
        for (i, limb) in l.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
            *limb = u64::from_be_bytes(b);
        }
        let (_, b) = sbb(l[0], P[0], 0);
        let (_, b) = sbb(l[1], P[1], b);
        let (_, b) = sbb(l[2], P[2], b);
        let (_, b) = sbb(l[3], P[3], b);
        (b == 1).then(|| Fe(l) * Fe(R2))
    }

    /// The canonical big-endian encoding.
    pub(super) fn to_repr(self) -> FieldBytes {
        let l = reduce([self.0[0], self.0[1], self.0[2], self.0[3], 0, 0, 0, 0]);
        let mut out = FieldBytes::default();
        for (i, limb) in l.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    pub(super) fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    pub(super) fn double(&self) -> Fe {
        *self + *self
    }

    pub(super) fn square(&self) -> Fe {
        let a = &self.0;
        // Off-diagonal products once, doubled, then the squares.
        let (t1, c) = mac(0, a[0], a[1], 0);
        let (t2, c) = mac(0, a[0], a[2], c);
        let (t3, t4) = mac(0, a[0], a[3], c);
        let (t3, c) = mac(t3, a[1], a[2], 0);
        let (t4, t5) = mac(t4, a[1], a[3], c);
        let (t5, t6) = mac(t5, a[2], a[3], 0);
        let t7 = t6 >> 63;
        let t6 = (t6 << 1) | (t5 >> 63);
        let t5 = (t5 << 1) | (t4 >> 63);
        let t4 = (t4 << 1) | (t3 >> 63);
        let t3 = (t3 << 1) | (t2 >> 63);
        let t2 = (t2 << 1) | (t1 >> 63);
        let t1 = t1 << 1;
        let (t0, c) = mac(0, a[0], a[0], 0);
        let (t1, c) = adc(t1, c, 0);
        let (s, h) = mac(0, a[1], a[1], 0);
        let (t2, c) = adc(t2, s, c);
        let (t3, c) = adc(t3, h, c);
        let (s, h) = mac(0, a[2], a[2], 0);
        let (t4, c) = adc(t4, s, c);
        let (t5, c) = adc(t5, h, c);
        let (s, h) = mac(0, a[3], a[3], 0);
        let (t6, c) = adc(t6, s, c);
        let (t7, _) = adc(t7, h, c);
        Fe(reduce([t0, t1, t2, t3, t4, t5, t6, t7]))
    }
}

impl Add for Fe {
    type Output = Fe;
    #[inline(always)]
    fn add(self, rhs: Fe) -> Fe {
        let (r0, c) = adc(self.0[0], rhs.0[0], 0);
        let (r1, c) = adc(self.0[1], rhs.0[1], c);
        let (r2, c) = adc(self.0[2], rhs.0[2], c);
        let (r3, c) = adc(self.0[3], rhs.0[3], c);
        Fe(sub_p_if_needed([r0, r1, r2, r3], c))
    }
}

impl Sub for Fe {
    type Output = Fe;
    #[inline(always)]
    fn sub(self, rhs: Fe) -> Fe {
        let (r0, b) = sbb(self.0[0], rhs.0[0], 0);
        let (r1, b) = sbb(self.0[1], rhs.0[1], b);
        let (r2, b) = sbb(self.0[2], rhs.0[2], b);
        let (r3, b) = sbb(self.0[3], rhs.0[3], b);
        // Borrow: add p back (masked).
        let m = 0u64.wrapping_sub(b);
        let (r0, c) = adc(r0, P[0] & m, 0);
        let (r1, c) = adc(r1, P[1] & m, c);
        let (r2, c) = adc(r2, P[2] & m, c);
        let (r3, _) = adc(r3, P[3] & m, c);
        Fe([r0, r1, r2, r3])
    }
}

impl Neg for Fe {
    type Output = Fe;
    fn neg(self) -> Fe {
        Fe::ZERO - self
    }
}

impl Mul for Fe {
    type Output = Fe;
    #[inline(always)]
    fn mul(self, rhs: Fe) -> Fe {
        let (a, b) = (&self.0, &rhs.0);
        let mut t = [0u64; 8];
        for i in 0..4 {
            let mut c = 0;
            for j in 0..4 {
                let (x, h) = mac(t[i + j], a[i], b[j], c);
                t[i + j] = x;
                c = h;
            }
            t[i + 4] = c;
        }
        Fe(reduce(t))
    }
}

impl MulAssign for Fe {
    fn mul_assign(&mut self, rhs: Fe) {
        *self = *self * rhs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use elliptic_curve::{PrimeField, hazmat::FieldArithmetic};
    use sm2::Sm2;

    /// The `sm2` crate's field element, the reference.
    type Ref = <Sm2 as FieldArithmetic>::FieldElement;

    fn bytes_of(l: [u64; 4]) -> FieldBytes {
        let mut out = FieldBytes::default();
        for (i, limb) in l.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// Edge values (0, 1, 2, p−1, p−2, limb boundaries, carries) and pseudo-random ones.
    fn inputs() -> Vec<FieldBytes> {
        let p1 = [P[0] - 1, P[1], P[2], P[3]];
        let p2 = [P[0] - 2, P[1], P[2], P[3]];
        let mut v: Vec<FieldBytes> = [
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            p1,
            p2,
            [u64::MAX, 0, 0, 0],
            [0, 1, 0, 0],
            [u64::MAX, u64::MAX, 0, 0],
            [0, 0, 0, 1 << 63],
            [u64::MAX, u64::MAX, u64::MAX, 0],
            [0, 0xFFFF_FFFF, 0, 0x1_0000_0000],
            [0, P[1], P[2], P[3]],
            [P[0], P[1] - 1, P[2], P[3]],
            [P[0], 0, 0, P[3]],
            [0xFFFF_FFFF, 0, 0xFFFF_FFFF_0000_0000, 0xFFFF_FFFE_0000_0000],
        ]
        .into_iter()
        .map(bytes_of)
        .collect();
        let mut x = [0xa5u8; 32];
        while v.len() < 400 {
            x = crate::sm3::hash(&x);
            let mut b = FieldBytes::from(x);
            // Bias a share of them towards all-ones / all-zeros limbs (carry chains).
            match v.len() % 5 {
                0 => b[4..16].fill(0xff),
                1 => b[8..24].fill(0),
                2 => b[..4].copy_from_slice(&[0xff, 0xff, 0xff, 0xfe]),
                _ => {}
            }
            if Ref::from_repr(b).is_some().into() {
                v.push(b);
            }
        }
        v
    }

    #[test]
    fn agrees_with_the_sm2_crate() {
        let xs = inputs();
        for (i, a) in xs.iter().enumerate() {
            let (fa, ra) = (Fe::from_repr(*a).unwrap(), Ref::from_repr(*a).unwrap());
            assert_eq!(fa.to_repr(), *a);
            assert_eq!(fa.is_zero(), bool::from(ra.is_zero()));
            assert_eq!(fa.square().to_repr(), ra.square().to_repr());
            assert_eq!(fa.double().to_repr(), ra.double().to_repr());
            assert_eq!((-fa).to_repr(), (-ra).to_repr());
            for b in xs.iter().skip(i % 7).step_by(7) {
                let (fb, rb) = (Fe::from_repr(*b).unwrap(), Ref::from_repr(*b).unwrap());
                assert_eq!((fa * fb).to_repr(), (ra * rb).to_repr());
                assert_eq!((fa + fb).to_repr(), (ra + rb).to_repr());
                assert_eq!((fa - fb).to_repr(), (ra - rb).to_repr());
                let mut m = fa;
                m *= fb;
                assert_eq!(m, fa * fb);
            }
        }
        // Long chains stay exact.
        let (mut f, mut r) = (
            Fe::from_repr(xs[20]).unwrap(),
            Ref::from_repr(xs[20]).unwrap(),
        );
        for _ in 0..2000 {
            f = f.square() * f + f.double() - Fe::ONE;
            r = r.square() * r + r.double() - Ref::ONE;
        }
        assert_eq!(f.to_repr(), r.to_repr());
        assert_eq!(Fe::ONE.to_repr(), Ref::ONE.to_repr());
    }

    #[test]
    fn rejects_non_canonical_encodings() {
        for l in [
            P,
            [P[0], P[1], P[2], u64::MAX],
            [u64::MAX; 4],
            [0, 0, 0, P[3] + 1],
        ] {
            assert!(Fe::from_repr(bytes_of(l)).is_none());
        }
    }
}
