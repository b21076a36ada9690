//! SM2 known answers (GM/T 0003.5) and cross-checks with the RustCrypto `sm2` crate.

use mpay_gmt::sm2::{self, DEFAULT_ID, EMPTY_ID, PrivateKey, PublicKey, Signature};
use proptest::prelude::*;

/// A named value from the vector file.
pub fn vector(name: &str) -> Vec<u8> {
    let line = include_str!("vectors/sm2_gmt0003_5.txt")
        .lines()
        .find(|l| l.starts_with(&format!("{name} =")))
        .unwrap_or_else(|| panic!("no vector {name}"));
    hex::decode(line.split('=').nth(1).unwrap().trim()).unwrap()
}

fn arr32(v: Vec<u8>) -> [u8; 32] {
    v.try_into().unwrap()
}

#[test]
fn signature_kat() {
    let key = PrivateKey::from_bytes(&arr32(vector("sign.d"))).unwrap();
    let id = vector("sign.id");
    assert_eq!(id, DEFAULT_ID);
    let z = sm2::z(&id, &key.public_key()).unwrap();
    assert_eq!(hex::encode_upper(&z[..4]), "B2E14C5C");
    assert_eq!(hex::encode_upper(&z[28..]), "CDA8A4F3");
    let msg = vector("sign.msg");
    let e = mpay_gmt::sm3::hash_parts(&[&z, &msg]);
    let sig = key
        .sign_digest_with_nonce(&e, &arr32(vector("sign.k")))
        .unwrap();
    assert_eq!(sig.r().to_vec(), vector("sign.r"));
    assert_eq!(sig.s().to_vec(), vector("sign.s"));
    key.public_key().verify(&id, &msg, &sig).unwrap();
    assert!(key.public_key().verify(EMPTY_ID, &msg, &sig).is_err());
    assert!(
        key.public_key()
            .verify(&id, b"message digesT", &sig)
            .is_err()
    );
}

#[test]
fn deterministic_signatures_verify_with_sm2_crate() {
    use ::sm2::dsa::signature::Verifier;
    use ::sm2::dsa::{Signature as RefSig, VerifyingKey};
    let key = PrivateKey::from_bytes(&[0x5a; 32]).unwrap();
    let pk = key.public_key();
    for id in [DEFAULT_ID, EMPTY_ID, b"ALICE123@YAHOO.COM".as_slice()] {
        let sig = key.sign(id, b"hello").unwrap();
        assert_eq!(sig, key.sign(id, b"hello").unwrap(), "deterministic");
        let vk =
            VerifyingKey::from_sec1_bytes(core::str::from_utf8(id).unwrap(), &pk.to_sec1_bytes())
                .unwrap();
        let rs = RefSig::from_bytes(&sig.to_raw().into()).unwrap();
        vk.verify(b"hello", &rs).unwrap();
        // and the other way round
        use ::sm2::dsa::signature::Signer;
        let sk = ::sm2::dsa::SigningKey::from_slice(
            core::str::from_utf8(id).unwrap(),
            &key.to_bytes()[..],
        )
        .unwrap();
        let theirs: RefSig = sk.sign(b"world");
        let ours = Signature::from_raw(&theirs.to_bytes()).unwrap();
        pk.verify(id, b"world", &ours).unwrap();
    }
}

#[test]
fn binary_ids_and_limits() {
    let key = PrivateKey::from_bytes(&[7; 32]).unwrap();
    let id = [0u8, 0xff, 0x00, 0x10];
    let sig = key.sign(&id, b"m").unwrap();
    key.public_key().verify(&id, b"m", &sig).unwrap();
    assert!(key.public_key().verify(&id[..3], b"m", &sig).is_err());
    assert!(key.sign(&[0u8; 8192], b"m").is_err());
    assert!(key.sign(&[0u8; 8191], b"m").is_ok());
}

