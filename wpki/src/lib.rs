//! Wireless PKI for wallets: signature algorithms (SM2-with-SM3, ECDSA P-256, RSA), a
//! certification authority and RFC 5280 path validation.
//!
//! - [`alg`]: [`Signer`]/[`Verifier`] over SM2 (standard distinguishing ID
//!   `1234567812345678` by default, configurable), ECDSA P-256/SHA-256, RSA PKCS#1 v1.5/SHA-256
//!   and RSASSA-PSS/SHA-256, all with DER signatures.
//! - [`cert`]: [`Ca`] issuing self-signed roots, subordinate CAs and end-entity certificates
//!   (wallet users, POS terminals) with random RFC 5280 serials and keyid AKI/SKI; GM/T
//!   0015-style SM2 and compact wallet profiles; CRL distribution points and AIA.
//! - [`csr`]: PKCS#10 requests: create, verify (proof of possession), issue from.
//! - [`crl`]: CRL issuance (correct AKI, cRLNumber) and checks.
//! - [`ocsp`]: RFC 6960 requests (RFC 8954 nonces), a direct or delegated responder, and the
//!   client-side checks; revocation by OCSP in path validation.
//! - [`path`]: [`validate`] an ordered chain to a [`TrustAnchor`] at a given time, with
//!   [`names`] constraints.
//! - [`directory`]: a certificate directory (in memory, SQLite) and chain building through it.
//!
//! Part of [mpay](https://example.invalid/mpay).
#![doc = ""]
#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod alg;
pub mod cert;
pub mod crl;
pub mod csr;
pub mod directory;
mod error;
pub mod mutual;
pub mod names;
pub mod ocsp;
pub mod path;
pub mod txn;

pub use alg::{Signer, SigningKey, Verifier, VerifyingKey};
pub use cert::{Ca, CertificateParams, Profile};
/// The time type of validity and validation (re-exported from `der`).
pub use der::DateTime;
pub use error::{Error, OcspRule, Refusal, Rule};
pub use path::{ParsedCertificate, TrustAnchor, ValidPath, ValidationOptions, validate};

/// Crates of this crate's public API (certificates, names, times, RNG traits), re-exported so
/// that users such as the `mpay` tool need not depend on them separately.
pub use {der, rand_core, spki, x509_cert};

/// Result type of this crate.
pub type Result<T> = core::result::Result<T, Error>;
