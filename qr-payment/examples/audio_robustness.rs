//! Robustness benchmark of the audio modem, side by side with ggwave on the same noisy buffers.
//!
//! ```text
//! cargo run --release -p mpay-qr-payment --example audio_robustness -- \
//!     [--trials 100] [--noise-buffers 10000]
//! cargo run --release -p mpay-qr-payment --features plot --example audio_robustness -- \
//!     --trials 100 --plot qr-payment/snr.png [--font /path/to/font.ttf]
//! ```
//!
//! `--plot` draws the SNR curves with `plotters` (feature `plot`); text needs a TrueType font
//! (default `/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`, Debian `fonts-dejavu-core`).
//!
//! Channel model: the frame starts after a random 0–0.5 s lead-in, then full-band white Gaussian
//! noise is added at an SNR measured against the signal's mean power over its active part. The
//! same noise realisation goes into our buffer and ggwave's. Payload: the 18-digit payment code
//! `134567890123456789` — our payment-code mode (22 tones, 1.92 s) and ggwave's `Normal`
//! protocol with the 18 ASCII digits (2.41 s), both at 48 kHz. ggwave runs through Python
//! (`MPAY_PYTHON`, PyPI `ggwave numpy`); without it only our modem is measured.
//!
//! Sweeps: success vs SNR; vs start offset (0–2 s in a 4.5 s stream fed in random chunk sizes);
//! vs sender clock mismatch (±2%, at 0 dB); false codes in noise-only 2.5 s buffers; timing.

use mpay_qr_payment::audio::{Mode, Modem, Receiver, StreamReceiver};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

const CODE: &str = "134567890123456789";
const RATE: u32 = 48_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn mean_power(x: &[f32]) -> f64 {
    x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / x.len() as f64
}

/// `signal` at `offset` in `len` samples of noise at `snr_db`; the noise comes from `seed`.
fn channel(signal: &[f32], offset: usize, len: usize, snr_db: f64, seed: u64) -> Vec<f32> {
    let sigma = (mean_power(signal) / 10f64.powf(snr_db / 10.0)).sqrt();
    let mut r = Rng(seed | 1);
    let mut out: Vec<f32> = (0..len).map(|_| (sigma * r.gauss()) as f32).collect();
    for (o, &s) in out[offset..].iter_mut().zip(signal) {
        *o += s;
    }
    out
}

fn stretch(x: &[f32], ratio: f64) -> Vec<f32> {
    let n = (x.len() as f64 / ratio) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 * ratio;
            let j = t as usize;
            let f = (t - j as f64) as f32;
            let a = x[j.min(x.len() - 1)];
            let b = x[(j + 1).min(x.len() - 1)];
            a + (b - a) * f
        })
        .collect()
}

struct Ggwave {
    python: String,
}

const GG_ENCODE: &str = r#"
import sys, ggwave
ggwave.disableLog()
sys.stdout.buffer.write(ggwave.encode(sys.argv[1], protocolId=0, volume=50))
"#;

const GG_DECODE: &str = r#"
import sys, numpy as np, ggwave
ggwave.disableLog()
data = np.fromfile(sys.argv[1], dtype=np.float32)
pos = 0
for n in map(int, sys.stdin.read().split()):
    buf = data[pos:pos + n]; pos += n
    inst = ggwave.init()
    got = None
    for i in range(0, n, 1024):
        r = ggwave.decode(inst, buf[i:i + 1024].tobytes())
        if r is not None:
            got = r
    ggwave.free(inst)
    print(got.decode("latin-1") if got else "NONE")
"#;

impl Ggwave {
    fn find() -> Option<Self> {
        let python = std::env::var("MPAY_PYTHON").ok()?;
        let ok = Command::new(&python)
            .args(["-c", "import ggwave, numpy"])
            .status()
            .ok()?
            .success();
        ok.then_some(Ggwave { python })
    }

