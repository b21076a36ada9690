//! The card side: [`Application`]s behind a [`Router`] that works like the AID routing table of
//! an NFC controller (Android HCE and secure elements), with ISO 7816-4 logical channels.
//!
//! # Rules
//!
//! * **Routes.** An application is reached by exact AIDs and by AID prefixes
//!   ([`Router::route_exact`], [`Router::route_prefix`]), each tagged with a [`Target`]
//!   (host card emulation or secure element). Optionally one application is the default route.
//! * **SELECT by DF name** (`xx A4 04 P2 Lc name`), the candidates for `name`, best first:
//!   1. exact routes equal to `name`;
//!   2. exact routes that `name` is a truncated form of (partial DF name, ISO 7816-4 §11.2.2),
//!      in registration order;
//!   3. prefix routes that `name` starts with, longest prefix first.
//!
//!   Among routes for the same AID (or the same prefix), the preferred [`Target`] wins
//!   ([`Router::prefer`], host by default, as Android's "HCE preferred"), then the earlier
//!   registration; the losers are shadowed. P2 b2 b1 picks the occurrence: `00` first, `01`
//!   last, `10` next, `11` previous (relative to the application selected on the channel).
//!   P2 b4 b3 = `11` (`0C`) strips the response data. Other P2 bits set: `6A86`.
//!   No candidate: the default route if there is one, else `6A82` (the current selection stays).
//!   The chosen application's [`Application::select`] decides: success or a warning (`62xx`,
//!   `63xx`) selects it, anything else leaves the channel with nothing selected.
//! * **Other commands** go to the application selected on the command's logical channel; with
//!   nothing selected, to the default route, else `6F00` (what Android answers before a SELECT).
//!   SELECT with P1 ≠ `04` (by file identifier, path, …) also goes to the selected application,
//!   so a Type 4 Tag can select its files.
//! * **MANAGE CHANNEL** (`0x 70`): open (P1 `00`; P2 `00` = the router assigns the lowest free
//!   channel and answers it, else the channel asked for) and close (P1 `80`; P2 the channel, or
//!   `00` for the command's own). A channel opened from channel 0 starts with nothing selected;
//!   from another channel, with that channel's application. Commands on a closed channel: `6881`.
//! * **Command chaining** (CLA b5): blocks are answered `9000` and joined (up to 65 535 bytes),
//!   the application sees one command. A block with another INS/P1/P2: `6883`.
//! * **Response length**: when an application answers more data than Ne (or 256 in a short
//!   command without Le), the router returns Ne bytes with `61xx` and serves the rest to GET
//!   RESPONSE on that channel; any other command drops what was left.
//! * Undecodable bytes: `6700`; class `FF` or RFU: `6E00`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::{ClassKind, Command, Error, Response, StatusWord, Transport, ins};

/// The code behind an AID: what an HCE service or an applet in a secure element does.
///
/// The router calls [`select`](Application::select) when a SELECT by name routes to the
/// application and [`process`](Application::process) for every other command on a channel where
/// it is selected. Status words are the application's answer: there is no error type here.
///
/// ```
/// use mpay_apdu::{Application, Command, Response, StatusWord};
/// struct Counter(u32);
/// impl Application for Counter {
///     fn process(&mut self, command: &Command<'_>) -> Response {
///         match command.ins() {
///             0xCA => {
///                 self.0 += 1;
///                 Response::ok(self.0.to_be_bytes().to_vec())
///             }
///             _ => StatusWord::INS_NOT_SUPPORTED.into(),
///         }
///     }
/// }
/// ```
pub trait Application {
    /// SELECT by DF name reached this application for `aid` (the full AID for a partial name, the
    /// name itself for a prefix route). Return the FCI with `9000` to accept (a warning such as
    /// `6283` also selects); anything else refuses. Default: accept with no data.
    fn select(&mut self, aid: &[u8], command: &Command<'_>) -> Response {
        let _ = (aid, command);
        Response::status(StatusWord::SUCCESS)
    }
    /// Processes one command (complete: chains already joined) on a channel where the
    /// application is selected. `command.channel()` tells which.
    fn process(&mut self, command: &Command<'_>) -> Response;
    /// The application stops being selected on `channel` (another SELECT, MANAGE CHANNEL close,
    /// reset). Default: nothing.
    fn deselect(&mut self, channel: u8) {
        let _ = channel;
    }
}

impl<A: Application + ?Sized> Application for Box<A> {
    fn select(&mut self, aid: &[u8], command: &Command<'_>) -> Response {
        (**self).select(aid, command)
    }
    fn process(&mut self, command: &Command<'_>) -> Response {
        (**self).process(command)
    }
    fn deselect(&mut self, channel: u8) {
        (**self).deselect(channel)
    }
}

/// Where an application runs, for the priority between routes for the same AID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Host card emulation: software on the phone's application processor.
    Host,
    /// An applet in a secure element (eSE, UICC).
    SecureElement,
}

