//! Phone↔POS offline mutual authentication: happy paths (SM2 with key exchange, P-256), and
//! every refusal: replay, counter rewind, stale CRL, wrong POS (challenge and receipt), POS ID
//! not certified, revoked phone, revoked POS. Proptest round trips of the messages.

mod common;

use common::*;
use der::{DateTime, Encode};
use mpay_wpki::crl::{ParsedCrl, RevokedEntry};
use mpay_wpki::mutual::*;
use mpay_wpki::txn::{AccountRef, Currency, SignerRef};
use mpay_wpki::{
    Ca, Error, ParsedCertificate, Profile, Refusal, Rule, Signer, SigningKey, TrustAnchor,
};
use proptest::prelude::*;

struct World {
    root: Ca,
    bank: Ca,
    acquirer: Ca,
    phone_key: SigningKey,
    phone_cert: ParsedCertificate,
    pos_key: SigningKey,
    pos_cert: ParsedCertificate,
    other_pos_key: SigningKey,
    other_pos_cert: ParsedCertificate,
}

fn issue(
    ca: &Ca,
    cn: &str,
    profile: Profile,
    key: &SigningKey,
    rng: &mut common::Rng,
) -> ParsedCertificate {
    let cert = ca
        .issue(&params(cn, profile), &key.public_key_info().unwrap(), rng)
        .unwrap();
    ParsedCertificate::from_certificate(&cert).unwrap()
}

fn world(alg: Alg) -> World {
    let mut rng = rng();
    let root = Ca::self_signed(
        key(alg, &mut rng),
        &params(
            "CN=Test Root,O=Test,C=CN",
            Profile::Ca { path_len: Some(1) },
        ),
        &mut rng,
    )
    .unwrap();
    let sub = |cn: &str, rng: &mut common::Rng| {
        root.issue_subordinate(
            key(alg, rng),
            &params(cn, Profile::Ca { path_len: Some(0) }),
            rng,
        )
        .unwrap()
    };
    let bank = sub("CN=Test Bank CA,O=Test Bank,C=CN", &mut rng);
    let acquirer = sub("CN=Test Acquirer CA,O=Test Acquirer,C=CN", &mut rng);
    let phone_key = key(alg, &mut rng);
    let phone_cert = issue(
        &bank,
        "CN=wallet 0001",
        Profile::WalletUser,
        &phone_key,
        &mut rng,
    );
    let pos_key = key(alg, &mut rng);
    let pos_cert = issue(
        &acquirer,
        "CN=POS00001",
        Profile::PosTerminal,
        &pos_key,
        &mut rng,
    );
    let other_pos_key = key(alg, &mut rng);
    let other_pos_cert = issue(
        &acquirer,
        "CN=POS00002",
        Profile::PosTerminal,
        &other_pos_key,
        &mut rng,
    );
    World {
        root,
        bank,
        acquirer,
        phone_key,
        phone_cert,
        pos_key,
        pos_cert,
        other_pos_key,
        other_pos_cert,
    }
}

fn crl(ca: &Ca, this: DateTime, revoked: &[&ParsedCertificate]) -> ParsedCrl {
    let entries: Vec<_> = revoked
        .iter()
        .map(|c| RevokedEntry {
            serial: c.certificate().tbs_certificate().serial_number().clone(),
            date: this,
        })
        .collect();
    let next = DateTime::new(this.year() + 1, 1, 1, 0, 0, 0).unwrap();
    ParsedCrl::from_der(
        &ca.issue_crl(&[1], this, next, &entries)
            .unwrap()
            .to_der()
            .unwrap(),
    )
    .unwrap()
}

impl World {
    /// Root, bank CA and acquirer CA certificates and a CRL from each, issued at `crl_time`.
    fn trust(&self, crl_time: DateTime, revoked: &[&ParsedCertificate]) -> TrustStore {
        let mut t = TrustStore::new(vec![TrustAnchor::from_certificate(self.root.certificate())]);
        for ca in [&self.bank, &self.acquirer] {
            t.add_ca(ParsedCertificate::from_certificate(ca.certificate()).unwrap());
        }
        for ca in [&self.root, &self.bank, &self.acquirer] {
            let mine: Vec<_> = revoked
                .iter()
                .copied()
                .filter(|c| {
                    c.certificate().tbs_certificate().issuer()
                        == ca.certificate().tbs_certificate().subject()
                })
                .collect();
            t.add_crl(crl(ca, crl_time, &mine));
        }
        t
    }

