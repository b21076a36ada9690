//! NIST ACVP vectors (usnistgov/ACVP-Server `gen-val/json-files`, subsets kept in
//! `tests/vectors/acvp_*.txt`, each file naming its source path and commit).
//!
//! - FF1 (`ACVP-AES-FF1-1.0`): all 30 test groups — encrypt and decrypt, AES-128/192/256, the five
//!   ACVP alphabets (radix 2, 4, 16, 32, 64), tweaks of 0..=16 bytes, inputs up to 512 numerals —
//!   through `Ff1<C>`, `DynFf1`, and the text API where the ACVP alphabet is the crate's `0-9a-z`.
//! - FF3-1 (`ACVP-AES-FF3-1-1.0`, feature `legacy-ff3-1`): all 18 test groups (radix 10, 26, 64,
//!   56-bit tweaks, inputs up to the 2·⌊log_radix 2^96⌋ limit).
//!
//! Every case runs in both directions: encrypt(pt) = ct and decrypt(ct) = pt. Failures are
//! collected and reported together with their ACVP group and case ids.

use std::collections::BTreeSet;

use mpay_tokenization::ff1::{CipherKind, DynFf1, Ff1};

/// One ACVP test group with the cases kept from it.
struct Group {
    tg_id: u32,
    direction: String,
    key_len: usize,
    radix: u32,
    alphabet: Vec<u8>,
    cases: Vec<Case>,
}

/// One ACVP AFT case (`tweak` empty when the file writes `-`).
struct Case {
    tc_id: u32,
    key: Vec<u8>,
    tweak: Vec<u8>,
    pt: String,
    ct: String,
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// Parses the `G|…` / `tcId|…` line format described in the vector files, and checks that each
/// group is self-consistent (alphabet length = radix, distinct symbols, key length = keyLen).
fn parse(data: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('|').collect();
        if f[0] == "G" {
            assert_eq!(f.len(), 6, "group line {line:?}");
            let g = Group {
                tg_id: f[1].parse().unwrap(),
                direction: f[2].to_string(),
                key_len: f[3].parse().unwrap(),
                radix: f[4].parse().unwrap(),
                alphabet: f[5].as_bytes().to_vec(),
                cases: Vec::new(),
            };
            assert_eq!(g.alphabet.len(), g.radix as usize, "tgId {}", g.tg_id);
            let distinct: BTreeSet<u8> = g.alphabet.iter().copied().collect();
            assert_eq!(distinct.len(), g.alphabet.len(), "tgId {}", g.tg_id);
            assert!(g.direction == "encrypt" || g.direction == "decrypt");
            groups.push(g);
        } else {
            assert_eq!(f.len(), 5, "case line {line:?}");
            let g = groups.last_mut().expect("case before any group");
            let c = Case {
                tc_id: f[0].parse().unwrap(),
                key: unhex(f[1]),
                tweak: unhex(f[2]),
                pt: f[3].to_string(),
                ct: f[4].to_string(),
            };
            assert_eq!(c.key.len() * 8, g.key_len, "tcId {}", c.tc_id);
            assert_eq!(c.pt.len(), c.ct.len(), "tcId {}", c.tc_id);
            g.cases.push(c);
        }
    }
    groups
}

/// Text over `alphabet` → numerals (index of each symbol).
fn numerals(alphabet: &[u8], s: &str) -> Vec<u16> {
    s.bytes()
        .map(|b| {
            let i = alphabet.iter().position(|&a| a == b);
            i.unwrap_or_else(|| panic!("{:?} not in the alphabet", b as char)) as u16
        })
        .collect()
}

/// Numerals → text over `alphabet`.
fn text(alphabet: &[u8], x: &[u16]) -> String {
    x.iter()
        .map(|&d| alphabet[usize::from(d)] as char)
        .collect()
}

/// Runs one case both ways with `enc`/`dec` over numerals; returns the failures as strings.
fn check_case(
    label: &str,
    g: &Group,
    c: &Case,
    enc: impl Fn(&[u8], &[u16]) -> Result<Vec<u16>, String>,
    dec: impl Fn(&[u8], &[u16]) -> Result<Vec<u16>, String>,
) -> Vec<String> {
    let id = format!(
        "{label} tgId {} ({} AES-{} radix {}) tcId {} (n={}, tweak {} bytes)",
        g.tg_id,
        g.direction,
        g.key_len,
        g.radix,
        c.tc_id,
        c.pt.len(),
        c.tweak.len()
    );
    let runs = [
        (
            "encrypt",
            enc(&c.tweak, &numerals(&g.alphabet, &c.pt)),
            &c.ct,
        ),
        (
            "decrypt",
            dec(&c.tweak, &numerals(&g.alphabet, &c.ct)),
            &c.pt,
        ),
    ];
    runs.into_iter()
        .filter_map(|(op, result, want)| match result {
            Ok(got) if text(&g.alphabet, &got) == *want => None,
            Ok(got) => Some(format!(
                "{id}: {op} gave {}, want {want}",
                text(&g.alphabet, &got)
            )),
            Err(e) => Some(format!("{id}: {op} refused: {e}")),
        })
        .collect()
}

