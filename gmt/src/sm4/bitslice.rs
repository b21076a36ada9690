//! Table-free, constant-time SM4 core.
//!
//! # Representation
//!
//! Sixteen blocks are processed together. Each 32-bit state word `X0..X3` of the sixteen blocks
//! is held as eight 64-bit *bit planes*: bit `4·b + i` of plane `j` is bit `j` (LSB = 0) of byte
//! `i` (big-endian, 0 = most significant) of that word in block `b`.
//!
//! # S-box
//!
//! The SM4 S-box is `S(x) = A·(A·x + 0xD3)⁻¹ + 0xD3` with inversion in GF(2⁸) modulo
//! `x⁸+x⁷+x⁶+x⁵+x⁴+x²+1`. We compute the inversion in the isomorphic tower field
//! GF((2⁴)²) = GF(2⁴)[y]/(y²+y+ν), ν = 8, GF(2⁴) = GF(2)[z]/(z⁴+z+1): the basis change is folded
//! into the two affine maps (`M_IN`, `M_OUT`, derived offline and checked against the standard's
//! table by the tests). Only AND, XOR and NOT on whole planes are used: no table lookups and no
//! branches depend on data, so the running time is independent of keys and data.
//!
//! # Linear layer
//!
//! Rotating a word by a multiple of 8 bits permutes the four byte lanes inside each nibble of a
//! plane; rotating by 2 moves planes and carries two planes one byte lane over. Both are fixed
//! shifts and masks.

use zeroize::Zeroize;

/// Bit planes of one state word for 16 blocks.
pub(crate) type Planes = [u64; 8];

/// Number of blocks processed in parallel.
pub(crate) const LANES: usize = 16;

/// `φ∘A`: SM4's input affine map followed by the change to the tower basis (columns: images of
/// input bit j).
const M_IN: [u8; 8] = [0x9a, 0x9c, 0xc6, 0x85, 0x95, 0x8e, 0xeb, 0x5d];
/// `φ(0xD3)`: the input constant in the tower basis.
const C_IN: u8 = 0xac;
/// `A∘φ⁻¹`: back from the tower basis, then SM4's output affine map.
const M_OUT: [u8; 8] = [0xcb, 0x71, 0x4e, 0xb0, 0xf9, 0x24, 0x46, 0x2d];
/// SM4's affine constant.
const C_OUT: u8 = 0xd3;
/// The GF(2⁴)-linear map `a ↦ ν·a²` (columns).
const NU_SQ: [u8; 4] = [0x8, 0x6, 0xb, 0xa];

/// Applies a fixed GF(2)-linear 8×8 map given by its columns. The branches test the constant
/// matrix only; after inlining they disappear.
#[inline(always)]
fn lin8(m: &[u8; 8], x: &Planes) -> Planes {
    let mut y = [0u64; 8];
    let mut j = 0;
    while j < 8 {
        let mut i = 0;
        while i < 8 {
            if (m[j] >> i) & 1 == 1 {
                y[i] ^= x[j];
            }
            i += 1;
        }
        j += 1;
    }
    y
}

/// Adds a constant (NOT of the planes whose bit is set; the constant is public).
#[inline(always)]
fn add_const(c: u8, x: &mut Planes) {
    for (i, p) in x.iter_mut().enumerate() {
        if (c >> i) & 1 == 1 {
            *p = !*p;
        }
    }
}

type G16 = [u64; 4];

#[inline(always)]
fn mul16(a: G16, b: G16) -> G16 {
    let p0 = a[0] & b[0];
    let p1 = (a[0] & b[1]) ^ (a[1] & b[0]);
    let p2 = (a[0] & b[2]) ^ (a[1] & b[1]) ^ (a[2] & b[0]);
    let p3 = (a[0] & b[3]) ^ (a[1] & b[2]) ^ (a[2] & b[1]) ^ (a[3] & b[0]);
    let p4 = (a[1] & b[3]) ^ (a[2] & b[2]) ^ (a[3] & b[1]);
    let p5 = (a[2] & b[3]) ^ (a[3] & b[2]);
    let p6 = a[3] & b[3];
    // z⁴ = z + 1, z⁵ = z² + z, z⁶ = z³ + z²
    [p0 ^ p4, p1 ^ p4 ^ p5, p2 ^ p5 ^ p6, p3 ^ p6]
}

#[inline(always)]
fn nu_sq(a: G16) -> G16 {
    let mut y = [0u64; 4];
    for (j, col) in NU_SQ.iter().enumerate() {
        for (i, yi) in y.iter_mut().enumerate() {
            if (col >> i) & 1 == 1 {
                *yi ^= a[j];
            }
        }
    }
    y
}

#[inline(always)]
fn xor16(a: G16, b: G16) -> G16 {
    [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]]
}

