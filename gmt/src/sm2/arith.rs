//! Scalar multiplication on the SM2 curve beyond what the `sm2` crate offers.
//!
//! - [`mul_g`]: constant-time `[k]G` with a fixed-base table of 65 × 8 affine multiples of `G`
//!   (signed radix-16 digits, one complete mixed addition per digit, every table row scanned in
//!   full with `subtle` selects). The table is built once, on first use, behind a
//!   `once_cell::race::OnceBox` — which needs only `alloc`, so the same code runs with and
//!   without `std` (the `sm2` crate's own tables need `std` or `critical-section`).
//! - [`mul_g_add_vartime`]: `[s]G + [t]P` for **public** scalars and points (signature
//!   verification): one joint (Straus) wNAF loop — width 8 over a table of 64 odd multiples of
//!   `G`, width 5 over 8 odd multiples of `P` computed per call — in Jacobian coordinates with
//!   the `a = −3` doubling (3M + 5S) and mixed addition (7M + 4S), over the variable-time
//!   field of [`fe`] (Montgomery arithmetic specialised to the SM2 prime).
//! - [`mul_vartime`]: `[k]P` for public `k` and `P` (the key exchange's `[x̄]R`).
//!
//! The variable-time functions branch on their inputs and must never see a secret.

use alloc::boxed::Box;
use alloc::vec::Vec;
use elliptic_curve::bigint::{Odd, U256};
use elliptic_curve::{
    Group, PrimeField,
    group::Curve as _,
    point::AffineCoordinates,
    subtle::{Choice, ConditionallySelectable, ConstantTimeEq},
};
use once_cell::race::OnceBox;
use sm2::{AffinePoint, ProjectivePoint, Scalar};
use zeroize::Zeroize;

mod fe;

/// The field of the variable-time paths (public data): see [`fe`]. The constant-time `[k]G`
/// uses the `sm2` crate's own points and field throughout.
use fe::Fe;

/// Number of signed radix-16 digits of a 256-bit scalar (64 nibbles and a carry digit).
const DIGITS: usize = 65;
/// wNAF width for the fixed base `G` (table of 2^(W_G−2) = 64 odd multiples).
const W_G: usize = 8;
/// wNAF width for a variable base (8 odd multiples, computed per call).
const W_P: usize = 5;
/// wNAF length: 256 bits plus a final carry.
const NAF_LEN: usize = 257;

struct Tables {
    /// `comb[i][m-1] = m · 16^i · G` for `m = 1..=8`.
    comb: Box<[[AffinePoint; 8]; DIGITS]>,
    /// `odd[j] = (2j + 1) · G` for `j = 0..64`.
    odd: Box<[Affine; 1 << (W_G - 2)]>,
}

static TABLES: OnceBox<Tables> = OnceBox::new();

fn tables() -> &'static Tables {
    TABLES.get_or_init(|| Box::new(build_tables()))
}

fn build_tables() -> Tables {
    let affine = comb_points(ProjectivePoint::GENERATOR, DIGITS, 8, 4);
    let mut comb = Box::new([[AffinePoint::IDENTITY; 8]; DIGITS]);
    for (row, chunk) in comb.iter_mut().zip(affine.chunks_exact(8)) {
        row.copy_from_slice(chunk);
    }
    let g = ProjectivePoint::GENERATOR;
    let g2 = g.double();
    let mut proj = Vec::with_capacity(1 << (W_G - 2));
    let mut m = g;
    for _ in 0..1 << (W_G - 2) {
        proj.push(m);
        m += g2;
    }
    let mut odd_affine = alloc::vec![AffinePoint::IDENTITY; proj.len()];
    ProjectivePoint::batch_normalize(&proj, &mut odd_affine);
    let mut odd = Box::new([Affine::ZERO; 1 << (W_G - 2)]);
    for (o, a) in odd.iter_mut().zip(&odd_affine) {
        *o = Affine::from_point(a);
    }
    Tables { comb, odd }
}

/// The comb rows of `base`: `rows` rows of `per_row` points, row `i` holding
/// `m · 2^(shift·i) · base` for `m = 1..=per_row`, all normalised with one inversion.
fn comb_points(
    base: ProjectivePoint,
    rows: usize,
    per_row: usize,
    shift: usize,
) -> Vec<AffinePoint> {
    let mut proj: Vec<ProjectivePoint> = Vec::with_capacity(rows * per_row);
    let mut base = base;
    for _ in 0..rows {
        let mut m = base;
        for _ in 0..per_row {
            proj.push(m);
            m += base;
        }
        for _ in 0..shift {
            base = base.double();
        }
    }
    let mut affine = alloc::vec![AffinePoint::IDENTITY; proj.len()];
    ProjectivePoint::batch_normalize(&proj, &mut affine);
    affine
}

