//! FF1: NIST samples, Wycheproof vectors, differential tests against the `fpe` crate, the exact
//! parameter `b`, and decrypt∘encrypt = id.

use fpe::ff1::{FF1, FlexibleNumeralString};
use mpay_tokenization::Error;
use mpay_tokenization::ff1::{Ff1, check_domain, ff1_b};
use num_bigint::BigUint;
use proptest::prelude::*;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn lines(data: &str) -> impl Iterator<Item = Vec<&str>> {
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('|').collect())
}

fn both(key: &[u8], radix: u32, tweak: &[u8], pt: &str) -> (String, String) {
    match key.len() {
        16 => {
            let f = Ff1::<aes::Aes128>::new(key, radix).unwrap();
            let ct = f.encrypt_str(tweak, pt).unwrap();
            let back = f.decrypt_str(tweak, &ct).unwrap();
            (ct, back)
        }
        24 => {
            let f = Ff1::<aes::Aes192>::new(key, radix).unwrap();
            let ct = f.encrypt_str(tweak, pt).unwrap();
            let back = f.decrypt_str(tweak, &ct).unwrap();
            (ct, back)
        }
        _ => {
            let f = Ff1::<aes::Aes256>::new(key, radix).unwrap();
            let ct = f.encrypt_str(tweak, pt).unwrap();
            let back = f.decrypt_str(tweak, &ct).unwrap();
            (ct, back)
        }
    }
}

#[test]
fn nist_samples_1_to_9() {
    let data = include_str!("vectors/ff1_nist_samples.txt");
    let mut n = 0;
    for f in lines(data) {
        let key = unhex(f[2]);
        let radix: u32 = f[3].parse().unwrap();
        let tweak = if f[4] == "-" { vec![] } else { unhex(f[4]) };
        let (ct, back) = both(&key, radix, &tweak, f[5]);
        assert_eq!(ct, f[6], "sample {}", f[0]);
        assert_eq!(back, f[5], "sample {}", f[0]);
        n += 1;
    }
    assert_eq!(n, 9);
}

#[test]
fn wycheproof_radix10_subset() {
    let data = include_str!("vectors/ff1_wycheproof_radix10.txt");
    let (mut valid, mut refused) = (0, 0);
    for f in lines(data) {
        let key = unhex(f[1]);
        let tweak = unhex(f[2]);
        let msg: Vec<u16> = f[3]
            .bytes()
            .map(|b| if b == b'X' { 10 } else { u16::from(b - b'0') })
            .collect();
        let run = |m: &[u16]| -> Result<(Vec<u16>, Vec<u16>), Error> {
            macro_rules! go {
                ($c:ty) => {{
                    let ff = Ff1::<$c>::new(&key, 10)?;
                    let ct = ff.encrypt(&tweak, m)?;
                    let back = ff.decrypt(&tweak, &ct)?;
                    Ok((ct, back))
                }};
            }
            match key.len() {
                16 => go!(aes::Aes128),
                24 => go!(aes::Aes192),
                _ => go!(aes::Aes256),
            }
        };
        match f[5] {
            "valid" => {
                let (ct, back) = run(&msg).unwrap_or_else(|e| panic!("tcId {}: {e}", f[0]));
                let want: Vec<u16> = f[4].bytes().map(|b| u16::from(b - b'0')).collect();
                assert_eq!(ct, want, "tcId {}", f[0]);
                assert_eq!(back, msg, "tcId {}", f[0]);
                valid += 1;
            }
            "legacy" | "invalid" => {
                assert!(run(&msg).is_err(), "tcId {} must be refused", f[0]);
                refused += 1;
            }
            other => panic!("unknown result {other}"),
        }
    }
    assert!(
        valid >= 40 && refused >= 8,
        "{valid} valid, {refused} refused"
    );
}

/// splitmix64: reproducible inputs without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn differential<C>(key_len: usize, cases: usize, seed: u64)
where
    C: cipher::BlockCipherEncrypt
        + cipher::BlockSizeUser<BlockSize = cipher::consts::U16>
        + cipher::KeyInit
        + Clone,
{
    let mut r = Rng(seed);
    let key = r.bytes(key_len);
    let ours = Ff1::<C>::new(&key, 10).unwrap();
    let theirs = FF1::<C>::new(&key, 10).unwrap();
    for i in 0..cases {
        let n = 6 + (r.next() % 33) as usize; // 6..=38: the whole fast path
        let t = (r.next() % 24) as usize; // tweaks of 0..=23 bytes cross block boundaries
        let tweak = r.bytes(t);
        let x: Vec<u16> = (0..n).map(|_| (r.next() % 10) as u16).collect();
        let want: Vec<u16> = theirs
            .encrypt(&tweak, &FlexibleNumeralString::from(x.clone()))
            .unwrap()
            .into();
        let got = ours.encrypt(&tweak, &x).unwrap();
        assert_eq!(got, want, "case {i}: n={n} t={t}");
        let mut d: Vec<u8> = x.iter().map(|&v| v as u8).collect();
        ours.encrypt_digits(&tweak, &mut d).unwrap();
        assert!(d.iter().zip(&want).all(|(&a, &b)| u16::from(a) == b));
        let back: Vec<u16> = theirs
            .decrypt(&tweak, &FlexibleNumeralString::from(got.clone()))
            .unwrap()
            .into();
        assert_eq!(back, x);
        assert_eq!(ours.decrypt(&tweak, &got).unwrap(), x);
    }
}

