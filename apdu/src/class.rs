//! The class byte (CLA), ISO 7816-4 §5.4.1.
//!
//! | CLA bits | kind | chaining | secure messaging | channel |
//! |---|---|---|---|---|
//! | `000x xxxx` | first interindustry | b5 | b4 b3 | b2 b1 (0–3) |
//! | `01xx xxxx` | further interindustry | b5 | b6 | 4 + b4..b1 (4–19) |
//! | `001x xxxx` | reserved for future use | – | – | – |
//! | `1xxx xxxx` (not `FF`) | proprietary | as interindustry | as interindustry | as interindustry |
//! | `FF` | invalid | – | – | – |
//!
//! Proprietary classes (`80`, `84`, `8C`, `C0`…) are kept as they are. EMV (Book 3 §6.3.2) and
//! GlobalPlatform code their low bits like the interindustry classes (`84` = secure messaging on
//! the basic channel, `81` = channel 1, `C1` = channel 5), so [`Class::channel`],
//! [`Class::secure_messaging`] and [`Class::is_chained`] read them that way.

use core::fmt;

use crate::Error;

/// Which family a class byte belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    /// `000x xxxx`: channels 0–3, two secure-messaging bits.
    FirstInterindustry,
    /// `01xx xxxx`: channels 4–19, one secure-messaging bit.
    FurtherInterindustry,
    /// `001x xxxx`: reserved for future use.
    Reserved,
    /// `1xxx xxxx` except `FF`: proprietary (EMV and GlobalPlatform `8x`, `Cx`).
    Proprietary,
    /// `FF`: not a valid class (used by PPS).
    Invalid,
}

/// Secure-messaging indication of a class byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecureMessaging {
    /// No secure messaging.
    None,
    /// Proprietary secure messaging (first interindustry b4 b3 = 01).
    Proprietary,
    /// ISO secure messaging, command header not processed (b4 b3 = 10, or further interindustry b6).
    HeaderNotAuthenticated,
    /// ISO secure messaging, command header authenticated (b4 b3 = 11).
    HeaderAuthenticated,
}

/// The CLA byte, decoded on demand; the raw byte is always kept.
///
/// ```
/// use mpay_apdu::{Class, ClassKind, SecureMessaging};
/// let cla = Class(0x84); // EMV issuer script: proprietary class, EMV (proprietary) secure messaging
/// assert_eq!(cla.kind(), ClassKind::Proprietary);
/// assert_eq!(cla.secure_messaging(), SecureMessaging::Proprietary);
/// assert_eq!(cla.channel(), Some(0));
/// let further = Class(0x00).with_channel(7)?.with_chaining(true)?;
/// assert_eq!(further.0, 0x53);
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class(pub u8);

impl Class {
    /// Which family the byte belongs to.
    pub const fn kind(self) -> ClassKind {
        match self.0 {
            0xFF => ClassKind::Invalid,
            b if b & 0x80 != 0 => ClassKind::Proprietary,
            b if b & 0xE0 == 0x00 => ClassKind::FirstInterindustry,
            b if b & 0xC0 == 0x40 => ClassKind::FurtherInterindustry,
            _ => ClassKind::Reserved,
        }
    }

    /// The low 7 bits as an interindustry class, `None` for `FF` and the RFU range.
    const fn interindustry(self) -> Option<u8> {
        match self.kind() {
            ClassKind::Invalid | ClassKind::Reserved => None,
            _ => {
                let b = self.0 & 0x7F;
                if b & 0xE0 == 0x20 { None } else { Some(b) }
            }
        }
    }

    /// Whether the byte is proprietary (b8 set, not `FF`).
    pub const fn is_proprietary(self) -> bool {
        matches!(self.kind(), ClassKind::Proprietary)
    }

    /// The logical channel (0–19), `None` when the class does not code one.
    pub const fn channel(self) -> Option<u8> {
        match self.interindustry() {
            Some(b) if b & 0x40 == 0 => Some(b & 0x03),
            Some(b) => Some(4 + (b & 0x0F)),
            None => None,
        }
    }

    /// Whether b5 says "not the last command of a chain".
    pub const fn is_chained(self) -> bool {
        match self.interindustry() {
            Some(b) => b & 0x10 != 0,
            None => false,
        }
    }

