//! Untrusted stored text: a TSP token's domain controls as read back from a database. Parsing
//! must fail cleanly or succeed, never panic, and whatever parses re-encodes to text that parses
//! to the same controls.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_tokenization::payment::DomainControls;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = DomainControls::from_record(s) {
        assert_eq!(DomainControls::from_record(&d.to_record()).unwrap(), d);
    }
});
