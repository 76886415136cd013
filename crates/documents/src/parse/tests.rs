//! Tests of the parser: reference-shaped fixtures, format variations, hostile input and
//! property tests over a small test-only XML writer.

mod fixtures;
mod hostile;
mod properties;
mod strategies;
mod values;
mod variations;
mod writer;

/// The bytes of a file under `crates/documents/testdata/`.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Serialises a model for assertions and failure messages (its `Debug` hides the values).
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("models serialise")
}

/// Whether the text holds twelve ASCII digits in a row (an unmasked Aadhaar number).
fn has_twelve_digit_run(text: &str) -> bool {
    text.as_bytes()
        .split(|b| !b.is_ascii_digit())
        .any(|run| run.len() >= 12)
}