    /// The secure-messaging indication.
    pub const fn secure_messaging(self) -> SecureMessaging {
        match self.interindustry() {
            Some(b) if b & 0x40 == 0 => match (b >> 2) & 0x03 {
                0 => SecureMessaging::None,
                1 => SecureMessaging::Proprietary,
                2 => SecureMessaging::HeaderNotAuthenticated,
                _ => SecureMessaging::HeaderAuthenticated,
            },
            Some(b) if b & 0x20 != 0 => SecureMessaging::HeaderNotAuthenticated,
            _ => SecureMessaging::None,
        }
    }

    fn recodable(self) -> Result<u8, Error> {
        self.interindustry().ok_or(Error::InvalidClass {
            cla: self.0,
            reason: "invalid or reserved class",
        })
    }

    /// The same class with b5 (command chaining) set or cleared.
    pub fn with_chaining(self, chained: bool) -> Result<Self, Error> {
        self.recodable()?;
        Ok(Class(if chained {
            self.0 | 0x10
        } else {
            self.0 & !0x10
        }))
    }

    /// The same class moved to logical `channel` (0–19), switching between the first and the
    /// further interindustry coding as needed and keeping chaining, secure messaging and the
    /// proprietary bit. Secure messaging that the further coding cannot express
    /// (proprietary, header authenticated) makes channels 4–19 an error.
    pub fn with_channel(self, channel: u8) -> Result<Self, Error> {
        let b = self.recodable()?;
        if channel > 19 {
            return Err(Error::ChannelOutOfRange { channel });
        }
        let high = self.0 & 0x80;
        let chain = b & 0x10;
        let sm = self.secure_messaging();
        let low = if channel < 4 {
            let sm_bits = match sm {
                SecureMessaging::None => 0,
                SecureMessaging::Proprietary => 0x04,
                SecureMessaging::HeaderNotAuthenticated => 0x08,
                SecureMessaging::HeaderAuthenticated => 0x0C,
            };
            chain | sm_bits | channel
        } else {
            let sm_bit = match sm {
                SecureMessaging::None => 0,
                SecureMessaging::HeaderNotAuthenticated => 0x20,
                _ => {
                    return Err(Error::InvalidClass {
                        cla: self.0,
                        reason: "this secure messaging cannot be coded on channels 4-19",
                    });
                }
            };
            0x40 | sm_bit | chain | (channel - 4)
        };
        let cla = high | low;
        if cla == 0xFF {
            return Err(Error::InvalidClass {
                cla: self.0,
                reason: "recoding would give FF",
            });
        }
        Ok(Class(cla))
    }
}

impl fmt::Debug for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Class({:02X})", self.0)
    }
}

impl fmt::Display for Class {
    /// `84 (proprietary, channel 0, secure messaging (header not authenticated))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} (", self.0)?;
        match self.kind() {
            ClassKind::Invalid => return f.write_str("invalid)"),
            ClassKind::Reserved => return f.write_str("reserved for future use)"),
            ClassKind::FirstInterindustry => f.write_str("interindustry")?,
            ClassKind::FurtherInterindustry => f.write_str("further interindustry")?,
            ClassKind::Proprietary => f.write_str("proprietary")?,
        }
        if let Some(ch) = self.channel() {
            write!(f, ", channel {ch}")?;
        }
        if self.is_chained() {
            f.write_str(", chained")?;
        }
        match self.secure_messaging() {
            SecureMessaging::None => {}
            SecureMessaging::Proprietary => f.write_str(", proprietary secure messaging")?,
            SecureMessaging::HeaderNotAuthenticated => {
                f.write_str(", secure messaging (header not authenticated)")?
            }
            SecureMessaging::HeaderAuthenticated => {
                f.write_str(", secure messaging (header authenticated)")?
            }
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(Class(0x00).kind(), ClassKind::FirstInterindustry);
        assert_eq!(Class(0x1F).kind(), ClassKind::FirstInterindustry);
        assert_eq!(Class(0x20).kind(), ClassKind::Reserved);
        assert_eq!(Class(0x3F).kind(), ClassKind::Reserved);
        assert_eq!(Class(0x40).kind(), ClassKind::FurtherInterindustry);
        assert_eq!(Class(0x7F).kind(), ClassKind::FurtherInterindustry);
        assert_eq!(Class(0x80).kind(), ClassKind::Proprietary);
        assert_eq!(Class(0xFE).kind(), ClassKind::Proprietary);
        assert_eq!(Class(0xFF).kind(), ClassKind::Invalid);
    }

