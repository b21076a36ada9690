//! Property tests: encode ∘ decode is the identity on canonical input, for messages (whole and
//! chunked), typed records and the CC; decoding arbitrary bytes never panics.
use std::num::NonZeroUsize;

use mpay_nfc_ndef::cc::CapabilityContainer;
use mpay_nfc_ndef::wkt::handover::{AlternativeCarrier, PowerState};
use mpay_nfc_ndef::wkt::{
    CertificateFormat, Handover, HandoverKind, SignatureRecord, SignatureValue, SmartPoster, Text,
    TextEncoding, Uri,
};
use mpay_nfc_ndef::{DecodeOptions, Message, Record, Tnf};
use proptest::prelude::*;

fn record() -> impl Strategy<Value = Record<'static>> {
    let bytes = |n: usize| proptest::collection::vec(any::<u8>(), 0..n);
    (
        0u8..6,
        proptest::collection::vec(any::<u8>(), 1..20),
        bytes(12),
        bytes(400),
    )
        .prop_map(|(tnf, t, id, p)| match tnf {
            0 => Record::empty(),
            1 => Record::new(Tnf::WellKnown, t, id, p),
            2 => Record::new(Tnf::Mime, t, id, p),
            3 => Record::new(Tnf::AbsoluteUri, t, id, p),
            4 => Record::new(Tnf::External, t, id, p),
            _ => Record::new(Tnf::Unknown, vec![], id, p),
        })
}

fn text() -> impl Strategy<Value = Text> {
    ("\\PC{0,30}", "[a-z]{1,8}(-[A-Z]{2})?", any::<bool>()).prop_map(|(text, language, utf16)| {
        Text {
            text,
            language,
            encoding: if utf16 {
                TextEncoding::Utf16
            } else {
                TextEncoding::Utf8
            },
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn message_round_trip(records in proptest::collection::vec(record(), 0..6), chunk in 1usize..300) {
        let msg = Message::from(records);
        let bytes = msg.encode().unwrap();
        prop_assert_eq!(&Message::decode(&bytes).unwrap(), &msg);
        let chunked = msg.encode_chunked(NonZeroUsize::new(chunk).unwrap()).unwrap();
        prop_assert_eq!(&Message::decode(&chunked).unwrap(), &msg);
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), lenient in any::<bool>(), reassemble in any::<bool>()) {
        let opts = DecodeOptions { reassemble, ..if lenient { DecodeOptions::lenient() } else { DecodeOptions::default() } };
        if let Ok(m) = Message::decode_with(&bytes, opts) {
            // what decodes strictly re-encodes to something that decodes to the same records
            if !lenient && reassemble {
                let again = m.encode().unwrap();
                prop_assert_eq!(Message::decode(&again).unwrap(), m);
            }
        }
        let _ = CapabilityContainer::parse(&bytes);
        let _ = SignatureRecord::decode(&bytes);
        let _ = Text::decode(&bytes);
        let _ = SmartPoster::decode(&bytes);
    }

    #[test]
    fn text_round_trip(t in text()) {
        prop_assert_eq!(Text::decode(&t.payload().unwrap()).unwrap(), t);
    }

    #[test]
    fn uri_round_trip(u in "[ -~]{0,40}") {
        let uri = Uri::new(&u);
        prop_assert_eq!(Uri::decode(&uri.payload()).unwrap(), uri);
    }

    #[test]
    fn smart_poster_round_trip(u in "https://[a-z]{1,10}\\.example/[a-z0-9]{0,10}", titles in proptest::collection::vec(text(), 0..3),
                               size in proptest::option::of(any::<u32>()), act in proptest::option::of(0u8..3)) {
        let mut sp = SmartPoster::new(&u);
        sp.titles = titles;
        sp.size = size;
        sp.action = act.map(|a| [mpay_nfc_ndef::wkt::Action::Exec, mpay_nfc_ndef::wkt::Action::Save, mpay_nfc_ndef::wkt::Action::Edit][a as usize]);
        sp.resource_type = size.map(|_| "image/png".to_string());
        prop_assert_eq!(SmartPoster::decode(&sp.payload().unwrap()).unwrap(), sp);
    }

    #[test]
    fn handover_round_trip(crn in any::<u16>(), refs in proptest::collection::vec((0u8..4, "[a-z0-9]{1,6}", proptest::collection::vec("[a-z]{1,3}", 0..3)), 1..4)) {
        for kind in [HandoverKind::Request, HandoverKind::Select] {
            let mut h = Handover::new(kind);
            if kind == HandoverKind::Request { h.collision_resolution = Some(crn); }
            h.alternative_carriers = refs.iter().map(|(cps, r, aux)| AlternativeCarrier {
                power_state: [PowerState::Inactive, PowerState::Active, PowerState::Activating, PowerState::Unknown][*cps as usize],
                carrier_data_reference: r.clone().into_bytes(),
                auxiliary_data_references: aux.iter().map(|a| a.clone().into_bytes()).collect(),
            }).collect();
            let r = h.to_record().unwrap();
            prop_assert_eq!(Handover::from_record(&r).unwrap(), h);
        }
    }

    #[test]
    fn signature_record_round_trip(t in 0u8..0x80, sig in proptest::collection::vec(any::<u8>(), 0..80), by_uri in any::<bool>(),
                                   certs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..16),
                                   m2m in any::<bool>(), cert_uri in proptest::option::of("https://[a-z]{1,10}")) {
        let s = SignatureRecord {
            version: 0x20,
            signature_type: t,
            hash_type: 2,
            signature: if by_uri { SignatureValue::Uri("https://s.example/x".into()) } else { SignatureValue::Bytes(sig) },
            certificate_format: if m2m { CertificateFormat::M2m } else { CertificateFormat::X509 },
            certificates: certs,
            certificate_uri: cert_uri,
        };
        prop_assert_eq!(SignatureRecord::decode(&s.payload().unwrap()).unwrap(), s);
    }

    #[test]
    fn cc_round_trip(fid in 0xE104u16..0xE200, size in 5u16.., mle in 1u16.., mlc in 1u16.., r in any::<u8>(), w in any::<u8>()) {
        let mut cc = CapabilityContainer::new(fid, size, mle, mlc);
        cc.ndef_file.read_access = r;
        cc.ndef_file.write_access = w;
        prop_assert_eq!(CapabilityContainer::parse(&cc.encode()).unwrap(), cc);
    }
}
