//! Instruction bytes (INS) of ISO 7816-4, EMV and GlobalPlatform, with their names.
//!
//! Interindustry instructions are named for any class; EMV and GlobalPlatform instructions only
//! for proprietary classes (`8x`, `Cx`, …), where those specifications define them.

/// SELECT (ISO 7816-4).
pub const SELECT: u8 = 0xA4;
/// GET RESPONSE (ISO 7816-4).
pub const GET_RESPONSE: u8 = 0xC0;
/// MANAGE CHANNEL (ISO 7816-4).
pub const MANAGE_CHANNEL: u8 = 0x70;
/// READ BINARY (ISO 7816-4).
pub const READ_BINARY: u8 = 0xB0;
/// UPDATE BINARY (ISO 7816-4).
pub const UPDATE_BINARY: u8 = 0xD6;
/// READ RECORD (ISO 7816-4).
pub const READ_RECORD: u8 = 0xB2;
/// VERIFY (ISO 7816-4; EMV offline PIN).
pub const VERIFY: u8 = 0x20;
/// GET DATA (ISO 7816-4; EMV with CLA 80).
pub const GET_DATA: u8 = 0xCA;
/// GET CHALLENGE (ISO 7816-4).
pub const GET_CHALLENGE: u8 = 0x84;
/// INTERNAL AUTHENTICATE (ISO 7816-4; EMV DDA).
pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
/// EXTERNAL AUTHENTICATE (ISO 7816-4; EMV issuer authentication).
pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
/// GET PROCESSING OPTIONS (EMV, CLA 80).
pub const GET_PROCESSING_OPTIONS: u8 = 0xA8;
/// GENERATE APPLICATION CRYPTOGRAM (EMV, CLA 80).
pub const GENERATE_AC: u8 = 0xAE;
/// COMPUTE CRYPTOGRAPHIC CHECKSUM (EMV Mastercard contactless, CLA 80).
pub const COMPUTE_CRYPTOGRAPHIC_CHECKSUM: u8 = 0x2A;

/// Interindustry instruction names (ISO 7816-4:2013 Table 4 and ISO 7816-8/9).
fn interindustry(ins: u8) -> Option<&'static str> {
    Some(match ins {
        0x04 => "DEACTIVATE FILE",
        0x0C => "ERASE RECORD",
        0x0E => "ERASE BINARY",
        0x10 => "PERFORM SCQL OPERATION",
        0x12 => "PERFORM TRANSACTION OPERATION",
        0x14 => "PERFORM USER OPERATION",
        0x20 => "VERIFY",
        0x21 => "VERIFY",
        0x22 => "MANAGE SECURITY ENVIRONMENT",
        0x24 => "CHANGE REFERENCE DATA",
        0x26 => "DISABLE VERIFICATION REQUIREMENT",
        0x28 => "ENABLE VERIFICATION REQUIREMENT",
        0x2A => "PERFORM SECURITY OPERATION",
        0x2C => "RESET RETRY COUNTER",
        0x44 => "ACTIVATE FILE",
        0x46 => "GENERATE ASYMMETRIC KEY PAIR",
        0x70 => "MANAGE CHANNEL",
        0x82 => "EXTERNAL AUTHENTICATE",
        0x84 => "GET CHALLENGE",
        0x86 | 0x87 => "GENERAL AUTHENTICATE",
        0x88 => "INTERNAL AUTHENTICATE",
        0xA0 | 0xA1 => "SEARCH BINARY",
        0xA2 => "SEARCH RECORD",
        0xA4 => "SELECT",
        0xB0 | 0xB1 => "READ BINARY",
        0xB2 | 0xB3 => "READ RECORD",
        0xC0 => "GET RESPONSE",
        0xC2 | 0xC3 => "ENVELOPE",
        0xCA | 0xCB => "GET DATA",
        0xD0 | 0xD1 => "WRITE BINARY",
        0xD2 => "WRITE RECORD",
        0xD6 | 0xD7 => "UPDATE BINARY",
        0xDA | 0xDB => "PUT DATA",
        0xDC | 0xDD => "UPDATE RECORD",
        0xE0 => "CREATE FILE",
        0xE2 => "APPEND RECORD",
        0xE4 => "DELETE FILE",
        0xE6 => "TERMINATE DF",
        0xE8 => "TERMINATE EF",
        0xFE => "TERMINATE CARD USAGE",
        _ => return None,
    })
}

/// Names defined by EMV (Books 3, 4 and the contactless kernels) and GlobalPlatform Card
/// Specification 2.3 for proprietary classes.
fn proprietary(ins: u8) -> Option<&'static str> {
    Some(match ins {
        0x1E => "APPLICATION BLOCK",
        0x18 => "APPLICATION UNBLOCK",
        0x16 => "CARD BLOCK",
        0x24 => "PIN CHANGE/UNBLOCK",
        0x2A => "COMPUTE CRYPTOGRAPHIC CHECKSUM",
        0x50 => "INITIALIZE UPDATE",
        0x82 => "EXTERNAL AUTHENTICATE",
        0xA8 => "GET PROCESSING OPTIONS",
        0xAE => "GENERATE AC",
        0xCA => "GET DATA",
        0xD8 => "PUT KEY",
        0xDA => "PUT DATA",
        0xE2 => "STORE DATA",
        0xE4 => "DELETE",
        0xE6 => "INSTALL",
        0xE8 => "LOAD",
        0xF0 => "SET STATUS",
        0xF2 => "GET STATUS",
        _ => return None,
    })
}

/// The instruction's name for this class, if known.
///
/// ```
/// use mpay_apdu::ins;
/// assert_eq!(ins::name(0x00, 0xA4), Some("SELECT"));
/// assert_eq!(ins::name(0x80, 0xAE), Some("GENERATE AC"));
/// assert_eq!(ins::name(0x84, 0x1E), Some("APPLICATION BLOCK"));
/// assert_eq!(ins::name(0x00, 0xAE), None);
/// ```
pub fn name(cla: u8, ins: u8) -> Option<&'static str> {
    if cla & 0x80 != 0 && cla != 0xFF {
        proprietary(ins).or_else(|| interindustry(ins))
    } else {
        interindustry(ins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name(0x00, GET_RESPONSE), Some("GET RESPONSE"));
        assert_eq!(
            name(0x80, GET_PROCESSING_OPTIONS),
            Some("GET PROCESSING OPTIONS")
        );
        assert_eq!(name(0x00, GET_PROCESSING_OPTIONS), None);
        assert_eq!(name(0x80, SELECT), Some("SELECT"));
        assert_eq!(name(0x80, 0x2A), Some("COMPUTE CRYPTOGRAPHIC CHECKSUM"));
        assert_eq!(name(0x00, 0x2A), Some("PERFORM SECURITY OPERATION"));
        assert_eq!(name(0xFF, 0xAE), None);
    }
}
