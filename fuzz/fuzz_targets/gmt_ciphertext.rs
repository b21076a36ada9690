#![no_main]
//! SM2 ciphertext decoding in the three forms: never panics; accepted input re-encodes to the
//! same bytes; decryption of anything decoded fails cleanly.
use libfuzzer_sys::fuzz_target;
use mpay_gmt::sm2::{Ciphertext, CiphertextFormat, PrivateKey};

fuzz_target!(|data: &[u8]| {
    let key = PrivateKey::from_bytes(&[0x42; 32]).unwrap();
    for f in [
        CiphertextFormat::Der,
        CiphertextFormat::C1C3C2,
        CiphertextFormat::C1C2C3,
    ] {
        if let Ok(c) = Ciphertext::from_bytes(data, f) {
            assert_eq!(c.to_bytes(f), data);
            let _ = key.decrypt(&c);
        }
    }
});
