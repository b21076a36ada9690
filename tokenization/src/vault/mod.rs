//! Vault tokenization (TKR2a-style): random tokens, the PAN sealed in a store.
//!
//! - Tokens are random (from the OS RNG), so they are independent of every key (IND-TKR-KEY):
//!   stealing the keys without the store, or the store without the keys, yields no PAN.
//! - The PAN is sealed with AES-256-GCM under a **versioned** data key; the associated data binds
//!   tenant, token and key version, so a sealed PAN cannot be moved to another token.
//! - A keyed HMAC-SHA-256 **fingerprint** (tenant-scoped) finds duplicates; lookup by PAN is
//!   offered only for **convergent** tenants (opt-in: one token per PAN, enforced atomically by
//!   the store).
//! - **Metadata** has its own permission; **TTL** plus [`Vault::tidy`]; **rotation** with
//!   [`Vault::rotate`] and [`Vault::rewrap`]; **volatile** entries (CVV) live in process memory
//!   only, whatever the store.
//! - **Detokenization** is permissioned: a caller presents a purpose, the [`AccessPolicy`] says
//!   plain, masked or redacted, and every call (allowed or not) goes to the [`AuditSink`] with
//!   its reason.
//!
//! ```
//! use mpay_tokenization::pan::Pan;
//! use mpay_tokenization::vault::*;
//! let keys = KeyRing::new(1, [1u8; 32], [2u8; 32]);
//! let audit = std::sync::Arc::new(MemoryAudit::default());
//! let mut policy = AccessPolicy::new();
//! policy.allow_tokenize("checkout");
//! policy.allow_detokenize("settlement", "clearing", Reveal::Plain);
//! policy.allow_detokenize("support", "customer-call", Reveal::Masked);
//! let vault = Vault::new(MemoryStore::new(), keys, policy, audit.clone());
//! let pan = Pan::parse("4111111111111111").unwrap();
//! let token = vault.tokenize(&Caller::new("checkout", "tokenize", "order 17"), "shop", &pan, None).unwrap();
//! let plain = vault.detokenize(&Caller::new("settlement", "clearing", "batch 9"), "shop", &token).unwrap();
//! assert_eq!(plain, Revealed::Plain(pan));
//! let masked = vault.detokenize(&Caller::new("support", "customer-call", "ticket 4"), "shop", &token).unwrap();
//! assert_eq!(masked, Revealed::Masked("************1111".into()));
//! assert!(vault.detokenize(&Caller::new("support", "clearing", "x"), "shop", &token).is_err());
//! assert_eq!(audit.events().len(), 4);
//! ```

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "std")]
mod sqlite;
mod store;

#[cfg(feature = "postgres")]
pub use self::postgres::{MIGRATIONS as PG_MIGRATIONS, PgStore};
pub use sqlite::SqliteStore;
pub use store::{Entry, Insert, MemoryStore, TokenStore};

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use cipher::consts::U12;
use hmac::{Hmac, Mac};
use mpay_gmt::sm4::Sm4Gcm;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::luhn;
use crate::pan::{Pan, mask};

/// Versioned data keys (AES-256-GCM) plus the fingerprint key (HMAC-SHA-256). Debug redacts keys.
#[derive(Clone)]
pub struct KeyRing {
    data: BTreeMap<u32, DataKey>,
    current: u32,
    fingerprint: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyRing")
            .field("versions", &self.data.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// A ring with one data key `version` and the fingerprint key (which never rotates: it keys
    /// deduplication).
    pub fn new(version: u32, data_key: [u8; 32], fingerprint_key: [u8; 32]) -> Self {
        let mut data = BTreeMap::new();
        data.insert(version, DataKey::Aes256Gcm(Zeroizing::new(data_key)));
        KeyRing {
            data,
            current: version,
            fingerprint: Zeroizing::new(fingerprint_key),
        }
    }

    /// Derives the data key (version 1) and the fingerprint key from one 32-byte master key
    /// (HMAC-SHA-256 with distinct labels): for tools and tests that hold a single secret.
    pub fn from_master(master: &[u8]) -> Result<Self> {
        if master.len() != 32 {
            return Err(Error::InvalidKeyLength {
                what: "vault master key",
                expected: 32,
                got: master.len(),
            });
        }
        let derive = |label: &[u8]| -> Result<[u8; 32]> {
            let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(master)
                .map_err(|_| Error::Integrity { what: "master key" })?;
            m.update(label);
            Ok(m.finalize().into_bytes().into())
        };
        Ok(KeyRing::new(
            1,
            derive(b"mpay-tokenization/vault/data-key/v1")?,
            derive(b"mpay-tokenization/vault/fingerprint-key/v1")?,
        ))
    }

    /// Adds an older version (to read entries sealed under it) without changing the current one.
    pub fn with_old(mut self, version: u32, data_key: DataKey) -> Self {
        self.data.insert(version, data_key);
        self
    }

    /// The current (sealing) version.
    pub fn current(&self) -> u32 {
        self.current
    }

    /// A ring whose current data key is `data_key` (AES-256-GCM or SM4-GCM).
    pub fn with_data_key(version: u32, data_key: DataKey, fingerprint_key: [u8; 32]) -> Self {
        let mut data = BTreeMap::new();
        data.insert(version, data_key);
        KeyRing {
            data,
            current: version,
            fingerprint: Zeroizing::new(fingerprint_key),
        }
    }

    fn key(&self, v: u32) -> Result<Sealer> {
        self.data
            .get(&v)
            .ok_or(Error::UnknownKeyVersion { version: v })?
            .sealer(VAULT_AAD)
    }
}

/// A versioned data key: the AEAD that seals PANs.
#[derive(Clone)]
pub enum DataKey {
    /// AES-256-GCM (96-bit nonce, 128-bit tag).
    Aes256Gcm(Zeroizing<[u8; 32]>),
    /// SM4-GCM (GB/T 32907 in GCM, RFC 8998 style; from `mpay-gmt`).
    Sm4Gcm(Zeroizing<[u8; 16]>),
}

impl DataKey {
    /// An AES-256-GCM key.
    pub fn aes256(k: [u8; 32]) -> Self {
        DataKey::Aes256Gcm(Zeroizing::new(k))
    }
    /// An SM4-GCM key.
    pub fn sm4(k: [u8; 16]) -> Self {
        DataKey::Sm4Gcm(Zeroizing::new(k))
    }

