//! Interop with the `openssl` CLI (OpenSSL 3.0): SM2 signatures with the empty and the standard
//! ID in both directions, DER ciphertexts in both directions, keys read by `openssl pkey`, SM4
//! modes byte-equal. Skips when `openssl` is missing unless `MPAY_REQUIRE_PEERS` is set.

use mpay_gmt::sm2::{CiphertextFormat, DEFAULT_ID, EMPTY_ID, PrivateKey, PublicKey, Signature};
use mpay_gmt::sm4::{self, Padding};
use std::path::PathBuf;
use std::process::Command;

fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
            panic!("openssl CLI not found but MPAY_REQUIRE_PEERS is set");
        }
        eprintln!("skipping: openssl CLI not found");
    }
    ok
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mpay-gmt-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn openssl_ok(args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn keys_and_signatures_both_ways() {
    if !openssl_available() {
        return;
    }
    let d = tmpdir("sig");
    let p = |f: &str| d.join(f).to_str().unwrap().to_string();
    // OpenSSL key → ours
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:SM2",
        "-out",
        &p("ossl.key"),
    ]);
    openssl(&[
        "pkey",
        "-in",
        &p("ossl.key"),
        "-pubout",
        "-out",
        &p("ossl.pub"),
    ]);
    let key = PrivateKey::from_pem(&std::fs::read_to_string(p("ossl.key")).unwrap()).unwrap();
    let public = PublicKey::from_pem(&std::fs::read_to_string(p("ossl.pub")).unwrap()).unwrap();
    assert_eq!(key.public_key(), public);
    // our key → openssl pkey
    let ours = PrivateKey::from_bytes(&[0x31; 32]).unwrap();
    std::fs::write(p("our.key"), ours.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    std::fs::write(p("our.der"), &ours.to_pkcs8_der().unwrap()[..]).unwrap();
    let spki = openssl(&["pkey", "-in", &p("our.key"), "-pubout"]);
    assert_eq!(
        String::from_utf8(spki).unwrap(),
        ours.public_key().to_spki_pem().unwrap()
    );
    let spki_der = openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        &p("our.der"),
        "-pubout",
        "-outform",
        "DER",
    ]);
    assert_eq!(spki_der, ours.public_key().to_spki_der().unwrap());
    std::fs::write(p("our.pub"), ours.public_key().to_spki_pem().unwrap()).unwrap();
    openssl(&["pkey", "-pubin", "-in", &p("our.pub"), "-noout"]);

    let msg = b"transfer 100.00 CNY to 6222020000000000";
    std::fs::write(p("msg"), msg).unwrap();
    for (id, opt) in [
        (EMPTY_ID, None),
        (DEFAULT_ID, Some("distid:1234567812345678")),
    ] {
        // ours → openssl
        let sig = ours.sign(id, msg).unwrap();
        std::fs::write(p("our.sig"), sig.to_der()).unwrap();
        let mut args = vec!["dgst", "-sm3"];
        if let Some(o) = opt {
            args.extend(["-sigopt", o]);
        }
        let mut verify = args.clone();
        let (pub_path, sig_path, msg_path) = (p("our.pub"), p("our.sig"), p("msg"));
        verify.extend(["-verify", &pub_path, "-signature", &sig_path, &msg_path]);
        assert!(
            openssl_ok(&verify),
            "openssl verifies our signature, id {id:?}"
        );
        // with the other ID it must fail
        let mut wrong = vec!["dgst", "-sm3"];
        if opt.is_none() {
            wrong.extend(["-sigopt", "distid:1234567812345678"]);
        }
        wrong.extend(["-verify", &pub_path, "-signature", &sig_path, &msg_path]);
        assert!(!openssl_ok(&wrong));
        // openssl → ours
        let mut sign = args.clone();
        let key_path = p("ossl.key");
        sign.extend(["-sign", &key_path, &msg_path]);
        let theirs = Signature::from_der(&openssl(&sign)).unwrap();
        public.verify(id, msg, &theirs).unwrap();
        let other = if id.is_empty() { DEFAULT_ID } else { EMPTY_ID };
        assert!(public.verify(other, msg, &theirs).is_err());
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn der_ciphertexts_both_ways() {
    if !openssl_available() {
        return;
    }
    let d = tmpdir("enc");
    let p = |f: &str| d.join(f).to_str().unwrap().to_string();
    let key = PrivateKey::from_bytes(&[0x44; 32]).unwrap();
    std::fs::write(p("k.pem"), key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    std::fs::write(p("p.pem"), key.public_key().to_spki_pem().unwrap()).unwrap();
    let msg = b"session key 0123456789abcdef";
    std::fs::write(p("m"), msg).unwrap();
    // ours → openssl
    let ct = key
        .public_key()
        .encrypt(&mut getrandom::SysRng, msg)
        .unwrap();
    std::fs::write(p("c"), ct.to_bytes(CiphertextFormat::Der)).unwrap();
    assert_eq!(
        openssl(&["pkeyutl", "-decrypt", "-inkey", &p("k.pem"), "-in", &p("c")]),
        msg
    );
    // openssl → ours
    let c = openssl(&[
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        &p("p.pem"),
        "-in",
        &p("m"),
    ]);
    assert_eq!(
        key.decrypt_bytes(&c, CiphertextFormat::Der)
            .unwrap()
            .as_slice(),
        msg
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn sm4_modes_byte_equal() {
    if !openssl_available() {
        return;
    }
    let d = tmpdir("sm4");
    let p = |f: &str| d.join(f).to_str().unwrap().to_string();
    let key: [u8; 16] = *b"0123456789abcdef";
    let iv: [u8; 16] = *b"fedcba9876543210";
    let (kh, ivh) = (hex::encode(key), hex::encode(iv));
    for len in [0usize, 5, 16, 100, 16 * 20 + 3] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        std::fs::write(p("in"), &data).unwrap();
        let run = |cipher: &str, extra: &[&str]| {
            let mut a = vec!["enc", cipher, "-K", &kh, "-in"];
            let input = p("in");
            a.push(&input);
            a.extend_from_slice(extra);
            openssl(&a)
        };
        assert_eq!(
            run("-sm4-ecb", &[]),
            sm4::ecb_encrypt(&key, &data, Padding::Pkcs7).unwrap()
        );
        assert_eq!(
            run("-sm4-cbc", &["-iv", &ivh]),
            sm4::cbc_encrypt(&key, &iv, &data, Padding::Pkcs7).unwrap()
        );
        assert_eq!(
            run("-sm4-ctr", &["-iv", &ivh]),
            sm4::ctr_apply(&key, &iv, &data)
        );
        if len % 16 == 0 {
            assert_eq!(
                run("-sm4-cbc", &["-iv", &ivh, "-nopad"]),
                sm4::cbc_encrypt(&key, &iv, &data, Padding::None).unwrap()
            );
        }
    }
    std::fs::remove_dir_all(&d).ok();
}

/// GM/T 0010 SignedData with authenticated attributes. OpenSSL 3.0 cannot sign SM2 CMS/PKCS #7
/// (`cms -sign`: "illegal zero content"; `smime -sign`: "signing not supported for this key
/// type") and does not know the GM/T 0010 content-type OIDs, so it cannot check the message as a
/// whole. What it can check: the structure (`asn1parse` names the PKCS #9 attributes) and the
/// SignerInfo signature over the DER `SET OF Attribute` with the standard ID (`dgst -sm3`).
#[test]
fn signed_data_attributes_checked_by_openssl() {
    use mpay_gmt::cms::{DateTime, IssuerAndSerialNumber, SignOptions, SignedData};
    if !openssl_available() {
        return;
    }
    let d = tmpdir("cms");
    let p = |f: &str| d.join(f).to_str().unwrap().to_string();
    let key = PrivateKey::from_bytes(&[0x5d; 32]).unwrap();
    std::fs::write(p("pub.pem"), key.public_key().to_spki_pem().unwrap()).unwrap();
    let sid = IssuerAndSerialNumber::new(vec![0x30, 0x00], vec![0x2a]).unwrap();
    let content = b"clearing batch 0042";
    let opts = SignOptions {
        signed_attributes: true,
        signing_time: Some(DateTime::new(2026, 11, 21, 10, 0, 0).unwrap()),
        detached: true,
    };
    let sd = SignedData::sign_with(content, &[(&key, sid)], vec![], &opts).unwrap();
    std::fs::write(p("sd.der"), sd.to_der()).unwrap();
    let dump = String::from_utf8(openssl(&[
        "asn1parse",
        "-inform",
        "DER",
        "-in",
        &p("sd.der"),
    ]))
    .unwrap();
    for name in ["contentType", "messageDigest", "signingTime", "UTCTIME"] {
        assert!(dump.contains(name), "asn1parse shows {name}:\n{dump}");
    }
    // The message digest attribute is SM3 of the content (as OpenSSL computes it).
    std::fs::write(p("content"), content).unwrap();
    let sm3 = String::from_utf8(openssl(&["dgst", "-sm3", "-hex", &p("content")])).unwrap();
    let si = &sd.signer_infos()[0];
    let attrs = si.signed_attributes.as_ref().unwrap();
    assert!(
        sm3.trim_end()
            .ends_with(&hex::encode(attrs.message_digest()))
    );
    // OpenSSL verifies the signature over the attributes' DER with the standard ID.
    std::fs::write(p("attrs.der"), attrs.to_der()).unwrap();
    std::fs::write(p("sig.der"), si.signature.to_der()).unwrap();
    let (pk, sig, msg) = (p("pub.pem"), p("sig.der"), p("attrs.der"));
    let verify = |input: &str| {
        openssl_ok(&[
            "dgst",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-verify",
            &pk,
            "-signature",
            &sig,
            input,
        ])
    };
    assert!(verify(&msg));
    assert!(
        !verify(&p("content")),
        "the signature covers the attributes, not the content"
    );
}
