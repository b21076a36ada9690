//! Reed–Solomon over GF(32) as Chirp uses it: field polynomial x⁵ + x² + 1 (`0x25`), α = 2,
//! generator roots α¹ … α⁸ (first consecutive root 1), eight parity symbols, full length 31.
//!
//! A frame of `k` data symbols (k ≤ 23) is the codeword `data ‖ 0^(23−k) ‖ parity`, coefficients
//! from the highest degree down: the zero symbols are known to the receiver and never sent. This
//! is how chirp.io computed its parities (all 32 published longcodes in `tests/vectors` match),
//! and is not the usual leading-zero shortening.
//!
//! ```
//! use mpay_qr_payment::audio::rs::{decode, encode};
//!
//! let data = [17, 12, 30, 7, 8, 4, 8, 27, 23, 3]; // "hcu7848rn3"
//! let parity = encode(&data)?;
//! assert_eq!(parity, [23, 12, 17, 25, 4, 19, 5, 3]); // "nchp4j53"
//! let mut word = [data.as_slice(), parity.as_slice()].concat();
//! word[2] ^= 5;
//! word[15] ^= 9;
//! let fixed = decode(&mut word, 10, &[])?;
//! assert_eq!((fixed.errors, &word[..10]), (2, data.as_slice()));
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

use crate::Error;
use alloc::vec::Vec;

/// Parity symbols per codeword.
pub const PARITY: usize = 8;
/// Full codeword length (2⁵ − 1).
pub const N: usize = 31;
/// Largest number of data symbols.
pub const MAX_DATA: usize = N - PARITY;

const PRIM: u16 = 0x25;

const fn tables() -> ([u8; 64], [u8; 32]) {
    let mut exp = [0u8; 64];
    let mut log = [0u8; 32];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 31 {
        exp[i] = x as u8;
        exp[i + 31] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x20 != 0 {
            x ^= PRIM;
        }
        i += 1;
    }
    exp[62] = exp[0];
    exp[63] = exp[1];
    (exp, log)
}

const TABLES: ([u8; 64], [u8; 32]) = tables();
const EXP: [u8; 64] = TABLES.0;
const LOG: [u8; 32] = TABLES.1;

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        EXP[usize::from(LOG[usize::from(a)]) + usize::from(LOG[usize::from(b)])]
    }
}

fn div(a: u8, b: u8) -> u8 {
    debug_assert!(b != 0);
    if a == 0 {
        0
    } else {
        EXP[(usize::from(LOG[usize::from(a)]) + 31 - usize::from(LOG[usize::from(b)])) % 31]
    }
}

/// α^e.
fn pow_alpha(e: usize) -> u8 {
    EXP[e % 31]
}

/// The generator polynomial ∏ (x − αⁱ), i = 1..8, coefficients from x⁸ down.
pub fn generator() -> [u8; PARITY + 1] {
    let mut g = [0u8; PARITY + 1];
    g[0] = 1;
    for i in 1..=PARITY {
        // g ← g · (x + αⁱ), high degree first.
        let root = pow_alpha(i);
        for j in (1..=i).rev() {
            g[j] ^= mul(g[j - 1], root);
        }
    }
    g
}

fn check_symbols(symbols: &[u8]) -> Result<(), Error> {
    match symbols.iter().position(|&s| s >= 32) {
        Some(index) => Err(Error::Code {
            index,
            reason: "symbol is not in 0..32",
        }),
        None => Ok(()),
    }
}

/// The eight parity symbols of `data` (1 to 23 symbols, each 0–31).
pub fn encode(data: &[u8]) -> Result<[u8; PARITY], Error> {
    if data.is_empty() || data.len() > MAX_DATA {
        return Err(Error::Modem {
            reason: "Reed-Solomon frames carry 1 to 23 data symbols",
        });
    }
    check_symbols(data)?;
    let g = generator();
    let mut rem = [0u8; PARITY];
    // Long division of (data ‖ zeros) · x⁸ by g; the zeros only shift the remainder.
    for &d in data
        .iter()
        .chain(core::iter::repeat_n(&0u8, MAX_DATA - data.len()))
    {
        let feedback = d ^ rem[0];
        rem.copy_within(1.., 0);
        rem[PARITY - 1] = 0;
        if feedback != 0 {
            for j in 0..PARITY {
                rem[j] ^= mul(feedback, g[j + 1]);
            }
        }
    }
    Ok(rem)
}

