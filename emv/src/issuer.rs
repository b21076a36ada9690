//! The issuer's side of an online authorisation: verify the ARQC carried in ISO 8583 field 55
//! and answer with the issuer authentication data (tag 91).
//!
//! ```
//! # use mpay_emv::crypto::{cvn::{Cvn, IssuerKeys}, keys::TdesKey};
//! # use mpay_emv::issuer;
//! let keys = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
//! # let field55 = [0u8; 0];
//! // `field55` from the authorisation request; PAN and PSN from fields 2 and 23.
//! let result = issuer::authorise(&keys, Cvn::Visa18, "4761739001010119", "01", &field55, *b"00");
//! assert!(result.is_err()); // an empty field 55 has no cryptogram
//! ```

use mpay_emv_tlv::{Tag, TlvWrite};

use crate::crypto::cvn::{ArpcInput, ArpcMethod, Cvn, IssuerKeys, TransactionData};
use crate::crypto::emv_aes::{AesEmv, AesIssuerKeys};
use crate::crypto::mac;
use crate::crypto::pboc::{PbocSm4, Sm4IssuerKeys};
use crate::{Error, Result};

/// A verified cryptogram and the issuer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    /// The ATC the card used.
    pub atc: u16,
    /// Issuer authentication data (tag 91): ARPC ‖ ARC (method 1) or ARPC ‖ CSU (method 2).
    pub issuer_authentication_data: Vec<u8>,
    /// Tag 91 as BER-TLV, ready for the response's field 55.
    pub field55: Vec<u8>,
}

/// Verifies the ARQC in `field55` for the card `pan`/`psn` and computes the ARPC for the
/// response code `arc` (two ASCII characters, e.g. `*b"00"` to approve). The CSU of method 2
/// carries the approval bit when `arc` is `00`.
pub fn authorise(
    keys: &IssuerKeys,
    cvn: Cvn,
    pan: &str,
    psn: &str,
    field55: &[u8],
    arc: [u8; 2],
) -> Result<Authorisation> {
    let card = cvn.card_keys(keys, pan, psn)?;
    let (mut tx, arqc) = read_field55(field55)?;
    if matches!(cvn, Cvn::Mastercard17 | Cvn::Mastercard21) && tx.iad.len() >= 8 {
        tx.counters = tx.iad[tx.iad.len() - 8..].to_vec();
    }
    let expected = cvn.arqc(&card, &tx)?;
    mac::verify("ARQC", &expected, &arqc)?;
    let (input, tail) = arpc_input(cvn.profile().arpc, arc);
    let mut iad = cvn.arpc(&card, &tx, arqc, input)?;
    iad.extend_from_slice(&tail);
    answer(&tx, iad)
}

/// What the ARPC covers and what follows it in tag 91, by method: the ARC (method 1), or a
/// CSU carrying the approval bit when `arc` is `00` (method 2).
fn arpc_input(method: ArpcMethod, arc: [u8; 2]) -> (ArpcInput<'static>, Vec<u8>) {
    match method {
        ArpcMethod::Method2 => {
            let approve = arc == *b"00";
            let csu = [0x00, if approve { 0x80 } else { 0x00 }, 0x00, 0x00];
            (
                ArpcInput::CardStatusUpdate {
                    csu,
                    proprietary: &[],
                },
                csu.to_vec(),
            )
        }
        _ => (ArpcInput::ResponseCode(arc), arc.to_vec()),
    }
}

/// As [`authorise`] for an EMV AES card ([`AesEmv`]): verifies the AES ARQC and answers with
/// tag 91 by the profile's ARPC method.
///
/// ```
/// # use mpay_emv::crypto::cvn::{AcDataTail, ArpcMethod};
/// # use mpay_emv::crypto::emv_aes::{AesEmv, AesIssuerKeys};
/// # use mpay_emv::crypto::keys::AesKey;
/// # use mpay_emv::issuer;
/// let keys = AesIssuerKeys::single(AesKey::from_slice(&[0x11; 16]).unwrap());
/// let profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method2);
/// # let field55 = [0u8; 0];
/// let result = issuer::authorise_aes(&keys, profile, "4761739001010119", "01", &field55, *b"00");
/// assert!(result.is_err()); // an empty field 55 has no cryptogram
/// ```
pub fn authorise_aes(
    keys: &AesIssuerKeys,
    profile: AesEmv,
    pan: &str,
    psn: &str,
    field55: &[u8],
    arc: [u8; 2],
) -> Result<Authorisation> {
    let card = profile.card_keys(keys, pan, psn)?;
    let (tx, arqc) = read_field55(field55)?;
    profile.verify_arqc(&card, &tx, &arqc)?;
    let (input, tail) = arpc_input(profile.arpc, arc);
    let mut iad = profile.arpc(&card, &tx, arqc, input)?;
    iad.extend_from_slice(&tail);
    answer(&tx, iad)
}

/// As [`authorise`] for the PBOC/UICS SM4 profile ([`PbocSm4`]): verifies the SM4 ARQC and
/// answers with tag 91 = ARPC ‖ ARC.
pub fn authorise_sm4(
    keys: &Sm4IssuerKeys,
    pan: &str,
    psn: &str,
    field55: &[u8],
    arc: [u8; 2],
) -> Result<Authorisation> {
    let card = PbocSm4::card_keys(keys, pan, psn)?;
    let (tx, arqc) = read_field55(field55)?;
    PbocSm4::verify_arqc(&card, &tx, &arqc)?;
    let mut iad = PbocSm4::arpc(&card, &tx, arqc, arc).to_vec();
    iad.extend_from_slice(&arc);
    answer(&tx, iad)
}

/// The transaction data and the cryptogram (9F26) of an authorisation request's field 55.
fn read_field55(field55: &[u8]) -> Result<(TransactionData, [u8; 8])> {
    let tx = TransactionData::from_tlv(field55)?;
    let mut arqc = None;
    for t in mpay_emv_tlv::walk(field55) {
        let t = t?;
        if t.tag() == Tag::new(0x9F26) {
            arqc = Some(t.value());
        }
    }
    let arqc: [u8; 8] = arqc
        .and_then(|v| v.try_into().ok())
        .ok_or(Error::DataElement {
            tag: 0x9F26,
            why: "missing or not 8 bytes",
        })?;
    Ok((tx, arqc))
}

fn answer(tx: &TransactionData, iad: Vec<u8>) -> Result<Authorisation> {
    let mut f55 = Vec::new();
    f55.primitive(Tag::new(0x91), &iad)?;
    Ok(Authorisation {
        atc: u16::from_be_bytes(tx.atc),
        issuer_authentication_data: iad,
        field55: f55,
    })
}