    /// The keyed AEAD; `label` separates the uses of sealed data (vault entries, TSP records).
    pub(crate) fn sealer(&self, label: &'static [u8]) -> Result<Sealer> {
        let bad = |_| Error::Integrity { what: "data key" };
        let aead = match self {
            DataKey::Aes256Gcm(k) => Aes256Gcm::new_from_slice(&k[..])
                .map(SealAead::Aes)
                .map_err(bad)?,
            DataKey::Sm4Gcm(k) => Sm4Gcm::new_from_slice(&k[..])
                .map(SealAead::Sm4)
                .map_err(bad)?,
        };
        Ok(Sealer { aead, label })
    }
}

/// Associated-data label of vault entries.
const VAULT_AAD: &[u8] = b"mpay-vault/v1\0";

// A transient value built per seal/open call: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum SealAead {
    Aes(Aes256Gcm),
    Sm4(Sm4Gcm),
}

/// A keyed AEAD sealing PANs bound to (scope, token, key version) under a domain label.
pub(crate) struct Sealer {
    aead: SealAead,
    label: &'static [u8],
}

impl Sealer {
    /// `nonce ‖ AEAD(plain)` with a fresh OS-random nonce.
    pub(crate) fn seal_fresh(
        &self,
        v: u32,
        tenant: &str,
        token: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        self.seal(v, &mut RandomPool::new(12), tenant, token, plain)
    }

