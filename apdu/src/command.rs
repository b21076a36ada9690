//! Command APDUs (ISO 7816-4 §5.1): a zero-copy view for decoding, an owned builder for encoding.
//!
//! | case | short | extended |
//! |---|---|---|
//! | 1 | `CLA INS P1 P2` | – |
//! | 2 | `… Le` (`00` = 256) | `… 00 Le1 Le2` (`0000` = 65536) |
//! | 3 | `… Lc data` (Lc 1–255) | `… 00 Lc1 Lc2 data` (Lc 1–65535) |
//! | 4 | `… Lc data Le` | `… 00 Lc1 Lc2 data Le1 Le2` |
//!
//! Short and extended fields never mix in one command. Ne (the number of response bytes
//! expected) is kept as a count: `None` when there is no Le field, otherwise 1–65536.

use alloc::vec::Vec;
use core::fmt;

use crate::{Class, Error, ins};

/// The four ISO 7816-4 command cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// No data, no Le.
    Case1,
    /// Le only.
    Case2,
    /// Data only.
    Case3,
    /// Data and Le.
    Case4,
}

impl Case {
    /// `1`, `2`, `3` or `4`.
    pub const fn number(self) -> u8 {
        match self {
            Case::Case1 => 1,
            Case::Case2 => 2,
            Case::Case3 => 3,
            Case::Case4 => 4,
        }
    }
}

/// Short or extended length fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthForm {
    /// One-byte Lc / Le.
    Short,
    /// Two-byte Lc / Le after a `00` marker.
    Extended,
}

/// A decoded command APDU borrowing its data field: the type applications receive.
///
/// [`Command::parse`] is strict: every byte count that is not exactly one of the eight forms in
/// the module table is an [`Error`] naming the length field at fault. It never allocates.
///
/// ```
/// use mpay_apdu::{Case, Command, LengthForm};
/// // SELECT PPSE with Le = 00 (256).
/// let bytes = hex::decode("00A404000E325041592E5359532E444446303100").unwrap();
/// let cmd = Command::parse(&bytes)?;
/// assert_eq!(cmd.case(), Case::Case4);
/// assert_eq!(cmd.form(), LengthForm::Short);
/// assert_eq!(cmd.data(), b"2PAY.SYS.DDF01");
/// assert_eq!(cmd.ne(), Some(256));
/// assert_eq!(cmd.to_bytes()?, bytes);
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Command<'a> {
    cla: Class,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    ne: Option<usize>,
    form: LengthForm,
}

