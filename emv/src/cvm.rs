//! Cardholder verification method lists (8E, EMV Book 3 §10.5 and Annex C3): the parser and
//! encoder, what each rule's condition means for a transaction, and which methods a terminal
//! supports. The [`kernel`](crate::kernel) walks the list; the [`card`](crate::card) carries it
//! in its signed static data.
//!
//! ```
//! use mpay_emv::cvm::{CvmList, CvRule, Method, Condition};
//!
//! // Offline plaintext PIN if the terminal supports it (else the next rule), then signature,
//! // then no CVM.
//! let list = CvmList::new(0, 0, vec![
//!     CvRule::new(Method::PlaintextPinByIcc, Condition::TerminalSupports, true),
//!     CvRule::new(Method::Signature, Condition::TerminalSupports, true),
//!     CvRule::new(Method::NoCvm, Condition::Always, false),
//! ]);
//! let bytes = list.to_bytes();
//! assert_eq!(hex::encode_upper(&bytes), "000000000000000041035E031F00");
//! assert_eq!(CvmList::parse(&bytes).unwrap(), list);
//! ```

use crate::{Error, Result};

/// A cardholder verification method (the low six bits of a CV rule's first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `00`: fail CVM processing.
    Fail,
    /// `01`: plaintext PIN verified by the ICC.
    PlaintextPinByIcc,
    /// `02`: enciphered PIN verified online.
    EncipheredPinOnline,
    /// `03`: plaintext PIN verified by the ICC, and signature.
    PlaintextPinByIccAndSignature,
    /// `04`: enciphered PIN verified by the ICC.
    EncipheredPinByIcc,
    /// `05`: enciphered PIN verified by the ICC, and signature.
    EncipheredPinByIccAndSignature,
    /// `1E`: signature (paper).
    Signature,
    /// `1F`: no CVM required.
    NoCvm,
    /// Any other code: RFU, payment system (`20`–`2F`) or issuer (`30`–`3E`) proprietary.
    /// A terminal does not recognise these.
    Other(u8),
}

impl Method {
    /// From the six-bit code.
    pub fn from_code(code: u8) -> Self {
        match code & 0x3F {
            0x00 => Method::Fail,
            0x01 => Method::PlaintextPinByIcc,
            0x02 => Method::EncipheredPinOnline,
            0x03 => Method::PlaintextPinByIccAndSignature,
            0x04 => Method::EncipheredPinByIcc,
            0x05 => Method::EncipheredPinByIccAndSignature,
            0x1E => Method::Signature,
            0x1F => Method::NoCvm,
            c => Method::Other(c),
        }
    }

    /// The six-bit code.
    pub fn code(self) -> u8 {
        match self {
            Method::Fail => 0x00,
            Method::PlaintextPinByIcc => 0x01,
            Method::EncipheredPinOnline => 0x02,
            Method::PlaintextPinByIccAndSignature => 0x03,
            Method::EncipheredPinByIcc => 0x04,
            Method::EncipheredPinByIccAndSignature => 0x05,
            Method::Signature => 0x1E,
            Method::NoCvm => 0x1F,
            Method::Other(c) => c & 0x3F,
        }
    }

    /// Whether a terminal with these capabilities (9F33) supports the method: byte 2 bit 8
    /// plaintext PIN for ICC verification, bit 7 enciphered PIN online, bit 6 signature, bit 5
    /// enciphered PIN offline, bit 4 no CVM required. `Fail` is always "supported";
    /// unrecognised methods never are.
    pub fn supported_by(self, capabilities: [u8; 3]) -> bool {
        let c = capabilities[1];
        match self {
            Method::Fail => true,
            Method::PlaintextPinByIcc => c & 0x80 != 0,
            Method::EncipheredPinOnline => c & 0x40 != 0,
            Method::PlaintextPinByIccAndSignature => c & 0xA0 == 0xA0,
            Method::EncipheredPinByIcc => c & 0x10 != 0,
            Method::EncipheredPinByIccAndSignature => c & 0x30 == 0x30,
            Method::Signature => c & 0x20 != 0,
            Method::NoCvm => c & 0x08 != 0,
            Method::Other(_) => false,
        }
    }

    /// Whether the method needs the cardholder's PIN.
    pub fn needs_pin(self) -> bool {
        matches!(
            self,
            Method::PlaintextPinByIcc
                | Method::EncipheredPinOnline
                | Method::PlaintextPinByIccAndSignature
                | Method::EncipheredPinByIcc
                | Method::EncipheredPinByIccAndSignature
        )
    }
}

