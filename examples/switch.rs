//! A standalone ISO 8583 switch with acquirer and issuer simulators, and a load generator.
//!
//! - **issuers** (one per BIN range) answer 0100 with 0110, and 0400/0420 reversals with
//!   0410/0430; each can be told to drop a share of requests;
//! - **the switch** accepts acquirer connections, checks each request's MAC (AES-CMAC per link),
//!   routes by BIN to the issuer's link — a `Mux` that matches responses by MTI class, field
//!   41 and 11, times out and reverses automatically — re-MACs for the issuer, and relays the
//!   answer back; a bad MAC gets response code 30 (format error) without reaching an issuer,
//!   a timeout gets 91 (issuer unavailable) and a reversal;
//! - **the load generator** keeps `--in-flight` authorisations outstanding for `--seconds` and
//!   reports throughput and latency percentiles, and checks that every response belongs to its
//!   request.
//!
//! ```sh
//! cargo run --release --example switch -- --seconds 30 --in-flight 64 [--drop-percent 1]
//! ```
//! Defaults are short (3 s) so that CI can run it. The report goes to stdout and to
//! `target/mpay-demo/switch/report.txt`; exit status 1 on any mismatch or failure.

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mpay::emv::crypto::keys::AesKey;
use mpay::emv::crypto::posmac::CmacMac;
use mpay::iso8583::frame::codec::FrameCodec;
use mpay::iso8583::frame::{Framing, LengthHeader};
use mpay::iso8583::mac::Mac;
use mpay::iso8583::mux::{Event, Mux, MuxConfig};
use mpay::iso8583::{Message, MessageView, Spec, specs};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const SPEC: &Spec = &specs::ISO87_BINARY;
const FRAMING: Framing = Framing::new(LengthHeader::Binary2, 4096);
const ISSUER_TIMEOUT: Duration = Duration::from_millis(250);

struct Options {
    seconds: f64,
    in_flight: usize,
    drop_percent: u64,
}

fn options() -> Res<Options> {
    let mut o = Options {
        seconds: 3.0,
        in_flight: 64,
        drop_percent: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().ok_or(format!("{a} needs a value"))?;
        match a.as_str() {
            "--seconds" => o.seconds = v.parse()?,
            "--in-flight" => o.in_flight = v.parse()?,
            "--drop-percent" => o.drop_percent = v.parse()?,
            _ => {
                return Err(
                    format!("unknown option {a} (--seconds, --in-flight, --drop-percent)").into(),
                );
            }
        }
    }
    if !(0.5..=600.0).contains(&o.seconds)
        || !(1..=10_000).contains(&o.in_flight)
        || o.drop_percent > 50
    {
        return Err("--seconds 0.5..=600, --in-flight 1..=10000, --drop-percent 0..=50".into());
    }
    Ok(o)
}

fn link_mac(byte: u8) -> Res<CmacMac> {
    Ok(CmacMac {
        key: AesKey::from_slice(&[byte; 16])?,
        len: 8,
    })
}

/// Packs `m` with the link's MAC in field 64.
fn seal(m: &Message<'_>, mac: &dyn Mac) -> Res<Vec<u8>> {
    let mut buf = Vec::with_capacity(256);
    m.pack_with_mac(mac, &mut buf)?;
    Ok(buf)
}

