//! A virtual card for `vpcd` (vsmartcard's virtual reader driver for `pcscd`): serves a
//! [`Router`] to the real PC/SC stack over a local socket, so PC/SC clients (including this
//! crate's `pcsc` transport, `opensc-tool`, `scriptor`) talk to a software card.
//!
//! The protocol (vsmartcard's "Creating a virtual smart card"): the card connects to the reader
//! driver (`127.0.0.1:35963` for reader "Virtual PCD 00 00", `35964` for "… 00 01"). Each message
//! is a 2-byte big-endian length followed by that many bytes. A one-byte message is a control:
//! `00` power off, `01` power on, `02` reset (no answer to any of the three), `04` get ATR
//! (answered with the ATR). Any other message is a command APDU, answered with the response APDU.
//!
//! ```no_run
//! use mpay_apdu::{Router, vpcd::VirtualCard};
//! let stream = std::net::TcpStream::connect(mpay_apdu::vpcd::DEFAULT_ADDR)?;
//! let stop = stream.try_clone()?;
//! let server = std::thread::spawn(move || VirtualCard::new(Router::new()).serve(stream));
//! // … PC/SC clients use reader "Virtual PCD 00 00" …
//! stop.shutdown(std::net::Shutdown::Write)?; // vpcd closes its end, `serve` returns

//! server.join().unwrap()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::vec::Vec;

use crate::{Error, Router, StatusWord, Transport};

/// Where vpcd listens for the card of its first reader ("Virtual PCD 00 00").
pub const DEFAULT_ADDR: &str = "127.0.0.1:35963";

/// The default ATR: `3B 80 80 01 01`, a card offering T=1 only, no historical bytes (the ATR
/// PC/SC readers build for contactless ISO 14443-4 cards without historical bytes).
pub const DEFAULT_ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

const CTRL_OFF: u8 = 0;
const CTRL_ON: u8 = 1;
const CTRL_RESET: u8 = 2;
const CTRL_ATR: u8 = 4;

/// A software card for vpcd: the router, its ATR and the power state.
#[derive(Debug)]
pub struct VirtualCard {
    router: Router,
    atr: Vec<u8>,
    powered: bool,
}

impl VirtualCard {
    /// A card answering with `router` and the [`DEFAULT_ATR`].
    pub fn new(router: Router) -> Self {
        VirtualCard {
            router,
            atr: DEFAULT_ATR.to_vec(),
            powered: false,
        }
    }
    /// Another ATR.
    pub fn with_atr(mut self, atr: &[u8]) -> Self {
        self.atr = atr.to_vec();
        self
    }
    /// Whether the reader has powered the card.
    pub fn is_powered(&self) -> bool {
        self.powered
    }
    /// The router (to inspect state after a session).
    pub fn router(&self) -> &Router {
        &self.router
    }
    /// Gives the router back.
    pub fn into_router(self) -> Router {
        self.router
    }

    /// One protocol step: the answer to one message from vpcd, `None` when none is due.
    /// Power off, power on and reset reset the router (deselect, close channels).
    ///
    /// ```
    /// use mpay_apdu::{Router, vpcd::{VirtualCard, DEFAULT_ATR}};
    /// let mut card = VirtualCard::new(Router::new());
    /// assert_eq!(card.handle(&[1]), None); // power on
    /// assert_eq!(card.handle(&[4]), Some(DEFAULT_ATR.to_vec()));
    /// assert_eq!(card.handle(&[0x00, 0xA4, 0x04, 0x00, 0x01, 0xAA]), Some(vec![0x6A, 0x82]));
    /// ```
    pub fn handle(&mut self, message: &[u8]) -> Option<Vec<u8>> {
        match message {
            [CTRL_OFF] => {
                self.router.reset();
                self.powered = false;
                None
            }
            [CTRL_ON] | [CTRL_RESET] => {
                self.router.reset();
                self.powered = true;
                None
            }
            [CTRL_ATR] => Some(self.atr.clone()),
            apdu => {
                let mut r = self
                    .router
                    .transmit(apdu)
                    .unwrap_or_else(|_| StatusWord::UNKNOWN.to_bytes().to_vec());
                if r.len() > u16::MAX as usize {
                    // 65 536 data bytes + SW do not fit the 2-byte frame length.
                    r = StatusWord::UNKNOWN.to_bytes().to_vec();
                }
                Some(r)
            }
        }
    }

    /// Serves vpcd on `stream` until vpcd closes the connection (`Ok`), or a frame is cut
    /// short or I/O fails (`Err`).
    pub fn serve<S: Read + Write>(&mut self, stream: S) -> Result<(), Error> {
        self.serve_until(stream, &AtomicBool::new(false))
    }