/// The handle of an application registered in a [`Router`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Exact,
    Prefix,
}

struct Route {
    aid: Vec<u8>,
    kind: Match,
    target: Target,
    app: AppId,
}

#[derive(Default)]
struct Channel {
    open: bool,
    selected: Option<(AppId, Vec<u8>)>,
    /// Response data not yet fetched with GET RESPONSE, and the final status word.
    pending: Vec<u8>,
    pending_sw: Option<StatusWord>,
    /// Command chain being received: header and data so far.
    chain: Option<([u8; 3], Vec<u8>)>,
}

/// Most logical channels (ISO 7816-4: 0–19).
pub const MAX_CHANNELS: u8 = 20;

const MAX_CHAIN: usize = 65535;

/// An AID routing table and logical-channel state in front of [`Application`]s: a software
/// card. See the [module documentation](self) for the rules.
///
/// The router is a [`Transport`]: a terminal ([`Card`](crate::Card)) can talk to it in-process,
/// and the `pcsc` feature's vpcd bridge serves it to a real PC/SC stack.
///
/// ```
/// use mpay_apdu::{Application, Command, Response, Router, StatusWord, Target, Transport};
/// struct Fixed(&'static [u8]);
/// impl Application for Fixed {
///     fn select(&mut self, _aid: &[u8], _c: &Command<'_>) -> Response {
///         Response::ok(self.0.to_vec())
///     }
///     fn process(&mut self, _c: &Command<'_>) -> Response {
///         StatusWord::INS_NOT_SUPPORTED.into()
///     }
/// }
/// let mut router = Router::new();
/// router.add_prefix(&[0xA0, 0x00, 0x00, 0x00, 0x03], Target::SecureElement, Fixed(b"se"));
/// router.add_prefix(&[0xA0, 0x00, 0x00, 0x00, 0x03], Target::Host, Fixed(b"hce"));
/// // SELECT A0000000031010: both prefixes match; the host wins by default.
/// let r = router.transmit(&hex::decode("00A4040007A000000003101000").unwrap())?;
/// assert_eq!(r, b"hce\x90\x00");
/// // Unknown AID.
/// assert_eq!(router.transmit(&hex::decode("00A4040005F00000000100").unwrap())?, [0x6A, 0x82]);
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
pub struct Router {
    apps: Vec<Box<dyn Application + Send>>,
    routes: Vec<Route>,
    default: Option<AppId>,
    preferred: Target,
    channels: Vec<Channel>,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl core::fmt::Debug for Router {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Router")
            .field("apps", &self.apps.len())
            .field("routes", &self.routes.len())
            .field("default", &self.default)
            .field("preferred", &self.preferred)
            .field("channels", &self.channels.len())
            .finish()
    }
}

struct Candidate {
    app: AppId,
    aid: Vec<u8>,
}

impl Router {
    /// An empty router with all 20 logical channels available (only channel 0 open).
    pub fn new() -> Self {
        Router::with_channels(MAX_CHANNELS)
    }

    /// An empty router supporting `channels` logical channels (1–20; 1 = basic channel only,
    /// MANAGE CHANNEL then answers `6881`).
    pub fn with_channels(channels: u8) -> Self {
        let n = channels.clamp(1, MAX_CHANNELS) as usize;
        let mut chans: Vec<Channel> = (0..n).map(|_| Channel::default()).collect();
        chans[0].open = true;
        Router {
            apps: Vec::new(),
            routes: Vec::new(),
            default: None,
            preferred: Target::Host,
            channels: chans,
        }
    }

