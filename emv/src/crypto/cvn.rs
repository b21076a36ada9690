//! Cryptogram version profiles: which master-key derivation, session key, input data, padding,
//! ARPC method and secure-messaging variant each Cryptogram Version Number uses — the part
//! users cannot tell from the specifications alone.
//!
//! | CVN | ICC MK | AC session key | AC data tail | padding | ARPC | SM session key | SM encryption |
//! |---|---|---|---|---|---|---|---|
//! | Visa 10 | option A | none (MK) | CVR (4 bytes of 9F10) | method 1 | 1, MK | Visa (ATC) | Visa |
//! | Visa 18 | option B | common, R = ATC‖0 | full 9F10 | method 2 | 2 | Visa (ATC) | Visa |
//! | Visa 22 | option B | common, R = ATC‖0 | full 9F10 | method 2 | 2 | common, R = ARQC | Visa |
//! | Mastercard 16 | option A | Mastercard, R = ATC‖00 00‖UN | CVR (6 bytes) | method 2 | 1, MK | common, R = ARQC | Mastercard |
//! | Mastercard 17 | option A | Mastercard | CVR ‖ counters | method 2 | 1, MK | common, R = ARQC | Mastercard |
//! | Mastercard 20 | option A | common, R = ATC‖0 | CVR | method 2 | 1, SK | common, R = ARQC | Mastercard |
//! | Mastercard 21 | option A | common, R = ATC‖0 | CVR ‖ counters | method 2 | 1, SK | common, R = ARQC | Mastercard |
//! | Interac 133 | option A | Mastercard | full 9F10 | method 2 | 1, SK | common, R = ARQC | Mastercard |
//!
//! Every AC covers `9F02 ‖ 9F03 ‖ 9F1A ‖ 95 ‖ 5F2A ‖ 9A ‖ 9C ‖ 9F37 ‖ 82 ‖ 9F36` and then the
//! tail. A [`Profile`] can also be built by hand for schemes not named here.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::keys::TdesKey;
use crate::crypto::mac::Padding;
use crate::crypto::sm::{self, Encryption};
use crate::crypto::{ac, kd, mac};
use crate::{Error, Result};

/// Named cryptogram version profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cvn {
    /// Visa CVN 10 (VSDC, no session key).
    Visa10,
    /// Visa CVN 18 (EMV common session key, full IAD).
    Visa18,
    /// Visa CVN 22 (as 18, with EMV secure-messaging keys).
    Visa22,
    /// Mastercard M/Chip CVN 16 (Mastercard SKD, no counters).
    Mastercard16,
    /// Mastercard M/Chip CVN 17 (Mastercard SKD, counters).
    Mastercard17,
    /// Mastercard M/Chip CVN 20 (EMV common session key, no counters).
    Mastercard20,
    /// Mastercard M/Chip CVN 21 (EMV common session key, counters).
    Mastercard21,
    /// Interac CVN 133.
    Interac133,
}

/// Which ICC master-key derivation a profile uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MasterKeyDerivation {
    /// EMV option A.
    OptionA,
    /// EMV option B.
    OptionB,
}

/// Which session key the AC is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcSessionKey {
    /// The ICC master key itself.
    None,
    /// EMV common session key with R = ATC ‖ 00…00.
    Common,
    /// Common session key derivation with Mastercard's R = ATC ‖ 00 00 ‖ UN.
    Mastercard,
}

/// What follows the common data elements in the AC input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcDataTail {
    /// The Visa CVR: bytes 3..7 of the IAD (9F10), length byte included.
    VisaCvr,
    /// The Mastercard CVR: bytes 2..8 of the IAD.
    MastercardCvr,
    /// The Mastercard CVR followed by the counters in the clear
    /// ([`TransactionData::counters`]).
    MastercardCvrAndCounters,
    /// The whole IAD.
    FullIad,
}

