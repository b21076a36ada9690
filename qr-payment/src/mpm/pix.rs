//! PIX (Brazil): the BR Code of the Banco Central do Brasil, an MPM payload with merchant account
//! template `26` whose GUI is `br.gov.bcb.pix`, currency `986`, country `BR`.
//!
//! ```
//! use mpay_qr_payment::mpm::pix::Pix;
//!
//! // The static example of the BCB "Manual de Padrões para Iniciação do Pix".
//! let text = Pix::new("123e4567-e12b-12d1-a456-426655440000", "Fulano de Tal", "BRASILIA")
//!     .to_payload()?;
//! assert!(text.ends_with("62070503***63041D3D"));
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

use super::{MerchantPayload, MerchantPayloadBuilder, additional};
use crate::Error;
use alloc::string::String;

/// The GUI of the PIX merchant account template.
pub const GUI: &str = "br.gov.bcb.pix";

/// A PIX payment request (static if it has no amount).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pix<'a> {
    /// The PIX key (EVP, e-mail, phone `+55…`, CPF or CNPJ), template `26.01`.
    pub key: &'a str,
    /// Optional free text for the payer, `26.02`.
    pub description: Option<&'a str>,
    /// Receiver name, `59` (up to 25 characters).
    pub merchant_name: &'a str,
    /// Receiver city, `60` (up to 15 characters).
    pub merchant_city: &'a str,
    /// Amount in reais, `54` (e.g. `"10.00"`).
    pub amount: Option<&'a str>,
    /// Transaction ID, `62.05`; `***` when absent.
    pub txid: Option<&'a str>,
}

impl<'a> Pix<'a> {
    /// A static request with no amount and no transaction ID.
    pub fn new(key: &'a str, merchant_name: &'a str, merchant_city: &'a str) -> Self {
        Pix {
            key,
            description: None,
            merchant_name,
            merchant_city,
            amount: None,
            txid: None,
        }
    }

    /// Sets the amount.
    pub fn with_amount(mut self, amount: &'a str) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets the transaction ID.
    pub fn with_txid(mut self, txid: &'a str) -> Self {
        self.txid = Some(txid);
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: &'a str) -> Self {
        self.description = Some(description);
        self
    }

    /// The payload's objects, in the order of the BCB manual.
    pub fn builder(&self) -> MerchantPayloadBuilder {
        let mut fields = alloc::vec![(1u8, self.key)];
        if let Some(d) = self.description {
            fields.push((2, d));
        }
        let mut b = MerchantPayloadBuilder::new()
            .merchant_account(26, GUI, &fields)
            .set(52, "0000")
            .set(53, "986");
        if let Some(a) = self.amount {
            b = b.set(54, a);
        }
        b.set(58, "BR")
            .set(59, self.merchant_name)
            .set(60, self.merchant_city)
            .set_template(
                62,
                &[(additional::REFERENCE_LABEL, self.txid.unwrap_or("***"))],
            )
    }

    /// The BR Code text ("PIX copia e cola").
    pub fn to_payload(&self) -> Result<String, Error> {
        self.builder().build()
    }

    /// Reads the PIX fields of a parsed payload (`None` if it has no PIX template or key).
    pub fn from_payload(qr: &MerchantPayload<'a>) -> Option<Self> {
        let t = qr.merchant_account_by_gui(GUI)?;
        Some(Pix {
            key: t.sub_value(1)?,
            description: t.sub_value(2),
            merchant_name: qr.merchant_name()?,
            merchant_city: qr.merchant_city()?,
            amount: qr.amount(),
            txid: qr
                .additional_data_field(additional::REFERENCE_LABEL)
                .filter(|t| *t != "***"),
        })
    }
}