/// The message as the Mux needs it: packed with the MAC, then owned again.
fn sealed_message(m: &Message<'_>, mac: &dyn Mac) -> Res<Message<'static>> {
    Ok(Message::unpack(SPEC, &seal(m, mac)?)?)
}

fn answer(req: &Message<'_>, mti: &str, rc: &str) -> Res<Message<'static>> {
    let mut r = Message::new(SPEC, mti.parse()?);
    for n in [2, 3, 4, 7, 11, 37, 41, 42, 49] {
        if let Some(v) = req.get(n) {
            r.set(n, v.clone())?;
        }
    }
    r.set(39, rc)?;
    Ok(r)
}

/// An issuer simulator on `listener`; drops `drop_percent` of the 0100s (chosen by STAN).
async fn issuer(
    listener: TcpListener,
    mac: CmacMac,
    drop_percent: u64,
    dropped: Arc<AtomicU64>,
) -> Res<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        let mac = mac.clone();
        let dropped = dropped.clone();
        tokio::spawn(async move {
            let (rd, wr) = sock.into_split();
            let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
            let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
            while let Some(Ok(frame)) = rd.next().await {
                let Ok(view) = MessageView::unpack(SPEC, &frame) else {
                    continue;
                };
                let rc = if view.verify_mac(&mac).is_ok() {
                    "00"
                } else {
                    "A0"
                };
                let req = view.to_message();
                let mti = req.mti.as_str().to_string();
                let stan = req
                    .text(11)
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0);
                let resp_mti = match mti.as_str() {
                    "0100"
                        if drop_percent > 0
                            && stan.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 100 < drop_percent =>
                    {
                        dropped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    "0100" => "0110",
                    "0400" => "0410",
                    "0420" | "0421" => "0430",
                    "0800" => "0810",
                    _ => continue,
                };
                let Ok(r) = answer(&req, resp_mti, rc) else {
                    continue;
                };
                let Ok(buf) = seal(&r, &mac) else { continue };
                if wr.send(&buf[..]).await.is_err() {
                    break;
                }
            }
        });
    }
}

#[derive(Default)]
struct SwitchStats {
    routed: AtomicU64,
    format_errors: AtomicU64,
    timeouts: AtomicU64,
}

