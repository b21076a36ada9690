//! Transcripts: a [`Recorder`] transport that keeps (and optionally logs, masked) every exchange,
//! and a [`Replayer`] transport that plays a transcript back to a terminal under test.
//!
//! The text form ([`Transcript::to_text`], [`Transcript::parse`]) is one exchange per two lines,
//! `> command hex` then `< response hex`; `#` starts a comment. It holds the raw bytes: keep
//! it for test cards only. Logs use [`Transcript::display`] with a [`Mask`].

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use crate::{Command, Error, Transport, ins};

/// One command and the response it got.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Exchange {
    /// Command bytes as sent.
    pub command: Vec<u8>,
    /// Response bytes as received (data + SW1 SW2).
    pub response: Vec<u8>,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", DisplayExchange(self, Mask::Sensitive))
    }
}

/// How much of an exchange a log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mask {
    /// Everything (for test cards only).
    Nothing,
    /// Headers, lengths and status words; data fields shown except PIN-bearing commands
    /// (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, EMV PIN CHANGE/UNBLOCK), whose data
    /// is hidden, and runs of 12 or more BCD digits (PANs, track 2), of which only the first 6
    /// and last 4 digits are shown.
    #[default]
    Sensitive,
    /// Headers, lengths and status words only.
    AllData,
}

impl Mask {
    /// A data field as logs show it: the data of a command `cla ins`, or of the response to it
    /// (PIN-bearing commands hide both). Uppercase hex, masked digits as `*`; `<n bytes>` forms
    /// for what is hidden whole.
    ///
    /// ```
    /// use mpay_apdu::Mask;
    /// let pan = hex::decode("5A084761739001010010").unwrap();
    /// assert_eq!(Mask::Sensitive.data_hex(0x00, 0xB2, &pan), "5A084761********0010");
    /// assert_eq!(Mask::Sensitive.data_hex(0x00, 0x20, &[0x24, 0x12, 0x34]), "<3 bytes hidden>");
    /// assert_eq!(Mask::Nothing.data_hex(0x00, 0x20, &[0x24, 0x12, 0x34]), "241234");
    /// ```
    pub fn data_hex(self, cla: u8, ins: u8, data: &[u8]) -> String {
        let mut s = String::new();
        let _ = write_data(&mut s, data, self, is_pin_ins(cla, ins));
        s
    }
}

/// A list of exchanges.
///
/// ```
/// use mpay_apdu::{Mask, Transcript};
/// // READ RECORD answering a record with a PAN (tag 5A).
/// let t = Transcript::parse("> 00B2010C00\n< 700A5A084761739001010010 9000\n")?;
/// assert_eq!(t.len(), 1);
/// assert_eq!(
///     t.display(Mask::Sensitive).to_string(),
///     "> 00B2010C 00\n< 700A5A084761********0010 9000\n"
/// );
/// assert_eq!(t.display(Mask::AllData).to_string(), "> 00B2010C 00\n< <12 bytes> 9000\n");
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Transcript {
    exchanges: Vec<Exchange>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Transcript::default()
    }
    /// Appends an exchange.
    pub fn push(&mut self, command: &[u8], response: &[u8]) {
        self.exchanges.push(Exchange {
            command: command.to_vec(),
            response: response.to_vec(),
        });
    }
    /// The exchanges in order.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }
    /// Number of exchanges.
    pub fn len(&self) -> usize {
        self.exchanges.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.exchanges.is_empty()
    }

    /// The raw text form (unmasked).
    pub fn to_text(&self) -> String {
        self.display(Mask::Nothing).to_string()
    }

    /// Reads the text form: `> hex` / `< hex` line pairs, blank lines and `#` comments ignored,
    /// spaces inside hex allowed.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut t = Transcript::new();
        let mut pending: Option<Vec<u8>> = None;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (dir, rest) = line.split_at(1);
            let bytes = decode_hex(rest).ok_or(Error::TranscriptSyntax {
                line: line_no,
                reason: "not hex",
            })?;
            match (dir, pending.take()) {
                (">", None) => pending = Some(bytes),
                ("<", Some(cmd)) => t.exchanges.push(Exchange {
                    command: cmd,
                    response: bytes,
                }),
                (">", Some(_)) => {
                    return Err(Error::TranscriptSyntax {
                        line: line_no,
                        reason: "command without a response before it",
                    });
                }
                ("<", None) => {
                    return Err(Error::TranscriptSyntax {
                        line: line_no,
                        reason: "response without a command",
                    });
                }
                _ => {
                    return Err(Error::TranscriptSyntax {
                        line: line_no,
                        reason: "line must start with '>' or '<'",
                    });
                }
            }
        }
        if pending.is_some() {
            return Err(Error::TranscriptSyntax {
                line: text.lines().count(),
                reason: "last command has no response",
            });
        }
        Ok(t)
    }

    /// A `Display` of the transcript under `mask`.
    pub fn display(&self, mask: Mask) -> impl fmt::Display + '_ {
        DisplayTranscript(self, mask)
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(cleaned).ok()
}

