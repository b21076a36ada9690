//! Vault: permissions, redaction, audit, convergence under concurrency, metadata, TTL, rotation,
//! volatile entries, token formats, AAD binding. Runs against the in-memory and SQLite stores.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use mpay_tokenization::Error;
use mpay_tokenization::luhn;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::vault::*;

const PAN: &str = "4111111111111111";

fn policy() -> AccessPolicy {
    let mut p = AccessPolicy::new();
    p.allow_tokenize("app")
        .allow_detokenize("clearing", "settlement", Reveal::Plain)
        .allow_detokenize("support", "call", Reveal::Masked)
        .allow_detokenize("analytics", "report", Reveal::Redacted)
        .allow_metadata_read("crm")
        .allow_metadata_write("app")
        .allow_manage("ops");
    p
}

fn keys() -> KeyRing {
    KeyRing::new(1, [0x11; 32], [0x22; 32])
}

fn app() -> Caller {
    Caller::new("app", "tokenize", "checkout 1")
}

fn vault<S: TokenStore>(s: S) -> (Vault<S>, Arc<MemoryAudit>) {
    let audit = Arc::new(MemoryAudit::default());
    (Vault::new(s, keys(), policy(), audit.clone()), audit)
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mpay-tok-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("vault.db")
}

fn reveal_and_audit<S: TokenStore>(v: &Vault<S>, audit: &MemoryAudit) {
    let pan = Pan::parse(PAN).unwrap();
    let t = v
        .tokenize(&app(), "shop", &pan, Some("{\"customer\":7}"))
        .unwrap();
    assert!(t.starts_with("tok_") && t.len() == 30, "{t}");
    assert_eq!(
        v.detokenize(
            &Caller::new("clearing", "settlement", "batch 3"),
            "shop",
            &t
        )
        .unwrap(),
        Revealed::Plain(pan.clone())
    );
    assert_eq!(
        v.detokenize(&Caller::new("support", "call", "ticket 9"), "shop", &t)
            .unwrap(),
        Revealed::Masked("************1111".into())
    );
    assert_eq!(
        v.detokenize(&Caller::new("analytics", "report", "monthly"), "shop", &t)
            .unwrap(),
        Revealed::Redacted
    );
    // wrong purpose, unknown principal, other tenant
    let e = v
        .detokenize(&Caller::new("support", "settlement", "x"), "shop", &t)
        .unwrap_err();
    assert!(matches!(e, Error::Denied { .. }), "{e}");
    assert!(
        v.detokenize(&Caller::new("eve", "settlement", "x"), "shop", &t)
            .is_err()
    );
    assert!(matches!(
        v.detokenize(&Caller::new("clearing", "settlement", "x"), "other", &t),
        Err(Error::NotFound { .. })
    ));
    // tokenizing needs its own permission
    assert!(
        v.tokenize(
            &Caller::new("clearing", "settlement", "x"),
            "shop",
            &pan,
            None
        )
        .is_err()
    );
    // metadata: own permission, no PAN permission needed or implied
    assert_eq!(
        v.metadata(&Caller::new("crm", "profile", "lookup"), "shop", &t)
            .unwrap()
            .as_deref(),
        Some("{\"customer\":7}")
    );
    assert!(
        v.detokenize(&Caller::new("crm", "profile", "x"), "shop", &t)
            .is_err()
    );
    assert!(
        v.metadata(&Caller::new("support", "call", "x"), "shop", &t)
            .is_err()
    );
    v.set_metadata(&app(), "shop", &t, Some("{}")).unwrap();
    assert!(
        v.set_metadata(&Caller::new("crm", "p", "x"), "shop", &t, None)
            .is_err()
    );
    assert_eq!(
        v.metadata(&Caller::new("crm", "p", "x"), "shop", &t)
            .unwrap()
            .as_deref(),
        Some("{}")
    );

    let events = audit.events();
    assert!(events.iter().any(|e| e.reason == "batch 3"
        && e.action == AuditAction::Detokenize
        && e.outcome == AuditOutcome::Allowed(Some(Reveal::Plain))));
    assert!(
        events
            .iter()
            .any(|e| e.principal == "eve" && e.outcome == AuditOutcome::Denied)
    );
    // the PAN never reaches the audit log, errors or Debug output
    for e in &events {
        assert!(!format!("{e:?}").contains("411111111"), "{e:?}");
    }
    assert!(!format!("{pan:?} {pan} {e}").contains("411111111"));
}

