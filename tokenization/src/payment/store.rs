//! Where a Token Service Provider keeps its state: requestors and token records (the PAN sealed,
//! never in clear), so that a TSP restart — or another TSP process on the same database — sees
//! every token with its lifecycle state, assurance and domain controls.
//!
//! [`MemoryTspStore`] keeps records in process memory; the vault's `SqliteStore` (embedded
//! default, same file and group-commit writer as vault entries) and `PgStore` (feature
//! `postgres`) implement [`TspStore`] too.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Channel, DomainControls, TokenBinRange, TokenRequestor, TokenState};
use crate::error::{Error, Result};

/// A token as stored: everything but the PAN in clear; `sealed` is `nonce ‖ AEAD(PAN)` under
/// the TSP's data key `key_version`, bound to the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TspRecord {
    /// The payment token (primary key).
    pub token: String,
    /// Requestor ID it was issued to.
    pub requestor: String,
    /// Payment Account Reference of the PAN.
    pub par: String,
    /// Token assurance level.
    pub assurance: u8,
    /// Lifecycle state.
    pub state: TokenState,
    /// Domain restriction controls.
    pub domain: DomainControls,
    /// Data-key version of `sealed`.
    pub key_version: u32,
    /// `nonce ‖ AEAD(PAN)`.
    pub sealed: Vec<u8>,
}

impl core::fmt::Debug for TspRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TspRecord")
            .field("token", &self.token)
            .field("requestor", &self.requestor)
            .field("state", &self.state)
            .field("assurance", &self.assurance)
            .finish_non_exhaustive()
    }
}

/// Storage of a Token Service Provider. Writes are durable when they return (persistent
/// stores); [`TspStore::update_token`] is a compare-and-set so that concurrent TSP processes
/// never lose a lifecycle change.
pub trait TspStore: Send + Sync {
    /// Stores a requestor; `false` if the ID is already registered.
    fn add_requestor(&self, r: &TokenRequestor) -> Result<bool>;
    /// A requestor by ID.
    fn requestor(&self, id: &str) -> Result<Option<TokenRequestor>>;
    /// Stores a new token record; `false` if the token is already taken.
    fn insert_token(&self, r: &TspRecord) -> Result<bool>;
    /// A token record.
    fn token(&self, token: &str) -> Result<Option<TspRecord>>;
    /// Sets state and assurance if the record still has `expected` (state, assurance); `true`
    /// if it did and was updated.
    fn update_token(
        &self,
        token: &str,
        expected: (TokenState, u8),
        new: (TokenState, u8),
    ) -> Result<bool>;
    /// Tokens sharing a Payment Account Reference (in any state).
    fn tokens_with_par(&self, par: &str) -> Result<Vec<TspRecord>>;
}

/// A shared store (several TSP front ends over one store in one process).
impl<T: TspStore + ?Sized> TspStore for std::sync::Arc<T> {
    fn add_requestor(&self, r: &TokenRequestor) -> Result<bool> {
        (**self).add_requestor(r)
    }
    fn requestor(&self, id: &str) -> Result<Option<TokenRequestor>> {
        (**self).requestor(id)
    }
    fn insert_token(&self, r: &TspRecord) -> Result<bool> {
        (**self).insert_token(r)
    }
    fn token(&self, token: &str) -> Result<Option<TspRecord>> {
        (**self).token(token)
    }
    fn update_token(
        &self,
        token: &str,
        expected: (TokenState, u8),
        new: (TokenState, u8),
    ) -> Result<bool> {
        (**self).update_token(token, expected, new)
    }
    fn tokens_with_par(&self, par: &str) -> Result<Vec<TspRecord>> {
        (**self).tokens_with_par(par)
    }
}

#[derive(Default)]
struct Mem {
    requestors: HashMap<String, TokenRequestor>,
    tokens: HashMap<String, TspRecord>,
    by_par: HashMap<String, Vec<String>>,
}

/// TSP state in process memory (lost on restart; the PANs sealed all the same).
#[derive(Default)]
pub struct MemoryTspStore {
    inner: Mutex<Mem>,
}

impl MemoryTspStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Mem>> {
        self.inner.lock().map_err(|_| Error::Store {
            store: "tsp memory",
            message: "lock poisoned".into(),
        })
    }
}

impl TspStore for MemoryTspStore {
    fn add_requestor(&self, r: &TokenRequestor) -> Result<bool> {
        let mut m = self.lock()?;
        if m.requestors.contains_key(&r.id) {
            return Ok(false);
        }
        m.requestors.insert(r.id.clone(), r.clone());
        Ok(true)
    }

    fn requestor(&self, id: &str) -> Result<Option<TokenRequestor>> {
        Ok(self.lock()?.requestors.get(id).cloned())
    }

    fn insert_token(&self, r: &TspRecord) -> Result<bool> {
        let mut m = self.lock()?;
        if m.tokens.contains_key(&r.token) {
            return Ok(false);
        }
        m.tokens.insert(r.token.clone(), r.clone());
        m.by_par
            .entry(r.par.clone())
            .or_default()
            .push(r.token.clone());
        Ok(true)
    }

    fn token(&self, token: &str) -> Result<Option<TspRecord>> {
        Ok(self.lock()?.tokens.get(token).cloned())
    }

