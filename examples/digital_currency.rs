//! A digital-currency wallet system carried over the card network (two-tier, e-CNY style):
//!
//! 1. **account opening**: each wallet makes an SM2 key pair; its address (`dc1…`, 43
//!    characters — too long for field 2) and public key are registered at the switch, which
//!    answers with a registration receipt it signs (SM2), and a 19-digit, Luhn-valid routing
//!    surrogate from the wallet bank's prefix;
//! 2. **exchange in** from a bank account into the wallet (and **exchange out** at the end), as
//!    ISO 8583 0200s that the wallet signs and the switch routes to the wallet's bank;
//! 3. **payment by QR**: the shop shows a dynamic EMVCo merchant-presented QR (PNG) carrying its
//!    wallet address; the payer's wallet reads the image, signs the order, and the switch routes
//!    payer bank (debit, 0200) → payee bank (credit, 0220);
//! 4. **payment by NFC**: the shop's POS taps the phone's wallet applet (APDUs through the
//!    `apdu` router), which signs the POS's request with its counter and the POS's nonce;
//! 5. **"delayed online"**: with the POS offline, the phone pays by NFC; the POS checks the
//!    signature and the switch-signed registration receipt offline, keeps the payment in a
//!    SQLite store-and-forward queue, and uploads it as 0220 advices when it reconnects;
//! 6. every ownership change is **registered** in an append-only, SM3 hash-chained ledger; the
//!    **reconciliation** rebuilds every wallet's balance from the ledger, compares it with the
//!    banks' books, and a tampered copy of the ledger is detected.
//!
//! The ISO 8583 extension: field 2 carries the routing surrogate, and the wallet data travel as
//! tagged elements of private field 62 (`PA` payer address, `PB` payee address, `CT` counter,
//! `TM` time, `NC` POS nonce, `SG` the payer's SM2 signature in hex), on the 1987 binary spec.
//!
//! Refused on the way, as they must be: a tampered amount (63), a replayed order (94), an
//! exchange above the wallet's balance limit (61), a payment above the balance (51), an offline
//! payment above the wallet's offline limit (the applet answers 6985), and an offline payment
//! uploaded twice (94).
//!
//! Everything runs on loopback; the banks' books, the ledger and the POS queue are SQLite files
//! in a temporary directory. The transcript, the shop's QR and a copy of the ledger go to
//! `target/mpay-demo/digital_currency/`. Exit status 1 if any step does not end as expected.

mod common;

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{Transcript, expect};
use futures_util::{SinkExt, StreamExt};
use mpay::apdu::{Application, Card, Command, CommandBuf, Response, Router, StatusWord, Target};
use mpay::emv::card::mask_pan;
use mpay::emv_tlv::{Tag, TlvWrite, Tree};
use mpay::gmt::{sm2, sm3};
use mpay::iso8583::field::{Class, Encoding, FieldSpec, Prefix, Subfields};
use mpay::iso8583::frame::codec::FrameCodec;
use mpay::iso8583::frame::{Framing, LengthHeader};
use mpay::iso8583::mux::{Mux, MuxConfig};
use mpay::iso8583::{Message, Spec, specs};
use mpay::qr_payment::image::{self, EcLevel, Render};
use mpay::qr_payment::mpm::{MerchantPayload, MerchantPayloadBuilder};
use mpay::tokenization::luhn;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{FramedRead, FramedWrite};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const FRAMING: Framing = Framing::new(LengthHeader::Binary2, 8192);
/// Routing prefixes of the two wallet banks' surrogates.
const BANK_A: &str = "629901";
const BANK_B: &str = "629902";
/// Processing codes (field 3): exchange in (savings → wallet), exchange out, payment, credit.
const EXCHANGE_IN: &str = "401000";
const EXCHANGE_OUT: &str = "400010";
const PAYMENT: &str = "000000";
const CREDIT: &str = "260000";
/// The EMVCo merchant-account GUI under which a shop's QR carries its wallet address.
const DC_GUI: &str = "cn.mpay.dc";
/// The phone's wallet applet.
const APPLET_AID: &[u8] = b"\xF0MPAYDC\x01";
const INS_SIGN_PAYMENT: u8 = 0x50;
/// Balance limit of a wallet at its bank (fen) and the offline spending limit of the applet.
const WALLET_LIMIT: u64 = 1_000_000;
const OFFLINE_LIMIT: u64 = 20_000;

// Tags of the signed order and of the registration receipt (private class, BER-TLV).
const T_CODE: Tag = Tag::new(0xDF01);
const T_PAYER: Tag = Tag::new(0xDF02);
const T_PAYEE: Tag = Tag::new(0xDF03);
const T_AMOUNT: Tag = Tag::new(0xDF04);
const T_CURRENCY: Tag = Tag::new(0xDF05);
const T_COUNTER: Tag = Tag::new(0xDF06);
const T_TIME: Tag = Tag::new(0xDF07);
const T_NONCE: Tag = Tag::new(0xDF08);
const T_SIGNATURE: Tag = Tag::new(0xDF0A);
const T_RECEIPT: Tag = Tag::new(0xDF0B);
const T_OFFLINE: Tag = Tag::new(0xDF0C);
const T_PUBKEY: Tag = Tag::new(0xDF10);
const T_SURROGATE: Tag = Tag::new(0xDF11);
const T_REGISTRATION: Tag = Tag::new(0xFF21);

/// ISO 8583:1987 binary with field 62 redefined as tagged wallet data (2-character tags,
/// 3-digit ASCII lengths) — the extension for addresses longer than field 2 allows.
fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut s = specs::ISO87_BINARY.clone();
        s.name = "iso87binary+dc".into();
        let mut fields = s.fields.to_vec();
        if let Some(f) = fields.iter_mut().find(|f| f.number == 62) {
            *f = FieldSpec {
                sub: Some(Cow::Owned(Subfields::Tlv {
                    tag_len: 2,
                    length: Prefix::ascii(3),
                    ltv: false,
                })),
                ..FieldSpec::new(
                    62,
                    "digital-currency wallet data",
                    Class::Ans,
                    Encoding::Ascii,
                    999,
                    Prefix::bcd(3),
                )
            };
        }
        s.fields = fields.into();
        s
    })
}

