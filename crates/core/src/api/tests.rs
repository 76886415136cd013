//! The answers used to be `json!` values, whose objects `serde_json` writes with their keys in
//! byte order. A typed answer must write the same bytes, so its fields must be declared in that
//! order: each test writes a fully populated answer both ways and compares.

use super::*;
use crate::DocType;
use serde::Serialize;
use serde_json::json;

/// The typed bytes equal the bytes of the same answer as a `serde_json::Value` (sorted keys).
fn assert_written_in_key_order<T: Serialize>(answer: &T) {
    let typed = serde_json::to_string(answer).unwrap();
    let as_value = serde_json::to_value(answer).unwrap().to_string();
    assert_eq!(typed, as_value, "fields out of byte order");
}

#[test]
fn every_answer_writes_its_fields_in_the_order_the_json_values_did() {
    let status = SessionStatusData {
        entity: SESSION_ENTITY.into(),
        created_at: 1,
        documents_consented: Some(vec![DocType::Pan]),
        documents_missing: Some(vec![MissingDocument {
            doc_type: DocType::Aadhaar,
            reason: "not_issued".into(),
        }]),
        erased_at: Some(3),
        history: vec![HistoryEntry {
            at: 1,
            status: "created".into(),
        }],
        id: "s".into(),
        reason: Some("consent_denied".into()),
        retryable: Some(true),
        status: "failed".into(),
        updated_at: 2,
    };
    assert_written_in_key_order(&Envelope {
        code: 200,
        data: status,
        timestamp: 1,
        transaction_id: "t".into(),
    });
    assert_written_in_key_order(&ErrorEnvelope {
        code: 404,
        message: "Not found".into(),
        timestamp: 1,
        transaction_id: "t".into(),
    });
    assert_written_in_key_order(&SessionCreated {
        entity: INIT_RESPONSE_ENTITY.into(),
        authorization_url: "https://g/connect/x".into(),
        session_id: "s".into(),
    });
    assert_written_in_key_order(&SdkSessionCreated {
        entity: crate::SDK_SESSION_ENTITY.into(),
        created_at: 1,
        id: "s".into(),
        status: "created".into(),
    });
    assert_written_in_key_order(&Erasure {
        entity: ERASURE_ENTITY.into(),
        erased_at: 1,
        session_id: "s".into(),
    });
    assert_written_in_key_order(&UserVerification {
        entity: USER_VERIFICATION_ENTITY.into(),
        user_exists: true,
    });
    assert_written_in_key_order(&DocumentAnswer {
        document: json!({"b": 1, "a": 2}),
        files: vec![FileRef {
            entity: FILE_ENTITY.into(),
            metadata: FileMetadata {
                content_type: "application/xml".into(),
                last_modified: "01/01/2024".into(),
                description: "PAN".into(),
                issuer: "Income Tax Department".into(),
                issuer_id: "in.gov.pan".into(),
            },
            size: 10,
            url: "https://g/files/d".into(),
        }],
        verification: json!({"status": "failed"}),
        verified: false,
        warning: Some("w".into()),
    });
    assert_written_in_key_order(&CheckReport {
        entity: CHECKS_ENTITY.into(),
        fields: json!([]),
        outcome: "match".into(),
        session_id: "s".into(),
        sources: vec!["pan".into()],
        standings: vec![SourceStanding {
            source: "pan".into(),
            standing: "verified".into(),
        }],
    });
    assert_written_in_key_order(&Readiness {
        circuits: [("token".to_owned(), "closed".to_owned())].into(),
        database: "ok".into(),
        status: "ready".into(),
        upstream: "ok".into(),
    });
    assert_written_in_key_order(&UserProfile {
        entity: PROFILE_ENTITY.into(),
        date_of_birth: "01/01/1990".into(),
        eaadhaar: true,
        email: String::new(),
        gender: "female".into(),
        id: "d".into(),
        mobile: String::new(),
        name: "n".into(),
    });
    assert_written_in_key_order(&SecretRotated {
        endpoint_id: "we_1".into(),
        previous_secret_valid_until: 1,
        secret: "whsec_x".into(),
    });
    assert_written_in_key_order(&WebhookDeliveries {
        attempts: vec![],
        endpoint_id: "we_1".into(),
    });
    assert_written_in_key_order(&EndpointRemoved {
        endpoint_id: "we_1".into(),
        removed: true,
    });
    assert_written_in_key_order(&Redelivery {
        endpoint_id: "we_1".into(),
        redelivering: "ev_1".into(),
    });
    assert_written_in_key_order(&EndpointList {
        endpoints: vec![WebhookEndpoint {
            created_at: 1,
            endpoint_id: "we_1".into(),
            previous_secret_valid_until: Some(2),
            url: "https://hooks.example/in".into(),
        }],
    });
    assert_written_in_key_order(&WebhookDeliveries {
        attempts: vec![WebhookDeliveryAttempt {
            attempt_id: "wa_1".into(),
            attempted_at: 1,
            delivery_id: "evt_1.we_1".into(),
            delivery_state: "pending".into(),
            duration_ms: 3,
            error: Some("timeout".into()),
            event_id: "evt_1".into(),
            http_status: Some(500),
            event_type: "session.failed".into(),
        }],
        endpoint_id: "we_1".into(),
    });
    assert_written_in_key_order(&WebhookEvent {
        data: WebhookEventData {
            reason: Some("consent_denied".into()),
            session_id: "s".into(),
            status: "failed".into(),
        },
        timestamp: "2026-12-07T18:00:00.123Z".into(),
        event_type: "session.failed".into(),
    });
}

#[test]
fn listed_endpoints_and_attempts_write_null_for_what_they_lack_as_before() {
    let endpoint = WebhookEndpoint {
        created_at: 1,
        endpoint_id: "we_1".into(),
        previous_secret_valid_until: None,
        url: "https://hooks.example/in".into(),
    };
    assert_eq!(
        serde_json::to_value(&endpoint).unwrap()["previous_secret_valid_until"],
        serde_json::Value::Null
    );
    let event = WebhookEventData {
        reason: None,
        session_id: "s".into(),
        status: "succeeded".into(),
    };
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"session_id":"s","status":"succeeded"}"#
    );
}

#[test]
fn optional_fields_are_left_out_when_absent_as_before() {
    let created = SessionStatusData {
        entity: SESSION_ENTITY.into(),
        created_at: 1,
        documents_consented: None,
        documents_missing: None,
        erased_at: None,
        history: vec![],
        id: "s".into(),
        reason: None,
        retryable: None,
        status: "created".into(),
        updated_at: 1,
    };
    let v = serde_json::to_value(&created).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "@entity",
            "created_at",
            "history",
            "id",
            "status",
            "updated_at"
        ]
    );
}

#[test]
fn secrets_stay_out_of_debug() {
    let token = AccessToken {
        access_token: "eyJ.secret".into(),
    };
    assert!(!format!("{token:?}").contains("secret"));
    let added = EndpointAdded {
        endpoint_id: "we_1".into(),
        secret: "whsec_hidden".into(),
    };
    assert!(!format!("{added:?}").contains("hidden"));
    let profile = UserProfile {
        entity: PROFILE_ENTITY.into(),
        date_of_birth: "01/01/1990".into(),
        eaadhaar: true,
        email: "a@b.example".into(),
        gender: "female".into(),
        id: "d".into(),
        mobile: "9999999999".into(),
        name: "Asha".into(),
    };
    let shown = format!("{profile:?}");
    assert!(!shown.contains("Asha") && !shown.contains("1990") && !shown.contains("9999"));
}