#[test]
fn memory_reveal_permissions_and_audit() {
    let (v, a) = vault(MemoryStore::new());
    reveal_and_audit(&v, &a);
}

#[test]
fn sqlite_reveal_permissions_and_audit() {
    let (v, a) = vault(SqliteStore::open(temp_db("reveal")).unwrap());
    reveal_and_audit(&v, &a);
}

fn convergent_1000<S: TokenStore + 'static>(v: Vault<S>) {
    v.configure_tenant(
        "conv",
        TenantConfig {
            convergent: true,
            ..TenantConfig::default()
        },
    )
    .unwrap();
    let v = Arc::new(v);
    let threads = 8;
    let per = 125; // 8 × 125 = 1,000 concurrent tokenizations of one PAN
    let barrier = Arc::new(Barrier::new(threads));
    let hs: Vec<_> = (0..threads)
        .map(|_| {
            let (v, b) = (v.clone(), barrier.clone());
            std::thread::spawn(move || {
                let pan = Pan::parse(PAN).unwrap();
                b.wait();
                (0..per)
                    .map(|_| v.tokenize(&app(), "conv", &pan, None).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<String> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(all.len(), 1000);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 1, "convergent tenant gave {} tokens", all.len());
    assert_eq!(v.store().count().unwrap(), 1);
    let pan = Pan::parse(PAN).unwrap();
    assert_eq!(
        v.lookup(&app(), "conv", &pan).unwrap(),
        Some(all[0].clone())
    );
    // a non-convergent tenant gives a fresh token each time and refuses lookup
    let a = v.tokenize(&app(), "plain", &pan, None).unwrap();
    let b = v.tokenize(&app(), "plain", &pan, None).unwrap();
    assert_ne!(a, b);
    assert!(v.lookup(&app(), "plain", &pan).is_err());
    // fingerprints are keyed and tenant-scoped
    assert_ne!(
        v.fingerprint("conv", &pan).unwrap(),
        v.fingerprint("plain", &pan).unwrap()
    );
}

#[test]
fn memory_convergent_1000_concurrent_one_token() {
    convergent_1000(vault(MemoryStore::new()).0);
}

#[test]
fn sqlite_convergent_1000_concurrent_one_token() {
    convergent_1000(vault(SqliteStore::open(temp_db("conv")).unwrap()).0);
}

fn ttl_tidy<S: TokenStore>(s: S) {
    let now = Arc::new(AtomicU64::new(1_000_000));
    let n2 = now.clone();
    let audit = Arc::new(NoAudit);
    let v = Vault::new(s, keys(), policy(), audit)
        .with_clock(Arc::new(move || n2.load(Ordering::SeqCst)));
    v.configure_tenant(
        "ttl",
        TenantConfig {
            ttl: Some(60),
            ..TenantConfig::default()
        },
    )
    .unwrap();
    let pan = Pan::parse(PAN).unwrap();
    let t = v.tokenize(&app(), "ttl", &pan, None).unwrap();
    let keep = v.tokenize(&app(), "forever", &pan, None).unwrap();
    let clear = Caller::new("clearing", "settlement", "x");
    assert!(v.detokenize(&clear, "ttl", &t).is_ok());
    now.fetch_add(60, Ordering::SeqCst);
    assert!(matches!(
        v.detokenize(&clear, "ttl", &t),
        Err(Error::Expired { .. })
    ));
    assert!(v.tidy(&app()).is_err(), "tidy needs the manage permission");
    assert_eq!(v.tidy(&Caller::new("ops", "tidy", "nightly")).unwrap(), 1);
    assert!(matches!(
        v.detokenize(&clear, "ttl", &t),
        Err(Error::NotFound { .. })
    ));
    assert!(v.detokenize(&clear, "forever", &keep).is_ok());
    // a convergent tenant with TTL hands out a new token once the old one expired
    v.configure_tenant(
        "cttl",
        TenantConfig {
            convergent: true,
            ttl: Some(10),
            ..TenantConfig::default()
        },
    )
    .unwrap();
    let c1 = v.tokenize(&app(), "cttl", &pan, None).unwrap();
    assert_eq!(v.tokenize(&app(), "cttl", &pan, None).unwrap(), c1);
    now.fetch_add(10, Ordering::SeqCst);
    let c2 = v.tokenize(&app(), "cttl", &pan, None).unwrap();
    assert_ne!(c1, c2);
    assert!(v.detokenize(&clear, "cttl", &c2).is_ok());
}

#[test]
fn memory_ttl_and_tidy() {
    ttl_tidy(MemoryStore::new());
}

#[test]
fn sqlite_ttl_and_tidy() {
    ttl_tidy(SqliteStore::open(temp_db("ttl")).unwrap());
}

fn rotation<S: TokenStore>(s: S) {
    let (v, _) = vault(s);
    let pans: Vec<Pan> = (0..20)
        .map(|i| {
            let mut d = vec![
                5u8,
                4,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                (i / 10) as u8,
                (i % 10) as u8,
            ];
            d.push(luhn::check_digit(&d));
            Pan::from_digits(&d).unwrap()
        })
        .collect();
    let old: Vec<String> = pans
        .iter()
        .map(|p| v.tokenize(&app(), "r", p, None).unwrap())
        .collect();
    let ops = Caller::new("ops", "rotate", "quarterly");
    assert!(v.rotate(&app(), 2, DataKey::aes256([0x33; 32])).is_err());
    v.rotate(&ops, 2, DataKey::aes256([0x33; 32])).unwrap();
    let new = v.tokenize(&app(), "r", &pans[0], None).unwrap();
    assert_eq!(v.store().get("r", &new).unwrap().unwrap().key_version, 2);
    assert!(v.retire(&ops, 1).is_err(), "entries still sealed under v1");
    let mut total = 0;
    loop {
        let n = v.rewrap(&ops, 7).unwrap();
        if n == 0 {
            break;
        }
        total += n;
    }
    assert_eq!(total, 20);
    v.retire(&ops, 1).unwrap();
    let clear = Caller::new("clearing", "settlement", "x");
    for (t, p) in old.iter().zip(&pans) {
        assert_eq!(v.store().get("r", t).unwrap().unwrap().key_version, 2);
        assert_eq!(
            v.detokenize(&clear, "r", t).unwrap(),
            Revealed::Plain(p.clone())
        );
    }
}

#[test]
fn memory_rotation_rewrap_retire() {
    rotation(MemoryStore::new());
}

#[test]
fn sqlite_rotation_rewrap_retire() {
    rotation(SqliteStore::open(temp_db("rot")).unwrap());
}

#[test]
fn volatile_cvv_never_reaches_the_database() {
    let path = temp_db("volatile");
    let (v, _) = vault(SqliteStore::open(&path).unwrap());
    let cvv = b"MPAYCVV-739";
    let t = v.tokenize_volatile(&app(), "shop", cvv, 300).unwrap();
    assert!(t.starts_with("vol_"));
    assert_eq!(v.store().count().unwrap(), 0);
    let clear = Caller::new("clearing", "settlement", "auth 1");
    assert!(
        v.detokenize_volatile(&Caller::new("support", "call", "x"), "shop", &t, true)
            .is_err()
    );
    assert_eq!(
        &v.detokenize_volatile(&clear, "shop", &t, true).unwrap()[..],
        cvv
    );
    assert!(matches!(
        v.detokenize_volatile(&clear, "shop", &t, true),
        Err(Error::NotFound { .. })
    ));
    // a persistent entry next to it, then check every file of the database for the CVV bytes
    v.tokenize(&app(), "shop", &Pan::parse(PAN).unwrap(), None)
        .unwrap();
    drop(v);
    for f in std::fs::read_dir(path.parent().unwrap()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!bytes.windows(cvv.len()).any(|w| w == cvv));
        assert!(
            !bytes.windows(PAN.len()).any(|w| w == PAN.as_bytes()),
            "PAN in clear on disk"
        );
    }
}

#[test]
fn sealed_pan_is_bound_to_its_token() {
    let (v, _) = vault(MemoryStore::new());
    let pan = Pan::parse(PAN).unwrap();
    let t = v.tokenize(&app(), "shop", &pan, None).unwrap();
    let mut e = v.store().get("shop", &t).unwrap().unwrap();
    e.token = "tok_moved".into();
    assert_eq!(v.store().insert(&e).unwrap(), Insert::Inserted);
    let clear = Caller::new("clearing", "settlement", "x");
    assert!(matches!(
        v.detokenize(&clear, "shop", "tok_moved"),
        Err(Error::Integrity { .. })
    ));
    let mut e = v.store().get("shop", &t).unwrap().unwrap();
    e.token = "tok_flipped".into();
    e.sealed[20] ^= 1;
    v.store().insert(&e).unwrap();
    assert!(v.detokenize(&clear, "shop", "tok_flipped").is_err());
}

#[test]
fn numeric_token_format_from_a_range() {
    let (v, _) = vault(MemoryStore::new());
    let fmt = TokenFormat::Numeric {
        prefix: "999123".into(),
        length: 16,
        luhn_valid: true,
    };
    v.configure_tenant(
        "num",
        TenantConfig {
            format: fmt,
            ..TenantConfig::default()
        },
    )
    .unwrap();
    let pan = Pan::parse(PAN).unwrap();
    for _ in 0..50 {
        let t = v.tokenize(&app(), "num", &pan, None).unwrap();
        assert_eq!(t.len(), 16);
        assert!(t.starts_with("999123"));
        assert!(luhn::is_valid(&luhn::digits(&t).unwrap()));
    }
    let bad = TokenFormat::Numeric {
        prefix: "1234567890123".into(),
        length: 16,
        luhn_valid: true,
    };
    assert!(
        v.configure_tenant(
            "bad",
            TenantConfig {
                format: bad,
                ..TenantConfig::default()
            }
        )
        .is_err()
    );
}

#[test]
fn group_commit_batch_and_concurrent_writers() {
    let (v, _) = vault(SqliteStore::open(temp_db("batch")).unwrap());
    let v = Arc::new(v);
    let pans: Vec<Pan> = (0..200u64)
        .map(|i| {
            let s = format!("{:015}", 400_000_000_000_000u64 + i);
            let mut d = luhn::digits(&s).unwrap();
            d.push(luhn::check_digit(&d));
            Pan::from_digits(&d).unwrap()
        })
        .collect();
    let tokens = v.tokenize_batch(&app(), "b", &pans, None).unwrap();
    let hs: Vec<_> = (0..4)
        .map(|k| {
            let (v, ps) = (v.clone(), pans.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                for p in ps.iter().skip(k).step_by(4) {
                    v.tokenize(&app(), "c", p, None).unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let n: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(n, 200);
    assert_eq!(v.store().count().unwrap(), 400);
    let clear = Caller::new("clearing", "settlement", "x");
    for (t, p) in tokens.iter().zip(&pans) {
        assert_eq!(
            v.detokenize(&clear, "b", t).unwrap(),
            Revealed::Plain(p.clone())
        );
    }
}

#[test]
fn sm4_gcm_data_key_and_rotation_between_algorithms() {
    let audit = Arc::new(NoAudit);
    let ring = KeyRing::with_data_key(1, DataKey::sm4([0x44; 16]), [0x55; 32]);
    let v = Vault::new(MemoryStore::new(), ring, policy(), audit);
    let pan = Pan::parse(PAN).unwrap();
    let t = v.tokenize(&app(), "gm", &pan, None).unwrap();
    let clear = Caller::new("clearing", "settlement", "x");
    assert_eq!(
        v.detokenize(&clear, "gm", &t).unwrap(),
        Revealed::Plain(pan.clone())
    );
    let ops = Caller::new("ops", "rotate", "to AES");
    v.rotate(&ops, 2, DataKey::aes256([0x66; 32])).unwrap();
    assert_eq!(v.rewrap(&ops, 10).unwrap(), 1);
    v.retire(&ops, 1).unwrap();
    assert_eq!(
        v.detokenize(&clear, "gm", &t).unwrap(),
        Revealed::Plain(pan)
    );
    // a master-derived ring is deterministic
    assert!(KeyRing::from_master(&[1; 31]).is_err());
    let a = Vault::new(
        MemoryStore::new(),
        KeyRing::from_master(&[9; 32]).unwrap(),
        policy(),
        Arc::new(NoAudit),
    );
    let b = Vault::new(
        MemoryStore::new(),
        KeyRing::from_master(&[9; 32]).unwrap(),
        policy(),
        Arc::new(NoAudit),
    );
    let p = Pan::parse(PAN).unwrap();
    assert_eq!(
        a.fingerprint("x", &p).unwrap(),
        b.fingerprint("x", &p).unwrap()
    );
}
