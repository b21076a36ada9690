//! A certificate directory and chain building.
//!
//! - [`Directory`]: store certificates and CRLs; look certificates up by subject DN, by
//!   SubjectKeyIdentifier, by issuer + serial number and by SHA-256 of the DER; serve the latest
//!   CRL of an issuer (highest cRLNumber). [`CertRef`] names a certificate by SKI or hash, for
//!   devices that cache the directory and exchange references instead of certificates.
//! - [`MemoryDirectory`] (linear scans, for device caches and certificate pools) and, with the
//!   `sqlite` feature, [`SqliteDirectory`] (embedded SQLite, indexed).
//! - [`build_path`]: builds candidate paths from a target to the trust anchors through a
//!   directory (issuer by AuthorityKeyIdentifier → SubjectKeyIdentifier first, then by issuer
//!   name → subject), with loop detection and depth/attempt limits, and returns the first path
//!   that [`validate`]s, or the most relevant error.
//!
//! The directory is a store, not a judge: it does not verify what it stores. Everything it
//! serves goes through [`validate`] (which checks signatures, CRL signatures included).

use crate::crl::ParsedCrl;
use crate::path::{ParsedCertificate, TrustAnchor, ValidPath, ValidationOptions, validate};
use crate::{Error, Result};
use alloc::string::ToString;
use alloc::vec::Vec;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// A reference to a certificate that a device holding the directory (or a cache of it) can
/// resolve: its SubjectKeyIdentifier or the SHA-256 of its DER encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CertRef {
    /// The SubjectKeyIdentifier (e.g. 20 octets, or 8 for the compact profiles).
    KeyId(Vec<u8>),
    /// SHA-256 of the certificate's DER encoding.
    Sha256([u8; 32]),
}

impl CertRef {
    /// The reference by hash of `cert`.
    pub fn sha256_of(cert: &ParsedCertificate) -> Result<Self> {
        Ok(CertRef::Sha256(Facts::of(cert)?.sha256))
    }

    /// The reference by SubjectKeyIdentifier of `cert`, if it has one.
    pub fn key_id_of(cert: &ParsedCertificate) -> Option<Self> {
        crate::cert::subject_key_identifier_of(cert.certificate()).map(CertRef::KeyId)
    }
}

/// A store of certificates and CRLs.
///
/// ```
/// use mpay_wpki::directory::{CertRef, Directory, MemoryDirectory};
/// use mpay_wpki::{Ca, CertificateParams, DateTime, ParsedCertificate, Profile, SigningKey};
/// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(), DateTime::new(2036, 1, 1, 0, 0, 0).unwrap());
/// let ca = Ca::self_signed(SigningKey::generate_p256(&mut rng),
///     &CertificateParams::new("CN=Bank CA".parse().unwrap(), from, to, Profile::Ca { path_len: None }),
///     &mut rng).unwrap();
/// let cert = ParsedCertificate::from_certificate(ca.certificate()).unwrap();
/// let mut dir = MemoryDirectory::new();
/// dir.store_certificate(&cert).unwrap();
/// let by_ski = dir.resolve(&CertRef::key_id_of(&cert).unwrap()).unwrap().unwrap();
/// assert_eq!(by_ski.certificate(), ca.certificate());
/// assert_eq!(dir.by_subject(&"CN=Bank CA".parse().unwrap()).unwrap().len(), 1);
/// ```
pub trait Directory {
    /// Stores a certificate (storing the same certificate twice keeps one copy).
    fn store_certificate(&mut self, cert: &ParsedCertificate) -> Result<()>;
    /// Stores a CRL; it must carry a cRLNumber (RFC 5280 §5.2.3), which orders an issuer's CRLs.
    fn store_crl(&mut self, crl: &ParsedCrl) -> Result<()>;
    /// Certificates whose subject is `subject` (binary DER comparison), in storage order.
    fn by_subject(&self, subject: &Name) -> Result<Vec<ParsedCertificate>>;
    /// Certificates whose SubjectKeyIdentifier is `key_id`, in storage order.
    fn by_key_id(&self, key_id: &[u8]) -> Result<Vec<ParsedCertificate>>;
    /// The certificate `issuer` issued with serial number `serial`.
    fn by_issuer_serial(
        &self,
        issuer: &Name,
        serial: &SerialNumber,
    ) -> Result<Option<ParsedCertificate>>;
    /// The certificate whose DER encoding hashes to `sha256`.
    fn by_sha256(&self, sha256: &[u8; 32]) -> Result<Option<ParsedCertificate>>;
    /// The CRL of `issuer` with the highest cRLNumber.
    fn latest_crl(&self, issuer: &Name) -> Result<Option<ParsedCrl>>;

