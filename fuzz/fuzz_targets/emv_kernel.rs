//! The terminal kernel against a card whose every answer comes from the fuzzer: the kernel
//! must end with Ok or a typed error, never a panic, hang or unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_apdu::{Application, Card, Command, Response, Router, StatusWord, Target};
use mpay_emv::kernel::{Kernel, TerminalConfig, TransactionRequest};

struct Fuzzed<'a> {
    data: &'a [u8],
}

impl Fuzzed<'_> {
    fn next(&mut self) -> Response {
        // Each answer: one length byte, that many bytes (the last two are SW1 SW2).
        let Some((&n, rest)) = self.data.split_first() else {
            return StatusWord::SUCCESS.into();
        };
        let n = usize::from(n).min(rest.len());
        let (answer, rest) = rest.split_at(n);
        self.data = rest;
        if answer.len() < 2 {
            return StatusWord::SUCCESS.into();
        }
        let (body, sw) = answer.split_at(answer.len() - 2);
        Response::new(body.to_vec(), StatusWord::new(sw[0], sw[1]))
    }
}

struct Owned(Vec<u8>);

impl Application for Owned {
    fn select(&mut self, _aid: &[u8], _c: &Command<'_>) -> Response {
        self.answer()
    }
    fn process(&mut self, _c: &Command<'_>) -> Response {
        self.answer()
    }
}

impl Owned {
    fn answer(&mut self) -> Response {
        let mut f = Fuzzed { data: &self.0 };
        let r = f.next();
        let used = self.0.len() - f.data.len();
        self.0.drain(..used);
        r
    }
}

fuzz_target!(|data: &[u8]| {
    let mut router = Router::new();
    router.add_prefix(&[], Target::Host, Owned(data.to_vec()));
    let mut card = Card::new(router);
    let req = TransactionRequest {
        amount: 1000,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0,
        unpredictable_number: [1, 2, 3, 4],
    };
    let _ = Kernel::new(TerminalConfig::demo()).run(&mut card, &req);
});
