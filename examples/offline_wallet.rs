//! The offline NFC wallet, end to end:
//!
//! 1. **WPKI enrolment**: the phone generates its SM2 key pair and a PKCS#10 request; the bank
//!    RA checks the proof of possession and the bank CA (under the UnionPay-style root) issues
//!    the wallet user's certificate; the acquirer CA issues the POS terminal's certificate.
//! 2. **Loads** from the user's bank account, each a signed online transaction the bank
//!    verifies (`wpki::txn`): a load, a load refused by the wallet balance limit, a load the
//!    bank reverses when its answer never reached the phone, and an automatic load when the
//!    balance falls below a threshold.
//! 3. **Offline purchases** at the POS with phone↔POS mutual authentication (`wpki::mutual`):
//!    the phone validates the POS chain against its cached root and CRLs, increments its
//!    SQLite-persisted counter before signing, runs SM2 key exchange, and checks the POS's
//!    signed receipt; the POS checks the phone's chain, signature, challenge and counter. A
//!    replayed purchase is refused.
//! 4. **End of day**: the POS uploads its batch; the bank verifies every signed purchase (a
//!    duplicate smuggled into the batch is refused) and clears it; the wallet ledger and the
//!    bank ledger are reconciled (both totals printed, they must match).
//! 5. **Loss reporting**: the bank revokes the user certificate, issues a new CRL, refunds the
//!    remaining balance, and the POS, with the fresh CRL, refuses the lost wallet.
//!
//! Counters and ledgers are SQLite files in a temporary directory. Certificates, CRLs, the
//! day's batch and the transcript (account numbers masked) go to
//! `target/mpay-demo/offline_wallet/`. Exit status 1 if a step does not end as expected.

mod common;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Transcript, expect};
use getrandom::rand_core::UnwrapErr;
use mpay::wpki::crl::{ParsedCrl, RevokedEntry};
use mpay::wpki::der::Encode;
use mpay::wpki::mutual::{
    CounterStore, OfflinePolicy, Phone, PhoneResponse, Pos, SeenCounters, SqliteCounterStore,
    SqliteSeenCounters, TrustStore, WalletIdentity,
};
use mpay::wpki::txn::{
    AccountRef, Currency, MemoryReplayGuard, SignedTransaction, SignerRef, Transaction, TxnPolicy,
    TxnVerifier, codes,
};
use mpay::wpki::{
    Ca, CertificateParams, DateTime, Error as WpkiError, ParsedCertificate, Profile, Refusal, Rule,
    Signer, SigningKey, TrustAnchor, ValidationOptions, csr,
};
use rusqlite::{Connection, params};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;
type Rng = UnwrapErr<getrandom::SysRng>;

const NAME: &str = "offline_wallet";
const BANK_ID: &str = "01020000";
const USER: &str = "wallet-0001";
/// The user's bank card, the wallet's funding account (shown masked only).
const FUNDING_ACCOUNT: &str = "6212340000001234";
const POS_ID: &str = "POS00001";
const MERCHANT: &str = "SHOP0001";
const LOAD_CHANNEL: &str = "BANKLOAD";
const BALANCE_LIMIT: u64 = cny(1000);
const AUTO_LOAD_BELOW: u64 = cny(50);
const AUTO_LOAD_AMOUNT: u64 = cny(200);
const OPENING_BALANCE: u64 = cny(2000);

/// Whole yuan in minor units (fen).
const fn cny(yuan: u64) -> u64 {
    yuan * 100
}

fn yuan(minor: u64) -> String {
    format!("CNY {}.{:02}", minor / 100, minor % 100)
}

/// The demo clock: the real start time, advanced by hand.
#[derive(Clone, Copy)]
struct Clock(u64);

impl Clock {
    fn at(self, secs: u64) -> Res<DateTime> {
        Ok(DateTime::from_unix_duration(Duration::from_secs(
            self.0 + secs,
        ))?)
    }
}

/// A double-entry ledger in SQLite: every posting moves money between accounts and sums to 0.
struct Ledger {
    db: Connection,
}

