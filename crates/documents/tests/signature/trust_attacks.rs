//! Signers the trust store must not vouch for: unknown, expired, impostors and non-CA issuers.

use base64::Engine as _;
use chrono::{Duration, TimeZone, Utc};
use digigate_documents::signature::{
    sign_enveloped, verify, SignatureMethod, SigningIdentity, TrustStore,
};

use super::fixtures::*;
use super::identities::{impostor, issued_by_the_document_signer};

fn sign_with(name: &str, identity: &SigningIdentity) -> String {
    sign_enveloped(&fixture(name), identity, SignatureMethod::RsaSha256).expect("signs")
}

/// The aadhaar fixture with its `KycRes@ts` moved to `ts`, signed by `identity`.
fn aadhaar_at(ts: &str, identity: &SigningIdentity) -> String {
    let xml = replace(&fixture("aadhaar"), "2024-06-04T14:54:03.230+05:30", ts);
    sign_enveloped(&xml, identity, SignatureMethod::RsaSha1).expect("signs")
}

#[test]
fn a_signer_that_does_not_chain_to_the_trust_store_is_untrusted() {
    let xml = aadhaar_at("2018-03-01T10:00:00.000+05:30", &expired_identity());
    let verification = check(&xml);
    assert_failed(&verification, "untrusted_signer");
    // The signature itself is intact; only trust is missing.
    assert_eq!(verification.report.digest_matched, Some(true));
    assert!(verification.report.signer_subject.is_some());
}

#[test]
fn an_expired_signer_fails_for_documents_signed_after_it_expired() {
    let store = trust_both();
    let pan = sign_with("pan", &expired_identity());
    assert_failed(
        &verify(pan.as_bytes(), &store, now()),
        "certificate_expired",
    );
    let aadhaar = sign_with("aadhaar", &expired_identity());
    assert_failed(
        &verify(aadhaar.as_bytes(), &store, now()),
        "certificate_expired",
    );
}

#[test]
fn a_retired_signer_cannot_vouch_for_a_back_dated_e_aadhaar() {
    // The chain was valid at the e-Aadhaar's own timestamp, but an e-Aadhaar is generated when
    // it is fetched: one dated six years before the fetch is back-dated.
    let xml = aadhaar_at("2018-03-01T10:00:00.000+05:30", &expired_identity());
    let verification = verify(xml.as_bytes(), &trust_both(), now());
    assert_failed(&verification, "signing_time_not_at_fetch");
    let report = &verification.report;
    assert_eq!(
        report.validity_checked_at.as_deref(),
        Some("2018-03-01T04:30:00.000Z")
    );
    assert_eq!(report.signing_time_source.as_deref(), Some("kycres_ts"));
    assert_eq!(
        report.fetched_at.as_deref(),
        Some("2024-06-04T09:25:00.000Z")
    );
    // Fetched when it was generated, while the signer was valid, it verifies.
    let at_the_time = Utc
        .with_ymd_and_hms(2018, 3, 1, 4, 31, 0)
        .single()
        .expect("date");
    assert_verified(&verify(xml.as_bytes(), &trust_both(), at_the_time));
}

#[test]
fn an_e_aadhaar_must_be_generated_within_ten_minutes_of_its_fetch() {
    let xml = signed_aadhaar(); // KycRes@ts 2024-06-04T09:24:03.230Z
    let ts = Utc
        .with_ymd_and_hms(2024, 6, 4, 9, 24, 3)
        .single()
        .expect("date");
    let at = |minutes: i64| ts + Duration::minutes(minutes);
    assert_verified(&verify(xml.as_bytes(), &trust(), at(9)));
    assert_verified(&verify(xml.as_bytes(), &trust(), at(-9)));
    assert_failed(
        &verify(xml.as_bytes(), &trust(), at(11)),
        "signing_time_not_at_fetch",
    );
    assert_failed(
        &verify(xml.as_bytes(), &trust(), at(-11)),
        "signing_time_in_future",
    );
}

#[test]
fn an_e_aadhaar_without_a_signing_time_fails_but_other_documents_use_the_fetch_time() {
    let xml = sign_enveloped(
        &replace(
            &fixture("aadhaar"),
            r#" ts="2024-06-04T14:54:03.230+05:30""#,
            "",
        ),
        &identity(),
        SignatureMethod::RsaSha1,
    )
    .expect("signs");
    assert_failed(&check(&xml), "invalid_signing_time");
    let pan = check(&signed("pan", SignatureMethod::RsaSha1));
    assert_verified(&pan);
    assert_eq!(
        pan.report.signing_time_source.as_deref(),
        Some("fetched_at")
    );
    assert_eq!(
        pan.report.validity_checked_at, pan.report.fetched_at,
        "a PAN record carries no signing time"
    );
}

