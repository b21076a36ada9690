//! Published CVV known answers (see `vectors/cvv_published.txt` for the source).

use mpay_emv::crypto::cvv;
use mpay_emv::crypto::keys::TdesKey;

#[test]
fn published_cvv_vectors() {
    let cvk = TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
    let mut n = 0;
    for line in include_str!("vectors/cvv_published.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(cvv::cvv(&cvk, f[0], f[1], f[2]).unwrap(), f[3], "{line}");
        n += 1;
    }
    assert_eq!(n, 8);
}
