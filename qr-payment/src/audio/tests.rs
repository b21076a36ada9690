use super::*;
use alloc::vec::Vec;

/// Deterministic noise for tests: xorshift + Box–Muller.
pub(crate) struct Noise(pub u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn gauss(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (core::f64::consts::TAU * v).cos()
    }
}

/// `signal` placed at `offset` in `len` samples of white noise at `snr_db` relative to the
/// signal's mean power.
fn noisy(signal: &[f32], offset: usize, len: usize, snr_db: f64, seed: u64) -> Vec<f32> {
    let p: f64 = signal
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / signal.len() as f64;
    let sigma = (p / 10f64.powf(snr_db / 10.0)).sqrt();
    let mut n = Noise(seed);
    let mut out: Vec<f32> = (0..len).map(|_| (sigma * n.gauss()) as f32).collect();
    for (i, &s) in signal.iter().enumerate() {
        if let Some(o) = out.get_mut(offset + i) {
            *o += s;
        }
    }
    out
}

/// Linear-interpolation resampling: a sender whose clock runs `ratio` times the declared rate.
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

#[test]
fn chirp_longcodes_are_our_frames() {
    let file = include_str!("../../tests/vectors/chirp_longcodes.txt");
    let modem = Modem::new(44_100, Mode::Chirp).unwrap();
    let mut n = 0;
    for line in file
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let syms = text_to_symbols(line).unwrap();
        let frame = modem.frame(&syms[..10]).unwrap();
        assert_eq!(&frame[..2], &HEADER);
        assert_eq!(symbols_to_text(&frame[2..]), line);
        n += 1;
    }
    assert_eq!(n, 32);
}

#[test]
fn payment_code_symbols() {
    for code in [
        "100000000000000000",
        "153456789012345678",
        "250000000000000001",
        "309999999999999999",
    ] {
        let s = payment_code_to_symbols(code).unwrap();
        assert_eq!(symbols_to_payment_code(&s).as_deref(), Some(code));
    }
    assert!(payment_code_to_symbols("990000000000000000").is_err());
    assert!(payment_code_to_symbols("12345").is_err());
    assert!(payment_code_to_symbols("1234567890123456a8").is_err());
    // 2^60 - 1 is more than 18 digits.
    assert_eq!(symbols_to_payment_code(&[31; 12]), None);
}

#[test]
fn frame_timing() {
    let m = Modem::new(44_100, Mode::Chirp).unwrap();
    assert_eq!(m.frame_symbols(), 20);
    assert_eq!(m.frame_samples(), 76_910); // 20 × 87.2 ms
    let pcm = m.encode("hcu7848rn3").unwrap();
    assert_eq!(pcm.len(), m.frame_samples());
    assert!(pcm.iter().all(|s| s.abs() <= 0.5));
    assert!(Modem::new(8000, Mode::Chirp).is_err());
    assert!(Modem::new(44_100, Mode::Symbols(24)).is_err());
    assert!(m.encode("hcu7848rn").is_err());
    assert!(m.encode("hcu7848rnz").is_err());
}

#[test]
fn decodes_clean_at_both_rates_and_offsets() {
    for (rate, mode, code, offset) in [
        (44_100, Mode::Chirp, "parrotbill", 12_345),
        (48_000, Mode::PaymentCode, "134567890123456789", 777),
        (48_000, Mode::Chirp, "srg00lgbif", 0),
    ] {
        let m = Modem::new(rate, mode).unwrap();
        let pcm = m.encode(code).unwrap();
        let buf = noisy(&pcm, offset, pcm.len() + offset + 3000, 30.0, 1);
        let found = Receiver::new(&m).decode(&buf);
        assert_eq!(found.len(), 1, "{code}");
        assert_eq!(found[0].code, code);
        assert!(
            found[0].start.abs_diff(offset as u64) < 300,
            "{} vs {offset}",
            found[0].start
        );
    }
}

