//! Connection Handover (NFC Forum CH 1.2/1.3): the Handover Request (`Hr`), Select (`Hs`) and
//! Carrier (`Hc`) records and the local records inside them: Alternative Carrier (`ac`),
//! Collision Resolution (`cr`) and Error (`err`).

use alloc::vec::Vec;

use crate::error::{Error, Field, Result};
use crate::message::{DecodeOptions, Message, Mode};
use crate::record::{Record, Tnf};

/// Handover version 1.2 (`major << 4 | minor`).
pub const VERSION_1_2: u8 = 0x12;
/// Handover version 1.3, the default.
pub const VERSION_1_3: u8 = 0x13;

fn bad(record: &'static str, offset: usize, reason: &'static str) -> Error {
    Error::InvalidPayload {
        record,
        field: Field::Payload,
        offset,
        reason,
    }
}

/// Carrier Power State of an alternative carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerState {
    /// 0
    Inactive,
    /// 1
    Active,
    /// 2
    Activating,
    /// 3
    Unknown,
}

impl PowerState {
    const fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => PowerState::Inactive,
            1 => PowerState::Active,
            2 => PowerState::Activating,
            _ => PowerState::Unknown,
        }
    }
}

/// An Alternative Carrier record (`ac`).
///
/// ```
/// use mpay_nfc_ndef::wkt::handover::{AlternativeCarrier, PowerState};
/// let ac = AlternativeCarrier { power_state: PowerState::Active, carrier_data_reference: b"0".to_vec(), auxiliary_data_references: vec![b"a".to_vec()] };
/// assert_eq!(ac.payload().unwrap(), [1, 1, b'0', 1, 1, b'a']);
/// assert_eq!(AlternativeCarrier::decode(&ac.payload().unwrap(), mpay_nfc_ndef::Mode::Strict).unwrap(), ac);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlternativeCarrier {
    /// The carrier power state.
    pub power_state: PowerState,
    /// The ID of the carrier configuration record.
    pub carrier_data_reference: Vec<u8>,
    /// IDs of auxiliary data records.
    pub auxiliary_data_references: Vec<Vec<u8>>,
}

impl AlternativeCarrier {
    /// Decodes an `ac` payload (strict: no octets may follow).
    pub fn decode(payload: &[u8], mode: Mode) -> Result<Self> {
        let cps = *payload
            .first()
            .ok_or_else(|| bad("Alternative Carrier", 0, "payload is empty"))?;
        let mut pos = 1;
        let take_ref = |pos: &mut usize| -> Result<Vec<u8>> {
            let n = usize::from(*payload.get(*pos).ok_or_else(|| {
                bad("Alternative Carrier", *pos, "missing data reference length")
            })?);
            let r = payload.get(*pos + 1..*pos + 1 + n).ok_or_else(|| {
                bad(
                    "Alternative Carrier",
                    *pos,
                    "data reference exceeds payload",
                )
            })?;
            *pos += 1 + n;
            Ok(r.to_vec())
        };
        let carrier_data_reference = take_ref(&mut pos)?;
        let count = *payload.get(pos).ok_or_else(|| {
            bad(
                "Alternative Carrier",
                pos,
                "missing auxiliary data reference count",
            )
        })?;
        pos += 1;
        let mut auxiliary_data_references = Vec::new();
        for _ in 0..count {
            auxiliary_data_references.push(take_ref(&mut pos)?);
        }
        if mode == Mode::Strict && pos != payload.len() {
            return Err(bad(
                "Alternative Carrier",
                pos,
                "octets left after the last field",
            ));
        }
        Ok(AlternativeCarrier {
            power_state: PowerState::from_bits(cps),
            carrier_data_reference,
            auxiliary_data_references,
        })
    }

    /// Encodes the payload.
    pub fn payload(&self) -> Result<Vec<u8>> {
        let long = |r: &Vec<u8>| r.len() > 255;
        if long(&self.carrier_data_reference) || self.auxiliary_data_references.iter().any(long) {
            return Err(Error::FieldTooLong {
                field: Field::Named("data reference"),
                len: 256,
                max: 255,
            });
        }
        if self.auxiliary_data_references.len() > 255 {
            return Err(Error::FieldTooLong {
                field: Field::Named("auxiliary data references"),
                len: self.auxiliary_data_references.len(),
                max: 255,
            });
        }
        let mut out = alloc::vec![
            self.power_state as u8,
            self.carrier_data_reference.len() as u8
        ];
        out.extend_from_slice(&self.carrier_data_reference);
        out.push(self.auxiliary_data_references.len() as u8);
        for r in &self.auxiliary_data_references {
            out.push(r.len() as u8);
            out.extend_from_slice(r);
        }
        Ok(out)
    }

    /// The `ac` record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(&b"ac"[..], self.payload()?))
    }
}

