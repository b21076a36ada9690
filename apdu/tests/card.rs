//! `Card` against scripted cards: 61xx GET RESPONSE, 6Cxx resend, command chaining, extended
//! length, and the bounds on every loop.

use mpay_apdu::{Card, CardConfig, Command, CommandBuf, Error, StatusWord, Transport};

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// A card that expects exactly these commands, in order, and gives these responses.
struct Scripted {
    script: Vec<(Vec<u8>, Vec<u8>)>,
    next: usize,
}

impl Scripted {
    fn new(pairs: &[(&str, &str)]) -> Self {
        Scripted {
            script: pairs.iter().map(|(c, r)| (hx(c), hx(r))).collect(),
            next: 0,
        }
    }
    fn done(&self) -> bool {
        self.next == self.script.len()
    }
}

impl Transport for Scripted {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        let (want, resp) = self
            .script
            .get(self.next)
            .unwrap_or_else(|| panic!("unexpected extra command {}", hex::encode(command)));
        assert_eq!(
            hex::encode_upper(command),
            hex::encode_upper(want),
            "command {}",
            self.next
        );
        self.next += 1;
        Ok(resp.clone())
    }
}

/// A card that answers every command with the same bytes, counting commands.
struct Stuck {
    answer: Vec<u8>,
    count: usize,
}

impl Transport for Stuck {
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, Error> {
        self.count += 1;
        Ok(self.answer.clone())
    }
}

fn data(n: usize) -> String {
    (0..n).map(|i| format!("{:02X}", i as u8)).collect()
}

#[test]
fn get_response_after_61xx() {
    // SELECT without Le (T=0 style), card answers 6120, then the FCI comes with GET RESPONSE.
    let fci = data(0x20);
    let mut card = Card::new(Scripted::new(&[
        ("00A4040007A0000000031010", "6120"),
        ("00C0000020", &format!("{fci}9000")),
    ]));
    let cmd = CommandBuf::select_aid(&hx("A0000000031010")).no_le();
    let r = card.send(&cmd).unwrap();
    assert_eq!(r.data, hx(&fci));
    assert_eq!(r.sw, StatusWord::SUCCESS);
    assert!(card.transport_mut().done());
}

#[test]
fn get_response_several_rounds_with_6100() {
    let a = data(256);
    let b = data(256);
    let c = data(10);
    let mut card = Card::new(Scripted::new(&[
        ("00CA9F7F00", &format!("{a}6100")),
        ("00C0000000", &format!("{b}610A")),
        ("00C000000A", &format!("{c}9000")),
    ]));
    let r = card
        .send(&CommandBuf::new(0, 0xCA, 0x9F, 0x7F).le(256))
        .unwrap();
    assert_eq!(r.data.len(), 522);
    assert_eq!(r.data, hx(&format!("{a}{b}{c}")));
}

#[test]
fn resend_with_right_le_on_6cxx() {
    // emvpt's transcript: 00B2010C00 -> 6C32 -> 00B2010C32.
    let rec = data(0x32);
    let mut card = Card::new(Scripted::new(&[
        ("00B2010C00", "6C32"),
        ("00B2010C32", &format!("{rec}9000")),
    ]));
    let r = card
        .send(&CommandBuf::new(0, 0xB2, 0x01, 0x0C).le(256))
        .unwrap();
    assert_eq!(r.data, hx(&rec));
    // 6C00 means 256.
    let mut card = Card::new(Scripted::new(&[
        ("00B2010C10", "6C00"),
        ("00B2010C00", &format!("{}9000", data(256))),
    ]));
    let r = card
        .send(&CommandBuf::new(0, 0xB2, 0x01, 0x0C).le(16))
        .unwrap();
    assert_eq!(r.data.len(), 256);
}

