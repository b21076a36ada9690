//! The PBOC/UICS national-algorithm variant against an independent construction: gmssl
//! (PyPI, pure Python SM2/SM3/SM4) recomputes every SM4 key, cryptogram, ARPC and SM4 POS MAC
//! from the inputs, verifies our SM2 certificates and signatures, and signs certificate data
//! that we then verify. No published SM4/SM2 card vector exists (JR/T 0025.17 is not openly
//! available), so this is the cross-check.
//!
//! Skips (with a message) when `MPAY_PYTHON` is unset, unless `MPAY_REQUIRE_PEERS` is set.

use std::io::Write;
use std::process::{Command, Stdio};

use mpay_emv::crypto::cvn::TransactionData;
use mpay_emv::crypto::keys::Sm4Key;
use mpay_emv::crypto::pboc::{self, PbocSm4, Sm4IssuerKeys};
use mpay_emv::crypto::posmac::unionpay_pos_mac_sm4;
use mpay_emv::oda::sm2 as oda;
use mpay_gmt::sm2::PrivateKey;
use serde_json::{Value, json};

const PEER: &str = r#"
import json, sys, os
from gmssl import sm2, sm4, func

def enc(key, block):
    c = sm4.CryptSM4()
    c.set_key(key, sm4.SM4_ENCRYPT)
    return c.crypt_ecb(block)[:16]

def cbc_mac_m2(key, data):
    data = data + b"\x80"
    data += b"\x00" * (-len(data) % 16)
    s = bytes(16)
    for i in range(0, len(data), 16):
        s = enc(key, bytes(a ^ b for a, b in zip(s, data[i:i + 16])))
    return s

def y_of(pan, psn):
    d = (pan + psn)[-16:].rjust(16, "0")
    return bytes.fromhex(d)

out = []
for c in json.load(sys.stdin):
    if c["kind"] == "sm4":
        imk = bytes.fromhex(c["imk"])
        y = y_of(c["pan"], c["psn"])
        mk = enc(imk, y + bytes(b ^ 0xFF for b in y))
        atc = bytes.fromhex(c["atc"])
        sk = enc(mk, bytes(6) + atc + bytes(6) + bytes(b ^ 0xFF for b in atc))
        f = {k: bytes.fromhex(v) for k, v in c["tx"].items()}
        data = (f["amount"] + f["other"] + f["country"] + f["tvr"] + f["currency"] + f["date"]
                + f["type"] + f["un"] + f["aip"] + atc + f["iad"][3:7])
        ac = cbc_mac_m2(sk, data)[:8]
        arc = bytes.fromhex(c["arc"])
        blk = bytes(a ^ b for a, b in zip(ac, arc + bytes(6))) + bytes(8)
        arpc = enc(sk, blk)[:8]
        mak = bytes.fromhex(c["mak"]); mab = bytes.fromhex(c["mab"])
        r = bytes(16)
        padded = mab + bytes(-len(mab) % 16) if mab else bytes(16)
        for i in range(0, len(padded), 16):
            r = bytes(a ^ b for a, b in zip(r, padded[i:i + 16]))
        h = r.hex().upper().encode()
        e1 = enc(mak, h[:16])
        e2 = enc(mak, bytes(a ^ b for a, b in zip(e1, h[16:])))
        mac = e2.hex().upper()[:8]
        out.append({"mk": mk.hex(), "sk": sk.hex(), "ac": ac.hex(), "arpc": arpc.hex(), "mac": mac})
    else:
        # SM2: verify our signatures, then sign the same data ourselves.
        res = {}
        for name, signer_pub, signer_priv, body, sig in c["items"]:
            body = bytes.fromhex(body)
            v = sm2.CryptSM2(private_key=signer_priv, public_key=signer_pub)
            res[name] = v.verify_with_sm3(sig, body)
            k = func.random_hex(v.para_len)
            res[name + "_sig"] = v.sign_with_sm3(body, k)
        # The certificate layout, field by field.
        c90 = bytes.fromhex(c["c90"]); c46 = bytes.fromhex(c["c46"])
        res["layout"] = (len(c90) == 142 and c90[0] == 0x12 and c90[10:14] == bytes([4, 4, 0, 0x40])
            and c90[14:78].hex() == c["issuer_pub"] and len(c46) == 148 and c46[0] == 0x14
            and c46[16:20] == bytes([4, 4, 0, 0x40]) and c46[20:84].hex() == c["icc_pub"]
            and c46[1:11].hex().upper().rstrip("F") == c["pan"])
        out.append(res)
