//! Small helpers over the `der` crate for the GM/T 0009/0010 structures: strict DER TLVs,
//! sequences, and AlgorithmIdentifier with absent-or-NULL parameters.

use crate::{Error, Result};
use alloc::vec::Vec;
use der::{
    Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged, asn1::AnyRef,
    asn1::ObjectIdentifier,
};

/// Encodes one TLV.
pub(crate) fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
    AnyRef::new(tag, content)
        .expect("content length fits DER")
        .to_der()
        .expect("TLV encodes")
}

/// `SEQUENCE { parts… }`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(Tag::Sequence, &parts.concat())
}

/// `SET OF` with the elements sorted as DER requires.
pub(crate) fn set_of(mut items: Vec<Vec<u8>>) -> Vec<u8> {
    items.sort();
    tlv(Tag::Set, &items.concat())
}

/// A context-specific tag.
pub(crate) fn ctx(number: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(number),
    }
}

/// Parses exactly one TLV covering all of `bytes`.
pub(crate) fn parse_one<'a>(bytes: &'a [u8], what: &'static str) -> Result<AnyRef<'a>> {
    AnyRef::from_der(bytes).map_err(|e| Error::der(what, e))
}

/// Checks the tag and returns the content.
pub(crate) fn expect<'a>(any: AnyRef<'a>, tag: Tag, what: &'static str) -> Result<&'a [u8]> {
    if any.tag() != tag {
        return Err(Error::Der {
            what,
            detail: alloc::format!("expected tag {tag}, found {}", any.tag()),
        });
    }
    Ok(any.value())
}

/// Iterates over the TLVs inside a constructed value.
pub(crate) struct Items<'a> {
    reader: SliceReader<'a>,
    what: &'static str,
}

impl<'a> Items<'a> {
    pub(crate) fn new(content: &'a [u8], what: &'static str) -> Result<Self> {
        Ok(Items {
            reader: SliceReader::new(content).map_err(|e| Error::der(what, e))?,
            what,
        })
    }

    /// The next element, `None` at the end.
    pub(crate) fn next(&mut self) -> Result<Option<AnyRef<'a>>> {
        if self.reader.is_finished() {
            return Ok(None);
        }
        AnyRef::decode(&mut self.reader)
            .map(Some)
            .map_err(|e| Error::der(self.what, e))
    }

    /// The next element, which must exist.
    pub(crate) fn required(&mut self, field: &'static str) -> Result<AnyRef<'a>> {
        self.next()?.ok_or(Error::Der {
            what: self.what,
            detail: alloc::format!("missing field {field}"),
        })
    }

    /// The next element if it has `tag` (for OPTIONAL fields).
    pub(crate) fn optional(&mut self, tag: Tag) -> Result<Option<AnyRef<'a>>> {
        if self.reader.is_finished() {
            return Ok(None);
        }
        let peek = Tag::peek(&self.reader).map_err(|e| Error::der(self.what, e))?;
        if peek == tag { self.next() } else { Ok(None) }
    }

    /// Fails if anything is left.
    pub(crate) fn finish(self) -> Result<()> {
        if self.reader.is_finished() {
            Ok(())
        } else {
            Err(Error::Der {
                what: self.what,
                detail: alloc::string::String::from("unexpected trailing fields"),
            })
        }
    }
}

/// `AlgorithmIdentifier { oid }` with parameters absent (what GM/T 0006 profiles emit).
pub(crate) fn algorithm(oid: &ObjectIdentifier) -> Vec<u8> {
    seq(&[&oid.to_der().expect("OID encodes")])
}

/// `AlgorithmIdentifier { oid, params }`.
pub(crate) fn algorithm_with(oid: &ObjectIdentifier, params: &[u8]) -> Vec<u8> {
    seq(&[&oid.to_der().expect("OID encodes"), params])
}

/// Parses an AlgorithmIdentifier: the OID and the parameters, where an explicit NULL counts as
/// absent.
pub(crate) fn parse_algorithm<'a>(
    any: AnyRef<'a>,
    what: &'static str,
) -> Result<(ObjectIdentifier, Option<AnyRef<'a>>)> {
    let mut it = Items::new(expect(any, Tag::Sequence, what)?, what)?;
    let oid_any = it.required("algorithm")?;
    let oid: ObjectIdentifier = oid_any.decode_as().map_err(|e| Error::der(what, e))?;
    let params = it.next()?;
    it.finish()?;
    let params = params.filter(|p| !(p.tag() == Tag::Null && p.value().is_empty()));
    Ok((oid, params))
}

/// Fails unless the parameters are absent (or NULL).
pub(crate) fn no_params(params: &Option<AnyRef<'_>>, what: &'static str) -> Result<()> {
    match params {
        None => Ok(()),
        Some(p) => Err(Error::Der {
            what,
            detail: alloc::format!("unexpected algorithm parameters (tag {})", p.tag()),
        }),
    }
}

pub(crate) fn unsupported(oid: &ObjectIdentifier, field: &'static str) -> Error {
    Error::UnsupportedAlgorithm {
        oid: alloc::format!("{oid}"),
        field,
    }
}