    /// Resolves a reference (by key identifier: the first certificate stored with that SKI).
    fn resolve(&self, r: &CertRef) -> Result<Option<ParsedCertificate>> {
        match r {
            CertRef::KeyId(id) => Ok(self.by_key_id(id)?.into_iter().next()),
            CertRef::Sha256(h) => self.by_sha256(h),
        }
    }
}

/// What a directory indexes a certificate by (the SQLite store uses every field).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
struct Facts {
    der: Vec<u8>,
    sha256: [u8; 32],
    subject: Vec<u8>,
    issuer: Vec<u8>,
    serial: Vec<u8>,
    key_id: Option<Vec<u8>>,
}

impl Facts {
    fn of(cert: &ParsedCertificate) -> Result<Self> {
        let c = cert.certificate();
        let der = c.to_der().map_err(|e| Error::der("Certificate", e))?;
        let tbs = c.tbs_certificate();
        Ok(Facts {
            sha256: Sha256::digest(&der).into(),
            subject: name_der(tbs.subject())?,
            issuer: name_der(tbs.issuer())?,
            serial: tbs.serial_number().as_bytes().to_vec(),
            key_id: crate::cert::subject_key_identifier_of(c),
            der,
        })
    }
}

fn name_der(n: &Name) -> Result<Vec<u8>> {
    n.to_der().map_err(|e| Error::der("Name", e))
}

/// The cRLNumber of a CRL, without leading zero octets (so that longer = larger).
fn crl_number(crl: &ParsedCrl) -> Result<Vec<u8>> {
    let ext = crl
        .crl()
        .tbs_cert_list
        .crl_extensions
        .as_ref()
        .and_then(|l| l.iter().find(|e| e.extn_id == CrlNumber::OID))
        .ok_or(Error::Params("CRL without a cRLNumber"))?;
    let n =
        CrlNumber::from_der(ext.extn_value.as_bytes()).map_err(|e| Error::der("cRLNumber", e))?;
    let b = n.0.as_bytes();
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    Ok(b[start..].to_vec())
}

/// `a > b` for unsigned big-endian numbers without leading zeros.
fn number_gt(a: &[u8], b: &[u8]) -> bool {
    (a.len(), a) > (b.len(), b)
}

/// An in-memory directory: a certificate pool with linear-scan look-ups and the latest CRL per
/// issuer (a CRL with a lower or equal cRLNumber than the one held is ignored).
#[derive(Clone, Debug, Default)]
pub struct MemoryDirectory {
    certs: Vec<(ParsedCertificate, [u8; 32], Option<Vec<u8>>)>,
    crls: Vec<(Vec<u8>, ParsedCrl)>,
}

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A directory holding `pool`.
    pub fn from_pool<'a>(pool: impl IntoIterator<Item = &'a ParsedCertificate>) -> Result<Self> {
        let mut d = Self::new();
        for c in pool {
            d.store_certificate(c)?;
        }
        Ok(d)
    }

    /// Number of certificates held.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// `true` when no certificate is held.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