json.dump(out, sys.stdout)
"#;

fn python() -> Option<String> {
    match std::env::var("MPAY_PYTHON") {
        Ok(p) => Some(p),
        Err(_) => {
            assert!(
                std::env::var_os("MPAY_REQUIRE_PEERS").is_none(),
                "MPAY_PYTHON must name a Python with gmssl"
            );
            eprintln!("skipping: MPAY_PYTHON not set (gmssl peer)");
            None
        }
    }
}

/// xorshift64*: reproducible random inputs; the seed is printed on failure.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for b in &mut out {
            *b = self.next() as u8;
        }
        out
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
    fn key(&mut self) -> PrivateKey {
        loop {
            if let Ok(k) = PrivateKey::from_bytes(&self.bytes::<32>()) {
                return k;
            }
        }
    }
}

fn h(b: &[u8]) -> String {
    hex::encode(b)
}

#[test]
fn sm4_cryptograms_pos_mac_and_sm2_oda_agree_with_gmssl() {
    let Some(py) = python() else { return };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut cases = Vec::new();
    let mut expect = Vec::new();
    for _ in 0..200 {
        let imk = rng.bytes::<16>();
        let pan = {
            let n = 13 + (rng.next() % 7) as usize;
            rng.digits(n)
        };
        let psn = rng.digits(2);
        let atc = rng.bytes::<2>();
        let cvr = rng.bytes::<3>();
        let tx = TransactionData {
            amount_authorised: rng.bytes(),
            amount_other: rng.bytes(),
            terminal_country: rng.bytes(),
            tvr: rng.bytes(),
            currency: rng.bytes(),
            date: rng.bytes(),
            transaction_type: rng.bytes::<1>()[0],
            unpredictable_number: rng.bytes(),
            aip: rng.bytes(),
            atc,
            iad: PbocSm4::iad(rng.bytes::<1>()[0], cvr).to_vec(),
            counters: vec![],
        };
        let arc = rng.bytes::<2>();
        let mak = rng.bytes::<16>();
        let mab: Vec<u8> = (0..rng.next() % 90).map(|_| rng.next() as u8).collect();
        let card =
            PbocSm4::card_keys(&Sm4IssuerKeys::single(Sm4Key::new(imk)), &pan, &psn).unwrap();
        let sk = PbocSm4::ac_session_key(&card, &tx);
        let ac = PbocSm4::arqc(&card, &tx).unwrap();
        let arpc = PbocSm4::arpc(&card, &tx, ac, arc);
        let mac = unionpay_pos_mac_sm4(&Sm4Key::new(mak), &mab);
        assert_eq!(
            pboc::icc_master_key(&Sm4Key::new(imk), &pan, &psn).unwrap(),
            card.ac
        );
        cases.push(json!({
            "kind": "sm4", "imk": h(&imk), "pan": pan, "psn": psn, "atc": h(&atc), "arc": h(&arc),
            "mak": h(&mak), "mab": h(&mab),
            "tx": {
                "amount": h(&tx.amount_authorised), "other": h(&tx.amount_other),
                "country": h(&tx.terminal_country), "tvr": h(&tx.tvr), "currency": h(&tx.currency),
                "date": h(&tx.date), "type": h(&[tx.transaction_type]),
                "un": h(&tx.unpredictable_number), "aip": h(&tx.aip), "iad": h(&tx.iad),
            },
        }));
        expect.push(json!({
            "mk": h(card.ac.expose_secret()), "sk": h(sk.expose_secret()), "ac": h(&ac),
            "arpc": h(&arpc), "mac": String::from_utf8(mac.to_vec()).unwrap(),
        }));
    }
    // SM2 chains (gmssl's pure-Python SM2 is slow: a few chains).
    let mut chains = Vec::new();
    for _ in 0..3 {
        let (ca, iss, icc) = (rng.key(), rng.key(), rng.key());
        let n = 16 + (rng.next() % 4) as usize;
        let pan = rng.digits(n);
        let sd: Vec<u8> = (0..rng.next() % 200).map(|_| rng.next() as u8).collect();
        let mut iid = [0xFF; 4];
        iid[..3].copy_from_slice(&hex::decode(&pan[..6]).unwrap());
        let c90 =
            oda::sign_issuer_certificate(&ca, &iss.public_key(), iid, [0x12, 0x30], [0, 0, 7])
                .unwrap();
        let c46 =
            oda::sign_icc_certificate(&iss, &icc.public_key(), &pan, [0x12, 0x30], [0, 0, 8], &sd)
                .unwrap();
        let ssad = oda::sign_sda(&iss, [0xDA, 0xC0], &sd).unwrap();
        let tdd = rng.bytes::<13>();
        let sdad = oda::sign_dda(&icc, &[0x08, 1, 2, 3, 4, 5, 6, 7, 8], &tdd).unwrap();
        let xy = |k: &PrivateKey| h(&oda::public_key_xy(&k.public_key()));
        let d = |k: &PrivateKey| h(&*k.to_bytes());
        let cat = |a: &[u8], b: &[u8]| h(&[a, b].concat());
        let items = json!([
            ["c90", xy(&ca), d(&ca), h(&c90[..78]), h(&c90[78..])],
            [
                "c46",
                xy(&iss),
                d(&iss),
                cat(&c46[..84], &sd),
                h(&c46[84..])
            ],
            [
                "ssad",
                xy(&iss),
                d(&iss),
                cat(&ssad[..3], &sd),
                h(&ssad[3..])
            ],
            [
                "sdad",
                xy(&icc),
                d(&icc),
                cat(&sdad[..sdad.len() - 64], &tdd),
                h(&sdad[sdad.len() - 64..])
            ],
        ]);
        cases.push(json!({
            "kind": "sm2", "items": items, "c90": h(&c90), "c46": h(&c46),
            "issuer_pub": xy(&iss), "icc_pub": xy(&icc), "pan": pan,
        }));
        chains.push((ca, iss, icc, pan, sd, c90, c46, ssad, sdad, tdd));
    }
    let mut child = Command::new(&py)
        .args(["-c", PEER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run MPAY_PYTHON");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "gmssl peer failed (seed {seed})");
    let got: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for (i, e) in expect.iter().enumerate() {
        assert_eq!(&got[i], e, "SM4 case {i} (seed {seed}): {}", cases[i]);
    }
    for (k, chain) in chains.iter().enumerate() {
        let (ca, iss, icc, pan, sd, c90, c46, ssad, sdad, tdd) = chain;
        let r = &got[expect.len() + k];
        for name in ["c90", "c46", "ssad", "sdad", "layout"] {
            assert_eq!(
                r[name],
                json!(true),
                "gmssl rejects our {name} (seed {seed})"
            );
        }
        // Certificates signed by gmssl verify here.
        let swap = |v: &[u8], sig: &Value| {
            let mut v = v.to_vec();
            let n = v.len();
            v[n - 64..].copy_from_slice(&hex::decode(sig.as_str().unwrap()).unwrap());
            v
        };
        let today = [0x26, 0x11];
        let ik =
            oda::verify_issuer_certificate(&ca.public_key(), &swap(c90, &r["c90_sig"]), pan, today)
                .unwrap();
        assert_eq!(ik.key, iss.public_key());
        // The same gmssl-signed certificate under the CA key prepared as a terminal holds it.
        let prepared = mpay_gmt::sm2::PreparedPublicKey::new(&ca.public_key());
        let c90_gmssl = swap(c90, &r["c90_sig"]);
        assert_eq!(
            oda::verify_issuer_certificate_prepared(&prepared, &c90_gmssl, pan, today).unwrap(),
            ik
        );
        let ck = oda::verify_icc_certificate(&ik.key, &swap(c46, &r["c46_sig"]), sd, pan, today)
            .unwrap();
        assert_eq!(ck.key, icc.public_key());
        assert_eq!(
            oda::verify_sda(&ik.key, &swap(ssad, &r["ssad_sig"]), sd).unwrap(),
            [0xDA, 0xC0]
        );
        assert!(oda::verify_dda(&ck.key, &swap(sdad, &r["sdad_sig"]), tdd).is_ok());
    }
}
