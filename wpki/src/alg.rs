//! Signature algorithms: one [`Signer`]/[`Verifier`] abstraction over SM2-with-SM3 (through
//! `mpay-gmt`, with a distinguishing ID), ECDSA P-256 with SHA-256, RSA PKCS#1 v1.5 with
//! SHA-256 and RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt, trailerField 1). Every signature is emitted in its DER/X.509 form (SM2 and ECDSA as
//! `SEQUENCE { r INTEGER, s INTEGER }`, never raw `r‖s`).

use crate::{Error, Result};
use alloc::vec::Vec;
use der::{Decode, Encode, asn1::Any, oid::ObjectIdentifier};
use mpay_gmt::sm2;
use p256::ecdsa;
use rand_core::CryptoRng;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::Sha256;
use signature::{Signer as _, Verifier as _};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// SM2-with-SM3 signatures, `1.2.156.10197.1.501` (GM/T 0006); parameters absent.
pub const SM2_WITH_SM3: ObjectIdentifier = mpay_gmt::oid::SM2_WITH_SM3;
/// `ecdsa-with-SHA256`, `1.2.840.10045.4.3.2` (RFC 5758); parameters absent.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `sha256WithRSAEncryption`, `1.2.840.113549.1.1.11` (RFC 4055); parameters NULL.
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `id-RSASSA-PSS`, `1.2.840.113549.1.1.10` (RFC 4055); parameters are the
/// `RSASSA-PSS-params` (only SHA-256, MGF1 with SHA-256, salt 32, trailerField 1 are supported).
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `id-mgf1`, `1.2.840.113549.1.1.8` (RFC 8017).
pub const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// `id-sha256`, `2.16.840.1.101.3.4.2.1`.
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// The RSASSA-PSS salt length this crate signs and verifies with (the SHA-256 output size).
pub const PSS_SALT_LEN: u8 = 32;
/// `id-ecPublicKey`, `1.2.840.10045.2.1`.
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The SM2 curve, `1.2.156.10197.1.301`.
pub const SM2_CURVE: ObjectIdentifier = mpay_gmt::oid::SM2;
/// The NIST P-256 curve `prime256v1`, `1.2.840.10045.3.1.7`.
pub const P256_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `rsaEncryption`, `1.2.840.113549.1.1.1`.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The SM2 distinguishing ID of GM/T 0009 and GmSSL, `1234567812345678`, used unless a
/// caller configures another one.
pub const DEFAULT_SM2_ID: &[u8] = sm2::DEFAULT_ID;

/// Something that signs certificates (and other messages) with a fixed algorithm.
pub trait Signer {
    /// The `AlgorithmIdentifier` of the signatures this signer makes.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// The signer's public key as a `SubjectPublicKeyInfo`.
    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned>;
    /// Signs `msg`, returning the DER/X.509 signature value (the BIT STRING contents).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>>;
}

/// Something that verifies signatures made under a given `AlgorithmIdentifier`.
pub trait Verifier {
    /// Verifies `signature` (DER/X.509 form) over `msg`; fails with [`Error::Algorithm`] if
    /// `algorithm` does not fit the key and [`Error::BadSignature`] if the signature is wrong.
    fn verify(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<()>;
}

/// A private signing key of one of the supported algorithms.
///
/// ```
/// use mpay_wpki::{SigningKey, Signer, Verifier};
/// let key = SigningKey::sm2(mpay_gmt::sm2::PrivateKey::from_bytes(&[7; 32]).unwrap());
/// let sig = key.sign(b"pay 10.00").unwrap();
/// key.verifying_key().verify(&key.signature_algorithm(), b"pay 10.00", &sig).unwrap();
/// ```
#[derive(Clone)]
pub enum SigningKey {
    /// SM2 with the distinguishing ID `id`.
    Sm2 {
        /// The private key.
        key: sm2::PrivateKey,
        /// The distinguishing ID signatures are made for.
        id: Vec<u8>,
    },
    /// ECDSA on P-256 with SHA-256.
    P256(ecdsa::SigningKey),
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte random salt (needs the OS RNG, so
    /// only with the `std` feature).
    #[cfg(feature = "std")]
    RsaPss(rsa::pss::SigningKey<Sha256>),
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = match self {
            SigningKey::Sm2 { .. } => "SM2",
            SigningKey::P256(_) => "P-256",
            SigningKey::Rsa(_) => "RSA",
            #[cfg(feature = "std")]
            SigningKey::RsaPss(_) => "RSA-PSS",
        };
        write!(f, "SigningKey({kind}, secret masked)")
    }
}

impl SigningKey {
    /// An SM2 key signing with [`DEFAULT_SM2_ID`].
    pub fn sm2(key: sm2::PrivateKey) -> Self {
        Self::sm2_with_id(key, DEFAULT_SM2_ID)
    }

