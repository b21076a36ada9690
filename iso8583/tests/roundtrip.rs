//! Proptest round trips: for random messages under each shipped spec (and a tertiary-bitmap
//! EBCDIC spec), unpack(pack(m)) == m and pack(unpack(x)) == x.

mod common;

use common::{Rng, random_message};
use mpay_iso8583::{Message, MessageView, specs};
use proptest::prelude::*;

fn check(spec: &'static mpay_iso8583::Spec, seed: u64) {
    let mut rng = Rng(seed);
    let m = random_message(spec, &mut rng, |f| f.sub.is_none() && f.number != 128);
    let wire = m.pack().unwrap();
    let v = MessageView::unpack(spec, &wire).unwrap();
    let back = v.to_message();
    assert_eq!(back, m);
    let again = Message::unpack(spec, &wire).unwrap().pack().unwrap();
    assert_eq!(again, wire);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn iso87_ascii(seed in any::<u64>()) { check(&specs::ISO87_ASCII, seed) }
    #[test]
    fn iso87_binary(seed in any::<u64>()) { check(&specs::ISO87_BINARY, seed) }
    #[test]
    fn iso93_ascii(seed in any::<u64>()) { check(&specs::ISO93_ASCII, seed) }
    #[test]
    fn cup_pos(seed in any::<u64>()) { check(&specs::CUP_POS, seed) }
    /// What unpacks after a random byte change still packs, and the result unpacks again
    /// (the property the `iso8583_unpack` fuzz target checks).
    #[test]
    fn mutated_messages_repack(seed in any::<u64>(), at in any::<usize>(), byte in any::<u8>()) {
        for spec in specs::ALL {
            let mut rng = Rng(seed);
            let m = random_message(spec, &mut rng, |f| f.number != 128);
            let mut wire = m.pack().unwrap();
            let i = at % wire.len();
            wire[i] = byte;
            if let Ok(u) = Message::unpack(spec, &wire) {
                let packed = u.pack().expect("an unpacked message packs");
                let again = MessageView::unpack(spec, &packed).expect("repacked unpacks");
                prop_assert_eq!(again.mti(), u.mti);
            }
        }
    }

    #[test]
    fn unpack_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for s in specs::ALL {
            let (_v, _e) = MessageView::unpack_partial(s, &bytes);
            let _ = Message::unpack(s, &bytes);
            let _ = mpay_iso8583::scan::scan(s, &bytes, &[11, 32, 37, 41]);
        }
    }
}
