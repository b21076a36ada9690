//! GM/T 0010 (= GB/T 35275) cryptographic message syntax: `SignedData` (SM2 with SM3) and
//! `EnvelopedData` (SM4-CBC content encryption, SM2 key transport), in the PKCS#7 shape with the
//! GM/T content-type OIDs `1.2.156.10197.6.1.4.2.*`.
//!
//! Certificates are carried as opaque DER (this crate does not parse X.509; `mpay-wpki` does):
//! signers and recipients are named by [`IssuerAndSerialNumber`] whose issuer is the DER `Name`
//! taken from the certificate.
//!
//! ```
//! use mpay_gmt::cms::{EnvelopedData, IssuerAndSerialNumber, SignedData};
//! use mpay_gmt::sm2::PrivateKey;
//! let key = PrivateKey::from_bytes(&[5; 32]).unwrap();
//! // issuer Name: SEQUENCE {} (empty) for the example; serial 0x01
//! let sid = IssuerAndSerialNumber::new(vec![0x30, 0x00], vec![0x01]).unwrap();
//! let sd = SignedData::sign(b"receipt 42", &[(&key, sid.clone())], vec![]).unwrap();
//! let back = SignedData::from_der(&sd.to_der()).unwrap();
//! back.verify_signer(&sid, &key.public_key()).unwrap();
//! assert_eq!(back.content(), b"receipt 42");
//!
//! let env = EnvelopedData::encrypt(&mut getrandom::SysRng, b"PAN", &[(sid.clone(), key.public_key())]).unwrap();
//! let back = EnvelopedData::from_der(&env.to_der()).unwrap();
//! assert_eq!(back.decrypt(&sid, &key).unwrap().as_slice(), b"PAN");
//! ```

use crate::asn1::{self, Items, ctx};
use crate::sm2::{Ciphertext, CiphertextFormat, DEFAULT_ID, PrivateKey, PublicKey, Signature};
use crate::{Error, Result, oid, sm4};
use alloc::vec::Vec;
use der::{
    Decode, Encode, Tag, Tagged,
    asn1::{AnyRef, GeneralizedTime, ObjectIdentifier, UtcTime},
};
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// The date-time type of [`SignedAttributes::signing_time`] (from the `der` crate).
pub use der::DateTime;

/// `IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerAndSerialNumber {
    issuer: Vec<u8>,
    serial: Vec<u8>,
}

impl IssuerAndSerialNumber {
    /// `issuer`: the DER `Name` (a SEQUENCE) from the certificate; `serial`: the content bytes
    /// of the certificate's serialNumber INTEGER (big-endian, as encoded).
    pub fn new(issuer: Vec<u8>, serial: Vec<u8>) -> Result<Self> {
        let any = asn1::parse_one(&issuer, "IssuerAndSerialNumber.issuer")?;
        asn1::expect(any, Tag::Sequence, "IssuerAndSerialNumber.issuer")?;
        // Validate the INTEGER encoding (minimal, non-empty).
        let int = asn1::tlv(Tag::Integer, &serial);
        asn1::parse_one(&int, "IssuerAndSerialNumber.serialNumber")?
            .decode_as::<der::asn1::IntRef<'_>>()
            .map_err(|e| Error::der("IssuerAndSerialNumber.serialNumber", e))?;
        Ok(IssuerAndSerialNumber { issuer, serial })
    }

    /// The issuer `Name` DER.
    pub fn issuer(&self) -> &[u8] {
        &self.issuer
    }

    /// The serial number INTEGER content bytes.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    fn to_der(&self) -> Vec<u8> {
        asn1::seq(&[&self.issuer, &asn1::tlv(Tag::Integer, &self.serial)])
    }

    fn parse(any: AnyRef<'_>) -> Result<Self> {
        const WHAT: &str = "IssuerAndSerialNumber";
        let mut it = Items::new(asn1::expect(any, Tag::Sequence, WHAT)?, WHAT)?;
        let issuer = it.required("issuer")?;
        asn1::expect(issuer, Tag::Sequence, "IssuerAndSerialNumber.issuer")?;
        let serial = asn1::expect(it.required("serialNumber")?, Tag::Integer, WHAT)?;
        it.finish()?;
        Self::new(asn1::tlv(issuer.tag(), issuer.value()), serial.to_vec())
    }
}

