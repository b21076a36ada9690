//! Name constraints (RFC 5280 §4.2.1.10) as path validation applies them (§6.1.3 (b)(c),
//! §6.1.4 (g)).
//!
//! Processed name forms: directoryName (the subject DN and directoryName alternative names),
//! dNSName, rfc822Name (alternative names and `emailAddress` attributes of the subject DN) and
//! iPAddress (IPv4 and IPv6, address + mask). The permitted subtrees of successive CA
//! certificates are intersected by keeping each certificate's set and requiring a name to lie in
//! every set that constrains its form; excluded subtrees accumulate (union). A constraint on any
//! other form (URI, otherName, …) refuses a certificate that carries a name of that form, as
//! §4.2.1.10 requires of a validator that does not process the form.
//!
//! Comparisons: directoryName by RDN prefix with binary (DER) comparison of each RDN; dNSName
//! label-wise and ASCII case-insensitively (a constraint `example.com` covers `example.com` and
//! `a.example.com`, `.example.com` only subdomains); rfc822Name per §4.2.1.10 (a full mailbox,
//! a host, or `.domain` for any host below it), hosts case-insensitively.

use crate::error::Rule;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use der::Decode;
use der::oid::{AssociatedOid, ObjectIdentifier};
use x509_cert::Certificate;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};
use x509_cert::name::Name;

/// `emailAddress` (PKCS #9, `1.2.840.113549.1.9.1`): a mailbox inside a subject DN.
pub const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// The name forms this module compares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Directory,
    Dns,
    Email,
    Ip,
    Other(&'static str),
}

fn form(n: &GeneralName) -> Form {
    match n {
        GeneralName::DirectoryName(_) => Form::Directory,
        GeneralName::DnsName(_) => Form::Dns,
        GeneralName::Rfc822Name(_) => Form::Email,
        GeneralName::IpAddress(_) => Form::Ip,
        GeneralName::OtherName(_) => Form::Other("otherName"),
        GeneralName::EdiPartyName(_) => Form::Other("ediPartyName"),
        GeneralName::UniformResourceIdentifier(_) => Form::Other("uniformResourceIdentifier"),
        GeneralName::RegisteredId(_) => Form::Other("registeredID"),
    }
}

/// The name-constraint state of §6.1.2 (b)(c): one permitted set per constraining CA
/// certificate (their intersection is what is permitted) and the union of excluded subtrees.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameState {
    permitted: Vec<Vec<GeneralName>>,
    excluded: Vec<GeneralName>,
}

impl NameState {
    /// `true` while no CA in the path has constrained names (the check can be skipped).
    pub(crate) fn is_unconstrained(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }

    /// §6.1.4 (g): takes in a CA certificate's nameConstraints. It must not be empty,
    /// subtrees must have minimum 0 and no maximum (§4.2.1.10), and iPAddress bases must be 8
    /// or 32 octets.
    pub(crate) fn update(&mut self, nc: &NameConstraints) -> Result<(), Rule> {
        let bad = || Rule::BadExtension(NameConstraints::OID);
        if nc.permitted_subtrees.is_none() && nc.excluded_subtrees.is_none() {
            return Err(bad()); // "MUST NOT issue … an empty sequence" (§4.2.1.10)
        }
        let bases = |subtrees: &Option<Vec<GeneralSubtree>>| -> Result<Vec<GeneralName>, Rule> {
            let Some(list) = subtrees else {
                return Ok(Vec::new());
            };
            list.iter()
                .map(|s| {
                    if s.minimum != 0 || s.maximum.is_some() {
                        return Err(bad());
                    }
                    if let GeneralName::IpAddress(ip) = &s.base
                        && ![8, 32].contains(&ip.as_bytes().len())
                    {
                        return Err(bad());
                    }
                    Ok(s.base.clone())
                })
                .collect()
        };
        let permitted = bases(&nc.permitted_subtrees)?;
        if nc.permitted_subtrees.is_some() {
            self.permitted.push(permitted);
        }
        self.excluded.extend(bases(&nc.excluded_subtrees)?);
        Ok(())
    }