impl<'a> Command<'a> {
    /// A command from its parts, encoded in short form when everything fits, extended otherwise.
    /// `ne` is `None` for no Le field, else 1–65536 (checked when encoding).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8, data: &'a [u8], ne: Option<usize>) -> Self {
        let form = if data.len() > 255 || ne.is_some_and(|n| n > 256) {
            LengthForm::Extended
        } else {
            LengthForm::Short
        };
        Command {
            cla: Class(cla),
            ins,
            p1,
            p2,
            data,
            ne,
            form,
        }
    }

    /// Decodes a command APDU, strictly (see the module table).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let len = bytes.len();
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return Err(Error::CommandTooShort { len });
        };
        let mut cmd = Command {
            cla: Class(*cla),
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data: &[],
            ne: None,
            form: LengthForm::Short,
        };
        match body {
            [] => {}
            [le] => cmd.ne = Some(if *le == 0 { 256 } else { *le as usize }),
            [0, rest @ ..] => {
                cmd.form = LengthForm::Extended;
                match rest {
                    [] | [_] => return Err(Error::ExtendedLengthTruncated { len }),
                    [a, b] => cmd.ne = Some(extended_ne(*a, *b)),
                    [a, b, tail @ ..] => {
                        let lc = u16::from_be_bytes([*a, *b]);
                        if lc == 0 {
                            return Err(Error::ExtendedLcZero {
                                trailing: tail.len(),
                            });
                        }
                        let n = lc as usize;
                        if tail.len() == n {
                            cmd.data = tail;
                        } else if tail.len() == n + 2 {
                            cmd.data = &tail[..n];
                            cmd.ne = Some(extended_ne(tail[n], tail[n + 1]));
                        } else {
                            return Err(Error::ExtendedLengthMismatch { lc, len });
                        }
                    }
                }
            }
            [lc, tail @ ..] => {
                let n = *lc as usize;
                if tail.len() == n {
                    cmd.data = tail;
                } else if tail.len() == n + 1 {
                    cmd.data = &tail[..n];
                    let le = tail[n];
                    cmd.ne = Some(if le == 0 { 256 } else { le as usize });
                } else {
                    return Err(Error::ShortLengthMismatch { lc: *lc, len });
                }
            }
        }
        Ok(cmd)
    }

    /// The class byte.
    pub const fn class(&self) -> Class {
        self.cla
    }
    /// The raw CLA byte.
    pub const fn cla(&self) -> u8 {
        self.cla.0
    }
    /// The instruction byte.
    pub const fn ins(&self) -> u8 {
        self.ins
    }
    /// Parameter 1.
    pub const fn p1(&self) -> u8 {
        self.p1
    }
    /// Parameter 2.
    pub const fn p2(&self) -> u8 {
        self.p2
    }
    /// The data field (empty in cases 1 and 2).
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }
    /// Nc, the data length.
    pub const fn nc(&self) -> usize {
        self.data.len()
    }
    /// Ne: `None` without an Le field, else 1–65536 (`00` short = 256, `0000` extended = 65536).
    pub const fn ne(&self) -> Option<usize> {
        self.ne
    }
    /// Short or extended form.
    pub const fn form(&self) -> LengthForm {
        self.form
    }
    /// The logical channel the command is for (0 when the class does not code one).
    pub fn channel(&self) -> u8 {
        self.cla.channel().unwrap_or(0)
    }
    /// The ISO case.
    pub const fn case(&self) -> Case {
        match (self.data.is_empty(), self.ne.is_some()) {
            (true, false) => Case::Case1,
            (true, true) => Case::Case2,
            (false, false) => Case::Case3,
            (false, true) => Case::Case4,
        }
    }

    /// The same command in the other form (data and Ne permitting, checked when encoding).
    pub const fn with_form(mut self, form: LengthForm) -> Self {
        self.form = form;
        self
    }
    /// The same command with another class byte.
    pub const fn with_class(mut self, cla: Class) -> Self {
        self.cla = cla;
        self
    }
    /// The same command with another Ne (form unchanged unless Ne needs extended).
    pub const fn with_ne(mut self, ne: Option<usize>) -> Self {
        self.ne = ne;
        if let Some(n) = ne
            && n > 256
        {
            self.form = LengthForm::Extended;
        }
        self
    }

    /// The encoded length in bytes, or the reason it cannot be encoded.
    pub fn encoded_len(&self) -> Result<usize, Error> {
        self.check()?;
        let nc = self.data.len();
        Ok(4 + match (self.form, nc, self.ne) {
            (_, 0, None) => 0,
            (LengthForm::Short, 0, Some(_)) => 1,
            (LengthForm::Short, n, None) => 1 + n,
            (LengthForm::Short, n, Some(_)) => 2 + n,
            (LengthForm::Extended, 0, Some(_)) => 3,
            (LengthForm::Extended, n, None) => 3 + n,
            (LengthForm::Extended, n, Some(_)) => 5 + n,
        })
    }

    fn check(&self) -> Result<(), Error> {
        let nc = self.data.len();
        if nc > 65535 {
            return Err(Error::DataTooLong { len: nc });
        }
        if let Some(ne) = self.ne
            && (ne == 0 || ne > 65536 || (self.form == LengthForm::Short && ne > 256))
        {
            return Err(Error::LeOutOfRange { ne });
        }
        if self.form == LengthForm::Short && nc > 255 {
            return Err(Error::DataTooLongForShort { len: nc });
        }
        Ok(())
    }

    /// Appends the encoding to `out`. On error nothing is written.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let total = self.encoded_len()?;
        out.reserve(total);
        out.extend_from_slice(&[self.cla.0, self.ins, self.p1, self.p2]);
        let nc = self.data.len();
        match self.form {
            LengthForm::Short => {
                if nc > 0 {
                    out.push(nc as u8);
                    out.extend_from_slice(self.data);
                }
                if let Some(ne) = self.ne {
                    out.push(ne as u8); // 256 → 00
                }
            }
            LengthForm::Extended => {
                if nc == 0 && self.ne.is_none() {
                    return Ok(());
                }
                out.push(0);
                if nc > 0 {
                    out.extend_from_slice(&(nc as u16).to_be_bytes());
                    out.extend_from_slice(self.data);
                }
                if let Some(ne) = self.ne {
                    out.extend_from_slice(&(ne as u16).to_be_bytes()); // 65536 → 0000
                }
            }
        }
        Ok(())
    }

    /// The encoding as a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::new();
        self.encode_into(&mut v)?;
        Ok(v)
    }

    /// An owned copy.
    pub fn to_owned(&self) -> CommandBuf {
        CommandBuf {
            cla: self.cla,
            ins: self.ins,
            p1: self.p1,
            p2: self.p2,
            data: self.data.to_vec(),
            ne: self.ne,
            form: Some(self.form),
        }
    }
}

