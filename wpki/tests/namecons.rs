//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)), valid and invalid paths
//! modelled on the PKITS §4.13 and x509-limbo `rfc5280::nc` cases (data re-created here, not
//! copied): directoryName, dNSName, rfc822Name (also emailAddress in the subject DN) and
//! iPAddress subtrees, permitted sets intersected and excluded sets united down the path,
//! self-issued intermediates exempt, unprocessed forms refused.

mod common;

use common::*;
use der::asn1::{Ia5String, OctetString};
use mpay_wpki::cert::ext;
use mpay_wpki::{
    Ca, CertificateParams, Error, ParsedCertificate, Profile, Rule, Signer, TrustAnchor,
    ValidationOptions, validate,
};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};

fn dn(s: &str) -> GeneralName {
    GeneralName::DirectoryName(s.parse().unwrap())
}
fn dns(s: &str) -> GeneralName {
    GeneralName::DnsName(Ia5String::new(s).unwrap())
}
fn email(s: &str) -> GeneralName {
    GeneralName::Rfc822Name(Ia5String::new(s).unwrap())
}
fn ip(b: &[u8]) -> GeneralName {
    GeneralName::IpAddress(OctetString::new(b).unwrap())
}
fn uri(s: &str) -> GeneralName {
    GeneralName::UniformResourceIdentifier(Ia5String::new(s).unwrap())
}

fn subtrees(names: &[GeneralName]) -> Option<Vec<GeneralSubtree>> {
    (!names.is_empty()).then(|| {
        names
            .iter()
            .map(|base| GeneralSubtree {
                base: base.clone(),
                minimum: 0,
                maximum: None,
            })
            .collect()
    })
}

fn nc(permitted: &[GeneralName], excluded: &[GeneralName]) -> Extension {
    ext(
        &NameConstraints {
            permitted_subtrees: subtrees(permitted),
            excluded_subtrees: subtrees(excluded),
        },
        true,
    )
    .unwrap()
}

fn san(names: &[GeneralName]) -> Extension {
    ext(&SubjectAltName(names.to_vec()), false).unwrap()
}

fn with(p: CertificateParams, extensions: Vec<Extension>) -> CertificateParams {
    CertificateParams {
        extra_extensions: extensions,
        ..p
    }
}

struct Pki {
    root: Ca,
    rng: Rng,
}

impl Pki {
    fn new() -> Self {
        let mut rng = rng();
        let root = Ca::self_signed(
            key(Alg::P256, &mut rng),
            &params("CN=NC Root,O=Test,C=CN", Profile::Ca { path_len: None }),
            &mut rng,
        )
        .unwrap();
        Pki { root, rng }
    }

    /// A CA under `issuer` (the root when `None`) carrying `extensions`.
    fn ca(&mut self, issuer: Option<&Ca>, subject: &str, extensions: Vec<Extension>) -> Ca {
        let issuer = issuer.unwrap_or(&self.root);
        let k = key(Alg::P256, &mut self.rng);
        issuer
            .issue_subordinate(
                k,
                &with(params(subject, Profile::Ca { path_len: None }), extensions),
                &mut self.rng,
            )
            .unwrap()
    }

    fn leaf(&mut self, issuer: &Ca, subject: &str, alt: &[GeneralName]) -> Certificate {
        let k = key(Alg::P256, &mut self.rng).public_key_info().unwrap();
        let extensions = if alt.is_empty() {
            vec![]
        } else {
            vec![san(alt)]
        };
        issuer
            .issue(
                &with(params(subject, Profile::WalletUser), extensions),
                &k,
                &mut self.rng,
            )
            .unwrap()
    }

    /// Validates `leaf` then `cas` (bottom-up) under the root.
    fn check(&self, leaf: &Certificate, cas: &[&Ca]) -> mpay_wpki::Result<()> {
        let mut chain = vec![ParsedCertificate::from_certificate(leaf).unwrap()];
        chain.extend(
            cas.iter()
                .map(|c| ParsedCertificate::from_certificate(c.certificate()).unwrap()),
        );
        let anchors = [TrustAnchor::from_certificate(self.root.certificate())];
        validate(&chain, &anchors, &ValidationOptions::at(now())).map(|_| ())
    }
}

