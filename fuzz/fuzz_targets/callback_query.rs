//! The query string DigiLocker appends to `/callbacks/digilocker`: never panics, and what it
//! returns respects the size limits (a refused query is refused whole).
#![no_main]

use digigate_server::browser_input::{parse_query, MAX_PARAM_NAME, MAX_PARAM_VALUE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Some(params) = parse_query(Some(raw)) else {
        return;
    };
    let pairs = url::form_urlencoded::parse(raw.as_bytes()).count();
    assert_eq!(params.len(), pairs, "a repeated parameter was kept");
    for (k, v) in &params {
        assert!(k.len() <= MAX_PARAM_NAME && v.len() <= MAX_PARAM_VALUE);
    }
});