/// How the ARPC is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpcMethod {
    /// Method 1 under the ICC master key.
    Method1MasterKey,
    /// Method 1 under the AC session key.
    Method1SessionKey,
    /// Method 2 under the AC session key.
    Method2,
}

/// Which session key secure messaging uses, and what the command MAC covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmSessionKey {
    /// Visa: MK ⊕ ATC; MAC over header ‖ ATC ‖ ARQC ‖ data.
    VisaAtc,
    /// EMV common session key with R = ARQC; MAC over header ‖ ATC ‖ ARQC ‖ data.
    CommonArqc,
    /// As `CommonArqc`, but the MAC covers header ‖ data only (Interac).
    CommonArqcHeaderOnly,
}

/// A complete cryptogram profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// ICC master-key derivation.
    pub master_key: MasterKeyDerivation,
    /// AC session key.
    pub session_key: AcSessionKey,
    /// What ends the AC input.
    pub tail: AcDataTail,
    /// AC padding.
    pub padding: Padding,
    /// ARPC method.
    pub arpc: ArpcMethod,
    /// Secure-messaging session key.
    pub sm_key: SmSessionKey,
    /// Secure-messaging encryption.
    pub sm_encryption: Encryption,
}

/// The issuer master keys for cryptograms (AC), script integrity (SMI) and confidentiality
/// (SMC): double-length DES keys by default, [`AesKey`](crate::crypto::keys::AesKey)s for
/// the AES profile ([`crate::crypto::emv_aes`]), [`Sm4Key`](crate::crypto::keys::Sm4Key)s for
/// PBOC/UICS ([`crate::crypto::pboc`]).
#[derive(Clone, Debug, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct IssuerKeys<K: Zeroize = TdesKey> {
    /// Issuer master key for application cryptograms.
    pub ac: K,
    /// Issuer master key for secure-messaging integrity.
    pub smi: K,
    /// Issuer master key for secure-messaging confidentiality.
    pub smc: K,
}

impl<K: Zeroize + Clone> IssuerKeys<K> {
    /// Three distinct issuer master keys.
    pub fn new(ac: K, smi: K, smc: K) -> Self {
        IssuerKeys { ac, smi, smc }
    }

    /// One key for all three purposes (test and demo setups only).
    pub fn single(key: K) -> Self {
        IssuerKeys {
            ac: key.clone(),
            smi: key.clone(),
            smc: key,
        }
    }
}

/// The ICC master keys of one card (what personalisation writes into the card), of the same
/// kind as the [`IssuerKeys`] they derive from.
#[derive(Clone, Debug, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct CardKeys<K: Zeroize = TdesKey> {
    /// ICC master key for application cryptograms.
    pub ac: K,
    /// ICC master key for secure-messaging integrity.
    pub smi: K,
    /// ICC master key for secure-messaging confidentiality.
    pub smc: K,
}

impl<K: Zeroize> IssuerKeys<K> {
    /// Derives the card's three ICC master keys with `derive` (one master-key derivation
    /// applied to each issuer key).
    pub(crate) fn derive_card(&self, derive: impl Fn(&K) -> Result<K>) -> Result<CardKeys<K>> {
        Ok(CardKeys {
            ac: derive(&self.ac)?,
            smi: derive(&self.smi)?,
            smc: derive(&self.smc)?,
        })
    }
}

/// The data elements an AC covers, as fixed-size values in their EMV formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionData {
    /// 9F02 Amount, Authorised (n12).
    pub amount_authorised: [u8; 6],
    /// 9F03 Amount, Other (n12).
    pub amount_other: [u8; 6],
    /// 9F1A Terminal Country Code (n3).
    pub terminal_country: [u8; 2],
    /// 95 Terminal Verification Results.
    pub tvr: [u8; 5],
    /// 5F2A Transaction Currency Code (n3).
    pub currency: [u8; 2],
    /// 9A Transaction Date (YYMMDD).
    pub date: [u8; 3],
    /// 9C Transaction Type.
    pub transaction_type: u8,
    /// 9F37 Unpredictable Number.
    pub unpredictable_number: [u8; 4],
    /// 82 Application Interchange Profile.
    pub aip: [u8; 2],
    /// 9F36 Application Transaction Counter.
    pub atc: [u8; 2],
    /// 9F10 Issuer Application Data.
    pub iad: Vec<u8>,
    /// Mastercard counters in the clear (CVN 17/21), empty otherwise.
    pub counters: Vec<u8>,
}

