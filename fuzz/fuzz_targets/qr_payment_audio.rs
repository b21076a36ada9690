//! The audio receiver on arbitrary samples: never panics, and anything it returns passes the
//! payment-code format check and re-encodes to a frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_qr_payment::audio::{Mode, Modem, Receiver, is_payment_code, read_wav};

fuzz_target!(|data: &[u8]| {
    // Interpret the input as 16-bit samples, repeated to reach a frame's length.
    let pcm: Vec<f32> = data
        .chunks_exact(2)
        .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
        .collect();
    if !pcm.is_empty() {
        let modem = Modem::new(22_050, Mode::PaymentCode).unwrap();
        let rx = Receiver::new(&modem).with_scales(&[1.0]);
        let need = rx.max_frame_samples() + 100;
        let buf: Vec<f32> = pcm.iter().copied().cycle().take(need).collect();
        for d in rx.decode(&buf) {
            assert!(is_payment_code(&d.code));
            modem.encode(&d.code).unwrap();
        }
    }
    // And as a WAV file.
    let _ = read_wav(std::io::Cursor::new(data), 1 << 16);
});
