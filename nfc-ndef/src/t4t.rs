//! The NFC Forum Type 4 Tag over ISO 7816-4 APDUs (feature `t4t`): a [`Reader`] over any
//! `mpay_apdu::Transport` and a [`TagEmulator`] that is an `mpay_apdu::Application`, so the
//! two can run against each other through `mpay_apdu::Router`.
//!
//! Commands (short APDUs only):
//!
//! | step | APDU |
//! |---|---|
//! | SELECT NDEF Tag Application | `00 A4 04 00 07 D2760000850101` |
//! | SELECT CC / NDEF file | `00 A4 00 0C 02 E103` / `… 02 <file id>` |
//! | READ BINARY | `00 B0 <offset> <Le ≤ MLe>`; offsets above 7FFF: `00 B1 00 00 05 54 03 <offset> <Le>` (answer `53 L data`) |
//! | UPDATE BINARY | `00 D6 <offset> <Lc ≤ MLc> <data>`; offsets above 7FFF: `00 D7 00 00 Lc 54 03 <offset> 53 L <data>` |
//!
//! Before the CC is read the reader assumes MLe = 15 (as nfcpy does). Writing follows the
//! NFC Forum procedure: (E)NLEN = 0 first, then the message, then the real (E)NLEN.
//!
//! ```
//! use mpay_apdu::{Router, Target};
//! use mpay_nfc_ndef::{cc::CapabilityContainer, t4t::{Reader, TagEmulator, NDEF_AID}, wkt::Uri, Message};
//! let msg = Message::from(vec![Uri::new("https://pay.example/t/1").to_record()]).encode().unwrap();
//! let tag = TagEmulator::new(CapabilityContainer::new(0xE104, 1024, 59, 52), &msg).unwrap();
//! let mut router = Router::new();
//! router.add_exact(&NDEF_AID, Target::Host, tag);
//! let mut reader = Reader::new(&mut router);
//! reader.discover().unwrap();
//! assert_eq!(reader.read_ndef().unwrap(), msg);
//! reader.write_ndef(b"").unwrap();
//! assert_eq!(reader.read_ndef().unwrap(), b"");
//! ```

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use mpay_apdu::{Application, Command, Response, StatusWord, Transport};

use crate::cc::{CC_FILE_ID, CapabilityContainer};
use crate::error::{Error, Result};
use crate::message::DEFAULT_MAX_SIZE;

/// The NDEF Tag Application AID (mapping version 2.0 and later).
pub const NDEF_AID: [u8; 7] = [0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01];

/// MLe assumed before the CC has been read.
const MLE_BEFORE_CC: usize = 15;
/// Highest offset READ/UPDATE BINARY (B0/D6) can carry in P1-P2.
const MAX_SHORT_OFFSET: usize = 0x7FFF;

const SW_OK: u16 = 0x9000;

fn tag_err(command: &'static str, sw: u16, reason: &'static str) -> Error {
    Error::Tag {
        command,
        sw,
        reason,
    }
}

/// BER length octets for the `53` data object.
fn ber_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
}

/// Octets of `53 L` in front of `n` data octets.
const fn hdr_53(n: usize) -> usize {
    if n < 0x80 { 2 } else { 3 }
}

/// Most data octets that fit with their `53 L` header in `le` octets.
const fn fit_53(le: usize) -> usize {
    if le < 2 {
        0
    } else if le - 2 < 0x80 {
        le - 2
    } else {
        le - 3
    }
}

/// Parses `53 L value` at the start of `data`; returns the value.
fn parse_53(data: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = data.split_first()?;
    if tag != 0x53 {
        return None;
    }
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = match l0 {
        0x81 => (usize::from(*rest.first()?), &rest[1..]),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])),
            rest.get(2..)?,
        ),
        l if l < 0x80 => (usize::from(l), rest),
        _ => return None,
    };
    rest.get(..len)
}

/// Parses `54 03 offset` at the start of `data`; returns the offset and what follows.
fn parse_54(data: &[u8]) -> Option<(usize, &[u8])> {
    match data {
        [0x54, 0x03, a, b, c, rest @ ..] => Some((
            (usize::from(*a) << 16) | (usize::from(*b) << 8) | usize::from(*c),
            rest,
        )),
        _ => None,
    }
}