    fn encode(&self, text: &str) -> Vec<f32> {
        let out = Command::new(&self.python)
            .args(["-c", GG_ENCODE, text])
            .output()
            .expect("run python");
        out.stdout
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    /// Decodes each buffer with a fresh ggwave instance; returns what each one yielded.
    fn decode_all(&self, buffers: &[Vec<f32>]) -> Vec<Option<String>> {
        let path = std::env::temp_dir().join(format!("mpay-ggwave-{}.f32", std::process::id()));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for b in buffers {
            for s in b {
                f.write_all(&s.to_le_bytes()).unwrap();
            }
        }
        drop(f);
        let mut child = Command::new(&self.python)
            .args(["-c", GG_DECODE, path.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lens: String = buffers.iter().map(|b| format!("{}\n", b.len())).collect();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(lens.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        std::fs::remove_file(path).ok();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| (l != "NONE").then(|| l.to_string()))
            .collect()
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    ok: usize,
    wrong: usize,
    n: usize,
}

impl Tally {
    fn add(&mut self, got: &[String]) {
        self.n += 1;
        if got.iter().any(|c| c == CODE) {
            self.ok += 1;
        }
        if got.iter().any(|c| c != CODE) {
            self.wrong += 1;
        }
    }
    fn pct(&self) -> f64 {
        100.0 * self.ok as f64 / self.n.max(1) as f64
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let trials = arg("--trials", 100);
    let noise_buffers = arg("--noise-buffers", 1000);
    let args: Vec<String> = std::env::args().collect();
    let plot = args
        .iter()
        .position(|a| a == "--plot")
        .and_then(|i| args.get(i + 1))
        .cloned();

    let modem = Modem::new(RATE, Mode::PaymentCode).unwrap();
    let rx = Receiver::new(&modem);
    let ours = modem.encode(CODE).unwrap();
    let gg = Ggwave::find();
    let theirs = gg.as_ref().map(|g| g.encode(CODE));
    if gg.is_none() {
        eprintln!(
            "ggwave not available (set MPAY_PYTHON to a Python with ggwave and numpy): measuring our modem only"
        );
    }
    let mut rng = Rng(0x00C0_FFEE);
    let fs = RATE as usize;

    println!("## Success vs SNR ({trials} trials per point, random 0-0.5 s lead-in)\n");
    println!("| SNR (dB) | mpay payment-code mode | ggwave Normal |");
    println!("|---:|---:|---:|");
    let snrs = [
        0.0, -5.0, -8.0, -10.0, -12.0, -14.0, -15.0, -16.0, -18.0, -20.0, -22.0, -24.0,
    ];
    let mut curve = Vec::new();
    for &snr in &snrs {
        let mut mine = Tally::default();
        let mut bufs = Vec::new();
        for _ in 0..trials {
            let lead = (rng.uniform() * 0.5 * fs as f64) as usize;
            let seed = rng.next();
            let buf = channel(&ours, lead, lead + ours.len() + fs * 3 / 10, snr, seed);
            let got: Vec<String> = rx.decode(&buf).into_iter().map(|d| d.code).collect();
            mine.add(&got);
            if let Some(t) = &theirs {
                bufs.push(channel(t, lead, lead + t.len() + fs * 3 / 10, snr, seed));
            }
        }
        let theirs_tally = gg.as_ref().map(|g| {
            let mut t = Tally::default();
            for r in g.decode_all(&bufs) {
                t.add(&r.into_iter().collect::<Vec<_>>());
            }
            t
        });
        let gcol = theirs_tally.map_or("–".to_string(), |t| {
            format!("{:.0}% ({} wrong)", t.pct(), t.wrong)
        });
        println!(
            "| {snr:.0} | {:.0}% ({} wrong) | {gcol} |",
            mine.pct(),
            mine.wrong
        );
        curve.push((snr, mine.pct(), theirs_tally.map(|t| t.pct())));
    }

    println!(
        "\n## Success vs start offset (−10 dB, offset 0-2 s in a 4.5 s stream, random chunks of 1-8192 samples)\n"
    );
    let mut mine = Tally::default();
    let mut bufs = Vec::new();
    for _ in 0..trials {
        let lead = (rng.uniform() * 2.0 * fs as f64) as usize;
        let seed = rng.next();
        let buf = channel(&ours, lead, fs * 9 / 2, -10.0, seed);
        let mut srx = StreamReceiver::new(Receiver::new(&modem), 0.5);
        let mut got = Vec::new();
        let mut at = 0;
        while at < buf.len() {
            let n = 1 + (rng.next() % 8192) as usize;
            got.extend(
                srx.push(&buf[at..(at + n).min(buf.len())])
                    .into_iter()
                    .map(|d| d.code),
            );
            at += n;
        }
        got.extend(srx.flush().into_iter().map(|d| d.code));
        mine.add(&got);
        if let Some(t) = &theirs {
            bufs.push(channel(t, lead, fs * 5, -10.0, seed));
        }
    }
    let g = gg.as_ref().map(|g| {
        let mut t = Tally::default();
        for r in g.decode_all(&bufs) {
            t.add(&r.into_iter().collect::<Vec<_>>());
        }
        t
    });
    println!("| | mpay (stream receiver) | ggwave Normal |\n|---|---:|---:|");
    println!(
        "| success | {:.0}% ({} wrong) | {} |",
        mine.pct(),
        mine.wrong,
        g.map_or("–".into(), |t| format!(
            "{:.0}% ({} wrong)",
            t.pct(),
            t.wrong
        ))
    );

    println!(
        "\n## Success vs sender clock mismatch (0 dB, {} trials per point)\n",
        trials.min(50)
    );
    println!("| clock ratio | mpay | ggwave Normal |\n|---:|---:|---:|");
    for ratio in [0.98, 0.99, 0.995, 0.997, 1.0, 1.003, 1.005, 1.01, 1.02] {
        let sent = stretch(&ours, ratio);
        let sent_gg = theirs.as_ref().map(|t| stretch(t, ratio));
        let mut mine = Tally::default();
        let mut bufs = Vec::new();
        for _ in 0..trials.min(50) {
            let lead = (rng.uniform() * 0.5 * fs as f64) as usize;
            let seed = rng.next();
            let buf = channel(&sent, lead, lead + sent.len() + fs / 4, 0.0, seed);
            let got: Vec<String> = rx.decode(&buf).into_iter().map(|d| d.code).collect();
            mine.add(&got);
            if let Some(t) = &sent_gg {
                bufs.push(channel(t, lead, lead + t.len() + fs / 4, 0.0, seed));
            }
        }
        let g = gg.as_ref().map(|g| {
            let mut t = Tally::default();
            for r in g.decode_all(&bufs) {
                t.add(&r.into_iter().collect::<Vec<_>>());
            }
            t
        });
        println!(
            "| {ratio} | {:.0}% | {} |",
            mine.pct(),
            g.map_or("–".into(), |t| format!("{:.0}%", t.pct()))
        );
    }

    println!("\n## False codes in {noise_buffers} noise-only 2.5 s buffers\n");
    let chirp = Modem::new(RATE, Mode::Chirp).unwrap();
    let rx_chirp = Receiver::new(&chirp);
    let (mut false_pay, mut false_chirp) = (0, 0);
    for _ in 0..noise_buffers {
        let seed = rng.next();
        let buf = channel(&[1.0], 0, fs * 5 / 2, 0.0, seed);
        false_pay += rx.decode(&buf).len();
        false_chirp += rx_chirp.decode(&buf).len();
    }
    println!("| receiver | frames returned |\n|---|---:|");
    println!("| payment-code mode | {false_pay} |\n| Chirp mode | {false_chirp} |");

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\n## Timing (this run, release build; wall clock and this process's CPU time; load average {})\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let reps = 200;
    let (t, c) = (Instant::now(), cpu_seconds());
    for _ in 0..reps {
        std::hint::black_box(modem.encode(CODE).unwrap());
    }
    let synth = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let buf = channel(&ours, fs / 4, fs * 5 / 2, -10.0, 42);
    let reps_dec = 40;
    let (t, c) = (Instant::now(), cpu_seconds());
    for _ in 0..reps_dec {
        std::hint::black_box(rx.decode(&buf));
    }
    let dec = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    println!("| | wall | CPU |\n|---|---:|---:|");
    println!(
        "| synthesis of one frame | {:.3} ms | {:.3} ms |",
        synth.0 * 1e3 / reps as f64,
        synth.1 * 1e3 / reps as f64
    );
    println!(
        "| decode of a 2.5 s buffer | {:.1} ms | {:.1} ms |",
        dec.0 * 1e3 / reps_dec as f64,
        dec.1 * 1e3 / reps_dec as f64
    );

    if let Some(path) = plot {
        #[cfg(feature = "plot")]
        {
            let font = args
                .iter()
                .position(|a| a == "--font")
                .and_then(|i| args.get(i + 1))
                .map_or("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", |f| {
                    f.as_str()
                });
            std::fs::write(&path, plot_png(&curve, trials, font).unwrap()).unwrap();
            println!("\nplot written to {path}");
        }
        #[cfg(not(feature = "plot"))]
        {
            let _ = (&curve, path);
            eprintln!("--plot needs the `plot` feature (cargo run --features plot …)");
        }
    }
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, in clock ticks of 10 ms);
/// 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// The SNR curves as a PNG (`plotters` with its bitmap backend, text drawn with the TrueType
/// font `font`; encoded with `png`): success against SNR, mpay in blue, ggwave in red.
#[cfg(feature = "plot")]
fn plot_png(
    curve: &[(f64, f64, Option<f64>)],
    trials: usize,
    font: &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    let bytes: &'static [u8] = Box::leak(std::fs::read(font)?.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{font} is not a TrueType/OpenType font"))?;
    let (w, h) = (760u32, 440u32);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("18-digit payment code in white noise, 48 kHz ({trials} trials per point)"),
                ("sans-serif", 18),
            )
            .margin(14)
            .x_label_area_size(42)
            .y_label_area_size(52)
            .build_cartesian_2d(-25.0..1.0, 0.0..102.0)?;
        chart
            .configure_mesh()
            .x_desc("SNR (dB, full-band white noise vs mean signal power)")
            .y_desc("decoded (%)")
            .x_labels(14)
            .y_labels(11)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(("sans-serif", 13))
            .draw()?;
        type Series = (&'static str, RGBColor, Vec<(f64, f64)>);
        let series: [Series; 2] = [
            (
                "mpay payment-code mode (22 tones, 1.92 s)",
                RGBColor(20, 70, 220),
                curve.iter().map(|c| (c.0, c.1)).collect(),
            ),
            (
                "ggwave 0.4.3 Normal (18 ASCII bytes, 2.41 s)",
                RGBColor(215, 40, 30),
                curve.iter().filter_map(|c| c.2.map(|g| (c.0, g))).collect(),
            ),
        ];
        for (label, color, pts) in series {
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
                });
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header()?;
    wr.write_image_data(&rgb)?;
    wr.finish()?;
    Ok(out)
}
