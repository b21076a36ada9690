//! `mpay cert`: keys, CSRs, certificates, path validation, CRLs and OCSP of `mpay-wpki` with
//! PEM/DER files.
//!
//! - Keys are unencrypted PKCS#8 (`PRIVATE KEY`, as `openssl pkey` reads and writes them).
//! - Certificates, CSRs and CRLs are read as PEM or DER and written as PEM, or as DER when the
//!   output name ends in `.der`.
//! - OCSP requests and responses are DER (as `openssl ocsp -reqin/-respin` read them).
//! - Times (`--at`, `--not-before`) are RFC 3339 UTC (`2027-06-01T12:00:00Z`), a date
//!   (`2027-06-01`) or Unix seconds; the default is now.
//! - Serials are hex. SM2 keys sign and verify with the standard distinguishing ID
//!   `1234567812345678` unless `--sm2-id` says otherwise (`--sm2-id ""` for OpenSSL's default).

use super::{CliResult, emit, emit_json, parse_hex};
use clap::{Args, Subcommand, ValueEnum};
use mpay_wpki::der::pem::LineEnding;
use mpay_wpki::der::{DateTime, Decode, Encode};
use mpay_wpki::ocsp::{
    self, CertId, CheckOptions, HashAlg, OcspRequest, ParsedResponse, Responder, ResponderIdKind,
    RevocationList, Status,
};
use mpay_wpki::rand_core::{TryCryptoRng, TryRng, UnwrapErr};
use mpay_wpki::x509_cert::Certificate;
use mpay_wpki::x509_cert::ext::pkix::crl::CrlReason;
use mpay_wpki::x509_cert::name::Name;
use mpay_wpki::x509_cert::serial_number::SerialNumber;
use mpay_wpki::{
    Ca, CertificateParams, ParsedCertificate, Profile, SigningKey, TrustAnchor, ValidationOptions,
    crl::ParsedCrl, crl::RevokedEntry, csr, validate,
};
use std::str::FromStr;
use std::time::Duration;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The operating system's RNG (serials, keys, nonces).
struct OsRng;

impl TryRng for OsRng {
    type Error = getrandom::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        getrandom::fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        getrandom::fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst)
    }
}

impl TryCryptoRng for OsRng {}

fn rng() -> UnwrapErr<OsRng> {
    UnwrapErr(OsRng)
}

