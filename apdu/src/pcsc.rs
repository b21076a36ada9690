//! A [`Transport`] over PC/SC readers (feature `pcsc`; needs `libpcsclite` and a running `pcscd`
//! on Linux, the system PC/SC service on Windows and macOS).
//!
//! ```no_run
//! use mpay_apdu::{Card, CommandBuf, pcsc::PcscTransport};
//! for reader in PcscTransport::readers()? {
//!     println!("{reader}");
//! }
//! let mut card = Card::new(PcscTransport::connect("Virtual PCD 00 00")?);
//! let fci = card.send(&CommandBuf::select_aid(b"2PAY.SYS.DDF01"))?;
//! println!("{}", fci.sw);
//! # Ok::<(), mpay_apdu::Error>(())
//! ```

use std::ffi::CString;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::{Error, Transport};

fn pcsc_error(what: &str, e: ::pcsc::Error) -> Error {
    Error::Transport(std::format!("pcsc: {what}: {e}"))
}

/// A card in a PC/SC reader, connected in shared mode with T=0 or T=1.
pub struct PcscTransport {
    card: ::pcsc::Card,
    reader: String,
    buf: Vec<u8>,
}

impl core::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .finish()
    }
}

impl PcscTransport {
    /// The names of the readers PC/SC knows.
    pub fn readers() -> Result<Vec<String>, Error> {
        let ctx = ::pcsc::Context::establish(::pcsc::Scope::User)
            .map_err(|e| pcsc_error("establishing a context", e))?;
        match ctx.list_readers_owned() {
            Ok(names) => Ok(names
                .into_iter()
                .map(|n| n.to_string_lossy().into_owned())
                .collect()),
            Err(::pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(pcsc_error("listing readers", e)),
        }
    }

    /// Connects to the card in `reader` (its exact name).
    pub fn connect(reader: &str) -> Result<Self, Error> {
        let ctx = ::pcsc::Context::establish(::pcsc::Scope::User)
            .map_err(|e| pcsc_error("establishing a context", e))?;
        let name = CString::new(reader)
            .map_err(|_| Error::Transport("pcsc: reader name contains NUL".to_string()))?;
        let card = ctx
            .connect(&name, ::pcsc::ShareMode::Shared, ::pcsc::Protocols::ANY)
            .map_err(|e| pcsc_error(&std::format!("connecting to {reader:?}"), e))?;
        Ok(PcscTransport {
            card,
            reader: reader.to_string(),
            buf: std::vec![0u8; ::pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset.
    pub fn atr(&self) -> Result<Vec<u8>, Error> {
        self.card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(|e| pcsc_error("reading the ATR", e))
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        self.card
            .transmit(command, &mut self.buf)
            .map(<[u8]>::to_vec)
            .map_err(|e| pcsc_error("transmit", e))
    }
}