fn extended_ne(a: u8, b: u8) -> usize {
    match u16::from_be_bytes([a, b]) {
        0 => 65536,
        n => n as usize,
    }
}

impl fmt::Debug for Command<'_> {
    /// Header, lengths and the data length only: a command may carry a PIN block or a PAN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Command {{ cla: {:02X}, ins: {:02X}, p1: {:02X}, p2: {:02X}, nc: {}, ne: {:?}, form: {:?} }}",
            self.cla.0,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.ne,
            self.form
        )
    }
}

impl fmt::Display for Command<'_> {
    /// `SELECT (00 A4 04 00), case 4 short, Nc 14, Ne 256` — data is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({:02X} {:02X} {:02X} {:02X}), case {} {}",
            ins::name(self.cla.0, self.ins).unwrap_or("unknown instruction"),
            self.cla.0,
            self.ins,
            self.p1,
            self.p2,
            self.case().number(),
            match self.form {
                LengthForm::Short => "short",
                LengthForm::Extended => "extended",
            }
        )?;
        if !self.data.is_empty() {
            write!(f, ", Nc {}", self.data.len())?;
        }
        if let Some(ne) = self.ne {
            write!(f, ", Ne {ne}")?;
        }
        Ok(())
    }
}

/// An owned command APDU, built field by field.
///
/// The length form is chosen when encoding: short when Nc ≤ 255 and Ne ≤ 256, extended
/// otherwise, unless [`CommandBuf::form`] forces one.
///
/// ```
/// use mpay_apdu::CommandBuf;
/// let read_record = CommandBuf::new(0x00, 0xB2, 0x01, 0x0C).le(256);
/// assert_eq!(read_record.to_bytes()?, [0x00, 0xB2, 0x01, 0x0C, 0x00]);
/// let big = CommandBuf::new(0x80, 0xE8, 0x00, 0x00).data(vec![0xAB; 300]).le(65536);
/// let bytes = big.to_bytes()?;
/// assert_eq!(&bytes[4..7], &[0x00, 0x01, 0x2C]); // extended Lc = 300
/// assert_eq!(&bytes[bytes.len() - 2..], &[0x00, 0x00]); // extended Le 0000 = 65536
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CommandBuf {
    /// Class byte.
    pub cla: Class,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Data field.
    pub data: Vec<u8>,
    /// Ne: `None` for no Le field, else 1–65536.
    pub ne: Option<usize>,
    /// Forced length form, or `None` to choose the shortest.
    pub form: Option<LengthForm>,
}