/// The switch: acquirers in, one Mux per issuer out, routing by BIN prefix.
async fn switch(
    listener: TcpListener,
    routes: Arc<Vec<(String, Mux)>>,
    acq_mac: CmacMac,
    iss_mac: CmacMac,
    stats: Arc<SwitchStats>,
) -> Res<()> {
    loop {
        let (sock, _) = listener.accept().await?;
        let (routes, acq_mac, iss_mac, stats) = (
            routes.clone(),
            acq_mac.clone(),
            iss_mac.clone(),
            stats.clone(),
        );
        tokio::spawn(async move {
            let (rd, wr) = sock.into_split();
            let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
            let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
            tokio::spawn(async move {
                let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
                while let Some(b) = rx.recv().await {
                    if wr.send(&b[..]).await.is_err() {
                        break;
                    }
                }
            });
            while let Some(frame) = rd.next().await {
                let Ok(frame) = frame else { break }; // unparseable framing: close the connection
                let (routes, acq_mac, iss_mac, stats, tx) = (
                    routes.clone(),
                    acq_mac.clone(),
                    iss_mac.clone(),
                    stats.clone(),
                    tx.clone(),
                );
                tokio::spawn(async move {
                    let reply = async {
                        let view = MessageView::unpack(SPEC, &frame)?;
                        let req = view.to_message();
                        if view.verify_mac(&acq_mac).is_err() {
                            stats.format_errors.fetch_add(1, Ordering::Relaxed);
                            return seal(&answer(&req, "0110", "30")?, &acq_mac);
                        }
                        let pan = req.text(2).unwrap_or_default().to_string();
                        let Some((_, mux)) =
                            routes.iter().find(|(bin, _)| pan.starts_with(bin.as_str()))
                        else {
                            return seal(&answer(&req, "0110", "15")?, &acq_mac);
                        };
                        let mut fwd = req.clone();
                        fwd.remove(64);
                        stats.routed.fetch_add(1, Ordering::Relaxed);
                        match mux
                            .request_timeout(sealed_message(&fwd, &iss_mac)?, ISSUER_TIMEOUT)
                            .await
                        {
                            Ok(mut resp) => {
                                let bytes = resp.pack()?;
                                let v = MessageView::unpack(SPEC, &bytes)?;
                                let rc = if v.verify_mac(&iss_mac).is_ok() {
                                    None
                                } else {
                                    Some("A0")
                                };
                                resp.remove(64);
                                if let Some(rc) = rc {
                                    resp.set(39, rc)?;
                                }
                                seal(&resp, &acq_mac)
                            }
                            Err(_) => {
                                stats.timeouts.fetch_add(1, Ordering::Relaxed);
                                seal(&answer(&req, "0110", "91")?, &acq_mac)
                            }
                        }
                    };
                    let out: Res<Vec<u8>> = reply.await;
                    if let Ok(b) = out {
                        let _ = tx.send(b);
                    }
                });
            }
        });
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(o: Options) -> Res<String> {
    let acq_mac = link_mac(0xA1)?;
    let iss_mac = link_mac(0x15)?;
    let dropped = Arc::new(AtomicU64::new(0));
    // Two issuers with their BIN ranges.
    let mut routes = Vec::new();
    let mut reversal_events = Vec::new();
    for bin in ["476173", "621234"] {
        let l = TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        tokio::spawn(issuer(l, iss_mac.clone(), o.drop_percent, dropped.clone()));
        let (mux, events) = Mux::start(
            TcpStream::connect(addr).await?,
            SPEC,
            FRAMING,
            MuxConfig {
                timeout: ISSUER_TIMEOUT,
                reversal_retry: Duration::from_millis(200),
                ..MuxConfig::default()
            },
        );
        routes.push((bin.to_string(), mux));
        reversal_events.push(events);
    }
    let stats = Arc::new(SwitchStats::default());
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let switch_addr = l.local_addr()?;
    tokio::spawn(switch(
        l,
        Arc::new(routes),
        acq_mac.clone(),
        iss_mac.clone(),
        stats.clone(),
    ));
    let counted = Arc::new(AtomicU64::new(0));
    for mut ev in reversal_events {
        let c = counted.clone();
        tokio::spawn(async move {
            while let Some(e) = ev.recv().await {
                if matches!(e, Event::Reversed { .. }) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }

    // The acquirer: a Mux on one connection with `in_flight` requests outstanding.
    let (acq, _ev) = Mux::start(
        TcpStream::connect(switch_addr).await?,
        SPEC,
        FRAMING,
        MuxConfig {
            timeout: Duration::from_secs(5),
            ..MuxConfig::default()
        },
    );
    let acq = Arc::new(acq);
    // One malformed request (bad MAC) first: it must get 30 and not reach an issuer.
    let mut bad = Message::new(SPEC, "0100".parse()?);
    for (n, v) in [
        (2, "4761739001010119"),
        (3, "000000"),
        (4, "000000000100"),
        (11, "999999"),
        (41, "ACQ00001"),
    ] {
        bad.set(n, v)?;
    }
    bad.set(64, vec![0u8; 8])?;
    let r = acq.request(bad).await?;
    if r.text(39) != Some("30") {
        return Err(format!("a bad MAC got response code {:?}, not 30", r.text(39)).into());
    }

    let deadline = Instant::now() + Duration::from_secs_f64(o.seconds);
    let stan = Arc::new(AtomicU64::new(1));
    let mut workers = Vec::new();
    let started = Instant::now();
    for w in 0..o.in_flight {
        let (acq, stan, acq_mac) = (acq.clone(), stan.clone(), acq_mac.clone());
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut codes: HashMap<String, u64> = HashMap::new();
            let mut mismatches = 0u64;
            while Instant::now() < deadline {
                let s = stan.fetch_add(1, Ordering::Relaxed) % 1_000_000;
                let pan = if w % 2 == 0 {
                    "4761739001010119"
                } else {
                    "6212345678901234"
                };
                let amount = 100 + s % 10_000;
                let tid = format!("T{:07}", w);
                let mut m = Message::new(SPEC, "0100".parse().map_err(|e| format!("{e:?}"))?);
                m.set(2, pan).map_err(|e| e.to_string())?;
                m.set(3, "000000").map_err(|e| e.to_string())?;
                m.set(4, format!("{amount:012}"))
                    .map_err(|e| e.to_string())?;
                m.set(11, format!("{s:06}")).map_err(|e| e.to_string())?;
                m.set(41, tid.as_str()).map_err(|e| e.to_string())?;
                m.set(49, "156").map_err(|e| e.to_string())?;
                let m = sealed_message(&m, &acq_mac).map_err(|e| e.to_string())?;
                let t0 = Instant::now();
                let r = acq.request(m).await.map_err(|e| e.to_string())?;
                lat.push(t0.elapsed());
                // The response must be this request's: same STAN, terminal, amount, PAN.
                let mine = r.text(11) == Some(&format!("{s:06}")[..])
                    && r.text(41) == Some(tid.as_str())
                    && r.text(4) == Some(&format!("{amount:012}")[..])
                    && r.text(2) == Some(pan);
                let rb = r.pack().map_err(|e| e.to_string())?;
                let mac_ok = MessageView::unpack(SPEC, &rb)
                    .map(|v| v.verify_mac(&acq_mac).is_ok())
                    .unwrap_or(false);
                if !mine || !mac_ok {
                    mismatches += 1;
                }
                *codes
                    .entry(r.text(39).unwrap_or("??").to_string())
                    .or_default() += 1;
            }
            Ok::<_, String>((lat, codes, mismatches))
        }));
    }
    let mut lat = Vec::new();
    let mut codes: HashMap<String, u64> = HashMap::new();
    let mut mismatches = 0;
    for w in workers {
        let (l, c, m) = w.await??;
        lat.extend(l);
        for (k, v) in c {
            *codes.entry(k).or_default() += v;
        }
        mismatches += m;
    }
    let elapsed = started.elapsed();
    // Let the last reversals complete.
    tokio::time::sleep(Duration::from_millis(600)).await;
    lat.sort();
    let n = lat.len() as f64;
    let mut codes: Vec<_> = codes.into_iter().collect();
    codes.sort();
    let report = format!(
        "authorisations: {} in {:.2} s = {:.0}/s with {} in flight\n\
         latency p50 {:?}  p99 {:?}  p999 {:?}  max {:?}\n\
         response codes: {:?}\n\
         switch: routed {}, format errors {} (the bad-MAC probe), issuer timeouts {}\n\
         issuer dropped {}; reversals answered {}\n\
         responses not matching their request: {}\n",
        lat.len(),
        elapsed.as_secs_f64(),
        n / elapsed.as_secs_f64(),
        o.in_flight,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        lat.last().copied().unwrap_or_default(),
        codes,
        stats.routed.load(Ordering::Relaxed),
        stats.format_errors.load(Ordering::Relaxed),
        stats.timeouts.load(Ordering::Relaxed),
        dropped.load(Ordering::Relaxed),
        counted.load(Ordering::Relaxed),
        mismatches,
    );
    if mismatches > 0 {
        return Err(format!("{report}responses delivered to the wrong request").into());
    }
    let approved = codes
        .iter()
        .find(|(c, _)| c == "00")
        .map(|(_, n)| *n)
        .unwrap_or(0);
    if approved == 0 {
        return Err(format!("{report}no approvals").into());
    }
    if o.drop_percent > 0
        && stats.timeouts.load(Ordering::Relaxed) != dropped.load(Ordering::Relaxed)
    {
        return Err(format!("{report}every dropped request must time out at the switch").into());
    }
    Ok(report)
}

fn main() -> std::process::ExitCode {
    let result = options().and_then(|o| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(run(o))
    });
    let dir = std::path::Path::new("target/mpay-demo/switch");
    match result {
        Ok(report) => {
            print!("{report}");
            let _ = std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(dir.join("report.txt"), &report));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("switch: FAILED: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
