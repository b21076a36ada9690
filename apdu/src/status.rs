//! Status words (SW1 SW2), ISO 7816-4:2013 §5.6 Tables 5 and 6, with the EMV and GlobalPlatform
//! meanings people meet in practice.

use core::fmt;

/// The meaning of a status word, grouped for matching.
///
/// ```
/// use mpay_apdu::{Status, StatusWord};
/// match StatusWord(0x63C2).status() {
///     Status::Counter(n) => assert_eq!(n, 2), // e.g. PIN tries left
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(StatusWord(0x6110).status(), Status::MoreData(16));
/// assert_eq!(StatusWord(0x6100).status(), Status::MoreData(256));
/// assert_eq!(StatusWord(0x6C00).status(), Status::WrongLe(256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `9000`: normal processing.
    Success,
    /// `61xx`: normal processing, `xx` more bytes available with GET RESPONSE (`00` = 256 or more).
    MoreData(usize),
    /// `6Cxx`: wrong Le; resend with Le = `xx` (`00` = 256).
    WrongLe(usize),
    /// `63Cx`: warning with counter `x` (EMV VERIFY: PIN tries left).
    Counter(u8),
    /// `62xx`: warning, non-volatile memory unchanged.
    WarningUnchanged,
    /// `63xx` (other than `63Cx`): warning, non-volatile memory changed.
    WarningChanged,
    /// `64xx`: execution error, non-volatile memory unchanged.
    ExecutionErrorUnchanged,
    /// `65xx`: execution error, non-volatile memory changed.
    ExecutionErrorChanged,
    /// `66xx`: security-related execution error.
    SecurityError,
    /// `67xx` to `6Fxx` (other than `6Cxx`): checking error.
    CheckingError,
    /// Any other status word (proprietary `9xxx` other than `9000`, or invalid SW1).
    Other,
}

/// SW1 SW2 as one number (`0x9000`). The constants name the ones protocols test for.
///
/// `Display` says what the status word means: `6A82: file or application not found`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

