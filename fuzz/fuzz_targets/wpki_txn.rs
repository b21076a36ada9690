#![no_main]
//! Signed-transaction decoding (`SignedTransaction`, `Transaction`, GM/T 0010 wrapping) of
//! arbitrary bytes: never panics, and a `Transaction` that decodes re-encodes to the same DER.
use libfuzzer_sys::fuzz_target;
use mpay_wpki::txn::{SignedTransaction, Transaction};

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Transaction::from_der(data) {
        assert_eq!(t.to_der().expect("decoded transaction encodes"), data);
        let _ = format!("{t:?}");
    }
    if let Ok(s) = SignedTransaction::from_der(data) {
        let again = s.to_der().expect("decoded signed transaction encodes");
        let back = SignedTransaction::from_der(&again).expect("re-encoding decodes");
        assert_eq!(back.transaction(), s.transaction());
    }
    let _ = mpay_gmt::cms::SignedData::from_der(data);
});
