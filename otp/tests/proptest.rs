//! Property tests: encode ∘ decode = id on canonical input; parsers never panic.

use mpay_otp::ocra::{ChallengeFormat, OcraSuite};
use mpay_otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer,
};
use mpay_otp::replay::MemoryReplayGuard;
use mpay_otp::uri::{KeyUri, OtpKind};
use mpay_otp::{Algorithm, Code, Secret, parse_code};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512),
        Just(Algorithm::Sm3)
    ]
}

fn key_uri() -> impl Strategy<Value = KeyUri> {
    (
        prop_oneof![
            (1u64..100_000).prop_map(|period| OtpKind::Totp { period }),
            any::<u64>()
                .prop_map(|c| c % 10_000_000_000_000_000_000)
                .prop_map(|counter| OtpKind::Hotp { counter })
        ],
        proptest::option::of("[A-Za-z0-9 .&@%+/é-]{1,20}"),
        "[A-Za-z0-9.&@%+/é_-][A-Za-z0-9 .&@%+/é_-]{0,30}",
        proptest::collection::vec(any::<u8>(), 1..64),
        algorithm(),
        6u8..=10,
    )
        .prop_map(
            |(kind, issuer, account, secret, algorithm, digits)| KeyUri {
                kind,
                issuer,
                account,
                secret: Secret::new(secret),
                algorithm,
                digits,
            },
        )
}

proptest! {
    #[test]
    fn uri_round_trip(k in key_uri()) {
        let uri = k.to_uri();
        prop_assert_eq!(KeyUri::parse(&uri).unwrap(), k.clone());
        prop_assert_eq!(KeyUri::parse(&uri).unwrap().to_uri(), uri);
    }

    #[test]
    fn uri_parser_never_panics(s in ".{0,200}") {
        let _ = KeyUri::parse(&s);
        let _ = KeyUri::parse(&format!("otpauth://totp/{s}"));
    }

    #[test]
    fn ocra_suite_round_trip(
        alg in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
        digits in prop_oneof![Just(0u8), 4u8..=10],
        counter in any::<bool>(),
        fmt in prop_oneof![Just(ChallengeFormat::Alphanumeric), Just(ChallengeFormat::Numeric), Just(ChallengeFormat::Hex)],
        qlen in 4u8..=64,
        pin in proptest::option::of(prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)]),
        session in proptest::option::of(1u16..=512),
        ts in proptest::option::of(prop_oneof![
            (1u8..=59).prop_map(|n| (n, 'S')),
            (1u8..=59).prop_map(|n| (n, 'M')),
            (0u8..=48).prop_map(|n| (n, 'H')),
        ]),
    ) {
        let s = OcraSuite::build(alg, digits, counter, fmt, qlen, pin, session, ts).unwrap();
        let text = s.to_string();
        prop_assert_eq!(text.parse::<OcraSuite>().unwrap(), s);
    }

    #[test]
    fn ocra_parser_never_panics(s in ".{0,80}") {
        let _ = s.parse::<OcraSuite>();
        let _ = format!("OCRA-1:HOTP-SHA1-6:{s}").parse::<OcraSuite>();
    }

    #[test]
    fn code_display_parse_round_trip(v in any::<u64>(), digits in 6u8..=10) {
        let c = Code::new(v, digits);
        prop_assert_eq!(parse_code(&c.to_string(), digits).unwrap(), c.value());
    }

    #[test]
    fn paycode_round_trip(index in 0u64..10_000_000_000, now in 0u64..(1 << 40), pos in "[A-Z0-9]{0,12}") {
        let config = PaycodeConfig::wechat_style();
        let key = [0x11u8; 32];
        let seed = [0x22u8; 16];
        let device = PaycodeDevice::new(config.clone(), &key, index, &seed).unwrap();
        let ctx = BindingContext { pos_id: Some(&pos), ..BindingContext::default() };
        let code = device.generate(now, &ctx).unwrap();
        let mut creds = BTreeMap::new();
        creds.insert(index, PaycodeCredential::new(&config, &seed).unwrap());
        let server = PaycodeServer::new(config, &key, creds, MemoryReplayGuard::new()).unwrap();
        prop_assert_eq!(server.decode(&code).unwrap().0, index);
        let accepted = matches!(
            server.verify(&code, now, &ctx, None).unwrap(),
            mpay_otp::paycode::Verdict::Accepted { index: i, .. } if i == index
        );
        prop_assert!(accepted);
    }

    #[test]
    fn paycode_decoder_never_panics(s in "[0-9]{0,30}|.{0,30}") {
        let server = PaycodeServer::new(
            PaycodeConfig::alipay_style(),
            &[0u8; 32],
            BTreeMap::<u64, PaycodeCredential>::new(),
            MemoryReplayGuard::new(),
        ).unwrap();
        let _ = server.verify(&s, 1_700_000_000, &BindingContext::default(), Some(1));
    }
}
