//! Profile presets: GM/T 0015-style SM2 certificates (root CA, subordinate CA, signing and
//! encryption end-entity certificates), the compact wallet profile (sizes and contents), and the
//! optional CRL distribution point / AIA parameters (also parsed by the openssl CLI).

mod common;

use common::peer::*;
use common::*;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use mpay_wpki::alg::{EC_PUBLIC_KEY, SM2_CURVE, SM2_WITH_SM3};
use mpay_wpki::cert::{AD_CA_ISSUERS, AD_OCSP};
use mpay_wpki::{
    Ca, CertificateParams, Error, ParsedCertificate, Profile, Signer, TrustAnchor,
    ValidationOptions, validate,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints,
    KeyUsage, KeyUsages, SubjectKeyIdentifier,
};

const CRL_URL: &str = "http://crl.bank.test/bankca.crl";

/// `(OID, critical)` of every extension, in order.
fn ext_list(cert: &Certificate) -> Vec<(ObjectIdentifier, bool)> {
    cert.tbs_certificate()
        .extensions()
        .map(|l| l.iter().map(|e| (e.extn_id, e.critical)).collect())
        .unwrap_or_default()
}

fn ext_value<'a, T: Decode<'a> + der::oid::AssociatedOid>(cert: &'a Certificate) -> Option<T> {
    let e = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == T::OID)?;
    Some(T::from_der(e.extn_value.as_bytes()).unwrap())
}

fn ku(cert: &Certificate) -> KeyUsage {
    ext_value::<KeyUsage>(cert).unwrap()
}

fn ski(cert: &Certificate) -> Vec<u8> {
    ext_value::<SubjectKeyIdentifier>(cert)
        .unwrap()
        .0
        .as_bytes()
        .to_vec()
}

fn aki(cert: &Certificate) -> AuthorityKeyIdentifier {
    ext_value::<AuthorityKeyIdentifier>(cert).unwrap()
}

fn gm(subject: &str, profile: Profile) -> CertificateParams {
    params(subject, profile).with_crl_distribution_point(CRL_URL)
}

