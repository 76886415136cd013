//! Property tests: writing a model as XML and parsing it back gives the model again, and no
//! input makes a parser panic.

use super::strategies::{aadhaar, dob, driving_licence, pan, style};
use super::{fixture, has_twelve_digit_run, json, writer};
use crate::model::DocTypeCode;
use crate::parse::{parse, parse_aadhaar, parse_dob, parse_driving_licence, parse_pan};
use proptest::prelude::*;

const FIXTURES: [(&str, DocTypeCode); 6] = [
    ("aadhaar_digilocker_v3.xml", DocTypeCode::Aadhaar),
    ("aadhaar_v2_kycres.xml", DocTypeCode::Aadhaar),
    ("pan_partner_api.xml", DocTypeCode::Pan),
    ("pan_verification_record.xml", DocTypeCode::Pan),
    (
        "driving_licence_sandbox_sample.xml",
        DocTypeCode::DrivingLicence,
    ),
    ("driving_licence_api_setu.xml", DocTypeCode::DrivingLicence),
];

/// One edit of a byte string: overwrite, insert or delete at a position (taken modulo length).
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Set(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            _ => {}
        }
    }
    bytes
}

fn edit() -> impl Strategy<Value = Edit> {
    let special = prop_oneof![
        any::<u8>(),
        Just(b'<'),
        Just(b'>'),
        Just(b'"'),
        Just(b'&'),
        Just(b'/'),
        Just(b'-')
    ];
    prop_oneof![
        (any::<usize>(), special.clone()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), special).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_aadhaar_written_as_xml_parses_back_to_itself(model in aadhaar(), style in style()) {
        let xml = writer::aadhaar(&model, style);
        let parsed = parse_aadhaar(xml.as_bytes());
        prop_assert!(parsed.is_ok(), "{:?} for {}", parsed.err(), xml);
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert!(parsed == model, "{} != {}\n{}", json(&parsed), json(&model), xml);
        prop_assert!(!has_twelve_digit_run(&json(&parsed).to_string()));
    }

    #[test]
    fn a_pan_written_as_xml_parses_back_to_itself(model in pan(), style in style()) {
        let xml = writer::pan(&model, style);
        let parsed = parse_pan(xml.as_bytes());
        prop_assert!(parsed.is_ok(), "{:?} for {}", parsed.err(), xml);
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert!(parsed == model, "{} != {}\n{}", json(&parsed), json(&model), xml);
    }

    #[test]
    fn a_driving_licence_written_as_xml_parses_back_to_itself(model in driving_licence(), style in style()) {
        let xml = writer::driving_licence(&model, style);
        let parsed = parse_driving_licence(xml.as_bytes());
        prop_assert!(parsed.is_ok(), "{:?} for {}", parsed.err(), xml);
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert!(parsed == model, "{} != {}\n{}", json(&parsed), json(&model), xml);
    }

    #[test]
    fn a_date_of_birth_survives_iso_display_and_json(d in dob()) {
        prop_assert_eq!(parse_dob(&d.to_string()), Some(d));
        let back: crate::model::DateOfBirth = serde_json::from_value(json(&d)).expect("reads back");
        prop_assert_eq!(back, d);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn no_parser_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for code in DocTypeCode::ALL {
            let _ = parse(code, &bytes);
        }
        let _ = parse_dob(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn no_parser_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        for code in DocTypeCode::ALL {
            let _ = parse(code, text.as_bytes());
        }
        let _ = parse_dob(&text);
        let _ = crate::parse::parse_gender(&text);
    }

    #[test]
    fn no_parser_panics_on_mutated_fixtures(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let (name, _) = FIXTURES[which];
        let bytes = apply(fixture(name), &edits);
        for code in DocTypeCode::ALL {
            if let Ok(doc) = parse(code, &bytes) {
                prop_assert!(!has_twelve_digit_run(&json(&doc).to_string()) || code != DocTypeCode::Aadhaar);
            }
        }
    }
}
