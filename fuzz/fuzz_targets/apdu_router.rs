#![no_main]
//! Router dispatch of arbitrary command sequences (SELECT, MANAGE CHANNEL, chaining, GET
//! RESPONSE on any channel): every input gets a response with a status word, never a panic.
use libfuzzer_sys::fuzz_target;
use mpay_apdu::{Application, Command, Response, Router, StatusWord, Target, Transport};

struct Echo;
impl Application for Echo {
    fn select(&mut self, aid: &[u8], _c: &Command<'_>) -> Response {
        Response::ok(aid.to_vec())
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        match c.ins() {
            0xB0 => Response::ok(vec![0x5A; 300]),
            0x6A => StatusWord::NOT_FOUND.into(),
            _ => Response::ok(c.data().to_vec()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Router::with_channels(4);
    r.add_exact(&[0xA0, 0, 0, 0, 3, 0x10, 0x10], Target::Host, Echo);
    r.add_exact(&[0xA0, 0, 0, 0, 3, 0x10, 0x10], Target::SecureElement, Echo);
    r.add_prefix(&[0xA0, 0, 0, 0, 4], Target::Host, Echo);
    let d = r.add(Echo);
    if data.first().is_some_and(|b| b & 1 == 1) {
        r.set_default(Some(d));
    }
    // Commands separated by a length byte.
    let mut rest = data.get(1..).unwrap_or_default();
    while let Some((&n, tail)) = rest.split_first() {
        let n = (n as usize).min(tail.len());
        let (cmd, next) = tail.split_at(n);
        let resp = r.transmit(cmd).unwrap();
        assert!(resp.len() >= 2);
        rest = next;
    }
});
