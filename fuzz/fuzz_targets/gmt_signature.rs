#![no_main]
//! SM2 signature decoding (GM/T 0009 DER and raw r‖s): never panics; accepted DER re-encodes to
//! the same bytes; accepted raw re-encodes to the same 64 bytes.
use libfuzzer_sys::fuzz_target;
use mpay_gmt::sm2::Signature;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Signature::from_der(data) {
        assert_eq!(s.to_der(), data);
    }
    if let Ok(s) = Signature::from_raw(data) {
        assert_eq!(&s.to_raw()[..], data);
    }
});