    /// POS00001 (`other` false) or POS00002 (`other` true), same merchant.
    fn pos_n(
        &self,
        other: bool,
        trust: TrustStore,
        policy: &OfflinePolicy,
    ) -> Pos<MemorySeenCounters> {
        let (key, cert, id) = if other {
            (&self.other_pos_key, &self.other_pos_cert, "POS00002")
        } else {
            (&self.pos_key, &self.pos_cert, "POS00001")
        };
        Pos::new(
            key.clone(),
            cert.clone(),
            id,
            "SHOP0001",
            trust,
            policy.clone(),
            MemorySeenCounters::default(),
        )
        .unwrap()
    }

    fn pos(&self, trust: TrustStore, policy: &OfflinePolicy) -> Pos<MemorySeenCounters> {
        self.pos_n(false, trust, policy)
    }

    fn phone<C: CounterStore>(&self, trust: TrustStore, policy: &OfflinePolicy, c: C) -> Phone<C> {
        Phone::new(
            self.phone_key.clone(),
            self.phone_cert.clone(),
            WalletIdentity {
                user_id: "wallet 0001".into(),
                account: AccountRef::new("6212340000001234").unwrap(),
                bank_id: "01020000".into(),
            },
            trust,
            policy.clone(),
            c,
        )
    }
}

fn crl_day() -> DateTime {
    DateTime::new(2027, 6, 1, 6, 0, 0).unwrap()
}

fn kx() -> OfflinePolicy {
    OfflinePolicy {
        key_exchange: true,
        ..OfflinePolicy::default()
    }
}

fn purchase<C: CounterStore, S: SeenCounters>(
    phone: &mut Phone<C>,
    pos: &mut Pos<S>,
    amount: u64,
) -> Result<(CompletedPayment, AcceptedPayment), Error> {
    let mut rng = rng();
    let (session, ch) = pos.challenge(amount, Currency::CNY, now(), &mut rng)?;
    let checked = phone.read_challenge(&ch, now())?;
    let (ps, resp) = phone.pay(checked, now(), &mut rng)?;
    let accepted = pos.accept(session, &resp, now())?;
    let done = ps.verify_receipt(&accepted.receipt)?;
    Ok((done, accepted))
}

#[test]
fn sm2_with_key_exchange() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos = w.pos(trust.clone(), &kx());
    let mut phone = w.phone(trust, &kx(), MemoryCounter::default());
    for (i, amount) in [12_00u64, 3_50, 99].into_iter().enumerate() {
        let (done, accepted) = purchase(&mut phone, &mut pos, amount).unwrap();
        assert_eq!(done.counter, i as u64 + 1);
        assert_eq!(done.transaction.amount, amount);
        assert_eq!(done.pos_id, "POS00001");
        let k = done.session_key().unwrap();
        assert_eq!(k.len(), SESSION_KEY_LEN);
        assert_eq!(Some(k), accepted.session_key());
        assert_eq!(accepted.payment.payment.counter(), i as u64 + 1);
        assert_eq!(
            pos.seen().last(&accepted.payment.phone_key_id).unwrap(),
            Some(i as u64 + 1)
        );
    }
    assert_eq!(phone.counter().current().unwrap(), 3);
}

#[test]
fn p256_without_key_exchange_and_pos_by_key_id() {
    let w = world(Alg::P256);
    let mut trust = w.trust(crl_day(), &[]);
    let policy = OfflinePolicy::default();
    let mut pos = w.pos(trust.clone(), &policy).send_key_id_only();
    // Without the POS certificate cached, the reference cannot be resolved.
    let mut phone = w.phone(trust.clone(), &policy, MemoryCounter::default());
    assert_eq!(
        purchase(&mut phone, &mut pos, 5_00).unwrap_err(),
        Error::Refused(Refusal::UnknownSigner)
    );
    trust.add_to_directory(w.pos_cert.clone());
    let mut phone = w.phone(trust, &policy, MemoryCounter::default());
    let (done, accepted) = purchase(&mut phone, &mut pos, 5_00).unwrap();
    assert_eq!(done.counter, 1);
    assert!(done.session_key().is_none() && accepted.session_key().is_none());
}

#[test]
fn key_exchange_needs_sm2_keys() {
    let w = world(Alg::P256);
    let r = Pos::new(
        w.pos_key.clone(),
        w.pos_cert.clone(),
        "POS00001",
        "SHOP0001",
        w.trust(crl_day(), &[]),
        kx(),
        MemorySeenCounters::default(),
    );
    assert!(matches!(r, Err(Error::Refused(Refusal::KeyExchange(_)))));
}

