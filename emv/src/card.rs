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

use crate::Result;
use crate::crypto::cvn::{CardKeys, Cvn, IssuerKeys, TransactionData};

/// Where the card keeps its Application Transaction Counter between transactions.
pub trait AtcStore: Send {
    /// Increments and persists the ATC, returning the new value; `None` when the counter
    /// is exhausted or cannot be persisted (the card then refuses to compute a cryptogram).
    fn increment(&mut self) -> Option<u16>;
    /// The current value.
    fn current(&self) -> u16;
}

/// An in-memory ATC (a test card, or an HCE service that persists elsewhere).
#[derive(Debug, Clone, Default)]
pub struct MemoryAtc(pub u16);

impl AtcStore for MemoryAtc {
    fn increment(&mut self) -> Option<u16> {
        self.0 = self.0.checked_add(1)?;
        Some(self.0)
    }
    fn current(&self) -> u16 {
        self.0
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
    /// Cryptogram version profile.
    pub cvn: Cvn,
    /// The ICC master keys.
    pub keys: CardKeys,
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
    /// Which GPO flow.
    pub flow: GpoFlow,
}

impl core::fmt::Debug for CardProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardProfile")
            .field("aid", &hex_upper(&self.aid))
            .field("label", &self.label)
            .field("pan", &mask_pan(&self.pan))
            .field("cvn", &self.cvn)
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

/// The CDOL1 asking for the data a cryptogram covers.
pub const STANDARD_CDOL1: &[u8] = &[
    0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A, 0x02, 0x9A, 0x03,
    0x9C, 0x01, 0x9F, 0x37, 0x04,
];

impl CardProfile {
    /// A Visa-style demo card (quick flow for Visa CVNs, standard flow otherwise) for `pan`
    /// under the given issuer keys: expiry 2030-12-31, PSN 01, AID A0000000031010 (Visa) or
    /// A0000000041010 (Mastercard).
    pub fn visa_demo(pan: &str, cvn: Cvn, issuer: &IssuerKeys) -> Result<Self> {
        let visa = matches!(cvn, Cvn::Visa10 | Cvn::Visa18 | Cvn::Visa22);
        let keys = cvn.card_keys(issuer, pan, "01")?;
        Ok(CardProfile {
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
            cvn,
            keys,
            dki: 1,
            aip: if visa { [0x20, 0x40] } else { [0x19, 0x80] },
            ctq: [0x80, 0x00],
            pdol: if visa {
                QUICK_PDOL.to_vec()
            } else {
                vec![0x9F, 0x66, 0x04]
            },
            cdol1: STANDARD_CDOL1.to_vec(),
            flow: if visa {
                GpoFlow::Quick
            } else {
                GpoFlow::Standard
            },
        })
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
        let cvn_byte = match self.cvn {
            Cvn::Visa10 => 0x0A,
            Cvn::Visa18 => 0x12,
            Cvn::Visa22 => 0x22,
            Cvn::Mastercard16 => 0x10,
            Cvn::Mastercard17 => 0x11,
            Cvn::Mastercard20 => 0x14,
            Cvn::Mastercard21 => 0x15,
            _ => 0x85,
        };
        // CVR byte 2 (Visa) / first CVR byte (M/Chip) carries the AC type returned.
        let ac_bits = match cid & 0xC0 {
            0x80 => 0x20,
            0x40 => 0x10,
            _ => 0x00,
        };
        match self.cvn {
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
            w.primitive(Tag::new(0x9F07), &[0xFF, 0x00])
        });
        vec![(1, 1, r1), (1, 2, r2)]
    }

    /// The AFL: SFI 1, records 1 to 2, none for offline data authentication.
    fn afl(&self) -> [u8; 4] {
        [1 << 3, 1, 2, 0]
    }
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
}

