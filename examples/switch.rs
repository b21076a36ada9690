//! A standalone ISO 8583 switch with acquirer and issuer simulators, and a load generator.
//!
//! - **issuers** (one per BIN range) answer 0100 with 0110, and 0400/0420 reversals with
//!   0410/0430; each can be told to drop a share of requests, and can be killed and restarted;
//! - **the switch** accepts acquirer connections, checks each request's MAC (AES-CMAC per link,
//!   constant-time), routes by BIN to the issuer's link — an `iso8583::Mux` that generates and
//!   verifies the issuer link's MAC itself, matches responses by MTI class, field 41 and 11,
//!   times out and reverses automatically, signs on (0800, 70 = 001) when it connects and
//!   sends an echo (70 = 301) when idle — and answers the acquirer under the acquirer link's
//!   MAC. Response codes: 30 format error (the frame does not decode; fields 11 and 41 are
//!   echoed from a zero-copy scan), 63 bad MAC, 15 no such issuer, 91 issuer unavailable
//!   (timeout, or the issuer link is down), 96 the issuer's answer failed its MAC. A frame whose
//!   length header is unreadable or too long closes that acquirer's connection only. When an
//!   issuer link dies, the reversals of the requests it had in flight are kept and forwarded
//!   once the switch has reconnected;
//! - **the load generator** keeps `--in-flight` authorisations outstanding for `--seconds` on one
//!   acquirer link (its own `Mux`, MAC generated and verified), prints a progress line each
//!   second, and reports throughput, latency percentiles and the machine load; every response
//!   must belong to its request.
//!
//! After the load run, a fault run (about 1.5 s) checks: malformed frames from an acquirer get
//! a format-error response or a closed connection without disturbing the load on the other
//! link; killing one issuer simulator mid-run declines its cardholders with 91 while the other
//! issuer keeps approving, and every request it had in flight is reversed once it is back.
//!
//! ```sh
//! cargo run --release --example switch -- --seconds 30 --in-flight 64 [--drop-percent 1]
//! ```
//! Defaults are short (2 s) so that CI can run it. The report goes to stdout and to
//! `target/mpay-demo/switch/report.txt`; exit status 1 on any mismatch or failed check.

use std::collections::HashMap;
use std::error::Error;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mpay::emv::crypto::keys::AesKey;
use mpay::emv::crypto::posmac::CmacMac;
use mpay::iso8583::frame::codec::FrameCodec;
use mpay::iso8583::frame::{Framing, LengthHeader};
use mpay::iso8583::mac::Mac;
use mpay::iso8583::mux::{Event, Mux, MuxConfig, MuxError, iso87_echo};
use mpay::iso8583::scan::scan;
use mpay::iso8583::{Message, MessageView, Mti, Spec, specs};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_util::codec::{FramedRead, FramedWrite};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const SPEC: &Spec = &specs::ISO87_BINARY;
const FRAMING: Framing = Framing::new(LengthHeader::Binary2, 4096);
const ISSUER_TIMEOUT: Duration = Duration::from_millis(250);
const BINS: [&str; 2] = ["476173", "621234"];
const PANS: [&str; 2] = ["4761739001010119", "6212345678901234"];

struct Options {
    seconds: f64,
    in_flight: usize,
    drop_percent: u64,
}

