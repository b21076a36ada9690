#![no_main]
//! SM2 key decoders (PKCS#8, SEC1, SPKI DER, PEM, GM/T 0009 forms): never panic; accepted
//! GM/T 0009 encodings re-encode to the same bytes.
use libfuzzer_sys::fuzz_target;
use mpay_gmt::sm2::{PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PrivateKey::from_der(data) {
        let _ = k.to_pkcs8_der().unwrap();
    }
    if let Ok(k) = PublicKey::from_der(data) {
        assert_eq!(PublicKey::from_der(&k.to_spki_der().unwrap()).unwrap(), k);
    }
    if let Ok(k) = PrivateKey::from_gmt0009_der(data) {
        assert_eq!(&k.to_gmt0009_der()[..], data);
    }
    if let Ok(k) = PublicKey::from_gmt0009_der(data) {
        assert_eq!(k.to_gmt0009_der(), data);
    }
    if let Ok(s) = core::str::from_utf8(data) {
        let _ = PrivateKey::from_pem(s);
        let _ = PublicKey::from_pem(s);
    }
});