#[test]
fn replayed_response_is_refused() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos = w.pos(trust.clone(), &OfflinePolicy::default());
    let mut phone = w.phone(trust, &OfflinePolicy::default(), MemoryCounter::default());
    let (_, accepted) = purchase(&mut phone, &mut pos, 20_00).unwrap();
    // The recorded response replayed into a new session: the challenge does not match.
    let (session, _) = pos
        .challenge(20_00, Currency::CNY, now(), &mut rng())
        .unwrap();
    assert_eq!(
        pos.accept(session, &accepted.record, now()).unwrap_err(),
        Error::Refused(Refusal::ChallengeMismatch)
    );
    // A POS that lost its session state still refuses it by the counter.
    let mut rng = rng();
    let (session, ch) = pos.challenge(7_00, Currency::CNY, now(), &mut rng).unwrap();
    let checked = phone.read_challenge(&ch, now()).unwrap();
    let (_, resp) = phone.pay(checked, now(), &mut rng).unwrap();
    pos.accept(session, &resp, now()).unwrap();
}

#[test]
fn counter_rewind_is_refused() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos = w.pos(trust.clone(), &kx());
    let mut phone = w.phone(trust.clone(), &kx(), MemoryCounter::new(40));
    assert_eq!(purchase(&mut phone, &mut pos, 1_00).unwrap().0.counter, 41);
    // The wallet restored from an old backup: its counter went back.
    let mut restored = w.phone(trust, &kx(), MemoryCounter::new(39));
    assert_eq!(
        purchase(&mut restored, &mut pos, 1_00).unwrap_err(),
        Error::Refused(Refusal::CounterNotIncreasing { last: 41, got: 40 })
    );
    assert_eq!(
        purchase(&mut restored, &mut pos, 1_00).unwrap_err(),
        Error::Refused(Refusal::CounterNotIncreasing { last: 41, got: 41 })
    );
    assert_eq!(
        purchase(&mut restored, &mut pos, 1_00).unwrap().0.counter,
        42
    );
}

