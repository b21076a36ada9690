//! The contactless card application: what a phone's HCE service or a secure element answers
//! to a POS terminal. It is an [`apdu::Application`](mpay_apdu::Application), so it runs behind
//! the `apdu` [`Router`](mpay_apdu::Router) in-process, over PC/SC through vpcd, or in an HCE
//! service.
//!
//! Two flows, as real cards do:
//! - [`GpoFlow::Quick`] (qVSDC/qPBOC style): GET PROCESSING OPTIONS answers with the
//!   cryptogram, track 2 equivalent data and IAD (format 2), the terminal reads the remaining
//!   records;
//! - [`GpoFlow::Standard`] (M/Chip or EMV mode): GPO answers AIP and AFL, the terminal reads
//!   records and asks for the cryptogram with GENERATE AC and the CDOL1 data.
//!
//! The card keeps a state machine (selected → processing → done) and answers `6985` to any
//! command outside it; the ATC is incremented through an [`AtcStore`] before each cryptogram,
//! and a store that cannot persist the new value makes the card refuse the command.
//!
//! ```
//! use mpay_apdu::{Card, Router, Target};
//! use mpay_emv::card::{CardProfile, ContactlessCard, Ppse};
//! use mpay_emv::crypto::{cvn::{Cvn, IssuerKeys}, keys::TdesKey};
//!
//! let issuer = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
//! let profile = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &issuer).unwrap();
//! let mut router = Router::new();
//! router.add_exact(Ppse::AID, Target::Host, Ppse::new(vec![profile.ppse_entry()]));
//! router.add_exact(&profile.aid.clone(), Target::Host, ContactlessCard::new(profile));
//! let mut card = Card::new(router);
//! let fci = card.send(&mpay_apdu::CommandBuf::select_aid(Ppse::AID)).unwrap();
//! assert!(fci.sw.is_success());
//! ```

use mpay_apdu::{Application, Command, Response, StatusWord};
use mpay_emv_tlv::{Dol, Tag, TlvWrite};

use crate::crypto::cvn::{CardKeys, Cvn, IssuerKeys, TransactionData};
use crate::crypto::emv_aes::{AesCardKeys, AesEmv, AesIssuerKeys};
use crate::crypto::pboc::{PbocSm4, Sm4CardKeys, Sm4IssuerKeys};
use crate::kernel::ActionCodes;
use crate::oda::RsaPrivateKey;
use crate::{Error, Result};

/// Where the card keeps its Application Transaction Counter and the offline risk counters that
/// go with it between transactions (an HCE service persists them; a secure element keeps them
/// in its own memory).
pub trait AtcStore: Send {
    /// Increments and persists the ATC, returning the new value; `None` when the counter
    /// is exhausted or cannot be persisted (the card then refuses to compute a cryptogram).
    fn increment(&mut self) -> Option<u16>;
    /// The current value.
    fn current(&self) -> u16;
    /// The offline risk counters.
    fn risk(&self) -> RiskCounters;
    /// Persists new offline risk counters; `false` when they cannot be persisted (the card
    /// then refuses the cryptogram that would have changed them).
    fn set_risk(&mut self, counters: RiskCounters) -> bool;
}

/// The card's offline risk counters (card risk management, EMV Book 3 Annex C): what it has
/// approved offline since it last went online, and when that was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RiskCounters {
    /// Offline approvals (TC) since the last online authorisation the issuer authenticated.
    pub consecutive_offline: u8,
    /// Their cumulative amount in the application currency (minor units).
    pub cumulative_offline: u64,
    /// Last online ATC register (9F13): the ATC of the last transaction the issuer
    /// authenticated online; 0 for a card that has never been online.
    pub last_online_atc: u16,
}

/// An in-memory ATC and risk counters (a test card, or an HCE service that persists
/// elsewhere).
#[derive(Debug, Clone, Default)]
pub struct MemoryAtc {
    /// The ATC.
    pub atc: u16,
    /// The offline risk counters.
    pub risk: RiskCounters,
}

impl MemoryAtc {
    /// Counters starting at `atc`, never online.
    pub fn new(atc: u16) -> Self {
        MemoryAtc {
            atc,
            risk: RiskCounters::default(),
        }
    }
}

impl AtcStore for MemoryAtc {
    fn increment(&mut self) -> Option<u16> {
        self.atc = self.atc.checked_add(1)?;
        Some(self.atc)
    }
    fn current(&self) -> u16 {
        self.atc
    }
    fn risk(&self) -> RiskCounters {
        self.risk
    }
    fn set_risk(&mut self, counters: RiskCounters) -> bool {
        self.risk = counters;
        true
    }
}

/// How GET PROCESSING OPTIONS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GpoFlow {
    /// The cryptogram comes in the GPO response (qVSDC/qPBOC).
    Quick,
    /// GPO returns AIP and AFL; the cryptogram comes from GENERATE AC.
    Standard,
}

/// Which cryptogram profile and keys a card computes its application cryptograms with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cryptogram {
    /// An EMV/3DES cryptogram version (Visa, Mastercard, Interac) and the ICC master keys.
    Emv {
        /// Cryptogram version profile.
        cvn: Cvn,
        /// The ICC master keys.
        keys: CardKeys,
    },
    /// The PBOC/UICS national-algorithm profile (SM4, CVN 01, algorithm 04): the card
    /// answers only terminals that request national algorithms (DF69 = 01 in the PDOL data).
    PbocSm4 {
        /// The ICC master keys.
        keys: Sm4CardKeys,
    },
    /// An EMV AES profile (EMV 4.x, 16-byte blocks); the IAD follows the Common Core
    /// Definitions format A with CCI `A6`.
    Aes {
        /// The AES profile.
        profile: AesEmv,
        /// The ICC master keys.
        keys: AesCardKeys,
    },
}

impl Cryptogram {
    /// The application cryptogram over `tx`.
    fn ac(&self, tx: &TransactionData) -> Result<[u8; 8]> {
        match self {
            Cryptogram::Emv { cvn, keys } => cvn.arqc(keys, tx),
            Cryptogram::PbocSm4 { keys } => PbocSm4::arqc(keys, tx),
            Cryptogram::Aes { profile, keys } => profile.arqc(keys, tx),
        }
    }

    /// Checks the issuer authentication data (91) against the first cryptogram: `Some(approved)`
    /// when the ARPC verifies (method 1: ARC `00`; method 2: the CSU's approval bit), `None`
    /// when it does not.
    fn issuer_authentication(
        &self,
        tx: &TransactionData,
        arqc: [u8; 8],
        iad: &[u8],
    ) -> Option<bool> {
        use crate::crypto::cvn::{ArpcInput, ArpcMethod};
        let method = match self {
            Cryptogram::Emv { cvn, .. } => cvn.profile().arpc,
            Cryptogram::PbocSm4 { .. } => ArpcMethod::Method1SessionKey,
            Cryptogram::Aes { profile, .. } => profile.arpc,
        };
        let (input, received, approved) = if method == ArpcMethod::Method2 {
            let csu: [u8; 4] = iad.get(4..8)?.try_into().ok()?;
            let input = ArpcInput::CardStatusUpdate {
                csu,
                proprietary: &iad[8..],
            };
            (input, &iad[..4], csu[1] & 0x80 != 0)
        } else {
            let arc: [u8; 2] = iad.get(8..10)?.try_into().ok()?;
            (ArpcInput::ResponseCode(arc), &iad[..8], arc == *b"00")
        };
        let expected = match (self, input) {
            (Cryptogram::Emv { cvn, keys }, input) => cvn.arpc(keys, tx, arqc, input).ok()?,
            (Cryptogram::PbocSm4 { keys }, ArpcInput::ResponseCode(arc)) => {
                PbocSm4::arpc(keys, tx, arqc, arc).to_vec()
            }
            (Cryptogram::PbocSm4 { .. }, _) => return None,
            (Cryptogram::Aes { profile, keys }, input) => {
                profile.arpc(keys, tx, arqc, input).ok()?
            }
        };
        crate::crypto::mac::verify("ARPC", &expected, received)
            .ok()
            .map(|()| approved)
    }

    /// The MAC an issuer script command must carry.
    fn script_mac(&self, header: &[u8], atc: [u8; 2], arqc: [u8; 8], body: &[u8]) -> [u8; 8] {
        match self {
            Cryptogram::Emv { cvn, keys } => {
                cvn.profile().script_mac(keys, header, atc, arqc, body)
            }
            Cryptogram::PbocSm4 { keys } => PbocSm4::script_mac(keys, header, atc, arqc, body),
            Cryptogram::Aes { profile, keys } => profile.script_mac(keys, header, atc, arqc, body),
        }
    }

