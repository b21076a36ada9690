//! Counter stores: the phone's monotonic counter ([`CounterStore`]) and the counters a POS or
//! a bank has seen per phone certificate ([`SeenCounters`]), in memory, in a file (phone) and
//! in SQLite (feature `sqlite`). The durable stores make each update durable (fsync) before
//! returning.

use crate::error::Refusal;
use crate::{Error, Result};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// The phone's transaction counter.
pub trait CounterStore {
    /// Increments the counter, makes the new value durable, and returns it. Never returns the
    /// same value twice, even across restarts.
    fn next(&mut self) -> Result<u64>;
    /// The last value returned by [`CounterStore::next`] (0 before the first).
    fn current(&self) -> Result<u64>;
}

/// Largest counter value: the SQLite stores keep counters as signed 64-bit integers.
pub const MAX_COUNTER: u64 = i64::MAX as u64;

fn increment(v: u64) -> Result<u64> {
    match v.checked_add(1) {
        Some(n) if n <= MAX_COUNTER => Ok(n),
        _ => Err(Error::Refused(Refusal::CounterExhausted)),
    }
}

/// A counter in memory (tests; a device that keeps it elsewhere).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryCounter(u64);

impl MemoryCounter {
    /// A counter whose last value was `value`.
    pub fn new(value: u64) -> Self {
        MemoryCounter(value)
    }
}

impl CounterStore for MemoryCounter {
    fn next(&mut self) -> Result<u64> {
        self.0 = increment(self.0)?;
        Ok(self.0)
    }

    fn current(&self) -> Result<u64> {
        Ok(self.0)
    }
}

/// What a POS (or the bank) has seen: the last counter per phone certificate.
pub trait SeenCounters {
    /// Refuses with [`Refusal::CounterNotIncreasing`] when `counter` is not above the last one
    /// recorded for `key_id` (the phone certificate's key identifier), else records it durably.
    fn check_and_record(&mut self, key_id: &[u8], counter: u64) -> Result<()>;
    /// The last counter recorded for `key_id`.
    fn last(&self, key_id: &[u8]) -> Result<Option<u64>>;
}

/// [`SeenCounters`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemorySeenCounters(BTreeMap<Vec<u8>, u64>);

impl SeenCounters for MemorySeenCounters {
    fn check_and_record(&mut self, key_id: &[u8], counter: u64) -> Result<()> {
        if let Some(&last) = self.0.get(key_id)
            && counter <= last
        {
            return Err(Error::Refused(Refusal::CounterNotIncreasing {
                last,
                got: counter,
            }));
        }
        self.0.insert(key_id.to_vec(), counter);
        Ok(())
    }

    fn last(&self, key_id: &[u8]) -> Result<Option<u64>> {
        Ok(self.0.get(key_id).copied())
    }
}

#[cfg(feature = "std")]
mod file {
    use super::*;
    use std::fs::{File, OpenOptions};
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};

    fn io(what: &'static str) -> impl Fn(std::io::Error) -> Error {
        move |e| Error::Store {
            what,
            detail: e.to_string(),
        }
    }

    /// A phone counter in a file of its own: 20 decimal digits and a newline, replaced
    /// atomically (write a temporary file, fsync it, rename it over, fsync the directory).
    #[derive(Debug)]
    pub struct FileCounter {
        path: PathBuf,
        value: u64,
    }

    impl FileCounter {
        /// Opens the counter at `path`, creating it at 0 when absent.
        pub fn open(path: impl AsRef<Path>) -> Result<Self> {
            let path = path.as_ref().to_path_buf();
            let value = match File::open(&path) {
                Ok(mut f) => {
                    let mut s = String::new();
                    f.read_to_string(&mut s)
                        .map_err(io("reading the counter file"))?;
                    s.trim().parse::<u64>().map_err(|_| Error::Store {
                        what: "reading the counter file",
                        detail: "not a decimal counter".into(),
                    })?
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let c = FileCounter { path, value: 0 };
                    c.persist(0)?;
                    return Ok(c);
                }
                Err(e) => return Err(io("opening the counter file")(e)),
            };
            Ok(FileCounter { path, value })
        }

        fn persist(&self, value: u64) -> Result<()> {
            let tmp = self.path.with_extension("tmp");
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .map_err(io("creating the counter file"))?;
            writeln!(f, "{value:020}").map_err(io("writing the counter file"))?;
            f.sync_all().map_err(io("syncing the counter file"))?;
            std::fs::rename(&tmp, &self.path).map_err(io("replacing the counter file"))?;
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                // Make the rename durable; directories cannot be opened for sync everywhere.
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
            Ok(())
        }
    }

    impl CounterStore for FileCounter {
        fn next(&mut self) -> Result<u64> {
            let n = increment(self.value)?;
            self.persist(n)?;
            self.value = n;
            Ok(n)
        }

        fn current(&self) -> Result<u64> {
            Ok(self.value)
        }
    }
}

