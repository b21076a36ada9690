//! Tone synthesis: phase-continuous sine tones, a short fade at both ends of the frame.

use super::{Modem, tone_hz};
use alloc::vec::Vec;
use core::f64::consts::TAU;

pub(super) fn synthesize(modem: &Modem, symbols: &[u8]) -> Vec<f32> {
    let fs = f64::from(modem.sample_rate());
    let per = modem.samples_per_symbol();
    let total = (symbols.len() as f64 * per).round() as usize;
    let mut out = Vec::with_capacity(total);
    let amp = f64::from(modem.amplitude);
    // Phase carried across tones as a unit phasor, advanced by a rotation per sample.
    let (mut re, mut im) = (0.0f64, -1.0f64);
    for (i, &s) in symbols.iter().enumerate() {
        let end = (((i + 1) as f64) * per).round() as usize;
        let w = TAU * tone_hz(s) / fs;
        let (sw, cw) = w.sin_cos();
        while out.len() < end {
            out.push((amp * im) as f32);
            let r = re * cw - im * sw;
            im = re * sw + im * cw;
            re = r;
        }
        // Renormalise once per tone against rounding drift.
        let norm = (re * re + im * im).sqrt();
        re /= norm;
        im /= norm;
    }
    // 2 ms fade in and out.
    let fade = ((0.002 * fs) as usize).min(out.len() / 2);
    for i in 0..fade {
        let g = (i as f32 + 0.5) / fade as f32;
        out[i] *= g;
        let j = out.len() - 1 - i;
        out[j] *= g;
    }
    out
}