    /// Opens `nonce ‖ AEAD(PAN)` sealed under version `v` for (tenant, token).
    pub(crate) fn open_pan(&self, v: u32, tenant: &str, token: &str, sealed: &[u8]) -> Result<Pan> {
        if sealed.len() < 28 {
            return Err(Error::Integrity {
                what: "sealed PAN length",
            });
        }
        let mut n = [0u8; 12];
        n.copy_from_slice(&sealed[..12]);
        let aad = aad(self.label, tenant, token, v);
        let pt = Zeroizing::new(
            self.decrypt(
                n,
                Payload {
                    msg: &sealed[12..],
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Integrity { what: "sealed PAN" })?,
        );
        let s = core::str::from_utf8(&pt).map_err(|_| Error::Integrity { what: "PAN text" })?;
        Pan::parse(s)
    }

    /// `nonce ‖ AEAD(plain)` under an already keyed sealer of version `v`.
    fn seal(
        &self,
        v: u32,
        pool: &mut RandomPool,
        tenant: &str,
        token: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        pool.fill(&mut nonce)?;
        let aad = aad(self.label, tenant, token, v);
        let ct = self
            .encrypt(
                nonce,
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Integrity { what: "seal" })?;
        let mut out = Vec::with_capacity(12 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn encrypt(
        &self,
        nonce: [u8; 12],
        p: Payload<'_, '_>,
    ) -> core::result::Result<Vec<u8>, aes_gcm::Error> {
        let n = Nonce::<U12>::from(nonce);
        match &self.aead {
            SealAead::Aes(k) => k.encrypt(&n, p),
            SealAead::Sm4(k) => k.encrypt(&n, p),
        }
    }
    fn decrypt(
        &self,
        nonce: [u8; 12],
        p: Payload<'_, '_>,
    ) -> core::result::Result<Vec<u8>, aes_gcm::Error> {
        let n = Nonce::<U12>::from(nonce);
        match &self.aead {
            SealAead::Aes(k) => k.decrypt(&n, p),
            SealAead::Sm4(k) => k.decrypt(&n, p),
        }
    }
}

/// Associated data of a sealed PAN: binds the use (label), tenant, token and key version.
fn aad(label: &[u8], tenant: &str, token: &str, version: u32) -> Vec<u8> {
    let mut a = Vec::with_capacity(label.len() + tenant.len() + token.len() + 8);
    a.extend_from_slice(label);
    a.extend_from_slice(&(tenant.len() as u32).to_be_bytes());
    a.extend_from_slice(tenant.as_bytes());
    a.extend_from_slice(token.as_bytes());
    a.extend_from_slice(&version.to_be_bytes());
    a
}

/// How tokens look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFormat {
    /// `tok_` + 26 base32 characters (130 bits, 128 random).
    Opaque,
    /// `length` digits starting with `prefix` (e.g. a token BIN range), the last digit a Luhn
    /// check digit when `luhn_valid`, random digits in between (at least 6 random digits).
    Numeric {
        /// Leading digits.
        prefix: String,
        /// Total length (12..=19).
        length: usize,
        /// Whether the last digit makes the token pass Luhn.
        luhn_valid: bool,
    },
}

impl TokenFormat {
    fn check(&self) -> Result<()> {
        if let TokenFormat::Numeric { prefix, length, .. } = self {
            if !(12..=19).contains(length) {
                return Err(Error::Config {
                    field: "token length",
                    reason: "12..=19 digits",
                });
            }
            if prefix.len() + 7 > *length || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Config {
                    field: "token prefix",
                    reason: "digits only, leaving at least 6 random digits and a check digit",
                });
            }
        }
        Ok(())
    }

    /// Draws a fresh random token.
    pub fn generate(&self) -> Result<String> {
        self.generate_from(&mut RandomPool::new(64))
    }

    /// Draws a token from `pool` (OS randomness fetched in bulk).
    fn generate_from(&self, pool: &mut RandomPool) -> Result<String> {
        match self {
            TokenFormat::Opaque => {
                let mut r = [0u8; 17];
                pool.fill(&mut r)?;
                const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
                let mut s = String::with_capacity(30);
                s.push_str("tok_");
                for i in 0..26 {
                    let mut v = 0usize;
                    for bit in i * 5..i * 5 + 5 {
                        v = (v << 1) | usize::from((r[bit / 8] >> (7 - bit % 8)) & 1);
                    }
                    s.push(B32[v] as char);
                }
                Ok(s)
            }
            TokenFormat::Numeric {
                prefix,
                length,
                luhn_valid,
            } => {
                let n_rand = length - prefix.len() - usize::from(*luhn_valid);
                let mut d: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
                while d.len() < prefix.len() + n_rand {
                    let mut b = [0u8; 1];
                    pool.fill(&mut b)?;
                    // Rejection sampling: 250 = 25 · 10, so b % 10 is uniform below it.
                    if b[0] < 250 {
                        d.push(b[0] % 10);
                    }
                }
                if *luhn_valid {
                    let c = luhn::check_digit(&d);
                    d.push(c);
                }
                Ok(d.iter().map(|&x| (b'0' + x) as char).collect())
            }
        }
    }
}

/// OS randomness fetched in blocks (one `getrandom` call per block instead of one per token and
/// per nonce). A pool lives for one vault call and is wiped on drop, so no byte is ever handed
/// out twice, across threads or across a `fork`.
struct RandomPool {
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
    block: usize,
}

impl RandomPool {
    /// A pool refilling `block` bytes at a time (clamped to 64..=64 KiB).
    fn new(block: usize) -> Self {
        RandomPool {
            buf: Zeroizing::new(Vec::new()),
            pos: 0,
            block: block.clamp(64, 1 << 16),
        }
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<()> {
        let mut out = out;
        while !out.is_empty() {
            if self.pos == self.buf.len() {
                self.buf.resize(self.block, 0);
                getrandom::fill(&mut self.buf).map_err(|_| Error::Generation {
                    reason: "OS random generator failed",
                })?;
                self.pos = 0;
            }
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.buf[self.pos..self.pos + n].fill(0);
            self.pos += n;
            out = &mut out[n..];
        }
        Ok(())
    }
}

/// Builds the entries of one tokenize call (see `Vault::entry_maker`).
struct EntryMaker<'a> {
    tenant: &'a str,
    cfg: &'a TenantConfig,
    metadata: Option<&'a str>,
    now: u64,
    version: u32,
    sealer: Sealer,
    fingerprint: Hmac<Sha256>,
    pool: RandomPool,
}

