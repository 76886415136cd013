//! The signed-in user's identity: `GET /oauth2/1/user`.

use std::fmt;

use serde_json::{Map, Value};

use crate::client::{read_body, MAX_JSON_BYTES};
use crate::wire::IdentityFields;
use crate::{AccessToken, DigiLockerClient, DigiLockerError};

/// The user's identity as DigiLocker reports it. `Debug` shows no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct UserDetails {
    /// The user's 36-character DigiLocker id.
    pub digilocker_id: String,
    /// The user's name.
    pub name: String,
    /// Date of birth, `DDMMYYYY` as sent.
    pub dob: Option<String>,
    /// `M`, `F` or `T`.
    pub gender: Option<String>,
    /// Whether e-Aadhaar XML is available for this user.
    pub eaadhaar: bool,
    /// DigiLocker's stable per-partner reference key for the user.
    pub reference_key: Option<String>,
    /// Mobile number, when the `userdetails` scope was granted.
    pub mobile: Option<String>,
    /// E-mail address, when present and not blank.
    pub email: Option<String>,
}

impl fmt::Debug for UserDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserDetails")
            .field("personal_data", &"[REDACTED]")
            .field("eaadhaar", &self.eaadhaar)
            .finish()
    }
}

impl UserDetails {
    /// Decodes the flat answer; also accepts the `{"details": {...}}` wrapper of the OpenAPI.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, DigiLockerError> {
        let mut map: Map<String, Value> =
            serde_json::from_slice(body).map_err(|err| DigiLockerError::decode("user", &err))?;
        let wrapped = !map.contains_key("digilockerid") && !map.contains_key("digilocker_id");
        if wrapped {
            if let Some(Value::Object(details)) = map.remove("details") {
                map = details;
            }
        }
        let fields = IdentityFields::from_map(&map)
            .map_err(|err| DigiLockerError::Decode(format!("user: {err}")))?;
        let missing = |name: &str| DigiLockerError::Decode(format!("user: missing `{name}`"));
        Ok(Self {
            digilocker_id: fields
                .digilocker_id
                .ok_or_else(|| missing("digilockerid"))?,
            name: fields.name.ok_or_else(|| missing("name"))?,
            dob: fields.dob,
            gender: fields.gender,
            eaadhaar: fields.eaadhaar.unwrap_or(false),
            reference_key: fields.reference_key,
            mobile: fields.mobile,
            email: fields.email,
        })
    }
}

impl DigiLockerClient {
    /// The user behind `token` (`GET {api_base}/oauth2/1/user`). DigiLocker advises calling it
    /// once per token and keeping the answer.
    pub async fn user_details(&self, token: &AccessToken) -> Result<UserDetails, DigiLockerError> {
        let request = self
            .inner
            .http
            .get(self.api_url(&["oauth2", "1", "user"]))
            .header(reqwest::header::ACCEPT, "application/json")
            .bearer_auth(token.expose());
        let response = self.send(request, "user").await?;
        UserDetails::from_json(&read_body(response, MAX_JSON_BYTES).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::UserDetails;

    #[test]
    fn the_flat_user_answer_decodes() {
        let user = UserDetails::from_json(
            br#"{"digilockerid":"123e4567-e89b-12d3-a456-426655440000","name":"Sunil Kumar",
            "dob":"31121970","gender":"M","eaadhaar":"Y",
            "reference_key":"1c66bec26364cd6fefaabc6cae91840a","mobile":"9876543210",
            "email":"","picture":"/9j/4AAQ"}"#,
        )
        .expect("decodes");
        assert_eq!(user.digilocker_id, "123e4567-e89b-12d3-a456-426655440000");
        assert_eq!(user.name, "Sunil Kumar");
        assert_eq!(user.dob.as_deref(), Some("31121970"));
        assert_eq!(user.gender.as_deref(), Some("M"));
        assert!(user.eaadhaar);
        assert_eq!(user.mobile.as_deref(), Some("9876543210"));
        assert_eq!(user.email, None);
        let debug = format!("{user:?}");
        for personal in ["Sunil", "31121970", "9876543210", "123e4567", "1c66bec2"] {
            assert!(!debug.contains(personal), "{personal} leaked into {debug}");
        }
    }

    #[test]
    fn the_openapi_spelling_and_wrapper_decode() {
        let user = UserDetails::from_json(
            br#"{"details":{"digilocker_id":"id-1","name":"A","dob":1011990,"eaadhar":"N"}}"#,
        )
        .expect("decodes");
        assert_eq!(user.digilocker_id, "id-1");
        assert_eq!(user.dob.as_deref(), Some("01011990"));
        assert!(!user.eaadhaar);
    }

    #[test]
    fn a_user_answer_without_an_id_is_a_decode_error() {
        let err = UserDetails::from_json(br#"{"name":"Sunil Kumar"}"#).expect_err("rejected");
        assert!(matches!(err, crate::DigiLockerError::Decode(_)));
        assert!(!err.to_string().contains("Sunil"));
    }
}