    /// An SM2 key signing with distinguishing ID `id` (e.g. `b""` for the OpenSSL CLI default).
    pub fn sm2_with_id(key: sm2::PrivateKey, id: &[u8]) -> Self {
        SigningKey::Sm2 {
            key,
            id: id.to_vec(),
        }
    }

    /// A fresh SM2 key from `rng` (standard ID).
    pub fn generate_sm2<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        let key = sm2::PrivateKey::generate(rng).map_err(|_| Error::Rng)?;
        Ok(Self::sm2(key))
    }

    /// A fresh P-256 key from `rng`.
    pub fn generate_p256<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        SigningKey::P256(
            <ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(rng),
        )
    }

    /// A fresh RSA key of `bits` bits from `rng` (PKCS#1 v1.5 signatures with SHA-256).
    pub fn generate_rsa<R: CryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self> {
        rsa::RsaPrivateKey::new(rng, bits)
            .map(Self::rsa)
            .map_err(|_| Error::Key("RSA key generation failed"))
    }

    /// An RSA key (PKCS#1 v1.5 signatures with SHA-256).
    pub fn rsa(key: rsa::RsaPrivateKey) -> Self {
        SigningKey::Rsa(rsa::pkcs1v15::SigningKey::new(key))
    }

    /// An RSA key making RSASSA-PSS signatures (SHA-256, MGF1-SHA-256, salt 32, trailerField 1;
    /// the salt and the blinding come from the OS RNG).
    ///
    /// ```
    /// use mpay_wpki::{SigningKey, Signer, Verifier};
    /// # let der = include_bytes!("../tests/vectors/rsa2048-pkcs8.der");
    /// let key = rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(der).unwrap();
    /// let key = SigningKey::rsa_pss(key);
    /// let alg = key.signature_algorithm();
    /// assert_eq!(alg.oid, mpay_wpki::alg::RSASSA_PSS);
    /// let sig = key.sign(b"batch 7").unwrap();
    /// key.verifying_key().verify(&alg, b"batch 7", &sig).unwrap();
    /// ```
    #[cfg(feature = "std")]
    pub fn rsa_pss(key: rsa::RsaPrivateKey) -> Self {
        SigningKey::RsaPss(rsa::pss::SigningKey::new_with_salt_len(
            key,
            usize::from(PSS_SALT_LEN),
        ))
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (as `openssl genpkey` writes) holding an
    /// SM2, P-256 or RSA key. SM2 keys sign with [`DEFAULT_SM2_ID`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        if let Ok(k) = sm2::PrivateKey::from_der(der) {
            return Ok(Self::sm2(k));
        }
        if let Ok(k) = ecdsa::SigningKey::from_pkcs8_der(der) {
            return Ok(SigningKey::P256(k));
        }
        rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(Self::rsa)
            .map_err(|_| Error::Key("PKCS#8 key is not an SM2, P-256 or RSA key"))
    }

    /// The key as an unencrypted PKCS#8 `PrivateKeyInfo` (what `openssl pkey` reads; SM2 keys
    /// as `id-ecPublicKey` on the SM2 curve), zeroized on drop. The SM2 ID is not part of it.
    pub fn to_pkcs8_der(&self) -> Result<rsa::pkcs8::SecretDocument> {
        use rsa::pkcs8::EncodePrivateKey;
        let doc = match self {
            SigningKey::Sm2 { key, .. } => key
                .to_pkcs8_der()
                .ok()
                .and_then(|der| rsa::pkcs8::SecretDocument::try_from(der.as_slice()).ok()),
            SigningKey::P256(k) => k.to_pkcs8_der().ok(),
            SigningKey::Rsa(k) => k.as_ref().to_pkcs8_der().ok(),
            #[cfg(feature = "std")]
            SigningKey::RsaPss(k) => k.as_ref().to_pkcs8_der().ok(),
        };
        doc.ok_or(Error::Key("PKCS#8 encoding failed"))
    }

    /// The matching public key (SM2 with the same ID).
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::Sm2 { key, id } => VerifyingKey::Sm2 {
                key: key.public_key(),
                id: id.clone(),
            },
            SigningKey::P256(k) => VerifyingKey::P256(*k.verifying_key()),
            SigningKey::Rsa(k) => VerifyingKey::Rsa(k.as_ref().to_public_key()),
            #[cfg(feature = "std")]
            SigningKey::RsaPss(k) => VerifyingKey::Rsa(k.as_ref().to_public_key()),
        }
    }
}

