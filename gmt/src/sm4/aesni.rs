//! x86-64 SM4 backend using AES-NI and SSSE3, chosen at run time.
//!
//! The SM4 S-box is affine-equivalent to the AES S-box: with φ the field isomorphism from SM4's
//! GF(2⁸) (`x⁸+x⁷+x⁶+x⁵+x⁴+x²+1`) to AES's (`x⁸+x⁴+x³+x+1`),
//! `S_sm4(x) = Post(S_aes(Pre(x)))` where `Pre` and `Post` are affine maps over GF(2) (derived
//! offline; checked against the portable backend by the tests). Each affine map is two 16-entry
//! `pshufb` lookups indexed by the low and high nibble — lookups inside a register, not memory,
//! so they are constant-time — and `S_aes` is `aesenclast` with a zero round key, its ShiftRows
//! undone in advance by a fixed byte shuffle. Four blocks share a register (the state words of four
//! blocks sit in the four 32-bit lanes) and up to four such groups are interleaved.
//!
//! # One block at a time (CBC encryption, CMAC, CBC-MAC)
//!
//! A lone block runs its 32 rounds back to back, so what counts is the latency of one round.
//! [`crypt_one`] therefore uses a different layout:
//!
//! - Each state word sits *broadcast* in all four 32-bit lanes of its own register. Then the four
//!   columns of the AES state are equal and `aesenclast`'s ShiftRows moves nothing: no shuffle
//!   before it.
//! - The state is kept in the *Pre domain*: `y = M·x` byte by byte, with `M` the linear part of
//!   `Pre`. Since `Pre` is affine, `Pre(x₁⊕x₂⊕x₃⊕rk) = y₁⊕y₂⊕y₃⊕Pre(rk)`; the round keys are
//!   stored as `Pre(rk)` (computed once at key setup), so no affine map precedes `aesenclast`.
//! - After `aesenclast`, the whole rest of the round — `Post`, SM4's linear layer `L` and `M` for
//!   the next round — is one affine map `N = M∘L∘Post` from the four S-box bytes to a word. `L`
//!   commutes with byte rotations and the byte maps do too, so `N(s) = ⊕_q rotl(D_q(s), 8q)`
//!   with four byte-wise linear maps `D_q`: eight `pshufb` nibble lookups (in registers) and three
//!   `pshufb` byte rotations. The tables are computed at compile time from `Pre`, `Post` and `L`.
//! - `M⁻¹` is applied once at the end.
//!
//! A round is thus three XORs, `aesenclast`, a nibble split, eight `pshufb`, three `palignr`
//! (a word rotation by whole bytes is a register rotation when all lanes are equal) and an XOR
//! tree. On CPUs with GFNI, [`crypt_one_gfni`] replaces `aesenclast` and the lookups by four
//! `gf2p8affineinvqb`: each computes `D_q(S_aes(·))` — inversion in the AES field followed by a
//! fixed affine map — in one constant-time instruction, with the matrices built at compile time.
//!
//! This module is the only place in the workspace with `unsafe`: calling the
//! `#[target_feature]` functions, after [`available`] has confirmed the CPU features.

use core::arch::x86_64::{
    __m128i, _mm_aesenclast_si128, _mm_alignr_epi8, _mm_and_si128, _mm_cvtsi128_si32,
    _mm_gf2p8affineinv_epi64_epi8, _mm_or_si128, _mm_set_epi32, _mm_set1_epi8, _mm_set1_epi32,
    _mm_set1_epi64x, _mm_setr_epi8, _mm_setr_epi32, _mm_setzero_si128, _mm_shuffle_epi8,
    _mm_shuffle_epi32, _mm_slli_epi32, _mm_srli_epi16, _mm_srli_epi32, _mm_unpacklo_epi32,
    _mm_unpacklo_epi64, _mm_xor_si128,
};
use zeroize::Zeroize;

