//! The person's side of `/oauth2/{1,2}/authorize`: validate the partner's request, then walk the
//! person through sign-in (or sign-up), OTP, PIN and consent, and redirect back with a code.
//!
//! Every page has exactly one `<form method="post" action="authorize">` carrying the journey's
//! random `request_id`; the server keeps the journey's step, so each POST returns the next page
//! or, after consent, a 303 to the partner's `redirect_uri`.

mod steps;
mod views;

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::form::{is_pkce_value, Fields};
use crate::html::Page;
use crate::issued::{DocType, Issuance};
use crate::ledger::{AuthorizeRequest, Flow};
use crate::{Simulator, SimulatorConfig};

/// `GET .../authorize`: checks the partner's parameters and shows the first page.
pub(crate) async fn authorize(State(sim): State<Simulator>, RawQuery(query): RawQuery) -> Response {
    let query = Fields::parse(&HeaderMap::new(), query.unwrap_or_default().as_bytes());
    let request = match validate(sim.config(), &query) {
        Ok(request) => request,
        Err(page) => return page.into_response(),
    };
    let mut ledger = sim.ledger();
    let id = ledger.start_sign_in(request, Instant::now());
    match ledger.sign_in_mut(&id, Instant::now()) {
        Some(sign_in) => views::step_page(&sim, &id, sign_in, None).into_response(),
        None => views::expired().into_response(),
    }
}

/// `POST .../authorize`: one step of the journey named by the form's `request_id`.
pub(crate) async fn step(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&headers, &body);
    steps::advance(&sim, &fields)
}

/// The checks DigiLocker makes before showing any page, in the OAuth library's order. Failures are
/// an HTML 400 page, never a redirect.
fn validate(config: &SimulatorConfig, q: &Fields) -> Result<AuthorizeRequest, Page> {
    let invalid = |message: &str| Err(Page::error("Invalid request", message));
    match q.get("client_id") {
        None => return invalid("No client id supplied"),
        Some(id) if id != config.client_id => return invalid("The client id supplied is invalid"),
        Some(_) => {}
    }
    let redirect_uri = match (q.get("redirect_uri"), config.redirect_uris.as_slice()) {
        (Some(sent), registered) => {
            if !registered.iter().any(|r| r == sent) {
                return invalid("The redirect URI provided is missing or does not match");
            }
            sent
        }
        // Without `redirect_uri` the library falls back to the client's registered URI, but
        // only when there is exactly one to choose.
        (None, [only]) => only.as_str(),
        (None, []) => return invalid("No redirect URI was supplied or stored"),
        (None, _) => {
            return invalid(
                "A redirect URI must be supplied when multiple redirect URIs are registered",
            )
        }
    };
    if q.get("response_type") != Some("code") {
        return invalid("Invalid or missing response type");
    }
    let Some(state) = q.get("state") else {
        return invalid("The state parameter is required");
    };
    let (Some(challenge), Some(method)) = (q.get("code_challenge"), q.get("code_challenge_method"))
    else {
        return invalid("The code_challenge and code_challenge_method parameter is required");
    };
    if method != "S256" {
        return invalid("The code_challenge_method parameter must be S256");
    }
    // The library checks only RFC 7636's shape here (43 to 128 unreserved characters); a
    // challenge that is no S256 hash then fails at the token step as a verifier mismatch.
    if !is_pkce_value(challenge) {
        return invalid("The PKCE code challenge supplied is invalid");
    }
    let flow = match q.get("dl_flow") {
        Some(f) if f.eq_ignore_ascii_case("signup") => Flow::Signup,
        _ => Flow::Signin,
    };
    let yes = |name: &str| q.get(name).is_some_and(|v| v.eq_ignore_ascii_case("Y"));
    let digits = |name: &str| {
        q.get(name)
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    };
    Ok(AuthorizeRequest {
        redirect_uri: redirect_uri.to_owned(),
        redirect_uri_supplied: q.get("redirect_uri").is_some(),
        state: state.to_owned(),
        code_challenge: challenge.to_owned(),
        flow,
        requested: q
            .get("req_doctype")
            .map(|list| list.split(',').filter_map(DocType::from_code).collect()),
        consent_valid_till: q
            .get("consent_valid_till")
            .and_then(|v| v.trim().parse().ok()),
        purpose: q.get("purpose").unwrap_or_default().to_owned(),
        service_name: q.get("service_name").unwrap_or_default().to_owned(),
        pinless: yes("pla"),
        pinless_signup: yes("plsignup"),
        verified_mobile: digits("verified_mobile").filter(|_| flow == Flow::Signup),
        login_hint: digits("login_hint"),
        openid: q
            .get("scope")
            .is_some_and(|scope| scope.split(' ').any(|s| s == "openid")),
        nonce: q.get("nonce").map(str::to_owned),
    })
}