/// Inversion in GF(2⁴) (0 ↦ 0) from its algebraic normal form: each output bit is a sum of
/// the inputs and their products (all six pairs, four triples) — 10 AND and 22 XOR, against 68
/// operations for `d¹⁴ = d²·d⁴·d⁸`. Derived by a Möbius transform of the inverse table;
/// `inv16_inverts` checks it on all 16 elements.
#[inline(always)]
fn inv16(d: G16) -> G16 {
    let [a0, a1, a2, a3] = d;
    let (a01, a02, a03) = (a0 & a1, a0 & a2, a0 & a3);
    let (a12, a13, a23) = (a1 & a2, a1 & a3, a2 & a3);
    let (a012, a013, a023, a123) = (a01 & a2, a01 & a3, a02 & a3, a12 & a3);
    let t = a02 ^ a12;
    [
        a0 ^ a1 ^ a2 ^ a3 ^ t ^ a012 ^ a123,
        a01 ^ t ^ a3 ^ a13 ^ a013,
        a01 ^ a2 ^ a02 ^ a3 ^ a03 ^ a023,
        a1 ^ a2 ^ a3 ^ a03 ^ a13 ^ a23 ^ a123,
    ]
}

/// The SM4 S-box on every byte lane of the planes.
#[inline(always)]
pub(crate) fn sbox(x: &Planes) -> Planes {
    let mut y = lin8(&M_IN, x);
    add_const(C_IN, &mut y);
    let a0 = [y[0], y[1], y[2], y[3]];
    let a1 = [y[4], y[5], y[6], y[7]];
    let s = xor16(a0, a1);
    // (a1·y + a0)⁻¹ = (a1·y + (a0 + a1))·Δ⁻¹ with Δ = a0·(a0 + a1) + ν·a1²
    let delta = xor16(mul16(a0, s), nu_sq(a1));
    let di = inv16(delta);
    let hi = mul16(a1, di);
    let lo = mul16(s, di);
    let mut z = lin8(
        &M_OUT,
        &[lo[0], lo[1], lo[2], lo[3], hi[0], hi[1], hi[2], hi[3]],
    );
    add_const(C_OUT, &mut z);
    z
}

/// Rotates the four byte lanes of every word by one byte (word `rotl 8`).
#[inline(always)]
fn rb1(x: u64) -> u64 {
    ((x >> 1) & 0x7777_7777_7777_7777) | ((x << 3) & 0x8888_8888_8888_8888)
}
/// Word `rotl 16`.
#[inline(always)]
fn rb2(x: u64) -> u64 {
    ((x >> 2) & 0x3333_3333_3333_3333) | ((x << 2) & 0xcccc_cccc_cccc_cccc)
}
/// Word `rotl 24`.
#[inline(always)]
fn rb3(x: u64) -> u64 {
    ((x >> 3) & 0x1111_1111_1111_1111) | ((x << 1) & 0xeeee_eeee_eeee_eeee)
}

/// SM4's linear transform `L(B) = B ⊕ B⋘2 ⊕ B⋘10 ⊕ B⋘18 ⊕ B⋘24` on planes.
#[inline(always)]
fn linear(b: &Planes) -> Planes {
    // R = B ⋘ 2
    let r = [rb1(b[6]), rb1(b[7]), b[0], b[1], b[2], b[3], b[4], b[5]];
    let mut out = [0u64; 8];
    for j in 0..8 {
        out[j] = b[j] ^ rb3(b[j]) ^ r[j] ^ rb1(r[j]) ^ rb2(r[j]);
    }
    out
}

/// `a ^= T(b ⊕ c ⊕ d ⊕ rk)`.
#[inline(always)]
fn round(a: &mut Planes, b: &Planes, c: &Planes, d: &Planes, rk: &Planes) {
    let mut t = [0u64; 8];
    for j in 0..8 {
        t[j] = b[j] ^ c[j] ^ d[j] ^ rk[j];
    }
    let l = linear(&sbox(&t));
    for j in 0..8 {
        a[j] ^= l[j];
    }
}

/// Transposes an 8×8 bit matrix held as a `u64` (row r = byte r, column c = bit c).
#[inline(always)]
fn transpose8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00aa_00aa_00aa_00aa;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_cccc_0000_cccc;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_f0f0_f0f0;
    x ^= t ^ (t << 28);
    x
}

/// Loads up to 16 blocks into bit-sliced state (missing blocks are zero).
#[inline(always)]
fn load(blocks: &[[u8; 16]]) -> [Planes; 4] {
    let mut x = [[0u64; 8]; 4];
    for (k, xk) in x.iter_mut().enumerate() {
        for g in 0..8 {
            let mut bytes = [0u8; 8];
            if let Some(b) = blocks.get(2 * g) {
                bytes[..4].copy_from_slice(&b[4 * k..4 * k + 4]);
            }
            if let Some(b) = blocks.get(2 * g + 1) {
                bytes[4..].copy_from_slice(&b[4 * k..4 * k + 4]);
            }
            let t = transpose8(u64::from_le_bytes(bytes));
            for (j, p) in xk.iter_mut().enumerate() {
                *p |= ((t >> (8 * j)) & 0xff) << (8 * g);
            }
        }
    }
    x
}