impl Directory for MemoryDirectory {
    fn store_certificate(&mut self, cert: &ParsedCertificate) -> Result<()> {
        let f = Facts::of(cert)?;
        if !self.certs.iter().any(|(_, h, _)| *h == f.sha256) {
            self.certs.push((cert.clone(), f.sha256, f.key_id));
        }
        Ok(())
    }

    fn store_crl(&mut self, crl: &ParsedCrl) -> Result<()> {
        let number = crl_number(crl)?;
        let issuer = &crl.crl().tbs_cert_list.issuer;
        match self
            .crls
            .iter_mut()
            .find(|(_, c)| &c.crl().tbs_cert_list.issuer == issuer)
        {
            Some(slot) if number_gt(&number, &slot.0) => *slot = (number, crl.clone()),
            Some(_) => {}
            None => self.crls.push((number, crl.clone())),
        }
        Ok(())
    }

    fn by_subject(&self, subject: &Name) -> Result<Vec<ParsedCertificate>> {
        Ok(self
            .certs
            .iter()
            .filter(|(c, _, _)| c.certificate().tbs_certificate().subject() == subject)
            .map(|(c, _, _)| c.clone())
            .collect())
    }

    fn by_key_id(&self, key_id: &[u8]) -> Result<Vec<ParsedCertificate>> {
        Ok(self
            .certs
            .iter()
            .filter(|(_, _, k)| k.as_deref() == Some(key_id))
            .map(|(c, _, _)| c.clone())
            .collect())
    }

    fn by_issuer_serial(
        &self,
        issuer: &Name,
        serial: &SerialNumber,
    ) -> Result<Option<ParsedCertificate>> {
        Ok(self
            .certs
            .iter()
            .map(|(c, _, _)| c)
            .find(|c| {
                let tbs = c.certificate().tbs_certificate();
                tbs.issuer() == issuer && tbs.serial_number() == serial
            })
            .cloned())
    }

    fn by_sha256(&self, sha256: &[u8; 32]) -> Result<Option<ParsedCertificate>> {
        Ok(self
            .certs
            .iter()
            .find(|(_, h, _)| h == sha256)
            .map(|(c, _, _)| c.clone()))
    }