impl EntryMaker<'_> {
    fn make(&mut self, pan: &Pan) -> Result<Entry> {
        let mut m = self.fingerprint.clone();
        m.update(pan.digits());
        let fingerprint = m.finalize().into_bytes().into();
        let token = self.cfg.format.generate_from(&mut self.pool)?;
        let sealed = self.sealer.seal(
            self.version,
            &mut self.pool,
            self.tenant,
            &token,
            pan.expose().as_bytes(),
        )?;
        Ok(Entry {
            tenant: self.tenant.into(),
            token,
            fingerprint,
            convergent: self.cfg.convergent,
            key_version: self.version,
            sealed,
            metadata: self.metadata.map(str::to_string),
            created_at: self.now,
            expires_at: self.cfg.ttl.map(|t| self.now.saturating_add(t)),
        })
    }
}

/// Per-tenant settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    /// One token per PAN (opt-in).
    pub convergent: bool,
    /// Token format.
    pub format: TokenFormat,
    /// Default time to live in seconds (`None`: no expiry).
    pub ttl: Option<u64>,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            convergent: false,
            format: TokenFormat::Opaque,
            ttl: None,
        }
    }
}

/// What a detokenization reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// The full PAN.
    Plain,
    /// Last four digits, the rest `*`.
    Masked,
    /// Nothing but the fact that the token exists.
    Redacted,
}

/// The result of a detokenization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revealed {
    /// The PAN (its Debug still masks it).
    Plain(Pan),
    /// Masked PAN.
    Masked(String),
    /// Redacted.
    Redacted,
}

/// Who asks, for what purpose and why. The reason goes to the audit sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Principal (service, user or role).
    pub principal: String,
    /// Purpose, matched against the [`AccessPolicy`].
    pub purpose: String,
    /// Free-text reason for the audit log.
    pub reason: String,
}

impl Caller {
    /// A caller.
    pub fn new(principal: &str, purpose: &str, reason: &str) -> Self {
        Caller {
            principal: principal.into(),
            purpose: purpose.into(),
            reason: reason.into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Grants {
    tokenize: bool,
    metadata_read: bool,
    metadata_write: bool,
    manage: bool,
    detokenize: HashMap<String, Reveal>,
}

/// Permissions per principal: tokenize, detokenize per purpose (with what it reveals), metadata
/// read/write, and management (delete, tidy, rotate).
#[derive(Debug, Clone, Default)]
pub struct AccessPolicy {
    grants: HashMap<String, Grants>,
}

impl AccessPolicy {
    /// Denies everything.
    pub fn new() -> Self {
        Self::default()
    }
    /// Lets `principal` tokenize.
    pub fn allow_tokenize(&mut self, principal: &str) -> &mut Self {
        self.grants.entry(principal.into()).or_default().tokenize = true;
        self
    }
    /// Lets `principal` detokenize for `purpose`, revealing `reveal`.
    pub fn allow_detokenize(
        &mut self,
        principal: &str,
        purpose: &str,
        reveal: Reveal,
    ) -> &mut Self {
        self.grants
            .entry(principal.into())
            .or_default()
            .detokenize
            .insert(purpose.into(), reveal);
        self
    }
    /// Lets `principal` read metadata (no PAN access implied).
    pub fn allow_metadata_read(&mut self, principal: &str) -> &mut Self {
        self.grants
            .entry(principal.into())
            .or_default()
            .metadata_read = true;
        self
    }
    /// Lets `principal` write metadata.
    pub fn allow_metadata_write(&mut self, principal: &str) -> &mut Self {
        self.grants
            .entry(principal.into())
            .or_default()
            .metadata_write = true;
        self
    }
    /// Lets `principal` delete tokens, tidy and rotate keys.
    pub fn allow_manage(&mut self, principal: &str) -> &mut Self {
        self.grants.entry(principal.into()).or_default().manage = true;
        self
    }
    fn g(&self, p: &str) -> Option<&Grants> {
        self.grants.get(p)
    }
}

/// What an audit event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// Tokenize (persistent or volatile).
    Tokenize,
    /// Detokenize.
    Detokenize,
    /// Read metadata.
    MetadataRead,
    /// Write metadata.
    MetadataWrite,
    /// Delete a token.
    Delete,
    /// Lookup of a token by PAN (convergent tenants).
    Lookup,
    /// Key rotation, rewrap or tidy.
    Manage,
}

/// How the operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditOutcome {
    /// Allowed; for detokenization, what was revealed.
    Allowed(Option<Reveal>),
    /// Refused by the access policy.
    Denied,
    /// Failed (not found, expired, store error: the error text, which never holds a PAN).
    Failed(String),
}

/// One audit record. Never contains a PAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// Who.
    pub principal: String,
    /// Purpose presented.
    pub purpose: String,
    /// Reason presented.
    pub reason: String,
    /// Tenant.
    pub tenant: String,
    /// Token concerned, when known.
    pub token: Option<String>,
    /// Operation.
    pub action: AuditAction,
    /// Outcome.
    pub outcome: AuditOutcome,
}