impl TransactionData {
    /// Reads the data elements from BER-TLV (ISO 8583 field 55, a CDOL1 response record, …):
    /// 9F02, 9F03, 9F1A, 95, 5F2A, 9A, 9C, 9F37, 82, 9F36 and 9F10 are required, with their
    /// EMV lengths; constructed templates are searched too; `counters` starts empty.
    ///
    /// ```
    /// use mpay_emv::crypto::cvn::TransactionData;
    /// let f55 = concat!(
    ///     "9F0206000000004000", "9F0306000000000000", "9F1A020124", "95058000048000",
    ///     "5F2A020124", "9A03191105", "9C0101", "9F370452BF4585", "82021800",
    ///     "9F3602001C", "9F100706011203A0B800",
    /// );
    /// let bytes: Vec<u8> = (0..f55.len())
    ///     .step_by(2)
    ///     .map(|i| u8::from_str_radix(&f55[i..i + 2], 16).unwrap())
    ///     .collect();
    /// let tx = TransactionData::from_tlv(&bytes).unwrap();
    /// assert_eq!(tx.atc, [0x00, 0x1C]);
    /// assert!(TransactionData::from_tlv(&bytes[..9]).is_err()); // 9F03 and the rest missing
    /// ```
    pub fn from_tlv(data: &[u8]) -> Result<Self> {
        use mpay_emv_tlv::Tag;
        let mut found: [Option<&[u8]>; 11] = [None; 11];
        const TAGS: [(u32, usize); 11] = [
            (0x9F02, 6),
            (0x9F03, 6),
            (0x9F1A, 2),
            (0x95, 5),
            (0x5F2A, 2),
            (0x9A, 3),
            (0x9C, 1),
            (0x9F37, 4),
            (0x82, 2),
            (0x9F36, 2),
            (0x9F10, 0),
        ];
        for t in mpay_emv_tlv::walk(data) {
            let t = t?;
            if let Some(i) = TAGS.iter().position(|(tag, _)| Tag::new(*tag) == t.tag()) {
                found[i].get_or_insert(t.value());
            }
        }
        let mut get = |i: usize| -> Result<&[u8]> {
            let (tag, len) = TAGS[i];
            let v = found[i].take().ok_or(Error::DataElement {
                tag,
                why: "missing",
            })?;
            if len != 0 && v.len() != len {
                return Err(Error::DataElement {
                    tag,
                    why: "wrong length",
                });
            }
            if len == 0 && (v.is_empty() || v.len() > 32) {
                return Err(Error::DataElement {
                    tag,
                    why: "issuer application data must be 1 to 32 bytes",
                });
            }
            Ok(v)
        };
        fn fixed<const N: usize>(v: &[u8]) -> [u8; N] {
            let mut out = [0u8; N];
            out.copy_from_slice(&v[..N]);
            out
        }
        let amount_authorised = fixed(get(0)?);
        let amount_other = fixed(get(1)?);
        let terminal_country = fixed(get(2)?);
        let tvr = fixed(get(3)?);
        let currency = fixed(get(4)?);
        let date = fixed(get(5)?);
        let transaction_type = get(6)?[0];
        let unpredictable_number = fixed(get(7)?);
        let aip = fixed(get(8)?);
        let atc = fixed(get(9)?);
        let iad = get(10)?.to_vec();
        Ok(TransactionData {
            amount_authorised,
            amount_other,
            terminal_country,
            tvr,
            currency,
            date,
            transaction_type,
            unpredictable_number,
            aip,
            atc,
            iad,
            counters: Vec::new(),
        })
    }

