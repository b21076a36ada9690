//! ISO 7816-4 command and response APDUs, status words, transports and AID routing for card emulation
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
