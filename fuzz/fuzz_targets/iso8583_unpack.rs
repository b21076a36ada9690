//! Unpack under every shipped spec: never panics; what unpacks packs back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_iso8583::{Message, MessageView, specs};

fuzz_target!(|data: &[u8]| {
    for spec in specs::ALL {
        let (_partial, _err) = MessageView::unpack_partial(spec, data);
        if let Ok(v) = MessageView::unpack(spec, data) {
            let _ = v.describe();
            let _ = v.get_path("55.9F26");
            let _ = v.get_path("60.1");
            if let Ok(m) = Message::unpack(spec, data) {
                let packed = m.pack().expect("an unpacked message packs");
                let again = MessageView::unpack(spec, &packed).expect("repacked unpacks");
                assert_eq!(again.mti(), v.mti());
            }
        }
    }
});
