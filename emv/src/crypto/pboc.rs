//! The PBOC 3.0 / UICS national-algorithm cryptogram profile: SM4 master and session keys,
//! the SM4 application cryptogram and the SM4 ARPC (JR/T 0025.17 "enhanced debit/credit
//! application security", whose text is not openly published).
//!
//! | step | computation (16-byte SM4 blocks) |
//! |---|---|
//! | ICC master key | `MK = SM4(IMK)[Y ‖ ¬Y]`, `Y` = rightmost 16 digits of PAN ‖ PSN (as EMV option A) |
//! | AC session key | `SK = SM4(MK)[00…00 ‖ ATC ‖ 00…00 ‖ ¬ATC]` (each half 6 zero bytes then 2 bytes) |
//! | AC | ISO/IEC 9797-1 MAC algorithm 1 with SM4, padding method 2, leftmost 8 bytes |
//! | AC input | `9F02 ‖ 9F03 ‖ 9F1A ‖ 95 ‖ 5F2A ‖ 9A ‖ 9C ‖ 9F37 ‖ 82 ‖ 9F36 ‖ CVR` (CVR with its length byte: bytes 3..7 of 9F10) |
//! | ARPC | leftmost 8 bytes of `SM4(SK)[(ARQC ⊕ ARC ‖ 00…00) ‖ 00…00]`; tag 91 = `ARPC ‖ ARC` |
//! | IAD (9F10) | `07 ‖ DKI ‖ CVN 01 ‖ 03 CVR(3) ‖ algorithm 04` (01 is the 3DES variant) |
//! | SMI/SMC session keys | as the AC session key, under `MK_SMI` / `MK_SMC` |
//! | script MAC | the SM4 MAC above over `header ‖ ATC ‖ ARQC ‖ data`, 8 bytes |
//! | script data | SM4-CBC, zero IV, padding method 2; PIN change sends ISO format 2 |
//!
//! The IAD layout is the one of published PBOC card transcripts (`07 01 01 03 90 00 00 01`,
//! e.g. cnblogs.com/iplus/p/4467111.html; the last byte is the algorithm: 01 3DES, 04 SM4).
//! The SM4 steps are those of the 3DES PBOC profile widened to SM4's 16-byte block, and the
//! script secure messaging is EMV's (Book 2, §9) on that block: no published SM4 card vector
//! was found, so the tests check each step against independent constructions (gmssl, Python;
//! the openssl CLI's SM4-CBC) instead of a card transcript.
//!
//! ```
//! use mpay_emv::crypto::cvn::TransactionData;
//! use mpay_emv::crypto::keys::Sm4Key;
//! use mpay_emv::crypto::pboc::{PbocSm4, Sm4IssuerKeys};
//!
//! let issuer = Sm4IssuerKeys::single(Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210")?);
//! let card = PbocSm4::card_keys(&issuer, "6228480000000000017", "01")?;
//! let tx = TransactionData {
//!     amount_authorised: [0, 0, 0, 0, 0x01, 0x00],
//!     amount_other: [0; 6],
//!     terminal_country: [0x01, 0x56],
//!     tvr: [0; 5],
//!     currency: [0x01, 0x56],
//!     date: [0x26, 0x11, 0x21],
//!     transaction_type: 0x00,
//!     unpredictable_number: [0x11, 0x22, 0x33, 0x44],
//!     aip: [0x7C, 0x00],
//!     atc: [0x00, 0x03],
//!     iad: vec![0x07, 0x01, 0x01, 0x03, 0xA0, 0x00, 0x00, 0x04],
//!     counters: vec![],
//! };
//! let arqc = PbocSm4::arqc(&card, &tx)?;
//! PbocSm4::verify_arqc(&card, &tx, &arqc)?;
//! let arpc = PbocSm4::arpc(&card, &tx, arqc, *b"00");
//! assert_eq!(arpc.len(), 8);
//! # Ok::<(), mpay_emv::Error>(())
//! ```

use zeroize::Zeroize;

use crate::crypto::cvn::{AcDataTail, CardKeys, IssuerKeys, TransactionData};
use crate::crypto::keys::Sm4Key;
use crate::crypto::mac::{self, Padding};
use crate::crypto::{ac, kd, sm};
use crate::{Error, Result};

