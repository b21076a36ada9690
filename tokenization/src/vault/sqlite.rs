//! SQLite store: the embedded default. WAL journal, `synchronous=FULL`, one writer thread that
//! commits whatever requests are waiting in one transaction (group commit) and answers each only
//! after the commit, so an acknowledged tokenization survives `kill -9` and power loss.
//!
//! Durability: with `synchronous=FULL` in WAL mode every COMMIT fsyncs the WAL before it
//! returns, and the writer answers only after COMMIT returned, so an acknowledged entry is on
//! stable storage (not only in the OS page cache: `NORMAL` would survive `kill -9` but could
//! lose the last transactions on power loss, which for a vault means tokens that callers
//! already stored and can never detokenize).
//!
//! Throughput: random tokens scatter the writes of the token index over its pages, so a
//! transaction dirties about one index page per new entry and the WAL receives those pages at
//! every commit. Merging many requests per transaction amortizes both the fsync and the pages
//! (several entries land on one page); a large checkpoint threshold ([`CHECKPOINT_PAGES`])
//! lets a page rewritten by many transactions reach the database file once per checkpoint
//! instead of once per transaction, and the statements (savepoints included) are prepared once
//! and cached.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, params};

use super::store::{Entry, Insert, TokenStore};
use crate::error::{Error, Result};
use crate::payment::{TokenBinRange, TokenRequestor, TokenState, TspRecord, TspStore};

fn err(e: impl core::fmt::Display) -> Error {
    Error::Store {
        store: "sqlite",
        message: e.to_string(),
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS mpay_tokens (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    token TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    convergent INTEGER NOT NULL,
    key_version INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    metadata TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    UNIQUE (tenant, token)
);
CREATE UNIQUE INDEX IF NOT EXISTS mpay_tokens_convergent
    ON mpay_tokens (tenant, fingerprint) WHERE convergent = 1;
CREATE INDEX IF NOT EXISTS mpay_tokens_expiry ON mpay_tokens (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS mpay_tokens_version ON mpay_tokens (key_version);
CREATE TABLE IF NOT EXISTS mpay_tsp_requestors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    range_low TEXT NOT NULL,
    range_high TEXT NOT NULL,
    token_length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mpay_tsp_tokens (
    token TEXT PRIMARY KEY,
    requestor TEXT NOT NULL,
    par TEXT NOT NULL,
    assurance INTEGER NOT NULL,
    state TEXT NOT NULL,
    domain TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS mpay_tsp_tokens_par ON mpay_tsp_tokens (par);
PRAGMA user_version = 2;
";

enum Op {
    Insert(Vec<Entry>),
    Delete(String, String),
    Metadata(String, String, Option<String>),
    Reseal(String, String, u32, u32, Vec<u8>),
    Tidy(u64),
    TspRequestor(TokenRequestor),
    TspInsert(TspRecord),
    TspUpdate(String, (TokenState, u8), (TokenState, u8)),
}

enum Done {
    Inserts(Vec<Insert>),
    Flag(bool),
    Count(u64),
}

type Job = (Op, SyncSender<Result<Done>>);

/// SQLite-backed [`TokenStore`].
pub struct SqliteStore {
    tx: Mutex<Option<Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

/// WAL pages (4 KiB) after which a commit checkpoints the WAL into the database file: 10,000
/// pages = 40 MiB. SQLite's default (1,000) checkpoints nearly every large group commit, writing
/// and fsyncing the same hot index pages to the database file again and again; much larger
/// thresholds slow readers (longer WAL index) and recovery.
pub const CHECKPOINT_PAGES: u32 = 10_000;

fn open(path: &Path) -> Result<Connection> {
    let c = Connection::open(path).map_err(err)?;
    c.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(err)?;
    c.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
    c.pragma_update(None, "synchronous", "FULL").map_err(err)?;
    // 64 MiB page cache: random tokens scatter index writes.
    c.pragma_update(None, "cache_size", -65536).map_err(err)?;
    // Statement journals (if any) in memory, never in a temporary file.
    c.pragma_update(None, "temp_store", "MEMORY").map_err(err)?;
    c.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)
        .map_err(err)?;
    // After a checkpoint, truncate the WAL file back to at most 64 MiB.
    c.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)
        .map_err(err)?;
    Ok(c)
}

macro_rules! cols {
    () => {
        "tenant, token, fingerprint, convergent, key_version, sealed, metadata, created_at, expires_at"
    };
}

const SELECT_TOKEN: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM mpay_tokens WHERE tenant = ?1 AND token = ?2"
);
const SELECT_CONVERGENT: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM mpay_tokens WHERE tenant = ?1 AND fingerprint = ?2 AND convergent = 1"
);
const SELECT_BELOW: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM mpay_tokens WHERE key_version < ?1 LIMIT ?2"
);
const INSERT: &str = concat!(
    "INSERT INTO mpay_tokens (",
    cols!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING"
);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let fp: Vec<u8> = r.get(2)?;
    let mut fingerprint = [0u8; 32];
    if fp.len() == 32 {
        fingerprint.copy_from_slice(&fp);
    }
    Ok(Entry {
        tenant: r.get(0)?,
        token: r.get(1)?,
        fingerprint,
        convergent: r.get::<_, i64>(3)? != 0,
        key_version: r.get::<_, i64>(4)? as u32,
        sealed: r.get(5)?,
        metadata: r.get(6)?,
        created_at: r.get::<_, i64>(7)? as u64,
        expires_at: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
    })
}

