//! The hostile corpus: malformed requests, each with the exact status it must get.

use super::raw::RawRequest;
use super::Ctx;
use serde_json::{json, Value};

/// One malformed request and the status it must be answered with.
pub struct Case {
    /// What is wrong with the request.
    pub name: &'static str,
    /// The request, exactly as sent.
    pub request: RawRequest,
    /// The status the gateway must answer.
    pub expected_status: u16,
}

fn case(name: &'static str, request: RawRequest, expected_status: u16) -> Case {
    Case {
        name,
        request,
        expected_status,
    }
}

const INIT: &str = "/kyc/digilocker/sessions/init";
const VERIFY: &str = "/kyc/digilocker/user/verify";
const INIT_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.request";
const VERIFY_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.verification.request";

/// A valid init body with `field` replaced by `value` (`Value::Null` keeps the key).
fn init_with(field: &str, value: Value) -> Value {
    let mut body = valid_init();
    body[field] = value;
    body
}

/// A valid init body without `field`.
fn init_without(field: &str) -> Value {
    let mut body = valid_init();
    body.as_object_mut().unwrap().remove(field);
    body
}

/// A body init accepts.
pub fn valid_init() -> Value {
    json!({
        "@entity": INIT_ENTITY,
        "flow": "signin",
        "redirect_url": "https://business.example/kyc/done",
        "doc_types": ["aadhaar"],
    })
}

fn with_options(options: Value) -> Value {
    init_with("options", options)
}

