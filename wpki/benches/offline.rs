//! Cost of one offline purchase (POS challenge → phone checks the POS chain and pays → POS
//! checks the phone chain and answers with a receipt → phone checks the receipt), for SM2 with
//! SM2 key exchange and for ECDSA P-256, with root → CA → end-entity chains and revocation by
//! CRLs on both sides; and of the bank's verification of one signed online transaction. No peer
//! implements this protocol, so there is no side-by-side figure.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use der::{DateTime, Encode};
use mpay_wpki::crl::ParsedCrl;
use mpay_wpki::mutual::{
    MemoryCounter, MemorySeenCounters, OfflinePolicy, Phone, Pos, TrustStore, WalletIdentity,
};
use mpay_wpki::txn::{
    AccountRef, Currency, MemoryReplayGuard, SignedTransaction, SignerRef, Transaction, TxnPolicy,
    TxnVerifier, codes,
};
use mpay_wpki::{
    Ca, CertificateParams, ParsedCertificate, Profile, Signer, SigningKey, TrustAnchor,
    ValidationOptions,
};
use rand_core::UnwrapErr;
use std::hint::black_box;

type Rng = UnwrapErr<getrandom::SysRng>;

fn t(y: u16, m: u8, d: u8) -> DateTime {
    DateTime::new(y, m, d, 0, 0, 0).unwrap()
}

fn now() -> DateTime {
    DateTime::new(2027, 6, 1, 12, 0, 0).unwrap()
}

fn key(sm2: bool, rng: &mut Rng) -> SigningKey {
    if sm2 {
        SigningKey::generate_sm2(rng).unwrap()
    } else {
        SigningKey::generate_p256(rng)
    }
}

fn params(cn: &str, profile: Profile) -> CertificateParams {
    CertificateParams::new(cn.parse().unwrap(), t(2026, 1, 1), t(2030, 1, 1), profile)
}

struct Setup {
    pos: Pos<MemorySeenCounters>,
    phone: Phone<MemoryCounter>,
    user_key: SigningKey,
    user: ParsedCertificate,
    trust: TrustStore,
}

fn setup(sm2: bool) -> Setup {
    let mut rng = UnwrapErr(getrandom::SysRng);
    let root = Ca::self_signed(
        key(sm2, &mut rng),
        &params("CN=Root", Profile::Ca { path_len: Some(1) }),
        &mut rng,
    )
    .unwrap();
    let ca = root
        .issue_subordinate(
            key(sm2, &mut rng),
            &params("CN=Bank CA", Profile::Ca { path_len: Some(0) }),
            &mut rng,
        )
        .unwrap();
    let issue = |cn: &str, profile, k: &SigningKey, rng: &mut Rng| {
        ParsedCertificate::from_certificate(
            &ca.issue(&params(cn, profile), &k.public_key_info().unwrap(), rng)
                .unwrap(),
        )
        .unwrap()
    };
    let (user_key, pos_key) = (key(sm2, &mut rng), key(sm2, &mut rng));
    let user = issue("CN=wallet", Profile::WalletUser, &user_key, &mut rng);
    let pos_cert = issue("CN=POS00001", Profile::PosTerminal, &pos_key, &mut rng);
    let mut trust = TrustStore::new(vec![TrustAnchor::from_certificate(root.certificate())]);
    trust.add_ca(ParsedCertificate::from_certificate(ca.certificate()).unwrap());
    for c in [&root, &ca] {
        let crl = c.issue_crl(&[1], now(), t(2027, 6, 8), &[]).unwrap();
        trust.add_crl(ParsedCrl::from_der(&crl.to_der().unwrap()).unwrap());
    }
    let policy = OfflinePolicy {
        key_exchange: sm2,
        ..OfflinePolicy::default()
    };
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
    let phone = Phone::new(
        user_key.clone(),
        user.clone(),
        WalletIdentity {
            user_id: "wallet".into(),
            account: AccountRef::new("6212340000001234").unwrap(),
            bank_id: "01020000".into(),
        },
        trust.clone(),
        policy,
        MemoryCounter::default(),
    );
    Setup {
        pos,
        phone,
        user_key,
        user,
        trust,
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = UnwrapErr(getrandom::SysRng);
    for (name, alg, sm2) in [
        ("SM2 + key exchange", "SM2", true),
        ("P-256", "P-256", false),
    ] {
        let mut s = setup(sm2);
        c.bench_function(&format!("offline purchase, {name}"), |b| {
            b.iter(|| {
                let (session, ch) = s
                    .pos
                    .challenge(1_000, Currency::CNY, now(), &mut rng)
                    .unwrap();
                let checked = s.phone.read_challenge(&ch, now()).unwrap();
                let (ps, resp) = s.phone.pay(checked, now(), &mut rng).unwrap();
                let accepted = s.pos.accept(session, &resp, now()).unwrap();
                black_box(ps.verify_receipt(&accepted.receipt).unwrap())
            })
        });
        let txn = Transaction {
            user_id: "wallet".into(),
            account: AccountRef::new("6212340000001234").unwrap(),
            bank_id: "01020000".into(),
            code: codes::PURCHASE,
            amount: 1_000,
            currency: Currency::CNY,
            merchant_id: "SHOP0001".into(),
            time: now(),
            nonce: Some(vec![1; 16]),
            counter: None,
        };
        let signed =
            SignedTransaction::sign(txn, &s.user_key, SignerRef::key_id_of(s.user.certificate()))
                .unwrap()
                .to_der()
                .unwrap();
        let mut options = ValidationOptions::at(now());
        options.crls = Some(s.trust.crls.clone());
        let verifier = TxnVerifier::new(&s.trust.anchors, options, TxnPolicy::new("01020000"))
            .with_intermediates(s.trust.ca_certificates.clone())
            .with_known_signers(vec![s.user.clone()]);
        c.bench_function(&format!("bank verifies a signed transaction, {alg}"), |b| {
            b.iter(|| {
                let st = SignedTransaction::from_der(&signed).unwrap();
                black_box(
                    verifier
                        .verify(&st, &mut MemoryReplayGuard::default())
                        .unwrap(),
                )
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