/// Receives every audit event (write it to a log, a table, a SIEM).
pub trait AuditSink: Send + Sync {
    /// Records one event. Must not fail the operation; sinks buffer or drop on their own terms.
    fn record(&self, event: &AuditEvent);
}

/// Keeps audit events in memory (tests, small tools).
#[derive(Debug, Default)]
pub struct MemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
}

impl MemoryAudit {
    /// A copy of the events so far.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl AuditSink for MemoryAudit {
    fn record(&self, event: &AuditEvent) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event.clone());
        }
    }
}

/// Discards audit events (benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAudit;

impl AuditSink for NoAudit {
    fn record(&self, _: &AuditEvent) {}
}

struct Volatile {
    secret: Zeroizing<Vec<u8>>,
    expires_at: u64,
}

/// A clock in seconds since the Unix epoch (replaceable for tests).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The token vault over a [`TokenStore`]. Holds no per-token state (besides volatile entries), so
/// several vault processes can share one database.
pub struct Vault<S: TokenStore> {
    store: S,
    keys: RwLock<KeyRing>,
    tenants: RwLock<HashMap<String, TenantConfig>>,
    policy: AccessPolicy,
    audit: Arc<dyn AuditSink>,
    volatile: Mutex<HashMap<(String, String), Volatile>>,
    clock: Clock,
}

const MAX_COLLISIONS: usize = 32;

impl<S: TokenStore> Vault<S> {
    /// A vault; tenants without a configuration get [`TenantConfig::default`].
    pub fn new(store: S, keys: KeyRing, policy: AccessPolicy, audit: Arc<dyn AuditSink>) -> Self {
        Vault {
            store,
            keys: RwLock::new(keys),
            tenants: RwLock::new(HashMap::new()),
            policy,
            audit,
            volatile: Mutex::new(HashMap::new()),
            clock: Arc::new(system_clock),
        }
    }

    /// Replaces the clock (tests of TTL).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Configures a tenant (convergence, format, TTL).
    pub fn configure_tenant(&self, tenant: &str, config: TenantConfig) -> Result<()> {
        config.format.check()?;
        self.tenants
            .write()
            .map_err(|_| poisoned())?
            .insert(tenant.into(), config);
        Ok(())
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    fn tenant(&self, tenant: &str) -> TenantConfig {
        self.tenants
            .read()
            .ok()
            .and_then(|t| t.get(tenant).cloned())
            .unwrap_or_default()
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn audit(
        &self,
        c: &Caller,
        tenant: &str,
        token: Option<&str>,
        action: AuditAction,
        outcome: AuditOutcome,
    ) {
        self.audit.record(&AuditEvent {
            at: self.now(),
            principal: c.principal.clone(),
            purpose: c.purpose.clone(),
            reason: c.reason.clone(),
            tenant: tenant.into(),
            token: token.map(str::to_string),
            action,
            outcome,
        });
    }

    fn deny(
        &self,
        c: &Caller,
        tenant: &str,
        token: Option<&str>,
        a: AuditAction,
        what: String,
    ) -> Error {
        self.audit(c, tenant, token, a, AuditOutcome::Denied);
        Error::Denied {
            principal: c.principal.clone(),
            action: what,
        }
    }

    /// Keyed, tenant-scoped fingerprint of a PAN (HMAC-SHA-256).
    pub fn fingerprint(&self, tenant: &str, pan: &Pan) -> Result<[u8; 32]> {
        let keys = self.keys.read().map_err(|_| poisoned())?;
        let mut m = Self::fingerprint_mac(&keys, tenant)?;
        m.update(pan.digits());
        Ok(m.finalize().into_bytes().into())
    }

    /// The fingerprint HMAC keyed and fed the tenant-scoped prefix; the PAN digits follow.
    fn fingerprint_mac(keys: &KeyRing, tenant: &str) -> Result<Hmac<Sha256>> {
        let mut m =
            <Hmac<Sha256> as KeyInit>::new_from_slice(keys.fingerprint.as_ref()).map_err(|_| {
                Error::Integrity {
                    what: "fingerprint key",
                }
            })?;
        m.update(b"mpay-vault/fingerprint/v1\0");
        m.update(&(tenant.len() as u32).to_be_bytes());
        m.update(tenant.as_bytes());
        Ok(m)
    }

    fn seal(keys: &KeyRing, tenant: &str, token: &str, plain: &[u8]) -> Result<(u32, Vec<u8>)> {
        let v = keys.current;
        let sealed = keys.key(v)?.seal_fresh(v, tenant, token, plain)?;
        Ok((v, sealed))
    }

    fn open(keys: &KeyRing, e: &Entry) -> Result<Pan> {
        keys.key(e.key_version)?
            .open_pan(e.key_version, &e.tenant, &e.token, &e.sealed)
    }

    /// Per-call state for building entries: the data key and the fingerprint HMAC keyed once,
    /// randomness for tokens and nonces drawn from the OS in bulk.
    fn entry_maker<'a>(
        &self,
        tenant: &'a str,
        cfg: &'a TenantConfig,
        metadata: Option<&'a str>,
        count: usize,
    ) -> Result<EntryMaker<'a>> {
        let keys = self.keys.read().map_err(|_| poisoned())?;
        let now = self.now();
        Ok(EntryMaker {
            tenant,
            cfg,
            metadata,
            now,
            version: keys.current,
            sealer: keys.key(keys.current)?,
            fingerprint: Self::fingerprint_mac(&keys, tenant)?,
            // 17 bytes per opaque token (≈ 14 per numeric one) + 12 per nonce, with margin.
            pool: RandomPool::new(count.saturating_mul(32)),
        })
    }

