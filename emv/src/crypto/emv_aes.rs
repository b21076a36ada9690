//! The EMV AES cryptogram profile: EMV 4.x Book 2 with a 16-byte block cipher, from the ICC
//! master keys to the issuer-script secure messaging.
//!
//! | step | computation (AES-128, -192 or -256, as the issuer master key) |
//! |---|---|
//! | ICC master keys | option C ([`kd::icc_master_key_c`]) under IMK AC, SMI, SMC |
//! | AC session key | common session key, n = 16, R = `ATC ‖ 00…00` ([`kd::common_session_key_aes`]) |
//! | AC | AES-CMAC, leftmost 8 bytes ([`ac::generate_ac_aes`]), over the common elements then the profile's tail |
//! | ARPC method 1 | leftmost 8 bytes of `AES(SK)[(ARQC ⊕ ARC‖00…00) ‖ 00…00]` ([`ac::arpc_method1_16`]); tag 91 = `ARPC ‖ ARC` |
//! | ARPC method 2 | AES-CMAC over `ARQC ‖ CSU ‖ proprietary data`, 4 bytes ([`ac::arpc_method2_aes`]) |
//! | SMI/SMC session keys | common session key, R = `ARQC ‖ 00…00` ([`kd::r_cryptogram_aes`]) |
//! | script MAC | AES-CMAC, 8 bytes, over `header ‖ ATC ‖ ARQC ‖ data` |
//! | script data | AES-CBC, zero IV, padding method 2 ([`sm::encrypt_command_data_16`]) |
//! | PIN change | ISO 9564 format 2 PIN block, enciphered (16 bytes), no current PIN |
//!
//! No open implementation publishes AES EMV vectors; the tests check every step against the
//! openssl CLI (AES-ECB of the derivation blocks, CMAC, AES-CBC) on random inputs.
//!
//! ```
//! use mpay_emv::crypto::cvn::{AcDataTail, ArpcInput, ArpcMethod, TransactionData};
//! use mpay_emv::crypto::emv_aes::{AesEmv, AesIssuerKeys};
//! use mpay_emv::crypto::keys::AesKey;
//!
//! let profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1SessionKey);
//! let issuer = AesIssuerKeys::single(AesKey::from_hex("000102030405060708090A0B0C0D0E0F")?);
//! let card = profile.card_keys(&issuer, "4761739001010119", "01")?;
//! let tx = TransactionData {
//!     amount_authorised: [0, 0, 0, 0, 0x10, 0x00],
//!     amount_other: [0; 6],
//!     terminal_country: [0x08, 0x26],
//!     tvr: [0; 5],
//!     currency: [0x08, 0x26],
//!     date: [0x26, 0x11, 0x21],
//!     transaction_type: 0x00,
//!     unpredictable_number: [0xDE, 0xAD, 0xBE, 0xEF],
//!     aip: [0x19, 0x80],
//!     atc: [0x00, 0x07],
//!     iad: vec![0x06, 0x01, 0x0A, 0x03, 0xA0, 0x00, 0x00],
//!     counters: vec![],
//! };
//! let arqc = profile.arqc(&card, &tx)?;
//! profile.verify_arqc(&card, &tx, &arqc)?;
//! let arpc = profile.arpc(&card, &tx, arqc, ArpcInput::ResponseCode(*b"00"))?;
//! assert_eq!(arpc.len(), 8);
//! let cmd = profile.pin_change_command(&card, "4321", None, tx.atc, arqc)?;
//! assert_eq!(cmd[..5], [0x84, 0x24, 0x00, 0x02, 24]);
//! # Ok::<(), mpay_emv::Error>(())
//! ```

use crate::Result;
use crate::crypto::cvn::{
    AcDataTail, ArpcInput, ArpcMethod, CardKeys, IssuerKeys, TransactionData,
};
use crate::crypto::keys::AesKey;
use crate::crypto::{ac, kd, mac, sm};

/// The issuer master keys of an AES card programme.
pub type AesIssuerKeys = IssuerKeys<AesKey>;

/// The ICC master keys of one AES card.
pub type AesCardKeys = CardKeys<AesKey>;

/// An EMV AES cryptogram profile: which data elements end the AC input, and which ARPC
/// method the issuer answers with. Everything else is fixed by EMV for 16-byte blocks (see
/// the [module](self) table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AesEmv {
    /// What ends the AC input after the common data elements.
    pub tail: AcDataTail,
    /// ARPC method (and, for method 1, its key).
    pub arpc: ArpcMethod,
}

