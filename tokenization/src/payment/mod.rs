//! EMV payment tokens: a Token Service Provider (TSP) model after the EMVCo Payment Tokenisation
//! Technical Framework.
//!
//! - **Token requestors** are registered with an 11-digit Token Requestor ID and a **token BIN
//!   range**; tokens are random, Luhn-valid, drawn from the requestor's range and never equal a
//!   real PAN known to the TSP.
//! - **One PAN, many tokens** (one per requestor/device/merchant); all share the PAN's **Payment
//!   Account Reference** (PAR: 4-character BIN controller ID + 25 characters, keyed HMAC of the
//!   PAN, so it cannot be reversed).
//! - **Token assurance level** follows from the ID&V method ([`IdvMethod::assurance`]).
//! - **Domain restriction controls**: channels (POS entry modes), merchants, card-on-file only,
//!   token expiry, cryptogram required — checked on every detokenization for authorization.
//! - **Lifecycle** Inactive → Active ⇄ Suspended → Deleted with only the legal transitions.
//!
//! - **State** lives in a [`TspStore`]: in memory by default ([`Tsp::new`]), or in the vault's
//!   SQLite or PostgreSQL store ([`Tsp::with_store`]) so that a restart keeps every token with
//!   its lifecycle state, assurance and domain controls. PANs are stored sealed (AES-256-GCM or
//!   SM4-GCM, bound to the token), never in clear.
//!
//! Cryptograms here are a TSP-verified HMAC over the transaction (a stand-in for TAVV/DSRP); EMV ARQCs belong to the
//! `emv` crate.
//!
//! ```
//! use mpay_tokenization::pan::Pan;
//! use mpay_tokenization::payment::*;
//! let tsp = Tsp::new("V001", [1; 32], [2; 32]).unwrap();
//! tsp.register_requestor(TokenRequestor::new("40010030273", "Wallet", TokenBinRange::new("48950000", "48950099", 16).unwrap()).unwrap()).unwrap();
//! let pan = Pan::parse("4111111111111111").unwrap();
//! let domain = DomainControls::new(vec![Channel::Contactless]).expiry(2912);
//! let t = tsp.request_token("40010030273", &pan, IdvMethod::IssuerApp, domain).unwrap();
//! assert_eq!(t.state, TokenState::Active);
//! let req = AuthRequest::new(&t.token, Channel::Contactless, "M1", 2604).expiry(2912);
//! assert_eq!(tsp.authorize(&req).unwrap(), pan);
//! let ecom = AuthRequest::new(&t.token, Channel::Ecommerce, "M1", 2604).expiry(2912);
//! assert!(tsp.authorize(&ecom).is_err());
//! ```

mod store;

pub use store::{MemoryTspStore, TspRecord, TspStore};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::luhn;
use crate::pan::Pan;
use crate::vault::{DataKey, Sealer};

/// A token BIN range: token prefixes from `low` to `high` (same number of digits) and the
/// token length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBinRange {
    low: u64,
    high: u64,
    digits: usize,
    length: usize,
}

impl TokenBinRange {
    /// A range like `("48950000", "48950099", 16)`.
    pub fn new(low: &str, high: &str, length: usize) -> Result<Self> {
        let bad = |reason| Error::Config {
            field: "token BIN range",
            reason,
        };
        if low.len() != high.len() || !(6..=11).contains(&low.len()) {
            return Err(bad("low and high need the same length of 6..=11 digits"));
        }
        if !(13..=19).contains(&length) || length < low.len() + 7 {
            return Err(bad(
                "token length 13..=19 with at least 6 random digits and a check digit",
            ));
        }
        let p = |s: &str| s.parse::<u64>().map_err(|_| bad("digits only"));
        let (l, h) = (p(low)?, p(high)?);
        if l > h || !low.bytes().chain(high.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad("low must not exceed high"));
        }
        Ok(TokenBinRange {
            low: l,
            high: h,
            digits: low.len(),
            length,
        })
    }

    /// Whether `token` lies in this range (prefix and length).
    pub fn contains(&self, token: &str) -> bool {
        token.len() == self.length
            && token[..self.digits]
                .parse::<u64>()
                .is_ok_and(|p| (self.low..=self.high).contains(&p))
    }

    fn draw(&self) -> Result<String> {
        let mut r = [0u8; 32];
        getrandom::fill(&mut r).map_err(|_| Error::Generation {
            reason: "OS random generator failed",
        })?;
        let span = self.high - self.low + 1;
        let x = u64::from_be_bytes(r[..8].try_into().unwrap_or_default());
        let prefix = self.low + x % span; // bias < span / 2^64: negligible for BIN ranges
        let mut d: Vec<u8> = format!("{prefix:0w$}", w = self.digits)
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let mut pool = r[8..].iter().filter(|&&b| b < 250).map(|&b| b % 10);
        while d.len() < self.length - 1 {
            match pool.next() {
                Some(x) => d.push(x),
                None => return self.draw(),
            }
        }
        d.push(luhn::check_digit(&d));
        Ok(d.iter().map(|&x| (b'0' + x) as char).collect())
    }
}