/// Stores the state as blocks, output word `k` taken from `words[k]`.
#[inline(always)]
fn store(words: [&Planes; 4], blocks: &mut [[u8; 16]]) {
    for (k, xk) in words.iter().enumerate() {
        for g in 0..8 {
            let mut v = 0u64;
            for (j, p) in xk.iter().enumerate() {
                v |= ((p >> (8 * g)) & 0xff) << (8 * j);
            }
            let bytes = transpose8(v).to_le_bytes();
            if let Some(b) = blocks.get_mut(2 * g) {
                b[4 * k..4 * k + 4].copy_from_slice(&bytes[..4]);
            }
            if let Some(b) = blocks.get_mut(2 * g + 1) {
                b[4 * k..4 * k + 4].copy_from_slice(&bytes[4..]);
            }
        }
    }
}

/// Broadcasts a 32-bit round key into planes.
pub(crate) fn broadcast(rk: u32) -> Planes {
    let bytes = rk.to_be_bytes();
    let mut p = [0u64; 8];
    for (j, pj) in p.iter_mut().enumerate() {
        let mut nib = 0u64;
        for (i, byte) in bytes.iter().enumerate() {
            nib |= u64::from((byte >> j) & 1) << i;
        }
        *pj = nib * 0x1111_1111_1111_1111;
    }
    p
}

/// The S-box applied to the four bytes of one word (`τ`), via the same bit-sliced circuit.
///
/// The four bytes go into and out of bit planes by one 8×8 bit transpose each (bytes as rows):
/// lane `i` of plane `j` is bit `j` of byte `i`, as in [`load`].
#[inline]
pub(crate) fn tau(w: u32) -> u32 {
    // Byte i of the u64 = byte i of `w` (big-endian order).
    let t = transpose8(u64::from(w.swap_bytes()));
    let p: Planes = core::array::from_fn(|j| (t >> (8 * j)) & 0xff);
    let s = sbox(&p);
    let mut v = 0u64;
    for (j, sj) in s.iter().enumerate() {
        v |= (sj & 0x0f) << (8 * j);
    }
    (transpose8(v) as u32).swap_bytes()
}

/// Expanded key: round keys as words (single-block path) and as planes (16-block path).
#[derive(Clone)]
pub(crate) struct RoundKeys {
    pub(crate) words: [u32; 32],
    pub(crate) planes: [Planes; 32],
}

impl Zeroize for RoundKeys {
    fn zeroize(&mut self) {
        self.words.zeroize();
        for p in self.planes.iter_mut() {
            p.zeroize();
        }
    }
}

pub(crate) const FK: [u32; 4] = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc];

/// `CK[i]` byte j = (4i + j)·7 mod 256.
pub(crate) const fn ck(i: usize) -> u32 {
    let mut w = 0u32;
    let mut j = 0;
    while j < 4 {
        w = (w << 8) | (((4 * i + j) * 7) % 256) as u32;
        j += 1;
    }
    w
}

/// The SM4 key schedule (GB/T 32907 §7.3) with the S-box layer `tau` supplied by the backend.
#[inline]
pub(crate) fn expand_words(key: &[u8; 16], mut tau: impl FnMut(u32) -> u32) -> [u32; 32] {
    let mut k = [0u32; 4];
    for (i, ki) in k.iter_mut().enumerate() {
        let mut b = [0u8; 4];
        b.copy_from_slice(&key[4 * i..4 * i + 4]);
        *ki = u32::from_be_bytes(b) ^ FK[i];
    }
    let mut words = [0u32; 32];
    for (i, w) in words.iter_mut().enumerate() {
        let t = tau(k[(i + 1) % 4] ^ k[(i + 2) % 4] ^ k[(i + 3) % 4] ^ ck(i));
        k[i % 4] ^= t ^ t.rotate_left(13) ^ t.rotate_left(23);
        *w = k[i % 4];
    }
    k.zeroize();
    words
}

impl RoundKeys {
    /// The SM4 key schedule on the portable S-box circuit, plus the broadcast planes.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        let words = expand_words(key, tau);
        let mut planes = [[0u64; 8]; 32];
        for (p, w) in planes.iter_mut().zip(words.iter()) {
            *p = broadcast(*w);
        }
        RoundKeys { words, planes }
    }
}

#[inline(always)]
fn rk_index(i: usize, decrypt: bool) -> usize {
    if decrypt { 31 - i } else { i }
}