/// When a CV rule applies (its second byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `00`: always.
    Always,
    /// `01`: if unattended cash.
    UnattendedCash,
    /// `02`: if not unattended cash, not manual cash and not purchase with cashback.
    NotCashOrCashback,
    /// `03`: if the terminal supports the CVM.
    TerminalSupports,
    /// `04`: if manual cash.
    ManualCash,
    /// `05`: if purchase with cashback.
    PurchaseWithCashback,
    /// `06`: if the transaction is in the application currency and under X.
    UnderX,
    /// `07`: … over X.
    OverX,
    /// `08`: … under Y.
    UnderY,
    /// `09`: … over Y.
    OverY,
    /// Any other value (RFU or proprietary): never satisfied.
    Other(u8),
}

impl Condition {
    /// From the condition byte.
    pub fn from_code(code: u8) -> Self {
        match code {
            0x00 => Condition::Always,
            0x01 => Condition::UnattendedCash,
            0x02 => Condition::NotCashOrCashback,
            0x03 => Condition::TerminalSupports,
            0x04 => Condition::ManualCash,
            0x05 => Condition::PurchaseWithCashback,
            0x06 => Condition::UnderX,
            0x07 => Condition::OverX,
            0x08 => Condition::UnderY,
            0x09 => Condition::OverY,
            c => Condition::Other(c),
        }
    }

    /// The condition byte.
    pub fn code(self) -> u8 {
        match self {
            Condition::Always => 0x00,
            Condition::UnattendedCash => 0x01,
            Condition::NotCashOrCashback => 0x02,
            Condition::TerminalSupports => 0x03,
            Condition::ManualCash => 0x04,
            Condition::PurchaseWithCashback => 0x05,
            Condition::UnderX => 0x06,
            Condition::OverX => 0x07,
            Condition::UnderY => 0x08,
            Condition::OverY => 0x09,
            Condition::Other(c) => c,
        }
    }
}

/// What the conditions of a CVM list are evaluated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Context {
    /// Amount, authorised (minor units).
    pub amount: u64,
    /// Transaction type (9C): `01` cash, `09` purchase with cashback.
    pub transaction_type: u8,
    /// Transaction currency (5F2A).
    pub transaction_currency: [u8; 2],
    /// Application currency (9F42), if the card gave one.
    pub application_currency: Option<[u8; 2]>,
    /// Terminal type (9F35): a low digit of 4, 5 or 6 is unattended.
    pub terminal_type: u8,
    /// Terminal capabilities (9F33) as used for this transaction.
    pub capabilities: [u8; 3],
}

/// One CV rule: a method, whether to go on to the next rule when it fails, and its condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvRule(pub [u8; 2]);

impl CvRule {
    /// A rule; `next_on_fail` sets "apply succeeding CV rule if this CVM is unsuccessful".
    pub fn new(method: Method, condition: Condition, next_on_fail: bool) -> Self {
        CvRule([
            method.code() | if next_on_fail { 0x40 } else { 0 },
            condition.code(),
        ])
    }

    /// The method.
    pub fn method(self) -> Method {
        Method::from_code(self.0[0])
    }

    /// Whether the next rule applies when this one fails (byte 1 bit 7).
    pub fn next_on_fail(self) -> bool {
        self.0[0] & 0x40 != 0
    }

    /// The condition.
    pub fn condition(self) -> Condition {
        Condition::from_code(self.0[1])
    }
}

/// A CVM list: amounts X and Y (in the application currency's minor units) and the rules in
/// priority order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CvmList {
    /// Amount X.
    pub x: u32,
    /// Amount Y.
    pub y: u32,
    /// The rules.
    pub rules: Vec<CvRule>,
}

impl CvmList {
    /// A list.
    pub fn new(x: u32, y: u32, rules: Vec<CvRule>) -> Self {
        CvmList { x, y, rules }
    }

    /// Parses the value of 8E: `X(4) ‖ Y(4) ‖ rules(2 each)`.
    pub fn parse(value: &[u8]) -> Result<Self> {
        if value.len() < 8 {
            return Err(Error::DataElement {
                tag: 0x8E,
                why: "shorter than amounts X and Y",
            });
        }
        if !(value.len() - 8).is_multiple_of(2) {
            return Err(Error::DataElement {
                tag: 0x8E,
                why: "odd number of bytes after amounts X and Y",
            });
        }
        let x = u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
        let y = u32::from_be_bytes([value[4], value[5], value[6], value[7]]);
        let rules = value[8..]
            .chunks_exact(2)
            .map(|r| CvRule([r[0], r[1]]))
            .collect();
        Ok(CvmList { x, y, rules })
    }

