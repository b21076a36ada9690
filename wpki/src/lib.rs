//! Wireless PKI for wallets: CA, CSR, issuance, path validation, CRL, OCSP, signed transactions
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
