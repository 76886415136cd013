//! `/readyz`'s answer (not enveloped: probes read it).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether this instance can serve: its database, and (for information only) DigiLocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// Each circuit to DigiLocker (`token`, `files`, …) and its state (`closed`, `open`, …).
    pub circuits: BTreeMap<String, String>,
    /// `ok`, `unreachable` or `not_migrated`.
    pub database: String,
    /// `ready` or `not_ready`.
    pub status: String,
    /// `ok`, `circuit_half_open` or `circuit_open`; never makes the instance unready.
    pub upstream: String,
}
