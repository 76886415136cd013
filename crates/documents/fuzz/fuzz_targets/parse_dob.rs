//! Fuzzes `parse_dob` (and `parse_gender`): no panic, and every date read survives its own ISO
//! form.
#![no_main]

use digigate_documents::parse::{parse_dob, parse_gender};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_gender(text);
    if let Some(dob) = parse_dob(text) {
        let iso = dob.to_string();
        assert_eq!(parse_dob(&iso), Some(dob), "ISO form reads back");
        assert!(iso.len() == 4 || iso.len() == 10, "ISO form has the expected length");
    }
});
