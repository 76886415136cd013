//! Expected signers: a chain to CCA India is not enough, the signer must be DigiLocker's; the
//! shipped roots and the real intermediate chain.

use chrono::{TimeZone, Utc};
use digigate_documents::model::DocTypeCode;
use digigate_documents::signature::{
    verify_received, Received, SignatureMethod, SignerRule, TrustStore,
};

use crate::fixtures::{
    assert_failed, assert_verified, check, now, signed, signed_aadhaar, testdata, trust,
};

fn real(name: &str) -> Vec<u8> {
    let path = testdata()
        .join("digilocker-chain")
        .join(format!("{name}.pem"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn real_chain() -> Vec<u8> {
    [
        real("ds-negd-1-2023"),
        real("safescrypt-sub-ca-document-signer-2022"),
        real("safescrypt-ca-2022"),
    ]
    .concat()
}

fn when_the_real_signer_was_valid() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 4, 9, 24, 3)
        .single()
        .expect("date")
}

#[test]
fn the_real_negd_signer_chains_through_safescrypt_to_the_shipped_cca_india_root() {
    let store = TrustStore::digilocker().expect("shipped roots load");
    assert_eq!(TrustStore::shipped_root_names(), ["cca-india-2022.pem"]);
    let chain = store
        .check_signer_pem(
            &real_chain(),
            when_the_real_signer_was_valid(),
            Some(DocTypeCode::Aadhaar),
        )
        .expect("the real chain is trusted and the signer expected");
    let subjects: Vec<&str> = chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
    assert!(subjects[0].contains("CN=DS NATIONAL E-GOVERNANCE DIVISION 1"));
    assert!(subjects[1].contains("CN=SafeScrypt sub-CA for Document Signer 2022"));
    assert!(subjects[2].contains("CN=SafeScrypt CA 2022"));
    assert_eq!(subjects[3], "CN=CCA India 2022,O=India PKI,C=IN");
    assert!(chain[3].sha256_fingerprint.starts_with("9a3fd3176798e842"));
}

#[test]
fn the_real_signer_is_refused_after_its_certificate_expired() {
    let store = TrustStore::digilocker().expect("shipped roots load");
    let after = Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("date");
    assert_eq!(
        store.check_signer_pem(&real_chain(), after, Some(DocTypeCode::Aadhaar)),
        Err("certificate_expired")
    );
}

#[test]
fn another_certificate_under_cca_india_is_an_unexpected_signer() {
    // SafeScrypt's own sub-CA chains to CCA India 2022 as any licensed CA's certificates do;
    // it is not NeGD's document signer.
    let store = TrustStore::digilocker().expect("shipped roots load");
    let not_negd = [
        real("safescrypt-sub-ca-document-signer-2022"),
        real("safescrypt-ca-2022"),
    ]
    .concat();
    assert_eq!(
        store.check_signer_pem(&not_negd, when_the_real_signer_was_valid(), None),
        Err("unexpected_signer")
    );
}

#[test]
fn a_synthetic_signer_claiming_negd_is_refused_by_the_shipped_roots() {
    let verification = check_with(&TrustStore::digilocker().expect("roots"), &signed_aadhaar());
    assert_failed(&verification, "untrusted_signer");
    assert!(verification
        .report
        .signer_subject
        .as_deref()
        .is_some_and(|s| s.contains("O=NATIONAL E-GOVERNANCE DIVISION")));
}

fn check_with(store: &TrustStore, xml: &str) -> digigate_documents::signature::Verification {
    verify_received(
        xml.as_bytes(),
        store,
        Received {
            doc_type: None,
            at: now(),
        },
    )
}

#[test]
fn a_trusted_chain_with_a_signer_the_rules_do_not_expect_fails_as_unexpected_signer() {
    let mut store = trust();
    store.set_signer_rules(vec!["*|DIGITAL INDIA CORPORATION|Sub CA"
        .parse()
        .expect("rule")]);
    let verification = check_with(&store, &signed("pan", SignatureMethod::RsaSha1));
    assert_failed(&verification, "unexpected_signer");
    assert_eq!(
        verification.report.expected_signers,
        ["*|DIGITAL INDIA CORPORATION|Sub CA"]
    );
    store.set_signer_rules(Vec::new());
    assert_failed(
        &check_with(&store, &signed("pan", SignatureMethod::RsaSha1)),
        "unexpected_signer",
    );
}

#[test]
fn rules_for_one_document_type_do_not_cover_another() {
    let mut store = trust();
    store.set_signer_rules(vec![format!(
        "pan|{}|Document Signer",
        digigate_documents::signature::NEGD_ORGANIZATION
    )
    .parse()
    .expect("rule")]);
    assert_verified(&check_with(
        &store,
        &signed("pan", SignatureMethod::RsaSha1),
    ));
    assert_failed(
        &check_with(&store, &signed("driving_licence", SignatureMethod::RsaSha1)),
        "unexpected_signer",
    );
}

#[test]
fn the_report_shows_the_expected_signers_and_the_rule_that_matched() {
    let report = check(&signed("pan", SignatureMethod::RsaSha1)).report;
    let rule = "*|NATIONAL E-GOVERNANCE DIVISION|Document Signer";
    assert_eq!(report.expected_signers, [rule]);
    assert_eq!(report.signer_rule.as_deref(), Some(rule));
    assert_eq!(report.doc_type.as_deref(), Some("pan"));
}

#[test]
fn a_document_of_another_type_than_asked_for_fails() {
    let verification = verify_received(
        signed("pan", SignatureMethod::RsaSha1).as_bytes(),
        &trust(),
        Received {
            doc_type: Some(DocTypeCode::Aadhaar),
            at: now(),
        },
    );
    assert_failed(&verification, "document_type_mismatch");
}

#[test]
fn signer_rules_are_read_from_text_and_bad_ones_refused() {
    let rule: SignerRule = "aadhaar, pan |NATIONAL E-GOVERNANCE DIVISION|Document Signer"
        .parse()
        .expect("rule");
    assert_eq!(rule.doc_types, [DocTypeCode::Aadhaar, DocTypeCode::Pan]);
    assert_eq!(
        rule.to_string(),
        "aadhaar,pan|NATIONAL E-GOVERNANCE DIVISION|Document Signer"
    );
    for bad in [
        "",
        "*|NEGD",
        "*||Document Signer",
        "passport|O|CN",
        "*|a|b|c",
    ] {
        assert!(bad.parse::<SignerRule>().is_err(), "{bad:?}");
    }
    assert_eq!(
        SignerRule::digilocker_defaults()[0].to_string(),
        "*|NATIONAL E-GOVERNANCE DIVISION|Document Signer"
    );
}