    /// The AC input for a profile's tail: the common elements then the tail.
    pub fn ac_input(&self, tail: AcDataTail) -> Result<Vec<u8>> {
        let mut v = Vec::with_capacity(29 + self.iad.len() + self.counters.len());
        v.extend_from_slice(&self.amount_authorised);
        v.extend_from_slice(&self.amount_other);
        v.extend_from_slice(&self.terminal_country);
        v.extend_from_slice(&self.tvr);
        v.extend_from_slice(&self.currency);
        v.extend_from_slice(&self.date);
        v.push(self.transaction_type);
        v.extend_from_slice(&self.unpredictable_number);
        v.extend_from_slice(&self.aip);
        v.extend_from_slice(&self.atc);
        let iad = |range: core::ops::Range<usize>, expected| {
            self.iad.get(range).ok_or(Error::Length {
                what: "issuer application data (9F10)",
                expected,
                actual: self.iad.len(),
            })
        };
        match tail {
            AcDataTail::VisaCvr => v.extend_from_slice(iad(3..7, "at least 7")?),
            AcDataTail::MastercardCvr => v.extend_from_slice(iad(2..8, "at least 8")?),
            AcDataTail::MastercardCvrAndCounters => {
                v.extend_from_slice(iad(2..8, "at least 8")?);
                v.extend_from_slice(&self.counters);
            }
            AcDataTail::FullIad => v.extend_from_slice(&self.iad),
        }
        Ok(v)
    }
}

impl Cvn {
    /// The profile this CVN names.
    pub fn profile(self) -> Profile {
        use AcDataTail::*;
        use AcSessionKey as S;
        use ArpcMethod::*;
        use MasterKeyDerivation::*;
        use SmSessionKey::*;
        let p = |master_key, session_key, tail, padding, arpc, sm_key, sm_encryption| Profile {
            master_key,
            session_key,
            tail,
            padding,
            arpc,
            sm_key,
            sm_encryption,
        };
        let (m1, m2) = (Padding::Method1, Padding::Method2);
        let (visa, mc) = (Encryption::Visa, Encryption::Mastercard);
        match self {
            Cvn::Visa10 => p(
                OptionA,
                S::None,
                VisaCvr,
                m1,
                Method1MasterKey,
                VisaAtc,
                visa,
            ),
            Cvn::Visa18 => p(OptionB, S::Common, FullIad, m2, Method2, VisaAtc, visa),
            Cvn::Visa22 => p(OptionB, S::Common, FullIad, m2, Method2, CommonArqc, visa),
            Cvn::Mastercard16 => p(
                OptionA,
                S::Mastercard,
                MastercardCvr,
                m2,
                Method1MasterKey,
                CommonArqc,
                mc,
            ),
            Cvn::Mastercard17 => p(
                OptionA,
                S::Mastercard,
                MastercardCvrAndCounters,
                m2,
                Method1MasterKey,
                CommonArqc,
                mc,
            ),
            Cvn::Mastercard20 => p(
                OptionA,
                S::Common,
                MastercardCvr,
                m2,
                Method1SessionKey,
                CommonArqc,
                mc,
            ),
            Cvn::Mastercard21 => p(
                OptionA,
                S::Common,
                MastercardCvrAndCounters,
                m2,
                Method1SessionKey,
                CommonArqc,
                mc,
            ),
            Cvn::Interac133 => p(
                OptionA,
                S::Mastercard,
                FullIad,
                m2,
                Method1SessionKey,
                CommonArqcHeaderOnly,
                mc,
            ),
        }
    }

