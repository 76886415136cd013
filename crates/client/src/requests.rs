//! The request bodies of the API, mirroring Sandbox's schema. The `@entity` tag is added by the
//! client when a body is sent, so callers never spell it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use url::Url;

/// `@entity` of a `user/verify` request.
pub use digigate_core::verify::VERIFY_ENTITY;
/// The document types, journeys, sign-up verification methods and the init entity tag are the
/// gateway's own domain types (`digigate-core`), so the client and the gateway cannot disagree on
/// their wire names.
pub use digigate_core::{DocType, Flow, VerificationMethod, INIT_ENTITY};

/// The `options` of an init request: how the DigiLocker pages behave. Unset fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionOptions {
    /// Verification methods allowed on sign-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_method: Option<Vec<VerificationMethod>>,
    /// Sign in with an OTP only, without the DigiLocker PIN (sign-in only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinless: Option<bool>,
    /// Skip username creation (sign-up only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usernameless: Option<bool>,
    /// A mobile number your system already verified, so sign-up skips its OTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_mobile: Option<String>,
}

/// The body of `POST /kyc/digilocker/sessions/init`.
///
/// ```
/// use digigate_client::{DocType, Flow, InitSession};
/// let url = url::Url::parse("https://shop.example/kyc/done").unwrap();
/// let req = InitSession::new(url, [DocType::Aadhaar, DocType::Pan]).flow(Flow::Signup);
/// assert_eq!(req.doc_types.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitSession {
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// Where the person is sent when the journey ends (`https://`, or `http://localhost` in a
    /// development gateway).
    pub redirect_url: Url,
    /// The documents to ask consent for (one to three, no duplicates).
    pub doc_types: Vec<DocType>,
    /// Page options; omitted when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<SessionOptions>,
    /// When consent lapses, epoch milliseconds (at least an hour ahead); omitted when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_expiry: Option<i64>,
}

impl InitSession {
    /// A sign-in session for `doc_types` that sends the person back to `redirect_url`.
    pub fn new(redirect_url: Url, doc_types: impl IntoIterator<Item = DocType>) -> Self {
        InitSession {
            flow: Flow::Signin,
            redirect_url,
            doc_types: doc_types.into_iter().collect(),
            options: None,
            consent_expiry: None,
        }
    }

    /// Sets the flow.
    pub fn flow(mut self, flow: Flow) -> Self {
        self.flow = flow;
        self
    }

    /// Sets the page options.
    pub fn options(mut self, options: SessionOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets when consent lapses.
    pub fn consent_expiry(mut self, at: DateTime<Utc>) -> Self {
        self.consent_expiry = Some(at.timestamp_millis());
        self
    }
}

/// Whom `POST /kyc/digilocker/user/verify` looks up. `Debug` hides the number.
#[derive(Clone, PartialEq, Eq)]
pub enum UserLookup {
    /// A 10-digit mobile number, without country code.
    Mobile(String),
    /// A 12-digit Aadhaar number, without spaces.
    Aadhaar(String),
}

impl UserLookup {
    /// Looks up by mobile number.
    pub fn mobile(number: impl Into<String>) -> Self {
        UserLookup::Mobile(number.into())
    }

    /// Looks up by Aadhaar number.
    pub fn aadhaar(number: impl Into<String>) -> Self {
        UserLookup::Aadhaar(number.into())
    }
}

impl fmt::Debug for UserLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserLookup::Mobile(_) => f.write_str("Mobile(..)"),
            UserLookup::Aadhaar(_) => f.write_str("Aadhaar(..)"),
        }
    }
}

/// A body with its `@entity` tag in front, as the API expects it.
#[derive(Serialize)]
pub(crate) struct Tagged<'a, T: Serialize> {
    #[serde(rename = "@entity")]
    pub entity: &'static str,
    #[serde(flatten)]
    pub body: &'a T,
}

/// The wire shape of a [`UserLookup`]: `{"mobile": "…"}` or `{"aadhaar_number": "…"}`.
#[derive(Serialize)]
pub(crate) struct LookupBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadhaar_number: Option<&'a str>,
}

impl<'a> From<&'a UserLookup> for LookupBody<'a> {
    fn from(l: &'a UserLookup) -> Self {
        match l {
            UserLookup::Mobile(m) => LookupBody {
                mobile: Some(m),
                aadhaar_number: None,
            },
            UserLookup::Aadhaar(a) => LookupBody {
                mobile: None,
                aadhaar_number: Some(a),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_init_request_carries_its_entity_and_omits_unset_fields() {
        let url = Url::parse("https://shop.example/kyc/done").unwrap();
        let req = InitSession::new(url, DocType::ALL);
        let body = serde_json::to_value(Tagged {
            entity: INIT_ENTITY,
            body: &req,
        })
        .unwrap();
        assert_eq!(
            body,
            json!({
                "@entity": INIT_ENTITY,
                "flow": "signin",
                "redirect_url": "https://shop.example/kyc/done",
                "doc_types": ["aadhaar", "pan", "driving_license"],
            })
        );
    }

    #[test]
    fn options_and_consent_expiry_are_sent_in_sandbox_names() {
        let url = Url::parse("https://shop.example/kyc/done").unwrap();
        let at = DateTime::from_timestamp_millis(1_900_000_000_000).unwrap();
        let req = InitSession::new(url, [DocType::Pan])
            .flow(Flow::Signup)
            .consent_expiry(at)
            .options(SessionOptions {
                verification_method: Some(vec![VerificationMethod::DrivingLicense]),
                usernameless: Some(true),
                ..SessionOptions::default()
            });
        let body = serde_json::to_value(&req).unwrap();
        assert_eq!(body["flow"], "signup");
        assert_eq!(body["consent_expiry"], 1_900_000_000_000i64);
        assert_eq!(
            body["options"],
            json!({"verification_method": ["driving_license"], "usernameless": true})
        );
    }

    #[test]
    fn a_lookup_names_its_field_and_hides_the_number_from_debug() {
        let lookup = UserLookup::aadhaar("491830275616");
        let body = serde_json::to_value(Tagged {
            entity: VERIFY_ENTITY,
            body: &LookupBody::from(&lookup),
        })
        .unwrap();
        assert_eq!(
            body,
            json!({"@entity": VERIFY_ENTITY, "aadhaar_number": "491830275616"})
        );
        assert_eq!(format!("{lookup:?}"), "Aadhaar(..)");
    }
}