impl CommandBuf {
    /// A case 1 command.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        CommandBuf {
            cla: Class(cla),
            ins,
            p1,
            p2,
            data: Vec::new(),
            ne: None,
            form: None,
        }
    }
    /// SELECT by DF name (AID), first or only occurrence, FCI requested, Le = 256.
    pub fn select_aid(aid: &[u8]) -> Self {
        CommandBuf::new(0x00, ins::SELECT, 0x04, 0x00)
            .data(aid.to_vec())
            .le(256)
    }
    /// Sets the data field.
    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }
    /// Sets Ne (1–65536; 256 encodes as short `00`, 65536 as extended `0000`).
    pub fn le(mut self, ne: usize) -> Self {
        self.ne = Some(ne);
        self
    }
    /// Removes the Le field.
    pub fn no_le(mut self) -> Self {
        self.ne = None;
        self
    }
    /// Sets the class byte.
    pub fn class(mut self, cla: Class) -> Self {
        self.cla = cla;
        self
    }
    /// Forces the length form (`None`: shortest that fits).
    pub fn form(mut self, form: Option<LengthForm>) -> Self {
        self.form = form;
        self
    }
    /// A borrowing view, with the form resolved.
    pub fn view(&self) -> Command<'_> {
        let cmd = Command::new(self.cla.0, self.ins, self.p1, self.p2, &self.data, self.ne);
        match self.form {
            Some(f) => cmd.with_form(f),
            None => cmd,
        }
    }
    /// Appends the encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.view().encode_into(out)
    }
    /// The encoding as a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        self.view().to_bytes()
    }
}

impl fmt::Debug for CommandBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.view(), f)
    }
}

impl fmt::Display for CommandBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.view(), f)
    }
}

