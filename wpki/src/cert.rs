//! Certificate issuance: a CA that signs self-signed roots, subordinate CAs and end-entity
//! certificates (wallet users, POS terminals) with RFC 5280 serials, keyid AKI/SKI,
//! BasicConstraints, KeyUsage and extendedKeyUsage.

use crate::alg::Signer;
use crate::{Error, Result};
use alloc::string::String;
use alloc::vec::Vec;
use der::asn1::{AnyRef, BitString, BitStringRef, GeneralizedTime, OctetString, UtcTime};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{DateTime, Decode, Encode, Sequence};
use rand_core::CryptoRng;
use sha1::Digest;
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// `id-kp-serverAuth` (RFC 5280 §4.2.1.12).
pub const KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// `id-kp-clientAuth` (RFC 5280 §4.2.1.12).
pub const KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
/// `id-ad-ocsp` (RFC 5280 §4.2.2.1): an AIA access method naming an OCSP responder.
pub const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// `id-ad-caIssuers` (RFC 5280 §4.2.2.1): an AIA access method naming where the issuer's
/// certificate can be fetched.
pub const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// `SEQUENCE { toBeSigned, signatureAlgorithm, signatureValue }` (certificates, CSRs)
/// with the signed part kept as its exact encoded bytes (what the signature covers).
#[derive(Sequence)]
pub(crate) struct SignedParts<'a> {
    pub(crate) tbs: AnyRef<'a>,
    pub(crate) algorithm: AlgorithmIdentifierRef<'a>,
    pub(crate) signature: BitStringRef<'a>,
}

/// `TBSCertificate` (v3 only) as this CA writes it.
#[derive(Sequence)]
struct TbsOut {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// What a certificate is for; each preset fixes its BasicConstraints, KeyUsage and EKU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// A CA (root or subordinate): BasicConstraints critical `cA=TRUE` with the optional
    /// `pathLenConstraint`, KeyUsage critical keyCertSign + cRLSign.
    Ca {
        /// Number of further intermediate CAs allowed below this one (`None` = unlimited).
        path_len: Option<u8>,
    },
    /// A wallet user's signing certificate: BasicConstraints `cA=FALSE`, KeyUsage critical
    /// digitalSignature + nonRepudiation, EKU clientAuth.
    WalletUser,
    /// A POS terminal: BasicConstraints `cA=FALSE`, KeyUsage critical digitalSignature +
    /// keyAgreement, EKU serverAuth + clientAuth.
    PosTerminal,
    /// GM/T 0015 self-signed CA (content table C.1, certificate for the root): SM2 key and
    /// SM2-with-SM3 signature required; BasicConstraints critical `cA=TRUE` (+ pathLen),
    /// KeyUsage critical keyCertSign + cRLSign, SKI, AKI (keyid).
    GmtRootCa {
        /// Number of further intermediate CAs allowed below this one (`None` = unlimited).
        path_len: Option<u8>,
    },
    /// GM/T 0015 subordinate CA (table C.2): as [`Profile::GmtRootCa`], and issuance needs at
    /// least one CRL distribution point ([`CertificateParams::crl_distribution_points`]).
    GmtSubordinateCa {
        /// Number of further intermediate CAs allowed below this one (`None` = unlimited).
        path_len: Option<u8>,
    },
    /// GM/T 0015 end-entity *signing* certificate (table C.3, the signing half of the
    /// dual-certificate model): SM2 only; BasicConstraints `cA=FALSE` (not critical), KeyUsage
    /// critical digitalSignature + nonRepudiation, SKI, AKI, and a CRL distribution point.
    GmtSigning,
    /// GM/T 0015 end-entity *encryption* certificate (table C.4, the encryption half):
    /// SM2 only; BasicConstraints `cA=FALSE`, KeyUsage critical keyEncipherment +
    /// dataEncipherment + keyAgreement, SKI, AKI, and a CRL distribution point.
    GmtEncryption,
    /// A compact wallet certificate for NFC/QR transport: KeyUsage critical digitalSignature,
    /// an 8-octet SubjectKeyIdentifier (RFC 5280 §4.2.1.2 method 2), a keyid-only AKI, an
    /// 8-octet serial; no BasicConstraints, no EKU. With a short subject (`CN=` only) and an
    /// SM2 or P-256 key it stays under 400 octets.
    CompactWallet,
    /// A CA issuing [`Profile::CompactWallet`] certificates: BasicConstraints critical `cA`
    /// (+ pathLen), KeyUsage critical keyCertSign + cRLSign, an 8-octet SKI (so the AKI of
    /// what it issues is 8 octets too), a keyid-only AKI and an 8-octet serial.
    CompactCa {
        /// Number of further intermediate CAs allowed below this one (`None` = unlimited).
        path_len: Option<u8>,
    },
    /// A delegated OCSP responder (RFC 6960 §4.2.2.2): BasicConstraints `cA=FALSE`, KeyUsage
    /// critical digitalSignature, EKU id-kp-OCSPSigning, and `id-pkix-ocsp-nocheck` (clients
    /// need not check the responder's own revocation status: keep its validity short).
    OcspResponder,
    /// Only SubjectKeyIdentifier and AuthorityKeyIdentifier; every other extension comes from
    /// [`CertificateParams::extra_extensions`].
    Custom,
}

