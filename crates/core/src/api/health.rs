//! `/readyz`'s answer (not enveloped: probes read it).

#[cfg(feature = "openapi")]
use super::schema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether this instance can serve: its database, and (for information only) DigiLocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    /// Each circuit to DigiLocker (`token`, `account`, `documents`) and its state (`closed`,
    /// `half_open`, `open`).
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::circuits))]
    pub circuits: BTreeMap<String, String>,
    /// `ok`, `unreachable` or `not_migrated`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::database))]
    pub database: String,
    /// `ready` or `not_ready`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::readiness))]
    pub status: String,
    /// `ok`, `circuit_half_open` or `circuit_open`; never makes the instance unready.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::upstream))]
    pub upstream: String,
}
