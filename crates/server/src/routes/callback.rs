//! `GET /callbacks/digilocker`: DigiLocker sends the person back here. The `state` is consumed
//! atomically together with the browser binding; only then is DigiLocker called.

use crate::envelope::now_ms;
use crate::html;
use crate::journey::{self, binding_cookie_name};
use crate::vault::sha256_hex;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;

/// The callback's query parameters; each may appear at most once.
fn parse_query(raw: Option<&str>) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k.len() > 64 || v.len() > 2048 || out.insert(k.into_owned(), v.into_owned()).is_some() {
            return None;
        }
    }
    Some(out)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn rejected() -> Response {
    html::page(
        StatusCode::BAD_REQUEST,
        "This sign-in could not be completed",
        "The link is invalid, was already used, or was opened in another browser. Please start again from the business's website.",
    )
}

/// Completes the journey: consume `state`, exchange the code, fetch and store the documents,
/// and send the person back to the business.
pub async fn digilocker_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(params) = parse_query(raw.as_deref()) else {
        return rejected();
    };
    let Some(state_token) = params
        .get("state")
        .filter(|s| !s.is_empty() && s.len() <= 256)
    else {
        return rejected();
    };
    let Some(binding) = cookie(&headers, &binding_cookie_name(state_token)) else {
        return rejected();
    };
    let store = &state.inner.store;
    let consumed = store
        .consume_authorization(
            &sha256_hex(state_token.as_bytes()),
            &sha256_hex(binding.as_bytes()),
            now_ms(),
        )
        .await;
    let auth = match consumed {
        Ok(Some(auth)) => auth,
        Ok(None) => return rejected(),
        Err(e) => {
            tracing::error!(error = %e, "could not consume the callback state");
            return html::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Please try again in a moment.",
            );
        }
    };
    let outcome = journey::complete(
        &state,
        &auth,
        params.get("code").map(String::as_str),
        params.get("error").map(String::as_str),
    )
    .await;
    match outcome {
        Ok(location) => {
            let mut res = html::redirect(&location);
            let expire = format!(
                "{}=; Path=/callbacks/digilocker; Max-Age=0; HttpOnly; SameSite=Lax",
                binding_cookie_name(state_token)
            );
            res.headers_mut()
                .append(header::SET_COOKIE, expire.parse().expect("ascii cookie"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, session_id = %auth.session_id, "journey could not be completed");
            html::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Your verification could not be completed. Please try again later.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicated_or_oversized_parameters_are_refused() {
        assert!(parse_query(Some("state=a&code=b")).is_some());
        assert!(parse_query(Some("state=a&state=b")).is_none());
        assert!(parse_query(Some(&format!("state={}", "x".repeat(3000)))).is_none());
        assert!(parse_query(None).unwrap().is_empty());
    }

    #[test]
    fn the_binding_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; dgb_x=secret; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "dgb_x"), Some("secret"));
        assert_eq!(cookie(&h, "dgb_y"), None);
    }
}
