//! EMV contactless card application, terminal kernel and card-scheme cryptography
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