impl Profile {
    /// `true` for the CA presets ([`Profile::Ca`], [`Profile::GmtRootCa`],
    /// [`Profile::GmtSubordinateCa`], [`Profile::CompactCa`]).
    pub fn is_ca(&self) -> bool {
        matches!(
            self,
            Profile::Ca { .. }
                | Profile::GmtRootCa { .. }
                | Profile::GmtSubordinateCa { .. }
                | Profile::CompactCa { .. }
        )
    }

    fn is_gmt(&self) -> bool {
        matches!(
            self,
            Profile::GmtRootCa { .. }
                | Profile::GmtSubordinateCa { .. }
                | Profile::GmtSigning
                | Profile::GmtEncryption
        )
    }

    fn is_compact(&self) -> bool {
        matches!(self, Profile::CompactWallet | Profile::CompactCa { .. })
    }
}

/// The subject-specific part of a certificate to issue.
#[derive(Clone, Debug)]
pub struct CertificateParams {
    /// The subject name, e.g. `"CN=Alice,O=Test Bank,C=CN".parse()?`.
    pub subject: Name,
    /// Start of validity.
    pub not_before: DateTime,
    /// End of validity.
    pub not_after: DateTime,
    /// The profile preset.
    pub profile: Profile,
    /// URIs written as a CRLDistributionPoints extension (RFC 5280 §4.2.1.13, one
    /// distribution point with a fullName per URI); none → no extension.
    pub crl_distribution_points: Vec<String>,
    /// OCSP responder URLs written into AuthorityInfoAccess (`id-ad-ocsp`, RFC 5280 §4.2.2.1).
    pub ocsp_responders: Vec<String>,
    /// Where the issuer's certificate can be fetched, written into AuthorityInfoAccess
    /// (`id-ad-caIssuers`).
    pub ca_issuers: Vec<String>,
    /// Further extensions appended as given (after the profile's).
    pub extra_extensions: Vec<Extension>,
}

impl CertificateParams {
    /// Parameters with no extra extensions.
    pub fn new(subject: Name, not_before: DateTime, not_after: DateTime, profile: Profile) -> Self {
        CertificateParams {
            subject,
            not_before,
            not_after,
            profile,
            crl_distribution_points: Vec::new(),
            ocsp_responders: Vec::new(),
            ca_issuers: Vec::new(),
            extra_extensions: Vec::new(),
        }
    }

    /// Adds a CRL distribution point URI.
    pub fn with_crl_distribution_point(mut self, uri: &str) -> Self {
        self.crl_distribution_points.push(uri.into());
        self
    }

    /// Adds an OCSP responder URL (AIA `id-ad-ocsp`).
    pub fn with_ocsp_responder(mut self, url: &str) -> Self {
        self.ocsp_responders.push(url.into());
        self
    }

    /// Adds a caIssuers URL (AIA `id-ad-caIssuers`).
    pub fn with_ca_issuers(mut self, url: &str) -> Self {
        self.ca_issuers.push(url.into());
        self
    }
}

fn uri(s: &str) -> Result<GeneralName> {
    der::asn1::Ia5String::new(s)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|_| Error::Params("URI is not an IA5 (ASCII) string"))
}

