//! Criterion benches: GENERATE AC command and response decode+encode, Router dispatch of
//! SELECT + GET PROCESSING OPTIONS.
#![allow(missing_docs)] // criterion_group! generates an undocumented function
use criterion::{Criterion, criterion_group, criterion_main};
use mpay_apdu::{
    Application, Command, Response, ResponseView, Router, StatusWord, Target, Transport,
};
use std::hint::black_box;

/// GENERATE AC (ARQC, CDA not requested) with a 29-byte CDOL1 value and Le 00.
const GENERATE_AC: &str = "80AE80001D000000001000000000000000084000000000000978251121005C2B3F8E00";
/// Its format 2 response: CID, ATC, AC, IAD (Visa CVN 10), 9000.
const GENERATE_AC_RESPONSE: &str =
    "77299F2701809F360200019F2608A1B2C3D4E5F607189F10120110A00003220000000000000000000000FF9000";

struct Payment;
impl Application for Payment {
    fn select(&mut self, _aid: &[u8], _c: &Command<'_>) -> Response {
        Response::ok(
            hex::decode("6F1A8407A0000000031010A50F500B56495341204352454449549F38039F6604")
                .unwrap(),
        )
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        match c.ins() {
            0xA8 => Response::ok(vec![0x80, 0x06, 0x00, 0x80, 0x08, 0x01, 0x01, 0x00]),
            _ => StatusWord::INS_NOT_SUPPORTED.into(),
        }
    }
}

fn benches(c: &mut Criterion) {
    let cmd = hex::decode(GENERATE_AC).unwrap();
    let resp = hex::decode(GENERATE_AC_RESPONSE).unwrap();
    assert!(Command::parse(&cmd).is_ok() && ResponseView::parse(&resp).is_ok());
    let mut out = Vec::with_capacity(64);

    c.bench_function("command decode (GENERATE AC)", |b| {
        b.iter(|| Command::parse(black_box(&cmd)).unwrap().ne())
    });
    c.bench_function("command decode+encode (GENERATE AC)", |b| {
        b.iter(|| {
            out.clear();
            Command::parse(black_box(&cmd))
                .unwrap()
                .encode_into(&mut out)
                .unwrap();
            out.len()
        })
    });
    c.bench_function("response decode+encode (GENERATE AC)", |b| {
        b.iter(|| {
            out.clear();
            ResponseView::parse(black_box(&resp))
                .unwrap()
                .encode_into(&mut out);
            out.len()
        })
    });

    let select = hex::decode("00A4040007A000000003101000").unwrap();
    let gpo = hex::decode("80A8000004830211220000").unwrap();
    let mut router = Router::new();
    router.add_prefix(&[0xA0, 0x00, 0x00, 0x00, 0x03], Target::Host, Payment);
    c.bench_function("router dispatch (SELECT + GPO)", |b| {
        b.iter(|| {
            let a = router.transmit(black_box(&select)).unwrap();
            let b2 = router.transmit(black_box(&gpo)).unwrap();
            a.len() + b2.len()
        })
    });
}

criterion_group!(apdu, benches);
criterion_main!(apdu);
