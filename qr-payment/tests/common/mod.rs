//! Helpers shared by the integration tests: a small deterministic generator of random
//! merchant-presented payloads, and the peer (Python) runner.
#![allow(dead_code)]

use mpay_qr_payment::mpm::{Initiation, MerchantPayloadBuilder};

/// xorshift64*: reproducible test data without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    /// 1 to `max` random digits.
    pub fn digits_upto(&mut self, max: usize) -> String {
        let n = 1 + self.below(max);
        self.digits(n)
    }
    /// 1 to `max` random characters.
    pub fn text_upto(&mut self, max: usize) -> String {
        let n = 1 + self.below(max);
        self.text(n)
    }
    pub fn text(&mut self, n: usize) -> String {
        const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-/*@";
        (0..n)
            .map(|_| char::from(SET[self.below(SET.len())]))
            .collect()
    }
}

/// A random valid MPM payload of at most `max_bytes` UTF-8 bytes (and close to it when large):
/// the mandatory fields, sometimes an amount, tip, additional data and a Chinese language
/// template, then primitive (`02`–`25`) and unreserved-template (`80`–`99`) objects as filler.
pub fn random_mpm(rng: &mut Rng, max_bytes: usize) -> String {
    if max_bytes < 160 {
        // Too small for the full field set: `00`, filler, `63`.
        let mut b = MerchantPayloadBuilder::new();
        let mut room = max_bytes.saturating_sub(14);
        let mut id = 2;
        while room >= 5 {
            let n = (1 + rng.below(room - 4)).min(99);
            b = b.set(id, rng.text(n));
            room -= 4 + n;
            id += 1;
        }
        return b.build().expect("generator makes valid payloads");
    }
    let mut b = MerchantPayloadBuilder::new()
        .initiation(if rng.below(2) == 0 {
            Initiation::Static
        } else {
            Initiation::Dynamic
        })
        .merchant_account(26, "com.example.pay", &[(1, rng.text(8).as_str())])
        .set(52, rng.digits(4))
        .set(53, rng.digits(3))
        .set(58, "CN")
        .set(59, rng.text_upto(25))
        .set(60, rng.text_upto(15));
    if rng.below(2) == 0 {
        b = b.set(54, format!("{}.{}", rng.digits_upto(6), rng.digits(2)));
    }
    if rng.below(3) == 0 {
        b = b.set(55, "02").set(56, rng.digits_upto(3));
    }
    if rng.below(2) == 0 {
        b = b.set_template(62, &[(5, rng.text_upto(25).as_str()), (9, "AME")]);
    }
    if rng.below(2) == 0 {
        b = b.language("ZH", "最佳运输", Some("北京"));
    }
    let base = b.build().expect("generator makes valid payloads");
    let mut len = base.len();
    let mut ids = (2u8..=25).chain(80..=99);
    while len + 12 <= max_bytes {
        let Some(id) = ids.next() else { break };
        let room = (max_bytes - len - 4).min(if id >= 80 { 95 } else { 99 });
        let n = 1 + rng.below(room);
        let n = if max_bytes - len > 200 { room } else { n };
        if id >= 80 {
            // GUI (at most 32 characters) and one more field.
            let gui = rng.text(n.saturating_sub(4).clamp(1, 32));
            let rest = n.saturating_sub(8 + gui.len());
            if rest == 0 {
                b = b.set_template(id, &[(0, gui.as_str())]);
                len += 8 + gui.len();
            } else {
                let more = rng.text(rest);
                b = b.set_template(id, &[(0, gui.as_str()), (1, more.as_str())]);
                len += 12 + gui.len() + rest;
            }
        } else {
            b = b.set(id, rng.text(n));
            len += 4 + n;
        }
    }
    let text = b.build().expect("generator makes valid payloads");
    assert!(
        text.len() <= max_bytes.max(base.len()),
        "{} > {max_bytes}",
        text.len()
    );
    text
}

/// The Python interpreter with the peers, or `None` (after printing why) when the test should
/// skip. With `MPAY_REQUIRE_PEERS` set, a missing interpreter fails the test.
pub fn python() -> Option<String> {
    match std::env::var("MPAY_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
                panic!("MPAY_PYTHON is not set and MPAY_REQUIRE_PEERS is");
            }
            eprintln!("skipping: MPAY_PYTHON is not set");
            None
        }
    }
}

/// Runs `script` with `python`, feeding `stdin`; returns stdout (panics on failure).
pub fn run_python(python: &str, script: &str, stdin: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start python");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    String::from_utf8(out.stdout).unwrap()
}
