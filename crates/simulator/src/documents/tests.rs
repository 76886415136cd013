use super::*;
use crate::personas::Persona;

fn at(rfc3339: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("time")
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    at("2026-12-06T20:15:42.123+05:30")
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("utf-8")
}

/// Checks that start and end tags nest properly (enough to catch a broken template).
fn assert_balanced(xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
        } else {
            stack.push(tag.split_whitespace().next().expect("name"));
        }
        assert!(!tag.contains('<'), "stray < inside a tag");
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn the_eaadhaar_xml_has_the_reference_shape_and_a_masked_uid() {
    let persona = &Persona::built_in()[0];
    let body = text(xml(persona, DocType::Aadhaar, now()).expect("has aadhaar"));
    assert_balanced(&body);
    assert!(body.starts_with(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#));
    assert!(body.contains("<Certificate><CertificateData><KycRes code=\""));
    assert!(body.contains(r#" uid="xxxxxxxx5616">"#));
    assert!(body.contains(r#"<Poi dob="15-08-1990" gender="F" name="Asha Verma"/>"#));
    assert!(body.contains(r#"<Poa co="D/O Suresh Verma" country="India" dist="Pune""#));
    assert!(body.contains(r#"lang="13""#) && body.contains(r#"name="आशा वर्मा""#));
    assert!(body.contains("<Pht>/9j/"), "photo is base64 JPEG");
    assert_eq!(
        body,
        text(xml(persona, DocType::Aadhaar, now()).expect("again")),
        "deterministic"
    );
}

#[test]
fn the_eaadhaar_is_generated_at_the_time_it_is_fetched() {
    let persona = &Persona::built_in()[0];
    let body = text(xml(persona, DocType::Aadhaar, now()).expect("has aadhaar"));
    assert!(
        body.contains(r#" ts="2026-12-06T20:15:42.123+05:30" ttl="2027-12-06T20:15:42" txn="UKC:"#),
        "{}",
        &body[..300]
    );
    assert!(body.contains(r#"20261206201542"><UidData"#));
}

#[test]
fn the_pan_xml_is_a_pancr_certificate() {
    let persona = &Persona::built_in()[0];
    let body = text(xml(persona, DocType::Pan, now()).expect("has pan"));
    assert_balanced(&body);
    assert!(body.contains(r#"<Certificate language="99" name="PAN Verification Record" type="PANCR" number="ABKPV4821M""#));
    assert!(body.contains(r#"<Organization name="Income Tax Department""#));
    assert!(body.contains(r#"<Person uid="" title="" name="ASHA VERMA" dob="15-08-1990" swd="SURESH VERMA" swdIndicator="D" gender="F""#));
    assert!(body.contains(r#"<CertificateData><PAN num="ABKPV4821M" verifiedOn="02-11-2019 10:15:42"/></CertificateData>"#));
}

#[test]
fn the_mismatched_persona_keeps_its_pan_name_and_date_format() {
    let persona = &Persona::built_in()[2];
    let pan = text(xml(persona, DocType::Pan, now()).expect("pan"));
    let aadhaar = text(xml(persona, DocType::Aadhaar, now()).expect("aadhaar"));
    assert!(pan.contains(r#"name="R K SHARMA" dob="07/03/1985""#));
    assert!(aadhaar.contains(r#"<Poi dob="07-03-1985" gender="M" name="Ramesh Kumar Sharma"/>"#));
}

#[test]
fn the_driving_licence_xml_lists_each_vehicle_class() {
    let persona = &Persona::built_in()[0];
    let body = text(xml(persona, DocType::DrivingLicense, now()).expect("has dl"));
    assert_balanced(&body);
    assert!(body.contains(r#"type="DRVLC" number="MH1220190012345""#));
    assert!(body.contains(r#"expiryDate="14-08-2040" status="A">"#));
    assert!(body.contains(
        "<CertificateData><DrivingLicense><Categories><Category abbreviation=\"LMV\" code=\"NT\""
    ));
    assert!(body.contains(r#"<Category abbreviation="MCWG""#));
    assert!(body.contains(r#"<Photo format="jpeg">/9j/"#));
}

#[test]
fn attribute_values_are_escaped() {
    let mut persona = Persona::built_in()[0].clone();
    if let Some(pan) = persona.pan.as_mut() {
        pan.name = r#"A "B" <C> & 'D'"#.into();
    }
    let body = text(xml(&persona, DocType::Pan, now()).expect("pan"));
    assert_balanced(&body);
    assert!(body.contains(r#"name="A &quot;B&quot; &lt;C&gt; &amp; &#39;D&#39;""#));
}

#[test]
fn attribute_values_keep_line_breaks_drop_other_controls_and_keep_non_ascii_text() {
    assert_eq!(xml_attribute_value("a\nb\tc\u{0}d\u{7}"), "a&#10;b&#9;cd");
    assert_eq!(xml_attribute_value("आशा वर्मा"), "आशा वर्मा");
}

#[test]
fn no_document_ever_contains_a_full_aadhaar_number() {
    for persona in Persona::built_in() {
        let Some(number) = persona.aadhaar.as_ref().map(|a| a.number.clone()) else {
            continue;
        };
        for kind in DocType::ALL {
            for bytes in [xml(&persona, kind, now()), pdf(&persona, kind)]
                .into_iter()
                .flatten()
            {
                let body = String::from_utf8_lossy(&bytes);
                assert!(!body.contains(&number), "{kind:?} leaks the Aadhaar number");
                assert!(
                    !body.contains(&number[..8]),
                    "{kind:?} leaks the first digits"
                );
            }
        }
    }
}

#[test]
fn documents_a_persona_lacks_are_none() {
    let persona = &Persona::built_in()[1];
    assert!(xml(persona, DocType::Aadhaar, now()).is_none());
    assert!(pdf(persona, DocType::DrivingLicense).is_none());
    let pdf_bytes = pdf(persona, DocType::Pan).expect("pan pdf");
    assert!(pdf_bytes.starts_with(b"%PDF-"));
}
