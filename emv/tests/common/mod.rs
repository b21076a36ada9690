//! Helpers shared by the integration tests.

use mpay_emv::oda::{RsaPrivateKey, RsaPublicKey};

/// The OpenSSL-generated RSA test keys of `vectors/rsa_test_keys.txt`: CA (1408 bits),
/// issuer (1152 bits), ICC (768 bits), all with exponent 3.
pub fn rsa_test_keys() -> Vec<RsaPrivateKey> {
    include_str!("../vectors/rsa_test_keys.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('|').map(str::trim).collect();
            let public = RsaPublicKey::new(&hex::decode(f[1]).unwrap(), &[3]).unwrap();
            RsaPrivateKey::new(public, &hex::decode(f[2]).unwrap()).unwrap()
        })
        .collect()
}
