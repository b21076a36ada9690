//! Path validation throughput: a 3-certificate chain (root anchor → bank CA → wallet user) for
//! SM2 and ECDSA P-256, from pre-parsed certificates and from DER; `openssl verify` (peer) on the
//! same chains in the same run when the CLI is on PATH. OpenSSL 3.0 checks SM2 standard-ID chains
//! only link by link (openssl#23471), so its SM2 figure is the sum of the two links.
//!
//! Both sides are timed in **CPU time**, so the figures hold on a shared, loaded machine: ours
//! as thread CPU time (a criterion measurement), OpenSSL's as the CPU time of its processes
//! (`cutime + cstime` of `/proc/self/stat`, 10 ms ticks, so every sample runs ≥ 1,000
//! certificates through one process and the start-up cost of a one-certificate run is
//! subtracted). `bash wpki/benches/openssl_verify.sh` runs it and prints the load.
#![allow(missing_docs)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, criterion_group, criterion_main};
use der::{DateTime, Encode};
use der::{Decode, EncodePem};
use mpay_wpki::{
    Ca, CertificateParams, ParsedCertificate, Profile, Signer, SigningKey, TrustAnchor,
    ValidationOptions, validate,
};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Thread CPU time as a criterion measurement.
struct CpuTime;

static WALL: WallTime = WallTime;

impl Measurement for CpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }
    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

/// CPU time (user + system) of this process's waited-for children, from `/proc/self/stat`
/// (fields 16 and 17, in USER_HZ = 100 ticks per second).
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<u64> = after
        .split(' ')
        .skip(13)
        .take(2)
        .map(|x| x.parse().expect("tick count"))
        .collect();
    Duration::from_millis((f[0] + f[1]) * 10)
}

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
    let ders = vec![
        user.to_der().unwrap(),
        bank.certificate().to_der().unwrap(),
        root.certificate().to_der().unwrap(),
    ];
    (
        ders,
        vec![TrustAnchor::from_certificate(root.certificate())],
    )
}

/// CPU time of one `openssl verify <args> target…` with `n` copies of the target.
fn openssl_run(dir: &Path, args: &[&str], target: &str, n: u64) -> Duration {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir).arg("verify").args(args);
    for _ in 0..n {
        cmd.arg(target);
    }
    let start = children_cpu();
    let out = cmd.output().expect("openssl runs");
    let elapsed = children_cpu() - start;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

/// CPU cost of `iters` certificates in `openssl verify`: (run with n+1 targets) − (run with 1
/// target), scaled from n = max(iters, 1000) certificates.
fn openssl_per_cert(dir: &Path, args: &[&str], target: &str, iters: u64) -> Duration {
    let n = iters.max(1000);
    let mut total = Duration::ZERO;
    let mut left = n;
    while left > 0 {
        let k = left.min(4000);
        let many = openssl_run(dir, args, target, k + 1);
        let one = openssl_run(dir, args, target, 1);
        total += many.saturating_sub(one);
        left -= k;
    }
    total.mul_f64(iters as f64 / n as f64)
}

fn write_pems(dir: &Path, ders: &[Vec<u8>]) {
    for (name, der) in ["user.pem", "bank.pem", "root.pem"].iter().zip(ders) {
        let cert = x509_cert::Certificate::from_der(der).unwrap();
        std::fs::write(
            dir.join(name),
            cert.to_pem(der::pem::LineEnding::LF).unwrap(),
        )
        .unwrap();
    }
}

fn bench(c: &mut Criterion<CpuTime>) {
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
        if Command::new("openssl").arg("version").output().is_err() {
            eprintln!("skipping openssl peer: openssl CLI not found");
            continue;
        }
        let dir =
            std::env::temp_dir().join(format!("mpay-wpki-bench-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_pems(&dir, &ders);
        let t = opts.time.unix_duration().as_secs().to_string();
        // Each sample runs ≥ 1,000 certificates through openssl: 10 samples are plenty.
        let mut group = c.benchmark_group(format!("validate_3cert_chain/{name}"));
        group.sample_size(10);
        group.bench_function("openssl_verify", |b| {
            b.iter_custom(|iters| {
                if sm2 {
                    let id = ["-vfyopt", "distid:1234567812345678"];
                    let top = ["-attime", &t, id[0], id[1], "-CAfile", "root.pem"];
                    let low = [
                        "-attime",
                        &t,
                        id[0],
                        id[1],
                        "-partial_chain",
                        "-CAfile",
                        "bank.pem",
                    ];
                    openssl_per_cert(&dir, &top, "bank.pem", iters)
                        + openssl_per_cert(&dir, &low, "user.pem", iters)
                } else {
                    let args = [
                        "-attime",
                        &t,
                        "-CAfile",
                        "root.pem",
                        "-untrusted",
                        "bank.pem",
                    ];
                    openssl_per_cert(&dir, &args, "user.pem", iters)
                }
            })
        });
        group.finish();
        std::fs::remove_dir_all(&dir).ok();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
