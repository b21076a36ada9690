//! PAN token policies: kept digits, Luhn modes by reversible cycle walking, tweaks from context,
//! refusal of small domains; lookup-table tokenization round trips.

use mpay_tokenization::Error;
use mpay_tokenization::lookup::LookupTokenizer;
use mpay_tokenization::luhn;
use mpay_tokenization::pan::{FpeTokenizer, LuhnMode, Pan, PanPolicy, TweakContext};
use proptest::prelude::*;

fn tk(luhn: LuhnMode, keep_bin: usize) -> FpeTokenizer<aes::Aes256> {
    FpeTokenizer::new(
        &[0x3c; 32],
        PanPolicy {
            keep_bin,
            keep_last: 4,
            luhn,
        },
    )
    .unwrap()
}

fn valid_pan(seed: u64, len: usize) -> Pan {
    let mut d: Vec<u8> = (0..len - 1)
        .map(|i| ((seed >> (i % 60)) as u8 ^ i as u8) % 10)
        .collect();
    d[0] = 4;
    d.push(luhn::check_digit(&d));
    Pan::from_digits(&d).unwrap()
}

#[test]
fn luhn_modes() {
    let ctx = TweakContext::new()
        .with("merchant", "M-1")
        .with("channel", "ecom");
    for seed in 0..60u64 {
        let len = 16 + (seed % 4) as usize;
        let pan = valid_pan(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), len);
        for mode in [LuhnMode::Valid, LuhnMode::Invalid, LuhnMode::Any] {
            let t = tk(mode, 6);
            let tok = t.tokenize(&pan, &ctx).unwrap();
            let d = luhn::digits(&tok).unwrap();
            assert_eq!(d.len(), pan.len());
            assert_eq!(&d[..6], &pan.digits()[..6]);
            assert_eq!(&d[len - 4..], &pan.digits()[len - 4..]);
            match mode {
                LuhnMode::Valid => assert!(luhn::is_valid(&d)),
                LuhnMode::Invalid => assert!(!luhn::is_valid(&d)),
                LuhnMode::Any => {}
            }
            assert_eq!(t.detokenize(&tok, &ctx).unwrap(), pan);
        }
    }
}

#[test]
fn tweak_binds_context() {
    let t = tk(LuhnMode::Valid, 6);
    let pan = valid_pan(42, 16);
    let a = TweakContext::new().with("merchant", "A");
    let b = TweakContext::new().with("merchant", "B");
    let ta = t.tokenize(&pan, &a).unwrap();
    assert_ne!(ta, t.tokenize(&pan, &b).unwrap());
    assert_ne!(t.detokenize(&ta, &b).unwrap(), pan);
}

#[test]
fn small_domains_refused_with_vault_advice() {
    let t = tk(LuhnMode::Any, 8);
    let e = t
        .tokenize(&valid_pan(1, 16), &TweakContext::new())
        .unwrap_err();
    assert!(matches!(e, Error::TooFewFreeDigits { free: 4, .. }));
    assert!(e.to_string().contains("use vault tokens"));
    // 8-digit BIN works from 18 digits on (6 free)
    let p = valid_pan(2, 18);
    assert_eq!(
        t.detokenize(
            &t.tokenize(&p, &TweakContext::new()).unwrap(),
            &TweakContext::new()
        )
        .unwrap(),
        p
    );
    // BIN 6 + last 4 on a 15-digit PAN (e.g. Amex) leaves 5 free digits: refused too
    assert!(matches!(
        tk(LuhnMode::Any, 6).tokenize(&valid_pan(3, 15), &TweakContext::new()),
        Err(Error::TooFewFreeDigits { free: 5, .. })
    ));
    assert!(matches!(
        FpeTokenizer::<aes::Aes128>::new(
            &[0; 16],
            PanPolicy {
                keep_bin: 9,
                keep_last: 4,
                luhn: LuhnMode::Any
            }
        ),
        Err(Error::Config { .. })
    ));
}

#[test]
fn invalid_mode_needs_valid_pan_and_rejects_valid_tokens() {
    let t = tk(LuhnMode::Invalid, 6);
    let mut d = valid_pan(5, 16).digits().to_vec();
    d[15] = (d[15] + 1) % 10;
    let bad = Pan::from_digits(&d).unwrap();
    assert!(matches!(
        t.tokenize(&bad, &TweakContext::new()),
        Err(Error::Luhn { .. })
    ));
    assert!(matches!(
        t.detokenize("4111111111111111", &TweakContext::new()),
        Err(Error::Luhn { .. })
    ));
}

#[test]
fn pan_parse_errors_never_echo_digits() {
    let e = Pan::parse("41111111x1111111").unwrap_err();
    assert_eq!(
        e,
        Error::InvalidNumeral {
            what: "PAN",
            offset: 8,
            radix: 10
        }
    );
    assert!(!e.to_string().contains("4111"));
    assert!(Pan::parse("41111111111").is_err());
    assert!(Pan::parse("41111111111111111111").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn policy_round_trip(seed in any::<u64>(), len in 16usize..=19, merchant in "[A-Z0-9]{0,12}", mode in 0u8..3) {
        let mode = [LuhnMode::Valid, LuhnMode::Invalid, LuhnMode::Any][mode as usize];
        let t = tk(mode, 6);
        let pan = valid_pan(seed, len);
        let ctx = TweakContext::new().with("merchant", &merchant);
        let tok = t.tokenize(&pan, &ctx).unwrap();
        prop_assert_eq!(t.detokenize(&tok, &ctx).unwrap(), pan);
    }

    #[test]
    fn lookup_round_trip(key in proptest::collection::vec(any::<u8>(), 32), digits in "[0-9]{6,40}", block in 1usize..=3) {
        let t = LookupTokenizer::from_key(&key, block, 3).unwrap();
        let tok = t.tokenize(&digits).unwrap();
        prop_assert_eq!(tok.len(), digits.len());
        prop_assert_eq!(t.detokenize(&tok).unwrap(), digits);
    }
}