    /// §6.1.3 (b)(c): every name of `cert` (subject DN, its emailAddress attributes, the
    /// subjectAltName entries) must lie within the permitted subtrees and outside the excluded
    /// ones.
    pub(crate) fn check(&self, cert: &Certificate) -> Result<(), Rule> {
        if self.is_unconstrained() {
            return Ok(());
        }
        for name in names_of(cert)? {
            self.check_name(&name)?;
        }
        Ok(())
    }

    fn check_name(&self, name: &GeneralName) -> Result<(), Rule> {
        let f = form(name);
        for set in &self.permitted {
            let mut same_form = set.iter().filter(|b| form(b) == f).peekable();
            if same_form.peek().is_none() {
                continue;
            }
            if let Form::Other(what) = f {
                return Err(Rule::NameFormUnsupported(what));
            }
            if !same_form.any(|b| within(name, b)) {
                return Err(Rule::NameNotPermitted(display(name)));
            }
        }
        for b in self.excluded.iter().filter(|b| form(b) == f) {
            if let Form::Other(what) = f {
                return Err(Rule::NameFormUnsupported(what));
            }
            if within(name, b) {
                return Err(Rule::NameExcluded(display(name)));
            }
        }
        Ok(())
    }
}

/// Checks `cert`'s names (subject DN, its emailAddress attributes, subjectAltName entries)
/// against one CA's nameConstraints extension value (`name_constraints`, DER), as path
/// validation does for a certificate below that CA (§6.1.3 (b)(c)); `Err` names the rule
/// broken ([`Rule::BadExtension`] when the constraints do not decode or are malformed).
///
/// ```
/// use der::asn1::Ia5String;
/// use mpay_wpki::names::check_names;
/// use x509_cert::ext::pkix::NameConstraints;
/// use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
/// use x509_cert::ext::pkix::name::GeneralName;
/// # use mpay_wpki::*;
/// # let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
/// # let (from, to) = (DateTime::new(2026, 1, 1, 0, 0, 0).unwrap(), DateTime::new(2036, 1, 1, 0, 0, 0).unwrap());
/// # let ca = Ca::self_signed(SigningKey::generate_p256(&mut rng),
/// #     &CertificateParams::new("CN=CA".parse().unwrap(), from, to, Profile::Ca { path_len: None }),
/// #     &mut rng).unwrap();
/// let nc = NameConstraints {
///     permitted_subtrees: Some(vec![GeneralSubtree {
///         base: GeneralName::DirectoryName("O=Test Bank,C=CN".parse().unwrap()),
///         minimum: 0,
///         maximum: None,
///     }]),
///     excluded_subtrees: None,
/// };
/// let key = SigningKey::generate_p256(&mut rng).public_key_info().unwrap();
/// let inside = ca.issue(&CertificateParams::new("CN=alice,O=Test Bank,C=CN".parse().unwrap(),
///     from, to, Profile::WalletUser), &key, &mut rng).unwrap();
/// let outside = ca.issue(&CertificateParams::new("CN=eve,O=Elsewhere,C=CN".parse().unwrap(),
///     from, to, Profile::WalletUser), &key, &mut rng).unwrap();
/// let nc = der::Encode::to_der(&nc).unwrap();
/// assert!(check_names(&nc, &inside).is_ok());
/// assert!(matches!(check_names(&nc, &outside), Err(Rule::NameNotPermitted(_))));
/// ```
pub fn check_names(name_constraints: &[u8], cert: &Certificate) -> Result<(), Rule> {
    let nc = NameConstraints::from_der(name_constraints)
        .map_err(|_| Rule::BadExtension(NameConstraints::OID))?;
    let mut state = NameState::default();
    state.update(&nc)?;
    state.check(cert)
}

/// The names a certificate asserts, as general names.
fn names_of(cert: &Certificate) -> Result<Vec<GeneralName>, Rule> {
    let tbs = cert.tbs_certificate();
    let subject = tbs.subject();
    let mut out = Vec::new();
    if !subject.is_empty() {
        out.push(GeneralName::DirectoryName(subject.clone()));
    }
    for atv in subject.iter().filter(|atv| atv.oid == EMAIL_ADDRESS) {
        let mailbox = atv
            .value
            .decode_as::<der::asn1::Ia5String>()
            .map_err(|_| Rule::BadName("emailAddress attribute is not an IA5String"))?;
        out.push(GeneralName::Rfc822Name(mailbox));
    }
    if let Some(e) = tbs
        .extensions()
        .and_then(|l| l.iter().find(|e| e.extn_id == SubjectAltName::OID))
    {
        let san = SubjectAltName::from_der(e.extn_value.as_bytes())
            .map_err(|_| Rule::BadExtension(SubjectAltName::OID))?;
        out.extend(san.0);
    }
    Ok(out)
}

