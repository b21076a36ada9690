//! The terminal kernel against a card whose every answer comes from the fuzzer: the kernel
//! must end with Ok or a typed error, never a panic, hang or unbounded allocation.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mpay_apdu::{Application, Card, Command, Response, Router, StatusWord, Target};
use mpay_emv::kernel::{
    CaKey, CaPublicKey, IssuerResponse, Kernel, RandomSelection, TerminalConfig,
    TransactionRequest,
};
use mpay_emv::oda::RsaPublicKey;

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

/// The kernel, built once: `Kernel::new` prepares the SM2 CA key (a fixed-base table, about
/// 1 ms), which is terminal set-up, not per-transaction work.
fn kernel() -> &'static Kernel {
    static KERNEL: OnceLock<Kernel> = OnceLock::new();
    KERNEL.get_or_init(|| {
        // CA keys for both algorithms, so that the ODA paths (certificates, fDDA, DDA with
        // INTERNAL AUTHENTICATE, CDA) run on fuzzed data too; then completion with scripts.
        let mut modulus = [0xC3u8; 64];
        modulus[0] = 0xB5;
        let sm2_ca = mpay_gmt::sm2::PrivateKey::from_bytes(&[0x11; 32]).expect("valid scalar");
        let config = TerminalConfig {
            ca_keys: vec![
                CaKey {
                    rid: [0xA0, 0, 0, 0, 0x03],
                    index: 0x01,
                    key: CaPublicKey::Rsa(RsaPublicKey::new(&modulus, &[3]).expect("valid key")),
                },
                CaKey {
                    rid: [0xA0, 0, 0, 0x03, 0x33],
                    index: 0x01,
                    key: CaPublicKey::Sm2(sm2_ca.public_key()),
                },
            ],
            // Under the floor limit: random selection and velocity checking run too.
            floor_limit: 100_000,
            random_selection: Some(RandomSelection {
                threshold: 10_000,
                target_percent: 20,
                max_target_percent: 60,
            }),
            ..TerminalConfig::demo()
        };
        Kernel::new(config)
    })
}

fuzz_target!(|data: &[u8]| {
    let mut router = Router::new();
    router.add_prefix(&[], Target::Host, Owned(data.to_vec()));
    let mut card = Card::new(router);
    let req = TransactionRequest {
        amount: 50_000, // above the CVM limit: VERIFY is reachable
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0,
        unpredictable_number: [1, 2, 3, 4],
    };
    let kernel = kernel();
    if let Ok(out) = kernel.run_with_pin(&mut card, &req, "1234") {
        if data.first().is_some_and(|b| b & 1 == 1) {
            let _ = kernel.complete_unable_online(&mut card, &out);
        } else {
            let f55 = [0x91, 0x0A, 0, 1, 2, 3, 4, 5, 6, 7, 0x30, 0x30, 0x72, 0x07, 0x86, 0x05, 0x84, 0x1E, 0, 0, 0];
            let _ = kernel.complete(&mut card, &out, &IssuerResponse { arc: *b"00", field55: &f55 });
        }
    }
});
