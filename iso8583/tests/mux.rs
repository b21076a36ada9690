//! The Mux on loopback TCP: 10,000 outstanding requests, the far end drops 1% and answers the
//! rest out of order (and some dropped ones late); every drop is reversed within timeout + 10 ms,
//! no response reaches the wrong request, late responses are reported. Also: 0410 never matches
//! an 0100, echo on idle, sign-on.
#![cfg(feature = "tokio")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mpay_iso8583::frame::codec::FrameCodec;
use mpay_iso8583::frame::{Framing, LengthHeader};
use mpay_iso8583::mux::{Event, Mux, MuxConfig, MuxError, Reversal, SignOnError, iso87_echo};
use mpay_iso8583::{Message, Spec, specs};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{FramedRead, FramedWrite};

const SPEC: &Spec = &specs::ISO87_BINARY;
const FRAMING: Framing = Framing::new(LengthHeader::Binary2, 4096);

fn respond(req: &Message<'static>, mti: &str, code: &str) -> Vec<u8> {
    let mut r = Message::new(SPEC, mti.parse().unwrap());
    for n in [4, 11, 41, 70] {
        if let Some(v) = req.get(n) {
            r.set(n, v.clone()).unwrap();
        }
    }
    r.set(39, code).unwrap();
    r.pack().unwrap()
}

fn request(stan: u32) -> Message<'static> {
    let mut m = Message::new(SPEC, "0100".parse().unwrap());
    m.set(2, "4761739001010119").unwrap();
    m.set(3, "000000").unwrap();
    m.set(4, format!("{:012}", stan)).unwrap();
    m.set(11, format!("{stan:06}")).unwrap();
    m.set(41, "TERM0001").unwrap();
    m
}

async fn pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (c, s) = tokio::join!(TcpStream::connect(addr), l.accept());
    (c.unwrap(), s.unwrap().0)
}

