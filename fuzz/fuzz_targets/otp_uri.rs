#![no_main]
//! `otpauth://` key-URI parsing: never panics; whatever is accepted re-emits canonically and
//! the canonical form parses back to the same key.
use libfuzzer_sys::fuzz_target;
use mpay_otp::uri::KeyUri;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = KeyUri::parse(s) {
        let canonical = k.to_uri();
        let again = KeyUri::parse(&canonical).expect("canonical URI parses");
        assert_eq!(again, k);
        assert_eq!(again.to_uri(), canonical);
    }
});
