//! Interop with the OpenSSL 3.0 CLI (peer): `openssl dgst -verify` checks the signatures of our
//! signed transactions (P-256, RSA, and SM2 with `-sigopt distid:1234567812345678`) and of the
//! phone's offline payment message, over the exact DER bytes we sign. Skips unless `openssl`
//! runs; fails if `MPAY_REQUIRE_PEERS` is set and it does not.

mod common;

use common::peer::*;
use common::*;
use der::Encode;
use mpay_wpki::mutual::{MemoryCounter, MemorySeenCounters, OfflinePolicy, Phone, PhoneResponse};
use mpay_wpki::mutual::{Pos, TrustStore, WalletIdentity};
use mpay_wpki::txn::{AccountRef, Currency, SignedTransaction, SignerRef, Transaction, codes};
use mpay_wpki::{ParsedCertificate, Profile, Signer, SigningKey, TrustAnchor};
use std::path::Path;

/// `openssl dgst -<digest> -verify` of `sig` over `msg` with `key`'s public key.
fn openssl_verifies(dir: &Path, key: &SigningKey, msg: &[u8], sig: &[u8]) -> (bool, String) {
    let spki = key.public_key_info().unwrap().to_der().unwrap();
    std::fs::write(dir.join("pub.der"), spki).unwrap();
    std::fs::write(dir.join("msg"), msg).unwrap();
    std::fs::write(dir.join("sig"), sig).unwrap();
    let mut args = vec!["dgst"];
    match key {
        SigningKey::Sm2 { .. } => args.extend(["-sm3", "-sigopt", "distid:1234567812345678"]),
        _ => args.push("-sha256"),
    }
    args.extend([
        "-verify",
        "pub.der",
        "-keyform",
        "DER",
        "-signature",
        "sig",
        "msg",
    ]);
    openssl(dir, &args)
}

fn txn() -> Transaction {
    Transaction {
        user_id: "wallet user 0001".into(),
        account: AccountRef::new("6212340000001234").unwrap(),
        bank_id: "01020000".into(),
        code: codes::PURCHASE,
        amount: 4_200,
        currency: Currency::CNY,
        merchant_id: "MPAYSHOP0001".into(),
        time: now(),
        nonce: Some(vec![9; 16]),
        counter: None,
    }
}

#[test]
fn openssl_verifies_signed_transactions() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rng();
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let k = key(alg, &mut rng);
        let s = SignedTransaction::sign(txn(), &k, SignerRef::KeyId(vec![1])).unwrap();
        let back = SignedTransaction::from_der(&s.to_der().unwrap()).unwrap();
        let (ok, out) = openssl_verifies(dir.path(), &k, back.signed_bytes(), back.signature());
        assert!(ok && out.contains("Verified OK"), "{alg:?}: {out}");
        // A changed message fails.
        let mut other = back.signed_bytes().to_vec();
        let last = other.len() - 1;
        other[last] ^= 1;
        let (ok, _) = openssl_verifies(dir.path(), &k, &other, back.signature());
        assert!(!ok, "{alg:?}: OpenSSL accepted a changed transaction");
    }
}

#[test]
fn openssl_verifies_the_phones_offline_payment() {
    if !have_openssl() {
        return;
    }
    let c = chain(Alg::Sm2);
    let mut rng = rng();
    let pos_key = key(Alg::Sm2, &mut rng);
    let pos_cert = ParsedCertificate::from_certificate(
        &c.bank
            .issue(
                &params("CN=POS00001", Profile::PosTerminal),
                &pos_key.public_key_info().unwrap(),
                &mut rng,
            )
            .unwrap(),
    )
    .unwrap();
    let mut trust = TrustStore::new(vec![TrustAnchor::from_certificate(c.root.certificate())]);
    trust.add_ca(ParsedCertificate::from_certificate(c.bank.certificate()).unwrap());
    for ca in [&c.root, &c.bank] {
        let crl = ca.issue_crl(&[1], now(), t(2027, 6, 2), &[]).unwrap();
        trust.add_crl(mpay_wpki::crl::ParsedCrl::from_der(&crl.to_der().unwrap()).unwrap());
    }
    let policy = OfflinePolicy::default();
    let pos = Pos::new(
        pos_key,
        pos_cert,
        "POS00001",
        "SHOP0001",
        trust.clone(),
        policy.clone(),
        MemorySeenCounters::default(),
    )
    .unwrap();
    let identity = WalletIdentity {
        user_id: "wallet 0001".into(),
        account: AccountRef::new("6212340000001234").unwrap(),
        bank_id: "01020000".into(),
    };
    let user = ParsedCertificate::from_certificate(&c.user).unwrap();
    let mut phone = Phone::new(
        c.user_key.clone(),
        user,
        identity,
        trust,
        policy,
        MemoryCounter::default(),
    );
    let (_, ch) = pos
        .challenge(1_000, Currency::CNY, now(), &mut rng)
        .unwrap();
    let checked = phone.read_challenge(&ch, now()).unwrap();
    let (_, resp) = phone.pay(checked, now(), &mut rng).unwrap();
    let r = PhoneResponse::from_der(&resp).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = openssl_verifies(dir.path(), &c.user_key, r.signed_bytes(), r.signature());
    assert!(ok && out.contains("Verified OK"), "{out}");
}
