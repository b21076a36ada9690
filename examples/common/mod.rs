//! What the examples share: a transcript printed as it goes and saved under
//! `target/mpay-demo/<name>/`, and the exit-status convention (1 when a step does not end as
//! expected).
#![allow(dead_code)] // each example uses the part it needs

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Lines printed as they happen and kept for `transcript.txt`.
#[derive(Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<String>>>);

impl Transcript {
    /// Prints `[  who] line` and keeps it.
    pub fn say(&self, who: &str, line: impl AsRef<str>) {
        let l = format!("[{who:>7}] {}", line.as_ref());
        println!("{l}");
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(l);
    }
}

/// `Ok` when `ok`, else an error naming what should have happened.
pub fn expect(ok: bool, what: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected outcome: {what}").into())
    }
}

/// `target/mpay-demo/<name>`, created.
pub fn artefact_dir(name: &str) -> std::io::Result<PathBuf> {
    let dir = Path::new("target/mpay-demo").join(name);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Saves the transcript, reports the result, and turns it into the exit status.
pub fn finish<E: std::fmt::Display>(
    name: &str,
    t: &Transcript,
    result: Result<(), E>,
) -> std::process::ExitCode {
    let lines = t.0.lock().map(|l| l.join("\n")).unwrap_or_default();
    if let Err(e) =
        artefact_dir(name).and_then(|d| std::fs::write(d.join("transcript.txt"), lines + "\n"))
    {
        eprintln!("{name}: cannot write the transcript: {e}");
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: FAILED: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