/// The CRLDistributionPoints and AuthorityInfoAccess extensions `params` asks for.
fn access_extensions(params: &CertificateParams) -> Result<Vec<Extension>> {
    let mut out = Vec::new();
    if !params.crl_distribution_points.is_empty() {
        let points = params
            .crl_distribution_points
            .iter()
            .map(|u| {
                Ok(DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(alloc::vec![uri(u)?])),
                    reasons: None,
                    crl_issuer: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(ext(&CrlDistributionPoints(points), false)?);
    }
    let access = params
        .ocsp_responders
        .iter()
        .map(|u| (AD_OCSP, u))
        .chain(params.ca_issuers.iter().map(|u| (AD_CA_ISSUERS, u)))
        .map(|(access_method, u)| {
            Ok(AccessDescription {
                access_method,
                access_location: uri(u)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if !access.is_empty() {
        out.push(ext(&AuthorityInfoAccessSyntax(access), false)?);
    }
    Ok(out)
}

/// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
pub fn rfc5280_time(t: DateTime) -> Result<Time> {
    if t.year() < 2050 {
        Ok(Time::UtcTime(
            UtcTime::from_date_time(t).map_err(|e| Error::der("UTCTime", e))?,
        ))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(t)))
    }
}

/// A random serial number per RFC 5280 §4.1.2.2: positive, 16 octets (≤ 20), 127 random bits.
pub fn random_serial<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<SerialNumber> {
    serial_of_len::<16, R>(rng)
}

fn serial_of_len<const N: usize, R: CryptoRng + ?Sized>(rng: &mut R) -> Result<SerialNumber> {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b[0] = (b[0] & 0x7f) | 0x40; // positive, no leading zero octet
    SerialNumber::new(&b).map_err(|e| Error::der("serialNumber", e))
}

/// The 8-octet key identifier of RFC 5280 §4.2.1.2 method (2): `0100` followed by the 60
/// least significant bits of the SHA-1 of the subjectPublicKey bits.
pub fn short_key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let h = sha1::Sha1::digest(spki.subject_public_key.raw_bytes());
    let mut id = h[12..].to_vec();
    id[0] = 0x40 | (id[0] & 0x0f);
    id
}

/// The SubjectKeyIdentifier a certificate of `profile` gets.
fn subject_key_id(profile: &Profile, spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    if profile.is_compact() {
        short_key_identifier(spki)
    } else {
        key_identifier(spki)
    }
}

/// The SubjectKeyIdentifier extension's value, if the certificate has one that decodes.
pub fn subject_key_identifier_of(cert: &Certificate) -> Option<Vec<u8>> {
    let e = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == SubjectKeyIdentifier::OID)?;
    SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
        .ok()
        .map(|s| s.0.as_bytes().to_vec())
}

/// GM/T 0015 presets: SM2 keys and SM2-with-SM3 signatures only, and a CRL distribution
/// point on everything below the root.
fn check_gmt<S: Signer + ?Sized>(
    signer: &S,
    params: &CertificateParams,
    spki: &SubjectPublicKeyInfoOwned,
) -> Result<()> {
    use crate::alg::{EC_PUBLIC_KEY, SM2_CURVE, SM2_WITH_SM3};
    if !params.profile.is_gmt() {
        return Ok(());
    }
    let alg = signer.signature_algorithm();
    if alg.oid != SM2_WITH_SM3 || alg.parameters.is_some() {
        return Err(Error::Params(
            "GM/T 0015 profile: the issuer must sign with SM2-with-SM3 (parameters absent)",
        ));
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    if spki.algorithm.oid != EC_PUBLIC_KEY || curve != Some(SM2_CURVE) {
        return Err(Error::Params(
            "GM/T 0015 profile: the subject key must be id-ecPublicKey on the SM2 curve",
        ));
    }
    if !matches!(params.profile, Profile::GmtRootCa { .. })
        && params.crl_distribution_points.is_empty()
    {
        return Err(Error::Params(
            "GM/T 0015 profile: subordinate CA and end-entity certificates need a CRL distribution point",
        ));
    }
    Ok(())
}

/// The key identifier of RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
pub fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// An extension holding `value` under its OID.
pub fn ext<T: Encode + AssociatedOid>(value: &T, critical: bool) -> Result<Extension> {
    let der = value
        .to_der()
        .map_err(|e| Error::der("extension value", e))?;
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(der).map_err(|e| Error::der("extension", e))?,
    })
}

fn profile_extensions(profile: &Profile, ski: &[u8], aki: &[u8]) -> Result<Vec<Extension>> {
    let octets = |v: &[u8]| OctetString::new(v).map_err(|e| Error::der("key identifier", e));
    let mut out = Vec::with_capacity(5);
    let preset = match profile {
        Profile::Custom => None,
        Profile::Ca { path_len }
        | Profile::GmtRootCa { path_len }
        | Profile::GmtSubordinateCa { path_len } => Some((
            BasicConstraints {
                ca: true,
                path_len_constraint: *path_len,
            },
            KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            None,
        )),
        Profile::CompactCa { path_len } => {
            out.push(ext(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: *path_len,
                },
                true,
            )?);
            out.push(ext(
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                true,
            )?);
            None
        }
        Profile::CompactWallet => {
            out.push(ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?);
            None
        }
        Profile::GmtSigning | Profile::GmtEncryption => {
            let ku = if *profile == Profile::GmtSigning {
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
            } else {
                KeyUsages::KeyEncipherment | KeyUsages::DataEncipherment | KeyUsages::KeyAgreement
            };
            out.push(ext(
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
                false,
            )?);
            out.push(ext(&KeyUsage(ku), true)?);
            None
        }
        Profile::WalletUser => Some((
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            Some(ExtendedKeyUsage(alloc::vec![KP_CLIENT_AUTH])),
        )),
        Profile::OcspResponder => Some((
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
            KeyUsages::DigitalSignature.into(),
            Some(ExtendedKeyUsage(alloc::vec![crate::ocsp::KP_OCSP_SIGNING])),
        )),
        Profile::PosTerminal => Some((
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
            KeyUsages::DigitalSignature | KeyUsages::KeyAgreement,
            Some(ExtendedKeyUsage(alloc::vec![
                KP_SERVER_AUTH,
                KP_CLIENT_AUTH
            ])),
        )),
    };
    if let Some((bc, ku, eku)) = preset {
        out.push(ext(&bc, true)?);
        out.push(ext(&KeyUsage(ku), true)?);
        if let Some(eku) = eku {
            out.push(ext(&eku, false)?);
        }
    }
    if *profile == Profile::OcspResponder {
        out.push(Extension {
            extn_id: crate::ocsp::OCSP_NOCHECK,
            critical: false,
            extn_value: OctetString::new([0x05, 0x00])
                .map_err(|e| Error::der("ocsp-nocheck", e))?,
        });
    }
    out.push(ext(&SubjectKeyIdentifier(octets(ski)?), false)?);
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(octets(aki)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    out.push(ext(&aki, false)?);
    Ok(out)
}

/// Builds, signs and encodes one certificate.
fn sign_certificate<S: Signer + ?Sized, R: CryptoRng + ?Sized>(
    signer: &S,
    issuer: &Name,
    issuer_key_id: Option<&[u8]>,
    params: &CertificateParams,
    spki: SubjectPublicKeyInfoOwned,
    rng: &mut R,
) -> Result<Certificate> {
    if params.not_after < params.not_before {
        return Err(Error::Params("notAfter is before notBefore"));
    }
    check_gmt(signer, params, &spki)?;
    let ski = subject_key_id(&params.profile, &spki);
    let mut extensions = profile_extensions(&params.profile, &ski, issuer_key_id.unwrap_or(&ski))?;
    extensions.extend(access_extensions(params)?);
    extensions.extend(params.extra_extensions.iter().cloned());
    let algorithm = signer.signature_algorithm();
    let tbs = TbsOut {
        version: 2,
        serial: if params.profile.is_compact() {
            serial_of_len::<8, R>(rng)?
        } else {
            random_serial(rng)?
        },
        signature: algorithm.clone(),
        issuer: issuer.clone(),
        validity: Validity::new(
            rfc5280_time(params.not_before)?,
            rfc5280_time(params.not_after)?,
        ),
        subject: params.subject.clone(),
        spki,
        extensions,
    }
    .to_der()
    .map_err(|e| Error::der("TBSCertificate", e))?;
    let sig = signer.sign(&tbs)?;
    let alg_der = algorithm
        .to_der()
        .map_err(|e| Error::der("AlgorithmIdentifier", e))?;
    let sig_bits = BitString::from_bytes(&sig).map_err(|e| Error::der("signatureValue", e))?;
    let parts = SignedParts {
        tbs: AnyRef::from_der(&tbs).map_err(|e| Error::der("TBSCertificate", e))?,
        algorithm: AlgorithmIdentifierRef::from_der(&alg_der)
            .map_err(|e| Error::der("AlgorithmIdentifier", e))?,
        signature: BitStringRef::from(&sig_bits),
    };
    let der = parts.to_der().map_err(|e| Error::der("Certificate", e))?;
    Certificate::from_der(&der).map_err(|e| Error::der("Certificate", e))
}

/// A certification authority: its signing key and its own certificate.
///
/// ```
/// use mpay_wpki::{Ca, CertificateParams, Profile, SigningKey};
/// use der::DateTime;
/// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let from = DateTime::new(2026, 1, 1, 0, 0, 0).unwrap();
/// let to = DateTime::new(2036, 1, 1, 0, 0, 0).unwrap();
/// let root = Ca::self_signed(
///     SigningKey::generate_sm2(&mut rng).unwrap(),
///     &CertificateParams::new("CN=Test Root,O=Test,C=CN".parse().unwrap(), from, to,
///         Profile::Ca { path_len: Some(1) }),
///     &mut rng,
/// ).unwrap();
/// let user_key = SigningKey::generate_sm2(&mut rng).unwrap();
/// let user = root.issue(
///     &CertificateParams::new("CN=alice".parse().unwrap(), from, to, Profile::WalletUser),
///     &mpay_wpki::Signer::public_key_info(&user_key).unwrap(),
///     &mut rng,
/// ).unwrap();
/// assert_eq!(user.tbs_certificate().issuer(), root.certificate().tbs_certificate().subject());
/// ```
#[derive(Clone, Debug)]
pub struct Ca<S = crate::SigningKey> {
    key: S,
    certificate: Certificate,
    key_id: Vec<u8>,
}

impl<S: Signer> Ca<S> {
    /// A self-signed root; `params.profile` must be a CA preset ([`Profile::is_ca`]).
    pub fn self_signed<R: CryptoRng + ?Sized>(
        key: S,
        params: &CertificateParams,
        rng: &mut R,
    ) -> Result<Self> {
        if !params.profile.is_ca() || matches!(params.profile, Profile::GmtSubordinateCa { .. }) {
            return Err(Error::Params("a root needs a root CA profile"));
        }
        let spki = key.public_key_info()?;
        let key_id = subject_key_id(&params.profile, &spki);
        let certificate = sign_certificate(&key, &params.subject, None, params, spki, rng)?;
        Ok(Ca {
            key,
            certificate,
            key_id,
        })
    }

    /// Wraps an existing CA certificate and its key (the key must match the certificate). The
    /// key identifier is the certificate's SubjectKeyIdentifier, or RFC 5280 method (1) when it
    /// has none.
    pub fn from_parts(key: S, certificate: Certificate) -> Result<Self> {
        let spki = key.public_key_info()?;
        if &spki != certificate.tbs_certificate().subject_public_key_info() {
            return Err(Error::Params("key does not match the CA certificate"));
        }
        let key_id =
            subject_key_identifier_of(&certificate).unwrap_or_else(|| key_identifier(&spki));
        Ok(Ca {
            key,
            certificate,
            key_id,
        })
    }

    /// The CA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The CA's key identifier (its SKI, the AKI of what it issues).
    pub fn key_id(&self) -> &[u8] {
        &self.key_id
    }

    /// The CA's signing key.
    pub fn signer(&self) -> &S {
        &self.key
    }

    /// Issues a certificate for `subject_key` under this CA.
    pub fn issue<R: CryptoRng + ?Sized>(
        &self,
        params: &CertificateParams,
        subject_key: &SubjectPublicKeyInfoOwned,
        rng: &mut R,
    ) -> Result<Certificate> {
        let issuer = self.certificate.tbs_certificate().subject();
        sign_certificate(
            &self.key,
            issuer,
            Some(&self.key_id),
            params,
            subject_key.clone(),
            rng,
        )
    }

    /// Issues a subordinate CA certificate for `key` and returns that CA; `params.profile`
    /// must be a CA preset ([`Profile::is_ca`]).
    pub fn issue_subordinate<T: Signer, R: CryptoRng + ?Sized>(
        &self,
        key: T,
        params: &CertificateParams,
        rng: &mut R,
    ) -> Result<Ca<T>> {
        if !params.profile.is_ca() || matches!(params.profile, Profile::GmtRootCa { .. }) {
            return Err(Error::Params(
                "a subordinate CA needs a subordinate CA profile",
            ));
        }
        let spki = key.public_key_info()?;
        let certificate = self.issue(params, &spki, rng)?;
        Ca::from_parts(key, certificate)
    }
}