struct DisplayTranscript<'a>(&'a Transcript, Mask);

impl fmt::Display for DisplayTranscript<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0.exchanges {
            writeln!(f, "{}", DisplayExchange(e, self.1))?;
        }
        Ok(())
    }
}

/// One exchange as two lines (no trailing newline).
struct DisplayExchange<'a>(&'a Exchange, Mask);

impl fmt::Display for DisplayExchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        f.write_str("> ")?;
        write_command(f, &e.command, self.1)?;
        f.write_str("\n< ")?;
        let pin_command = e.command.len() > 1 && is_pin_ins(e.command[0], e.command[1]);
        write_response(f, &e.response, self.1, pin_command)
    }
}

fn is_pin_ins(cla: u8, ins_byte: u8) -> bool {
    matches!(ins_byte, ins::VERIFY | 0x21 | 0x24 | 0x2C) || (cla & 0x80 != 0 && ins_byte == 0x24)
}

fn write_hex(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02X}")?;
    }
    Ok(())
}

/// Hex with runs of 12+ decimal digits masked to first 6 / last 4.
fn write_data(f: &mut impl fmt::Write, data: &[u8], mask: Mask, hide: bool) -> fmt::Result {
    match mask {
        Mask::Nothing => write_hex(f, data),
        Mask::AllData => write!(f, "<{} bytes>", data.len()),
        Mask::Sensitive if hide => write!(f, "<{} bytes hidden>", data.len()),
        Mask::Sensitive => {
            let mut h = String::with_capacity(data.len() * 2);
            write_hex(&mut h, data)?;
            let mut chars: Vec<char> = h.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if chars[i].is_ascii_digit() {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i - start >= 12 {
                        for c in &mut chars[start + 6..i - 4] {
                            *c = '*';
                        }
                    }
                } else {
                    i += 1;
                }
            }
            chars.into_iter().try_for_each(|c| f.write_char(c))
        }
    }
}

fn write_command(f: &mut impl fmt::Write, bytes: &[u8], mask: Mask) -> fmt::Result {
    if mask == Mask::Nothing {
        return write_hex(f, bytes);
    }
    match Command::parse(bytes) {
        Ok(c) => {
            let split = bytes.len()
                - c.nc()
                - if c.ne().is_some() {
                    match c.form() {
                        crate::LengthForm::Short => 1,
                        crate::LengthForm::Extended if c.nc() == 0 => 3,
                        crate::LengthForm::Extended => 2,
                    }
                } else {
                    0
                };
            let (head, rest) = bytes.split_at(split);
            let (data, le) = rest.split_at(c.nc());
            write_hex(f, head)?;
            if !data.is_empty() {
                f.write_char(' ')?;
                write_data(f, data, mask, is_pin_ins(c.cla(), c.ins()))?;
            }
            if !le.is_empty() {
                f.write_char(' ')?;
                write_hex(f, le)?;
            }
            Ok(())
        }
        Err(_) => {
            let head = &bytes[..bytes.len().min(4)];
            write_hex(f, head)?;
            if bytes.len() > 4 {
                write!(f, " <{} malformed bytes>", bytes.len() - 4)?;
            }
            Ok(())
        }
    }
}

fn write_response(f: &mut impl fmt::Write, bytes: &[u8], mask: Mask, pin: bool) -> fmt::Result {
    if mask == Mask::Nothing || bytes.len() < 2 {
        return write_hex(f, bytes);
    }
    let (data, sw) = bytes.split_at(bytes.len() - 2);
    if !data.is_empty() {
        write_data(f, data, mask, pin)?;
        f.write_char(' ')?;
    }
    write_hex(f, sw)
}

type LogSink = Box<dyn FnMut(&str) + Send>;

/// A transport that records every exchange of the transport it wraps, and optionally hands
/// each one, masked, to a log function.
///
/// ```
/// use mpay_apdu::{Mask, Recorder, Replayer, Router, Transport};
/// let mut rec = Recorder::new(Router::new());
/// rec.transmit(&[0x00, 0xA4, 0x04, 0x00, 0x02, 0xF0, 0x01])?;
/// let transcript = rec.into_transcript();
/// assert_eq!(transcript.to_text(), "> 00A4040002F001\n< 6A82\n");
/// // Later, a terminal under test talks to the replayer instead of the card.
/// let mut replay = Replayer::new(transcript);
/// assert_eq!(replay.transmit(&[0x00, 0xA4, 0x04, 0x00, 0x02, 0xF0, 0x01])?, [0x6A, 0x82]);
/// assert!(replay.is_finished());
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
pub struct Recorder<T> {
    inner: T,
    transcript: Transcript,
    log: Option<(Mask, LogSink)>,
}

impl<T: fmt::Debug> fmt::Debug for Recorder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("inner", &self.inner)
            .field("exchanges", &self.transcript.len())
            .finish()
    }
}