/// One signer of a [`SignedData`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerInfo {
    /// Who signed (from the signer's certificate).
    pub sid: IssuerAndSerialNumber,
    /// The SM2 signature (default ID `1234567812345678`) over the content, or — when
    /// [`SignerInfo::signed_attributes`] are present — over their DER ([`SignedAttributes::to_der`]).
    pub signature: Signature,
    /// The `authenticatedAttributes` (content-type, message-digest, optional signing-time).
    pub signed_attributes: Option<SignedAttributes>,
}

/// GM/T 0010 `SignedData`: the content embedded, or detached (carried elsewhere and given to
/// [`SignedData::verify_detached`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedData {
    /// `None` when detached.
    content: Option<Vec<u8>>,
    certificates: Vec<Vec<u8>>,
    signer_infos: Vec<SignerInfo>,
}

/// The `authenticatedAttributes` of a GM/T 0010 `SignerInfo` (PKCS #7 §9.2, PKCS #9): the
/// signature covers their DER (`SET OF Attribute`), and the `messageDigest` attribute binds the
/// content through SM3.
///
/// Decoding keeps the received encoding (attributes this crate does not interpret included), so
/// that verification hashes exactly the signed bytes and re-encoding gives the input back.
///
/// ```
/// use mpay_gmt::cms::SignedAttributes;
/// use der::DateTime;
/// let t = DateTime::new(2026, 11, 21, 8, 30, 0).unwrap();
/// let a = SignedAttributes::for_content(b"receipt 42", Some(t));
/// assert_eq!(a.message_digest(), &mpay_gmt::sm3::hash(b"receipt 42"));
/// assert_eq!(a.signing_time(), Some(t));
/// assert_eq!(SignedAttributes::from_der(&a.to_der()).unwrap(), a);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAttributes {
    /// The content of the `SET OF Attribute` (the attributes' DER, concatenated).
    raw: Vec<u8>,
    content_type: ObjectIdentifier,
    message_digest: [u8; 32],
    signing_time: Option<DateTime>,
}

impl SignedAttributes {
    /// The attributes for `content`: content-type `data` (GM/T 0010), message-digest
    /// `SM3(content)` and, if given, signing-time (UTCTime for 1950–2049, GeneralizedTime
    /// otherwise, as RFC 5652 §11.3 requires).
    pub fn for_content(content: &[u8], signing_time: Option<DateTime>) -> Self {
        let attr = |t: &ObjectIdentifier, v: &[u8]| {
            asn1::seq(&[&t.to_der().expect("OID encodes"), &asn1::tlv(Tag::Set, v)])
        };
        let message_digest = crate::sm3::hash(content);
        let mut attrs = alloc::vec![
            attr(
                &oid::PKCS9_CONTENT_TYPE,
                &oid::GMT0010_DATA.to_der().expect("OID encodes"),
            ),
            attr(
                &oid::PKCS9_MESSAGE_DIGEST,
                &asn1::tlv(Tag::OctetString, &message_digest),
            ),
        ];
        if let Some(t) = signing_time {
            let v = match UtcTime::from_date_time(t) {
                Ok(u) if t.year() >= 1950 => u.to_der(),
                _ => GeneralizedTime::from_date_time(t).to_der(),
            };
            attrs.push(attr(&oid::PKCS9_SIGNING_TIME, &v.expect("time encodes")));
        }
        attrs.sort();
        SignedAttributes {
            raw: attrs.concat(),
            content_type: oid::GMT0010_DATA,
            message_digest,
            signing_time,
        }
    }

    /// The content type the signer asserted (`contentType` attribute).
    pub fn content_type(&self) -> &ObjectIdentifier {
        &self.content_type
    }

    /// The `messageDigest` attribute: SM3 of the content.
    pub fn message_digest(&self) -> &[u8; 32] {
        &self.message_digest
    }

    /// The `signingTime` attribute, if present.
    pub fn signing_time(&self) -> Option<DateTime> {
        self.signing_time
    }

