//! Each variation the reference lists is accepted, and bad values are reported by name only.

use super::{has_twelve_digit_run, json};
use crate::model::Gender;
use crate::parse::{parse_aadhaar, parse_pan, ParseError};

fn minimal_aadhaar(uid: &str, poi: &str) -> String {
    format!(r#"<KycRes><UidData uid="{uid}"><Poi {poi}/></UidData></KycRes>"#)
}

#[test]
fn an_aadhaar_with_only_uid_and_name_parses_with_everything_else_absent() {
    let a =
        parse_aadhaar(minimal_aadhaar("xxxxxxxx4321", r#"name="A B""#).as_bytes()).expect("parses");
    assert_eq!(a.name, "A B");
    assert_eq!(
        (a.date_of_birth, a.gender, a.photo, a.issued_at),
        (None, None, None, None)
    );
    assert_eq!(a.address, Default::default());
}

#[test]
fn a_full_twelve_digit_uid_keeps_only_its_last_four_digits() {
    let xml = minimal_aadhaar("987654321234", r#"name="A B" dob="01-01-1990""#);
    let a = parse_aadhaar(xml.as_bytes()).expect("parses");
    assert_eq!(a.masked_number.last_four(), "1234");
    let out = serde_json::to_string(&a).expect("serialises");
    assert!(out.contains("XXXX-XXXX-1234"));
    assert!(!has_twelve_digit_run(&out), "{out}");
    assert!(!format!("{a:?} {:?}", a.masked_number).contains("1234"));
}

#[test]
fn masked_uids_in_every_seen_spelling_are_accepted() {
    for uid in [
        "xxxxxxxx1234",
        "XXXXXXXX1234",
        "********1234",
        "XXXX-XXXX-1234",
        "XXXX XXXX 1234",
    ] {
        let a = parse_aadhaar(minimal_aadhaar(uid, r#"name="A""#).as_bytes()).expect(uid);
        assert_eq!(a.masked_number.to_string(), "XXXX-XXXX-1234");
    }
    for uid in ["1234", "xxxx1234", "abcdefgh1234", "xxxxxxxx12345"] {
        let err = parse_aadhaar(minimal_aadhaar(uid, r#"name="A""#).as_bytes()).err();
        assert!(
            matches!(
                err,
                Some(ParseError::Invalid {
                    what: "UidData@uid",
                    ..
                })
            ),
            "{uid}"
        );
    }
}

#[test]
fn every_date_format_gives_the_same_date_of_birth() {
    for dob in [
        "20-03-1975",
        "20/03/1975",
        "1975-03-20",
        "20.03.1975",
        " 20-03-1975 ",
    ] {
        let a = parse_aadhaar(
            minimal_aadhaar("xxxxxxxx1234", &format!(r#"name="A" dob="{dob}""#)).as_bytes(),
        )
        .expect(dob);
        assert_eq!(
            json(&a.date_of_birth),
            serde_json::json!("1975-03-20"),
            "{dob}"
        );
    }
}

#[test]
fn every_gender_spelling_is_understood() {
    for (g, want) in [
        ("M", Gender::Male),
        ("MALE", Gender::Male),
        ("Male", Gender::Male),
        ("F", Gender::Female),
        ("FEMALE", Gender::Female),
        ("Female", Gender::Female),
        ("T", Gender::Transgender),
        ("TRANSGENDER", Gender::Transgender),
    ] {
        let a = parse_aadhaar(
            minimal_aadhaar("xxxxxxxx1234", &format!(r#"name="A" gender="{g}""#)).as_bytes(),
        )
        .expect(g);
        assert_eq!(a.gender, Some(want), "{g}");
    }
}

#[test]
fn an_unreadable_date_is_reported_by_attribute_without_its_value() {
    let xml = minimal_aadhaar("xxxxxxxx1234", r#"name="A" dob="31-02-1990""#);
    let err = parse_aadhaar(xml.as_bytes()).expect_err("31 February");
    assert_eq!(
        err,
        ParseError::Invalid {
            what: "Poi@dob",
            problem: "not a known date format"
        }
    );
    assert!(!err.to_string().contains("31-02-1990"));
    let xml = minimal_aadhaar("xxxxxxxx1234", r#"name="A" gender="Robot""#);
    let err = parse_aadhaar(xml.as_bytes()).expect_err("unknown gender");
    assert!(!err.to_string().contains("Robot"), "{err}");
}

#[test]
fn a_missing_name_is_reported_as_missing() {
    let xml = minimal_aadhaar("xxxxxxxx1234", r#"name="  ""#);
    assert_eq!(
        parse_aadhaar(xml.as_bytes()).err(),
        Some(ParseError::Missing { what: "Poi@name" })
    );
}

#[test]
fn a_pan_number_falls_back_to_the_certificate_number() {
    let xml = r#"<Certificate type="PANCR" number="ABCDE1234F"><IssuedTo><Person name="A"/></IssuedTo>
        <CertificateData><PAN verifiedOn=""/></CertificateData></Certificate>"#;
    let p = parse_pan(xml.as_bytes()).expect("parses");
    assert_eq!(p.number, "ABCDE1234F");
    assert_eq!(p.verified_on, None);
}

#[test]
fn a_photo_that_is_not_base64_is_an_error_naming_the_element() {
    let xml = r#"<KycRes><UidData uid="xxxxxxxx1234"><Poi name="A"/><Pht>not*base64!</Pht></UidData></KycRes>"#;
    let err = parse_aadhaar(xml.as_bytes()).expect_err("bad photo");
    assert!(
        matches!(
            err,
            ParseError::Invalid {
                what: "UidData/Pht",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_utf8_byte_order_mark_is_ignored() {
    let xml = format!("\u{feff}{}", minimal_aadhaar("xxxxxxxx1234", r#"name="A""#));
    assert!(parse_aadhaar(xml.as_bytes()).is_ok());
}