/// An Error record (`err`) of a Handover Select.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HandoverError {
    /// The reason: 1 temporary memory constraints, 2 permanent memory constraints, 3 carrier
    /// specific constraints; 0 is reserved.
    pub reason: u8,
    /// The error data (1, 4 and 1 octets for reasons 1, 2, 3).
    pub data: Vec<u8>,
}

impl HandoverError {
    fn data_len(reason: u8) -> Option<usize> {
        match reason {
            1 | 3 => Some(1),
            2 => Some(4),
            _ => None,
        }
    }

    /// Decodes an `err` payload.
    pub fn decode(payload: &[u8], mode: Mode) -> Result<Self> {
        let reason = *payload
            .first()
            .ok_or_else(|| bad("Error", 0, "payload is empty"))?;
        if reason == 0 {
            return Err(bad("Error", 0, "reserved error reason 0"));
        }
        let data = &payload[1..];
        if let Some(n) = Self::data_len(reason) {
            if data.len() < n {
                return Err(bad("Error", 1, "error data too short for the reason"));
            }
            if data.len() > n && mode == Mode::Strict {
                return Err(bad("Error", 1 + n, "octets left after the error data"));
            }
            return Ok(HandoverError {
                reason,
                data: data[..n].to_vec(),
            });
        }
        Ok(HandoverError {
            reason,
            data: data.to_vec(),
        })
    }

    /// Encodes the payload.
    pub fn payload(&self) -> Result<Vec<u8>> {
        if self.reason == 0 {
            return Err(bad("Error", 0, "reserved error reason 0"));
        }
        if let Some(n) = Self::data_len(self.reason)
            && self.data.len() != n
        {
            return Err(bad(
                "Error",
                1,
                "error data length does not match the reason",
            ));
        }
        let mut out = alloc::vec![self.reason];
        out.extend_from_slice(&self.data);
        Ok(out)
    }
}

/// A Handover Carrier record (`Hc`): a carrier named by TNF and type, with its data.
///
/// ```
/// use mpay_nfc_ndef::{Tnf, wkt::handover::HandoverCarrier};
/// let hc = HandoverCarrier { carrier_tnf: Tnf::WellKnown, carrier_type: b"x".to_vec(), carrier_data: vec![1, 2] };
/// assert_eq!(hc.payload().unwrap(), [1, 1, b'x', 1, 2]);
/// assert_eq!(HandoverCarrier::decode(&[1, 1, b'x', 1, 2]).unwrap(), hc);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HandoverCarrier {
    /// The TNF of the carrier type.
    pub carrier_tnf: Tnf,
    /// The carrier type.
    pub carrier_type: Vec<u8>,
    /// Carrier data.
    pub carrier_data: Vec<u8>,
}

impl HandoverCarrier {
    /// The record type `Hc`.
    pub const TYPE: &'static [u8] = b"Hc";

    /// Decodes an `Hc` payload.
    pub fn decode(payload: &[u8]) -> Result<Self> {
        let [ctf, n, rest @ ..] = payload else {
            return Err(bad("Handover Carrier", 0, "payload shorter than 2 octets"));
        };
        let n = usize::from(*n);
        if rest.len() < n {
            return Err(bad(
                "Handover Carrier",
                1,
                "carrier type length exceeds payload",
            ));
        }
        Ok(HandoverCarrier {
            carrier_tnf: Tnf::from_bits(*ctf),
            carrier_type: rest[..n].to_vec(),
            carrier_data: rest[n..].to_vec(),
        })
    }

    /// Encodes the payload.
    pub fn payload(&self) -> Result<Vec<u8>> {
        if self.carrier_type.len() > 255 {
            return Err(Error::FieldTooLong {
                field: Field::Named("carrier type"),
                len: self.carrier_type.len(),
                max: 255,
            });
        }
        let mut out = alloc::vec![self.carrier_tnf as u8, self.carrier_type.len() as u8];
        out.extend_from_slice(&self.carrier_type);
        out.extend_from_slice(&self.carrier_data);
        Ok(out)
    }

    /// The `Hc` record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(Self::TYPE, self.payload()?))
    }
}

/// A Handover Request (`Hr`) or Select (`Hs`) record: version, alternative carriers, and the
/// collision resolution number (request) or error (select).
///
/// ```
/// use mpay_nfc_ndef::wkt::handover::{Handover, HandoverKind, VERSION_1_3};
/// let hr = Handover { kind: HandoverKind::Request, version: VERSION_1_3, collision_resolution: Some(0x1234), ..Handover::new(HandoverKind::Request) };
/// let payload = hr.payload().unwrap();
/// assert_eq!(hex::encode(&payload), "13d1020263721234");
/// assert_eq!(Handover::decode(HandoverKind::Request, &payload, Default::default()).unwrap(), hr);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handover {
    /// Request or Select.
    pub kind: HandoverKind,
    /// `major << 4 | minor`; major must be 1.
    pub version: u8,
    /// The `cr` random number (Request, required from version 1.2).
    pub collision_resolution: Option<u16>,
    /// The `ac` records.
    pub alternative_carriers: Vec<AlternativeCarrier>,
    /// The `err` record (Select, version 1.2 and later).
    pub error: Option<HandoverError>,
    /// Other records of the nested message, kept as they were.
    pub other: Vec<Record<'static>>,
}