impl AesEmv {
    /// A profile from its two choices.
    pub const fn new(tail: AcDataTail, arpc: ArpcMethod) -> Self {
        AesEmv { tail, arpc }
    }

    /// Derives a card's ICC master keys from the issuer master keys (option C).
    pub fn card_keys(&self, issuer: &AesIssuerKeys, pan: &str, psn: &str) -> Result<AesCardKeys> {
        issuer.derive_card(|k| kd::icc_master_key_c(k, pan, psn))
    }

    /// The AC session key of a transaction: common session key with R = `ATC ‖ 00…00`.
    pub fn ac_session_key(&self, card: &AesCardKeys, tx: &TransactionData) -> AesKey {
        kd::common_session_key_aes(&card.ac, kd::r_emv_aes(tx.atc))
    }

    /// Computes the application cryptogram (ARQC, TC or AAC).
    pub fn arqc(&self, card: &AesCardKeys, tx: &TransactionData) -> Result<[u8; 8]> {
        let data = tx.ac_input(self.tail)?;
        Ok(ac::generate_ac_aes(&self.ac_session_key(card, tx), &data))
    }

    /// Verifies a received application cryptogram in constant time.
    pub fn verify_arqc(
        &self,
        card: &AesCardKeys,
        tx: &TransactionData,
        received: &[u8; 8],
    ) -> Result<()> {
        mac::verify("ARQC", &self.arqc(card, tx)?, received)
    }

    /// Computes the ARPC: 8 bytes for method 1, 4 for method 2. The input must match the
    /// profile's method.
    pub fn arpc(
        &self,
        card: &AesCardKeys,
        tx: &TransactionData,
        arqc: [u8; 8],
        response: ArpcInput<'_>,
    ) -> Result<Vec<u8>> {
        self.arpc
            .compute(&card.ac, || self.ac_session_key(card, tx), arqc, response)
    }

    /// The secure-messaging session key under `mk` (SMI or SMC): R = `ARQC ‖ 00…00`.
    fn sm_session_key(mk: &AesKey, arqc: [u8; 8]) -> AesKey {
        kd::common_session_key_aes(mk, kd::r_cryptogram_aes(arqc))
    }

    /// The MAC of an issuer script command (header `CLA INS P1 P2 Lc`, command data before
    /// the MAC): AES-CMAC, 8 bytes, over `header ‖ ATC ‖ ARQC ‖ data` under the SMI session
    /// key.
    pub fn script_mac(
        &self,
        card: &AesCardKeys,
        header: &[u8],
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> [u8; 8] {
        let key = Self::sm_session_key(&card.smi, arqc);
        sm::command_mac_aes(&key, &sm::mac_input(header, Some((atc, arqc)), data))
    }

    /// Enciphers script command data under the SMC session key: AES-CBC, zero IV, padding
    /// method 2. The key depends on the ARQC only; `atc` is taken so that every profile is
    /// called alike.
    pub fn encrypt_script_data(
        &self,
        card: &AesCardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let _ = atc;
        Ok(sm::encrypt_command_data_16(
            &Self::sm_session_key(&card.smc, arqc),
            data,
        ))
    }

    /// Deciphers script command data under the SMC session key (the card's side of
    /// [`Self::encrypt_script_data`]).
    pub fn decrypt_script_data(
        &self,
        card: &AesCardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let _ = atc;
        sm::decrypt_command_data_16(&Self::sm_session_key(&card.smc, arqc), data)
    }

    /// A complete PIN CHANGE/UNBLOCK command without the current PIN
    /// (`84 24 00 02 Lc ‖ enciphered ISO 9564 format 2 PIN block ‖ MAC`, 29 bytes); a current
    /// PIN is refused.
    pub fn pin_change_command(
        &self,
        card: &AesCardKeys,
        new_pin: &str,
        current_pin: Option<&str>,
        atc: [u8; 2],
        arqc: [u8; 8],
    ) -> Result<Vec<u8>> {
        sm::iso2_pin_change_command(
            new_pin,
            current_pin,
            |block| self.encrypt_script_data(card, atc, arqc, block),
            |header, enc| self.script_mac(card, header, atc, arqc, enc),
        )
    }
}