#[test]
fn stale_crl_is_refused_on_both_sides() {
    let w = world(Alg::Sm2);
    let fresh = w.trust(crl_day(), &[]);
    let old = w.trust(DateTime::new(2027, 5, 29, 0, 0, 0).unwrap(), &[]);
    let policy = OfflinePolicy::default();
    // The phone's cached CRLs are three days old (policy: one day).
    let mut pos = w.pos(fresh.clone(), &policy);
    let mut phone = w.phone(old.clone(), &policy, MemoryCounter::default());
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Refused(Refusal::CrlTooOld { issuer, max_secs: 86_400, age_secs: 302_400 })
                if issuer.contains("Test Root")
        ),
        "{e}"
    );
    // The counter was not spent on a refused POS.
    assert_eq!(phone.counter().current().unwrap(), 0);
    // The POS's cached CRLs are stale.
    let mut pos = w.pos(old, &policy);
    let mut phone = w.phone(fresh.clone(), &policy, MemoryCounter::default());
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(&e, Error::Refused(Refusal::CrlTooOld { issuer, .. }) if issuer.contains("Test Root")),
        "{e}"
    );
    // A fresh CRL that does not verify (same issuer name, another key) cannot stand in for
    // the old genuine one.
    let mut rng = rng();
    let impostor = Ca::self_signed(
        key(Alg::Sm2, &mut rng),
        &params(
            "CN=Test Acquirer CA,O=Test Acquirer,C=CN",
            Profile::Ca { path_len: None },
        ),
        &mut rng,
    )
    .unwrap();
    let acquirer = w.acquirer.certificate().tbs_certificate().subject().clone();
    let mut forged = w.trust(crl_day(), &[]);
    forged
        .crls
        .retain(|c| c.crl().tbs_cert_list.issuer != acquirer);
    forged.crls.push(crl(
        &w.acquirer,
        DateTime::new(2027, 5, 29, 0, 0, 0).unwrap(),
        &[],
    ));
    forged.crls.push(crl(&impostor, crl_day(), &[]));
    let mut phone = w.phone(forged, &policy, MemoryCounter::default());
    let mut pos = w.pos(fresh.clone(), &policy);
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(&e, Error::Refused(Refusal::CrlTooOld { issuer, .. }) if issuer.contains("Test Acquirer CA")),
        "{e}"
    );
    // A CRL past its nextUpdate is refused by path validation.
    let mut expired = w.trust(crl_day(), &[]);
    expired.crls.clear();
    let next = DateTime::new(2027, 6, 1, 7, 0, 0).unwrap();
    for ca in [&w.root, &w.bank, &w.acquirer] {
        let c = ca.issue_crl(&[2], crl_day(), next, &[]).unwrap();
        expired.add_crl(ParsedCrl::from_der(&c.to_der().unwrap()).unwrap());
    }
    let mut phone = w.phone(expired, &policy, MemoryCounter::default());
    let mut pos = w.pos(fresh, &policy);
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Path {
                rule: Rule::NoCurrentCrl { stale: true },
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn wrong_pos_is_refused() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos_a = w.pos(trust.clone(), &kx());
    let mut pos_b = w.pos_n(true, trust.clone(), &kx());
    let mut phone = w.phone(trust, &kx(), MemoryCounter::default());
    let mut rng = rng();

    // The phone answers POS B's challenge; the answer is relayed to POS A.
    let (session_a, _) = pos_a
        .challenge(9_00, Currency::CNY, now(), &mut rng)
        .unwrap();
    let (_, ch_b) = pos_b
        .challenge(9_00, Currency::CNY, now(), &mut rng)
        .unwrap();
    let checked = phone.read_challenge(&ch_b, now()).unwrap();
    let (_, resp) = phone.pay(checked, now(), &mut rng).unwrap();
    assert_eq!(
        pos_a.accept(session_a, &resp, now()).unwrap_err(),
        Error::Refused(Refusal::WrongPos {
            expected: "POS00001".into(),
            got: "POS00002".into()
        })
    );

    // The phone pays POS A but a receipt from POS B comes back.
    let (session_a, ch_a) = pos_a
        .challenge(9_00, Currency::CNY, now(), &mut rng)
        .unwrap();
    let (session_b, ch_b) = pos_b
        .challenge(9_00, Currency::CNY, now(), &mut rng)
        .unwrap();
    let (ps_a, resp_a) = phone
        .pay(phone.read_challenge(&ch_a, now()).unwrap(), now(), &mut rng)
        .unwrap();
    let (_, resp_b) = phone
        .pay(phone.read_challenge(&ch_b, now()).unwrap(), now(), &mut rng)
        .unwrap();
    let receipt_b = pos_b.accept(session_b, &resp_b, now()).unwrap().receipt;
    assert_eq!(
        ps_a.verify_receipt(&receipt_b).unwrap_err(),
        Error::Refused(Refusal::WrongPos {
            expected: "POS00001".into(),
            got: "POS00002".into()
        })
    );
    // POS A's genuine receipt for another payment does not cover this one.
    let (ps_a2, resp_a2) = phone
        .pay(
            phone
                .read_challenge(
                    &pos_a
                        .challenge(1, Currency::CNY, now(), &mut rng)
                        .unwrap()
                        .1,
                    now(),
                )
                .unwrap(),
            now(),
            &mut rng,
        )
        .unwrap();
    let receipt_a = pos_a.accept(session_a, &resp_a, now()).unwrap().receipt;
    assert!(!resp_a2.is_empty());
    assert_eq!(
        ps_a2.verify_receipt(&receipt_a).unwrap_err(),
        Error::Refused(Refusal::ReceiptMismatch)
    );

    // POS B claims to be POS A with its own certificate.
    let forged = PosChallenge {
        challenge: vec![1; 16],
        pos_id: "POS00001".into(),
        merchant_id: "SHOP0001".into(),
        time: now(),
        amount: 1,
        currency: Currency::CNY,
        pos: SignerRef::Certificate(Box::new(w.other_pos_cert.clone())),
        ephemeral: Some(mpay_gmt::sm2::PrivateKey::random().unwrap().public_key()),
    };
    assert_eq!(
        phone
            .read_challenge(&forged.to_der().unwrap(), now())
            .unwrap_err(),
        Error::Refused(Refusal::PosIdNotCertified {
            pos_id: "POS00001".into()
        })
    );
}

