//! Stateless lookup-table tokenization ("vaultless", static random tables at every node).
//!
//! Every node derives the same secret substitution tables from one key (AES-256 in counter mode
//! drives a Fisher–Yates shuffle with rejection sampling, so the tables are unbiased permutations),
//! and tokenizes digits with chained substitutions over blocks of `block` digits:
//!
//! ```text
//! round r (forward on even r, backward on odd r):  out_j = T_r[(in_j + out_{j-1}) mod 10^k]
//! ```
//!
//! The chaining carries every digit's influence along the string, and alternating directions make
//! every output digit depend on every input digit after two rounds. Detokenization applies the
//! inverse tables in the same order; no mapping is stored anywhere.
//!
//! # Why this is weaker than FF1
//! - **No security reduction.** FF1 is a Feistel network whose round function is AES; its security
//!   reduces to AES being a PRF. Chained table lookups are an ad-hoc substitution network: no proof
//!   bounds an attacker's advantage, and small-block SP networks with few rounds fall to
//!   differential and slide-style attacks.
//! - **Known pairs leak table entries.** Each (PAN, token) pair fixes one input/output of every
//!   table position it passes through; with enough pairs an attacker reconstructs tables (at most
//!   `rounds × 10^block` secret entries) and then tokenizes and detokenizes at will.
//! - **The secret is large and everywhere.** Every node holds the expanded tables (the key alone
//!   suffices to rebuild them), so one compromised node exposes the whole token space — the same
//!   as FF1 but without FF1's per-call tweak, so equal inputs always give equal tokens.
//! - **Small domains.** Like any deterministic scheme, the codebook of a small domain can be built
//!   by querying; inputs shorter than 6 digits are refused.
//!
//! Use FF1 ([`crate::pan::FpeTokenizer`]) or vault tokens when in doubt; this exists for systems
//! that must interoperate with static-table tokenizers and for comparison.
//!
//! ```
//! use mpay_tokenization::lookup::LookupTokenizer;
//! let t = LookupTokenizer::from_key(&[9u8; 32], 3, 4).unwrap();
//! let tok = t.tokenize("4111111111111111").unwrap();
//! assert_eq!(tok.len(), 16);
//! assert_eq!(t.detokenize(&tok).unwrap(), "4111111111111111");
//! ```

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use cipher::{Array, BlockCipherEncrypt, KeyInit};

use crate::error::{Error, Result};
use crate::luhn;

/// One permutation of `0..size` and its inverse.
#[derive(Clone)]
struct Table {
    fwd: Vec<u16>,
    inv: Vec<u16>,
}

/// Stateless table tokenizer over decimal strings.
#[derive(Clone)]
pub struct LookupTokenizer {
    block: usize,
    /// `tables[round][k-1]`: permutation of 0..10^k for block lengths k = 1..=block.
    tables: Vec<Vec<Table>>,
}

impl core::fmt::Debug for LookupTokenizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LookupTokenizer")
            .field("block", &self.block)
            .field("rounds", &self.tables.len())
            .field("tables", &"<secret>")
            .finish()
    }
}

struct Stream {
    aes: aes::Aes256,
    ctr: u128,
    buf: [u8; 16],
    pos: usize,
}

impl Stream {
    fn next_u32(&mut self) -> u32 {
        if self.pos + 4 > 16 {
            let mut b = Array::from(self.ctr.to_be_bytes());
            self.aes.encrypt_block(&mut b);
            self.buf = b.into();
            self.ctr += 1;
            self.pos = 0;
        }
        let v = u32::from_be_bytes([
            self.buf[self.pos],
            self.buf[self.pos + 1],
            self.buf[self.pos + 2],
            self.buf[self.pos + 3],
        ]);
        self.pos += 4;
        v
    }

    /// Uniform in 0..n by rejection.
    fn below(&mut self, n: u32) -> u32 {
        let zone = u32::MAX - (u32::MAX % n);
        loop {
            let v = self.next_u32();
            if v < zone {
                return v % n;
            }
        }
    }
}

const POW10: [usize; 5] = [1, 10, 100, 1000, 10000];