    /// Derives a card's ICC master keys from the issuer master keys.
    pub fn card_keys(self, issuer: &IssuerKeys, pan: &str, psn: &str) -> Result<CardKeys> {
        self.profile().card_keys(issuer, pan, psn)
    }

    /// Computes the ARQC (or TC/AAC: the same computation) for a transaction.
    pub fn arqc(self, card: &CardKeys, tx: &TransactionData) -> Result<[u8; 8]> {
        self.profile().arqc(card, tx)
    }

    /// Verifies a received cryptogram in constant time.
    pub fn verify_arqc(
        self,
        card: &CardKeys,
        tx: &TransactionData,
        received: &[u8; 8],
    ) -> Result<()> {
        self.profile().verify_arqc(card, tx, received)
    }

    /// Computes the ARPC; see [`Profile::arpc`].
    pub fn arpc(
        self,
        card: &CardKeys,
        tx: &TransactionData,
        arqc: [u8; 8],
        response: ArpcInput<'_>,
    ) -> Result<Vec<u8>> {
        self.profile().arpc(card, tx, arqc, response)
    }
}

impl ArpcMethod {
    /// Computes the ARPC by this method under the ICC master key `mk` (method 1 with the
    /// master key) or the session key `sk()` (the others), for 3DES and AES keys alike.
    pub(crate) fn compute<K: ac::ArpcKey>(
        self,
        mk: &K,
        sk: impl FnOnce() -> K,
        arqc: [u8; 8],
        response: ArpcInput<'_>,
    ) -> Result<Vec<u8>> {
        match (self, response) {
            (ArpcMethod::Method1MasterKey, ArpcInput::ResponseCode(arc)) => {
                Ok(mk.arpc_method1(arqc, arc).to_vec())
            }
            (ArpcMethod::Method1SessionKey, ArpcInput::ResponseCode(arc)) => {
                Ok(sk().arpc_method1(arqc, arc).to_vec())
            }
            (ArpcMethod::Method2, ArpcInput::CardStatusUpdate { csu, proprietary }) => {
                Ok(sk().arpc_method2(arqc, csu, proprietary)?.to_vec())
            }
            _ => Err(Error::Parameter {
                what: "ARPC input",
                why: "method 1 takes a response code, method 2 a card status update",
            }),
        }
    }
}

/// What the issuer answers with, by ARPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpcInput<'a> {
    /// Method 1: the 2-byte authorisation response code.
    ResponseCode([u8; 2]),
    /// Method 2: the card status update and 0–8 bytes of proprietary authentication data.
    CardStatusUpdate {
        /// Card Status Update.
        csu: [u8; 4],
        /// Proprietary authentication data.
        proprietary: &'a [u8],
    },
}

impl Profile {
    /// Derives a card's ICC master keys from the issuer master keys.
    pub fn card_keys(&self, issuer: &IssuerKeys, pan: &str, psn: &str) -> Result<CardKeys> {
        issuer.derive_card(|k| match self.master_key {
            MasterKeyDerivation::OptionA => kd::icc_master_key_a(k, pan, psn),
            MasterKeyDerivation::OptionB => kd::icc_master_key_b(k, pan, psn),
        })
    }

    /// The AC session key for a transaction.
    pub fn ac_session_key(&self, card: &CardKeys, tx: &TransactionData) -> TdesKey {
        match self.session_key {
            AcSessionKey::None => card.ac.clone(),
            AcSessionKey::Common => kd::common_session_key(&card.ac, kd::r_emv(tx.atc)),
            AcSessionKey::Mastercard => {
                kd::common_session_key(&card.ac, kd::r_mastercard(tx.atc, tx.unpredictable_number))
            }
        }
    }

    /// Computes the application cryptogram.
    pub fn arqc(&self, card: &CardKeys, tx: &TransactionData) -> Result<[u8; 8]> {
        let data = tx.ac_input(self.tail)?;
        Ok(ac::generate_ac(
            &self.ac_session_key(card, tx),
            &data,
            self.padding,
        ))
    }