fn absent(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

impl Signer for SigningKey {
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            SigningKey::Sm2 { .. } => absent(SM2_WITH_SM3),
            SigningKey::P256(_) => absent(ECDSA_WITH_SHA256),
            SigningKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::from(der::asn1::Null)),
            },
            #[cfg(feature = "std")]
            SigningKey::RsaPss(_) => pss_algorithm(),
        }
    }

    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned> {
        self.verifying_key().public_key_info()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        match self {
            SigningKey::Sm2 { key, id } => {
                Ok(key.sign(id, msg).map_err(|_| Error::Sign("SM2"))?.to_der())
            }
            SigningKey::P256(k) => {
                let s: ecdsa::DerSignature =
                    k.try_sign(msg).map_err(|_| Error::Sign("ECDSA P-256"))?;
                Ok(s.as_bytes().to_vec())
            }
            SigningKey::Rsa(k) => {
                let s = k.try_sign(msg).map_err(|_| Error::Sign("RSA"))?;
                Ok(signature::SignatureEncoding::to_vec(&s))
            }
            #[cfg(feature = "std")]
            SigningKey::RsaPss(k) => {
                let s = k.try_sign(msg).map_err(|_| Error::Sign("RSA-PSS"))?;
                Ok(signature::SignatureEncoding::to_vec(&s))
            }
        }
    }
}

/// A public key of one of the supported algorithms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyingKey {
    /// SM2, verifying for distinguishing ID `id`.
    Sm2 {
        /// The public key.
        key: sm2::PublicKey,
        /// The distinguishing ID signatures are checked for.
        id: Vec<u8>,
    },
    /// ECDSA P-256.
    P256(ecdsa::VerifyingKey),
    /// RSA.
    Rsa(rsa::RsaPublicKey),
}

impl VerifyingKey {
    /// Reads a `SubjectPublicKeyInfo`: `id-ecPublicKey` on the SM2 or P-256 curve, or
    /// `rsaEncryption`. SM2 keys verify for distinguishing ID `sm2_id`.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned, sm2_id: &[u8]) -> Result<Self> {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::Key("subjectPublicKey has unused bits"))?;
        let alg = &spki.algorithm;
        if alg.oid == RSA_ENCRYPTION {
            let k =
                rsa::RsaPublicKey::from_pkcs1_der(bits).map_err(|_| Error::Key("RSAPublicKey"))?;
            return Ok(VerifyingKey::Rsa(k));
        }
        if alg.oid != EC_PUBLIC_KEY {
            return Err(Error::Key("public key is neither EC nor RSA"));
        }
        let curve: ObjectIdentifier = alg
            .parameters
            .as_ref()
            .ok_or(Error::Key("EC key without a named curve"))?
            .decode_as()
            .map_err(|_| Error::Key("EC key without a named curve"))?;
        if curve == SM2_CURVE {
            let key = sm2::PublicKey::from_sec1_bytes(bits).map_err(|_| Error::Key("SM2 point"))?;
            Ok(VerifyingKey::Sm2 {
                key,
                id: sm2_id.to_vec(),
            })
        } else if curve == P256_CURVE {
            let k = ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map_err(|_| Error::Key("P-256 point"))?;
            Ok(VerifyingKey::P256(k))
        } else {
            Err(Error::Key("EC key on an unsupported curve"))
        }
    }

    /// Reads `SubjectPublicKeyInfo` DER (see [`VerifyingKey::from_spki`]).
    pub fn from_spki_der(der: &[u8], sm2_id: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der)
            .map_err(|e| Error::der("SubjectPublicKeyInfo", e))?;
        Self::from_spki(&spki, sm2_id)
    }

    /// The key as a `SubjectPublicKeyInfo` (EC keys as uncompressed points).
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned> {
        let der = match self {
            VerifyingKey::Sm2 { key, .. } => {
                key.to_spki_der().map_err(|_| Error::Key("SM2 SPKI"))?
            }
            VerifyingKey::P256(k) => k
                .to_public_key_der()
                .map_err(|_| Error::Key("P-256 SPKI"))?
                .into_vec(),
            VerifyingKey::Rsa(k) => k
                .to_public_key_der()
                .map_err(|_| Error::Key("RSA SPKI"))?
                .into_vec(),
        };
        SubjectPublicKeyInfoOwned::from_der(&der).map_err(|e| Error::der("SubjectPublicKeyInfo", e))
    }

    fn kind(&self) -> &'static str {
        match self {
            VerifyingKey::Sm2 { .. } => "SM2",
            VerifyingKey::P256(_) => "ECDSA P-256",
            VerifyingKey::Rsa(_) => "RSA",
        }
    }
}