/// `mpay cert …`.
#[derive(Args)]
pub struct CertArgs {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(Subcommand)]
enum CertCommand {
    /// Generate a private key (PKCS#8 PEM).
    Keygen(KeygenArgs),
    /// Create a PKCS#10 request signed by a key.
    Csr(CsrArgs),
    /// Issue a certificate: self-signed, or by a CA from a CSR.
    Issue(IssueArgs),
    /// Validate a chain (target first) to trust anchors (RFC 5280 §6.1, CRL/OCSP optional).
    Verify(VerifyArgs),
    /// Issue a CRL listing revoked serials.
    Crl(CrlArgs),
    /// OCSP requests, responses and their checks (RFC 6960).
    Ocsp(OcspArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyAlg {
    Sm2,
    P256,
    Rsa,
}

#[derive(Args)]
struct KeygenArgs {
    /// Key algorithm.
    #[arg(long, value_enum)]
    alg: KeyAlg,
    /// RSA modulus size.
    #[arg(long, default_value_t = 2048)]
    bits: usize,
    /// Output file.
    #[arg(short, long)]
    out: String,
}

#[derive(Args)]
struct KeyOpts {
    /// SM2 distinguishing ID for signing and verifying (default `1234567812345678`).
    #[arg(long)]
    sm2_id: Option<String>,
}

impl KeyOpts {
    fn id(&self) -> Vec<u8> {
        self.sm2_id.as_deref().map_or_else(
            || mpay_wpki::alg::DEFAULT_SM2_ID.to_vec(),
            |s| s.as_bytes().to_vec(),
        )
    }
}

#[derive(Args)]
struct CsrArgs {
    /// The subject's private key.
    #[arg(long)]
    key: String,
    /// Subject name, RFC 4514 (`CN=alice,O=Bank,C=CN`).
    #[arg(long)]
    subject: String,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// Output file.
    #[arg(short, long)]
    out: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// CA (root or subordinate): keyCertSign, cRLSign; `--path-len`.
    Ca,
    /// Wallet user: digitalSignature, nonRepudiation; EKU clientAuth.
    User,
    /// POS terminal: digitalSignature, keyAgreement; EKU serverAuth, clientAuth.
    Pos,
    /// Delegated OCSP responder: digitalSignature; EKU OCSPSigning; ocsp-nocheck.
    Ocsp,
}

#[derive(Args)]
struct IssueArgs {
    /// Issue a self-signed CA certificate for `--key` and `--subject`.
    #[arg(long, conflicts_with_all = ["ca_cert", "ca_key", "csr"], requires_all = ["key", "subject"])]
    self_signed: bool,
    /// The subject key of a self-signed certificate.
    #[arg(long)]
    key: Option<String>,
    /// The issuing CA's certificate.
    #[arg(long, requires_all = ["ca_key", "csr"])]
    ca_cert: Option<String>,
    /// The issuing CA's private key.
    #[arg(long)]
    ca_key: Option<String>,
    /// The request to issue for (its self-signature is checked; its subject is used unless
    /// `--subject` is given, which must then be the same).
    #[arg(long)]
    csr: Option<String>,
    /// Subject name, RFC 4514.
    #[arg(long)]
    subject: Option<String>,
    /// Profile preset.
    #[arg(long, value_enum, default_value = "user")]
    profile: ProfileArg,
    /// pathLenConstraint of a CA certificate.
    #[arg(long)]
    path_len: Option<u8>,
    /// Validity in days.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Start of validity (default now).
    #[arg(long)]
    not_before: Option<String>,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// Output file.
    #[arg(short, long)]
    out: String,
}

#[derive(Args)]
struct VerifyArgs {
    /// Trust anchor certificate(s).
    #[arg(long, required = true)]
    anchor: Vec<String>,
    /// CRLs: every certificate then needs a current CRL from its issuer.
    #[arg(long)]
    crl: Vec<String>,
    /// OCSP responses (DER): a certificate one names is checked by it.
    #[arg(long)]
    ocsp: Vec<String>,
    /// Validation time (default now).
    #[arg(long)]
    at: Option<String>,
    /// Required extended key usage of the target (dotted OID).
    #[arg(long)]
    eku: Option<String>,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// JSON output: `{"valid": true, "path": [subject…], "anchor": subject}`.
    #[arg(long)]
    json: bool,
    /// The chain, target first (files may hold several PEM certificates).
    #[arg(required = true)]
    chain: Vec<String>,
}

#[derive(Args)]
struct CrlArgs {
    /// The issuing CA's certificate.
    #[arg(long)]
    ca_cert: String,
    /// The issuing CA's private key.
    #[arg(long)]
    ca_key: String,
    /// Serials (hex) to list as revoked now.
    #[arg(long)]
    revoke: Vec<String>,
    /// cRLNumber (decimal).
    #[arg(long, default_value_t = 1)]
    number: u64,
    /// nextUpdate, days after thisUpdate.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// thisUpdate (default now).
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// Output file.
    #[arg(short, long)]
    out: String,
}

#[derive(Args)]
struct OcspArgs {
    #[command(subcommand)]
    command: OcspCommand,
}

#[derive(Subcommand)]
enum OcspCommand {
    /// Build a request (DER) for certificates of one issuer, with a random nonce by default.
    Request(OcspRequestArgs),
    /// Answer a request (DER) as the CA or a delegated responder.
    Respond(OcspRespondArgs),
    /// Check a response (CertID, signature, authorization, freshness, nonce) and print the status.
    Check(OcspCheckArgs),
}

#[derive(Args)]
struct Subject {
    /// The issuer (CA) certificate.
    #[arg(long)]
    issuer: String,
    /// Certificates asked about.
    #[arg(long)]
    cert: Vec<String>,
    /// Serials (hex) asked about.
    #[arg(long)]
    serial: Vec<String>,
}

impl Subject {
    fn serials(&self) -> Res<Vec<SerialNumber>> {
        let mut out = Vec::new();
        for f in &self.cert {
            for c in read_certs(f)? {
                out.push(c.tbs_certificate().serial_number().clone());
            }
        }
        for s in &self.serial {
            out.push(parse_serial(s)?);
        }
        if out.is_empty() {
            return Err("give --cert or --serial".into());
        }
        Ok(out)
    }
}

#[derive(Args)]
struct OcspRequestArgs {
    #[command(flatten)]
    subject: Subject,
    /// CertID hashes with SHA-256 instead of SHA-1.
    #[arg(long)]
    sha256: bool,
    /// Nonce (hex, 1..=32 octets; default 16 random octets).
    #[arg(long, conflicts_with = "no_nonce")]
    nonce: Option<String>,
    /// Send no nonce.
    #[arg(long)]
    no_nonce: bool,
    /// Output file (DER).
    #[arg(short, long)]
    out: String,
}

#[derive(Args)]
struct OcspRespondArgs {
    /// The CA whose certificates are asked about.
    #[arg(long)]
    ca_cert: String,
    /// The signing key: the CA's, or the delegated responder's with `--rsigner`.
    #[arg(long)]
    key: String,
    /// A delegated responder certificate issued by the CA (EKU OCSPSigning).
    #[arg(long)]
    rsigner: Option<String>,
    /// Take statuses from this CRL (listed = revoked, else good).
    #[arg(long, conflicts_with = "revoke")]
    crl: Option<String>,
    /// Revoked serials (hex), optionally `SERIAL:REASON` with a CRL reason code number.
    #[arg(long)]
    revoke: Vec<String>,
    /// The request (DER).
    #[arg(long)]
    reqin: String,
    /// nextUpdate = thisUpdate + this many hours (0: no nextUpdate).
    #[arg(long, default_value_t = 24)]
    validity_hours: u64,
    /// responderID byName instead of byKey.
    #[arg(long)]
    by_name: bool,
    /// Response time (default now).
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// Output file (DER).
    #[arg(short, long)]
    out: String,
}

#[derive(Args)]
struct OcspCheckArgs {
    #[command(flatten)]
    subject: Subject,
    /// The response (DER).
    #[arg(long)]
    respin: String,
    /// The request sent: its nonce must be echoed.
    #[arg(long)]
    reqin: Option<String>,
    /// Check time (default now).
    #[arg(long)]
    at: Option<String>,
    /// Maximum age of thisUpdate in seconds.
    #[arg(long)]
    max_age: Option<u64>,
    /// Require ocsp-nocheck in a delegated responder's certificate.
    #[arg(long)]
    require_nocheck: bool,
    #[command(flatten)]
    key_opts: KeyOpts,
    /// JSON output: `[{"serial": hex, "status": "good"|"revoked"|"unknown", "revoked_at",
    /// "reason", "this_update", "next_update", "delegated"}]`.
    #[arg(long)]
    json: bool,
}

// ---------------------------------------------------------------------------------------------

fn read(path: &str) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}").into())
}