/// A registered token requestor (wallet, merchant, card-on-file service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequestor {
    /// 11-digit Token Requestor ID (3-digit TSP code + 8 assigned digits).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where its tokens come from.
    pub range: TokenBinRange,
}

impl TokenRequestor {
    /// Checks the ID is 11 digits.
    pub fn new(id: &str, name: &str, range: TokenBinRange) -> Result<Self> {
        if id.len() != 11 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Config {
                field: "token requestor ID",
                reason: "11 digits",
            });
        }
        Ok(TokenRequestor {
            id: id.into(),
            name: name.into(),
            range,
        })
    }
}

/// Identification and verification performed before the token was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdvMethod {
    /// No ID&V.
    None,
    /// Account data checks (AVS, CVV2, expiry).
    AccountVerification,
    /// One-time password to the cardholder's registered phone or e-mail.
    Otp,
    /// Call to the issuer's call centre.
    CallCenter,
    /// Authentication in the issuer's mobile app.
    IssuerApp,
    /// Issuer app with cardholder biometrics.
    IssuerAppBiometric,
}

impl IdvMethod {
    /// Token assurance level (00–99 scale): higher for stronger ID&V.
    pub fn assurance(self) -> u8 {
        match self {
            IdvMethod::None => 0,
            IdvMethod::AccountVerification => 20,
            IdvMethod::Otp => 40,
            IdvMethod::CallCenter => 50,
            IdvMethod::IssuerApp => 60,
            IdvMethod::IssuerAppBiometric => 80,
        }
    }
}

/// Level at or above which a token is activated on issue (below: Inactive until ID&V).
pub const ACTIVATION_ASSURANCE: u8 = 40;

/// Where a transaction comes from (POS entry mode, ISO 8583 DE 22 positions 1–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Contactless chip (07).
    Contactless,
    /// Contact chip (05).
    Chip,
    /// Magnetic stripe (90).
    Magstripe,
    /// E-commerce (81).
    Ecommerce,
    /// In-app payment with a wallet cryptogram (also 81, told apart by the requestor).
    InApp,
    /// Stored credential / card on file (10).
    CardOnFile,
}

impl Channel {
    /// POS entry mode code.
    pub fn pos_entry_mode(self) -> &'static str {
        match self {
            Channel::Contactless => "07",
            Channel::Chip => "05",
            Channel::Magstripe => "90",
            Channel::Ecommerce | Channel::InApp => "81",
            Channel::CardOnFile => "10",
        }
    }
}

/// Token domain restriction controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainControls {
    /// Allowed channels.
    pub channels: Vec<Channel>,
    /// Allowed merchant IDs (`None`: any).
    pub merchants: Option<Vec<String>>,
    /// Only card-on-file transactions.
    pub card_on_file_only: bool,
    /// A valid cryptogram must accompany every use.
    pub cryptogram_required: bool,
    /// Token expiry YYMM (`None`: the PAN's).
    pub expiry: Option<u16>,
}

impl DomainControls {
    /// Controls allowing `channels`, any merchant, no cryptogram, no expiry.
    pub fn new(channels: Vec<Channel>) -> Self {
        DomainControls {
            channels,
            merchants: None,
            card_on_file_only: false,
            cryptogram_required: false,
            expiry: None,
        }
    }
    /// Restricts to these merchants.
    pub fn merchants(mut self, m: &[&str]) -> Self {
        self.merchants = Some(m.iter().map(|s| s.to_string()).collect());
        self
    }
    /// Card-on-file only.
    pub fn card_on_file_only(mut self) -> Self {
        self.card_on_file_only = true;
        self
    }
    /// Requires a cryptogram.
    pub fn cryptogram_required(mut self) -> Self {
        self.cryptogram_required = true;
        self
    }
    /// Token expiry YYMM.
    pub fn expiry(mut self, yymm: u16) -> Self {
        self.expiry = Some(yymm);
        self
    }
}

