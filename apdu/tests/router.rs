//! Router rules: exact vs prefix routes, host/SE priority, SELECT occurrences and P2 variants,
//! default route, logical channels and MANAGE CHANNEL, chaining, response chaining.

use std::sync::{Arc, Mutex};

use mpay_apdu::{
    Application, Card, Command, CommandBuf, Response, Router, StatusWord, Target, Transport,
};

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

type Log = Arc<Mutex<Vec<String>>>;

/// Answers SELECT with its name and the AID, and any other command with name + INS + data.
struct Named {
    name: &'static str,
    log: Log,
}

impl Application for Named {
    fn select(&mut self, aid: &[u8], c: &Command<'_>) -> Response {
        self.log.lock().unwrap().push(format!(
            "{} select {} ch{}",
            self.name,
            hex::encode_upper(aid),
            c.channel()
        ));
        let mut d = self.name.as_bytes().to_vec();
        d.push(b':');
        d.extend_from_slice(aid);
        Response::ok(d)
    }
    fn process(&mut self, c: &Command<'_>) -> Response {
        self.log.lock().unwrap().push(format!(
            "{} {:02X} ch{} nc{}",
            self.name,
            c.ins(),
            c.channel(),
            c.nc()
        ));
        match c.ins() {
            // Long answer for response-chaining tests.
            0xB0 => Response::ok((0..300u16).map(|i| i as u8).collect()),
            // Echo the data.
            0xDA => Response::ok(c.data().to_vec()),
            _ => Response::ok(self.name.as_bytes().to_vec()),
        }
    }
    fn deselect(&mut self, channel: u8) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} deselect ch{channel}", self.name));
    }
}

fn app(name: &'static str, log: &Log) -> Named {
    Named {
        name,
        log: log.clone(),
    }
}

fn select(r: &mut Router, cla: u8, p2: u8, aid: &str) -> Response {
    let aid = hx(aid);
    let mut c = CommandBuf::select_aid(&aid);
    c.cla = mpay_apdu::Class(cla);
    c.p2 = p2;
    Response::from_vec(r.transmit(&c.to_bytes().unwrap()).unwrap()).unwrap()
}

fn who(r: &Response) -> String {
    let end = r
        .data
        .iter()
        .position(|&b| b == b':')
        .unwrap_or(r.data.len());
    String::from_utf8_lossy(&r.data[..end]).into_owned()
}

fn send(r: &mut Router, c: &str) -> Response {
    Response::from_vec(r.transmit(&hx(c)).unwrap()).unwrap()
}

#[test]
fn exact_beats_prefix_and_longest_prefix_wins() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_prefix(&hx("A000000003"), Target::Host, app("visa-prefix", &log));
    r.add_exact(
        &hx("A0000000031010"),
        Target::Host,
        app("visa-credit", &log),
    );
    r.add_prefix(
        &hx("A00000000320"),
        Target::Host,
        app("visa-electron", &log),
    );
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000031010")), "visa-credit");
    assert_eq!(
        who(&select(&mut r, 0, 0, "A0000000032010")),
        "visa-electron"
    );
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000038010")), "visa-prefix");
    // The prefix route selects the name it was given.
    let resp = select(&mut r, 0, 0, "A000000003801002");
    assert_eq!(
        resp.data,
        [b"visa-prefix:".as_slice(), &hx("A000000003801002")].concat()
    );
    assert_eq!(r.selected(0).unwrap().1, hx("A000000003801002"));
}

#[test]
fn host_and_secure_element_priority() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(
        &hx("A0000000041010"),
        Target::SecureElement,
        app("se", &log),
    );
    r.add_exact(&hx("A0000000041010"), Target::Host, app("hce", &log));
    r.add_prefix(
        &hx("A000000004"),
        Target::SecureElement,
        app("se-prefix", &log),
    );
    r.add_prefix(&hx("A000000004"), Target::Host, app("hce-prefix", &log));
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000041010")), "hce");
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000043060")), "hce-prefix");
    r.prefer(Target::SecureElement);
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000041010")), "se");
    assert_eq!(who(&select(&mut r, 0, 0, "A0000000043060")), "se-prefix");
    // The loser is shadowed: "next occurrence" does not reach it.
    assert_eq!(who(&select(&mut r, 0, 0x00, "A0000000041010")), "se");
    let next = select(&mut r, 0, 0x02, "A0000000041010");
    assert_eq!(who(&next), "se-prefix");
    assert_eq!(
        select(&mut r, 0, 0x02, "A0000000041010").sw,
        StatusWord::NOT_FOUND
    );
}

