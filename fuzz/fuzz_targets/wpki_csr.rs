#![no_main]
//! PKCS#10 decoding and proof-of-possession verification of arbitrary DER (standard and empty
//! SM2 IDs): never panics; an accepted request's subject renders.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::csr;

fuzz_target!(|data: &[u8]| {
    for id in [mpay_wpki::alg::DEFAULT_SM2_ID, b""] {
        if let Ok(v) = csr::verify(data, id) {
            let _ = v.subject().to_string();
        }
    }
});
