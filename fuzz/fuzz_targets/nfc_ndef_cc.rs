//! Type 4 Tag Capability Container parsing: no panics, and parse ∘ encode is the identity.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mpay_nfc_ndef::cc::CapabilityContainer;

fuzz_target!(|data: &[u8]| {
    if let Ok(cc) = CapabilityContainer::parse(data) {
        assert_eq!(
            CapabilityContainer::parse(&cc.encode()).expect("re-parses"),
            cc
        );
        let _ = cc.capacity();
    }
});
