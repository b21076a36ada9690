//! CRC-16/CCITT-FALSE (ISO/IEC 13239: polynomial 0x1021, initial value 0xFFFF, no reflection, no
//! final XOR), the checksum in object `63` of every EMVCo merchant-presented payload.

use ::crc::{CRC_16_IBM_3740, Crc, Table};

// Slice-by-16 tables: the CRC runs over every payload byte on each parse.
const CCITT_FALSE: Crc<u16, Table<16>> = Crc::<u16, Table<16>>::new(&CRC_16_IBM_3740);

/// CRC-16/CCITT-FALSE of `bytes`.
///
/// ```
/// assert_eq!(mpay_qr_payment::crc::crc16(b"123456789"), 0x29B1);
/// ```
pub fn crc16(bytes: &[u8]) -> u16 {
    CCITT_FALSE.checksum(bytes)
}

/// The four upper-case hex digits that object `63` carries for `crc`.
///
/// ```
/// assert_eq!(&mpay_qr_payment::crc::to_hex(0xa13a), b"A13A");
/// ```
pub fn to_hex(crc: u16) -> [u8; 4] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    [
        DIGITS[usize::from(crc >> 12)],
        DIGITS[usize::from((crc >> 8) & 0xF)],
        DIGITS[usize::from((crc >> 4) & 0xF)],
        DIGITS[usize::from(crc & 0xF)],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc16(b""), 0xFFFF);
        assert_eq!(&to_hex(0x0F1E), b"0F1E");
    }
}