    /// The DER `SET OF Attribute` — the bytes the signature covers.
    pub fn to_der(&self) -> Vec<u8> {
        asn1::tlv(Tag::Set, &self.raw)
    }

    /// Parses the DER `SET OF Attribute` (tag `SET`, as signed; inside a `SignerInfo` the same
    /// content carries the tag `[0]`). `contentType` and `messageDigest` (32 bytes, SM3) are
    /// required, each with exactly one value and at most once; `signingTime` is optional;
    /// other attributes are kept as they are.
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        let any = asn1::parse_one(bytes, "SignedAttributes")?;
        Self::parse_content(asn1::expect(any, Tag::Set, "SignedAttributes")?)
    }

    fn parse_content(raw: &[u8]) -> Result<Self> {
        const WHAT: &str = "SignerInfo.authenticatedAttributes";
        let mut content_type = None;
        let mut message_digest = None;
        let mut signing_time = None;
        let mut it = Items::new(raw, WHAT)?;
        while let Some(a) = it.next()? {
            let mut f = Items::new(asn1::expect(a, Tag::Sequence, WHAT)?, WHAT)?;
            let t: ObjectIdentifier = f
                .required("attrType")?
                .decode_as()
                .map_err(|e| Error::der(WHAT, e))?;
            let values = asn1::expect(f.required("attrValues")?, Tag::Set, WHAT)?;
            f.finish()?;
            let single = || -> Result<AnyRef<'_>> {
                let mut v = Items::new(values, WHAT)?;
                let one = v.required("attribute value")?;
                v.finish()?;
                Ok(one)
            };
            let dup = |field: &'static str| Error::Der {
                what: WHAT,
                detail: alloc::format!("{field} appears more than once"),
            };
            if t == oid::PKCS9_CONTENT_TYPE {
                if content_type.is_some() {
                    return Err(dup("contentType"));
                }
                let ct: ObjectIdentifier =
                    single()?.decode_as().map_err(|e| Error::der(WHAT, e))?;
                content_type = Some(ct);
            } else if t == oid::PKCS9_MESSAGE_DIGEST {
                if message_digest.is_some() {
                    return Err(dup("messageDigest"));
                }
                let d = asn1::expect(single()?, Tag::OctetString, WHAT)?;
                message_digest = Some(<[u8; 32]>::try_from(d).map_err(|_| Error::Length {
                    what: "messageDigest attribute",
                    len: d.len(),
                    expected: "32 bytes (SM3)",
                })?);
            } else if t == oid::PKCS9_SIGNING_TIME {
                if signing_time.is_some() {
                    return Err(dup("signingTime"));
                }
                let v = single()?;
                let der = asn1::tlv(v.tag(), v.value());
                let time = match v.tag() {
                    Tag::UtcTime => UtcTime::from_der(&der).map(|u| u.to_date_time()),
                    _ => GeneralizedTime::from_der(&der).map(|g| g.to_date_time()),
                };
                signing_time = Some(time.map_err(|e| Error::der("signingTime attribute", e))?);
            }
        }
        let missing = |field: &'static str| Error::Der {
            what: WHAT,
            detail: alloc::format!("required attribute {field} missing"),
        };
        Ok(SignedAttributes {
            raw: raw.to_vec(),
            content_type: content_type.ok_or_else(|| missing("contentType"))?,
            message_digest: message_digest.ok_or_else(|| missing("messageDigest"))?,
            signing_time,
        })
    }
}

/// How [`SignedData::sign_with`] builds the message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Add authenticated attributes (content-type, message-digest with SM3, and
    /// [`SignOptions::signing_time`] if set) and sign those instead of the content.
    pub signed_attributes: bool,
    /// The signing-time attribute (only used with `signed_attributes`).
    pub signing_time: Option<DateTime>,
    /// Leave the content out of the message (a detached signature).
    pub detached: bool,
}

fn version(any: AnyRef<'_>, what: &'static str) -> Result<()> {
    let v = asn1::expect(any, Tag::Integer, what)?;
    if v == [1] || v == [0] {
        Ok(())
    } else {
        Err(Error::Der {
            what,
            detail: alloc::format!("unsupported version {v:02x?}"),
        })
    }
}

