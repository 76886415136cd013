//! `GET /sdk/digilocker.js` and `GET /sdk/digilocker.{version}.js`: the web SDK, compiled into the
//! binary. The versioned name carries a hash of the script and is cached for a year (a new script
//! is a new name); the plain name is cached for five minutes, for pages that cannot change the
//! name they include.

use crate::error::ApiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The script's source.
pub const SOURCE: &str = include_str!("../../assets/digilocker.js");

/// The first 12 hex digits of the script's SHA-256: its version in the long-cached name.
pub static VERSION: LazyLock<String> =
    LazyLock::new(|| crate::vault::sha256_hex(SOURCE.as_bytes())[..12].to_owned());

/// The versioned name (`digilocker.{version}.js`), for pages that include it.
pub fn versioned_name() -> String {
    format!("digilocker.{}.js", &*VERSION)
}

/// Serves the script under either name; any other name is not found.
#[utoipa::path(
    get,
    path = "/sdk/{script}",
    operation_id = "sdkScript",
    tag = "digilocker-sdk",
    summary = "The web SDK: `digilocker.js` (cached 5 minutes) or `digilocker.{version}.js` (cached a year)",
    params(("script" = String, Path, pattern = r"^digilocker(\.[0-9a-f]{12})?\.js$", description = "`digilocker.js`, or the versioned name the demo page includes.")),
    responses((status = 200, description = "The script.", content_type = "text/javascript", body = String), crate::openapi::NotFoundErrors)
)]
pub async fn serve(Path(name): Path<String>) -> Result<Response, ApiError> {
    let cache = if name == versioned_name() {
        "public, max-age=31536000, immutable"
    } else if name == "digilocker.js" {
        "public, max-age=300"
    } else {
        return Err(ApiError::NotFound);
    };
    let mut res = SOURCE.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Businesses on other sites include it; nothing in it is secret.
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    Ok(res)
}