    /// Registers an application without routes (add them with [`Router::route_exact`] and
    /// [`Router::route_prefix`], or make it the default with [`Router::set_default`]).
    pub fn add(&mut self, app: impl Application + Send + 'static) -> AppId {
        self.apps.push(Box::new(app));
        AppId(self.apps.len() - 1)
    }

    /// Registers an application reached by one exact AID.
    pub fn add_exact(
        &mut self,
        aid: &[u8],
        target: Target,
        app: impl Application + Send + 'static,
    ) -> AppId {
        let id = self.add(app);
        self.route_exact(aid, target, id);
        id
    }

    /// Registers an application reached by every AID that starts with `prefix`.
    pub fn add_prefix(
        &mut self,
        prefix: &[u8],
        target: Target,
        app: impl Application + Send + 'static,
    ) -> AppId {
        let id = self.add(app);
        self.route_prefix(prefix, target, id);
        id
    }

    /// Routes an exact AID to a registered application.
    pub fn route_exact(&mut self, aid: &[u8], target: Target, app: AppId) {
        self.routes.push(Route {
            aid: aid.to_vec(),
            kind: Match::Exact,
            target,
            app,
        });
    }

    /// Routes every AID starting with `prefix` to a registered application.
    pub fn route_prefix(&mut self, prefix: &[u8], target: Target, app: AppId) {
        self.routes.push(Route {
            aid: prefix.to_vec(),
            kind: Match::Prefix,
            target,
            app,
        });
    }

    /// The application that gets SELECTs nothing else matches, and commands on a channel with
    /// nothing selected.
    pub fn set_default(&mut self, app: Option<AppId>) {
        self.default = app;
    }

    /// Which target wins when host and secure element both route the same AID or prefix.
    pub fn prefer(&mut self, target: Target) {
        self.preferred = target;
    }

    /// The application selected on `channel`, with the AID it was selected by.
    pub fn selected(&self, channel: u8) -> Option<(AppId, &[u8])> {
        self.channels
            .get(channel as usize)
            .and_then(|c| c.selected.as_ref())
            .map(|(id, aid)| (*id, aid.as_slice()))
    }

    /// Whether `channel` is open.
    pub fn is_open(&self, channel: u8) -> bool {
        self.channels.get(channel as usize).is_some_and(|c| c.open)
    }

    /// Power cycle: deselects every application, closes channels 1–19, drops pending data.
    pub fn reset(&mut self) {
        for ch in 0..self.channels.len() {
            self.deselect(ch as u8);
            let c = &mut self.channels[ch];
            *c = Channel::default();
        }
        self.channels[0].open = true;
    }

    /// Processes raw command bytes and returns the response (never an error: malformed input
    /// gets a status word, as from a card).
    pub fn process_bytes(&mut self, bytes: &[u8]) -> Response {
        match Command::parse(bytes) {
            Ok(cmd) => self.process(&cmd),
            Err(_) => StatusWord::WRONG_LENGTH.into(),
        }
    }

    /// Processes one command.
    pub fn process(&mut self, cmd: &Command<'_>) -> Response {
        let class = cmd.class();
        if matches!(class.kind(), ClassKind::Invalid | ClassKind::Reserved) {
            return StatusWord::CLA_NOT_SUPPORTED.into();
        }
        let Some(channel) = class.channel() else {
            return StatusWord::CLA_NOT_SUPPORTED.into();
        };
        let ch = channel as usize;
        if !self.is_open(channel) {
            return StatusWord::CHANNEL_NOT_SUPPORTED.into();
        }
        // GET RESPONSE for data left by the previous command.
        if cmd.ins() == ins::GET_RESPONSE && self.channels[ch].pending_sw.is_some() {
            return self.get_response(ch, cmd);
        }
        let c = &mut self.channels[ch];
        c.pending.clear();
        c.pending_sw = None;

        // Command chaining: collect, then hand over one command.
        let header = [cmd.ins(), cmd.p1(), cmd.p2()];
        if class.is_chained() {
            let (h, buf) = c.chain.get_or_insert_with(|| (header, Vec::new()));
            if *h != header {
                c.chain = None;
                return StatusWord::LAST_COMMAND_EXPECTED.into();
            }
            if buf.len() + cmd.nc() > MAX_CHAIN {
                c.chain = None;
                return StatusWord::WRONG_LENGTH.into();
            }
            buf.extend_from_slice(cmd.data());
            return StatusWord::SUCCESS.into();
        }
        if let Some((h, mut buf)) = c.chain.take() {
            if h != header {
                return StatusWord::LAST_COMMAND_EXPECTED.into();
            }
            if buf.len() + cmd.nc() > MAX_CHAIN {
                return StatusWord::WRONG_LENGTH.into();
            }
            buf.extend_from_slice(cmd.data());
            let whole = Command::new(cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2(), &buf, cmd.ne());
            return self.dispatch(ch, &whole);
        }
        self.dispatch(ch, cmd)
    }

