//! Response APDUs: data followed by SW1 SW2.

use alloc::vec::Vec;
use core::fmt;

use crate::{Error, StatusWord};

/// A decoded response borrowing its data.
///
/// ```
/// use mpay_apdu::{ResponseView, StatusWord};
/// let r = ResponseView::parse(&[0x6F, 0x00, 0x90, 0x00])?;
/// assert_eq!(r.data(), &[0x6F, 0x00]);
/// assert_eq!(r.sw(), StatusWord::SUCCESS);
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseView<'a> {
    data: &'a [u8],
    sw: StatusWord,
}

impl<'a> ResponseView<'a> {
    /// Splits `bytes` into data and status word; fewer than 2 bytes is an error. Never allocates.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(ResponseView {
                data,
                sw: StatusWord::new(*sw1, *sw2),
            }),
            _ => Err(Error::ResponseTooShort { len: bytes.len() }),
        }
    }
    /// The data field.
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }
    /// The status word.
    pub const fn sw(&self) -> StatusWord {
        self.sw
    }
    /// An owned copy.
    pub fn to_owned(&self) -> Response {
        Response {
            data: self.data.to_vec(),
            sw: self.sw,
        }
    }
    /// Appends data and SW to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.data.len() + 2);
        out.extend_from_slice(self.data);
        out.extend_from_slice(&self.sw.to_bytes());
    }
}

impl fmt::Debug for ResponseView<'_> {
    /// Data length and status only: responses carry PANs and track data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Response {{ data: {} bytes, sw: {:04X} }}",
            self.data.len(),
            self.sw.0
        )
    }
}

impl fmt::Display for ResponseView<'_> {
    /// `14 bytes, 9000: success`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes, {}", self.data.len(), self.sw)
    }
}

/// An owned response: what an [`Application`](crate::Application) returns.
///
/// ```
/// use mpay_apdu::{Response, StatusWord};
/// let r = Response::ok(vec![0x6F, 0x00]);
/// assert_eq!(r.to_bytes(), [0x6F, 0x00, 0x90, 0x00]);
/// assert_eq!(Response::from(StatusWord::NOT_FOUND).to_bytes(), [0x6A, 0x82]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Response {
    /// The data field.
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl Response {
    /// Data and status word.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }
    /// Data with `9000`.
    pub fn ok(data: Vec<u8>) -> Self {
        Response {
            data,
            sw: StatusWord::SUCCESS,
        }
    }
    /// A status word alone.
    pub fn status(sw: StatusWord) -> Self {
        Response {
            data: Vec::new(),
            sw,
        }
    }
    /// Decodes an owned response (copies the data).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        ResponseView::parse(bytes).map(|r| r.to_owned())
    }
    /// Decodes a response, reusing the vector's allocation for the data.
    pub fn from_vec(mut bytes: Vec<u8>) -> Result<Self, Error> {
        let len = bytes.len();
        if len < 2 {
            return Err(Error::ResponseTooShort { len });
        }
        let sw = StatusWord::new(bytes[len - 2], bytes[len - 1]);
        bytes.truncate(len - 2);
        Ok(Response { data: bytes, sw })
    }
    /// A borrowing view.
    pub fn view(&self) -> ResponseView<'_> {
        ResponseView {
            data: &self.data,
            sw: self.sw,
        }
    }
    /// Appends data and SW to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        self.view().encode_into(out)
    }
    /// Data and SW as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode_into(&mut v);
        v
    }
    /// Data and SW, consuming the response (reuses the data allocation).
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.data.extend_from_slice(&self.sw.to_bytes());
        self.data
    }
    /// `Ok(data)` for `9000` (and warnings if `accept_warnings`), else `Err(sw)`.
    pub fn check(self, accept_warnings: bool) -> Result<Vec<u8>, StatusWord> {
        if self.sw == StatusWord::SUCCESS || (accept_warnings && self.sw.is_warning()) {
            Ok(self.data)
        } else {
            Err(self.sw)
        }
    }
}

impl From<StatusWord> for Response {
    fn from(sw: StatusWord) -> Self {
        Response::status(sw)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.view(), f)
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.view(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn parse_and_encode() {
        assert_eq!(
            ResponseView::parse(&[]),
            Err(Error::ResponseTooShort { len: 0 })
        );
        assert_eq!(
            ResponseView::parse(&[0x90]),
            Err(Error::ResponseTooShort { len: 1 })
        );
        let r = ResponseView::parse(&[0x6A, 0x82]).unwrap();
        assert!(r.data().is_empty());
        assert_eq!(r.sw(), StatusWord::NOT_FOUND);
        let owned = Response::from_vec(vec![1, 2, 3, 0x90, 0x00]).unwrap();
        assert_eq!(owned.data, vec![1, 2, 3]);
        assert_eq!(owned.clone().into_bytes(), vec![1, 2, 3, 0x90, 0x00]);
        assert_eq!(owned.to_bytes(), vec![1, 2, 3, 0x90, 0x00]);
        assert_eq!(
            Response::from_vec(vec![0x90]),
            Err(Error::ResponseTooShort { len: 1 })
        );
        assert_eq!(owned.check(false), Ok(vec![1, 2, 3]));
        assert_eq!(
            Response::status(StatusWord::FILE_DEACTIVATED).check(false),
            Err(StatusWord::FILE_DEACTIVATED)
        );
        assert_eq!(
            Response::status(StatusWord::FILE_DEACTIVATED).check(true),
            Ok(vec![])
        );
    }

    #[test]
    fn debug_hides_data() {
        let r = Response::ok(vec![
            0x5A, 0x08, 0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10,
        ]);
        let s = alloc::format!("{r:?} {r}");
        assert!(!s.contains("4761"), "{s}");
        assert_eq!(alloc::format!("{r}"), "10 bytes, 9000: success");
    }
}
