//! Documents shaped exactly like the reference samples parse into the expected models.

use super::{fixture, json};
use crate::model::{DocTypeCode, Document, Gender};
use crate::parse::{parse, parse_aadhaar, parse_driving_licence, parse_pan, ParseError};
use serde_json::json;

#[test]
fn the_digilocker_v3_aadhaar_sample_parses_into_the_normalised_model() {
    let doc = parse(DocTypeCode::Aadhaar, &fixture("aadhaar_digilocker_v3.xml")).expect("parses");
    assert_eq!(doc.doc_type(), DocTypeCode::Aadhaar);
    assert_eq!(
        json(&doc),
        json!({
            "masked_number": "XXXX-XXXX-1234",
            "name": "Test Person",
            "date_of_birth": "1996-10-05",
            "gender": "M",
            "care_of": "S/O Test Father",
            "address": {
                "house": "12", "street": "1st Lane", "landmark": "Near Park", "locality": "Kothrud",
                "vtc": "Pune", "subdistrict": null, "district": "Pune", "state": "Maharashtra",
                "pincode": "411038", "post_office": null, "country": "India"
            },
            "local_language": {
                "language_code": "13", "name": "टेस्ट व्यक्ती", "care_of": "टेस्ट वडील यांचा मुलगा",
                "address": {
                    "house": "12", "street": "पहिली गल्ली", "landmark": "बागेजवळ", "locality": "कोथरूड",
                    "vtc": "पुणे", "subdistrict": null, "district": "पुणे", "state": "महाराष्ट्र",
                    "pincode": "411038", "post_office": null, "country": null
                }
            },
            "photo": "/9j/4AAQSkZJRgABAQAAAQABAAD/",
            "issued_at": "2024-06-04T14:54:03.230+05:30"
        })
    );
}

#[test]
fn the_sandbox_aadhaar_sample_parses_with_its_empty_photo_placeholder() {
    let a = parse_aadhaar(&fixture("aadhaar_sandbox_sample.xml")).expect("parses");
    assert_eq!(a.masked_number.to_string(), "XXXX-XXXX-1234");
    assert_eq!(a.name, "SAMPLE NAME");
    assert_eq!(a.address.post_office.as_deref(), Some("Sample Post Office"));
    assert_eq!(
        a.address.subdistrict.as_deref(),
        Some("Sample Sub-District")
    );
    let local = a.local_language.expect("LData");
    assert_eq!(local.language_code.as_deref(), Some("06"));
    assert_eq!(local.address.country, None, "a blank country is absent");
    assert!(a.photo.is_none(), "a comment is not a photo");
}

#[test]
fn a_bare_kycres_with_rar_prn_year_only_dob_and_gzip_photo_parses() {
    let a = parse_aadhaar(&fixture("aadhaar_v2_kycres.xml")).expect("parses");
    let plain = parse_aadhaar(&fixture("aadhaar_digilocker_v3.xml")).expect("parses");
    assert_eq!(a.masked_number.last_four(), "9876");
    assert_eq!(json(&a.date_of_birth), json!("1958"));
    assert_eq!(a.gender, Some(Gender::Female));
    assert_eq!(a.photo, plain.photo, "the gzip wrapping is removed");
    assert_eq!(json(&a.issued_at), json!("2021-03-01T10:00:00+05:30"));
    assert!(a.local_language.is_none());
}

#[test]
fn the_partner_api_pan_sample_parses_into_the_normalised_model() {
    let doc = parse(DocTypeCode::Pan, &fixture("pan_partner_api.xml")).expect("parses");
    assert_eq!(
        json(&doc),
        json!({
            "number": "ABCDE1234F", "name": "TEST PERSON", "date_of_birth": "1988-10-01",
            "gender": "M", "father_name": "TEST FATHER", "verified_on": "2018-12-12T12:53:57",
            "status": "A"
        })
    );
}

#[test]
fn the_sandbox_pan_sample_with_qr_meta_and_gender_male_parses() {
    let p = parse_pan(&fixture("pan_sandbox_sample.xml")).expect("parses");
    assert_eq!(p.number, "XXXPX0000X");
    assert_eq!(p.gender, Some(Gender::Male));
    assert_eq!(p.father_name, None);
    assert_eq!(json(&p.verified_on), json!("2026-01-01T12:00:00"));
}

