//! Frame search and symbol decisions.

use super::{HEADER, Mode, Modem, SYMBOL_SECONDS, rs, tone_hz};
use alloc::string::String;
use alloc::vec::Vec;
use core::f64::consts::TAU;

/// A frame found by a [`Receiver`].
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The code, formatted for the mode (18 digits for payment codes, `0-9a-v` text otherwise).
    pub code: String,
    /// The data symbols after correction.
    pub symbols: Vec<u8>,
    /// Sample index where the frame starts (in the buffer, or in the stream for
    /// [`StreamReceiver`]).
    pub start: u64,
    /// Estimated ratio of the sender's clock to the declared sample rate (1.0 = matched).
    pub rate_ratio: f64,
    /// Symbols the Reed–Solomon decoder corrected.
    pub corrected: usize,
}

/// Sub-windows per symbol, combined non-coherently (tolerates residual frequency offset).
const SUBWINDOWS: usize = 3;
/// Candidates kept per time scale.
const PER_SCALE: usize = 3;

/// Finds and decodes frames in a buffer of samples.
#[derive(Debug, Clone)]
pub struct Receiver {
    mode: Mode,
    fs: f64,
    block: usize,
    omega: [f64; 32],
    /// Per tone: cos(ωi), −sin(ωi) for i in 0..block.
    table: Vec<(Vec<f32>, Vec<f32>)>,
    scales: Vec<f64>,
    max_errors: usize,
}

struct Candidate {
    score: f64,
    start_block: usize,
    scale: f64,
    /// Decided symbols for block offsets −1, 0, +1.
    decisions: [Option<Vec<u8>>; 3],
}

impl Receiver {
    /// A receiver for frames of `modem`'s mode and sample rate, searching time scales from
    /// 0.98 to 1.02 (±2% clock mismatch). It accepts at most 3 corrected symbols per frame in
    /// [`Mode::PaymentCode`], whose format check rejects most miscorrections, and at most 2 in
    /// the modes without a format check ([`Mode::Chirp`], [`Mode::Symbols`]): with 3, noise
    /// alone gave 2 Chirp-mode frames in 10⁴ buffers of 2.5 s (see the crate README).
    pub fn new(modem: &Modem) -> Self {
        let fs = f64::from(modem.sample_rate());
        // Blocks of ~1.45 ms: fine enough for timing, coarse enough to keep the search cheap.
        let block = ((fs / 690.0).round() as usize).max(8);
        let mut omega = [0.0; 32];
        let mut table = Vec::with_capacity(32);
        for (k, w) in omega.iter_mut().enumerate() {
            *w = TAU * tone_hz(k as u8) / fs;
            let c = (0..block).map(|i| (*w * i as f64).cos() as f32).collect();
            let s = (0..block).map(|i| -(*w * i as f64).sin() as f32).collect();
            table.push((c, s));
        }
        let scales = (-10..=10).map(|i| 1.0 + 0.002 * f64::from(i)).collect();
        Receiver {
            mode: modem.mode(),
            fs,
            block,
            omega,
            table,
            scales,
            max_errors: if modem.mode() == Mode::PaymentCode {
                3
            } else {
                2
            },
        }
    }

    /// Sets the time scales searched (ratios of the sender's clock to the declared rate).
    pub fn with_scales(mut self, scales: &[f64]) -> Self {
        self.scales = scales
            .iter()
            .copied()
            .filter(|s| *s > 0.5 && *s < 2.0)
            .collect();
        if self.scales.is_empty() {
            self.scales.push(1.0);
        }
        self
    }

    /// Sets the most symbol errors accepted per frame (0–4; default 3 for payment codes, 2
    /// otherwise). Fewer means fewer false frames from noise, more means better reach in noise.
    pub fn with_max_errors(mut self, max_errors: usize) -> Self {
        self.max_errors = max_errors.min(rs::PARITY / 2);
        self
    }

    fn frame_symbols(&self) -> usize {
        HEADER.len() + self.mode.data_len() + rs::PARITY
    }

    /// Samples the longest (slowest-clock) frame can span.
    pub fn max_frame_samples(&self) -> usize {
        let min_scale = self.scales.iter().copied().fold(f64::INFINITY, f64::min);
        (self.frame_symbols() as f64 * SYMBOL_SECONDS * self.fs / min_scale).ceil() as usize
    }