fn insert_one(c: &Connection, e: &Entry) -> rusqlite::Result<Insert> {
    if e.convergent {
        c.prepare_cached(
            "DELETE FROM mpay_tokens WHERE tenant = ?1 AND fingerprint = ?2 AND convergent = 1 \
             AND expires_at IS NOT NULL AND expires_at <= ?3",
        )?
        .execute(params![e.tenant, &e.fingerprint[..], e.created_at as i64])?;
        let existing = c
            .prepare_cached(SELECT_CONVERGENT)?
            .query_row(params![e.tenant, &e.fingerprint[..]], row)
            .optional()?;
        if let Some(x) = existing {
            return Ok(Insert::Existing(x));
        }
    }
    let n = c.prepare_cached(INSERT)?.execute(params![
        e.tenant,
        e.token,
        &e.fingerprint[..],
        i64::from(e.convergent),
        i64::from(e.key_version),
        e.sealed,
        e.metadata,
        e.created_at as i64,
        e.expires_at.map(|v| v as i64)
    ])?;
    Ok(if n == 1 {
        Insert::Inserted
    } else {
        Insert::TokenTaken
    })
}

fn apply(c: &Connection, op: &Op) -> rusqlite::Result<Done> {
    Ok(match op {
        Op::Insert(es) => Done::Inserts(es.iter().map(|e| insert_one(c, e)).collect::<rusqlite::Result<_>>()?),
        Op::Delete(t, k) => Done::Flag(c.execute("DELETE FROM mpay_tokens WHERE tenant = ?1 AND token = ?2", params![t, k])? == 1),
        Op::Metadata(t, k, m) => Done::Flag(
            c.execute("UPDATE mpay_tokens SET metadata = ?3 WHERE tenant = ?1 AND token = ?2", params![t, k, m])? == 1,
        ),
        Op::Reseal(t, k, old, new, sealed) => Done::Flag(
            c.execute(
                "UPDATE mpay_tokens SET key_version = ?4, sealed = ?5 WHERE tenant = ?1 AND token = ?2 AND key_version = ?3",
                params![t, k, i64::from(*old), i64::from(*new), sealed],
            )? == 1,
        ),
        Op::Tidy(now) => Done::Count(c.execute(
            "DELETE FROM mpay_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?1",
            params![*now as i64],
        )? as u64),
        Op::TspRequestor(r) => Done::Flag(
            c.prepare_cached(
                "INSERT INTO mpay_tsp_requestors (id, name, range_low, range_high, token_length) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![r.id, r.name, r.range.low(), r.range.high(), r.range.length() as i64])?
                == 1,
        ),
        Op::TspInsert(r) => Done::Flag(
            c.prepare_cached(
                "INSERT INTO mpay_tsp_tokens (token, requestor, par, assurance, state, domain, key_version, sealed) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                r.token,
                r.requestor,
                r.par,
                i64::from(r.assurance),
                r.state.name(),
                r.domain.to_record(),
                i64::from(r.key_version),
                r.sealed
            ])? == 1,
        ),
        Op::TspUpdate(t, (s0, a0), (s1, a1)) => Done::Flag(
            c.prepare_cached(
                "UPDATE mpay_tsp_tokens SET state = ?4, assurance = ?5 \
                 WHERE token = ?1 AND state = ?2 AND assurance = ?3",
            )?
            .execute(params![t, s0.name(), i64::from(*a0), s1.name(), i64::from(*a1)])?
                == 1,
        ),
    })
}