/// Signed radix-16 digits `d_0..d_64` of `k` (big-endian bytes), `k = Σ d_i 16^i`,
/// `d_i ∈ [−8, 8)` for `i < 64`, `d_64 ∈ {0, 1}`. Branch-free.
fn radix16(k: &[u8; 32]) -> [i8; DIGITS] {
    let mut d = [0i8; DIGITS];
    for i in 0..32 {
        let b = k[31 - i];
        d[2 * i] = (b & 0x0f) as i8;
        d[2 * i + 1] = (b >> 4) as i8;
    }
    for i in 0..DIGITS - 1 {
        let carry = (d[i] + 8) >> 4;
        d[i] -= carry << 4;
        d[i + 1] += carry;
    }
    d
}

/// `|d| · row[0]` with the sign of `d`, in constant time (`d ∈ [−8, 8]`).
fn select(row: &[AffinePoint; 8], d: i8) -> AffinePoint {
    let mask = d >> 7;
    let abs = ((d + mask) ^ mask) as u8;
    let mut r = AffinePoint::IDENTITY;
    for (j, p) in row.iter().enumerate() {
        r.conditional_assign(p, abs.ct_eq(&(j as u8 + 1)));
    }
    let neg = -r;
    r.conditional_assign(&neg, Choice::from((mask & 1) as u8));
    r
}

/// `[k]G` in constant time (secret `k`: signing nonces, key generation, encryption's `k`).
pub(crate) fn mul_g(k: &Scalar) -> ProjectivePoint {
    let mut bytes: [u8; 32] = k.to_repr().into();
    let mut digits = radix16(&bytes);
    bytes.zeroize();
    let t = tables();
    let mut acc = ProjectivePoint::IDENTITY;
    for (row, &d) in t.comb.iter().zip(digits.iter()) {
        acc += select(row, d);
    }
    digits.zeroize();
    acc
}

/// An affine point as two field elements (never the identity).
#[derive(Clone, Copy)]
struct Affine {
    x: Fe,
    y: Fe,
}

impl Affine {
    const ZERO: Affine = Affine {
        x: Fe::ZERO,
        y: Fe::ZERO,
    };

    fn from_point(p: &AffinePoint) -> Affine {
        // The coordinates of a valid point are canonical field elements.
        Affine {
            x: Fe::from_repr(p.x()).unwrap(),
            y: Fe::from_repr(p.y()).unwrap(),
        }
    }

    fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: -self.y,
        }
    }
}