/// A Type 4 Tag reader/writer over an APDU transport.
#[derive(Debug)]
pub struct Reader<T> {
    transport: T,
    cc: Option<CapabilityContainer>,
    max_size: usize,
    /// The file selected last (SELECT is skipped when it is already selected, as nfcpy does).
    selected: Option<u16>,
}

impl<T: Transport> Reader<T> {
    /// A reader over `transport`; messages larger than [`DEFAULT_MAX_SIZE`] are refused.
    pub fn new(transport: T) -> Self {
        Reader {
            transport,
            cc: None,
            max_size: DEFAULT_MAX_SIZE,
            selected: None,
        }
    }

    /// Sets the largest NDEF message [`read_ndef`](Self::read_ndef) accepts (checked on NLEN
    /// before allocating).
    #[must_use]
    pub fn with_max_size(mut self, max_size: usize) -> Self {
        self.max_size = max_size;
        self
    }

    /// The CC read by [`discover`](Self::discover).
    pub fn capability_container(&self) -> Option<&CapabilityContainer> {
        self.cc.as_ref()
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.transport
    }

    fn exchange(&mut self, command: &'static str, apdu: &Command<'_>) -> Result<(Vec<u8>, u16)> {
        let bytes = apdu.to_bytes().map_err(|e| Error::Transport {
            command,
            message: e.to_string(),
        })?;
        let mut resp = self
            .transport
            .transmit(&bytes)
            .map_err(|e| Error::Transport {
                command,
                message: e.to_string(),
            })?;
        if resp.len() < 2 {
            return Err(tag_err(command, 0, "response shorter than a status word"));
        }
        let sw = u16::from_be_bytes([resp[resp.len() - 2], resp[resp.len() - 1]]);
        resp.truncate(resp.len() - 2);
        Ok((resp, sw))
    }

    fn expect_ok(&mut self, command: &'static str, apdu: &Command<'_>) -> Result<Vec<u8>> {
        let (data, sw) = self.exchange(command, apdu)?;
        match sw {
            SW_OK => Ok(data),
            0x6A82 => Err(tag_err(command, sw, "not found")),
            0x6982 => Err(tag_err(command, sw, "security status not satisfied")),
            0x6A86 | 0x6B00 => Err(tag_err(command, sw, "wrong parameters")),
            0x6700 => Err(tag_err(command, sw, "wrong length")),
            _ => Err(tag_err(command, sw, "error status")),
        }
    }

    /// SELECT the NDEF Tag Application.
    pub fn select_application(&mut self) -> Result<()> {
        self.selected = None;
        self.expect_ok(
            "SELECT NDEF application",
            &Command::new(0x00, 0xA4, 0x04, 0x00, &NDEF_AID, None),
        )?;
        Ok(())
    }

    fn select_file(&mut self, command: &'static str, file_id: u16) -> Result<()> {
        if self.selected == Some(file_id) {
            return Ok(());
        }
        self.selected = None;
        let fid = file_id.to_be_bytes();
        self.expect_ok(command, &Command::new(0x00, 0xA4, 0x00, 0x0C, &fid, None))?;
        self.selected = Some(file_id);
        Ok(())
    }

    /// Reads `len` octets at `offset` of the selected file, `mle` at a time.
    fn read(&mut self, offset: usize, len: usize, mle: usize, out: &mut Vec<u8>) -> Result<()> {
        const CMD: &str = "READ BINARY";
        let mut done = 0;
        while done < len {
            let at = offset + done;
            let want = (len - done).min(mle).min(256);
            let got = if at + want - 1 <= MAX_SHORT_OFFSET {
                let p = (at as u16).to_be_bytes();
                self.expect_ok(CMD, &Command::new(0x00, 0xB0, p[0], p[1], &[], Some(want)))?
            } else {
                // Response: 53 L data, all within Le.
                let want = (len - done).min(fit_53(mle.min(256)));
                if want == 0 {
                    return Err(tag_err(CMD, 0, "MLe too small for offsets above 7FFF"));
                }
                let odo = [0x54, 0x03, (at >> 16) as u8, (at >> 8) as u8, at as u8];
                let le = want + hdr_53(want);
                let resp =
                    self.expect_ok(CMD, &Command::new(0x00, 0xB1, 0x00, 0x00, &odo, Some(le)))?;
                parse_53(&resp)
                    .ok_or_else(|| tag_err(CMD, SW_OK, "answer is not a 53 data object"))?
                    .to_vec()
            };
            if got.is_empty() || got.len() > want {
                return Err(tag_err(CMD, SW_OK, "answer length does not match Le"));
            }
            out.extend_from_slice(&got);
            done += got.len();
        }
        Ok(())
    }

