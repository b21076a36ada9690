//! The frame decoder on arbitrary streams: never panics, never reads past the input, and what
//! it decodes re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_iso8583::frame::{Framing, LengthHeader};

fuzz_target!(|data: &[u8]| {
    for h in [
        LengthHeader::Binary2,
        LengthHeader::Bcd2,
        LengthHeader::Ascii4,
        LengthHeader::Binary4,
    ] {
        let f = Framing::new(h, 8192);
        let mut rest = data;
        while let Ok(Some((frame, used))) = f.decode(rest) {
            let mut out = Vec::new();
            f.encode(frame, &mut out).unwrap();
            assert_eq!(out, &rest[..used]);
            rest = &rest[used..];
        }
    }
});
