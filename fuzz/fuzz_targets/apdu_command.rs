#![no_main]
//! Command APDU decoding: never panics; whatever is accepted re-encodes to the same bytes and
//! reports consistent lengths.
use libfuzzer_sys::fuzz_target;
use mpay_apdu::Command;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Command::parse(data) {
        assert_eq!(c.to_bytes().unwrap(), data);
        assert_eq!(c.encoded_len().unwrap(), data.len());
        let _ = (c.case(), c.class().channel(), c.class().secure_messaging());
        let _ = format!("{c} {c:?} {}", c.class());
        assert_eq!(c.to_owned().to_bytes().unwrap(), data);
    }
});