    /// Writes `data` at `offset` of the selected file, `mlc` at a time.
    fn update(&mut self, offset: usize, data: &[u8], mlc: usize) -> Result<()> {
        const CMD: &str = "UPDATE BINARY";
        let mut done = 0;
        while done < data.len() {
            let at = offset + done;
            let short = (data.len() - done).min(mlc).min(255);
            if at + short - 1 <= MAX_SHORT_OFFSET {
                let p = (at as u16).to_be_bytes();
                self.expect_ok(
                    CMD,
                    &Command::new(0x00, 0xD6, p[0], p[1], &data[done..done + short], None),
                )?;
                done += short;
            } else {
                // Data: 54 03 offset 53 L chunk; L up to 0x81 xx.
                let n = (data.len() - done).min(mlc.min(255).saturating_sub(8));
                if n == 0 {
                    return Err(tag_err(CMD, 0, "MLc too small for offsets above 7FFF"));
                }
                let mut field = vec![
                    0x54,
                    0x03,
                    (at >> 16) as u8,
                    (at >> 8) as u8,
                    at as u8,
                    0x53,
                ];
                ber_len(n, &mut field);
                field.extend_from_slice(&data[done..done + n]);
                self.expect_ok(CMD, &Command::new(0x00, 0xD7, 0x00, 0x00, &field, None))?;
                done += n;
            }
        }
        Ok(())
    }

    /// Reads and parses the Capability Container (SELECT E103, READ CCLEN, READ the rest).
    pub fn read_cc(&mut self) -> Result<CapabilityContainer> {
        self.select_file("SELECT CC file", CC_FILE_ID)?;
        let mut data = Vec::new();
        self.read(0, 2, MLE_BEFORE_CC, &mut data)?;
        let cclen = usize::from(u16::from_be_bytes([data[0], data[1]]));
        if !(15..=0xFF).contains(&cclen) {
            return Err(Error::CapabilityContainer {
                offset: 0,
                reason: "CCLEN out of range",
            });
        }
        self.read(2, cclen - 2, MLE_BEFORE_CC, &mut data)?;
        let cc = CapabilityContainer::parse(&data)?;
        self.cc = Some(cc);
        Ok(cc)
    }

    /// SELECT the application and read the CC.
    pub fn discover(&mut self) -> Result<CapabilityContainer> {
        self.select_application()?;
        self.read_cc()
    }

    fn cc_or_err(&self, command: &'static str) -> Result<CapabilityContainer> {
        self.cc
            .ok_or_else(|| tag_err(command, 0, "capability container not read (call discover)"))
    }

    /// Reads the NDEF message (empty when NLEN is 0). Refuses when read access is not granted.
    pub fn read_ndef(&mut self) -> Result<Vec<u8>> {
        const CMD: &str = "read NDEF";
        let cc = self.cc_or_err(CMD)?;
        if !cc.readable() {
            return Err(tag_err(CMD, 0, "read access not granted by the CC"));
        }
        self.select_file("SELECT NDEF file", cc.ndef_file.file_id)?;
        let mle = usize::from(cc.mle);
        let mut nlen = Vec::new();
        self.read(0, cc.nlen_size(), mle, &mut nlen)?;
        let n = nlen.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        if n > cc.capacity() {
            return Err(tag_err(CMD, 0, "NLEN exceeds the NDEF file"));
        }
        if n > self.max_size {
            return Err(Error::TooLarge {
                offset: 0,
                size: n as u64,
                limit: self.max_size,
            });
        }
        let mut out = Vec::with_capacity(n);
        self.read(cc.nlen_size(), n, mle, &mut out)?;
        Ok(out)
    }

