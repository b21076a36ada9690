//! Generated QR codes (versions 1–40, all EC levels, random MPM payloads) and Code 128 barcodes
//! decode to the exact text with zxing-cpp (PyPI `zxing-cpp`, through `MPAY_PYTHON`), and QR codes
//! with rqrr at 4 px per module.
//!
//! The default run samples the grid: every version once (EC level rotating) plus all four levels
//! at versions 1, 10, 27 and 40. `cargo test -p mpay-qr-payment --test qr_interop -- --ignored`
//! runs all 160 (version, level) pairs.

mod common;

use common::{Rng, python, random_mpm, run_python};
use mpay_qr_payment::image::{EcLevel, Render, code128, decode_qr_luma, qr_with_version};
use mpay_qr_payment::mpm::MerchantPayload;
use std::path::PathBuf;

const ZXING: &str = r#"
import sys, numpy as np, zxingcpp
for line in sys.stdin:
    path, w, h, fmt = line.split()
    img = np.fromfile(path, dtype=np.uint8).reshape(int(h), int(w))
    f = zxingcpp.BarcodeFormat.QRCode if fmt == "qr" else zxingcpp.BarcodeFormat.Code128
    res = zxingcpp.read_barcodes(img, formats=f)
    print(res[0].text.encode("utf-8").hex() if res else "NONE", flush=True)
"#;

fn level(i: usize) -> EcLevel {
    EcLevel::ALL[i % 4]
}

/// Byte-mode capacity of (version, level), from the encoder's own bit budget.
fn capacity(version: u8, ec: EcLevel) -> usize {
    let q = match ec {
        EcLevel::L => qrcode::EcLevel::L,
        EcLevel::M => qrcode::EcLevel::M,
        EcLevel::Q => qrcode::EcLevel::Q,
        EcLevel::H => qrcode::EcLevel::H,
    };
    let bits = qrcode::bits::Bits::new(qrcode::Version::Normal(i16::from(version)))
        .max_len(q)
        .unwrap();
    let count_bits = if version < 10 { 8 } else { 16 };
    // A margin for the encoder's segment choice, which is not always optimal.
    (bits - 4 - count_bits) / 8 * 97 / 100
}

struct Case {
    text: String,
    file: PathBuf,
    width: usize,
    height: usize,
    fmt: &'static str,
    rqrr: bool,
}

fn qr_case(dir: &std::path::Path, rng: &mut Rng, version: u8, ec: EcLevel, rqrr: bool) -> Case {
    let lo = if version == 1 {
        14
    } else {
        capacity(version - 1, ec) + 1
    };
    let hi = capacity(version, ec).max(lo);
    let extra = rng.below(hi - lo + 1);
    let text = if capacity(version, ec) >= 14 {
        let t = random_mpm(rng, lo + extra);
        MerchantPayload::parse(&t).unwrap();
        t
    } else {
        // Smaller than any MPM payload (version 1 at Q and H): a payment code, numeric mode.
        rng.digits(capacity(version, ec) * 2)
    };
    let m = qr_with_version(&text, version, ec)
        .unwrap_or_else(|e| panic!("v{version} {ec:?} {} bytes: {e}", text.len()));
    assert_eq!(m.width(), 17 + 4 * usize::from(version));
    let (w, h, px) = m.to_luma(&Render::default());
    let file = dir.join(format!("qr-{version}-{ec:?}-{}.gray", rng.next()));
    std::fs::write(&file, &px).unwrap();
    Case {
        text,
        file,
        width: w,
        height: h,
        fmt: "qr",
        rqrr,
    }
}

fn run(cases: &[Case]) {
    for c in cases.iter().filter(|c| c.rqrr) {
        let px = std::fs::read(&c.file).unwrap();
        assert_eq!(
            decode_qr_luma(c.width, c.height, &px).unwrap(),
            [c.text.as_str()],
            "rqrr {:?}",
            c.file
        );
    }
    let Some(py) = python() else { return };
    let manifest: String = cases
        .iter()
        .map(|c| format!("{} {} {} {}\n", c.file.display(), c.width, c.height, c.fmt))
        .collect();
    let out = run_python(&py, ZXING, manifest.as_bytes());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for (c, line) in cases.iter().zip(lines) {
        assert_eq!(line, hex::encode(&c.text), "zxing-cpp on {:?}", c.file);
    }
}

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpay-qr-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn qr_versions_levels_sampled() {
    let dir = tmpdir("sampled");
    let mut rng = Rng(0x5eed_0001);
    let mut cases = Vec::new();
    for v in 1..=40u8 {
        // rqrr is slow on large symbols in debug builds: every fifth version.
        cases.push(qr_case(
            &dir,
            &mut rng,
            v,
            level(usize::from(v)),
            v % 5 == 1,
        ));
    }
    for v in [1u8, 10, 27, 40] {
        for ec in EcLevel::ALL {
            cases.push(qr_case(&dir, &mut rng, v, ec, v == 1));
        }
    }
    run(&cases);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
#[ignore = "all 160 (version, level) pairs: a few minutes in debug"]
fn qr_versions_levels_full() {
    let dir = tmpdir("full");
    let mut rng = Rng(0x5eed_0002);
    let mut cases = Vec::new();
    for v in 1..=40u8 {
        for ec in EcLevel::ALL {
            cases.push(qr_case(&dir, &mut rng, v, ec, true));
        }
    }
    run(&cases);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn code128_payment_codes() {
    let dir = tmpdir("c128");
    let mut rng = Rng(0x5eed_0003);
    let mut cases = Vec::new();
    for i in 0..12 {
        let len = [18, 18, 19, 16, 24, 7][i % 6];
        let text = rng.digits(len);
        let m = code128(&text).unwrap();
        let (w, h, px) = m.to_luma(&Render::barcode());
        let file = dir.join(format!("c128-{i}.gray"));
        std::fs::write(&file, &px).unwrap();
        cases.push(Case {
            text,
            file,
            width: w,
            height: h,
            fmt: "c128",
            rqrr: false,
        });
    }
    run(&cases);
    std::fs::remove_dir_all(dir).ok();
}
