//! Fuzzes the aadhaar parser: any bytes give a model or an error, never a panic, and a model
//! always serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = digigate_documents::parse::parse_aadhaar(data) {
        let json = serde_json::to_string(&doc).expect("a parsed document serialises");
        assert!(!json.is_empty());
    }
});
