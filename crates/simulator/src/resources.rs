//! The bearer-token resource APIs: user details, issued list, document file and XML, e-Aadhaar.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::api_error::ApiError;
use crate::documents;
use crate::form::bearer;
use crate::issued::{DocType, Issuance, IssuedDoc};
use crate::ledger::Consent;
use crate::personas::{Fault, Persona};
use crate::Simulator;

/// What a valid bearer token opens: the persona and what they consented to.
struct Access<'a> {
    persona: &'a Persona,
    consent: Consent,
}

fn authorize<'a>(sim: &'a Simulator, headers: &HeaderMap) -> Result<Access<'a>, ApiError> {
    let token = bearer(headers).ok_or_else(ApiError::invalid_token)?;
    let consent = sim
        .ledger()
        .authenticate(token, Instant::now())
        .map(|grant| grant.consent.clone())
        .ok_or_else(ApiError::invalid_token)?;
    let persona = sim
        .persona(consent.persona)
        .ok_or_else(ApiError::invalid_token)?;
    Ok(Access { persona, consent })
}

/// The persona a valid bearer token belongs to, for endpoints that do not depend on consent.
pub(crate) fn authorized_persona<'a>(
    sim: &'a Simulator,
    headers: &HeaderMap,
) -> Result<&'a Persona, ApiError> {
    authorize(sim, headers).map(|access| access.persona)
}

/// Any path the simulator does not serve: DigiLocker's JSON error envelope with a 404, rather
/// than an empty body, so clients that always decode the envelope see what went wrong.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "url_not_found",
        "Your API url or path is incorrect",
    )
}

/// A known path with a method it does not take (e.g. `GET` on `/token`): the OAuth library's
/// 405 `invalid_request`, in the JSON envelope rather than an empty body.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "The request method is not supported for this URL",
    )
}

/// `GET /oauth2/1/user`: the flat user-details object.
pub(crate) async fn user(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Access { persona: p, .. } = authorize(&sim, &headers)?;
    Ok(Json(serde_json::json!({
        "digilockerid": p.digilockerid,
        "name": p.name,
        "dob": p.dob_compact(),
        "gender": p.gender.code(),
        "eaadhaar": p.eaadhaar_flag(),
        "reference_key": p.reference_key(&sim.config().client_id),
        "mobile": p.mobile,
        "email": p.email,
        "picture": p.photo_base64(),
    }))
    .into_response())
}

/// `GET /oauth2/1/files/issued`: the issued list with `mime` as one string.
pub(crate) async fn issued_v1(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    issued(&sim, &headers, false)
}

/// `GET /oauth2/2/files/issued`: the issued list with `mime` as an array.
pub(crate) async fn issued_v2(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    issued(&sim, &headers, true)
}

/// Lists every document issued to the account (consent limits fetching, not listing).
fn issued(sim: &Simulator, headers: &HeaderMap, mime_list: bool) -> Result<Response, ApiError> {
    let Access { persona, .. } = authorize(sim, headers)?;
    if persona.fault == Some(Fault::PartnerServiceUnresponsive) {
        return Err(fault_error(Fault::PartnerServiceUnresponsive));
    }
    let items: Vec<serde_json::Value> = persona
        .issued_documents()
        .into_iter()
        .map(|doc| {
            let mime = if mime_list {
                serde_json::json!(doc.kind.mimes())
            } else {
                serde_json::json!("application/pdf")
            };
            serde_json::json!({
                "name": doc.kind.name(), "type": "file", "size": "", "date": doc.date, "parent": "",
                "mime": mime, "uri": doc.uri, "doctype": doc.kind.digilocker_code(),
                "description": doc.kind.name(), "issuerid": doc.kind.issuer_id(), "issuer": doc.kind.issuer(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "items": items, "resource": "issued" })).into_response())
}

/// `GET /oauth2/1/xml/` or `/file/` with no URI.
pub(crate) async fn uri_missing(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&sim, &headers)?;
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "uri_missing",
        "URI parameter missing",
    ))
}

/// `GET /oauth2/1/xml/{uri}`: the document's certificate XML.
pub(crate) async fn xml(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uri): Path<String>,
) -> Result<Response, ApiError> {
    let (index, persona, doc) = granted_document(&sim, &headers, &uri)?;
    answer_slowly(&sim, persona).await;
    let body = sim.served_xml(index, persona, doc.kind)?;
    Ok(signed_body(&sim, "application/xml", body))
}

