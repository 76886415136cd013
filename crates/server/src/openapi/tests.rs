use super::*;
use digigate_core::InitRequest;
use std::collections::BTreeSet;

/// The router's source; the route list is read from it so a new route cannot go undocumented.
const ROUTER_SOURCE: &str = include_str!("../routes/mod.rs");
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The `(method, path)` pairs registered with `.route(…)` in `routes/mod.rs`, with `let`
/// string constants and `format!` escapes resolved.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut consts = Vec::new();
    for line in ROUTER_SOURCE.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("let ") {
            if let Some((name, value)) = rest.split_once(" = \"") {
                if let Some(value) = value.strip_suffix("\";") {
                    consts.push((format!("{{{name}}}"), value.to_owned()));
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    let mut rest = ROUTER_SOURCE;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("balanced parentheses in routes/mod.rs");
        let call = &rest[..end];
        let open = call.find('"').expect("a path literal") + 1;
        let close = open + call[open..].find('"').expect("a closed path literal");
        let mut path = call[open..close].to_owned();
        for (name, value) in &consts {
            path = path.replace(name.as_str(), value);
        }
        let path = path.replace("{{", "{").replace("}}", "}");
        let handlers = &call[close..];
        for m in METHODS {
            let needle = format!("{m}(");
            let mut from = 0;
            while let Some(i) = handlers[from..].find(&needle) {
                let i = from + i;
                let before = handlers[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    out.insert((m.to_owned(), path.clone()));
                }
                from = i + needle.len();
            }
        }
    }
    out
}

fn documented() -> BTreeSet<(String, String)> {
    operations()
        .into_iter()
        .map(|o| (o.method.to_owned(), o.path.to_owned()))
        .collect()
}

#[test]
fn every_route_of_the_router_is_documented_and_nothing_more() {
    let routes = registered_routes();
    assert!(
        routes.len() >= 10,
        "the route list could not be read: {routes:?}"
    );
    let documented = documented();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi::operations(): {undocumented:?}"
    );
    assert!(
        stale.is_empty(),
        "documented operations the router does not have: {stale:?}"
    );
}

#[test]
fn the_route_reader_resolves_constants_and_chained_methods() {
    let routes = registered_routes();
    assert!(routes.contains(&(
        "get".into(),
        "/kyc/digilocker/sessions/{session_id}/documents/{doc_type}".into()
    )));
    assert!(routes.contains(&("post".into(), "/authenticate".into())));
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 20);
    for r in found {
        assert!(resolve(&doc, &r).is_some(), "unresolved {r}");
    }
    let ids: BTreeSet<_> = operations()
        .iter()
        .map(|o| o.spec["operationId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), operations().len(), "operationIds are unique");
}

#[test]
fn every_api_operation_documents_its_credentials_and_error_envelope() {
    for o in operations().iter().filter(|o| o.audience == Audience::Api) {
        let names: Vec<_> = o.spec["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "header")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["x-api-key", "authorization", "x-api-version"],
            "{}",
            o.path
        );
        for status in ["401", "429", "500"] {
            assert!(
                o.spec["responses"][status].is_object(),
                "{} {status}",
                o.path
            );
        }
    }
}

#[test]
fn a_body_built_from_the_init_schema_is_accepted_by_the_validator() {
    let doc = document();
    let schema = &doc["components"]["schemas"]["InitSessionRequest"];
    let now = 1_800_000_000_000;
    let body = json!({
        "@entity": schema["properties"]["@entity"]["enum"][0],
        "flow": schema["properties"]["flow"]["enum"][1],
        "redirect_url": "https://shop.example/kyc/done",
        "doc_types": doc["components"]["schemas"]["DocType"]["enum"],
        "options": {
            "pinless": true,
            "usernameless": false,
            "verified_mobile": "9876543210",
            "verification_method": schemas::verification_methods(),
        },
        "consent_expiry": now + 7_200_000,
    });
    let req = InitRequest::from_json(&body, now, false).expect("accepted");
    assert_eq!(req.doc_types.len(), 3);
    assert_eq!(req.options.verification_method.len(), 7);
}

#[test]
fn a_body_built_from_the_verify_schema_is_accepted_by_the_validator() {
    let doc = document();
    let schema = &doc["components"]["schemas"]["VerifyUserRequest"];
    let body =
        json!({ "@entity": schema["properties"]["@entity"]["enum"][0], "mobile": "9000000001" });
    assert!(digigate_core::VerifyUserRequest::from_json(&body).is_ok());
}
