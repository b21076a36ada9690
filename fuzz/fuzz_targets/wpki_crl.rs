#![no_main]
//! CRL decoding and checks of arbitrary DER against the fixed SM2 anchor's key
//! (wpki/tests/vectors): never panics.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::crl::ParsedCrl;
use mpay_wpki::{DateTime, ParsedCertificate, VerifyingKey};
use std::sync::OnceLock;

static KEY: OnceLock<VerifyingKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let key = KEY.get_or_init(|| {
        let root = ParsedCertificate::from_der(include_bytes!(
            "../../wpki/tests/vectors/openssl-sm2-root.der"
        ))
        .expect("stored root decodes");
        let spki = root
            .certificate()
            .tbs_certificate()
            .subject_public_key_info();
        VerifyingKey::from_spki(spki, mpay_wpki::alg::DEFAULT_SM2_ID).expect("SM2 key")
    });
    if let Ok(crl) = ParsedCrl::from_der(data) {
        let _ = crl.verify(key);
        let _ = crl.has_unknown_critical_extension();
        let at = DateTime::new(2027, 1, 1, 0, 0, 0).expect("valid date");
        let _ = crl.is_current(at);
    }
});
