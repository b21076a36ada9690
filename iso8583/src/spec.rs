//! A spec (jPOS: a packager) is data: the header length, how the MTI and bitmaps are written,
//! where the MAC goes, and a table of [`FieldSpec`]s. The same schema is used by Rust constants
//! (see [`crate::specs`]) and by JSON/TOML files (feature `serde`, see the crate README).

use alloc::borrow::Cow;
use alloc::string::ToString;

use crate::bitmap::BitmapEncoding;
use crate::error::{Error, Loc, Result};
use crate::field::FieldSpec;
use crate::mti::MtiEncoding;

/// Which bytes a MAC covers. The MAC goes in field 64, or 128 when the message has a
/// secondary bitmap; the MAB runs from the MTI (or from the start of the header) up to the
/// MAC field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MacSpec {
    /// Whether the MAB starts at the header instead of the MTI.
    #[cfg_attr(feature = "serde", serde(default))]
    pub include_header: bool,
}

/// A message spec.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Spec {
    /// Name of the spec.
    pub name: Cow<'static, str>,
    /// Bytes of fixed header before the MTI (TPDU and network header), kept as raw bytes.
    #[cfg_attr(feature = "serde", serde(default))]
    pub header_len: u16,
    /// How the MTI is written.
    pub mti: MtiEncoding,
    /// How the bitmaps are written.
    pub bitmap: BitmapEncoding,
    /// Whether bit 65 announces a tertiary bitmap (fields 129–192).
    #[cfg_attr(feature = "serde", serde(default))]
    pub tertiary: bool,
    /// MAC placement, if messages of this spec carry one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub mac: Option<MacSpec>,
    /// Field definitions, sorted by number (2..=192).
    pub fields: Cow<'static, [FieldSpec]>,
}

impl Spec {
    /// The definition of field `n`.
    #[inline]
    pub fn field(&self, n: u16) -> Option<&FieldSpec> {
        let f = &self.fields;
        let first = f.first()?.number;
        if let Some(g) = n.checked_sub(first).map(usize::from)
            && let Some(fs) = f.get(g)
            && fs.number == n
        {
            return Some(fs);
        }
        f.binary_search_by_key(&n, |x| x.number).ok().map(|i| &f[i])
    }

    /// Checks the spec: fields sorted and within 2..=192 (or 2..=128 without tertiary
    /// bitmap), field 65 not defined when it is the tertiary indicator, and each field's class,
    /// encoding and prefix consistent.
    ///
    /// ```
    /// assert!(mpay_iso8583::specs::ISO87_ASCII.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let err = |loc: Loc, reason: &'static str| Error::Spec {
            spec: self.name.to_string(),
            loc,
            reason,
        };
        let max = if self.tertiary { 192 } else { 128 };
        let mut last = 1u16;
        for f in self.fields.iter() {
            let loc = Loc::Field(f.number);
            if f.number <= last {
                return Err(err(loc, "fields must be sorted and numbered from 2"));
            }
            if f.number > max {
                return Err(err(loc, "field number beyond the last bitmap"));
            }
            if self.tertiary && f.number == 65 {
                return Err(err(loc, "field 65 is the tertiary bitmap indicator"));
            }
            f.check(loc).map_err(|(l, r)| err(l, r))?;
            last = f.number;
        }
        Ok(())
    }

    /// Loads a spec from JSON (schema in the crate README) and validates it.
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<Spec> {
        let s: Spec = serde_json::from_str(text).map_err(|e| Error::SpecFile(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Loads a spec from TOML (same schema as JSON) and validates it.
    #[cfg(feature = "serde")]
    pub fn from_toml(text: &str) -> Result<Spec> {
        let s: Spec = toml::from_str(text).map_err(|e| Error::SpecFile(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Writes the spec as pretty JSON.
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> alloc::string::String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the spec as TOML.
    #[cfg(feature = "serde")]
    pub fn to_toml(&self) -> Result<alloc::string::String> {
        toml::to_string(self).map_err(|e| Error::SpecFile(e.to_string()))
    }
}
