//! PromptPay (Thailand): merchant account template `29` (or `30` for bill payment, not built
//! here) with AID `A000000677010111`, currency `764`, country `TH`. The proxy is a mobile number
//! (`01`, as `0066` + 9 digits), a national or tax ID (`02`, 13 digits) or an e-wallet ID (`03`,
//! 15 digits). Objects follow the order used by the PromptPay generators in the field.
//!
//! ```
//! use mpay_qr_payment::mpm::promptpay::{Target, payload};
//!
//! let text = payload(Target::Phone("080-123-4567"), None)?;
//! assert_eq!(text, "00020101021129370016A000000677010111011300668012345675802TH530376463046197");
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

use super::{Initiation, MerchantPayload, MerchantPayloadBuilder};
use crate::{Error, Path};
use alloc::string::String;

/// The AID in `29.00`.
pub const AID: &str = "A000000677010111";

/// Who receives the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A Thai mobile number, local (`0812345678`) or international (`+66 81 234 5678`);
    /// separators are ignored.
    Phone(&'a str),
    /// A 13-digit national ID or tax ID; separators are ignored.
    NationalId(&'a str),
    /// A 15-digit e-wallet ID.
    EWallet(&'a str),
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Target<'_> {
    /// The sub-ID and the proxy value as written in template `29`.
    pub fn encode(&self) -> Result<(u8, String), Error> {
        let wrong = |id, reason| Error::Build {
            path: Path::nested(29, id),
            reason,
        };
        match self {
            Target::Phone(p) => {
                let d = digits(p);
                let national = d.strip_prefix('0').map(|rest| alloc::format!("66{rest}"));
                let d = national.unwrap_or(d);
                if d.is_empty() || d.len() > 13 {
                    return Err(wrong(1, "mobile number must have 9 to 13 digits"));
                }
                Ok((1, alloc::format!("{d:0>13}")))
            }
            Target::NationalId(n) => {
                let d = digits(n);
                if d.len() != 13 {
                    return Err(wrong(2, "national ID must have 13 digits"));
                }
                Ok((2, d))
            }
            Target::EWallet(w) => {
                let d = digits(w);
                if d.len() != 15 {
                    return Err(wrong(3, "e-wallet ID must have 15 digits"));
                }
                Ok((3, d))
            }
        }
    }
}

/// The objects of a PromptPay payload: static (`11`) without an amount, dynamic (`12`) with one.
pub fn builder(target: Target<'_>, amount: Option<&str>) -> Result<MerchantPayloadBuilder, Error> {
    let (sub, proxy) = target.encode()?;
    let method = if amount.is_some() {
        Initiation::Dynamic
    } else {
        Initiation::Static
    };
    let mut b = MerchantPayloadBuilder::new()
        .initiation(method)
        .merchant_account(29, AID, &[(sub, &proxy)])
        .set(58, "TH")
        .set(53, "764");
    if let Some(a) = amount {
        b = b.set(54, a);
    }
    Ok(b)
}

/// A PromptPay payload for `target`, with an optional amount in baht (e.g. `"4.22"`).
pub fn payload(target: Target<'_>, amount: Option<&str>) -> Result<String, Error> {
    builder(target, amount)?.build()
}

/// The proxy of a parsed PromptPay payload: sub-ID (`01`, `02`, `03`) and value.
pub fn proxy<'a>(qr: &MerchantPayload<'a>) -> Option<(u8, &'a str)> {
    let t = qr.get(29)?;
    if t.gui() != Some(AID) {
        return None;
    }
    (1..=3).find_map(|i| t.sub_value(i).map(|v| (i, v)))
}
