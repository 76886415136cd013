use super::*;
use digigate_core::InitRequest;
use std::collections::BTreeSet;

/// The `(method, path)` pairs the router serves: its one route table.
fn registered_routes() -> BTreeSet<(String, String)> {
    crate::routes::table()
        .into_iter()
        .map(|r| (r.method.as_str().to_ascii_lowercase(), r.path))
        .collect()
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

/// The property names of a JSON object.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Checks the component schema `name` against an answer of its wire type with every optional
/// field present (`full`) and one with none (`bare`): the schema names exactly the fields the
/// type writes, and requires exactly those it always writes.
fn assert_schema_matches(name: &str, full: impl serde::Serialize, bare: impl serde::Serialize) {
    let doc = document();
    let schema = &doc["components"]["schemas"][name];
    let full = serde_json::to_value(full).unwrap();
    let bare = serde_json::to_value(bare).unwrap();
    assert_eq!(
        keys(&schema["properties"]),
        keys(&full),
        "{name}: properties"
    );
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    assert_eq!(required, keys(&bare), "{name}: required");
}

#[test]
fn the_answer_schemas_name_the_fields_of_the_wire_types() {
    use digigate_core::api::*;
    let status = |full: bool| SessionStatusData {
        entity: SESSION_ENTITY.into(),
        created_at: 1,
        documents_consented: full.then(|| vec![digigate_core::DocType::Pan]),
        documents_missing: full.then(Vec::new),
        erased_at: full.then_some(2),
        history: vec![],
        id: "s".into(),
        reason: full.then(|| "consent_denied".into()),
        retryable: full.then_some(false),
        status: "created".into(),
        updated_at: 1,
    };
    assert_schema_matches("SessionStatusData", status(true), status(false));
    let created = SessionCreated {
        entity: INIT_RESPONSE_ENTITY.into(),
        authorization_url: "u".into(),
        session_id: "s".into(),
    };
    assert_schema_matches("InitSessionData", &created, &created);
    let verify = UserVerification {
        entity: USER_VERIFICATION_ENTITY.into(),
        user_exists: true,
    };
    assert_schema_matches("VerifyUserData", &verify, &verify);
    let token = AccessToken {
        access_token: "t".into(),
    };
    assert_schema_matches("AuthenticateData", &token, &token);
    let profile = UserProfile {
        entity: PROFILE_ENTITY.into(),
        date_of_birth: String::new(),
        eaadhaar: false,
        email: String::new(),
        gender: String::new(),
        id: "d".into(),
        mobile: String::new(),
        name: "n".into(),
    };
    assert_schema_matches("UserProfileData", &profile, &profile);
    let erasure = Erasure {
        entity: ERASURE_ENTITY.into(),
        erased_at: 1,
        session_id: "s".into(),
    };
    assert_schema_matches("SessionErasureData", &erasure, &erasure);
    let document = |full: bool| DocumentAnswer {
        document: Value::Null,
        files: vec![],
        verification: Value::Null,
        verified: false,
        warning: full.then(|| "w".into()),
    };
    assert_schema_matches("DocumentData", document(true), document(false));
    let checks = CheckReport {
        entity: CHECKS_ENTITY.into(),
        fields: json!([]),
        outcome: "match".into(),
        session_id: "s".into(),
        sources: vec![],
        standings: vec![],
    };
    assert_schema_matches("SessionChecksData", &checks, &checks);
    let sdk = SdkSessionCreated {
        entity: digigate_core::SDK_SESSION_ENTITY.into(),
        created_at: 1,
        id: "s".into(),
        status: "created".into(),
    };
    assert_schema_matches("SdkSessionData", &sdk, &sdk);
    let added = EndpointAdded {
        endpoint_id: "we_1".into(),
        secret: "whsec_1".into(),
    };
    assert_schema_matches("WebhookEndpointAdded", &added, &added);
    let rotated = SecretRotated {
        endpoint_id: "we_1".into(),
        previous_secret_valid_until: 1,
        secret: "whsec_2".into(),
    };
    assert_schema_matches("WebhookSecretRotated", &rotated, &rotated);
    let list = EndpointList { endpoints: vec![] };
    assert_schema_matches("WebhookEndpointList", &list, &list);
    let log = WebhookDeliveries {
        attempts: vec![],
        endpoint_id: "we_1".into(),
    };
    assert_schema_matches("WebhookDeliveryLog", &log, &log);
    let again = Redelivery {
        endpoint_id: "we_1".into(),
        redelivering: "e".into(),
    };
    assert_schema_matches("WebhookRedelivery", &again, &again);
    let removed = EndpointRemoved {
        endpoint_id: "we_1".into(),
        removed: true,
    };
    assert_schema_matches("WebhookEndpointRemoved", &removed, &removed);
    let envelope = Envelope {
        code: 200,
        data: (),
        timestamp: 1,
        transaction_id: "t".into(),
    };
    assert_schema_matches("SuccessEnvelope", &envelope, &envelope);
    let error = ErrorEnvelope {
        code: 404,
        message: "m".into(),
        timestamp: 1,
        transaction_id: "t".into(),
    };
    assert_schema_matches("Error", &error, &error);
}
