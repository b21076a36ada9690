//! Chains for the tests: root → bank CA → wallet user / POS terminal.
#![allow(dead_code)]

pub mod peer;

use der::DateTime;
use mpay_wpki::{
    Ca, CertificateParams, ParsedCertificate, Profile, Signer, SigningKey, TrustAnchor,
};
use rand_core::UnwrapErr;
use x509_cert::Certificate;

pub type Rng = UnwrapErr<getrandom::SysRng>;

pub fn rng() -> Rng {
    UnwrapErr(getrandom::SysRng)
}

pub fn t(y: u16, m: u8, d: u8) -> DateTime {
    DateTime::new(y, m, d, 0, 0, 0).unwrap()
}

/// Validity used throughout: 2026-01-01 .. 2036-01-01.
pub fn params(subject: &str, profile: Profile) -> CertificateParams {
    CertificateParams::new(
        subject.parse().unwrap(),
        t(2026, 1, 1),
        t(2036, 1, 1),
        profile,
    )
}

/// A time inside every test validity.
pub fn now() -> DateTime {
    DateTime::new(2027, 6, 1, 12, 0, 0).unwrap()
}

#[derive(Clone, Copy, Debug)]
pub enum Alg {
    Sm2,
    P256,
    Rsa,
}

pub const RSA_PKCS8: &[u8] = include_bytes!("../vectors/rsa2048-pkcs8.der");

pub fn key(alg: Alg, rng: &mut Rng) -> SigningKey {
    match alg {
        Alg::Sm2 => SigningKey::generate_sm2(rng).unwrap(),
        Alg::P256 => SigningKey::generate_p256(rng),
        Alg::Rsa => SigningKey::from_pkcs8_der(RSA_PKCS8).unwrap(),
    }
}

pub struct Chain {
    pub root: Ca,
    pub bank: Ca,
    pub user_key: SigningKey,
    pub user: Certificate,
}

impl Chain {
    /// `[user, bank]` parsed, target first.
    pub fn parsed(&self) -> Vec<ParsedCertificate> {
        vec![
            ParsedCertificate::from_certificate(&self.user).unwrap(),
            ParsedCertificate::from_certificate(self.bank.certificate()).unwrap(),
        ]
    }

    pub fn anchors(&self) -> Vec<TrustAnchor> {
        vec![TrustAnchor::from_certificate(self.root.certificate())]
    }
}

/// Root (pathLen 1) → bank CA (pathLen 0) → wallet user, all with `alg` keys.
pub fn chain(alg: Alg) -> Chain {
    let mut rng = rng();
    let root = Ca::self_signed(
        key(alg, &mut rng),
        &params(
            "CN=Test UnionPay Root,O=Test,C=CN",
            Profile::Ca { path_len: Some(1) },
        ),
        &mut rng,
    )
    .unwrap();
    let bank = root
        .issue_subordinate(
            key(alg, &mut rng),
            &params(
                "CN=Test Bank CA,O=Test Bank,C=CN",
                Profile::Ca { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let user_key = key(alg, &mut rng);
    let user = bank
        .issue(
            &params("CN=wallet user 0001,O=Test Bank,C=CN", Profile::WalletUser),
            &user_key.public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    Chain {
        root,
        bank,
        user_key,
        user,
    }
}
