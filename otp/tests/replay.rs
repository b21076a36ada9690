//! Replay protection: atomic single use under contention, newer steps invalidate older ones,
//! and a code bound to one POS is refused at another.

use mpay_otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer, Verdict,
};
use mpay_otp::replay::{MemoryReplayGuard, ReplayGuard};
use mpay_otp::{Algorithm, Match, Totp, Window};
use std::collections::BTreeMap;
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

const KEY: &[u8] = b"12345678901234567890";

/// 1,000 threads verify the same code at once: exactly one is accepted.
fn one_winner<G: ReplayGuard + Sync>(guard: &G) {
    let totp = Totp::new(Algorithm::Sha1, KEY, 6)
        .unwrap()
        .with_window(Window::PastOnly(1));
    let now = 1_700_000_000;
    let code = totp.generate(now).unwrap().to_string();
    let wins = AtomicUsize::new(0);
    let barrier = Barrier::new(1000);
    std::thread::scope(|s| {
        for _ in 0..1000 {
            s.spawn(|| {
                barrier.wait();
                let m = totp.verify(&code, now).unwrap();
                if guard.consume("alice", m).unwrap().is_some() {
                    wins.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    assert_eq!(wins.load(Ordering::SeqCst), 1);
    assert_eq!(guard.last_step("alice").unwrap(), Some(now / 30));
}

#[test]
fn memory_guard_thousand_threads_one_success() {
    one_winner(&MemoryReplayGuard::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_guard_thousand_threads_one_success() {
    let dir = std::env::temp_dir().join(format!("mpay-otp-replay-{}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let guard = mpay_otp::replay::SqliteReplayGuard::open(&dir).unwrap();
    one_winner(&guard);
    // A second connection to the same file sees the consumed step (cross-process atomicity
    // rests on the single UPSERT statement).
    let other = mpay_otp::replay::SqliteReplayGuard::open(&dir).unwrap();
    assert!(!other.check_and_store("alice", 1_700_000_000 / 30).unwrap());
    assert!(
        other
            .check_and_store("alice", 1_700_000_000 / 30 + 1)
            .unwrap()
    );
    drop((guard, other));
    let _ = std::fs::remove_file(&dir);
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_guard_older_step_refused_after_newer() {
    let g = mpay_otp::replay::SqliteReplayGuard::open_in_memory().unwrap();
    older_step_refused(&g);
    assert!(
        !g.check_and_store("x", u64::MAX).unwrap(),
        "steps ≥ 2^63 refused"
    );
}

#[test]
fn memory_guard_older_step_refused_after_newer() {
    older_step_refused(&MemoryReplayGuard::new());
}

fn older_step_refused<G: ReplayGuard>(g: &G) {
    let totp = Totp::new(Algorithm::Sha256, b"12345678901234567890123456789012", 8)
        .unwrap()
        .with_window(Window::PastOnly(2));
    let now = 1_111_111_111;
    let old = totp.generate(now - 30).unwrap().to_string();
    let new = totp.generate(now).unwrap().to_string();
    // Both are valid in the window…
    assert_eq!(
        totp.verify(&old, now).unwrap(),
        Some(Match::Step(now / 30 - 1))
    );
    // …but once the newer one is consumed the older one is refused.
    let spend = |who: &str, code: &str| g.consume(who, totp.verify(code, now).unwrap()).unwrap();
    assert!(spend("bob", &new).is_some());
    assert!(spend("bob", &old).is_none());
    assert!(spend("bob", &new).is_none());
    // Other credentials are independent.
    assert!(spend("carol", &old).is_some());
}

type Server = PaycodeServer<BTreeMap<u64, PaycodeCredential>, MemoryReplayGuard>;

/// A device and a server that knows only that device.
fn one_device(config: PaycodeConfig, index: u64, seed: &[u8]) -> (PaycodeDevice, Server) {
    let code_key = [9u8; 32];
    let device = PaycodeDevice::new(config.clone(), &code_key, index, seed).unwrap();
    let mut creds = BTreeMap::new();
    creds.insert(index, PaycodeCredential::new(&config, seed).unwrap());
    let server = PaycodeServer::new(config, &code_key, creds, MemoryReplayGuard::new()).unwrap();
    (device, server)
}

#[test]
fn paycode_bound_to_pos_a_refused_at_pos_b() {
    let (device, server) = one_device(PaycodeConfig::alipay_style(), 42, &[3u8; 32]);
    let now = 1_700_000_000;
    let pos_a = BindingContext {
        pos_id: Some("POS-A"),
        merchant_id: Some("M-1"),
        amount_cap: Some(5_000),
    };
    let code = device.generate(now, &pos_a).unwrap();
    // Relayed to POS B (STLS attack): refused.
    let pos_b = BindingContext {
        pos_id: Some("POS-B"),
        ..pos_a
    };
    assert_eq!(
        server.verify(&code, now, &pos_b, Some(100)).unwrap(),
        Verdict::Invalid
    );
    // Cap raised by the attacker: refused; amount over the cap: refused.
    let bigger = BindingContext {
        amount_cap: Some(50_000),
        ..pos_a
    };
    assert_eq!(
        server.verify(&code, now, &bigger, Some(100)).unwrap(),
        Verdict::Invalid
    );
    assert_eq!(
        server.verify(&code, now, &pos_a, Some(5_001)).unwrap(),
        Verdict::OverCap
    );
    // At POS A within the cap: accepted once.
    assert_eq!(
        server.verify(&code, now + 5, &pos_a, Some(4_999)).unwrap(),
        Verdict::Accepted {
            index: 42,
            step: now / 30
        }
    );
    assert_eq!(
        server.verify(&code, now + 6, &pos_a, Some(1)).unwrap(),
        Verdict::Replayed
    );
}

#[test]
fn paycode_older_code_refused_after_newer_consumed() {
    let (device, server) = one_device(PaycodeConfig::wechat_style(), 7, &[2u8; 20]);
    let ctx = BindingContext::default();
    let now = 1_700_000_040;
    let old = device.generate(now - 30, &ctx).unwrap();
    let new = device.generate(now, &ctx).unwrap();
    assert_ne!(old, new);
    assert!(matches!(
        server.verify(&new, now, &ctx, None).unwrap(),
        Verdict::Accepted { .. }
    ));
    assert_eq!(
        server.verify(&old, now, &ctx, None).unwrap(),
        Verdict::Replayed
    );
    // Expired (outside the past-only window of one step).
    let ancient = device.generate(now - 90, &ctx).unwrap();
    assert_eq!(
        server.verify(&ancient, now, &ctx, None).unwrap(),
        Verdict::Invalid
    );
    // From the future (past-only window).
    let future = device.generate(now + 30, &ctx).unwrap();
    assert_eq!(
        server.verify(&future, now, &ctx, None).unwrap(),
        Verdict::Invalid
    );
}
