//! Offline data authentication parsers on arbitrary certificates and signed data: RSA
//! recovery (issuer, ICC, SDA, DDA) and the SM2 variant (signed certificates, SSAD, SDAD) must
//! return Ok or a typed error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_emv::oda::{self, RsaPublicKey, sm2};

fuzz_target!(|data: &[u8]| {
    // The first byte splits the rest into an object and the data it is checked against.
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let (object, other) = rest.split_at(usize::from(cut).min(rest.len()));
    let pan = "6228480000000000017";
    let today = [0x26, 0x11];
    let ca = sm2::public_key_from_xy(&[
        0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9,
        0x94, 0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C,
        0x74, 0xC7, 0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B,
        0x69, 0x21, 0x53, 0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5,
        0x21, 0x39, 0xF0, 0xA0,
    ])
    .expect("the SM2 generator is a valid key");
    let _ = sm2::verify_issuer_certificate(&ca, object, pan, today);
    let _ = sm2::verify_icc_certificate(&ca, object, other, pan, today);
    let _ = sm2::verify_sda(&ca, object, other);
    let _ = sm2::verify_dda(&ca, object, other);
    let _ = sm2::public_key_from_xy(object);
    if let Some(n) = object.get(..64) {
        let mut m = n.to_vec();
        m[0] |= 0x80;
        m[63] |= 1;
        if let Ok(k) = RsaPublicKey::new(&m, &[3]) {
            let _ = oda::recover_issuer_key(&k, other, &[], &[3], pan, today);
            let _ = oda::recover_icc_key(&k, other, &[], &[3], &[], pan, today);
            let _ = oda::verify_sda(&k, other, &[]);
            let _ = oda::verify_dda(&k, other, &[]);
        }
    }
    let recs = [(1u8, object), (11u8, other)];
    let _ = oda::static_data(&recs, Some([0x7C, 0x00]));
});
