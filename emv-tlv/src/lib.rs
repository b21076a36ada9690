//! BER-TLV codec, EMV data dictionary and DOLs (EMV Book 3 Annex B, §5.4)
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
