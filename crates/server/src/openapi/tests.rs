use super::*;
use crate::config::GatewayConfig;
use digigate_core::api::{InitOptions, InitSessionBody, SdkSessionBody, VerifyUserBody};
use digigate_core::{DocType, Flow, InitRequest, SdkSessionRequest, VerificationMethod};
use serde_json::json;
use std::collections::BTreeSet;
use url::Url;

fn config() -> GatewayConfig {
    GatewayConfig::new(Url::parse("https://kyc.example").unwrap(), [0; 32], [0; 32])
}

fn doc() -> Value {
    crate::openapi_document(&config())
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

/// Every operation object of the document, with its method and path.
fn operation_objects(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.clone(), path.clone(), op));
        }
    }
    ops
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = doc();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "{}", found.len());
    for r in found {
        let target = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .filter(|t| t.is_object());
        assert!(target.is_some(), "unresolved {r}");
    }
}

#[test]
fn every_operation_has_a_unique_id_a_tag_a_summary_and_its_answers() {
    let doc = doc();
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operation_objects(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_owned()),
            "{method} {path}: id {id:?} twice"
        );
        assert!(op["summary"].is_string(), "{method} {path}: summary");
        let tag = op["tags"][0].as_str().unwrap_or_default();
        assert!(tags.contains(tag), "{method} {path}: tag {tag:?}");
        let statuses = op["responses"].as_object().unwrap();
        assert!(
            statuses.keys().any(|s| s.starts_with('2') || s == "303"),
            "{method} {path}: no success answer"
        );
        // Each path parameter of the template is declared, and no other.
        let in_template: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(in_template, declared, "{method} {path}: path parameters");
    }
    assert_eq!(ids.len(), crate::documented_operations().len());
}

#[test]
fn every_api_operation_documents_its_credentials_and_error_envelope() {
    let doc = doc();
    let mut api_operations = 0;
    for (method, path, op) in operation_objects(&doc) {
        if op["security"] != json!([{ "apiKey": [], "accessToken": [] }]) {
            continue;
        }
        api_operations += 1;
        let headers: Vec<_> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "header")
            .map(|p| p["name"].as_str().unwrap())
            .take(3)
            .collect();
        assert_eq!(
            headers,
            ["x-api-key", "authorization", "x-api-version"],
            "{method} {path}"
        );
        for status in ["401", "429", "500", "503"] {
            assert_eq!(
                op["responses"][status]["$ref"],
                format!("#/components/responses/E{status}"),
                "{method} {path} {status}"
            );
        }
        let envelope = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(envelope.is_object(), "{method} {path}: 200 body");
    }
    assert!(api_operations >= 17, "{api_operations}");
}

#[test]
fn what_the_configuration_decides_is_what_the_document_says() {
    let mut config = config();
    config.max_body_bytes = 8 * 1024;
    config.token_ttl = Duration::from_secs(2 * 3600);
    config.webhooks.rotation_overlap = Duration::from_secs(90 * 60);
    let doc = crate::openapi_document(&config);
    assert_eq!(
        doc["components"]["responses"]["E413"]["description"],
        "The body is larger than 8192 bytes (8 KiB)."
    );
    let authenticate = doc["paths"]["/authenticate"]["post"]["description"]
        .as_str()
        .unwrap();
    assert!(authenticate.contains("valid for 2 hours"), "{authenticate}");
    let rotate = doc["paths"]["/webhooks/endpoints/{endpoint_id}/rotate-secret"]["post"]
        ["description"]
        .as_str()
        .unwrap();
    assert!(rotate.contains("for 90 minutes"), "{rotate}");
    assert_eq!(doc["servers"][0]["url"], "https://kyc.example");
    let text = doc.to_string();
    assert!(!text.contains("24-hour") && !text.contains("64 KiB"));
}

#[test]
fn the_webhooks_section_describes_the_typed_event() {
    let doc = doc();
    let event = &doc["webhooks"]["sessionEvent"]["post"];
    assert_eq!(
        event["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/WebhookEvent"
    );
    let schema = &doc["components"]["schemas"]["WebhookEvent"];
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(required, BTreeSet::from(["data", "timestamp", "type"]));
}

/// The enum of a component schema (or of the schema a property refers to).
fn words(doc: &Value, schema: &str) -> Vec<String> {
    doc["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema} is an enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn bodies_built_from_the_request_schemas_are_accepted_by_the_validators() {
    let doc = doc();
    let entity = |schema: &str| {
        let schema = &doc["components"]["schemas"][schema];
        // The lookup's body is `allOf` its fields and "one of the two numbers".
        let fields = schema.get("allOf").map_or(schema, |all| &all[0]);
        fields["properties"]["@entity"]["enum"][0]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let doc_types: Vec<DocType> = words(&doc, "DocType")
        .iter()
        .map(|d| DocType::from_api_name(d).unwrap())
        .collect();
    let methods: Vec<VerificationMethod> = words(&doc, "VerificationMethod")
        .iter()
        .map(|m| VerificationMethod::parse(m).unwrap())
        .collect();
    let now = 1_800_000_000_000;
    let init = InitSessionBody {
        entity: entity("InitSessionBody"),
        flow: Flow::Signup,
        redirect_url: "https://shop.example/kyc/done".into(),
        doc_types: doc_types.clone(),
        options: Some(InitOptions {
            pinless: Some(true),
            usernameless: Some(false),
            verified_mobile: Some("9876543210".into()),
            verification_method: Some(methods),
        }),
        expected: None,
        consent_expiry: Some(now + 7_200_000),
    };
    let req = InitRequest::from_json(&serde_json::to_value(&init).unwrap(), now, false)
        .expect("accepted");
    assert_eq!(req.doc_types, doc_types);
    assert_eq!(req.options.verification_method.len(), 7);
    let sdk = SdkSessionBody {
        entity: entity("SdkSessionBody"),
        flow: Flow::Signin,
        doc_types,
    };
    assert!(SdkSessionRequest::from_json(&serde_json::to_value(&sdk).unwrap(), now).is_ok());
    let verify = VerifyUserBody {
        entity: entity("VerifyUserBody"),
        aadhaar_number: None,
        mobile: Some("9000000001".into()),
    };
    let verify = serde_json::to_value(&verify).unwrap();
    assert!(digigate_core::VerifyUserRequest::from_json(&verify).is_ok());
    // Neither number: the schema refuses it, as the validator does.
    let one_of = &doc["components"]["schemas"]["VerifyUserBody"]["allOf"][1]["anyOf"];
    assert_eq!(one_of[0]["required"], json!(["aadhaar_number"]));
    assert_eq!(one_of[1]["required"], json!(["mobile"]));
    let neither = json!({ "@entity": entity("VerifyUserBody") });
    assert!(digigate_core::VerifyUserRequest::from_json(&neither).is_err());
    // The same document type twice: the schema says `uniqueItems`, and the validator refuses it.
    let doc_types = &doc["components"]["schemas"]["InitSessionBody"]["properties"]["doc_types"];
    assert_eq!(doc_types["uniqueItems"], true);
    let mut twice = serde_json::to_value(&init).unwrap();
    twice["doc_types"] = json!(["pan", "pan"]);
    assert!(InitRequest::from_json(&twice, now, false).is_err());
}

#[test]
fn the_whole_document_is_a_reviewed_snapshot() {
    // A change to the API's description shows as a diff of this file (`cargo insta review`).
    insta::assert_json_snapshot!("openapi", doc(), {
        ".info.version" => "[version]",
    });
}
