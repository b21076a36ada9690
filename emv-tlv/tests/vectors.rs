//! Real card data (tests/vectors/*.txt, each naming its source): transcripts, padding cases,
//! field 55, and DOL building checked against the command data the real terminal sent.

mod common;

use common::{get, load};
use mpay_emv_tlv::decode::{Aip, CvmCondition, CvmList, CvmMethod};
use mpay_emv_tlv::{Dol, Error, Options, Padding, Tag, Tree, dictionary, iter, validate, walk};

const VISA: &str = "visa_lloyds_contactless.txt";
const GIRO: &str = "girocard_contactless.txt";
const PAD: &str = "padding_and_field55.txt";

fn t(v: u32) -> Tag {
    Tag::new(v)
}

#[test]
fn visa_transcript_parses_strictly_and_round_trips() {
    for (name, bytes) in load(VISA) {
        validate(&bytes, Options::strict_ber()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tree = Tree::parse(&bytes).unwrap();
        assert_eq!(
            tree.to_vec().unwrap(),
            bytes,
            "{name}: canonical round trip"
        );
    }
}

#[test]
fn visa_ppse_select_gpo_records() {
    let ppse = get(VISA, "ppse");
    let tree = Tree::parse(&ppse).unwrap();
    let apps = tree.find_all("BF0C/61");
    assert_eq!(apps.len(), 1);
    assert_eq!(
        apps[0].child(t(0x4F)).unwrap().value(),
        hex::decode("A0000000031010").unwrap()
    );
    assert_eq!(tree.find("/6F/84").unwrap().value(), b"2PAY.SYS.DDF01");

    let select = get(VISA, "select_aid_a0000000031010");
    let tree = Tree::parse(&select).unwrap();
    assert_eq!(tree.find("6F/A5/50").unwrap().value(), b"VISA DEBIT      ");
    // BF63 { DF20 01 80 } is a real nested private template inside BF0C.
    assert_eq!(tree.find("BF0C/BF63/DF20").unwrap().value(), [0x80]);
    let pdol = Dol::parse(tree.find("A5/9F38").unwrap().value()).unwrap();
    assert_eq!(pdol.len(), 9);
    assert_eq!(pdol.data_len(), 0x21);

    let gpo = get(VISA, "gpo");
    let tree = Tree::parse(&gpo).unwrap();
    let sdad = tree.find("77/9F4B").unwrap();
    assert_eq!(sdad.value().len(), 128); // long form 81 80
    let aip = Aip::from_bytes(tree.find("77/82").unwrap().value()).unwrap();
    assert!(aip.is_set(Aip::DDA_SUPPORTED));
    let t2 = tree.find("77/57").unwrap();
    assert_eq!(
        dictionary::masked(t2.tag(), t2.value()).to_string(),
        "492182******6752D********************F"
    );

    let rec6 = get(VISA, "read_record_sfi2_rec6");
    let tree = Tree::parse(&rec6).unwrap();
    let pan = tree.find("70/5A").unwrap();
    assert_eq!(
        dictionary::masked(pan.tag(), pan.value()).to_string(),
        "492182******6752"
    );
    assert_eq!(tree.value_of(t(0x5F24)), Some(&[0x25, 0x02, 0x28][..]));
    let rec3 = get(VISA, "read_record_sfi2_rec3");
    assert_eq!(
        Tree::parse(&rec3).unwrap().value_of(t(0x90)).unwrap().len(),
        0xF8
    );
}

/// The PDOL data built from the values the real terminal used equals the GPO command data it
/// sent (`80A8000023 8321 <this> 00` in the transcript).
#[test]
fn visa_pdol_build_matches_the_real_gpo_command() {
    let select = get(VISA, "select_aid_a0000000031010");
    let tree = Tree::parse(&select).unwrap();
    let pdol = Dol::parse(tree.find("A5/9F38").unwrap().value()).unwrap();
    let src: [(Tag, &[u8]); 9] = [
        (t(0x9F66), &[0x27, 0, 0, 0]),
        (t(0x9F02), &[0x10, 0x00]), // n: short, padded on the left
        (t(0x9F03), &[0, 0, 0, 0, 0, 0]),
        (t(0x9F1A), &[0x09, 0x78]),
        (t(0x95), &[0, 0, 0, 0, 0]),
        (t(0x5F2A), &[0x09, 0x78]),
        (t(0x9A), &[0x23, 0x03, 0x01]),
        (t(0x9C), &[0x00]),
        (t(0x9F37), &[0x38, 0x39, 0x30, 0x31]),
    ];
    let mut out = [0u8; 64];
    let n = pdol.build(&src, &mut out).unwrap();
    assert_eq!(
        hex::encode_upper(&out[..n]),
        "270000000000000010000000000000000978000000000009782303010038393031"
    );
    // The card side splits it back.
    let back: Vec<(Tag, &[u8])> = pdol.split(&out[..n]).unwrap().collect();
    assert_eq!(back[8], (t(0x9F37), &[0x38, 0x39, 0x30, 0x31][..]));
}

#[test]
fn girocard_ppse_keeps_three_61_entries_in_order() {
    let ppse = get(GIRO, "ppse");
    let tree = Tree::parse(&ppse).unwrap();
    let aids: Vec<String> = tree
        .find_all("61/4F")
        .iter()
        .map(|n| hex::encode_upper(n.value()))
        .collect();
    assert_eq!(
        aids,
        [
            "A00000005945430100",
            "A0000003591010028001",
            "D27600002547410100"
        ]
    );
    assert_eq!(tree.find_all("BF0C/61").len(), 3);
    // The flat iterator over BF0C's content sees the duplicates too, without allocating.
    let bf0c = walk(&ppse).find(t(0xBF0C)).unwrap().unwrap();
    let tags: Vec<Tag> = bf0c
        .children(Options::new())
        .map(|r| r.unwrap().tag())
        .collect();
    assert_eq!(tags, [t(0x61); 3]);
    assert_eq!(tree.to_vec().unwrap(), ppse);
}

#[test]
fn girocard_record_with_00_padding_inside_70() {
    let rec = get(GIRO, "read_record_sfi4_rec1");
    let tree = Tree::parse(&rec).unwrap();
    let kids: Vec<Tag> = tree.roots()[0].children().iter().map(|n| n.tag()).collect();
    assert_eq!(kids, [t(0x9F47), t(0x9F48)]);
    assert_eq!(
        validate(&rec, Options::new().padding(Padding::Strict)),
        Err(Error::Padding {
            offset: 21,
            byte: 0
        })
    );
    // Canonical re-encoding drops the padding.
    let canon = tree.to_vec().unwrap();
    assert_eq!(canon.len(), 2 + 19);
    assert_eq!(canon[1], 19);
}

#[test]
fn girocard_cvm_list_cdol_and_gpo_pdol() {
    let rec7 = get(GIRO, "read_record_sfi1_rec7");
    let tree = Tree::parse(&rec7).unwrap();
    let cvm = CvmList::parse(tree.value_of(t(0x8E)).unwrap()).unwrap();
    let rules: Vec<_> = cvm.rules().map(|r| (r.method, r.condition)).collect();
    assert_eq!(
        rules,
        [
            (CvmMethod::NoCvmRequired, CvmCondition::TerminalSupportsCvm),
            (
                CvmMethod::EncipheredPinOnline,
                CvmCondition::TerminalSupportsCvm
            )
        ]
    );
    let rec3 = get(GIRO, "read_record_sfi1_rec3");
    let tree = Tree::parse(&rec3).unwrap();
    let cdol1 = Dol::parse(tree.value_of(t(0x8C)).unwrap()).unwrap();
    assert_eq!((cdol1.len(), cdol1.data_len()), (10, 33));
    let cdol2 = Dol::parse(tree.value_of(t(0x8D)).unwrap()).unwrap();
    assert_eq!(cdol2.data_len(), 16 + 2 + 5 + 4);
    // PDOL 9F02 06 9F1D 02 → the transcript's GPO command data 000000001000 0000.
    let select = get(GIRO, "select_aid_a00000005945430100");
    let st = Tree::parse(&select).unwrap();
    let pdol = Dol::parse(st.find("A5/9F38").unwrap().value()).unwrap();
    let src: [(Tag, &[u8]); 1] = [(t(0x9F02), &[0, 0, 0, 0, 0x10, 0])];
    assert_eq!(pdol.build_vec(&src).unwrap(), [0, 0, 0, 0, 0x10, 0, 0, 0]);
    // The 19-digit PAN (cn, F-padded) masks first 6 / last 4.
    let rec5 = get(GIRO, "read_record_sfi1_rec5");
    let t5 = Tree::parse(&rec5).unwrap();
    let pan = t5.get(t(0x5A)).unwrap();
    assert_eq!(
        dictionary::masked(pan.tag(), pan.value()).to_string(),
        "672642*********6007F"
    );
}

#[test]
fn all_real_responses_parse_with_default_options() {
    for file in [VISA, GIRO] {
        for (name, bytes) in load(file) {
            let n = walk(&bytes).count();
            assert!(n > 1, "{file} {name}");
            validate(&bytes, Options::new()).unwrap_or_else(|e| panic!("{file} {name}: {e}"));
        }
    }
}

#[test]
fn cdet_ff_padding_needs_the_ff_policy() {
    let rec = get(PAD, "cdet_ff_padding");
    // With only 00 skipped, FF FF FF 9F 57 reads as a 5-byte tag.
    assert_eq!(
        validate(&rec, Options::new()),
        Err(Error::TagTooLong { offset: 6 })
    );
    let opts = Options::new().padding(Padding::Skip00AndFF);
    let tags: Vec<(usize, Tag)> = opts
        .walk(&rec)
        .map(|r| r.map(|x| (x.depth(), x.tag())))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tags, [(0, t(0x70)), (1, t(0x5F34)), (1, t(0x9F57))]);
    let tree = Tree::parse_with(&rec, opts).unwrap();
    assert_eq!(tree.value_of(t(0x9F57)), Some(&[0x08, 0x40][..]));
}