    fn latest_crl(&self, issuer: &Name) -> Result<Option<ParsedCrl>> {
        Ok(self
            .crls
            .iter()
            .find(|(_, c)| &c.crl().tbs_cert_list.issuer == issuer)
            .map(|(_, c)| c.clone()))
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use rusqlite::{Connection, OptionalExtension, params};
    use std::path::Path;

    use crate::error::sqlite_error as db;

    const SCHEMA: &str = "
        CREATE TABLE IF NOT EXISTS certificates (
            sha256 BLOB PRIMARY KEY,
            subject BLOB NOT NULL,
            issuer BLOB NOT NULL,
            serial BLOB NOT NULL,
            key_id BLOB,
            der BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS certificates_subject ON certificates (subject);
        CREATE INDEX IF NOT EXISTS certificates_key_id ON certificates (key_id);
        CREATE INDEX IF NOT EXISTS certificates_issuer_serial ON certificates (issuer, serial);
        CREATE TABLE IF NOT EXISTS crls (
            sha256 BLOB PRIMARY KEY,
            issuer BLOB NOT NULL,
            number_len INTEGER NOT NULL,
            number BLOB NOT NULL,
            der BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS crls_latest ON crls (issuer, number_len, number);";

    /// A directory in an SQLite database (tables `certificates` and `crls`, indexed by subject,
    /// key identifier, issuer + serial, hash and issuer + cRLNumber). Rows are parsed again
    /// (strict DER) when served.
    ///
    /// ```
    /// use mpay_wpki::directory::{Directory, SqliteDirectory};
    /// let dir = SqliteDirectory::open_in_memory().unwrap();
    /// assert!(dir.by_sha256(&[0; 32]).unwrap().is_none());
    /// ```
    #[derive(Debug)]
    pub struct SqliteDirectory {
        conn: Connection,
    }

    impl SqliteDirectory {
        /// Opens (creating when absent) the directory in the database file at `path`.
        pub fn open(path: impl AsRef<Path>) -> Result<Self> {
            Self::with(Connection::open(path).map_err(db("opening the directory"))?)
        }

        /// A directory in a private in-memory database.
        pub fn open_in_memory() -> Result<Self> {
            Self::with(Connection::open_in_memory().map_err(db("opening the directory"))?)
        }

        fn with(conn: Connection) -> Result<Self> {
            conn.execute_batch(SCHEMA)
                .map_err(db("creating the directory tables"))?;
            Ok(SqliteDirectory { conn })
        }

        fn certs(
            &self,
            sql: &str,
            args: &[&dyn rusqlite::ToSql],
        ) -> Result<Vec<ParsedCertificate>> {
            let mut stmt = self
                .conn
                .prepare_cached(sql)
                .map_err(db("looking up certificates"))?;
            let rows = stmt
                .query_map(args, |r| r.get::<_, Vec<u8>>(0))
                .map_err(db("looking up certificates"))?;
            let mut out = Vec::new();
            for der in rows {
                let der = der.map_err(db("reading a certificate"))?;
                out.push(ParsedCertificate::from_der(&der)?);
            }
            Ok(out)
        }
    }

    impl Directory for SqliteDirectory {
        fn store_certificate(&mut self, cert: &ParsedCertificate) -> Result<()> {
            let f = Facts::of(cert)?;
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO certificates (sha256, subject, issuer, serial, key_id, der)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![&f.sha256[..], f.subject, f.issuer, f.serial, f.key_id, f.der],
                )
                .map_err(db("storing a certificate"))?;
            Ok(())
        }

        fn store_crl(&mut self, crl: &ParsedCrl) -> Result<()> {
            let number = crl_number(crl)?;
            let der = crl
                .crl()
                .to_der()
                .map_err(|e| Error::der("CertificateList", e))?;
            let sha: [u8; 32] = Sha256::digest(&der).into();
            let issuer = name_der(&crl.crl().tbs_cert_list.issuer)?;
            let len =
                i64::try_from(number.len()).map_err(|_| Error::Params("cRLNumber too long"))?;
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO crls (sha256, issuer, number_len, number, der)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![&sha[..], issuer, len, number, der],
                )
                .map_err(db("storing a CRL"))?;
            Ok(())
        }

        fn by_subject(&self, subject: &Name) -> Result<Vec<ParsedCertificate>> {
            self.certs(
                "SELECT der FROM certificates WHERE subject = ?1 ORDER BY rowid",
                &[&name_der(subject)?],
            )
        }

        fn by_key_id(&self, key_id: &[u8]) -> Result<Vec<ParsedCertificate>> {
            self.certs(
                "SELECT der FROM certificates WHERE key_id = ?1 ORDER BY rowid",
                &[&key_id],
            )
        }

        fn by_issuer_serial(
            &self,
            issuer: &Name,
            serial: &SerialNumber,
        ) -> Result<Option<ParsedCertificate>> {
            Ok(self
                .certs(
                    "SELECT der FROM certificates WHERE issuer = ?1 AND serial = ?2 ORDER BY rowid LIMIT 1",
                    &[&name_der(issuer)?, &serial.as_bytes()],
                )?
                .into_iter()
                .next())
        }

        fn by_sha256(&self, sha256: &[u8; 32]) -> Result<Option<ParsedCertificate>> {
            Ok(self
                .certs(
                    "SELECT der FROM certificates WHERE sha256 = ?1",
                    &[&&sha256[..]],
                )?
                .into_iter()
                .next())
        }

        fn latest_crl(&self, issuer: &Name) -> Result<Option<ParsedCrl>> {
            let der: Option<Vec<u8>> = self
                .conn
                .query_row(
                    "SELECT der FROM crls WHERE issuer = ?1
                     ORDER BY number_len DESC, number DESC LIMIT 1",
                    params![name_der(issuer)?],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db("looking up the latest CRL"))?;
            der.map(|d| ParsedCrl::from_der(&d)).transpose()
        }
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteDirectory;

/// Limits and choices of [`build_path`].
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Longest chain tried (certificates, target included; the anchor is not counted).
    pub max_depth: usize,
    /// Most candidate paths handed to [`validate`] before giving up.
    pub max_attempts: usize,
    /// Check revocation with the directory's latest CRL of each issuer on the path (sets
    /// [`ValidationOptions::crls`] for each attempt; an issuer without a CRL then fails).
    pub crls_from_directory: bool,
}

impl Default for BuildOptions {
    /// Depth 8, 32 attempts, no CRLs from the directory.
    fn default() -> Self {
        BuildOptions {
            max_depth: 8,
            max_attempts: 32,
            crls_from_directory: false,
        }
    }
}

/// A path that [`build_path`] found and [`validate`] accepted.
#[derive(Clone, Debug)]
pub struct BuiltPath {
    /// The chain, target first, up to the certificate an anchor issued.
    pub chain: Vec<ParsedCertificate>,
    /// What validation returned.
    pub valid: ValidPath,
}

/// Builds a path from `target` through `directory` to one of `anchors` and validates it.
///
/// Issuers are sought for each certificate first by its AuthorityKeyIdentifier (certificates
/// whose SKI matches and whose subject is the issuer name), then by issuer name alone. A
/// candidate whose subject and public key already appear on the path is skipped (loops, also
/// through cross-certificates). Whenever the top certificate's issuer names an anchor the
/// path is handed to [`validate`]; the search goes on (other anchors, alternative issuers)
/// until a path validates, `build.max_attempts` paths failed or every path up to
/// `build.max_depth` certificates was tried.
///
/// Errors: the first validation error of a path that reached an anchor (the AKI-preferred
/// path, so the one most likely meant), or [`Error::NoTrustAnchor`] naming the issuer at the
/// top of the longest path tried when no path reached an anchor.
///
/// ```
/// use mpay_wpki::directory::{BuildOptions, MemoryDirectory, build_path};
/// use mpay_wpki::*;
/// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0)?, DateTime::new(2036, 1, 1, 0, 0, 0)?);
/// let p = |dn: &str, profile| CertificateParams::new(dn.parse().unwrap(), from, to, profile);
/// let root = Ca::self_signed(SigningKey::generate_p256(&mut rng), &p("CN=Root", Profile::Ca { path_len: None }), &mut rng)?;
/// let bank = root.issue_subordinate(SigningKey::generate_p256(&mut rng), &p("CN=Bank CA", Profile::Ca { path_len: Some(0) }), &mut rng)?;
/// let user = bank.issue(&p("CN=user", Profile::WalletUser), &SigningKey::generate_p256(&mut rng).public_key_info()?, &mut rng)?;
/// let dir = MemoryDirectory::from_pool([&ParsedCertificate::from_certificate(bank.certificate())?])?;
/// let built = build_path(&ParsedCertificate::from_certificate(&user)?,
///     &[TrustAnchor::from_certificate(root.certificate())], &dir,
///     &ValidationOptions::at(DateTime::new(2027, 1, 1, 0, 0, 0)?), &BuildOptions::default())?;
/// assert_eq!(built.chain.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_path<D: Directory + ?Sized>(
    target: &ParsedCertificate,
    anchors: &[TrustAnchor],
    directory: &D,
    options: &ValidationOptions,
    build: &BuildOptions,
) -> Result<BuiltPath> {
    let mut search = Search {
        anchors,
        directory,
        options,
        build,
        attempts: 0,
        first_error: None,
        deepest: (
            0,
            target.certificate().tbs_certificate().issuer().to_string(),
        ),
    };
    let mut path = alloc::vec![target.clone()];
    if let Some(found) = search.extend(&mut path)? {
        return Ok(found);
    }
    Err(search.first_error.unwrap_or(Error::NoTrustAnchor {
        issuer: search.deepest.1,
    }))
}

struct Search<'a, D: ?Sized> {
    anchors: &'a [TrustAnchor],
    directory: &'a D,
    options: &'a ValidationOptions,
    build: &'a BuildOptions,
    attempts: usize,
    first_error: Option<Error>,
    deepest: (usize, alloc::string::String),
}

