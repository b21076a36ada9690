//! PKCS#10: creation, proof-of-possession verification, issuance from a request.

mod common;

use common::*;
use der::{Decode, Encode};
use mpay_wpki::alg::DEFAULT_SM2_ID;
use mpay_wpki::{Error, ParsedCertificate, Profile, Signer, ValidationOptions, csr, validate};

#[test]
fn create_verify_issue_all_algorithms() {
    for alg in [Alg::Sm2, Alg::P256, Alg::Rsa] {
        let c = chain(alg);
        let mut rng = rng();
        let phone = key(alg, &mut rng);
        let subject = "CN=wallet user 0002,O=Test Bank,C=CN";
        let req = csr::create(&phone, subject.parse().unwrap()).unwrap();
        let der = req.to_der().unwrap();
        let verified = csr::verify(&der, DEFAULT_SM2_ID).unwrap();
        assert_eq!(
            verified.public_key_info(),
            &phone.public_key_info().unwrap()
        );
        let cert = c
            .bank
            .issue_for_request(&verified, &params(subject, Profile::WalletUser), &mut rng)
            .unwrap();
        let chain = [
            ParsedCertificate::from_certificate(&cert).unwrap(),
            ParsedCertificate::from_certificate(c.bank.certificate()).unwrap(),
        ];
        let path = validate(&chain, &c.anchors(), &ValidationOptions::at(now())).unwrap();
        assert_eq!(path.target_key, phone.verifying_key(), "{alg:?}");
        // Policy: the approved subject must be the requested one.
        let other = params("CN=someone else", Profile::WalletUser);
        assert!(matches!(
            c.bank.issue_for_request(&verified, &other, &mut rng),
            Err(Error::Params(_))
        ));
    }
}

#[test]
fn proof_of_possession_failures() {
    let mut rng = rng();
    let a = key(Alg::Sm2, &mut rng);
    let b = key(Alg::Sm2, &mut rng);
    let mut req = csr::create(&a, "CN=a".parse().unwrap()).unwrap();
    // Key swapped after signing: the signature no longer matches the enclosed key.
    req.info.public_key = b.public_key_info().unwrap();
    assert!(matches!(
        csr::verify(&req.to_der().unwrap(), DEFAULT_SM2_ID),
        Err(Error::BadSignature(_))
    ));
    // Subject changed after signing.
    let mut req = csr::create(&a, "CN=a".parse().unwrap()).unwrap();
    req.info.subject = "CN=b".parse().unwrap();
    assert!(csr::verify(&req.to_der().unwrap(), DEFAULT_SM2_ID).is_err());
    // Wrong SM2 distinguishing ID.
    let req = csr::create(&a, "CN=a".parse().unwrap()).unwrap();
    let der = req.to_der().unwrap();
    assert!(csr::verify(&der, b"").is_err());
    assert!(csr::verify(&der, DEFAULT_SM2_ID).is_ok());
    // Truncated / trailing data.
    assert!(csr::verify(&der[..der.len() - 1], DEFAULT_SM2_ID).is_err());
    let mut long = der.clone();
    long.push(0);
    assert!(csr::verify(&long, DEFAULT_SM2_ID).is_err());
    // Decodes with x509-cert as a standard CertReq.
    assert!(x509_cert::request::CertReq::from_der(&der).is_ok());
}