    /// Verifies a received application cryptogram in constant time.
    pub fn verify_arqc(
        &self,
        card: &CardKeys,
        tx: &TransactionData,
        received: &[u8; 8],
    ) -> Result<()> {
        mac::verify("ARQC", &self.arqc(card, tx)?, received)
    }

    /// Computes the ARPC: 8 bytes for method 1, 4 for method 2. The input must match the
    /// profile's method.
    pub fn arpc(
        &self,
        card: &CardKeys,
        tx: &TransactionData,
        arqc: [u8; 8],
        response: ArpcInput<'_>,
    ) -> Result<Vec<u8>> {
        self.arpc
            .compute(&card.ac, || self.ac_session_key(card, tx), arqc, response)
    }

    fn sm_session_key(&self, mk: &TdesKey, atc: [u8; 2], arqc: [u8; 8]) -> TdesKey {
        match self.sm_key {
            SmSessionKey::VisaAtc => kd::visa_sm_session_key(mk, atc),
            SmSessionKey::CommonArqc | SmSessionKey::CommonArqcHeaderOnly => {
                kd::common_session_key(mk, arqc)
            }
        }
    }

    /// The MAC of an issuer script command (header `CLA INS P1 P2 Lc`, command data before
    /// the MAC).
    pub fn script_mac(
        &self,
        card: &CardKeys,
        header: &[u8],
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> [u8; 8] {
        let key = self.sm_session_key(&card.smi, atc, arqc);
        let covers = (self.sm_key != SmSessionKey::CommonArqcHeaderOnly).then_some((atc, arqc));
        sm::command_mac(&key, &sm::mac_input(header, covers, data))
    }

    /// Enciphers script command data (a PIN block, …) under the SMC session key.
    pub fn encrypt_script_data(
        &self,
        card: &CardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let key = self.sm_session_key(&card.smc, atc, arqc);
        sm::encrypt_command_data(&key, data, self.sm_encryption)
    }

    /// Deciphers script command data under the SMC session key (the card's side of
    /// [`Self::encrypt_script_data`]).
    pub fn decrypt_script_data(
        &self,
        card: &CardKeys,
        atc: [u8; 2],
        arqc: [u8; 8],
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let key = self.sm_session_key(&card.smc, atc, arqc);
        sm::decrypt_command_data(&key, data, self.sm_encryption)
    }

    /// A complete PIN CHANGE/UNBLOCK command (`84 24 00 P2 Lc ‖ enciphered PIN block ‖ MAC`):
    /// P2 = 02 without the current PIN, 01 with it. Visa profiles send the VIS PIN block
    /// (CVN 22: ISO format 2 when no current PIN is sent); the others ISO format 2 and no
    /// current PIN.
    pub fn pin_change_command(
        &self,
        card: &CardKeys,
        new_pin: &str,
        current_pin: Option<&str>,
        atc: [u8; 2],
        arqc: [u8; 8],
    ) -> Result<Vec<u8>> {
        let visa = self.sm_encryption == Encryption::Visa;
        let block = match (visa, current_pin) {
            (true, Some(cur)) => sm::vis_pin_block(&card.ac, new_pin, Some(cur))?,
            (true, None) if self.sm_key == SmSessionKey::VisaAtc => {
                sm::vis_pin_block(&card.ac, new_pin, None)?
            }
            (true, None) => sm::iso2_pin_block(new_pin)?,
            (false, None) => sm::iso2_pin_block(new_pin)?,
            (false, Some(_)) => {
                return Err(Error::Parameter {
                    what: "current PIN",
                    why: "this profile's PIN change does not carry the current PIN",
                });
            }
        };
        let enc = self.encrypt_script_data(card, atc, arqc, &block)?;
        sm::pin_change_apdu(&enc, current_pin.is_some(), |header, enc| {
            self.script_mac(card, header, atc, arqc, enc)
        })
    }
}
