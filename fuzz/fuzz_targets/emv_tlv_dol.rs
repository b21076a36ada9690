#![no_main]
//! DOLs: parse, build from TLV data (no allocation path) and split back: never panics; built
//! data is exactly the DOL's length and splits into one value per entry of the entry's length.
use libfuzzer_sys::fuzz_target;
use mpay_emv_tlv::Dol;
use mpay_emv_tlv::dol::Encoded;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (dol_bytes, tlv) = rest.split_at((n as usize).min(rest.len()));
    let Ok(dol) = Dol::parse(dol_bytes) else {
        return;
    };
    let mut out = vec![0u8; dol.data_len()];
    assert_eq!(dol.build(&Encoded(tlv), &mut out), Ok(dol.data_len()));
    let pairs: Vec<_> = dol.split(&out).unwrap().collect();
    assert_eq!(pairs.len(), dol.len());
    for (e, (t, v)) in dol.entries().zip(&pairs) {
        assert_eq!((e.tag, e.len), (*t, v.len()));
    }
    if !out.is_empty() {
        assert!(dol.split(&out[1..]).is_err());
    }
});
