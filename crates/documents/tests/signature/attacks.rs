//! Tampering with a signed document: every change must fail, and every trick that keeps the
//! signature valid must leave parsers reading only what was signed.

use roxmltree::Document;

use super::fixtures::*;
use digigate_documents::signature::SignatureMethod;

#[test]
fn changing_the_name_in_poi_fails_with_a_digest_mismatch() {
    let xml = replace(
        &signed_aadhaar(),
        r#"name="Test Person""#,
        r#"name="Test Persom""#,
    );
    let verification = check(&xml);
    assert_failed(&verification, "digest_mismatch");
    assert_eq!(verification.report.digest_matched, Some(false));
}

#[test]
fn changing_adding_or_removing_any_attribute_or_text_fails() {
    let xml = signed_aadhaar();
    let edits = [
        ("uid=\"xxxxxxxx1234\"", "uid=\"xxxxxxxx1235\""),
        ("dob=\"05-10-1996\"", "dob=\"05-10-1986\""),
        ("SAMPLEPHOTO</Pht>", "SAMPLEPHOTX</Pht>"),
        ("<Poi ", "<Poi extra=\"1\" "),
        (" gender=\"M\"", ""),
        ("Near Park &amp; Lake", "Near Park &amp;Lake"),
        ("</Pht>", "</Pht> "),
        (
            "<LData",
            "<Poi dob=\"01-01-1970\" gender=\"F\" name=\"Other\"/><LData",
        ),
    ];
    for (from, to) in edits {
        assert_failed(&check(&replace(&xml, from, to)), "digest_mismatch");
    }
}

#[test]
fn changing_signed_info_or_the_signature_value_fails_the_rsa_check() {
    let xml = signed_aadhaar();
    assert_failed(
        &check(&replace(
            &xml,
            "<Reference URI=\"\">",
            "<Reference URI=\"\" Id=\"r\">",
        )),
        "signature_invalid",
    );
    let value_start = xml.find("<SignatureValue>").expect("value") + "<SignatureValue>".len();
    let mut bytes = xml.into_bytes();
    bytes[value_start + 10] = if bytes[value_start + 10] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let flipped = String::from_utf8(bytes).expect("utf8");
    assert_failed(&check(&flipped), "signature_invalid");
}

#[test]
fn removing_the_signature_fails_with_no_signature() {
    let xml = signed_aadhaar();
    let stripped = xml.replace(signature_of(&xml), "");
    assert_failed(&check(&stripped), "no_signature");
}

#[test]
fn moving_the_signature_before_the_signed_data_fails() {
    let xml = signed_aadhaar();
    let sig = signature_of(&xml).to_owned();
    let moved = replace(
        &xml.replace(&sig, ""),
        "<Certificate>",
        &format!("<Certificate>{sig}"),
    );
    assert_failed(&check(&moved), "signature_misplaced");
    let nested = replace(
        &xml.replace(&sig, ""),
        "</KycRes>",
        &format!("{sig}</KycRes>"),
    );
    assert_failed(&check(&nested), "signature_misplaced");
}

#[test]
fn wrapping_the_signed_root_in_an_unsigned_element_fails() {
    let xml = signed_aadhaar();
    let wrapped = replace(&xml, "<Certificate>", "<Wrapper><Certificate>");
    let wrapped = replace(
        &wrapped,
        "</Certificate>",
        "</Certificate><Forged/></Wrapper>",
    );
    assert_failed(&check(&wrapped), "signature_misplaced");
}

#[test]
fn a_second_signature_anywhere_fails() {
    let xml = signed_aadhaar();
    let sig = signature_of(&xml).to_owned();
    let variants = [
        replace(&xml, "</Certificate>", &format!("{sig}</Certificate>")),
        replace(&xml, "<UidData ", &format!("{sig}<UidData ")),
        replace(&xml, "<Pht>", "<Signature/><Pht>"),
        replace(
            &xml,
            "</KeyInfo>",
            &format!("<KeyName>{sig}</KeyName></KeyInfo>"),
        ),
    ];
    for variant in variants {
        assert_failed(&check(&variant), "multiple_signatures");
    }
}

#[test]
fn a_forged_certificate_data_added_next_to_the_signed_one_fails() {
    let xml = signed_aadhaar();
    let forged = r#"<CertificateData><KycRes><UidData uid="xxxxxxxx0000"><Poi name="Forged"/></UidData></KycRes></CertificateData>"#;
    let before = replace(&xml, "<Certificate>", &format!("<Certificate>{forged}"));
    assert_failed(&check(&before), "digest_mismatch");
    let after = replace(
        &xml,
        "</CertificateData>",
        &format!("</CertificateData>{forged}"),
    );
    assert_failed(&check(&after), "digest_mismatch");
}