#[test]
fn gmt0015_profiles() {
    let mut rng = rng();
    let root = Ca::self_signed(
        key(Alg::Sm2, &mut rng),
        &params(
            "CN=GM Root CA,O=Test,C=CN",
            Profile::GmtRootCa { path_len: Some(1) },
        ),
        &mut rng,
    )
    .unwrap();
    let sub = root
        .issue_subordinate(
            key(Alg::Sm2, &mut rng),
            &gm(
                "CN=GM Bank CA,O=Test Bank,C=CN",
                Profile::GmtSubordinateCa { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let user_key = key(Alg::Sm2, &mut rng).public_key_info().unwrap();
    let signing = sub
        .issue(
            &gm("CN=user 0001,O=Test Bank,C=CN", Profile::GmtSigning),
            &user_key,
            &mut rng,
        )
        .unwrap();
    let enc_key = key(Alg::Sm2, &mut rng).public_key_info().unwrap();
    let encryption = sub
        .issue(
            &gm("CN=user 0001,O=Test Bank,C=CN", Profile::GmtEncryption),
            &enc_key,
            &mut rng,
        )
        .unwrap();

    for cert in [root.certificate(), sub.certificate(), &signing, &encryption] {
        // SM2-with-SM3, parameters absent; SPKI id-ecPublicKey on the SM2 curve; v3.
        assert_eq!(cert.signature_algorithm().oid, SM2_WITH_SM3);
        assert!(cert.signature_algorithm().parameters.is_none());
        let spki = cert.tbs_certificate().subject_public_key_info();
        assert_eq!(spki.algorithm.oid, EC_PUBLIC_KEY);
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .as_ref()
            .unwrap()
            .decode_as()
            .unwrap();
        assert_eq!(curve, SM2_CURVE);
        assert_eq!(ski(cert).len(), 20);
    }
    let (bc, kuo, skio, akio, crldp) = (
        BasicConstraints::OID,
        KeyUsage::OID,
        SubjectKeyIdentifier::OID,
        AuthorityKeyIdentifier::OID,
        CrlDistributionPoints::OID,
    );
    use der::oid::AssociatedOid;
    assert_eq!(
        ext_list(root.certificate()),
        [(bc, true), (kuo, true), (skio, false), (akio, false)]
    );
    assert_eq!(
        ext_list(sub.certificate()),
        [
            (bc, true),
            (kuo, true),
            (skio, false),
            (akio, false),
            (crldp, false)
        ]
    );
    assert_eq!(
        ext_list(&signing),
        [
            (bc, false),
            (kuo, true),
            (skio, false),
            (akio, false),
            (crldp, false)
        ]
    );
    assert_eq!(
        ku(root.certificate()).0,
        KeyUsages::KeyCertSign | KeyUsages::CRLSign
    );
    assert_eq!(
        ku(&signing).0,
        KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
    );
    assert_eq!(
        ku(&encryption).0,
        KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment | KeyUsages::KeyAgreement
    );
    let bcv: BasicConstraints = ext_value(sub.certificate()).unwrap();
    assert!(bcv.ca && bcv.path_len_constraint == Some(0));
    assert!(!ext_value::<BasicConstraints>(&signing).unwrap().ca);
    // AKI = issuer's SKI, keyid only.
    let a = aki(&signing);
    assert_eq!(a.key_identifier.unwrap().as_bytes(), ski(sub.certificate()));
    assert!(a.authority_cert_issuer.is_none() && a.authority_cert_serial_number.is_none());

    // Both end-entity certificates validate under the root.
    let anchors = [TrustAnchor::from_certificate(root.certificate())];
    for ee in [&signing, &encryption] {
        let chain = [
            ParsedCertificate::from_certificate(ee).unwrap(),
            ParsedCertificate::from_certificate(sub.certificate()).unwrap(),
        ];
        validate(&chain, &anchors, &ValidationOptions::at(now())).unwrap();
    }
}

#[test]
fn gmt0015_profiles_refuse_what_they_do_not_allow() {
    let mut rng = rng();
    let sm2_root = Ca::self_signed(
        key(Alg::Sm2, &mut rng),
        &params("CN=GM Root", Profile::GmtRootCa { path_len: None }),
        &mut rng,
    )
    .unwrap();
    // A P-256 subject key.
    let p256 = key(Alg::P256, &mut rng).public_key_info().unwrap();
    assert!(matches!(
        sm2_root.issue(&gm("CN=x", Profile::GmtSigning), &p256, &mut rng),
        Err(Error::Params(m)) if m.contains("SM2 curve")
    ));
    // No CRL distribution point below the root.
    let sm2 = key(Alg::Sm2, &mut rng).public_key_info().unwrap();
    assert!(matches!(
        sm2_root.issue(&params("CN=x", Profile::GmtSigning), &sm2, &mut rng),
        Err(Error::Params(m)) if m.contains("CRL distribution point")
    ));
    // A P-256 issuer.
    assert!(matches!(
        Ca::self_signed(
            key(Alg::P256, &mut rng),
            &params("CN=GM Root", Profile::GmtRootCa { path_len: None }),
            &mut rng,
        ),
        Err(Error::Params(m)) if m.contains("SM2-with-SM3")
    ));
    // Root and subordinate presets are not interchangeable.
    assert!(
        Ca::self_signed(
            key(Alg::Sm2, &mut rng),
            &gm("CN=r", Profile::GmtSubordinateCa { path_len: None }),
            &mut rng,
        )
        .is_err()
    );
    assert!(
        sm2_root
            .issue_subordinate(
                key(Alg::Sm2, &mut rng),
                &gm("CN=s", Profile::GmtRootCa { path_len: None }),
                &mut rng,
            )
            .is_err()
    );
}

#[test]
fn compact_wallet_profile_is_small() {
    for alg in [Alg::Sm2, Alg::P256] {
        let mut rng = rng();
        let ca = Ca::self_signed(
            key(alg, &mut rng),
            &params("CN=Bank CA,C=CN", Profile::CompactCa { path_len: Some(0) }),
            &mut rng,
        )
        .unwrap();
        assert_eq!(ca.key_id().len(), 8);
        let wallet_key = key(alg, &mut rng).public_key_info().unwrap();
        let compact = ca
            .issue(
                &params("CN=w0001", Profile::CompactWallet),
                &wallet_key,
                &mut rng,
            )
            .unwrap();
        let full = ca
            .issue(
                &params("CN=w0001", Profile::WalletUser),
                &wallet_key,
                &mut rng,
            )
            .unwrap();
        let size = compact.to_der().unwrap().len();
        let full_size = full.to_der().unwrap().len();
        eprintln!("{alg:?}: CompactWallet {size} octets, WalletUser {full_size} octets");
        assert!(size < 400, "{alg:?}: {size} octets");
        assert!(size + 20 < full_size, "{alg:?}: {size} vs {full_size}");
        // Contents: only KU (critical, digitalSignature), an 8-octet SKI (method 2: 0100 prefix)
        // and a keyid-only AKI equal to the CA's 8-octet SKI; an 8-octet serial.
        use der::oid::AssociatedOid;
        assert_eq!(
            ext_list(&compact),
            [
                (KeyUsage::OID, true),
                (SubjectKeyIdentifier::OID, false),
                (AuthorityKeyIdentifier::OID, false)
            ]
        );
        assert_eq!(ku(&compact).0, KeyUsages::DigitalSignature);
        let id = ski(&compact);
        assert_eq!(id.len(), 8);
        assert_eq!(id[0] >> 4, 0b0100);
        assert_eq!(
            aki(&compact).key_identifier.unwrap().as_bytes(),
            ca.key_id()
        );
        assert_eq!(
            compact.tbs_certificate().serial_number().as_bytes().len(),
            8
        );
        assert_eq!(ski(ca.certificate()), ca.key_id());
        // And it validates: an end entity needs no BasicConstraints.
        let chain = [ParsedCertificate::from_certificate(&compact).unwrap()];
        let anchors = [TrustAnchor::from_certificate(ca.certificate())];
        validate(&chain, &anchors, &ValidationOptions::at(now())).unwrap();
        // `Ca::from_parts` takes the key identifier from the certificate's SKI.
        let again = Ca::from_parts(ca.signer().clone(), ca.certificate().clone()).unwrap();
        assert_eq!(again.key_id(), ca.key_id());
    }
}

#[test]
fn crl_distribution_points_and_aia() {
    let c = chain(Alg::P256);
    let mut rng = rng();
    let p = params("CN=pos 7", Profile::PosTerminal)
        .with_crl_distribution_point(CRL_URL)
        .with_crl_distribution_point("ldap://dir.bank.test/cn=Bank%20CA?certificateRevocationList")
        .with_ocsp_responder("http://ocsp.bank.test")
        .with_ca_issuers("http://pki.bank.test/bankca.der");
    let cert = c
        .bank
        .issue(&p, &c.user_key.public_key_info().unwrap(), &mut rng)
        .unwrap();
    let dps: CrlDistributionPoints = ext_value(&cert).unwrap();
    let uris: Vec<String> = dps
        .0
        .iter()
        .map(|dp| match dp.distribution_point.as_ref().unwrap() {
            DistributionPointName::FullName(names) => match &names[..] {
                [GeneralName::UniformResourceIdentifier(u)] => u.to_string(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(uris, p.crl_distribution_points);
    let aia: AuthorityInfoAccessSyntax = ext_value(&cert).unwrap();
    let got: Vec<(ObjectIdentifier, String)> = aia
        .0
        .iter()
        .map(|a| match &a.access_location {
            GeneralName::UniformResourceIdentifier(u) => (a.access_method, u.to_string()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            (AD_OCSP, "http://ocsp.bank.test".to_string()),
            (AD_CA_ISSUERS, "http://pki.bank.test/bankca.der".to_string())
        ]
    );
    // Non-ASCII URIs are refused.
    assert!(matches!(
        c.bank.issue(
            &params("CN=x", Profile::PosTerminal).with_ocsp_responder("http://ocsp.银行.test"),
            &c.user_key.public_key_info().unwrap(),
            &mut rng,
        ),
        Err(Error::Params(_))
    ));

    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_pem(dir.path(), "pos.pem", &cert);
    let (ok, text) = openssl(dir.path(), &["x509", "-in", "pos.pem", "-noout", "-text"]);
    assert!(ok, "{text}");
    for want in [
        "X509v3 CRL Distribution Points",
        "URI:http://crl.bank.test/bankca.crl",
        "Authority Information Access",
        "OCSP - URI:http://ocsp.bank.test",
        "CA Issuers - URI:http://pki.bank.test/bankca.der",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // openssl's own view of the OCSP URL, as `openssl ocsp` clients use it.
    let (_, url) = openssl(
        dir.path(),
        &["x509", "-in", "pos.pem", "-noout", "-ocsp_uri"],
    );
    assert_eq!(url.trim(), "http://ocsp.bank.test");
}
