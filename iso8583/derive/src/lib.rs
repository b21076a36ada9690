//! `#[derive(Iso8583)]` for `mpay-iso8583`.
#![forbid(unsafe_code)]