    /// The value of 8E.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 2 * self.rules.len());
        out.extend_from_slice(&self.x.to_be_bytes());
        out.extend_from_slice(&self.y.to_be_bytes());
        for r in &self.rules {
            out.extend_from_slice(&r.0);
        }
        out
    }

    /// Whether `rule`'s condition is satisfied in `ctx` (Book 3 Annex C3). Amount conditions
    /// hold only when the card gave an application currency equal to the transaction's.
    pub fn condition_met(&self, rule: CvRule, ctx: &Context) -> bool {
        let unattended = matches!(ctx.terminal_type & 0x0F, 4..=6);
        let cash = ctx.transaction_type == 0x01;
        let cashback = ctx.transaction_type == 0x09;
        let same_currency = ctx.application_currency == Some(ctx.transaction_currency);
        match rule.condition() {
            Condition::Always => true,
            Condition::UnattendedCash => cash && unattended,
            Condition::NotCashOrCashback => !cash && !cashback,
            Condition::TerminalSupports => rule.method().supported_by(ctx.capabilities),
            Condition::ManualCash => cash && !unattended,
            Condition::PurchaseWithCashback => cashback,
            Condition::UnderX => same_currency && ctx.amount < u64::from(self.x),
            Condition::OverX => same_currency && ctx.amount > u64::from(self.x),
            Condition::UnderY => same_currency && ctx.amount < u64::from(self.y),
            Condition::OverY => same_currency && ctx.amount > u64::from(self.y),
            Condition::Other(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(amount: u64, tt: u8, terminal_type: u8) -> Context {
        Context {
            amount,
            transaction_type: tt,
            transaction_currency: [0x01, 0x56],
            application_currency: Some([0x01, 0x56]),
            terminal_type,
            capabilities: [0xE0, 0xB8, 0xC8],
        }
    }

    #[test]
    fn conditions() {
        let list = CvmList::new(10_000, 50_000, vec![]);
        let r = |m, c| CvRule::new(m, c, false);
        let sig = Method::Signature;
        assert!(list.condition_met(r(sig, Condition::UnderX), &ctx(9_999, 0, 0x22)));
        assert!(!list.condition_met(r(sig, Condition::UnderX), &ctx(10_000, 0, 0x22)));
        assert!(list.condition_met(r(sig, Condition::OverY), &ctx(50_001, 0, 0x22)));
        let mut other_currency = ctx(1, 0, 0x22);
        other_currency.application_currency = Some([0x08, 0x40]);
        assert!(!list.condition_met(r(sig, Condition::UnderX), &other_currency));
        assert!(list.condition_met(r(sig, Condition::UnattendedCash), &ctx(1, 1, 0x24)));
        assert!(list.condition_met(r(sig, Condition::ManualCash), &ctx(1, 1, 0x22)));
        assert!(!list.condition_met(r(sig, Condition::NotCashOrCashback), &ctx(1, 9, 0x22)));
        assert!(list.condition_met(r(sig, Condition::PurchaseWithCashback), &ctx(1, 9, 0x22)));
        // Capabilities B8: plaintext PIN, signature, offline enciphered PIN, no CVM; no online PIN.
        let caps = ctx(1, 0, 0x22);
        let supports = |m| list.condition_met(r(m, Condition::TerminalSupports), &caps);
        assert!(supports(Method::PlaintextPinByIccAndSignature));
        assert!(supports(Method::EncipheredPinByIcc));
        assert!(!supports(Method::EncipheredPinOnline));
        assert!(!supports(Method::Other(0x25)));
        assert!(!list.condition_met(r(sig, Condition::Other(0x0A)), &caps));
    }

    #[test]
    fn malformed_lists() {
        assert!(CvmList::parse(&[0; 7]).is_err());
        assert!(CvmList::parse(&[0; 9]).is_err());
        assert_eq!(CvmList::parse(&[0; 8]).unwrap().rules, vec![]);
    }

    proptest! {
        #[test]
        fn parse_inverts_to_bytes(x: u32, y: u32, rules in prop::collection::vec(any::<[u8; 2]>(), 0..12)) {
            let list = CvmList::new(x, y, rules.into_iter().map(CvRule).collect());
            prop_assert_eq!(CvmList::parse(&list.to_bytes()).unwrap(), list);
        }

        #[test]
        fn method_and_condition_codes_round_trip(b0: u8, b1: u8) {
            let rule = CvRule([b0, b1]);
            prop_assert_eq!(rule.method().code(), b0 & 0x3F);
            prop_assert_eq!(rule.condition().code(), b1);
            prop_assert_eq!(CvRule::new(rule.method(), rule.condition(), rule.next_on_fail()).0, [b0 & 0x7F, b1]);
        }
    }
}