/// DER from a PEM block labelled `label`, or the bytes as they are.
fn pem_or_der(path: &str, label: &str) -> Res<Vec<u8>> {
    let bytes = read(path)?;
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    let (got, der) = mpay_wpki::der::pem::decode_vec(&bytes).map_err(|e| format!("{path}: {e}"))?;
    if got != label {
        return Err(format!("{path}: PEM label {got}, expected {label}").into());
    }
    Ok(der)
}

fn read_certs(path: &str) -> Res<Vec<Certificate>> {
    let bytes = read(path)?;
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        let certs = Certificate::load_pem_chain(&bytes).map_err(|e| format!("{path}: {e}"))?;
        if certs.is_empty() {
            return Err(format!("{path}: no certificate").into());
        }
        return Ok(certs);
    }
    Ok(vec![
        Certificate::from_der(&bytes).map_err(|e| format!("{path}: {e}"))?,
    ])
}

fn read_cert(path: &str) -> Res<Certificate> {
    let mut certs = read_certs(path)?;
    if certs.len() != 1 {
        return Err(format!("{path}: expected one certificate, found {}", certs.len()).into());
    }
    Ok(certs.remove(0))
}

fn read_key(path: &str, opts: &KeyOpts) -> Res<SigningKey> {
    let der = pem_or_der(path, "PRIVATE KEY")?;
    let key = SigningKey::from_pkcs8_der(&der).map_err(|e| format!("{path}: {e}"))?;
    Ok(match key {
        SigningKey::Sm2 { key, .. } => SigningKey::sm2_with_id(key, &opts.id()),
        k => k,
    })
}

/// Writes DER as PEM (`label`) unless `path` ends in `.der`.
fn write(path: &str, label: &str, der: &[u8]) -> CliResult {
    let bytes = if path.ends_with(".der") {
        der.to_vec()
    } else {
        mpay_wpki::der::pem::encode_string(label, LineEnding::LF, der)?.into_bytes()
    };
    std::fs::write(path, bytes).map_err(|e| format!("{path}: {e}").into())
}

