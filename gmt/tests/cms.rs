//! GM/T 0010 SignedData / EnvelopedData round trips, tamper detection and decoder strictness.

use mpay_gmt::cms::{EnvelopedData, IssuerAndSerialNumber, SignedData};
use mpay_gmt::sm2::PrivateKey;
use proptest::prelude::*;

fn sid(serial: u8) -> IssuerAndSerialNumber {
    // Name ::= SEQUENCE { SET { SEQUENCE { OID 2.5.4.3 (CN), UTF8String "Test CA" } } }
    let name = hex::decode("30123110300e06035504030c0754657374204341").unwrap();
    IssuerAndSerialNumber::new(name, vec![serial & 0x7f]).unwrap()
}

#[test]
fn signed_data_two_signers_and_certificates() {
    let (a, b) = (
        PrivateKey::from_bytes(&[3; 32]).unwrap(),
        PrivateKey::from_bytes(&[4; 32]).unwrap(),
    );
    let certs = vec![vec![0x30, 0x03, 0x02, 0x01, 0x07], vec![0x30, 0x00]];
    let sd = SignedData::sign(
        b"offline purchase 12.00",
        &[(&a, sid(1)), (&b, sid(2))],
        certs.clone(),
    )
    .unwrap();
    let der = sd.to_der();
    let back = SignedData::from_der(&der).unwrap();
    assert_eq!(back.to_der(), der);
    back.verify_signer(&sid(1), &a.public_key()).unwrap();
    back.verify_signer(&sid(2), &b.public_key()).unwrap();
    assert!(back.verify_signer(&sid(1), &b.public_key()).is_err());
    assert!(back.verify_signer(&sid(3), &a.public_key()).is_err());
    assert_eq!(back.certificates().len(), 2);
    // Tampering with the content breaks the signature.
    let pos = der.windows(8).position(|w| w == b"purchase").unwrap();
    let mut bad = der.clone();
    bad[pos] ^= 0x20;
    let t = SignedData::from_der(&bad).unwrap();
    assert!(t.verify_signer(&sid(1), &a.public_key()).is_err());
    // Truncation and trailing bytes are rejected.
    assert!(SignedData::from_der(&der[..der.len() - 1]).is_err());
    let mut long = der.clone();
    long.push(0);
    assert!(SignedData::from_der(&long).is_err());
    // It is not an EnvelopedData.
    assert!(EnvelopedData::from_der(&der).is_err());
}

#[test]
fn enveloped_data_two_recipients() {
    let (a, b, c) = (
        PrivateKey::from_bytes(&[5; 32]).unwrap(),
        PrivateKey::from_bytes(&[6; 32]).unwrap(),
        PrivateKey::from_bytes(&[7; 32]).unwrap(),
    );
    let env = EnvelopedData::encrypt(
        &mut getrandom::SysRng,
        b"account 6222 0000 0000 0000",
        &[(sid(1), a.public_key()), (sid(2), b.public_key())],
    )
    .unwrap();
    let der = env.to_der();
    let back = EnvelopedData::from_der(&der).unwrap();
    assert_eq!(back, env);
    assert_eq!(back.to_der(), der);
    assert_eq!(
        back.decrypt(&sid(1), &a).unwrap().as_slice(),
        b"account 6222 0000 0000 0000"
    );
    assert_eq!(
        back.decrypt(&sid(2), &b).unwrap().as_slice(),
        b"account 6222 0000 0000 0000"
    );
    assert!(back.decrypt(&sid(1), &c).is_err());
    assert!(back.decrypt(&sid(9), &a).is_err());
    assert!(SignedData::from_der(&der).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn signed_data_round_trip(content in proptest::collection::vec(any::<u8>(), 0..200), serial in 1u8..100) {
        let key = PrivateKey::from_bytes(&[9; 32]).unwrap();
        let sd = SignedData::sign(&content, &[(&key, sid(serial))], vec![]).unwrap();
        let der = sd.to_der();
        let back = SignedData::from_der(&der).unwrap();
        prop_assert_eq!(&back, &sd);
        prop_assert_eq!(back.to_der(), der);
        prop_assert!(back.verify_signer(&sid(serial), &key.public_key()).is_ok());
    }
}