impl LookupTokenizer {
    /// Derives the tables from a 32-byte key: `block` digits per table (1..=4), `rounds` rounds
    /// (2..=16).
    pub fn from_key(key: &[u8], block: usize, rounds: usize) -> Result<Self> {
        if key.len() != 32 {
            return Err(Error::InvalidKeyLength {
                what: "lookup-table key",
                expected: 32,
                got: key.len(),
            });
        }
        if !(1..=4).contains(&block) {
            return Err(Error::Config {
                field: "block",
                reason: "1..=4 digits per table",
            });
        }
        if !(2..=16).contains(&rounds) {
            return Err(Error::Config {
                field: "rounds",
                reason: "2..=16 rounds",
            });
        }
        let aes = aes::Aes256::new_from_slice(key).map_err(|_| Error::InvalidKeyLength {
            what: "lookup-table key",
            expected: 32,
            got: key.len(),
        })?;
        let mut s = Stream {
            aes,
            ctr: 0,
            buf: [0; 16],
            pos: 16,
        };
        let mut tables = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let mut per = Vec::with_capacity(block);
            for &n in &POW10[1..=block] {
                let mut fwd: Vec<u16> = (0..n as u16).collect();
                for i in (1..n).rev() {
                    let j = s.below(i as u32 + 1) as usize;
                    fwd.swap(i, j);
                }
                let mut inv = vec![0u16; n];
                for (i, &v) in fwd.iter().enumerate() {
                    inv[v as usize] = i as u16;
                }
                per.push(Table { fwd, inv });
            }
            tables.push(per);
        }
        Ok(LookupTokenizer { block, tables })
    }

    fn blocks(&self, n: usize) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        let mut s = 0;
        while s < n {
            let e = (s + self.block).min(n);
            v.push((s, e));
            s = e;
        }
        v
    }

    fn parse(what: &'static str, s: &str) -> Result<Vec<u8>> {
        if s.len() < 6 {
            return Err(Error::DomainTooSmall {
                radix: 10,
                len: s.len(),
            });
        }
        if s.len() > 64 {
            return Err(Error::TooLong {
                what,
                len: s.len(),
                max: 64,
            });
        }
        luhn::digits(s).map_err(|i| Error::numeral(what, i, 10))
    }

    fn get(d: &[u8]) -> usize {
        d.iter().fold(0usize, |a, &x| a * 10 + usize::from(x))
    }

    fn put(d: &mut [u8], mut v: usize) {
        for x in d.iter_mut().rev() {
            *x = (v % 10) as u8;
            v /= 10;
        }
    }

    /// Tokenizes 6..=64 decimal digits; the token has the same length.
    pub fn tokenize(&self, digits: &str) -> Result<String> {
        let mut d = Self::parse("lookup input", digits)?;
        let blocks = self.blocks(d.len());
        for (r, tabs) in self.tables.iter().enumerate() {
            let order: Vec<&(usize, usize)> = if r % 2 == 0 {
                blocks.iter().collect()
            } else {
                blocks.iter().rev().collect()
            };
            let mut carry = 0usize;
            for &&(s, e) in &order {
                let k = e - s;
                let m = POW10[k];
                let x = (Self::get(&d[s..e]) + carry) % m;
                let out = tabs[k - 1].fwd[x] as usize;
                Self::put(&mut d[s..e], out);
                carry = out;
            }
        }
        Ok(d.iter().map(|&x| (b'0' + x) as char).collect())
    }

    /// Inverts [`LookupTokenizer::tokenize`].
    pub fn detokenize(&self, token: &str) -> Result<String> {
        let mut d = Self::parse("lookup token", token)?;
        let blocks = self.blocks(d.len());
        for (r, tabs) in self.tables.iter().enumerate().rev() {
            let order: Vec<&(usize, usize)> = if r % 2 == 0 {
                blocks.iter().collect()
            } else {
                blocks.iter().rev().collect()
            };
            let mut carry = 0usize;
            for &&(s, e) in &order {
                let k = e - s;
                let m = POW10[k];
                let out = Self::get(&d[s..e]);
                let x = tabs[k - 1].inv[out] as usize;
                Self::put(&mut d[s..e], (x + m - carry % m) % m);
                carry = out;
            }
        }
        Ok(d.iter().map(|&x| (b'0' + x) as char).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_block_sizes() {
        for block in 1..=4 {
            let t = LookupTokenizer::from_key(&[block as u8; 32], block, 3).unwrap();
            for s in [
                "123456",
                "4111111111111111",
                "0000000000000",
                "9999999999999999999",
            ] {
                let tok = t.tokenize(s).unwrap();
                assert_eq!(tok.len(), s.len());
                assert_eq!(t.detokenize(&tok).unwrap(), s);
            }
        }
    }

    #[test]
    fn diffusion_every_digit() {
        // Changing the first digit changes the last block and vice versa.
        let t = LookupTokenizer::from_key(&[1u8; 32], 3, 4).unwrap();
        let a = t.tokenize("4111111111111111").unwrap();
        let b = t.tokenize("5111111111111111").unwrap();
        let c = t.tokenize("4111111111111112").unwrap();
        assert_ne!(a[13..], b[13..]);
        assert_ne!(a[..3], c[..3]);
    }

    #[test]
    fn refuses_short_and_bad() {
        let t = LookupTokenizer::from_key(&[1u8; 32], 3, 4).unwrap();
        assert!(t.tokenize("12345").is_err());
        assert!(t.tokenize("12345a7").is_err());
        assert!(LookupTokenizer::from_key(&[1u8; 31], 3, 4).is_err());
    }
}
