//! `POST /kyc/digilocker/user/verify` bodies: arbitrary bytes parsed as JSON, then validated.
//! Never panics, and an accepted number is all ASCII digits of the right length.
#![no_main]

use digigate_core::VerifyUserRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match VerifyUserRequest::from_json(&value) {
        Ok(VerifyUserRequest::Mobile(m)) => assert!(digits(&m, 10)),
        Ok(VerifyUserRequest::Aadhaar(a)) => assert!(digits(&a, 12)),
        Err(e) => assert!(!e.field.is_empty()),
    }
});