/// A far end on `server` answering each message with what `answer` returns.
fn far_end<F>(server: TcpStream, answer: F)
where
    F: Fn(Message<'static>) -> Option<Vec<u8>> + Send + 'static,
{
    tokio::spawn(async move {
        let (rd, wr) = server.into_split();
        let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
        let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
        while let Some(Ok(f)) = rd.next().await {
            if let Some(out) = answer(Message::unpack(SPEC, &f).unwrap()) {
                wr.send(&out[..]).await.unwrap();
            }
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_outstanding_one_percent_dropped() {
    const N: u32 = 10_000;
    let timeout = Duration::from_millis(2000);
    let (client, server) = pair().await;
    let reversal_seen: Arc<Mutex<HashMap<u32, Instant>>> = Arc::default();
    let seen = reversal_seen.clone();

    // The far end: answers in shuffled batches, drops stan % 100 == 0, answers half of those
    // late (after the timeout), acknowledges reversals.
    tokio::spawn(async move {
        let (rd, wr) = server.into_split();
        let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
        let wr = Arc::new(tokio::sync::Mutex::new(FramedWrite::new(
            wr,
            FrameCodec(FRAMING),
        )));
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        loop {
            let next = tokio::time::timeout(Duration::from_millis(2), rd.next()).await;
            match next {
                Ok(Some(Ok(frame))) => {
                    let m = Message::unpack(SPEC, &frame).unwrap();
                    let stan: u32 = m.text(11).unwrap().parse().unwrap();
                    match m.mti.as_str() {
                        "0100" if stan.is_multiple_of(100) => {
                            if stan.is_multiple_of(200) {
                                let late = respond(&m, "0110", "00");
                                let wr = wr.clone();
                                tokio::spawn(async move {
                                    tokio::time::sleep(timeout + Duration::from_millis(300)).await;
                                    wr.lock().await.send(&late[..]).await.unwrap();
                                });
                            }
                        }
                        "0100" => batch.push(respond(&m, "0110", "00")),
                        "0420" | "0421" => {
                            seen.lock()
                                .unwrap()
                                .entry(stan)
                                .or_insert_with(Instant::now);
                            batch.push(respond(&m, "0430", "00"));
                        }
                        other => panic!("unexpected {other}"),
                    }
                    if batch.len() < 512 {
                        continue;
                    }
                }
                Ok(_) => break,
                Err(_) => {}
            }
            // Out of order: shuffle the batch.
            for i in (1..batch.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                batch.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            let mut w = wr.lock().await;
            for f in batch.drain(..) {
                w.feed(&f[..]).await.unwrap();
            }
            w.flush().await.unwrap();
        }
    });

    let cfg = MuxConfig {
        timeout,
        reversal: Reversal::Advice,
        reversal_retry: Duration::from_millis(1000),
        ..MuxConfig::default()
    };
    let (mux, mut events) = Mux::start(client, SPEC, FRAMING, cfg);
    let started: Arc<Mutex<HashMap<u32, Instant>>> = Arc::default();
    let mut tasks = Vec::new();
    for stan in 1..=N {
        let mux = mux.clone();
        let started = started.clone();
        tasks.push(tokio::spawn(async move {
            started.lock().unwrap().insert(stan, Instant::now());
            match mux.request(request(stan)).await {
                Ok(resp) => {
                    let right = resp.text(11) == Some(&format!("{stan:06}")[..])
                        && resp.text(4) == Some(&format!("{stan:012}")[..])
                        && resp.mti.as_str() == "0110";
                    (stan, Some(right))
                }
                Err(MuxError::Timeout(_)) => (stan, None),
                Err(e) => panic!("{e}"),
            }
        }));
    }
    let mut wrong = 0;
    let mut timed_out = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (_, Some(true)) => {}
            (_, Some(false)) => wrong += 1,
            (stan, None) => timed_out.push(stan),
        }
    }
    assert_eq!(wrong, 0, "responses delivered to the wrong request");
    timed_out.sort();
    let dropped: Vec<u32> = (1..=N).filter(|s| s % 100 == 0).collect();
    assert_eq!(timed_out, dropped, "exactly the dropped requests time out");

    // Every drop reversed (0420) within timeout + 10 ms of its request; all acknowledged.
    let mut reversed = 0;
    let mut late = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while (reversed < dropped.len() || late < dropped.len() / 2) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), events.recv()).await {
            Ok(Some(Event::Reversed { attempts: 1, .. })) => reversed += 1,
            Ok(Some(Event::Late(m))) => {
                let stan: u32 = m.text(11).unwrap().parse().unwrap();
                assert_eq!(stan % 200, 0, "only the late answers are late");
                late += 1;
            }
            Ok(Some(e)) => panic!("unexpected event {e:?}"),
            _ => {}
        }
    }
    assert_eq!(reversed, dropped.len());
    assert_eq!(late, dropped.len() / 2);
    let seen = reversal_seen.lock().unwrap();
    let started = started.lock().unwrap();
    let mut worst = Duration::ZERO;
    let mut delays = Vec::new();
    for s in &dropped {
        let d = seen[s].duration_since(started[s]);
        assert!(d >= timeout, "reversal of {s} before the timeout");
        worst = worst.max(d - timeout);
        delays.push((d - timeout).as_micros());
    }
    eprintln!("reversal delays after timeout (µs), by STAN: {delays:?}");
    // 10 ms, debug or release: the deadline task writes the reversal straight to the writer.
    // When the 1-minute load is above twice the cores (shared build machines), the process is
    // itself descheduled for tens or hundreds of ms at a time and a latency bound measures the
    // machine, not the Mux: the test then says so and checks correctness only.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let load: f64 = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    eprintln!("worst reversal delay after the timeout: {worst:?} (load {load}, {cores} cores)");
    if load > 2.0 * cores {
        eprintln!("overloaded machine: the 10 ms reversal bound is not asserted");
    } else {
        assert!(
            worst <= Duration::from_millis(10),
            "reversal {worst:?} after the timeout"
        );
    }
    assert_eq!(mux.saf_len(), 0);
}

#[tokio::test]
async fn an_0410_never_matches_an_0100() {
    let (client, server) = pair().await;
    // Same STAN and terminal, wrong class.
    far_end(server, |m| {
        (m.mti.as_str() == "0100").then(|| respond(&m, "0410", "00"))
    });
    let cfg = MuxConfig {
        reversal: Reversal::Off,
        ..MuxConfig::default()
    };
    let (mux, mut events) = Mux::start(client, SPEC, FRAMING, cfg);
    let r = mux
        .request_timeout(request(7), Duration::from_millis(300))
        .await;
    assert!(matches!(r, Err(MuxError::Timeout(_))));
    match events.recv().await {
        Some(Event::Late(m)) => assert_eq!(m.mti.as_str(), "0410"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn echo_on_idle_and_sign_on() {
    let (client, server) = pair().await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    far_end(server, move |m| {
        tx.send(m.clone()).unwrap();
        Some(respond(&m, "0810", "00"))
    });
    let cfg = MuxConfig {
        echo_idle: Some(Duration::from_millis(100)),
        echo: iso87_echo(SPEC),
        ..MuxConfig::default()
    };
    let mut sign_on = Message::new(SPEC, "0800".parse().unwrap());
    sign_on.set(11, "999999").unwrap();
    sign_on.set(70, "001").unwrap();
    let (_mux, _events) = Mux::start_signed_on(client, SPEC, FRAMING, cfg, sign_on)
        .await
        .unwrap();
    let first = rx.recv().await.unwrap();
    assert_eq!(first.text(70), Some("001"));
    let t = Instant::now();
    let echo = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(echo.mti.as_str(), "0800");
    assert_eq!(echo.text(70), Some("301"));
    assert!(t.elapsed() >= Duration::from_millis(50));

    // A refused sign-on.
    let (client, server) = pair().await;
    far_end(server, |m| Some(respond(&m, "0810", "05")));
    let mut sign_on = Message::new(SPEC, "0800".parse().unwrap());
    sign_on.set(11, "000001").unwrap();
    sign_on.set(70, "001").unwrap();
    let r = Mux::start_signed_on(client, SPEC, FRAMING, MuxConfig::default(), sign_on).await;
    assert!(matches!(r, Err(SignOnError::Refused(c)) if c == "05"));
}

#[test]
fn frame_codec_partial_and_oversized() {
    use bytes::BytesMut;
    use tokio_util::codec::{Decoder, Encoder};
    let mut c = FrameCodec(Framing::new(LengthHeader::Ascii4, 16));
    let mut out = BytesMut::new();
    c.encode(&b"08001234"[..], &mut out).unwrap();
    assert_eq!(&out[..], b"000808001234");
    let mut buf = BytesMut::from(&out[..7]);
    assert_eq!(c.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&out[7..]);
    buf.extend_from_slice(b"00");
    assert_eq!(&c.decode(&mut buf).unwrap().unwrap()[..], b"08001234");
    assert_eq!(&buf[..], b"00");
    let mut big = BytesMut::from(&b"0017xxxxxxxxxxxxxxxxx"[..]);
    assert_eq!(
        c.decode(&mut big).unwrap_err().kind(),
        std::io::ErrorKind::InvalidData
    );
    assert!(c.encode(&[0u8; 17][..], &mut out).is_err());
}

/// A keyed test MAC for the hook (the real algorithms live in the `emv` crate): an 8-byte
/// rolling mix of the key and the MAB.
struct TestMac(u8);

impl mpay_iso8583::mac::Mac for TestMac {
    fn len(&self) -> usize {
        8
    }
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
        let mut s = [self.0; 8];
        for (i, b) in mab.iter().enumerate() {
            s[i % 8] = s[i % 8].rotate_left(3) ^ b ^ (i as u8);
        }
        out.copy_from_slice(&s);
        Ok(())
    }
}

/// The Mux generates the link MAC on every request and verifies every response: good ones are
/// delivered, a bad one fails its request with `BadMac` and gets the request reversed (the
/// reversal carries a MAC too); an unsolicited message with a bad MAC is `Event::BadMac`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mac_generated_on_send_and_verified_on_receive() {
    let (client, server) = pair().await;
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel::<(String, bool)>();
    tokio::spawn(async move {
        let (rd, wr) = server.into_split();
        let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
        let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
        let key = TestMac(0x5A);
        let wrong = TestMac(0x77);
        while let Some(Ok(f)) = rd.next().await {
            let v = mpay_iso8583::MessageView::unpack(SPEC, &f).unwrap();
            let mac_ok = v.verify_mac(&key).is_ok();
            let m = v.to_message();
            seen_tx.send((m.mti.as_str().to_string(), mac_ok)).unwrap();
            let stan: u32 = m.text(11).unwrap().parse().unwrap();
            let (mti, mac) = match m.mti.as_str() {
                "0100" if stan == 2 => ("0110", &wrong),
                "0100" => ("0110", &key),
                _ => ("0430", &key),
            };
            let mut r = Message::new(SPEC, mti.parse().unwrap());
            for n in [4, 11, 41] {
                r.set(n, m.get(n).unwrap().clone()).unwrap();
            }
            r.set(39, "00").unwrap();
            let mut buf = Vec::new();
            r.pack_with_mac(mac, &mut buf).unwrap();
            wr.send(&buf[..]).await.unwrap();
            if stan == 1 {
                // Unsolicited, badly MACed: a response nobody waits for.
                let mut u = Message::new(SPEC, "0110".parse().unwrap());
                u.set(11, "424242").unwrap();
                u.set(41, "TERM0001").unwrap();
                let mut buf = Vec::new();
                u.pack_with_mac(&wrong, &mut buf).unwrap();
                wr.send(&buf[..]).await.unwrap();
            }
        }
    });
    let cfg = MuxConfig {
        mac: Some(Arc::new(TestMac(0x5A))),
        reversal_retry: Duration::from_millis(500),
        ..MuxConfig::default()
    };
    let (mux, mut events) = Mux::start(client, SPEC, FRAMING, cfg);
    let good = mux.request(request(1)).await.unwrap();
    assert_eq!(good.text(11), Some("000001"));
    assert!(good.get(64).is_some(), "the response carries its MAC");
    match mux.request(request(2)).await {
        Err(MuxError::BadMac(resp)) => assert_eq!(resp.text(11), Some("000002")),
        other => panic!("a bad-MAC response must not be delivered: {other:?}"),
    }
    let mut reversed = false;
    let mut bad_mac_event = false;
    while !(reversed && bad_mac_event) {
        match tokio::time::timeout(Duration::from_secs(2), events.recv()).await {
            Ok(Some(Event::Reversed { stan, attempts: 1 })) => {
                assert_eq!(stan, "000002");
                reversed = true;
            }
            Ok(Some(Event::BadMac(m))) => {
                assert_eq!(m.text(11), Some("424242"));
                bad_mac_event = true;
            }
            other => panic!("{other:?}"),
        }
    }
    // The far end saw three messages, each with a valid MAC: 0100, 0100, 0420.
    let mut seen = Vec::new();
    while let Ok(s) = seen_rx.try_recv() {
        seen.push(s);
    }
    let expected: Vec<(String, bool)> = ["0100", "0100", "0420"]
        .iter()
        .map(|m| (m.to_string(), true))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(mux.saf_len(), 0);
}

/// When the link closes, requests in flight fail with `Closed` at once, their reversals come
/// back as `ReversalFailed`, later requests fail without waiting, and the reversals can be
/// stored and forwarded on the next link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_link_hands_back_reversals_for_store_and_forward() {
    let (client, server) = pair().await;
    let (got_tx, mut got_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        // Reads two requests, then dies without answering.
        let mut rd = FramedRead::new(server, FrameCodec(FRAMING));
        for _ in 0..2 {
            rd.next().await.unwrap().unwrap();
            got_tx.send(()).unwrap();
        }
    });
    let (mux, mut events) = Mux::start(client, SPEC, FRAMING, MuxConfig::default());
    let (a, b) = (mux.clone(), mux.clone());
    let ta = tokio::spawn(async move { a.request(request(11)).await });
    let tb = tokio::spawn(async move { b.request(request(12)).await });
    got_rx.recv().await.unwrap();
    got_rx.recv().await.unwrap();
    let t = Instant::now();
    assert!(matches!(ta.await.unwrap(), Err(MuxError::Closed)));
    assert!(matches!(tb.await.unwrap(), Err(MuxError::Closed)));
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "not after the 30 s timeout"
    );
    assert!(mux.is_closed());
    assert!(matches!(
        mux.request(request(13)).await,
        Err(MuxError::Closed)
    ));
    let mut reversals = Vec::new();
    while reversals.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(2), events.recv()).await {
            Ok(Some(Event::ReversalFailed { reversal })) => reversals.push(reversal),
            Ok(Some(Event::Closed(_))) => {}
            other => panic!("{other:?}"),
        }
    }
    // The next link takes them.
    let (client, server) = pair().await;
    far_end(server, |m| {
        assert_eq!(m.mti.as_str(), "0420");
        Some(respond(&m, "0430", "00"))
    });
    let (next, mut events) = Mux::start(client, SPEC, FRAMING, MuxConfig::default());
    for r in reversals {
        next.store_and_forward(r).unwrap();
    }
    let mut stans = Vec::new();
    while stans.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(2), events.recv()).await {
            Ok(Some(Event::Reversed { stan, .. })) => stans.push(stan),
            other => panic!("{other:?}"),
        }
    }
    stans.sort();
    assert_eq!(stans, ["000011", "000012"]);
    assert_eq!(next.saf_len(), 0);
}
