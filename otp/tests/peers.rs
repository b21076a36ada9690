//! Agreement with independent implementations: oathtool (OATH Toolkit, Debian) and pyotp
//! (PyPI) on 10^4 random HOTP/TOTP cases each, and gmssl (PyPI) for HMAC-SM3 and the SM3/SM4
//! constructions of GM/T 0021. Every peer runs as one batch process (or one process per
//! 100 codes for oathtool) so the suite takes seconds.
//!
//! Peers are found through `MPAY_PYTHON` (a Python with pyotp and gmssl) and `oathtool` on
//! PATH. When missing, the test is skipped unless `MPAY_REQUIRE_PEERS` is set (CI).

use mpay_otp::gmt0021::{Factors, sm3_otp, sm4_otp};
use mpay_otp::{Algorithm, Hotp, Totp};
use std::io::Write;
use std::process::{Command, Stdio};

fn missing(what: &str) {
    if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
        panic!("peer missing: {what}");
    }
    eprintln!("skipping: {what}");
}

fn python() -> Option<String> {
    match std::env::var("MPAY_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            missing("MPAY_PYTHON is not set");
            None
        }
    }
}

/// xorshift64*: deterministic "random" cases (the seed is printed on failure).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, min: usize, spread: u64) -> Vec<u8> {
        let n = min + self.below(spread.max(1)) as usize;
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ALGS: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

fn run_python(py: &str, script: &str, input: &str) -> String {
    let mut child = Command::new(py)
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    String::from_utf8(out.stdout).unwrap()
}

const PYOTP: &str = r#"
import sys, base64, hashlib, pyotp
H = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
out = []
for line in sys.stdin:
    kind, key, alg, digits, a, b = line.split()
    secret = base64.b32encode(bytes.fromhex(key)).decode()
    if kind == "H":
        out.append(pyotp.HOTP(secret, digits=int(digits), digest=H[alg]).at(int(a)))
    else:
        out.append(pyotp.TOTP(secret, digits=int(digits), digest=H[alg], interval=int(b)).at(int(a)))
print("\n".join(out))
"#;

#[test]
fn pyotp_agrees_on_10k_random_cases() {
    let Some(py) = python() else { return };
    let mut rng = Rng(0x6f74_705f_7079_6f74);
    let mut input = String::new();
    let mut ours = Vec::new();
    for i in 0..10_000 {
        let key = rng.bytes(16, 49);
        let alg = ALGS[rng.below(3) as usize];
        let digits = 6 + rng.below(5) as u8;
        if i % 2 == 0 {
            let counter = rng.next() >> rng.below(64);
            let h = Hotp::new(alg, &key, digits).unwrap();
            ours.push(h.generate(counter).to_string());
            input += &format!("H {} {} {digits} {counter} 0\n", hex::encode(&key), alg);
        } else {
            // pyotp goes through datetime: stay below year 9999.
            let time = rng.below(1 << 36);
            let step = 1 + rng.below(120);
            let t = Totp::new(alg, &key, digits)
                .unwrap()
                .with_step(step)
                .unwrap();
            ours.push(t.generate(time).unwrap().to_string());
            input += &format!("T {} {} {digits} {time} {step}\n", hex::encode(&key), alg);
        }
    }
    let theirs = run_python(&py, PYOTP, &input);
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(theirs.len(), ours.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "case {i}: {}", input.lines().nth(i).unwrap());
    }
}

fn oathtool_present() -> bool {
    let ok = Command::new("oathtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        missing("oathtool is not on PATH");
    }
    ok
}

