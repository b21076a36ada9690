//! OCSP throughput for SM2 and ECDSA P-256: a responder answering a one-certificate request with
//! a nonce (decode, look up, sign) and a client checking the answer (decode, CertID, signature,
//! freshness, nonce). Wall time; note the machine's load next to any figure.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use der::{DateTime, Encode};
use mpay_wpki::ocsp::{
    self, CertId, CheckOptions, HashAlg, ParsedResponse, Responder, RevocationList,
};
use mpay_wpki::{Ca, CertificateParams, Profile, Signer, SigningKey};
use std::hint::black_box;

type Rng = rand_core::UnwrapErr<getrandom::SysRng>;
type Keygen = fn(&mut Rng) -> SigningKey;

fn bench(c: &mut Criterion) {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let from = DateTime::new(2026, 1, 1, 0, 0, 0).unwrap();
    let to = DateTime::new(2036, 1, 1, 0, 0, 0).unwrap();
    let now = DateTime::new(2027, 6, 1, 12, 0, 0).unwrap();
    let algs: [(&str, Keygen); 2] = [
        ("SM2", |r| SigningKey::generate_sm2(r).unwrap()),
        ("P-256", |r| SigningKey::generate_p256(r)),
    ];
    for (name, keygen) in algs {
        let ca = Ca::self_signed(
            keygen(&mut rng),
            &CertificateParams::new(
                "CN=Bank CA".parse().unwrap(),
                from,
                to,
                Profile::Ca { path_len: None },
            ),
            &mut rng,
        )
        .unwrap();
        let user = ca
            .issue(
                &CertificateParams::new("CN=alice".parse().unwrap(), from, to, Profile::WalletUser),
                &keygen(&mut rng).public_key_info().unwrap(),
                &mut rng,
            )
            .unwrap();
        let serial = user.tbs_certificate().serial_number();
        let id = CertId::new(HashAlg::Sha1, ca.certificate(), serial).unwrap();
        let req = ocsp::request(vec![id], Some(&[7; 16]))
            .unwrap()
            .to_der()
            .unwrap();
        let responder = Responder::direct(ca.certificate(), ca.signer().clone()).unwrap();
        let list = RevocationList::new();
        c.bench_function(&format!("ocsp respond {name}"), |b| {
            b.iter(|| black_box(responder.respond_der(black_box(&req), &list, now)))
        });
        let resp = responder.respond_der(&req, &list, now);
        let mut opts = CheckOptions::at(now);
        opts.nonce = Some(vec![7; 16]);
        c.bench_function(&format!("ocsp check {name}"), |b| {
            b.iter(|| {
                let r = ParsedResponse::from_der(black_box(&resp)).unwrap();
                black_box(r.check(ca.certificate(), serial, &opts).unwrap())
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