#[test]
fn revoked_phone_and_revoked_pos_are_refused() {
    let w = world(Alg::Sm2);
    let clean = w.trust(crl_day(), &[]);
    let policy = kx();
    let mut pos = w.pos(w.trust(crl_day(), &[&w.phone_cert]), &policy);
    let mut phone = w.phone(clean.clone(), &policy, MemoryCounter::default());
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Path { index: 0, rule: Rule::Revoked, subject } if subject == "CN=wallet 0001"
        ),
        "{e}"
    );
    let mut pos = w.pos(clean, &policy);
    let mut phone = w.phone(
        w.trust(crl_day(), &[&w.pos_cert]),
        &policy,
        MemoryCounter::default(),
    );
    let e = purchase(&mut phone, &mut pos, 1_00).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Path { index: 0, rule: Rule::Revoked, subject } if subject == "CN=POS00001"
        ),
        "{e}"
    );
    assert_eq!(phone.counter().current().unwrap(), 0);
}

#[test]
fn tampering_is_refused() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos = w.pos(trust.clone(), &kx());
    let mut phone = w.phone(trust, &kx(), MemoryCounter::default());
    let mut rng = rng();
    let (session, ch) = pos.challenge(5_00, Currency::CNY, now(), &mut rng).unwrap();
    let (_, resp) = phone
        .pay(phone.read_challenge(&ch, now()).unwrap(), now(), &mut rng)
        .unwrap();
    // Another amount than the POS asked for (same encoded length, signature re-made by nobody).
    let mut r = PhoneResponse::from_der(&resp).unwrap().payment().clone();
    r.transaction.amount = 5_01;
    let old = PhoneResponse::from_der(&resp)
        .unwrap()
        .payment()
        .to_der()
        .unwrap();
    let new = r.to_der().unwrap();
    assert_eq!(old.len(), new.len());
    let mut forged = resp.clone();
    let at = forged.windows(old.len()).position(|x| x == old).unwrap();
    forged[at..at + old.len()].copy_from_slice(&new);
    assert!(matches!(
        pos.accept(session, &forged, now()),
        Err(Error::Refused(Refusal::Field {
            field: "amount",
            ..
        }))
    ));
    // Whoever checks the signature (the bank at clearing) finds the forgery.
    assert_eq!(
        PhoneResponse::from_der(&forged)
            .unwrap()
            .verify(&pos.trust, now(), u64::MAX)
            .unwrap_err(),
        Error::BadSignature("SM2")
    );
    // A payment with the right amount but a changed signature.
    let (session, ch) = pos.challenge(5_00, Currency::CNY, now(), &mut rng).unwrap();
    let (_, resp) = phone
        .pay(phone.read_challenge(&ch, now()).unwrap(), now(), &mut rng)
        .unwrap();
    let mut bad = resp.clone();
    let n = bad.len();
    // The phone's signature BIT STRING ends right before its certificate: flip a byte in it.
    let cert_len = PhoneResponse::from_der(&resp)
        .unwrap()
        .certificate()
        .certificate()
        .to_der()
        .unwrap()
        .len();
    bad[n - cert_len - 10] ^= 0x01;
    assert!(matches!(
        pos.accept(session, &bad, now()),
        Err(Error::BadSignature(_) | Error::Der { .. })
    ));
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_counters_across_restarts() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let pos_db = dir.path().join("pos.db");
    let phone_db = dir.path().join("phone.db");
    let pos_with = |trust: TrustStore| {
        Pos::new(
            w.pos_key.clone(),
            w.pos_cert.clone(),
            "POS00001",
            "SHOP0001",
            trust,
            kx(),
            SqliteSeenCounters::open(&pos_db).unwrap(),
        )
        .unwrap()
    };
    {
        let mut pos = pos_with(trust.clone());
        let mut phone = w.phone(
            trust.clone(),
            &kx(),
            SqliteCounterStore::open(&phone_db, "w").unwrap(),
        );
        purchase(&mut phone, &mut pos, 1_00).unwrap();
        purchase(&mut phone, &mut pos, 2_00).unwrap();
    }
    let mut pos = pos_with(trust.clone());
    let mut phone = w.phone(
        trust.clone(),
        &kx(),
        SqliteCounterStore::open(&phone_db, "w").unwrap(),
    );
    assert_eq!(purchase(&mut phone, &mut pos, 3_00).unwrap().0.counter, 3);
    let mut rewound = w.phone(trust, &kx(), MemoryCounter::new(1));
    assert_eq!(
        purchase(&mut rewound, &mut pos, 1_00).unwrap_err(),
        Error::Refused(Refusal::CounterNotIncreasing { last: 3, got: 2 })
    );
}

