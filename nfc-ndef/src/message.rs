//! NDEF messages: decoding (strict or lenient, with chunk reassembly and a size cap) and
//! encoding (whole records or chunked).

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::num::NonZeroUsize;

use crate::error::{Error, Result};
use crate::record::{CF, MB, ME, RawRecord, Record, Tnf, parse_raw, write_raw};

/// The default size cap: 1 MiB, as in ndeflib.
pub const DEFAULT_MAX_SIZE: usize = 0x10_0000;

/// How strictly a message is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every rule: MB only on the first record, ME only on the last (and nothing after it), CF
    /// never on the last, TNF 7 rejected, TNF 6 only in a chunk continuation.
    #[default]
    Strict,
    /// Like ndeflib's "relax": the MB/ME/CF message flags are not checked, decoding stops after
    /// a record with ME, TNF 7 is read like "unknown" (as Android does) and a TNF 6 record
    /// outside a chunk is kept as a record of its own. Structure, the TNF length rules, the size
    /// cap and the rules inside a chunk sequence still apply.
    Lenient,
}

/// Options for [`Message::decode_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Strict or lenient.
    pub mode: Mode,
    /// Largest payload, and largest reassembled payload, accepted (checked before any
    /// allocation). Default [`DEFAULT_MAX_SIZE`].
    pub max_size: usize,
    /// Reassemble chunked records (Android's rules). When false, every wire record becomes a
    /// [`Record`] of its own, as ndeflib does.
    pub reassemble: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            mode: Mode::Strict,
            max_size: DEFAULT_MAX_SIZE,
            reassemble: true,
        }
    }
}

impl DecodeOptions {
    /// Lenient mode, other options default.
    pub fn lenient() -> Self {
        DecodeOptions {
            mode: Mode::Lenient,
            ..Self::default()
        }
    }
}

/// Iterator over the wire records of a message (no message-level or chunk rules; the TNF rules
/// and the size cap apply). Stops after the first error.
///
/// ```
/// use mpay_nfc_ndef::{message::RawRecords, DecodeOptions};
/// let bytes = [0x90, 0, 0, 0x50, 0, 0];
/// let n = RawRecords::new(&bytes, DecodeOptions::default()).count();
/// assert_eq!(n, 2);
/// ```
#[derive(Debug, Clone)]
pub struct RawRecords<'a> {
    input: &'a [u8],
    pos: usize,
    max_size: usize,
    allow_reserved: bool,
    failed: bool,
}

impl<'a> RawRecords<'a> {
    /// Iterates over the records of `input`.
    pub fn new(input: &'a [u8], options: DecodeOptions) -> Self {
        RawRecords {
            input,
            pos: 0,
            max_size: options.max_size,
            allow_reserved: options.mode == Mode::Lenient,
            failed: false,
        }
    }
}

impl<'a> Iterator for RawRecords<'a> {
    type Item = Result<RawRecord<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.input.len() {
            return None;
        }
        match parse_raw(self.input, self.pos, self.max_size, self.allow_reserved) {
            Ok(r) => {
                self.pos += r.len;
                Some(Ok(r))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// An NDEF message: a sequence of logical records.
///
/// ```
/// use mpay_nfc_ndef::{Message, Record};
/// let msg = Message::from(vec![Record::unknown(b"abc".to_vec())]);
/// let bytes = msg.encode().unwrap();
/// assert_eq!(bytes, [0xD5, 0x00, 0x03, b'a', b'b', b'c']);
/// assert_eq!(Message::decode(&bytes).unwrap(), msg);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Message<'a> {
    /// The records in order.
    pub records: Vec<Record<'a>>,
}

impl<'a> From<Vec<Record<'a>>> for Message<'a> {
    fn from(records: Vec<Record<'a>>) -> Self {
        Message { records }
    }
}

fn flag_err(offset: usize, rule: &'static str) -> Error {
    Error::Flags { offset, rule }
}

fn chunk_err(offset: usize, rule: &'static str) -> Error {
    Error::Chunk { offset, rule }
}

impl<'a> Message<'a> {
    /// Decodes `input` strictly with the default options (1 MiB cap, chunks reassembled).
    /// An empty input is a message of no records.
    pub fn decode(input: &'a [u8]) -> Result<Self> {
        Self::decode_with(input, DecodeOptions::default())
    }

