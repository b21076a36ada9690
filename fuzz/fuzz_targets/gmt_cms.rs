#![no_main]
//! GM/T 0010 SignedData (with authenticated attributes and detached content), its
//! SignedAttributes on their own, EnvelopedData and GM/T 0009 SM2EnvelopedKey decoders: never panic;
//! whatever decodes re-encodes to something that decodes to an equal value.
use libfuzzer_sys::fuzz_target;
use mpay_gmt::cms::{EnvelopedData, SignedAttributes, SignedData};
use mpay_gmt::sm2::EnvelopedKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = SignedData::from_der(data) {
        assert_eq!(SignedData::from_der(&s.to_der()).unwrap(), s);
    }
    if let Ok(a) = SignedAttributes::from_der(data) {
        assert_eq!(a.to_der(), data);
        assert_eq!(SignedAttributes::from_der(&a.to_der()).unwrap(), a);
    }
    if let Ok(e) = EnvelopedData::from_der(data) {
        assert_eq!(EnvelopedData::from_der(&e.to_der()).unwrap(), e);
    }
    if let Ok(k) = EnvelopedKey::from_der(data) {
        assert_eq!(EnvelopedKey::from_der(&k.to_der()).unwrap(), k);
    }
});