/// `GET /oauth2/1/file/{uri}`: the document as PDF.
pub(crate) async fn file(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uri): Path<String>,
) -> Result<Response, ApiError> {
    let (_, persona, doc) = granted_document(&sim, &headers, &uri)?;
    answer_slowly(&sim, persona).await;
    let body = documents::pdf(persona, doc.kind).ok_or_else(ApiError::invalid_uri)?;
    Ok(signed_body(&sim, "application/pdf", body))
}

/// `GET /oauth2/3/xml/eaadhaar`: the e-Aadhaar XML of the account.
pub(crate) async fn eaadhaar(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    sim.count_eaadhaar_request();
    let Access { persona, consent } = authorize(&sim, &headers)?;
    if persona.aadhaar.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "aadhaar_not_linked",
            "Aadhaar is not linked to the account",
        ));
    }
    if !consent.docs.contains(&DocType::Aadhaar) {
        return Err(ApiError::insufficient_scope());
    }
    if let Some(fault) = persona
        .fault
        .filter(|f| is_repository_fault(*f) || *f == Fault::AadhaarNotAvailable)
    {
        return Err(fault_error(fault));
    }
    answer_slowly(&sim, persona).await;
    let body = sim.served_xml(consent.persona, persona, DocType::Aadhaar)?;
    Ok(signed_body(&sim, "application/xml", body))
}

/// Finds `uri` among the persona's documents and checks consent and the repository fault;
/// returns the persona's index, the persona and the document.
fn granted_document<'a>(
    sim: &'a Simulator,
    headers: &HeaderMap,
    uri: &str,
) -> Result<(usize, &'a Persona, IssuedDoc), ApiError> {
    let Access { persona, consent } = authorize(sim, headers)?;
    let doc = persona
        .issued_documents()
        .into_iter()
        .find(|d| d.uri == uri)
        .ok_or_else(ApiError::invalid_uri)?;
    if !consent.docs.contains(&doc.kind) {
        return Err(ApiError::insufficient_scope());
    }
    if let Some(fault) = persona.fault.filter(|f| is_repository_fault(*f)) {
        return Err(fault_error(fault));
    }
    Ok((consent.persona, persona, doc))
}

fn is_repository_fault(fault: Fault) -> bool {
    !matches!(
        fault,
        Fault::AadhaarNotAvailable | Fault::PartnerServiceUnresponsive | Fault::SlowRepository
    )
}

/// Waits `slow_repository_delay` before a document of a persona whose repository is slow.
async fn answer_slowly(sim: &Simulator, persona: &Persona) {
    if persona.fault == Some(Fault::SlowRepository) {
        tokio::time::sleep(sim.config().slow_repository_delay).await;
    }
}

fn fault_error(fault: Fault) -> ApiError {
    let (status, code) =
        match fault {
            Fault::RepositoryServiceUnresponsive => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "repository_service_unresponsive",
            ),
            Fault::RepositoryServiceConfigerror => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "repository_service_configerror",
            ),
            Fault::RepositoryServiceResperror => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "repository_service_resperror",
            ),
            Fault::RepositoryServiceException => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "repository_service_exception",
            ),
            Fault::RepositoryServiceInactive => (
                StatusCode::SERVICE_UNAVAILABLE,
                "repository_service_inactive",
            ),
            Fault::RepositoryServiceUnpublished => (
                StatusCode::SERVICE_UNAVAILABLE,
                "repository_service_unpublished",
            ),
            Fault::PartnerServiceUnresponsive => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "partner_service_unresponsive",
            ),
            // Not an error: `answer_slowly` handles it, and `is_repository_fault` keeps it out.
            Fault::SlowRepository => (StatusCode::INTERNAL_SERVER_ERROR, "unexpected_error"),
            Fault::AadhaarNotAvailable => return ApiError::new(
                StatusCode::NOT_FOUND,
                "aadhaar_not_available",
                "Aadhaar data is not available for this user. Please perform Aadhaar eKYC again.",
            ),
        };
    ApiError::new(status, code, "Internal server error")
}

/// A document response with its `hmac` header: base64(HMAC-SHA256(client_secret, body)).
fn signed_body(sim: &Simulator, content_type: &'static str, body: Vec<u8>) -> Response {
    let secret = sim.config().client_secret.expose_secret().as_bytes();
    let tag = Hmac::<Sha256>::new_from_slice(secret).ok().map(|mut mac| {
        mac.update(&body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    });
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        h.insert("hmac", value);
    }
    response
}
