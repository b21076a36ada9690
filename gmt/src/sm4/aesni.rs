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
//! This module is the only place in the workspace with `unsafe`: calling the
//! `#[target_feature]` functions, after [`available`] has confirmed the CPU features.

use core::arch::x86_64::{
    __m128i, _mm_aesenclast_si128, _mm_and_si128, _mm_cvtsi128_si32, _mm_or_si128, _mm_set_epi32,
    _mm_set1_epi8, _mm_set1_epi32, _mm_setr_epi8, _mm_setzero_si128, _mm_shuffle_epi8,
    _mm_shuffle_epi32, _mm_slli_epi32, _mm_srli_epi16, _mm_srli_epi32, _mm_xor_si128,
};

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

/// Encrypts or decrypts `blocks` in place, up to 16 at a time.
///
/// Callers must have checked [`available`] (the key setup does, once).
pub(crate) fn crypt(rk: &[u32; 32], blocks: &mut [[u8; 16]], decrypt: bool) {
    debug_assert!(available());
    for chunk in blocks.chunks_mut(16) {
        if chunk.len() <= 4 {
            // SAFETY: `crypt_groups` needs SSE2, SSSE3 and AES-NI. `Sm4` selects this backend
            // only when `available()` returned true for this CPU (run-time detection with
            // `std`, or target features enabled at compile time without it). It touches
            // memory only through safe slice operations.
            unsafe { crypt_groups::<1>(rk, chunk, decrypt) }
        } else {
            // SAFETY: as above.
            unsafe { crypt_groups::<4>(rk, chunk, decrypt) }
        }
    }
}
