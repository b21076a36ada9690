//! HOTP, TOTP, OCRA, GM/T 0021 one-time passwords and offline payment codes
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
