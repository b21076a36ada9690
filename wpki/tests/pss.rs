//! RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32, trailerField 1): signing, the exact
//! AlgorithmIdentifier, refusal of other parameter sets, path validation, and interop with the
//! openssl CLI both ways (skips without openssl unless `MPAY_REQUIRE_PEERS` is set).

mod common;

use common::peer::*;
use common::*;
use der::Encode;
use der::asn1::Any;
use mpay_wpki::alg::{RSASSA_PSS, pss_algorithm};
use mpay_wpki::{
    Ca, Error, ParsedCertificate, Profile, Rule, Signer, SigningKey, TrustAnchor,
    ValidationOptions, Verifier, csr, validate,
};
use rsa::pkcs1::RsaPssParamsOwned;
use rsa::pkcs8::DecodePrivateKey;
use spki::AlgorithmIdentifierOwned;

fn pss_key() -> SigningKey {
    SigningKey::rsa_pss(rsa::RsaPrivateKey::from_pkcs8_der(RSA_PKCS8).unwrap())
}

/// RFC 4055 §3.1 RSASSA-PSS-params for SHA-256 with salt 32, as OpenSSL writes them
/// (`openssl asn1parse` of a `-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32` cert).
const PSS_SHA256_ALG: &str = "304106092a864886f70d01010a3034a00f300d06096086480165030402010500\
a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";

#[test]
fn algorithm_identifier_is_the_rfc4055_encoding() {
    assert_eq!(
        hex::encode(pss_algorithm().to_der().unwrap()),
        PSS_SHA256_ALG
    );
    assert_eq!(pss_key().signature_algorithm(), pss_algorithm());
}

#[test]
fn sign_verify_and_refuse_other_parameter_sets() {
    let key = pss_key();
    let vk = key.verifying_key();
    let alg = key.signature_algorithm();
    let sig = key.sign(b"settlement batch 7").unwrap();
    assert_eq!(sig.len(), 256);
    vk.verify(&alg, b"settlement batch 7", &sig).unwrap();
    // Random salt: two signatures differ, both verify.
    let sig2 = key.sign(b"settlement batch 7").unwrap();
    assert_ne!(sig, sig2);
    vk.verify(&alg, b"settlement batch 7", &sig2).unwrap();
    assert_eq!(
        vk.verify(&alg, b"settlement batch 8", &sig),
        Err(Error::BadSignature("RSA"))
    );
    // A PKCS#1 v1.5 signature is no PSS signature, and the other way round.
    let v15 = SigningKey::rsa(rsa::RsaPrivateKey::from_pkcs8_der(RSA_PKCS8).unwrap());
    let v15_sig = v15.sign(b"m").unwrap();
    assert!(vk.verify(&alg, b"m", &v15_sig).is_err());
    assert!(
        vk.verify(&v15.signature_algorithm(), b"settlement batch 7", &sig)
            .is_err()
    );

    let base: RsaPssParamsOwned =
        Any::decode_as(pss_algorithm().parameters.as_ref().unwrap()).unwrap();
    let with = |f: &dyn Fn(&mut RsaPssParamsOwned)| {
        let mut p = base.clone();
        f(&mut p);
        AlgorithmIdentifierOwned {
            oid: RSASSA_PSS,
            parameters: Some(Any::encode_from(&p).unwrap()),
        }
    };
    let sha384 = "2.16.840.1.101.3.4.2.2".parse().unwrap();
    let cases: [(AlgorithmIdentifierOwned, &str); 5] = [
        (
            AlgorithmIdentifierOwned {
                oid: RSASSA_PSS,
                parameters: None,
            },
            "RSASSA-PSS-params absent (SHA-1 defaults)",
        ),
        (with(&|p| p.salt_len = 20), "saltLength is not 32"),
        (
            with(&|p| p.hash.oid = sha384),
            "hashAlgorithm is not SHA-256",
        ),
        (
            with(&|p| p.mask_gen.parameters.as_mut().unwrap().oid = sha384),
            "MGF1 hash is not SHA-256",
        ),
        (
            with(&|p| p.mask_gen.oid = "1.2.840.113549.1.1.9".parse().unwrap()),
            "maskGenAlgorithm is not MGF1",
        ),
    ];
    for (alg, reason) in cases {
        assert_eq!(
            vk.verify(&alg, b"settlement batch 7", &sig),
            Err(Error::UnsupportedParameters {
                oid: RSASSA_PSS,
                reason
            }),
            "{reason}"
        );
    }
}