#[test]
fn fast_path_equals_fpe_aes128() {
    differential::<aes::Aes128>(16, 3000, 1);
}

#[test]
fn fast_path_equals_fpe_aes192() {
    differential::<aes::Aes192>(24, 3000, 2);
}

#[test]
fn fast_path_equals_fpe_aes256() {
    differential::<aes::Aes256>(32, 4000, 3);
}

/// SM4 (from `mpay-gmt`) through the same code: equal to `fpe` over the same cipher.
#[test]
fn fast_path_equals_fpe_sm4() {
    differential::<mpay_gmt::sm4::Sm4>(16, 300, 4);
}

#[test]
fn generic_path_long_and_other_radixes() {
    let key = [0x42u8; 32];
    for radix in [2u32, 16, 36, 62, 255, 256, 65535, 65536] {
        let f = Ff1::<aes::Aes256>::new(&key, radix).unwrap();
        let mut n = 2;
        while check_domain(radix, n).is_err() {
            n += 1;
        }
        for len in [n, n + 3, 40] {
            let x: Vec<u16> = (0..len)
                .map(|i| ((i as u32 * 7919) % radix) as u16)
                .collect();
            let ct = f.encrypt(b"tw", &x).unwrap();
            assert_eq!(f.decrypt(b"tw", &ct).unwrap(), x);
        }
        assert!(f.encrypt(b"", &vec![0u16; n - 1]).is_err(), "radix {radix}");
    }
    // radix 10 beyond the fast path (39+ digits) still matches fpe
    let f = Ff1::<aes::Aes128>::new(&key[..16], 10).unwrap();
    let g = FF1::<aes::Aes128>::new(&key[..16], 10).unwrap();
    let x: Vec<u16> = (0..60).map(|i| (i % 10) as u16).collect();
    let want: Vec<u16> = g
        .encrypt(b"t", &FlexibleNumeralString::from(x.clone()))
        .unwrap()
        .into();
    assert_eq!(f.encrypt(b"t", &x).unwrap(), want);
}

/// `b` without floating point equals the big-integer truth ceil(bitlen(radix^v - 1) / 8) for
/// every radix 2..=65536 and every v with radix^v < 2^128.
#[test]
fn parameter_b_is_exact() {
    let mut checked = 0u32;
    for radix in 2u32..=65536 {
        let mut p = BigUint::from(1u32);
        let r = BigUint::from(radix);
        for v in 1u32.. {
            p *= &r;
            let Some(b) = ff1_b(radix, v) else { break };
            let truth = ((&p - 1u32).bits() as usize).div_ceil(8);
            assert_eq!(b, truth, "radix {radix} v {v}");
            checked += 1;
        }
    }
    assert!(checked > 500_000);
}

#[test]
fn domain_below_one_million_refused_everywhere() {
    let f = Ff1::<aes::Aes128>::new(&[1u8; 16], 10).unwrap();
    for n in 0..6 {
        assert!(matches!(
            f.encrypt(&[], &vec![1u16; n]),
            Err(Error::DomainTooSmall { .. })
        ));
    }
    let f2 = Ff1::<aes::Aes128>::new(&[1u8; 16], 2).unwrap();
    assert!(f2.encrypt(&[], &[1u16; 19]).is_err());
    assert!(f2.encrypt(&[], &[1u16; 20]).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn decrypt_encrypt_is_identity(
        key in proptest::collection::vec(any::<u8>(), 32),
        tweak in proptest::collection::vec(any::<u8>(), 0..40),
        digits in proptest::collection::vec(0u16..10, 6..60),
    ) {
        let f = Ff1::<aes::Aes256>::new(&key, 10).unwrap();
        let ct = f.encrypt(&tweak, &digits).unwrap();
        prop_assert_eq!(ct.len(), digits.len());
        prop_assert_eq!(f.decrypt(&tweak, &ct).unwrap(), digits);
    }

    #[test]
    fn any_radix_round_trip(
        radix in 2u32..=300,
        tweak in proptest::collection::vec(any::<u8>(), 0..8),
        seed in any::<u64>(),
    ) {
        let f = Ff1::<aes::Aes128>::new(&[3u8; 16], radix).unwrap();
        let mut n = 2;
        while check_domain(radix, n).is_err() { n += 1; }
        let mut r = Rng(seed);
        let x: Vec<u16> = (0..n + 2).map(|_| (r.next() % u64::from(radix)) as u16).collect();
        let ct = f.encrypt(&tweak, &x).unwrap();
        prop_assert_eq!(f.decrypt(&tweak, &ct).unwrap(), x);
    }
}
