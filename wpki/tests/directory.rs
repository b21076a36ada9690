//! The certificate directory (in memory and SQLite) and chain building through it: look-ups,
//! references, latest CRL by cRLNumber, persistence, cross-signed and alternative paths, loops,
//! depth and attempt limits, the most relevant error, revocation with the directory's CRLs.

mod common;

use common::*;
use der::Encode;
use mpay_wpki::crl::{ParsedCrl, RevokedEntry};
#[cfg(feature = "sqlite")]
use mpay_wpki::directory::SqliteDirectory;
use mpay_wpki::directory::{BuildOptions, CertRef, Directory, MemoryDirectory, build_path};
use mpay_wpki::{
    Ca, Error, ParsedCertificate, Profile, Rule, Signer, TrustAnchor, ValidationOptions,
};
use sha2::Digest;

fn parsed(c: &x509_cert::Certificate) -> ParsedCertificate {
    ParsedCertificate::from_certificate(c).unwrap()
}

fn crl(ca: &Ca, number: u8, revoked: &[RevokedEntry]) -> ParsedCrl {
    let list = ca
        .issue_crl(&[number], t(2027, 1, 1), t(2028, 1, 1), revoked)
        .unwrap();
    ParsedCrl::from_der(&list.to_der().unwrap()).unwrap()
}

fn lookups(dir: &mut dyn Directory) {
    let c = chain(Alg::P256);
    let (user, bank, root) = (
        parsed(&c.user),
        parsed(c.bank.certificate()),
        parsed(c.root.certificate()),
    );
    for cert in [&user, &bank, &root, &bank] {
        dir.store_certificate(cert).unwrap();
    }
    let bank_name = c.bank.certificate().tbs_certificate().subject();
    let by_subject = dir.by_subject(bank_name).unwrap();
    assert_eq!(by_subject.len(), 1, "stored twice, kept once");
    assert_eq!(by_subject[0].certificate(), c.bank.certificate());
    assert!(
        dir.by_subject(&"CN=nobody".parse().unwrap())
            .unwrap()
            .is_empty()
    );

    let by_ski = dir.by_key_id(c.bank.key_id()).unwrap();
    assert_eq!(by_ski.len(), 1);
    assert_eq!(by_ski[0].certificate(), c.bank.certificate());
    assert!(dir.by_key_id(&[1, 2, 3]).unwrap().is_empty());

    let tbs = c.user.tbs_certificate();
    let found = dir
        .by_issuer_serial(tbs.issuer(), tbs.serial_number())
        .unwrap()
        .unwrap();
    assert_eq!(found.certificate(), &c.user);
    assert!(
        dir.by_issuer_serial(tbs.subject(), tbs.serial_number())
            .unwrap()
            .is_none()
    );

    let hash: [u8; 32] = sha2::Sha256::digest(c.user.to_der().unwrap()).into();
    assert_eq!(CertRef::sha256_of(&user).unwrap(), CertRef::Sha256(hash));
    assert_eq!(
        dir.by_sha256(&hash).unwrap().unwrap().certificate(),
        &c.user
    );
    assert!(dir.by_sha256(&[0; 32]).unwrap().is_none());
    for r in [
        CertRef::sha256_of(&user).unwrap(),
        CertRef::key_id_of(&user).unwrap(),
    ] {
        assert_eq!(dir.resolve(&r).unwrap().unwrap().certificate(), &c.user);
    }
    assert!(dir.resolve(&CertRef::KeyId(vec![9; 20])).unwrap().is_none());

    // Latest CRL per issuer, by cRLNumber (not by storage order).
    assert!(dir.latest_crl(bank_name).unwrap().is_none());
    for n in [1, 3, 2] {
        dir.store_crl(&crl(&c.bank, n, &[])).unwrap();
    }
    dir.store_crl(&crl(&c.root, 7, &[])).unwrap();
    let latest = dir.latest_crl(bank_name).unwrap().unwrap();
    assert_eq!(number_of(&latest), vec![3]);
    let root_name = c.root.certificate().tbs_certificate().subject();
    assert_eq!(
        number_of(&dir.latest_crl(root_name).unwrap().unwrap()),
        vec![7]
    );
    // A two-octet number beats any one-octet number.
    let big = c
        .bank
        .issue_crl(&[0x01, 0x00], t(2027, 1, 1), t(2028, 1, 1), &[])
        .unwrap();
    dir.store_crl(&ParsedCrl::from_der(&big.to_der().unwrap()).unwrap())
        .unwrap();
    assert_eq!(
        number_of(&dir.latest_crl(bank_name).unwrap().unwrap()),
        vec![1, 0]
    );
}