fn cny(fen: u64) -> String {
    format!("{}.{:02} CNY", fen / 100, fen % 100)
}

/// An EMVCo amount ("88", "88.5", "88.00") in fen, without floating point.
fn fen(amount: &str) -> Res<u64> {
    let (units, cents) = amount.split_once('.').unwrap_or((amount, ""));
    if cents.len() > 2 || units.is_empty() {
        return Err(format!("amount {amount:?} is not in yuan with at most 2 decimals").into());
    }
    Ok(units.parse::<u64>()? * 100 + format!("{cents:0<2}").parse::<u64>()?)
}

fn short(address: &str) -> String {
    format!("{}…{}", &address[..7], &address[address.len() - 4..])
}

/// A wallet address: `dc1` and 40 hex digits of SM3 over the public key.
fn address_of(key: &sm2::PublicKey) -> String {
    let h = sm3::hash(&key.to_sec1_bytes());
    format!("dc1{}", &hex::encode(h)[..40])
}

/// The 19-digit routing surrogate: the bank's prefix, 12 digits from the address, Luhn digit.
fn surrogate_of(bank: &str, address: &str) -> String {
    let h = sm3::hash(address.as_bytes());
    let n =
        u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]) % 1_000_000_000_000;
    let body = format!("{bank}{n:012}");
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    format!("{body}{}", luhn::check_digit(&digits))
}

fn tlv(items: &[(Tag, &[u8])]) -> Res<Vec<u8>> {
    let mut v = Vec::new();
    for (t, val) in items {
        v.primitive(*t, val)?;
    }
    Ok(v)
}

/// What a wallet signs: the order as BER-TLV, in a fixed tag order.
#[derive(Clone, Debug)]
struct Order {
    code: String,
    payer: String,
    payee: String,
    amount: u64,
    counter: u64,
    time: String,
    nonce: Vec<u8>,
}

impl Order {
    fn signed_bytes(&self) -> Res<Vec<u8>> {
        tlv(&[
            (T_CODE, self.code.as_bytes()),
            (T_PAYER, self.payer.as_bytes()),
            (T_PAYEE, self.payee.as_bytes()),
            (T_AMOUNT, &self.amount.to_be_bytes()),
            (T_CURRENCY, b"156"),
            (T_COUNTER, &self.counter.to_be_bytes()),
            (T_TIME, self.time.as_bytes()),
            (T_NONCE, &self.nonce),
        ])
    }

    /// The ISO 8583 request carrying the order and its signature.
    fn to_message(
        &self,
        mti: &str,
        payer_surrogate: &str,
        stan: u32,
        terminal: &str,
        sig: &[u8],
    ) -> Res<Message<'static>> {
        let mut m = Message::new(spec(), mti.parse()?);
        m.set(2, payer_surrogate)?;
        m.set(3, self.code.as_str())?;
        m.set(4, format!("{:012}", self.amount))?;
        m.set(7, format!("{}{}", &self.time[4..8], &self.time[8..14]))?;
        m.set(11, format!("{stan:06}"))?;
        m.set(41, terminal)?;
        m.set(49, "156")?;
        m.set_path("62.PA", self.payer.as_str())?;
        if !self.payee.is_empty() {
            m.set_path("62.PB", self.payee.as_str())?;
        }
        m.set_path("62.CT", self.counter.to_string())?;
        m.set_path("62.TM", self.time.as_str())?;
        if !self.nonce.is_empty() {
            m.set_path("62.NC", hex::encode_upper(&self.nonce))?;
        }
        m.set_path("62.SG", hex::encode_upper(sig))?;
        Ok(m)
    }

    /// The order and signature back out of a request.
    fn from_message(m: &Message<'_>) -> Res<(Order, Vec<u8>)> {
        let text = |tag: &str| -> Res<String> {
            Ok(m.get_path(&format!("62.{tag}"))?
                .and_then(|v| v.as_text().map(str::to_string))
                .unwrap_or_default())
        };
        let order = Order {
            code: m.text(3).ok_or("no field 3")?.to_string(),
            payer: text("PA")?,
            payee: text("PB")?,
            amount: m.text(4).ok_or("no field 4")?.parse()?,
            counter: text("CT")?.parse()?,
            time: text("TM")?,
            nonce: hex::decode(text("NC")?)?,
        };
        Ok((order, hex::decode(text("SG")?)?))
    }
}