    fn dispatch(&mut self, ch: usize, cmd: &Command<'_>) -> Response {
        let interindustry = !cmd.class().is_proprietary();
        let resp = if interindustry && cmd.ins() == ins::SELECT && cmd.p1() == 0x04 {
            self.select_by_name(ch, cmd)
        } else if interindustry && cmd.ins() == ins::MANAGE_CHANNEL {
            return self.manage_channel(ch, cmd);
        } else {
            match self.channels[ch]
                .selected
                .as_ref()
                .map(|s| s.0)
                .or(self.default)
            {
                Some(AppId(i)) => self.apps[i].process(cmd),
                None => StatusWord::UNKNOWN.into(),
            }
        };
        self.limit_response(ch, cmd, resp)
    }

    /// Cuts the response to Ne, keeping the rest for GET RESPONSE.
    fn limit_response(&mut self, ch: usize, cmd: &Command<'_>, mut resp: Response) -> Response {
        let limit = cmd.ne().unwrap_or(match cmd.form() {
            crate::LengthForm::Short => 256,
            crate::LengthForm::Extended => 65536,
        });
        if resp.data.len() <= limit {
            return resp;
        }
        let c = &mut self.channels[ch];
        c.pending = resp.data.split_off(limit);
        c.pending_sw = Some(resp.sw);
        resp.sw = more_data(c.pending.len());
        resp
    }

    fn get_response(&mut self, ch: usize, cmd: &Command<'_>) -> Response {
        if cmd.p1() != 0 || cmd.p2() != 0 {
            return StatusWord::INCORRECT_P1_P2.into();
        }
        let c = &mut self.channels[ch];
        let n = cmd.ne().unwrap_or(256).min(c.pending.len());
        let rest = c.pending.split_off(n);
        let data = core::mem::replace(&mut c.pending, rest);
        let sw = if c.pending.is_empty() {
            c.pending_sw.take().unwrap_or(StatusWord::SUCCESS)
        } else {
            more_data(c.pending.len())
        };
        Response::new(data, sw)
    }

    fn candidates(&self, name: &[u8]) -> Vec<Candidate> {
        // (rank, -prefix length, not preferred, registration order, route index)
        let mut keyed: Vec<((u8, usize, bool, usize), usize)> = Vec::new();
        for (i, r) in self.routes.iter().enumerate() {
            let not_pref = r.target != self.preferred;
            let key = match r.kind {
                Match::Exact if r.aid == name => (0, 0, not_pref, i),
                Match::Exact if !name.is_empty() && r.aid.starts_with(name) => (1, 0, not_pref, i),
                Match::Prefix if name.starts_with(&r.aid) => {
                    (2, usize::MAX - r.aid.len(), not_pref, i)
                }
                _ => continue,
            };
            keyed.push((key, i));
        }
        keyed.sort_unstable();
        let mut out: Vec<Candidate> = Vec::new();
        let mut seen_prefixes: Vec<&[u8]> = Vec::new();
        for (_, i) in keyed {
            let r = &self.routes[i];
            let aid = match r.kind {
                Match::Exact => r.aid.clone(),
                Match::Prefix => {
                    // The same prefix from two targets: only the winner.
                    if seen_prefixes.contains(&r.aid.as_slice()) {
                        continue;
                    }
                    seen_prefixes.push(&r.aid);
                    name.to_vec()
                }
            };
            // The same AID from several routes: only the first (best) one.
            if r.kind == Match::Exact && out.iter().any(|c| c.aid == aid) {
                continue;
            }
            out.push(Candidate { app: r.app, aid });
        }
        out
    }

