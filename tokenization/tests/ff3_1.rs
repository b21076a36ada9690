//! FF3-1 (feature `legacy-ff3-1`, deprecated): ACVP sample, limits, round trips.
#![cfg(feature = "legacy-ff3-1")]
#![allow(deprecated)]

use mpay_tokenization::ff3_1::Ff3_1;
use proptest::prelude::*;

fn digits(s: &str) -> Vec<u16> {
    s.bytes().map(|b| u16::from(b - b'0')).collect()
}

#[test]
fn acvp_sample() {
    for l in include_str!("vectors/ff3_1_acvp.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let f: Vec<&str> = l.split('|').collect();
        let ff =
            Ff3_1::<aes::Aes128>::new(&hex::decode(f[0]).unwrap(), f[2].parse().unwrap()).unwrap();
        let t = hex::decode(f[1]).unwrap();
        assert_eq!(ff.encrypt(&t, &digits(f[3])).unwrap(), digits(f[4]));
        assert_eq!(ff.decrypt(&t, &digits(f[4])).unwrap(), digits(f[3]));
    }
}

#[test]
fn limits() {
    let f = Ff3_1::<aes::Aes256>::new(&[1; 32], 10).unwrap();
    let t = [0u8; 7];
    assert!(f.encrypt(&t, &[1; 5]).is_err(), "domain below 10^6");
    assert!(f.encrypt(&t, &[1; 56]).is_ok(), "2*floor(log10(2^96)) = 56");
    assert!(f.encrypt(&t, &[1; 57]).is_err());
    assert!(
        f.encrypt(&[0u8; 8], &[1; 10]).is_err(),
        "tweak must be 56 bits"
    );
    assert!(f.encrypt(&t, &[1, 2, 3, 4, 5, 10]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn round_trip(radix in 2u32..=64, tweak in proptest::array::uniform7(any::<u8>()), seed in any::<u64>(), extra in 0usize..8) {
        let f = Ff3_1::<aes::Aes128>::new(&[5; 16], radix).unwrap();
        let mut n = 2;
        while mpay_tokenization::ff1::check_domain(radix, n).is_err() { n += 1; }
        let x: Vec<u16> = (0..n + extra).map(|i| ((seed >> (i % 48)) % u64::from(radix)) as u16).collect();
        let c = f.encrypt(&tweak, &x).unwrap();
        prop_assert_eq!(f.decrypt(&tweak, &c).unwrap(), x);
    }
}
