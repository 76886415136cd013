//! Hostile and broken input is refused with an error, never a panic or a blow-up.

use super::fixture;
use crate::model::DocTypeCode;
use crate::parse::{parse, parse_aadhaar, parse_pan, ParseError, MAX_INPUT_BYTES};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::io::Write;

#[test]
fn a_document_with_an_internal_entity_is_refused() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE KycRes [<!ENTITY n "Injected">]>
        <KycRes><UidData uid="xxxxxxxx1234"><Poi name="&n;"/></UidData></KycRes>"#;
    assert_eq!(
        parse_aadhaar(xml.as_bytes()).err(),
        Some(ParseError::DtdRefused)
    );
}

#[test]
fn an_external_entity_is_refused_before_anything_is_read() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE Certificate [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <Certificate type="PANCR"><IssuedTo><Person name="&xxe;"/></IssuedTo></Certificate>"#;
    assert_eq!(
        parse_pan(xml.as_bytes()).err(),
        Some(ParseError::DtdRefused)
    );
}

#[test]
fn a_billion_laughs_document_is_refused() {
    let mut xml = String::from(r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#);
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        xml.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    xml.push_str(
        r#"]><KycRes><UidData uid="xxxxxxxx1234"><Poi name="&lol9;"/></UidData></KycRes>"#,
    );
    assert_eq!(
        parse_aadhaar(xml.as_bytes()).err(),
        Some(ParseError::DtdRefused)
    );
}

#[test]
fn even_an_empty_doctype_in_any_case_is_refused() {
    for decl in [
        "<!DOCTYPE KycRes>",
        "<!doctype KycRes>",
        "<!DOCTYPE KycRes []>",
    ] {
        let xml = format!(
            r#"{decl}<KycRes><UidData uid="xxxxxxxx1234"><Poi name="A"/></UidData></KycRes>"#
        );
        assert_eq!(
            parse_aadhaar(xml.as_bytes()).err(),
            Some(ParseError::DtdRefused),
            "{decl}"
        );
    }
}

#[test]
fn an_undeclared_entity_reference_is_malformed_xml() {
    let xml = r#"<KycRes><UidData uid="xxxxxxxx1234"><Poi name="&secret;"/></UidData></KycRes>"#;
    let err = parse_aadhaar(xml.as_bytes()).expect_err("undeclared entity");
    assert!(
        matches!(
            err,
            ParseError::MalformedXml {
                problem: "bad entity reference",
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn every_truncation_of_every_fixture_is_an_error_or_a_document_never_a_panic() {
    for (name, code) in [
        ("aadhaar_digilocker_v3.xml", DocTypeCode::Aadhaar),
        ("pan_sandbox_sample.xml", DocTypeCode::Pan),
        (
            "driving_licence_sandbox_sample.xml",
            DocTypeCode::DrivingLicence,
        ),
    ] {
        let bytes = fixture(name);
        for len in 0..bytes.len() {
            let result = parse(code, &bytes[..len]);
            // Only the trailing newline (and nothing of the document) may be cut for success.
            assert!(
                result.is_err() || len + 1 >= bytes.len(),
                "{name} cut at {len} parsed"
            );
        }
    }
}

#[test]
fn a_truncated_document_reports_an_unexpected_end() {
    let bytes = fixture("pan_partner_api.xml");
    let err = parse_pan(&bytes[..bytes.len() / 2]).expect_err("truncated");
    assert!(matches!(err, ParseError::MalformedXml { .. }), "{err}");
}

#[test]
fn a_document_with_the_wrong_root_is_refused() {
    assert_eq!(
        parse_aadhaar(b"<OfflinePaperlessKyc/>").err(),
        Some(ParseError::WrongRoot {
            expected: "Certificate or KycRes"
        })
    );
    assert_eq!(
        parse_pan(br#"<KycRes><UidData uid="xxxxxxxx1234"/></KycRes>"#).err(),
        Some(ParseError::WrongRoot {
            expected: "Certificate"
        })
    );
}

#[test]
fn an_oversized_document_is_refused_without_being_parsed() {
    let mut xml = b"<KycRes>".to_vec();
    xml.resize(MAX_INPUT_BYTES + 1, b' ');
    assert_eq!(
        parse_aadhaar(&xml).err(),
        Some(ParseError::TooLarge {
            limit: MAX_INPUT_BYTES
        })
    );
}

#[test]
fn a_document_that_is_not_utf8_is_refused() {
    assert_eq!(
        parse_aadhaar(b"<KycRes name=\"\xff\"/>").err(),
        Some(ParseError::NotUtf8)
    );
}

#[test]
fn a_document_with_too_many_nodes_is_refused() {
    let xml = format!("<KycRes>{}</KycRes>", "<a/>".repeat(200_000));
    assert_eq!(
        parse_aadhaar(xml.as_bytes()).err(),
        Some(ParseError::TooComplex)
    );
}

#[test]
fn a_gzip_bomb_photo_is_refused() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 6 * 1024 * 1024])
        .expect("in-memory write");
    let photo = STANDARD.encode(gz.finish().expect("in-memory gzip"));
    let xml = format!(
        r#"<KycRes><UidData uid="xxxxxxxx1234"><Poi name="A"/><Pht>{photo}</Pht></UidData></KycRes>"#
    );
    let err = parse_aadhaar(xml.as_bytes()).expect_err("bomb");
    assert_eq!(
        err,
        ParseError::Invalid {
            what: "UidData/Pht",
            problem: "photo is too large once unzipped"
        }
    );
}