/// The failing certificate's index and subject, and the rule.
fn failure(r: mpay_wpki::Result<()>) -> (usize, String, Rule) {
    match r {
        Err(Error::Path {
            index,
            subject,
            rule,
        }) => (index, subject, rule),
        other => panic!("expected a path error, got {other:?}"),
    }
}

#[test]
fn directory_name_subtrees() {
    let mut pki = Pki::new();
    let ca = pki.ca(
        None,
        "CN=Bank CA,O=Test Bank,C=CN",
        vec![nc(
            &[dn("O=Test Bank,C=CN")],
            &[dn("OU=Blocked,O=Test Bank,C=CN")],
        )],
    );
    // Valid: subject below the permitted subtree (PKITS 4.13.1-style).
    let ok = pki.leaf(&ca, "CN=alice,O=Test Bank,C=CN", &[]);
    pki.check(&ok, &[&ca]).unwrap();
    // A directoryName alternative name is checked too.
    let alt_bad = pki.leaf(
        &ca,
        "CN=alice,O=Test Bank,C=CN",
        &[dn("CN=alice,O=Other Bank,C=CN")],
    );
    let (i, _, rule) = failure(pki.check(&alt_bad, &[&ca]));
    assert_eq!(i, 0);
    assert_eq!(
        rule,
        Rule::NameNotPermitted("directoryName \"CN=alice,O=Other Bank,C=CN\"".into())
    );
    // Invalid: outside the permitted subtree (PKITS 4.13.2-style); the error names the cert.
    let bad = pki.leaf(&ca, "CN=mallory,O=Other Bank,C=CN", &[]);
    let (i, subject, rule) = failure(pki.check(&bad, &[&ca]));
    assert_eq!((i, subject.as_str()), (0, "CN=mallory,O=Other Bank,C=CN"));
    assert!(matches!(rule, Rule::NameNotPermitted(n) if n.contains("O=Other Bank")));
    // Invalid: inside an excluded subtree (PKITS 4.13.3-style).
    let blocked = pki.leaf(&ca, "CN=bob,OU=Blocked,O=Test Bank,C=CN", &[]);
    assert!(matches!(
        failure(pki.check(&blocked, &[&ca])).2,
        Rule::NameExcluded(n) if n.contains("OU=Blocked")
    ));
    // The display of the whole error says which certificate and which rule.
    let msg = pki.check(&blocked, &[&ca]).unwrap_err().to_string();
    assert!(
        msg.contains("certificate 0 (CN=bob,OU=Blocked,O=Test Bank,C=CN)")
            && msg.contains("excluded"),
        "{msg}"
    );
}

