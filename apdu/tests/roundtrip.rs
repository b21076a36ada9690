//! Property tests: encode∘decode is the identity on canonical input, every accepted byte string
//! re-encodes to itself, and nothing panics.

use mpay_apdu::{Command, CommandBuf, LengthForm, Response, ResponseView, Router, Transport};
use proptest::prelude::*;

fn ne_strategy() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![
        Just(None),
        (1usize..=256).prop_map(Some),
        Just(Some(65536)),
        (257usize..=65536).prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn command_build_encode_decode(
        cla in any::<u8>(), ins in any::<u8>(), p1 in any::<u8>(), p2 in any::<u8>(),
        data in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..=255),
            proptest::collection::vec(any::<u8>(), 256..=600),
        ],
        ne in ne_strategy(),
        force_extended in any::<bool>(),
    ) {
        let form = force_extended.then_some(LengthForm::Extended);
        let built = CommandBuf { cla: mpay_apdu::Class(cla), ins, p1, p2, data: data.clone(), ne, form };
        let bytes = built.to_bytes().unwrap();
        let back = Command::parse(&bytes).unwrap();
        prop_assert_eq!((back.cla(), back.ins(), back.p1(), back.p2()), (cla, ins, p1, p2));
        prop_assert_eq!(back.data(), &data[..]);
        prop_assert_eq!(back.ne(), ne);
        let extended = force_extended && !(data.is_empty() && ne.is_none())
            || data.len() > 255 || ne.is_some_and(|n| n > 256);
        prop_assert_eq!(back.form() == LengthForm::Extended, extended);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes.clone());
        prop_assert_eq!(back.encoded_len().unwrap(), bytes.len());
        prop_assert_eq!(back.to_owned().to_bytes().unwrap(), bytes);
    }

    #[test]
    fn accepted_commands_are_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(c) = Command::parse(&bytes) {
            prop_assert_eq!(c.to_bytes().unwrap(), bytes);
        }
    }

    #[test]
    fn structured_near_misses_never_panic(
        header in proptest::collection::vec(any::<u8>(), 4),
        marker in prop_oneof![Just(0u8), any::<u8>()],
        lc_hi in prop_oneof![Just(0u8), Just(1u8), any::<u8>()],
        lc_lo in any::<u8>(),
        tail in proptest::collection::vec(any::<u8>(), 0..270),
    ) {
        let mut b = header;
        b.push(marker);
        b.push(lc_hi);
        b.push(lc_lo);
        b.extend_from_slice(&tail);
        for n in 4..=b.len() {
            if let Ok(c) = Command::parse(&b[..n]) {
                prop_assert_eq!(c.to_bytes().unwrap(), &b[..n]);
            }
        }
    }

    #[test]
    fn response_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
        let r = Response::new(data, mpay_apdu::StatusWord(sw));
        let bytes = r.to_bytes();
        prop_assert_eq!(ResponseView::parse(&bytes).unwrap().to_owned(), r.clone());
        prop_assert_eq!(Response::from_vec(bytes.clone()).unwrap(), r);
        let v = ResponseView::parse(&bytes).unwrap();
        let mut out = Vec::new();
        v.encode_into(&mut out);
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn router_answers_anything_with_a_status_word(
        cmds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 0..16)
    ) {
        let mut r = Router::new();
        for c in cmds {
            let resp = r.transmit(&c).unwrap();
            prop_assert!(resp.len() >= 2);
        }
    }
}
