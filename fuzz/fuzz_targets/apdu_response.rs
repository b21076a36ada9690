#![no_main]
//! Response APDU decoding and status-word explanation: never panics, round-trips.
use libfuzzer_sys::fuzz_target;
use mpay_apdu::{Response, ResponseView};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = ResponseView::parse(data) {
        let mut out = Vec::new();
        r.encode_into(&mut out);
        assert_eq!(out, data);
        let _ = format!("{} {:?} {r}", r.sw(), r.sw().status());
        assert_eq!(Response::from_vec(data.to_vec()).unwrap().to_bytes(), data);
    }
});