    /// Writes `message` (an encoded NDEF message; empty to erase). When (E)NLEN and the message
    /// fit in one UPDATE BINARY of at most MLc octets they are written at once; otherwise the
    /// file is written from offset 0 as (E)NLEN = 0 followed by the message, in chunks of at
    /// most MLc, and the real (E)NLEN is written last (the same APDUs as nfcpy). Refuses when
    /// write access is not granted or the message does not fit.
    pub fn write_ndef(&mut self, message: &[u8]) -> Result<()> {
        const CMD: &str = "write NDEF";
        let cc = self.cc_or_err(CMD)?;
        if !cc.writable() {
            return Err(tag_err(CMD, 0, "write access not granted by the CC"));
        }
        if message.len() > cc.capacity() {
            return Err(Error::TooLarge {
                offset: 0,
                size: message.len() as u64,
                limit: cc.capacity(),
            });
        }
        self.select_file("SELECT NDEF file", cc.ndef_file.file_id)?;
        let mlc = usize::from(cc.mlc);
        let k = cc.nlen_size();
        let nlen = (message.len() as u32).to_be_bytes();
        let mut file = Vec::with_capacity(k + message.len());
        file.extend_from_slice(&nlen[4 - k..]);
        file.extend_from_slice(message);
        if file.len() <= mlc.min(255) {
            return self.update(0, &file, mlc);
        }
        file[..k].fill(0);
        self.update(0, &file, mlc)?;
        self.update(0, &nlen[4 - k..], mlc)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    Nothing,
    Cc,
    Ndef,
}

/// A Type 4 Tag: the NDEF Tag Application with its CC file and NDEF file, as an
/// [`Application`] for `mpay_apdu::Router` (route it at [`NDEF_AID`]).
///
/// It honours the CC: reads answer at most MLe octets, updates longer than MLc get `6700`,
/// access bytes other than `00` refuse with `6982`, the CC file is read-only.
#[derive(Debug, Clone)]
pub struct TagEmulator {
    cc: CapabilityContainer,
    cc_file: Vec<u8>,
    file: Vec<u8>,
    selected: Selected,
}

fn sw(v: u16) -> Response {
    Response::status(StatusWord(v))
}

impl TagEmulator {
    /// A tag with the CC `cc` holding `message` (which must fit the NDEF file).
    pub fn new(cc: CapabilityContainer, message: &[u8]) -> Result<Self> {
        let size = cc.ndef_file.max_size as usize;
        if size > 0x100_0000 {
            return Err(Error::CapabilityContainer {
                offset: 11,
                reason: "emulated NDEF file larger than 16 MiB",
            });
        }
        if message.len() > cc.capacity() {
            return Err(Error::TooLarge {
                offset: 0,
                size: message.len() as u64,
                limit: cc.capacity(),
            });
        }
        let mut file = vec![0; size];
        let k = cc.nlen_size();
        let nlen = (message.len() as u32).to_be_bytes();
        file[..k].copy_from_slice(&nlen[4 - k..]);
        file[k..k + message.len()].copy_from_slice(message);
        Ok(TagEmulator {
            cc_file: cc.encode(),
            cc,
            file,
            selected: Selected::Nothing,
        })
    }

    /// The CC.
    pub fn capability_container(&self) -> &CapabilityContainer {
        &self.cc
    }

    /// The NDEF message the file holds now (per its NLEN; empty if NLEN is out of range).
    pub fn message(&self) -> &[u8] {
        let k = self.cc.nlen_size();
        let n = self.file[..k]
            .iter()
            .fold(0usize, |a, b| (a << 8) | usize::from(*b));
        self.file.get(k..k + n).unwrap_or(&[])
    }

    fn current(&self) -> Option<&[u8]> {
        match self.selected {
            Selected::Nothing => None,
            Selected::Cc => Some(&self.cc_file),
            Selected::Ndef => Some(&self.file),
        }
    }

    /// At most `limit` octets at `offset` of the selected file.
    fn read(&self, offset: usize, limit: usize) -> core::result::Result<&[u8], Response> {
        let file = self.current().ok_or_else(|| sw(0x6986))?;
        if self.selected == Selected::Ndef && self.cc.ndef_file.read_access != 0 {
            return Err(sw(0x6982));
        }
        if offset > file.len() {
            return Err(sw(0x6B00));
        }
        let n = limit.min(file.len() - offset);
        Ok(&file[offset..offset + n])
    }