/// Encrypts (or decrypts) one block through the single-word path.
pub(crate) fn crypt_one(rk: &RoundKeys, block: &mut [u8; 16], decrypt: bool) {
    let mut x = [0u32; 4];
    for (i, xi) in x.iter_mut().enumerate() {
        let mut b = [0u8; 4];
        b.copy_from_slice(&block[4 * i..4 * i + 4]);
        *xi = u32::from_be_bytes(b);
    }
    for i in 0..32 {
        let t =
            tau(x[(i + 1) % 4] ^ x[(i + 2) % 4] ^ x[(i + 3) % 4] ^ rk.words[rk_index(i, decrypt)]);
        x[i % 4] ^=
            t ^ t.rotate_left(2) ^ t.rotate_left(10) ^ t.rotate_left(18) ^ t.rotate_left(24);
    }
    for i in 0..4 {
        block[4 * i..4 * i + 4].copy_from_slice(&x[3 - i].to_be_bytes());
    }
    x.zeroize();
}

/// Encrypts (or decrypts) up to 16 blocks in place, all at once.
pub(crate) fn crypt_many(rk: &RoundKeys, blocks: &mut [[u8; 16]], decrypt: bool) {
    debug_assert!(blocks.len() <= LANES);
    let [mut x0, mut x1, mut x2, mut x3] = load(blocks);
    let mut i = 0;
    while i < 32 {
        round(&mut x0, &x1, &x2, &x3, &rk.planes[rk_index(i, decrypt)]);
        round(&mut x1, &x2, &x3, &x0, &rk.planes[rk_index(i + 1, decrypt)]);
        round(&mut x2, &x3, &x0, &x1, &rk.planes[rk_index(i + 2, decrypt)]);
        round(&mut x3, &x0, &x1, &x2, &rk.planes[rk_index(i + 3, decrypt)]);
        i += 4;
    }
    store([&x3, &x2, &x1, &x0], blocks);
    x0.zeroize();
    x1.zeroize();
    x2.zeroize();
    x3.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB/T 32907 §6.2.1 S-box, first row and a few spot values (full table compared in
    /// tests/sm4.rs against the `sm4` crate through whole-block encryption).
    #[test]
    fn sbox_matches_standard_spots() {
        let spots = [
            (0x00u8, 0xd6u8),
            (0x01, 0x90),
            (0x0f, 0x05),
            (0x10, 0x2b),
            (0xef, 0x84),
            (0xff, 0x48),
        ];
        for (x, s) in spots {
            let w = u32::from_be_bytes([x, x, x, x]);
            assert_eq!(tau(w), u32::from_be_bytes([s, s, s, s]), "S({x:#04x})");
        }
    }

    /// `a · inv16(a) = 1` for every nonzero `a` of GF(2⁴), `inv16(0) = 0` (lane k holds k).
    #[test]
    fn inv16_inverts() {
        let a: G16 = core::array::from_fn(|i| (0..16u64).fold(0, |p, k| p | ((k >> i) & 1) << k));
        let prod = mul16(a, inv16(a));
        let inv = inv16(a);
        for k in 0..16 {
            let lane = |x: &G16| (0..4).fold(0u64, |v, i| v | ((x[i] >> k) & 1) << i);
            assert_eq!(lane(&prod), u64::from(k != 0), "a = {k}");
            if k == 0 {
                assert_eq!(lane(&inv), 0);
            }
        }
    }

    #[test]
    fn ck_constants() {
        assert_eq!(ck(0), 0x00070e15);
        assert_eq!(ck(31), 0x646b7279);
    }

    #[test]
    fn transpose_is_involution() {
        for x in [
            0u64,
            1,
            0x0123_4567_89ab_cdef,
            u64::MAX,
            0x8000_0000_0000_0001,
        ] {
            assert_eq!(transpose8(transpose8(x)), x);
        }
        assert_eq!(transpose8(1 << 1), 1 << 8);
    }

    #[test]
    fn many_equals_one() {
        let rk = RoundKeys::new(&[7u8; 16]);
        let mut blocks = [[0u8; 16]; 16];
        for (i, b) in blocks.iter_mut().enumerate() {
            for (j, v) in b.iter_mut().enumerate() {
                *v = (i * 16 + j) as u8;
            }
        }
        let mut expect = blocks;
        for b in expect.iter_mut() {
            crypt_one(&rk, b, false);
        }
        for n in [1, 2, 5, 16] {
            let mut got = blocks;
            crypt_many(&rk, &mut got[..n], false);
            assert_eq!(&got[..n], &expect[..n], "n = {n}");
            crypt_many(&rk, &mut got[..n], true);
            assert_eq!(&got[..n], &blocks[..n]);
        }
    }
}
