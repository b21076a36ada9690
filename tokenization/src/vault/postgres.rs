//! PostgreSQL store (feature `postgres`): several stateless token servers over one database.
//!
//! Schema migrations are versioned in `mpay_token_migrations` and applied under a transaction-
//! scoped advisory lock, so servers starting together migrate once. Inserts use
//! `ON CONFLICT DO NOTHING` against the primary key (tenant, token) and the partial unique index
//! on (tenant, fingerprint) of convergent entries: concurrent servers never hand out two tokens
//! for one PAN of a convergent tenant, nor one token twice. Every insert is committed (durable)
//! before it is acknowledged.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::{Client, NoTls, Row};

use super::sqlite::{TSP_COLS, tsp_record, tsp_requestor};
use super::store::{Entry, Insert, TokenStore};
use crate::error::{Error, Result};
use crate::payment::{TokenRequestor, TokenState, TspRecord, TspStore};

fn err(e: impl core::fmt::Display) -> Error {
    Error::Store {
        store: "postgres",
        message: e.to_string(),
    }
}

/// Schema migrations, applied in order; never edit a released one, append.
pub const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        "CREATE TABLE mpay_tokens (
            tenant TEXT NOT NULL,
            token TEXT NOT NULL,
            fingerprint BYTEA NOT NULL,
            convergent BOOLEAN NOT NULL,
            key_version INTEGER NOT NULL,
            sealed BYTEA NOT NULL,
            metadata TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            PRIMARY KEY (tenant, token)
        );
        CREATE UNIQUE INDEX mpay_tokens_convergent ON mpay_tokens (tenant, fingerprint) WHERE convergent;",
    ),
    (
        2,
        "CREATE INDEX mpay_tokens_expiry ON mpay_tokens (expires_at) WHERE expires_at IS NOT NULL;
        CREATE INDEX mpay_tokens_version ON mpay_tokens (key_version);",
    ),
    (
        3,
        "CREATE TABLE mpay_tsp_requestors (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            range_low TEXT NOT NULL,
            range_high TEXT NOT NULL,
            token_length BIGINT NOT NULL
        );
        CREATE TABLE mpay_tsp_tokens (
            token TEXT PRIMARY KEY,
            requestor TEXT NOT NULL,
            par TEXT NOT NULL,
            assurance BIGINT NOT NULL,
            state TEXT NOT NULL,
            domain TEXT NOT NULL,
            key_version BIGINT NOT NULL,
            sealed BYTEA NOT NULL
        );
        CREATE INDEX mpay_tsp_tokens_par ON mpay_tsp_tokens (par);",
    ),
];

/// Advisory lock key serializing migrations ("mpaytok" in ASCII).
const MIGRATION_LOCK: i64 = 0x006d_7061_7974_6f6b;

const COLS: &str =
    "tenant, token, fingerprint, convergent, key_version, sealed, metadata, created_at, expires_at";

fn entry(r: &Row) -> Entry {
    let fp: Vec<u8> = r.get(2);
    let mut fingerprint = [0u8; 32];
    if fp.len() == 32 {
        fingerprint.copy_from_slice(&fp);
    }
    Entry {
        tenant: r.get(0),
        token: r.get(1),
        fingerprint,
        convergent: r.get(3),
        key_version: r.get::<_, i32>(4) as u32,
        sealed: r.get(5),
        metadata: r.get(6),
        created_at: r.get::<_, i64>(7) as u64,
        expires_at: r.get::<_, Option<i64>>(8).map(|v| v as u64),
    }
}

/// PostgreSQL-backed [`TokenStore`] with a small connection pool.
pub struct PgStore {
    pool: Vec<Mutex<Client>>,
    next: AtomicUsize,
}

impl PgStore {
    /// Connects `connections` clients (1..=64) to `url` (e.g.
    /// `postgresql://postgres@127.0.0.1:5432/postgres`) and applies pending migrations.
    pub fn connect(url: &str, connections: usize) -> Result<Self> {
        let mut pool = Vec::new();
        for _ in 0..connections.clamp(1, 64) {
            pool.push(Client::connect(url, NoTls).map_err(err)?);
        }
        migrate(&mut pool[0])?;
        Ok(PgStore {
            pool: pool.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        })
    }

