#![no_main]
//! Offline mutual-authentication message decoding (`PosChallenge`, `PhoneResponse`,
//! `OfflinePayment`, `PosReceipt`) of arbitrary bytes: never panics, and what decodes
//! re-encodes to something that decodes to the same value.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::mutual::{OfflinePayment, PhoneResponse, PosChallenge, PosReceipt};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = PosChallenge::from_der(data) {
        let again = c.to_der().expect("decoded challenge encodes");
        let back = PosChallenge::from_der(&again).expect("re-encoding decodes");
        assert_eq!(back.challenge, c.challenge);
        assert_eq!(back.amount, c.amount);
    }
    if let Ok(p) = OfflinePayment::from_der(data) {
        assert_eq!(p.to_der().expect("decoded payment encodes"), data);
    }
    if let Ok(r) = PhoneResponse::from_der(data) {
        let _ = r.payment().counter();
    }
    if let Ok(r) = PosReceipt::from_der(data) {
        let again = r.to_der().expect("decoded receipt encodes");
        let back = PosReceipt::from_der(&again).expect("re-encoding decodes");
        assert_eq!(back.content(), r.content());
    }
});
