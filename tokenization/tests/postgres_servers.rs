//! PostgreSQL store against a real server (`MPAY_PG_URL`, started by `.ci/setup.d/tokenization.sh`):
//! migrations, vault operations, and two token-server processes sharing one database under
//! concurrent load (no duplicate tokens, no lost writes, one token per PAN in a convergent
//! tenant), and the payment-token TSP state surviving a restart over PostgreSQL. Own harness:
//! the servers are this binary with `--server`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use mpay_tokenization::luhn;
use mpay_tokenization::pan::Pan;
use mpay_tokenization::vault::*;

mod common;

const THREADS: u64 = 4;
const PER_THREAD: u64 = 60;
const SHARED_PANS: u64 = 25;

fn pan(i: u64) -> Pan {
    let mut d = luhn::digits(&format!("{:015}", 360_000_000_000_000u64 + i)).unwrap();
    d.push(luhn::check_digit(&d));
    Pan::from_digits(&d).unwrap()
}

fn vault(url: &str, conns: usize) -> Vault<PgStore> {
    let mut p = AccessPolicy::new();
    p.allow_tokenize("app")
        .allow_detokenize("app", "verify", Reveal::Plain)
        .allow_manage("ops");
    Vault::new(
        PgStore::connect(url, conns).unwrap(),
        KeyRing::new(1, [0x71; 32], [0x17; 32]),
        p,
        Arc::new(NoAudit),
    )
}

fn app() -> Caller {
    Caller::new("app", "tokenize", "pg test")
}

/// One stateless token server: THREADS workers tokenizing into a convergent tenant (shared PANs)
/// and a random tenant (PANs unique to this server), printing every acknowledged token.
fn server(url: &str, id: u64, prefix: &str) {
    let v = Arc::new(vault(url, THREADS as usize));
    v.configure_tenant(
        &format!("{prefix}-conv"),
        TenantConfig {
            convergent: true,
            ..TenantConfig::default()
        },
    )
    .unwrap();
    let hs: Vec<_> = (0..THREADS)
        .map(|t| {
            let (v, prefix) = (v.clone(), prefix.to_string());
            std::thread::spawn(move || {
                let mut lines = Vec::new();
                for j in 0..PER_THREAD {
                    let shared = (j + t * 7) % SHARED_PANS;
                    let tok = v
                        .tokenize(&app(), &format!("{prefix}-conv"), &pan(shared), None)
                        .unwrap();
                    lines.push(format!("C {shared} {tok}"));
                    let own = 1_000_000 + id * 100_000 + t * 1_000 + j;
                    let tok = v
                        .tokenize(&app(), &format!("{prefix}-rand"), &pan(own), None)
                        .unwrap();
                    lines.push(format!("R {own} {tok}"));
                }
                lines
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for h in hs {
        for l in h.join().unwrap() {
            writeln!(out, "{l}").unwrap();
        }
    }
}

fn vault_operations(url: &str, prefix: &str) {
    let v = vault(url, 2);
    assert_eq!(
        v.store().schema_version().unwrap(),
        mpay_tokenization::vault::PG_MIGRATIONS.last().unwrap().0
    );
    // migrating again (another server starting) is a no-op
    drop(PgStore::connect(url, 1).unwrap());
    let tenant = format!("{prefix}-ops");
    let p = pan(1);
    let t = v.tokenize(&app(), &tenant, &p, Some("m")).unwrap();
    let c = Caller::new("app", "verify", "check");
    assert_eq!(
        v.detokenize(&c, &tenant, &t).unwrap(),
        Revealed::Plain(p.clone())
    );
    let ops = Caller::new("ops", "rotate", "test");
    v.rotate(&ops, 2, DataKey::sm4([0x72; 16])).unwrap();
    while v.rewrap(&ops, 100).unwrap() > 0 {}
    assert_eq!(v.store().get(&tenant, &t).unwrap().unwrap().key_version, 2);
    assert_eq!(v.detokenize(&c, &tenant, &t).unwrap(), Revealed::Plain(p));
    assert!(v.delete(&ops, &tenant, &t).unwrap());
    assert!(v.detokenize(&c, &tenant, &t).is_err());
    println!("test vault_operations_over_postgres ... ok");
}

fn two_servers(url: &str, prefix: &str) {
    let kids: Vec<_> = (0..2u64)
        .map(|id| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--server", url, &id.to_string(), prefix])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut conv: HashMap<u64, HashSet<String>> = HashMap::new();
    let mut rand: Vec<(u64, String)> = Vec::new();
    for mut k in kids {
        let out = BufReader::new(k.stdout.take().unwrap());
        for l in out.lines() {
            let l = l.unwrap();
            let f: Vec<&str> = l.split(' ').collect();
            let i: u64 = f[1].parse().unwrap();
            match f[0] {
                "C" => {
                    conv.entry(i).or_default().insert(f[2].to_string());
                }
                _ => rand.push((i, f[2].to_string())),
            }
        }
        assert!(k.wait().unwrap().success(), "a token server failed");
    }
    let expected = (2 * THREADS * PER_THREAD) as usize;
    assert_eq!(rand.len(), expected);
    assert_eq!(conv.len(), SHARED_PANS as usize);
    for (i, toks) in &conv {
        assert_eq!(
            toks.len(),
            1,
            "convergent PAN {i} got {} tokens across servers",
            toks.len()
        );
    }
    let distinct: HashSet<&String> = rand.iter().map(|(_, t)| t).collect();
    assert_eq!(distinct.len(), expected, "duplicate tokens");
    let v = vault(url, 1);
    let c = Caller::new("app", "verify", "check");
    for (i, t) in &rand {
        assert_eq!(
            v.detokenize(&c, &format!("{prefix}-rand"), t).unwrap(),
            Revealed::Plain(pan(*i)),
            "lost write"
        );
    }
    for (i, toks) in &conv {
        let t = toks.iter().next().unwrap();
        assert_eq!(
            v.detokenize(&c, &format!("{prefix}-conv"), t).unwrap(),
            Revealed::Plain(pan(*i))
        );
    }
    println!(
        "test two_token_servers_one_database ... ok ({expected} random + {} convergent)",
        conv.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(p) = args.iter().position(|a| a == "--server") {
        server(&args[p + 1], args[p + 2].parse().unwrap(), &args[p + 3]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let Ok(url) = std::env::var("MPAY_PG_URL") else {
        if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
            panic!(
                "MPAY_PG_URL is not set but MPAY_REQUIRE_PEERS is: the PostgreSQL store tests need a server"
            );
        }
        eprintln!(
            "skipping: MPAY_PG_URL not set (no PostgreSQL server for the PostgreSQL store tests)"
        );
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("t{}-{nanos}", std::process::id());
    // A fresh database per run: migrations start from zero and rewrap sees only this run's rows.
    let db = format!("mpay_tok_{}_{nanos}", std::process::id());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap();
    let run_url = format!("{base}/{db}");
    vault_operations(&run_url, &prefix);
    two_servers(&run_url, &prefix);
    common::restart_keeps_tokens_and_lifecycle(|| PgStore::connect(&run_url, 2).unwrap());
    println!("test tsp_restart_keeps_tokens_and_lifecycle_over_postgres ... ok");
    common::one_of_concurrent_suspensions_wins(|| PgStore::connect(&run_url, 1).unwrap());
    println!("test tsp_concurrent_suspensions_one_wins_over_postgres ... ok");
    admin
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .unwrap();
}
