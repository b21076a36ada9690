//! Offline data authentication: emv-tools' Mastercard test chain (known answers), and a
//! sign → verify round trip through every certificate level with OpenSSL-generated test keys.

mod common;

use mpay_emv::Error;
use mpay_emv::oda::{self, RsaPublicKey};

fn vectors(text: &str) -> std::collections::HashMap<String, Vec<u8>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            let v = v.trim();
            let bytes = if k.trim() == "pan" {
                v.as_bytes().to_vec()
            } else {
                hex::decode(v).unwrap()
            };
            (k.trim().to_string(), bytes)
        })
        .collect()
}

#[test]
fn emv_tools_mastercard_dda_chain() {
    let v = vectors(include_str!("vectors/emv_tools_dda.txt"));
    let pan = String::from_utf8(v["pan"].clone()).unwrap();
    let ca = RsaPublicKey::new(&v["ca_modulus"], &[3]).unwrap();
    let today = [0x00, 0x01]; // YYMM: before the certificates' expiry
    let issuer = oda::recover_issuer_key(
        &ca,
        &v["issuer_cert"],
        &v["issuer_remainder"],
        &v["issuer_exponent"],
        &pan,
        today,
    )
    .unwrap();
    assert_eq!(issuer.key.len(), 176);
    let icc = oda::recover_icc_key(
        &issuer.key,
        &v["icc_cert"],
        &[],
        &v["icc_exponent"],
        &v["static_data"],
        &pan,
        today,
    )
    .unwrap();
    assert_eq!(icc.key.len(), 112);
    let dyn_data = oda::verify_dda(&icc.key, &v["sdad"], &v["ddol_data"]).unwrap();
    assert_eq!(
        usize::from(dyn_data[0]),
        dyn_data.len() - 1,
        "IDN length byte"
    );

    // Each input matters.
    let mut sd = v["static_data"].clone();
    sd[0] ^= 1;
    assert!(matches!(
        oda::recover_icc_key(&issuer.key, &v["icc_cert"], &[], &[3], &sd, &pan, today),
        Err(Error::Verification { .. })
    ));
    assert!(oda::verify_dda(&icc.key, &v["sdad"], &[0, 0, 0, 1]).is_err());
    assert!(
        oda::recover_issuer_key(
            &ca,
            &v["issuer_cert"],
            &v["issuer_remainder"],
            &[3],
            "4761739001010119",
            today
        )
        .is_err(),
        "another PAN"
    );
    assert!(
        oda::recover_issuer_key(
            &ca,
            &v["issuer_cert"],
            &v["issuer_remainder"],
            &[3],
            &pan,
            [0x99, 0x12]
        )
        .is_err(),
        "expired"
    );
    assert!(oda::recover_issuer_key(&ca, &v["issuer_cert"][1..], &[], &[3], &pan, today).is_err());
}

#[test]
fn sign_and_verify_every_level() {
    let k = common::rsa_test_keys();
    let (ca, issuer, icc) = (&k[0], &k[1], &k[2]);
    let pan = "4761739001010119";
    let (cert, rem) = oda::sign_issuer_certificate(
        ca,
        issuer.public(),
        [0x47, 0x61, 0x73, 0xFF],
        [0x12, 0x30],
        [0, 0, 1],
    )
    .unwrap();
    let today = [0x26, 0x11];
    let got = oda::recover_issuer_key(ca.public(), &cert, &rem, &[3], pan, today).unwrap();
    assert_eq!(&got.key, issuer.public());
    assert_eq!(got.expiry, [0x12, 0x30]);

    let record = [0x70, 0x07, 0x5F, 0x24, 0x03, 0x30, 0x12, 0x31, 0x00];
    let sd = oda::static_data(&[(1, &record[..])], Some([0x39, 0x00])).unwrap();
    let (icc_cert, icc_rem) =
        oda::sign_icc_certificate(issuer, icc.public(), pan, [0x12, 0x30], [0, 0, 2], &sd).unwrap();
    let got = oda::recover_icc_key(&got.key, &icc_cert, &icc_rem, &[3], &sd, pan, today).unwrap();
    assert_eq!(&got.key, icc.public());

    let ssad = oda::sign_sda(issuer, [0xDA, 0xC1], &sd).unwrap();
    assert_eq!(
        oda::verify_sda(issuer.public(), &ssad, &sd).unwrap(),
        [0xDA, 0xC1]
    );

    // fDDA 01: UN ‖ amount ‖ currency ‖ card authentication related data (9F69).
    let terminal = [
        1, 2, 3, 4, 0, 0, 0, 0, 0x12, 0x34, 0x01, 0x56, 0x01, 0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x07,
    ];
    let idn = [8, 1, 2, 3, 4, 5, 6, 7, 8];
    let sdad = oda::sign_dda(icc, &idn, &terminal).unwrap();
    assert_eq!(
        oda::verify_dda(icc.public(), &sdad, &terminal).unwrap(),
        idn
    );
    let mut t2 = terminal;
    t2[4] ^= 0x10;
    assert!(oda::verify_dda(icc.public(), &sdad, &t2).is_err());
    // A signature by the wrong key does not recover.
    assert!(oda::verify_dda(issuer.public(), &sdad, &terminal).is_err());
}

#[test]
fn keys_are_validated() {
    assert!(RsaPublicKey::new(&[0xFF; 63], &[3]).is_err());
    assert!(
        RsaPublicKey::new(&[0xFE; 128], &[3]).is_err(),
        "even modulus"
    );
    assert!(RsaPublicKey::new(&[0xFF; 128], &[5]).is_err(), "exponent");
    assert!(RsaPublicKey::new(&[0xFF; 128], &[1, 0, 1]).is_ok());
    let k = RsaPublicKey::new(&[0xFF; 128], &[3]).unwrap();
    assert!(
        k.recover("x", &[0xFF; 128]).is_err(),
        "not below the modulus"
    );
    assert!(!format!("{:?}", common::rsa_test_keys()[0]).contains(&"A".repeat(3)));
}
