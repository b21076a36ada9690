//! Round trips on canonical input: build ∘ parse = id for MPM payloads and CPM payloads, and
//! decode ∘ encode = id for Reed–Solomon frames and payment-code symbols.

mod common;

use mpay_qr_payment::audio::{payment_code_to_symbols, rs, symbols_to_payment_code};
use mpay_qr_payment::cpm::{ConsumerPayload, ConsumerPayloadBuilder, Template};
use mpay_qr_payment::mpm::MerchantPayload;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mpm_parse_build(seed in any::<u64>(), size in 14usize..1200) {
        let text = common::random_mpm(&mut common::Rng(seed | 1), size);
        let qr = MerchantPayload::parse(&text).unwrap();
        prop_assert_eq!(qr.to_builder().build().unwrap(), text.clone());
        // Any single-character change is caught (CRC, format or structure).
        let pos = (seed as usize) % (text.len() - 4);
        if text.is_char_boundary(pos) && text.is_char_boundary(pos + 1) {
            let c = text.as_bytes()[pos];
            let flipped = if c == b'7' { '8' } else { '7' };
            let mut t = text.clone();
            t.replace_range(pos..pos + 1, &flipped.to_string());
            prop_assert!(MerchantPayload::parse(&t).is_err());
        }
    }

    #[test]
    fn cpm_build_parse(
        apps in prop::collection::vec((prop::collection::vec(any::<u8>(), 5..16), "[A-Za-z0-9 ]{1,16}"), 1..4),
        pan in prop::collection::vec(any::<u8>(), 8),
        tr in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut b = ConsumerPayloadBuilder::new();
        for (aid, label) in &apps {
            b = b.application(Template {
                fields: vec![(0x4F, aid.clone()), (0x50, label.as_bytes().to_vec())],
                transparent: None,
            });
        }
        b = b.common_data(Template {
            fields: vec![(0x5A, pan)],
            transparent: Some(vec![(0x9F26, tr)]),
        });
        let bytes = b.build().unwrap();
        let qr = ConsumerPayload::parse(&bytes).unwrap();
        prop_assert_eq!(qr.to_builder(), b);
        prop_assert_eq!(qr.applications().count(), apps.len());
    }

    #[test]
    fn rs_frames(data in prop::collection::vec(0u8..32, 1..=23), e1 in 0usize..31, e2 in 0usize..31, f in 1u8..32) {
        let k = data.len();
        let parity = rs::encode(&data).unwrap();
        let clean = [data.as_slice(), parity.as_slice()].concat();
        let mut w = clean.clone();
        let n = w.len();
        w[e1 % n] ^= f;
        w[e2 % n] ^= f;
        rs::decode(&mut w, k, &[]).unwrap();
        prop_assert_eq!(w, clean);
    }

    #[test]
    fn payment_code_symbols(v in 0u64..1_000_000_000_000_000_000) {
        let code = format!("{v:018}");
        match payment_code_to_symbols(&code) {
            Ok(s) => prop_assert_eq!(symbols_to_payment_code(&s), Some(code)),
            Err(_) => prop_assert!(!mpay_qr_payment::audio::is_payment_code(&code)),
        }
    }
}
