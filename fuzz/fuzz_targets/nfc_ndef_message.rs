//! NDEF message decoding (strict, lenient, without reassembly), typed content and signed
//! sections: no panics, and what decodes strictly re-encodes to the same records.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mpay_nfc_ndef::{DecodeOptions, Message, wkt};

fuzz_target!(|data: &[u8]| {
    let small = DecodeOptions {
        max_size: 4096,
        ..Default::default()
    };
    for opts in [
        small,
        DecodeOptions {
            reassemble: false,
            ..small
        },
        DecodeOptions {
            max_size: 4096,
            ..DecodeOptions::lenient()
        },
    ] {
        if let Ok(msg) = Message::decode_with(data, opts) {
            for r in &msg.records {
                let _ = wkt::Content::of(r);
            }
            if opts == small {
                let again = msg.encode().expect("a strictly decoded message encodes");
                assert_eq!(Message::decode(&again).expect("re-decodes"), msg);
            }
        }
    }
    let _ = wkt::signed_sections(data, small);
});