/// Runs `per_case` over every case of `groups`, then fails once listing every failure.
/// Returns the number of cases run.
fn run_all(what: &str, groups: &[Group], per_case: impl Fn(&Group, &Case) -> Vec<String>) -> usize {
    let mut failures = Vec::new();
    let mut ran = 0;
    for g in groups {
        for c in &g.cases {
            failures.extend(per_case(g, c));
            ran += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

/// `check_case` with `$fpe::<Aes128|Aes192|Aes256>` picked by the group's keyLen.
macro_rules! with_aes {
    ($label:expr, $g:expr, $c:expr, $fpe:ident) => {
        match $g.key_len {
            128 => with_aes!(@one $label, $g, $c, $fpe, aes::Aes128),
            192 => with_aes!(@one $label, $g, $c, $fpe, aes::Aes192),
            256 => with_aes!(@one $label, $g, $c, $fpe, aes::Aes256),
            other => panic!("keyLen {other}"),
        }
    };
    (@one $label:expr, $g:expr, $c:expr, $fpe:ident, $cipher:ty) => {{
        let f = $fpe::<$cipher>::new(&$c.key, $g.radix).unwrap();
        check_case(
            $label,
            $g,
            $c,
            |t, x| f.encrypt(t, x).map_err(|e| e.to_string()),
            |t, x| f.decrypt(t, x).map_err(|e| e.to_string()),
        )
    }};
}

const FF1_VECTORS: &str = include_str!("vectors/acvp_ff1.txt");

/// The kept subset still spans the whole ACVP FF1 matrix.
#[test]
fn ff1_subset_covers_every_group() {
    let groups = parse(FF1_VECTORS);
    assert_eq!(groups.len(), 30);
    let ids: Vec<u32> = groups.iter().map(|g| g.tg_id).collect();
    assert_eq!(ids, (1..=30).collect::<Vec<_>>());
    let matrix: BTreeSet<(String, usize, u32)> = groups
        .iter()
        .map(|g| (g.direction.clone(), g.key_len, g.radix))
        .collect();
    assert_eq!(matrix.len(), 2 * 3 * 5);
    assert!(groups.iter().all(|g| g.cases.len() >= 4));
    let cases: Vec<&Case> = groups.iter().flat_map(|g| &g.cases).collect();
    assert!(cases.len() >= 140, "{} cases", cases.len());
    let tweak_lens: BTreeSet<usize> = cases.iter().map(|c| c.tweak.len()).collect();
    assert!(tweak_lens.contains(&0) && tweak_lens.contains(&1) && tweak_lens.contains(&16));
    assert!(cases.iter().any(|c| c.pt.len() > 500));
}

/// FF1 over `Ff1<Aes128|Aes192|Aes256>`, numerals mapped through each group's alphabet.
#[test]
fn ff1_acvp_all_groups() {
    let ran = run_all("FF1 ACVP", &parse(FF1_VECTORS), |g, c| {
        with_aes!("Ff1", g, c, Ff1)
    });
    assert!(ran >= 140);
}

/// The same cases through `DynFf1` (cipher chosen at run time, as the CLI does).
#[test]
fn ff1_acvp_through_dyn() {
    run_all("FF1 ACVP (DynFf1)", &parse(FF1_VECTORS), |g, c| {
        let f = DynFf1::new(CipherKind::Aes, &c.key, g.radix).unwrap();
        assert!(
            matches!(
                (&f, g.key_len),
                (DynFf1::Aes128(_), 128) | (DynFf1::Aes192(_), 192) | (DynFf1::Aes256(_), 256)
            ),
            "tcId {}: {f:?}",
            c.tc_id
        );
        check_case(
            "DynFf1",
            g,
            c,
            |t, x| f.encrypt(t, x).map_err(|e| e.to_string()),
            |t, x| f.decrypt(t, x).map_err(|e| e.to_string()),
        )
    });
}

/// Where the ACVP alphabet is the crate's text alphabet cut to the radix (`0123` for radix 4,
/// `0123456789abcdef` for radix 16), the strings go through `encrypt_str`/`decrypt_str` as-is.
#[test]
fn ff1_acvp_text_api() {
    const CRATE_ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut ran = 0;
    for g in parse(FF1_VECTORS) {
        if g.alphabet.as_slice() != &CRATE_ALPHABET[..g.radix.min(36) as usize] {
            continue;
        }
        for c in &g.cases {
            let f = DynFf1::new(CipherKind::Aes, &c.key, g.radix).unwrap();
            let id = format!("tgId {} tcId {}", g.tg_id, c.tc_id);
            assert_eq!(f.encrypt_str(&c.tweak, &c.pt).unwrap(), c.ct, "{id}");
            assert_eq!(f.decrypt_str(&c.tweak, &c.ct).unwrap(), c.pt, "{id}");
            // Parsing is case-insensitive: upper-case input gives the same (lower-case) output.
            let upper = c.ct.to_ascii_uppercase();
            assert_eq!(f.decrypt_str(&c.tweak, &upper).unwrap(), c.pt, "{id}");
            ran += 1;
        }
    }
    assert!(ran >= 50, "{ran} cases over radix 4 and 16");
}

/// A flipped tweak byte or key byte changes the ACVP result (the vectors bind both).
#[test]
fn ff1_acvp_tweak_and_key_are_bound() {
    for g in parse(FF1_VECTORS).iter().filter(|g| g.key_len == 128) {
        let c = &g.cases[0];
        let pt = numerals(&g.alphabet, &c.pt);
        let ct = numerals(&g.alphabet, &c.ct);
        let mut tweak = c.tweak.clone();
        if tweak.is_empty() {
            tweak.push(0);
        } else {
            tweak[0] ^= 1;
        }
        let f = Ff1::<aes::Aes128>::new(&c.key, g.radix).unwrap();
        assert_ne!(f.encrypt(&tweak, &pt).unwrap(), ct, "tcId {}", c.tc_id);
        let mut key = c.key.clone();
        key[15] ^= 0x80;
        let f = Ff1::<aes::Aes128>::new(&key, g.radix).unwrap();
        assert_ne!(f.encrypt(&c.tweak, &pt).unwrap(), ct, "tcId {}", c.tc_id);
    }
}

#[cfg(feature = "legacy-ff3-1")]
mod ff3_1 {
    #![allow(deprecated)]

    use super::*;
    use mpay_tokenization::ff3_1::Ff3_1;

    const FF3_1_VECTORS: &str = include_str!("vectors/acvp_ff3_1.txt");

    #[test]
    fn ff3_1_subset_covers_every_group() {
        let groups = parse(FF3_1_VECTORS);
        assert_eq!(groups.len(), 18);
        let matrix: BTreeSet<(String, usize, u32)> = groups
            .iter()
            .map(|g| (g.direction.clone(), g.key_len, g.radix))
            .collect();
        assert_eq!(matrix.len(), 2 * 3 * 3);
        assert!(groups.iter().all(|g| g.cases.len() >= 4));
        assert!(
            groups
                .iter()
                .flat_map(|g| &g.cases)
                .all(|c| c.tweak.len() == 7)
        );
        // The longest input FF3-1 allows per radix is present: 56 (radix 10), 40 (radix 26).
        let longest = |radix: u32| {
            groups
                .iter()
                .filter(|g| g.radix == radix)
                .flat_map(|g| &g.cases)
                .map(|c| c.pt.len())
                .max()
                .unwrap()
        };
        assert_eq!(longest(10), 56);
        assert_eq!(longest(26), 40);
    }

    #[test]
    fn ff3_1_acvp_all_groups() {
        let ran = run_all("FF3-1 ACVP", &parse(FF3_1_VECTORS), |g, c| {
            with_aes!("Ff3_1", g, c, Ff3_1)
        });
        assert_eq!(ran, 72);
    }

    /// One numeral beyond the longest ACVP input is refused (radix 10: 57 digits).
    #[test]
    fn ff3_1_acvp_length_limit() {
        let groups = parse(FF3_1_VECTORS);
        let g = groups.iter().find(|g| g.radix == 10).unwrap();
        let c = g.cases.iter().find(|c| c.pt.len() == 56).unwrap();
        let f = Ff3_1::<aes::Aes128>::new(&c.key, 10).unwrap();
        let mut x = numerals(&g.alphabet, &c.pt);
        x.push(0);
        assert!(f.encrypt(&c.tweak, &x).is_err());
    }
}
