//! Published test vectors, read from `tests/vectors/*.txt` (each file names its source).

use mpay_otp::ocra::{OcraInput, OcraSuite};
use mpay_otp::{Algorithm, Hotp, Match, Totp, Window};

fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('|').map(|f| f.trim().to_string()).collect())
        .collect()
}

const KEY20: &[u8] = b"12345678901234567890";

#[test]
fn rfc4226_appendix_d() {
    let hotp = Hotp::new(Algorithm::Sha1, KEY20, 6).unwrap();
    let rows = rows("rfc4226.txt");
    assert_eq!(rows.len(), 10);
    for r in &rows {
        let counter: u64 = r[0].parse().unwrap();
        assert_eq!(
            hotp.generate(counter).to_string(),
            r[2],
            "counter {counter}"
        );
        // The truncated value before mod 10^6: visible through a 10-digit code.
        let wide = Hotp::new(Algorithm::Sha1, KEY20, 10).unwrap();
        assert_eq!(
            wide.generate(counter).value(),
            r[1].parse::<u64>().unwrap(),
            "truncated value at counter {counter}"
        );
        // Look-ahead from 0 finds each counter.
        assert_eq!(
            hotp.verify(&r[2], 0, 9).unwrap(),
            Some(Match::Counter(counter))
        );
    }
    // Resync with two consecutive codes far ahead of the server's counter.
    assert_eq!(
        hotp.resync(&rows[7][2], &rows[8][2], 0, 20).unwrap(),
        Some(9)
    );
    assert_eq!(hotp.resync(&rows[8][2], &rows[7][2], 0, 20).unwrap(), None);
}

#[test]
fn rfc6238_appendix_b_with_errata_seeds() {
    let rows = rows("rfc6238.txt");
    assert_eq!(rows.len(), 18);
    for r in &rows {
        let time: u64 = r[0].parse().unwrap();
        let (alg, key): (Algorithm, Vec<u8>) = match r[1].as_str() {
            "SHA1" => (Algorithm::Sha1, KEY20.to_vec()),
            "SHA256" => (
                Algorithm::Sha256,
                KEY20.iter().cycle().take(32).copied().collect(),
            ),
            "SHA512" => (
                Algorithm::Sha512,
                KEY20.iter().cycle().take(64).copied().collect(),
            ),
            other => panic!("algorithm {other}"),
        };
        let totp = Totp::new(alg, &key, 8)
            .unwrap()
            .with_window(Window::Symmetric(1));
        assert_eq!(totp.generate(time).unwrap().to_string(), r[2], "{r:?}");
        let step = time / 30;
        assert_eq!(totp.verify(&r[2], time).unwrap(), Some(Match::Step(step)));
        // Accepted one step later (window), refused two steps later.
        assert_eq!(
            totp.verify(&r[2], time + 30).unwrap(),
            Some(Match::Step(step))
        );
        assert_eq!(totp.verify(&r[2], time + 61).unwrap(), None);
        // Past-only: a code from the future is refused.
        let past = totp.clone().with_window(Window::PastOnly(1));
        if time >= 30 {
            assert_eq!(past.verify(&r[2], time - 30).unwrap(), None);
        }
    }
}

fn opt_hex(s: &str) -> Option<Vec<u8>> {
    (s != "-").then(|| hex::decode(s).unwrap())
}

#[test]
fn rfc6287_appendix_c() {
    let rows = rows("rfc6287.txt");
    assert_eq!(rows.len(), 70);
    for r in &rows {
        let suite: OcraSuite = r[0].parse().unwrap();
        assert_eq!(suite.to_string(), r[0]);
        let key = hex::decode(&r[1]).unwrap();
        let pin = opt_hex(&r[4]);
        let session = opt_hex(&r[5]);
        let input = OcraInput {
            counter: (r[2] != "-").then(|| r[2].parse().unwrap()),
            question: &r[3],
            pin_hash: pin.as_deref(),
            session: session.as_deref(),
            timestamp: (r[6] != "-").then(|| u64::from_str_radix(&r[6], 16).unwrap()),
        };
        assert_eq!(suite.compute(&key, &input).unwrap(), r[7], "{r:?}");
        assert!(suite.verify(&key, &input, &r[7]).unwrap());
        let mut wrong = r[7].clone().into_bytes();
        wrong[0] = if wrong[0] == b'9' { b'0' } else { wrong[0] + 1 };
        assert!(
            !suite
                .verify(&key, &input, std::str::from_utf8(&wrong).unwrap())
                .unwrap()
        );
    }
}

#[test]
fn rfc6287_pin_hash_and_timestamp_helpers() {
    let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse().unwrap();
    assert_eq!(
        hex::encode(suite.hash_pin(b"1234").unwrap()),
        "7110eda4d09e062aa5e4a390b0a572ac0d2c0220"
    );
    let t1m: OcraSuite = "OCRA-1:HOTP-SHA512-8:QN08-T1M".parse().unwrap();
    assert_eq!(t1m.timestamp_at(0x132d0b6 * 60 + 59), Some(0x132d0b6));
}

#[test]
fn rfc6287_mutual_helpers_order_the_challenges() {
    let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:QA08".parse().unwrap();
    let key: Vec<u8> = KEY20.iter().cycle().take(32).copied().collect();
    let rest = OcraInput::default();
    assert_eq!(
        suite
            .server_response(&key, "CLI22220", "SRV11110", &rest)
            .unwrap(),
        "28247970"
    );
    assert_eq!(
        suite
            .client_response(&key, "CLI22220", "SRV11110", &rest)
            .unwrap(),
        "15510767"
    );
}