    /// Tokenizes a PAN for `tenant`. Convergent tenants get the existing live token of the PAN.
    /// Returns once the store has made the entry durable.
    pub fn tokenize(
        &self,
        caller: &Caller,
        tenant: &str,
        pan: &Pan,
        metadata: Option<&str>,
    ) -> Result<String> {
        let r = self.tokenize_batch(caller, tenant, core::slice::from_ref(pan), metadata);
        r.map(|mut v| v.pop().unwrap_or_default())
    }

    /// Tokenizes several PANs in one store round trip (one transaction: group commit).
    pub fn tokenize_batch(
        &self,
        caller: &Caller,
        tenant: &str,
        pans: &[Pan],
        metadata: Option<&str>,
    ) -> Result<Vec<String>> {
        if !self.policy.g(&caller.principal).is_some_and(|g| g.tokenize) {
            return Err(self.deny(
                caller,
                tenant,
                None,
                AuditAction::Tokenize,
                "tokenize".into(),
            ));
        }
        let cfg = self.tenant(tenant);
        let mut maker = self.entry_maker(tenant, &cfg, metadata, pans.len())?;
        let mut entries = pans
            .iter()
            .map(|p| maker.make(p))
            .collect::<Result<Vec<_>>>()?;
        let mut out: Vec<Option<String>> = vec![None; pans.len()];
        let mut pending: Vec<usize> = (0..pans.len()).collect();
        for round in 0..MAX_COLLISIONS {
            let retry: Vec<Entry>;
            let batch: &[Entry] = if round == 0 {
                &entries
            } else {
                retry = pending.iter().map(|&i| entries[i].clone()).collect();
                &retry
            };
            let res = match self.store.insert_batch(batch) {
                Ok(r) => r,
                Err(e) => {
                    self.audit(
                        caller,
                        tenant,
                        None,
                        AuditAction::Tokenize,
                        AuditOutcome::Failed(e.to_string()),
                    );
                    return Err(e);
                }
            };
            let mut again = Vec::new();
            for (&i, r) in pending.iter().zip(res) {
                match r {
                    Insert::Inserted => out[i] = Some(core::mem::take(&mut entries[i].token)),
                    Insert::Existing(e) => out[i] = Some(e.token),
                    Insert::TokenTaken => {
                        entries[i] = maker.make(&pans[i])?;
                        again.push(i);
                    }
                }
            }
            pending = again;
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            return Err(Error::Generation {
                reason: "token space exhausted (too many collisions)",
            });
        }
        let tokens: Vec<String> = out.into_iter().map(Option::unwrap_or_default).collect();
        for t in &tokens {
            self.audit(
                caller,
                tenant,
                Some(t),
                AuditAction::Tokenize,
                AuditOutcome::Allowed(None),
            );
        }
        Ok(tokens)
    }

    fn live(&self, tenant: &str, token: &str) -> Result<Entry> {
        match self.store.get(tenant, token)? {
            None => Err(Error::NotFound {
                tenant: tenant.into(),
            }),
            Some(e) if e.expired(self.now()) => Err(Error::Expired {
                tenant: tenant.into(),
            }),
            Some(e) => Ok(e),
        }
    }

