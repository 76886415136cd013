//! The Sandbox-compatible `user/verify` request: does a DigiLocker account exist for this
//! mobile or Aadhaar number.

use crate::init::{expect_entity, ValidationError};
use serde_json::Value;

/// The `@entity` tag a verify request must carry.
pub const VERIFY_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.verification.request";

/// Whom to look up. The Aadhaar number is used for the lookup only and never stored.
#[derive(Clone, PartialEq, Eq)]
pub enum VerifyUserRequest {
    /// A 10-digit mobile number.
    Mobile(String),
    /// A 12-digit Aadhaar number.
    Aadhaar(String),
}

impl std::fmt::Debug for VerifyUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyUserRequest::Mobile(_) => f.write_str("Mobile(..)"),
            VerifyUserRequest::Aadhaar(_) => f.write_str("Aadhaar(..)"),
        }
    }
}

fn digits(v: Option<&Value>, field: &str, len: usize) -> Result<Option<String>, ValidationError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(s.clone()))
        }
        Some(_) => Err(ValidationError::new(
            field,
            format!("must be a string of {len} digits"),
        )),
    }
}

impl VerifyUserRequest {
    /// Validates a parsed JSON body; the Aadhaar number wins when both are given.
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ValidationError::new("body", "must be a JSON object"))?;
        expect_entity(obj, VERIFY_ENTITY)?;
        let aadhaar = digits(obj.get("aadhaar_number"), "aadhaar_number", 12)?;
        let mobile = digits(obj.get("mobile"), "mobile", 10)?;
        match (aadhaar, mobile) {
            (Some(a), _) => Ok(VerifyUserRequest::Aadhaar(a)),
            (None, Some(m)) => Ok(VerifyUserRequest::Mobile(m)),
            (None, None) => Err(ValidationError::new(
                "mobile",
                "or aadhaar_number is required",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mobile_or_an_aadhaar_number_is_required_and_checked() {
        let ok = VerifyUserRequest::from_json(
            &json!({"@entity": VERIFY_ENTITY, "mobile": "9000000001"}),
        );
        assert_eq!(ok.unwrap(), VerifyUserRequest::Mobile("9000000001".into()));
        let field = |v: Value| VerifyUserRequest::from_json(&v).unwrap_err().field;
        assert_eq!(field(json!({"@entity": VERIFY_ENTITY})), "mobile");
        assert_eq!(
            field(json!({"@entity": VERIFY_ENTITY, "mobile": 9000000001u64})),
            "mobile"
        );
        assert_eq!(
            field(json!({"@entity": VERIFY_ENTITY, "aadhaar_number": "1234"})),
            "aadhaar_number"
        );
        assert_eq!(field(json!({"mobile": "9000000001"})), "@entity");
    }

    #[test]
    fn debug_output_hides_the_number() {
        let r = VerifyUserRequest::Aadhaar("234567890124".into());
        assert!(!format!("{r:?}").contains("2345"));
    }
}