fn parse_serial(s: &str) -> Res<SerialNumber> {
    let b = parse_hex("serial", s)?;
    Ok(SerialNumber::new(&b).map_err(|e| format!("serial {s}: {e}"))?)
}

fn parse_name(s: &str) -> Res<Name> {
    Name::from_str(s).map_err(|e| format!("subject {s:?}: {e}").into())
}

fn now() -> Res<DateTime> {
    Ok(DateTime::from_system_time(std::time::SystemTime::now())?)
}

/// RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`), a date, or Unix seconds.
fn parse_time(s: Option<&str>) -> Res<DateTime> {
    let Some(s) = s else { return now() };
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(DateTime::from_unix_duration(Duration::from_secs(
            s.parse()?,
        ))?);
    }
    let bad = || format!("time {s:?}: expected YYYY-MM-DD[THH:MM:SSZ] or Unix seconds");
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, t.strip_suffix('Z').ok_or_else(bad)?),
        None => (s, "00:00:00"),
    };
    let num = |v: Option<&str>| -> Res<u16> { Ok(v.ok_or_else(bad)?.parse().map_err(|_| bad())?) };
    let mut d = date.split('-');
    let mut t = time.split(':');
    let (y, mo, da) = (num(d.next())?, num(d.next())?, num(d.next())?);
    let (h, mi, se) = (num(t.next())?, num(t.next())?, num(t.next())?);
    if d.next().is_some() || t.next().is_some() {
        return Err(bad().into());
    }
    let small = |v: u16| u8::try_from(v).map_err(|_| bad());
    Ok(
        DateTime::new(y, small(mo)?, small(da)?, small(h)?, small(mi)?, small(se)?)
            .map_err(|_| bad())?,
    )
}

fn plus(t: DateTime, secs: u64) -> Res<DateTime> {
    Ok(DateTime::from_unix_duration(
        t.unix_duration() + Duration::from_secs(secs),
    )?)
}

fn rfc3339(t: &DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    )
}

// ---------------------------------------------------------------------------------------------

/// Runs `mpay cert`.
pub fn run(args: CertArgs) -> CliResult {
    match args.command {
        CertCommand::Keygen(a) => keygen(a),
        CertCommand::Csr(a) => make_csr(a),
        CertCommand::Issue(a) => issue(a),
        CertCommand::Verify(a) => verify(a),
        CertCommand::Crl(a) => crl(a),
        CertCommand::Ocsp(a) => match a.command {
            OcspCommand::Request(a) => ocsp_request(a),
            OcspCommand::Respond(a) => ocsp_respond(a),
            OcspCommand::Check(a) => ocsp_check(a),
        },
    }
}

fn keygen(a: KeygenArgs) -> CliResult {
    let mut rng = rng();
    let key = match a.alg {
        KeyAlg::Sm2 => SigningKey::generate_sm2(&mut rng)?,
        KeyAlg::P256 => SigningKey::generate_p256(&mut rng),
        KeyAlg::Rsa => SigningKey::generate_rsa(&mut rng, a.bits)?,
    };
    write(&a.out, "PRIVATE KEY", key.to_pkcs8_der()?.as_bytes())
}

fn make_csr(a: CsrArgs) -> CliResult {
    let key = read_key(&a.key, &a.key_opts)?;
    let req = csr::create(&key, parse_name(&a.subject)?)?;
    write(&a.out, "CERTIFICATE REQUEST", &req.to_der()?)
}

fn issue(a: IssueArgs) -> CliResult {
    let profile = match a.profile {
        ProfileArg::Ca => Profile::Ca {
            path_len: a.path_len,
        },
        ProfileArg::User => Profile::WalletUser,
        ProfileArg::Pos => Profile::PosTerminal,
        ProfileArg::Ocsp => Profile::OcspResponder,
    };
    let from = parse_time(a.not_before.as_deref())?;
    let to = plus(from, u64::from(a.days) * 86_400)?;
    let mut rng = rng();
    let cert = if a.self_signed {
        let (Some(key), Some(subject)) = (&a.key, &a.subject) else {
            return Err("--self-signed needs --key and --subject".into());
        };
        let key = read_key(key, &a.key_opts)?;
        let params = CertificateParams::new(parse_name(subject)?, from, to, profile);
        Ca::self_signed(key, &params, &mut rng)?
            .certificate()
            .clone()
    } else {
        let (Some(ca_cert), Some(ca_key), Some(csr_path)) = (&a.ca_cert, &a.ca_key, &a.csr) else {
            return Err("give --self-signed, or --ca-cert, --ca-key and --csr".into());
        };
        let ca = Ca::from_parts(read_key(ca_key, &a.key_opts)?, read_cert(ca_cert)?)?;
        let req = csr::verify(
            &pem_or_der(csr_path, "CERTIFICATE REQUEST")?,
            &a.key_opts.id(),
        )
        .map_err(|e| format!("{csr_path}: {e}"))?;
        let subject = match &a.subject {
            Some(s) => parse_name(s)?,
            None => req.subject().clone(),
        };
        let params = CertificateParams::new(subject, from, to, profile);
        ca.issue_for_request(&req, &params, &mut rng)?
    };
    write(&a.out, "CERTIFICATE", &cert.to_der()?)
}