    fn select_by_name(&mut self, ch: usize, cmd: &Command<'_>) -> Response {
        let p2 = cmd.p2();
        if p2 & 0xF0 != 0 {
            return StatusWord::INCORRECT_P1_P2.into();
        }
        let name = cmd.data();
        let cands = self.candidates(name);
        let current = self.channels[ch].selected.as_ref();
        let pos = current
            .and_then(|(app, aid)| cands.iter().position(|c| c.app == *app && c.aid == *aid));
        let pick = match p2 & 0x03 {
            0b00 => cands.first(),
            0b01 => cands.last(),
            0b10 => match pos {
                Some(p) => cands.get(p + 1),
                None => cands.first(),
            },
            _ => match pos {
                Some(0) => None,
                Some(p) => cands.get(p - 1),
                None => cands.last(),
            },
        };
        let (app, aid) = match pick {
            Some(c) => (c.app, c.aid.clone()),
            // No more occurrences, or no route at all (then the default route, if any).
            None => match self.default {
                Some(d) if cands.is_empty() => (d, name.to_vec()),
                _ => return StatusWord::NOT_FOUND.into(),
            },
        };
        self.deselect(ch as u8);
        let mut resp = self.apps[app.0].select(&aid, cmd);
        if resp.sw == StatusWord::SUCCESS || resp.sw.is_warning() {
            self.channels[ch].selected = Some((app, aid));
            if p2 & 0x0C == 0x0C {
                resp.data.clear();
            }
        }
        resp
    }

    fn deselect(&mut self, ch: u8) {
        if let Some((app, _)) = self
            .channels
            .get_mut(ch as usize)
            .and_then(|c| c.selected.take())
        {
            self.apps[app.0].deselect(ch);
        }
    }

    fn manage_channel(&mut self, ch: usize, cmd: &Command<'_>) -> Response {
        if self.channels.len() == 1 {
            return StatusWord::CHANNEL_NOT_SUPPORTED.into();
        }
        if cmd.nc() != 0 {
            return StatusWord::WRONG_LENGTH.into();
        }
        match (cmd.p1(), cmd.p2()) {
            (0x00, p2) => {
                let target = if p2 == 0 {
                    match self.channels.iter().skip(1).position(|c| !c.open) {
                        Some(i) => i + 1,
                        None => return StatusWord::FUNCTION_NOT_SUPPORTED.into(),
                    }
                } else {
                    let t = p2 as usize;
                    if t >= self.channels.len() {
                        return StatusWord::INCORRECT_P1_P2.into();
                    }
                    if self.channels[t].open {
                        return StatusWord::CONDITIONS_NOT_SATISFIED.into();
                    }
                    t
                };
                let inherited = if ch == 0 {
                    None
                } else {
                    self.channels[ch].selected.clone()
                };
                let c = &mut self.channels[target];
                *c = Channel::default();
                c.open = true;
                c.selected = inherited;
                if p2 == 0 {
                    Response::ok(alloc::vec![target as u8])
                } else {
                    StatusWord::SUCCESS.into()
                }
            }
            (0x80, p2) => {
                let target = if p2 == 0 { ch } else { p2 as usize };
                if target == 0 || target >= self.channels.len() {
                    return StatusWord::INCORRECT_P1_P2.into();
                }
                if !self.channels[target].open {
                    return StatusWord::CHANNEL_NOT_SUPPORTED.into();
                }
                self.deselect(target as u8);
                self.channels[target] = Channel::default();
                StatusWord::SUCCESS.into()
            }
            _ => StatusWord::INCORRECT_P1_P2.into(),
        }
    }
}

fn more_data(remaining: usize) -> StatusWord {
    StatusWord::new(0x61, if remaining >= 256 { 0 } else { remaining as u8 })
}

impl Transport for Router {
    /// Never fails: every input gets a status word.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self.process_bytes(command).into_bytes())
    }
}
