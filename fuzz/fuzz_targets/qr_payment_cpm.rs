//! CPM parsing of arbitrary bytes (and of arbitrary base64 text): never panics; whatever parses
//! rebuilds to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_qr_payment::cpm::{ConsumerPayload, decode_base64};

fuzz_target!(|data: &[u8]| {
    if let Ok(qr) = ConsumerPayload::parse(data) {
        let _ = format!("{qr:?}");
        let _ = qr.applications().map(|a| a.label()).count();
        assert_eq!(
            qr.to_builder().build().expect("a parsed payload rebuilds"),
            data
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = decode_base64(text) {
            let _ = ConsumerPayload::parse(&bytes);
        }
    }
});
