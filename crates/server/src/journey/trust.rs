//! Document trust at fetch time: verify the signature against the configured roots, then parse
//! only what the signature covers into the normalised model.

use digigate_core::DocType;
use digigate_documents::checks::Subject;
use digigate_documents::model::DocTypeCode;
use digigate_documents::parse;
use digigate_documents::signature::{self, Received, TrustStore, VerificationStatus};
use serde_json::json;

/// What the gateway learned about one fetched document.
pub struct Examined {
    /// The verification report, as stored JSON (no personal data).
    pub verification: String,
    /// `{"document": …, "subject": …}` as JSON, to be sealed; `None` when the signature failed
    /// or the document could not be parsed.
    pub normalised: Option<Vec<u8>>,
}

fn code(doc_type: DocType) -> DocTypeCode {
    match doc_type {
        DocType::Aadhaar => DocTypeCode::Aadhaar,
        DocType::Pan => DocTypeCode::Pan,
        DocType::DrivingLicense => DocTypeCode::DrivingLicence,
    }
}

/// Verifies and parses `bytes`. A document that fails verification is kept (its report says
/// why) but never parsed; an unverified one (no roots configured) is parsed from the raw bytes.
pub fn examine(doc_type: DocType, bytes: &[u8], trust: &TrustStore) -> Examined {
    let received = Received {
        doc_type: Some(code(doc_type)),
        at: chrono::Utc::now(),
    };
    let v = signature::verify_received(bytes, trust, received);
    let source = match (v.report.status, v.signed_content.as_deref()) {
        (VerificationStatus::Verified, Some(signed)) => Some(signed.as_bytes()),
        (VerificationStatus::Unverified, _) => Some(bytes),
        _ => None,
    };
    if v.report.status == VerificationStatus::Failed {
        tracing::warn!(doc_type = doc_type.as_str(), reason = ?v.report.reason, "document signature failed");
    }
    let normalised = source.and_then(|xml| match parse::parse(code(doc_type), xml) {
        Ok(doc) => Some(json!({ "document": &doc, "subject": Subject::from(&doc) }).to_string().into_bytes()),
        Err(e) => {
            tracing::warn!(doc_type = doc_type.as_str(), error = %e, "document could not be parsed");
            None
        }
    });
    Examined {
        verification: serde_json::to_string(&v.report).unwrap_or_default(),
        normalised,
    }
}
