//! MPM parsing of arbitrary bytes: never panics; whatever parses rebuilds to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_qr_payment::mpm::MerchantPayload;

fuzz_target!(|data: &[u8]| {
    if let Ok(qr) = MerchantPayload::parse_bytes(data) {
        let _ = qr.check_mandatory();
        let _ = (qr.tip(), qr.language(), qr.merchant_accounts().count());
        let rebuilt = qr.to_builder().build().expect("a parsed payload rebuilds");
        assert_eq!(rebuilt.as_bytes(), data);
    }
});