fn content_info(content_type: &ObjectIdentifier, inner: &[u8]) -> Vec<u8> {
    asn1::seq(&[
        &content_type.to_der().expect("OID encodes"),
        &asn1::tlv(ctx(0, true), inner),
    ])
}

/// Parses `ContentInfo { contentType, [0] EXPLICIT content }` and returns the inner TLV.
fn parse_content_info<'a>(
    bytes: &'a [u8],
    expected: &ObjectIdentifier,
    what: &'static str,
) -> Result<AnyRef<'a>> {
    let top = asn1::parse_one(bytes, what)?;
    let mut it = Items::new(asn1::expect(top, Tag::Sequence, what)?, what)?;
    let ct: ObjectIdentifier = it
        .required("contentType")?
        .decode_as()
        .map_err(|e| Error::der(what, e))?;
    if &ct != expected {
        return Err(asn1::unsupported(&ct, "ContentInfo.contentType"));
    }
    let wrapped = asn1::expect(it.required("content")?, ctx(0, true), what)?;
    it.finish()?;
    let mut inner = Items::new(wrapped, what)?;
    let v = inner.required("content")?;
    inner.finish()?;
    Ok(v)
}

const SIGN_ALGS: [ObjectIdentifier; 2] = [oid::SM2_SIGN, oid::SM2_WITH_SM3];
const SM3_ALGS: [ObjectIdentifier; 2] = [oid::SM3, oid::SM3_NO_KEY];

impl SignerInfo {
    fn to_der(&self) -> Vec<u8> {
        let attrs = self
            .signed_attributes
            .as_ref()
            .map(|a| asn1::tlv(ctx(0, true), &a.raw))
            .unwrap_or_default();
        asn1::seq(&[
            &asn1::tlv(Tag::Integer, &[1]),
            &self.sid.to_der(),
            &asn1::algorithm(&oid::SM3),
            &attrs,
            &asn1::algorithm(&oid::SM2_SIGN),
            &asn1::tlv(Tag::OctetString, &self.signature.to_der()),
        ])
    }

    /// Checks this signer's signature with `key` against `content` (the embedded or the
    /// detached content). With authenticated attributes: the content type must be `data`,
    /// the message digest must equal `SM3(content)`, and the signature covers the attributes.
    pub fn verify(&self, key: &PublicKey, content: &[u8]) -> Result<()> {
        match &self.signed_attributes {
            None => key.verify(DEFAULT_ID, content, &self.signature),
            Some(a) => {
                if a.content_type != oid::GMT0010_DATA {
                    return Err(asn1::unsupported(
                        &a.content_type,
                        "contentType attribute (must match contentInfo.contentType)",
                    ));
                }
                // Public values (the digest is in the message): a plain comparison is fine.
                if a.message_digest != crate::sm3::hash(content) {
                    return Err(Error::BadSignature);
                }
                key.verify(DEFAULT_ID, &a.to_der(), &self.signature)
            }
        }
    }
}

impl RecipientInfo {
    fn to_der(&self) -> Vec<u8> {
        asn1::seq(&[
            &asn1::tlv(Tag::Integer, &[1]),
            &self.rid.to_der(),
            &asn1::algorithm(&oid::SM2_ENCRYPT),
            &asn1::tlv(
                Tag::OctetString,
                &self.encrypted_key.to_bytes(CiphertextFormat::Der),
            ),
        ])
    }
}

impl SignedData {
    /// Signs `content` with each `(key, sid)`; `certificates` (DER) are embedded as given.
    /// The content is embedded and signed directly (no authenticated attributes); see
    /// [`SignedData::sign_with`] for the other forms.
    pub fn sign(
        content: &[u8],
        signers: &[(&PrivateKey, IssuerAndSerialNumber)],
        certificates: Vec<Vec<u8>>,
    ) -> Result<Self> {
        Self::sign_with(content, signers, certificates, &SignOptions::default())
    }

