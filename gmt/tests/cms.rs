//! GM/T 0010 SignedData / EnvelopedData round trips, tamper detection and decoder strictness.

use der::DateTime;
use mpay_gmt::cms::{
    EnvelopedData, IssuerAndSerialNumber, SignOptions, SignedAttributes, SignedData,
};
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

fn at(year: u16) -> DateTime {
    DateTime::new(year, 11, 21, 9, 15, 30).unwrap()
}

#[test]
fn signed_attributes_embedded_and_detached() {
    let key = PrivateKey::from_bytes(&[8; 32]).unwrap();
    let other = PrivateKey::from_bytes(&[10; 32]).unwrap();
    let content = b"settlement file 2026-11-21";
    for detached in [false, true] {
        let opts = SignOptions {
            signed_attributes: true,
            signing_time: Some(at(2026)),
            detached,
        };
        let sd = SignedData::sign_with(content, &[(&key, sid(1))], vec![], &opts).unwrap();
        let der = sd.to_der();
        let back = SignedData::from_der(&der).unwrap();
        assert_eq!(back, sd);
        assert_eq!(back.to_der(), der);
        assert_eq!(back.is_detached(), detached);
        let si = &back.signer_infos()[0];
        let attrs = si.signed_attributes.as_ref().unwrap();
        assert_eq!(attrs.message_digest(), &mpay_gmt::sm3::hash(content));
        assert_eq!(attrs.content_type(), &mpay_gmt::oid::GMT0010_DATA);
        assert_eq!(attrs.signing_time(), Some(at(2026)));
        // The signature covers the attributes' DER, not the content.
        let pk = key.public_key();
        pk.verify(mpay_gmt::sm2::DEFAULT_ID, &attrs.to_der(), &si.signature)
            .unwrap();
        assert!(
            pk.verify(mpay_gmt::sm2::DEFAULT_ID, content, &si.signature)
                .is_err()
        );
        back.verify_detached(&sid(1), &pk, content).unwrap();
        assert!(
            back.verify_detached(&sid(1), &pk, b"settlement file 2026-11-22")
                .is_err()
        );
        assert!(
            back.verify_detached(&sid(1), &other.public_key(), content)
                .is_err()
        );
        if detached {
            assert!(back.content().is_empty());
            assert!(back.verify_signer(&sid(1), &pk).is_err());
            // Detached: no [0] content inside the inner ContentInfo.
            assert!(!der.windows(content.len()).any(|w| w == content));
        } else {
            assert_eq!(back.content(), content);
            back.verify_signer(&sid(1), &pk).unwrap();
        }
        // Tampering with the signing time (inside the signed attributes) breaks the signature.
        let pos = der.windows(13).position(|w| w == b"261121091530Z").unwrap();
        let mut bad = der.clone();
        bad[pos + 11] = b'1';
        let t = SignedData::from_der(&bad).unwrap();
        assert!(t.verify_detached(&sid(1), &pk, content).is_err());
    }
    // Detached without attributes: the signature covers the content itself.
    let opts = SignOptions {
        detached: true,
        ..SignOptions::default()
    };
    let sd = SignedData::sign_with(content, &[(&key, sid(2))], vec![], &opts).unwrap();
    let back = SignedData::from_der(&sd.to_der()).unwrap();
    assert!(back.signer_infos()[0].signed_attributes.is_none());
    back.verify_detached(&sid(2), &key.public_key(), content)
        .unwrap();
    assert!(
        back.verify_detached(&sid(2), &key.public_key(), b"x")
            .is_err()
    );
}

#[test]
fn signing_time_encoding_follows_rfc5652() {
    // 1950–2049: UTCTime (tag 0x17, 13 bytes); otherwise GeneralizedTime (tag 0x18, 15 bytes).
    let utc = SignedAttributes::for_content(b"m", Some(at(2049))).to_der();
    assert!(utc.windows(15).any(|w| w == b"\x17\x0d491121091530Z"));
    let generalized = SignedAttributes::for_content(b"m", Some(at(2050))).to_der();
    assert!(
        generalized
            .windows(17)
            .any(|w| w == b"\x18\x0f20501121091530Z")
    );
    for der in [utc, generalized] {
        assert_eq!(SignedAttributes::from_der(&der).unwrap().to_der(), der);
    }
    assert_eq!(
        SignedAttributes::from_der(&SignedAttributes::for_content(b"m", None).to_der())
            .unwrap()
            .signing_time(),
        None
    );
}

