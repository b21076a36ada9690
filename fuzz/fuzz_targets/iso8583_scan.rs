//! The routing scanner on arbitrary bytes: never panics, agrees with a full unpack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_iso8583::{MessageView, scan::scan, specs};

fuzz_target!(|data: &[u8]| {
    for spec in specs::ALL {
        if let Ok(s) = scan(spec, data, &[11, 32, 37, 41]) {
            if let Ok(v) = MessageView::unpack(spec, data) {
                for n in [11, 32, 37, 41] {
                    assert_eq!(s.raw(n), v.raw(n));
                }
            }
        }
    }
});