fn display(name: &GeneralName) -> String {
    match name {
        GeneralName::DirectoryName(n) => format!("directoryName \"{n}\""),
        GeneralName::DnsName(d) => format!("dNSName \"{}\"", d.as_str()),
        GeneralName::Rfc822Name(m) => format!("rfc822Name \"{}\"", m.as_str()),
        GeneralName::IpAddress(ip) => match ip.as_bytes() {
            [a, b, c, d] => format!("iPAddress {a}.{b}.{c}.{d}"),
            v6 if v6.len() == 16 => {
                let groups: Vec<String> = v6
                    .chunks(2)
                    .map(|g| format!("{:x}", u16::from_be_bytes([g[0], g[1]])))
                    .collect();
                format!("iPAddress {}", groups.join(":"))
            }
            other => format!("iPAddress of {} octets", other.len()),
        },
        GeneralName::UniformResourceIdentifier(u) => format!("URI \"{}\"", u.as_str()),
        other => format!("{other:?}"),
    }
}

/// `true` when `name` lies within the subtree rooted at `base` (same form).
fn within(name: &GeneralName, base: &GeneralName) -> bool {
    match (name, base) {
        (GeneralName::DirectoryName(n), GeneralName::DirectoryName(b)) => dn_within(n, b),
        (GeneralName::DnsName(n), GeneralName::DnsName(b)) => dns_within(n.as_str(), b.as_str()),
        (GeneralName::Rfc822Name(n), GeneralName::Rfc822Name(b)) => {
            email_within(n.as_str(), b.as_str())
        }
        (GeneralName::IpAddress(n), GeneralName::IpAddress(b)) => {
            ip_within(n.as_bytes(), b.as_bytes())
        }
        _ => false,
    }
}

/// `base`'s RDNs are a prefix of `name`'s (an empty base covers every name).
pub(crate) fn dn_within(name: &Name, base: &Name) -> bool {
    let mut rdns = name.iter_rdn();
    base.iter_rdn().all(|b| rdns.next() == Some(b))
}

/// DNS subtree: `base` with zero or more labels added on the left; a leading `.` in the
/// base means at least one label must be added. The empty base covers every name.
pub(crate) fn dns_within(name: &str, base: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let base = base.strip_suffix('.').unwrap_or(base);
    if base.is_empty() {
        return true;
    }
    if let Some(domain) = base.strip_prefix('.') {
        return name.len() > domain.len() + 1 && ends_with_label(name, domain);
    }
    name.eq_ignore_ascii_case(base) || ends_with_label(name, base)
}

/// `name` ends with `.domain` (ASCII case-insensitively).
fn ends_with_label(name: &str, domain: &str) -> bool {
    let (n, d) = (name.as_bytes(), domain.as_bytes());
    n.len() > d.len()
        && n[n.len() - d.len() - 1] == b'.'
        && n[n.len() - d.len()..].eq_ignore_ascii_case(d)
}

/// rfc822Name subtree (§4.2.1.10): `user@host` is that mailbox (local part exact, host
/// case-insensitive), `host` every mailbox at that host, `.domain` every mailbox at a host
/// below the domain.
pub(crate) fn email_within(mailbox: &str, base: &str) -> bool {
    let Some((local, host)) = mailbox.rsplit_once('@') else {
        return false;
    };
    if let Some((b_local, b_host)) = base.rsplit_once('@') {
        return local == b_local && host.eq_ignore_ascii_case(b_host);
    }
    if let Some(domain) = base.strip_prefix('.') {
        return ends_with_label(host, domain);
    }
    host.eq_ignore_ascii_case(base)
}

