#![no_main]
//! OCSP decoding: arbitrary bytes as an `OCSPRequest` (decoded, then answered by a responder
//! for the fixed CA of wpki/tests/vectors) and as an `OCSPResponse` (decoded, then checked
//! against that CA): never panics.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::ocsp::{CheckOptions, ParsedResponse, Responder, RevocationList};
use mpay_wpki::{DateTime, ParsedCertificate, SigningKey};
use std::sync::OnceLock;

static CA: OnceLock<(ParsedCertificate, Responder)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (ca, responder) = CA.get_or_init(|| {
        let ca = ParsedCertificate::from_der(include_bytes!(
            "../../wpki/tests/vectors/ocsp-fuzz-ca.der"
        ))
        .expect("stored CA decodes");
        let key = SigningKey::from_pkcs8_der(include_bytes!(
            "../../wpki/tests/vectors/ocsp-fuzz-ca-key.der"
        ))
        .expect("stored key decodes");
        let responder = Responder::direct(ca.certificate(), key).expect("key matches the CA");
        (ca, responder)
    });
    let at = DateTime::new(2027, 1, 1, 0, 0, 0).expect("valid date");
    let ca = ca.certificate();
    // Decodes the request (nonce included) and answers it, or refuses it with a status.
    let _ = responder.respond(data, &RevocationList::new(), at);
    if let Ok(resp) = ParsedResponse::from_der(data) {
        let mut opts = CheckOptions::at(at);
        opts.nonce = Some(vec![1; 16]);
        if let Some(basic) = resp.basic() {
            for single in &basic.tbs_response_data.responses {
                let _ = resp.check(ca, &single.cert_id.serial_number, &opts);
            }
        }
        let serial = ca.tbs_certificate().serial_number();
        let _ = resp.check(ca, serial, &opts);
    }
});