/// Token lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// Issued, awaiting ID&V or activation.
    Inactive,
    /// Usable.
    Active,
    /// Temporarily blocked (e.g. device lost).
    Suspended,
    /// Permanently removed.
    Deleted,
}

impl TokenState {
    /// Whether `self → to` is a legal lifecycle transition.
    pub fn can_become(self, to: TokenState) -> bool {
        use TokenState::*;
        matches!(
            (self, to),
            (Inactive, Active)
                | (Inactive, Deleted)
                | (Active, Suspended)
                | (Active, Deleted)
                | (Suspended, Active)
                | (Suspended, Deleted)
        )
    }
}

/// What the TSP returns on issue (the PAN stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The payment token.
    pub token: String,
    /// Requestor it belongs to.
    pub requestor: String,
    /// Assurance level.
    pub assurance: u8,
    /// State.
    pub state: TokenState,
    /// Payment Account Reference of the underlying PAN.
    pub par: String,
    /// Token expiry YYMM, if any.
    pub expiry: Option<u16>,
}

/// An authorization (detokenization) request with its domain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The token presented.
    pub token: String,
    /// Channel.
    pub channel: Channel,
    /// Merchant ID.
    pub merchant: String,
    /// Card-on-file transaction.
    pub card_on_file: bool,
    /// Token expiry presented (YYMM).
    pub expiry: Option<u16>,
    /// Current date YYMM.
    pub today: u16,
    /// Amount in minor units (bound into the cryptogram).
    pub amount: u64,
    /// Cryptogram presented.
    pub cryptogram: Option<[u8; 8]>,
}

impl AuthRequest {
    /// A request on `channel` at `merchant` on date `today` (YYMM).
    pub fn new(token: &str, channel: Channel, merchant: &str, today: u16) -> Self {
        AuthRequest {
            token: token.into(),
            channel,
            merchant: merchant.into(),
            card_on_file: channel == Channel::CardOnFile,
            expiry: None,
            today,
            amount: 0,
            cryptogram: None,
        }
    }
    /// Sets the presented token expiry.
    pub fn expiry(mut self, yymm: u16) -> Self {
        self.expiry = Some(yymm);
        self
    }
    /// Sets amount and cryptogram.
    pub fn with_cryptogram(mut self, amount: u64, c: [u8; 8]) -> Self {
        self.amount = amount;
        self.cryptogram = Some(c);
        self
    }
}

/// The token service provider over a [`TspStore`] (in memory unless given one).
pub struct Tsp<S: TspStore = MemoryTspStore> {
    bcid: String,
    par_key: Zeroizing<[u8; 32]>,
    crypto_key: Zeroizing<[u8; 32]>,
    data_version: u32,
    sealer: Sealer,
    store: S,
}

impl<S: TspStore> core::fmt::Debug for Tsp<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tsp")
            .field("bcid", &self.bcid)
            .finish_non_exhaustive()
    }
}

const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Associated-data label of the PANs sealed in TSP records.
const TSP_AAD: &[u8] = b"mpay-tsp/v1\0";

/// Attempts of a compare-and-set lifecycle update before giving up (another TSP process keeps
/// changing the same token).
const CAS_ATTEMPTS: usize = 16;

fn hmac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(&(p.len() as u32).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn not_found() -> Error {
    Error::NotFound {
        tenant: "tsp".into(),
    }
}

impl Tsp {
    /// An in-memory TSP with a 4-character BIN controller ID (for PARs), a PAR key and a
    /// cryptogram key; PANs are sealed under a random data key that lives as long as the TSP.
    pub fn new(bcid: &str, par_key: [u8; 32], crypto_key: [u8; 32]) -> Result<Self> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|_| Error::Generation {
            reason: "OS random generator failed",
        })?;
        Tsp::with_store(
            bcid,
            par_key,
            crypto_key,
            (1, DataKey::aes256(k)),
            MemoryTspStore::new(),
        )
    }
}