#[test]
fn partial_names_and_occurrences() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("A0000000031010"), Target::Host, app("credit", &log));
    r.add_exact(&hx("A0000000032010"), Target::Host, app("electron", &log));
    r.add_exact(&hx("A0000000041010"), Target::Host, app("mc", &log));
    // First, next, next, then no more.
    assert_eq!(who(&select(&mut r, 0, 0x00, "A000000003")), "credit");
    assert_eq!(who(&select(&mut r, 0, 0x02, "A000000003")), "electron");
    assert_eq!(
        select(&mut r, 0, 0x02, "A000000003").sw,
        StatusWord::NOT_FOUND
    );
    // The failed "next" leaves the selection where it was.
    assert_eq!(r.selected(0).unwrap().1, hx("A0000000032010"));
    // Previous, last.
    assert_eq!(who(&select(&mut r, 0, 0x03, "A000000003")), "credit");
    assert_eq!(
        select(&mut r, 0, 0x03, "A000000003").sw,
        StatusWord::NOT_FOUND
    );
    assert_eq!(who(&select(&mut r, 0, 0x01, "A000000003")), "electron");
    // Next with nothing of this name selected starts at the first.
    assert_eq!(who(&select(&mut r, 0, 0x00, "A0000000041010")), "mc");
    assert_eq!(who(&select(&mut r, 0, 0x02, "A000000003")), "credit");
}

#[test]
fn p2_variants() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F001020304"), Target::Host, app("t", &log));
    // 0C: no response data, still selected.
    let resp = select(&mut r, 0, 0x0C, "F001020304");
    assert_eq!((resp.data.len(), resp.sw), (0, StatusWord::SUCCESS));
    assert!(r.selected(0).is_some());
    // 04 (FCP) and 08 (FMD) pass through with data.
    assert_eq!(who(&select(&mut r, 0, 0x04, "F001020304")), "t");
    assert_eq!(who(&select(&mut r, 0, 0x08, "F001020304")), "t");
    // High bits: wrong P2.
    assert_eq!(
        select(&mut r, 0, 0x10, "F001020304").sw,
        StatusWord::INCORRECT_P1_P2
    );
}

#[test]
fn unknown_aid_and_default_route() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F001020304"), Target::Host, app("t", &log));
    // Before any SELECT: 6F00.
    assert_eq!(send(&mut r, "00B0000000").sw, StatusWord::UNKNOWN);
    assert_eq!(select(&mut r, 0, 0, "F0010203").sw, StatusWord::SUCCESS);
    assert_eq!(
        select(&mut r, 0, 0, "F00102030405").sw,
        StatusWord::NOT_FOUND
    );
    // The previous selection stays.
    assert_eq!(send(&mut r, "00CA000000").data, b"t");
    let d = r.add(app("default", &log));
    r.set_default(Some(d));
    assert_eq!(who(&select(&mut r, 0, 0, "F00102030405")), "default");
    r.reset();
    assert_eq!(send(&mut r, "00CA000000").data, b"default");
}

#[test]
fn select_by_file_id_goes_to_the_selected_application() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("D2760000850101"), Target::Host, app("t4t", &log));
    select(&mut r, 0, 0, "D2760000850101");
    // Type 4 Tag: SELECT CC file by file identifier.
    assert_eq!(send(&mut r, "00A4000C02E103").data, b"t4t");
    assert_eq!(log.lock().unwrap().last().unwrap(), "t4t A4 ch0 nc2");
}