/// Whether this CPU has AES-NI and SSSE3.
pub(crate) fn available() -> bool {
    #[cfg(feature = "std")]
    {
        std::is_x86_feature_detected!("aes") && std::is_x86_feature_detected!("ssse3")
    }
    #[cfg(not(feature = "std"))]
    {
        cfg!(all(target_feature = "aes", target_feature = "ssse3"))
    }
}

#[target_feature(enable = "sse2,ssse3")]
fn table(t: [u8; 16]) -> __m128i {
    let b = t.map(|v| v as i8);
    _mm_setr_epi8(
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    )
}

const PRE_LO: [u8; 16] = [
    0x3e, 0xb2, 0x0e, 0x82, 0xbb, 0x37, 0x8b, 0x07, 0xa1, 0x2d, 0x91, 0x1d, 0x24, 0xa8, 0x14, 0x98,
];
const PRE_HI: [u8; 16] = [
    0x00, 0xdc, 0x2e, 0xf2, 0xc5, 0x19, 0xeb, 0x37, 0x08, 0xd4, 0x26, 0xfa, 0xcd, 0x11, 0xe3, 0x3f,
];
const POST_LO: [u8; 16] = [
    0x6c, 0xd4, 0xa6, 0x1e, 0x52, 0xea, 0x98, 0x20, 0x0b, 0xb3, 0xc1, 0x79, 0x35, 0x8d, 0xff, 0x47,
];
const POST_HI: [u8; 16] = [
    0x00, 0xe0, 0x50, 0xb0, 0x9d, 0x7d, 0xcd, 0x2d, 0xc0, 0x20, 0x90, 0x70, 0x5d, 0xbd, 0x0d, 0xed,
];
/// Inverse ShiftRows, so that `aesenclast`'s ShiftRows leaves bytes in place.
const INV_SHIFT_ROWS: [u8; 16] = [0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3];

struct Consts {
    pre_lo: __m128i,
    pre_hi: __m128i,
    post_lo: __m128i,
    post_hi: __m128i,
    inv_sr: __m128i,
    nibble: __m128i,
}

#[target_feature(enable = "sse2,ssse3")]
fn consts() -> Consts {
    Consts {
        pre_lo: table(PRE_LO),
        pre_hi: table(PRE_HI),
        post_lo: table(POST_LO),
        post_hi: table(POST_HI),
        inv_sr: table(INV_SHIFT_ROWS),
        nibble: _mm_set1_epi8(0x0f),
    }
}

#[target_feature(enable = "sse2,ssse3")]
fn affine(x: __m128i, lo: __m128i, hi: __m128i, nibble: __m128i) -> __m128i {
    let l = _mm_and_si128(x, nibble);
    let h = _mm_and_si128(_mm_srli_epi16::<4>(x), nibble);
    _mm_xor_si128(_mm_shuffle_epi8(lo, l), _mm_shuffle_epi8(hi, h))
}

/// The SM4 S-box on all 16 bytes.
#[target_feature(enable = "sse2,ssse3,aes")]
fn sbox(x: __m128i, c: &Consts) -> __m128i {
    let a = affine(x, c.pre_lo, c.pre_hi, c.nibble);
    let a = _mm_shuffle_epi8(a, c.inv_sr);
    let a = _mm_aesenclast_si128(a, _mm_setzero_si128());
    affine(a, c.post_lo, c.post_hi, c.nibble)
}

#[target_feature(enable = "sse2")]
fn rotl<const L: i32, const R: i32>(x: __m128i) -> __m128i {
    _mm_or_si128(_mm_slli_epi32::<L>(x), _mm_srli_epi32::<R>(x))
}

/// `T = L ∘ τ` on four words.
#[target_feature(enable = "sse2,ssse3,aes")]
fn t(x: __m128i, c: &Consts) -> __m128i {
    let b = sbox(x, c);
    let r = _mm_xor_si128(
        _mm_xor_si128(b, rotl::<2, 30>(b)),
        _mm_xor_si128(rotl::<10, 22>(b), rotl::<18, 14>(b)),
    );
    _mm_xor_si128(r, rotl::<24, 8>(b))
}