/// The AuthorityKeyIdentifier keyIdentifier of a certificate, if any.
fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let e = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == AuthorityKeyIdentifier::OID)?;
    AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
        .ok()?
        .key_identifier
        .map(|k| k.as_bytes().to_vec())
}

impl<D: Directory + ?Sized> Search<'_, D> {
    fn out_of_attempts(&self) -> bool {
        self.attempts >= self.build.max_attempts
    }

    /// Depth-first search above `path`'s last certificate; `Ok(Some)` once a path validates.
    fn extend(&mut self, path: &mut Vec<ParsedCertificate>) -> Result<Option<BuiltPath>> {
        let top = path.last().map(|c| c.certificate().clone());
        let Some(top) = top else {
            return Ok(None);
        };
        let issuer = top.tbs_certificate().issuer();
        if path.len() > self.deepest.0 {
            self.deepest = (path.len(), issuer.to_string());
        }
        if self.anchors.iter().any(|a| a.subject() == issuer)
            && let Some(found) = self.attempt(path)?
        {
            return Ok(Some(found));
        }
        if path.len() >= self.build.max_depth || self.out_of_attempts() {
            return Ok(None);
        }
        for candidate in self.candidates(&top)? {
            let tbs = candidate.certificate().tbs_certificate();
            let seen = path.iter().any(|p| {
                let q = p.certificate().tbs_certificate();
                q.subject() == tbs.subject()
                    && q.subject_public_key_info() == tbs.subject_public_key_info()
            });
            if seen {
                continue;
            }
            path.push(candidate);
            let found = self.extend(path)?;
            path.pop();
            if found.is_some() {
                return Ok(found);
            }
            if self.out_of_attempts() {
                break;
            }
        }
        Ok(None)
    }

    /// Issuer candidates of `cert`: AKI → SKI matches first, then the rest by name.
    fn candidates(&self, cert: &Certificate) -> Result<Vec<ParsedCertificate>> {
        let issuer = cert.tbs_certificate().issuer();
        let mut out: Vec<ParsedCertificate> = match authority_key_id(cert) {
            Some(id) => self
                .directory
                .by_key_id(&id)?
                .into_iter()
                .filter(|c| c.certificate().tbs_certificate().subject() == issuer)
                .collect(),
            None => Vec::new(),
        };
        for c in self.directory.by_subject(issuer)? {
            if !out.iter().any(|o| o.certificate() == c.certificate()) {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn attempt(&mut self, path: &[ParsedCertificate]) -> Result<Option<BuiltPath>> {
        if self.out_of_attempts() {
            return Ok(None);
        }
        self.attempts += 1;
        let mut options = self.options.clone();
        if self.build.crls_from_directory {
            let mut crls = Vec::new();
            for c in path {
                if let Some(crl) = self
                    .directory
                    .latest_crl(c.certificate().tbs_certificate().issuer())?
                {
                    crls.push(crl);
                }
            }
            options.crls = Some(crls);
        }
        match validate(path, self.anchors, &options) {
            Ok(valid) => Ok(Some(BuiltPath {
                chain: path.to_vec(),
                valid,
            })),
            Err(e) => {
                if self.first_error.is_none() {
                    self.first_error = Some(e);
                }
                Ok(None)
            }
        }
    }
}