fn response_to(req: &Message<'_>, rc: &str) -> Res<Message<'static>> {
    let mti = match req.mti.as_str() {
        "0220" => "0230",
        _ => "0210",
    };
    let mut r = Message::new(spec(), mti.parse()?);
    for n in [2, 3, 4, 11, 41, 49] {
        if let Some(v) = req.get(n) {
            r.set(n, v.clone())?;
        }
    }
    r.set(39, rc)?;
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// The banks: wallets and savings accounts in SQLite, answering the switch over TCP.

fn open_bank(path: &Path, accounts: &[(&str, u64)]) -> Res<Connection> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS accounts (account TEXT PRIMARY KEY, balance INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS wallets (address TEXT PRIMARY KEY, balance INTEGER NOT NULL);",
    )?;
    for (a, b) in accounts {
        db.execute(
            "INSERT OR IGNORE INTO accounts VALUES (?1, ?2)",
            params![a, *b as i64],
        )?;
    }
    Ok(db)
}

/// Applies one request to the books; returns the response code.
fn book(db: &mut Connection, req: &Message<'_>) -> Res<&'static str> {
    let (order, _) = Order::from_message(req)?;
    let amount = order.amount as i64;
    let tx = db.transaction()?;
    let wallet = |tx: &rusqlite::Transaction<'_>, a: &str| -> Res<i64> {
        Ok(tx
            .query_row("SELECT balance FROM wallets WHERE address = ?1", [a], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0))
    };
    let set_wallet = |tx: &rusqlite::Transaction<'_>, a: &str, b: i64| -> Res<()> {
        tx.execute(
            "INSERT INTO wallets VALUES (?1, ?2) ON CONFLICT(address) DO UPDATE SET balance = ?2",
            params![a, b],
        )?;
        Ok(())
    };
    let rc = match (req.mti.as_str(), order.code.as_str()) {
        ("0200", EXCHANGE_IN | EXCHANGE_OUT) => {
            let account = req.text(102).ok_or("no field 102")?.to_string();
            let acct: Option<i64> = tx
                .query_row(
                    "SELECT balance FROM accounts WHERE account = ?1",
                    [&account],
                    |r| r.get(0),
                )
                .optional()?;
            let w = wallet(&tx, &order.payer)?;
            match acct {
                None => "14",
                Some(a) if order.code == EXCHANGE_IN && a < amount => "51",
                Some(_) if order.code == EXCHANGE_IN && w + amount > WALLET_LIMIT as i64 => "61",
                Some(_) if order.code == EXCHANGE_OUT && w < amount => "51",
                Some(a) => {
                    let sign = if order.code == EXCHANGE_IN { 1 } else { -1 };
                    tx.execute(
                        "UPDATE accounts SET balance = ?2 WHERE account = ?1",
                        params![account, a - sign * amount],
                    )?;
                    set_wallet(&tx, &order.payer, w + sign * amount)?;
                    "00"
                }
            }
        }
        ("0200", PAYMENT) => {
            let w = wallet(&tx, &order.payer)?;
            if w < amount {
                "51"
            } else {
                set_wallet(&tx, &order.payer, w - amount)?;
                "00"
            }
        }
        ("0220", CREDIT) => {
            let w = wallet(&tx, &order.payee)?;
            if w + amount > WALLET_LIMIT as i64 {
                "61"
            } else {
                set_wallet(&tx, &order.payee, w + amount)?;
                "00"
            }
        }
        _ => "12",
    };
    tx.commit()?;
    Ok(rc)
}

async fn bank(
    name: &'static str,
    listener: TcpListener,
    mut db: Connection,
    t: Transcript,
) -> Res<()> {
    let (sock, _) = listener.accept().await?;
    let (rd, wr) = sock.into_split();
    let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
    let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
    while let Some(frame) = rd.next().await {
        let req = Message::unpack(spec(), &frame?)?;
        let rc = book(&mut db, &req)?;
        let (order, _) = Order::from_message(&req)?;
        let what = match order.code.as_str() {
            EXCHANGE_IN => format!(
                "exchange in {} → wallet {}",
                cny(order.amount),
                short(&order.payer)
            ),
            EXCHANGE_OUT => format!(
                "exchange out {} ← wallet {}",
                cny(order.amount),
                short(&order.payer)
            ),
            CREDIT => format!(
                "credit {} to wallet {}",
                cny(order.amount),
                short(&order.payee)
            ),
            _ => format!(
                "debit {} from wallet {}",
                cny(order.amount),
                short(&order.payer)
            ),
        };
        t.say(name, format!("{} {what}: {rc}", req.mti.as_str()));
        wr.send(&response_to(&req, rc)?.pack()?[..]).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The registry: the append-only, hash-chained ledger of ownership changes.

fn ledger_entry(
    seq: i64,
    kind: &str,
    from: &str,
    to: &str,
    amount: i64,
    counter: i64,
    time: &str,
) -> Res<Vec<u8>> {
    tlv(&[
        (Tag::new(0xDF30), &seq.to_be_bytes()),
        (T_CODE, kind.as_bytes()),
        (T_PAYER, from.as_bytes()),
        (T_PAYEE, to.as_bytes()),
        (T_AMOUNT, &amount.to_be_bytes()),
        (T_COUNTER, &counter.to_be_bytes()),
        (T_TIME, time.as_bytes()),
    ])
}

fn open_ledger(path: &Path) -> Res<Connection> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS ledger (
             seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
             amount INTEGER NOT NULL, ctr INTEGER NOT NULL, time TEXT NOT NULL,
             prev BLOB NOT NULL, hash BLOB NOT NULL, UNIQUE (src, ctr));
         CREATE TABLE IF NOT EXISTS consumed (src TEXT NOT NULL, ctr INTEGER NOT NULL,
             PRIMARY KEY (src, ctr));
         CREATE TRIGGER IF NOT EXISTS ledger_append_only BEFORE UPDATE ON ledger
             BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
    )?;
    Ok(db)
}

/// Appends an ownership change; returns its sequence number and chained hash.
fn ledger_append(
    db: &Connection,
    kind: &str,
    from: &str,
    to: &str,
    amount: u64,
    counter: u64,
    time: &str,
) -> Res<(i64, [u8; 32])> {
    let last: Option<(i64, Vec<u8>)> = db
        .query_row(
            "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = last.map_or((1, vec![0; 32]), |(s, h)| (s + 1, h));
    let entry = ledger_entry(seq, kind, from, to, amount as i64, counter as i64, time)?;
    let hash = sm3::hash_parts(&[&prev, &entry]);
    db.execute(
        "INSERT INTO ledger VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            kind,
            from,
            to,
            amount as i64,
            counter as i64,
            time,
            prev,
            hash.to_vec()
        ],
    )?;
    Ok((seq, hash))
}

/// Walks the chain: every entry's hash from its predecessor and content. Returns the balances
/// the ledger implies for every wallet (`dc1…`), or where the chain breaks.
fn ledger_verify(db: &Connection) -> Res<(usize, HashMap<String, i64>)> {
    let mut stmt = db.prepare(
        "SELECT seq, kind, src, dst, amount, ctr, time, prev, hash FROM ledger ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = vec![0u8; 32];
    let mut balances = HashMap::new();
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let (kind, src, dst): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
        let (amount, ctr, time): (i64, i64, String) = (r.get(4)?, r.get(5)?, r.get(6)?);
        let (p, h): (Vec<u8>, Vec<u8>) = (r.get(7)?, r.get(8)?);
        let entry = ledger_entry(seq, &kind, &src, &dst, amount, ctr, &time)?;
        if p != prev || h != sm3::hash_parts(&[&prev, &entry]) {
            return Err(format!("ledger chain broken at entry {seq}").into());
        }
        for (who, delta) in [(src, -amount), (dst, amount)] {
            if who.starts_with("dc1") {
                *balances.entry(who).or_insert(0) += delta;
            }
        }
        prev = h;
        n += 1;
    }
    Ok((n, balances))
}