    /// Like [`serve`](Self::serve), and also returns `Ok` once `stop` is set. Give the stream a
    /// read timeout (`TcpStream::set_read_timeout`) so that `stop` is looked at while vpcd is
    /// quiet.
    pub fn serve_until<S: Read + Write>(
        &mut self,
        mut stream: S,
        stop: &AtomicBool,
    ) -> Result<(), Error> {
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            // A whole frame in `buf`? Answer it.
            if buf.len() >= 2 {
                let n = u16::from_be_bytes([buf[0], buf[1]]) as usize;
                if buf.len() >= 2 + n {
                    let answer = self.handle(&buf[2..2 + n]);
                    buf.drain(..2 + n);
                    if let Some(answer) = answer {
                        let mut frame = Vec::with_capacity(answer.len() + 2);
                        frame.extend_from_slice(&(answer.len() as u16).to_be_bytes());
                        frame.extend_from_slice(&answer);
                        match stream.write_all(&frame).and_then(|()| stream.flush()) {
                            Ok(()) => {}
                            Err(e) if gone(&e) => return Ok(()),
                            Err(e) => return Err(io_error("writing to vpcd", e)),
                        }
                    }
                    continue;
                }
            }
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            match stream.read(&mut chunk) {
                Ok(0) if buf.is_empty() => return Ok(()),
                Ok(0) => {
                    return Err(Error::Transport(std::format!(
                        "vpcd: connection closed inside a frame ({} bytes pending)",
                        buf.len()
                    )));
                }
                Ok(k) => buf.extend_from_slice(&chunk[..k]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) if gone(&e) => return Ok(()),
                Err(e) => return Err(io_error("reading from vpcd", e)),
            }
        }
    }
}

/// The peer went away: the end of a session, not a failure.
fn gone(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::NotConnected
    )
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::Transport(std::format!("vpcd: {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Application, Command, Response, Target};
    use std::io::Cursor;

    struct Echo;
    impl Application for Echo {
        fn process(&mut self, c: &Command<'_>) -> Response {
            Response::ok(c.data().to_vec())
        }
    }

    /// A scripted stream: reads come from `input`, writes go to `output`.
    struct Pipe {
        input: Cursor<Vec<u8>>,
        output: Vec<u8>,
    }
    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn frame(b: &[u8]) -> Vec<u8> {
        let mut v = (b.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(b);
        v
    }

    #[test]
    fn a_session() {
        let mut router = Router::new();
        router.add_exact(&[0xF0, 1, 2, 3, 4], Target::Host, Echo);
        let mut input = Vec::new();
        for m in [
            &[1u8][..],
            &[4],
            &[0x00, 0xA4, 0x04, 0x00, 0x05, 0xF0, 1, 2, 3, 4],
            &[0x00, 0xDA, 0x00, 0x00, 0x02, 0xAB, 0xCD],
            &[2],
            &[0x00, 0xDA, 0x00, 0x00, 0x02, 0xAB, 0xCD],
            &[0],
        ] {
            input.extend_from_slice(&frame(m));
        }
        let mut pipe = Pipe {
            input: Cursor::new(input),
            output: Vec::new(),
        };
        let mut card = VirtualCard::new(router);
        card.serve(&mut pipe).unwrap();
        let mut want = Vec::new();
        for m in [
            &DEFAULT_ATR[..],
            &[0x90, 0x00],
            &[0xAB, 0xCD, 0x90, 0x00],
            // After the reset nothing is selected.
            &[0x6F, 0x00],
        ] {
            want.extend_from_slice(&frame(m));
        }
        assert_eq!(pipe.output, want);
        assert!(!card.is_powered());
    }

    #[test]
    fn truncated_frame_is_an_error() {
        let mut pipe = Pipe {
            input: Cursor::new(vec![0x00, 0x05, 0x00, 0xA4]),
            output: Vec::new(),
        };
        let e = VirtualCard::new(Router::new())
            .serve(&mut pipe)
            .unwrap_err();
        assert!(matches!(e, Error::Transport(_)), "{e}");
    }

    #[test]
    fn oversized_answers_are_replaced() {
        struct Big;
        impl Application for Big {
            fn process(&mut self, _c: &Command<'_>) -> Response {
                Response::ok(vec![0; 65536])
            }
        }
        let mut router = Router::new();
        let id = router.add(Big);
        router.set_default(Some(id));
        let mut card = VirtualCard::new(router);
        // Extended Le 0000 = 65536: 65538 bytes do not fit a frame.
        assert_eq!(
            card.handle(&[0, 0xB0, 0, 0, 0, 0, 0]),
            Some(vec![0x6F, 0x00])
        );
    }
}
