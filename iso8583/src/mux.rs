//! `Mux` (feature `tokio`): many requests in flight on one connection, responses matched by key
//! (jPOS QMUX): the MTI with its function mapped to the request's (0110 → 010, 0430 → 042, so an
//! 0410 never matches an 0110) plus fields 41 and 11 by default. Per-request timeout; a response
//! arriving after its request timed out is reported as [`Event::Late`], never delivered to
//! another request. Optional per-link MAC ([`MuxConfig::mac`]): generated on every message sent,
//! verified in constant time on every message received; a response whose MAC fails is never
//! delivered as valid. Optional 0800 echo after idle time, a sign-on message on connect, and
//! automatic reversal of timed-out authorization/financial requests through a store-and-forward
//! queue (first 0420 — or 0400 —, then repeats 0421/0401 until answered).
//!
//! One deadline task per connection keeps every request's and reversal's deadline (one FIFO per
//! timeout duration): when a request times out it writes the reversal straight to the
//! connection's writer, then fails the request, with no task in between.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::frame::Framing;
use crate::frame::codec::FrameCodec;
use crate::mac::Mac;
use crate::{Message, MessageView, Mti, Spec, Value};

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

/// A link's MAC: the caller's algorithm and key (see [`crate::mac::Mac`]).
pub type LinkMac = Arc<dyn Mac + Send + Sync>;

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
    /// The link's MAC, if messages on it carry one: every message sent gets it in the spec's
    /// MAC field (64, or 128 with a secondary bitmap) over the spec's MAB, and every message
    /// received is verified in constant time. A response whose MAC fails fails its request with
    /// [`MuxError::BadMac`] (and the request is reversed as on a timeout); any other message
    /// with a bad MAC is reported as [`Event::BadMac`], never as valid.
    pub mac: Option<LinkMac>,
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
            mac: None,
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
    /// A message whose MAC does not verify (not delivered; unverified content).
    BadMac(Message<'static>),
    /// A reversal was answered after `attempts` sends; `stan` of the original request.
    Reversed {
        /// STAN (field 11) of the reversed request.
        stan: String,
        /// Sends needed.
        attempts: u32,
    },
    /// A reversal got no answer after all attempts, or could not be sent because the
    /// connection closed: it stays the caller's to settle (e.g. [`Mux::store_and_forward`] on
    /// the next connection).
    ReversalFailed {
        /// The reversal message (last sent, or to send).
        reversal: Message<'static>,
    },
    /// A frame that does not unpack under the spec (content not included).
    Undecodable(crate::Error),
    /// The connection closed or failed (the last event of a link, after the reversals it hands
    /// back).
    Closed(String),
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum MuxError {
    /// No response within the timeout (a reversal was queued if configured).
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The response's MAC does not verify: it is attached unverified, and the request was
    /// reversed as on a timeout.
    #[error("the response's MAC does not verify")]
    BadMac(Box<Message<'static>>),
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

type Reply = oneshot::Sender<Result<Message<'static>, MuxError>>;

/// What waits for a response.
enum Waiter {
    /// A caller's request; `req` is kept when it would be reversed.
    Request {
        tx: Reply,
        req: Option<Message<'static>>,
        timeout: Duration,
    },
    /// A reversal of the store-and-forward queue, sent `attempt` times.
    Reversal {
        rev: Message<'static>,
        stan: String,
        attempt: u32,
    },
}

struct Pending {
    id: u64,
    waiter: Waiter,
}

#[derive(Default)]
struct State {
    pending: HashMap<Vec<u8>, Pending>,
    /// Deadlines; entries whose id no longer matches `pending` are stale and skipped.
    deadlines: Deadlines,
    next_id: u64,
}

/// A deadline: when, the waiter's id, its key.
type Deadline = (Instant, u64, Vec<u8>);

/// Most distinct timeouts kept in FIFOs; others go to the heap.
const FIFOS: usize = 4;

/// Deadlines, mostly in one FIFO per timeout duration: a link uses one or two durations
/// (requests, reversal retries), and deadlines of one duration, computed under the state lock,
/// never decrease — O(1) where a heap of every request of the last timeout would cost
/// O(log n). Other durations go to a heap.
#[derive(Default)]
struct Deadlines {
    fifos: Vec<(Duration, VecDeque<Deadline>)>,
    heap: BinaryHeap<Reverse<Deadline>>,
}

impl Deadlines {
    fn push(&mut self, timeout: Duration, d: Deadline) {
        if let Some((_, q)) = self.fifos.iter_mut().find(|(t, _)| *t == timeout) {
            q.push_back(d);
        } else if self.fifos.len() < FIFOS {
            self.fifos.push((timeout, VecDeque::from([d])));
        } else {
            self.heap.push(Reverse(d));
        }
    }

    fn earliest(&self) -> Option<Instant> {
        let fifo = self
            .fifos
            .iter()
            .filter_map(|(_, q)| q.front().map(|e| e.0));
        let heap = self.heap.peek().map(|Reverse(e)| e.0);
        fifo.chain(heap).min()
    }

    /// Removes and returns a deadline at or before `now`, if any.
    fn pop_expired(&mut self, now: Instant) -> Option<Deadline> {
        for (_, q) in &mut self.fifos {
            if q.front().is_some_and(|e| e.0 <= now) {
                return q.pop_front();
            }
        }
        if self.heap.peek().is_some_and(|Reverse(e)| e.0 <= now) {
            return self.heap.pop().map(|Reverse(e)| e);
        }
        None
    }

    fn clear(&mut self) {
        self.fifos.clear();
        self.heap.clear();
    }
}

struct Inner {
    spec: &'static Spec,
    cfg: MuxConfig,
    state: Mutex<State>,
    /// Wakes the deadline task when an earlier deadline arrives or the link closes.
    wake: Notify,
    closed: AtomicBool,
    out: mpsc::UnboundedSender<Vec<u8>>,
    events: mpsc::UnboundedSender<Event>,
    saf_len: AtomicUsize,
    epoch: Instant,
    /// Nanoseconds since `epoch` of the last traffic.
    last: AtomicU64,
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
    /// Starts the mux on `io` (spawns its reader, writer, deadline and echo tasks on the current
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
        let inner = Arc::new(Inner {
            spec,
            cfg,
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            closed: AtomicBool::new(false),
            out: out_tx,
            events: ev_tx,
            saf_len: AtomicUsize::new(0),
            epoch: Instant::now(),
            last: AtomicU64::new(0),
            stan: AtomicU32::new(1),
        });
        let mux = Mux { inner };

        let mut writer = FramedWrite::new(wr, FrameCodec(framing));
        tokio::spawn(async move {
            while let Some(frame) = out_rx.recv().await {
                if writer.feed(&frame[..]).await.is_err() {
                    break;
                }
                // Batch whatever is queued before flushing: one write for many frames.
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
            let why = loop {
                match reader.next().await {
                    Some(Ok(frame)) => m.on_frame(&frame),
                    Some(Err(e)) => break e.to_string(),
                    None => break "end of stream".into(),
                }
            };
            m.close(why);
        });

        let m = mux.clone();
        tokio::spawn(async move { m.deadlines().await });

        if let Some(idle) = mux.inner.cfg.echo_idle {
            let weak = Arc::downgrade(&mux.inner);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(idle).await;
                    let Some(inner) = weak.upgrade() else { break };
                    let m = Mux { inner };
                    if m.is_closed() {
                        break;
                    }
                    if m.idle() < idle {
                        continue;
                    }
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

    /// Whether the connection has closed (requests then fail at once with
    /// [`MuxError::Closed`]).
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// The matching key of a message: version, class and function with its low bit cleared
    /// (response → request), then the key fields.
    pub fn key(&self, m: &Message<'_>) -> Vec<u8> {
        let d = m.mti.digits();
        let mut k = Vec::with_capacity(32);
        k.extend_from_slice(&[d[0], d[1], b'0' + ((d[2] - b'0') & !1)]);
        for n in &self.inner.cfg.key {
            let v = value_bytes(m.get(*n));
            k.extend_from_slice(&(v.len() as u16).to_be_bytes());
            k.extend_from_slice(v);
        }
        k
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn touch(&self) {
        let t = self.inner.epoch.elapsed().as_nanos() as u64;
        self.inner.last.store(t, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_nanos(self.inner.last.load(Ordering::Relaxed));
        self.inner.epoch.elapsed().saturating_sub(last)
    }

    /// The message on the wire: packed, with the link's MAC when configured.
    fn wire(&self, m: &Message<'_>) -> Result<Vec<u8>, crate::Error> {
        match &self.inner.cfg.mac {
            Some(mac) => {
                let mut out = Vec::with_capacity(256);
                m.pack_with_mac(&**mac, &mut out)?;
                Ok(out)
            }
            None => m.pack(),
        }
    }

    fn on_frame(&self, frame: &[u8]) {
        self.touch();
        let view = match MessageView::unpack(self.inner.spec, frame) {
            Ok(v) => v,
            Err(e) => {
                let _ = self.inner.events.send(Event::Undecodable(e));
                return;
            }
        };
        let mac_ok = match &self.inner.cfg.mac {
            Some(mac) => view.verify_mac(&**mac).is_ok(),
            None => true,
        };
        let m = view.to_message_in(self.inner.spec);
        if m.mti.is_request() {
            let ev = if mac_ok {
                Event::Incoming(m)
            } else {
                Event::BadMac(m)
            };
            let _ = self.inner.events.send(ev);
            return;
        }
        let key = self.key(&m);
        let found = {
            let mut st = self.state();
            // A reversal's answer with a bad MAC leaves the reversal pending (it is repeated).
            let keep = !mac_ok
                && matches!(
                    st.pending.get(&key),
                    Some(Pending {
                        waiter: Waiter::Reversal { .. },
                        ..
                    })
                );
            if keep { None } else { st.pending.remove(&key) }
        };
        match found {
            Some(Pending {
                waiter: Waiter::Request { tx, req, .. },
                ..
            }) => {
                if mac_ok {
                    if let Err(Ok(m)) = tx.send(Ok(m)) {
                        // The caller gave up (dropped its future) after sending.
                        let _ = self.inner.events.send(Event::Late(m));
                    }
                } else {
                    let _ = tx.send(Err(MuxError::BadMac(Box::new(m))));
                    if let Some(req) = req {
                        self.reverse_request(&req);
                    }
                }
            }
            Some(Pending {
                waiter: Waiter::Reversal { stan, attempt, .. },
                ..
            }) => {
                self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
                let _ = self.inner.events.send(Event::Reversed {
                    stan,
                    attempts: attempt,
                });
            }
            None => {
                let ev = if mac_ok {
                    Event::Late(m)
                } else {
                    Event::BadMac(m)
                };
                let _ = self.inner.events.send(ev);
            }
        }
    }

    /// Registers `waiter` under `key` with a deadline, and sends `wire`.
    fn submit(
        &self,
        key: Vec<u8>,
        waiter: Waiter,
        wire: Vec<u8>,
        timeout: Duration,
    ) -> Result<(), MuxError> {
        if self.is_closed() {
            return Err(MuxError::Closed);
        }
        {
            let mut st = self.state();
            if st.pending.contains_key(&key) {
                return Err(MuxError::Duplicate);
            }
            st.next_id += 1;
            let id = st.next_id;
            let earliest = st.deadlines.earliest();
            let deadline = Instant::now() + timeout;
            st.deadlines.push(timeout, (deadline, id, key.clone()));
            st.pending.insert(key, Pending { id, waiter });
            if earliest.is_none_or(|e| deadline < e) {
                self.inner.wake.notify_one();
            }
        }
        if self.inner.out.send(wire).is_err() {
            return Err(MuxError::Closed);
        }
        self.touch();
        Ok(())
    }

    /// Sends a request and waits for its response with the default timeout.
    pub async fn request(&self, m: Message<'static>) -> Result<Message<'static>, MuxError> {
        let t = self.inner.cfg.timeout;
        self.request_timeout(m, t).await
    }

    /// Sends without waiting for a response (responses to it are reported as late).
    pub fn send(&self, m: &Message<'_>) -> Result<(), MuxError> {
        if self.is_closed() {
            return Err(MuxError::Closed);
        }
        let wire = self.wire(m)?;
        self.inner.out.send(wire).map_err(|_| MuxError::Closed)?;
        self.touch();
        Ok(())
    }

    fn reversible(&self, m: &Message<'_>) -> bool {
        self.inner.cfg.reversal != Reversal::Off
            && matches!(m.mti.class(), 1 | 2)
            && m.mti.function() == 0
    }

    /// Sends a request and waits at most `timeout` for its response. On timeout (or a response
    /// whose MAC fails), an x1xx or x2xx request is reversed through the store-and-forward
    /// queue (per the config). A request whose future is dropped while in flight is still
    /// reversed when its deadline passes unanswered.
    pub async fn request_timeout(
        &self,
        m: Message<'static>,
        timeout: Duration,
    ) -> Result<Message<'static>, MuxError> {
        let wire = self.wire(&m)?;
        let key = self.key(&m);
        let (tx, rx) = oneshot::channel();
        let req = self.reversible(&m).then_some(m);
        self.submit(key, Waiter::Request { tx, req, timeout }, wire, timeout)?;
        match rx.await {
            Ok(r) => r,
            Err(_) => Err(MuxError::Closed),
        }
    }

    /// Queues `reversal` (an 0400/0420 built by [`Mux::reversal_of`], or one this or another
    /// link reported in [`Event::ReversalFailed`]) for sending, repeated until answered.
    pub fn store_and_forward(&self, reversal: Message<'static>) -> Result<(), MuxError> {
        let stan = reversal
            .get(11)
            .and_then(|v| v.as_text().map(alloc::string::ToString::to_string))
            .unwrap_or_default();
        self.inner.saf_len.fetch_add(1, Ordering::Relaxed);
        self.send_reversal(reversal, stan, 1)
    }

    fn reverse_request(&self, req: &Message<'static>) {
        if let Some(rev) = self.reversal_of(req) {
            let _ = self.store_and_forward(rev);
        }
    }

    /// Sends attempt `attempt` of a reversal (repeats are 0401/0421) and waits for its answer.
    fn send_reversal(
        &self,
        mut rev: Message<'static>,
        stan: String,
        attempt: u32,
    ) -> Result<(), MuxError> {
        if attempt == 2 {
            let mut d = rev.mti.digits();
            d[3] = b'1';
            if let Ok(m) = Mti::new(d) {
                rev.mti = m;
            }
        }
        let failed = |rev: Message<'static>, e: MuxError| {
            self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
            let _ = self
                .inner
                .events
                .send(Event::ReversalFailed { reversal: rev });
            Err(e)
        };
        let wire = match self.wire(&rev) {
            Ok(w) => w,
            Err(e) => return failed(rev, e.into()),
        };
        let key = self.key(&rev);
        if self.is_closed() {
            return failed(rev, MuxError::Closed);
        }
        let retry = self.inner.cfg.reversal_retry;
        let waiter = Waiter::Reversal {
            rev: rev.clone(),
            stan,
            attempt,
        };
        match self.submit(key, waiter, wire, retry) {
            Ok(()) => Ok(()),
            Err(e) => failed(rev, e),
        }
    }

    /// The deadline task: sleeps until the earliest deadline, then fails expired requests
    /// (reversing them) and repeats or gives up expired reversals.
    async fn deadlines(&self) {
        loop {
            let next = self.state().deadlines.earliest();
            if self.is_closed() {
                return;
            }
            match next {
                None => self.inner.wake.notified().await,
                Some(d) if d > Instant::now() => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(d.into()) => {}
                        _ = self.inner.wake.notified() => {}
                    }
                }
                Some(_) => {}
            }
            let now = Instant::now();
            let mut expired = Vec::new();
            {
                let mut st = self.state();
                while let Some((_, id, key)) = st.deadlines.pop_expired(now) {
                    if st.pending.get(&key).is_some_and(|p| p.id == id)
                        && let Some(p) = st.pending.remove(&key)
                    {
                        expired.push(p.waiter);
                    }
                }
            }
            for w in expired {
                match w {
                    Waiter::Request { tx, req, timeout } => {
                        // The reversal goes out first: it is what the deadline is about.
                        if let Some(req) = req {
                            self.reverse_request(&req);
                        }
                        let _ = tx.send(Err(MuxError::Timeout(timeout)));
                    }
                    Waiter::Reversal { rev, stan, attempt } => {
                        if attempt < self.inner.cfg.reversal_attempts.max(1) {
                            let _ = self.send_reversal(rev, stan, attempt + 1);
                        } else {
                            self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
                            let _ = self
                                .inner
                                .events
                                .send(Event::ReversalFailed { reversal: rev });
                        }
                    }
                }
            }
        }
    }

    /// The link closed: requests in flight fail with [`MuxError::Closed`]; their reversals and
    /// the queued ones are handed back as [`Event::ReversalFailed`], then [`Event::Closed`] comes
    /// last.
    fn close(&self, why: String) {
        self.inner.closed.store(true, Ordering::Release);
        let pending: Vec<Pending> = {
            let mut st = self.state();
            st.deadlines.clear();
            st.pending.drain().map(|(_, p)| p).collect()
        };
        self.inner.wake.notify_one();
        for p in pending {
            let rev = match p.waiter {
                Waiter::Request { tx, req, .. } => {
                    let _ = tx.send(Err(MuxError::Closed));
                    req.and_then(|r| self.reversal_of(&r))
                }
                Waiter::Reversal { rev, .. } => {
                    self.inner.saf_len.fetch_sub(1, Ordering::Relaxed);
                    Some(rev)
                }
            };
            if let Some(reversal) = rev {
                let _ = self.inner.events.send(Event::ReversalFailed { reversal });
            }
        }
        let _ = self.inner.events.send(Event::Closed(why));
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
                // Same spec, values already checked when the request was built.
                rev.put(n, v.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_expire_in_time_order_across_fifos_and_heap() {
        let t0 = Instant::now();
        let mut d = Deadlines::default();
        let ms = Duration::from_millis;
        // Six durations: four FIFOs, the last two in the heap; pushed in submit order.
        let mut expected = Vec::new();
        for (i, timeout) in [50u64, 10, 30, 10, 70, 20, 60, 50, 5].iter().enumerate() {
            let at = t0 + ms(i as u64) + ms(*timeout);
            d.push(ms(*timeout), (at, i as u64, vec![i as u8]));
            expected.push((at, i as u64));
        }
        expected.sort();
        assert_eq!(d.earliest(), Some(expected[0].0));
        assert_eq!(d.pop_expired(t0), None);
        let mut got = Vec::new();
        let mut now = t0;
        while got.len() < expected.len() {
            now += ms(1);
            while let Some((at, id, _)) = d.pop_expired(now) {
                assert!(at <= now);
                got.push((at, id));
            }
        }
        got.sort();
        assert_eq!(got, expected);
        assert_eq!(d.earliest(), None);
    }
}