#[test]
fn a_namespaced_pan_verification_record_without_signature_parses() {
    let p = parse_pan(&fixture("pan_verification_record.xml")).expect("parses");
    assert_eq!(p.number, "PQRST6789K");
    assert_eq!(json(&p.date_of_birth), json!("1975-03-20"));
    assert_eq!(json(&p.verified_on), json!("2019-07-01T09:30:00"));
    assert_eq!(p.father_name.as_deref(), Some("SURESH SHARMA"));
}

#[test]
fn the_sandbox_driving_licence_sample_parses_into_the_normalised_model() {
    let doc = parse(
        DocTypeCode::DrivingLicence,
        &fixture("driving_licence_sandbox_sample.xml"),
    )
    .expect("parses");
    assert_eq!(
        json(&doc),
        json!({
            "number": "XX00 00000000000", "name": "SAMPLE NAME", "date_of_birth": "1990-01-01",
            "gender": "M", "issue_date": "2020-01-01", "valid_from": "2020-01-01",
            "expiry_date": "2040-01-01",
            "vehicle_classes": [
                {"abbreviation": "MCWG", "description": "Motor Cycle with Gear(Non Transport)", "code": "NT", "issue_date": "2020-01-01"},
                {"abbreviation": "LMV", "description": "LIGHT MOTOR VEHICLE", "code": "NT", "issue_date": "2025-01-01"}
            ],
            "present_address": "SAMPLE ADDRESS LINE 1, SAMPLE CITY, 000000",
            "permanent_address": "SAMPLE ADDRESS LINE 1, SAMPLE CITY, 000000",
            "photo": null,
            "issuing_authority": "RTO,SAMPLE-CITY"
        })
    );
}

#[test]
fn an_api_setu_driving_licence_with_flat_classes_and_untyped_address_parses() {
    let d = parse_driving_licence(&fixture("driving_licence_api_setu.xml")).expect("parses");
    let classes: Vec<_> = d
        .vehicle_classes
        .iter()
        .map(|c| c.abbreviation.as_deref())
        .collect();
    assert_eq!(classes, [Some("MCWG"), Some("TRANS")]);
    assert_eq!(d.vehicle_classes[1].issue_date, None);
    assert_eq!(
        d.present_address.as_deref(),
        Some("Flat 4, Shanti Niwas, Kothrud, Pune, Maharashtra, 411038")
    );
    assert_eq!(
        d.permanent_address.as_deref(),
        Some("7, Gandhi Road, Jaipur, Rajasthan, 302001")
    );
    assert_eq!(json(&d.date_of_birth), json!("1975-03-20"));
    assert_eq!(
        d.issuing_authority.as_deref(),
        Some("RTO PUNE"),
        "falls back to issuedAt"
    );
    assert!(d.photo.is_some());
}

#[test]
fn a_document_of_another_type_is_refused_by_its_certificate_type() {
    let pan = fixture("pan_partner_api.xml");
    assert_eq!(
        parse(DocTypeCode::DrivingLicence, &pan).err(),
        Some(ParseError::WrongType { expected: "DRVLC" })
    );
    assert_eq!(
        parse(DocTypeCode::Aadhaar, &pan).err(),
        Some(ParseError::Missing {
            what: "CertificateData/KycRes"
        })
    );
}

#[test]
fn debug_output_of_a_parsed_document_shows_no_personal_data() {
    for (name, code) in [
        ("aadhaar_digilocker_v3.xml", DocTypeCode::Aadhaar),
        ("pan_partner_api.xml", DocTypeCode::Pan),
        ("driving_licence_api_setu.xml", DocTypeCode::DrivingLicence),
    ] {
        let doc: Document = parse(code, &fixture(name)).expect("parses");
        let debug = format!(
            "{doc:?} {:?} {:?}",
            doc.date_of_birth(),
            crate::checks::Subject::from(&doc)
        );
        for secret in [
            "Test Person",
            "TEST PERSON",
            "Ramesh",
            "1234",
            "1996",
            "1988",
            "ABCDE",
            "Pune",
        ] {
            assert!(!debug.contains(secret), "{debug} shows {secret}");
        }
    }
}