/// Jacobian coordinates `(X : Y : Z)` ↔ `(X/Z², Y/Z³)`; `Z = 0` is the identity.
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Jacobian {
    const IDENTITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// dbl-2001-b (a = −3): 3M + 5S. The group has odd order, so `Y ≠ 0` for `P ≠ O`.
    fn double(&self) -> Jacobian {
        if self.is_identity() {
            return *self;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x = alpha.square() - beta4.double();
        let z = (self.y + self.z).square() - gamma - delta;
        let y = alpha * (beta4 - x) - gamma.square().double().double().double();
        Jacobian { x, y, z }
    }

    /// madd-2007-bl: 7M + 4S, with the exceptional cases (`O + Q`, `P = ±Q`) handled.
    fn add_affine(&self, q: &Affine) -> Jacobian {
        if self.is_identity() {
            return Jacobian {
                x: q.x,
                y: q.y,
                z: Fe::ONE,
            };
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x = r.square() - j - v.double();
        let y = r * (v - x) - (self.y * j).double();
        let z = (self.z + h).square() - z1z1 - hh;
        Jacobian { x, y, z }
    }

    fn from_affine(q: &Affine) -> Jacobian {
        Jacobian {
            x: q.x,
            y: q.y,
            z: Fe::ONE,
        }
    }

    /// add-2007-bl: 11M + 5S, with the exceptional cases handled.
    fn add(&self, q: &Jacobian) -> Jacobian {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x = r.square() - j - v.double();
        let y = r * (v - x) - (s1 * j).double();
        let z = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Jacobian { x, y, z }
    }

    /// The affine x-coordinate (big-endian bytes), `None` for the identity.
    #[cfg(test)]
    fn affine_x(&self) -> Option<[u8; 32]> {
        invert_vartime(&self.z).map(|zi| (self.x * zi.square()).to_repr().into())
    }

    fn to_projective(self) -> ProjectivePoint {
        let Some(zi) = invert_vartime(&self.z) else {
            return ProjectivePoint::IDENTITY;
        };
        let zi2 = zi.square();
        let x = (self.x * zi2).to_repr();
        let y = (self.y * zi2 * zi).to_repr();
        let p: Option<AffinePoint> = AffinePoint::from_coordinates(&x, &y).into_option();
        // Our formulas keep points on the curve; fall back defensively to the identity.
        p.map(ProjectivePoint::from)
            .unwrap_or(ProjectivePoint::IDENTITY)
    }
}

/// Width-`w` non-adjacent form of a 256-bit big-endian integer: digits odd, `|d| < 2^(w−1)`,
/// at least `w − 1` zeros between non-zero digits. Variable time.
fn wnaf(k: &[u8; 32], w: usize) -> [i8; NAF_LEN] {
    let mut limbs = [0u64; 6];
    for (i, l) in limbs.iter_mut().take(4).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&k[32 - 8 * (i + 1)..32 - 8 * i]);
        *l = u64::from_be_bytes(b);
    }
    let width = 1u64 << w;
    let mask = width - 1;
    let mut naf = [0i8; NAF_LEN];
    let mut pos = 0;
    let mut carry = 0u64;
    while pos < NAF_LEN {
        let (idx, bit) = (pos / 64, pos % 64);
        let buf = if bit + w <= 64 {
            limbs[idx] >> bit
        } else {
            (limbs[idx] >> bit) | (limbs[idx + 1] << (64 - bit))
        };
        let window = carry + (buf & mask);
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            naf[pos] = window as i8;
        } else {
            carry = 1;
            naf[pos] = (window as i64 - width as i64) as i8;
        }
        pos += w;
    }
    naf
}

/// The odd multiples `P, 3P, …, 15P` (public `P`, not the identity): Jacobian additions and one
/// variable-time batch inversion (public data).
fn odd_multiples(p: &AffinePoint) -> [Affine; 1 << (W_P - 2)] {
    let base = Affine::from_point(p);
    let twice = Jacobian::from_affine(&base).double();
    let mut jac = [Jacobian::IDENTITY; 1 << (W_P - 2)];
    jac[0] = Jacobian::from_affine(&base);
    jac[1] = twice.add_affine(&base);
    for i in 2..jac.len() {
        jac[i] = jac[i - 1].add(&twice);
    }
    batch_to_affine_vartime(&jac)
}

/// The field prime `p`.
const P_ODD: Odd<U256> =
    Odd::<U256>::from_be_hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");

/// `x⁻¹` by crypto-bigint's variable-time safegcd (the `sm2` crate's fiat-crypto inversion is
/// the constant-time divstep loop, several times slower); `None` for zero. **Public data only.**
fn invert_vartime(x: &Fe) -> Option<Fe> {
    let u = U256::from_be_slice(&x.to_repr());
    let inv: Option<U256> = u.invert_odd_mod_vartime(&P_ODD).into_option();
    inv.and_then(|i| Fe::from_repr(i.to_be_bytes().as_ref().try_into().ok()?))
}

/// Affine forms of non-identity Jacobian points with one inversion (Montgomery's trick).
/// **Variable time** (public points only).
fn batch_to_affine_vartime<const L: usize>(points: &[Jacobian; L]) -> [Affine; L] {
    let mut prefix = [Fe::ONE; L];
    let mut acc = Fe::ONE;
    for (c, q) in prefix.iter_mut().zip(points) {
        acc *= q.z;
        *c = acc;
    }
    let inv = invert_vartime(&acc);
    let mut inv = inv.expect("points are not the identity");
    let mut out = [Affine::ZERO; L];
    for i in (0..L).rev() {
        let zi = if i == 0 { inv } else { inv * prefix[i - 1] };
        inv *= points[i].z;
        let zi2 = zi.square();
        out[i] = Affine {
            x: points[i].x * zi2,
            y: points[i].y * zi2 * zi,
        };
    }
    out
}

fn pick(table: &[Affine], d: i8) -> Affine {
    if d > 0 {
        table[(d as usize - 1) / 2]
    } else {
        table[((-d) as usize - 1) / 2].neg()
    }
}

