//! What can go wrong setting a simulator up (its personas and its `id_token` key).

use std::path::PathBuf;

/// Why a simulator could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// A persona file could not be read.
    #[error("cannot read persona file {path}")]
    ReadPersonas {
        /// The file that was asked for.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// A persona file is not valid persona JSON.
    #[error("persona file {path} is not a valid persona list")]
    ParsePersonas {
        /// The file that was read.
        path: PathBuf,
        /// Where and why the JSON did not match the persona format.
        #[source]
        source: serde_json::Error,
    },
    /// The `id_token` signing key could not be made, read or used.
    #[error("id_token key: {0}")]
    IdTokenKey(&'static str),
    /// A persona is well-formed JSON but describes an impossible person.
    #[error("persona {index} is invalid: {reason}")]
    InvalidPersona {
        /// The position of the persona in its list, from 0.
        index: usize,
        /// What is wrong with it (never includes the personal data itself).
        reason: String,
    },
}