    /// Decodes `input` with `options`. Records that are not chunked borrow from `input`.
    ///
    /// ```
    /// use mpay_nfc_ndef::{DecodeOptions, Message};
    /// // a chunked unknown record "abc" + "def" + "gh"
    /// let bytes = hex::decode("b50003616263360003646566560002676".to_owned() + "8").unwrap();
    /// let msg = Message::decode(&bytes).unwrap();
    /// assert_eq!(&*msg.records[0].payload, b"abcdefgh");
    /// let raw = Message::decode_with(&bytes, DecodeOptions { reassemble: false, ..Default::default() }).unwrap();
    /// assert_eq!(raw.records.len(), 3);
    /// ```
    pub fn decode_with(input: &'a [u8], options: DecodeOptions) -> Result<Self> {
        let strict = options.mode == Mode::Strict;
        let mut records = Vec::new();
        let raws = RawRecords::new(input, options);
        let mut first = true;
        // The pending chunked record: its first chunk, the continuation chunks, the total size.
        let mut chunk: Option<(RawRecord<'a>, Vec<RawRecord<'a>>, u64)> = None;
        let mut ended = false;
        for raw in raws {
            let raw = raw?;
            if ended {
                // Only reached in strict mode: lenient stops at ME.
                return Err(flag_err(raw.offset, "record after the record with ME flag"));
            }
            let last = raw.me();
            if strict {
                if first && !raw.mb() {
                    return Err(flag_err(raw.offset, "MB flag not set in first record"));
                }
                if !first && raw.mb() {
                    return Err(flag_err(raw.offset, "MB flag set in middle record"));
                }
                if last && raw.cf() {
                    return Err(flag_err(raw.offset, "CF flag set in last record"));
                }
                if !last && raw.offset + raw.len == input.len() {
                    return Err(flag_err(raw.offset, "ME flag not set in last record"));
                }
            }
            first = false;
            if !options.reassemble {
                records.push(borrowed(&raw, Cow::Borrowed(raw.payload)));
            } else if let Some((head, mut rest, total)) = chunk.take() {
                if raw.tnf() != Tnf::Unchanged {
                    return Err(chunk_err(
                        raw.offset,
                        "expected TNF unchanged in non-leading chunk",
                    ));
                }
                if raw.il() {
                    return Err(chunk_err(raw.offset, "IL flag set in non-leading chunk"));
                }
                let total = total + raw.payload.len() as u64;
                if total > options.max_size as u64 {
                    return Err(Error::TooLarge {
                        offset: head.offset,
                        size: total,
                        limit: options.max_size,
                    });
                }
                rest.push(raw);
                if raw.cf() && !last {
                    chunk = Some((head, rest, total));
                } else {
                    // total <= max_size: the allocation is bounded by the cap.
                    let mut payload = Vec::with_capacity(total as usize);
                    payload.extend_from_slice(head.payload);
                    for c in &rest {
                        payload.extend_from_slice(c.payload);
                    }
                    records.push(borrowed(&head, Cow::Owned(payload)));
                }
            } else if raw.cf() && !last {
                if raw.tnf() == Tnf::Unchanged {
                    return Err(chunk_err(raw.offset, "TNF unchanged in the first chunk"));
                }
                if raw.tnf() == Tnf::Empty {
                    // the reassembled record would carry a payload, which TNF 0 forbids
                    return Err(chunk_err(raw.offset, "TNF empty in the first chunk"));
                }
                chunk = Some((raw, Vec::new(), raw.payload.len() as u64));
            } else if raw.tnf() == Tnf::Unchanged && strict {
                return Err(chunk_err(
                    raw.offset,
                    "TNF unchanged outside a chunked record",
                ));
            } else {
                records.push(borrowed(&raw, Cow::Borrowed(raw.payload)));
            }
            if last {
                if strict {
                    ended = true;
                } else {
                    break;
                }
            }
        }
        if let Some((head, _, _)) = chunk {
            return Err(chunk_err(head.offset, "chunked record not terminated"));
        }
        Ok(Message { records })
    }

    /// Encodes the message: MB on the first record, ME on the last, SR and IL as the lengths
    /// require. No records encode to no octets.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the encoded message to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<()> {
        encode_records(&self.records, out, true, true)
    }

    /// Encodes the message with every payload longer than `max_chunk` split into chunks of at
    /// most `max_chunk` octets (first chunk with TYPE and ID, continuations with TNF 6).
    ///
    /// ```
    /// use core::num::NonZeroUsize;
    /// use mpay_nfc_ndef::{Message, Record};
    /// let msg = Message::from(vec![Record::unknown(b"abcdefgh".to_vec())]);
    /// let bytes = msg.encode_chunked(NonZeroUsize::new(3).unwrap()).unwrap();
    /// assert_eq!(hex::encode(&bytes), "b50003616263360003646566560002676".to_owned() + "8");
    /// assert_eq!(Message::decode(&bytes).unwrap(), msg);
    /// ```
    pub fn encode_chunked(&self, max_chunk: NonZeroUsize) -> Result<Vec<u8>> {
        let max = max_chunk.get();
        let mut out = Vec::new();
        let n = self.records.len();
        for (i, r) in self.records.iter().enumerate() {
            r.validate()?;
            let mut flags = if i == 0 { MB } else { 0 };
            let is_last = i + 1 == n;
            if r.payload.len() <= max {
                if is_last {
                    flags |= ME;
                }
                write_raw(&mut out, flags, r.tnf, &r.record_type, &r.id, &r.payload)?;
                continue;
            }
            let mut chunks = r.payload.chunks(max).peekable();
            let head = chunks.next().unwrap_or(&[]);
            write_raw(&mut out, flags | CF, r.tnf, &r.record_type, &r.id, head)?;
            while let Some(c) = chunks.next() {
                let more = chunks.peek().is_some();
                let f = if more {
                    CF
                } else if is_last {
                    ME
                } else {
                    0
                };
                write_raw(&mut out, f, Tnf::Unchanged, &[], &[], c)?;
            }
        }
        Ok(out)
    }

    /// A copy that owns its data.
    pub fn into_owned(self) -> Message<'static> {
        Message {
            records: self.records.into_iter().map(Record::into_owned).collect(),
        }
    }
}

fn borrowed<'a>(raw: &RawRecord<'a>, payload: Cow<'a, [u8]>) -> Record<'a> {
    Record {
        tnf: raw.tnf(),
        record_type: Cow::Borrowed(raw.record_type),
        id: Cow::Borrowed(raw.id),
        payload,
    }
}

/// Encodes `records` appending to `out`; MB on the first when `mb`, ME on the last when `me`.
pub(crate) fn encode_records(
    records: &[Record<'_>],
    out: &mut Vec<u8>,
    mb: bool,
    me: bool,
) -> Result<()> {
    let n = records.len();
    for (i, r) in records.iter().enumerate() {
        r.validate()?;
        let mut flags = 0;
        if i == 0 && mb {
            flags |= MB;
        }
        if i + 1 == n && me {
            flags |= ME;
        }
        write_raw(out, flags, r.tnf, &r.record_type, &r.id, &r.payload)?;
    }
    Ok(())
}