impl Ledger {
    fn open(path: &Path) -> Res<Self> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS entry (
                id INTEGER PRIMARY KEY, posting INTEGER NOT NULL, account TEXT NOT NULL,
                amount INTEGER NOT NULL, memo TEXT NOT NULL)",
        )?;
        Ok(Ledger { db })
    }

    fn post(&mut self, memo: &str, legs: &[(&str, i64)]) -> Res<()> {
        expect(
            legs.iter().map(|l| l.1).sum::<i64>() == 0,
            "a balanced posting",
        )?;
        let tx = self.db.transaction()?;
        let posting: i64 =
            tx.query_row("SELECT COALESCE(MAX(posting), 0) + 1 FROM entry", [], |r| {
                r.get(0)
            })?;
        for (account, amount) in legs {
            tx.execute(
                "INSERT INTO entry (posting, account, amount, memo) VALUES (?1, ?2, ?3, ?4)",
                params![posting, account, amount, memo],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn balance(&self, account: &str) -> Res<i64> {
        Ok(self.db.query_row(
            "SELECT COALESCE(SUM(amount), 0) FROM entry WHERE account = ?1",
            params![account],
            |r| r.get(0),
        )?)
    }

    fn total(&self, account: &str, memo_prefix: &str) -> Res<i64> {
        Ok(self.db.query_row(
            "SELECT COALESCE(SUM(amount), 0) FROM entry WHERE account = ?1 AND memo LIKE ?2",
            params![account, format!("{memo_prefix}%")],
            |r| r.get(0),
        )?)
    }
}

fn amount(v: u64) -> Res<i64> {
    Ok(i64::try_from(v)?)
}

fn balance_u64(v: i64) -> Res<u64> {
    Ok(u64::try_from(v)?)
}

/// Accounts in the bank's books.
const FUNDING: &str = "funding:wallet-0001";
const FLOAT: &str = "wallet-float:wallet-0001";
const MERCHANT_ACCT: &str = "merchant:SHOP0001";
/// The wallet's own book.
const PURSE: &str = "purse";
const OUTSIDE: &str = "outside";

/// The bank: its CA, the books, the online verifier's state and the clearing state.
struct Bank {
    ca: Ca,
    anchors: Vec<TrustAnchor>,
    intermediates: Vec<ParsedCertificate>,
    users: Vec<ParsedCertificate>,
    crls: TrustStore,
    revoked: Vec<RevokedEntry>,
    crl_number: u8,
    ledger: Ledger,
    replay: MemoryReplayGuard,
    cleared: SqliteSeenCounters,
}

enum LoadAnswer {
    Approved,
    Declined(String),
}

impl Bank {
    fn verifier(&self, now: DateTime) -> TxnVerifier<'_> {
        let mut options = ValidationOptions::at(now);
        options.crls = Some(self.crls.crls.clone());
        TxnVerifier::new(&self.anchors, options, TxnPolicy::new(BANK_ID))
            .with_intermediates(self.intermediates.clone())
            .with_known_signers(self.users.clone())
    }

    /// An online load: verify the signed request, apply the balance limit, post it.
    fn load(&mut self, request: &[u8], now: DateTime) -> Res<LoadAnswer> {
        let signed = SignedTransaction::from_der(request)?;
        let mut replay = std::mem::take(&mut self.replay);
        let outcome = self.verifier(now).verify(&signed, &mut replay);
        self.replay = replay;
        let verified = match outcome {
            Ok(v) => v,
            Err(e) => return Ok(LoadAnswer::Declined(e.to_string())),
        };
        let t = &verified.transaction;
        if t.code != codes::LOAD || t.merchant_id != LOAD_CHANNEL {
            return Ok(LoadAnswer::Declined("not a load".into()));
        }
        let float = balance_u64(self.ledger.balance(FLOAT)?)?;
        if float + t.amount > BALANCE_LIMIT {
            return Ok(LoadAnswer::Declined(format!(
                "balance limit {} exceeded ({} + {})",
                yuan(BALANCE_LIMIT),
                yuan(float),
                yuan(t.amount)
            )));
        }
        if balance_u64(self.ledger.balance(FUNDING)?)? < t.amount {
            return Ok(LoadAnswer::Declined("insufficient funds".into()));
        }
        let a = amount(t.amount)?;
        self.ledger.post("load", &[(FUNDING, -a), (FLOAT, a)])?;
        Ok(LoadAnswer::Approved)
    }

    /// The phone never confirmed the load: the bank reverses it.
    fn reverse_load(&mut self, value: u64) -> Res<()> {
        let a = amount(value)?;
        self.ledger
            .post("load reversal", &[(FLOAT, -a), (FUNDING, a)])
    }

    /// End-of-day clearing of the POS's batch: each record verified and posted once.
    fn clear(&mut self, batch: &[Vec<u8>], now: DateTime, t: &Transcript) -> Res<(u64, usize)> {
        let (mut total, mut refused) = (0, 0);
        for (i, record) in batch.iter().enumerate() {
            let outcome = PhoneResponse::from_der(record)
                .and_then(|r| r.verify(&self.crls, now, u64::MAX))
                .and_then(|v| {
                    self.cleared
                        .check_and_record(&v.phone_key_id, v.payment.counter())
                        .map(|()| v)
                });
            match outcome {
                Ok(v) => {
                    let p = &v.payment;
                    let a = amount(p.transaction.amount)?;
                    self.ledger.post(
                        &format!("purchase {} #{}", p.pos_id, p.counter()),
                        &[(FLOAT, -a), (MERCHANT_ACCT, a)],
                    )?;
                    total += p.transaction.amount;
                    t.say(
                        "bank",
                        format!(
                            "record {}: counter {} {} from {} at {} verified and cleared",
                            i + 1,
                            p.counter(),
                            yuan(p.transaction.amount),
                            p.transaction.account,
                            p.pos_id
                        ),
                    );
                }
                Err(e) => {
                    refused += 1;
                    t.say("bank", format!("record {}: {e}", i + 1));
                }
            }
        }
        Ok((total, refused))
    }

    /// Loss reported: revoke the user certificate, publish a new CRL, refund the purse.
    fn report_loss(
        &mut self,
        cert: &ParsedCertificate,
        now: DateTime,
        next: DateTime,
    ) -> Res<ParsedCrl> {
        self.revoked.push(RevokedEntry {
            serial: cert.certificate().tbs_certificate().serial_number().clone(),
            date: now,
        });
        self.crl_number += 1;
        let crl = ParsedCrl::from_der(
            &self
                .ca
                .issue_crl(&[self.crl_number], now, next, &self.revoked)?
                .to_der()?,
        )?;
        self.crls.add_crl(crl.clone());
        let left = self.ledger.balance(FLOAT)?;
        self.ledger
            .post("refund after loss", &[(FLOAT, -left), (FUNDING, left)])?;
        Ok(crl)
    }
}

/// The wallet application on the phone: the protocol side and its own book.
struct Wallet {
    phone: Phone<SqliteCounterStore>,
    key: SigningKey,
    cert: ParsedCertificate,
    ledger: Ledger,
}

impl Wallet {
    fn balance(&self) -> Res<u64> {
        balance_u64(self.ledger.balance(PURSE)?)
    }

    fn load_request(&self, value: u64, now: DateTime) -> Res<Vec<u8>> {
        let mut nonce = vec![0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
        let txn = Transaction {
            user_id: USER.into(),
            account: AccountRef::new(FUNDING_ACCOUNT)?,
            bank_id: BANK_ID.into(),
            code: codes::LOAD,
            amount: value,
            currency: Currency::CNY,
            merchant_id: LOAD_CHANNEL.into(),
            time: now,
            nonce: Some(nonce),
            counter: None,
        };
        let signer = SignerRef::key_id_of(self.cert.certificate());
        Ok(SignedTransaction::sign(txn, &self.key, signer)?.to_der()?)
    }

    fn credit(&mut self, value: u64, memo: &str) -> Res<()> {
        let a = amount(value)?;
        self.ledger.post(memo, &[(OUTSIDE, -a), (PURSE, a)])
    }

    fn debit(&mut self, value: u64, memo: &str) -> Res<()> {
        let a = amount(value)?;
        self.ledger.post(memo, &[(PURSE, -a), (OUTSIDE, a)])
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Res<()> {
    std::fs::write(dir.join(name), bytes)?;
    Ok(())
}

fn is_refusal(r: &Result<impl Sized, WpkiError>, want: impl Fn(&WpkiError) -> bool) -> bool {
    matches!(r, Err(e) if want(e))
}

fn run(t: &Transcript, work: &Path) -> Res<()> {
    let out = common::artefact_dir(NAME)?;
    let mut rng: Rng = UnwrapErr(getrandom::SysRng);
    let start = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let clock = Clock(start - start % 60);
    let now = clock.at(0)?;
    let (from, to) = (clock.at(0)?, clock.at(2 * 365 * 86_400)?);
    let params = |cn: &str, profile| -> Res<CertificateParams> {
        Ok(CertificateParams::new(cn.parse()?, from, to, profile))
    };

    // ---- PKI ------------------------------------------------------------------------------
    let root = Ca::self_signed(
        SigningKey::generate_sm2(&mut rng)?,
        &params(
            "CN=UnionPay Test Root SM2,O=Test,C=CN",
            Profile::Ca { path_len: Some(1) },
        )?,
        &mut rng,
    )?;
    let bank_ca = root.issue_subordinate(
        SigningKey::generate_sm2(&mut rng)?,
        &params(
            "CN=Test Bank CA,O=Test Bank,C=CN",
            Profile::Ca { path_len: Some(0) },
        )?,
        &mut rng,
    )?;
    let acquirer_ca = root.issue_subordinate(
        SigningKey::generate_sm2(&mut rng)?,
        &params(
            "CN=Test Acquirer CA,O=Test Acquirer,C=CN",
            Profile::Ca { path_len: Some(0) },
        )?,
        &mut rng,
    )?;
    t.say(
        "pki",
        "root → bank CA and root → acquirer CA issued (SM2-with-SM3, standard ID)",
    );
    for (name, ca) in [
        ("root", &root),
        ("bank-ca", &bank_ca),
        ("acquirer-ca", &acquirer_ca),
    ] {
        write(&out, &format!("{name}.der"), &ca.certificate().to_der()?)?;
    }

    // ---- Enrolment --------------------------------------------------------------------------
    let phone_key = SigningKey::generate_sm2(&mut rng)?;
    let request = csr::create(&phone_key, format!("CN={USER},O=Test Bank,C=CN").parse()?)?;
    let request_der = request.to_der()?;
    write(&out, "wallet.csr.der", &request_der)?;
    t.say(
        "phone",
        format!(
            "SM2 key pair generated; PKCS#10 request for CN={USER} ({} bytes)",
            request_der.len()
        ),
    );
    let verified = csr::verify(&request_der, mpay::wpki::alg::DEFAULT_SM2_ID)?;
    let user_cert = bank_ca.issue_for_request(
        &verified,
        &params(&format!("CN={USER},O=Test Bank,C=CN"), Profile::WalletUser)?,
        &mut rng,
    )?;
    let user_cert = ParsedCertificate::from_certificate(&user_cert)?;
    write(&out, "wallet-user.der", &user_cert.certificate().to_der()?)?;
    t.say(
        "bank",
        format!(
            "RA: proof of possession checked; bank CA issued the wallet certificate ({} bytes)",
            user_cert.certificate().to_der()?.len()
        ),
    );
    let pos_key = SigningKey::generate_sm2(&mut rng)?;
    let pos_cert = ParsedCertificate::from_certificate(&acquirer_ca.issue(
        &params(
            &format!("CN={POS_ID},O=Test Acquirer,C=CN"),
            Profile::PosTerminal,
        )?,
        &pos_key.public_key_info()?,
        &mut rng,
    )?)?;
    write(&out, "pos.der", &pos_cert.certificate().to_der()?)?;
    t.say(
        "acq",
        format!("acquirer CA issued the certificate of {POS_ID}"),
    );

    // CRLs of the morning, cached by phone and POS.
    let crl_next = clock.at(7 * 86_400)?;
    let mut trust = TrustStore::new(vec![TrustAnchor::from_certificate(root.certificate())]);
    trust.add_ca(ParsedCertificate::from_certificate(bank_ca.certificate())?);
    trust.add_ca(ParsedCertificate::from_certificate(
        acquirer_ca.certificate(),
    )?);
    for (name, ca) in [
        ("root", &root),
        ("bank-ca", &bank_ca),
        ("acquirer-ca", &acquirer_ca),
    ] {
        let der = ca.issue_crl(&[1], now, crl_next, &[])?.to_der()?;
        write(&out, &format!("{name}-1.crl"), &der)?;
        trust.add_crl(ParsedCrl::from_der(&der)?);
    }
    t.say(
        "pki",
        "CRL #1 of root, bank CA and acquirer CA published and cached",
    );

    let bank_ca_cert = ParsedCertificate::from_certificate(bank_ca.certificate())?;
    let mut bank = Bank {
        ca: bank_ca,
        anchors: trust.anchors.clone(),
        intermediates: vec![bank_ca_cert],
        users: vec![user_cert.clone()],
        crls: trust.clone(),
        revoked: Vec::new(),
        crl_number: 1,
        ledger: Ledger::open(&work.join("bank.db"))?,
        replay: MemoryReplayGuard::default(),
        cleared: SqliteSeenCounters::open(work.join("bank-clearing.db"))?,
    };
    let opening = amount(OPENING_BALANCE)?;
    bank.ledger
        .post("opening", &[("bank-capital", -opening), (FUNDING, opening)])?;
    let account = AccountRef::new(FUNDING_ACCOUNT)?;
    t.say(
        "bank",
        format!(
            "funding account {account} holds {}; wallet balance limit {}",
            yuan(OPENING_BALANCE),
            yuan(BALANCE_LIMIT)
        ),
    );

    let policy = OfflinePolicy {
        key_exchange: true,
        ..OfflinePolicy::default()
    };
    let mut wallet = Wallet {
        phone: Phone::new(
            phone_key.clone(),
            user_cert.clone(),
            WalletIdentity {
                user_id: USER.into(),
                account: account.clone(),
                bank_id: BANK_ID.into(),
            },
            trust.clone(),
            policy.clone(),
            SqliteCounterStore::open(work.join("phone.db"), USER)?,
        ),
        key: phone_key,
        cert: user_cert.clone(),
        ledger: Ledger::open(&work.join("wallet.db"))?,
    };
    let mut pos = Pos::new(
        pos_key,
        pos_cert,
        POS_ID,
        MERCHANT,
        trust.clone(),
        policy,
        SqliteSeenCounters::open(work.join("pos.db"))?,
    )?;

    // ---- Loads ------------------------------------------------------------------------------
    let mut secs = 60;
    let mut tick = |step: u64| -> Res<DateTime> {
        secs += step;
        clock.at(secs)
    };
    let now = tick(0)?;
    let req = wallet.load_request(cny(300), now)?;
    match bank.load(&req, now)? {
        LoadAnswer::Approved => wallet.credit(cny(300), "load")?,
        LoadAnswer::Declined(why) => return Err(format!("first load declined: {why}").into()),
    }
    t.say(
        "phone",
        format!(
            "load {} approved by the bank (signed SM2 request, {} bytes); purse {}",
            yuan(cny(300)),
            req.len(),
            yuan(wallet.balance()?)
        ),
    );

    let now = tick(60)?;
    let answer = bank.load(&wallet.load_request(cny(800), now)?, now)?;
    let LoadAnswer::Declined(why) = answer else {
        return Err("unexpected outcome: a load over the balance limit approved".into());
    };
    expect(
        why.contains("balance limit"),
        "declined for the balance limit",
    )?;
    t.say("bank", format!("load {} declined: {why}", yuan(cny(800))));

    let now = tick(60)?;
    let lost = wallet.load_request(cny(100), now)?;
    expect(
        matches!(bank.load(&lost, now)?, LoadAnswer::Approved),
        "the bank approves the load whose answer is lost",
    )?;
    t.say(
        "bank",
        format!(
            "load {} approved, but the answer never reaches the phone (purse stays {})",
            yuan(cny(100)),
            yuan(wallet.balance()?)
        ),
    );
    bank.reverse_load(cny(100))?;
    let float = balance_u64(bank.ledger.balance(FLOAT)?)?;
    expect(
        float == wallet.balance()?,
        "float equals purse after reversal",
    )?;
    t.say(
        "bank",
        format!(
            "no confirmation within the time-out: load reversed; wallet float {}",
            yuan(float)
        ),
    );
    let resent = bank.load(&lost, tick(5)?)?;
    let LoadAnswer::Declined(why) = resent else {
        return Err("unexpected outcome: the reversed load's request accepted again".into());
    };
    t.say(
        "bank",
        format!("the same request sent again refused: {why}"),
    );
    expect(why.contains("replay"), "a resent load refused as a replay")?;

    // ---- Offline purchases ------------------------------------------------------------------
    let mut batch = Vec::new();
    let mut spent = 0;
    for (i, value) in [cny(120), 9550, cny(40)].into_iter().enumerate() {
        let now = tick(600)?;
        expect(wallet.balance()? >= value, "enough in the purse")?;
        let (session, challenge) = pos.challenge(value, Currency::CNY, now, &mut rng)?;
        let checked = wallet.phone.read_challenge(&challenge, now)?;
        let (phone_session, response) = wallet.phone.pay(checked, now, &mut rng)?;
        let accepted = pos.accept(session, &response, now)?;
        let done = phone_session.verify_receipt(&accepted.receipt)?;
        wallet.debit(value, &format!("purchase {POS_ID} #{}", done.counter))?;
        spent += value;
        expect(
            done.session_key().is_some() && done.session_key() == accepted.session_key(),
            "both sides derived the same session key",
        )?;
        t.say(
            "pos",
            format!(
                "purchase {}: {} — POS chain checked offline by the phone, phone chain and \
                 counter {} checked by the POS, SM2 key exchange confirmed both ways, \
                 receipt verified; purse {}",
                i + 1,
                yuan(value),
                done.counter,
                yuan(wallet.balance()?)
            ),
        );
        write(&out, &format!("purchase-{}.der", i + 1), &accepted.record)?;
        batch.push(accepted.record);

        // Automatic load when the purse runs low (the phone is online again).
        if wallet.balance()? < AUTO_LOAD_BELOW {
            let now = tick(30)?;
            let req = wallet.load_request(AUTO_LOAD_AMOUNT, now)?;
            match bank.load(&req, now)? {
                LoadAnswer::Approved => wallet.credit(AUTO_LOAD_AMOUNT, "automatic load")?,
                LoadAnswer::Declined(why) => {
                    return Err(format!("automatic load declined: {why}").into());
                }
            }
            t.say(
                "phone",
                format!(
                    "purse below {}: automatic load of {} approved; purse {}",
                    yuan(AUTO_LOAD_BELOW),
                    yuan(AUTO_LOAD_AMOUNT),
                    yuan(wallet.balance()?)
                ),
            );
        }
    }
    expect(
        wallet.phone.counter().current()? == 3,
        "the phone's counter at 3",
    )?;

    // A purchase above the purse is declined by the wallet before anything is signed.
    let over = wallet.balance()? + 1;
    let now = tick(60)?;
    let (_, challenge) = pos.challenge(over, Currency::CNY, now, &mut rng)?;
    let checked = wallet.phone.read_challenge(&challenge, now)?;
    expect(
        checked.challenge().amount > wallet.balance()?,
        "the wallet sees the amount is above its purse",
    )?;
    t.say(
        "phone",
        format!(
            "purchase of {} declined by the wallet: purse holds {}",
            yuan(over),
            yuan(wallet.balance()?)
        ),
    );

    // A replayed purchase: the first purchase's signed message sent again.
    let now = tick(60)?;
    let (session, _) = pos.challenge(cny(120), Currency::CNY, now, &mut rng)?;
    let replay = pos.accept(session, &batch[0], now);
    expect(
        is_refusal(&replay, |e| {
            *e == WpkiError::Refused(Refusal::ChallengeMismatch)
        }),
        "a replayed purchase refused by the POS",
    )?;
    t.say(
        "pos",
        format!(
            "replayed purchase 1: {}",
            replay.err().map(|e| e.to_string()).unwrap_or_default()
        ),
    );

    // ---- End of day -------------------------------------------------------------------------
    let eod = tick(8 * 3600)?;
    let mut upload = batch.clone();
    upload.push(batch[1].clone()); // a duplicate in the batch
    let mut batch_file = Vec::new();
    for r in &upload {
        batch_file.extend_from_slice(&(r.len() as u32).to_be_bytes());
        batch_file.extend_from_slice(r);
    }
    write(&out, "batch.bin", &batch_file)?;
    t.say(
        "pos",
        format!(
            "end of day: batch of {} signed purchases uploaded to the bank",
            upload.len()
        ),
    );
    let (cleared, refused) = bank.clear(&upload, eod, t)?;
    expect(refused == 1, "exactly the duplicate record refused")?;
    expect(cleared == spent, "everything spent cleared once")?;

    // ---- Reconciliation ---------------------------------------------------------------------
    let purse = wallet.balance()?;
    let float = balance_u64(bank.ledger.balance(FLOAT)?)?;
    let wallet_spent = balance_u64(-wallet.ledger.total(PURSE, "purchase")?)?;
    let bank_spent = balance_u64(bank.ledger.balance(MERCHANT_ACCT)?)?;
    let wallet_loads = balance_u64(wallet.ledger.total(PURSE, "")? + amount(wallet_spent)?)?;
    // Loads net of reversals ("load", "load reversal").
    let bank_loads = balance_u64(bank.ledger.total(FLOAT, "load")?)?;
    t.say(
        "recon",
        format!(
            "wallet ledger: loads {}, purchases {}, balance {}",
            yuan(wallet_loads),
            yuan(wallet_spent),
            yuan(purse)
        ),
    );
    t.say(
        "recon",
        format!(
            "bank ledger:   loads {}, purchases {}, balance {}",
            yuan(bank_loads),
            yuan(bank_spent),
            yuan(float)
        ),
    );
    expect(
        purse == float && wallet_spent == bank_spent && wallet_loads == bank_loads,
        "wallet and bank ledgers agree",
    )?;
    t.say("recon", "wallet and bank ledgers match");

    // ---- Loss reporting ---------------------------------------------------------------------
    let loss = tick(3600)?;
    let next =
        DateTime::from_unix_duration(loss.unix_duration() + Duration::from_secs(7 * 86_400))?;
    let crl = bank.report_loss(&user_cert, loss, next)?;
    write(&out, "bank-ca-2.crl", &crl.crl().to_der()?)?;
    t.say(
        "bank",
        format!(
            "loss reported: wallet certificate revoked, bank CA CRL #2 published; {} refunded \
             to {account}",
            yuan(float)
        ),
    );
    pos.trust.add_crl(crl);
    let now = tick(600)?;
    let (session, challenge) = pos.challenge(cny(10), Currency::CNY, now, &mut rng)?;
    let checked = wallet.phone.read_challenge(&challenge, now)?;
    let (_, response) = wallet.phone.pay(checked, now, &mut rng)?;
    let attempt = pos.accept(session, &response, now);
    expect(
        is_refusal(&attempt, |e| {
            matches!(
                e,
                WpkiError::Path {
                    index: 0,
                    rule: Rule::Revoked,
                    ..
                }
            )
        }),
        "the POS with the fresh CRL refuses the lost wallet",
    )?;
    t.say(
        "pos",
        format!(
            "lost wallet refused: {}",
            attempt.err().map(|e| e.to_string()).unwrap_or_default()
        ),
    );
    let late = bank.load(&wallet.load_request(cny(50), now)?, now)?;
    let LoadAnswer::Declined(why) = late else {
        return Err("unexpected outcome: a load for the revoked wallet approved".into());
    };
    expect(
        why.contains("revoked"),
        "the bank refuses the revoked wallet",
    )?;
    t.say(
        "bank",
        format!("online load from the lost wallet refused: {why}"),
    );
    expect(
        bank.ledger.balance(FLOAT)? == 0,
        "nothing left in the blocked wallet",
    )?;
    t.say(
        "demo",
        format!(
            "all steps ended as expected; artefacts in {}",
            out.display()
        ),
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let t = Transcript::default();
    let work: PathBuf =
        std::env::temp_dir().join(format!("mpay-offline-wallet-{}", std::process::id()));
    let result = std::fs::create_dir_all(&work)
        .map_err(Into::into)
        .and_then(|()| run(&t, &work));
    let _ = std::fs::remove_dir_all(&work);
    common::finish(NAME, &t, result)
}
