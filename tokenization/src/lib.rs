//! Format-preserving (FF1) and vault tokenization of card numbers, EMV payment tokens
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
