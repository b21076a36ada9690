//! `mpay audio …`: payment codes and Chirp codes as sound (WAV).

use super::{CliResult, emit};
use clap::{Args, Subcommand, ValueEnum};
use mpay_qr_payment::audio::{Mode, Modem, Receiver, read_wav, write_wav};

/// Arguments of `mpay audio`.
#[derive(Args)]
pub struct AudioArgs {
    #[command(subcommand)]
    command: AudioCommand,
}

#[derive(Subcommand)]
enum AudioCommand {
    /// Synthesize a code as a mono 16-bit WAV file.
    Encode {
        /// An 18-digit payment code (`paycode`) or a 10-symbol `0-9a-v` code (`chirp`).
        code: String,
        /// Output WAV file.
        #[arg(short, long)]
        output: std::path::PathBuf,
        /// Frame format.
        #[arg(long, value_enum, default_value = "paycode")]
        mode: AudioMode,
        /// Sample rate in Hz.
        #[arg(long, default_value_t = 44_100)]
        rate: u32,
    },
    /// Find and decode every frame in a WAV file; prints one code per line.
    Decode {
        /// The WAV file.
        file: std::path::PathBuf,
        /// Frame format; both are tried when absent.
        #[arg(long, value_enum)]
        mode: Option<AudioMode>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AudioMode {
    /// 12 data symbols: an 18-digit payment code.
    Paycode,
    /// 10 data symbols: a chirp.io shortcode.
    Chirp,
}

impl AudioMode {
    fn mode(self) -> Mode {
        match self {
            AudioMode::Paycode => Mode::PaymentCode,
            AudioMode::Chirp => Mode::Chirp,
        }
    }
}

/// Ten minutes of audio at 192 kHz: the most a WAV file may hold here.
const MAX_SAMPLES: usize = 192_000 * 600;

/// Runs `mpay audio`.
pub fn run(args: AudioArgs) -> CliResult {
    match args.command {
        AudioCommand::Encode {
            code,
            output,
            mode,
            rate,
        } => {
            let modem = Modem::new(rate, mode.mode())?;
            let pcm = modem.encode(&code)?;
            let file =
                std::fs::File::create(&output).map_err(|e| format!("{}: {e}", output.display()))?;
            write_wav(std::io::BufWriter::new(file), rate, &pcm)?;
            Ok(())
        }
        AudioCommand::Decode { file, mode } => {
            let f = std::fs::File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let (rate, samples) = read_wav(std::io::BufReader::new(f), MAX_SAMPLES)?;
            let modes = match mode {
                Some(m) => vec![m.mode()],
                None => vec![Mode::PaymentCode, Mode::Chirp],
            };
            let mut found = Vec::new();
            for m in modes {
                let modem = Modem::new(rate, m)?;
                found.extend(Receiver::new(&modem).decode(&samples));
            }
            if found.is_empty() {
                return Err("no frame found".into());
            }
            found.sort_by_key(|d| d.start);
            emit(
                &found
                    .iter()
                    .map(|d| format!("{}\n", d.code))
                    .collect::<String>(),
            )
        }
    }
}
