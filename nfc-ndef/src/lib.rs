//! NFC NDEF messages and records, signature records, and the Type 4 Tag over APDUs
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