/// Root → bank CA → user, every certificate signed with RSASSA-PSS (one RSA key for speed).
fn pss_chain() -> (Ca, Ca, x509_cert::Certificate) {
    let mut rng = rng();
    let root = Ca::self_signed(
        pss_key(),
        &params("CN=PSS Root,O=Test,C=CN", Profile::Ca { path_len: Some(1) }),
        &mut rng,
    )
    .unwrap();
    let bank = root
        .issue_subordinate(
            pss_key(),
            &params(
                "CN=PSS Bank CA,O=Test Bank,C=CN",
                Profile::Ca { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let user = bank
        .issue(
            &params("CN=pss user,O=Test Bank,C=CN", Profile::WalletUser),
            &pss_key().public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    (root, bank, user)
}

#[test]
fn pss_chain_validates() {
    let (root, bank, user) = pss_chain();
    assert_eq!(user.signature_algorithm(), &pss_algorithm());
    let chain = [
        ParsedCertificate::from_certificate(&user).unwrap(),
        ParsedCertificate::from_certificate(bank.certificate()).unwrap(),
    ];
    let anchors = [TrustAnchor::from_certificate(root.certificate())];
    validate(&chain, &anchors, &ValidationOptions::at(now())).unwrap();
}

#[test]
fn openssl_verifies_our_pss_chain_and_csr() {
    if !have_openssl() {
        return;
    }
    let (root, bank, user) = pss_chain();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out) = verify_chain_at(
        d,
        [root.certificate(), bank.certificate(), &user],
        true,
        &attime(),
    );
    assert!(ok && out.contains("user.pem: OK"), "{out}");
    let (_, text) = openssl(d, &["x509", "-in", "user.pem", "-noout", "-text"]);
    assert!(
        text.contains("rsassaPss") && text.contains("Salt Length: 0x20"),
        "{text}"
    );

    let req = csr::create(&pss_key(), "CN=pss csr".parse().unwrap()).unwrap();
    std::fs::write(
        d.join("req.pem"),
        der::EncodePem::to_pem(&req, der::pem::LineEnding::LF).unwrap(),
    )
    .unwrap();
    let (ok, out) = openssl(d, &["req", "-verify", "-noout", "-in", "req.pem"]);
    assert!(ok, "{out}");
}

/// An OpenSSL-made root and leaf signed with `-sigopt rsa_padding_mode:pss` plus `extra`.
fn openssl_pss_pair(extra: &[&str]) -> (ParsedCertificate, TrustAnchor) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("key.der"), RSA_PKCS8).unwrap();
    let run = |args: &[&str]| {
        let (ok, out) = openssl(d, args);
        assert!(ok, "{args:?}: {out}");
    };
    run(&[
        "pkey", "-inform", "DER", "-in", "key.der", "-out", "key.pem",
    ]);
    std::fs::write(
        d.join("ext.cnf"),
        "[req]\ndistinguished_name=dn\n[dn]\n\
         [ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\n[leaf]\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    let mut sig = vec!["-sha256", "-sigopt", "rsa_padding_mode:pss"];
    sig.extend_from_slice(extra);
    let mut root = vec![
        "req",
        "-new",
        "-x509",
        "-key",
        "key.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=OpenSSL PSS Root",
        "-config",
        "ext.cnf",
        "-extensions",
        "ca",
        "-out",
        "root.pem",
    ];
    root.extend_from_slice(&sig);
    run(&root);
    run(&[
        "req",
        "-new",
        "-key",
        "key.pem",
        "-subj",
        "/CN=OpenSSL PSS leaf",
        "-out",
        "leaf.csr",
    ]);
    let mut leaf = vec![
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "key.pem",
        "-days",
        "365",
        "-set_serial",
        "7",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-out",
        "leaf.pem",
    ];
    leaf.extend_from_slice(&sig);
    run(&leaf);
    let read = |n: &str| {
        ParsedCertificate::from_pem(&std::fs::read_to_string(d.join(n)).unwrap()).unwrap()
    };
    (
        read("leaf.pem"),
        TrustAnchor::from_certificate(read("root.pem").certificate()),
    )
}

#[test]
fn we_validate_openssl_pss_certificates() {
    if !have_openssl() {
        return;
    }
    let (leaf, anchor) = openssl_pss_pair(&["-sigopt", "rsa_pss_saltlen:32"]);
    assert_eq!(leaf.certificate().signature_algorithm(), &pss_algorithm());
    let opts = ValidationOptions::at(system_time());
    validate(std::slice::from_ref(&leaf), &[anchor], &opts).unwrap();

    // The maximum salt (222 bytes for RSA-2048 with SHA-256, OpenSSL's default when signing
    // certificates) is a parameter set we do not support: refused with a rule that says so.
    let (leaf, anchor) = openssl_pss_pair(&["-sigopt", "rsa_pss_saltlen:max"]);
    let err = validate(&[leaf], &[anchor], &opts).unwrap_err();
    match err {
        Error::Path {
            index: 0,
            rule: Rule::AlgorithmParameters { oid, reason },
            ..
        } => {
            assert_eq!(oid, RSASSA_PSS);
            assert_eq!(reason, "saltLength is not 32");
        }
        e => panic!("unexpected {e:?}"),
    }
}

fn system_time() -> der::DateTime {
    der::DateTime::from_unix_duration(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap(),
    )
    .unwrap()
}
