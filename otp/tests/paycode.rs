//! Offline payment codes: wire format, unlinkability (χ²), decode + verify round trip.

use mpay_otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer, Verdict,
};
use mpay_otp::replay::MemoryReplayGuard;
use std::collections::HashMap;

const CODE_KEY: [u8; 32] = [0x5a; 32];

fn seed(index: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&index.to_be_bytes());
    s[8..16].copy_from_slice(&index.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
    s
}

fn check_format(code: &str, config: &PaycodeConfig) {
    assert_eq!(code.len(), config.length(), "{code}");
    assert!(code.starts_with(config.prefix()), "{code}");
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
}

/// Generates `n` codes over several formats and checks each matches its format and decodes
/// back to the index.
fn formats_hold(n: u64) {
    let configs = [
        PaycodeConfig::wechat_style(),
        PaycodeConfig::alipay_style(),
        PaycodeConfig::new("25", 16, 6).unwrap(),
        PaycodeConfig::new("30", 24, 8).unwrap(),
        PaycodeConfig::new("62", 19, 6).unwrap(),
    ];
    for (ci, config) in configs.iter().enumerate() {
        let server = PaycodeServer::new(
            config.clone(),
            &CODE_KEY,
            HashMap::<u64, PaycodeCredential>::new(),
            MemoryReplayGuard::new(),
        )
        .unwrap();
        for i in 0..n / configs.len() as u64 {
            let index = (i * 7_919 + ci as u64) % config.index_capacity();
            let device =
                PaycodeDevice::new(config.clone(), &CODE_KEY, index, &seed(index)).unwrap();
            let code = device
                .generate(1_600_000_000 + i * 30, &BindingContext::default())
                .unwrap();
            check_format(&code, config);
            assert_eq!(server.decode(&code).unwrap().0, index);
        }
    }
}

#[test]
fn generated_codes_match_the_format() {
    formats_hold(2_000);
}

/// The full run: 10^6 codes (about a minute in debug). `cargo test -p mpay-otp
/// --release --test paycode -- --ignored`.
#[test]
#[ignore = "10^6 codes: run with --release -- --ignored"]
fn a_million_generated_codes_match_the_format() {
    formats_hold(1_000_000);
}

/// χ² test of independence between the credential index and each digit of the payload:
/// 10 credentials × 10 digit values per position, 81 degrees of freedom. With a stable user
/// number (e.g. `index·10^6 + otp`) the index digits would be fully determined by the index.
fn chi_square_positions(codes_per_index: u64) -> Vec<f64> {
    let config = PaycodeConfig::wechat_style();
    let p = config.prefix().len();
    let w = config.payload_digits();
    let indices: Vec<u64> = (0..10).map(|i| 1_000_000 + i).collect();
    let mut counts = vec![[[0u64; 10]; 10]; w];
    for (row, &index) in indices.iter().enumerate() {
        let device = PaycodeDevice::new(config.clone(), &CODE_KEY, index, &seed(index)).unwrap();
        for t in 0..codes_per_index {
            let code = device
                .generate(1_700_000_000 + t * 30, &BindingContext::default())
                .unwrap();
            for (pos, d) in code.as_bytes()[p..].iter().enumerate() {
                counts[pos][row][(d - b'0') as usize] += 1;
            }
        }
    }
    counts
        .iter()
        .map(|table| {
            let n: u64 = table.iter().flatten().sum();
            let row: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
            let col: Vec<u64> = (0..10).map(|c| table.iter().map(|r| r[c]).sum()).collect();
            let mut chi = 0.0;
            for r in 0..10 {
                for c in 0..10 {
                    let e = row[r] as f64 * col[c] as f64 / n as f64;
                    if e > 0.0 {
                        chi += (table[r][c] as f64 - e).powi(2) / e;
                    }
                }
            }
            chi
        })
        .collect()
}

#[test]
fn no_digit_position_correlates_with_the_index() {
    // 81 dof: P(χ² > 131.0) ≈ 3·10^-4 per position; 16 positions → false alarm ≈ 0.5 %,
    // deterministic anyway (fixed keys and times).
    let chis = chi_square_positions(300);
    for (pos, chi) in chis.iter().enumerate() {
        assert!(*chi < 131.0, "position {pos}: χ² = {chi:.1}");
    }
}

#[test]
fn chi_square_detects_a_linkable_encoding() {
    // Control: the same statistic on `index‖otp` without FF1 flags the index digits.
    let mut table = [[0u64; 10]; 10];
    for row in 0..10u64 {
        for t in 0..400u64 {
            let payload = (1_000_000 + row) * 1_000_000 + (t * 7_777) % 1_000_000;
            let digit = (payload / 1_000_000) % 10; // last digit of the index
            table[row as usize][digit as usize] += 1;
        }
    }
    let n = 4_000.0;
    let mut chi = 0.0;
    for r in 0..10 {
        for c in 0..10 {
            let e = 400.0 * table.iter().map(|x| x[c]).sum::<u64>() as f64 / n;
            if e > 0.0 {
                chi += (table[r][c] as f64 - e).powi(2) / e;
            }
        }
    }
    assert!(chi > 131.0, "control χ² = {chi}");
}

#[test]
fn decode_verify_round_trip_many_credentials() {
    let config = PaycodeConfig::wechat_style();
    let mut creds = HashMap::new();
    let mut devices = Vec::new();
    for i in 0..200u64 {
        let index = i * 49_999_999 % config.index_capacity();
        creds.insert(
            index,
            PaycodeCredential::new(&config, &seed(index)).unwrap(),
        );
        devices.push(PaycodeDevice::new(config.clone(), &CODE_KEY, index, &seed(index)).unwrap());
    }
    let server = PaycodeServer::new(config, &CODE_KEY, creds, MemoryReplayGuard::new()).unwrap();
    let ctx = BindingContext {
        merchant_id: Some("MERCHANT-88"),
        ..BindingContext::default()
    };
    for (i, d) in devices.iter().enumerate() {
        let now = 1_700_000_000 + i as u64;
        let code = d.generate(now, &ctx).unwrap();
        match server.verify(&code, now + 20, &ctx, None).unwrap() {
            Verdict::Accepted { step, .. } => assert_eq!(step, now / 30),
            v => panic!("device {i}: {v:?}"),
        }
    }
    // An unknown index and a wrong key both fail cleanly.
    let stranger =
        PaycodeDevice::new(PaycodeConfig::wechat_style(), &CODE_KEY, 5, &seed(5)).unwrap();
    let code = stranger.generate(1_700_000_000, &ctx).unwrap();
    assert_eq!(
        server.verify(&code, 1_700_000_000, &ctx, None).unwrap(),
        Verdict::UnknownCredential
    );
    // Malformed codes are errors that say where.
    for bad in [
        "",
        "13",
        "1234567890123456789",
        "1x3456789012345678",
        "993456789012345678",
    ] {
        assert!(server.verify(bad, 0, &ctx, None).is_err(), "{bad}");
    }
}
