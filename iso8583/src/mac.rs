//! The MAC hook. The spec says which bytes a MAC covers ([`crate::spec::MacSpec`]) and the MAC
//! goes in field 64 (or 128 with a secondary bitmap); the algorithm (ANSI X9.19, ISO 9797-1,
//! the UnionPay POS MAC, …) is the caller's, through [`Mac`]. Verification compares in
//! constant time (`subtle`).

use crate::error::{Error, Result};
use subtle::ConstantTimeEq;

/// A MAC algorithm with its key, supplied by the caller (the `emv` crate implements it for the
/// card-scheme MACs).
///
/// ```
/// use mpay_iso8583::{mac::Mac, specs::CUP_POS, Message, MessageView};
/// /// A toy keyed checksum, for the example only: XOR of the MAB into 8 bytes, then the key.
/// struct Toy([u8; 8]);
/// impl Mac for Toy {
///     fn len(&self) -> usize { 8 }
///     fn compute(&self, mab: &[u8], out: &mut [u8]) -> mpay_iso8583::Result<()> {
///         out.copy_from_slice(&self.0);
///         for (i, b) in mab.iter().enumerate() { out[i % 8] ^= b; }
///         Ok(())
///     }
/// }
/// let mut m = Message::new(&CUP_POS, "0200".parse().unwrap());
/// m.set(11, "000123").unwrap();
/// let mut buf = Vec::new();
/// m.pack_with_mac(&Toy(*b"12345678"), &mut buf).unwrap();
/// let v = MessageView::unpack(&CUP_POS, &buf).unwrap();
/// assert!(v.verify_mac(&Toy(*b"12345678")).is_ok());
/// assert!(v.verify_mac(&Toy(*b"87654321")).is_err());
/// ```
pub trait Mac {
    /// Length of the MAC in bytes (the MAC field's length, usually 8).
    fn len(&self) -> usize;

    /// Computes the MAC of `mab` into `out` (exactly `len()` bytes).
    fn compute(&self, mab: &[u8], out: &mut [u8]) -> Result<()>;

    /// Never empty; provided for clippy's `len_without_is_empty`.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Computes the MAC of `mab` and compares it with `got` in constant time.
pub fn verify(mac: &dyn Mac, mab: &[u8], got: &[u8], field: u16) -> Result<()> {
    let n = mac.len();
    let mut buf = [0u8; 32];
    if n == 0 || n > buf.len() {
        return Err(Error::Mac("MAC length must be 1..=32 bytes"));
    }
    mac.compute(mab, &mut buf[..n])?;
    let same = got.len() == n && bool::from(buf[..n].ct_eq(got));
    if same {
        Ok(())
    } else {
        Err(Error::MacMismatch { field })
    }
}