#[test]
fn wrong_le_then_more_data() {
    let mut card = Card::new(Scripted::new(&[
        ("80CA9F1700", "6C04"),
        ("80CA9F1704", "01026102"),
        ("00C0000002", "03049000"),
    ]));
    let r = card
        .send(&CommandBuf::new(0x80, 0xCA, 0x9F, 0x17).le(256))
        .unwrap();
    assert_eq!(r.data, [1, 2, 3, 4]);
}

#[test]
fn get_response_on_the_commands_channel() {
    // Channel 2 (first interindustry), channel 5 (further), proprietary channel 1.
    for (cla, gr) in [("02", "02"), ("41", "41"), ("81", "01"), ("0C", "00")] {
        let mut card = Card::new(Scripted::new(&[
            (&format!("{cla}CA000000"), "6101"),
            (&format!("{gr}C0000001"), "AA9000"),
        ]));
        let cmd = CommandBuf::new(hx(cla)[0], 0xCA, 0, 0).le(256);
        assert_eq!(card.send(&cmd).unwrap().data, [0xAA], "CLA {cla}");
    }
}

#[test]
fn a_card_that_answers_61xx_forever_ends_in_an_error() {
    let mut card = Card::new(Stuck {
        answer: hx("AABB6102"),
        count: 0,
    });
    let e = card
        .send(&CommandBuf::new(0, 0xCA, 0, 0).le(256))
        .unwrap_err();
    assert_eq!(e, Error::GetResponseLimit { rounds: 256 });
    assert_eq!(card.transport_mut().count, 257);

    let config = CardConfig {
        max_get_response: 3,
        ..CardConfig::default()
    };
    let mut card = Card::with_config(
        Stuck {
            answer: hx("6100"),
            count: 0,
        },
        config,
    );
    let e = card.send(&CommandBuf::new(0, 0xCA, 0, 0)).unwrap_err();
    assert_eq!(e, Error::GetResponseLimit { rounds: 3 });
    assert_eq!(card.transport_mut().count, 4);
}

#[test]
fn a_card_that_answers_61xx_with_too_much_data_ends_in_an_error() {
    let config = CardConfig {
        max_response_len: 1000,
        ..CardConfig::default()
    };
    let mut card = Card::with_config(
        Stuck {
            answer: hx(&format!("{}6100", data(256))),
            count: 0,
        },
        config,
    );
    let e = card.send(&CommandBuf::new(0, 0xCA, 0, 0)).unwrap_err();
    assert_eq!(e, Error::ResponseTooLong { limit: 1000 });
    assert_eq!(card.transport_mut().count, 4);
}

#[test]
fn a_card_that_answers_6cxx_forever_ends_in_an_error() {
    let mut card = Card::new(Stuck {
        answer: hx("6C10"),
        count: 0,
    });
    let e = card
        .send(&CommandBuf::new(0, 0xB2, 1, 0x0C).le(256))
        .unwrap_err();
    assert_eq!(
        e,
        Error::WrongLeLimit {
            resends: 2,
            sw: StatusWord(0x6C10)
        }
    );
    assert_eq!(card.transport_mut().count, 3);
}

#[test]
fn loops_can_be_turned_off() {
    let config = CardConfig {
        get_response: false,
        fix_wrong_le: false,
        ..CardConfig::default()
    };
    let mut card = Card::with_config(Scripted::new(&[("00CA000000", "6110")]), config.clone());
    let r = card.send(&CommandBuf::new(0, 0xCA, 0, 0).le(256)).unwrap();
    assert_eq!(r.sw, StatusWord(0x6110));
    let mut card = Card::with_config(Scripted::new(&[("00CA000000", "6C10")]), config);
    let r = card.send(&CommandBuf::new(0, 0xCA, 0, 0).le(256)).unwrap();
    assert_eq!(r.sw, StatusWord(0x6C10));
}

