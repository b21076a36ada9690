//! WAV files through `hound`: 16-bit PCM out, 8/16/24/32-bit integer or 32-bit float in (mono,
//! or the first channel).

use crate::Error;
use std::io::{Read, Seek, Write};

fn wav_err(e: hound::Error) -> Error {
    Error::Wav {
        what: e.to_string(),
    }
}

/// Writes mono 16-bit PCM.
pub fn write_wav<W: Write + Seek>(out: W, sample_rate: u32, samples: &[f32]) -> Result<(), Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(out, spec).map_err(wav_err)?;
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        w.write_sample(v).map_err(wav_err)?;
    }
    w.finalize().map_err(wav_err)
}

/// Reads a WAV file: `(sample_rate, samples of the first channel in −1..1)`. At most
/// `max_samples` frames are read (hostile headers cannot make it allocate more).
pub fn read_wav<R: Read>(input: R, max_samples: usize) -> Result<(u32, Vec<f32>), Error> {
    let mut r = hound::WavReader::new(input).map_err(wav_err)?;
    let spec = r.spec();
    let ch = usize::from(spec.channels.max(1));
    let limit = max_samples.saturating_mul(ch);
    let mut out = Vec::new();
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, s) in r.samples::<f32>().take(limit).enumerate() {
                let s = s.map_err(wav_err)?;
                if i % ch == 0 {
                    out.push(s);
                }
            }
        }
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            for (i, s) in r.samples::<i32>().take(limit).enumerate() {
                let s = s.map_err(wav_err)?;
                if i % ch == 0 {
                    out.push(s as f32 * scale);
                }
            }
        }
    }
    Ok((spec.sample_rate, out))
}