    /// The ISO 9564 format 2 PIN block of a PIN CHANGE/UNBLOCK script command, deciphered
    /// (and, for Visa VIS blocks, with the AC master key's bytes removed).
    fn script_pin_block(&self, atc: [u8; 2], arqc: [u8; 8], body: &[u8]) -> Option<Vec<u8>> {
        use crate::crypto::cvn::SmSessionKey;
        use crate::crypto::sm::Encryption;
        let mut block = match self {
            Cryptogram::Emv { cvn, keys } => {
                let profile = cvn.profile();
                let mut block = profile.decrypt_script_data(keys, atc, arqc, body).ok()?;
                if block.len() >= 8
                    && profile.sm_encryption == Encryption::Visa
                    && profile.sm_key == SmSessionKey::VisaAtc
                {
                    // VIS block: remove MK_AC[4..8]; what remains is L ‖ PIN ‖ F…F.
                    for (b, k) in block[4..8].iter_mut().zip(&keys.ac.expose_secret()[4..8]) {
                        *b ^= k;
                    }
                    block[0] |= 0x20;
                }
                block
            }
            Cryptogram::PbocSm4 { keys } => {
                PbocSm4::decrypt_script_data(keys, atc, arqc, body).ok()?
            }
            Cryptogram::Aes { profile, keys } => {
                profile.decrypt_script_data(keys, atc, arqc, body).ok()?
            }
        };
        if block.len() < 8 {
            zeroize::Zeroize::zeroize(&mut block);
            return None;
        }
        Some(block)
    }
}

/// The ICC private key for dynamic data authentication.
#[derive(Clone)]
pub enum IccSigningKey {
    /// RSA (EMV).
    Rsa(RsaPrivateKey),
    /// SM2 (PBOC/UICS national algorithms).
    Sm2(mpay_gmt::sm2::PrivateKey),
}

/// The issuer's part of offline data authentication, as personalised: the CA key index and
/// the issuer public key certificate (RSA with remainder and exponent, or SM2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerCertificate {
    /// Certification authority public key index (8F).
    pub ca_index: u8,
    /// Issuer public key certificate (90).
    pub certificate: Vec<u8>,
    /// Issuer public key remainder (92), RSA only.
    pub remainder: Vec<u8>,
    /// Issuer public key exponent (9F32), RSA only.
    pub exponent: Vec<u8>,
}

/// What personalisation writes for dynamic data authentication: the issuer certificate, the
/// ICC certificate and the ICC private key. The card then offers fDDA in the quick flow (9F4B
/// in the GPO response when the terminal's TTQ asks for it or the card approves offline) and
/// DDA with INTERNAL AUTHENTICATE, and CDA when its AIP says so, in the standard flow.
#[derive(Clone)]
pub struct CardOda {
    /// The issuer certificate.
    pub issuer: IssuerCertificate,
    /// ICC public key certificate (9F46).
    pub icc_certificate: Vec<u8>,
    /// ICC public key remainder (9F48), RSA only.
    pub icc_remainder: Vec<u8>,
    /// ICC public key exponent (9F47), RSA only.
    pub icc_exponent: Vec<u8>,
    /// The ICC private key.
    pub icc_key: IccSigningKey,
}

/// Everything personalisation writes into a card application.
#[derive(Clone)]
pub struct CardProfile {
    /// Application identifier (4F/84).
    pub aid: Vec<u8>,
    /// Application label (50).
    pub label: String,
    /// Application priority indicator (87), 1 = highest.
    pub priority: u8,
    /// Kernel identifier (9F2A), if announced in the PPSE.
    pub kernel_id: Option<u8>,
    /// The PAN or payment token (5A), digits.
    pub pan: String,
    /// PAN sequence number (5F34), two digits.
    pub psn: String,
    /// Expiry date (5F24), YYMMDD in BCD.
    pub expiry: [u8; 3],
    /// Effective date (5F25), YYMMDD in BCD.
    pub effective: [u8; 3],
    /// Service code for track 2 (three digits).
    pub service_code: String,
    /// Issuer country code (5F28).
    pub issuer_country: [u8; 2],
    /// Cryptogram profile and keys.
    pub cryptogram: Cryptogram,
    /// Offline data authentication data, when the card supports it.
    pub oda: Option<CardOda>,
    /// Derivation key index written into the IAD.
    pub dki: u8,
    /// Application interchange profile (82).
    pub aip: [u8; 2],
    /// Card transaction qualifiers (9F6C).
    pub ctq: [u8; 2],
    /// PDOL (9F38) the card asks for in its FCI.
    pub pdol: Vec<u8>,
    /// CDOL1 (8C) in its records.
    pub cdol1: Vec<u8>,
    /// CDOL2 (8D) in its records: the second GENERATE AC (standard flow).
    pub cdol2: Vec<u8>,
    /// The offline PIN VERIFY checks, if the card has one (never printed).
    pub offline_pin: Option<crate::crypto::pin::Pin>,
    /// PIN try limit: the counter a correct PIN or a PIN change resets to.
    pub pin_try_limit: u8,
    /// Which GPO flow.
    pub flow: GpoFlow,
    /// CVM list (8E, see [`crate::cvm::CvmList`]), in the signed record; empty for none.
    /// Standard-flow terminals walk it; quick-flow terminals use the CTQ instead.
    pub cvm_list: Vec<u8>,
    /// Application currency code (9F42): the currency of the CVM list amounts and of the
    /// offline limits.
    pub currency: [u8; 2],
    /// Issuer action codes (9F0E denial, 9F0F online, 9F0D default), if personalised.
    pub iac: Option<ActionCodes>,
    /// Offline limits; `None` for an online-only card, which answers an ARQC whenever a TC is
    /// asked for.
    pub offline_limits: Option<OfflineLimits>,
    /// Static data authentication data (93 and the issuer certificate), when the card offers
    /// SDA.
    pub sda: Option<CardSda>,
    /// Application usage control (9F07): where and for what the card may be used (`FF00`:
    /// domestic and international cash, goods and services, ATMs and other terminals).
    pub usage_control: [u8; 2],
}

/// A card's offline limits (card risk management, EMV Book 3 Annex C; the
/// lower/upper consecutive offline limits are also read by the terminal's velocity check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OfflineLimits {
    /// Lower consecutive offline limit (9F14): beyond this many offline approvals in a row the
    /// card asks to go online.
    pub lower_consecutive: u8,
    /// Upper consecutive offline limit (9F23): beyond this the card declines when it cannot go
    /// online.
    pub upper_consecutive: u8,
    /// Cumulative offline amount limit, in the application currency (minor units): beyond it
    /// the card asks to go online (a Visa CTTAL-style limit, kept inside the card).
    pub cumulative_amount: u64,
}

/// What personalisation writes for static data authentication: the issuer certificate and
/// the signed static application data (93).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSda {
    /// The issuer certificate (the same as DDA's when the card has both).
    pub issuer: IssuerCertificate,
    /// Signed static application data (93).
    pub ssad: Vec<u8>,
}

impl core::fmt::Debug for CardProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardProfile")
            .field("aid", &hex_upper(&self.aid))
            .field("label", &self.label)
            .field("pan", &mask_pan(&self.pan))
            .field("cryptogram", &self.cryptogram_name())
            .field(
                "oda",
                &self.oda.as_ref().map(|o| match o.icc_key {
                    IccSigningKey::Rsa(_) => "RSA",
                    IccSigningKey::Sm2(_) => "SM2",
                }),
            )
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

/// `476173******0119`: the first six and last four digits, the rest masked.
pub fn mask_pan(pan: &str) -> String {
    if pan.len() < 11 {
        return "*".repeat(pan.len());
    }
    let (head, rest) = pan.split_at(6);
    let tail = &rest[rest.len() - 4..];
    format!("{head}{}{tail}", "*".repeat(rest.len() - 4))
}

pub(crate) fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The PDOL of a quick-flow card: TTQ and the data its cryptogram covers.
pub const QUICK_PDOL: &[u8] = &[
    0x9F, 0x66, 0x04, 0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A,
    0x02, 0x9A, 0x03, 0x9C, 0x01, 0x9F, 0x37, 0x04,
];

/// The CDOL2 of ARPC method 1 cards: authorisation response code, issuer authentication
/// data (ARPC ‖ ARC), TVR, UN.
pub const STANDARD_CDOL2: &[u8] = &[0x8A, 0x02, 0x91, 0x0A, 0x95, 0x05, 0x9F, 0x37, 0x04];

/// The PDOL of a PBOC/UICS national-algorithm quick-flow card: [`QUICK_PDOL`] and `DF69`
/// (the terminal's request for SM algorithms).
pub const PBOC_SM_PDOL: &[u8] = &[
    0x9F, 0x66, 0x04, 0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A,
    0x02, 0x9A, 0x03, 0x9C, 0x01, 0x9F, 0x37, 0x04, 0xDF, 0x69, 0x01,
];

/// The CDOL1 asking for the data a cryptogram covers.
pub const STANDARD_CDOL1: &[u8] = &[
    0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A, 0x02, 0x9A, 0x03,
    0x9C, 0x01, 0x9F, 0x37, 0x04,
];

/// A CVM list (8E) for a card without an offline PIN: online PIN, else signature, else no
/// CVM, each if the terminal supports it.
pub const ONLINE_PIN_CVM_LIST: &[u8] =
    &[0, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x03, 0x5E, 0x03, 0x1F, 0x03];

