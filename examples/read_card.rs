//! The main job, until the full payment flows exist: walk a real contactless card's responses —
//! SELECT PPSE, SELECT AID, GET PROCESSING OPTIONS and the READ RECORDs its AFL names — the way a
//! terminal does, and print each as a named tree with the PAN and track 2 masked.
//!
//! The responses are a published transcript of a real (deactivated) Visa Debit card, in
//! `examples/data/visa_contactless_transcript.txt` (source named in the file). Only the public
//! API of `mpay::emv_tlv` is used. Any failure exits non-zero.
//!
//! Run: `cargo run --release --example read_card`

use std::process::ExitCode;

use mpay::emv_tlv::decode::Aip;
use mpay::emv_tlv::{Dol, Node, Tag, Tree, decode, dictionary};

const TRANSCRIPT: &str = include_str!("data/visa_contactless_transcript.txt");

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The response data recorded for one step of the transcript.
fn response(step: &str) -> Result<Vec<u8>> {
    let line = TRANSCRIPT
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(step)?.strip_prefix(':'))
        .ok_or_else(|| format!("no response for step {step} in the transcript"))?;
    Ok(hex::decode(line.trim())?)
}

fn print_tree(title: &str, tree: &Tree<'_>) {
    println!("== {title}");
    for n in tree.iter() {
        print_node(n);
    }
    println!();
}

fn print_node(n: &Node<'_>) {
    let indent = "  ".repeat(n.depth() + 1);
    let name = dictionary::name_of(n.tag());
    if n.is_constructed() {
        println!("{indent}{} {name}", n.tag());
        return;
    }
    let shown = dictionary::masked(n.tag(), n.value());
    let mut line = format!("{indent}{} {name}: {shown}", n.tag());
    let text = dictionary::lookup(n.tag()).is_some_and(|i| i.format.is_text());
    if text && !shown.hides_anything() && n.value().iter().all(|b| (0x20..0x7F).contains(b)) {
        line.push_str(&format!(" \"{}\"", String::from_utf8_lossy(n.value())));
    }
    if let Some(d) = decode::describe(n.tag(), n.value()) {
        line.push_str(&format!(" — {d}"));
    }
    println!("{line}");
}

fn run() -> Result<()> {
    // 1. SELECT PPSE: the candidate applications, highest priority (lowest 87) first.
    let ppse = response("ppse")?;
    let tree = Tree::parse(&ppse)?;
    print_tree("SELECT 2PAY.SYS.DDF01 (PPSE)", &tree);
    let mut candidates: Vec<(u8, &[u8])> = tree
        .find_all("BF0C/61")
        .into_iter()
        .filter_map(|app| {
            let aid = app.child(Tag::new(0x4F))?.value();
            let prio = app
                .child(Tag::new(0x87))
                .map_or(0x0F, |p| p.value()[0] & 0x0F);
            Some((prio, aid))
        })
        .collect();
    candidates.sort_by_key(|c| c.0);
    let (_, aid) = *candidates.first().ok_or("the PPSE lists no application")?;
    let aid_hex = hex::encode_upper(aid);

    // 2. SELECT AID: its FCI names the application and asks for PDOL data.
    let select = response(&format!("select_aid_{}", aid_hex.to_lowercase()))?;
    let fci = Tree::parse(&select)?;
    print_tree(&format!("SELECT {aid_hex}"), &fci);
    if fci.find("/6F/84").map(|n| n.value()) != Some(aid) {
        return Err("the SELECT response is for another application".into());
    }
    if let Some(pdol) = fci.find("A5/9F38") {
        let pdol = Dol::parse(pdol.value())?;
        let terminal: [(Tag, &[u8]); 8] = [
            (Tag::new(0x9F66), &[0x27, 0x00, 0x00, 0x00]),
            (Tag::new(0x9F02), &[0x10, 0x00]),
            (Tag::new(0x9F1A), &[0x09, 0x78]),
            (Tag::new(0x95), &[0, 0, 0, 0, 0]),
            (Tag::new(0x5F2A), &[0x09, 0x78]),
            (Tag::new(0x9A), &[0x23, 0x03, 0x01]),
            (Tag::new(0x9C), &[0x00]),
            (Tag::new(0x9F37), &[0x38, 0x39, 0x30, 0x31]),
        ];
        let mut data = [0u8; 255];
        let n = pdol.build(&terminal, &mut data)?;
        println!(
            "== PDOL ({} entries): GPO data 83 {:02X} {}\n",
            pdol.len(),
            n,
            hex::encode_upper(&data[..n])
        );
    }

    // 3. GET PROCESSING OPTIONS: AIP and AFL (format 1 `80` or format 2 `77`).
    let gpo = response("gpo")?;
    let gpo_tree = Tree::parse(&gpo)?;
    print_tree("GET PROCESSING OPTIONS", &gpo_tree);
    let (aip, afl): (Vec<u8>, Vec<u8>) = match gpo_tree.roots().first().map(|n| n.tag().value()) {
        Some(0x77) => (
            gpo_tree
                .find("77/82")
                .ok_or("GPO without AIP")?
                .value()
                .to_vec(),
            gpo_tree
                .find("77/94")
                .ok_or("GPO without AFL")?
                .value()
                .to_vec(),
        ),
        Some(0x80) => {
            let v = gpo_tree.roots()[0].value();
            if v.len() < 2 {
                return Err("format 1 GPO response shorter than the AIP".into());
            }
            (v[..2].to_vec(), v[2..].to_vec())
        }
        _ => return Err("GPO response is neither 77 nor 80".into()),
    };
    let aip = Aip::from_bytes(&aip)?;
    if afl.is_empty() || afl.len() % 4 != 0 {
        return Err(format!("AFL of {} bytes is not a list of 4-byte entries", afl.len()).into());
    }

    // 4. READ RECORD for every record the AFL names.
    let mut pan = None;
    let mut expiry = None;
    for entry in afl.chunks_exact(4) {
        let sfi = entry[0] >> 3;
        for rec in entry[1]..=entry[2] {
            let bytes = response(&format!("read_record_sfi{sfi}_rec{rec}"))?;
            let tree = Tree::parse(&bytes)?;
            if tree.roots().first().map(|n| n.tag()) != Some(Tag::new(0x70)) {
                return Err(format!("SFI {sfi} record {rec} is not a 70 template").into());
            }
            print_tree(&format!("READ RECORD SFI {sfi} record {rec}"), &tree);
            if let Some(n) = tree.find("70/5A") {
                pan = Some(dictionary::masked(n.tag(), n.value()).to_string());
            }
            if let Some(n) = tree.find("70/5F24") {
                expiry = Some(hex::encode_upper(n.value()));
            }
        }
    }
    let pan = pan.ok_or("no PAN (5A) in the records")?;
    println!("== Card");
    println!(
        "  application {aid_hex}, PAN {pan}, expires {}",
        expiry.unwrap_or_default()
    );
    let supported: Vec<&str> = aip.iter_set().map(|b| b.name).collect();
    println!("  AIP: {}", supported.join("; "));
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("read_card: {e}");
            ExitCode::FAILURE
        }
    }
}
