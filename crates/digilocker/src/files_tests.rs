use super::{FetchedFile, IssuedFile};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;

fn list(json: &str) -> Vec<IssuedFile> {
    IssuedFile::list_from_value(serde_json::from_str(json).expect("json")).expect("decodes")
}

#[test]
fn the_v2_issued_list_with_mime_arrays_decodes() {
    let files = list(
        r#"{"items":[{"name":"PAN Verification Record","type":"file","size":"","date":"02-11-2019",
        "parent":"","mime":["application/json","application/xml","application/pdf"],
        "uri":"in.gov.pan-PANCR-ABCDE1234F","doctype":"PANCR","description":"PAN Verification Record",
        "issuerid":"in.gov.pan","issuer":"Income Tax Department"}],"resource":"issued"}"#,
    );
    assert_eq!(files.len(), 1);
    let pan = &files[0];
    assert_eq!(pan.name, "PAN Verification Record");
    assert_eq!(pan.uri, "in.gov.pan-PANCR-ABCDE1234F");
    assert_eq!(pan.doctype, "PANCR");
    assert_eq!(pan.issuer_id, "in.gov.pan");
    assert_eq!(pan.issuer, "Income Tax Department");
    assert_eq!(pan.date, "02-11-2019");
    assert_eq!(
        pan.mime,
        ["application/json", "application/xml", "application/pdf"]
    );
    assert!(!format!("{pan:?}").contains("ABCDE1234F"));
}

#[test]
fn the_v1_issued_list_with_a_mime_string_and_no_doctype_decodes() {
    let files = list(
        r#"{"items":[{"name":"Driving License","mime":"application/pdf",
        "uri":"in.gov.transport-DRVLC-DL0120230100001"}],"resource":"issued"}"#,
    );
    assert_eq!(files[0].mime, ["application/pdf"]);
    assert_eq!(files[0].doctype, "DRVLC");
    assert_eq!(files[0].issuer_id, "in.gov.transport");
}

#[test]
fn an_empty_issued_list_decodes() {
    assert!(list(r#"{"items":[],"resource":"issued"}"#).is_empty());
    assert!(list(r#"{"resource":"issued"}"#).is_empty());
}

#[test]
fn an_item_without_a_uri_is_a_decode_error() {
    let err = IssuedFile::list_from_value(serde_json::json!({"items":[{"name":"x"}]}));
    assert!(matches!(err, Err(crate::DigiLockerError::Decode(_))));
}

fn signed(body: &[u8], key: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn the_hmac_header_is_checked_against_the_client_secret() {
    let secret = SecretString::from("s3cret");
    let mut file = FetchedFile {
        bytes: b"<Certificate/>".to_vec(),
        content_type: "application/xml".into(),
        hmac: None,
    };
    assert_eq!(file.hmac_matches(&secret), None);
    file.hmac = Some(signed(&file.bytes, "s3cret"));
    assert_eq!(file.hmac_matches(&secret), Some(true));
    file.hmac = Some(signed(&file.bytes, "other"));
    assert_eq!(file.hmac_matches(&secret), Some(false));
    file.hmac = Some("not base64 at all!".into());
    assert_eq!(file.hmac_matches(&secret), Some(false));
    assert!(!format!("{file:?}").contains("Certificate"));
}