/// Which handover record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandoverKind {
    /// `Hr`
    Request,
    /// `Hs`
    Select,
}

impl HandoverKind {
    /// The record type.
    pub const fn record_type(self) -> &'static [u8] {
        match self {
            HandoverKind::Request => b"Hr",
            HandoverKind::Select => b"Hs",
        }
    }
    const fn name(self) -> &'static str {
        match self {
            HandoverKind::Request => "Handover Request",
            HandoverKind::Select => "Handover Select",
        }
    }
}

impl Handover {
    /// An empty handover record of version 1.3.
    pub fn new(kind: HandoverKind) -> Self {
        Handover {
            kind,
            version: VERSION_1_3,
            collision_resolution: None,
            alternative_carriers: Vec::new(),
            error: None,
            other: Vec::new(),
        }
    }

    /// Decodes an `Hr` or `Hs` payload.
    pub fn decode(kind: HandoverKind, payload: &[u8], options: DecodeOptions) -> Result<Self> {
        let strict = options.mode == Mode::Strict;
        let name = kind.name();
        let version = *payload
            .first()
            .ok_or_else(|| bad(name, 0, "payload is empty"))?;
        if strict && version >> 4 != 1 {
            return Err(bad(name, 0, "unsupported major version (must be 1)"));
        }
        let mut h = Handover::new(kind);
        h.version = version;
        for r in Message::decode_with(&payload[1..], options)?.records {
            if r.is_well_known(b"ac") {
                h.alternative_carriers
                    .push(AlternativeCarrier::decode(&r.payload, options.mode)?);
            } else if kind == HandoverKind::Request && r.is_well_known(b"cr") {
                let b: [u8; 2] = (*r.payload)
                    .try_into()
                    .map_err(|_| bad(name, 1, "collision resolution payload must be 2 octets"))?;
                h.collision_resolution = Some(u16::from_be_bytes(b));
            } else if kind == HandoverKind::Select && r.is_well_known(b"err") {
                h.error = Some(HandoverError::decode(&r.payload, options.mode)?);
            } else {
                h.other.push(r.into_owned());
            }
        }
        if strict
            && kind == HandoverKind::Request
            && version >= VERSION_1_2
            && h.collision_resolution.is_none()
        {
            return Err(bad(
                name,
                1,
                "no collision resolution record (required from version 1.2)",
            ));
        }
        Ok(h)
    }

    /// Decodes an `Hr` or `Hs` record.
    pub fn from_record(record: &Record<'_>) -> Result<Self> {
        let kind = if record.is_well_known(b"Hr") {
            HandoverKind::Request
        } else if record.is_well_known(b"Hs") {
            HandoverKind::Select
        } else {
            return Err(Error::WrongType {
                expected: "urn:nfc:wkt:Hr or urn:nfc:wkt:Hs",
            });
        };
        Self::decode(kind, &record.payload, DecodeOptions::default())
    }

    /// Encodes the payload: version, then `cr`, the `ac` records, the other records and `err`
    /// (ndeflib's order).
    pub fn payload(&self) -> Result<Vec<u8>> {
        let name = self.kind.name();
        let mut records = Vec::new();
        if self.kind == HandoverKind::Request {
            match self.collision_resolution {
                Some(n) => records.push(Record::well_known(&b"cr"[..], n.to_be_bytes().to_vec())),
                None if self.version >= VERSION_1_2 => {
                    return Err(bad(
                        name,
                        1,
                        "no collision resolution record (required from version 1.2)",
                    ));
                }
                None => {}
            }
        }
        for ac in &self.alternative_carriers {
            records.push(ac.to_record()?);
        }
        records.extend(self.other.iter().cloned());
        if let Some(e) = &self.error {
            if self.kind != HandoverKind::Select || self.version < VERSION_1_2 {
                return Err(bad(
                    name,
                    1,
                    "an error record needs a Handover Select of version 1.2 or later",
                ));
            }
            records.push(Record::well_known(&b"err"[..], e.payload()?));
        }
        let mut out = alloc::vec![self.version];
        Message::from(records).encode_into(&mut out)?;
        Ok(out)
    }

    /// The `Hr` or `Hs` record.
    pub fn to_record(&self) -> Result<Record<'static>> {
        Ok(Record::well_known(self.kind.record_type(), self.payload()?))
    }
}
