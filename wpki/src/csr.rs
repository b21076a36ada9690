//! PKCS#10 certificate requests (RFC 2986): creation, verification of the self-signature (proof
//! of possession of the private key) and issuance from a verified request.

use crate::alg::{Signer, Verifier, VerifyingKey};
use crate::cert::{CertificateParams, SignedParts};
use crate::{Ca, Error, Result};
use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use rand_core::CryptoRng;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};

/// Creates a PKCS#10 request for `subject`, signed by `key` (SM2 with the key's ID).
///
/// ```
/// use mpay_wpki::{SigningKey, csr};
/// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let key = SigningKey::generate_sm2(&mut rng).unwrap();
/// let req = csr::create(&key, "CN=wallet user 0001".parse().unwrap()).unwrap();
/// let der = der::Encode::to_der(&req).unwrap();
/// let verified = csr::verify(&der, mpay_wpki::alg::DEFAULT_SM2_ID).unwrap();
/// assert_eq!(verified.subject().to_string(), "CN=wallet user 0001");
/// ```
pub fn create<S: Signer + ?Sized>(key: &S, subject: Name) -> Result<CertReq> {
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: key.public_key_info()?,
        attributes: SetOfVec::new(),
    };
    let tbs = info
        .to_der()
        .map_err(|e| Error::der("CertificationRequestInfo", e))?;
    let signature = BitString::from_bytes(&key.sign(&tbs)?)
        .map_err(|e| Error::der("CertificationRequest.signature", e))?;
    Ok(CertReq {
        info,
        algorithm: key.signature_algorithm(),
        signature,
    })
}

/// A request whose self-signature verified: the subject proved possession of the key.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    request: CertReq,
}

impl VerifiedRequest {
    /// The requested subject name.
    pub fn subject(&self) -> &Name {
        &self.request.info.subject
    }

    /// The subject's public key.
    pub fn public_key_info(&self) -> &SubjectPublicKeyInfoOwned {
        &self.request.info.public_key
    }

    /// The whole request (attributes included).
    pub fn request(&self) -> &CertReq {
        &self.request
    }
}

/// Decodes a DER request and verifies its self-signature with the enclosed key (SM2 keys for
/// distinguishing ID `sm2_id`).
pub fn verify(der: &[u8], sm2_id: &[u8]) -> Result<VerifiedRequest> {
    let parts = SignedParts::from_der(der).map_err(|e| Error::der("CertificationRequest", e))?;
    let request = CertReq::from_der(der).map_err(|e| Error::der("CertificationRequest", e))?;
    let tbs = parts
        .tbs
        .to_der()
        .map_err(|e| Error::der("CertificationRequestInfo", e))?;
    let sig = parts
        .signature
        .as_bytes()
        .ok_or(Error::BadSignature("CSR (signature has unused bits)"))?;
    let key = VerifyingKey::from_spki(&request.info.public_key, sm2_id)?;
    key.verify(&request.algorithm, &tbs, sig)?;
    Ok(VerifiedRequest { request })
}

impl<S: Signer> Ca<S> {
    /// Issues a certificate for a verified request. Policy: `params.subject` (what the RA
    /// approved) must equal the requested subject; the key comes from the request; requested
    /// attributes (e.g. extension requests) are not copied.
    pub fn issue_for_request<R: CryptoRng + ?Sized>(
        &self,
        request: &VerifiedRequest,
        params: &CertificateParams,
        rng: &mut R,
    ) -> Result<Certificate> {
        if &params.subject != request.subject() {
            return Err(Error::Params(
                "requested subject differs from the approved subject",
            ));
        }
        self.issue(params, request.public_key_info(), rng)
    }
}