    #[test]
    fn first_interindustry_bits() {
        let c = Class(0x1F);
        assert_eq!(c.channel(), Some(3));
        assert!(c.is_chained());
        assert_eq!(c.secure_messaging(), SecureMessaging::HeaderAuthenticated);
        assert_eq!(Class(0x04).secure_messaging(), SecureMessaging::Proprietary);
        assert_eq!(
            Class(0x08).secure_messaging(),
            SecureMessaging::HeaderNotAuthenticated
        );
        assert_eq!(Class(0x00).secure_messaging(), SecureMessaging::None);
        assert!(!Class(0x0F).is_chained());
    }

    #[test]
    fn further_interindustry_bits() {
        assert_eq!(Class(0x40).channel(), Some(4));
        assert_eq!(Class(0x4F).channel(), Some(19));
        assert!(Class(0x50).is_chained());
        assert_eq!(
            Class(0x60).secure_messaging(),
            SecureMessaging::HeaderNotAuthenticated
        );
        assert_eq!(Class(0x40).secure_messaging(), SecureMessaging::None);
    }

    #[test]
    fn proprietary_kept_and_read_like_interindustry() {
        let c = Class(0x84);
        assert!(c.is_proprietary());
        assert_eq!(c.0, 0x84);
        assert_eq!(c.channel(), Some(0));
        // b4 b3 = 01: a secure-messaging format of its own (EMV's, GlobalPlatform's SCP).
        assert_eq!(c.secure_messaging(), SecureMessaging::Proprietary);
        assert_eq!(
            Class(0x8C).secure_messaging(),
            SecureMessaging::HeaderAuthenticated
        );
        assert_eq!(Class(0x80).secure_messaging(), SecureMessaging::None);
        assert_eq!(Class(0xC1).channel(), Some(5));
        assert!(Class(0x90).is_chained());
        // 0xA0..0xBF: proprietary whose low bits are in the RFU range: nothing decoded.
        assert_eq!(Class(0xA0).channel(), None);
    }

    #[test]
    fn invalid_and_reserved_decode_nothing() {
        for b in [0xFFu8, 0x20, 0x3F] {
            let c = Class(b);
            assert_eq!(c.channel(), None);
            assert!(!c.is_chained());
            assert_eq!(c.secure_messaging(), SecureMessaging::None);
            assert!(c.with_chaining(true).is_err());
            assert!(c.with_channel(1).is_err());
        }
    }

    #[test]
    fn recoding_channels() {
        assert_eq!(Class(0x00).with_channel(3).unwrap().0, 0x03);
        assert_eq!(Class(0x00).with_channel(4).unwrap().0, 0x40);
        assert_eq!(Class(0x00).with_channel(19).unwrap().0, 0x4F);
        assert_eq!(Class(0x10).with_channel(5).unwrap().0, 0x51);
        assert_eq!(Class(0x08).with_channel(4).unwrap().0, 0x60);
        assert_eq!(Class(0x60).with_channel(0).unwrap().0, 0x08);
        assert_eq!(Class(0x84).with_channel(1).unwrap().0, 0x85);
        assert_eq!(Class(0x80).with_channel(4).unwrap().0, 0xC0);
        assert_eq!(
            Class(0x00).with_channel(20),
            Err(Error::ChannelOutOfRange { channel: 20 })
        );
        assert!(Class(0x0C).with_channel(4).is_err());
        assert!(Class(0x04).with_channel(4).is_err());
        // Every valid channel round-trips.
        for ch in 0..20 {
            assert_eq!(Class(0x00).with_channel(ch).unwrap().channel(), Some(ch));
            assert_eq!(Class(0x80).with_channel(ch).unwrap().channel(), Some(ch));
        }
    }

    #[test]
    fn chaining_bit() {
        assert_eq!(Class(0x00).with_chaining(true).unwrap().0, 0x10);
        assert_eq!(Class(0x90).with_chaining(false).unwrap().0, 0x80);
        assert_eq!(Class(0x4F).with_chaining(true).unwrap().0, 0x5F);
    }

    #[test]
    fn display() {
        assert_eq!(
            alloc::format!("{}", Class(0x84)),
            "84 (proprietary, channel 0, proprietary secure messaging)"
        );
        assert_eq!(
            alloc::format!("{}", Class(0x51)),
            "51 (further interindustry, channel 5, chained)"
        );
        assert_eq!(alloc::format!("{}", Class(0xFF)), "FF (invalid)");
    }
}
