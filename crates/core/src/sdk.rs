//! The request of Sandbox's DigiLocker **SDK** variant (`POST /kyc/digilocker-sdk/sessions/create`):
//! the init request without `redirect_url`, `options` or anything else (Sandbox's schema says
//! `additionalProperties: false`), validated by the same field rules as init so that both
//! answer a bad field with the same message.

use crate::init::{expect_entity, parse_consent_expiry, parse_doc_types, required_str};
use crate::{DocType, Flow, ValidationError};
use serde_json::Value;

/// The `@entity` tag an SDK session request must carry.
pub const SDK_SESSION_REQUEST_ENTITY: &str = "in.co.sandbox.kyc.digilocker.sdk.session.request";
/// The `@entity` tag of an SDK session in answers (create and status).
pub const SDK_SESSION_ENTITY: &str = "in.co.sandbox.kyc.digilocker.sdk.session";

/// The fields an SDK session request may have; any other is refused, as Sandbox refuses it.
const FIELDS: [&str; 3] = ["@entity", "flow", "doc_types"];

/// A validated SDK session request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkSessionRequest {
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// The documents asked for, without duplicates, in request order.
    pub doc_types: Vec<DocType>,
    /// When consent lapses, epoch milliseconds: init's default, as the SDK request cannot say.
    pub consent_expiry_ms: i64,
}

impl SdkSessionRequest {
    /// Validates a parsed JSON body; `now_ms` is the current time.
    pub fn from_json(body: &Value, now_ms: i64) -> Result<Self, ValidationError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ValidationError::new("body", "must be a JSON object"))?;
        expect_entity(obj, SDK_SESSION_REQUEST_ENTITY)?;
        if let Some(extra) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(ValidationError::new(
                extra.chars().take(64).collect::<String>(),
                "is not allowed in an SDK session request (only @entity, flow and doc_types)",
            ));
        }
        let flow = Flow::parse(required_str(obj, "flow")?)
            .ok_or_else(|| ValidationError::new("flow", "must be one of signin, signup"))?;
        Ok(SdkSessionRequest {
            flow,
            doc_types: parse_doc_types(obj.get("doc_types"))?,
            consent_expiry_ms: parse_consent_expiry(None, now_ms)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(v: Value) -> String {
        SdkSessionRequest::from_json(&v, 0).unwrap_err().field
    }

    #[test]
    fn a_valid_request_has_a_flow_and_documents() {
        let r = SdkSessionRequest::from_json(
            &json!({"@entity": SDK_SESSION_REQUEST_ENTITY, "flow": "signup", "doc_types": ["pan", "aadhaar"]}),
            1_000,
        )
        .unwrap();
        assert_eq!(r.flow, Flow::Signup);
        assert_eq!(r.doc_types, vec![DocType::Pan, DocType::Aadhaar]);
        assert_eq!(r.consent_expiry_ms, 1_000 + 3_600_000);
    }

    #[test]
    fn fields_of_init_that_the_sdk_has_not_are_refused() {
        let base =
            json!({"@entity": SDK_SESSION_REQUEST_ENTITY, "flow": "signin", "doc_types": ["pan"]});
        for extra in ["redirect_url", "options", "consent_expiry", "expected"] {
            let mut body = base.clone();
            body[extra] = json!("x");
            assert_eq!(field(body), extra);
        }
    }

    #[test]
    fn bad_fields_get_inits_messages() {
        let e = SDK_SESSION_REQUEST_ENTITY;
        assert_eq!(
            field(json!({"@entity": e, "flow": "x", "doc_types": ["pan"]})),
            "flow"
        );
        assert_eq!(
            field(json!({"@entity": e, "flow": "signin", "doc_types": []})),
            "doc_types"
        );
        assert_eq!(
            field(json!({"@entity": e, "flow": "signin", "doc_types": ["pan", "pan"]})),
            "doc_types[1]"
        );
        assert_eq!(
            field(
                json!({"@entity": "in.co.sandbox.kyc.digilocker.session.request", "flow": "signin", "doc_types": ["pan"]})
            ),
            "@entity"
        );
        assert_eq!(field(json!([])), "body");
    }
}
