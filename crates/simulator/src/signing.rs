//! Signing served XML as DigiLocker does, when the configuration has a signing identity.

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};

use axum::http::StatusCode;
use digigate_documents::signature::sign_enveloped;

use crate::api_error::ApiError;
use crate::documents;
use crate::issued::DocType;
use crate::personas::Persona;
use crate::Simulator;

/// Signed XML per (persona index, document).
pub(crate) type SignedXmlCache = HashMap<(usize, DocType), Arc<[u8]>>;

impl Simulator {
    /// The XML of `kind` for the persona at `index`: with DigiLocker's enveloped signature when
    /// [`crate::SimulatorConfig::signing`] is set, unsigned otherwise. Documents other than the
    /// e-Aadhaar and RSA PKCS#1 v1.5 signatures are deterministic, so each of them is signed
    /// once and kept; the e-Aadhaar carries its generation time and is made at every fetch.
    pub(crate) fn served_xml(
        &self,
        index: usize,
        persona: &Persona,
        kind: DocType,
    ) -> Result<Vec<u8>, ApiError> {
        let ist = chrono::FixedOffset::east_opt(5 * 3600 + 1800).expect("IST is a valid offset");
        let now = chrono::Utc::now().with_timezone(&ist);
        // The e-Aadhaar is generated (and signed) at each fetch, so it is never cached.
        let cacheable = kind != DocType::Aadhaar;
        if cacheable && self.config().signing.is_some() {
            if let Some(signed) = self.signed_cache().get(&(index, kind)) {
                return Ok(signed.to_vec());
            }
        }
        let unsigned = documents::xml(persona, kind, now).ok_or_else(ApiError::invalid_uri)?;
        let Some(identity) = &self.config().signing else {
            return Ok(unsigned);
        };
        // Sign outside the lock: two first fetches at once both sign, to the same bytes.
        let signed = String::from_utf8(unsigned)
            .map_err(|e| e.to_string())
            .and_then(|xml| {
                sign_enveloped(&xml, identity, self.config().signature_method)
                    .map_err(|e| e.to_string())
            })
            .map_err(|error| {
                tracing::error!(%error, ?kind, "signing a simulated document failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "repository_service_exception",
                    "Internal server error",
                )
            })?;
        if !cacheable {
            return Ok(signed.into_bytes());
        }
        let signed: Arc<[u8]> = Arc::from(signed.into_bytes());
        self.signed_cache()
            .insert((index, kind), Arc::clone(&signed));
        Ok(signed.to_vec())
    }

    fn signed_cache(&self) -> MutexGuard<'_, SignedXmlCache> {
        self.shared
            .signed_xml
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
