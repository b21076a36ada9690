//! Untrusted store rows: a vault entry with arbitrary sealed bytes, key version and token is read
//! back through detokenize. It must fail cleanly (unknown key version, failed authentication,
//! bad PAN text) and never panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use mpay_tokenization::vault::*;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (head, sealed) = data.split_at(2);
    let mut p = AccessPolicy::new();
    p.allow_detokenize("f", "f", Reveal::Masked);
    let v = Vault::new(
        MemoryStore::new(),
        KeyRing::new(1, [1; 32], [2; 32]),
        p,
        Arc::new(NoAudit),
    );
    let e = Entry {
        tenant: "t".into(),
        token: "tok".into(),
        fingerprint: [0; 32],
        convergent: head[0] & 1 == 1,
        key_version: u32::from(head[1] % 3),
        sealed: sealed.to_vec(),
        metadata: None,
        created_at: 0,
        expires_at: None,
    };
    v.store().insert(&e).unwrap();
    assert!(
        v.detokenize(&Caller::new("f", "f", "fuzz"), "t", "tok")
            .is_err()
    );
});