macro_rules! sw_table {
    ($($(#[$doc:meta])* $name:ident = $value:literal => $text:literal;)*) => {
        impl StatusWord {
            $($(#[$doc])* pub const $name: StatusWord = StatusWord($value);)*
        }
        fn fixed_meaning(sw: u16) -> Option<&'static str> {
            match sw {
                $($value => Some($text),)*
                _ => None,
            }
        }
    };
}

sw_table! {
    /// `9000` normal processing.
    SUCCESS = 0x9000 => "success";
    /// `6200` warning, no information given.
    WARNING = 0x6200 => "warning: no information given (memory unchanged)";
    /// `6281` part of returned data may be corrupted.
    DATA_MAY_BE_CORRUPTED = 0x6281 => "warning: part of the returned data may be corrupted";
    /// `6282` end of file or record reached before reading Ne bytes.
    END_OF_FILE = 0x6282 => "warning: end of file or record reached before reading Ne bytes";
    /// `6283` selected file deactivated (EMV: application blocked, on SELECT).
    FILE_DEACTIVATED = 0x6283 => "warning: selected file deactivated (EMV: application blocked)";
    /// `6284` FCI not formatted according to ISO 7816-4.
    FCI_NOT_FORMATTED = 0x6284 => "warning: file control information not formatted according to ISO 7816-4";
    /// `6285` selected file in termination state.
    FILE_TERMINATED = 0x6285 => "warning: selected file in termination state";
    /// `6286` no input data available from a sensor.
    NO_SENSOR_DATA = 0x6286 => "warning: no input data available from a sensor on the card";
    /// `6300` warning, memory changed, no information (EMV: authentication / PIN failed).
    VERIFICATION_FAILED = 0x6300 => "warning: no information given (memory changed; EMV: verification or authentication failed)";
    /// `6310` more data available (GlobalPlatform GET STATUS).
    MORE_DATA_GP = 0x6310 => "warning: more data available (GlobalPlatform GET STATUS)";
    /// `6381` file filled up by the last write.
    FILE_FILLED = 0x6381 => "warning: file filled up by the last write";
    /// `6400` execution error, memory unchanged.
    EXECUTION_ERROR = 0x6400 => "execution error: no information given (memory unchanged)";
    /// `6401` immediate response required by the card.
    IMMEDIATE_RESPONSE_REQUIRED = 0x6401 => "execution error: immediate response required by the card";
    /// `6500` execution error, memory changed.
    MEMORY_CHANGED_ERROR = 0x6500 => "execution error: no information given (memory changed)";
    /// `6581` memory failure.
    MEMORY_FAILURE = 0x6581 => "execution error: memory failure";
    /// `6600` security-related issue.
    SECURITY_ISSUE = 0x6600 => "security-related issue";
    /// `6700` wrong length.
    WRONG_LENGTH = 0x6700 => "wrong length (Lc or Le)";
    /// `6800` functions in CLA not supported.
    CLA_FUNCTION_NOT_SUPPORTED = 0x6800 => "functions in CLA not supported";
    /// `6881` logical channel not supported.
    CHANNEL_NOT_SUPPORTED = 0x6881 => "logical channel not supported";
    /// `6882` secure messaging not supported.
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882 => "secure messaging not supported";
    /// `6883` last command of the chain expected.
    LAST_COMMAND_EXPECTED = 0x6883 => "last command of the chain expected";
    /// `6884` command chaining not supported.
    CHAINING_NOT_SUPPORTED = 0x6884 => "command chaining not supported";
    /// `6900` command not allowed.
    COMMAND_NOT_ALLOWED = 0x6900 => "command not allowed: no information given";
    /// `6981` command incompatible with file structure.
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981 => "command incompatible with file structure";
    /// `6982` security status not satisfied.
    SECURITY_STATUS_NOT_SATISFIED = 0x6982 => "security status not satisfied";
    /// `6983` authentication method blocked (EMV: PIN try limit exceeded).
    AUTHENTICATION_BLOCKED = 0x6983 => "authentication method blocked (EMV: PIN try limit exceeded)";
    /// `6984` reference data not usable (EMV: referenced data invalidated).
    REFERENCE_DATA_NOT_USABLE = 0x6984 => "reference data not usable (EMV: referenced data invalidated)";
    /// `6985` conditions of use not satisfied (EMV GPO: try the next application).
    CONDITIONS_NOT_SATISFIED = 0x6985 => "conditions of use not satisfied";
    /// `6986` command not allowed, no current EF.
    NO_CURRENT_EF = 0x6986 => "command not allowed (no current EF)";
    /// `6987` expected secure-messaging data objects missing.
    SM_OBJECTS_MISSING = 0x6987 => "expected secure messaging data objects missing";
    /// `6988` incorrect secure-messaging data objects.
    SM_OBJECTS_INCORRECT = 0x6988 => "incorrect secure messaging data objects";
    /// `6999` applet selection failed (Java Card).
    SELECTION_FAILED = 0x6999 => "applet selection failed (Java Card)";
    /// `6A00` wrong parameters P1-P2.
    WRONG_PARAMETERS = 0x6A00 => "wrong parameters P1-P2: no information given";
    /// `6A80` incorrect parameters in the data field.
    WRONG_DATA = 0x6A80 => "incorrect parameters in the command data field";
    /// `6A81` function not supported (EMV: card or application blocked).
    FUNCTION_NOT_SUPPORTED = 0x6A81 => "function not supported (EMV: card or application blocked)";
    /// `6A82` file or application not found.
    NOT_FOUND = 0x6A82 => "file or application not found";
    /// `6A83` record not found (EMV: end of records).
    RECORD_NOT_FOUND = 0x6A83 => "record not found";
    /// `6A84` not enough memory space in the file.
    NOT_ENOUGH_MEMORY = 0x6A84 => "not enough memory space in the file";
    /// `6A85` Nc inconsistent with TLV structure.
    NC_INCONSISTENT_TLV = 0x6A85 => "Nc inconsistent with TLV structure";
    /// `6A86` incorrect parameters P1-P2.
    INCORRECT_P1_P2 = 0x6A86 => "incorrect parameters P1-P2";
    /// `6A87` Nc inconsistent with P1-P2.
    NC_INCONSISTENT_P1_P2 = 0x6A87 => "Nc inconsistent with parameters P1-P2";
    /// `6A88` referenced data or reference data not found.
    REFERENCED_DATA_NOT_FOUND = 0x6A88 => "referenced data or reference data not found";
    /// `6A89` file already exists.
    FILE_EXISTS = 0x6A89 => "file already exists";
    /// `6A8A` DF name already exists.
    DF_NAME_EXISTS = 0x6A8A => "DF name already exists";
    /// `6B00` wrong parameters P1-P2 (offset outside the EF).
    WRONG_P1_P2 = 0x6B00 => "wrong parameters P1-P2 (offset outside the EF)";
    /// `6D00` instruction not supported or invalid.
    INS_NOT_SUPPORTED = 0x6D00 => "instruction code not supported or invalid";
    /// `6E00` class not supported.
    CLA_NOT_SUPPORTED = 0x6E00 => "class not supported";
    /// `6F00` no precise diagnosis.
    UNKNOWN = 0x6F00 => "no precise diagnosis";
}

impl StatusWord {
    /// From SW1 and SW2.
    pub const fn new(sw1: u8, sw2: u8) -> Self {
        StatusWord(((sw1 as u16) << 8) | sw2 as u16)
    }
    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.0 as u8
    }
    /// The two bytes, SW1 first.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
    /// `9000` or `61xx`: the command completed normally.
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }
    /// `62xx` or `63xx`: completed with a warning.
    pub const fn is_warning(self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }
    /// `64xx`–`6Fxx` (and anything not success or warning).
    pub const fn is_error(self) -> bool {
        !self.is_success() && !self.is_warning()
    }

    /// The status grouped for matching, with the counts of `61xx`, `6Cxx` and `63Cx` decoded.
    pub const fn status(self) -> Status {
        let (sw1, sw2) = (self.sw1(), self.sw2());
        match sw1 {
            0x90 if sw2 == 0 => Status::Success,
            0x61 => Status::MoreData(if sw2 == 0 { 256 } else { sw2 as usize }),
            0x6C => Status::WrongLe(if sw2 == 0 { 256 } else { sw2 as usize }),
            0x63 if sw2 & 0xF0 == 0xC0 => Status::Counter(sw2 & 0x0F),
            0x62 => Status::WarningUnchanged,
            0x63 => Status::WarningChanged,
            0x64 => Status::ExecutionErrorUnchanged,
            0x65 => Status::ExecutionErrorChanged,
            0x66 => Status::SecurityError,
            0x67..=0x6F => Status::CheckingError,
            _ => Status::Other,
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

impl fmt::Display for StatusWord {
    /// `6A82: file or application not found`, `61 10: 16 more bytes available`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}: ", self.0)?;
        if let Some(text) = fixed_meaning(self.0) {
            return f.write_str(text);
        }
        let (sw1, sw2) = (self.sw1(), self.sw2());
        match self.status() {
            Status::MoreData(n) => {
                if sw2 == 0 {
                    f.write_str("256 or more bytes available (GET RESPONSE)")
                } else {
                    write!(f, "{n} more bytes available (GET RESPONSE)")
                }
            }
            Status::WrongLe(n) => write!(f, "wrong Le: resend with Le = {n}"),
            Status::Counter(n) => {
                write!(f, "warning: counter {n} (EMV VERIFY: {n} PIN tries left)")
            }
            Status::WarningUnchanged if (0x02..=0x80).contains(&sw2) => {
                f.write_str("warning: triggering by the card (memory unchanged)")
            }
            Status::WarningUnchanged => f.write_str("warning (memory unchanged)"),
            Status::WarningChanged => f.write_str("warning (memory changed)"),
            Status::ExecutionErrorUnchanged if (0x02..=0x80).contains(&sw2) => {
                f.write_str("execution error: triggering by the card (memory unchanged)")
            }
            Status::ExecutionErrorUnchanged => f.write_str("execution error (memory unchanged)"),
            Status::ExecutionErrorChanged => f.write_str("execution error (memory changed)"),
            Status::SecurityError => f.write_str("security-related issue"),
            Status::CheckingError => match sw1 {
                0x67 => f.write_str("wrong length"),
                0x68 => f.write_str("functions in CLA not supported"),
                0x69 => f.write_str("command not allowed"),
                0x6A | 0x6B => f.write_str("wrong parameters P1-P2"),
                0x6D => f.write_str("instruction code not supported or invalid"),
                0x6E => f.write_str("class not supported"),
                _ => f.write_str("no precise diagnosis"),
            },
            Status::Success => f.write_str("success"),
            Status::Other if sw1 & 0xF0 == 0x90 => f.write_str("proprietary status"),
            Status::Other => f.write_str("not a valid ISO 7816-4 status word"),
        }
    }
}

impl From<[u8; 2]> for StatusWord {
    fn from(b: [u8; 2]) -> Self {
        StatusWord(u16::from_be_bytes(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn groups() {
        assert_eq!(StatusWord::SUCCESS.status(), Status::Success);
        assert_eq!(StatusWord(0x61FF).status(), Status::MoreData(255));
        assert_eq!(StatusWord(0x6C32).status(), Status::WrongLe(0x32));
        assert_eq!(StatusWord(0x63C0).status(), Status::Counter(0));
        assert_eq!(StatusWord(0x6283).status(), Status::WarningUnchanged);
        assert_eq!(StatusWord(0x6300).status(), Status::WarningChanged);
        assert_eq!(StatusWord(0x6A82).status(), Status::CheckingError);
        assert_eq!(StatusWord(0x9001).status(), Status::Other);
        assert!(StatusWord(0x6110).is_success());
        assert!(StatusWord(0x6283).is_warning());
        assert!(StatusWord(0x6985).is_error());
    }

    #[test]
    fn display_explains() {
        let cases = [
            (0x9000, "9000: success"),
            (0x6110, "6110: 16 more bytes available (GET RESPONSE)"),
            (0x6100, "6100: 256 or more bytes available (GET RESPONSE)"),
            (0x6C32, "6C32: wrong Le: resend with Le = 50"),
            (
                0x63C2,
                "63C2: warning: counter 2 (EMV VERIFY: 2 PIN tries left)",
            ),
            (0x6A82, "6A82: file or application not found"),
            (
                0x6283,
                "6283: warning: selected file deactivated (EMV: application blocked)",
            ),
            (0x6985, "6985: conditions of use not satisfied"),
            (0x6D00, "6D00: instruction code not supported or invalid"),
            (0x6E00, "6E00: class not supported"),
            (0x6A99, "6A99: wrong parameters P1-P2"),
            (0x9123, "9123: proprietary status"),
            (0x1234, "1234: not a valid ISO 7816-4 status word"),
        ];
        for (sw, text) in cases {
            assert_eq!(format!("{}", StatusWord(sw)), text);
        }
    }

    #[test]
    fn bytes() {
        let sw = StatusWord::new(0x6A, 0x82);
        assert_eq!(sw, StatusWord::NOT_FOUND);
        assert_eq!(sw.to_bytes(), [0x6A, 0x82]);
        assert_eq!(StatusWord::from([0x90, 0x00]), StatusWord::SUCCESS);
    }
}
