//! Certificate revocation lists (RFC 5280 §5): issuance by a [`Ca`] with the CA's *own* key
//! identifier as AKI and a cRLNumber, decoding, and signature checks (used by path validation
//! when [`crate::ValidationOptions::crls`] is set).

use crate::alg::{Signer, Verifier, VerifyingKey};
use crate::cert::{SignedParts, ext, rfc5280_time};
use crate::{Ca, Error, Result};
use alloc::vec::Vec;
use der::asn1::{BitString, OctetString, Uint};
use der::oid::AssociatedOid;
use der::{DateTime, Decode, Encode};
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber};
use x509_cert::serial_number::SerialNumber;

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The certificate's serial number.
    pub serial: SerialNumber,
    /// When it was revoked.
    pub date: DateTime,
}

impl<S: Signer> Ca<S> {
    /// Issues a v2 CRL listing `revoked`, with cRLNumber `number` (big-endian, positive) and
    /// AuthorityKeyIdentifier = this CA's key identifier.
    ///
    /// ```
    /// # use mpay_wpki::{Ca, CertificateParams, Profile, SigningKey, DateTime, crl::ParsedCrl};
    /// # let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// # let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(), DateTime::new(2036, 1, 1, 0, 0, 0).unwrap());
    /// let ca = Ca::self_signed(SigningKey::generate_sm2(&mut rng).unwrap(),
    ///     &CertificateParams::new("CN=CA".parse().unwrap(), from, to, Profile::Ca { path_len: None }),
    ///     &mut rng).unwrap();
    /// let crl = ca.issue_crl(&[1], from, DateTime::new(2026, 1, 8, 0, 0, 0).unwrap(), &[]).unwrap();
    /// let parsed = ParsedCrl::from_der(&der::Encode::to_der(&crl).unwrap()).unwrap();
    /// parsed.verify(&mpay_wpki::Signer::public_key_info(ca.signer()).map(|s|
    ///     mpay_wpki::VerifyingKey::from_spki(&s, mpay_wpki::alg::DEFAULT_SM2_ID).unwrap()).unwrap()).unwrap();
    /// ```
    pub fn issue_crl(
        &self,
        number: &[u8],
        this_update: DateTime,
        next_update: DateTime,
        revoked: &[RevokedEntry],
    ) -> Result<CertificateList> {
        if next_update < this_update {
            return Err(Error::Params("nextUpdate is before thisUpdate"));
        }
        let number = Uint::new(number).map_err(|e| Error::der("cRLNumber", e))?;
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(
                OctetString::new(self.key_id()).map_err(|e| Error::der("key identifier", e))?,
            ),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        let entries = revoked
            .iter()
            .map(|r| {
                Ok(RevokedCert {
                    serial_number: r.serial.clone(),
                    revocation_date: rfc5280_time(r.date)?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let tbs = TbsCertList {
            version: Version::V2,
            signature: self.signer().signature_algorithm(),
            issuer: self.certificate().tbs_certificate().subject().clone(),
            this_update: rfc5280_time(this_update)?,
            next_update: Some(rfc5280_time(next_update)?),
            revoked_certificates: (!entries.is_empty()).then_some(entries),
            crl_extensions: Some(alloc::vec![
                ext(&aki, false)?,
                ext(&CrlNumber(number), false)?
            ]),
        };
        let der = tbs.to_der().map_err(|e| Error::der("TBSCertList", e))?;
        let signature = BitString::from_bytes(&self.signer().sign(&der)?)
            .map_err(|e| Error::der("CertificateList.signature", e))?;
        Ok(CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: self.signer().signature_algorithm(),
            signature,
        })
    }
}

/// A decoded CRL with the exact bytes its signature covers.
#[derive(Clone, Debug)]
pub struct ParsedCrl {
    crl: CertificateList,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl ParsedCrl {
    /// Decodes a DER `CertificateList`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let parts = SignedParts::from_der(der).map_err(|e| Error::der("CertificateList", e))?;
        let crl = CertificateList::from_der(der).map_err(|e| Error::der("CertificateList", e))?;
        let tbs = parts
            .tbs
            .to_der()
            .map_err(|e| Error::der("TBSCertList", e))?;
        let signature = parts
            .signature
            .as_bytes()
            .ok_or(Error::BadSignature("CRL (signature has unused bits)"))?
            .to_vec();
        Ok(ParsedCrl {
            crl,
            tbs,
            signature,
        })
    }

    /// The decoded CRL.
    pub fn crl(&self) -> &CertificateList {
        &self.crl
    }

    /// Verifies the CRL's signature with the issuer's key (the algorithm must fit the key and
    /// equal the one inside the signed part).
    pub fn verify(&self, issuer_key: &VerifyingKey) -> Result<()> {
        let outer = &self.crl.signature_algorithm;
        if &self.crl.tbs_cert_list.signature != outer {
            return Err(Error::Algorithm {
                oid: outer.oid,
                key: "CRL inner/outer mismatch",
            });
        }
        issuer_key.verify(outer, &self.tbs, &self.signature)
    }

    /// `true` when `time` is within `[thisUpdate, nextUpdate]` (no nextUpdate: never current).
    pub fn is_current(&self, time: DateTime) -> bool {
        let t = &self.crl.tbs_cert_list;
        t.this_update.to_date_time() <= time
            && t.next_update.is_some_and(|n| time <= n.to_date_time())
    }

    /// `true` when `serial` is listed.
    pub fn is_revoked(&self, serial: &SerialNumber) -> bool {
        self.crl
            .tbs_cert_list
            .revoked_certificates
            .as_ref()
            .is_some_and(|list| list.iter().any(|r| &r.serial_number == serial))
    }

    /// `true` when a CRL extension is critical and not cRLNumber/AKI (such a CRL cannot be
    /// used, RFC 5280 §5.2).
    pub fn has_unknown_critical_extension(&self) -> bool {
        self.crl
            .tbs_cert_list
            .crl_extensions
            .as_ref()
            .is_some_and(|exts| {
                exts.iter().any(|e| {
                    e.critical
                        && e.extn_id != CrlNumber::OID
                        && e.extn_id != AuthorityKeyIdentifier::OID
                })
            })
    }
}
