//! EMVCo merchant- and consumer-presented QR, payment-code images and a chirp-style audio modem
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
