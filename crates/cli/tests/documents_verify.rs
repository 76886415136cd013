//! `digigate documents verify`: an auditor re-checks a stored document and reads the report.

use digigate_documents::signature::{sign_enveloped, SignatureMethod, SigningIdentity};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn documents_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../documents/testdata")
}

/// The synthetic PAN record signed by the simulator's test signer, written to a fresh file.
fn signed_pan_file(name: &str) -> PathBuf {
    let xml = std::fs::read_to_string(documents_dir().join("signature/pan.xml")).unwrap();
    let identity = SigningIdentity::simulator_test_identity().unwrap();
    let signed = sign_enveloped(&xml, &identity, SignatureMethod::RsaSha1).unwrap();
    let path = std::env::temp_dir().join(format!("digigate-{}-{name}.xml", std::process::id()));
    std::fs::write(&path, signed).unwrap();
    path
}

fn verify(args: &[&str]) -> (bool, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .args(["documents", "verify"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.success(), report)
}

#[test]
fn documents_verify_prints_the_report_and_fails_for_a_signer_outside_the_shipped_roots() {
    let file = signed_pan_file("shipped");
    let (ok, report) = verify(&[file.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(report["status"], "failed", "{report}");
    assert_eq!(report["reason"], "untrusted_signer");
    std::fs::remove_file(file).ok();
}

#[test]
fn documents_verify_with_the_signers_root_shows_a_verified_report_with_its_signer_rule() {
    let file = signed_pan_file("trusted");
    let root = documents_dir().join("pki/root-ca.pem");
    let (ok, report) = verify(&[
        file.to_str().unwrap(),
        "--trust-pem",
        root.to_str().unwrap(),
        "--doc-type",
        "pan",
    ]);
    assert!(ok, "{report}");
    assert_eq!(report["status"], "verified");
    assert_eq!(
        report["signer_rule"],
        "*|NATIONAL E-GOVERNANCE DIVISION|Document Signer"
    );
    let (ok, report) = verify(&[
        file.to_str().unwrap(),
        "--trust-pem",
        root.to_str().unwrap(),
        "--signer-rule",
        "*|DIGITAL INDIA CORPORATION|Sub CA",
    ]);
    assert!(!ok);
    assert_eq!(report["reason"], "unexpected_signer", "{report}");
    std::fs::remove_file(file).ok();
}