/// A contactless card application personalised from a [`CardProfile`].
pub struct ContactlessCard {
    profile: CardProfile,
    atc: Box<dyn AtcStore>,
    state: State,
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
        Self::with_atc(profile, Box::new(MemoryAtc(0)))
    }

    /// A card whose ATC lives in `atc`.
    pub fn with_atc(profile: CardProfile, atc: Box<dyn AtcStore>) -> Self {
        ContactlessCard {
            profile,
            atc,
            state: State::Idle,
        }
    }

    /// The current ATC.
    pub fn atc(&self) -> u16 {
        self.atc.current()
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

    /// Computes a cryptogram over the terminal's DOL values and the card's own data.
    fn cryptogram(
        &mut self,
        dol: &[u8],
        data: &[u8],
        cid: u8,
    ) -> core::result::Result<(u16, [u8; 8], Vec<u8>), StatusWord> {
        let dol = Dol::parse(dol).map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let split = dol.split(data).map_err(|_| StatusWord::WRONG_LENGTH)?;
        let mut get = [None::<&[u8]>; 8];
        const NEED: [u32; 8] = [0x9F02, 0x9F03, 0x9F1A, 0x95, 0x5F2A, 0x9A, 0x9C, 0x9F37];
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
        let atc = self
            .atc
            .increment()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let iad = self.profile.iad(cid);
        let tx = TransactionData {
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
            iad: iad.clone(),
            counters: if matches!(self.profile.cvn, Cvn::Mastercard17 | Cvn::Mastercard21) {
                iad[iad.len() - 8..].to_vec()
            } else {
                Vec::new()
            },
        };
        let ac = self
            .profile
            .cvn
            .arqc(&self.profile.keys, &tx)
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        Ok((atc, ac, iad))
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
        let p = self.profile.clone();
        let mut out = Vec::new();
        match p.flow {
            GpoFlow::Quick => {
                let (atc, ac, iad) = match self.cryptogram(&p.pdol, pdol_data, 0x80) {
                    Ok(v) => v,
                    Err(sw) => return sw.into(),
                };
                let _ = out.constructed(Tag::new(0x77), |w| {
                    w.primitive(Tag::new(0x82), &p.aip)?;
                    w.primitive(Tag::new(0x94), &p.afl())?;
                    w.primitive(Tag::new(0x9F36), &atc.to_be_bytes())?;
                    w.primitive(Tag::new(0x57), &p.track2())?;
                    w.primitive(Tag::new(0x5F34), &psn_byte(&p.psn))?;
                    w.primitive(Tag::new(0x9F10), &iad)?;
                    w.primitive(Tag::new(0x9F26), &ac)?;
                    w.primitive(Tag::new(0x9F27), &[0x80])?;
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
        if !matches!(self.state, State::Processing | State::Done) {
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
        if self.state != State::Processing || self.profile.flow != GpoFlow::Standard {
            return StatusWord::CONDITIONS_NOT_SATISFIED.into();
        }
        if command.p1() & 0x10 != 0 {
            // CDA is not offered by this card (AIP says so).
            return StatusWord::INCORRECT_P1_P2.into();
        }
        // The card goes online for ARQC and TC requests; AAC when asked for it.
        let cid = match command.p1() & 0xC0 {
            0x00 => 0x00,
            0x40 | 0x80 => 0x80,
            _ => return StatusWord::INCORRECT_P1_P2.into(),
        };
        let cdol1 = self.profile.cdol1.clone();
        let (atc, ac, iad) = match self.cryptogram(&cdol1, command.data(), cid) {
            Ok(v) => v,
            Err(sw) => return sw.into(),
        };
        let mut out = Vec::new();
        let _ = out.constructed(Tag::new(0x77), |w| {
            w.primitive(Tag::new(0x9F27), &[cid])?;
            w.primitive(Tag::new(0x9F36), &atc.to_be_bytes())?;
            w.primitive(Tag::new(0x9F26), &ac)?;
            w.primitive(Tag::new(0x9F10), &iad)
        });
        self.state = State::Done;
        Response::ok(out)
    }

    fn get_data(&self, command: &Command<'_>) -> Response {
        match (command.p1(), command.p2()) {
            (0x9F, 0x36) => {
                let mut out = Vec::new();
                let _ = out.primitive(Tag::new(0x9F36), &self.atc.current().to_be_bytes());
                Response::ok(out)
            }
            _ => StatusWord::NOT_FOUND.into(),
        }
    }
}

impl Application for ContactlessCard {
    fn select(&mut self, _aid: &[u8], _command: &Command<'_>) -> Response {
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
            (0x00 | 0x80, _) => StatusWord::INS_NOT_SUPPORTED.into(),
            _ => StatusWord::CLA_NOT_SUPPORTED.into(),
        }
    }
}
