//! `Mux` (feature `tokio`): many requests in flight on one connection, responses matched by key
//! (jPOS QMUX): the MTI with its function mapped to the request's (0110 → 010, 0430 → 042, so an
//! 0410 never matches an 0110) plus fields 41 and 11 by default. Per-request timeout; a response
//! arriving after its request timed out is reported as [`Event::Late`], never delivered to
//! another request. Optional 0800 echo after idle time, a sign-on message on connect, and
//! automatic reversal of timed-out authorization/financial requests through a store-and-forward
//! queue (first 0420 — or 0400 —, then repeats 0421/0401 until answered).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::frame::Framing;
use crate::frame::codec::FrameCodec;
use crate::{Message, Mti, Spec, Value};

/// How timed-out requests are reversed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reversal {
    /// No automatic reversal.
    Off,
    /// 0400 reversal request, repeats 0401.
    Request,
    /// 0420 reversal advice, repeats 0421 (the usual store-and-forward form).
    Advice,
}

/// Builds the 0800 echo test sent after idle time, from a fresh STAN.
pub type EchoBuilder = Arc<dyn Fn(u32) -> Option<Message<'static>> + Send + Sync>;

/// Mux settings.
#[derive(Clone)]
pub struct MuxConfig {
    /// Default per-request timeout.
    pub timeout: Duration,
    /// Fields of the matching key after the mapped MTI (default 41, 11).
    pub key: Vec<u16>,
    /// Automatic reversal of timed-out x1xx/x2xx requests.
    pub reversal: Reversal,
    /// How long a reversal waits for its answer before being repeated.
    pub reversal_retry: Duration,
    /// Attempts per reversal before [`Event::ReversalFailed`].
    pub reversal_attempts: u32,
    /// Send an echo after this much time without traffic.
    pub echo_idle: Option<Duration>,
    /// The echo message (default: 0800 with field 11 and 70 = 301).
    pub echo: EchoBuilder,
}

impl Default for MuxConfig {
    fn default() -> Self {
        MuxConfig {
            timeout: Duration::from_secs(30),
            key: vec![41, 11],
            reversal: Reversal::Advice,
            reversal_retry: Duration::from_secs(10),
            reversal_attempts: 3,
            echo_idle: None,
            echo: Arc::new(|_| None),
        }
    }
}

/// An echo builder for the ISO 8583:1987 specs: 0800 with 11 = STAN and 70 = 301.
pub fn iso87_echo(spec: &'static Spec) -> EchoBuilder {
    Arc::new(move |stan| {
        let mut m = Message::new(spec, Mti::new(*b"0800").ok()?);
        m.set(11, alloc::format!("{:06}", stan % 1_000_000)).ok()?;
        m.set(70, "301").ok()?;
        Some(m)
    })
}

