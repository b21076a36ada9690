#![no_main]
//! OCRA suite parsing: never panics; an accepted suite displays as its input, and a DataInput
//! built from it has the length its parts imply.
use libfuzzer_sys::fuzz_target;
use mpay_otp::ocra::OcraSuite;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(suite) = s.parse::<OcraSuite>() {
        assert_eq!(suite.to_string(), s);
        let input = mpay_otp::ocra::OcraInput {
            counter: suite.has_counter().then_some(1),
            question: "1234",
            pin_hash: None,
            session: suite.session_len().map(|_| &b"s"[..]),
            timestamp: suite.timestep_seconds().map(|_| 1),
        };
        if suite.pin().is_none() {
            let d = suite.data_input(&input).unwrap();
            let expected = s.len()
                + 1
                + 128
                + if suite.has_counter() { 8 } else { 0 }
                + suite.session_len().map_or(0, usize::from)
                + if suite.timestep_seconds().is_some() {
                    8
                } else {
                    0
                };
            assert_eq!(d.len(), expected);
        }
    }
});