/// A CVM list (8E) for a card with an offline plaintext PIN: offline plaintext PIN if the
/// terminal supports it (a wrong PIN fails cardholder verification), else online PIN, else
/// signature, else no CVM.
pub const OFFLINE_PIN_CVM_LIST: &[u8] = &[
    0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x03, 0x42, 0x03, 0x5E, 0x03, 0x1F, 0x03,
];

/// A CVM list (8E) for a card with an offline PIN and an RSA key to encipher it under:
/// offline enciphered PIN if the terminal supports it, else as [`OFFLINE_PIN_CVM_LIST`].
pub const OFFLINE_ENCIPHERED_PIN_CVM_LIST: &[u8] = &[
    0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x03, 0x01, 0x03, 0x42, 0x03, 0x5E, 0x03, 0x1F, 0x03,
];

impl CardProfile {
    /// A Visa-style demo card (quick flow for Visa CVNs, standard flow otherwise) for `pan`
    /// under the given issuer keys: expiry 2030-12-31, PSN 01, AID A0000000031010 (Visa) or
    /// A0000000041010 (Mastercard).
    pub fn visa_demo(pan: &str, cvn: Cvn, issuer: &IssuerKeys) -> Result<Self> {
        let visa = matches!(cvn, Cvn::Visa10 | Cvn::Visa18 | Cvn::Visa22);
        let method2 = cvn.profile().arpc == crate::crypto::cvn::ArpcMethod::Method2;
        let keys = cvn.card_keys(issuer, pan, "01")?;
        Ok(Self::demo(
            pan,
            visa,
            method2,
            Cryptogram::Emv { cvn, keys },
        ))
    }

    /// The demo layout: Visa (quick flow) or Mastercard (standard flow), with the CDOL2 of
    /// ARPC method 1 or 2.
    fn demo(pan: &str, visa: bool, method2: bool, cryptogram: Cryptogram) -> Self {
        CardProfile {
            aid: if visa {
                vec![0xA0, 0, 0, 0, 0x03, 0x10, 0x10]
            } else {
                vec![0xA0, 0, 0, 0, 0x04, 0x10, 0x10]
            },
            label: if visa { "VISA CREDIT" } else { "MASTERCARD" }.into(),
            priority: 1,
            kernel_id: Some(if visa { 3 } else { 2 }),
            pan: pan.into(),
            psn: "01".into(),
            expiry: [0x30, 0x12, 0x31],
            effective: [0x20, 0x01, 0x01],
            service_code: "201".into(),
            issuer_country: [0x01, 0x56],
            cryptogram,
            oda: None,
            dki: 1,
            aip: if visa { [0x20, 0x40] } else { [0x19, 0x80] },
            ctq: [0x80, 0x00],
            pdol: if visa {
                QUICK_PDOL.to_vec()
            } else {
                vec![0x9F, 0x66, 0x04]
            },
            cdol1: STANDARD_CDOL1.to_vec(),
            cdol2: if method2 {
                // Method 2: 91 is ARPC (4) ‖ CSU (4).
                vec![0x8A, 0x02, 0x91, 0x08, 0x95, 0x05, 0x9F, 0x37, 0x04]
            } else {
                STANDARD_CDOL2.to_vec()
            },
            offline_pin: None,
            pin_try_limit: 3,
            flow: if visa {
                GpoFlow::Quick
            } else {
                GpoFlow::Standard
            },
            cvm_list: if visa {
                Vec::new()
            } else {
                ONLINE_PIN_CVM_LIST.to_vec()
            },
            currency: [0x01, 0x56],
            iac: None,
            offline_limits: None,
            sda: None,
            usage_control: [0xFF, 0x00],
        }
    }

    /// A UnionPay (UICS/PBOC 3.0) quick-flow demo card with SM4 cryptograms for `pan` under
    /// the given SM4 issuer keys: AID A000000333010101, kernel 7, expiry 2030-12-31, PSN 01, a
    /// PDOL with `DF69`. Add SM2 offline data authentication with [`Self::with_sm2_oda`].
    pub fn pboc_sm4_demo(pan: &str, issuer: &Sm4IssuerKeys) -> Result<Self> {
        Ok(CardProfile {
            aid: vec![0xA0, 0, 0, 0x03, 0x33, 0x01, 0x01, 0x01],
            label: "UICS DEBIT".into(),
            priority: 1,
            kernel_id: Some(7),
            pan: pan.into(),
            psn: "01".into(),
            expiry: [0x30, 0x12, 0x31],
            effective: [0x20, 0x01, 0x01],
            service_code: "220".into(),
            issuer_country: [0x01, 0x56],
            cryptogram: Cryptogram::PbocSm4 {
                keys: PbocSm4::card_keys(issuer, pan, "01")?,
            },
            oda: None,
            dki: 1,
            aip: [0x7C, 0x00],
            ctq: [0x80, 0x00],
            pdol: PBOC_SM_PDOL.to_vec(),
            cdol1: STANDARD_CDOL1.to_vec(),
            cdol2: STANDARD_CDOL2.to_vec(),
            offline_pin: None,
            pin_try_limit: 3,
            flow: GpoFlow::Quick,
            cvm_list: Vec::new(),
            currency: [0x01, 0x56],
            iac: None,
            offline_limits: None,
            sda: None,
            usage_control: [0xFF, 0x00],
        })
    }