/// What the mux reports besides request results.
#[derive(Debug)]
pub enum Event {
    /// A response that matched no pending request (late, or unknown).
    Late(Message<'static>),
    /// A request from the other side (not answered by the mux).
    Incoming(Message<'static>),
    /// A reversal was answered after `attempts` sends; `stan` of the original request.
    Reversed {
        /// STAN (field 11) of the reversed request.
        stan: String,
        /// Sends needed.
        attempts: u32,
    },
    /// A reversal got no answer after all attempts (stays the caller's to settle).
    ReversalFailed {
        /// The reversal message last sent.
        reversal: Message<'static>,
    },
    /// A frame that does not unpack under the spec (content not included).
    Undecodable(crate::Error),
    /// The connection closed or failed.
    Closed(String),
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum MuxError {
    /// No response within the timeout (a reversal was queued if configured).
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// A request with the same key is already in flight.
    #[error("a request with the same matching key is already in flight")]
    Duplicate,
    /// The connection is closed.
    #[error("connection closed")]
    Closed,
    /// The request does not pack.
    #[error("request does not pack: {0}")]
    Pack(#[from] crate::Error),
}

struct Inner {
    spec: &'static Spec,
    cfg: MuxConfig,
    pending: Mutex<HashMap<Vec<u8>, oneshot::Sender<Message<'static>>>>,
    out: mpsc::UnboundedSender<Vec<u8>>,
    events: mpsc::UnboundedSender<Event>,
    saf: mpsc::UnboundedSender<Message<'static>>,
    saf_len: AtomicUsize,
    last: Mutex<Instant>,
    stan: AtomicU32,
}

/// A request/response multiplexer over one connection.
#[derive(Clone)]
pub struct Mux {
    inner: Arc<Inner>,
}

fn value_bytes(v: Option<&Value>) -> &[u8] {
    match v {
        Some(Value::Text(s)) => s.as_bytes(),
        Some(Value::Bytes(b)) => b,
        _ => &[],
    }
}

impl Mux {
    /// Starts the mux on `io` (spawns its reader, writer, reversal and echo tasks on the current
    /// tokio runtime). Events arrive on the returned receiver.
    pub fn start<T>(
        io: T,
        spec: &'static Spec,
        framing: Framing,
        cfg: MuxConfig,
    ) -> (Mux, mpsc::UnboundedReceiver<Event>)
    where
        T: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (rd, wr) = tokio::io::split(io);
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let (saf_tx, mut saf_rx) = mpsc::unbounded_channel::<Message<'static>>();
        let inner = Arc::new(Inner {
            spec,
            cfg,
            pending: Mutex::new(HashMap::new()),
            out: out_tx,
            events: ev_tx,
            saf: saf_tx,
            saf_len: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
            stan: AtomicU32::new(1),
        });
        let mux = Mux { inner };

        let mut writer = FramedWrite::new(wr, FrameCodec(framing));
        tokio::spawn(async move {
            while let Some(frame) = out_rx.recv().await {
                if writer.feed(&frame[..]).await.is_err() {
                    break;
                }
                // Batch whatever is queued before flushing.
                while let Ok(more) = out_rx.try_recv() {
                    if writer.feed(&more[..]).await.is_err() {
                        return;
                    }
                }
                if writer.flush().await.is_err() {
                    break;
                }
            }
        });

        let m = mux.clone();
        tokio::spawn(async move {
            let mut reader = FramedRead::new(rd, FrameCodec(framing));
            loop {
                match reader.next().await {
                    Some(Ok(frame)) => m.on_frame(&frame),
                    Some(Err(e)) => {
                        let _ = m.inner.events.send(Event::Closed(e.to_string()));
                        break;
                    }
                    None => {
                        let _ = m.inner.events.send(Event::Closed("end of stream".into()));
                        break;
                    }
                }
            }
            m.inner
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
        });

        let m = mux.clone();
        tokio::spawn(async move {
            while let Some(rev) = saf_rx.recv().await {
                let m2 = m.clone();
                tokio::spawn(async move { m2.run_reversal(rev).await });
            }
        });

        if let Some(idle) = mux.inner.cfg.echo_idle {
            let weak = Arc::downgrade(&mux.inner);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(idle).await;
                    let Some(inner) = weak.upgrade() else { break };
                    let since = inner.last.lock().map(|t| t.elapsed()).unwrap_or_default();
                    if since < idle {
                        continue;
                    }
                    let m = Mux { inner };
                    let stan = m.next_stan();
                    if let Some(echo) = (m.inner.cfg.echo)(stan) {
                        let t = m.inner.cfg.timeout;
                        if let Err(MuxError::Closed) = m.request_timeout(echo, t).await {
                            break;
                        }
                    }
                }
            });
        }
        (mux, ev_rx)
    }

    /// A fresh STAN (1..=999999, wrapping).
    pub fn next_stan(&self) -> u32 {
        self.inner.stan.fetch_add(1, Ordering::Relaxed) % 999_999 + 1
    }

    /// Reversals waiting for their answer.
    pub fn saf_len(&self) -> usize {
        self.inner.saf_len.load(Ordering::Relaxed)
    }

    /// The matching key of a message: version, class and function with its low bit cleared
    /// (response → request), then the key fields.
    pub fn key(&self, m: &Message<'_>) -> Vec<u8> {
        let d = m.mti.digits();
        let mut k = vec![d[0], d[1], b'0' + ((d[2] - b'0') & !1)];
        for n in &self.inner.cfg.key {
            let v = value_bytes(m.get(*n));
            k.extend_from_slice(&(v.len() as u16).to_be_bytes());
            k.extend_from_slice(v);
        }
        k
    }

    fn touch(&self) {
        if let Ok(mut t) = self.inner.last.lock() {
            *t = Instant::now();
        }
    }

    fn on_frame(&self, frame: &[u8]) {
        self.touch();
        let m = match Message::unpack(self.inner.spec, frame) {
            Ok(m) => m,
            Err(e) => {
                let _ = self.inner.events.send(Event::Undecodable(e));
                return;
            }
        };
        if m.mti.is_request() {
            let _ = self.inner.events.send(Event::Incoming(m));
            return;
        }
        let key = self.key(&m);
        let waiter = self
            .inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        match waiter {
            Some(tx) => {
                if let Err(m) = tx.send(m) {
                    // The request gave up between the lookup and now.
                    let _ = self.inner.events.send(Event::Late(m));
                }
            }
            None => {
                let _ = self.inner.events.send(Event::Late(m));
            }
        }
    }

