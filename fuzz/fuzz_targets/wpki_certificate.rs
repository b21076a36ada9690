#![no_main]
//! Certificate decoding and path validation of arbitrary DER against a fixed SM2 anchor (an
//! OpenSSL-made root, wpki/tests/vectors): never panics; accepted certificates re-encode to a
//! decodable certificate.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::{ParsedCertificate, TrustAnchor, ValidationOptions, validate};
use std::sync::OnceLock;

static ANCHOR: OnceLock<TrustAnchor> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let anchor = ANCHOR.get_or_init(|| {
        let root = ParsedCertificate::from_der(include_bytes!(
            "../../wpki/tests/vectors/openssl-sm2-root.der"
        ))
        .expect("stored root decodes");
        TrustAnchor::from_certificate(root.certificate())
    });
    if let Ok(cert) = ParsedCertificate::from_der(data) {
        let again = ParsedCertificate::from_certificate(cert.certificate());
        assert!(again.is_ok());
        let at = mpay_wpki::DateTime::new(2027, 1, 1, 0, 0, 0).expect("valid date");
        let _ = validate(
            &[cert],
            std::slice::from_ref(anchor),
            &ValidationOptions::at(at),
        );
    }
});