/// What [`decode`] corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrected {
    /// Symbols corrected at positions not flagged as erasures.
    pub errors: usize,
    /// Erasures given (each filled in, possibly with its old value).
    pub erasures: usize,
}

/// Degree (power of x) of received position `pos` in a word of `k` data symbols + parity.
fn degree(pos: usize, k: usize) -> usize {
    if pos < k {
        N - 1 - pos
    } else {
        PARITY - 1 - (pos - k)
    }
}

fn syndromes(word: &[u8], k: usize) -> [u8; PARITY] {
    let mut s = [0u8; PARITY];
    for (i, si) in s.iter_mut().enumerate() {
        let root = i + 1;
        let mut acc = 0u8;
        for (pos, &c) in word.iter().enumerate() {
            if c != 0 {
                acc ^= mul(c, pow_alpha(root * degree(pos, k)));
            }
        }
        *si = acc;
    }
    s
}

fn poly_eval(p: &[u8], x: u8) -> u8 {
    // p[i] is the coefficient of xⁱ.
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Corrects `word` (`k` data symbols then 8 parity symbols) in place: errors at unknown
/// positions and erasures at `erasures` (indices into `word`), as long as
/// 2·errors + erasures ≤ 8. A correction that would touch the implicit zero symbols, or leave
/// a nonzero syndrome, is refused and `word` is left as it was.
pub fn decode(word: &mut [u8], k: usize, erasures: &[usize]) -> Result<Corrected, Error> {
    if k == 0 || k > MAX_DATA || word.len() != k + PARITY {
        return Err(Error::Modem {
            reason: "a codeword is 1 to 23 data symbols and 8 parity symbols",
        });
    }
    check_symbols(word)?;
    if erasures.len() > PARITY {
        return Err(Error::Uncorrectable {
            reason: "more than 8 erasures",
        });
    }
    if let Some(&e) = erasures.iter().find(|&&e| e >= word.len()) {
        return Err(Error::Code {
            index: e,
            reason: "erasure position outside the codeword",
        });
    }
    let s = syndromes(word, k);
    if s.iter().all(|&x| x == 0) {
        return Ok(Corrected {
            errors: 0,
            erasures: erasures.len(),
        });
    }
    // Erasure locator Γ(x) = ∏ (1 + X x), coefficients low degree first.
    let mut lambda: Vec<u8> = alloc::vec![1];
    for &pos in erasures {
        let x = pow_alpha(degree(pos, k));
        lambda.push(0);
        for j in (1..lambda.len()).rev() {
            lambda[j] ^= mul(lambda[j - 1], x);
        }
    }
    // Berlekamp–Massey seeded with the erasure locator (Blahut).
    let rho = erasures.len();
    let mut b = lambda.clone();
    let mut l = rho;
    for r in (rho + 1)..=PARITY {
        let mut delta = 0u8;
        for (j, &c) in lambda.iter().enumerate() {
            if j < r {
                delta ^= mul(c, s[r - 1 - j]);
            }
        }
        b.insert(0, 0); // b ← x·b
        if delta != 0 {
            let mut t = lambda.clone();
            if t.len() < b.len() {
                t.resize(b.len(), 0);
            }
            for (j, &bj) in b.iter().enumerate() {
                t[j] ^= mul(delta, bj);
            }
            if 2 * l < r + rho {
                l = r + rho - l;
                let inv = div(1, delta);
                b = lambda.iter().map(|&c| mul(c, inv)).collect();
            }
            lambda = t;
        }
    }
    while lambda.len() > 1 && lambda[lambda.len() - 1] == 0 {
        lambda.pop();
    }
    let nu = lambda.len() - 1;
    if nu != l || 2 * (l - rho) + rho > PARITY {
        return Err(Error::Uncorrectable {
            reason: "too many errors",
        });
    }
    // Chien search over every degree, so that roots on the implicit zeros are caught.
    let mut roots = Vec::with_capacity(nu);
    for deg in 0..N {
        let x_inv = pow_alpha(31 - deg % 31);
        if poly_eval(&lambda, x_inv) == 0 {
            roots.push(deg);
        }
    }
    if roots.len() != nu {
        return Err(Error::Uncorrectable {
            reason: "error locator has too few roots",
        });
    }
    // Ω(x) = S(x)·Λ(x) mod x⁸, S(x) = Σ S_{i+1} xⁱ.
    let mut omega = [0u8; PARITY];
    for (i, &si) in s.iter().enumerate() {
        for (j, &lj) in lambda.iter().enumerate() {
            if i + j < PARITY {
                omega[i + j] ^= mul(si, lj);
            }
        }
    }
    // Λ'(x): in characteristic 2 only odd-degree terms survive.
    let dlambda: Vec<u8> = (1..lambda.len())
        .map(|j| if j % 2 == 1 { lambda[j] } else { 0 })
        .collect();
    let mut fixed = word.to_vec();
    let mut errors = 0;
    for &deg in &roots {
        let pos = if deg >= N - k {
            N - 1 - deg
        } else if deg < PARITY {
            k + PARITY - 1 - deg
        } else {
            return Err(Error::Uncorrectable {
                reason: "correction falls on the implicit zero symbols",
            });
        };
        let x_inv = pow_alpha(31 - deg % 31);
        let den = poly_eval(&dlambda, x_inv);
        if den == 0 {
            return Err(Error::Uncorrectable {
                reason: "error evaluator denominator is zero",
            });
        }
        let magnitude = div(poly_eval(&omega, x_inv), den);
        fixed[pos] ^= magnitude;
        if !erasures.contains(&pos) && magnitude != 0 {
            errors += 1;
        }
    }
    if syndromes(&fixed, k).iter().any(|&x| x != 0) {
        return Err(Error::Uncorrectable {
            reason: "syndromes do not vanish after correction",
        });
    }
    word.copy_from_slice(&fixed);
    Ok(Corrected {
        errors,
        erasures: rho,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_matches_chirp() {
        assert_eq!(generator(), [1, 8, 21, 15, 6, 2, 26, 18, 5]);
    }

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize
        }
    }

    #[test]
    fn corrects_errors_and_erasures() {
        let mut rng = Lcg(7);
        for trial in 0..400 {
            let k = [10, 12, 1, 23][trial % 4];
            let data: Vec<u8> = (0..k).map(|_| (rng.next() % 32) as u8).collect();
            let parity = encode(&data).unwrap();
            let clean = [data.as_slice(), parity.as_slice()].concat();
            let n = clean.len();
            let rho = rng.next() % 9;
            let max_err = (PARITY - rho) / 2;
            let nerr = if max_err == 0 {
                0
            } else {
                rng.next() % (max_err + 1)
            };
            let mut pos: Vec<usize> = Vec::new();
            while pos.len() < rho + nerr {
                let p = rng.next() % n;
                if !pos.contains(&p) {
                    pos.push(p);
                }
            }
            let mut word = clean.clone();
            for (i, &p) in pos.iter().enumerate() {
                let flip = if i < rho {
                    (rng.next() % 32) as u8
                } else {
                    1 + (rng.next() % 31) as u8
                };
                word[p] ^= flip;
            }
            let got = decode(&mut word, k, &pos[..rho]).unwrap();
            assert_eq!(word, clean, "trial {trial}: k={k} rho={rho} nerr={nerr}");
            assert_eq!(got.errors, nerr);
        }
    }

    #[test]
    fn refuses_beyond_capacity() {
        let data = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let parity = encode(&data).unwrap();
        let clean = [data.as_slice(), parity.as_slice()].concat();
        let mut refused = 0;
        let mut rng = Lcg(99);
        for _ in 0..200 {
            let mut word = clean.clone();
            let mut pos = Vec::new();
            while pos.len() < 6 {
                let p = rng.next() % 18;
                if !pos.contains(&p) {
                    pos.push(p);
                }
            }
            for &p in &pos {
                word[p] ^= 1 + (rng.next() % 31) as u8;
            }
            let before = word.clone();
            match decode(&mut word, 10, &[]) {
                Ok(_) => assert_ne!(word, clean), // a different codeword, never a half-fix
                Err(_) => {
                    assert_eq!(word, before);
                    refused += 1;
                }
            }
        }
        // Six errors in a shortened code are almost always detected.
        assert!(refused > 190, "{refused}");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(encode(&[]).is_err());
        assert!(encode(&[0; 24]).is_err());
        assert!(encode(&[32]).is_err());
        assert!(decode(&mut [0; 17], 10, &[]).is_err());
        assert!(decode(&mut [0; 18], 10, &[18]).is_err());
        assert!(decode(&mut [0; 18], 10, &[0; 9]).is_err());
    }
}