#[test]
fn signature_encodings_reject_bad_input() {
    assert!(Signature::from_raw(&[0u8; 64]).is_err(), "r = 0");
    assert!(Signature::from_raw(&[0xffu8; 64]).is_err(), "r >= n");
    assert!(Signature::from_raw(&[1u8; 63]).is_err());
    assert!(Signature::from_der(&[0x30, 0x00]).is_err());
    // non-minimal INTEGER
    assert!(Signature::from_der(&hex::decode("300802020001020101").unwrap()).is_err());
    assert!(PrivateKey::from_bytes(&[0u8; 32]).is_err());
    assert!(PublicKey::from_sec1_bytes(&[4u8; 65]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn der_and_raw_round_trip(seed in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assume!(PrivateKey::from_bytes(&seed).is_ok());
        let key = PrivateKey::from_bytes(&seed).unwrap();
        let sig = key.sign(DEFAULT_ID, &msg).unwrap();
        let der = sig.to_der();
        prop_assert_eq!(Signature::from_der(&der).unwrap(), sig);
        prop_assert_eq!(Signature::from_der(&der).unwrap().to_der(), der);
        prop_assert_eq!(Signature::from_raw(&sig.to_raw()).unwrap(), sig);
        prop_assert!(key.public_key().verify(DEFAULT_ID, &msg, &sig).is_ok());
    }
}

#[test]
fn encryption_kat() {
    use mpay_gmt::sm2::{Ciphertext, CiphertextFormat};
    let key = PrivateKey::from_bytes(&arr32(vector("enc.d"))).unwrap();
    let msg = vector("enc.msg");
    let ct = key
        .public_key()
        .encrypt_with_nonce(&arr32(vector("enc.k")), &msg)
        .unwrap();
    assert_eq!(ct.c3().to_vec(), vector("enc.c3"));
    assert_eq!(ct.c2().to_vec(), vector("enc.c2"));
    let c1 = ct.c1().to_sec1_bytes();
    assert_eq!(hex::encode_upper(&c1[..5]), "0404EBFC71");
    assert_eq!(hex::encode_upper(&c1[29..33]), "2E149A73");
    assert_eq!(hex::encode_upper(&c1[33..37]), "E858F9D8");
    assert_eq!(hex::encode_upper(&c1[61..]), "7E124DF0");
    for f in [
        CiphertextFormat::C1C3C2,
        CiphertextFormat::C1C2C3,
        CiphertextFormat::Der,
    ] {
        let b = ct.to_bytes(f);
        let back = Ciphertext::from_bytes(&b, f).unwrap();
        assert_eq!(back, ct);
        assert_eq!(key.decrypt(&back).unwrap().as_slice(), &msg[..]);
    }
    let der = ct.to_bytes(CiphertextFormat::Der);
    assert_eq!(hex::encode_upper(&der[..4]), "307C0220");
    // DER decrypts with the RustCrypto sm2 crate too
    let dk = ::sm2::pke::DecryptingKey::from_slice(&key.to_bytes()[..]).unwrap();
    assert_eq!(dk.decrypt_der(&der).unwrap(), msg);
    assert_eq!(
        dk.decrypt(&ct.to_bytes(CiphertextFormat::C1C3C2)).unwrap(),
        msg
    );
    // tampering is detected
    let mut bad = ct.to_bytes(CiphertextFormat::C1C3C2);
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(key.decrypt_bytes(&bad, CiphertextFormat::C1C3C2).is_err());
}

#[test]
fn key_exchange_kat() {
    use mpay_gmt::sm2::{KeyExchange, Role};
    let id = vector("kex.id");
    let a = PrivateKey::from_bytes(&arr32(vector("kex.da"))).unwrap();
    let b = PrivateKey::from_bytes(&arr32(vector("kex.db"))).unwrap();
    let za = a.public_key().z(&id).unwrap();
    let zb = b.public_key().z(&id).unwrap();
    assert_eq!(hex::encode_upper(&za[..4]), "3B85A571");
    assert_eq!(hex::encode_upper(&za[28..]), "7AC245B1");
    assert_eq!(hex::encode_upper(&zb[..4]), "79C988D6");
    assert_eq!(hex::encode_upper(&zb[28..]), "4AB022F7");
    let ka = KeyExchange::with_ephemeral_key(
        Role::Initiator,
        &a,
        &id,
        &b.public_key(),
        &id,
        &arr32(vector("kex.ra")),
    )
    .unwrap();
    let kb = KeyExchange::with_ephemeral_key(
        Role::Responder,
        &b,
        &id,
        &a.public_key(),
        &id,
        &arr32(vector("kex.rb")),
    )
    .unwrap();
    let (ra, rb) = (ka.ephemeral_public_key(), kb.ephemeral_public_key());
    let rb_result = kb.finish(&ra, 16).unwrap();
    let ra_result = ka.finish(&rb, 16).unwrap();
    assert_eq!(rb_result.key().to_vec(), vector("kex.k"));
    assert_eq!(ra_result.key().to_vec(), vector("kex.k"));
    assert_eq!(rb_result.confirmation().to_vec(), vector("kex.sb"));
    assert_eq!(ra_result.confirmation().to_vec(), vector("kex.sa"));
    ra_result
        .verify_peer_confirmation(rb_result.confirmation())
        .unwrap();
    rb_result
        .verify_peer_confirmation(ra_result.confirmation())
        .unwrap();
    assert!(
        ra_result
            .verify_peer_confirmation(ra_result.confirmation())
            .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// encode ∘ decode = id for ciphertexts (three forms) and keys (PKCS#8, SPKI, GM/T 0009).
    #[test]
    fn ciphertext_and_key_round_trips(seed in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..80)) {
        use mpay_gmt::sm2::{Ciphertext, CiphertextFormat, EnvelopedKey};
        prop_assume!(PrivateKey::from_bytes(&seed).is_ok());
        let key = PrivateKey::from_bytes(&seed).unwrap();
        let ct = key.public_key().encrypt(&mut getrandom::SysRng, &msg).unwrap();
        for f in [CiphertextFormat::C1C3C2, CiphertextFormat::C1C2C3, CiphertextFormat::Der] {
            let b = ct.to_bytes(f);
            let back = Ciphertext::from_bytes(&b, f).unwrap();
            prop_assert_eq!(back.to_bytes(f), b);
            let pt = key.decrypt(&back).unwrap();
            prop_assert_eq!(pt.as_slice(), &msg[..]);
        }
        let der = key.to_pkcs8_der().unwrap();
        prop_assert_eq!(&PrivateKey::from_der(&der).unwrap().to_pkcs8_der().unwrap()[..], &der[..]);
        let g = key.to_gmt0009_der();
        prop_assert_eq!(&PrivateKey::from_gmt0009_der(&g).unwrap().to_gmt0009_der()[..], &g[..]);
        let spki = key.public_key().to_spki_der().unwrap();
        prop_assert_eq!(PublicKey::from_der(&spki).unwrap().to_spki_der().unwrap(), spki);
        let gp = key.public_key().to_gmt0009_der();
        prop_assert_eq!(PublicKey::from_gmt0009_der(&gp).unwrap().to_gmt0009_der(), gp);
        let env = EnvelopedKey::seal(&mut getrandom::SysRng, &key.public_key(), &key).unwrap();
        let e = env.to_der();
        prop_assert_eq!(EnvelopedKey::from_der(&e).unwrap().to_der(), e);
    }
}