fn verify(a: VerifyArgs) -> CliResult {
    let mut chain = Vec::new();
    for f in &a.chain {
        for c in read_certs(f)? {
            chain.push(ParsedCertificate::from_certificate(&c)?);
        }
    }
    let mut anchors = Vec::new();
    for f in &a.anchor {
        for c in read_certs(f)? {
            anchors.push(TrustAnchor::from_certificate(&c));
        }
    }
    let mut opts = ValidationOptions::at(parse_time(a.at.as_deref())?);
    opts.sm2_id = a.key_opts.id();
    if let Some(oid) = &a.eku {
        opts.required_eku = Some(
            oid.parse()
                .map_err(|_| format!("--eku {oid}: not an OID"))?,
        );
    }
    if !a.crl.is_empty() {
        let mut crls = Vec::new();
        for f in &a.crl {
            crls.push(
                ParsedCrl::from_der(&pem_or_der(f, "X509 CRL")?)
                    .map_err(|e| format!("{f}: {e}"))?,
            );
        }
        opts.crls = Some(crls);
    }
    if !a.ocsp.is_empty() {
        let mut responses = Vec::new();
        for f in &a.ocsp {
            responses.push(ParsedResponse::from_der(&read(f)?).map_err(|e| format!("{f}: {e}"))?);
        }
        opts.ocsp = Some(ocsp::OcspEvidence::new(responses));
    }
    let path = validate(&chain, &anchors, &opts)?;
    let subjects: Vec<String> = chain.iter().map(|c| c.subject_string()).collect();
    let anchor = anchors[path.anchor].subject().to_string();
    if a.json {
        return emit_json(&serde_json::json!({
            "valid": true,
            "path": subjects,
            "anchor": anchor,
        }));
    }
    let mut out = String::from("OK\n");
    for (i, s) in subjects.iter().enumerate() {
        out.push_str(&format!("{i}: {s}\n"));
    }
    out.push_str(&format!("anchor: {anchor}\n"));
    emit(&out)
}