/// `[s]G + [t]P` in Jacobian coordinates. **Variable time**: only for public inputs
/// (signature verification). `P` must not be the identity.
fn mul_g_add_jacobian(s: &Scalar, t: &Scalar, p: &AffinePoint) -> Jacobian {
    let ns = wnaf(&s.to_repr().into(), W_G);
    let nt = wnaf(&t.to_repr().into(), W_P);
    let ptab = odd_multiples(p);
    let gtab = &tables().odd[..];
    let top = (0..NAF_LEN)
        .rev()
        .find(|&i| ns[i] != 0 || nt[i] != 0)
        .unwrap_or(0);
    let mut acc = Jacobian::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        if ns[i] != 0 {
            acc = acc.add_affine(&pick(gtab, ns[i]));
        }
        if nt[i] != 0 {
            acc = acc.add_affine(&pick(&ptab, nt[i]));
        }
    }
    acc
}

/// The affine x-coordinate of `[s]G + [t]P`, `None` if it is the identity. **Variable time**.
#[cfg(test)]
fn mul_g_add_vartime(s: &Scalar, t: &Scalar, p: &AffinePoint) -> Option<[u8; 32]> {
    mul_g_add_jacobian(s, t, p).affine_x()
}

/// The SM2 verification equation `(e + x₁) mod n = r` for `(x₁, y₁) = [s]G + [t]P`, with
/// `t = r + s`. **Variable time** (public inputs only). `P` must not be the identity.
pub(crate) fn verify_equation(
    e: &Scalar,
    r: &Scalar,
    s: &Scalar,
    t: &Scalar,
    p: &AffinePoint,
) -> bool {
    x_matches(&mul_g_add_jacobian(s, t, p), &(*r - e))
}

/// `[s]G + [t]P` with both fixed-base tables: one mixed addition per non-zero signed
/// radix-2^[`W_VT`] digit of each scalar, no doubling. **Variable time** (public inputs).
pub(crate) fn verify_equation_prepared(
    e: &Scalar,
    r: &Scalar,
    s: &Scalar,
    t: &Scalar,
    p: &CombTable,
) -> bool {
    let mut acc = Jacobian::IDENTITY;
    acc = g_comb().add_mul(acc, s);
    acc = p.add_mul(acc, t);
    x_matches(&acc, &(*r - e))
}

/// The group order `n` and `p − n`, big-endian.
const N_BYTES: [u8; 32] =
    super::hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
const P_MINUS_N: [u8; 32] =
    super::hex32("000000000000000000000000000000008DFC2094DE39FAD4AC440BF6C62ABEDC");

/// Whether the affine x-coordinate of `q` (not the identity) reduced mod `n` is `c`, without an
/// inversion: `x ∈ [0, p)` with `x mod n = c` means `x = c` or `x = c + n` (the latter only
/// when `c < p − n`), and `x = X/Z²` is checked as `X = x·Z²`.
fn x_matches(q: &Jacobian, c: &Scalar) -> bool {
    if q.is_identity() {
        return false;
    }
    let zz = q.z.square();
    let c_bytes: [u8; 32] = c.to_repr().into();
    let hit = |x: [u8; 32]| -> bool { Fe::from_repr(x.into()).is_some_and(|x| x * zz == q.x) };
    if hit(c_bytes) {
        return true;
    }
    if c_bytes >= P_MINUS_N {
        return false;
    }
    // c + n < p: a 256-bit add without overflow.
    let mut sum = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let v = u16::from(c_bytes[i]) + u16::from(N_BYTES[i]) + carry;
        sum[i] = v as u8;
        carry = v >> 8;
    }
    hit(sum)
}

/// Radix of the variable-time fixed-base combs: signed digits in `[−2^(W−1), 2^(W−1)]`.
const W_VT: usize = 6;
/// Rows of a variable-time comb: `⌈256 / W_VT⌉` (the top digit absorbs the last carry).
const ROWS_VT: usize = 256_usize.div_ceil(W_VT);
/// Points per row: the magnitudes `1..=2^(W_VT−1)`.
const PER_ROW_VT: usize = 1 << (W_VT - 1);

/// A variable-time fixed-base comb for one point `P`: `rows[i][m−1] = m · 2^(W_VT·i) · P`
/// (43 rows × 32 affine points, 88 KiB). Public data: looked up by index, not scanned.
pub(crate) struct CombTable {
    rows: Box<[[Affine; PER_ROW_VT]]>,
}