impl From<Command<'_>> for CommandBuf {
    fn from(c: Command<'_>) -> Self {
        c.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hx(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn round(s: &str, case: Case, form: LengthForm, nc: usize, ne: Option<usize>) {
        let b = hx(s);
        let c = Command::parse(&b).unwrap();
        assert_eq!(
            (c.case(), c.form(), c.nc(), c.ne()),
            (case, form, nc, ne),
            "{s}"
        );
        assert_eq!(c.to_bytes().unwrap(), b, "{s}");
        assert_eq!(c.encoded_len().unwrap(), b.len());
        let shortest = c.to_owned().form(None).to_bytes().unwrap();
        if form == LengthForm::Short || nc > 255 || ne.is_some_and(|n| n > 256) {
            assert_eq!(shortest, b, "shortest {s}");
        } else {
            assert!(shortest.len() < b.len(), "{s}");
            assert_eq!(Command::parse(&shortest).unwrap().ne(), ne);
        }
    }

    #[test]
    fn all_cases_both_forms() {
        use Case::*;
        use LengthForm::*;
        round("00A40400", Case1, Short, 0, None);
        round("00B2010C01", Case2, Short, 0, Some(1));
        round("00B2010C00", Case2, Short, 0, Some(256));
        round("00B2010CFF", Case2, Short, 0, Some(255));
        round("00A4040001AA", Case3, Short, 1, None);
        round("00A40400020102FF", Case4, Short, 2, Some(255));
        round("00A4040002010200", Case4, Short, 2, Some(256));
        round("00B0000000FFFF", Case2, Extended, 0, Some(65535));
        round("00B00000000100", Case2, Extended, 0, Some(256));
        round("00B00000000000", Case2, Extended, 0, Some(65536));
        round("00B00000000101", Case2, Extended, 0, Some(257));
        round("00DA0000000001AA", Case3, Extended, 1, None);
        round("00DA0000000001AA0000", Case4, Extended, 1, Some(65536));
        round("00DA0000000001AA0001", Case4, Extended, 1, Some(1));
    }

    #[test]
    fn extended_when_needed() {
        let c = CommandBuf::new(0, 0xD6, 0, 0).data(vec![1u8; 255]);
        assert_eq!(c.to_bytes().unwrap()[4], 255);
        let c = CommandBuf::new(0, 0xD6, 0, 0).data(vec![1u8; 256]);
        let b = c.to_bytes().unwrap();
        assert_eq!(&b[4..7], &[0, 1, 0]);
        assert_eq!(b.len(), 7 + 256);
        let b = Command::parse(&b).unwrap();
        assert_eq!((b.case(), b.form()), (Case::Case3, LengthForm::Extended));
        // Ne 257 with short data must go extended for both fields: never mixed.
        let c = CommandBuf::new(0, 0xCA, 0, 0).data(vec![7]).le(257);
        assert_eq!(c.to_bytes().unwrap(), hx("00CA0000000001070101"));
        // Forced extended for small values.
        let c = CommandBuf::new(0, 0xCA, 0, 0)
            .le(1)
            .form(Some(LengthForm::Extended));
        assert_eq!(c.to_bytes().unwrap(), hx("00CA0000000001"));
        // Extended case 1 is just the header.
        let c = CommandBuf::new(0, 0xCA, 0, 0).form(Some(LengthForm::Extended));
        assert_eq!(c.to_bytes().unwrap(), hx("00CA0000"));
    }

    #[test]
    fn encode_errors() {
        let c = CommandBuf::new(0, 0xD6, 0, 0)
            .data(vec![0u8; 256])
            .form(Some(LengthForm::Short));
        assert_eq!(c.to_bytes(), Err(Error::DataTooLongForShort { len: 256 }));
        let c = CommandBuf::new(0, 0xD6, 0, 0).data(vec![0u8; 65536]);
        assert_eq!(c.to_bytes(), Err(Error::DataTooLong { len: 65536 }));
        for ne in [0usize, 65537] {
            let c = CommandBuf::new(0, 0xB0, 0, 0).le(ne);
            assert_eq!(c.to_bytes(), Err(Error::LeOutOfRange { ne }));
        }
        let c = CommandBuf::new(0, 0xB0, 0, 0)
            .le(257)
            .form(Some(LengthForm::Short));
        assert_eq!(c.to_bytes(), Err(Error::LeOutOfRange { ne: 257 }));
        let mut out = vec![9];
        assert!(c.encode_into(&mut out).is_err());
        assert_eq!(out, vec![9]);
    }

    #[test]
    fn malformed_rejected_precisely() {
        use Error::*;
        let cases: &[(&str, Error)] = &[
            ("", CommandTooShort { len: 0 }),
            ("00", CommandTooShort { len: 1 }),
            ("00A404", CommandTooShort { len: 3 }),
            // 6 bytes: 00 then a single byte.
            ("00A4040000AA", ExtendedLengthTruncated { len: 6 }),
            // Short Lc too big / too small for the body.
            ("00A4040002AA", ShortLengthMismatch { lc: 2, len: 6 }),
            ("00A4040001AABBCC", ShortLengthMismatch { lc: 1, len: 8 }),
            // Extended Lc zero followed by data.
            ("00A40400000000AA", ExtendedLcZero { trailing: 1 }),
            ("00A4040000000000", ExtendedLcZero { trailing: 1 }),
            // Extended Lc vs body.
            ("00A4040000000201", ExtendedLengthMismatch { lc: 2, len: 8 }),
            (
                "00A40400000001AABB",
                ExtendedLengthMismatch { lc: 1, len: 9 },
            ),
            (
                "00A40400000001AABBCCDD",
                ExtendedLengthMismatch { lc: 1, len: 11 },
            ),
            // Mixed: short Lc with extended Le (one byte too many).
            ("00A4040001AA0000", ShortLengthMismatch { lc: 1, len: 8 }),
        ];
        for (s, e) in cases {
            let b = hx(s);
            assert_eq!(Command::parse(&b).unwrap_err(), *e, "{s}");
        }
        // Mixed the other way: extended Lc with a one-byte Le.
        let mut b = hx("000100000001AA");
        b.insert(4, 0);
        b.push(0x10);
        assert_eq!(
            Command::parse(&b),
            Err(ExtendedLengthMismatch { lc: 1, len: 9 })
        );
    }

    #[test]
    fn display_and_debug_hide_data() {
        let b = hx("00200080082412345FFFFFFFFF");
        let c = Command::parse(&b).unwrap();
        let d = alloc::format!("{c} {c:?}");
        assert!(!d.contains("12345"), "{d}");
        assert_eq!(
            alloc::format!("{c}"),
            "VERIFY (00 20 00 80), case 3 short, Nc 8"
        );
    }
}