// ---------------------------------------------------------------------------------------------
// The switch: wallet registry, signature checks, routing payer bank → payee bank, ledger.

struct Registered {
    public: sm2::PublicKey,
    surrogate: String,
}

struct Switch {
    key: sm2::PrivateKey,
    registry: Mutex<HashMap<String, Registered>>,
    ledger: Mutex<Connection>,
    banks: HashMap<&'static str, Mux>,
    stan: AtomicU32,
    t: Transcript,
}

impl Switch {
    /// Account opening: registers the wallet's key; returns the address, the surrogate and the
    /// receipt (the registration, signed by the switch) that POS terminals check offline.
    fn open_account(&self, bank: &str, public: &sm2::PublicKey) -> Res<(String, String, Vec<u8>)> {
        let address = address_of(public);
        let surrogate = surrogate_of(bank, &address);
        let mut body = Vec::new();
        body.constructed(T_REGISTRATION, |w| {
            w.primitive(T_PAYER, address.as_bytes())?;
            w.primitive(T_PUBKEY, &public.to_sec1_bytes())?;
            w.primitive(T_SURROGATE, surrogate.as_bytes())
        })?;
        let sig = self.key.sign(sm2::DEFAULT_ID, &body)?.to_der();
        body.primitive(T_SIGNATURE, &sig)?;
        let mut reg = self.registry.lock().map_err(|_| "registry lock")?;
        reg.insert(
            address.clone(),
            Registered {
                public: *public,
                surrogate: surrogate.clone(),
            },
        );
        self.t.say(
            "switch",
            format!(
                "registered wallet {} ({} chars) as {} at bank {}",
                short(&address),
                address.len(),
                mask_pan(&surrogate),
                bank
            ),
        );
        Ok((address, surrogate, body))
    }

    async fn forward(&self, bank: &str, mut m: Message<'static>) -> Res<String> {
        let mux = self.banks.get(bank).ok_or("no link to that bank")?;
        m.set(
            11,
            format!("{:06}", self.stan.fetch_add(1, Ordering::Relaxed)),
        )?;
        m.set(41, "DCSWITCH")?;
        Ok(mux.request(m).await?.text(39).unwrap_or("96").to_string())
    }

    /// Checks and routes one request; returns the response code.
    async fn process(&self, req: &Message<'static>) -> Res<&'static str> {
        let (order, sig) = Order::from_message(req)?;
        let (payer_key, payer_surrogate, payee_surrogate) = {
            let reg = self.registry.lock().map_err(|_| "registry lock")?;
            let Some(payer) = reg.get(&order.payer) else {
                return Ok("14");
            };
            let payee = reg.get(&order.payee).map(|p| p.surrogate.clone());
            (payer.public, payer.surrogate.clone(), payee)
        };
        if req.text(2) != Some(payer_surrogate.as_str()) {
            return Ok("14");
        }
        let sig = sm2::Signature::from_der(&sig)?;
        if payer_key
            .verify(sm2::DEFAULT_ID, &order.signed_bytes()?, &sig)
            .is_err()
        {
            return Ok("63");
        }
        // Each (wallet, counter) is consumed once, atomically, before anything moves: a replay
        // (online, or an offline payment uploaded twice) is refused even when it races the
        // original.
        let fresh = self.ledger.lock().map_err(|_| "ledger lock")?.execute(
            "INSERT OR IGNORE INTO consumed VALUES (?1, ?2)",
            params![order.payer, order.counter as i64],
        )?;
        if fresh == 0 {
            return Ok("94");
        }
        let payer_bank = &payer_surrogate[..6];
        let (kind, from, to) = match order.code.as_str() {
            EXCHANGE_IN => {
                let rc = self.forward(payer_bank, req.clone()).await?;
                if rc != "00" {
                    return Ok(code(&rc));
                }
                (
                    "EXCHANGE_IN",
                    format!("bank:{payer_bank}"),
                    order.payer.clone(),
                )
            }
            EXCHANGE_OUT => {
                let rc = self.forward(payer_bank, req.clone()).await?;
                if rc != "00" {
                    return Ok(code(&rc));
                }
                (
                    "EXCHANGE_OUT",
                    order.payer.clone(),
                    format!("bank:{payer_bank}"),
                )
            }
            PAYMENT => {
                let Some(payee_surrogate) = payee_surrogate else {
                    return Ok("14");
                };
                let mut debit = req.clone();
                debit.mti = "0200".parse()?;
                let rc = self.forward(payer_bank, debit).await?;
                if rc != "00" {
                    return Ok(code(&rc));
                }
                let mut credit = req.clone();
                credit.mti = "0220".parse()?;
                credit.set(3, CREDIT)?;
                let rc = self.forward(&payee_surrogate[..6], credit).await?;
                if rc != "00" {
                    return Err(format!("payee bank refused a credit: {rc}").into());
                }
                self.t.say(
                    "switch",
                    format!(
                        "routed payer bank {payer_bank} → payee bank {}",
                        &payee_surrogate[..6]
                    ),
                );
                ("PAYMENT", order.payer.clone(), order.payee.clone())
            }
            _ => return Ok("12"),
        };
        let (seq, hash) = {
            let ledger = self.ledger.lock().map_err(|_| "ledger lock")?;
            ledger_append(
                &ledger,
                kind,
                &from,
                &to,
                order.amount,
                order.counter,
                &order.time,
            )?
        };
        self.t.say(
            "ledger",
            format!(
                "#{seq} {kind} {} {} → {}, hash {}…",
                cny(order.amount),
                short_party(&from),
                short_party(&to),
                &hex::encode(hash)[..16]
            ),
        );
        Ok("00")
    }
}

fn short_party(p: &str) -> String {
    if p.starts_with("dc1") {
        short(p)
    } else {
        p.to_string()
    }
}

fn code(rc: &str) -> &'static str {
    match rc {
        "51" => "51",
        "61" => "61",
        "14" => "14",
        _ => "05",
    }
}

