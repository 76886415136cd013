//! The `Cookie` headers of a callback: never panics, and a found value is a piece of one
//! header, with no separator in it.
#![no_main]

use arbitrary::Arbitrary;
use digigate_server::browser_input::cookie;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    name: &'a str,
    headers: Vec<&'a [u8]>,
}

fuzz_target!(|input: Input<'_>| {
    let mut map = HeaderMap::new();
    for h in &input.headers {
        if let Ok(v) = HeaderValue::from_bytes(h) {
            map.append(COOKIE, v);
        }
    }
    if let Some(value) = cookie(&map, input.name) {
        assert!(!value.contains(';'));
        let found = map
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(&format!("{}={value}", input.name)));
        assert!(found, "{value:?} is not in any cookie header");
    }
});
