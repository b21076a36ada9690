//! The offline payment code, led by a third-party payment company (TPC), as Alipay and WeChat Pay
//! run it:
//!
//! 1. the TPC provisions the wallet with a credential index and a seed;
//! 2. with no network, the wallet computes an 18-digit payment code bound to the POS it faces,
//!    and shows it three ways: a QR code (PNG and SVG), a Code 128 barcode (PNG) and sound (WAV);
//! 3. the POS reads it back — from the QR image and from the recording with noise added — and
//!    asks the TPC to pay;
//! 4. the TPC deciphers and verifies the code once: it settles from the account balance; the
//!    replayed code and a code shown to another POS are refused.
//!
//! Artefacts go to `target/mpay-demo/payment_code/`. Exit status 1 if any step does not end as
//! expected.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Transcript, expect};
use mpay::otp::paycode::{
    BindingContext, PaycodeConfig, PaycodeCredential, PaycodeDevice, PaycodeServer, Verdict,
};
use mpay::otp::replay::MemoryReplayGuard;
use mpay::qr_payment::audio::{Mode, Modem, Receiver, read_wav, write_wav};
use mpay::qr_payment::image::{self, EcLevel, Render};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const NOW: u64 = 1_795_240_000;
const INDEX: u64 = 4_200_017;

/// `****` all but the prefix and the last four digits of a payment code.
fn mask(code: &str) -> String {
    let n = code.len();
    format!(
        "{}{}{}",
        &code[..2],
        "*".repeat(n.saturating_sub(6)),
        &code[n.saturating_sub(4)..]
    )
}

/// Adds white noise at `snr_db` relative to the signal's mean power (xorshift, deterministic).
fn add_noise(samples: &mut [f32], snr_db: f64, seed: u64) {
    let power = samples
        .iter()
        .map(|s| f64::from(*s) * f64::from(*s))
        .sum::<f64>()
        / samples.len().max(1) as f64;
    let sigma = (power / 10f64.powf(snr_db / 10.0)).sqrt();
    let mut x = seed | 1;
    let mut uniform = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for s in samples.iter_mut() {
        // Box–Muller.
        let (u1, u2) = (uniform().max(1e-12), uniform());
        let n = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        *s += (n * sigma) as f32;
    }
}

fn run(log: &Transcript, dir: &Path) -> Res<()> {
    // 1. Provisioning.
    let config = PaycodeConfig::alipay_style();
    let code_key = [0x5Cu8; 32];
    let seed = *b"seed-provisioned-to-this-device!";
    let wallet = PaycodeDevice::new(config.clone(), &code_key, INDEX, &seed)?;
    let mut creds = BTreeMap::new();
    creds.insert(INDEX, PaycodeCredential::new(&config, &seed)?);
    let tpc = PaycodeServer::new(config, &code_key, creds, MemoryReplayGuard::new())?;
    let mut balance: u64 = 50_000; // minor units: 500.00
    log.say(
        "tpc",
        format!(
            "wallet provisioned: credential {INDEX}, balance {}.{:02}",
            balance / 100,
            balance % 100
        ),
    );

    // 2. The wallet shows a code bound to POS-A.
    let pos_a = BindingContext {
        pos_id: Some("POS-A"),
        ..BindingContext::default()
    };
    let code = wallet.generate(NOW, &pos_a)?;
    log.say(
        "wallet",
        format!(
            "payment code {} ({} digits, offline)",
            mask(&code),
            code.len()
        ),
    );
    let qr = image::qr(&code, EcLevel::M)?;
    let png = qr.to_png(&Render::default())?;
    std::fs::write(dir.join("payment_code_qr.png"), &png)?;
    std::fs::write(
        dir.join("payment_code_qr.svg"),
        qr.to_svg(&Render::default()),
    )?;
    std::fs::write(
        dir.join("payment_code_barcode.png"),
        image::code128(&code)?.to_png(&Render::barcode())?,
    )?;
    let modem = Modem::new(48_000, Mode::PaymentCode)?;
    let mut sound = vec![0f32; 12_000]; // a quarter second of silence before the tones
    sound.extend(modem.encode(&code)?);
    sound.extend(vec![0f32; 12_000]);
    write_wav(
        std::fs::File::create(dir.join("payment_code.wav"))?,
        48_000,
        &sound,
    )?;
    log.say(
        "wallet",
        format!(
            "QR ({} modules), barcode and {:.2} s of sound written to {}",
            qr.width(),
            sound.len() as f64 / 48_000.0,
            dir.display()
        ),
    );

    // 3. The POS reads it back: from the image, and from the recording with noise.
    let from_qr = image::decode_qr_png(&std::fs::read(dir.join("payment_code_qr.png"))?)?;
    expect(
        from_qr == [code.clone()],
        "the QR image decodes to the code",
    )?;
    let (rate, mut heard) = read_wav(
        std::fs::File::open(dir.join("payment_code.wav"))?,
        48_000 * 10,
    )?;
    add_noise(&mut heard, -10.0, 0xC0FFEE);
    let detections = Receiver::new(&Modem::new(rate, Mode::PaymentCode)?).decode(&heard);
    let from_sound: Vec<&str> = detections.iter().map(|d| d.code.as_str()).collect();
    log.say(
        "pos-a",
        format!(
            "QR image → {}; sound at −10 dB SNR → {:?}",
            mask(&from_qr[0]),
            from_sound.iter().map(|c| mask(c)).collect::<Vec<_>>()
        ),
    );
    expect(
        from_sound == [code.as_str()],
        "the noisy recording decodes to the code",
    )?;

    // 4. The TPC verifies once and settles.
    let amount = 4_250;
    match tpc.verify(&code, NOW + 4, &pos_a, Some(amount))? {
        Verdict::Accepted { index, step } => {
            balance -= amount;
            log.say(
                "tpc",
                format!(
                    "accepted: credential {index}, step {step}; paid {}.{:02}, balance {}.{:02}",
                    amount / 100,
                    amount % 100,
                    balance / 100,
                    balance % 100
                ),
            );
        }
        other => return Err(format!("expected acceptance, got {other:?}").into()),
    }
    let again = tpc.verify(&code, NOW + 6, &pos_a, Some(amount))?;
    log.say("tpc", format!("same code again: {again:?}"));
    expect(again == Verdict::Replayed, "a code is spent once")?;
    // A code shown to POS-A and replayed at POS-B (sniffed over the counter).
    let fresh = wallet.generate(NOW + 60, &pos_a)?;
    let pos_b = BindingContext {
        pos_id: Some("POS-B"),
        ..BindingContext::default()
    };
    let elsewhere = tpc.verify(&fresh, NOW + 61, &pos_b, Some(100))?;
    log.say(
        "tpc",
        format!("a POS-A code presented at POS-B: {elsewhere:?}"),
    );
    expect(
        elsewhere == Verdict::Invalid,
        "a code bound to POS-A is refused at POS-B",
    )?;
    expect(balance == 45_750, "one debit only")?;
    log.say("demo", "all steps ended as expected");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let log = Transcript::default();
    let result = common::artefact_dir("payment_code")
        .map_err(Into::into)
        .and_then(|dir| run(&log, &dir));
    common::finish("payment_code", &log, result)
}