/// Cryptogram version number of the PBOC/UICS profile (IAD byte 2).
pub const CVN: u8 = 0x01;
/// Algorithm indicator in the IAD's last byte for SM4 (01 is 3DES).
pub const ALGORITHM_SM4: u8 = 0x04;

/// The issuer master keys of the SM4 profile: application cryptograms, script integrity and
/// script confidentiality.
pub type Sm4IssuerKeys = IssuerKeys<Sm4Key>;

/// The ICC master keys of one SM4 card.
pub type Sm4CardKeys = CardKeys<Sm4Key>;

/// ICC master key: `SM4(IMK)[Y ‖ ¬Y]` with `Y` as in EMV option A.
pub fn icc_master_key(imk: &Sm4Key, pan: &str, psn: &str) -> Result<Sm4Key> {
    let y = kd::option_a_y(pan, psn)?;
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(&y);
    for (i, b) in y.iter().enumerate() {
        block[8 + i] = !b;
    }
    imk.encrypt_block(&mut block);
    let out = Sm4Key::new(block);
    block.zeroize();
    Ok(out)
}

/// AC session key: `SM4(MK)[00 00 00 00 00 00 ‖ ATC ‖ 00 00 00 00 00 00 ‖ ¬ATC]`.
pub fn session_key(mk: &Sm4Key, atc: [u8; 2]) -> Sm4Key {
    let mut block = [0u8; 16];
    block[6..8].copy_from_slice(&atc);
    block[14] = !atc[0];
    block[15] = !atc[1];
    mk.encrypt_block(&mut block);
    let out = Sm4Key::new(block);
    block.zeroize();
    out
}

/// The SM4 MAC of this profile: SM4 CBC-MAC (ISO/IEC 9797-1 algorithm 1, padding method 2),
/// leftmost 8 bytes. It computes the application cryptogram ([`generate_ac`]) and the issuer
/// script MAC ([`PbocSm4::script_mac`]).
pub fn sm4_mac(key: &Sm4Key, data: &[u8]) -> [u8; 8] {
    let m = mac::cbc_mac_16(&key.cipher(), data, Padding::Method2);
    let mut out = [0u8; 8];
    out.copy_from_slice(&m[..8]);
    out
}

/// The 8-byte SM4 application cryptogram: [`sm4_mac`] under the AC session key.
pub fn generate_ac(session_key: &Sm4Key, data: &[u8]) -> [u8; 8] {
    sm4_mac(session_key, data)
}

/// The SM4 ARPC (method 1): leftmost 8 bytes of `SM4(SK)[(ARQC ⊕ ARC ‖ 00…00) ‖ 00…00]`
/// ([`ac::arpc_method1_16`]).
pub fn arpc(session_key: &Sm4Key, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
    ac::arpc_method1_16(session_key, arqc, arc)
}

/// The PBOC/UICS SM4 profile as one set of operations on [`TransactionData`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PbocSm4;

impl PbocSm4 {
    /// Derives a card's ICC master keys.
    pub fn card_keys(issuer: &Sm4IssuerKeys, pan: &str, psn: &str) -> Result<Sm4CardKeys> {
        issuer.derive_card(|k| icc_master_key(k, pan, psn))
    }

    /// The AC session key of a transaction (from its ATC).
    pub fn ac_session_key(card: &Sm4CardKeys, tx: &TransactionData) -> Sm4Key {
        session_key(&card.ac, tx.atc)
    }

    /// The issuer application data this profile writes: `07 DKI 01 03 CVR(3) 04`.
    pub fn iad(dki: u8, cvr: [u8; 3]) -> [u8; 8] {
        [0x07, dki, CVN, 0x03, cvr[0], cvr[1], cvr[2], ALGORITHM_SM4]
    }

    /// Computes the application cryptogram (ARQC, TC or AAC). The IAD must be the 8-byte
    /// PBOC layout with the SM4 algorithm indicator.
    pub fn arqc(card: &Sm4CardKeys, tx: &TransactionData) -> Result<[u8; 8]> {
        if tx.iad.len() < 8 || tx.iad[2] != CVN || tx.iad[7] != ALGORITHM_SM4 {
            return Err(Error::DataElement {
                tag: 0x9F10,
                why: "not PBOC CVN 01 with the SM4 algorithm indicator 04",
            });
        }
        let data = tx.ac_input(AcDataTail::VisaCvr)?;
        Ok(generate_ac(&Self::ac_session_key(card, tx), &data))
    }