#[test]
fn oathtool_agrees_on_10k_random_codes() {
    if !oathtool_present() {
        return;
    }
    let mut rng = Rng(0x6f61_7468_746f_6f6c);
    let mut checked = 0;
    // 100 invocations × 100 codes (-w 99): HOTP for even runs, TOTP for odd ones.
    for run in 0..100 {
        let key = rng.bytes(16, 49);
        let alg = ALGS[rng.below(3) as usize];
        let digits = 6 + rng.below(3) as u8; // oathtool prints 6–8 digits
        let mut cmd = Command::new("oathtool");
        let ours: Vec<String>;
        if run % 2 == 0 {
            let counter = rng.next() >> (1 + rng.below(63));
            // oathtool's HOTP mode is HMAC-SHA-1 only.
            let h = Hotp::new(Algorithm::Sha1, &key, digits).unwrap();
            ours = (0..100)
                .map(|i| h.generate(counter + i).to_string())
                .collect();
            cmd.arg("--hotp").arg(format!("--counter={counter}"));
        } else {
            let time = rng.below(1 << 33);
            let step = 1 + rng.below(120);
            let t = Totp::new(alg, &key, digits)
                .unwrap()
                .with_step(step)
                .unwrap();
            let s0 = t.step_at(time).unwrap();
            ours = (0..100)
                .map(|i| t.generate_step(s0 + i).to_string())
                .collect();
            cmd.arg(format!("--totp={}", alg.name().to_lowercase()))
                .arg(format!("--now=@{time}"))
                .arg(format!("--time-step-size={step}s"))
                .arg("--start-time=@0");
        }
        let out = cmd
            .arg(format!("--digits={digits}"))
            .arg("--window=99")
            .arg(hex::encode(&key))
            .output()
            .expect("run oathtool");
        assert!(out.status.success(), "oathtool: {out:?}");
        let theirs: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(ours, theirs, "run {run}, {alg}, {digits} digits");
        checked += ours.len();
    }
    assert_eq!(checked, 10_000);
}

const GMSSL: &str = r#"
import sys
from gmssl import sm3, sm4, func
def sm3b(data):
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))
def hmac_sm3(key, msg):
    if len(key) > 64: key = sm3b(key)
    key = key.ljust(64, b"\0")
    inner = sm3b(bytes(k ^ 0x36 for k in key) + msg)
    return sm3b(bytes(k ^ 0x5c for k in key) + inner)
def trunc_words(s):
    return sum(int.from_bytes(s[i:i+4], "big") for i in range(0, len(s), 4)) % (1 << 32)
out = []
for line in sys.stdin:
    kind, key, msg, digits = line.split()
    key = bytes.fromhex(key); msg = bytes.fromhex(msg); digits = int(digits)
    if kind == "HMAC":
        h = hmac_sm3(key, msg)
        o = h[-1] & 15
        v = int.from_bytes(h[o:o+4], "big") & 0x7fffffff
    elif kind == "SM3":
        v = trunc_words(sm3b(key + msg))
    else:
        c = sm4.CryptSM4(); c.set_key(key, sm4.SM4_ENCRYPT)
        state = bytes(16)
        msg = msg + bytes(-len(msg) % 16)
        for i in range(0, len(msg), 16):
            state = c.crypt_ecb(bytes(a ^ b for a, b in zip(state, msg[i:i+16])))[:16]
        v = trunc_words(state)
    out.append(str(v % 10**digits).zfill(digits))
print("\n".join(out))
"#;

#[test]
fn gmssl_agrees_on_hmac_sm3_and_gmt0021() {
    let Some(py) = python() else { return };
    let mut rng = Rng(0x676d_7373_6c5f_7465);
    let mut input = String::new();
    let mut ours = Vec::new();
    for i in 0..600 {
        let digits = 6 + rng.below(5) as u8;
        match i % 3 {
            0 => {
                let key = rng.bytes(16, 80);
                let time = rng.below(1 << 40);
                let t = Totp::new(Algorithm::Sm3, &key, digits).unwrap();
                ours.push(t.generate(time).unwrap().to_string());
                let msg = (time / 30).to_be_bytes();
                input += &format!("HMAC {} {} {digits}\n", hex::encode(&key), hex::encode(msg));
            }
            kind => {
                let key = if kind == 1 {
                    rng.bytes(16, 32)
                } else {
                    rng.bytes(16, 1)
                };
                let q = rng.bytes(4, 40);
                let f = Factors {
                    time: (rng.below(2) == 0).then(|| rng.below(1 << 34)),
                    counter: (rng.below(2) == 0).then(|| rng.next() as u32),
                    challenge: (rng.below(2) == 0).then_some(&q[..]),
                };
                let f = if f.time.is_none() && f.counter.is_none() && f.challenge.is_none() {
                    Factors {
                        counter: Some(7),
                        ..f
                    }
                } else {
                    f
                };
                let code = if kind == 1 {
                    sm3_otp(&key, &f, digits)
                } else {
                    sm4_otp(&key, &f, digits)
                };
                ours.push(code.unwrap().to_string());
                let name = if kind == 1 { "SM3" } else { "SM4" };
                input += &format!(
                    "{name} {} {} {digits}\n",
                    hex::encode(&key),
                    hex::encode(f.id().unwrap())
                );
            }
        }
    }
    let theirs = run_python(&py, GMSSL, &input);
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(theirs.len(), ours.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "case {i}: {}", input.lines().nth(i).unwrap());
    }
}