impl CombTable {
    /// Builds the comb of `p` (not the identity): about 1,400 additions and one inversion.
    pub(crate) fn new(p: &AffinePoint) -> CombTable {
        let affine = comb_points(ProjectivePoint::from(*p), ROWS_VT, PER_ROW_VT, W_VT);
        let rows = affine
            .chunks_exact(PER_ROW_VT)
            .map(|chunk| {
                let mut row = [Affine::ZERO; PER_ROW_VT];
                for (o, a) in row.iter_mut().zip(chunk) {
                    *o = Affine::from_point(a);
                }
                row
            })
            .collect();
        CombTable { rows }
    }

    /// `acc + [k]P`, one mixed addition per non-zero digit. **Variable time**.
    fn add_mul(&self, mut acc: Jacobian, k: &Scalar) -> Jacobian {
        let digits = signed_digits(&k.to_repr().into());
        for (row, &d) in self.rows.iter().zip(digits.iter()) {
            if d > 0 {
                acc = acc.add_affine(&row[d as usize - 1]);
            } else if d < 0 {
                acc = acc.add_affine(&row[(-d) as usize - 1].neg());
            }
        }
        acc
    }
}

static G_COMB: OnceBox<CombTable> = OnceBox::new();

/// The variable-time comb of `G`, built on first use.
fn g_comb() -> &'static CombTable {
    G_COMB.get_or_init(|| Box::new(CombTable::new(&AffinePoint::GENERATOR)))
}

/// Signed radix-2^[`W_VT`] digits of a 256-bit big-endian integer: `k = Σ d_i 2^(W_VT·i)`,
/// `d_i ∈ [−2^(W_VT−1), 2^(W_VT−1))` except the top one, which is in `[0, 2^(W_VT−1)]`.
/// Variable time.
fn signed_digits(k: &[u8; 32]) -> [i8; ROWS_VT] {
    let mut limbs = [0u64; 5];
    for (i, l) in limbs.iter_mut().take(4).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&k[32 - 8 * (i + 1)..32 - 8 * i]);
        *l = u64::from_be_bytes(b);
    }
    let mask = (1u64 << W_VT) - 1;
    let half = 1i64 << (W_VT - 1);
    let mut d = [0i8; ROWS_VT];
    let mut carry = 0i64;
    for (i, di) in d.iter_mut().enumerate() {
        let pos = i * W_VT;
        let (idx, bit) = (pos / 64, pos % 64);
        let buf = if bit + W_VT <= 64 {
            limbs[idx] >> bit
        } else {
            (limbs[idx] >> bit) | (limbs[idx + 1] << (64 - bit))
        };
        let mut v = (buf & mask) as i64 + carry;
        carry = 0;
        if v >= half && i + 1 < ROWS_VT {
            v -= 1 << W_VT;
            carry = 1;
        }
        *di = v as i8;
    }
    d
}

/// `[k]P` in **variable time**, for a public scalar and point (`P` not the identity).
pub(crate) fn mul_vartime(p: &AffinePoint, k: &Scalar) -> ProjectivePoint {
    let nk = wnaf(&k.to_repr().into(), W_P);
    let ptab = odd_multiples(p);
    let mut acc = Jacobian::IDENTITY;
    for i in (0..NAF_LEN).rev() {
        acc = acc.double();
        if nk[i] != 0 {
            acc = acc.add_affine(&pick(&ptab, nk[i]));
        }
    }
    acc.to_projective()
}

#[cfg(test)]
mod tests {
    use super::*;
    use elliptic_curve::{hazmat::FieldArithmetic, ops::Reduce};
    use sm2::Sm2;

