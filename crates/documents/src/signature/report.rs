//! What a verification found, in a shape that can be stored as evidence and served by the API.

use serde::Serialize;

/// The outcome of [`super::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerificationStatus {
    /// The signature is intact and its signer chains to a configured trust anchor.
    Verified,
    /// The document was checked and is wrong, or was refused as unsafe or unsupported.
    Failed,
    /// Nothing was found wrong, but no trust anchors are configured, so the signer is unknown.
    Unverified,
}

/// One certificate of the signer's chain, for evidence and display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// The subject distinguished name (RFC 4514 string).
    pub subject: String,
    /// The issuer distinguished name (RFC 4514 string).
    pub issuer: String,
    /// The serial number, lowercase hex.
    pub serial: String,
    /// Start of validity, RFC 3339 UTC.
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// SHA-256 of the certificate's DER encoding, lowercase hex.
    pub sha256_fingerprint: String,
}

/// Everything known about a document's signature after [`super::verify`]; fields stay `None`
/// when verification stopped before reaching them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// The verdict.
    pub status: VerificationStatus,
    /// Why it is not `verified`: a short snake_case code such as `digest_mismatch`,
    /// `untrusted_signer`, `unexpected_signer` (a trusted chain, but not the signer expected for
    /// the document type), `certificate_expired`, `multiple_signatures`, `no_signature`,
    /// `malformed_xml`, `dtd_forbidden`, `unsupported_algorithm`, `signature_invalid`,
    /// `reference_not_whole_document`, `hmac_missing` (set by the gateway when it requires
    /// DigiLocker's `hmac` header), or `no_trust_anchors` when unverified.
    pub reason: Option<String>,
    /// The subject of the certificate whose key made the signature.
    pub signer_subject: Option<String>,
    /// That certificate's serial number, lowercase hex.
    pub signer_serial: Option<String>,
    /// The document type the signer rules were chosen for (`aadhaar`, `pan`,
    /// `driving_license`), when known.
    pub doc_type: Option<String>,
    /// The signer rules in force for the document's type (`TYPES|ORGANIZATION|ISSUER_CN`).
    pub expected_signers: Vec<String>,
    /// The rule the signer matched, when verified.
    pub signer_rule: Option<String>,
    /// The chain from the signer to the trust anchor when one was found, otherwise the
    /// certificates as presented in `KeyInfo`.
    pub chain: Vec<CertificateSummary>,
    /// The `CanonicalizationMethod` URI of `SignedInfo`.
    pub canonicalization: Option<String>,
    /// The `SignatureMethod` URI.
    pub signature_method: Option<String>,
    /// The reference's `DigestMethod` URI.
    pub digest_method: Option<String>,
    /// Whether the recomputed digest of the document equals `DigestValue`.
    pub digest_matched: Option<bool>,
    /// The instant certificate validity was checked at (`KycRes@ts` when present), RFC 3339.
    pub validity_checked_at: Option<String>,
    /// Where `validity_checked_at` came from: `kycres_ts` (the e-Aadhaar's generation time, which
    /// must lie close to `fetched_at`) or `fetched_at`.
    pub signing_time_source: Option<String>,
    /// When the document was received from DigiLocker (or the time given to re-verify it),
    /// RFC 3339.
    pub fetched_at: Option<String>,
    /// DigiLocker's `hmac` header over the bytes received (base64 HMAC-SHA256 under the client
    /// secret), as found by the gateway: `matched` or `missing` (a mismatch is refused before
    /// verification); `None` when the document was not fetched by the gateway.
    pub hmac_header: Option<String>,
    /// SHA-256 of the document bytes exactly as received, lowercase hex.
    pub document_sha256: String,
}

impl VerificationReport {
    pub(crate) fn new(document_sha256: String) -> Self {
        Self {
            status: VerificationStatus::Failed,
            reason: None,
            signer_subject: None,
            signer_serial: None,
            doc_type: None,
            expected_signers: Vec::new(),
            signer_rule: None,
            chain: Vec::new(),
            canonicalization: None,
            signature_method: None,
            digest_method: None,
            digest_matched: None,
            validity_checked_at: None,
            signing_time_source: None,
            fetched_at: None,
            hmac_header: None,
            document_sha256,
        }
    }
}

/// A verification report plus, only when the status is `verified`, the content that was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// What was checked and the verdict.
    pub report: VerificationReport,
    /// The canonical form of the document without its `Signature`: exactly the bytes the digest
    /// covers. Document parsers must read this, never the raw input, so that nothing unsigned
    /// (comments, the `Signature` subtree, anything outside the reference) can reach them.
    pub signed_content: Option<String>,
}

impl Verification {
    /// Whether the document is verified (and `signed_content` therefore present).
    pub fn is_verified(&self) -> bool {
        self.report.status == VerificationStatus::Verified
    }

    /// Marks the document `failed` for a reason found outside the signature (such as a missing
    /// `hmac` header the operator requires), dropping the signed content.
    pub fn refuse(&mut self, reason: &str) {
        self.report.status = VerificationStatus::Failed;
        self.report.reason = Some(reason.to_owned());
        self.signed_content = None;
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