fn nested(depth: usize) -> String {
    format!(
        "{{\"@entity\":\"{INIT_ENTITY}\",\"options\":{}1{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// Every case, in groups: bodies, fields, sizes, headers, content types, paths, downloads,
/// callbacks, unknown sessions, methods.
pub fn corpus(c: &Ctx) -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(bad_json(c));
    cases.extend(wrong_init_fields(c));
    cases.extend(wrong_verify_fields(c));
    cases.extend(huge_values(c));
    cases.extend(headers(c));
    cases.extend(content_types(c));
    cases.extend(doc_type_traversal(c));
    cases.extend(downloads(c));
    cases.extend(callbacks(c));
    cases.extend(unknown_sessions(c));
    cases.extend(methods_and_routes(c));
    cases
}

fn bad_json(c: &Ctx) -> Vec<Case> {
    let raw = |name, body: &[u8]| {
        case(
            name,
            c.api("POST", INIT).body("application/json", body.to_vec()),
            400,
        )
    };
    vec![
        raw("an empty body", b""),
        raw("an unterminated object", b"{"),
        raw("a missing value", b"{\"@entity\": }"),
        raw(
            "trailing garbage after the object",
            format!("{} xyz", valid_init()).as_bytes(),
        ),
        raw("single-quoted strings", b"{'flow': 'signin'}"),
        raw("an array instead of an object", b"[]"),
        raw("a bare string", b"\"hello\""),
        raw("a bare null", b"null"),
        raw("a bare number", b"42"),
        raw(
            "a byte-order mark before the object",
            format!("\u{feff}{}", valid_init()).as_bytes(),
        ),
        raw("invalid UTF-8 inside a string", b"{\"flow\": \"sign\xff\xfein\"}"),
        raw("a NaN literal", b"{\"consent_expiry\": NaN}"),
        raw("a comment", b"/* hi */ {\"flow\": \"signin\"}"),
        raw("a NUL byte between tokens", b"{\"flow\":\0\"signin\"}"),
        raw(
            "an unescaped control character in a string",
            b"{\"@entity\": \"in.co\x01\"}",
        ),
        raw(
            "the @entity key given twice, valid last",
            format!(
                "{{\"@entity\":\"x\",\"@entity\":\"{INIT_ENTITY}\",\"flow\":\"signin\",\"redirect_url\":\"https://business.example/kyc/done\",\"doc_types\":[\"aadhaar\"]}}"
            )
            .as_bytes(),
        ),
        raw(
            "the flow key given twice",
            format!(
                "{{\"@entity\":\"{INIT_ENTITY}\",\"flow\":\"signin\",\"flow\":\"signup\",\"redirect_url\":\"https://business.example/kyc/done\",\"doc_types\":[\"aadhaar\"]}}"
            )
            .as_bytes(),
        ),
    ]
}

fn wrong_init_fields(c: &Ctx) -> Vec<Case> {
    let bad = |name, body: Value| case(name, c.api("POST", INIT).json(&body), 400);
    let homoglyph_entity = INIT_ENTITY.replace("sandbox", "s\u{0430}ndbox");
    let mut homoglyph_key = init_without("@entity");
    homoglyph_key["@\u{0435}ntity"] = json!(INIT_ENTITY);
    vec![
        bad("@entity missing", init_without("@entity")),
        bad("@entity a number", init_with("@entity", json!(1))),
        bad("@entity null", init_with("@entity", Value::Null)),
        bad(
            "@entity an array",
            init_with("@entity", json!([INIT_ENTITY])),
        ),
        bad(
            "@entity of another request",
            init_with("@entity", json!(VERIFY_ENTITY)),
        ),
        bad(
            "@entity with a Cyrillic homoglyph",
            init_with("@entity", json!(homoglyph_entity)),
        ),
        bad("an @entity key spelled with a homoglyph", homoglyph_key),
        bad(
            "@entity with a NUL",
            init_with("@entity", json!(format!("{INIT_ENTITY}\u{0}"))),
        ),
        bad(
            "@entity with a trailing space",
            init_with("@entity", json!(format!("{INIT_ENTITY} "))),
        ),
        bad("flow missing", init_without("flow")),
        bad("flow a number", init_with("flow", json!(1))),
        bad("flow a boolean", init_with("flow", json!(true))),
        bad("flow in capitals", init_with("flow", json!("SIGNIN"))),
        bad(
            "flow with a zero-width space",
            init_with("flow", json!("sign\u{200b}in")),
        ),
        bad(
            "flow with a right-to-left override",
            init_with("flow", json!("\u{202e}nignis")),
        ),
        bad("flow empty", init_with("flow", json!(""))),
        bad("redirect_url missing", init_without("redirect_url")),
        bad(
            "redirect_url a number",
            init_with("redirect_url", json!(443)),
        ),
        bad(
            "redirect_url not a URL",
            init_with("redirect_url", json!("not a url")),
        ),
        bad(
            "redirect_url javascript:",
            init_with("redirect_url", json!("javascript:alert(1)")),
        ),
        bad(
            "redirect_url plain http",
            init_with("redirect_url", json!("http://business.example/kyc")),
        ),
        bad(
            "redirect_url with user information",
            init_with("redirect_url", json!("https://user:pw@business.example/")),
        ),
        bad(
            "redirect_url with a backslash",
            init_with(
                "redirect_url",
                json!("https://business.example\\@evil.example/"),
            ),
        ),
        bad(
            "redirect_url with a NUL",
            init_with("redirect_url", json!("https://business.example/\u{0}")),
        ),
        bad(
            "redirect_url with a newline",
            init_with("redirect_url", json!("https://business.example/\r\nx: y")),
        ),
        bad(
            "redirect_url with a right-to-left override in the host",
            init_with(
                "redirect_url",
                json!("https://business\u{202e}elpmaxe.com/"),
            ),
        ),
        bad(
            "redirect_url ftp",
            init_with("redirect_url", json!("ftp://business.example/")),
        ),
        bad("doc_types missing", init_without("doc_types")),
        bad(
            "doc_types a string",
            init_with("doc_types", json!("aadhaar")),
        ),
        bad("doc_types empty", init_with("doc_types", json!([]))),
        bad(
            "doc_types with a duplicate",
            init_with("doc_types", json!(["aadhaar", "aadhaar"])),
        ),
        bad(
            "doc_types unknown",
            init_with("doc_types", json!(["passport"])),
        ),
        bad(
            "doc_types a number item",
            init_with("doc_types", json!([1])),
        ),
        bad(
            "doc_types a null item",
            init_with("doc_types", json!([null])),
        ),
        bad(
            "doc_types four items",
            init_with(
                "doc_types",
                json!(["aadhaar", "pan", "driving_license", "aadhaar"]),
            ),
        ),
        bad(
            "doc_types an object",
            init_with("doc_types", json!({"0": "aadhaar"})),
        ),
        bad(
            "doc_types with a homoglyph",
            init_with("doc_types", json!(["\u{0430}adhaar"])),
        ),
        bad("options a string", with_options(json!("pinless"))),
        bad("options an array", with_options(json!([]))),
        bad(
            "options.pinless a string",
            with_options(json!({"pinless": "yes"})),
        ),
        bad(
            "options.usernameless a number",
            with_options(json!({"usernameless": 1})),
        ),
        bad(
            "options.verified_mobile starting with 5",
            with_options(json!({"verified_mobile": "5000000000"})),
        ),
        bad(
            "options.verified_mobile a number",
            with_options(json!({"verified_mobile": 9000000001u64})),
        ),
        bad(
            "options.verified_mobile in Devanagari digits",
            with_options(json!({"verified_mobile": "९०००००००००"})),
        ),
        bad(
            "options.verification_method empty",
            with_options(json!({"verification_method": []})),
        ),
        bad(
            "options.verification_method unknown",
            with_options(json!({"verification_method": ["fingerprint"]})),
        ),
        bad(
            "options.verification_method a string",
            with_options(json!({"verification_method": "aadhaar"})),
        ),
        bad(
            "consent_expiry a string",
            init_with("consent_expiry", json!("tomorrow")),
        ),
        bad(
            "consent_expiry a fraction",
            init_with("consent_expiry", json!(1.5)),
        ),
        bad(
            "consent_expiry negative",
            init_with("consent_expiry", json!(-1)),
        ),
        bad("consent_expiry zero", init_with("consent_expiry", json!(0))),
        bad(
            "consent_expiry a boolean",
            init_with("consent_expiry", json!(true)),
        ),
        bad(
            "consent_expiry beyond i64",
            init_with("consent_expiry", json!(18_446_744_073_709_551_615u64)),
        ),
        bad(
            "consent_expiry i64::MAX",
            init_with("consent_expiry", json!(i64::MAX)),
        ),
        bad(
            "consent_expiry 1e300",
            init_with("consent_expiry", json!(1e300)),
        ),
    ]
}

fn wrong_verify_fields(c: &Ctx) -> Vec<Case> {
    let bad = |name, body: Value| case(name, c.api("POST", VERIFY).json(&body), 400);
    let with = |k: &str, v: Value| json!({ "@entity": VERIFY_ENTITY, k: v });
    vec![
        bad(
            "verify without a number",
            json!({ "@entity": VERIFY_ENTITY }),
        ),
        bad("verify without @entity", json!({ "mobile": "9000000001" })),
        bad(
            "verify with the init @entity",
            json!({ "@entity": INIT_ENTITY, "mobile": "9000000001" }),
        ),
        bad(
            "verify mobile a number",
            with("mobile", json!(9000000001u64)),
        ),
        bad(
            "verify mobile of nine digits",
            with("mobile", json!("900000000")),
        ),
        bad(
            "verify mobile with a country code",
            with("mobile", json!("+919000000001")),
        ),
        bad(
            "verify mobile in Devanagari digits",
            with("mobile", json!("९०००००००००")),
        ),
        bad(
            "verify mobile with a zero-width space",
            with("mobile", json!("90000\u{200b}00001")),
        ),
        bad(
            "verify aadhaar of eleven digits",
            with("aadhaar_number", json!("23456789012")),
        ),
        bad(
            "verify aadhaar an array",
            with("aadhaar_number", json!(["234567890124"])),
        ),
        bad(
            "verify body an array",
            json!([{ "@entity": VERIFY_ENTITY, "mobile": "9000000001" }]),
        ),
    ]
}

fn huge_values(c: &Ctx) -> Vec<Case> {
    let long = "x".repeat(60 * 1024);
    vec![
        case(
            "a 60 KiB flow string",
            c.api("POST", INIT).json(&init_with("flow", json!(long))),
            400,
        ),
        case(
            "a 3000-character redirect_url",
            c.api("POST", INIT).json(&init_with(
                "redirect_url",
                json!(format!("https://business.example/{}", "a".repeat(3000))),
            )),
            400,
        ),
        case(
            "5,000 doc_types",
            c.api("POST", INIT)
                .json(&init_with("doc_types", json!(vec!["aadhaar"; 5_000]))),
            400,
        ),
        case(
            "a number with 400 digits",
            c.api("POST", INIT).body(
                "application/json",
                format!("{{\"consent_expiry\": 1{}}}", "0".repeat(400)),
            ),
            400,
        ),
        case(
            "arrays nested 200 deep",
            c.api("POST", INIT).body("application/json", nested(200)),
            400,
        ),
        case(
            "arrays nested 30,000 deep",
            c.api("POST", INIT).body("application/json", nested(30_000)),
            400,
        ),
        case(
            "a 100 KiB body",
            c.api("POST", INIT)
                .json(&init_with("flow", json!("x".repeat(100 * 1024)))),
            413,
        ),
        case(
            "a 2 MiB verify body",
            c.api("POST", VERIFY)
                .body("application/json", vec![b' '; 2 << 20]),
            413,
        ),
        case(
            "a content-length of 10 GB announced",
            {
                let mut r = c.api("POST", INIT).json(&valid_init());
                r.announced_length = Some(10_000_000_000);
                r
            },
            413,
        ),
    ]
}

fn headers(c: &Ctx) -> Vec<Case> {
    let status = format!("/kyc/digilocker/sessions/{}/status", c.completed);
    let get = || c.api("GET", &status);
    let auth = |key: &str, secret: &[u8]| {
        RawRequest::new("POST", "/authenticate")
            .header("x-api-key", key)
            .header("x-api-secret", secret)
    };
    vec![
        case("no x-api-key", get().without("x-api-key"), 401),
        case("no authorization", get().without("authorization"), 401),
        case("an empty x-api-key", get().set("x-api-key", ""), 401),
        case(
            "an empty authorization",
            get().set("authorization", ""),
            401,
        ),
        case(
            "two x-api-key headers, the valid one first",
            get().header("x-api-key", &c.other_key),
            401,
        ),
        case(
            "two x-api-key headers, the valid one last",
            get()
                .set("x-api-key", &c.other_key)
                .header("x-api-key", &c.key),
            401,
        ),
        case(
            "two authorization headers, the valid one first",
            get().header("authorization", "garbage"),
            401,
        ),
        case(
            "two authorization headers, the valid one last",
            get()
                .set("authorization", "garbage")
                .header("authorization", &c.token),
            401,
        ),
        case(
            "the other key's token with this key",
            get().set("authorization", &c.other_token),
            401,
        ),
        case(
            "a token with alg none",
            get().set("authorization", &c.alg_none_token),
            401,
        ),
        case(
            "Bearer and nothing else",
            get().set("authorization", "Bearer "),
            401,
        ),
        case(
            "a Basic credential",
            get().set("authorization", "Basic dXNlcjpwYXNz"),
            401,
        ),
        case(
            "a non-ASCII x-api-key",
            get().set("x-api-key", b"key_test_\xe9\xe9"),
            401,
        ),
        case(
            "an 8 KiB authorization",
            get().set("authorization", "a".repeat(8192)),
            401,
        ),
        case(
            "SQL in x-api-key",
            get().set("x-api-key", "' OR '1'='1' --"),
            401,
        ),
        case(
            "authenticate without headers",
            RawRequest::new("POST", "/authenticate"),
            401,
        ),
        case(
            "authenticate with a wrong secret",
            auth(&c.key, b"secret_test_wrong"),
            401,
        ),
        case(
            "authenticate with a malformed key",
            auth("not-a-key", b"x"),
            401,
        ),
        case(
            "authenticate with a 200-character secret",
            auth(&c.key, "s".repeat(200).as_bytes()),
            401,
        ),
        case(
            "authenticate with two x-api-secret headers",
            auth(&c.key, b"wrong").header("x-api-secret", &c.secret),
            401,
        ),
        case(
            "authenticate with two x-api-key headers",
            auth(&c.key, c.secret.as_bytes()).header("x-api-key", &c.other_key),
            401,
        ),
    ]
}

fn content_types(c: &Ctx) -> Vec<Case> {
    let body = valid_init().to_string();
    let typed = |name, ctype: &str| case(name, c.api("POST", INIT).body(ctype, body.clone()), 400);
    vec![
        typed("a JSON body sent as text/plain", "text/plain"),
        typed(
            "a JSON body sent as a form",
            "application/x-www-form-urlencoded",
        ),
        typed(
            "a JSON body sent as multipart",
            "multipart/form-data; boundary=x",
        ),
        typed("a JSON body sent as application/jsonx", "application/jsonx"),
        typed("a JSON body sent as XML", "application/xml"),
        case(
            "a JSON body without a content type",
            {
                let mut r = c.api("POST", INIT);
                r.body = body.clone().into_bytes();
                r
            },
            400,
        ),
        case(
            "a form body sent as a form",
            c.api("POST", INIT).body(
                "application/x-www-form-urlencoded",
                "flow=signin&doc_types=aadhaar",
            ),
            400,
        ),
    ]
}

fn doc_type_traversal(c: &Ctx) -> Vec<Case> {
    let doc = |name, raw: &str, status| {
        case(
            name,
            c.api(
                "GET",
                format!("/kyc/digilocker/sessions/{}/documents/{raw}", c.completed),
            ),
            status,
        )
    };
    vec![
        doc(
            "doc_type ..%2f..%2fetc%2fpasswd",
            "..%2f..%2fetc%2fpasswd",
            400,
        ),
        doc("doc_type %2e%2e", "%2e%2e", 400),
        doc(
            "doc_type %2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            400,
        ),
        doc("doc_type double-encoded %252e%252e", "%252e%252e%252f", 400),
        doc("doc_type .. unencoded", "..", 400),
        doc("doc_type with an encoded NUL", "aadhaar%00", 400),
        doc("doc_type with an encoded slash", "aadhaar%2f..", 400),
        doc("doc_type with a backslash", "..%5c..%5cwindows", 400),
        doc("doc_type in capitals", "AADHAAR", 400),
        doc("doc_type with a homoglyph", "%D0%B0adhaar", 400),
        doc("doc_type with a trailing space", "pan%20", 400),
        doc("doc_type not UTF-8", "%ff%fe", 404),
        doc("a path that climbs out of documents", "../status", 404),
    ]
}

fn downloads(c: &Ctx) -> Vec<Case> {
    let a = &c.aadhaar;
    let p = &c.pan;
    let file = |name, target: String, status| case(name, RawRequest::new("GET", target), status);
    let mut flipped = a.signature.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    vec![
        file("/files/../..", "/files/../..".into(), 404),
        file(
            "/files/../../etc/passwd",
            "/files/../../etc/passwd".into(),
            404,
        ),
        file(
            "an encoded traversal as the document id",
            format!(
                "/files/..%2f..%2fetc%2fpasswd?expires={}&signature={}",
                a.expires, a.signature
            ),
            404,
        ),
        file(
            "a download without the query",
            format!("/files/{}", a.id),
            404,
        ),
        file(
            "a download without the signature",
            format!("/files/{}?expires={}", a.id, a.expires),
            404,
        ),
        file(
            "a non-numeric expires",
            format!("/files/{}?expires=soon&signature={}", a.id, a.signature),
            404,
        ),
        file(
            "a tampered signature",
            format!("/files/{}?expires={}&signature={flipped}", a.id, a.expires),
            404,
        ),
        file(
            "an empty signature",
            format!("/files/{}?expires={}&signature=", a.id, a.expires),
            404,
        ),
        file(
            "a padded signature",
            format!(
                "/files/{}?expires={}&signature={}%3D",
                a.id, a.expires, a.signature
            ),
            404,
        ),
        file(
            "a stretched expires",
            format!(
                "/files/{}?expires={}&signature={}",
                a.id,
                a.expires + 3600,
                a.signature
            ),
            404,
        ),
        file(
            "another document's signature",
            format!(
                "/files/{}?expires={}&signature={}",
                a.id, p.expires, p.signature
            ),
            404,
        ),
        file(
            "a duplicated expires",
            format!(
                "/files/{}?expires={}&expires=1&signature={}",
                a.id, a.expires, a.signature
            ),
            404,
        ),
        file(
            "a duplicated signature",
            format!(
                "/files/{}?expires={}&signature={}&signature={flipped}",
                a.id, a.expires, a.signature
            ),
            404,
        ),
        file(
            "an expires beyond i64",
            format!(
                "/files/{}?expires=99999999999999999999&signature={}",
                a.id, a.signature
            ),
            404,
        ),
        file(
            "a genuine link replayed after it expired",
            c.expired_link.clone(),
            404,
        ),
        file(
            "a 100-character document id",
            format!(
                "/files/{}?expires={}&signature={}",
                "d".repeat(100),
                a.expires,
                a.signature
            ),
            404,
        ),
        file(
            "a document id that is not UTF-8",
            format!("/files/%ff?expires={}&signature={}", a.expires, a.signature),
            404,
        ),
        file(
            "a genuine link to a document that does not exist",
            c.ghost_link.clone(),
            410,
        ),
    ]
}

fn callbacks(c: &Ctx) -> Vec<Case> {
    let cb = |name, query: String| {
        case(
            name,
            RawRequest::new("GET", format!("/callbacks/digilocker{query}")),
            400,
        )
    };
    let many: String = (0..2000).map(|i| format!("p{i}=1&")).collect();
    vec![
        cb("a callback without parameters", String::new()),
        cb("a callback with an unknown state and no cookie", "?state=unknown&code=abc".into()),
        case("a callback with an unknown state and a cookie for it", RawRequest::new("GET", "/callbacks/digilocker?state=unknown&code=abc").header("cookie", c.cookie_for("unknown")), 400),
        cb("a replayed callback", c.replayed_callback.clone()),
        cb("a 300-character state", format!("?state={}&code=abc", "s".repeat(300))),
        cb("a 3000-character state", format!("?state={}&code=abc", "s".repeat(3000))),
        cb("a duplicated state", "?state=a&state=b&code=abc".into()),
        cb("a duplicated code", "?state=a&code=b&code=c".into()),
        cb("an empty state", "?state=&code=abc".into()),
        cb("an error= injection with markup", "?state=x&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%3Cimg%20src%3Dx%3E".into()),
        cb("error=access_denied for an unknown state", "?state=unknown&error=access_denied".into()),
        cb("a state with CRLF and a header", "?state=x%0d%0aSet-Cookie:%20a%3Db&code=1".into()),
        cb("a state with a NUL", "?state=x%00y&code=1".into()),
        cb("a state that is not UTF-8", "?state=%ff%fe&code=1".into()),
        cb("2000 unknown parameters", format!("?{many}state=x")),
    ]
}

fn unknown_sessions(c: &Ctx) -> Vec<Case> {
    let s = "/kyc/digilocker/sessions";
    let random = "0b5c1f5e-8a41-4d2c-9b8e-1f2a3b4c5d6e";
    vec![
        case(
            "the checks of a random session",
            c.api("GET", format!("{s}/{random}/checks")),
            404,
        ),
        case(
            "the checks of a session not yet completed",
            c.api("GET", format!("{s}/{}/checks", c.created)),
            409,
        ),
        case(
            "the checks of an id that is not UTF-8",
            c.api("GET", format!("{s}/%ff%fe/checks")),
            404,
        ),
        case(
            "the status of a random session",
            c.api("GET", format!("{s}/{random}/status")),
            404,
        ),
        case(
            "the status of another key's session",
            c.api("GET", format!("{s}/{}/status", c.other_session)),
            404,
        ),
        case(
            "the status of a 100-character id",
            c.api("GET", format!("{s}/{}/status", "a".repeat(100))),
            404,
        ),
        case(
            "the status of an id with SQL",
            c.api("GET", format!("{s}/%27%20OR%20%271%27%3D%271/status")),
            404,
        ),
        case(
            "the status of an id with a NUL",
            c.api("GET", format!("{s}/{}%00/status", c.completed)),
            404,
        ),
        case(
            "the status of an id that is not UTF-8",
            c.api("GET", format!("{s}/%ff/status")),
            404,
        ),
        case(
            "the status of an encoded traversal",
            c.api("GET", format!("{s}/..%2f..%2fhealth/status")),
            404,
        ),
        case(
            "a document of a random session",
            c.api("GET", format!("{s}/{random}/documents/aadhaar")),
            404,
        ),
        case(
            "a document of another key's session",
            c.api("GET", format!("{s}/{}/documents/aadhaar", c.other_session)),
            404,
        ),
        case(
            "the profile of a random session",
            c.api("GET", format!("{s}/{random}/user/profile")),
            404,
        ),
        case(
            "the profile of a session not yet completed",
            c.api("GET", format!("{s}/{}/user/profile", c.created)),
            409,
        ),
        case(
            "a document of a session not yet completed",
            c.api("GET", format!("{s}/{}/documents/pan", c.created)),
            409,
        ),
        case(
            "deleting a random session",
            c.api("DELETE", format!("{s}/{random}")),
            404,
        ),
        case(
            "deleting another key's session",
            c.api("DELETE", format!("{s}/{}", c.other_session)),
            404,
        ),
        case(
            "opening an unknown link",
            RawRequest::new("GET", "/connect/unknown-link"),
            404,
        ),
        case(
            "opening a 100-character link",
            RawRequest::new("GET", format!("/connect/{}", "l".repeat(100))),
            404,
        ),
        case(
            "opening a link that is not UTF-8",
            RawRequest::new("GET", "/connect/%ff"),
            404,
        ),
        case(
            "opening the link of a completed session",
            RawRequest::new("GET", format!("/connect/{}", c.completed_link)),
            409,
        ),
    ]
}

fn methods_and_routes(c: &Ctx) -> Vec<Case> {
    vec![
        case("PUT on init", c.api("PUT", INIT).json(&valid_init()), 405),
        case("GET on init", c.api("GET", INIT), 405),
        case(
            "DELETE on authenticate",
            RawRequest::new("DELETE", "/authenticate"),
            405,
        ),
        case(
            "PATCH on a status",
            c.api(
                "PATCH",
                format!("/kyc/digilocker/sessions/{}/status", c.completed),
            ),
            405,
        ),
        case(
            "POST on a download",
            RawRequest::new("POST", format!("/files/{}", c.aadhaar.id)),
            405,
        ),
        case(
            "an unknown route",
            c.api("GET", "/kyc/digilocker/sessions"),
            404,
        ),
        case("a dotfile probe", RawRequest::new("GET", "/.env"), 404),
        case("an admin probe", RawRequest::new("GET", "/admin/keys"), 404),
    ]
}