#[test]
fn survives_noise_and_clock_mismatch() {
    let m = Modem::new(44_100, Mode::PaymentCode).unwrap();
    let pcm = m.encode("120061098828009406").unwrap();
    for (i, (ratio, snr)) in [(1.0, -15.0), (1.02, 0.0), (0.98, 0.0), (1.013, -10.0)]
        .iter()
        .enumerate()
    {
        let sent = stretch(&pcm, *ratio);
        let buf = noisy(&sent, 2000, sent.len() + 4000, *snr, 10 + i as u64);
        let found = Receiver::new(&m).decode(&buf);
        assert_eq!(found.len(), 1, "ratio {ratio} snr {snr}");
        assert_eq!(found[0].code, "120061098828009406");
        assert!(
            (found[0].rate_ratio - ratio).abs() < 0.003,
            "{}",
            found[0].rate_ratio
        );
    }
}

#[test]
fn noise_alone_gives_nothing() {
    let m = Modem::new(44_100, Mode::Chirp).unwrap();
    let rx = Receiver::new(&m);
    for seed in 0..3 {
        // A single unit sample sets the noise level (σ = 1 at 0 dB).
        let buf = noisy(&[1.0], 0, 90_000, 0.0, 100 + seed);
        assert!(buf.iter().all(|s| s.is_finite()));
        assert!(rx.decode(&buf).is_empty());
    }
    assert!(rx.decode(&[0.0; 1000]).is_empty());
}

/// The CI-sized version of the robustness example's 10⁴-buffer false-code run: noise-only
/// 2.5 s buffers at both rates, both modes, several noise levels.
#[test]
fn noise_only_buffers_give_no_frames() {
    for (i, (rate, mode)) in [
        (48_000, Mode::PaymentCode),
        (48_000, Mode::Chirp),
        (44_100, Mode::PaymentCode),
        (44_100, Mode::Chirp),
    ]
    .into_iter()
    .enumerate()
    {
        let rx = Receiver::new(&Modem::new(rate, mode).unwrap());
        for seed in 0..4u64 {
            let level = [0.0, 20.0, -20.0, 6.0][seed as usize];
            let buf = noisy(
                &[1.0],
                0,
                rate as usize * 5 / 2,
                level,
                7_000 + 10 * i as u64 + seed,
            );
            let found = rx.decode(&buf);
            assert!(
                found.is_empty(),
                "{rate} Hz {mode:?} seed {seed}: {found:?}"
            );
        }
    }
}

/// A well-formed header followed by a word with 5 symbol errors (beyond what RS(31,23) can
/// correct, and 5 > 3 accepted) is never returned, however clean the signal.
#[test]
fn frames_failing_reed_solomon_are_never_returned() {
    let m = Modem::new(48_000, Mode::PaymentCode).unwrap();
    let data = payment_code_to_symbols("120061098828009406").unwrap();
    let frame = m.frame(&data).unwrap();
    let rx = Receiver::new(&m);
    for shift in 0..3usize {
        let mut bad = frame.clone();
        for j in 0..5 {
            let p = 2 + (shift * 3 + j * 4) % (bad.len() - 2);
            bad[p] = (bad[p] + 1 + j as u8) % 32;
        }
        let pcm = synth::synthesize(&m, &bad);
        let buf = noisy(&pcm, 3_000, pcm.len() + 6_000, 20.0, 40 + shift as u64);
        assert!(rx.decode(&buf).is_empty(), "shift {shift}");
        // The same frame uncorrupted is found.
        let pcm = synth::synthesize(&m, &frame);
        let buf = noisy(&pcm, 3_000, pcm.len() + 6_000, 20.0, 40 + shift as u64);
        assert_eq!(rx.decode(&buf)[0].code, "120061098828009406");
    }
}

#[test]
fn stream_with_odd_chunks() {
    let m = Modem::new(44_100, Mode::PaymentCode).unwrap();
    let a = m.encode("120061098828009406").unwrap();
    let b = m.encode("280000000000000042").unwrap();
    let mut stream = noisy(&a, 5_000, 5_000 + a.len() + 20_000, 20.0, 7);
    let second_at = stream.len();
    stream.extend(noisy(&b, 0, b.len() + 9_000, 20.0, 8));
    let mut rx = StreamReceiver::new(Receiver::new(&m), 0.5);
    let mut got = Vec::new();
    for chunk in stream.chunks(3_001) {
        got.extend(rx.push(chunk));
    }
    got.extend(rx.flush());
    let codes: Vec<&str> = got.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["120061098828009406", "280000000000000042"]);
    assert!(got[0].start.abs_diff(5_000) < 300, "{:?}", got);
    assert!(got[1].start.abs_diff(second_at as u64) < 300);
}