    /// Detokenizes: the access policy maps the caller's purpose to what is revealed.
    pub fn detokenize(&self, caller: &Caller, tenant: &str, token: &str) -> Result<Revealed> {
        let reveal = match self
            .policy
            .g(&caller.principal)
            .and_then(|g| g.detokenize.get(&caller.purpose))
        {
            Some(r) => *r,
            None => {
                return Err(self.deny(
                    caller,
                    tenant,
                    Some(token),
                    AuditAction::Detokenize,
                    format!("detokenize for purpose {:?}", caller.purpose),
                ));
            }
        };
        let res = self.live(tenant, token).and_then(|e| {
            let keys = self.keys.read().map_err(|_| poisoned())?;
            Self::open(&keys, &e)
        });
        match res {
            Ok(pan) => {
                self.audit(
                    caller,
                    tenant,
                    Some(token),
                    AuditAction::Detokenize,
                    AuditOutcome::Allowed(Some(reveal)),
                );
                Ok(match reveal {
                    Reveal::Plain => Revealed::Plain(pan),
                    Reveal::Masked => Revealed::Masked(mask(pan.digits(), 0, 4)),
                    Reveal::Redacted => Revealed::Redacted,
                })
            }
            Err(e) => {
                self.audit(
                    caller,
                    tenant,
                    Some(token),
                    AuditAction::Detokenize,
                    AuditOutcome::Failed(e.to_string()),
                );
                Err(e)
            }
        }
    }

    /// Finds the token of a PAN: only for convergent tenants, only for principals that may
    /// tokenize.
    pub fn lookup(&self, caller: &Caller, tenant: &str, pan: &Pan) -> Result<Option<String>> {
        if !self.policy.g(&caller.principal).is_some_and(|g| g.tokenize) {
            return Err(self.deny(
                caller,
                tenant,
                None,
                AuditAction::Lookup,
                "look up tokens".into(),
            ));
        }
        if !self.tenant(tenant).convergent {
            return Err(Error::Config {
                field: "tenant",
                reason: "lookup by PAN needs a convergent tenant",
            });
        }
        let fp = self.fingerprint(tenant, pan)?;
        let e = self
            .store
            .find_convergent(tenant, &fp)?
            .filter(|e| !e.expired(self.now()));
        let t = e.map(|e| e.token);
        self.audit(
            caller,
            tenant,
            t.as_deref(),
            AuditAction::Lookup,
            AuditOutcome::Allowed(None),
        );
        Ok(t)
    }

    /// Reads metadata (needs the metadata-read permission, not a detokenize permission).
    pub fn metadata(&self, caller: &Caller, tenant: &str, token: &str) -> Result<Option<String>> {
        if !self
            .policy
            .g(&caller.principal)
            .is_some_and(|g| g.metadata_read)
        {
            return Err(self.deny(
                caller,
                tenant,
                Some(token),
                AuditAction::MetadataRead,
                "read metadata".into(),
            ));
        }
        let e = self.live(tenant, token)?;
        self.audit(
            caller,
            tenant,
            Some(token),
            AuditAction::MetadataRead,
            AuditOutcome::Allowed(None),
        );
        Ok(e.metadata)
    }

    /// Replaces metadata (needs the metadata-write permission).
    pub fn set_metadata(
        &self,
        caller: &Caller,
        tenant: &str,
        token: &str,
        metadata: Option<&str>,
    ) -> Result<()> {
        if !self
            .policy
            .g(&caller.principal)
            .is_some_and(|g| g.metadata_write)
        {
            return Err(self.deny(
                caller,
                tenant,
                Some(token),
                AuditAction::MetadataWrite,
                "write metadata".into(),
            ));
        }
        if !self.store.set_metadata(tenant, token, metadata)? {
            return Err(Error::NotFound {
                tenant: tenant.into(),
            });
        }
        self.audit(
            caller,
            tenant,
            Some(token),
            AuditAction::MetadataWrite,
            AuditOutcome::Allowed(None),
        );
        Ok(())
    }

    fn manage(&self, caller: &Caller, what: &str) -> Result<()> {
        if !self.policy.g(&caller.principal).is_some_and(|g| g.manage) {
            return Err(self.deny(caller, "", None, AuditAction::Manage, what.into()));
        }
        self.audit(
            caller,
            "",
            None,
            AuditAction::Manage,
            AuditOutcome::Allowed(None),
        );
        Ok(())
    }

    /// Deletes a token (management permission).
    pub fn delete(&self, caller: &Caller, tenant: &str, token: &str) -> Result<bool> {
        if !self.policy.g(&caller.principal).is_some_and(|g| g.manage) {
            return Err(self.deny(
                caller,
                tenant,
                Some(token),
                AuditAction::Delete,
                "delete tokens".into(),
            ));
        }
        let r = self.store.delete(tenant, token)?;
        self.audit(
            caller,
            tenant,
            Some(token),
            AuditAction::Delete,
            AuditOutcome::Allowed(None),
        );
        Ok(r)
    }

    /// Deletes expired entries (persistent and volatile); returns how many.
    pub fn tidy(&self, caller: &Caller) -> Result<u64> {
        self.manage(caller, "tidy")?;
        let now = self.now();
        let mut n = self.store.tidy(now)?;
        let mut v = self.volatile.lock().map_err(|_| poisoned())?;
        let before = v.len();
        v.retain(|_, e| e.expires_at > now);
        n += (before - v.len()) as u64;
        Ok(n)
    }

