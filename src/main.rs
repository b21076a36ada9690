//! `mpay`: the command-line tool of the mpay crates. One subcommand per crate; every decoder has
//! `--json`; bad input gives one line on stderr and exit status 2.
#![forbid(unsafe_code)]

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mpay", version, about = "Mobile payment protocols and cryptography", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Each crate adds one variant (behind its feature) here and one arm in `run` below.
#[derive(Subcommand)]
enum Command {
    // mpay-cli: variants
}

fn run(command: Command) -> cli::CliResult {
    match command {
        // mpay-cli: dispatch
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.to_string().replace(['\n', '\r'], " ");
            eprintln!("mpay: {line}");
            ExitCode::from(2)
        }
    }
}