impl<S: TspStore> Tsp<S> {
    /// A TSP over `store` (e.g. the vault's `SqliteStore` or `PgStore`): `data_key` = (version,
    /// key) seals the PANs of its token records (AES-256-GCM or SM4-GCM); restart it with the
    /// same keys to find every token again.
    pub fn with_store(
        bcid: &str,
        par_key: [u8; 32],
        crypto_key: [u8; 32],
        data_key: (u32, DataKey),
        store: S,
    ) -> Result<Self> {
        if bcid.len() != 4 || !bcid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::Config {
                field: "BIN controller ID",
                reason: "4 alphanumeric characters",
            });
        }
        Ok(Tsp {
            bcid: bcid.to_ascii_uppercase(),
            par_key: Zeroizing::new(par_key),
            crypto_key: Zeroizing::new(crypto_key),
            data_version: data_key.0,
            sealer: data_key.1.sealer(TSP_AAD)?,
            store,
        })
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    fn record(&self, token: &str) -> Result<TspRecord> {
        self.store.token(token)?.ok_or_else(not_found)
    }

    fn pan(&self, r: &TspRecord) -> Result<Pan> {
        if r.key_version != self.data_version {
            return Err(Error::UnknownKeyVersion {
                version: r.key_version,
            });
        }
        self.sealer
            .open_pan(r.key_version, "tsp", &r.token, &r.sealed)
    }

    /// Registers a requestor (IDs are unique).
    pub fn register_requestor(&self, r: TokenRequestor) -> Result<()> {
        if !self.store.add_requestor(&r)? {
            return Err(Error::Config {
                field: "token requestor ID",
                reason: "already registered",
            });
        }
        Ok(())
    }

    /// The Payment Account Reference of a PAN: 29 characters, BIN controller ID + 25 characters
    /// from a keyed HMAC of the PAN (stable across all its tokens, not reversible).
    pub fn par(&self, pan: &Pan) -> String {
        let h = hmac(&self.par_key, &[b"mpay-par-v1", pan.digits()]);
        let mut acc = u128::from_be_bytes(h[..16].try_into().unwrap_or_default());
        let mut acc2 = u128::from_be_bytes(h[16..].try_into().unwrap_or_default());
        let mut s = self.bcid.clone();
        for i in 0..25 {
            let a = if i < 13 { &mut acc } else { &mut acc2 };
            s.push(ALNUM[(*a % 36) as usize] as char);
            *a /= 36;
        }
        s
    }

    /// Issues a token for `pan` to requestor `trid`. Assurance comes from `idv`; tokens below
    /// [`ACTIVATION_ASSURANCE`] start Inactive. The record is durable (persistent stores) when
    /// this returns.
    pub fn request_token(
        &self,
        trid: &str,
        pan: &Pan,
        idv: IdvMethod,
        domain: DomainControls,
    ) -> Result<IssuedToken> {
        if domain.channels.is_empty() {
            return Err(Error::Config {
                field: "domain channels",
                reason: "at least one channel",
            });
        }
        let par = self.par(pan);
        let r = self.store.requestor(trid)?.ok_or(Error::Config {
            field: "token requestor ID",
            reason: "not registered",
        })?;
        let assurance = idv.assurance();
        let state = if assurance >= ACTIVATION_ASSURANCE {
            TokenState::Active
        } else {
            TokenState::Inactive
        };
        let expiry = domain.expiry;
        let mut record = TspRecord {
            token: String::new(),
            requestor: trid.into(),
            par: par.clone(),
            assurance,
            state,
            domain,
            key_version: self.data_version,
            sealed: Vec::new(),
        };
        for _ in 0..64 {
            let t = r.range.draw()?;
            if t == *pan.expose() {
                continue;
            }
            record.sealed =
                self.sealer
                    .seal_fresh(self.data_version, "tsp", &t, pan.expose().as_bytes())?;
            record.token = t;
            if self.store.insert_token(&record)? {
                return Ok(IssuedToken {
                    token: record.token,
                    requestor: trid.into(),
                    assurance,
                    state,
                    par,
                    expiry,
                });
            }
        }
        Err(Error::Generation {
            reason: "token BIN range exhausted",
        })
    }

    /// Applies `change` to a token's (state, assurance) with compare-and-set, re-reading and
    /// retrying when another writer got there first.
    fn update(
        &self,
        token: &str,
        change: impl Fn(TokenState, u8) -> Result<(TokenState, u8)>,
    ) -> Result<(TokenState, u8)> {
        for _ in 0..CAS_ATTEMPTS {
            let r = self.record(token)?;
            let old = (r.state, r.assurance);
            let new = change(r.state, r.assurance)?;
            if new == old || self.store.update_token(token, old, new)? {
                return Ok(new);
            }
        }
        Err(Error::Store {
            store: "tsp",
            message: "token changed concurrently too often".into(),
        })
    }

    /// Records further ID&V: raises the assurance and activates an Inactive token once high
    /// enough. Returns the new assurance level.
    pub fn complete_idv(&self, token: &str, idv: IdvMethod) -> Result<u8> {
        let (_, a) = self.update(token, |state, assurance| {
            let a = assurance.max(idv.assurance());
            let s = if state == TokenState::Inactive && a >= ACTIVATION_ASSURANCE {
                TokenState::Active
            } else {
                state
            };
            Ok((s, a))
        })?;
        Ok(a)
    }

    /// Moves a token to `to` if the lifecycle allows it.
    pub fn transition(&self, token: &str, to: TokenState) -> Result<()> {
        self.update(token, |state, assurance| {
            if !state.can_become(to) {
                return Err(Error::IllegalTransition {
                    from: state.name(),
                    to: to.name(),
                });
            }
            Ok((to, assurance))
        })
        .map(drop)
    }

    /// Current state of a token.
    pub fn state(&self, token: &str) -> Result<TokenState> {
        Ok(self.record(token)?.state)
    }

    /// Every live token of a PAN (one PAN, many tokens).
    pub fn tokens_for_pan(&self, pan: &Pan) -> Result<Vec<String>> {
        Ok(self
            .store
            .tokens_with_par(&self.par(pan))?
            .into_iter()
            .filter(|r| r.state != TokenState::Deleted)
            .map(|r| r.token)
            .collect())
    }

    /// The cryptogram a token holder computes for a transaction (model of TAVV/DSRP data).
    pub fn cryptogram(&self, token: &str, merchant: &str, amount: u64) -> [u8; 8] {
        let h = hmac(
            &self.crypto_key,
            &[
                b"mpay-tsp-cryptogram-v1",
                token.as_bytes(),
                merchant.as_bytes(),
                &amount.to_be_bytes(),
            ],
        );
        let mut c = [0u8; 8];
        c.copy_from_slice(&h[..8]);
        c
    }

    /// Detokenizes for authorization: the token must be Active, in the requestor's range, and the
    /// request must satisfy every domain restriction control.
    pub fn authorize(&self, req: &AuthRequest) -> Result<Pan> {
        let r = self.record(&req.token)?;
        let fail = |control| Err(Error::DomainViolation { control });
        match r.state {
            TokenState::Active => {}
            TokenState::Suspended => return fail("token suspended"),
            TokenState::Inactive => return fail("token inactive"),
            TokenState::Deleted => return fail("token deleted"),
        }
        if !self
            .store
            .requestor(&r.requestor)?
            .is_some_and(|q| q.range.contains(&req.token))
        {
            return fail("token outside its requestor's token BIN range");
        }
        let d = &r.domain;
        if !d.channels.contains(&req.channel) {
            return fail("channel / POS entry mode not allowed");
        }
        if let Some(m) = &d.merchants
            && !m.contains(&req.merchant)
        {
            return fail("merchant not allowed");
        }
        if d.card_on_file_only && !req.card_on_file {
            return fail("card-on-file only");
        }
        if let Some(exp) = d.expiry {
            if req.expiry != Some(exp) {
                return fail("token expiry mismatch");
            }
            if yymm_after(req.today, exp) {
                return fail("token expired");
            }
        }
        if d.cryptogram_required {
            let want = self.cryptogram(&req.token, &req.merchant, req.amount);
            match req.cryptogram {
                Some(c) if bool::from(c.ct_eq(&want)) => {}
                Some(_) => return fail("cryptogram invalid"),
                None => return fail("cryptogram required"),
            }
        }
        self.pan(&r)
    }

    /// Detokenization for the issuer or the token's own requestor (no domain check), refused for
    /// Deleted tokens and for other requestors.
    pub fn detokenize(&self, token: &str, requestor: &str) -> Result<Pan> {
        let r = self.record(token)?;
        if r.requestor != requestor {
            return Err(Error::Denied {
                principal: requestor.into(),
                action: "detokenize another requestor's token".into(),
            });
        }
        if r.state == TokenState::Deleted {
            return Err(Error::DomainViolation {
                control: "token deleted",
            });
        }
        self.pan(&r)
    }

    /// Assurance level and PAR of a token (no PAN).
    pub fn info(&self, token: &str) -> Result<(u8, String)> {
        let r = self.record(token)?;
        Ok((r.assurance, r.par))
    }
}

/// Whether date `today` (YYMM) is after the end of month `exp` (YYMM).
fn yymm_after(today: u16, exp: u16) -> bool {
    let m = |x: u16| (x / 100) * 12 + (x % 100);
    m(today) > m(exp)
}
