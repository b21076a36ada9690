//! Loading the vector files of `tests/vectors/` (`name: hex` lines, `#` comments).

#![allow(dead_code)]

use std::path::Path;

/// The `(name, bytes)` entries of a vector file, in order.
pub fn load(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains(':'))
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_string(), hex::decode(v.trim()).unwrap())
        })
        .collect()
}

/// One named entry of a vector file.
pub fn get(file: &str, name: &str) -> Vec<u8> {
    load(file)
        .into_iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("{name} not in {file}"))
        .1
}