impl<T: Transport> Recorder<T> {
    /// Records the exchanges of `inner`.
    pub fn new(inner: T) -> Self {
        Recorder {
            inner,
            transcript: Transcript::new(),
            log: None,
        }
    }
    /// Also passes every exchange, masked with `mask`, to `sink` (two lines, no newline at the end).
    pub fn with_log(mut self, mask: Mask, sink: impl FnMut(&str) + Send + 'static) -> Self {
        self.log = Some((mask, Box::new(sink)));
        self
    }
    /// What was recorded so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }
    /// The transport below.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// The recording.
    pub fn into_transcript(self) -> Transcript {
        self.transcript
    }
}

impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        let response = self.inner.transmit(command)?;
        self.transcript.push(command, &response);
        if let Some((mask, sink)) = &mut self.log {
            let e = self.transcript.exchanges.last().expect("just pushed");
            let mut line = String::new();
            let _ = write!(line, "{}", DisplayExchange(e, *mask));
            sink(&line);
        }
        Ok(response)
    }
}

/// A transport that answers from a transcript, checking that each command is the recorded one.
#[derive(Debug, Clone)]
pub struct Replayer {
    transcript: Transcript,
    next: usize,
}

impl Replayer {
    /// Replays `transcript` from the start.
    pub fn new(transcript: Transcript) -> Self {
        Replayer {
            transcript,
            next: 0,
        }
    }
    /// Whether every exchange has been played.
    pub fn is_finished(&self) -> bool {
        self.next == self.transcript.len()
    }
    /// Exchanges played so far.
    pub fn position(&self) -> usize {
        self.next
    }
}

impl Transport for Replayer {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        let index = self.next;
        let Some(e) = self.transcript.exchanges.get(index) else {
            return Err(Error::ReplayExhausted { index });
        };
        if e.command != command {
            let mut detail = String::from("expected ");
            let _ = write_command(&mut detail, &e.command, Mask::Sensitive);
            detail.push_str(", got ");
            let _ = write_command(&mut detail, command, Mask::Sensitive);
            return Err(Error::ReplayMismatch { index, detail });
        }
        self.next += 1;
        Ok(e.response.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        let mut t = Transcript::new();
        // VERIFY with a plaintext PIN block: data hidden.
        t.push(
            &hex::decode("0020008008241234FFFFFFFFFF").unwrap(),
            &[0x63, 0xC2],
        );
        // READ RECORD answering a PAN and track 2.
        // READ RECORD answering a PAN (5A) and track 2 equivalent data (57).
        t.push(
            &hex::decode("00B2010C00").unwrap(),
            &hex::decode("70195A084761739001010010570D4761739001010010D22122019000").unwrap(),
        );
        let s = t.display(Mask::Sensitive).to_string();
        assert!(
            s.starts_with("> 0020008008 <8 bytes hidden>\n< 63C2\n"),
            "{s}"
        );
        assert!(!s.contains("739001"), "{s}");
        assert!(s.ends_with(" 9000\n"), "{s}");
        let all = t.display(Mask::AllData).to_string();
        assert!(all.contains("> 0020008008 <8 bytes>"), "{all}");
        let raw = t.display(Mask::Nothing).to_string();
        assert!(raw.contains("4761739001010010D2212201"), "{raw}");
        assert_eq!(Transcript::parse(&t.to_text()).unwrap(), t);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            Transcript::parse("< 9000"),
            Err(Error::TranscriptSyntax {
                line: 1,
                reason: "response without a command"
            })
        );
        assert!(matches!(
            Transcript::parse("> 00A4\n> 00"),
            Err(Error::TranscriptSyntax { line: 2, .. })
        ));
        assert!(matches!(
            Transcript::parse("> 0G"),
            Err(Error::TranscriptSyntax {
                line: 1,
                reason: "not hex"
            })
        ));
        assert!(matches!(
            Transcript::parse("x 00"),
            Err(Error::TranscriptSyntax { line: 1, .. })
        ));
        assert!(matches!(
            Transcript::parse("> 00A40400"),
            Err(Error::TranscriptSyntax {
                reason: "last command has no response",
                ..
            })
        ));
        let t = Transcript::parse("# card 1\n\n> 00 A4 04 00 # select\n< 90 00\n").unwrap();
        assert_eq!(t.exchanges()[0].command, [0x00, 0xA4, 0x04, 0x00]);
    }

    #[test]
    fn replay_mismatch_and_exhaustion() {
        let t = Transcript::parse("> 00B2010C00\n< 9000\n").unwrap();
        let mut r = Replayer::new(t);
        let e = r.transmit(&[0x00, 0xB2, 0x02, 0x0C, 0x00]).unwrap_err();
        assert_eq!(
            e,
            Error::ReplayMismatch {
                index: 0,
                detail: "expected 00B2010C 00, got 00B2020C 00".to_string()
            }
        );
        assert_eq!(
            r.transmit(&[0x00, 0xB2, 0x01, 0x0C, 0x00]).unwrap(),
            [0x90, 0x00]
        );
        assert_eq!(
            r.transmit(&[0x00, 0xB2, 0x01, 0x0C, 0x00]),
            Err(Error::ReplayExhausted { index: 1 })
        );
    }
}