fn crl(a: CrlArgs) -> CliResult {
    let ca = Ca::from_parts(read_key(&a.ca_key, &a.key_opts)?, read_cert(&a.ca_cert)?)?;
    let this_update = parse_time(a.at.as_deref())?;
    let revoked = a
        .revoke
        .iter()
        .map(|s| {
            Ok(RevokedEntry {
                serial: parse_serial(s)?,
                date: this_update,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    let number = a.number.to_be_bytes();
    let start = number.iter().position(|&b| b != 0).unwrap_or(7);
    let crl = ca.issue_crl(
        &number[start..],
        this_update,
        plus(this_update, u64::from(a.days) * 86_400)?,
        &revoked,
    )?;
    write(&a.out, "X509 CRL", &crl.to_der()?)
}

fn ocsp_request(a: OcspRequestArgs) -> CliResult {
    let issuer = read_cert(&a.subject.issuer)?;
    let hash = if a.sha256 {
        HashAlg::Sha256
    } else {
        HashAlg::Sha1
    };
    let ids = a
        .subject
        .serials()?
        .iter()
        .map(|s| Ok(CertId::new(hash, &issuer, s)?))
        .collect::<Res<Vec<_>>>()?;
    let nonce = match (&a.nonce, a.no_nonce) {
        (_, true) => None,
        (Some(n), false) => Some(parse_hex("--nonce", n)?),
        (None, false) => {
            let mut n = vec![0u8; 16];
            getrandom::fill(&mut n).map_err(|e| format!("system RNG: {e}"))?;
            Some(n)
        }
    };
    let req = ocsp::request(ids, nonce.as_deref())?;
    std::fs::write(&a.out, req.to_der()?).map_err(|e| format!("{}: {e}", a.out).into())
}

fn parse_revoked(s: &str, at: DateTime) -> Res<(SerialNumber, DateTime, Option<CrlReason>)> {
    let (serial, reason) = match s.split_once(':') {
        Some((s, r)) => {
            let code: u8 = r.parse().map_err(|_| format!("{r}: not a reason code"))?;
            let der = [0x0a, 0x01, code];
            let reason =
                CrlReason::from_der(&der).map_err(|_| format!("{r}: not a CRL reason code"))?;
            (s, Some(reason))
        }
        None => (s, None),
    };
    Ok((parse_serial(serial)?, at, reason))
}

fn ocsp_respond(a: OcspRespondArgs) -> CliResult {
    let ca = read_cert(&a.ca_cert)?;
    let key = read_key(&a.key, &a.key_opts)?;
    let mut responder = match &a.rsigner {
        Some(r) => Responder::delegated(&ca, read_cert(r)?, key)?,
        None => Responder::direct(&ca, key)?,
    };
    responder.validity =
        (a.validity_hours > 0).then(|| Duration::from_secs(a.validity_hours * 3600));
    if a.by_name {
        responder.responder_id = ResponderIdKind::ByName;
    }
    let at = parse_time(a.at.as_deref())?;
    let req = read(&a.reqin)?;
    let resp = match &a.crl {
        Some(f) => {
            let crl = ParsedCrl::from_der(&pem_or_der(f, "X509 CRL")?)
                .map_err(|e| format!("{f}: {e}"))?;
            responder.respond_der(&req, &crl, at)
        }
        None => {
            let mut list = RevocationList::new();
            for s in &a.revoke {
                let (serial, t, reason) = parse_revoked(s, at)?;
                list.revoke(serial, t, reason);
            }
            responder.respond_der(&req, &list, at)
        }
    };
    std::fs::write(&a.out, resp).map_err(|e| format!("{}: {e}", a.out).into())
}

fn ocsp_check(a: OcspCheckArgs) -> CliResult {
    let issuer = read_cert(&a.subject.issuer)?;
    let resp =
        ParsedResponse::from_der(&read(&a.respin)?).map_err(|e| format!("{}: {e}", a.respin))?;
    let mut opts = CheckOptions::at(parse_time(a.at.as_deref())?);
    opts.sm2_id = a.key_opts.id();
    opts.max_age = a.max_age.map(Duration::from_secs);
    opts.require_nocheck = a.require_nocheck;
    if let Some(r) = &a.reqin {
        let req = OcspRequest::from_der(&read(r)?).map_err(|e| format!("{r}: {e}"))?;
        opts.nonce = req.nonce().transpose()?;
    }
    let mut json = Vec::new();
    let mut text = String::new();
    for serial in a.subject.serials()? {
        let hex_serial = hex::encode_upper(serial.as_bytes());
        let c = resp
            .check(&issuer, &serial, &opts)
            .map_err(|e| format!("serial {hex_serial}: {e}"))?;
        let (status, revoked_at, reason) = match &c.status {
            Status::Good => ("good", None, None),
            Status::Unknown => ("unknown", None, None),
            Status::Revoked { time, reason } => (
                "revoked",
                Some(rfc3339(time)),
                reason.map(|r| format!("{r:?}")),
            ),
        };
        let next = c.next_update.as_ref().map(rfc3339);
        text.push_str(&format!("{hex_serial}: {status}"));
        if let Some(t) = &revoked_at {
            text.push_str(&format!(" at {t}"));
        }
        if let Some(r) = &reason {
            text.push_str(&format!(" ({r})"));
        }
        text.push_str(&format!(
            "\n  thisUpdate {}, nextUpdate {}, signed by {}\n",
            rfc3339(&c.this_update),
            next.as_deref().unwrap_or("none"),
            if c.delegated {
                "a delegated responder"
            } else {
                "the CA"
            }
        ));
        json.push(serde_json::json!({
            "serial": hex_serial,
            "status": status,
            "revoked_at": revoked_at,
            "reason": reason,
            "this_update": rfc3339(&c.this_update),
            "next_update": next,
            "delegated": c.delegated,
        }));
    }
    if a.json {
        emit_json(&serde_json::Value::Array(json))
    } else {
        emit(&text)
    }
}