async fn serve_switch(listener: TcpListener, sw: Arc<Switch>) -> Res<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        let sw = sw.clone();
        tokio::spawn(async move {
            let (rd, wr) = sock.into_split();
            let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
            let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
            while let Some(Ok(frame)) = rd.next().await {
                let Ok(req) = Message::unpack(spec(), &frame) else {
                    break;
                };
                let rc = match sw.process(&req).await {
                    Ok(rc) => rc,
                    Err(e) => {
                        sw.t.say("switch", format!("error: {e}"));
                        "96"
                    }
                };
                let Ok(resp) = response_to(&req, rc).and_then(|r| Ok(r.pack()?)) else {
                    break;
                };
                if wr.send(&resp[..]).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// The periodic reconciliation: the ledger's chain is verified, every wallet's balance is
/// rebuilt from it and compared with its bank's books. Returns the ledger's balances.
fn reconcile(
    sw: &Switch,
    bank_dbs: &[PathBuf],
    wallets: &[(&str, &str)],
    t: &Transcript,
) -> Res<HashMap<String, i64>> {
    let (entries, from_ledger) = ledger_verify(&*sw.ledger.lock().map_err(|_| "ledger lock")?)?;
    t.say(
        "recon",
        format!("ledger chain of {entries} entries verified"),
    );
    let mut from_banks: HashMap<String, i64> = HashMap::new();
    for path in bank_dbs {
        let db = Connection::open(path)?;
        let mut stmt = db.prepare("SELECT address, balance FROM wallets")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (a, b) = row?;
            from_banks.insert(a, b);
        }
    }
    for (who, w) in wallets {
        let (l, b) = (
            from_ledger.get(*w).copied().unwrap_or(0),
            from_banks.get(*w).copied().unwrap_or(0),
        );
        t.say(
            "recon",
            format!(
                "{who} {}: ledger {} / bank {}",
                short(w),
                cny(l as u64),
                cny(b as u64)
            ),
        );
    }
    expect(
        from_ledger == from_banks,
        "every wallet's ledger balance equals its bank's books",
    )?;
    Ok(from_ledger)
}

// ---------------------------------------------------------------------------------------------
// The phone: the wallet and its NFC applet.

struct Wallet {
    key: sm2::PrivateKey,
    address: String,
    surrogate: String,
    receipt: Vec<u8>,
    counter: u64,
    offline_spent: u64,
}

impl Wallet {
    fn sign(
        &mut self,
        code: &str,
        payee: &str,
        amount: u64,
        time: &str,
        nonce: &[u8],
    ) -> Res<(Order, Vec<u8>)> {
        self.counter += 1;
        let order = Order {
            code: code.into(),
            payer: self.address.clone(),
            payee: payee.into(),
            amount,
            counter: self.counter,
            time: time.into(),
            nonce: nonce.to_vec(),
        };
        let sig = self
            .key
            .sign(sm2::DEFAULT_ID, &order.signed_bytes()?)?
            .to_der();
        Ok((order, sig))
    }
}

/// The wallet applet: `SIGN PAYMENT` (INS 50) takes payee, amount, time, the POS nonce and
/// whether the POS is offline; answers the order fields, the signature and the receipt.
struct WalletApplet(Arc<Mutex<Wallet>>);

impl WalletApplet {
    fn sign_payment(&mut self, data: &[u8]) -> Res<Response> {
        let req = Tree::parse(data)?;
        let get = |t| req.value_of(t).ok_or("missing tag");
        let payee = std::str::from_utf8(get(T_PAYEE)?)?;
        let amount = u64::from_be_bytes(get(T_AMOUNT)?.try_into()?);
        let time = std::str::from_utf8(get(T_TIME)?)?;
        let offline = get(T_OFFLINE)? == [1];
        let mut w = self.0.lock().map_err(|_| "wallet lock")?;
        if offline && w.offline_spent + amount > OFFLINE_LIMIT {
            return Ok(Response::status(StatusWord::new(0x69, 0x85)));
        }
        let (order, sig) = w.sign(PAYMENT, payee, amount, time, get(T_NONCE)?)?;
        if offline {
            w.offline_spent += amount;
        }
        let mut out = tlv(&[
            (T_PAYER, order.payer.as_bytes()),
            (T_COUNTER, &order.counter.to_be_bytes()),
            (T_SIGNATURE, &sig),
        ])?;
        out.primitive(T_RECEIPT, &w.receipt)?;
        Ok(Response::ok(out))
    }
}

impl Application for WalletApplet {
    fn process(&mut self, command: &Command<'_>) -> Response {
        if command.ins() != INS_SIGN_PAYMENT {
            return Response::status(StatusWord::new(0x6D, 0x00));
        }
        self.sign_payment(command.data())
            .unwrap_or_else(|_| Response::status(StatusWord::new(0x6A, 0x80)))
    }
}

// ---------------------------------------------------------------------------------------------
// The shop's POS: NFC reader, offline checks, store-and-forward.

/// What a tap brings back: the signed order and the registration receipt the phone showed.
struct Tapped {
    order: Order,
    sig: Vec<u8>,
    receipt: Vec<u8>,
}

struct Pos {
    terminal: &'static str,
    payee: String,
    switch_key: sm2::PublicKey,
    saf: Connection,
    stan: u32,
}

impl Pos {
    /// Taps the phone: returns the signed order and the receipt it presented.
    fn tap(
        &mut self,
        phone: &mut Card<Router>,
        amount: u64,
        time: &str,
        offline: bool,
    ) -> Res<Result<Tapped, StatusWord>> {
        let mut nonce = vec![0; 8];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
        let sel = phone.send(&CommandBuf::select_aid(APPLET_AID))?;
        if sel.sw != StatusWord::SUCCESS {
            return Ok(Err(sel.sw));
        }
        let data = tlv(&[
            (T_PAYEE, self.payee.as_bytes()),
            (T_AMOUNT, &amount.to_be_bytes()),
            (T_TIME, time.as_bytes()),
            (T_NONCE, &nonce),
            (T_OFFLINE, &[u8::from(offline)]),
        ])?;
        let r = phone.send(
            &CommandBuf::new(0x80, INS_SIGN_PAYMENT, 0, 0)
                .data(data)
                .le(256),
        )?;
        if r.sw != StatusWord::SUCCESS {
            return Ok(Err(r.sw));
        }
        let tree = Tree::parse(&r.data)?;
        let get = |t| tree.value_of(t).ok_or("the phone's answer lacks a tag");
        let order = Order {
            code: PAYMENT.into(),
            payer: String::from_utf8(get(T_PAYER)?.to_vec())?,
            payee: self.payee.clone(),
            amount,
            counter: u64::from_be_bytes(get(T_COUNTER)?.try_into()?),
            time: time.into(),
            nonce,
        };
        Ok(Ok(Tapped {
            order,
            sig: get(T_SIGNATURE)?.to_vec(),
            receipt: get(T_RECEIPT)?.to_vec(),
        }))
    }

    /// Offline: the receipt is the switch's registration of the payer's key; the order must
    /// verify under that key. Returns the payer's surrogate.
    fn check_offline(&self, order: &Order, sig: &[u8], receipt: &[u8]) -> Res<String> {
        let tree = Tree::parse(receipt)?;
        let body = tree
            .get(T_REGISTRATION)
            .ok_or("receipt without registration")?;
        let rsig = sm2::Signature::from_der(
            tree.value_of(T_SIGNATURE)
                .ok_or("receipt without signature")?,
        )?;
        self.switch_key
            .verify(sm2::DEFAULT_ID, body.tlv().raw(), &rsig)
            .map_err(|_| "receipt not signed by the switch")?;
        let address = tree.value_of(T_PAYER).ok_or("receipt without address")?;
        if address != order.payer.as_bytes() {
            return Err("receipt of another wallet".into());
        }
        let key =
            sm2::PublicKey::from_sec1_bytes(tree.value_of(T_PUBKEY).ok_or("receipt without key")?)?;
        key.verify(
            sm2::DEFAULT_ID,
            &order.signed_bytes()?,
            &sm2::Signature::from_der(sig)?,
        )
        .map_err(|_| "payer signature does not verify")?;
        Ok(String::from_utf8(
            tree.value_of(T_SURROGATE)
                .ok_or("receipt without surrogate")?
                .to_vec(),
        )?)
    }

    fn message(
        &mut self,
        mti: &str,
        order: &Order,
        surrogate: &str,
        sig: &[u8],
    ) -> Res<Message<'static>> {
        self.stan += 1;
        order.to_message(mti, surrogate, self.stan, self.terminal, sig)
    }

    fn queue(&self, wire: &[u8]) -> Res<()> {
        self.saf
            .execute("INSERT INTO saf (wire) VALUES (?1)", [wire])?;
        Ok(())
    }

    fn queued(&self) -> Res<Vec<(i64, Vec<u8>)>> {
        let mut stmt = self.saf.prepare("SELECT id, wire FROM saf ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

// ---------------------------------------------------------------------------------------------

struct Scene {
    platform: Mux,
    stan: u32,
}

impl Scene {
    /// A wallet order sent by the wallet platform; returns the response code.
    async fn submit(
        &mut self,
        w: &mut Wallet,
        code: &str,
        payee: &str,
        amount: u64,
        time: &str,
        account: Option<&str>,
    ) -> Res<String> {
        let (order, sig) = w.sign(code, payee, amount, time, &[])?;
        self.stan += 1;
        let mut m = order.to_message("0200", &w.surrogate, self.stan, "WALLETPF", &sig)?;
        if let Some(a) = account {
            m.set(102, a)?;
        }
        rc_of(&self.platform, m).await
    }
}

/// Sends a request and returns its response code.
async fn rc_of(mux: &Mux, m: Message<'static>) -> Res<String> {
    Ok(mux.request(m).await?.text(39).unwrap_or("??").to_string())
}

/// Reports a step's response code and fails the run unless it is the expected one.
fn outcome(t: &Transcript, who: &str, what: String, rc: &str, want: &str) -> Res<()> {
    t.say(who, format!("{what}: {rc}"));
    expect(rc == want, &format!("{what}: expected {want}, got {rc}"))
}

fn mux_config() -> MuxConfig {
    MuxConfig {
        timeout: Duration::from_secs(5),
        ..MuxConfig::default()
    }
}

async fn run(t: Transcript, work: &Path) -> Res<()> {
    spec().validate()?;
    let dir = common::artefact_dir("digital_currency")?;

    // The banks and their books.
    let mut bank_addr: HashMap<&'static str, SocketAddr> = HashMap::new();
    let mut bank_dbs = Vec::new();
    for (bin, name, accounts) in [
        (BANK_A, "bank A", &[("6217000010001", 2_000_000u64)][..]),
        (BANK_B, "bank B", &[("6217000020001", 0u64)][..]),
    ] {
        let path = work.join(format!("bank-{bin}.db"));
        let db = open_bank(&path, accounts)?;
        let l = TcpListener::bind("127.0.0.1:0").await?;
        bank_addr.insert(bin, l.local_addr()?);
        tokio::spawn(bank(name, l, db, t.clone()));
        bank_dbs.push(path);
    }
    // The switch and the registry's ledger.
    let ledger_path = work.join("ledger.db");
    let mut banks = HashMap::new();
    for (bin, addr) in &bank_addr {
        banks.insert(
            *bin,
            Mux::start(
                TcpStream::connect(addr).await?,
                spec(),
                FRAMING,
                mux_config(),
            )
            .0,
        );
    }
    let sw = Arc::new(Switch {
        key: sm2::PrivateKey::random()?,
        registry: Mutex::new(HashMap::new()),
        ledger: Mutex::new(open_ledger(&ledger_path)?),
        banks,
        stan: AtomicU32::new(1),
        t: t.clone(),
    });
    let switch_l = TcpListener::bind("127.0.0.1:0").await?;
    let switch_addr = switch_l.local_addr()?;
    tokio::spawn(serve_switch(switch_l, sw.clone()));
    let platform = Mux::start(
        TcpStream::connect(switch_addr).await?,
        spec(),
        FRAMING,
        mux_config(),
    )
    .0;
    let mut scene = Scene { platform, stan: 0 };

    // 1. Account opening.
    let open = |bank: &str| -> Res<Wallet> {
        let key = sm2::PrivateKey::random()?;
        let (address, surrogate, receipt) = sw.open_account(bank, &key.public_key())?;
        Ok(Wallet {
            key,
            address,
            surrogate,
            receipt,
            counter: 0,
            offline_spent: 0,
        })
    };
    let mut alice = open(BANK_A)?;
    let shop = open(BANK_B)?;
    expect(
        alice.surrogate.len() == 19 && alice.address.len() > 19,
        "a 19-digit surrogate for an address longer than field 2",
    )?;

    // 2. Exchange in: savings → wallet; above the wallet's limit is refused.
    let rc = scene
        .submit(
            &mut alice,
            EXCHANGE_IN,
            "",
            500_000,
            "20261121090000",
            Some("6217000010001"),
        )
        .await?;
    outcome(
        &t,
        "wallet",
        format!("alice: exchange in {}", cny(500_000)),
        &rc,
        "00",
    )?;
    let rc = scene
        .submit(
            &mut alice,
            EXCHANGE_IN,
            "",
            600_000,
            "20261121090100",
            Some("6217000010001"),
        )
        .await?;
    t.say(
        "wallet",
        format!(
            "alice: exchange in {} more (limit {}): {rc}",
            cny(600_000),
            cny(WALLET_LIMIT)
        ),
    );
    expect(
        rc == "61",
        "an exchange above the wallet limit refused with 61",
    )?;

    // 3. Payment by QR: the shop's dynamic MPM QR, read back from the PNG.
    let payload = MerchantPayloadBuilder::new()
        .set(1, "12")
        .merchant_account(26, DC_GUI, &[(1, shop.address.as_str())])
        .set(52, "5411")
        .set(53, "156")
        .set(54, "88.00")
        .set(58, "CN")
        .set(59, "MPAY DEMO SHOP")
        .set(60, "SHANGHAI")
        .set_template(62, &[(5, "BILL-0001")])
        .build()?;
    let png = image::qr(&payload, EcLevel::M)?.to_png(&Render::default())?;
    std::fs::write(dir.join("shop_qr.png"), &png)?;
    t.say(
        "shop",
        format!("dynamic QR ({} characters) → shop_qr.png", payload.len()),
    );
    let read = image::decode_qr_png(&std::fs::read(dir.join("shop_qr.png"))?)?;
    let text = read.first().ok_or("no QR code in the image")?;
    let qr = MerchantPayload::parse(text)?;
    let payee = qr
        .merchant_account_by_gui(DC_GUI)
        .and_then(|a| a.sub_value(1))
        .ok_or("no wallet address in the QR")?
        .to_string();
    let amount = fen(qr.amount().ok_or("no amount in the QR")?)?;
    t.say(
        "wallet",
        format!(
            "alice: scanned {} to {} ({})",
            cny(amount),
            short(&payee),
            qr.merchant_name().unwrap_or("?")
        ),
    );
    let rc = scene
        .submit(&mut alice, PAYMENT, &payee, amount, "20261121091000", None)
        .await?;
    outcome(&t, "wallet", "alice: QR payment".into(), &rc, "00")?;

    // A tampered amount and a replayed order.
    let (order, sig) = alice.sign(PAYMENT, &payee, 1_000, "20261121091100", &[])?;
    scene.stan += 1;
    let mut forged = order.to_message("0200", &alice.surrogate, scene.stan, "WALLETPF", &sig)?;
    forged.set(4, format!("{:012}", 100))?;
    let rc = rc_of(&scene.platform, forged).await?;
    outcome(
        &t,
        "wallet",
        "a copy with the amount changed to 1.00".into(),
        &rc,
        "63",
    )?;
    scene.stan += 1;
    let genuine = order.to_message("0200", &alice.surrogate, scene.stan, "WALLETPF", &sig)?;
    let rc = rc_of(&scene.platform, genuine.clone()).await?;
    outcome(&t, "wallet", "the genuine order".into(), &rc, "00")?;
    let mut replay = genuine;
    scene.stan += 1;
    replay.set(11, format!("{:06}", scene.stan))?;
    let rc = rc_of(&scene.platform, replay).await?;
    outcome(
        &t,
        "wallet",
        "the same signed order sent again".into(),
        &rc,
        "94",
    )?;
    let rc = scene
        .submit(&mut alice, PAYMENT, &payee, 900_000, "20261121091200", None)
        .await?;
    outcome(
        &t,
        "wallet",
        format!("alice: pay {} (more than the balance)", cny(900_000)),
        &rc,
        "51",
    )?;

    reconcile(
        &sw,
        &bank_dbs,
        &[("alice", &alice.address), ("shop", &shop.address)],
        &t,
    )?;

    // 4. Payment by NFC, online.
    let alice = Arc::new(Mutex::new(alice));
    let mut router = Router::new();
    router.add_exact(APPLET_AID, Target::Host, WalletApplet(alice.clone()));
    let mut phone = Card::new(router);
    let saf = Connection::open(work.join("pos-saf.db"))?;
    saf.execute_batch("PRAGMA synchronous = FULL; CREATE TABLE IF NOT EXISTS saf (id INTEGER PRIMARY KEY, wire BLOB NOT NULL);")?;
    let mut pos = Pos {
        terminal: "DCPOS001",
        payee: shop.address.clone(),
        switch_key: sw.key.public_key(),
        saf,
        stan: 0,
    };
    let pos_link = Mux::start(
        TcpStream::connect(switch_addr).await?,
        spec(),
        FRAMING,
        mux_config(),
    )
    .0;
    let Tapped { order, sig, .. } = pos
        .tap(&mut phone, 2_550, "20261121100000", false)?
        .map_err(|sw| format!("phone refused: {sw}"))?;
    let surrogate = alice.lock().map_err(|_| "lock")?.surrogate.clone();
    let m = pos.message("0200", &order, &surrogate, &sig)?;
    t.say("pos", format!("NFC tap, online 0200: {}", m.describe()));
    let rc = rc_of(&pos_link, m).await?;
    outcome(&t, "pos", format!("NFC payment {}", cny(2_550)), &rc, "00")?;

    // 5. Delayed online: the POS loses its link; payments are checked offline and queued.
    t.say("pos", "link to the switch down: offline mode");
    for (amount, time) in [(1_200, "20261121110000"), (3_800, "20261121110500")] {
        let Tapped {
            order,
            sig,
            receipt,
        } = pos
            .tap(&mut phone, amount, time, true)?
            .map_err(|sw| format!("phone refused: {sw}"))?;
        let surrogate = pos.check_offline(&order, &sig, &receipt)?;
        let m = pos.message("0220", &order, &surrogate, &sig)?;
        pos.queue(&m.pack()?)?;
        t.say(
            "pos",
            format!(
                "offline payment {} from {} accepted (signature and registration checked), queued",
                cny(amount),
                short(&order.payer)
            ),
        );
    }
    let refused = pos.tap(&mut phone, 18_000, "20261121111000", true)?;
    t.say(
        "pos",
        format!(
            "offline payment {} (offline limit {}): {}",
            cny(18_000),
            cny(OFFLINE_LIMIT),
            refused
                .as_ref()
                .map_or_else(|sw| format!("phone refused with {sw}"), |_| "signed".into())
        ),
    );
    expect(
        matches!(refused, Err(sw) if sw == StatusWord::new(0x69, 0x85)),
        "the applet refuses above its offline limit",
    )?;
    // The same payment lands in the queue twice (a retry after a lost acknowledgement).
    let queued = pos.queued()?;
    if let Some((_, wire)) = queued.last() {
        pos.queue(wire)?;
    }
    t.say(
        "pos",
        "link restored: uploading the store-and-forward queue",
    );
    let mut results = Vec::new();
    for (id, wire) in pos.queued()? {
        let mut m = Message::unpack(spec(), &wire)?;
        pos.stan += 1;
        m.set(11, format!("{:06}", pos.stan))?;
        let rc = rc_of(&pos_link, m).await?;
        t.say("pos", format!("advice #{id}: {rc}"));
        pos.saf.execute("DELETE FROM saf WHERE id = ?1", [id])?;
        results.push(rc);
    }
    expect(
        results == ["00", "00", "94"],
        "offline payments settled once, the duplicate refused with 94",
    )?;

    // 6. Exchange out, then end-of-day reconciliation.
    drop(phone);
    let mut alice = Arc::try_unwrap(alice)
        .map_err(|_| "the applet still holds the wallet")?
        .into_inner()
        .map_err(|_| "lock")?;
    let rc = scene
        .submit(
            &mut alice,
            EXCHANGE_OUT,
            "",
            100_000,
            "20261121180000",
            Some("6217000010001"),
        )
        .await?;
    outcome(
        &t,
        "wallet",
        format!("alice: exchange out {}", cny(100_000)),
        &rc,
        "00",
    )?;

    let from_ledger = reconcile(
        &sw,
        &bank_dbs,
        &[("alice", &alice.address), ("shop", &shop.address)],
        &t,
    )?;
    expect(
        from_ledger.get(&alice.address)
            == Some(&(500_000 - 8_800 - 1_000 - 2_550 - 1_200 - 3_800 - 100_000)),
        "alice's balance",
    )?;

    // The ledger refuses edits, and a tampered copy is detected.
    let ledger = sw.ledger.lock().map_err(|_| "ledger lock")?;
    let edit = ledger.execute("UPDATE ledger SET amount = 1 WHERE seq = 2", []);
    t.say(
        "ledger",
        format!(
            "an in-place edit: {}",
            edit.as_ref()
                .map_or_else(|e| format!("refused ({e})"), |_| "accepted".into())
        ),
    );
    expect(edit.is_err(), "the ledger is append-only")?;
    let copy = dir.join("ledger.db");
    let _ = std::fs::remove_file(&copy);
    ledger.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
    drop(ledger);
    let tampered = work.join("ledger-tampered.db");
    std::fs::copy(&copy, &tampered)?;
    let db = Connection::open(&tampered)?;
    db.execute_batch(
        "DROP TRIGGER ledger_append_only; UPDATE ledger SET amount = amount + 100 WHERE seq = 3;",
    )?;
    let broken = ledger_verify(&db);
    t.say(
        "recon",
        format!(
            "a copy with entry 3 altered: {}",
            broken
                .as_ref()
                .err()
                .map_or("not detected".into(), |e| e.to_string())
        ),
    );
    expect(broken.is_err(), "a tampered ledger detected")?;
    t.say("demo", "all steps ended as expected");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let t = Transcript::default();
    let work: PathBuf =
        std::env::temp_dir().join(format!("mpay-digital-currency-{}", std::process::id()));
    let result = std::fs::create_dir_all(&work)
        .map_err(Into::into)
        .and_then(|()| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(Into::into)
        })
        .and_then(|rt| rt.block_on(run(t.clone(), &work)));
    let _ = std::fs::remove_dir_all(&work);
    common::finish("digital_currency", &t, result)
}