/// iPAddress subtree: `base` is address ‖ mask (4+4 or 16+16 octets).
pub(crate) fn ip_within(addr: &[u8], base: &[u8]) -> bool {
    if base.len() != 2 * addr.len() {
        return false;
    }
    let (net, mask) = base.split_at(addr.len());
    addr.iter()
        .zip(net)
        .zip(mask)
        .all(|((a, n), m)| a & m == n & m)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn dns_subtrees_follow_labels(
            labels in proptest::collection::vec("[a-z0-9-]{1,8}", 1..5),
            extra in proptest::collection::vec("[a-z0-9-]{1,8}", 0..3),
            sibling in "[a-z0-9]{1,8}",
        ) {
            let base = labels.join(".");
            let mut longer = extra.clone();
            longer.push(base.clone());
            let name = longer.join(".");
            // Adding labels on the left stays within; so does any letter case.
            proptest::prop_assert!(dns_within(&name, &base));
            proptest::prop_assert!(dns_within(&name.to_ascii_uppercase(), &base));
            proptest::prop_assert_eq!(dns_within(&name, &format!(".{base}")), !extra.is_empty());
            // Gluing text onto the leftmost label leaves the subtree.
            let glued = format!("{sibling}{base}");
            proptest::prop_assert!(!dns_within(&glued, &base));
        }

        #[test]
        fn ip_subtrees_follow_the_mask(addr in proptest::array::uniform4(0u8..), prefix in 0u32..=32) {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0).to_be_bytes();
            let mut base = [0u8; 8];
            for i in 0..4 {
                base[i] = addr[i] & mask[i];
                base[4 + i] = mask[i];
            }
            proptest::prop_assert!(ip_within(&addr, &base));
            if prefix > 0 {
                // Flipping a bit inside the prefix leaves the subtree.
                let bit = prefix - 1;
                let mut other = addr;
                other[(bit / 8) as usize] ^= 0x80 >> (bit % 8);
                proptest::prop_assert!(!ip_within(&other, &base));
            }
        }
    }

    #[test]
    fn dns() {
        assert!(dns_within("bank.test", "bank.test"));
        assert!(dns_within("pos.Bank.TEST", "bank.test"));
        assert!(!dns_within("evilbank.test", "bank.test"));
        assert!(!dns_within("bank.test", ".bank.test"));
        assert!(dns_within("a.bank.test", ".bank.test"));
        assert!(dns_within("anything", ""));
        assert!(!dns_within("test", "bank.test"));
    }

    #[test]
    fn email() {
        assert!(email_within("alice@bank.test", "alice@BANK.test"));
        assert!(!email_within("Alice@bank.test", "alice@bank.test"));
        assert!(email_within("bob@bank.test", "bank.test"));
        assert!(!email_within("bob@mail.bank.test", "bank.test"));
        assert!(email_within("bob@mail.bank.test", ".bank.test"));
        assert!(!email_within("bob@bank.test", ".bank.test"));
        assert!(!email_within("no-at-sign", "bank.test"));
    }

    #[test]
    fn ip() {
        let net = [192, 168, 7, 0, 255, 255, 255, 0];
        assert!(ip_within(&[192, 168, 7, 42], &net));
        assert!(!ip_within(&[192, 168, 8, 42], &net));
        assert!(!ip_within(&[0; 16], &net));
        let mut v6 = [0u8; 32];
        v6[..2].copy_from_slice(&[0x20, 0x01]);
        v6[16..18].copy_from_slice(&[0xff, 0xff]);
        let mut a = [0u8; 16];
        a[..2].copy_from_slice(&[0x20, 0x01]);
        a[15] = 1;
        assert!(ip_within(&a, &v6));
        a[1] = 2;
        assert!(!ip_within(&a, &v6));
    }

    #[test]
    fn dn() {
        let base: Name = "O=Test Bank,C=CN".parse().unwrap();
        let inside: Name = "CN=alice,O=Test Bank,C=CN".parse().unwrap();
        let outside: Name = "CN=alice,O=Other Bank,C=CN".parse().unwrap();
        assert!(dn_within(&inside, &base));
        assert!(dn_within(&base, &base));
        assert!(!dn_within(&outside, &base));
        assert!(!dn_within(&base, &inside));
        assert!(dn_within(&inside, &Name::default()));
        let _ = inside.to_string();
    }
}