#[test]
fn signed_attributes_decoder_strictness() {
    let attr = |oid: &str, value: &str| {
        format!(
            "30{:02x}{oid}31{:02x}{value}",
            oid.len() / 2 + value.len() / 2 + 2,
            value.len() / 2
        )
    };
    let set = |parts: &[String]| {
        let c = parts.concat();
        hex::decode(format!("31{:02x}{c}", c.len() / 2)).unwrap()
    };
    let ct_oid = "06092a864886f70d010903";
    let md_oid = "06092a864886f70d010904";
    let data = "060a2a811ccf5506010402 01".replace(' ', "");
    let digest = format!("0420{}", "ab".repeat(32));
    let ok = set(&[attr(ct_oid, &data), attr(md_oid, &digest)]);
    let a = SignedAttributes::from_der(&ok).unwrap();
    assert_eq!(a.message_digest(), &[0xab; 32]);
    // An unknown attribute is kept (and still covered by the signature bytes).
    let extra = set(&[
        attr(ct_oid, &data),
        attr(md_oid, &digest),
        attr("0603550403", "0c0141"),
    ]);
    assert_eq!(SignedAttributes::from_der(&extra).unwrap().to_der(), extra);
    // Missing messageDigest / contentType.
    assert!(SignedAttributes::from_der(&set(&[attr(ct_oid, &data)])).is_err());
    assert!(SignedAttributes::from_der(&set(&[attr(md_oid, &digest)])).is_err());
    // Duplicates, a 20-byte digest, two values in one attribute, an empty value set.
    assert!(
        SignedAttributes::from_der(&set(&[
            attr(ct_oid, &data),
            attr(ct_oid, &data),
            attr(md_oid, &digest)
        ]))
        .is_err()
    );
    let short = format!("0414{}", "ab".repeat(20));
    assert!(
        SignedAttributes::from_der(&set(&[attr(ct_oid, &data), attr(md_oid, &short)])).is_err()
    );
    let two = format!("{digest}{digest}");
    assert!(SignedAttributes::from_der(&set(&[attr(ct_oid, &data), attr(md_oid, &two)])).is_err());
    assert!(SignedAttributes::from_der(&set(&[attr(ct_oid, &data), attr(md_oid, "")])).is_err());
    // Not a SET, trailing bytes.
    let mut seq = ok.clone();
    seq[0] = 0x30;
    assert!(SignedAttributes::from_der(&seq).is_err());
    let mut long = ok.clone();
    long.push(0);
    assert!(SignedAttributes::from_der(&long).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn signed_data_with_options_round_trip(
        content in proptest::collection::vec(any::<u8>(), 0..200),
        attrs in any::<bool>(),
        detached in any::<bool>(),
        year in prop::option::of(1970u16..2100), // der::DateTime starts at 1970
    ) {
        let key = PrivateKey::from_bytes(&[11; 32]).unwrap();
        let opts = SignOptions { signed_attributes: attrs, signing_time: year.map(at), detached };
        let sd = SignedData::sign_with(&content, &[(&key, sid(3))], vec![vec![0x30, 0x00]], &opts).unwrap();
        let der = sd.to_der();
        let back = SignedData::from_der(&der).unwrap();
        prop_assert_eq!(&back, &sd);
        prop_assert_eq!(back.to_der(), der);
        prop_assert!(back.verify_detached(&sid(3), &key.public_key(), &content).is_ok());
        let want_time = if attrs { year.map(at) } else { None };
        let got_time = back.signer_infos()[0].signed_attributes.as_ref().and_then(|a| a.signing_time());
        prop_assert_eq!(got_time, want_time);
    }

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