#[test]
fn ff_runs_in_record_and_fci() {
    let opts = Options::new().padding(Padding::Skip00AndFF);
    let rec = get(PAD, "ff_run_record");
    let tree = Tree::parse_with(&rec, opts).unwrap();
    let kids: Vec<Tag> = tree.roots()[0].children().iter().map(|n| n.tag()).collect();
    assert_eq!(kids, [t(0x57), t(0x5F20)]);
    assert_eq!(
        dictionary::masked(t(0x5F20), tree.value_of(t(0x5F20)).unwrap()).to_string(),
        "*".repeat(30)
    );
    let fci = get(PAD, "ff_run_fci");
    let tree = Tree::parse_with(&fci, opts).unwrap();
    assert_eq!(tree.find("6F/A5/50").unwrap().value(), b"VISA TEST 01");
    assert_eq!(
        Dol::parse(tree.find("A5/9F38").unwrap().value())
            .unwrap()
            .len(),
        9
    );
    assert!(validate(&fci, Options::new()).is_err());
}

#[test]
fn pboc_field55_with_trailing_00() {
    let f55 = get(PAD, "pboc_f55_trailing_00");
    let top: Vec<Tag> = iter(&f55).map(|r| r.unwrap().tag()).collect();
    assert_eq!(top, [t(0x70)]);
    let tree = Tree::parse(&f55).unwrap();
    assert_eq!(tree.roots()[0].children().len(), 41);
    assert_eq!(
        tree.value_of(t(0x9F26)).unwrap(),
        hex::decode("AFC7D95E1BAA573F").unwrap()
    );
    assert_eq!(
        dictionary::masked(t(0x5A), tree.value_of(t(0x5A)).unwrap()).to_string(),
        "621771******0688"
    );
    assert_eq!(
        validate(&f55, Options::new().padding(Padding::Strict)),
        Err(Error::Padding {
            offset: 359,
            byte: 0
        })
    );
    // Without the trailing 00 it is canonical.
    assert_eq!(tree.to_vec().unwrap(), &f55[..359]);
}

#[test]
fn length_byte_91_is_rejected_precisely() {
    let bad = get(PAD, "bad_length_91");
    assert_eq!(
        validate(&bad, Options::new()),
        Err(Error::LengthTooLong {
            offset: 1,
            tag: t(0x70),
            bytes: 17
        })
    );
    // Lenient mode does not rescue a top-level object, only constructed content.
    assert!(Tree::parse_with(&bad, Options::new().lenient(true)).is_err());
}