    /// Signs `content` as `options` say: with authenticated attributes (content-type,
    /// SM3 message-digest, signing-time) and/or detached.
    ///
    /// ```
    /// use mpay_gmt::cms::{IssuerAndSerialNumber, SignOptions, SignedData};
    /// use mpay_gmt::sm2::PrivateKey;
    /// let key = PrivateKey::from_bytes(&[5; 32]).unwrap();
    /// let sid = IssuerAndSerialNumber::new(vec![0x30, 0x00], vec![0x01]).unwrap();
    /// let opts = SignOptions {
    ///     signed_attributes: true,
    ///     signing_time: Some(der::DateTime::new(2026, 11, 21, 9, 0, 0).unwrap()),
    ///     detached: true,
    /// };
    /// let sd = SignedData::sign_with(b"batch 7", &[(&key, sid.clone())], vec![], &opts).unwrap();
    /// let back = SignedData::from_der(&sd.to_der()).unwrap();
    /// assert!(back.is_detached());
    /// back.verify_detached(&sid, &key.public_key(), b"batch 7").unwrap();
    /// assert!(back.verify_detached(&sid, &key.public_key(), b"batch 8").is_err());
    /// ```
    pub fn sign_with(
        content: &[u8],
        signers: &[(&PrivateKey, IssuerAndSerialNumber)],
        certificates: Vec<Vec<u8>>,
        options: &SignOptions,
    ) -> Result<Self> {
        let attrs = options
            .signed_attributes
            .then(|| SignedAttributes::for_content(content, options.signing_time));
        let mut signer_infos = signers
            .iter()
            .map(|(key, sid)| {
                let signature = match &attrs {
                    Some(a) => key.sign(DEFAULT_ID, &a.to_der())?,
                    None => key.sign(DEFAULT_ID, content)?,
                };
                Ok(SignerInfo {
                    sid: sid.clone(),
                    signature,
                    signed_attributes: attrs.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // SET OF order (DER), so that decoding gives back an equal value.
        signer_infos.sort_by_key(SignerInfo::to_der);
        let mut certificates = certificates;
        certificates.sort();
        Ok(SignedData {
            content: (!options.detached).then(|| content.to_vec()),
            certificates,
            signer_infos,
        })
    }

    /// The embedded content (empty when [detached](SignedData::is_detached)).
    pub fn content(&self) -> &[u8] {
        self.content.as_deref().unwrap_or_default()
    }

    /// Whether the content is detached (not carried in the message).
    pub fn is_detached(&self) -> bool {
        self.content.is_none()
    }

    /// The embedded certificates (DER).
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The signers.
    pub fn signer_infos(&self) -> &[SignerInfo] {
        &self.signer_infos
    }

    /// Verifies the signature of the signer named `sid` with `key` (taken from that signer's
    /// certificate, which the caller has validated) over the embedded content; see
    /// [`SignerInfo::verify`]. Fails for a detached message: use
    /// [`SignedData::verify_detached`].
    pub fn verify_signer(&self, sid: &IssuerAndSerialNumber, key: &PublicKey) -> Result<()> {
        let content = self.content.as_deref().ok_or(Error::Der {
            what: "GM/T 0010 SignedData",
            detail: "content is detached: verify with the content (verify_detached)".into(),
        })?;
        self.signer(sid)?.verify(key, content)
    }

    /// Verifies the signer named `sid` over `content` supplied by the caller (for a detached
    /// message; for an embedded one, `content` must be the embedded content).
    pub fn verify_detached(
        &self,
        sid: &IssuerAndSerialNumber,
        key: &PublicKey,
        content: &[u8],
    ) -> Result<()> {
        if self.content.as_deref().is_some_and(|c| c != content) {
            return Err(Error::BadSignature);
        }
        self.signer(sid)?.verify(key, content)
    }

    fn signer(&self, sid: &IssuerAndSerialNumber) -> Result<&SignerInfo> {
        self.signer_infos
            .iter()
            .find(|s| &s.sid == sid)
            .ok_or(Error::BadSignature)
    }

    /// `ContentInfo { signedData, [0] SignedData }` DER.
    pub fn to_der(&self) -> Vec<u8> {
        let data_oid = oid::GMT0010_DATA.to_der().expect("OID encodes");
        let inner_ci = match &self.content {
            Some(c) => asn1::seq(&[
                &data_oid,
                &asn1::tlv(ctx(0, true), &asn1::tlv(Tag::OctetString, c)),
            ]),
            None => asn1::seq(&[&data_oid]),
        };
        let signer_infos = self.signer_infos.iter().map(SignerInfo::to_der).collect();
        let certs = &self.certificates;
        let mut parts: Vec<Vec<u8>> = alloc::vec![
            asn1::tlv(Tag::Integer, &[1]),
            asn1::set_of(alloc::vec![asn1::algorithm(&oid::SM3)]),
            inner_ci,
        ];
        if !certs.is_empty() {
            parts.push(asn1::tlv(ctx(0, true), &certs.concat()));
        }
        parts.push(asn1::set_of(signer_infos));
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        content_info(&oid::GMT0010_SIGNED_DATA, &asn1::seq(&refs))
    }

    /// Parses `ContentInfo { signedData, … }`. Digest algorithm must be SM3; the signature
    /// algorithm `sm2sign` (`1.2.156.10197.1.301.1`) or `sm2sign-with-sm3` (`…1.501`), with
    /// parameters absent or NULL. The content may be detached; signers may carry authenticated
    /// attributes ([`SignedAttributes`]).
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        const WHAT: &str = "GM/T 0010 SignedData";
        let sd = parse_content_info(bytes, &oid::GMT0010_SIGNED_DATA, WHAT)?;
        let mut it = Items::new(asn1::expect(sd, Tag::Sequence, WHAT)?, WHAT)?;
        version(it.required("version")?, WHAT)?;
        let mut algs = Items::new(
            asn1::expect(it.required("digestAlgorithms")?, Tag::Set, WHAT)?,
            WHAT,
        )?;
        while let Some(a) = algs.next()? {
            let (o, p) = asn1::parse_algorithm(a, WHAT)?;
            if !SM3_ALGS.contains(&o) {
                return Err(asn1::unsupported(&o, "SignedData.digestAlgorithms"));
            }
            asn1::no_params(&p, WHAT)?;
        }
        let ci = it.required("contentInfo")?;
        let mut ci = Items::new(asn1::expect(ci, Tag::Sequence, WHAT)?, WHAT)?;
        let ct: ObjectIdentifier = ci
            .required("contentType")?
            .decode_as()
            .map_err(|e| Error::der(WHAT, e))?;
        if ct != oid::GMT0010_DATA {
            return Err(asn1::unsupported(&ct, "SignedData.contentInfo.contentType"));
        }
        let content = match ci.optional(ctx(0, true))? {
            Some(wrapped) => {
                let mut w = Items::new(wrapped.value(), WHAT)?;
                let c = asn1::expect(w.required("content")?, Tag::OctetString, WHAT)?.to_vec();
                w.finish()?;
                Some(c)
            }
            None => None,
        };
        ci.finish()?;
        let mut certificates = Vec::new();
        if let Some(c) = it.optional(ctx(0, true))? {
            let mut ci = Items::new(c.value(), WHAT)?;
            while let Some(cert) = ci.next()? {
                asn1::expect(cert, Tag::Sequence, "SignedData.certificates")?;
                certificates.push(asn1::tlv(cert.tag(), cert.value()));
            }
        }
        let _crls = it.optional(ctx(1, true))?;
        let sis = asn1::expect(it.required("signerInfos")?, Tag::Set, WHAT)?;
        it.finish()?;
        let mut signer_infos = Vec::new();
        let mut sis = Items::new(sis, WHAT)?;
        while let Some(si) = sis.next()? {
            const SI: &str = "GM/T 0010 SignerInfo";
            let mut f = Items::new(asn1::expect(si, Tag::Sequence, SI)?, SI)?;
            version(f.required("version")?, SI)?;
            let sid = IssuerAndSerialNumber::parse(f.required("issuerAndSerialNumber")?)?;
            let (d, p) = asn1::parse_algorithm(f.required("digestAlgorithm")?, SI)?;
            if !SM3_ALGS.contains(&d) {
                return Err(asn1::unsupported(&d, "SignerInfo.digestAlgorithm"));
            }
            asn1::no_params(&p, SI)?;
            let signed_attributes = f
                .optional(ctx(0, true))?
                .map(|a| SignedAttributes::parse_content(a.value()))
                .transpose()?;
            let (s, p) = asn1::parse_algorithm(f.required("digestEncryptionAlgorithm")?, SI)?;
            if !SIGN_ALGS.contains(&s) {
                return Err(asn1::unsupported(
                    &s,
                    "SignerInfo.digestEncryptionAlgorithm",
                ));
            }
            asn1::no_params(&p, SI)?;
            let sig = asn1::expect(f.required("encryptedDigest")?, Tag::OctetString, SI)?;
            let _unauth = f.optional(ctx(1, true))?;
            f.finish()?;
            signer_infos.push(SignerInfo {
                sid,
                signature: Signature::from_der(sig)?,
                signed_attributes,
            });
        }
        Ok(SignedData {
            content,
            certificates,
            signer_infos,
        })
    }
}

/// One recipient of an [`EnvelopedData`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientInfo {
    /// Who can decrypt (from the recipient's encryption certificate).
    pub rid: IssuerAndSerialNumber,
    /// The content-encryption key, SM2-encrypted to the recipient.
    pub encrypted_key: Ciphertext,
}

/// GM/T 0010 `EnvelopedData`: SM4-CBC (PKCS#7 padding) content encryption, key transport with
/// SM2 encryption (`SM2Cipher` DER in `encryptedKey`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopedData {
    recipient_infos: Vec<RecipientInfo>,
    iv: [u8; 16],
    encrypted_content: Vec<u8>,
}

impl EnvelopedData {
    /// Encrypts `content` for each `(rid, public key)` with a fresh SM4 key and IV from `rng`.
    pub fn encrypt<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        content: &[u8],
        recipients: &[(IssuerAndSerialNumber, PublicKey)],
    ) -> Result<Self> {
        let mut cek = Zeroizing::new([0u8; 16]);
        let mut iv = [0u8; 16];
        rng.try_fill_bytes(&mut cek[..]).map_err(|_| Error::Rng)?;
        rng.try_fill_bytes(&mut iv).map_err(|_| Error::Rng)?;
        let encrypted_content = sm4::cbc_encrypt(&cek, &iv, content, sm4::Padding::Pkcs7)?;
        let mut recipient_infos = recipients
            .iter()
            .map(|(rid, pk)| {
                Ok(RecipientInfo {
                    rid: rid.clone(),
                    encrypted_key: pk.encrypt(rng, &cek[..])?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        recipient_infos.sort_by_key(RecipientInfo::to_der);
        Ok(EnvelopedData {
            recipient_infos,
            iv,
            encrypted_content,
        })
    }

    /// The recipients.
    pub fn recipient_infos(&self) -> &[RecipientInfo] {
        &self.recipient_infos
    }

    /// Decrypts as the recipient named `rid`.
    pub fn decrypt(
        &self,
        rid: &IssuerAndSerialNumber,
        key: &PrivateKey,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let ri = self
            .recipient_infos
            .iter()
            .find(|r| &r.rid == rid)
            .ok_or(Error::Decrypt(
                "no RecipientInfo for this issuer and serial number",
            ))?;
        let cek = key.decrypt(&ri.encrypted_key)?;
        let cek: [u8; 16] = cek.as_slice().try_into().map_err(|_| Error::Length {
            what: "EnvelopedData content-encryption key",
            len: cek.len(),
            expected: "16 bytes (SM4)",
        })?;
        let cek = Zeroizing::new(cek);
        Ok(Zeroizing::new(sm4::cbc_decrypt(
            &cek,
            &self.iv,
            &self.encrypted_content,
            sm4::Padding::Pkcs7,
        )?))
    }

    /// `ContentInfo { envelopedData, [0] EnvelopedData }` DER.
    pub fn to_der(&self) -> Vec<u8> {
        let ris = self
            .recipient_infos
            .iter()
            .map(RecipientInfo::to_der)
            .collect();
        let eci = asn1::seq(&[
            &oid::GMT0010_DATA.to_der().expect("OID encodes"),
            &asn1::algorithm_with(&oid::SM4_CBC, &asn1::tlv(Tag::OctetString, &self.iv)),
            &asn1::tlv(ctx(0, false), &self.encrypted_content),
        ]);
        let ed = asn1::seq(&[&asn1::tlv(Tag::Integer, &[1]), &asn1::set_of(ris), &eci]);
        content_info(&oid::GMT0010_ENVELOPED_DATA, &ed)
    }

    /// Parses `ContentInfo { envelopedData, … }`: key encryption `sm2encrypt` (`…301.3`, or
    /// GmSSL's `…301.2`), content encryption `sm4-cbc` with a 16-byte IV.
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        const WHAT: &str = "GM/T 0010 EnvelopedData";
        let ed = parse_content_info(bytes, &oid::GMT0010_ENVELOPED_DATA, WHAT)?;
        let mut it = Items::new(asn1::expect(ed, Tag::Sequence, WHAT)?, WHAT)?;
        version(it.required("version")?, WHAT)?;
        let ris = asn1::expect(it.required("recipientInfos")?, Tag::Set, WHAT)?;
        let eci = asn1::expect(it.required("encryptedContentInfo")?, Tag::Sequence, WHAT)?;
        it.finish()?;
        let mut recipient_infos = Vec::new();
        let mut ris = Items::new(ris, WHAT)?;
        while let Some(ri) = ris.next()? {
            const RI: &str = "GM/T 0010 RecipientInfo";
            let mut f = Items::new(asn1::expect(ri, Tag::Sequence, RI)?, RI)?;
            version(f.required("version")?, RI)?;
            let rid = IssuerAndSerialNumber::parse(f.required("issuerAndSerialNumber")?)?;
            let (a, p) = asn1::parse_algorithm(f.required("keyEncryptionAlgorithm")?, RI)?;
            if a != oid::SM2_ENCRYPT && a != oid::SM2_EXCHANGE {
                return Err(asn1::unsupported(
                    &a,
                    "RecipientInfo.keyEncryptionAlgorithm",
                ));
            }
            asn1::no_params(&p, RI)?;
            let ek = asn1::expect(f.required("encryptedKey")?, Tag::OctetString, RI)?;
            f.finish()?;
            recipient_infos.push(RecipientInfo {
                rid,
                encrypted_key: Ciphertext::from_bytes(ek, CiphertextFormat::Der)?,
            });
        }
        const ECI: &str = "GM/T 0010 EncryptedContentInfo";
        let mut f = Items::new(eci, ECI)?;
        let ct: ObjectIdentifier = f
            .required("contentType")?
            .decode_as()
            .map_err(|e| Error::der(ECI, e))?;
        if ct != oid::GMT0010_DATA {
            return Err(asn1::unsupported(&ct, "EncryptedContentInfo.contentType"));
        }
        let (alg, params) = asn1::parse_algorithm(f.required("contentEncryptionAlgorithm")?, ECI)?;
        if alg != oid::SM4_CBC {
            return Err(asn1::unsupported(
                &alg,
                "EncryptedContentInfo.contentEncryptionAlgorithm",
            ));
        }
        let iv_any = params.ok_or(Error::Der {
            what: ECI,
            detail: "sm4-cbc parameters (IV) missing".into(),
        })?;
        let iv_bytes = asn1::expect(iv_any, Tag::OctetString, ECI)?;
        let iv: [u8; 16] = iv_bytes.try_into().map_err(|_| Error::Length {
            what: "sm4-cbc IV",
            len: iv_bytes.len(),
            expected: "16 bytes",
        })?;
        let enc = f.optional(ctx(0, false))?.ok_or(Error::Der {
            what: ECI,
            detail: "encryptedContent missing".into(),
        })?;
        let _shared1 = f.optional(ctx(1, false))?;
        let _shared2 = f.optional(ctx(2, false))?;
        f.finish()?;
        Ok(EnvelopedData {
            recipient_infos,
            iv,
            encrypted_content: enc.value().to_vec(),
        })
    }
}
