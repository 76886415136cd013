//! What a caller asks for, built into the gateway's own request bodies (`digigate_core::api`)
//! when it is sent: the `@entity` tag is added then, so callers never spell it, and the wire
//! shape is the one the gateway validates and documents.

use chrono::{DateTime, Utc};
use digigate_core::api::{InitSessionBody, VerifyUserBody};
use std::fmt;
use url::Url;

/// `@entity` of a `user/verify` request.
pub use digigate_core::verify::VERIFY_ENTITY;
/// The document types, journeys, sign-up verification methods and the init entity tag are the
/// gateway's own domain types (`digigate-core`), so the client and the gateway cannot disagree on
/// their wire names.
pub use digigate_core::{DocType, Flow, VerificationMethod, INIT_ENTITY};

/// `expected` of an init request: details you already hold, compared by the checks endpoint.
pub use digigate_core::api::ExpectedDetails;
/// The `options` of an init request: how the DigiLocker pages behave. Unset fields are omitted.
pub use digigate_core::api::InitOptions as SessionOptions;

/// The body of `POST /kyc/digilocker/sessions/init`.
///
/// ```
/// use digigate_client::{DocType, Flow, InitSession};
/// let url = url::Url::parse("https://shop.example/kyc/done").unwrap();
/// let req = InitSession::new(url, [DocType::Aadhaar, DocType::Pan]).flow(Flow::Signup);
/// assert_eq!(req.doc_types.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitSession {
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// Where the person is sent when the journey ends (`https://`, or `http://localhost` in a
    /// development gateway).
    pub redirect_url: Url,
    /// The documents to ask consent for (one to three, no duplicates).
    pub doc_types: Vec<DocType>,
    /// Page options; omitted when `None`.
    pub options: Option<SessionOptions>,
    /// Details you already hold about the person, for `/checks`; omitted when `None`.
    pub expected: Option<ExpectedDetails>,
    /// When consent lapses, epoch milliseconds (at least an hour ahead); omitted when `None`.
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
            expected: None,
            consent_expiry: None,
        }
    }

    /// Sets what you already know about the person, which `/checks` compares with the documents.
    pub fn expected(mut self, expected: ExpectedDetails) -> Self {
        self.expected = Some(expected);
        self
    }

    /// The body sent: the gateway's [`InitSessionBody`].
    pub(crate) fn body(&self) -> InitSessionBody {
        InitSessionBody {
            entity: INIT_ENTITY.to_owned(),
            flow: self.flow,
            redirect_url: self.redirect_url.to_string(),
            doc_types: self.doc_types.clone(),
            options: self.options.clone(),
            expected: self.expected.clone(),
            consent_expiry: self.consent_expiry,
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
impl UserLookup {
    /// The body sent: the gateway's [`VerifyUserBody`].
    pub(crate) fn body(&self) -> VerifyUserBody {
        let (mobile, aadhaar_number) = match self {
            UserLookup::Mobile(m) => (Some(m.clone()), None),
            UserLookup::Aadhaar(a) => (None, Some(a.clone())),
        };
        VerifyUserBody {
            entity: VERIFY_ENTITY.to_owned(),
            aadhaar_number,
            mobile,
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
        let body = serde_json::to_value(req.body()).unwrap();
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
        let body = serde_json::to_value(req.body()).unwrap();
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
        let body = serde_json::to_value(lookup.body()).unwrap();
        assert_eq!(
            body,
            json!({"@entity": VERIFY_ENTITY, "aadhaar_number": "491830275616"})
        );
        assert_eq!(format!("{lookup:?}"), "Aadhaar(..)");
    }

    #[test]
    fn expected_details_are_sent_for_the_checks() {
        let url = Url::parse("https://shop.example/kyc/done").unwrap();
        let req = InitSession::new(url, [DocType::Pan]).expected(ExpectedDetails {
            name: Some("Asha Verma".into()),
            date_of_birth: Some("01-02-1990".into()),
            gender: None,
        });
        let body = serde_json::to_value(req.body()).unwrap();
        assert_eq!(
            body["expected"],
            json!({"name": "Asha Verma", "date_of_birth": "01-02-1990"})
        );
    }
}