#[test]
fn forged_data_hidden_inside_the_signature_is_refused() {
    let xml = signed_aadhaar();
    let forged = r#"<CertificateData><KycRes><Poi name="Forged"/></KycRes></CertificateData>"#;
    let variants = [
        replace(
            &xml,
            "</KeyInfo>",
            &format!("</KeyInfo><Object>{forged}</Object>"),
        ),
        replace(&xml, "</X509Data>", &format!("</X509Data>{forged}")),
        replace(&xml, "</X509Data>", &format!("{forged}</X509Data>")),
        replace(&xml, "</SignedInfo>", &format!("{forged}</SignedInfo>")),
        replace(&xml, "<SignatureValue>", "Forged text<SignatureValue>"),
    ];
    for variant in variants {
        assert_failed(&check(&variant), "malformed_signature");
    }
}

#[test]
fn the_signed_data_moved_under_an_unsigned_wrapper_fails() {
    let xml = signed_aadhaar();
    let start = xml.find("<CertificateData>").expect("start");
    let end = xml.find("</CertificateData>").expect("end") + "</CertificateData>".len();
    let original = &xml[start..end];
    let forged = original.replace("Test Person", "Forged Person");
    let wrapped = format!("<Wrapper>{original}</Wrapper>{forged}");
    let attacked = xml.replacen(original, &wrapped, 1);
    assert_failed(&check(&attacked), "digest_mismatch");
}

#[test]
fn a_comment_inside_a_text_node_verifies_but_parsers_read_the_signed_text() {
    let xml = signed("pan", SignatureMethod::RsaSha1);
    let injected = replace(&xml, ">SAMPLE</Photo>", ">SAM<!---->PLE</Photo>");
    let verification = check(&injected);
    assert_verified(&verification);
    // A naive reader of the raw document sees only the first text node...
    let raw = Document::parse(&injected).expect("parses");
    let photo = |doc: &Document<'_>| {
        doc.descendants()
            .find(|n| n.has_tag_name("Photo"))
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    assert_eq!(photo(&raw).as_deref(), Some("SAM"));
    // ...while the signed content, which parsers must read, holds exactly what was signed.
    let content = verification.signed_content.expect("signed content");
    let signed_doc = Document::parse(&content).expect("canonical form parses");
    assert_eq!(photo(&signed_doc).as_deref(), Some("SAMPLE"));
    assert!(!content.contains("<!--"));
}

#[test]
fn a_reference_to_anything_but_the_whole_document_fails() {
    let xml = signed_aadhaar();
    for reference in [
        r##"<Reference URI="#data">"##,
        "<Reference>",
        r#"<Reference URI="http://x/">"#,
    ] {
        let attacked = replace(&xml, r#"<Reference URI="">"#, reference);
        assert_failed(&check(&attacked), "reference_not_whole_document");
    }
}

#[test]
fn unsupported_algorithms_are_refused() {
    let xml = signed_aadhaar();
    let rsa_sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    let exc = "http://www.w3.org/2001/10/xml-exc-c14n#\"/>";
    let enveloped = "enveloped-signature\"/>";
    let edits = [
        (rsa_sha1, "http://www.w3.org/2000/09/xmldsig#hmac-sha1".to_owned()),
        (rsa_sha1, "http://www.w3.org/2001/04/xmldsig-more#rsa-md5".to_owned()),
        (sha256, "http://www.w3.org/2001/04/xmldsig-more#md5".to_owned()),
        (sha256, "http://www.w3.org/2001/04/xmlenc#sha512".to_owned()),
        (exc, "http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"/>".to_owned()),
        (exc, "http://www.w3.org/2006/12/xml-c14n11\"/>".to_owned()),
        (
            enveloped,
            format!("{enveloped}<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/>"),
        ),
        (
            enveloped,
            format!("{enveloped}<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>"),
        ),
        ("<Transforms>", "<Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#base64\"/>".to_owned()),
    ];
    for (from, to) in edits {
        let verification = check(&replace(&xml, from, &to));
        assert_failed(&verification, "unsupported_algorithm");
    }
    let hmac = replace(
        &xml,
        &format!("{rsa_sha1}\"/>"),
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1\"><HMACOutputLength>0</HMACOutputLength></SignatureMethod>",
    );
    let verification = check(&hmac);
    assert_failed(&verification, "unsupported_algorithm");
    assert_eq!(
        verification.report.signature_method.as_deref(),
        Some("http://www.w3.org/2000/09/xmldsig#hmac-sha1")
    );
}

#[test]
fn a_reference_without_the_enveloped_transform_or_with_a_second_reference_is_refused() {
    let xml = signed_aadhaar();
    let start = xml.find("<Transforms>").expect("transforms");
    let end = xml.find("</Transforms>").expect("end") + "</Transforms>".len();
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    assert_failed(&check(&without), "unsupported_algorithm");
    let reference =
        &xml[xml.find("<Reference").expect("ref")..xml.find("</SignedInfo>").expect("si")];
    let twice = replace(&xml, "</SignedInfo>", &format!("{reference}</SignedInfo>"));
    assert_failed(&check(&twice), "multiple_references");
}