    /// Adds data key `version` and makes it current: new entries are sealed under it.
    pub fn rotate(&self, caller: &Caller, version: u32, key: DataKey) -> Result<()> {
        self.manage(caller, "rotate keys")?;
        let mut k = self.keys.write().map_err(|_| poisoned())?;
        if version <= k.current {
            return Err(Error::Config {
                field: "key version",
                reason: "must be above the current version",
            });
        }
        k.data.insert(version, key);
        k.current = version;
        Ok(())
    }

    /// Re-seals up to `limit` entries sealed under older key versions with the current key;
    /// returns how many were rewrapped (call until 0, then the old key can be retired).
    pub fn rewrap(&self, caller: &Caller, limit: usize) -> Result<usize> {
        self.manage(caller, "rewrap")?;
        let keys = self.keys.read().map_err(|_| poisoned())?.clone();
        let mut n = 0;
        for e in self.store.sealed_below(keys.current, limit)? {
            let pan = Self::open(&keys, &e)?;
            let (v, sealed) = Self::seal(&keys, &e.tenant, &e.token, pan.expose().as_bytes())?;
            if self
                .store
                .reseal(&e.tenant, &e.token, e.key_version, v, &sealed)?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Drops data key `version` once nothing is sealed under it.
    pub fn retire(&self, caller: &Caller, version: u32) -> Result<()> {
        self.manage(caller, "retire keys")?;
        let mut k = self.keys.write().map_err(|_| poisoned())?;
        if version == k.current {
            return Err(Error::Config {
                field: "key version",
                reason: "the current version cannot be retired",
            });
        }
        if self
            .store
            .sealed_below(version + 1, usize::MAX)?
            .iter()
            .any(|e| e.key_version == version)
        {
            return Err(Error::Config {
                field: "key version",
                reason: "entries are still sealed under it: rewrap first",
            });
        }
        k.data.remove(&version);
        Ok(())
    }

    /// Tokenizes a volatile secret (CVV, one-time data): kept in process memory only (never in the
    /// store, never on disk), wiped on expiry, tidy or drop. `ttl` in seconds.
    pub fn tokenize_volatile(
        &self,
        caller: &Caller,
        tenant: &str,
        secret: &[u8],
        ttl: u64,
    ) -> Result<String> {
        if !self.policy.g(&caller.principal).is_some_and(|g| g.tokenize) {
            return Err(self.deny(
                caller,
                tenant,
                None,
                AuditAction::Tokenize,
                "tokenize".into(),
            ));
        }
        let token = TokenFormat::Opaque.generate()?.replacen("tok_", "vol_", 1);
        let e = Volatile {
            secret: Zeroizing::new(secret.to_vec()),
            expires_at: self.now().saturating_add(ttl),
        };
        self.volatile
            .lock()
            .map_err(|_| poisoned())?
            .insert((tenant.into(), token.clone()), e);
        self.audit(
            caller,
            tenant,
            Some(&token),
            AuditAction::Tokenize,
            AuditOutcome::Allowed(None),
        );
        Ok(token)
    }

    /// Reads a volatile secret and, when `consume`, removes it (a CVV is used once). Needs a
    /// detokenize grant for the caller's purpose that reveals [`Reveal::Plain`].
    pub fn detokenize_volatile(
        &self,
        caller: &Caller,
        tenant: &str,
        token: &str,
        consume: bool,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let ok = self
            .policy
            .g(&caller.principal)
            .and_then(|g| g.detokenize.get(&caller.purpose))
            == Some(&Reveal::Plain);
        if !ok {
            return Err(self.deny(
                caller,
                tenant,
                Some(token),
                AuditAction::Detokenize,
                format!("reveal volatile data for purpose {:?}", caller.purpose),
            ));
        }
        let now = self.now();
        let mut v = self.volatile.lock().map_err(|_| poisoned())?;
        let key = (tenant.to_string(), token.to_string());
        let r = match v.get(&key) {
            None => Err(Error::NotFound {
                tenant: tenant.into(),
            }),
            Some(e) if e.expires_at <= now => {
                v.remove(&key);
                Err(Error::Expired {
                    tenant: tenant.into(),
                })
            }
            Some(e) => {
                let s = e.secret.clone();
                if consume {
                    v.remove(&key);
                }
                Ok(s)
            }
        };
        drop(v);
        let outcome = match &r {
            Ok(_) => AuditOutcome::Allowed(Some(Reveal::Plain)),
            Err(e) => AuditOutcome::Failed(e.to_string()),
        };
        self.audit(
            caller,
            tenant,
            Some(token),
            AuditAction::Detokenize,
            outcome,
        );
        r
    }
}

fn poisoned() -> Error {
    Error::Store {
        store: "vault",
        message: "lock poisoned".into(),
    }
}