fn options() -> Res<Options> {
    let mut o = Options {
        seconds: 2.0,
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

fn link_mac(byte: u8) -> Res<Arc<CmacMac>> {
    Ok(Arc::new(CmacMac {
        key: AesKey::from_slice(&[byte; 16])?,
        len: 8,
    }))
}

fn seal(m: &Message<'_>, mac: &dyn Mac) -> Res<Vec<u8>> {
    let mut buf = Vec::with_capacity(160);
    m.pack_with_mac(mac, &mut buf)?;
    Ok(buf)
}

/// The response to the request `view`: its identifying fields, then 39.
fn answer(view: &MessageView<'_>, mti: &str, rc: &str) -> Res<Message<'static>> {
    let mut r = Message::new(SPEC, mti.parse()?);
    for n in [2, 3, 4, 7, 11, 37, 41, 42, 49] {
        if let Some(f) = view.field(n) {
            r.set(n, f.value_or_raw())?;
        }
    }
    r.set(39, rc)?;
    Ok(r)
}

/// Writes the frames queued on `rx`, one flush for whatever is queued at once.
async fn batch_writer(wr: OwnedWriteHalf, mut rx: mpsc::UnboundedReceiver<Vec<u8>>) {
    let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
    while let Some(b) = rx.recv().await {
        if wr.feed(&b[..]).await.is_err() {
            return;
        }
        while let Ok(more) = rx.try_recv() {
            if wr.feed(&more[..]).await.is_err() {
                return;
            }
        }
        if wr.flush().await.is_err() {
            return;
        }
    }
}

/// What an issuer simulator counts.
#[derive(Default)]
struct IssuerStats {
    dropped: AtomicU64,
    reversals: AtomicU64,
    /// Hung: reads requests and answers none.
    hung: AtomicBool,
}

/// An issuer simulator: answers on `listener` until killed; drops `drop_percent` of the 0100s
/// (chosen by STAN).
struct Issuer {
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Issuer {
    fn start(
        listener: TcpListener,
        mac: Arc<CmacMac>,
        drop_percent: u64,
        stats: Arc<IssuerStats>,
    ) -> Issuer {
        let tasks: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let t = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let (mac, stats) = (mac.clone(), stats.clone());
                let conn =
                    tokio::spawn(async move { issuer_conn(sock, mac, drop_percent, stats).await });
                if let Ok(mut t) = t.lock() {
                    t.push(conn.abort_handle());
                }
            }
        });
        if let Ok(mut t) = tasks.lock() {
            t.push(accept.abort_handle());
        }
        Issuer { tasks }
    }

    /// Kills the simulator: its listener and connections close.
    fn kill(&self) {
        if let Ok(t) = self.tasks.lock() {
            for h in t.iter() {
                h.abort();
            }
        }
    }
}

async fn issuer_conn(sock: TcpStream, mac: Arc<CmacMac>, drop_percent: u64, st: Arc<IssuerStats>) {
    let (rd, wr) = sock.into_split();
    let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(batch_writer(wr, rx));
    let _guard = AbortOnDrop(writer.abort_handle());
    while let Some(Ok(frame)) = rd.next().await {
        if st.hung.load(Ordering::Relaxed) {
            continue;
        }
        let Ok(view) = MessageView::unpack(SPEC, &frame) else {
            continue;
        };
        let rc = if view.verify_mac(&*mac).is_ok() {
            "00"
        } else {
            "63"
        };
        let stan = view.u64(11).unwrap_or(0);
        let resp_mti = match view.mti().as_str() {
            "0100"
                if drop_percent > 0
                    && stan.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 100 < drop_percent =>
            {
                st.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            "0100" => "0110",
            "0400" | "0401" => "0410",
            "0420" | "0421" => {
                st.reversals.fetch_add(1, Ordering::Relaxed);
                "0430"
            }
            "0800" => "0810",
            _ => continue,
        };
        let Ok(buf) = answer(&view, resp_mti, rc).and_then(|r| seal(&r, &*mac)) else {
            continue;
        };
        if tx.send(buf).is_err() {
            break;
        }
    }
}

/// Aborts a task when dropped (the connection's writer dies with its reader).
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The switch's link to one issuer: reconnected when it drops; the reversals the dead link
/// handed back are forwarded on the next one.
struct IssuerLink {
    bin: &'static str,
    mux: RwLock<Option<Mux>>,
    saf: Mutex<Vec<Message<'static>>>,
    handed_back: AtomicU64,
    reversed: AtomicU64,
}

impl IssuerLink {
    fn mux(&self) -> Option<Mux> {
        self.mux
            .read()
            .ok()?
            .as_ref()
            .filter(|m| !m.is_closed())
            .cloned()
    }

    /// Keeps the link up: connect, forward stored reversals, watch events, reconnect.
    async fn supervise(self: Arc<Self>, addr: SocketAddr, mac: Arc<CmacMac>) {
        loop {
            let Ok(sock) = TcpStream::connect(addr).await else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let _ = sock.set_nodelay(true);
            let cfg = MuxConfig {
                timeout: ISSUER_TIMEOUT,
                reversal_retry: Duration::from_millis(200),
                mac: Some(mac.clone()),
                echo_idle: Some(Duration::from_secs(1)),
                echo: iso87_echo(SPEC),
                ..MuxConfig::default()
            };
            // Sign on (0800, 70 = 001) before any traffic; echo (70 = 301) when idle.
            let mut sign_on = Message::new(SPEC, Mti::new(*b"0800").unwrap_or(Mti::ZERO));
            if sign_on
                .set(11, "000001")
                .and(sign_on.set(70, "001"))
                .is_err()
            {
                return;
            }
            let Ok((mux, mut events)) =
                Mux::start_signed_on(sock, SPEC, FRAMING, cfg, sign_on).await
            else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let stored: Vec<_> = self
                .saf
                .lock()
                .map(|mut s| s.drain(..).collect())
                .unwrap_or_default();
            for rev in stored {
                let _ = mux.store_and_forward(rev);
            }
            if let Ok(mut m) = self.mux.write() {
                *m = Some(mux);
            }
            while let Some(e) = events.recv().await {
                match e {
                    Event::Reversed { .. } => {
                        self.reversed.fetch_add(1, Ordering::Relaxed);
                    }
                    Event::ReversalFailed { reversal } => {
                        self.handed_back.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut s) = self.saf.lock() {
                            s.push(reversal);
                        }
                    }
                    Event::Closed(_) => break,
                    _ => {}
                }
            }
            if let Ok(mut m) = self.mux.write() {
                *m = None;
            }
        }
    }
}

#[derive(Default)]
struct SwitchStats {
    routed: AtomicU64,
    format_errors: AtomicU64,
    bad_macs: AtomicU64,
    timeouts: AtomicU64,
    link_down: AtomicU64,
    closed_framing: AtomicU64,
}

/// What the switch does with a frame.
enum Route {
    /// Answer at once (or not at all).
    Answer(Option<Vec<u8>>),
    /// Forward on this issuer link.
    Forward(Mux, Message<'static>),
}

struct Switch {
    links: Vec<Arc<IssuerLink>>,
    acq_mac: Arc<CmacMac>,
    stats: SwitchStats,
}

impl Switch {
    /// Acquirer connections in: each frame answered on its own task, answers batched out.
    async fn serve(self: Arc<Self>, listener: TcpListener) {
        while let Ok((sock, _)) = listener.accept().await {
            let _ = sock.set_nodelay(true);
            let sw = self.clone();
            tokio::spawn(async move {
                let (rd, wr) = sock.into_split();
                let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
                let (tx, rx) = mpsc::unbounded_channel::<Vec<u8>>();
                tokio::spawn(batch_writer(wr, rx));
                while let Some(frame) = rd.next().await {
                    let Ok(frame) = frame else {
                        // Unparseable framing: this connection closes, nothing else does.
                        sw.stats.closed_framing.fetch_add(1, Ordering::Relaxed);
                        break;
                    };
                    let (sw, tx) = (sw.clone(), tx.clone());
                    tokio::spawn(async move {
                        match sw.handle(&frame).await {
                            Ok(Some(b)) => {
                                let _ = tx.send(b);
                            }
                            Ok(None) => {}
                            Err(e) => eprintln!("switch: {e}"),
                        }
                    });
                }
            });
        }
    }

    /// The answer to one acquirer frame (`None`: nothing can be answered).
    async fn handle(&self, frame: &[u8]) -> Res<Option<Vec<u8>>> {
        let (mux, req) = match self.route(frame)? {
            Route::Answer(a) => return Ok(a),
            Route::Forward(mux, req) => (mux, req),
        };
        let rc = match mux.request_timeout(req, ISSUER_TIMEOUT).await {
            // Verified under the issuer link's MAC by the Mux; re-MACed for the acquirer.
            Ok(resp) => return Ok(Some(seal(&resp, &*self.acq_mac)?)),
            Err(MuxError::Timeout(_)) => {
                self.stats.timeouts.fetch_add(1, Ordering::Relaxed);
                "91"
            }
            Err(MuxError::Closed) => {
                self.stats.link_down.fetch_add(1, Ordering::Relaxed);
                "91"
            }
            Err(MuxError::BadMac(_)) => "96",
            Err(MuxError::Duplicate) => "94",
            Err(e) => return Err(e.into()),
        };
        // Declines are rare: the frame is decoded again rather than kept across the wait.
        let view = MessageView::unpack(SPEC, frame)?;
        self.decline(&view, rc)
    }

    fn decline(&self, view: &MessageView<'_>, rc: &str) -> Res<Option<Vec<u8>>> {
        let mti = if view.mti().as_str() == "0200" {
            "0210"
        } else {
            "0110"
        };
        Ok(Some(seal(&answer(view, mti, rc)?, &*self.acq_mac)?))
    }

    /// Decodes, checks the MAC and picks the issuer link, or answers at once.
    fn route(&self, frame: &[u8]) -> Res<Route> {
        let Ok(view) = MessageView::unpack(SPEC, frame) else {
            return self.format_error(frame).map(Route::Answer);
        };
        if !matches!(view.mti().as_str(), "0100" | "0200") {
            return self.format_error(frame).map(Route::Answer);
        }
        if view.verify_mac(&*self.acq_mac).is_err() {
            self.stats.bad_macs.fetch_add(1, Ordering::Relaxed);
            return self.decline(&view, "63").map(Route::Answer);
        }
        let pan = view.text(2).unwrap_or_default();
        let Some(link) = self.links.iter().find(|l| pan.starts_with(l.bin)) else {
            return self.decline(&view, "15").map(Route::Answer);
        };
        let Some(mux) = link.mux() else {
            self.stats.link_down.fetch_add(1, Ordering::Relaxed);
            return self.decline(&view, "91").map(Route::Answer);
        };
        self.stats.routed.fetch_add(1, Ordering::Relaxed);
        // Forwarded as decoded (the acquirer's MAC in 64 is replaced by the issuer link's).
        Ok(Route::Forward(mux, view.to_message().with_spec(SPEC)?))
    }

    /// 30 (format error) with the request's 11 and 41, when the MTI and those fields scan.
    fn format_error(&self, frame: &[u8]) -> Res<Option<Vec<u8>>> {
        self.stats.format_errors.fetch_add(1, Ordering::Relaxed);
        let Ok(s) = scan(SPEC, frame, &[11, 41]) else {
            return Ok(None);
        };
        let mti = match s.mti().as_str() {
            "0200" => "0210",
            _ => "0110",
        };
        let mut r = Message::new(SPEC, mti.parse()?);
        for n in [11, 41] {
            if let Some(t) = s.text(n) {
                r.set(n, t.into_owned())?;
            }
        }
        r.set(39, "30")?;
        Ok(Some(seal(&r, &*self.acq_mac)?))
    }
}

fn percentile(sorted: &[u32], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    Duration::from_micros(u64::from(
        sorted[((sorted.len() - 1) as f64 * p).round() as usize],
    ))
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime (fields 14 and 15) in clock ticks of 1/100 s (USER_HZ on Linux).
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// One authorisation as the load generator sees it.
struct Outcome {
    /// When it started, from the run's start.
    at: Duration,
    issuer: usize,
    code: String,
    micros: u32,
    mine: bool,
}

/// Workers keeping `in_flight` authorisations outstanding on `acq` until `until`.
async fn load(
    acq: &Mux,
    in_flight: usize,
    until: Instant,
    first_stan: u64,
    tid_prefix: char,
    done: Arc<AtomicU64>,
    started: Instant,
) -> Res<Vec<Outcome>> {
    let stan = Arc::new(AtomicU64::new(first_stan));
    let mut workers = Vec::new();
    for w in 0..in_flight {
        let (acq, stan, done) = (acq.clone(), stan.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let tid = format!("{tid_prefix}{w:07}");
            let issuer = w % 2;
            while Instant::now() < until {
                let s = stan.fetch_add(1, Ordering::Relaxed) % 1_000_000;
                let amount = format!("{:012}", 100 + s % 10_000);
                let stan_text = format!("{s:06}");
                let mut m = Message::new(SPEC, "0100".parse().map_err(|e| format!("{e:?}"))?);
                m.set(2, PANS[issuer]).map_err(|e| e.to_string())?;
                m.set(3, "000000").map_err(|e| e.to_string())?;
                m.set(4, amount.as_str()).map_err(|e| e.to_string())?;
                m.set(11, stan_text.as_str()).map_err(|e| e.to_string())?;
                m.set(41, tid.as_str()).map_err(|e| e.to_string())?;
                m.set(49, "156").map_err(|e| e.to_string())?;
                let t0 = Instant::now();
                // The acquirer's Mux MACs the request and verifies the response's MAC.
                let (code, mine) = match acq.request(m).await {
                    Ok(r) => {
                        // The response must be this request's: same STAN, terminal, amount, PAN.
                        let mine = r.text(11) == Some(&stan_text[..])
                            && r.text(41) == Some(tid.as_str())
                            && r.text(4) == Some(&amount[..])
                            && r.text(2) == Some(PANS[issuer]);
                        (r.text(39).unwrap_or("??").to_string(), mine)
                    }
                    Err(e) => (format!("error: {e}"), false),
                };
                out.push(Outcome {
                    at: t0.duration_since(started),
                    issuer,
                    code,
                    micros: t0.elapsed().as_micros().min(u32::MAX as u128) as u32,
                    mine,
                });
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, String>(out)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    Ok(all)
}

async fn acquirer_link(addr: SocketAddr, mac: Arc<CmacMac>) -> Res<Mux> {
    let sock = TcpStream::connect(addr).await?;
    sock.set_nodelay(true)?;
    let (mux, _events) = Mux::start(
        sock,
        SPEC,
        FRAMING,
        MuxConfig {
            timeout: Duration::from_secs(5),
            mac: Some(mac),
            ..MuxConfig::default()
        },
    );
    Ok(mux)
}

fn check(ok: bool, what: &str, failures: &mut Vec<String>) {
    if !ok {
        failures.push(what.to_string());
    }
}

/// Everything but the switch runs here; the switch runs on `sw` (its own thread).
async fn run(o: Options, sw: tokio::runtime::Handle) -> Res<String> {
    let acq_mac = link_mac(0xA1)?;
    let iss_mac = link_mac(0x15)?;
    let load_before = loadavg();
    let mut issuers = Vec::new();
    let mut links = Vec::new();
    let mut addrs = Vec::new();
    let mut istats = Vec::new();
    for bin in BINS {
        let l = TcpListener::bind("127.0.0.1:0").await?;
        addrs.push(l.local_addr()?);
        let st = Arc::new(IssuerStats::default());
        issuers.push(Issuer::start(
            l,
            iss_mac.clone(),
            o.drop_percent,
            st.clone(),
        ));
        istats.push(st);
        let link = Arc::new(IssuerLink {
            bin,
            mux: RwLock::new(None),
            saf: Mutex::new(Vec::new()),
            handed_back: AtomicU64::new(0),
            reversed: AtomicU64::new(0),
        });
        let addr = *addrs.last().ok_or("no address")?;
        sw.spawn(link.clone().supervise(addr, iss_mac.clone()));
        links.push(link);
    }
    let switch = Arc::new(Switch {
        links: links.clone(),
        acq_mac: acq_mac.clone(),
        stats: SwitchStats::default(),
    });
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let sw2 = switch.clone();
    sw.spawn(async move {
        match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => {
                let _ = addr_tx.send(l.local_addr().map_err(|e| e.to_string()));
                sw2.serve(l).await;
            }
            Err(e) => {
                let _ = addr_tx.send(Err(e.to_string()));
            }
        }
    });
    let switch_addr = addr_rx.await??;
    let t = Instant::now();
    while links.iter().any(|l| l.mux().is_none()) {
        if t.elapsed() > Duration::from_secs(5) {
            return Err("issuer links did not come up".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let acq = acquirer_link(switch_addr, acq_mac.clone()).await?;
    let mut failures = Vec::new();

    // A request under the wrong MAC gets 63 and never reaches an issuer.
    let bad = probe("999999", "PROBE001")?;
    let wrong = link_mac(0xEE)?;
    let mut raw = TcpStream::connect(switch_addr).await?;
    let r = exchange(&mut raw, &seal(&bad, &*wrong)?).await?;
    check(
        r.as_ref().and_then(|r| r.text(39)) == Some("63"),
        "a request under a wrong MAC gets 63",
        &mut failures,
    );
    check(
        switch.stats.routed.load(Ordering::Relaxed) == 0,
        "a bad-MAC request reaches no issuer",
        &mut failures,
    );

    // The load run, with a progress line each second.
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let progress = {
        let (done, stop) = (done.clone(), stop.clone());
        tokio::spawn(async move {
            let mut last = 0;
            let t0 = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = done.load(Ordering::Relaxed);
                eprintln!(
                    "switch: {:>4.0} s  {:>7} authorisations/s  {:>9} total  load {}",
                    t0.elapsed().as_secs_f64(),
                    now - last,
                    now,
                    loadavg()
                );
                last = now;
            }
        })
    };
    let started = Instant::now();
    let cpu_before = cpu_time();
    let until = started + Duration::from_secs_f64(o.seconds);
    let outcomes = load(&acq, o.in_flight, until, 1, 'T', done.clone(), started).await?;
    let elapsed = started.elapsed();
    let cpu = cpu_time().zip(cpu_before).map(|(a, b)| a.saturating_sub(b));
    stop.store(true, Ordering::Relaxed);
    progress.abort();
    let load_after = loadavg();
    // Let the last reversals complete.
    tokio::time::sleep(ISSUER_TIMEOUT + Duration::from_millis(300)).await;
    let mut lat: Vec<u32> = outcomes.iter().map(|x| x.micros).collect();
    lat.sort_unstable();
    let mismatches = outcomes.iter().filter(|x| !x.mine).count();
    let mut codes: HashMap<&str, u64> = HashMap::new();
    for x in &outcomes {
        *codes.entry(x.code.as_str()).or_default() += 1;
    }
    let mut codes: Vec<_> = codes.into_iter().collect();
    codes.sort();
    let dropped: u64 = istats
        .iter()
        .map(|s| s.dropped.load(Ordering::Relaxed))
        .sum();
    let reversed: u64 = links
        .iter()
        .map(|l| l.reversed.load(Ordering::Relaxed))
        .sum();
    let timeouts = switch.stats.timeouts.load(Ordering::Relaxed);
    let mut report = format!(
        "load run: {} authorisations in {:.2} s = {:.0}/s with {} in flight (MAC checked and \
         generated at every hop)\n\
         latency p50 {:?}  p99 {:?}  p999 {:?}  max {:?}\n\
         response codes: {:?}\n\
         switch: routed {}, issuer timeouts {}; issuers dropped {}; reversals answered {}\n\
         responses not matching their request: {}\n\
         load average (1/5/15 min) before {load_before}, after {load_after}, on {} cores\n\
         CPU (user + system, all three parties and their kernel time): {}\n",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        o.in_flight,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        percentile(&lat, 1.0),
        codes,
        switch.stats.routed.load(Ordering::Relaxed),
        timeouts,
        dropped,
        reversed,
        mismatches,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        match cpu {
            Some(c) if !lat.is_empty() => format!(
                "{:.2} s = {:.1} µs per authorisation",
                c.as_secs_f64(),
                c.as_secs_f64() * 1e6 / lat.len() as f64
            ),
            _ => "unknown".into(),
        },
    );
    check(
        mismatches == 0,
        "every response belongs to its request",
        &mut failures,
    );
    check(
        codes.iter().any(|(c, n)| *c == "00" && *n > 0),
        "approvals",
        &mut failures,
    );
    check(
        timeouts == dropped && reversed == dropped,
        "every dropped request times out at the switch and is reversed",
        &mut failures,
    );

    let world = World {
        switch_addr,
        acq,
        switch,
        links,
        issuers,
        addrs,
        iss_mac,
        istats,
    };
    report.push_str(&faults(&o, &world, &mut failures).await?);
    if failures.is_empty() {
        Ok(report)
    } else {
        Err(format!("{report}FAILED checks: {}", failures.join("; ")).into())
    }
}

/// A one-off 0100 for issuer 1 (a probe sent outside the load generator).
fn probe(stan: &str, tid: &str) -> Res<Message<'static>> {
    let mut m = Message::new(SPEC, "0100".parse()?);
    for (n, v) in [
        (2, PANS[0]),
        (3, "000000"),
        (4, "000000000100"),
        (11, stan),
        (41, tid),
    ] {
        m.set(n, v)?;
    }
    Ok(m)
}

/// Sends one frame on a raw connection and reads one answer (`None`: the switch closed it).
async fn exchange(sock: &mut TcpStream, frame: &[u8]) -> Res<Option<Message<'static>>> {
    let mut buf = (frame.len() as u16).to_be_bytes().to_vec();
    buf.extend_from_slice(frame);
    sock.write_all(&buf).await?;
    let mut len = [0u8; 2];
    match tokio::time::timeout(Duration::from_secs(2), sock.read_exact(&mut len)).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) => return Ok(None),
        Err(_) => return Err("no answer within 2 s".into()),
    }
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
    sock.read_exact(&mut body).await?;
    Ok(Some(Message::unpack(SPEC, &body)?))
}

/// What the fault run works on.
struct World {
    switch_addr: SocketAddr,
    acq: Mux,
    switch: Arc<Switch>,
    links: Vec<Arc<IssuerLink>>,
    issuers: Vec<Issuer>,
    addrs: Vec<SocketAddr>,
    iss_mac: Arc<CmacMac>,
    istats: Vec<Arc<IssuerStats>>,
}

/// The fault run: load on both issuers while an acquirer sends malformed frames and issuer 2
/// is killed and restarted.
async fn faults(o: &Options, w: &World, failures: &mut Vec<String>) -> Res<String> {
    let World {
        switch_addr,
        acq,
        switch,
        links,
        issuers,
        addrs,
        iss_mac,
        istats,
    } = w;
    let switch_addr = *switch_addr;
    const HANG: Duration = Duration::from_millis(300);
    const KILL: Duration = Duration::from_millis(400);
    const RESTART: Duration = Duration::from_millis(900);
    const END: Duration = Duration::from_millis(1400);
    let in_flight = o.in_flight.min(32);
    let t0 = Instant::now();
    let acq2 = acq.clone();
    let load_task = tokio::spawn(async move {
        load(&acq2, in_flight, t0 + END, 500_000, 'F', Arc::default(), t0)
            .await
            .map_err(|e| e.to_string())
    });

    // Malformed frames on another acquirer connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut wire = seal(&probe("777777", "BADFMT01")?, &*link_mac(0xA1)?)?;
    // Field 4 (BCD) starts after MTI (2), bitmap (8), field 2 (1 + 8) and field 3 (3).
    wire[2 + 8 + 9 + 3] = 0xAB;
    let mut raw = TcpStream::connect(switch_addr).await?;
    let r = exchange(&mut raw, &wire).await?;
    let format_ok = r.as_ref().is_some_and(|r| {
        r.text(39) == Some("30") && r.text(11) == Some("777777") && r.text(41) == Some("BADFMT01")
    });
    check(
        format_ok,
        "a malformed field gets 30 (format error) with its STAN and terminal",
        failures,
    );
    // A length header beyond the maximum frame: the switch closes this connection.
    raw.write_all(&[0xFF, 0xFF, 1, 2, 3]).await?;
    let mut one = [0u8; 1];
    let closed = matches!(
        tokio::time::timeout(Duration::from_secs(2), raw.read(&mut one)).await,
        Ok(Ok(0)) | Ok(Err(_))
    );
    check(
        closed,
        "unparseable framing closes that connection",
        failures,
    );

    // Issuer 2 hangs (so that requests are in flight), dies mid-run, and is restarted later
    // on the same address.
    tokio::time::sleep(HANG.saturating_sub(t0.elapsed())).await;
    istats[1].hung.store(true, Ordering::Relaxed);
    tokio::time::sleep(KILL.saturating_sub(t0.elapsed())).await;
    issuers[1].kill();
    let killed_at = t0.elapsed();
    tokio::time::sleep(RESTART.saturating_sub(t0.elapsed())).await;
    let restarted_at = t0.elapsed();
    let l = TcpListener::bind(addrs[1]).await?;
    let st2 = Arc::new(IssuerStats::default());
    let _restarted = Issuer::start(l, (*iss_mac).clone(), 0, st2.clone());
    let outcomes = load_task.await??;
    // The reversals of the requests in flight at the kill reach the restarted issuer.
    let handed_back = links[1].handed_back.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(3);
    while st2.reversals.load(Ordering::Relaxed) < handed_back && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reversed_after = st2.reversals.load(Ordering::Relaxed);

    // Requests started after the kill and answered before the restart began.
    let window = |x: &Outcome| {
        x.at > killed_at + Duration::from_millis(50)
            && x.at + Duration::from_micros(u64::from(x.micros)) < restarted_at
    };
    let count = |issuer: usize, code: &str, f: &dyn Fn(&Outcome) -> bool| {
        outcomes
            .iter()
            .filter(|x| x.issuer == issuer && x.code == code && f(x))
            .count()
    };
    let down_91 = count(1, "91", &window);
    let others: Vec<(Duration, &str)> = outcomes
        .iter()
        .filter(|x| x.issuer == 1 && window(x) && x.code != "91")
        .map(|x| (x.at, x.code.as_str()))
        .collect();
    let down_other = others.len();
    if down_other > 0 {
        eprintln!("switch: issuer 2 down, yet: {others:?}");
    }
    let up_00 = count(0, "00", &window);
    let after = |x: &Outcome| x.at > restarted_at + Duration::from_millis(200);
    let back_00 = count(1, "00", &after);
    let declined_in_flight = switch.stats.link_down.load(Ordering::Relaxed);
    let mismatches = outcomes.iter().filter(|x| !x.mine).count();
    check(
        mismatches == 0,
        "fault run: every response belongs to its request",
        failures,
    );
    check(
        down_91 > 0 && down_other == 0,
        "while issuer 2 is down its cardholders get 91",
        failures,
    );
    check(
        up_00 > 0,
        "while issuer 2 is down issuer 1 keeps approving",
        failures,
    );
    check(
        handed_back > 0 && reversed_after == handed_back,
        "every request in flight at the kill is reversed once issuer 2 is back",
        failures,
    );
    check(
        back_00 > 0,
        "issuer 2 approves again after its restart",
        failures,
    );
    Ok(format!(
        "fault run ({} authorisations, {in_flight} in flight): malformed field -> 30 {}, bad \
         framing -> connection closed {}; issuer 2 hung at {HANG:?}, killed at {:?}, restarted at {:?}: its \
         cardholders got 91 {down_91} times while down (other codes {down_other}), issuer 1 \
         approved {up_00} in the meantime, {declined_in_flight} declined 91 for the dead link, \
         {handed_back} reversals of requests in flight kept and {reversed_after} delivered after \
         the restart; issuer 2 approved {back_00} after it\n",
        outcomes.len(),
        if format_ok { "ok" } else { "FAILED" },
        if closed { "ok" } else { "FAILED" },
        killed_at,
        restarted_at,
    ))
}

/// Two single-threaded runtimes on two threads, as two processes would be: the switch on one,
/// the acquirer load generator and the issuer simulators on the other; they talk over loopback
/// TCP only.
fn main() -> std::process::ExitCode {
    let result = options().and_then(|o| {
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let switch_thread = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            handle_tx
                .send(rt.handle().clone())
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let _ = stop_rx.await;
            });
            Ok(())
        });
        let sw = handle_rx.recv()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let r = rt.block_on(run(o, sw));
        let _ = stop_tx.send(());
        let _ = switch_thread.join();
        r
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
