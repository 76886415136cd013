//! `GET /sdk/demo` (development mode only): a business's page that embeds the web SDK. Each load
//! creates a fresh SDK session server-side, with the gateway's own demo API key (no secret ever
//! reaches the browser), and its button opens the journey with `DigilockerSDK.open`. The events
//! the page receives are listed on it.

use super::script::versioned_name;
use crate::auth::create_api_key;
use crate::envelope::now_ms;
use crate::error::ApiError;
use crate::html::{csp_hash, inline_script, scripted_document};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use digigate_core::{KeyEnvironment, SDK_SESSION_REQUEST_ENTITY};
use digigate_store::ApiKeyRecord;
use maud::html;
use serde_json::json;
use std::sync::LazyLock;

/// The name of the API key the demo creates its sessions with.
pub const DEMO_KEY_NAME: &str = "sdk-demo (development)";

/// The demo's script: lists every SDK event on the page and opens the SDK on a click.
const DEMO_SCRIPT: &str = "(function(){var b=document.getElementById('verify');\
var list=document.getElementById('events');\
DigilockerSDK.setEventListener(function(e){var li=document.createElement('li');\
li.dataset.type=e.type;li.dataset.session=e.session_id;\
li.dataset.reason=e.reason||'';li.textContent=e.type+(e.reason?' ('+e.reason+')':'');list.appendChild(li);});\
b.addEventListener('click',function(){DigilockerSDK.open({session_id:b.dataset.session,\
brand:{name:'Demo shop'},theme:{mode:'light',seed:'#2d4fd6'}});});})();";

static SCRIPT_SRC: LazyLock<String> = LazyLock::new(|| format!("'self' {}", csp_hash(DEMO_SCRIPT)));

const STYLE: &str = "button.continue{display:inline-block;margin-top:.5rem;padding:.7rem 1.2rem;\
border:0;border-radius:8px;background:#2d4fd6;color:#fff;font:inherit;font-weight:600;cursor:pointer}\
button.continue:focus{outline:3px solid #1d2433;outline-offset:2px}\
#events{font-family:ui-monospace,monospace;font-size:.8rem;overflow-wrap:anywhere}";

/// The demo key, created on first use (only in development mode, where the demo is served).
async fn demo_key(state: &AppState) -> Result<ApiKeyRecord, ApiError> {
    let store = &state.inner.store;
    let existing = store.list_api_keys().await?.into_iter().find(|k| {
        k.name == DEMO_KEY_NAME && k.disabled_at_ms.is_none() && k.id.starts_with("key_test_")
    });
    if let Some(key) = existing {
        return Ok(key);
    }
    // Its secret is never shown: the demo calls the store, not the API.
    let created = create_api_key(
        store.as_ref(),
        &state.inner.hasher,
        Some(&state.inner.vault),
        DEMO_KEY_NAME,
        KeyEnvironment::Test,
        Vec::new(),
        now_ms(),
    )
    .await
    .map_err(ApiError::internal)?;
    store
        .api_key(created.id.as_str())
        .await?
        .ok_or_else(|| ApiError::internal(std::io::Error::other("the demo key vanished")))
}

/// `GET /sdk/demo[?flow=signup&doc_types=pan,aadhaar]`.
#[utoipa::path(
    get,
    path = "/sdk/demo",
    operation_id = "sdkDemo",
    tag = "digilocker-sdk",
    summary = "Development mode only: a business page that creates an SDK session and opens the SDK",
    responses((status = 200, description = "The demo page.", content_type = "text/html", body = String), crate::openapi::NotFoundErrors)
)]
pub async fn demo(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if !state.inner.config.development {
        return Err(ApiError::NotFound);
    }
    let query = crate::browser_input::parse_query(raw.as_deref()).unwrap_or_default();
    let flow = query.get("flow").map_or("signin", String::as_str);
    let doc_types: Vec<&str> = query
        .get("doc_types")
        .map_or("aadhaar,pan,driving_license", String::as_str)
        .split(',')
        .collect();
    let body =
        json!({ "@entity": SDK_SESSION_REQUEST_ENTITY, "flow": flow, "doc_types": doc_types });
    let key = demo_key(&state).await?;
    let session = super::create_session(&state, &key, &body).await?;
    let prefix = state.inner.config.public_url.path().trim_end_matches('/');
    let body = html! {
        p {
            "A business's page that embeds digigate's web SDK. The session below was created \
             server-side; the button opens DigiLocker in a window."
        }
        p { "Session " code id="session" { (session.id) } }
        p {
            button.continue id="verify" type="button" data-session=(session.id) {
                "Verify with DigiLocker"
            }
        }
        h2 { "Events" }
        ol id="events" aria-live="polite" {}
        script src={ (prefix) "/sdk/" (versioned_name()) } {}
        (inline_script(DEMO_SCRIPT))
    };
    Ok(scripted_document(
        StatusCode::OK,
        "Demo shop",
        STYLE,
        body,
        &SCRIPT_SRC,
    ))
}