    fn update(&mut self, offset: usize, data: &[u8]) -> Response {
        match self.selected {
            Selected::Nothing => return sw(0x6986),
            Selected::Cc => return sw(0x6982),
            Selected::Ndef if self.cc.ndef_file.write_access != 0 => return sw(0x6982),
            Selected::Ndef => {}
        }
        if offset + data.len() > self.file.len() {
            return sw(0x6A84);
        }
        self.file[offset..offset + data.len()].copy_from_slice(data);
        sw(SW_OK)
    }
}

impl Application for TagEmulator {
    fn select(&mut self, _aid: &[u8], _command: &Command<'_>) -> Response {
        self.selected = Selected::Nothing;
        sw(SW_OK)
    }

    fn process(&mut self, c: &Command<'_>) -> Response {
        let data = c.data();
        match c.ins() {
            0xA4 if c.p1() == 0x00 => {
                if !matches!(c.p2(), 0x00 | 0x0C) {
                    return sw(0x6A86);
                }
                let [a, b] = *data else {
                    return sw(0x6700);
                };
                let fid = u16::from_be_bytes([a, b]);
                self.selected = if fid == CC_FILE_ID {
                    Selected::Cc
                } else if fid == self.cc.ndef_file.file_id {
                    Selected::Ndef
                } else {
                    return sw(0x6A82);
                };
                sw(SW_OK)
            }
            0xA4 => sw(0x6A86),
            0xB0 => {
                if c.p1() & 0x80 != 0 {
                    return sw(0x6A86);
                }
                let offset = usize::from(u16::from_be_bytes([c.p1(), c.p2()]));
                let limit = c.ne().unwrap_or(256).min(usize::from(self.cc.mle));
                match self.read(offset, limit) {
                    Ok(d) => Response::ok(d.to_vec()),
                    Err(r) => r,
                }
            }
            0xB1 => {
                let Some((offset, [])) = parse_54(data) else {
                    return sw(0x6A80);
                };
                // Le (and MLe) cover the 53 L header too.
                let limit = fit_53(c.ne().unwrap_or(256).min(usize::from(self.cc.mle)));
                match self.read(offset, limit) {
                    Ok(d) => {
                        let mut out = vec![0x53];
                        ber_len(d.len(), &mut out);
                        out.extend_from_slice(d);
                        Response::ok(out)
                    }
                    Err(r) => r,
                }
            }
            0xD6 => {
                if c.p1() & 0x80 != 0 {
                    return sw(0x6A86);
                }
                if data.len() > usize::from(self.cc.mlc) {
                    return sw(0x6700);
                }
                let offset = usize::from(u16::from_be_bytes([c.p1(), c.p2()]));
                self.update(offset, data)
            }
            0xD7 => {
                if data.len() > usize::from(self.cc.mlc) {
                    return sw(0x6700);
                }
                let Some((offset, rest)) = parse_54(data) else {
                    return sw(0x6A80);
                };
                let Some(value) = parse_53(rest) else {
                    return sw(0x6A80);
                };
                let value = value.to_vec();
                self.update(offset, &value)
            }
            _ => sw(0x6D00),
        }
    }

    fn deselect(&mut self, _channel: u8) {
        self.selected = Selected::Nothing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_object_53_lengths() {
        for n in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0x1234] {
            let mut v = vec![0x53];
            ber_len(n, &mut v);
            let header = match n {
                0..0x80 => 2,
                0x80..0x100 => 3,
                _ => 4,
            };
            assert_eq!(v.len(), header, "{n}");
            v.extend(core::iter::repeat_n(0xAB, n));
            assert_eq!(parse_53(&v).map(<[u8]>::len), Some(n));
        }
        // fit_53: the data plus its header never exceeds Le
        for le in 2..=256 {
            let n = fit_53(le);
            assert!(
                n + hdr_53(n) <= le && (n + 1) + hdr_53(n + 1) > le,
                "Le {le}"
            );
        }
        assert_eq!(parse_53(&[0x53, 0x05, 1, 2]), None);
        assert_eq!(
            parse_54(&[0x54, 0x03, 0x01, 0x02, 0x03, 0xFF]),
            Some((0x010203, &[0xFF][..]))
        );
        assert_eq!(parse_54(&[0x54, 0x02, 0x01, 0x02]), None);
    }
}