#[test]
fn a_signing_time_before_the_signer_was_valid_fails() {
    let xml = aadhaar_at("2009-06-01T10:00:00.000+05:30", &identity());
    assert_failed(&check(&xml), "certificate_not_yet_valid");
}

#[test]
fn a_signing_time_in_the_future_or_unreadable_is_refused() {
    let future = aadhaar_at("2030-01-01T10:00:00.000+05:30", &identity());
    assert_failed(&check(&future), "signing_time_in_future");
    let unreadable = aadhaar_at("yesterday", &identity());
    assert_failed(&check(&unreadable), "invalid_signing_time");
    let local = aadhaar_at("2024-06-04T14:54:03", &identity()); // IST without offset
    let verification = check(&local);
    assert_verified(&verification);
    assert_eq!(
        verification.report.validity_checked_at.as_deref(),
        Some("2024-06-04T09:24:03.000Z")
    );
}

#[test]
fn swapping_the_signer_certificate_for_a_self_signed_one_with_the_same_subject_fails() {
    let xml = signed_aadhaar();
    let start = xml.find("<X509Certificate>").expect("cert") + "<X509Certificate>".len();
    let end = xml.find("</X509Certificate>").expect("end");
    let fake_pem = impostor(false)
        .certificate_chain_pem()
        .expect("pem")
        .remove(0);
    let fake_b64: String = fake_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let swapped = format!("{}{}{}", &xml[..start], fake_b64, &xml[end..]);
    assert_failed(&check(&swapped), "signature_invalid");
}

#[test]
fn an_impostor_that_re_signs_with_its_own_key_is_untrusted() {
    for with_real_chain in [false, true] {
        let xml = sign_with("aadhaar", &impostor(with_real_chain));
        let verification = check(&xml);
        assert_failed(&verification, "untrusted_signer");
        assert_eq!(
            verification.report.signer_subject.as_deref(),
            Some("CN=DS DIGIGATE SIMULATOR 1,OU=NATIONAL E-GOVERNANCE DIVISION,O=NATIONAL E-GOVERNANCE DIVISION,ST=DELHI,C=IN")
        );
    }
}

#[test]
fn a_certificate_issued_by_the_document_signer_fails_because_it_is_not_a_ca() {
    let xml = sign_with("pan", &issued_by_the_document_signer());
    assert_failed(&check(&xml), "issuer_not_ca");
}

#[test]
fn certificates_in_key_info_are_never_anchors_by_themselves() {
    // The document carries the real root in KeyInfo, but the store trusts another root.
    let mut store = TrustStore::new();
    let other_root = std::fs::read(expired_pki_dir().join("root-ca.pem")).expect("root");
    store.add_pem(&other_root).expect("adds");
    let verification = verify(signed_aadhaar().as_bytes(), &store, now());
    assert_failed(&verification, "untrusted_signer");
}

#[test]
fn a_pinned_signer_certificate_is_trusted_directly() {
    let signer_pem = identity().certificate_chain_pem().expect("pem").remove(0);
    let mut store = TrustStore::new();
    store.add_pem(signer_pem.as_bytes()).expect("adds");
    let verification = verify(signed_aadhaar().as_bytes(), &store, now());
    assert_verified(&verification);
    assert_eq!(verification.report.chain.len(), 1);
}

#[test]
fn a_corrupt_certificate_in_key_info_is_refused() {
    let xml = signed_aadhaar();
    let b64 = base64::engine::general_purpose::STANDARD.encode(b"not a certificate");
    let corrupt = replace(
        &xml,
        "<X509Certificate>",
        &format!("<X509Certificate>{b64}</X509Certificate><X509Certificate>"),
    );
    assert_failed(&check(&corrupt), "malformed_certificate");
}

#[test]
fn a_key_info_stuffed_with_certificates_is_refused() {
    let xml = signed_aadhaar();
    let start = xml.find("<X509SubjectName>").expect("first pair");
    let end = xml.find("</X509Data>").expect("end");
    let pairs = xml[start..end].repeat(4);
    let stuffed = format!("{}{}{}", &xml[..start], pairs, &xml[end..]);
    assert_failed(&check(&stuffed), "too_many_certificates");
}
