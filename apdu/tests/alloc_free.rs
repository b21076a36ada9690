//! Decoding allocates nothing: a counting global allocator around `Command::parse`,
//! `ResponseView::parse`, `Class` decoding and status-word lookup.

use std::alloc::System;

use mpay_apdu::{Command, ResponseView};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn decode_path_does_not_allocate() {
    let gac = hex::decode(
        "80AE80001D0000000010000000000000000840000000000009782511210\
         05C2B3F8E00",
    )
    .unwrap();
    let resp = hex::decode(
        "77299F2701809F360200019F2608A1B2C3D4E5F607189F10120110A00003220000000000000000000000FF9000",
    )
    .unwrap();
    let extended = hex::decode("00DA0000000003AABBCC0000").unwrap();
    let region = Region::new(GLOBAL);
    let mut acc = 0usize;
    for _ in 0..100 {
        let c = Command::parse(&gac).unwrap();
        acc += c.nc() + c.ne().unwrap_or(0) + c.case().number() as usize;
        acc += c.class().channel().unwrap_or(0) as usize + c.class().is_chained() as usize;
        let e = Command::parse(&extended).unwrap();
        acc += e.nc() + e.ne().unwrap_or(0);
        let r = ResponseView::parse(&resp).unwrap();
        acc += r.data().len() + r.sw().is_success() as usize;
        acc += matches!(r.sw().status(), mpay_apdu::Status::Success) as usize;
        acc += Command::parse(&gac[..10]).is_err() as usize;
        acc += c.encoded_len().unwrap();
    }
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
    assert!(acc > 0);
    // The counter does see allocations: encoding into a new vector is one.
    let control = Region::new(GLOBAL);
    let bytes = Command::parse(&gac).unwrap().to_bytes().unwrap();
    assert!(control.change().allocations >= 1);
    assert_eq!(bytes, gac);
}
