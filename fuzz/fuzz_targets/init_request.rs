//! `POST /kyc/digilocker/sessions/init` bodies: arbitrary bytes parsed as JSON, then validated.
//! Never panics, and whatever it accepts satisfies the documented constraints.
#![no_main]

use digigate_core::init::is_indian_mobile;
use digigate_core::InitRequest;
use libfuzzer_sys::fuzz_target;

const NOW_MS: i64 = 1_800_000_000_000;
const HOUR_MS: i64 = 3_600_000;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let development = flags & 1 == 1;
    let Ok(req) = InitRequest::from_json(&value, NOW_MS, development) else {
        return;
    };
    assert!((1..=3).contains(&req.doc_types.len()));
    for (i, d) in req.doc_types.iter().enumerate() {
        assert!(
            !req.doc_types[..i].contains(d),
            "duplicate doc type accepted"
        );
    }
    let url = &req.redirect_url;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1"))
        || url.host_str().is_some_and(|h| h.starts_with("127."));
    assert!(
        url.scheme() == "https" || (development && url.scheme() == "http" && local),
        "redirect_url {url} accepted"
    );
    assert!(url.username().is_empty() && url.password().is_none());
    assert!(req.consent_expiry_ms >= NOW_MS + HOUR_MS);
    assert!(req.consent_expiry_ms <= NOW_MS + 365 * 24 * HOUR_MS);
    if let Some(m) = &req.options.verified_mobile {
        assert!(is_indian_mobile(m));
    }
});