/// Runs a parameterless statement through the statement cache (no re-parse per request).
fn run(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(drop)
}

/// Most requests merged into one transaction.
const GROUP: usize = 4096;

/// Runs `ops` in one transaction and commits; on any error nothing is committed.
fn transaction<'a>(
    c: &Connection,
    ops: impl Iterator<Item = &'a Op>,
) -> rusqlite::Result<Vec<Done>> {
    run(c, "BEGIN IMMEDIATE")?;
    let done = ops
        .map(|op| apply(c, op))
        .collect::<rusqlite::Result<Vec<_>>>()
        .and_then(|d| run(c, "COMMIT").map(|()| d));
    if done.is_err() {
        let _ = run(c, "ROLLBACK");
    }
    done
}

fn writer(c: Connection, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        // The whole group in one transaction, without per-request savepoints: a savepoint makes
        // SQLite copy every page it dirties into a sub-journal, which doubled the writes.
        match transaction(&c, jobs.iter().map(|(op, _)| op)) {
            Ok(done) => {
                for ((_, reply), d) in jobs.into_iter().zip(done) {
                    let _ = reply.send(Ok(d));
                }
            }
            // Rare (I/O errors, a full disk): nothing was committed; run each request alone so
            // that a failing one fails alone.
            Err(_) if jobs.len() > 1 => {
                for (op, reply) in jobs {
                    let r = transaction(&c, core::iter::once(&op)).map_err(err);
                    let _ =
                        reply.send(r.and_then(|mut d| d.pop().ok_or_else(|| err("empty result"))));
                }
            }
            Err(e) => {
                for (_, reply) in jobs {
                    let _ = reply.send(Err(err(&e)));
                }
            }
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`; `readers` read connections (1..=16).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, 4)
    }

    /// Like [`SqliteStore::open`] with a chosen number of read connections.
    pub fn open_with(path: impl AsRef<Path>, readers: usize) -> Result<Self> {
        let path = path.as_ref();
        let w = open(path)?;
        w.execute_batch(SCHEMA).map_err(err)?;
        let readers = (0..readers.clamp(1, 16))
            .map(|_| open(path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        let (tx, rx) = channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("mpay-sqlite-writer".into())
            .spawn(move || writer(w, rx))
            .map_err(err)?;
        Ok(SqliteStore {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(handle)),
            readers,
            next: AtomicUsize::new(0),
        })
    }

    fn submit(&self, op: Op) -> Result<Done> {
        let (rtx, rrx) = sync_channel(1);
        {
            let g = self.tx.lock().map_err(err)?;
            let tx = g.as_ref().ok_or_else(|| err("store closed"))?;
            tx.send((op, rtx))
                .map_err(|_| err("writer thread stopped"))?;
        }
        rrx.recv().map_err(|_| err("writer thread stopped"))?
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let c = self.readers[i].lock().map_err(err)?;
        f(&c).map_err(err)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
        if let Ok(mut h) = self.writer.lock()
            && let Some(h) = h.take()
        {
            let _ = h.join();
        }
    }
}

impl TokenStore for SqliteStore {
    fn insert(&self, e: &Entry) -> Result<Insert> {
        let mut v = self.insert_batch(core::slice::from_ref(e))?;
        v.pop().ok_or_else(|| err("empty result"))
    }

    fn insert_batch(&self, es: &[Entry]) -> Result<Vec<Insert>> {
        match self.submit(Op::Insert(es.to_vec()))? {
            Done::Inserts(v) => Ok(v),
            _ => Err(err("unexpected writer result")),
        }
    }

    fn get(&self, tenant: &str, token: &str) -> Result<Option<Entry>> {
        self.read(|c| {
            c.prepare_cached(SELECT_TOKEN)?
                .query_row(params![tenant, token], row)
                .optional()
        })
    }

    fn find_convergent(&self, tenant: &str, fingerprint: &[u8; 32]) -> Result<Option<Entry>> {
        self.read(|c| {
            c.prepare_cached(SELECT_CONVERGENT)?
                .query_row(params![tenant, &fingerprint[..]], row)
                .optional()
        })
    }

    fn delete(&self, tenant: &str, token: &str) -> Result<bool> {
        self.flag(Op::Delete(tenant.into(), token.into()))
    }

    fn set_metadata(&self, tenant: &str, token: &str, metadata: Option<&str>) -> Result<bool> {
        self.flag(Op::Metadata(
            tenant.into(),
            token.into(),
            metadata.map(str::to_string),
        ))
    }

    fn sealed_below(&self, version: u32, limit: usize) -> Result<Vec<Entry>> {
        self.read(|c| {
            let mut s = c.prepare_cached(SELECT_BELOW)?;
            s.query_map(
                params![i64::from(version), limit.min(i64::MAX as usize) as i64],
                row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
    }

    fn reseal(
        &self,
        tenant: &str,
        token: &str,
        old_version: u32,
        new_version: u32,
        sealed: &[u8],
    ) -> Result<bool> {
        self.flag(Op::Reseal(
            tenant.into(),
            token.into(),
            old_version,
            new_version,
            sealed.to_vec(),
        ))
    }

    fn tidy(&self, now: u64) -> Result<u64> {
        match self.submit(Op::Tidy(now))? {
            Done::Count(n) => Ok(n),
            _ => Err(err("unexpected writer result")),
        }
    }

    fn count(&self) -> Result<u64> {
        self.read(|c| {
            c.query_row("SELECT COUNT(*) FROM mpay_tokens", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map(|n| n as u64)
    }
}

/// Columns of `mpay_tsp_tokens` in the order [`tsp_record`] takes them (both stores).
pub(crate) const TSP_COLS: &str =
    "token, requestor, par, assurance, state, domain, key_version, sealed";

/// A TSP token row as read, before its text fields are parsed.
type TspRow = (String, String, String, i64, String, String, i64, Vec<u8>);

fn tsp_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TspRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

/// A stored TSP row → record; the shared decoding of the SQLite and PostgreSQL stores.
pub(crate) fn tsp_record(row: TspRow) -> Result<TspRecord> {
    let (token, requestor, par, assurance, state, domain, key_version, sealed) = row;
    Ok(TspRecord {
        token,
        requestor,
        par,
        assurance: u8::try_from(assurance).map_err(|_| Error::Integrity {
            what: "stored assurance level",
        })?,
        state: TokenState::from_name(&state)?,
        domain: crate::payment::DomainControls::from_record(&domain)?,
        key_version: u32::try_from(key_version).map_err(|_| Error::Integrity {
            what: "stored key version",
        })?,
        sealed,
    })
}

/// A stored requestor row → requestor (re-validated).
pub(crate) fn tsp_requestor(
    (id, name, low, high, length): (String, String, String, String, i64),
) -> Result<TokenRequestor> {
    let length = usize::try_from(length).map_err(|_| Error::Integrity {
        what: "stored token length",
    })?;
    TokenRequestor::new(&id, &name, TokenBinRange::new(&low, &high, length)?)
}

impl SqliteStore {
    fn flag(&self, op: Op) -> Result<bool> {
        match self.submit(op)? {
            Done::Flag(b) => Ok(b),
            _ => Err(err("unexpected writer result")),
        }
    }
}

impl TspStore for SqliteStore {
    fn add_requestor(&self, r: &TokenRequestor) -> Result<bool> {
        self.flag(Op::TspRequestor(r.clone()))
    }

    fn requestor(&self, id: &str) -> Result<Option<TokenRequestor>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT id, name, range_low, range_high, token_length FROM mpay_tsp_requestors WHERE id = ?1",
            )?
            .query_row(params![id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()
        })?
        .map(tsp_requestor)
        .transpose()
    }

    fn insert_token(&self, r: &TspRecord) -> Result<bool> {
        self.flag(Op::TspInsert(r.clone()))
    }

    fn token(&self, token: &str) -> Result<Option<TspRecord>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {TSP_COLS} FROM mpay_tsp_tokens WHERE token = ?1"
            ))?
            .query_row(params![token], tsp_row)
            .optional()
        })?
        .map(tsp_record)
        .transpose()
    }

    fn update_token(
        &self,
        token: &str,
        expected: (TokenState, u8),
        new: (TokenState, u8),
    ) -> Result<bool> {
        self.flag(Op::TspUpdate(token.into(), expected, new))
    }

    fn tokens_with_par(&self, par: &str) -> Result<Vec<TspRecord>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {TSP_COLS} FROM mpay_tsp_tokens WHERE par = ?1"
            ))?
            .query_map(params![par], tsp_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .into_iter()
        .map(tsp_record)
        .collect()
    }
}