    /// Verifies a received cryptogram in constant time.
    pub fn verify_arqc(card: &Sm4CardKeys, tx: &TransactionData, received: &[u8; 8]) -> Result<()> {
        mac::verify("ARQC", &Self::arqc(card, tx)?, received)
    }

    /// The ARPC for authorisation response code `arc`; tag 91 is `ARPC ‖ ARC`.
    pub fn arpc(card: &Sm4CardKeys, tx: &TransactionData, arqc: [u8; 8], arc: [u8; 2]) -> [u8; 8] {
        arpc(&Self::ac_session_key(card, tx), arqc, arc)
    }

    /// The MAC of an issuer script command (header `CLA INS P1 P2 Lc`, command data before
    /// the MAC): [`sm4_mac`] over `header ‖ ATC ‖ ARQC ‖ data` under the SMI session key
    /// (derived from the ATC as the AC session key is).
    pub fn script_mac(
        card: &Sm4CardKeys,
        header: &[u8],
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> [u8; 8] {
        let key = session_key(&card.smi, atc);
        sm4_mac(&key, &sm::mac_input(header, Some((atc, arqc)), data))
    }

    /// Enciphers script command data under the SMC session key: SM4-CBC, zero IV, padding
    /// method 2 ([`sm::encrypt_command_data_16`]). The key depends on the ATC only; `arqc` is
    /// taken so that every profile is called alike.
    pub fn encrypt_script_data(
        card: &Sm4CardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let _ = arqc;
        Ok(sm::encrypt_command_data_16(
            &session_key(&card.smc, atc),
            data,
        ))
    }

    /// Deciphers script command data under the SMC session key (the card's side of
    /// [`Self::encrypt_script_data`]).
    pub fn decrypt_script_data(
        card: &Sm4CardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let _ = arqc;
        sm::decrypt_command_data_16(&session_key(&card.smc, atc), data)
    }

    /// A complete PIN CHANGE/UNBLOCK command without the current PIN
    /// (`84 24 00 02 Lc ‖ enciphered ISO 9564 format 2 PIN block ‖ MAC`, 29 bytes).
    /// A current PIN is refused, as in the Mastercard-style 3DES profiles.
    pub fn pin_change_command(
        card: &Sm4CardKeys,
        new_pin: &str,
        current_pin: Option<&str>,
        atc: [u8; 2],
        arqc: [u8; 8],
    ) -> Result<Vec<u8>> {
        sm::iso2_pin_change_command(
            new_pin,
            current_pin,
            |block| Self::encrypt_script_data(card, atc, arqc, block),
            |header, enc| Self::script_mac(card, header, atc, arqc, enc),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_key_depends_on_atc_and_ac_on_every_bit() {
        let mk = Sm4Key::new([0x42; 16]);
        assert_ne!(session_key(&mk, [0, 1]), session_key(&mk, [0, 2]));
        let sk = session_key(&mk, [0, 1]);
        let a = generate_ac(&sk, b"0123456789abcdef0123");
        assert_ne!(a, generate_ac(&sk, b"0123456789abcdef0122"));
        assert_ne!(arpc(&sk, a, *b"00"), arpc(&sk, a, *b"05"));
    }

    #[test]
    fn rejects_non_sm4_iad() {
        let card =
            PbocSm4::card_keys(&Sm4IssuerKeys::single(Sm4Key::new([1; 16])), "1234", "00").unwrap();
        let mut tx = TransactionData {
            amount_authorised: [0; 6],
            amount_other: [0; 6],
            terminal_country: [0; 2],
            tvr: [0; 5],
            currency: [0; 2],
            date: [0; 3],
            transaction_type: 0,
            unpredictable_number: [0; 4],
            aip: [0; 2],
            atc: [0; 2],
            iad: vec![0x07, 0x01, 0x01, 0x03, 0, 0, 0, 0x01],
            counters: vec![],
        };
        assert!(matches!(
            PbocSm4::arqc(&card, &tx),
            Err(Error::DataElement { tag: 0x9F10, .. })
        ));
        tx.iad[7] = ALGORITHM_SM4;
        assert!(PbocSm4::arqc(&card, &tx).is_ok());
    }
}