#[test]
fn command_chaining_for_long_data() {
    let d = data(600);
    let (b1, rest) = d.split_at(510);
    let (b2, b3) = rest.split_at(510);
    let mut card = Card::new(Scripted::new(&[
        (&format!("10DA0102FF{b1}"), "9000"),
        (&format!("10DA0102FF{b2}"), "9000"),
        (&format!("00DA01025A{b3}00"), "9000"),
    ]));
    let cmd = CommandBuf::new(0, 0xDA, 0x01, 0x02).data(hx(&d)).le(256);
    assert_eq!(card.send(&cmd).unwrap().sw, StatusWord::SUCCESS);
    assert!(card.transport_mut().done());

    // Smaller blocks when the card says so, proprietary class kept.
    let config = CardConfig {
        max_command_data: 4,
        ..CardConfig::default()
    };
    let mut card = Card::with_config(
        Scripted::new(&[
            ("90E2000004 00010203", "9000"),
            ("90E2000004 04050607", "9000"),
            ("80E2000002 0809", "6A80"),
        ]),
        config,
    );
    let cmd = CommandBuf::new(0x80, 0xE2, 0, 0).data(hx(&data(10)));
    assert_eq!(card.send(&cmd).unwrap().sw, StatusWord::WRONG_DATA);
}

#[test]
fn chaining_rejected_by_the_card() {
    let d = data(300);
    let mut card = Card::new(Scripted::new(&[(
        &format!("10DA0102FF{}", &d[..510]),
        "6884",
    )]));
    let cmd = CommandBuf::new(0, 0xDA, 0x01, 0x02).data(hx(&d));
    assert_eq!(
        card.send(&cmd).unwrap_err(),
        Error::ChainingRejected {
            block: 0,
            blocks: 2,
            sw: StatusWord::CHAINING_NOT_SUPPORTED
        }
    );
}

#[test]
fn extended_length_when_the_card_allows_it() {
    let d = data(600);
    let mut card = Card::with_config(
        Scripted::new(&[(&format!("00DA0102000258{d}03E8"), "9000")]),
        CardConfig::extended(),
    );
    let cmd = CommandBuf::new(0, 0xDA, 0x01, 0x02).data(hx(&d)).le(1000);
    assert_eq!(card.send(&cmd).unwrap().sw, StatusWord::SUCCESS);

    // Without extended length, Ne 1000 becomes Le 00 and the rest comes with 61xx.
    let mut card = Card::new(Scripted::new(&[
        ("00B0000000", &format!("{}6100", data(256))),
        ("00C0000000", &format!("{}9000", data(256))),
    ]));
    let r = card.send(&CommandBuf::new(0, 0xB0, 0, 0).le(1000)).unwrap();
    assert_eq!(r.data.len(), 512);

    // A forced extended form on a short-only card is sent short.
    let mut card = Card::new(Scripted::new(&[("00B0000010", "9000")]));
    let cmd = CommandBuf::new(0, 0xB0, 0, 0)
        .le(16)
        .form(Some(mpay_apdu::LengthForm::Extended));
    card.send(&cmd).unwrap();
}

#[test]
fn transport_and_framing_errors() {
    struct Broken;
    impl Transport for Broken {
        fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, Error> {
            Err(Error::Transport("reader removed".into()))
        }
    }
    let mut card = Card::new(Broken);
    assert_eq!(
        card.send(&CommandBuf::new(0, 0xCA, 0, 0)).unwrap_err(),
        Error::Transport("reader removed".into())
    );
    let mut card = Card::new(Scripted::new(&[("00CA0000", "90")]));
    assert_eq!(
        card.send(&CommandBuf::new(0, 0xCA, 0, 0)).unwrap_err(),
        Error::ResponseTooShort { len: 1 }
    );
    let mut card = Card::new(Scripted::new(&[]));
    let bad = CommandBuf::new(0, 0xCA, 0, 0).le(0);
    assert_eq!(card.send(&bad).unwrap_err(), Error::LeOutOfRange { ne: 0 });
    let view = Command::new(0xFF, 0xCA, 0, 0, &[0u8; 300], None);
    assert!(matches!(
        card.send_command(&view).unwrap_err(),
        Error::InvalidClass { cla: 0xFF, .. }
    ));
}
