#![no_main]
//! Name-constraint checking on arbitrary input: the first byte splits the rest into a
//! nameConstraints extension value and a certificate DER (when that part is no certificate, a
//! stored OpenSSL-made leaf, wpki/tests/vectors, stands in, so every input exercises the
//! constraint decoder and the name matching); checking must never panic.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::ParsedCertificate;
use mpay_wpki::names::check_names;
use std::sync::OnceLock;

static LEAF: OnceLock<ParsedCertificate> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (nc, cert) = rest.split_at(usize::from(split).min(rest.len()));
    let stored = LEAF.get_or_init(|| {
        ParsedCertificate::from_der(include_bytes!(
            "../../wpki/tests/vectors/openssl-sm2-leaf.der"
        ))
        .expect("stored leaf decodes")
    });
    let parsed = ParsedCertificate::from_der(cert);
    let cert = parsed.as_ref().unwrap_or(stored);
    let _ = check_names(nc, cert.certificate());
});
