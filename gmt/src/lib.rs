//! GM/T algorithms SM2, SM3 and SM4 with the constructions and formats payment systems use
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
