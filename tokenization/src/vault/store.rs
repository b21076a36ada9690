//! The storage trait of the vault and the in-memory store.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// One stored vault entry. `sealed` is `nonce || AES-256-GCM(PAN) || tag` under data key
/// `key_version`; the PAN itself is never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// Tenant (namespace).
    pub tenant: String,
    /// The token (not secret).
    pub token: String,
    /// Keyed HMAC-SHA-256 fingerprint of the PAN (tenant-scoped).
    pub fingerprint: [u8; 32],
    /// Whether the tenant was convergent when the entry was made (one token per PAN).
    pub convergent: bool,
    /// Data-key version that sealed the PAN.
    pub key_version: u32,
    /// `nonce || ciphertext || tag`.
    pub sealed: Vec<u8>,
    /// Caller metadata (readable with the metadata permission, no PAN permission needed).
    pub metadata: Option<String>,
    /// Creation time, seconds since the Unix epoch.
    pub created_at: u64,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: Option<u64>,
}

impl core::fmt::Debug for Entry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Entry")
            .field("tenant", &self.tenant)
            .field("token", &self.token)
            .field("convergent", &self.convergent)
            .field("key_version", &self.key_version)
            .field("sealed_len", &self.sealed.len())
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// Whether the entry has expired at `now`.
    pub fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

/// Outcome of an insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insert {
    /// The entry was stored.
    Inserted,
    /// Convergent tenant: a live entry for this fingerprint already exists; use its token.
    Existing(Entry),
    /// The token is already in use (random collision): generate another.
    TokenTaken,
}

/// Where vault entries live. Implementations must make `insert` atomic with respect to the
/// convergent uniqueness rule: among live convergent entries of a tenant, one per fingerprint.
/// An insert that returns `Inserted` must be durable when it returns (for persistent stores).
pub trait TokenStore: Send + Sync {
    /// Stores an entry (see [`Insert`]). Expired convergent entries of the same fingerprint are
    /// replaced.
    fn insert(&self, e: &Entry) -> Result<Insert>;
    /// Stores several entries; persistent stores commit them together (group commit).
    fn insert_batch(&self, es: &[Entry]) -> Result<Vec<Insert>> {
        es.iter().map(|e| self.insert(e)).collect()
    }
    /// The entry of a token.
    fn get(&self, tenant: &str, token: &str) -> Result<Option<Entry>>;
    /// The live convergent entry for a fingerprint.
    fn find_convergent(&self, tenant: &str, fingerprint: &[u8; 32]) -> Result<Option<Entry>>;
    /// Deletes a token; true if it existed.
    fn delete(&self, tenant: &str, token: &str) -> Result<bool>;
    /// Replaces the metadata; true if the token exists.
    fn set_metadata(&self, tenant: &str, token: &str, metadata: Option<&str>) -> Result<bool>;
    /// Up to `limit` entries sealed under a key version below `version`.
    fn sealed_below(&self, version: u32, limit: usize) -> Result<Vec<Entry>>;
    /// Replaces the sealed PAN if the entry is still at `old_version`; true if replaced.
    fn reseal(
        &self,
        tenant: &str,
        token: &str,
        old_version: u32,
        new_version: u32,
        sealed: &[u8],
    ) -> Result<bool>;
    /// Deletes entries expired at `now`; returns how many.
    fn tidy(&self, now: u64) -> Result<u64>;
    /// Number of stored entries.
    fn count(&self) -> Result<u64>;
}

#[derive(Default)]
struct Mem {
    entries: HashMap<(String, String), Entry>,
    convergent: HashMap<(String, [u8; 32]), String>,
}

/// In-memory store (tests, caches, volatile deployments). Nothing is written to disk.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Mem>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Mem>> {
        self.inner.lock().map_err(|_| Error::Store {
            store: "memory",
            message: "lock poisoned".into(),
        })
    }
}

impl TokenStore for MemoryStore {
    fn insert(&self, e: &Entry) -> Result<Insert> {
        let mut m = self.lock()?;
        let key = (e.tenant.clone(), e.token.clone());
        if m.entries.contains_key(&key) {
            return Ok(Insert::TokenTaken);
        }
        if e.convergent {
            let ck = (e.tenant.clone(), e.fingerprint);
            if let Some(tok) = m.convergent.get(&ck).cloned() {
                let old = m.entries.get(&(e.tenant.clone(), tok.clone())).cloned();
                match old {
                    Some(old) if !old.expired(e.created_at) => return Ok(Insert::Existing(old)),
                    _ => {
                        m.entries.remove(&(e.tenant.clone(), tok));
                    }
                }
            }
            m.convergent.insert(ck, e.token.clone());
        }
        m.entries.insert(key, e.clone());
        Ok(Insert::Inserted)
    }

    fn get(&self, tenant: &str, token: &str) -> Result<Option<Entry>> {
        Ok(self
            .lock()?
            .entries
            .get(&(tenant.to_string(), token.to_string()))
            .cloned())
    }

    fn find_convergent(&self, tenant: &str, fingerprint: &[u8; 32]) -> Result<Option<Entry>> {
        let m = self.lock()?;
        Ok(m.convergent
            .get(&(tenant.to_string(), *fingerprint))
            .and_then(|t| m.entries.get(&(tenant.to_string(), t.clone())))
            .cloned())
    }

    fn delete(&self, tenant: &str, token: &str) -> Result<bool> {
        let mut m = self.lock()?;
        match m.entries.remove(&(tenant.to_string(), token.to_string())) {
            Some(e) => {
                if e.convergent {
                    m.convergent.remove(&(e.tenant, e.fingerprint));
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn set_metadata(&self, tenant: &str, token: &str, metadata: Option<&str>) -> Result<bool> {
        let mut m = self.lock()?;
        match m.entries.get_mut(&(tenant.to_string(), token.to_string())) {
            Some(e) => {
                e.metadata = metadata.map(str::to_string);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn sealed_below(&self, version: u32, limit: usize) -> Result<Vec<Entry>> {
        Ok(self
            .lock()?
            .entries
            .values()
            .filter(|e| e.key_version < version)
            .take(limit)
            .cloned()
            .collect())
    }

    fn reseal(
        &self,
        tenant: &str,
        token: &str,
        old_version: u32,
        new_version: u32,
        sealed: &[u8],
    ) -> Result<bool> {
        let mut m = self.lock()?;
        match m.entries.get_mut(&(tenant.to_string(), token.to_string())) {
            Some(e) if e.key_version == old_version => {
                e.key_version = new_version;
                e.sealed = sealed.to_vec();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn tidy(&self, now: u64) -> Result<u64> {
        let mut m = self.lock()?;
        let dead: Vec<(String, String)> = m
            .entries
            .iter()
            .filter(|(_, e)| e.expired(now))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &dead {
            if let Some(e) = m.entries.remove(k)
                && e.convergent
            {
                let ck = (e.tenant, e.fingerprint);
                if m.convergent.get(&ck) == Some(&k.1) {
                    m.convergent.remove(&ck);
                }
            }
        }
        Ok(dead.len() as u64)
    }

    fn count(&self) -> Result<u64> {
        Ok(self.lock()?.entries.len() as u64)
    }
}