#[test]
fn logical_channels_and_manage_channel() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F0000000A1"), Target::Host, app("a", &log));
    r.add_exact(&hx("F0000000B1"), Target::Host, app("b", &log));
    select(&mut r, 0x00, 0, "F0000000A1");
    // Closed channel.
    assert_eq!(
        send(&mut r, "01CA000000").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
    // Open: the router assigns channel 1.
    assert_eq!(send(&mut r, "0070000001").data, [1]);
    assert!(r.is_open(1));
    // Opened from channel 0: nothing selected on it.
    assert_eq!(send(&mut r, "01CA000000").sw, StatusWord::UNKNOWN);
    assert_eq!(who(&select(&mut r, 0x01, 0, "F0000000B1")), "b");
    assert_eq!(send(&mut r, "00CA000000").data, b"a");
    assert_eq!(send(&mut r, "01CA000000").data, b"b");
    assert_eq!(send(&mut r, "81CA000000").data, b"b");
    // Open channel 5 explicitly, select there with the further interindustry class.
    assert_eq!(send(&mut r, "0070000500").sw, StatusWord::SUCCESS);
    assert_eq!(
        send(&mut r, "0070000500").sw,
        StatusWord::CONDITIONS_NOT_SATISFIED
    );
    assert_eq!(who(&select(&mut r, 0x41, 0, "F0000000A1")), "a");
    assert_eq!(send(&mut r, "41CA000000").data, b"a");
    assert_eq!(log.lock().unwrap().last().unwrap(), "a CA ch5 nc0");
    // Opened from channel 1: inherits channel 1's application.
    assert_eq!(send(&mut r, "0170000001").data, [2]);
    assert_eq!(send(&mut r, "02CA000000").data, b"b");
    // Close channel 1 from channel 0, and channel 2 from itself.
    assert_eq!(send(&mut r, "00708001").sw, StatusWord::SUCCESS);
    assert!(log.lock().unwrap().contains(&"b deselect ch1".to_string()));
    assert_eq!(
        send(&mut r, "01CA000000").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
    assert_eq!(send(&mut r, "02708000").sw, StatusWord::SUCCESS);
    assert_eq!(
        send(&mut r, "02CA000000").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
    // The basic channel cannot be closed; unknown P1; out of range; data.
    assert_eq!(send(&mut r, "00708000").sw, StatusWord::INCORRECT_P1_P2);
    assert_eq!(send(&mut r, "00704000").sw, StatusWord::INCORRECT_P1_P2);
    assert_eq!(send(&mut r, "00700014").sw, StatusWord::INCORRECT_P1_P2);
    assert_eq!(
        send(&mut r, "00708007").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
    assert_eq!(send(&mut r, "007000000101").sw, StatusWord::WRONG_LENGTH);
    // Channel 0 still has its application.
    assert_eq!(send(&mut r, "00CA000000").data, b"a");
}

#[test]
fn channels_run_out() {
    let mut r = Router::with_channels(3);
    assert_eq!(send(&mut r, "0070000001").data, [1]);
    assert_eq!(send(&mut r, "0070000001").data, [2]);
    assert_eq!(
        send(&mut r, "0070000001").sw,
        StatusWord::FUNCTION_NOT_SUPPORTED
    );
    assert_eq!(send(&mut r, "0070000300").sw, StatusWord::INCORRECT_P1_P2);
    let mut basic = Router::with_channels(1);
    assert_eq!(
        send(&mut basic, "0070000001").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
    assert_eq!(
        send(&mut basic, "01CA000000").sw,
        StatusWord::CHANNEL_NOT_SUPPORTED
    );
}

#[test]
fn command_chains_are_joined() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F001020304"), Target::Host, app("t", &log));
    select(&mut r, 0, 0, "F001020304");
    assert_eq!(send(&mut r, "10DA000002AABB").sw, StatusWord::SUCCESS);
    assert_eq!(send(&mut r, "10DA000001CC").sw, StatusWord::SUCCESS);
    let last = send(&mut r, "00DA000001DD00");
    assert_eq!(last.data, hx("AABBCCDD"));
    assert_eq!(log.lock().unwrap().last().unwrap(), "t DA ch0 nc4");
    // Another header in the middle of a chain.
    assert_eq!(send(&mut r, "10DA000001AA").sw, StatusWord::SUCCESS);
    assert_eq!(
        send(&mut r, "10DA000101AA").sw,
        StatusWord::LAST_COMMAND_EXPECTED
    );
    assert_eq!(send(&mut r, "10DA000001AA").sw, StatusWord::SUCCESS);
    assert_eq!(
        send(&mut r, "00CA000000").sw,
        StatusWord::LAST_COMMAND_EXPECTED
    );
}

#[test]
fn long_responses_are_served_with_61xx() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F001020304"), Target::Host, app("t", &log));
    select(&mut r, 0, 0, "F001020304");
    let first = send(&mut r, "00B0000000");
    assert_eq!((first.data.len(), first.sw), (256, StatusWord(0x612C)));
    let rest = send(&mut r, "00C000002C");
    assert_eq!((rest.data.len(), rest.sw), (44, StatusWord::SUCCESS));
    assert_eq!(rest.data[0], 0x00); // byte 256 of 0..300
    // Smaller Le: several rounds.
    let first = send(&mut r, "00B0000064");
    assert_eq!((first.data.len(), first.sw), (100, StatusWord(0x61C8)));
    let two = send(&mut r, "00C0000010");
    assert_eq!((two.data.len(), two.sw), (16, StatusWord(0x61B8)));
    // Any other command drops the rest; GET RESPONSE then goes to the application.
    send(&mut r, "00CA000000");
    assert_eq!(send(&mut r, "00C0000010").data, b"t");
    // Extended Le takes it all at once.
    let all = send(&mut r, "00B00000000000");
    assert_eq!((all.data.len(), all.sw), (300, StatusWord::SUCCESS));
    // Card on top of the router collects everything.
    let mut card = Card::new(r);
    let got = card.send(&CommandBuf::new(0, 0xB0, 0, 0).le(256)).unwrap();
    assert_eq!(got.data, (0..300u16).map(|i| i as u8).collect::<Vec<_>>());
}

#[test]
fn card_chaining_meets_router_reassembly() {
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F001020304"), Target::Host, app("t", &log));
    let mut card = Card::new(r);
    card.send(&CommandBuf::select_aid(&hx("F001020304")))
        .unwrap();
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let got = card
        .send(&CommandBuf::new(0, 0xDA, 0, 0).data(data.clone()).le(1000))
        .unwrap();
    assert_eq!(got.data, data);
    assert_eq!(log.lock().unwrap().last().unwrap(), "t DA ch0 nc1000");
}

#[test]
fn malformed_input_gets_status_words() {
    let mut r = Router::new();
    assert_eq!(r.transmit(&[]).unwrap(), [0x67, 0x00]);
    assert_eq!(r.transmit(&hx("00A4040002AA")).unwrap(), [0x67, 0x00]);
    assert_eq!(r.transmit(&hx("FFA40400")).unwrap(), [0x6E, 0x00]);
    assert_eq!(r.transmit(&hx("20A40400")).unwrap(), [0x6E, 0x00]);
    assert_eq!(r.transmit(&hx("A0A40400")).unwrap(), [0x6E, 0x00]);
}

#[test]
fn refused_selection_leaves_nothing_selected() {
    struct Blocked;
    impl Application for Blocked {
        fn select(&mut self, _aid: &[u8], _c: &Command<'_>) -> Response {
            StatusWord::FUNCTION_NOT_SUPPORTED.into()
        }
        fn process(&mut self, _c: &Command<'_>) -> Response {
            Response::ok(vec![1])
        }
    }
    struct Warned;
    impl Application for Warned {
        fn select(&mut self, _aid: &[u8], _c: &Command<'_>) -> Response {
            Response::new(vec![0x6F, 0x00], StatusWord::FILE_DEACTIVATED)
        }
        fn process(&mut self, _c: &Command<'_>) -> Response {
            Response::ok(vec![2])
        }
    }
    let log = Log::default();
    let mut r = Router::new();
    r.add_exact(&hx("F0000000A1"), Target::Host, app("a", &log));
    r.add_exact(&hx("F0000000B1"), Target::Host, Blocked);
    r.add_exact(&hx("F0000000C1"), Target::Host, Warned);
    select(&mut r, 0, 0, "F0000000A1");
    assert_eq!(
        select(&mut r, 0, 0, "F0000000B1").sw,
        StatusWord::FUNCTION_NOT_SUPPORTED
    );
    assert!(r.selected(0).is_none());
    assert!(log.lock().unwrap().contains(&"a deselect ch0".to_string()));
    // 6283 (application blocked, EMV) still selects.
    assert_eq!(
        select(&mut r, 0, 0, "F0000000C1").sw,
        StatusWord::FILE_DEACTIVATED
    );
    assert_eq!(send(&mut r, "00CA000000").data, [2]);
}

#[test]
fn boxed_applications_register_too() {
    let log = Log::default();
    let boxed: Box<dyn Application + Send> = Box::new(app("boxed", &log));
    let mut r = Router::new();
    r.add_exact(&hx("F0000000D1"), Target::Host, boxed);
    assert_eq!(who(&select(&mut r, 0, 0, "F0000000D1")), "boxed");
    assert_eq!(send(&mut r, "00CA000000").data, b"boxed");
}