fn number_of(crl: &ParsedCrl) -> Vec<u8> {
    use der::Decode;
    use der::oid::AssociatedOid;
    let e = crl
        .crl()
        .tbs_cert_list
        .crl_extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == x509_cert::ext::pkix::CrlNumber::OID)
        .unwrap();
    x509_cert::ext::pkix::CrlNumber::from_der(e.extn_value.as_bytes())
        .unwrap()
        .0
        .as_bytes()
        .to_vec()
}

#[test]
fn memory_directory_lookups() {
    lookups(&mut MemoryDirectory::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_directory_lookups_and_persistence() {
    lookups(&mut SqliteDirectory::open_in_memory().unwrap());

    let file = tempfile::NamedTempFile::new().unwrap();
    let c = chain(Alg::Sm2);
    {
        let mut dir = SqliteDirectory::open(file.path()).unwrap();
        dir.store_certificate(&parsed(c.bank.certificate()))
            .unwrap();
        dir.store_crl(&crl(&c.bank, 5, &[])).unwrap();
    }
    let dir = SqliteDirectory::open(file.path()).unwrap();
    let name = c.bank.certificate().tbs_certificate().subject();
    assert_eq!(dir.by_subject(name).unwrap().len(), 1);
    assert_eq!(number_of(&dir.latest_crl(name).unwrap().unwrap()), vec![5]);
}

#[test]
fn crl_without_number_is_refused() {
    let c = chain(Alg::P256);
    let mut list = c
        .bank
        .issue_crl(&[1], t(2027, 1, 1), t(2028, 1, 1), &[])
        .unwrap();
    list.tbs_cert_list.crl_extensions = None; // (signature no longer matters to a store)
    let bare = ParsedCrl::from_der(&list.to_der().unwrap()).unwrap();
    let mut dirs: Vec<Box<dyn Directory>> = vec![Box::new(MemoryDirectory::new())];
    #[cfg(feature = "sqlite")]
    dirs.push(Box::new(SqliteDirectory::open_in_memory().unwrap()));
    for dir in &mut dirs {
        assert_eq!(
            dir.store_crl(&bare).unwrap_err(),
            Error::Params("CRL without a cRLNumber")
        );
    }
}

fn anchors(cas: &[&Ca]) -> Vec<TrustAnchor> {
    cas.iter()
        .map(|c| TrustAnchor::from_certificate(c.certificate()))
        .collect()
}

fn opts() -> ValidationOptions {
    ValidationOptions::at(now())
}

#[test]
fn builds_from_an_unordered_pool() {
    let c = chain(Alg::P256);
    // A pool with noise: the root itself and an unrelated CA.
    let other = chain(Alg::P256);
    let pool = [
        parsed(other.bank.certificate()),
        parsed(c.root.certificate()),
        parsed(c.bank.certificate()),
    ];
    let dir = MemoryDirectory::from_pool(&pool).unwrap();
    let built = build_path(
        &parsed(&c.user),
        &anchors(&[&other.root, &c.root]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap();
    let subjects: Vec<String> = built.chain.iter().map(|p| p.subject_string()).collect();
    assert_eq!(
        subjects,
        [
            "CN=wallet user 0001,O=Test Bank,C=CN",
            "CN=Test Bank CA,O=Test Bank,C=CN"
        ]
    );
    assert_eq!(built.valid.anchor, 1);
    // A directory without the bank CA: no anchor reachable, and the error says from where.
    let empty = MemoryDirectory::new();
    let e = build_path(
        &parsed(&c.user),
        &anchors(&[&c.root]),
        &empty,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::NoTrustAnchor {
            issuer: "CN=Test Bank CA,O=Test Bank,C=CN".into()
        }
    );
}

/// Root R1 and root R2; the bank CA's key is certified by both (B1 by R1, B2 by R2: a
/// cross-certificate with the same subject and key); `b1_to` ends B1's validity.
struct Cross {
    r1: Ca,
    r2: Ca,
    b1: ParsedCertificate,
    b2: ParsedCertificate,
    user: ParsedCertificate,
}

fn cross(b1_to: der::DateTime) -> Cross {
    let mut rng = rng();
    let r1 = Ca::self_signed(
        key(Alg::P256, &mut rng),
        &params("CN=Root One,C=CN", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let r2 = Ca::self_signed(
        key(Alg::P256, &mut rng),
        &params("CN=Root Two,C=CN", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let bank_key = key(Alg::P256, &mut rng);
    let mut p = params("CN=Bank CA,C=CN", Profile::Ca { path_len: None });
    let b2 = r2
        .issue_subordinate(bank_key.clone(), &p, &mut rng)
        .unwrap();
    p.not_after = b1_to;
    let b1 = r1.issue_subordinate(bank_key, &p, &mut rng).unwrap();
    let user = b1
        .issue(
            &params("CN=user,C=CN", Profile::WalletUser),
            &key(Alg::P256, &mut rng).public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    Cross {
        b1: parsed(b1.certificate()),
        b2: parsed(b2.certificate()),
        user: parsed(&user),
        r1,
        r2,
    }
}

#[test]
fn cross_signed_alternative_paths() {
    let x = cross(t(2036, 1, 1));
    let dir = MemoryDirectory::from_pool([&x.b1, &x.b2, &parsed(x.r1.certificate())]).unwrap();
    // Trusting only R2: the builder must take the cross-certificate B2.
    let built = build_path(
        &x.user,
        &anchors(&[&x.r2]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(built.chain[1].certificate(), x.b2.certificate());
    // Trusting only R1: B1.
    let built = build_path(
        &x.user,
        &anchors(&[&x.r1]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(built.chain[1].certificate(), x.b1.certificate());

    // B1 expired before the validation time: with both roots trusted, the B1 path fails and
    // the builder falls back to B2.
    let x = cross(t(2027, 1, 1));
    let dir = MemoryDirectory::from_pool([&x.b1, &x.b2]).unwrap();
    let both = anchors(&[&x.r1, &x.r2]);
    let built = build_path(&x.user, &both, &dir, &opts(), &BuildOptions::default()).unwrap();
    assert_eq!(built.chain[1].certificate(), x.b2.certificate());
    assert_eq!(built.valid.anchor, 1);
    // Only R1 trusted: the one path there is expired, and that is the error returned.
    let e = build_path(
        &x.user,
        &anchors(&[&x.r1]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Path {
                index: 1,
                rule: Rule::Expired,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn aki_match_is_tried_first() {
    // Key rollover: two bank CA certificates with the same name, different keys, the old one
    // stored first. The user's AKI names the new key, so one attempt suffices.
    let c = chain(Alg::P256);
    let mut rng = rng();
    let old = c
        .root
        .issue_subordinate(
            key(Alg::P256, &mut rng),
            &params(
                "CN=Test Bank CA,O=Test Bank,C=CN",
                Profile::Ca { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let dir =
        MemoryDirectory::from_pool([&parsed(old.certificate()), &parsed(c.bank.certificate())])
            .unwrap();
    let one = BuildOptions {
        max_attempts: 1,
        ..BuildOptions::default()
    };
    let built = build_path(&parsed(&c.user), &anchors(&[&c.root]), &dir, &opts(), &one).unwrap();
    assert_eq!(built.chain[1].certificate(), c.bank.certificate());
    // With only the old certificate, the one path tried fails on the user's signature.
    let only_old = MemoryDirectory::from_pool([&parsed(old.certificate())]).unwrap();
    let e = build_path(
        &parsed(&c.user),
        &anchors(&[&c.root]),
        &only_old,
        &opts(),
        &one,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Path {
                index: 0,
                rule: Rule::Signature,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn loops_and_depth_limit_terminate() {
    // X and Y certify each other; neither is trusted. The search must stop.
    let mut rng = rng();
    let x_key = key(Alg::P256, &mut rng);
    let y_key = key(Alg::P256, &mut rng);
    let x = Ca::self_signed(
        x_key.clone(),
        &params("CN=CA X", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let y = Ca::self_signed(
        y_key.clone(),
        &params("CN=CA Y", Profile::Ca { path_len: None }),
        &mut rng,
    )
    .unwrap();
    let y_by_x = x
        .issue_subordinate(
            y_key,
            &params("CN=CA Y", Profile::Ca { path_len: None }),
            &mut rng,
        )
        .unwrap();
    let x_by_y = y
        .issue_subordinate(
            x_key,
            &params("CN=CA X", Profile::Ca { path_len: None }),
            &mut rng,
        )
        .unwrap();
    let user = x_by_y
        .issue(
            &params("CN=looped user", Profile::WalletUser),
            &key(Alg::P256, &mut rng).public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let dir = MemoryDirectory::from_pool([
        &parsed(y_by_x.certificate()),
        &parsed(x_by_y.certificate()),
        &parsed(x.certificate()),
        &parsed(y.certificate()),
    ])
    .unwrap();
    let unrelated = chain(Alg::P256);
    let e = build_path(
        &parsed(&user),
        &anchors(&[&unrelated.root]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::NoTrustAnchor { .. }), "{e:?}");
    // Trusting Y (by its self-signed certificate) the loop still resolves: user → X(by Y).
    let built = build_path(
        &parsed(&user),
        &anchors(&[&y]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(built.chain.len(), 2);

    // A long chain: root → CA1 → … → CA5 → user needs depth 6.
    let c = chain(Alg::P256);
    let mut cas = vec![];
    let mut issuer = &c.root;
    for i in 1..=5 {
        let next = issuer
            .issue_subordinate(
                key(Alg::P256, &mut rng),
                &params(&format!("CN=CA{i}"), Profile::Ca { path_len: None }),
                &mut rng,
            )
            .unwrap();
        cas.push(next);
        issuer = cas.last().unwrap();
    }
    let leaf = issuer
        .issue(
            &params("CN=deep user", Profile::WalletUser),
            &key(Alg::P256, &mut rng).public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    let dir = MemoryDirectory::from_pool(
        cas.iter()
            .map(|c| parsed(c.certificate()))
            .collect::<Vec<_>>()
            .iter(),
    )
    .unwrap();
    let deep = build_path(
        &parsed(&leaf),
        &anchors(&[&c.root]),
        &dir,
        &opts(),
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(deep.chain.len(), 6);
    let shallow = BuildOptions {
        max_depth: 3,
        ..BuildOptions::default()
    };
    let e = build_path(
        &parsed(&leaf),
        &anchors(&[&c.root]),
        &dir,
        &opts(),
        &shallow,
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::NoTrustAnchor {
            issuer: "CN=CA3".into()
        }
    );
}

#[test]
fn revocation_from_the_directory() {
    revocation_through(MemoryDirectory::new());
    #[cfg(feature = "sqlite")]
    revocation_through(SqliteDirectory::open_in_memory().unwrap());
}

fn revocation_through<D: Directory>(mut dir: D) {
    let c = chain(Alg::Sm2);
    dir.store_certificate(&parsed(c.bank.certificate()))
        .unwrap();
    let with_crls = BuildOptions {
        crls_from_directory: true,
        ..BuildOptions::default()
    };
    let run = |dir: &D| build_path(&parsed(&c.user), &c.anchors(), dir, &opts(), &with_crls);
    // No CRLs yet: revocation cannot be checked.
    assert!(matches!(
        run(&dir).unwrap_err(),
        Error::Path {
            rule: Rule::NoCurrentCrl { .. },
            ..
        }
    ));
    dir.store_crl(&crl(&c.root, 1, &[])).unwrap();
    dir.store_crl(&crl(&c.bank, 1, &[])).unwrap();
    run(&dir).unwrap();
    // The bank then revokes the user in CRL 2: the latest CRL is the one used.
    let entry = RevokedEntry {
        serial: c.user.tbs_certificate().serial_number().clone(),
        date: t(2027, 2, 1),
    };
    dir.store_crl(&crl(&c.bank, 2, &[entry])).unwrap();
    assert!(matches!(
        run(&dir).unwrap_err(),
        Error::Path {
            index: 0,
            rule: Rule::Revoked,
            ..
        }
    ));
}
