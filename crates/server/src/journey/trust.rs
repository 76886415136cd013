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

/// Verifies and parses `bytes`. A document that fails verification is kept (its report says
/// why) but never parsed; an unverified one (no roots configured) is parsed from the raw bytes.
/// `hmac` says whether DigiLocker's `hmac` header came with it (a mismatching one was already
/// refused); without it the report shows `missing`, and with `require_hmac` the document fails
/// as `hmac_missing`.
pub fn examine(
    doc_type: DocType,
    bytes: &[u8],
    hmac: bool,
    trust: &TrustStore,
    require_hmac: bool,
) -> Examined {
    let received = Received {
        doc_type: Some(DocTypeCode::from(doc_type)),
        at: chrono::Utc::now(),
    };
    let mut v = signature::verify_received(bytes, trust, received);
    v.report.hmac_header = Some(if hmac { "matched" } else { "missing" }.to_owned());
    if !hmac {
        tracing::warn!(
            doc_type = doc_type.as_str(),
            refused = require_hmac,
            "DigiLocker sent a document without its hmac header"
        );
        if require_hmac {
            v.refuse("hmac_missing");
        }
    }
    let source = match (v.report.status, v.signed_content.as_deref()) {
        (VerificationStatus::Verified, Some(signed)) => Some(signed.as_bytes()),
        (VerificationStatus::Unverified, _) => Some(bytes),
        _ => None,
    };
    if v.report.status == VerificationStatus::Failed {
        tracing::warn!(doc_type = doc_type.as_str(), reason = ?v.report.reason, "document signature failed");
    }
    let normalised = source.and_then(|xml| match parse::parse(DocTypeCode::from(doc_type), xml) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use digigate_documents::signature::SigningIdentity;
    use digigate_documents::signature::{sign_enveloped, CaCertificate, SignatureMethod};
    use serde_json::Value;

    fn signed_pan() -> Vec<u8> {
        let xml = include_str!("../../../documents/testdata/signature/pan.xml");
        let identity = SigningIdentity::simulator_test_identity().expect("test identity");
        sign_enveloped(xml, &identity, SignatureMethod::RsaSha1)
            .expect("signs")
            .into_bytes()
    }

    fn trust() -> TrustStore {
        let mut trust = TrustStore::new();
        let root = CaCertificate::simulator_test_root().expect("root");
        trust
            .add_pem(root.to_pem().expect("pem").as_bytes())
            .expect("anchor");
        trust
    }

    fn report(e: &Examined) -> Value {
        serde_json::from_str(&e.verification).expect("json")
    }

    #[test]
    fn a_document_without_its_hmac_header_is_marked_missing_in_the_report() {
        let examined = examine(DocType::Pan, &signed_pan(), false, &trust(), false);
        let r = report(&examined);
        assert_eq!(r["status"], "verified");
        assert_eq!(r["hmac_header"], "missing");
        assert!(examined.normalised.is_some());
        let examined = examine(DocType::Pan, &signed_pan(), true, &trust(), false);
        assert_eq!(report(&examined)["hmac_header"], "matched");
    }

    #[test]
    fn with_require_hmac_a_document_without_its_hmac_header_fails_and_is_not_parsed() {
        let examined = examine(DocType::Pan, &signed_pan(), false, &trust(), true);
        let r = report(&examined);
        assert_eq!(r["status"], "failed");
        assert_eq!(r["reason"], "hmac_missing");
        assert!(examined.normalised.is_none());
        let examined = examine(DocType::Pan, &signed_pan(), true, &trust(), true);
        assert_eq!(report(&examined)["status"], "verified");
    }
}