    /// Sends a request and waits for its response with the default timeout.
    pub async fn request(&self, m: Message<'static>) -> Result<Message<'static>, MuxError> {
        let t = self.inner.cfg.timeout;
        self.request_timeout(m, t).await
    }

    /// Sends without waiting for a response (responses to it are reported as late).
    pub fn send(&self, m: &Message<'_>) -> Result<(), MuxError> {
        let wire = m.pack()?;
        self.inner.out.send(wire).map_err(|_| MuxError::Closed)?;
        self.touch();
        Ok(())
    }

    /// Sends a request and waits at most `timeout` for its response. On timeout, an x1xx or
    /// x2xx request is reversed through the store-and-forward queue (per the config).
    pub async fn request_timeout(
        &self,
        m: Message<'static>,
        timeout: Duration,
    ) -> Result<Message<'static>, MuxError> {
        let wire = m.pack()?;
        let key = self.key(&m);
        let (tx, rx) = oneshot::channel();
        {
            let mut p = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
            if p.contains_key(&key) {
                return Err(MuxError::Duplicate);
            }
            p.insert(key.clone(), tx);
        }
        if self.inner.out.send(wire).is_err() {
            self.forget(&key);
            return Err(MuxError::Closed);
        }
        self.touch();
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(_)) => Err(MuxError::Closed),
            Err(_) => {
                self.forget(&key);
                if self.inner.cfg.reversal != Reversal::Off
                    && matches!(m.mti.class(), 1 | 2)
                    && m.mti.function() == 0
                    && let Some(rev) = self.reversal_of(&m)
                {
                    self.inner.saf_len.fetch_add(1, Ordering::Relaxed);
                    let _ = self.inner.saf.send(rev);
                }
                Err(MuxError::Timeout(timeout))
            }
        }
    }

    fn forget(&self, key: &[u8]) {
        self.inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// The reversal of a request: 0400 or 0420 with the request's identifying fields, and
    /// field 90 (original data elements) when the spec defines it.
    pub fn reversal_of(&self, req: &Message<'static>) -> Option<Message<'static>> {
        let mti = match self.inner.cfg.reversal {
            Reversal::Request => *b"0400",
            _ => *b"0420",
        };
        let mut d = mti;
        d[0] = req.mti.digits()[0];
        let mut rev = Message::new(self.inner.spec, Mti::new(d).ok()?);
        rev.header = req.header.clone();
        for n in [
            2, 3, 4, 7, 11, 12, 13, 14, 18, 22, 23, 25, 32, 35, 37, 41, 42, 43, 49,
        ] {
            if let Some(v) = req.get(n) {
                rev.set(n, v.clone()).ok()?;
            }
        }
        if let Some(f90) = self.inner.spec.field(90)
            && f90.length == 42
        {
            let text = |n: u16| {
                req.get(n)
                    .and_then(|v| v.as_text().map(alloc::string::ToString::to_string))
                    .unwrap_or_default()
            };
            let orig = alloc::format!(
                "{}{:0>6}{:0>10}{:0>11}{:0>11}",
                req.mti,
                text(11),
                text(7),
                text(32),
                text(33)
            );
            let _ = rev.set(90, orig);
        }
        Some(rev)
    }

    async fn run_reversal(&self, mut rev: Message<'static>) {
        let stan = rev
            .get(11)
            .and_then(|v| v.as_text().map(alloc::string::ToString::to_string))
            .unwrap_or_default();
        let attempts = self.inner.cfg.reversal_attempts.max(1);
        for attempt in 1..=attempts {
            if attempt == 2 {
                // Repeats: 0401 / 0421.
                let mut d = rev.mti.digits();
                d[3] = b'1';
                if let Ok(m) = Mti::new(d) {
                    rev.mti = m;
                }
            }
            // Reversals are class 4: request_timeout never reverses them again.
            match self
                .request_timeout(rev.clone(), self.inner.cfg.reversal_retry)
                .await
            {
                Ok(_) => {
                    self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
                    let _ = self.inner.events.send(Event::Reversed {
                        stan,
                        attempts: attempt,
                    });
                    return;
                }
                Err(MuxError::Closed) => break,
                Err(_) => continue,
            }
        }
        self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
        let _ = self
            .inner
            .events
            .send(Event::ReversalFailed { reversal: rev });
    }

    /// Starts the mux and signs on: `sign_on` (e.g. 0800 with 70 = 001, or the UnionPay 0800
    /// with 60.3 = 001) is sent first and must be answered with field 39 = `00`.
    pub async fn start_signed_on<T>(
        io: T,
        spec: &'static Spec,
        framing: Framing,
        cfg: MuxConfig,
        sign_on: Message<'static>,
    ) -> Result<(Mux, mpsc::UnboundedReceiver<Event>), SignOnError>
    where
        T: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (mux, events) = Mux::start(io, spec, framing, cfg);
        let resp = mux.request(sign_on).await.map_err(SignOnError::Request)?;
        match resp.text(39) {
            Some("00") => Ok((mux, events)),
            other => Err(SignOnError::Refused(other.unwrap_or("").into())),
        }
    }
}

/// Why signing on failed.
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    /// The sign-on got no response.
    #[error("sign-on: {0}")]
    Request(MuxError),
    /// The response code (field 39) was not `00`.
    #[error("sign-on refused with response code {0:?}")]
    Refused(String),
}
