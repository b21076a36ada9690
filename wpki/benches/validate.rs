//! Path validation throughput: a 3-certificate chain (root anchor → bank CA → wallet user) for
//! SM2 and ECDSA P-256, from pre-parsed certificates and from DER.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use der::{DateTime, Encode};
use mpay_wpki::{
    Ca, CertificateParams, ParsedCertificate, Profile, Signer, SigningKey, TrustAnchor,
    ValidationOptions, validate,
};
use std::hint::black_box;

fn chain(sm2: bool) -> (Vec<Vec<u8>>, Vec<TrustAnchor>) {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let key = || {
        if sm2 {
            SigningKey::generate_sm2(&mut rand_core::UnwrapErr(getrandom::SysRng)).unwrap()
        } else {
            SigningKey::generate_p256(&mut rand_core::UnwrapErr(getrandom::SysRng))
        }
    };
    let from = DateTime::new(2026, 1, 1, 0, 0, 0).unwrap();
    let to = DateTime::new(2036, 1, 1, 0, 0, 0).unwrap();
    let p = |s: &str, profile| CertificateParams::new(s.parse().unwrap(), from, to, profile);
    let root = Ca::self_signed(
        key(),
        &p("CN=Root,O=Test,C=CN", Profile::Ca { path_len: Some(1) }),
        &mut rng,
    )
    .unwrap();
    let bank = root
        .issue_subordinate(
            key(),
            &p(
                "CN=Bank CA,O=Test Bank,C=CN",
                Profile::Ca { path_len: Some(0) },
            ),
            &mut rng,
        )
        .unwrap();
    let user = bank
        .issue(
            &p("CN=wallet user,O=Test Bank,C=CN", Profile::WalletUser),
            &key().public_key_info().unwrap(),
            &mut rng,
        )
        .unwrap();
    (
        vec![user.to_der().unwrap(), bank.certificate().to_der().unwrap()],
        vec![TrustAnchor::from_certificate(root.certificate())],
    )
}

fn bench(c: &mut Criterion) {
    let opts = ValidationOptions::at(DateTime::new(2027, 6, 1, 0, 0, 0).unwrap());
    for (name, sm2) in [("sm2", true), ("p256", false)] {
        let (ders, anchors) = chain(sm2);
        let parsed: Vec<_> = ders
            .iter()
            .map(|d| ParsedCertificate::from_der(d).unwrap())
            .collect();
        c.bench_function(&format!("validate_3cert_chain/{name}/parsed"), |b| {
            b.iter(|| validate(black_box(&parsed), &anchors, &opts).unwrap())
        });
        c.bench_function(&format!("validate_3cert_chain/{name}/from_der"), |b| {
            b.iter(|| {
                let chain: Vec<_> = ders
                    .iter()
                    .map(|d| ParsedCertificate::from_der(black_box(d)).unwrap())
                    .collect();
                validate(&chain, &anchors, &opts).unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
