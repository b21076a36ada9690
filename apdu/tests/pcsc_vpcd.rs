//! End to end through the real PC/SC stack: a `Router` software card served to `pcscd` by the
//! vpcd bridge, driven by `Card` over the `pcsc` transport (reader "Virtual PCD 00 00").
//!
//! Needs `pcscd` with `vsmartcard-vpcd` running and `MPAY_PCSC=1` (`.ci/setup.d/apdu.sh` does
//! both). Without it the test skips, or fails when `MPAY_REQUIRE_PEERS` is set.
#![cfg(feature = "pcsc")]

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use mpay_apdu::pcsc::PcscTransport;
use mpay_apdu::vpcd::{DEFAULT_ADDR, DEFAULT_ATR, VirtualCard};
use mpay_apdu::{
    Application, Card, CardConfig, Command, CommandBuf, Response, Router, StatusWord, Target,
    Transport,
};

const READER: &str = "Virtual PCD 00 00";

fn pcsc_available() -> bool {
    if std::env::var_os("MPAY_PCSC").is_some() {
        return true;
    }
    if std::env::var_os("MPAY_REQUIRE_PEERS").is_some() {
        panic!("MPAY_PCSC is not set: pcscd with vsmartcard-vpcd is required");
    }
    eprintln!("skipping: MPAY_PCSC not set (no pcscd with vsmartcard-vpcd)");
    false
}

struct Payment;
impl Application for Payment {
    fn select(&mut self, aid: &[u8], _c: &Command<'_>) -> Response {
        let mut fci = vec![0x6F, aid.len() as u8 + 2, 0x84, aid.len() as u8];
        fci.extend_from_slice(aid);
        Response::ok(fci)
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        match (c.cla(), c.ins()) {
            (0x80, 0xA8) => Response::ok(vec![0x80, 0x06, 0x19, 0x80, 0x08, 0x01, 0x01, 0x00]),
            // Echo, to check data through chaining and long responses.
            (_, 0xDA) => Response::ok(c.data().to_vec()),
            (_, 0xB0) => Response::ok((0..600u32).map(|i| (i % 251) as u8).collect()),
            _ => StatusWord::INS_NOT_SUPPORTED.into(),
        }
    }
}

fn retry<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out: {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn software_card_through_pcscd_and_vpcd() {
    if !pcsc_available() {
        return;
    }
    let stream = retry("connecting to vpcd", || {
        TcpStream::connect(DEFAULT_ADDR).ok()
    });
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let server = thread::spawn(move || {
        let mut router = Router::new();
        router.add_prefix(&[0xA0, 0x00, 0x00, 0x00, 0x03], Target::Host, Payment);
        VirtualCard::new(router).serve_until(stream, &flag)
    });

    // pcscd notices the card, powers it and reads the ATR on its own schedule: retry the first
    // exchange (a fresh connection each time) until the card answers.
    let transport = retry("a first exchange with the card", || {
        let mut t = PcscTransport::connect(READER).ok()?;
        let r = t.transmit(&hex::decode("00A404000E325041592E5359532E444446303100").unwrap());
        (r.ok()? == [0x6A, 0x82]).then_some(t)
    });
    assert!(
        PcscTransport::readers()
            .unwrap()
            .iter()
            .any(|r| r == READER)
    );
    assert_eq!(transport.atr().unwrap(), DEFAULT_ATR);
    assert!(transport.reader() == READER);
    let mut card = Card::new(transport);

    // Unknown AID, then SELECT by a prefix route and GET PROCESSING OPTIONS.
    let r = card
        .send(&CommandBuf::select_aid(b"2PAY.SYS.DDF01"))
        .unwrap();
    assert_eq!(r.sw, StatusWord::NOT_FOUND);
    let aid = hex::decode("A0000000031010").unwrap();
    let fci = card.send(&CommandBuf::select_aid(&aid)).unwrap();
    assert_eq!((fci.sw, &fci.data[4..]), (StatusWord::SUCCESS, &aid[..]));
    let gpo = card
        .send(
            &CommandBuf::new(0x80, 0xA8, 0, 0)
                .data(vec![0x83, 0x00])
                .le(256),
        )
        .unwrap();
    assert_eq!(gpo.data, [0x80, 0x06, 0x19, 0x80, 0x08, 0x01, 0x01, 0x00]);

    // Command chaining (700 bytes in 255-byte blocks) and a 700-byte response via 61xx.
    let data: Vec<u8> = (0..700u32).map(|i| (i * 13) as u8).collect();
    let echo = card
        .send(&CommandBuf::new(0, 0xDA, 0, 0).data(data.clone()).le(256))
        .unwrap();
    assert_eq!((echo.sw, echo.data.len()), (StatusWord::SUCCESS, 700));
    assert_eq!(echo.data, data);

    // Logical channel 1: open, select, use, close.
    let open = card.send(&CommandBuf::new(0, 0x70, 0, 0).le(1)).unwrap();
    assert_eq!(open.data, [1]);
    let mut sel1 = CommandBuf::select_aid(&aid);
    sel1.cla = mpay_apdu::Class(0x01);
    assert_eq!(card.send(&sel1).unwrap().sw, StatusWord::SUCCESS);
    let long = card
        .send(&CommandBuf::new(0x01, 0xB0, 0, 0).le(256))
        .unwrap();
    assert_eq!(long.data.len(), 600);
    assert_eq!(
        card.send(&CommandBuf::new(0, 0x70, 0x80, 1)).unwrap().sw,
        StatusWord::SUCCESS
    );
    let closed = card
        .send(&CommandBuf::new(0x01, 0xB0, 0, 0).le(256))
        .unwrap();
    assert_eq!(closed.sw, StatusWord::CHANNEL_NOT_SUPPORTED);

    // Extended length through the stack.
    card.config_mut().clone_from(&CardConfig::extended());
    let big = card
        .send(&CommandBuf::new(0, 0xDA, 0, 0).data(data.clone()).le(1000))
        .unwrap();
    assert_eq!(big.data, data);

    drop(card);
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
}
