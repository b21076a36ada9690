//! The Type 4 Tag Capability Container (file E103): mapping version, MLe, MLc and the NDEF File
//! Control TLV (T=04, L=06, mapping 2.0) or the Extended NDEF File Control TLV (T=06, L=08,
//! mapping 3.0). Parsing needs no transport, so it is always available.

use alloc::vec::Vec;

use crate::error::{Error, Result};

/// The CC file identifier.
pub const CC_FILE_ID: u16 = 0xE103;

/// Access byte meaning "granted without security".
pub const ACCESS_GRANTED: u8 = 0x00;
/// Access byte meaning "no access".
pub const ACCESS_NONE: u8 = 0xFF;

/// The NDEF File Control TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NdefFileControl {
    /// The NDEF file identifier (e.g. E104).
    pub file_id: u16,
    /// Maximum NDEF file size, the (E)NLEN field included.
    pub max_size: u32,
    /// Read access (00 granted, 80..FE proprietary, FF none).
    pub read_access: u8,
    /// Write access (00 granted, 80..FE proprietary, FF none).
    pub write_access: u8,
}

/// A Capability Container.
///
/// ```
/// use mpay_nfc_ndef::cc::CapabilityContainer;
/// // nfcpy's test tag: mapping 2.0, MLe 59, MLc 52, NDEF file E104 of 64 octets, read/write granted
/// let cc = CapabilityContainer::parse(&hex::decode("000f20003b00340406e10400400000").unwrap()).unwrap();
/// assert_eq!((cc.mle, cc.mlc, cc.ndef_file.file_id, cc.capacity()), (59, 52, 0xE104, 62));
/// assert_eq!(hex::encode(cc.encode()), "000f20003b00340406e10400400000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CapabilityContainer {
    /// Mapping version, `major << 4 | minor` (0x20 or 0x30).
    pub mapping_version: u8,
    /// Maximum R-APDU data size (READ BINARY Le).
    pub mle: u16,
    /// Maximum C-APDU data size (UPDATE BINARY Lc).
    pub mlc: u16,
    /// The NDEF file.
    pub ndef_file: NdefFileControl,
    /// True for the Extended NDEF File Control TLV (T=06, 4-octet ENLEN in the NDEF file).
    pub extended: bool,
}

fn bad(offset: usize, reason: &'static str) -> Error {
    Error::CapabilityContainer { offset, reason }
}

impl CapabilityContainer {
    /// A mapping 2.0 CC for an NDEF file `file_id` of `max_size` octets, read/write granted.
    pub fn new(file_id: u16, max_size: u16, mle: u16, mlc: u16) -> Self {
        CapabilityContainer {
            mapping_version: 0x20,
            mle,
            mlc,
            ndef_file: NdefFileControl {
                file_id,
                max_size: u32::from(max_size),
                read_access: ACCESS_GRANTED,
                write_access: ACCESS_GRANTED,
            },
            extended: false,
        }
    }

    /// Parses a CC file (its first CCLEN octets; octets after CCLEN are ignored). MLe values
    /// below the specification's minimum of 000F are accepted (emulators use them); 0 is not.
    pub fn parse(data: &[u8]) -> Result<Self> {
        if data.len() < 7 {
            return Err(bad(
                data.len(),
                "shorter than CCLEN, mapping version, MLe and MLc",
            ));
        }
        let cclen = usize::from(u16::from_be_bytes([data[0], data[1]]));
        if cclen < 15 {
            return Err(bad(0, "CCLEN below 15"));
        }
        if cclen > data.len() {
            return Err(bad(0, "CCLEN exceeds the data"));
        }
        let data = &data[..cclen];
        let mapping_version = data[2];
        if !(1..=3).contains(&(mapping_version >> 4)) {
            return Err(bad(2, "unsupported mapping major version"));
        }
        let mle = u16::from_be_bytes([data[3], data[4]]);
        let mlc = u16::from_be_bytes([data[5], data[6]]);
        if mle == 0 {
            return Err(bad(3, "MLe is 0"));
        }
        if mlc == 0 {
            return Err(bad(5, "MLc is 0"));
        }
        let (t, l) = (data[7], data[8]);
        let v = &data[9..];
        let (extended, file_id, max_size, read_access, write_access) = match (t, l) {
            (0x04, 0x06) if v.len() >= 6 => (
                false,
                u16::from_be_bytes([v[0], v[1]]),
                u32::from(u16::from_be_bytes([v[2], v[3]])),
                v[4],
                v[5],
            ),
            (0x06, 0x08) if v.len() >= 8 => (
                true,
                u16::from_be_bytes([v[0], v[1]]),
                u32::from_be_bytes([v[2], v[3], v[4], v[5]]),
                v[6],
                v[7],
            ),
            (0x04 | 0x06, _) => {
                return Err(bad(
                    8,
                    "NDEF File Control TLV length does not match its tag",
                ));
            }
            _ => {
                return Err(bad(
                    7,
                    "first TLV is not an NDEF File Control TLV (04 or 06)",
                ));
            }
        };
        if matches!(file_id, 0x0000 | 0xE102 | 0xE103 | 0x3F00 | 0x3FFF | 0xFFFF) {
            return Err(bad(9, "reserved NDEF file identifier"));
        }
        let nlen = if extended { 4 } else { 2 };
        if max_size < nlen + 1 {
            return Err(bad(11, "maximum NDEF file size too small"));
        }
        Ok(CapabilityContainer {
            mapping_version,
            mle,
            mlc,
            ndef_file: NdefFileControl {
                file_id,
                max_size,
                read_access,
                write_access,
            },
            extended,
        })
    }

    /// Encodes the CC file.
    pub fn encode(&self) -> Vec<u8> {
        let f = &self.ndef_file;
        let mut out = Vec::with_capacity(17);
        let cclen: u16 = if self.extended { 17 } else { 15 };
        out.extend_from_slice(&cclen.to_be_bytes());
        out.push(self.mapping_version);
        out.extend_from_slice(&self.mle.to_be_bytes());
        out.extend_from_slice(&self.mlc.to_be_bytes());
        if self.extended {
            out.extend_from_slice(&[0x06, 0x08]);
            out.extend_from_slice(&f.file_id.to_be_bytes());
            out.extend_from_slice(&f.max_size.to_be_bytes());
        } else {
            out.extend_from_slice(&[0x04, 0x06]);
            out.extend_from_slice(&f.file_id.to_be_bytes());
            out.extend_from_slice(&(f.max_size.min(0xFFFF) as u16).to_be_bytes());
        }
        out.push(f.read_access);
        out.push(f.write_access);
        out
    }

    /// Size of the (E)NLEN field: 4 with the extended TLV, else 2.
    pub const fn nlen_size(&self) -> usize {
        if self.extended { 4 } else { 2 }
    }

    /// Largest NDEF message the file holds.
    pub const fn capacity(&self) -> usize {
        (self.ndef_file.max_size as usize).saturating_sub(self.nlen_size())
    }

    /// Read access is granted.
    pub const fn readable(&self) -> bool {
        self.ndef_file.read_access == ACCESS_GRANTED
    }

    /// Write access is granted.
    pub const fn writable(&self) -> bool {
        self.ndef_file.write_access == ACCESS_GRANTED
    }
}
