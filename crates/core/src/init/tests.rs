use super::*;
use serde_json::json;

const NOW: i64 = 1_760_000_000_000;

fn valid() -> Value {
    json!({
        "@entity": INIT_ENTITY,
        "flow": "signin",
        "redirect_url": "https://example.com/done",
        "doc_types": ["aadhaar", "pan"],
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut v = valid();
    v[field] = value;
    v
}

fn field_of(body: Value) -> String {
    InitRequest::from_json(&body, NOW, false).unwrap_err().field
}

#[test]
fn a_minimal_request_is_accepted_with_a_one_hour_consent_window() {
    let req = InitRequest::from_json(&valid(), NOW, false).unwrap();
    assert_eq!(req.flow, Flow::Signin);
    assert_eq!(req.doc_types, vec![DocType::Aadhaar, DocType::Pan]);
    assert_eq!(req.consent_expiry_ms, NOW + HOUR_MS);
    assert_eq!(req.options, SessionOptions::default());
}

#[test]
fn unknown_fields_are_ignored() {
    let req = InitRequest::from_json(&with("colour", json!("blue")), NOW, false);
    assert!(req.is_ok());
}

#[test]
fn each_bad_field_is_named() {
    assert_eq!(field_of(with("@entity", json!("x"))), "@entity");
    assert_eq!(field_of(with("flow", json!("login"))), "flow");
    assert_eq!(field_of(with("flow", json!(1))), "flow");
    assert_eq!(field_of(with("doc_types", json!([]))), "doc_types");
    assert_eq!(
        field_of(with("doc_types", json!(["aadhaar", "voter"]))),
        "doc_types[1]"
    );
    assert_eq!(
        field_of(with("doc_types", json!(["pan", "pan"]))),
        "doc_types[1]"
    );
    assert_eq!(field_of(with("doc_types", json!("pan"))), "doc_types");
    assert_eq!(
        field_of(with("options", json!({"pinless": "yes"}))),
        "options.pinless"
    );
    assert_eq!(
        field_of(with("options", json!({"verified_mobile": "5123456789"}))),
        "options.verified_mobile"
    );
    assert_eq!(
        field_of(with("options", json!({"verification_method": ["fax"]}))),
        "options.verification_method[0]"
    );
    assert_eq!(
        field_of(with("options", json!({"verification_method": []}))),
        "options.verification_method"
    );
    assert_eq!(
        field_of(with("consent_expiry", json!("tomorrow"))),
        "consent_expiry"
    );
    assert_eq!(
        field_of(with("consent_expiry", json!(NOW + 60_000))),
        "consent_expiry"
    );
    assert_eq!(
        field_of(with("consent_expiry", json!(i64::MAX))),
        "consent_expiry"
    );
    assert_eq!(field_of(json!([1, 2])), "body");
}

#[test]
fn redirect_urls_must_be_https_without_tricks() {
    for bad in [
        "http://example.com/",
        "javascript:alert(1)",
        "https://user:pw@example.com/",
        "https://example.com\\@evil.com/",
        "ftp://example.com/",
        "/relative",
        "https://exa mple.com/",
        "https://example.com/\u{202E}txt.exe",
        "https://example.com/a\u{200B}b",
    ] {
        assert_eq!(
            field_of(with("redirect_url", json!(bad))),
            "redirect_url",
            "{bad}"
        );
    }
}

#[test]
fn redirect_urls_carrying_the_parameters_the_gateway_adds_are_refused_by_name() {
    for (url, name) in [
        (
            "https://shop.example/done?session_id=FAKE&status=succeeded",
            "session_id",
        ),
        (
            "https://shop.example/done?order=1&status=succeeded",
            "status",
        ),
        ("https://shop.example/done?ts=1", "ts"),
        ("https://shop.example/done?a=b&sig=v1,xyz", "sig"),
        ("https://shop.example/done?SIG=x", "sig"),
        ("https://shop.example/done?%73ig=x", "sig"),
    ] {
        let err =
            InitRequest::from_json(&with("redirect_url", json!(url)), NOW, false).unwrap_err();
        assert_eq!(err.field, "redirect_url", "{url}");
        assert!(
            err.problem.contains(&format!("parameter {name}")),
            "{url}: {err}"
        );
    }
    for fine in [
        "https://shop.example/done?order=1",
        "https://shop.example/done?session=1&statuses=2&tsx=3",
        "https://shop.example/done#status=1",
    ] {
        assert!(
            InitRequest::from_json(&with("redirect_url", json!(fine)), NOW, false).is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn http_localhost_is_allowed_only_in_development_mode() {
    let body = with("redirect_url", json!("http://127.0.0.1:3000/cb"));
    assert!(InitRequest::from_json(&body, NOW, false).is_err());
    assert!(InitRequest::from_json(&body, NOW, true).is_ok());
    let body = with("redirect_url", json!("http://example.com/cb"));
    assert!(InitRequest::from_json(&body, NOW, true).is_err());
}

#[test]
fn consent_expiry_accepts_milliseconds_and_ten_digit_seconds() {
    let ms = NOW + 2 * HOUR_MS;
    let req = InitRequest::from_json(&with("consent_expiry", json!(ms)), NOW, false).unwrap();
    assert_eq!(req.consent_expiry_ms, ms);
    let req =
        InitRequest::from_json(&with("consent_expiry", json!(ms / 1000)), NOW, false).unwrap();
    assert_eq!(req.consent_expiry_ms, ms);
}

#[test]
fn options_are_read() {
    let body = with(
        "options",
        json!({"pinless": true, "usernameless": true, "verified_mobile": "9876543210", "verification_method": ["aadhaar", "pan"]}),
    );
    let req = InitRequest::from_json(&body, NOW, false).unwrap();
    assert!(req.options.pinless && req.options.usernameless);
    assert_eq!(req.options.verified_mobile.as_deref(), Some("9876543210"));
    assert_eq!(req.options.verification_method, vec!["aadhaar", "pan"]);
}