#[target_feature(enable = "sse2")]
fn lane(x: __m128i, i: usize) -> u32 {
    let v = match i {
        0 => x,
        1 => _mm_shuffle_epi32::<0b01>(x),
        2 => _mm_shuffle_epi32::<0b10>(x),
        _ => _mm_shuffle_epi32::<0b11>(x),
    };
    _mm_cvtsi128_si32(v) as u32
}

fn word(b: &[u8; 16], k: usize) -> i32 {
    i32::from_be_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]])
}

/// Up to `4·G` blocks in place: `G` independent groups of four, interleaved round by round so
/// that the latency of one group's S-box overlaps with the others.
#[target_feature(enable = "sse2,ssse3,aes")]
fn crypt_groups<const G: usize>(rk: &[u32; 32], blocks: &mut [[u8; 16]], decrypt: bool) {
    let c = consts();
    let zero = [0u8; 16];
    let get = |i: usize| blocks.get(i).unwrap_or(&zero);
    let mut x = [[_mm_setzero_si128(); 4]; G];
    for (g, xg) in x.iter_mut().enumerate() {
        for (k, xk) in xg.iter_mut().enumerate() {
            let b = 4 * g;
            *xk = _mm_set_epi32(
                word(get(b + 3), k),
                word(get(b + 2), k),
                word(get(b + 1), k),
                word(get(b), k),
            );
        }
    }
    for i in 0..32 {
        let key = rk[if decrypt { 31 - i } else { i }];
        let k = _mm_set1_epi32(key as i32);
        for xg in x.iter_mut() {
            let arg = _mm_xor_si128(
                _mm_xor_si128(xg[(i + 1) % 4], xg[(i + 2) % 4]),
                _mm_xor_si128(xg[(i + 3) % 4], k),
            );
            xg[i % 4] = _mm_xor_si128(xg[i % 4], t(arg, &c));
        }
    }
    for (b, block) in blocks.iter_mut().enumerate() {
        for k in 0..4 {
            block[4 * k..4 * k + 4].copy_from_slice(&lane(x[b / 4][3 - k], b % 4).to_be_bytes());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Single block in the Pre domain (see the module docs).

/// `Pre` on one byte (affine).
const fn pre(v: u8) -> u8 {
    PRE_LO[(v & 15) as usize] ^ PRE_HI[(v >> 4) as usize]
}

/// `M`, the linear part of `Pre`, on one byte.
const fn pre_lin(v: u8) -> u8 {
    pre(v) ^ pre(0)
}

/// `Post` on one byte (affine).
const fn post(v: u8) -> u8 {
    POST_LO[(v & 15) as usize] ^ POST_HI[(v >> 4) as usize]
}

/// `M` on each byte of a word.
const fn pre_lin_word(w: u32) -> u32 {
    let b = w.to_le_bytes();
    u32::from_le_bytes([pre_lin(b[0]), pre_lin(b[1]), pre_lin(b[2]), pre_lin(b[3])])
}

/// `N = M∘L∘Post` on the word of four AES S-box outputs, with SM4's `L` (`key = false`) or the
/// key schedule's `L'` (`key = true`).
const fn n_word(s: u32, key: bool) -> u32 {
    let b = s.to_le_bytes();
    let p = u32::from_le_bytes([post(b[0]), post(b[1]), post(b[2]), post(b[3])]);
    let l = if key {
        p ^ p.rotate_left(13) ^ p.rotate_left(23)
    } else {
        p ^ p.rotate_left(2) ^ p.rotate_left(10) ^ p.rotate_left(18) ^ p.rotate_left(24)
    };
    pre_lin_word(l)
}

/// Nibble tables of `N`: `[0][q][i]` = `D_q(i)`, `[1][q][i]` = `D_q(i << 4)`, where `D_q(v)` is
/// byte `q` of `N(v) ⊕ N(0)` (`v` in the low byte). `N(0)` is the same in every byte (every
/// map involved commutes with byte rotation) and is folded into `[0][0]`.
const fn n_tables(key: bool) -> [[[u8; 16]; 4]; 2] {
    let c = n_word(0, key);
    assert!(c == (c & 0xff) * 0x0101_0101);
    let mut t = [[[0u8; 16]; 4]; 2];
    let mut q = 0;
    while q < 4 {
        let mut i = 0;
        while i < 16 {
            t[0][q][i] = ((n_word(i as u32, key) ^ c) >> (8 * q)) as u8;
            t[1][q][i] = ((n_word((i as u32) << 4, key) ^ c) >> (8 * q)) as u8;
            i += 1;
        }
        q += 1;
    }
    let mut i = 0;
    while i < 16 {
        t[0][0][i] ^= c as u8;
        i += 1;
    }
    t
}

/// `N`'s tables for the rounds.
const N_TABLES: [[[u8; 16]; 4]; 2] = n_tables(false);
/// `N'`'s tables for the key schedule.
const N_KEY_TABLES: [[[u8; 16]; 4]; 2] = n_tables(true);

/// Nibble tables of `M` (`[0]` low nibble, `[1]` high nibble).
const M_TABLES: [[u8; 16]; 2] = {
    let mut t = [[0u8; 16]; 2];
    let mut i = 0;
    while i < 16 {
        t[0][i] = pre_lin(i as u8);
        t[1][i] = pre_lin((i as u8) << 4);
        i += 1;
    }
    t
};

/// Nibble tables of `M⁻¹`.
const M_INV_TABLES: [[u8; 16]; 2] = {
    let mut inv = [0u8; 256];
    let mut v = 0;
    while v < 256 {
        inv[pre_lin(v as u8) as usize] = v as u8;
        v += 1;
    }
    let mut u = 0;
    while u < 256 {
        assert!(pre_lin(inv[u]) as usize == u, "M must be invertible");
        u += 1;
    }
    let mut t = [[0u8; 16]; 2];
    let mut i = 0;
    while i < 16 {
        t[0][i] = inv[i];
        t[1][i] = inv[i << 4];
        i += 1;
    }
    t
};

/// The identity byte shuffle.
const IDENTITY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// Word rotations `rotl 8q` (q = 1, 2, 3) of a register whose four lanes are equal: then
/// rotating the whole register by `q` bytes is the same, and that is one `palignr`.
#[target_feature(enable = "sse2,ssse3")]
fn rot<const Q: i32>(x: __m128i) -> __m128i {
    _mm_alignr_epi8::<Q>(x, x)
}

/// Broadcast state words in the Pre domain from a block.
#[target_feature(enable = "sse2,ssse3")]
fn load_pre(block: &[u8; 16], nibble: __m128i) -> [__m128i; 4] {
    let x = _mm_setr_epi32(
        word(block, 0),
        word(block, 1),
        word(block, 2),
        word(block, 3),
    );
    let y = affine(x, table(M_TABLES[0]), table(M_TABLES[1]), nibble);
    [
        _mm_shuffle_epi32::<0x00>(y),
        _mm_shuffle_epi32::<0x55>(y),
        _mm_shuffle_epi32::<0xaa>(y),
        _mm_shuffle_epi32::<0xff>(y),
    ]
}

/// Output words `X35, X34, X33, X32` = `s[3], s[2], s[1], s[0]`, back from the Pre domain.
#[target_feature(enable = "sse2,ssse3")]
fn store_pre(s: &[__m128i; 4], block: &mut [u8; 16], nibble: __m128i) {
    let y = _mm_unpacklo_epi64(
        _mm_unpacklo_epi32(s[3], s[2]),
        _mm_unpacklo_epi32(s[1], s[0]),
    );
    let x = affine(y, table(M_INV_TABLES[0]), table(M_INV_TABLES[1]), nibble);
    for k in 0..4 {
        block[4 * k..4 * k + 4].copy_from_slice(&lane(x, k).to_be_bytes());
    }
}

/// One block with AES-NI: `aesenclast`, then `N` by eight nibble lookups (rounds on the S-box
/// input as in [`crypt_one_gfni`]).
#[target_feature(enable = "sse2,ssse3,aes")]
fn crypt_one_aesni(rk_pre: &[u32; 32], block: &mut [u8; 16], decrypt: bool) {
    let nibble = _mm_set1_epi8(0x0f);
    let n_lo = N_TABLES[0].map(|t| table(t));
    let n_hi = N_TABLES[1].map(|t| table(t));
    let zero = _mm_setzero_si128();
    let ident = table(core::hint::black_box(IDENTITY));
    let mut s = load_pre(block, nibble);
    let key = |i: usize| {
        let i = i.min(31);
        rk_pre[if decrypt { 31 - i } else { i }]
    };
    let mut arg = _mm_xor_si128(
        _mm_xor_si128(s[1], s[2]),
        _mm_xor_si128(s[3], _mm_set1_epi32(key(0) as i32)),
    );
    let mut i = 0;
    while i < 32 {
        for j in 0..4 {
            let kk = _mm_set1_epi32((key(i + j) ^ key(i + j + 1)) as i32);
            let e = _mm_xor_si128(_mm_xor_si128(arg, kk), _mm_xor_si128(s[j], s[(j + 1) % 4]));
            let a = _mm_aesenclast_si128(arg, zero);
            let lo = _mm_and_si128(a, nibble);
            let hi = _mm_and_si128(_mm_srli_epi16::<4>(a), nibble);
            let d: [__m128i; 4] = core::array::from_fn(|q| {
                _mm_xor_si128(_mm_shuffle_epi8(n_lo[q], lo), _mm_shuffle_epi8(n_hi[q], hi))
            });
            arg = _mm_xor_si128(
                _mm_xor_si128(_mm_xor_si128(e, d[0]), rot::<15>(d[1])),
                _mm_xor_si128(rot::<14>(d[2]), rot::<13>(d[3])),
            );
            s[j] = _mm_xor_si128(_mm_xor_si128(s[j], e), _mm_shuffle_epi8(arg, ident));
        }
        i += 4;
    }
    store_pre(&s, block, nibble);
}

/// The AES affine transformation (after inversion in the AES S-box).
const fn aes_affine(v: u8) -> u8 {
    v ^ v.rotate_left(1) ^ v.rotate_left(2) ^ v.rotate_left(3) ^ v.rotate_left(4) ^ 0x63
}

/// `G_q(v) = D_q(A_aes(v))` (with `N(0)` in `G_0`): byte `q`'s share of `N` as an affine map of
/// the field inverse `v`.
const fn g(q: usize, v: u8) -> u8 {
    let s = aes_affine(v);
    N_TABLES[0][q][(s & 15) as usize] ^ N_TABLES[1][q][(s >> 4) as usize]
}

/// `G_q`'s linear part as a GF2P8AFFINE matrix: byte `7 − i` of the qword is the row of output
/// bit `i`.
const fn g_matrix(q: usize) -> i64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < 8 {
        let mut row = 0u8;
        let mut j = 0;
        while j < 8 {
            row |= (((g(q, 1 << j) ^ g(q, 0)) >> i) & 1) << j;
            j += 1;
        }
        m |= (row as u64) << (8 * (7 - i));
        i += 1;
    }
    m as i64
}

/// The four matrices, evaluated at compile time.
const G_MATRICES: [i64; 4] = [g_matrix(0), g_matrix(1), g_matrix(2), g_matrix(3)];
const G0: i32 = g(0, 0) as i32;
const G1: i32 = g(1, 0) as i32;
const G2: i32 = g(2, 0) as i32;
const G3: i32 = g(3, 0) as i32;

/// One block with GFNI: `gf2p8affineinvqb` computes each `D_q(S(·))` (inversion in the AES field
/// plus an affine map) in one instruction, four independent ones per round.
///
/// The rounds run on the S-box input itself: with `A_i = X_{i+1} ⊕ X_{i+2} ⊕ X_{i+3} ⊕ rk_i`
/// (Pre domain), `A_{i+1} = N_i ⊕ e_i` where `e_i = A_i ⊕ rk_i ⊕ rk_{i+1} ⊕ X_i ⊕ X_{i+1}` is
/// known before `N_i`, and `X_{i+4} = X_i ⊕ N_i = X_i ⊕ e_i ⊕ A_{i+1}` is off the critical path.
#[target_feature(enable = "sse2,ssse3,gfni")]
fn crypt_one_gfni(rk_pre: &[u32; 32], block: &mut [u8; 16], decrypt: bool) {
    let nibble = _mm_set1_epi8(0x0f);
    let m = G_MATRICES.map(|q| _mm_set1_epi64x(q));
    // An identity shuffle the compiler cannot see through: it keeps `X_{i+4}` from being
    // folded into `A_{i+1}` (which would put two XORs back on the critical path).
    let ident = table(core::hint::black_box(IDENTITY));
    let mut s = load_pre(block, nibble);
    let key = |i: usize| {
        let i = i.min(31);
        rk_pre[if decrypt { 31 - i } else { i }]
    };
    let mut arg = _mm_xor_si128(
        _mm_xor_si128(s[1], s[2]),
        _mm_xor_si128(s[3], _mm_set1_epi32(key(0) as i32)),
    );
    let mut i = 0;
    while i < 32 {
        for j in 0..4 {
            let kk = _mm_set1_epi32((key(i + j) ^ key(i + j + 1)) as i32);
            let e = _mm_xor_si128(_mm_xor_si128(arg, kk), _mm_xor_si128(s[j], s[(j + 1) % 4]));
            let u0 = _mm_gf2p8affineinv_epi64_epi8::<G0>(arg, m[0]);
            let u1 = _mm_gf2p8affineinv_epi64_epi8::<G1>(arg, m[1]);
            let u2 = _mm_gf2p8affineinv_epi64_epi8::<G2>(arg, m[2]);
            let u3 = _mm_gf2p8affineinv_epi64_epi8::<G3>(arg, m[3]);
            arg = _mm_xor_si128(
                _mm_xor_si128(_mm_xor_si128(e, u0), rot::<15>(u1)),
                _mm_xor_si128(rot::<14>(u2), rot::<13>(u3)),
            );
            s[j] = _mm_xor_si128(_mm_xor_si128(s[j], e), _mm_shuffle_epi8(arg, ident));
        }
        i += 4;
    }
    store_pre(&s, block, nibble);
}

/// The key schedule in the Pre domain, on the single-block layout: `K_{i+4} = K_i ⊕
/// N'(S_aes(…))` with broadcast words and `Pre(CK_i)` as constants. Returns the round keys as
/// words and as `Pre(rk)`.
#[target_feature(enable = "sse2,ssse3,aes")]
fn expand_simd(key: &[u8; 16]) -> ([u32; 32], [u32; 32]) {
    let nibble = _mm_set1_epi8(0x0f);
    let n_lo = N_KEY_TABLES[0].map(|t| table(t));
    let n_hi = N_KEY_TABLES[1].map(|t| table(t));
    let zero = _mm_setzero_si128();
    let mut k = [0u8; 16];
    for (i, (kb, fk)) in k.chunks_exact_mut(4).zip(super::bitslice::FK).enumerate() {
        let w = u32::from_be_bytes([key[4 * i], key[4 * i + 1], key[4 * i + 2], key[4 * i + 3]]);
        kb.copy_from_slice(&(w ^ fk).to_be_bytes());
    }
    let mut s = load_pre(&k, nibble);
    k.zeroize();
    let c_pre = u32::from(pre(0)) * 0x0101_0101;
    let mut pre_rk = [0u32; 32];
    let mut words = [0u32; 32];
    let mut i = 0;
    while i < 32 {
        for j in 0..4 {
            let ck = _mm_set1_epi32(PRE_CK[i + j] as i32);
            let early = _mm_xor_si128(_mm_xor_si128(s[(j + 1) % 4], s[(j + 2) % 4]), ck);
            let a = _mm_aesenclast_si128(_mm_xor_si128(early, s[(j + 3) % 4]), zero);
            let lo = _mm_and_si128(a, nibble);
            let hi = _mm_and_si128(_mm_srli_epi16::<4>(a), nibble);
            let d: [__m128i; 4] = core::array::from_fn(|q| {
                _mm_xor_si128(_mm_shuffle_epi8(n_lo[q], lo), _mm_shuffle_epi8(n_hi[q], hi))
            });
            s[j] = _mm_xor_si128(
                _mm_xor_si128(s[j], d[0]),
                _mm_xor_si128(
                    rot::<15>(d[1]),
                    _mm_xor_si128(rot::<14>(d[2]), rot::<13>(d[3])),
                ),
            );
            // `s[j]` is `M·rk_{i+j}` in every lane.
            let y = lane(s[j], 0);
            pre_rk[i + j] = y ^ c_pre;
            let x = affine(s[j], table(M_INV_TABLES[0]), table(M_INV_TABLES[1]), nibble);
            words[i + j] = lane(x, 0);
        }
        i += 4;
    }
    (words, pre_rk)
}

/// `Pre(CK_i)` bytewise, at compile time.
const PRE_CK: [u32; 32] = {
    let mut t = [0u32; 32];
    let mut i = 0;
    while i < 32 {
        let b = super::bitslice::ck(i).to_le_bytes();
        t[i] = u32::from_le_bytes([pre(b[0]), pre(b[1]), pre(b[2]), pre(b[3])]);
        i += 1;
    }
    t
};

/// Expanded key for this backend: round keys as words (several-block path) and in the Pre domain
/// (single-block path). Computed once per key.
#[derive(Clone)]
pub(crate) struct RoundKeys {
    words: [u32; 32],
    pre: [u32; 32],
    /// Whether the single-block path uses GFNI (else AES-NI), detected at key setup.
    gfni: bool,
}

impl Zeroize for RoundKeys {
    fn zeroize(&mut self) {
        self.words.zeroize();
        self.pre.zeroize();
    }
}

/// Whether this CPU also has GFNI (used for single blocks).
fn gfni_available() -> bool {
    #[cfg(feature = "std")]
    {
        std::is_x86_feature_detected!("gfni")
    }
    #[cfg(not(feature = "std"))]
    {
        cfg!(target_feature = "gfni")
    }
}

impl RoundKeys {
    /// The key schedule with the AES-NI S-box. Callers must have checked [`available`].
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        debug_assert!(available());
        // SAFETY: `expand_simd` needs SSE2, SSSE3 and AES-NI; `Sm4` builds these round keys
        // only after `available()` returned true for this CPU. It reads the key and writes the
        // result only through safe array operations.
        let (words, pre) = unsafe { expand_simd(key) };
        RoundKeys {
            words,
            pre,
            gfni: gfni_available(),
        }
    }
}

/// Encrypts or decrypts one block in place (the latency-bound path for chained modes).
pub(crate) fn crypt_one(rk: &RoundKeys, block: &mut [u8; 16], decrypt: bool) {
    if rk.gfni {
        // SAFETY: `crypt_one_gfni` needs SSE2, SSSE3 and GFNI: `RoundKeys` for this backend
        // exist only after `available()` (SSE2, SSSE3, AES-NI) returned true, and `gfni` is set
        // only when `gfni_available()` did. Memory is touched only through safe array
        // operations.
        unsafe { crypt_one_gfni(&rk.pre, block, decrypt) }
    } else {
        // SAFETY: `crypt_one_aesni` needs SSE2, SSSE3 and AES-NI, which `available()` confirmed
        // before these round keys were built (see `RoundKeys::new`). Memory is touched only
        // through safe array operations.
        unsafe { crypt_one_aesni(&rk.pre, block, decrypt) }
    }
}

/// Encrypts or decrypts `blocks` in place, up to 16 at a time.
///
/// Callers must have checked [`available`] (the key setup does, once).
pub(crate) fn crypt(rk: &RoundKeys, blocks: &mut [[u8; 16]], decrypt: bool) {
    debug_assert!(available());
    for chunk in blocks.chunks_mut(16) {
        if let [one] = chunk {
            crypt_one(rk, one, decrypt);
        } else if chunk.len() <= 4 {
            // SAFETY: `crypt_groups` needs SSE2, SSSE3 and AES-NI. `Sm4` selects this backend
            // only when `available()` returned true for this CPU (run-time detection with
            // `std`, or target features enabled at compile time without it). It touches
            // memory only through safe slice operations.
            unsafe { crypt_groups::<1>(&rk.words, chunk, decrypt) }
        } else {
            // SAFETY: as above.
            unsafe { crypt_groups::<4>(&rk.words, chunk, decrypt) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sm4::bitslice;

    /// xorshift64*: deterministic test inputs without a dependency.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes16(state: &mut u64) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&next(state).to_le_bytes());
        b[8..].copy_from_slice(&next(state).to_le_bytes());
        b
    }

    /// Both single-block paths (AES-NI always, GFNI when the CPU has it), the several-block
    /// path and the key schedule against the portable core, on pseudo-random keys and blocks.
    #[test]
    fn single_block_paths_match_portable() {
        if !available() {
            return; // nothing to compare on this CPU (the backend is never selected)
        }
        let mut st = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            let key = bytes16(&mut st);
            let portable = bitslice::RoundKeys::new(&key);
            let ours = RoundKeys::new(&key);
            assert_eq!(ours.words, portable.words, "key schedule");
            for decrypt in [false, true] {
                let block = bytes16(&mut st);
                let mut expect = block;
                bitslice::crypt_one(&portable, &mut expect, decrypt);
                let mut b = block;
                // SAFETY: `available()` returned true above.
                unsafe { crypt_one_aesni(&ours.pre, &mut b, decrypt) };
                assert_eq!(b, expect, "AES-NI single block");
                if gfni_available() {
                    let mut b = block;
                    // SAFETY: `available()` and `gfni_available()` returned true.
                    unsafe { crypt_one_gfni(&ours.pre, &mut b, decrypt) };
                    assert_eq!(b, expect, "GFNI single block");
                }
                let mut b = block;
                crypt_one(&ours, &mut b, decrypt);
                assert_eq!(b, expect, "dispatch");
                let mut many = [block; 3];
                crypt(&ours, &mut many, decrypt);
                assert_eq!(many, [expect; 3], "several blocks");
            }
        }
    }

    /// The compile-time tables: `N` is affine with a byte-splat constant, `M⁻¹` inverts `M`,
    /// and `PRE_CK` is `Pre` of the key schedule's constants.
    #[test]
    fn compile_time_tables() {
        for v in 0..=255u8 {
            assert_eq!(
                pre_lin(
                    M_INV_TABLES[0][usize::from(v & 15)] ^ M_INV_TABLES[1][usize::from(v >> 4)]
                ),
                v
            );
        }
        for (i, p) in PRE_CK.iter().enumerate() {
            assert_eq!(p.to_le_bytes(), bitslice::ck(i).to_le_bytes().map(pre));
        }
    }
}
