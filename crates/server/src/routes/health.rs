//! The probes a load balancer or an orchestrator sends: liveness (`/healthz`, `/health`) and
//! readiness (`/readyz`, and `/ready` in its older plain-text form).
//!
//! Readiness is the gateway's own: the database answers and holds digigate's tables. The state
//! of DigiLocker is reported beside it but does not make an instance unready: every instance
//! shares one DigiLocker, so taking them out of rotation because it is down would turn an
//! upstream outage into a full one (status polls, downloads and inits keep working meanwhile).

use crate::breaker::{Circuit, UpstreamClass};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use digigate_core::api::Readiness;
use std::collections::BTreeMap;
use std::time::Instant;

/// `GET /healthz` and `GET /health`: `ok` while the process serves HTTP; no database call.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "operations",
    summary = "Liveness (the older name of `/healthz`)",
    responses((status = 200, description = "Alive: `ok`.", content_type = "text/plain", body = String))
)]
pub async fn alive() -> &'static str {
    "ok"
}

/// `GET /healthz`: as `/health`.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    summary = "Liveness: the process serves HTTP (no database call)",
    responses((status = 200, description = "Alive: `ok`.", content_type = "text/plain", body = String))
)]
pub async fn healthz() -> &'static str {
    alive().await
}

/// What the database check found.
enum Database {
    Ok,
    Unreachable,
    NotMigrated,
}

impl Database {
    fn as_str(&self) -> &'static str {
        match self {
            Database::Ok => "ok",
            Database::Unreachable => "unreachable",
            Database::NotMigrated => "not_migrated",
        }
    }
}

async fn database(state: &AppState) -> Database {
    match state.inner.store.ping().await {
        Ok(()) => Database::Ok,
        Err(e) => {
            tracing::warn!(error = %e, "readiness probe failed");
            if e.is_unreachable() {
                Database::Unreachable
            } else {
                // The keys table could be read on a live connection but was missing or wrong.
                Database::NotMigrated
            }
        }
    }
}

/// `GET /readyz`: 200 when the database answers with digigate's tables, else 503; the JSON
/// body says which, and how the circuits to DigiLocker stand:
/// `{"status": "ready", "database": "ok", "upstream": "ok", "circuits": {"token": "closed", …}}`.
/// `upstream` is `circuit_open` while any circuit is open (`circuit_half_open` while one
/// waits for its probe); it never makes the answer 503.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    summary = "Readiness: the database answers with digigate's tables; DigiLocker's circuits beside it",
    responses(
        (status = 200, description = "Ready. `upstream` may still say DigiLocker's circuit is open: that does not make an instance unready.", body = digigate_core::api::Readiness),
        (status = 503, description = "The database is unreachable or lacks digigate's tables.", body = digigate_core::api::Readiness)
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = database(&state).await;
    let now = Instant::now();
    let breakers = &state.inner.breakers;
    let mut circuits = BTreeMap::new();
    let mut worst = Circuit::Closed;
    for class in UpstreamClass::ALL {
        let circuit = breakers.state(class, now);
        worst = worst.max(circuit);
        circuits.insert(class.as_str().to_owned(), circuit.as_str().to_owned());
    }
    let upstream = match worst {
        Circuit::Closed => "ok",
        Circuit::HalfOpen => "circuit_half_open",
        Circuit::Open => "circuit_open",
    };
    let (code, status) = match database {
        Database::Ok => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
    };
    let body = Readiness {
        circuits,
        database: database.as_str().to_owned(),
        status: status.to_owned(),
        upstream: upstream.to_owned(),
    };
    (code, Json(body)).into_response()
}

/// `GET /ready`: `/readyz`'s verdict as plain text, `ready` or `503 not ready`, for probes
/// configured before `/readyz` existed.
#[utoipa::path(
    get,
    path = "/ready",
    operation_id = "ready",
    tag = "operations",
    summary = "Readiness in plain text (the older form of `/readyz`)",
    responses(
        (status = 200, description = "Ready: `ready`.", content_type = "text/plain", body = String),
        (status = 503, description = "The database does not answer or lacks digigate's tables: `not ready`.", content_type = "text/plain", body = String)
    )
)]
pub async fn ready(State(state): State<AppState>) -> Response {
    match database(&state).await {
        Database::Ok => "ready".into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response(),
    }
}
