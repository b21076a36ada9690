//! Visa dCVV against the known answers jPOS publishes (`vectors/dcvv_jpos.txt`).

use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::crypto::{cvv, kd};

#[test]
fn dcvv_matches_jpos_published_values() {
    let imk = TdesKey::from_hex("12345678123456781234567812345678").unwrap();
    let mut n = 0;
    for line in include_str!("vectors/dcvv_jpos.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        let card = match f[0] {
            "A" => kd::icc_master_key_a(&imk, f[1], "00").unwrap(),
            _ => kd::icc_master_key_b(&imk, f[1], "00").unwrap(),
        };
        assert_eq!(
            cvv::dcvv(&card, f[1], "1310", "226", [0x32, 0x10]).unwrap(),
            f[2],
            "{line}"
        );
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn dcvv_changes_with_the_atc_and_refuses_bad_input() {
    let imk = TdesKey::from_hex("12345678123456781234567812345678").unwrap();
    let pan = "4761739001010119";
    let card = kd::icc_master_key_a(&imk, pan, "00").unwrap();
    let codes: std::collections::HashSet<String> = (0u16..50)
        .map(|atc| cvv::dcvv(&card, pan, "2812", "201", atc.to_be_bytes()).unwrap())
        .collect();
    assert!(
        codes.len() > 30,
        "dCVV barely depends on the ATC: {codes:?}"
    );
    // An ATC with hex letters is carried as nibbles, not refused.
    assert_eq!(
        cvv::dcvv(&card, pan, "2812", "201", [0xAB, 0xCD])
            .unwrap()
            .len(),
        3
    );
    assert!(cvv::dcvv(&card, "1234", "2812", "201", [0, 1]).is_err());
    assert!(cvv::dcvv(&card, pan, "28x2", "201", [0, 1]).is_err());
    assert!(cvv::dcvv(&card, pan, "2812", "20", [0, 1]).is_err());
}
