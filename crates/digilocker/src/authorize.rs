//! The browser-facing authorize URL that starts a consent.

use std::fmt;

use url::Url;

use crate::config::endpoint;
use crate::DigiLockerClient;

/// Which DigiLocker journey the user lands in (`dl_flow`): the gateway's own [`Flow`].
///
/// [`Flow`]: digigate_core::Flow
pub use digigate_core::Flow as DlFlow;

/// What one authorize redirect asks DigiLocker for.
#[derive(Clone, Default)]
pub struct AuthorizeRequest {
    /// The CSRF `state`, stored server-side and echoed back on the callback.
    pub state: String,
    /// The PKCE `S256` challenge (see [`Pkce`](crate::Pkce)).
    pub code_challenge: String,
    /// Sign-in or sign-up journey.
    pub flow: DlFlow,
    /// Doctypes the consent screen may offer, e.g. `ADHAR`, `PANCR`, `DRVLC` (`req_doctype`).
    pub doc_types: Vec<String>,
    /// Consent expiry in UNIX epoch seconds; omitted when zero or negative.
    pub consent_valid_till: i64,
    /// Consent purpose label (letters, digits, spaces, underscores), e.g. `kyc`; omitted when empty.
    pub purpose: String,
    /// Pinless authentication: sends `pla=Y`, plus `plsignup=Y` in the sign-up journey.
    pub pinless: bool,
    /// Username-less sign-up: sends `ulsignup=Y`.
    pub usernameless: bool,
    /// Authentication methods (`amr`), sent space-separated when not empty.
    pub verification_methods: Vec<String>,
    /// A mobile number the partner already verified; sent only in the sign-up journey, the
    /// only one where DigiLocker honours it.
    pub verified_mobile: Option<String>,
}

impl fmt::Debug for AuthorizeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeRequest")
            .field("state", &"[REDACTED]")
            .field("code_challenge", &self.code_challenge)
            .field("flow", &self.flow)
            .field("doc_types", &self.doc_types)
            .field("consent_valid_till", &self.consent_valid_till)
            .field("purpose", &self.purpose)
            .field("pinless", &self.pinless)
            .field("usernameless", &self.usernameless)
            .field("verification_methods", &self.verification_methods)
            .field(
                "verified_mobile",
                &self.verified_mobile.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

impl DigiLockerClient {
    /// The URL to send the user's browser to:
    /// `{authorize_base}/oauth2/1/authorize?response_type=code&client_id=..&redirect_uri=..
    /// &state=..&code_challenge=..&code_challenge_method=S256&dl_flow=..` followed by the
    /// optional parameters that `req` sets.
    pub fn authorize_url(&self, req: &AuthorizeRequest) -> Url {
        let config = &self.inner.config;
        let mut url = endpoint(&config.authorize_base, &["oauth2", "1", "authorize"]);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &config.client_id)
                .append_pair("redirect_uri", config.redirect_uri.as_str())
                .append_pair("state", &req.state)
                .append_pair("code_challenge", &req.code_challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("dl_flow", req.flow.as_str());
            if !req.doc_types.is_empty() {
                query.append_pair("req_doctype", &req.doc_types.join(","));
            }
            if req.consent_valid_till > 0 {
                query.append_pair("consent_valid_till", &req.consent_valid_till.to_string());
            }
            if !req.purpose.is_empty() {
                query.append_pair("purpose", &req.purpose);
            }
            if req.pinless {
                query.append_pair("pla", "Y");
                if req.flow == DlFlow::Signup {
                    query.append_pair("plsignup", "Y");
                }
            }
            if req.usernameless {
                query.append_pair("ulsignup", "Y");
            }
            if !req.verification_methods.is_empty() {
                query.append_pair("amr", &req.verification_methods.join(" "));
            }
            if let (DlFlow::Signup, Some(mobile)) = (req.flow, &req.verified_mobile) {
                query.append_pair("verified_mobile", mobile);
            }
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::{AuthorizeRequest, DlFlow};
    use crate::test_support::client;
    use std::collections::HashMap;

    fn params(req: &AuthorizeRequest) -> (String, HashMap<String, String>) {
        let url = client().authorize_url(req);
        let base = format!("{}{}", url.origin().ascii_serialization(), url.path());
        (base, url.query_pairs().into_owned().collect())
    }

    #[test]
    fn the_authorize_url_carries_the_oauth_and_pkce_parameters() {
        let req = AuthorizeRequest {
            state: "st-1".into(),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            doc_types: vec!["ADHAR".into(), "PANCR".into(), "DRVLC".into()],
            consent_valid_till: 1_829_141_682,
            purpose: "kyc".into(),
            ..AuthorizeRequest::default()
        };
        let (base, q) = params(&req);
        assert_eq!(base, "https://dl.example/public/oauth2/1/authorize");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "client-1");
        assert_eq!(q["redirect_uri"], "https://gw.example/callback");
        assert_eq!(q["state"], "st-1");
        assert_eq!(q["code_challenge"], req.code_challenge);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["dl_flow"], "signin");
        assert_eq!(q["req_doctype"], "ADHAR,PANCR,DRVLC");
        assert_eq!(q["consent_valid_till"], "1829141682");
        assert_eq!(q["purpose"], "kyc");
        for absent in [
            "pla",
            "plsignup",
            "ulsignup",
            "amr",
            "verified_mobile",
            "client_secret",
        ] {
            assert!(!q.contains_key(absent), "{absent} should be absent");
        }
    }

    #[test]
    fn optional_parameters_appear_when_set() {
        let req = AuthorizeRequest {
            state: "st-2".into(),
            code_challenge: "c".into(),
            flow: DlFlow::Signup,
            pinless: true,
            usernameless: true,
            verification_methods: vec!["aadhaar".into(), "mobile".into()],
            verified_mobile: Some("9876543210".into()),
            ..AuthorizeRequest::default()
        };
        let (_, q) = params(&req);
        assert_eq!(q["dl_flow"], "signup");
        assert_eq!(q["pla"], "Y");
        assert_eq!(q["plsignup"], "Y");
        assert_eq!(q["ulsignup"], "Y");
        assert_eq!(q["amr"], "aadhaar mobile");
        assert_eq!(q["verified_mobile"], "9876543210");
        assert!(!q.contains_key("req_doctype") && !q.contains_key("consent_valid_till"));
    }

    #[test]
    fn verified_mobile_is_only_sent_in_the_signup_flow() {
        let req = AuthorizeRequest {
            verified_mobile: Some("9876543210".into()),
            pinless: true,
            ..AuthorizeRequest::default()
        };
        let (_, q) = params(&req);
        assert!(!q.contains_key("verified_mobile"));
        assert_eq!(q["pla"], "Y");
        assert!(!q.contains_key("plsignup"));
        assert!(!format!("{req:?}").contains("9876543210"));
    }
}