    /// An EMV AES demo card in the standard flow (Mastercard AID A0000000041010): AES-CMAC
    /// cryptograms over the common data and the whole IAD (CCD format A, CCI A6), ARPC
    /// method 1 under the AC session key, AES secure messaging for issuer scripts; keys by
    /// option C from `issuer`; expiry 2030-12-31, PSN 01.
    pub fn aes_demo(pan: &str, issuer: &AesIssuerKeys) -> Result<Self> {
        use crate::crypto::cvn::{AcDataTail, ArpcMethod};
        let profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1SessionKey);
        let keys = profile.card_keys(issuer, pan, "01")?;
        let mut p = Self::demo(pan, false, false, Cryptogram::Aes { profile, keys });
        p.label = "MASTERCARD AES".into();
        Ok(p)
    }

    fn cryptogram_name(&self) -> String {
        match &self.cryptogram {
            Cryptogram::Emv { cvn, .. } => format!("{cvn:?}"),
            Cryptogram::PbocSm4 { .. } => "PbocSm4".into(),
            Cryptogram::Aes { profile, .. } => format!("{profile:?}"),
        }
    }

    /// The static data to be authenticated: the contents of the record the AFL marks for
    /// offline data authentication (SFI 1 record 2) followed by the AIP (9F4A = 82).
    pub fn static_data(&self) -> Vec<u8> {
        let records = self.records();
        let mut out = Vec::new();
        for (sfi, rec, body) in &records {
            if (*sfi, *rec) == (1, 2)
                && let Ok(t) = mpay_emv_tlv::Tlv::parse_one(body)
            {
                out.extend_from_slice(t.value());
            }
        }
        out.extend_from_slice(&self.aip);
        out
    }

    fn expiry_mmyy(&self) -> [u8; 2] {
        [self.expiry[1], self.expiry[0]]
    }

    /// Personalises RSA offline data authentication: the issuer certificate (90, 92, 9F32,
    /// signed by the CA beforehand), and an ICC certificate signed here with the issuer's key
    /// over this profile's static data, expiring with the card. Sets the AIP's DDA bit.
    pub fn with_rsa_oda(
        mut self,
        ca_index: u8,
        issuer_certificate: (Vec<u8>, Vec<u8>),
        issuer_key: &RsaPrivateKey,
        icc_key: RsaPrivateKey,
    ) -> Result<Self> {
        self.aip[0] |= 0x20;
        let (icc_certificate, icc_remainder) = crate::oda::sign_icc_certificate(
            issuer_key,
            icc_key.public(),
            &self.pan,
            self.expiry_mmyy(),
            [0, 0, 1],
            &self.static_data(),
        )?;
        self.oda = Some(CardOda {
            issuer: IssuerCertificate {
                ca_index,
                certificate: issuer_certificate.0,
                remainder: issuer_certificate.1,
                exponent: issuer_key.public().exponent().to_vec(),
            },
            icc_certificate,
            icc_remainder,
            icc_exponent: icc_key.public().exponent().to_vec(),
            icc_key: IccSigningKey::Rsa(icc_key),
        });
        Ok(self)
    }

    /// Personalises SM2 offline data authentication: the issuer certificate (90, signed by
    /// the CA beforehand) and an SM2 ICC certificate signed here with the issuer's key over
    /// this profile's static data. Sets the AIP's DDA bit.
    pub fn with_sm2_oda(
        mut self,
        ca_index: u8,
        issuer_certificate: Vec<u8>,
        issuer_key: &mpay_gmt::sm2::PrivateKey,
        icc_key: mpay_gmt::sm2::PrivateKey,
    ) -> Result<Self> {
        self.aip[0] |= 0x20;
        let icc_certificate = crate::oda::sm2::sign_icc_certificate(
            issuer_key,
            &icc_key.public_key(),
            &self.pan,
            self.expiry_mmyy(),
            [0, 0, 1],
            &self.static_data(),
        )?;
        self.oda = Some(CardOda {
            issuer: IssuerCertificate {
                ca_index,
                certificate: issuer_certificate,
                remainder: Vec::new(),
                exponent: Vec::new(),
            },
            icc_certificate,
            icc_remainder: Vec::new(),
            icc_exponent: Vec::new(),
            icc_key: IccSigningKey::Sm2(icc_key),
        });
        Ok(self)
    }

    /// Personalises an offline PIN: VERIFY then checks it, the AIP announces cardholder
    /// verification and the CVM list becomes [`OFFLINE_PIN_CVM_LIST`], or
    /// [`OFFLINE_ENCIPHERED_PIN_CVM_LIST`] when `enciphered` (the card then needs RSA offline
    /// data authentication, whose ICC key the terminal enciphers the PIN under). The CVM list
    /// is signed static data: personalise the PIN before [`Self::with_rsa_oda`] and friends.
    pub fn with_offline_pin(mut self, pin: &str, enciphered: bool) -> Result<Self> {
        self.offline_pin = Some(crate::crypto::pin::Pin::new(pin)?);
        self.aip[0] |= 0x10;
        self.cvm_list = if enciphered {
            OFFLINE_ENCIPHERED_PIN_CVM_LIST
        } else {
            OFFLINE_PIN_CVM_LIST
        }
        .to_vec();
        Ok(self)
    }

    /// Personalises RSA static data authentication: the issuer certificate (90, 92, 9F32,
    /// signed by the CA beforehand) and the signed static application data (93) signed here
    /// with the issuer's key over this profile's static data. Sets the AIP's SDA bit. Call it
    /// after every other change to the signed data (dates, CVM list, limits, AIP).
    pub fn with_rsa_sda(
        mut self,
        ca_index: u8,
        issuer_certificate: (Vec<u8>, Vec<u8>),
        issuer_key: &RsaPrivateKey,
        dac: [u8; 2],
    ) -> Result<Self> {
        self.aip[0] |= 0x40;
        let ssad = crate::oda::sign_sda(issuer_key, dac, &self.static_data())?;
        self.set_sda(CardSda {
            issuer: IssuerCertificate {
                ca_index,
                certificate: issuer_certificate.0,
                remainder: issuer_certificate.1,
                exponent: issuer_key.public().exponent().to_vec(),
            },
            ssad,
        })
    }

    /// Personalises SM2 static data authentication: the SM2 issuer certificate (90) and the
    /// SM2-signed static application data (93, format 13). Sets the AIP's SDA bit. Call it
    /// after every other change to the signed data.
    pub fn with_sm2_sda(
        mut self,
        ca_index: u8,
        issuer_certificate: Vec<u8>,
        issuer_key: &mpay_gmt::sm2::PrivateKey,
        dac: [u8; 2],
    ) -> Result<Self> {
        self.aip[0] |= 0x40;
        let ssad = crate::oda::sm2::sign_sda(issuer_key, dac, &self.static_data())?;
        self.set_sda(CardSda {
            issuer: IssuerCertificate {
                ca_index,
                certificate: issuer_certificate,
                remainder: Vec::new(),
                exponent: Vec::new(),
            },
            ssad,
        })
    }

    fn set_sda(mut self, sda: CardSda) -> Result<Self> {
        if let Some(o) = &self.oda
            && o.issuer != sda.issuer
        {
            return Err(Error::Parameter {
                what: "SDA personalisation",
                why: "the card's DDA data names another issuer certificate",
            });
        }
        self.sda = Some(sda);
        Ok(self)
    }

    /// This application's entry in the PPSE directory.
    pub fn ppse_entry(&self) -> PpseEntry {
        PpseEntry {
            aid: self.aid.clone(),
            label: self.label.clone(),
            priority: self.priority,
            kernel_id: self.kernel_id,
        }
    }

    /// Track 2 equivalent data (57): PAN `D` YYMM service code, discretionary zeros, F pad.
    pub fn track2(&self) -> Vec<u8> {
        let mut digits = String::new();
        digits.push_str(&self.pan);
        digits.push('D');
        digits.push_str(&hex_upper(&self.expiry[..2]));
        digits.push_str(&self.service_code);
        digits.push_str("00000");
        if digits.len() % 2 == 1 {
            digits.push('F');
        }
        (0..digits.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    fn pan_bcd(&self) -> Vec<u8> {
        let mut digits = self.pan.clone();
        if digits.len() % 2 == 1 {
            digits.push('F');
        }
        (0..digits.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    /// The issuer application data for a cryptogram: Visa format
    /// (`06 DKI CVN 03 CVR(3)`) for Visa CVNs, M/Chip format (`DKI CVN CVR(6) DAC(2)`
    /// then 8 counter bytes) otherwise.
    fn iad(&self, cid: u8) -> Vec<u8> {
        // CVR byte 2 (Visa) / first CVR byte (M/Chip) carries the AC type returned.
        let ac_bits = match cid & 0xC0 {
            0x80 => 0x20,
            0x40 => 0x10,
            _ => 0x00,
        };
        let cvn = match &self.cryptogram {
            Cryptogram::Emv { cvn, .. } => *cvn,
            Cryptogram::PbocSm4 { .. } => {
                return PbocSm4::iad(self.dki, [ac_bits | 0x80, 0x00, 0x00]).to_vec();
            }
            Cryptogram::Aes { .. } => {
                // CCD format A: 0F ‖ CCI A6 (AES) ‖ DKI ‖ CVR(5) ‖ counters(8), then the
                // issuer discretionary part 0F ‖ 15 bytes.
                let mut v = vec![0x0F, 0xA6, self.dki, ac_bits, 0x00, 0x00, 0x00, 0x00];
                v.extend_from_slice(&[0u8; 8]);
                v.push(0x0F);
                v.extend_from_slice(&[0u8; 15]);
                return v;
            }
        };
        let cvn_byte = match cvn {
            Cvn::Visa10 => 0x0A,
            Cvn::Visa18 => 0x12,
            Cvn::Visa22 => 0x22,
            Cvn::Mastercard16 => 0x10,
            Cvn::Mastercard17 => 0x11,
            Cvn::Mastercard20 => 0x14,
            Cvn::Mastercard21 => 0x15,
            _ => 0x85,
        };
        match cvn {
            Cvn::Visa10 | Cvn::Visa18 | Cvn::Visa22 => {
                vec![0x06, self.dki, cvn_byte, 0x03, ac_bits | 0x80, 0x00, 0x00]
            }
            _ => {
                let mut v = vec![
                    self.dki,
                    cvn_byte,
                    ac_bits | 0x80,
                    0x00,
                    0x00,
                    0x00,
                    0x00,
                    0x00,
                ];
                v.extend_from_slice(&[0x00, 0x00]);
                v.extend_from_slice(&[0u8; 8]);
                v
            }
        }
    }

    /// The records the AFL points at: SFI 1 record 1 (track 2 — unless the quick-flow GPO
    /// response already carried it — and the name) and record 2 (PAN, dates, CDOL1, country,
    /// PSN). No data object is returned twice in one transaction.
    fn records(&self) -> Vec<(u8, u8, Vec<u8>)> {
        let mut r1 = Vec::new();
        let _ = r1.constructed(Tag::new(0x70), |w| {
            if self.flow == GpoFlow::Standard {
                w.primitive(Tag::new(0x57), &self.track2())?;
            }
            w.primitive(Tag::new(0x5F20), b"CARDHOLDER/DEMO")
        });
        let mut r2 = Vec::new();
        let _ = r2.constructed(Tag::new(0x70), |w| {
            w.primitive(Tag::new(0x5A), &self.pan_bcd())?;
            w.primitive(Tag::new(0x5F24), &self.expiry)?;
            w.primitive(Tag::new(0x5F25), &self.effective)?;
            w.primitive(Tag::new(0x5F28), &self.issuer_country)?;
            if self.flow == GpoFlow::Standard {
                w.primitive(Tag::new(0x5F34), &psn_byte(&self.psn))?;
            }
            w.primitive(Tag::new(0x8C), &self.cdol1)?;
            if self.flow == GpoFlow::Standard {
                w.primitive(Tag::new(0x8D), &self.cdol2)?;
            }
            if !self.cvm_list.is_empty() {
                w.primitive(Tag::new(0x8E), &self.cvm_list)?;
            }
            w.primitive(Tag::new(0x9F42), &self.currency)?;
            if let Some(iac) = &self.iac {
                w.primitive(Tag::new(0x9F0D), &iac.default)?;
                w.primitive(Tag::new(0x9F0E), &iac.denial)?;
                w.primitive(Tag::new(0x9F0F), &iac.online)?;
            }
            if let Some(l) = &self.offline_limits {
                w.primitive(Tag::new(0x9F14), &[l.lower_consecutive])?;
                w.primitive(Tag::new(0x9F23), &[l.upper_consecutive])?;
            }
            w.primitive(Tag::new(0x9F07), &self.usage_control)
        });
        let mut out = vec![(1, 1, r1), (1, 2, r2)];
        // The issuer certificate: DDA's, or SDA's for a card that offers only SDA.
        let issuer = match (&self.oda, &self.sda) {
            (Some(o), _) => Some(&o.issuer),
            (None, Some(s)) => Some(&s.issuer),
            (None, None) => None,
        };
        if let Some(issuer) = issuer {
            let mut r3 = Vec::new();
            let _ = r3.constructed(Tag::new(0x70), |w| {
                w.primitive(Tag::new(0x8F), &[issuer.ca_index])?;
                w.primitive(Tag::new(0x90), &issuer.certificate)?;
                if !issuer.remainder.is_empty() {
                    w.primitive(Tag::new(0x92), &issuer.remainder)?;
                }
                if !issuer.exponent.is_empty() {
                    w.primitive(Tag::new(0x9F32), &issuer.exponent)?;
                }
                Ok(())
            });
            let mut r4 = Vec::new();
            let _ = r4.constructed(Tag::new(0x70), |w| {
                if let Some(o) = &self.oda {
                    w.primitive(Tag::new(0x9F46), &o.icc_certificate)?;
                    if !o.icc_remainder.is_empty() {
                        w.primitive(Tag::new(0x9F48), &o.icc_remainder)?;
                    }
                    if !o.icc_exponent.is_empty() {
                        w.primitive(Tag::new(0x9F47), &o.icc_exponent)?;
                    }
                    w.primitive(Tag::new(0x9F49), &[0x9F, 0x37, 0x04])?;
                }
                if let Some(s) = &self.sda {
                    w.primitive(Tag::new(0x93), &s.ssad)?;
                }
                w.primitive(Tag::new(0x9F4A), &[0x82])
            });
            out.push((2, 1, r3));
            out.push((2, 2, r4));
        }
        out
    }

    /// The AFL: SFI 1 records 1 to 2 (record 2 signed for offline data authentication when
    /// the card supports it), and SFI 2 records 1 to 2 holding the certificates.
    fn afl(&self) -> Vec<u8> {
        if self.oda.is_some() || self.sda.is_some() {
            vec![1 << 3, 1, 1, 0, 1 << 3, 2, 2, 1, 2 << 3, 1, 2, 0]
        } else {
            vec![1 << 3, 1, 2, 0]
        }
    }
}

/// The CDA transaction data hash code: SHA-1 (RSA, EMV Book 2 §6.6.1) or SM3 (SM2) of the
/// concatenated parts.
pub fn transaction_data_hash(sm2: bool, parts: &[&[u8]]) -> Vec<u8> {
    if sm2 {
        mpay_gmt::sm3::hash_parts(parts).to_vec()
    } else {
        use sha1::Digest;
        let mut h = sha1::Sha1::new();
        for p in parts {
            h.update(p);
        }
        h.finalize().to_vec()
    }
}

/// Decodes an ISO 9564 format 2 block `2L ‖ PIN ‖ F…F`.
fn decode_format2(block: &[u8]) -> Option<crate::crypto::pin::Pin> {
    let len = usize::from(block.first()? & 0x0F);
    if block.len() != 8 || block[0] >> 4 != 2 || !(4..=12).contains(&len) {
        return None;
    }
    let nib = |i: usize| {
        if i.is_multiple_of(2) {
            block[i / 2] >> 4
        } else {
            block[i / 2] & 0x0F
        }
    };
    let mut s = String::with_capacity(len);
    for i in 2..2 + len {
        s.push(char::from(b'0' + nib(i)));
    }
    let ok = (2..2 + len).all(|i| nib(i) <= 9) && (2 + len..16).all(|i| nib(i) == 0xF);
    let pin = if ok {
        crate::crypto::pin::Pin::new(&s).ok()
    } else {
        None
    };
    zeroize::Zeroize::zeroize(&mut s);
    pin
}

/// An n12 BCD amount; `None` if a nibble is not a digit.
fn bcd_amount(a: [u8; 6]) -> Option<u64> {
    a.iter().try_fold(0u64, |acc, b| {
        let (hi, lo) = (b >> 4, b & 0x0F);
        (hi <= 9 && lo <= 9).then(|| acc * 100 + u64::from(hi) * 10 + u64::from(lo))
    })
}

fn psn_byte(psn: &str) -> [u8; 1] {
    [u8::from_str_radix(psn, 16).unwrap_or(0)]
}

/// One entry of the PPSE directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpseEntry {
    /// AID (4F).
    pub aid: Vec<u8>,
    /// Label (50).
    pub label: String,
    /// Priority (87).
    pub priority: u8,
    /// Kernel identifier (9F2A).
    pub kernel_id: Option<u8>,
}

/// A phone's (or dual-interface card's) payment applications behind an AID router: the PPSE
/// listing every profile, and each profile as a [`ContactlessCard`] at its AID.
///
/// ```
/// use mpay_apdu::{Card, CommandBuf};
/// use mpay_emv::card::{CardProfile, Ppse, phone_router};
/// use mpay_emv::crypto::{cvn::{Cvn, IssuerKeys}, keys::TdesKey};
/// let issuer = IssuerKeys::single(TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap());
/// let profile = CardProfile::visa_demo("4761739001010119", Cvn::Visa18, &issuer).unwrap();
/// let mut card = Card::new(phone_router(vec![profile]));
/// assert!(card.send(&CommandBuf::select_aid(Ppse::AID)).unwrap().sw.is_success());
/// ```
pub fn phone_router(profiles: Vec<CardProfile>) -> mpay_apdu::Router {
    let mut router = mpay_apdu::Router::new();
    router.add_exact(
        Ppse::AID,
        mpay_apdu::Target::Host,
        Ppse::new(profiles.iter().map(CardProfile::ppse_entry).collect()),
    );
    for p in profiles {
        let aid = p.aid.clone();
        router.add_exact(&aid, mpay_apdu::Target::Host, ContactlessCard::new(p));
    }
    router
}

/// The Proximity Payment System Environment `2PAY.SYS.DDF01`: the directory a contactless
/// terminal selects first.
#[derive(Debug, Clone)]
pub struct Ppse {
    entries: Vec<PpseEntry>,
}

impl Ppse {
    /// `2PAY.SYS.DDF01`.
    pub const AID: &'static [u8] = b"2PAY.SYS.DDF01";

    /// A directory of the given applications.
    pub fn new(entries: Vec<PpseEntry>) -> Self {
        Ppse { entries }
    }

    fn fci(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = out.constructed(Tag::new(0x6F), |w| {
            w.primitive(Tag::new(0x84), Self::AID)?;
            w.constructed(Tag::new(0xA5), |w| {
                w.constructed(Tag::new(0xBF0C), |w| {
                    for e in &self.entries {
                        w.constructed(Tag::new(0x61), |w| {
                            w.primitive(Tag::new(0x4F), &e.aid)?;
                            w.primitive(Tag::new(0x50), e.label.as_bytes())?;
                            w.primitive(Tag::new(0x87), &[e.priority])?;
                            if let Some(k) = e.kernel_id {
                                w.primitive(Tag::new(0x9F2A), &[k])?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })
            })
        });
        out
    }
}

impl Application for Ppse {
    fn select(&mut self, _aid: &[u8], _command: &Command<'_>) -> Response {
        Response::ok(self.fci())
    }
    fn process(&mut self, _command: &Command<'_>) -> Response {
        StatusWord::CONDITIONS_NOT_SATISFIED.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    Selected,
    /// After GPO: records readable; GENERATE AC allowed in the standard flow.
    Processing,
    /// A cryptogram was produced: records still readable, no further AC.
    Done,
    /// The first GENERATE AC answered an ARQC (standard flow): the second GENERATE AC with
    /// CDOL2 and issuer scripts may follow.
    Online,
    /// The second GENERATE AC was answered: issuer scripts may follow.
    Completed,
}

/// A cryptogram the card computed: its type (CID), the ATC, the AC, the IAD and the
/// transaction data it covers.
struct Generated {
    cid: u8,
    atc: u16,
    ac: [u8; 8],
    iad: Vec<u8>,
    tx: TransactionData,
}

/// A contactless card application personalised from a [`CardProfile`].
pub struct ContactlessCard {
    profile: CardProfile,
    atc: Box<dyn AtcStore>,
    state: State,
    authentications: u32,
    /// The PDOL data of this transaction's GPO (CDA hashes it).
    pdol_data: Vec<u8>,
    /// The first cryptogram of this transaction and the data it covered (for the ARPC check,
    /// the second GENERATE AC and script MACs).
    first_ac: Option<(TransactionData, [u8; 8])>,
    /// Remaining offline PIN tries (9F17).
    pin_tries: u8,
    /// Blocked by an issuer script (APPLICATION BLOCK): SELECT answers 6283.
    blocked: bool,
    /// The challenge of the last GET CHALLENGE, for one enciphered-PIN VERIFY.
    challenge: Option<[u8; 8]>,
}

impl core::fmt::Debug for ContactlessCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ContactlessCard")
            .field("profile", &self.profile)
            .field("atc", &self.atc.current())
            .field("state", &self.state)
            .finish()
    }
}

impl ContactlessCard {
    /// A card with an in-memory ATC starting at 0.
    pub fn new(profile: CardProfile) -> Self {
        Self::with_atc(profile, Box::new(MemoryAtc::new(0)))
    }

    /// A card whose ATC lives in `atc`.
    pub fn with_atc(profile: CardProfile, atc: Box<dyn AtcStore>) -> Self {
        ContactlessCard {
            profile,
            atc,
            state: State::Idle,
            authentications: 0,
            pdol_data: Vec::new(),
            first_ac: None,
            pin_tries: 3,
            blocked: false,
            challenge: None,
        }
    }

    /// The current ATC.
    pub fn atc(&self) -> u16 {
        self.atc.current()
    }

    /// Whether an issuer script blocked the application.
    pub fn is_blocked(&self) -> bool {
        self.blocked
    }

    /// Remaining offline PIN tries.
    pub fn pin_tries(&self) -> u8 {
        self.pin_tries
    }

    /// VERIFY (EMV Book 3 §6.5.12) with an offline PIN: plaintext (P2 = 80, an ISO 9564
    /// format 2 block) or enciphered (P2 = 88, `7F ‖ PIN block ‖ ICC challenge ‖ padding`
    /// enciphered under the ICC RSA key after GET CHALLENGE). Answers 9000, `63Cx` (x tries
    /// left) or `6983` (try limit exceeded); compared in constant time.
    fn verify(&mut self, command: &Command<'_>) -> Response {
        if self.state != State::Processing {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        if self.profile.offline_pin.is_none() {
            return StatusWord::REFERENCE_DATA_NOT_USABLE.into();
        }
        match (command.p1(), command.p2()) {
            (0x00, 0x80) => {
                if self.pin_tries == 0 {
                    return StatusWord::AUTHENTICATION_BLOCKED.into();
                }
                self.check_pin_block(command.data())
            }
            (0x00, 0x88) => {
                // The challenge is good for one VERIFY, whatever its outcome.
                let Some(challenge) = self.challenge.take() else {
                    return StatusWord::CONDITIONS_NOT_SATISFIED.into();
                };
                let Some(IccSigningKey::Rsa(key)) = self.profile.oda.as_ref().map(|o| &o.icc_key)
                else {
                    return StatusWord::FUNCTION_NOT_SUPPORTED.into();
                };
                if self.pin_tries == 0 {
                    return StatusWord::AUTHENTICATION_BLOCKED.into();
                }
                let Ok(mut plain) = key.sign_raw(command.data()) else {
                    return StatusWord::WRONG_DATA.into();
                };
                use subtle::ConstantTimeEq;
                let framed = plain.len() >= 17
                    && plain[0] == 0x7F
                    && bool::from(plain[9..17].ct_eq(&challenge));
                let response = if framed {
                    self.check_pin_block(&plain[1..9])
                } else {
                    StatusWord::WRONG_DATA.into()
                };
                zeroize::Zeroize::zeroize(&mut plain);
                response
            }
            _ => StatusWord::INCORRECT_P1_P2.into(),
        }
    }

    /// Compares a format 2 PIN block with the card's PIN, counting tries.
    fn check_pin_block(&mut self, block: &[u8]) -> Response {
        use subtle::ConstantTimeEq;
        let Some(pin) = &self.profile.offline_pin else {
            return StatusWord::REFERENCE_DATA_NOT_USABLE.into();
        };
        if block.len() != 8 || block[0] >> 4 != 2 {
            return StatusWord::WRONG_DATA.into();
        }
        let mut digits = pin.expose_secret();
        let expected = crate::crypto::sm::iso2_pin_block(&digits);
        zeroize::Zeroize::zeroize(&mut digits);
        let Ok(mut expected) = expected else {
            return StatusWord::REFERENCE_DATA_NOT_USABLE.into();
        };
        let ok = bool::from(expected.ct_eq(block));
        zeroize::Zeroize::zeroize(&mut expected);
        if ok {
            self.pin_tries = self.profile.pin_try_limit;
            StatusWord::SUCCESS.into()
        } else {
            self.pin_tries -= 1;
            StatusWord::new(0x63, 0xC0 | self.pin_tries.min(15)).into()
        }
    }

    /// GET CHALLENGE: eight random bytes for an enciphered offline PIN.
    fn get_challenge(&mut self, command: &Command<'_>) -> Response {
        if self.state != State::Processing {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        if command.p1() != 0 || command.p2() != 0 {
            return StatusWord::INCORRECT_P1_P2.into();
        }
        let mut challenge = [0u8; 8];
        if getrandom::fill(&mut challenge).is_err() {
            return StatusWord::EXECUTION_ERROR.into();
        }
        self.challenge = Some(challenge);
        Response::ok(challenge.to_vec())
    }

    /// Card risk management for a TC (EMV Book 3 Annex C): whether this card may approve
    /// `tx` offline — it has offline limits, the transaction is in its currency, fewer than
    /// the lower (or, when it could not go online, the upper) consecutive offline limit of
    /// offline approvals since it was last online, and the cumulative offline amount stays
    /// within its limit.
    fn may_approve_offline(&self, tx: &TransactionData, unable_online: bool) -> bool {
        let Some(l) = self.profile.offline_limits else {
            return false;
        };
        let Some(amount) = bcd_amount(tx.amount_authorised) else {
            return false;
        };
        let r = self.atc.risk();
        let limit = if unable_online {
            l.upper_consecutive
        } else {
            l.lower_consecutive
        };
        tx.currency == self.profile.currency
            && r.consecutive_offline < limit
            && r.cumulative_offline.saturating_add(amount) <= l.cumulative_amount
    }

    /// Counts an offline approval; `false` when the counters cannot be persisted.
    fn count_offline(&mut self, tx: &TransactionData) -> bool {
        let mut r = self.atc.risk();
        r.consecutive_offline = r.consecutive_offline.saturating_add(1);
        r.cumulative_offline = r
            .cumulative_offline
            .saturating_add(bcd_amount(tx.amount_authorised).unwrap_or(0));
        self.atc.set_risk(r)
    }

    /// The offline counters restart after an online authorisation the issuer authenticated.
    fn count_online(&mut self, atc: u16) -> bool {
        self.atc.set_risk(RiskCounters {
            consecutive_offline: 0,
            cumulative_offline: 0,
            last_online_atc: atc,
        })
    }

    /// The second GENERATE AC (CDOL2: ARC, issuer authentication data, TVR, UN): a TC when
    /// the terminal asks for one and the issuer authenticated and approved, an AAC otherwise.
    fn second_generate_ac(&mut self, command: &Command<'_>) -> Response {
        let Some((first, arqc)) = self.first_ac.clone() else {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        };
        let Ok(dol) = Dol::parse(&self.profile.cdol2) else {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        };
        let Ok(split) = dol.split(command.data()) else {
            return StatusWord::WRONG_LENGTH.into();
        };
        let mut tx = first.clone();
        let mut issuer_data: &[u8] = &[];
        let mut arc = [0u8; 2];
        for (tag, v) in split {
            match tag.value() {
                0x8A if v.len() == 2 => arc.copy_from_slice(v),
                0x91 => issuer_data = v,
                0x95 if v.len() == 5 => tx.tvr.copy_from_slice(v),
                0x9F37 if v.len() == 4 => tx.unpredictable_number.copy_from_slice(v),
                _ => {}
            }
        }
        let wants_tc = command.p1() & 0xC0 == 0x40;
        // ARC Y3/Z3: the terminal could not go online (Book 4 Annex A6) and approves or
        // declines offline; the card approves only within its upper consecutive limit.
        let unable_online = arc == *b"Y3" || arc == *b"Z3";
        let cid = if unable_online {
            if wants_tc && arc == *b"Y3" && self.may_approve_offline(&first, true) {
                if !self.count_offline(&first) {
                    return StatusWord::CONDITIONS_NOT_SATISFIED.into();
                }
                0x40
            } else {
                0x00
            }
        } else {
            let approved = self
                .profile
                .cryptogram
                .issuer_authentication(&first, arqc, issuer_data)
                == Some(true);
            if approved && !self.count_online(u16::from_be_bytes(first.atc)) {
                return StatusWord::CONDITIONS_NOT_SATISFIED.into();
            }
            if wants_tc && approved { 0x40 } else { 0x00 }
        };
        tx.iad = self.profile.iad(cid);
        if !tx.counters.is_empty() {
            tx.counters = tx.iad[tx.iad.len() - 8..].to_vec();
        }
        let Ok(ac) = self.profile.cryptogram.ac(&tx) else {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        };
        let mut out = Vec::new();
        let _ = out.constructed(Tag::new(0x77), |w| {
            w.primitive(Tag::new(0x9F27), &[cid])?;
            w.primitive(Tag::new(0x9F36), &tx.atc)?;
            w.primitive(Tag::new(0x9F26), &ac)?;
            w.primitive(Tag::new(0x9F10), &tx.iad)
        });
        self.state = State::Completed;
        Response::ok(out)
    }

    /// Issuer script commands (CLA 84, 8-byte MAC under the SMI session key of the first
    /// cryptogram, by the card's profile: 3DES, SM4 or AES): APPLICATION BLOCK (1E),
    /// APPLICATION UNBLOCK (18) and PIN CHANGE/UNBLOCK without the current PIN (24, P2 = 02,
    /// enciphered PIN block under the SMC session key).
    fn issuer_script(&mut self, command: &Command<'_>) -> Response {
        if !matches!(self.state, State::Online | State::Completed) {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        let Some((tx, arqc)) = self.first_ac.clone() else {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        };
        let data = command.data();
        if data.len() < 8 || data.len() > 255 {
            return StatusWord::SM_OBJECTS_MISSING.into();
        }
        let (body, mac) = data.split_at(data.len() - 8);
        let header = [
            0x84,
            command.ins(),
            command.p1(),
            command.p2(),
            data.len() as u8,
        ];
        let cryptogram = &self.profile.cryptogram;
        let expected = cryptogram.script_mac(&header, tx.atc, arqc, body);
        if crate::crypto::mac::verify("script MAC", &expected, mac).is_err() {
            return StatusWord::SM_OBJECTS_INCORRECT.into();
        }
        match (command.ins(), command.p2()) {
            (0x1E, _) => self.blocked = true,
            (0x18, _) => self.blocked = false,
            (0x24, 0x02) => {
                let Some(mut block) = cryptogram.script_pin_block(tx.atc, arqc, body) else {
                    return StatusWord::SM_OBJECTS_INCORRECT.into();
                };
                let pin = decode_format2(&block[..8]);
                zeroize::Zeroize::zeroize(&mut block);
                match pin {
                    Some(p) => {
                        self.profile.offline_pin = Some(p);
                        self.pin_tries = self.profile.pin_try_limit;
                    }
                    None => return StatusWord::WRONG_DATA.into(),
                }
            }
            _ => return StatusWord::INCORRECT_P1_P2.into(),
        }
        StatusWord::SUCCESS.into()
    }

    fn fci(&self) -> Vec<u8> {
        let p = &self.profile;
        let mut out = Vec::new();
        let _ = out.constructed(Tag::new(0x6F), |w| {
            w.primitive(Tag::new(0x84), &p.aid)?;
            w.constructed(Tag::new(0xA5), |w| {
                w.primitive(Tag::new(0x50), p.label.as_bytes())?;
                w.primitive(Tag::new(0x87), &[p.priority])?;
                if !p.pdol.is_empty() {
                    w.primitive(Tag::new(0x9F38), &p.pdol)?;
                }
                w.primitive(Tag::new(0x5F2D), b"zhen")
            })
        });
        out
    }

    /// Computes a cryptogram over the terminal's DOL values and the card's own data, after
    /// card action analysis: `requested` is the cryptogram type the terminal asked for (`00`
    /// AAC, `40` TC, `80` ARQC); a TC the card may not approve offline becomes `declined_tc`
    /// (an ARQC, or an AAC for a terminal that cannot go online). Returns the CID, the ATC,
    /// the AC, the IAD and the transaction data the AC covers.
    fn cryptogram(
        &mut self,
        dol: &[u8],
        data: &[u8],
        requested: u8,
        declined_tc: u8,
    ) -> core::result::Result<Generated, StatusWord> {
        let dol = Dol::parse(dol).map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let split = dol.split(data).map_err(|_| StatusWord::WRONG_LENGTH)?;
        let mut get = [None::<&[u8]>; 8];
        const NEED: [u32; 8] = [0x9F02, 0x9F03, 0x9F1A, 0x95, 0x5F2A, 0x9A, 0x9C, 0x9F37];
        if matches!(self.profile.cryptogram, Cryptogram::PbocSm4 { .. })
            && !split
                .clone()
                .any(|(t, v)| t == Tag::new(0xDF69) && v == [0x01])
        {
            // A national-algorithm card with a terminal that did not ask for SM.
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        for (tag, value) in split {
            if let Some(i) = NEED.iter().position(|t| Tag::new(*t) == tag) {
                get[i].get_or_insert(value);
            }
        }
        fn take<const N: usize>(v: Option<&[u8]>) -> core::result::Result<[u8; N], StatusWord> {
            match v {
                Some(v) => v.try_into().map_err(|_| StatusWord::WRONG_DATA),
                None => Ok([0; N]), // not in the DOL: zeros, as Book 3 §5.4 fills it
            }
        }
        // The quick flow counts the transaction here; the standard flow already did in GPO.
        let atc = match self.profile.flow {
            GpoFlow::Quick => self
                .atc
                .increment()
                .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?,
            GpoFlow::Standard => self.atc.current(),
        };
        let mut tx = TransactionData {
            amount_authorised: take(get[0])?,
            amount_other: take(get[1])?,
            terminal_country: take(get[2])?,
            tvr: take(get[3])?,
            currency: take(get[4])?,
            date: take(get[5])?,
            transaction_type: take::<1>(get[6])?[0],
            unpredictable_number: take(get[7])?,
            aip: self.profile.aip,
            atc: atc.to_be_bytes(),
            iad: Vec::new(),
            counters: Vec::new(),
        };
        let cid = match requested {
            0x40 if self.may_approve_offline(&tx, false) => 0x40,
            0x40 => declined_tc,
            other => other,
        };
        if cid == 0x40 && !self.count_offline(&tx) {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let iad = self.profile.iad(cid);
        tx.iad = iad.clone();
        tx.counters = if matches!(
            self.profile.cryptogram,
            Cryptogram::Emv {
                cvn: Cvn::Mastercard17 | Cvn::Mastercard21,
                ..
            }
        ) {
            iad[iad.len() - 8..].to_vec()
        } else {
            Vec::new()
        };
        let ac = self
            .profile
            .cryptogram
            .ac(&tx)
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        Ok(Generated {
            cid,
            atc,
            ac,
            iad,
            tx,
        })
    }

    /// Signs dynamic application data with the ICC key (RSA or SM2).
    fn sign_dynamic(
        &self,
        icc_dynamic_data: &[u8],
        terminal_dynamic_data: &[u8],
    ) -> Option<Vec<u8>> {
        let o = self.profile.oda.as_ref()?;
        match &o.icc_key {
            IccSigningKey::Rsa(k) => {
                crate::oda::sign_dda(k, icc_dynamic_data, terminal_dynamic_data).ok()
            }
            IccSigningKey::Sm2(k) => {
                crate::oda::sm2::sign_dda(k, icc_dynamic_data, terminal_dynamic_data).ok()
            }
        }
    }

    /// INTERNAL AUTHENTICATE (DDA, standard flow): signs the DDOL data with an ICC dynamic
    /// number derived from the ATC, the command and how many times it was asked.
    fn internal_authenticate(&mut self, command: &Command<'_>) -> Response {
        if self.state != State::Processing || self.profile.oda.is_none() {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        self.authentications = self.authentications.wrapping_add(1);
        use sha1::Digest;
        let mut h = sha1::Sha1::new();
        h.update(command.data());
        h.update(self.atc.current().to_be_bytes());
        h.update(self.authentications.to_be_bytes());
        let idn = h.finalize();
        let mut idd = vec![0x08];
        idd.extend_from_slice(&idn[..8]);
        match self.sign_dynamic(&idd, command.data()) {
            Some(sdad) => {
                let mut out = Vec::new();
                let _ = out.primitive(Tag::new(0x80), &sdad);
                Response::ok(out)
            }
            None => StatusWord::CONDITIONS_NOT_SATISFIED.into(),
        }
    }

    fn gpo(&mut self, command: &Command<'_>) -> Response {
        if self.state != State::Selected {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        let data = command.data();
        // 83 L <PDOL data>
        if data.len() < 2 || data[0] != 0x83 || usize::from(data[1]) != data.len() - 2 {
            return StatusWord::WRONG_DATA.into();
        }
        let pdol_data = &data[2..];
        self.pdol_data = pdol_data.to_vec();
        let p = self.profile.clone();
        let mut out = Vec::new();
        match p.flow {
            GpoFlow::Quick => {
                // The reader's TTQ: byte 2 bit 8 "online cryptogram required", byte 1 bit 4
                // "offline-only reader", byte 1 bit 1 "offline data authentication for online
                // authorisations supported".
                let ttq = Dol::parse(&p.pdol)
                    .ok()
                    .and_then(|d| d.split(pdol_data).ok())
                    .and_then(|mut s| {
                        s.find(|(t, _)| *t == Tag::new(0x9F66))
                            .map(|(_, v)| v.to_vec())
                    })
                    .unwrap_or_default();
                let bit = |byte: usize, mask: u8| ttq.get(byte).is_some_and(|b| b & mask != 0);
                let offline_only = bit(0, 0x08);
                // An offline approval needs fDDA, so a card without ODA data always goes online.
                let requested = if (bit(1, 0x80) && !offline_only) || p.oda.is_none() {
                    0x80
                } else {
                    0x40
                };
                let declined_tc = if offline_only { 0x00 } else { 0x80 };
                let Generated {
                    cid,
                    atc,
                    ac,
                    iad,
                    tx,
                } = match self.cryptogram(&p.pdol, pdol_data, requested, declined_tc) {
                    Ok(v) => v,
                    Err(sw) => return sw.into(),
                };
                // fDDA for an offline approval, or when the TTQ asks for it online: the ICC
                // dynamic number is the cryptogram, the card's unpredictable number its last
                // four bytes, and the signature covers UN ‖ amount ‖ currency ‖ 9F69.
                let mut fdda = None;
                if p.oda.is_some() && (cid == 0x40 || bit(0, 0x01)) {
                    let card_data = [0x01, ac[4], ac[5], ac[6], ac[7], p.ctq[0], p.ctq[1]];
                    let mut tdd = Vec::with_capacity(19);
                    tdd.extend_from_slice(&tx.unpredictable_number);
                    tdd.extend_from_slice(&tx.amount_authorised);
                    tdd.extend_from_slice(&tx.currency);
                    tdd.extend_from_slice(&card_data);
                    let mut idd = vec![0x08];
                    idd.extend_from_slice(&ac);
                    match self.sign_dynamic(&idd, &tdd) {
                        Some(sdad) => fdda = Some((card_data, sdad)),
                        None => return StatusWord::CONDITIONS_NOT_SATISFIED.into(),
                    }
                }
                let _ = out.constructed(Tag::new(0x77), |w| {
                    w.primitive(Tag::new(0x82), &p.aip)?;
                    w.primitive(Tag::new(0x94), &p.afl())?;
                    w.primitive(Tag::new(0x9F36), &atc.to_be_bytes())?;
                    w.primitive(Tag::new(0x57), &p.track2())?;
                    w.primitive(Tag::new(0x5F34), &psn_byte(&p.psn))?;
                    w.primitive(Tag::new(0x9F10), &iad)?;
                    w.primitive(Tag::new(0x9F26), &ac)?;
                    w.primitive(Tag::new(0x9F27), &[cid])?;
                    if let Some((card_data, sdad)) = &fdda {
                        w.primitive(Tag::new(0x9F69), card_data)?;
                        w.primitive(Tag::new(0x9F4B), sdad)?;
                    }
                    w.primitive(Tag::new(0x9F6C), &p.ctq)
                });
                self.state = State::Done;
            }
            GpoFlow::Standard => {
                if Dol::parse(&p.pdol)
                    .map(|d| d.data_len() != pdol_data.len())
                    .unwrap_or(true)
                {
                    return StatusWord::WRONG_LENGTH.into();
                }
                // The ATC counts every transaction from GPO on (the terminal's velocity check
                // reads it with GET DATA before GENERATE AC).
                if self.atc.increment().is_none() {
                    return StatusWord::CONDITIONS_NOT_SATISFIED.into();
                }
                let _ = out.constructed(Tag::new(0x77), |w| {
                    w.primitive(Tag::new(0x82), &p.aip)?;
                    w.primitive(Tag::new(0x94), &p.afl())
                });
                self.state = State::Processing;
            }
        }
        Response::ok(out)
    }

    fn read_record(&self, command: &Command<'_>) -> Response {
        if !matches!(
            self.state,
            State::Processing | State::Done | State::Online | State::Completed
        ) {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        if command.p2() & 0x07 != 0x04 {
            return StatusWord::INCORRECT_P1_P2.into();
        }
        let sfi = command.p2() >> 3;
        let rec = command.p1();
        match self
            .profile
            .records()
            .into_iter()
            .find(|(s, r, _)| *s == sfi && *r == rec)
        {
            Some((_, _, body)) => Response::ok(body),
            None => StatusWord::RECORD_NOT_FOUND.into(),
        }
    }

    fn generate_ac(&mut self, command: &Command<'_>) -> Response {
        if self.state == State::Online {
            return self.second_generate_ac(command);
        }
        if self.state != State::Processing || self.profile.flow != GpoFlow::Standard {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        let cda = command.p1() & 0x10 != 0;
        if cda && (self.profile.oda.is_none() || self.profile.aip[0] & 0x01 == 0) {
            // CDA asked of a card that does not offer it (AIP byte 1 bit 1).
            return StatusWord::INCORRECT_P1_P2.into();
        }
        // Card action analysis: an AAC or an ARQC as asked; a TC when card risk management
        // allows an offline approval, else an ARQC.
        let requested = command.p1() & 0xC0;
        if requested == 0xC0 {
            return StatusWord::INCORRECT_P1_P2.into();
        }
        let cdol1 = self.profile.cdol1.clone();
        let Generated {
            cid,
            atc,
            ac,
            iad,
            tx,
        } = match self.cryptogram(&cdol1, command.data(), requested, 0x80) {
            Ok(v) => v,
            Err(sw) => return sw.into(),
        };
        // Without CDA the AC itself goes in 9F26; with CDA (Book 2 §6.6) it travels inside the
        // signed dynamic data (9F4B), with the transaction data hash code over PDOL data ‖
        // CDOL1 data ‖ the response's data objects other than 9F4B; the terminal dynamic data is
        // the unpredictable number.
        let (tag, value) = if cda {
            let mut rest = Vec::new();
            let _ = rest.primitive(Tag::new(0x9F27), &[cid]);
            let _ = rest.primitive(Tag::new(0x9F36), &atc.to_be_bytes());
            let _ = rest.primitive(Tag::new(0x9F10), &iad);
            let sm2 = matches!(
                self.profile.oda.as_ref().map(|o| &o.icc_key),
                Some(IccSigningKey::Sm2(_))
            );
            let tdhc = transaction_data_hash(sm2, &[&self.pdol_data, command.data(), &rest]);
            let mut idd = vec![0x08];
            idd.extend_from_slice(&atc.to_be_bytes());
            idd.extend_from_slice(&ac[..6]);
            idd.push(cid);
            idd.extend_from_slice(&ac);
            idd.extend_from_slice(&tdhc);
            let Some(sdad) = self.sign_dynamic(&idd, &tx.unpredictable_number) else {
                return StatusWord::CONDITIONS_NOT_SATISFIED.into();
            };
            (Tag::new(0x9F4B), sdad)
        } else {
            (Tag::new(0x9F26), ac.to_vec())
        };
        let mut out = Vec::new();
        let _ = out.constructed(Tag::new(0x77), |w| {
            w.primitive(Tag::new(0x9F27), &[cid])?;
            w.primitive(Tag::new(0x9F36), &atc.to_be_bytes())?;
            w.primitive(tag, &value)?;
            w.primitive(Tag::new(0x9F10), &iad)
        });
        self.state = if cid == 0x80 {
            State::Online
        } else {
            State::Done
        };
        self.first_ac = Some((tx, ac));
        Response::ok(out)
    }

    fn get_data(&self, command: &Command<'_>) -> Response {
        match (command.p1(), command.p2()) {
            (0x9F, 0x36) => {
                let mut out = Vec::new();
                let _ = out.primitive(Tag::new(0x9F36), &self.atc.current().to_be_bytes());
                Response::ok(out)
            }
            (0x9F, 0x17) => {
                let mut out = Vec::new();
                let _ = out.primitive(Tag::new(0x9F17), &[self.pin_tries]);
                Response::ok(out)
            }
            (0x9F, 0x13) => {
                let mut out = Vec::new();
                let _ = out.primitive(
                    Tag::new(0x9F13),
                    &self.atc.risk().last_online_atc.to_be_bytes(),
                );
                Response::ok(out)
            }
            _ => StatusWord::NOT_FOUND.into(),
        }
    }
}

impl Application for ContactlessCard {
    fn select(&mut self, _aid: &[u8], _command: &Command<'_>) -> Response {
        self.first_ac = None;
        self.challenge = None;
        if self.blocked {
            self.state = State::Idle;
            return Response::new(self.fci(), StatusWord::FILE_DEACTIVATED);
        }
        self.state = State::Selected;
        Response::ok(self.fci())
    }

    fn deselect(&mut self, _channel: u8) {
        self.state = State::Idle;
    }

    fn process(&mut self, command: &Command<'_>) -> Response {
        match (command.cla(), command.ins()) {
            (0x80, 0xA8) => self.gpo(command),
            (0x00, 0xB2) => self.read_record(command),
            (0x80, 0xAE) => self.generate_ac(command),
            (0x80, 0xCA) => self.get_data(command),
            (0x00, 0x20) => self.verify(command),
            (0x00, 0x84) => self.get_challenge(command),
            (0x84, 0x1E | 0x18 | 0x24) => self.issuer_script(command),
            (0x00, 0x88) => self.internal_authenticate(command),
            (0x00 | 0x80, _) => StatusWord::INS_NOT_SUPPORTED.into(),
            _ => StatusWord::CLA_NOT_SUPPORTED.into(),
        }
    }
}
