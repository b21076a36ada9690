//! Replay protection (RFC 6238 §5.2): a code is accepted at most once.
//!
//! A [`ReplayGuard`] remembers, per credential, the last step (or counter) accepted, and accepts
//! a new one only if it is strictly greater — in one atomic check-and-store. Consuming step `n`
//! therefore refuses `n` again and every step before it, which also stops a sniffed older code
//! from being spent after a newer one.
//!
//! ```
//! use mpay_otp::replay::{MemoryReplayGuard, ReplayGuard};
//! let guard = MemoryReplayGuard::new();
//! assert!(guard.check_and_store("alice", 100)?);
//! assert!(!guard.check_and_store("alice", 100)?); // replay
//! assert!(!guard.check_and_store("alice", 99)?);  // older step after a newer one
//! assert!(guard.check_and_store("alice", 101)?);
//! # Ok::<(), mpay_otp::Error>(())
//! ```

use crate::{Match, Result};

/// Atomic "accept once" store of the last accepted step per credential.
pub trait ReplayGuard {
    /// If `step` is greater than the last step accepted for `credential` (or none was), stores
    /// it and returns `true`; otherwise leaves the store unchanged and returns `false`. The
    /// check and the store happen atomically with respect to every other caller of the store.
    fn check_and_store(&self, credential: &str, step: u64) -> Result<bool>;

    /// The last step accepted for `credential`, if any.
    fn last_step(&self, credential: &str) -> Result<Option<u64>>;

    /// Consumes a verification result: `Some(m)` only if `m` was not used before.
    fn consume(&self, credential: &str, m: Option<Match>) -> Result<Option<Match>> {
        match m {
            Some(m) if self.check_and_store(credential, m.value())? => Ok(Some(m)),
            _ => Ok(None),
        }
    }
}

#[cfg(feature = "std")]
pub use memory::MemoryReplayGuard;

#[cfg(feature = "std")]
mod memory {
    use super::ReplayGuard;
    use crate::Result;
    use std::collections::HashMap;
    use std::string::String;
    use std::sync::Mutex;

    /// A [`ReplayGuard`] in process memory (a mutex around a map).
    #[derive(Debug, Default)]
    pub struct MemoryReplayGuard {
        last: Mutex<HashMap<String, u64>>,
    }

    impl MemoryReplayGuard {
        /// An empty guard.
        pub fn new() -> Self {
            Self::default()
        }

        fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
            // A panic while holding the lock cannot leave the map inconsistent (single insert).
            self.last.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    impl ReplayGuard for MemoryReplayGuard {
        fn check_and_store(&self, credential: &str, step: u64) -> Result<bool> {
            let mut map = self.map();
            match map.get_mut(credential) {
                Some(last) if *last >= step => Ok(false),
                Some(last) => {
                    *last = step;
                    Ok(true)
                }
                None => {
                    map.insert(String::from(credential), step);
                    Ok(true)
                }
            }
        }

        fn last_step(&self, credential: &str) -> Result<Option<u64>> {
            Ok(self.map().get(credential).copied())
        }
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteReplayGuard;

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::ReplayGuard;
    use crate::{Error, Result};
    use rusqlite::{Connection, OptionalExtension, params};
    use std::string::ToString;
    use std::sync::Mutex;

    /// A [`ReplayGuard`] in a SQLite table `otp_replay(credential TEXT PRIMARY KEY, last_step
    /// INTEGER)`. The check and the store are one `INSERT … ON CONFLICT DO UPDATE … WHERE
    /// last_step < excluded.last_step` statement, atomic across threads *and* processes sharing
    /// the database file (steps are stored as signed 64-bit integers: steps ≥ 2^63 are refused).
    ///
    /// ```
    /// use mpay_otp::replay::{ReplayGuard, SqliteReplayGuard};
    /// let guard = SqliteReplayGuard::open_in_memory()?;
    /// assert!(guard.check_and_store("card-1", 7)?);
    /// assert!(!guard.check_and_store("card-1", 7)?);
    /// # Ok::<(), mpay_otp::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct SqliteReplayGuard {
        conn: Mutex<Connection>,
    }

    fn store_err(e: rusqlite::Error) -> Error {
        Error::Store(e.to_string())
    }

    impl SqliteReplayGuard {
        /// Opens (and creates if needed) the database at `path`.
        pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self> {
            Self::from_connection(Connection::open(path).map_err(store_err)?)
        }

        /// A private in-memory database.
        pub fn open_in_memory() -> Result<Self> {
            Self::from_connection(Connection::open_in_memory().map_err(store_err)?)
        }

        /// Uses an open connection (creates the table if missing).
        pub fn from_connection(conn: Connection) -> Result<Self> {
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(store_err)?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS otp_replay (
                     credential TEXT PRIMARY KEY NOT NULL,
                     last_step INTEGER NOT NULL
                 );",
            )
            .map_err(store_err)?;
            Ok(SqliteReplayGuard {
                conn: Mutex::new(conn),
            })
        }
    }

    impl ReplayGuard for SqliteReplayGuard {
        fn check_and_store(&self, credential: &str, step: u64) -> Result<bool> {
            let Ok(step) = i64::try_from(step) else {
                return Ok(false);
            };
            let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            let changed = conn
                .prepare_cached(
                    "INSERT INTO otp_replay (credential, last_step) VALUES (?1, ?2)
                     ON CONFLICT(credential) DO UPDATE SET last_step = excluded.last_step
                     WHERE otp_replay.last_step < excluded.last_step",
                )
                .and_then(|mut st| st.execute(params![credential, step]))
                .map_err(store_err)?;
            Ok(changed == 1)
        }

        fn last_step(&self, credential: &str) -> Result<Option<u64>> {
            let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            let v: Option<i64> = conn
                .query_row(
                    "SELECT last_step FROM otp_replay WHERE credential = ?1",
                    params![credential],
                    |r| r.get(0),
                )
                .optional()
                .map_err(store_err)?;
            Ok(v.and_then(|v| u64::try_from(v).ok()))
        }
    }
}
