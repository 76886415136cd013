//! The committed test PKI, the synthetic documents, and short-hands for signing and checking.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use digigate_documents::signature::{
    sign_enveloped, verify, SignatureMethod, SigningIdentity, TrustStore, Verification,
    VerificationStatus, ROOT_CA_FILE,
};

pub const DOCUMENTS: [&str; 3] = ["aadhaar", "pan", "driving_licence"];

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub fn pki_dir() -> PathBuf {
    testdata().join("pki")
}

pub fn expired_pki_dir() -> PathBuf {
    pki_dir().join("expired")
}

/// The simulator's signer (valid 2010–2045).
pub fn identity() -> SigningIdentity {
    SigningIdentity::from_pem_files(&pki_dir()).expect("committed test identity")
}

/// A signer whose whole chain expired at the end of 2019.
pub fn expired_identity() -> SigningIdentity {
    SigningIdentity::from_pem_files(&expired_pki_dir()).expect("committed expired identity")
}

/// Trusts only the simulator's test root.
pub fn trust() -> TrustStore {
    TrustStore::from_pem_files([pki_dir().join(ROOT_CA_FILE)]).expect("test root")
}

/// Trusts the test root and the expired PKI's root.
pub fn trust_both() -> TrustStore {
    TrustStore::from_pem_files([
        pki_dir().join(ROOT_CA_FILE),
        expired_pki_dir().join(ROOT_CA_FILE),
    ])
    .expect("both roots")
}

/// A fixed "now" so that results do not depend on the day the tests run: a minute after the
/// e-Aadhaar fixture's `KycRes@ts` (2024-06-04T14:54:03.230+05:30), as when it is fetched.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 4, 9, 25, 0)
        .single()
        .expect("date")
}

pub fn fixture(name: &str) -> String {
    let path = testdata().join("signature").join(format!("{name}.xml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn signed(name: &str, method: SignatureMethod) -> String {
    sign_enveloped(&fixture(name), &identity(), method).expect("signs")
}

pub fn signed_aadhaar() -> String {
    signed("aadhaar", SignatureMethod::RsaSha1)
}

pub fn check(xml: &str) -> Verification {
    verify(xml.as_bytes(), &trust(), now())
}

/// Replaces the one occurrence of `from`, failing the test if it is missing.
pub fn replace(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "{from:?} not found");
    xml.replacen(from, to, 1)
}

/// The document's `Signature` element, verbatim.
pub fn signature_of(xml: &str) -> &str {
    let start = xml.find("<Signature ").expect("signature start");
    let end = xml.find("</Signature>").expect("signature end") + "</Signature>".len();
    &xml[start..end]
}

#[track_caller]
pub fn assert_failed(verification: &Verification, reason: &str) {
    assert_eq!(
        verification.report.status,
        VerificationStatus::Failed,
        "{:?}",
        verification.report
    );
    assert_eq!(verification.report.reason.as_deref(), Some(reason));
    assert!(verification.signed_content.is_none());
}

#[track_caller]
pub fn assert_verified(verification: &Verification) {
    assert_eq!(
        verification.report.status,
        VerificationStatus::Verified,
        "{:?}",
        verification.report
    );
    assert!(verification.signed_content.is_some());
}