#[cfg(feature = "std")]
pub use file::FileCounter;

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use rusqlite::{Connection, OptionalExtension, params};
    use std::path::Path;

    use crate::error::sqlite_error as db;

    fn open(path: &Path) -> Result<Connection> {
        let conn = Connection::open(path).map_err(db("opening the database"))?;
        // Write-ahead log with a sync at every commit: a committed counter survives power loss.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db("setting journal_mode"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db("setting synchronous"))?;
        Ok(conn)
    }

    /// A phone counter in an SQLite database (table `wallet_counter`), one row per `name`.
    #[derive(Debug)]
    pub struct SqliteCounterStore {
        conn: Connection,
        name: String,
    }

    impl SqliteCounterStore {
        /// Opens (creating when absent) the counter `name` in the database at `path`.
        pub fn open(path: impl AsRef<Path>, name: &str) -> Result<Self> {
            let conn = open(path.as_ref())?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS wallet_counter (
                    name TEXT PRIMARY KEY, value INTEGER NOT NULL CHECK (value >= 0))",
            )
            .map_err(db("creating wallet_counter"))?;
            conn.execute(
                "INSERT OR IGNORE INTO wallet_counter (name, value) VALUES (?1, 0)",
                params![name],
            )
            .map_err(db("creating the counter"))?;
            Ok(SqliteCounterStore {
                conn,
                name: name.into(),
            })
        }
    }

    impl CounterStore for SqliteCounterStore {
        fn next(&mut self) -> Result<u64> {
            let v: i64 = self
                .conn
                .query_row(
                    "UPDATE wallet_counter SET value = value + 1
                     WHERE name = ?1 AND value < 9223372036854775807 RETURNING value",
                    params![self.name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("incrementing the counter"))?
                .ok_or(Error::Refused(Refusal::CounterExhausted))?;
            u64::try_from(v).map_err(|_| Error::Refused(Refusal::CounterExhausted))
        }

        fn current(&self) -> Result<u64> {
            let v: i64 = self
                .conn
                .query_row(
                    "SELECT value FROM wallet_counter WHERE name = ?1",
                    params![self.name],
                    |r| r.get(0),
                )
                .map_err(db("reading the counter"))?;
            Ok(u64::try_from(v).unwrap_or(0))
        }
    }

    /// [`SeenCounters`] in an SQLite database (table `seen_counter`).
    #[derive(Debug)]
    pub struct SqliteSeenCounters {
        conn: Connection,
    }

    impl SqliteSeenCounters {
        /// Opens (creating when absent) the table in the database at `path`.
        pub fn open(path: impl AsRef<Path>) -> Result<Self> {
            let conn = open(path.as_ref())?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS seen_counter (
                    key_id BLOB PRIMARY KEY, counter INTEGER NOT NULL)",
            )
            .map_err(db("creating seen_counter"))?;
            Ok(SqliteSeenCounters { conn })
        }
    }

    impl SeenCounters for SqliteSeenCounters {
        fn check_and_record(&mut self, key_id: &[u8], counter: u64) -> Result<()> {
            let got =
                i64::try_from(counter).map_err(|_| Error::Refused(Refusal::CounterExhausted))?;
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db("starting a transaction"))?;
            let last: Option<i64> = tx
                .query_row(
                    "SELECT counter FROM seen_counter WHERE key_id = ?1",
                    params![key_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("reading seen_counter"))?;
            if let Some(last) = last.filter(|&l| got <= l) {
                return Err(Error::Refused(Refusal::CounterNotIncreasing {
                    last: u64::try_from(last).unwrap_or(0),
                    got: counter,
                }));
            }
            tx.execute(
                "INSERT INTO seen_counter (key_id, counter) VALUES (?1, ?2)
                 ON CONFLICT (key_id) DO UPDATE SET counter = excluded.counter",
                params![key_id, got],
            )
            .map_err(db("recording the counter"))?;
            tx.commit().map_err(db("committing the counter"))
        }

        fn last(&self, key_id: &[u8]) -> Result<Option<u64>> {
            let v: Option<i64> = self
                .conn
                .query_row(
                    "SELECT counter FROM seen_counter WHERE key_id = ?1",
                    params![key_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("reading seen_counter"))?;
            Ok(v.and_then(|v| u64::try_from(v).ok()))
        }
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteCounterStore, SqliteSeenCounters};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_counter_and_seen() {
        let mut c = MemoryCounter::default();
        assert_eq!((c.next().unwrap(), c.next().unwrap()), (1, 2));
        assert_eq!(c.current().unwrap(), 2);
        let mut full = MemoryCounter::new(MAX_COUNTER);
        assert_eq!(full.next(), Err(Error::Refused(Refusal::CounterExhausted)));
        let mut s = MemorySeenCounters::default();
        s.check_and_record(b"a", 5).unwrap();
        s.check_and_record(b"b", 1).unwrap();
        assert_eq!(
            s.check_and_record(b"a", 5),
            Err(Error::Refused(Refusal::CounterNotIncreasing {
                last: 5,
                got: 5
            }))
        );
        assert_eq!(s.last(b"a").unwrap(), Some(5));
    }

    #[cfg(feature = "std")]
    #[test]
    fn file_counter_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("counter");
        let mut c = FileCounter::open(&p).unwrap();
        assert_eq!(c.current().unwrap(), 0);
        assert_eq!((c.next().unwrap(), c.next().unwrap()), (1, 2));
        drop(c);
        let mut c = FileCounter::open(&p).unwrap();
        assert_eq!(c.current().unwrap(), 2);
        assert_eq!(c.next().unwrap(), 3);
        std::fs::write(&p, "garbage").unwrap();
        assert!(matches!(FileCounter::open(&p), Err(Error::Store { .. })));
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_stores_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wallet.db");
        let mut c = SqliteCounterStore::open(&p, "phone").unwrap();
        assert_eq!((c.next().unwrap(), c.next().unwrap()), (1, 2));
        drop(c);
        let mut c = SqliteCounterStore::open(&p, "phone").unwrap();
        assert_eq!(c.current().unwrap(), 2);
        assert_eq!(c.next().unwrap(), 3);
        let mut other = SqliteCounterStore::open(&p, "other").unwrap();
        assert_eq!(other.next().unwrap(), 1);

        let q = dir.path().join("pos.db");
        let mut s = SqliteSeenCounters::open(&q).unwrap();
        s.check_and_record(b"phone", 3).unwrap();
        drop(s);
        let mut s = SqliteSeenCounters::open(&q).unwrap();
        assert_eq!(s.last(b"phone").unwrap(), Some(3));
        assert_eq!(
            s.check_and_record(b"phone", 2),
            Err(Error::Refused(Refusal::CounterNotIncreasing {
                last: 3,
                got: 2
            }))
        );
        s.check_and_record(b"phone", 4).unwrap();
        assert_eq!(s.last(b"unknown").unwrap(), None);
    }
}