    /// The schema version now in the database.
    pub fn schema_version(&self) -> Result<i32> {
        self.with(|c| {
            c.query_one(
                "SELECT COALESCE(MAX(version), 0) FROM mpay_token_migrations",
                &[],
            )
            .map(|r| r.get(0))
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        let n = self.pool.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        // Take a free connection if there is one, else wait for ours.
        for k in 0..n {
            if let Ok(mut c) = self.pool[(start + k) % n].try_lock() {
                return f(&mut c).map_err(err);
            }
        }
        let mut c = self.pool[start % n].lock().map_err(err)?;
        f(&mut c).map_err(err)
    }
}

fn migrate(c: &mut Client) -> Result<()> {
    let mut tx = c.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS mpay_token_migrations (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .map_err(err)?;
    let have: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM mpay_token_migrations",
            &[],
        )
        .map_err(err)?
        .get(0);
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
        tx.batch_execute(sql).map_err(err)?;
        tx.execute(
            "INSERT INTO mpay_token_migrations (version) VALUES ($1)",
            &[v],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

fn insert_one(
    tx: &mut postgres::Transaction<'_>,
    e: &Entry,
) -> std::result::Result<Insert, postgres::Error> {
    let fp: &[u8] = &e.fingerprint;
    let created = e.created_at as i64;
    if e.convergent {
        tx.execute(
            "DELETE FROM mpay_tokens WHERE tenant = $1 AND fingerprint = $2 AND convergent \
             AND expires_at IS NOT NULL AND expires_at <= $3",
            &[&e.tenant, &fp, &created],
        )?;
    }
    let n = tx.execute(
        &format!(
            "INSERT INTO mpay_tokens ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
        ),
        &[
            &e.tenant,
            &e.token,
            &fp,
            &e.convergent,
            &(e.key_version as i32),
            &e.sealed,
            &e.metadata,
            &created,
            &e.expires_at.map(|v| v as i64),
        ],
    )?;
    if n == 1 {
        return Ok(Insert::Inserted);
    }
    if e.convergent {
        let r = tx.query_opt(
            &format!("SELECT {COLS} FROM mpay_tokens WHERE tenant = $1 AND fingerprint = $2 AND convergent"),
            &[&e.tenant, &fp],
        )?;
        if let Some(r) = r {
            return Ok(Insert::Existing(entry(&r)));
        }
    }
    Ok(Insert::TokenTaken)
}

impl TokenStore for PgStore {
    fn insert(&self, e: &Entry) -> Result<Insert> {
        let mut v = self.insert_batch(core::slice::from_ref(e))?;
        v.pop().ok_or_else(|| err("empty result"))
    }

    fn insert_batch(&self, es: &[Entry]) -> Result<Vec<Insert>> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let mut out = Vec::with_capacity(es.len());
            for e in es {
                out.push(insert_one(&mut tx, e)?);
            }
            tx.commit()?;
            Ok(out)
        })
    }

    fn get(&self, tenant: &str, token: &str) -> Result<Option<Entry>> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {COLS} FROM mpay_tokens WHERE tenant = $1 AND token = $2"),
                &[&tenant, &token],
            )
            .map(|r| r.as_ref().map(entry))
        })
    }

    fn find_convergent(&self, tenant: &str, fingerprint: &[u8; 32]) -> Result<Option<Entry>> {
        let fp: &[u8] = fingerprint;
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {COLS} FROM mpay_tokens WHERE tenant = $1 AND fingerprint = $2 AND convergent"),
                &[&tenant, &fp],
            )
            .map(|r| r.as_ref().map(entry))
        })
    }

    fn delete(&self, tenant: &str, token: &str) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "DELETE FROM mpay_tokens WHERE tenant = $1 AND token = $2",
                &[&tenant, &token],
            )
            .map(|n| n == 1)
        })
    }

    fn set_metadata(&self, tenant: &str, token: &str, metadata: Option<&str>) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE mpay_tokens SET metadata = $3 WHERE tenant = $1 AND token = $2",
                &[&tenant, &token, &metadata],
            )
            .map(|n| n == 1)
        })
    }

    fn sealed_below(&self, version: u32, limit: usize) -> Result<Vec<Entry>> {
        let lim = limit.min(i64::MAX as usize) as i64;
        self.with(|c| {
            c.query(
                &format!("SELECT {COLS} FROM mpay_tokens WHERE key_version < $1 LIMIT $2"),
                &[&(version as i32), &lim],
            )
            .map(|rows| rows.iter().map(entry).collect())
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
        self.with(|c| {
            c.execute(
                "UPDATE mpay_tokens SET key_version = $4, sealed = $5 \
                 WHERE tenant = $1 AND token = $2 AND key_version = $3",
                &[
                    &tenant,
                    &token,
                    &(old_version as i32),
                    &(new_version as i32),
                    &sealed,
                ],
            )
            .map(|n| n == 1)
        })
    }

    fn tidy(&self, now: u64) -> Result<u64> {
        self.with(|c| {
            c.execute(
                "DELETE FROM mpay_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1",
                &[&(now as i64)],
            )
        })
    }

    fn count(&self) -> Result<u64> {
        self.with(|c| {
            c.query_one("SELECT COUNT(*) FROM mpay_tokens", &[])
                .map(|r| r.get::<_, i64>(0) as u64)
        })
    }
}

fn tsp_row(r: &Row) -> Result<TspRecord> {
    tsp_record((
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    ))
}

impl TspStore for PgStore {
    fn add_requestor(&self, r: &TokenRequestor) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "INSERT INTO mpay_tsp_requestors (id, name, range_low, range_high, token_length) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[
                    &r.id,
                    &r.name,
                    &r.range.low(),
                    &r.range.high(),
                    &(r.range.length() as i64),
                ],
            )
            .map(|n| n == 1)
        })
    }

    fn requestor(&self, id: &str) -> Result<Option<TokenRequestor>> {
        self.with(|c| {
            c.query_opt(
                "SELECT id, name, range_low, range_high, token_length FROM mpay_tsp_requestors WHERE id = $1",
                &[&id],
            )
        })?
        .map(|r| tsp_requestor((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
        .transpose()
    }

    fn insert_token(&self, r: &TspRecord) -> Result<bool> {
        self.with(|c| {
            c.execute(
                &format!(
                    "INSERT INTO mpay_tsp_tokens ({TSP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT DO NOTHING"
                ),
                &[
                    &r.token,
                    &r.requestor,
                    &r.par,
                    &i64::from(r.assurance),
                    &r.state.name(),
                    &r.domain.to_record(),
                    &i64::from(r.key_version),
                    &r.sealed,
                ],
            )
            .map(|n| n == 1)
        })
    }

    fn token(&self, token: &str) -> Result<Option<TspRecord>> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {TSP_COLS} FROM mpay_tsp_tokens WHERE token = $1"),
                &[&token],
            )
        })?
        .map(|r| tsp_row(&r))
        .transpose()
    }

    fn update_token(
        &self,
        token: &str,
        expected: (TokenState, u8),
        new: (TokenState, u8),
    ) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE mpay_tsp_tokens SET state = $4, assurance = $5 \
                 WHERE token = $1 AND state = $2 AND assurance = $3",
                &[
                    &token,
                    &expected.0.name(),
                    &i64::from(expected.1),
                    &new.0.name(),
                    &i64::from(new.1),
                ],
            )
            .map(|n| n == 1)
        })
    }

    fn tokens_with_par(&self, par: &str) -> Result<Vec<TspRecord>> {
        self.with(|c| {
            c.query(
                &format!("SELECT {TSP_COLS} FROM mpay_tsp_tokens WHERE par = $1"),
                &[&par],
            )
        })?
        .iter()
        .map(tsp_row)
        .collect()
    }
}
