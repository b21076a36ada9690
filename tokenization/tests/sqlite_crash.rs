//! Crash safety of the SQLite store: a child process tokenizes in a loop and prints every token
//! the vault acknowledged; the parent kills it with SIGKILL mid-stream, reopens the database and
//! detokenizes every acknowledged token. (Own harness: the child is this binary with `--child`.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mpay_tokenization::luhn;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::vault::*;

fn pan(i: u64) -> Pan {
    let mut d = luhn::digits(&format!("{:015}", 520_000_000_000_000u64 + i)).unwrap();
    d.push(luhn::check_digit(&d));
    Pan::from_digits(&d).unwrap()
}

fn vault(path: &str) -> Vault<SqliteStore> {
    let mut p = AccessPolicy::new();
    p.allow_tokenize("app")
        .allow_detokenize("app", "verify", Reveal::Plain);
    Vault::new(
        SqliteStore::open(path).unwrap(),
        KeyRing::new(1, [0x5a; 32], [0xa5; 32]),
        p,
        Arc::new(NoAudit),
    )
}

fn child(path: &str) {
    let v = vault(path);
    let c = Caller::new("app", "tokenize", "crash test");
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        // alternate single tokenizations and small group commits
        if i % 4 == 3 {
            let ps: Vec<Pan> = (0..8).map(|k| pan(i * 100 + k)).collect();
            let ts = v.tokenize_batch(&c, "crash", &ps, None).unwrap();
            for (k, t) in ts.iter().enumerate() {
                writeln!(out, "{} {t}", i * 100 + k as u64).unwrap();
            }
        } else {
            let t = v.tokenize(&c, "crash", &pan(i * 100), None).unwrap();
            writeln!(out, "{} {t}", i * 100).unwrap();
        }
        out.flush().unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(p) = args.iter().position(|a| a == "--child") {
        child(&args[p + 1]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("acknowledged_tokens_survive_sigkill: test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("mpay-tok-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("vault.db");
    let db = db.to_str().unwrap();
    let mut total = 0;
    for round in 0..2 {
        let mut ch = Command::new(std::env::current_exe().unwrap())
            .args(["--child", db])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(ch.stdout.take().unwrap()).lines();
        let mut acked = Vec::new();
        let start = Instant::now();
        while acked.len() < 400 && start.elapsed() < Duration::from_secs(60) {
            match lines.next() {
                Some(Ok(l)) => acked.push(l),
                _ => break,
            }
        }
        ch.kill().unwrap(); // SIGKILL on Unix
        ch.wait().unwrap();
        // lines already written to the pipe before the kill were acknowledged too
        acked.extend(lines.map_while(Result::ok));
        assert!(
            acked.len() >= 100,
            "round {round}: child acknowledged only {}",
            acked.len()
        );
        let v = vault(db);
        let c = Caller::new("app", "verify", "after crash");
        for l in &acked {
            let (i, t) = l.split_once(' ').unwrap();
            let got = v
                .detokenize(&c, "crash", t)
                .unwrap_or_else(|e| panic!("acked token lost: {e}"));
            assert_eq!(got, Revealed::Plain(pan(i.parse().unwrap())));
        }
        total += acked.len();
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "test acknowledged_tokens_survive_sigkill ... ok ({total} acknowledged tokens checked)"
    );
}