#[test]
fn bank_clears_uploaded_records() {
    let w = world(Alg::Sm2);
    let trust = w.trust(crl_day(), &[]);
    let mut pos = w.pos(trust.clone(), &kx());
    let mut phone = w.phone(trust.clone(), &kx(), MemoryCounter::default());
    let records: Vec<_> = (1..=3)
        .map(|i| purchase(&mut phone, &mut pos, i * 100).unwrap().1.record)
        .collect();
    let mut bank_seen = MemorySeenCounters::default();
    let mut total = 0;
    for r in &records {
        let v = PhoneResponse::from_der(r)
            .unwrap()
            .verify(&trust, now(), u64::MAX)
            .unwrap();
        bank_seen
            .check_and_record(&v.phone_key_id, v.payment.counter())
            .unwrap();
        total += v.payment.transaction.amount;
    }
    assert_eq!(total, 600);
    let v = PhoneResponse::from_der(&records[1])
        .unwrap()
        .verify(&trust, now(), u64::MAX)
        .unwrap();
    assert!(matches!(
        bank_seen.check_and_record(&v.phone_key_id, v.payment.counter()),
        Err(Error::Refused(Refusal::CounterNotIncreasing { .. }))
    ));
}

fn sample() -> &'static (Vec<u8>, Vec<u8>, Vec<u8>) {
    use std::sync::OnceLock;
    static S: OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = OnceLock::new();
    S.get_or_init(|| {
        let w = world(Alg::Sm2);
        let trust = w.trust(crl_day(), &[]);
        let mut pos = w.pos(trust.clone(), &kx());
        let mut phone = w.phone(trust, &kx(), MemoryCounter::default());
        let mut rng = rng();
        let (session, ch) = pos.challenge(5_00, Currency::CNY, now(), &mut rng).unwrap();
        let (_, resp) = phone
            .pay(phone.read_challenge(&ch, now()).unwrap(), now(), &mut rng)
            .unwrap();
        let receipt = pos.accept(session, &resp, now()).unwrap().receipt;
        (ch, resp, receipt)
    })
}

#[test]
fn messages_round_trip() {
    let (ch, resp, receipt) = sample();
    assert_eq!(&PosChallenge::from_der(ch).unwrap().to_der().unwrap(), ch);
    assert_eq!(
        PhoneResponse::from_der(resp).unwrap().to_der(),
        resp.as_slice()
    );
    assert_eq!(
        &PosReceipt::from_der(receipt).unwrap().to_der().unwrap(),
        receipt
    );
    let p = PhoneResponse::from_der(resp).unwrap().payment().clone();
    assert_eq!(OfflinePayment::from_der(&p.to_der().unwrap()).unwrap(), p);
    // Debug of a payment masks the account.
    let shown = format!("{p:?}");
    assert!(!shown.contains("6212340000001234") && shown.contains("621234******1234"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn challenge_round_trip(
        challenge in proptest::collection::vec(any::<u8>(), 16..=32),
        pos_id in "[A-Z0-9]{1,15}",
        merchant in "[A-Za-z0-9 ]{1,15}",
        secs in 0u64..4_000_000_000,
        amount in any::<u64>(),
        cur in 1u16..1000,
        key_id in proptest::collection::vec(any::<u8>(), 1..=64),
        with_eph in any::<bool>(),
    ) {
        let c = PosChallenge {
            challenge,
            pos_id,
            merchant_id: merchant,
            time: DateTime::from_unix_duration(std::time::Duration::from_secs(secs)).unwrap(),
            amount,
            currency: Currency::new(cur).unwrap(),
            pos: SignerRef::KeyId(key_id),
            ephemeral: with_eph.then(|| mpay_gmt::sm2::PrivateKey::from_bytes(&[3; 32]).unwrap().public_key()),
        };
        let der = c.to_der().unwrap();
        let back = PosChallenge::from_der(&der).unwrap();
        prop_assert_eq!(back.to_der().unwrap(), der);
        prop_assert_eq!(back.amount, c.amount);
        prop_assert_eq!(back.ephemeral, c.ephemeral);
    }

    #[test]
    fn mutated_messages_never_panic(which in 0usize..3, at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
        let (ch, resp, receipt) = sample();
        let mut m = [ch, resp, receipt][which].clone();
        let i = at % m.len();
        m[i] = byte;
        m.truncate(m.len() - cut % 4);
        let _ = PosChallenge::from_der(&m);
        let _ = PhoneResponse::from_der(&m);
        let _ = PosReceipt::from_der(&m);
        let _ = OfflinePayment::from_der(&m);
    }
}