    /// Every frame in `samples`, in order of position. Frames failing the header, Reed–Solomon
    /// or format check are never returned.
    pub fn decode(&self, samples: &[f32]) -> Vec<Detection> {
        let b = self.block;
        let m_total = samples.len() / b;
        let nsym = self.frame_symbols();
        if samples.len() < self.max_frame_samples() * 97 / 100 || m_total < 4 {
            return Vec::new();
        }
        let z = self.block_sums(samples, m_total);
        let mut cands: Vec<Candidate> = Vec::new();
        let mut prefix = alloc::vec![(0.0f64, 0.0f64); 32 * (m_total + 1)];
        let mut single = alloc::vec![0f32; 32 * (m_total + 1)];
        for &scale in &self.scales {
            self.prefix_sums(&z, m_total, scale, &mut prefix);
            let lb = SYMBOL_SECONDS * self.fs / scale / b as f64;
            let geo = Geometry::new(lb, nsym);
            if geo.frame_blocks >= m_total {
                continue;
            }
            let positions = m_total - geo.frame_blocks;
            // Energy of every tone in one sub-window starting at each block…
            let w = geo.sub[0].1 - geo.sub[0].0;
            let n_e = m_total + 1 - w;
            for k in 0..32 {
                let row = &prefix[k * (m_total + 1)..(k + 1) * (m_total + 1)];
                let e = &mut single[k * n_e..(k + 1) * n_e];
                for (m, out) in e.iter_mut().enumerate() {
                    let (x1, y1) = row[m + w];
                    let (x0, y0) = row[m];
                    let (dx, dy) = (x1 - x0, y1 - y0);
                    *out = (dx * dx + dy * dy) as f32;
                }
            }
            // …then per start block: best tone, its share of the energy, and the header
            // tones' shares, summing the sub-windows of one tone.
            let mut best = alloc::vec![0u8; m_total];
            let mut top = alloc::vec![0f32; m_total];
            let mut total = alloc::vec![1e-30f32; m_total];
            let mut head = alloc::vec![(0f32, 0f32); m_total];
            let last = positions + geo.offsets[nsym - 1];
            let count = last.min(m_total - geo.symbol_span) + 1;
            let [(a0, _), (a1, _), (a2, _)] = geo.sub;
            let mut v = alloc::vec![0f32; count];
            for k in 0..32 {
                let e = &single[k * n_e..(k + 1) * n_e];
                for (m, out) in v.iter_mut().enumerate() {
                    *out = e[m + a0] + e[m + a1] + e[m + a2];
                }
                for m in 0..count {
                    total[m] += v[m];
                    if v[m] > top[m] {
                        top[m] = v[m];
                        best[m] = k as u8;
                    }
                }
                if k == usize::from(HEADER[0]) {
                    for m in 0..count {
                        head[m].0 = v[m];
                    }
                } else if k == usize::from(HEADER[1]) {
                    for m in 0..count {
                        head[m].1 = v[m];
                    }
                }
            }
            let share: Vec<f32> = top.iter().zip(&total).map(|(t, s)| t / s).collect();
            for (hm, t) in head.iter_mut().zip(&total) {
                *hm = (hm.0 / t, hm.1 / t);
            }
            // Frame score for each start: header tones' shares plus the best tones' shares.
            let mut scored: Vec<(f64, usize)> = Vec::new();
            for m0 in 0..positions {
                let mut sc =
                    f64::from(head[m0 + geo.offsets[0]].0) + f64::from(head[m0 + geo.offsets[1]].1);
                for &o in &geo.offsets[2..] {
                    sc += f64::from(share[m0 + o]);
                }
                scored.push((sc, m0));
            }
            let mut kept: Vec<usize> = Vec::new();
            while kept.len() < PER_SCALE {
                // The best start not within half a frame of one already kept.
                let next = scored
                    .iter()
                    .filter(|(_, m0)| {
                        kept.iter()
                            .all(|&k| k.abs_diff(*m0) >= geo.frame_blocks / 2)
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                let Some(&(sc, m0)) = next else { break };
                kept.push(m0);
                let decide = |start: Option<usize>| {
                    let start = start?;
                    if start >= positions {
                        return None;
                    }
                    Some(
                        geo.offsets
                            .iter()
                            .map(|&o| best[start + o])
                            .collect::<Vec<u8>>(),
                    )
                };
                cands.push(Candidate {
                    score: sc,
                    start_block: m0,
                    scale,
                    decisions: [
                        decide(m0.checked_sub(1)),
                        decide(Some(m0)),
                        decide(Some(m0 + 1)),
                    ],
                });
            }
        }
        self.pick(cands, nsym)
    }

    /// Tries candidates best-first; keeps every accepted frame that does not overlap a better one.
    fn pick(&self, mut cands: Vec<Candidate>, nsym: usize) -> Vec<Detection> {
        cands.sort_by(|a, b| b.score.total_cmp(&a.score));
        let k = self.mode.data_len();
        let mut found: Vec<(usize, usize, Detection)> = Vec::new();
        for c in &cands {
            let span =
                (nsym as f64 * SYMBOL_SECONDS * self.fs / c.scale / self.block as f64) as usize;
            let (lo, hi) = (c.start_block, c.start_block + span);
            if found.iter().any(|(a, b, _)| lo < *b && *a < hi) {
                continue;
            }
            for (j, dec) in [1usize, 0, 2].iter().map(|&j| (j, &c.decisions[j])) {
                let Some(symbols) = dec else { continue };
                if symbols[..2] != HEADER {
                    continue;
                }
                let mut word = symbols[2..].to_vec();
                let Ok(fix) = rs::decode(&mut word, k, &[]) else {
                    continue;
                };
                if fix.errors > self.max_errors {
                    continue;
                }
                let Some(code) = self.mode.symbols_to_code(&word[..k]) else {
                    continue;
                };
                let start_block = (c.start_block + j).saturating_sub(1);
                found.push((
                    lo,
                    hi,
                    Detection {
                        code,
                        symbols: word[..k].to_vec(),
                        start: (start_block * self.block) as u64,
                        rate_ratio: c.scale,
                        corrected: fix.errors,
                    },
                ));
                break;
            }
        }
        let mut out: Vec<Detection> = found.into_iter().map(|(_, _, d)| d).collect();
        out.sort_by_key(|d| d.start);
        out
    }

    /// Z[k·m_total + m] = Σ_{i<block} x[m·block + i] · e^{−jω_k(m·block + i)}.
    fn block_sums(&self, x: &[f32], m_total: usize) -> Vec<(f64, f64)> {
        let b = self.block;
        let mut z = alloc::vec![(0.0f64, 0.0f64); 32 * m_total];
        for k in 0..32 {
            let (c, s) = &self.table[k];
            let step = self.omega[k] * b as f64;
            let (sr, si) = ((-step).cos(), (-step).sin());
            let (mut rr, mut ri) = (1.0f64, 0.0f64);
            let row = &mut z[k * m_total..(k + 1) * m_total];
            for (m, out) in row.iter_mut().enumerate() {
                let chunk = &x[m * b..(m + 1) * b];
                // Eight independent lanes so that the loop vectorises.
                let (mut re8, mut im8) = ([0.0f32; 8], [0.0f32; 8]);
                let mut xs = chunk.chunks_exact(8);
                let mut cs = c.chunks_exact(8);
                let mut ss = s.chunks_exact(8);
                for ((x8, c8), s8) in (&mut xs).zip(&mut cs).zip(&mut ss) {
                    for l in 0..8 {
                        re8[l] += x8[l] * c8[l];
                        im8[l] += x8[l] * s8[l];
                    }
                }
                let mut re: f32 = re8.iter().sum();
                let mut im: f32 = im8.iter().sum();
                for ((x, c), s) in xs
                    .remainder()
                    .iter()
                    .zip(cs.remainder())
                    .zip(ss.remainder())
                {
                    re += x * c;
                    im += x * s;
                }
                let (re, im) = (f64::from(re), f64::from(im));
                *out = (re * rr - im * ri, re * ri + im * rr);
                let t = rr * sr - ri * si;
                ri = rr * si + ri * sr;
                rr = t;
                if m % 64 == 63 {
                    let n = (rr * rr + ri * ri).sqrt();
                    rr /= n;
                    ri /= n;
                }
            }
        }
        z
    }

    /// Prefix sums of the block sums after removing the residual offset ω_k(scale − 1).
    fn prefix_sums(&self, z: &[(f64, f64)], m_total: usize, scale: f64, p: &mut [(f64, f64)]) {
        let b = self.block as f64;
        for k in 0..32 {
            let d = -self.omega[k] * (scale - 1.0) * b;
            let (sr, si) = (d.cos(), d.sin());
            // Phase at the middle of block 0.
            let (mut rr, mut ri) = ((d * 0.5).cos(), (d * 0.5).sin());
            let zrow = &z[k * m_total..(k + 1) * m_total];
            let prow = &mut p[k * (m_total + 1)..(k + 1) * (m_total + 1)];
            let (mut ar, mut ai) = (0.0f64, 0.0f64);
            prow[0] = (0.0, 0.0);
            for (m, &(zr, zi)) in zrow.iter().enumerate() {
                ar += zr * rr - zi * ri;
                ai += zr * ri + zi * rr;
                prow[m + 1] = (ar, ai);
                let t = rr * sr - ri * si;
                ri = rr * si + ri * sr;
                rr = t;
            }
        }
    }
}

/// Where symbols and their sub-windows fall, in blocks, for one time scale.
struct Geometry {
    offsets: Vec<usize>,
    sub: [(usize, usize); SUBWINDOWS],
    symbol_span: usize,
    frame_blocks: usize,
}

impl Geometry {
    fn new(lb: f64, nsym: usize) -> Self {
        let offsets = (0..nsym)
            .map(|i| (i as f64 * lb).round() as usize)
            .collect();
        // Skip 4% at each end of the tone (timing uncertainty), split the rest.
        let w = ((0.92 * lb / SUBWINDOWS as f64).floor() as usize).max(1);
        let first = (0.04 * lb).round() as usize;
        let mut sub = [(0, 0); SUBWINDOWS];
        for (q, s) in sub.iter_mut().enumerate() {
            *s = (first + q * w, first + (q + 1) * w);
        }
        Geometry {
            offsets,
            sub,
            symbol_span: first + SUBWINDOWS * w,
            frame_blocks: (nsym as f64 * lb).ceil() as usize,
        }
    }
}

/// A [`Receiver`] over a stream delivered in chunks of any size: frames may straddle chunk
/// boundaries. Positions in the returned detections count samples from the start of the stream.
#[derive(Debug, Clone)]
pub struct StreamReceiver {
    rx: Receiver,
    buf: Vec<f32>,
    base: u64,
    hop: usize,
}

impl StreamReceiver {
    /// A stream receiver that searches every `hop_seconds` of new audio (0.5 s is a good value).
    pub fn new(rx: Receiver, hop_seconds: f64) -> Self {
        let hop = ((hop_seconds.max(0.01)) * rx.fs) as usize;
        StreamReceiver {
            rx,
            buf: Vec::new(),
            base: 0,
            hop,
        }
    }

    fn window(&self) -> usize {
        self.rx.max_frame_samples() + self.rx.max_frame_samples() / 32
    }

    /// Adds samples; returns the frames completed by them.
    pub fn push(&mut self, samples: &[f32]) -> Vec<Detection> {
        self.buf.extend_from_slice(samples);
        let mut out = Vec::new();
        while self.buf.len() >= self.window() + self.hop {
            out.extend(self.search());
        }
        out
    }

    /// Searches what is buffered, regardless of the hop (call at the end of a stream).
    pub fn flush(&mut self) -> Vec<Detection> {
        let out = self.search();
        self.base += self.buf.len() as u64;
        self.buf.clear();
        out
    }

    fn search(&mut self) -> Vec<Detection> {
        let found = self.rx.decode(&self.buf);
        let keep = self.window();
        let mut drop_to = self.buf.len().saturating_sub(keep);
        let mut out = Vec::with_capacity(found.len());
        for mut d in found {
            let frame = (self.rx.frame_symbols() as f64 * SYMBOL_SECONDS * self.rx.fs
                / d.rate_ratio) as usize;
            drop_to = drop_to.max((d.start as usize + frame).min(self.buf.len()));
            d.start += self.base;
            out.push(d);
        }
        // Always make progress, even when the buffer holds less than a window.
        let drop_to = drop_to.max(self.hop.min(self.buf.len()));
        self.buf.drain(..drop_to);
        self.base += drop_to as u64;
        out
    }
}
