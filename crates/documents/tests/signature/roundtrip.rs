//! Signing in DigiLocker's shape and verifying what was signed.

use digigate_documents::signature::{
    sign_enveloped, verify, CaCertificate, SignError, SignatureMethod, SigningIdentity, TrustStore,
    VerificationStatus,
};

use super::fixtures::*;

#[test]
fn every_document_signed_with_either_method_verifies_against_the_test_root() {
    for name in DOCUMENTS {
        for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
            let verification = check(&signed(name, method));
            assert_verified(&verification);
            assert_eq!(
                verification.report.signature_method.as_deref(),
                Some(method.uri()),
                "{name}"
            );
        }
    }
}

#[test]
fn the_signature_is_the_last_child_of_the_root_in_digilockers_shape() {
    let xml = signed_aadhaar();
    let sig = signature_of(&xml);
    assert!(xml.ends_with("</Signature></Certificate>\n"));
    assert!(
        sig.starts_with(r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>"#)
    );
    for part in [
        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        r#"<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>"#,
        r#"<Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>"#,
        r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>"#,
        "<KeyInfo><X509Data><X509SubjectName>CN=DS DIGIGATE SIMULATOR 1,OU=NATIONAL E-GOVERNANCE DIVISION,O=NATIONAL E-GOVERNANCE DIVISION,ST=DELHI,C=IN</X509SubjectName><X509Certificate>",
        "<X509SubjectName>CN=Digigate Document Signer Sub-CA,OU=Sub-CA,O=Digigate Simulator,C=IN</X509SubjectName>",
        "<X509SubjectName>CN=Digigate Simulator Root CA,O=Digigate Simulator,C=IN</X509SubjectName>",
    ] {
        assert!(sig.contains(part), "missing {part}");
    }
    assert_eq!(sig.matches("<X509Certificate>").count(), 3);
}

#[test]
fn signing_keeps_every_other_byte_of_the_document() {
    for name in DOCUMENTS {
        let original = fixture(name);
        let xml = signed(name, SignatureMethod::RsaSha256);
        assert_eq!(xml.replace(signature_of(&xml), ""), original, "{name}");
    }
}

#[test]
fn signing_is_deterministic_so_repeated_fetches_return_identical_bytes() {
    assert_eq!(signed_aadhaar(), signed_aadhaar());
}

#[test]
fn signed_content_is_the_canonical_document_without_the_signature() {
    let verification = check(&signed_aadhaar());
    let content = verification.signed_content.expect("verified");
    assert!(content.starts_with("<Certificate><CertificateData><KycRes code="));
    assert!(content.contains(r#"<Poi dob="05-10-1996" gender="M" name="Test Person"></Poi>"#));
    assert!(content.contains(r#"lm="Near Park &amp; Lake""#));
    assert!(content.ends_with("</CertificateData></Certificate>"));
    assert!(!content.contains("Signature"));
}

#[test]
fn the_report_names_the_signer_its_chain_and_the_algorithms() {
    let xml = signed_aadhaar();
    let report = check(&xml).report;
    assert_eq!(
        report.signer_subject.as_deref(),
        Some("CN=DS DIGIGATE SIMULATOR 1,OU=NATIONAL E-GOVERNANCE DIVISION,O=NATIONAL E-GOVERNANCE DIVISION,ST=DELHI,C=IN")
    );
    assert!(report
        .signer_serial
        .as_deref()
        .is_some_and(|s| s.len() == 16));
    let subjects: Vec<&str> = report.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects.len(), 3);
    assert!(subjects[2].starts_with("CN=Digigate Simulator Root CA"));
    assert_eq!(report.chain[0].not_after, "2045-12-31T23:59:59Z");
    assert_eq!(
        report.canonicalization.as_deref(),
        Some("http://www.w3.org/2001/10/xml-exc-c14n#")
    );
    assert_eq!(
        report.digest_method.as_deref(),
        Some("http://www.w3.org/2001/04/xmlenc#sha256")
    );
    assert_eq!(report.digest_matched, Some(true));
    // Validity is checked at the e-Aadhaar's own timestamp, 2024-06-04T14:54:03.230+05:30.
    assert_eq!(
        report.validity_checked_at.as_deref(),
        Some("2024-06-04T09:24:03.230Z")
    );
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["status"], "verified");
    assert_eq!(json["document_sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn a_good_signature_without_trust_anchors_is_unverified_not_verified() {
    let verification = verify(signed_aadhaar().as_bytes(), &TrustStore::new(), now());
    assert_eq!(verification.report.status, VerificationStatus::Unverified);
    assert_eq!(
        verification.report.reason.as_deref(),
        Some("no_trust_anchors")
    );
    assert!(verification.signed_content.is_none());
    assert_eq!(verification.report.digest_matched, Some(true));
}

#[test]
fn a_tampered_document_fails_even_without_trust_anchors() {
    let xml = replace(&signed_aadhaar(), "Test Person", "Evil Person");
    let verification = verify(xml.as_bytes(), &TrustStore::new(), now());
    assert_failed(&verification, "digest_mismatch");
}

#[test]
fn an_unsigned_document_is_unverified_without_anchors_and_failed_with_them() {
    let xml = fixture("pan");
    let without = verify(xml.as_bytes(), &TrustStore::new(), now());
    assert_eq!(without.report.status, VerificationStatus::Unverified);
    assert_eq!(without.report.reason.as_deref(), Some("no_signature"));
    assert_failed(&check(&xml), "no_signature");
}

#[test]
fn signing_an_already_signed_document_is_refused() {
    let result = sign_enveloped(&signed_aadhaar(), &identity(), SignatureMethod::RsaSha1);
    assert!(matches!(result, Err(SignError::AlreadySigned)));
}

#[test]
fn signing_a_document_with_a_doctype_is_refused() {
    let xml = "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
    let result = sign_enveloped(xml, &identity(), SignatureMethod::RsaSha1);
    assert!(matches!(result, Err(SignError::Document("dtd_forbidden"))));
}

#[test]
fn an_empty_root_element_is_expanded_to_hold_the_signature() {
    let xml = sign_enveloped(
        "<Certificate a=\"1\"/>",
        &identity(),
        SignatureMethod::RsaSha256,
    )
    .expect("signs");
    assert!(xml.starts_with("<Certificate a=\"1\"><Signature "));
    assert!(xml.ends_with("</Signature></Certificate>"));
    assert_verified(&check(&xml));
}

#[test]
fn pem_files_round_trip_to_an_identity_that_signs_identically() {
    let dir = std::env::temp_dir().join(format!("digigate-pki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    identity().to_pem_files(&dir).expect("writes");
    let reloaded = SigningIdentity::from_pem_files(&dir).expect("reads");
    let again = sign_enveloped(&fixture("pan"), &reloaded, SignatureMethod::RsaSha1);
    assert_eq!(
        again.expect("signs"),
        signed("pan", SignatureMethod::RsaSha1)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_private_key_that_does_not_match_the_signer_certificate_is_refused() {
    let key = std::fs::read_to_string(expired_pki_dir().join("signer-key.pem")).expect("key");
    let chain = std::fs::read(pki_dir().join("signer-chain.pem")).expect("chain");
    let result = SigningIdentity::from_pem(&key, &chain);
    assert!(matches!(result, Err(SignError::KeyMaterial(_))));
}

#[test]
fn the_built_in_simulator_identity_is_the_committed_test_pki() {
    let builtin = SigningIdentity::simulator_test_identity().expect("embedded identity");
    assert_eq!(builtin.signer_subject(), identity().signer_subject());
    let root = CaCertificate::simulator_test_root().expect("embedded root");
    let mut store = TrustStore::new();
    assert_eq!(
        store
            .add_pem(root.to_pem().expect("pem").as_bytes())
            .expect("adds"),
        1
    );
    let xml = sign_enveloped(&fixture("aadhaar"), &builtin, SignatureMethod::RsaSha1);
    let verification = verify(xml.expect("signs").as_bytes(), &store, now());
    assert!(verification.is_verified());
}

#[test]
fn a_trust_store_refuses_input_that_is_not_a_pem_certificate() {
    let mut store = TrustStore::new();
    assert!(store.add_pem(b"not a certificate").is_err());
    assert!(store.add_pem(b"").is_err());
    assert!(store.is_empty());
}

#[test]
fn a_freshly_generated_test_pki_signs_documents_its_root_verifies() {
    use chrono::{Duration, Utc};
    let (identity, root) = SigningIdentity::generate_test_pki(
        "Fresh",
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(30),
    )
    .expect("generates");
    assert_eq!(
        identity.signer_subject(),
        "CN=DS FRESH SIMULATOR 1,OU=NATIONAL E-GOVERNANCE DIVISION,O=NATIONAL E-GOVERNANCE DIVISION,ST=DELHI,C=IN"
    );
    assert_eq!(
        root.subject(),
        "CN=Fresh Simulator Root CA,O=Fresh Simulator,C=IN"
    );
    assert_eq!(identity.certificate_chain_pem().expect("pem").len(), 3);
    let mut store = TrustStore::new();
    store.add_der(&root.to_der().expect("der")).expect("adds");
    let xml =
        sign_enveloped(&fixture("pan"), &identity, SignatureMethod::RsaSha256).expect("signs");
    assert!(verify(xml.as_bytes(), &store, Utc::now()).is_verified());
    // ...and nothing else: the committed test root does not vouch for it.
    assert_failed(&check(&xml), "untrusted_signer");
}
