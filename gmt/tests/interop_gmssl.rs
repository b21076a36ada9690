//! Interop with the `gmssl` Python package (PyPI), run through `MPAY_PYTHON`: SM2 signatures
//! with the default ID and ciphertexts (C1C3C2, gmssl omits the `04` point prefix) in both
//! directions, SM3 and SM4 byte-equal. Skips when MPAY_PYTHON or gmssl is missing unless
//! `MPAY_REQUIRE_PEERS` is set.

use mpay_gmt::sm2::{CiphertextFormat, DEFAULT_ID, PrivateKey, Signature};
use mpay_gmt::{sm3, sm4};
use std::process::Command;

const SCRIPT: &str = r#"
import sys
from gmssl import sm2, sm3, sm4, func
op = sys.argv[1]
if op == 'sign':
    d, x, msg = sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
    c = sm2.CryptSM2(private_key=d, public_key=x)
    print(c.sign_with_sm3(msg))
elif op == 'verify':
    x, sig, msg = sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
    c = sm2.CryptSM2(private_key=None, public_key=x)
    print('OK' if c.verify_with_sm3(sig, msg) else 'BAD')
elif op == 'encrypt':
    x, msg = sys.argv[2], bytes.fromhex(sys.argv[3])
    c = sm2.CryptSM2(private_key=None, public_key=x, mode=1)
    print(c.encrypt(msg).hex())
elif op == 'decrypt':
    d, x, ct = sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
    c = sm2.CryptSM2(private_key=d, public_key=x, mode=1)
    print(c.decrypt(ct).hex())
elif op == 'sm3':
    print(sm3.sm3_hash(func.bytes_to_list(bytes.fromhex(sys.argv[2]))))
elif op == 'sm4cbc':
    k, iv, m = (bytes.fromhex(a) for a in sys.argv[2:5])
    s = sm4.CryptSM4()
    s.set_key(k, sm4.SM4_ENCRYPT)
    print(s.crypt_cbc(iv, m).hex())
"#;

fn python() -> Option<String> {
    let py = std::env::var("MPAY_PYTHON").ok().filter(|p| {
        Command::new(p)
            .args(["-c", "import gmssl"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if py.is_none() {
        if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
            panic!("MPAY_PYTHON with the gmssl package is required (MPAY_REQUIRE_PEERS is set)");
        }
        eprintln!("skipping: MPAY_PYTHON not set or gmssl not installed");
    }
    py
}

fn run(py: &str, args: &[&str]) -> String {
    let out = Command::new(py)
        .arg("-c")
        .arg(SCRIPT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gmssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn sm2_signatures_and_ciphertexts_both_ways() {
    let Some(py) = python() else { return };
    let key = PrivateKey::from_bytes(&[0x6b; 32]).unwrap();
    let d = hex::encode(&key.to_bytes()[..]);
    let x = hex::encode(&key.public_key().to_sec1_bytes()[1..]);
    let msg = b"GM/T interop: pay 88.00";
    let m = hex::encode(msg);
    // gmssl → ours (default ID 1234567812345678)
    let sig = run(&py, &["sign", &d, &x, &m]);
    let sig = Signature::from_raw(&hex::decode(&sig).unwrap()).unwrap();
    key.public_key().verify(DEFAULT_ID, msg, &sig).unwrap();
    // ours → gmssl
    let ours = key.sign(DEFAULT_ID, msg).unwrap();
    assert_eq!(
        run(&py, &["verify", &x, &hex::encode(ours.to_raw()), &m]),
        "OK"
    );
    let other = key.sign(b"", msg).unwrap();
    assert_eq!(
        run(&py, &["verify", &x, &hex::encode(other.to_raw()), &m]),
        "BAD"
    );
    // gmssl ciphertext (C1 without 04 ‖ C3 ‖ C2) → ours
    let ct = hex::decode(run(&py, &["encrypt", &x, &m])).unwrap();
    let ct = [&[4u8][..], &ct].concat();
    assert_eq!(
        key.decrypt_bytes(&ct, CiphertextFormat::C1C3C2)
            .unwrap()
            .as_slice(),
        msg
    );
    // ours → gmssl
    let ours = key
        .public_key()
        .encrypt(&mut getrandom::SysRng, msg)
        .unwrap();
    let bytes = ours.to_bytes(CiphertextFormat::C1C3C2);
    assert_eq!(run(&py, &["decrypt", &d, &x, &hex::encode(&bytes[1..])]), m);
}

#[test]
fn sm3_and_sm4_byte_equal() {
    let Some(py) = python() else { return };
    for len in [0usize, 3, 64, 200] {
        let data: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
        assert_eq!(
            run(&py, &["sm3", &hex::encode(&data)]),
            hex::encode(sm3::hash(&data))
        );
        let (k, iv) = ([0x2bu8; 16], [0x7eu8; 16]);
        assert_eq!(
            run(
                &py,
                &[
                    "sm4cbc",
                    &hex::encode(k),
                    &hex::encode(iv),
                    &hex::encode(&data)
                ]
            ),
            hex::encode(sm4::cbc_encrypt(&k, &iv, &data, sm4::Padding::Pkcs7).unwrap())
        );
    }
}

/// GM/T 0010 authenticated attributes: gmssl (default ID) verifies the SignerInfo signature over
/// our attributes' DER, and a signature gmssl makes over them verifies as our SignerInfo.
#[test]
fn signed_attributes_signatures_both_ways() {
    use mpay_gmt::cms::{
        IssuerAndSerialNumber, SignOptions, SignedAttributes, SignedData, SignerInfo,
    };
    let Some(py) = python() else { return };
    let key = PrivateKey::from_bytes(&[0x71; 32]).unwrap();
    let d = hex::encode(&key.to_bytes()[..]);
    let x = hex::encode(&key.public_key().to_sec1_bytes()[1..]);
    let sid = IssuerAndSerialNumber::new(vec![0x30, 0x00], vec![0x07]).unwrap();
    let content = b"voucher 9 of 12";
    let opts = SignOptions {
        signed_attributes: true,
        ..SignOptions::default()
    };
    let sd = SignedData::sign_with(content, &[(&key, sid.clone())], vec![], &opts).unwrap();
    let si = &sd.signer_infos()[0];
    let attrs = si.signed_attributes.clone().unwrap();
    assert_eq!(
        run(&py, &["sm3", &hex::encode(content)]),
        hex::encode(attrs.message_digest())
    );
    let a = hex::encode(attrs.to_der());
    assert_eq!(
        run(
            &py,
            &["verify", &x, &hex::encode(si.signature.to_raw()), &a]
        ),
        "OK"
    );
    // gmssl signs the attributes of another content; we check it as a SignerInfo.
    let other = SignedAttributes::for_content(b"voucher 10 of 12", None);
    let sig = run(&py, &["sign", &d, &x, &hex::encode(other.to_der())]);
    let theirs = SignerInfo {
        sid,
        signature: Signature::from_raw(&hex::decode(sig).unwrap()).unwrap(),
        signed_attributes: Some(other),
    };
    theirs
        .verify(&key.public_key(), b"voucher 10 of 12")
        .unwrap();
    assert!(theirs.verify(&key.public_key(), content).is_err());
}
