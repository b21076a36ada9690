//! ISO 8583 message codec: specs as data, field encodings, bitmaps, field 55 as TLV, MAC hook, framing and matching
//!
//! Part of [mpay](https://example.invalid/mpay).
#![forbid(unsafe_code)]