/// `true` when the parameters are absent or NULL (GmSSL can emit NULL for SM2-with-SM3).
fn absent_or_null(alg: &AlgorithmIdentifierOwned) -> bool {
    match &alg.parameters {
        None => true,
        Some(p) => p.to_der().is_ok_and(|d| d == [0x05, 0x00]),
    }
}

/// The `AlgorithmIdentifier` this crate signs RSASSA-PSS under: SHA-256, MGF1-SHA-256, salt 32,
/// trailerField 1 (hash parameters NULL, as OpenSSL writes them).
pub fn pss_algorithm() -> AlgorithmIdentifierOwned {
    let params = rsa::pkcs1::RsaPssParamsRef::new::<Sha256>(PSS_SALT_LEN);
    AlgorithmIdentifierOwned {
        oid: RSASSA_PSS,
        // Encoding fixed, known-good parameters cannot fail.
        parameters: Any::encode_from(&params).ok(),
    }
}

/// Checks that `alg` is RSASSA-PSS with exactly the parameter set this crate supports
/// (RFC 4055 §3.1: SHA-256, MGF1 with SHA-256, saltLength 32, trailerField 1; hash parameters
/// absent or NULL). Anything else fails with [`Error::UnsupportedParameters`] naming the field.
pub fn check_pss_parameters(alg: &AlgorithmIdentifierOwned) -> Result<()> {
    let unsupported = |reason| Error::UnsupportedParameters {
        oid: alg.oid,
        reason,
    };
    if alg.oid != RSASSA_PSS {
        return Err(unsupported("not id-RSASSA-PSS"));
    }
    let any = alg
        .parameters
        .as_ref()
        .ok_or(unsupported("RSASSA-PSS-params absent (SHA-1 defaults)"))?;
    let der = any
        .to_der()
        .map_err(|e| Error::der("RSASSA-PSS-params", e))?;
    let p = rsa::pkcs1::RsaPssParamsOwned::from_der(&der)
        .map_err(|_| unsupported("RSASSA-PSS-params do not decode"))?;
    let null_or_absent = |p: &Option<Any>| {
        p.as_ref()
            .is_none_or(|a| a.to_der().is_ok_and(|d| d == [0x05, 0x00]))
    };
    if p.hash.oid != SHA256 || !null_or_absent(&p.hash.parameters) {
        return Err(unsupported("hashAlgorithm is not SHA-256"));
    }
    if p.mask_gen.oid != MGF1 {
        return Err(unsupported("maskGenAlgorithm is not MGF1"));
    }
    match &p.mask_gen.parameters {
        Some(h) if h.oid == SHA256 && null_or_absent(&h.parameters) => {}
        _ => return Err(unsupported("MGF1 hash is not SHA-256")),
    }
    if p.salt_len != PSS_SALT_LEN {
        return Err(unsupported("saltLength is not 32"));
    }
    if p.trailer_field != rsa::pkcs1::TrailerField::BC {
        return Err(unsupported("trailerField is not 1"));
    }
    Ok(())
}

impl Verifier for VerifyingKey {
    fn verify(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let bad = || Error::BadSignature(self.kind());
        let fits = match self {
            VerifyingKey::Sm2 { .. } => algorithm.oid == SM2_WITH_SM3 && absent_or_null(algorithm),
            VerifyingKey::P256(_) => {
                algorithm.oid == ECDSA_WITH_SHA256 && algorithm.parameters.is_none()
            }
            VerifyingKey::Rsa(_) if algorithm.oid == RSASSA_PSS => {
                check_pss_parameters(algorithm)?;
                true
            }
            VerifyingKey::Rsa(_) => algorithm.oid == SHA256_WITH_RSA && absent_or_null(algorithm),
        };
        if !fits {
            return Err(Error::Algorithm {
                oid: algorithm.oid,
                key: self.kind(),
            });
        }
        match self {
            VerifyingKey::Sm2 { key, id } => {
                let s = sm2::Signature::from_der(signature).map_err(|_| bad())?;
                key.verify(id, msg, &s).map_err(|_| bad())
            }
            VerifyingKey::P256(k) => {
                let s = ecdsa::Signature::from_der(signature).map_err(|_| bad())?;
                k.verify(msg, &s).map_err(|_| bad())
            }
            VerifyingKey::Rsa(k) if algorithm.oid == RSASSA_PSS => {
                let s = rsa::pss::Signature::try_from(signature).map_err(|_| bad())?;
                rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(
                    k.clone(),
                    usize::from(PSS_SALT_LEN),
                )
                .verify(msg, &s)
                .map_err(|_| bad())
            }
            VerifyingKey::Rsa(k) => {
                let s = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad())?;
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.clone())
                    .verify(msg, &s)
                    .map_err(|_| bad())
            }
        }
    }
}
