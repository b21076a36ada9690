//! The crate's one error type.

use alloc::string::String;

use crate::status::StatusWord;

/// Everything that can go wrong while decoding, encoding or exchanging APDUs.
///
/// Decoding errors name the offending length field and the byte counts involved; exchange
/// errors name the loop that hit its bound and the status word the card gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A command APDU shorter than its 4-byte header (CLA INS P1 P2).
    #[error("command APDU of {len} bytes is shorter than the 4-byte header")]
    CommandTooShort {
        /// Bytes received.
        len: usize,
    },
    /// A short Lc (byte at offset 4) that does not match what follows it: the command must be
    /// exactly `5 + lc` (case 3S) or `6 + lc` (case 4S) bytes long.
    #[error("short Lc {lc} at offset 4 needs a command of {} or {} bytes, got {len}", 5 + *lc as usize, 6 + *lc as usize)]
    ShortLengthMismatch {
        /// The Lc byte.
        lc: u8,
        /// Total command length.
        len: usize,
    },
    /// A `00` at offset 4 opens an extended length field, but fewer than 2 bytes follow it
    /// (a 6-byte command is never valid).
    #[error("extended length field at offset 4 is truncated: command of {len} bytes")]
    ExtendedLengthTruncated {
        /// Total command length.
        len: usize,
    },
    /// An extended Lc of `0000` (offsets 5..7) followed by more bytes: Lc may not be zero.
    #[error("extended Lc at offset 5 is 0000 but {trailing} more bytes follow")]
    ExtendedLcZero {
        /// Bytes after the 7-byte header.
        trailing: usize,
    },
    /// An extended Lc (offsets 5..7) that does not match what follows: the command must be
    /// exactly `7 + lc` (case 3E) or `9 + lc` (case 4E) bytes long.
    #[error("extended Lc {lc} at offset 5 needs a command of {} or {} bytes, got {len}", 7 + *lc as usize, 9 + *lc as usize)]
    ExtendedLengthMismatch {
        /// The extended Lc value.
        lc: u16,
        /// Total command length.
        len: usize,
    },
    /// A response APDU shorter than its 2-byte status word.
    #[error("response APDU of {len} bytes has no room for SW1 SW2")]
    ResponseTooShort {
        /// Bytes received.
        len: usize,
    },
    /// Command data longer than an extended Lc can carry (65 535 bytes).
    #[error("command data of {len} bytes exceeds the 65535-byte extended Lc")]
    DataTooLong {
        /// Data length.
        len: usize,
    },
    /// A command encoded in short form carries data longer than 255 bytes.
    #[error("command data of {len} bytes does not fit a short Lc (max 255)")]
    DataTooLongForShort {
        /// Data length.
        len: usize,
    },
    /// Ne (expected response length) outside 1..=65536, or above 256 in a short command.
    #[error("Ne {ne} out of range (1..=256 short, 1..=65536 extended)")]
    LeOutOfRange {
        /// The requested Ne.
        ne: usize,
    },
    /// A logical channel number outside 0..=19.
    #[error("logical channel {channel} out of range 0..=19")]
    ChannelOutOfRange {
        /// The channel asked for.
        channel: u8,
    },
    /// A class byte that cannot carry the requested coding (e.g. `FF`, or an RFU class).
    #[error("class byte {cla:02X} cannot be recoded: {reason}")]
    InvalidClass {
        /// The class byte.
        cla: u8,
        /// Why it cannot be recoded.
        reason: &'static str,
    },
    /// The card kept answering 61xx past the configured number of GET RESPONSE rounds.
    #[error("card still answered 61xx after {rounds} GET RESPONSE rounds (limit reached)")]
    GetResponseLimit {
        /// Rounds performed.
        rounds: usize,
    },
    /// The card kept answering 6Cxx past the configured number of resends.
    #[error("card still answered {sw} after {resends} resends with corrected Le (limit reached)")]
    WrongLeLimit {
        /// Resends performed.
        resends: usize,
        /// The last status word.
        sw: StatusWord,
    },
    /// A response that grew beyond the configured maximum while being collected.
    #[error("collected response data exceeds the limit of {limit} bytes")]
    ResponseTooLong {
        /// The limit.
        limit: usize,
    },
    /// The card refused a block of a chained command (anything but 9000 before the last block).
    #[error("card answered {sw} to chained block {block} of {blocks}")]
    ChainingRejected {
        /// Zero-based index of the refused block.
        block: usize,
        /// Total number of blocks.
        blocks: usize,
        /// The card's status word.
        sw: StatusWord,
    },
    /// The transport below failed (reader gone, card removed, socket closed, …).
    #[error("transport: {0}")]
    Transport(String),
    /// A replayed exchange differs from the recorded one.
    #[error("replay: command {index} differs from the transcript ({detail})")]
    ReplayMismatch {
        /// Zero-based index of the exchange.
        index: usize,
        /// What differs (masked).
        detail: String,
    },
    /// A replay asked for more exchanges than the transcript has.
    #[error("replay: transcript exhausted after {index} exchanges")]
    ReplayExhausted {
        /// Exchanges served.
        index: usize,
    },
    /// A transcript text line that is not `> HEX` or `< HEX`.
    #[error("transcript line {line}: {reason}")]
    TranscriptSyntax {
        /// One-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}
