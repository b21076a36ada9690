#![no_main]
//! BER-TLV decoding (flat iterator and depth-first walk) under every option combination: never
//! panics, offsets stay inside the input, every value is inside the input, strict acceptance
//! implies default acceptance.
use libfuzzer_sys::fuzz_target;
use mpay_emv_tlv::{Options, Padding, validate};

fuzz_target!(|data: &[u8]| {
    let Some((&cfg, input)) = data.split_first() else {
        return;
    };
    let padding = [Padding::Strict, Padding::Skip00, Padding::Skip00AndFF][(cfg % 3) as usize];
    let opts = Options::new()
        .padding(padding)
        .strict(cfg & 0x04 != 0)
        .lenient(cfg & 0x08 != 0)
        .max_depth((cfg >> 4) as usize);
    for t in opts.walk(input) {
        let Ok(t) = t else { break };
        assert!(t.offset() + t.raw().len() <= input.len());
        assert_eq!(&input[t.offset()..t.offset() + t.raw().len()], t.raw());
        assert!(t.depth() <= opts.max_depth);
        let _ = format!("{t:?}");
    }
    for t in opts.iter(input) {
        let Ok(t) = t else { break };
        assert_eq!(
            t.raw().len(),
            t.value().len() + (t.value_offset() - t.offset())
        );
    }
    if validate(input, Options::strict_ber()).is_ok() {
        assert!(validate(input, Options::new()).is_ok());
    }
});
