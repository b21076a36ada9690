//! Card-scheme cryptography: keys, MACs, key derivation, cryptograms, CVN profiles, secure
//! messaging, PIN blocks and card verification values.
//!
//! Everything here is deterministic and side-effect free; secrets zeroize on drop and never
//! appear in `Debug` output, and every verification compares in constant time.

pub mod ac;
pub mod cvn;
pub mod cvv;
pub mod emv_aes;
pub mod kd;
pub mod keys;
pub mod mac;
pub mod pboc;
pub mod pin;
pub mod posmac;
pub mod sm;

pub(crate) mod util;