    fn scalars() -> Vec<Scalar> {
        let mut v = alloc::vec![
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from(2u64),
            -Scalar::from(2u64),
            Scalar::from(0x7fu64),
            Scalar::from(u64::MAX),
        ];
        // A simple deterministic spread of full-width values.
        let mut x = [0x5au8; 32];
        for i in 0..24u8 {
            x = crate::sm3::hash(&x);
            x[0] = x[0].wrapping_add(i);
            v.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&x)));
        }
        v
    }

    #[test]
    fn wnaf_reconstructs() {
        for k in scalars() {
            let bytes: [u8; 32] = k.to_repr().into();
            for w in [W_P, W_G] {
                let naf = wnaf(&bytes, w);
                let mut acc = Scalar::ZERO;
                for &d in naf.iter().rev() {
                    acc = acc.double();
                    let m = Scalar::from(u64::from(d.unsigned_abs()));
                    acc += if d < 0 { -m } else { m };
                    assert!(d == 0 || (d % 2 != 0 && d.unsigned_abs() < 1 << (w - 1)));
                }
                assert_eq!(acc, k);
            }
        }
    }

    #[test]
    fn fixed_base_matches_generic() {
        for k in scalars() {
            assert_eq!(mul_g(&k), ProjectivePoint::GENERATOR * k);
        }
    }

    #[test]
    fn vartime_inversion_matches_constant_time() {
        type Ref = <Sm2 as FieldArithmetic>::FieldElement;
        assert!(invert_vartime(&Fe::ZERO).is_none());
        let mut x = Ref::ONE;
        for k in scalars() {
            x = x.double() + Ref::from_repr(k.to_repr()).unwrap();
            let ours = invert_vartime(&Fe::from_repr(x.to_repr()).unwrap());
            let ct: Option<Ref> = x.invert().into();
            assert_eq!(ours.map(Fe::to_repr), ct.map(|c| c.to_repr()));
        }
        assert_eq!(invert_vartime(&-Fe::ONE), Some(-Fe::ONE));
    }

    #[test]
    fn signed_digits_reconstruct_and_comb_matches_generic() {
        let p = (ProjectivePoint::GENERATOR * Scalar::from(0x9abc_def1u64)).to_affine();
        let comb = CombTable::new(&p);
        let sixty_four = Scalar::from(1u64 << W_VT);
        let mut ks = scalars();
        ks.push(Scalar::from(32u64));
        ks.push(-Scalar::from(32u64));
        for k in ks {
            let d = signed_digits(&k.to_repr().into());
            let mut acc = Scalar::ZERO;
            for &di in d.iter().rev() {
                acc *= sixty_four;
                let m = Scalar::from(u64::from(di.unsigned_abs()));
                acc += if di < 0 { -m } else { m };
                assert!(usize::from(di.unsigned_abs()) <= PER_ROW_VT);
            }
            assert_eq!(acc, k);
            let got = comb.add_mul(Jacobian::IDENTITY, &k).to_projective();
            assert_eq!(got, ProjectivePoint::from(p) * k);
            let g = g_comb().add_mul(Jacobian::IDENTITY, &k).to_projective();
            assert_eq!(g, ProjectivePoint::GENERATOR * k);
            // The inversion-free x check against the affine x reduced mod n.
            let q = Jacobian::IDENTITY.add_affine(&Affine::from_point(&p));
            let sum = comb.add_mul(q, &k);
            let expect = (ProjectivePoint::from(p) * (k + Scalar::ONE)).to_affine();
            if bool::from(expect.is_identity()) {
                assert!(!x_matches(&sum, &Scalar::ZERO));
            } else {
                let x = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(&expect.x()));
                assert!(x_matches(&sum, &x));
                assert!(!x_matches(&sum, &(x + Scalar::ONE)));
            }
        }
    }

    #[test]
    fn joint_and_variable_base_match_generic() {
        let p = (ProjectivePoint::GENERATOR * Scalar::from(0x1234_5678u64)).to_affine();
        let ks = scalars();
        for (i, s) in ks.iter().enumerate() {
            let t = ks[(i * 7 + 3) % ks.len()];
            let expect =
                (ProjectivePoint::GENERATOR * s + ProjectivePoint::from(p) * t).to_affine();
            let got = mul_g_add_vartime(s, &t, &p);
            if bool::from(expect.is_identity()) {
                assert!(got.is_none());
            } else {
                assert_eq!(got, Some(expect.x().into()));
            }
            assert_eq!(mul_vartime(&p, s), ProjectivePoint::from(p) * s);
        }
        // P = ±G, t = ∓s: the exceptional additions inside the loop.
        let g = AffinePoint::GENERATOR;
        let s = ks[9];
        assert!(mul_g_add_vartime(&s, &-s, &g).is_none());
        let twice = (ProjectivePoint::GENERATOR * (s + s)).to_affine();
        assert_eq!(mul_g_add_vartime(&s, &s, &g), Some(twice.x().into()));
        assert!(bool::from(mul_vartime(&g, &Scalar::ZERO).is_identity()));
    }
}