    fn update_token(
        &self,
        token: &str,
        expected: (TokenState, u8),
        new: (TokenState, u8),
    ) -> Result<bool> {
        let mut m = self.lock()?;
        match m.tokens.get_mut(token) {
            Some(r) if (r.state, r.assurance) == expected => {
                (r.state, r.assurance) = new;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn tokens_with_par(&self, par: &str) -> Result<Vec<TspRecord>> {
        let m = self.lock()?;
        Ok(m.by_par
            .get(par)
            .map(|ts| ts.iter().filter_map(|t| m.tokens.get(t).cloned()).collect())
            .unwrap_or_default())
    }
}

/// A stored text field that does not parse.
pub(crate) fn corrupt(field: &'static str) -> Error {
    Error::Integrity { what: field }
}

impl TokenState {
    /// The state's name as stored (`Inactive`, `Active`, `Suspended`, `Deleted`).
    pub fn name(self) -> &'static str {
        match self {
            TokenState::Inactive => "Inactive",
            TokenState::Active => "Active",
            TokenState::Suspended => "Suspended",
            TokenState::Deleted => "Deleted",
        }
    }

    /// Parses a stored state name.
    pub fn from_name(s: &str) -> Result<Self> {
        Ok(match s {
            "Inactive" => TokenState::Inactive,
            "Active" => TokenState::Active,
            "Suspended" => TokenState::Suspended,
            "Deleted" => TokenState::Deleted,
            _ => return Err(corrupt("stored token state")),
        })
    }
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 6] = [
        Channel::Contactless,
        Channel::Chip,
        Channel::Magstripe,
        Channel::Ecommerce,
        Channel::InApp,
        Channel::CardOnFile,
    ];

    /// The channel's name as stored.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Contactless => "contactless",
            Channel::Chip => "chip",
            Channel::Magstripe => "magstripe",
            Channel::Ecommerce => "ecommerce",
            Channel::InApp => "in-app",
            Channel::CardOnFile => "card-on-file",
        }
    }

    /// Parses a stored channel name.
    pub fn from_name(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or(corrupt("stored channel"))
    }
}

impl DomainControls {
    /// The controls as one line of stored text:
    /// `channels=chip,in-app;merchants=x<hex>,x<hex>;cof=0;cryptogram=1;expiry=2912` (merchant
    /// IDs hex-encoded so that any text round-trips; `merchants` and `expiry` omitted when unset).
    ///
    /// ```
    /// use mpay_tokenization::payment::{Channel, DomainControls};
    /// let d = DomainControls::new(vec![Channel::Chip]).merchants(&["M;1", ""]).expiry(2912);
    /// assert_eq!(DomainControls::from_record(&d.to_record()).unwrap(), d);
    /// let none = DomainControls::new(vec![Channel::Chip]).merchants(&[]);
    /// assert_eq!(DomainControls::from_record(&none.to_record()).unwrap(), none);
    /// ```
    pub fn to_record(&self) -> String {
        let mut s = String::from("channels=");
        let names: Vec<&str> = self.channels.iter().map(|c| c.name()).collect();
        s.push_str(&names.join(","));
        if let Some(ms) = &self.merchants {
            s.push_str(";merchants=");
            let hexes: Vec<String> = ms
                .iter()
                .map(|m| {
                    let hex: String = m.bytes().map(|b| format!("{b:02x}")).collect();
                    format!("x{hex}")
                })
                .collect();
            s.push_str(&hexes.join(","));
        }
        s.push_str(&format!(
            ";cof={};cryptogram={}",
            u8::from(self.card_on_file_only),
            u8::from(self.cryptogram_required)
        ));
        if let Some(e) = self.expiry {
            s.push_str(&format!(";expiry={e}"));
        }
        s
    }

    /// Parses [`DomainControls::to_record`]'s text; errors (never panics) on anything else.
    pub fn from_record(s: &str) -> Result<Self> {
        let bad = || corrupt("stored domain controls");
        let mut d = DomainControls::new(Vec::new());
        let mut seen_channels = false;
        for part in s.split(';') {
            let (k, v) = part.split_once('=').ok_or_else(bad)?;
            match k {
                "channels" => {
                    seen_channels = true;
                    d.channels = v
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(Channel::from_name)
                        .collect::<Result<_>>()?;
                }
                "merchants" => {
                    let ms = v
                        .split(',')
                        .filter(|m| !m.is_empty())
                        .map(|h| h.strip_prefix('x').and_then(unhex).ok_or_else(bad))
                        .collect::<Result<Vec<_>>>()?;
                    d.merchants = Some(ms);
                }
                "cof" => d.card_on_file_only = flag(v).ok_or_else(bad)?,
                "cryptogram" => d.cryptogram_required = flag(v).ok_or_else(bad)?,
                "expiry" => d.expiry = Some(v.parse().map_err(|_| bad())?),
                _ => return Err(bad()),
            }
        }
        if !seen_channels {
            return Err(bad());
        }
        Ok(d)
    }
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

fn unhex(h: &str) -> Option<String> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..h.len())
        .step_by(2)
        .map(|i| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok()))
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

impl TokenBinRange {
    /// Lowest prefix, zero-padded to the prefix length.
    pub fn low(&self) -> String {
        format!("{:0w$}", self.low, w = self.digits)
    }
    /// Highest prefix, zero-padded to the prefix length.
    pub fn high(&self) -> String {
        format!("{:0w$}", self.high, w = self.digits)
    }
    /// Token length in digits.
    pub fn length(&self) -> usize {
        self.length
    }
}