#[test]
fn dns_name_subtrees() {
    let mut pki = Pki::new();
    let ca = pki.ca(
        None,
        "CN=POS CA,O=Test Bank,C=CN",
        vec![nc(&[dns("bank.test")], &[dns("lab.bank.test")])],
    );
    for ok in ["bank.test", "pos1.bank.test", "a.b.BANK.test"] {
        let c = pki.leaf(&ca, "CN=pos", &[dns(ok)]);
        pki.check(&c, &[&ca])
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in ["evilbank.test", "bank.test.evil", "test"] {
        let c = pki.leaf(&ca, "CN=pos", &[dns(bad)]);
        assert!(
            matches!(failure(pki.check(&c, &[&ca])).2, Rule::NameNotPermitted(_)),
            "{bad}"
        );
    }
    let c = pki.leaf(
        &ca,
        "CN=pos",
        &[dns("ok.bank.test"), dns("x.lab.bank.test")],
    );
    assert_eq!(
        failure(pki.check(&c, &[&ca])).2,
        Rule::NameExcluded("dNSName \"x.lab.bank.test\"".into())
    );
    // DNS constraints do not constrain the subject DN (a different form).
    let c = pki.leaf(&ca, "CN=anything,O=Elsewhere", &[]);
    pki.check(&c, &[&ca]).unwrap();
}

#[test]
fn rfc822_subtrees_and_email_in_subject() {
    let mut pki = Pki::new();
    let ca = pki.ca(
        None,
        "CN=Mail CA,O=Test Bank,C=CN",
        vec![nc(&[email(".bank.test"), email("ops@partner.test")], &[])],
    );
    let ok = pki.leaf(&ca, "CN=u", &[email("alice@mail.bank.test")]);
    pki.check(&ok, &[&ca]).unwrap();
    let ok2 = pki.leaf(&ca, "CN=u", &[email("ops@PARTNER.test")]);
    pki.check(&ok2, &[&ca]).unwrap();
    for bad in ["alice@bank.test", "dev@partner.test", "alice@evil.test"] {
        let c = pki.leaf(&ca, "CN=u", &[email(bad)]);
        assert!(
            matches!(failure(pki.check(&c, &[&ca])).2, Rule::NameNotPermitted(_)),
            "{bad}"
        );
    }
    // emailAddress in the subject DN is held to the rfc822Name constraints (PKITS 4.13.21/22).
    let dn_ok = pki.leaf(&ca, "emailAddress=bob@mail.bank.test,CN=bob", &[]);
    pki.check(&dn_ok, &[&ca]).unwrap();
    let dn_bad = pki.leaf(&ca, "emailAddress=bob@evil.test,CN=bob", &[]);
    assert_eq!(
        failure(pki.check(&dn_bad, &[&ca])).2,
        Rule::NameNotPermitted("rfc822Name \"bob@evil.test\"".into())
    );
}

#[test]
fn ip_address_subtrees() {
    let mut pki = Pki::new();
    let mut v6 = [0u8; 32];
    v6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    v6[16..20].copy_from_slice(&[0xff; 4]);
    let ca = pki.ca(
        None,
        "CN=Terminal CA,O=Test Bank,C=CN",
        vec![nc(
            &[ip(&[192, 168, 7, 0, 255, 255, 255, 0]), ip(&v6)],
            &[ip(&[192, 168, 7, 128, 255, 255, 255, 128])],
        )],
    );
    let mut a6 = [0u8; 16];
    a6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a6[15] = 7;
    for ok in [&[192, 168, 7, 9][..], &a6[..]] {
        let c = pki.leaf(&ca, "CN=pos", &[ip(ok)]);
        pki.check(&c, &[&ca]).unwrap();
    }
    let c = pki.leaf(&ca, "CN=pos", &[ip(&[10, 0, 0, 1])]);
    assert_eq!(
        failure(pki.check(&c, &[&ca])).2,
        Rule::NameNotPermitted("iPAddress 10.0.0.1".into())
    );
    let c = pki.leaf(&ca, "CN=pos", &[ip(&[192, 168, 7, 200])]);
    assert_eq!(
        failure(pki.check(&c, &[&ca])).2,
        Rule::NameExcluded("iPAddress 192.168.7.200".into())
    );
    a6[3] = 0xb9;
    let c = pki.leaf(&ca, "CN=pos", &[ip(&a6)]);
    assert!(matches!(
        failure(pki.check(&c, &[&ca])).2,
        Rule::NameNotPermitted(n) if n.starts_with("iPAddress 2001:db9")
    ));
}

#[test]
fn permitted_intersect_and_excluded_unite_down_the_path() {
    let mut pki = Pki::new();
    let upper = pki.ca(
        None,
        "CN=Upper CA,O=Test,C=CN",
        vec![nc(&[dns("bank.test")], &[dns("old.bank.test")])],
    );
    // The lower CA tries to widen the permitted set to other.test: the intersection wins.
    let lower = pki.ca(
        Some(&upper),
        "CN=Lower CA,O=Test,C=CN",
        vec![nc(
            &[dns("pos.bank.test"), dns("other.test")],
            &[dns("lab.pos.bank.test")],
        )],
    );
    let ok = pki.leaf(&lower, "CN=t", &[dns("t1.pos.bank.test")]);
    pki.check(&ok, &[&lower, &upper]).unwrap();
    let widened = pki.leaf(&lower, "CN=t", &[dns("x.other.test")]);
    assert!(matches!(
        failure(pki.check(&widened, &[&lower, &upper])),
        (0, _, Rule::NameNotPermitted(_))
    ));
    let narrowed = pki.leaf(&lower, "CN=t", &[dns("www.bank.test")]);
    assert!(matches!(
        failure(pki.check(&narrowed, &[&lower, &upper])).2,
        Rule::NameNotPermitted(_)
    ));
    for excluded in ["a.lab.pos.bank.test", "x.old.bank.test"] {
        // old.bank.test is outside the lower permitted set anyway; lab.pos.bank.test is inside
        // it and excluded by the lower CA.
        let c = pki.leaf(&lower, "CN=t", &[dns(excluded)]);
        assert!(
            failure(pki.check(&c, &[&lower, &upper])).0 == 0,
            "{excluded}"
        );
    }
    let c = pki.leaf(&lower, "CN=t", &[dns("a.lab.pos.bank.test")]);
    assert!(matches!(
        failure(pki.check(&c, &[&lower, &upper])).2,
        Rule::NameExcluded(_)
    ));
    // Constraints bind the CAs below too: a CA whose DN is outside a directoryName constraint
    // fails at its own index.
    let dn_upper = pki.ca(
        None,
        "CN=DN Upper,O=Test,C=CN",
        vec![nc(&[dn("O=Test Bank,C=CN")], &[])],
    );
    let stray = pki.ca(Some(&dn_upper), "CN=Stray CA,O=Elsewhere,C=CN", vec![]);
    let leaf = pki.leaf(&stray, "CN=u,O=Test Bank,C=CN", &[]);
    let (i, subject, rule) = failure(pki.check(&leaf, &[&stray, &dn_upper]));
    assert_eq!((i, subject.as_str()), (1, "CN=Stray CA,O=Elsewhere,C=CN"));
    assert!(matches!(rule, Rule::NameNotPermitted(_)));
}

#[test]
fn self_issued_intermediate_is_exempt_but_target_is_not() {
    let mut pki = Pki::new();
    let name = "CN=Bank CA,O=Root Org,C=CN";
    let ca = pki.ca(None, name, vec![nc(&[dn("O=Test Bank,C=CN")], &[])]);
    // Key rollover: a self-issued certificate (issuer = subject = the CA's name, new key)
    // whose name lies outside the CA's own permitted subtree.
    let rolled = pki.ca(Some(&ca), name, vec![]);
    assert_eq!(
        rolled.certificate().tbs_certificate().issuer(),
        rolled.certificate().tbs_certificate().subject()
    );
    let leaf = pki.leaf(&rolled, "CN=alice,O=Test Bank,C=CN", &[]);
    pki.check(&leaf, &[&rolled, &ca]).unwrap();
    // A self-issued *target* is not exempt (§6.1.3 (b) skips only intermediates).
    let target = pki.leaf(&rolled, name, &[]);
    let (i, _, rule) = failure(pki.check(&target, &[&rolled, &ca]));
    assert_eq!(i, 0);
    assert!(matches!(rule, Rule::NameNotPermitted(_)));
}

#[test]
fn unprocessed_forms_and_malformed_constraints() {
    let mut pki = Pki::new();
    let ca = pki.ca(None, "CN=URI CA", vec![nc(&[uri(".bank.test")], &[])]);
    // A URI constraint we do not process refuses a certificate with a URI name...
    let c = pki.leaf(&ca, "CN=u", &[uri("https://pay.bank.test/")]);
    assert_eq!(
        failure(pki.check(&c, &[&ca])).2,
        Rule::NameFormUnsupported("uniformResourceIdentifier")
    );
    // ...and does not affect certificates without one.
    let c = pki.leaf(&ca, "CN=u", &[dns("pay.bank.test")]);
    pki.check(&c, &[&ca]).unwrap();

    // minimum ≠ 0 is not allowed (§4.2.1.10): the CA's constraint is refused at its index.
    let bad_nc = ext(
        &NameConstraints {
            permitted_subtrees: Some(vec![GeneralSubtree {
                base: dns("bank.test"),
                minimum: 1,
                maximum: None,
            }]),
            excluded_subtrees: None,
        },
        true,
    )
    .unwrap();
    let ca = pki.ca(None, "CN=Bad NC CA", vec![bad_nc]);
    let c = pki.leaf(&ca, "CN=u", &[]);
    let (i, _, rule) = failure(pki.check(&c, &[&ca]));
    assert_eq!(i, 1);
    assert!(matches!(rule, Rule::BadExtension(_)));
    // An iPAddress base that is not address+mask is malformed.
    let ca = pki.ca(None, "CN=Bad IP CA", vec![nc(&[ip(&[10, 0, 0, 0])], &[])]);
    let c = pki.leaf(&ca, "CN=u", &[]);
    assert!(matches!(
        failure(pki.check(&c, &[&ca])),
        (1, _, Rule::BadExtension(_))
    ));
}
