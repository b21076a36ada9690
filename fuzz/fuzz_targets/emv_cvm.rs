//! CVM lists (8E) from arbitrary bytes: parsing returns Ok or a typed error, a parsed list
//! encodes back to the same bytes, and evaluating every rule's condition never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_emv::cvm::{Context, CvmList};

fuzz_target!(|data: &[u8]| {
    let Ok(list) = CvmList::parse(data) else {
        return;
    };
    assert_eq!(list.to_bytes(), data);
    let ctx = Context {
        amount: u64::from(list.x),
        transaction_type: data.get(8).copied().unwrap_or(0),
        transaction_currency: [0x01, 0x56],
        application_currency: Some([0x01, 0x56]),
        terminal_type: data.get(9).copied().unwrap_or(0x22),
        capabilities: [0xE0, data.get(10).copied().unwrap_or(0xF8), 0xC8],
    };
    for rule in &list.rules {
        let _ = list.condition_met(*rule, &ctx);
        let _ = rule.method().supported_by(ctx.capabilities);
    }
});
