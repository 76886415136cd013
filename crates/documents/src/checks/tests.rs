//! Tests of the cross-document checks.

mod properties;

use super::{compare, CheckReport, Field, FieldCheck, Outcome, Standing, Subject};
use crate::parse::{parse_dob, parse_gender};

/// A subject whose standing follows its source: documents verified, the profile unsigned, the
/// expected details claimed.
fn subject(source: &str, name: &str, dob: &str, gender: &str) -> Subject {
    let standing = match source {
        "profile" => Standing::Unsigned,
        "expected" => Standing::Claimed,
        _ => Standing::Verified,
    };
    Subject {
        source: source.to_owned(),
        name: (!name.is_empty()).then(|| name.to_owned()),
        date_of_birth: parse_dob(dob),
        gender: parse_gender(gender),
        standing,
    }
}

fn with_standing(standing: Standing, s: Subject) -> Subject {
    Subject { standing, ..s }
}

fn field(report: &CheckReport, field: Field) -> &FieldCheck {
    report
        .fields
        .iter()
        .find(|f| f.field == field)
        .unwrap_or_else(|| panic!("{field:?} was not compared"))
}

fn names(a: &str, b: &str) -> FieldCheck {
    let report = compare(&[subject("aadhaar", a, "", ""), subject("pan", b, "", "")]);
    field(&report, Field::Name).clone()
}

#[test]
fn identical_details_match_on_every_field() {
    let s = subject("aadhaar", "Ramesh Kumar Sharma", "20-03-1975", "M");
    let report = compare(&[
        s.clone(),
        Subject {
            source: "pan".into(),
            ..s
        },
    ]);
    assert_eq!(report.outcome, Outcome::Match);
    assert_eq!(report.fields.len(), 3);
    assert!(report
        .fields
        .iter()
        .all(|f| f.outcome == Outcome::Match && f.score == 1.0));
}

#[test]
fn initials_against_full_given_names_are_partial_with_a_reason_naming_the_initials() {
    let f = names("Ramesh Kumar Sharma", "R K SHARMA");
    assert_eq!(f.outcome, Outcome::Partial);
    assert!(f.score >= 0.8, "{}", f.score);
    assert_eq!(
        f.reason,
        "initials in pan ('R K') are consistent with aadhaar's given names"
    );
}

#[test]
fn dotted_initials_and_titles_are_read_as_initials() {
    let f = names("Shri Ramesh Kumar Sharma", "Mr. R.K. Sharma");
    assert_eq!(f.outcome, Outcome::Partial);
    assert!(f.reason.contains("initials in pan ('R K')"), "{}", f.reason);
}

#[test]
fn surname_first_order_matches() {
    let f = names("Ramesh Kumar Sharma", "SHARMA RAMESH KUMAR");
    assert_eq!((f.outcome, f.score), (Outcome::Match, 1.0));
    assert_eq!(f.reason, "the same names in a different order");
}

#[test]
fn transliteration_variants_match_with_a_slightly_lower_score() {
    for (a, b) in [
        ("Mohammed Irfan", "MOHAMMAD IRFAN"),
        ("Laxmi Devi", "Lakshmi Devi"),
        ("Sreenivas Rao", "Srinivas Rao"),
        ("Md Salim", "Muhammad Salim"),
    ] {
        let f = names(a, b);
        assert_eq!(f.outcome, Outcome::Match, "{a} / {b}");
        assert_eq!(f.score, 0.95, "{a} / {b}");
        assert!(f.reason.contains("transliteration"), "{}", f.reason);
    }
}

#[test]
fn case_spacing_punctuation_and_titles_alone_still_match_fully() {
    let f = names("  ramesh   kumar sharma ", "Dr. RAMESH KUMAR SHARMA");
    assert_eq!((f.outcome, f.score), (Outcome::Match, 1.0));
    assert!(f.reason.contains("titles"), "{}", f.reason);
}

#[test]
fn a_missing_middle_name_is_partial() {
    let f = names("Ramesh Kumar Sharma", "Ramesh Sharma");
    assert_eq!(f.outcome, Outcome::Partial);
    assert_eq!(f.reason, "aadhaar has a name pan lacks ('Kumar')");
}

#[test]
fn a_near_spelling_is_partial_with_a_high_score() {
    let f = names("Ramesh Kumar Sharma", "Ramesh Kumar Sharmaa");
    assert_eq!(
        f.outcome,
        Outcome::Match,
        "aa/a is a transliteration variant"
    );
    let f = names("Ramesh Kumar Sharma", "Ramesh Kumar Sarmah");
    assert_eq!(f.outcome, Outcome::Partial, "{}", f.reason);
    assert!(f.reason.contains("similar spellings"), "{}", f.reason);
}

#[test]
fn totally_different_names_mismatch() {
    let f = names("Ramesh Kumar Sharma", "Priya Nair");
    assert_eq!(f.outcome, Outcome::Mismatch);
    assert_eq!(serde_json::to_string(&f.score).expect("serialises"), "0.0");
    let f = names("Ramesh Kumar Sharma", "Ramesh Kumar Verma");
    assert_eq!(
        f.outcome,
        Outcome::Mismatch,
        "a different surname is not a spelling"
    );
    assert_eq!(
        f.reason,
        "'Sharma' in aadhaar does not match 'Verma' in pan"
    );
}

#[test]
fn initials_alone_are_not_enough_to_match() {
    assert_eq!(
        names("Ramesh Kumar Sharma", "R K S").outcome,
        Outcome::Mismatch
    );
}

#[test]
fn the_same_date_written_two_ways_matches() {
    let report = compare(&[
        subject("pan", "", "20-03-1975", ""),
        subject("profile", "", "20/03/1975", ""),
    ]);
    assert_eq!(field(&report, Field::DateOfBirth).outcome, Outcome::Match);
}

#[test]
fn a_year_only_date_against_a_full_date_of_that_year_is_partial() {
    let report = compare(&[
        subject("aadhaar", "", "1975", ""),
        subject("pan", "", "20-03-1975", ""),
    ]);
    let f = field(&report, Field::DateOfBirth);
    assert_eq!((f.outcome, f.score), (Outcome::Partial, 0.5));
    assert_eq!(
        f.reason,
        "aadhaar has only the year of birth, which agrees with pan"
    );
}

#[test]
fn different_dates_mismatch_and_swapped_day_and_month_are_named() {
    let report = compare(&[
        subject("aadhaar", "", "03-04-1975", ""),
        subject("pan", "", "04-03-1975", ""),
    ]);
    let f = field(&report, Field::DateOfBirth);
    assert_eq!(f.outcome, Outcome::Mismatch);
    assert!(f.reason.contains("swapped"), "{}", f.reason);
    let report = compare(&[
        subject("aadhaar", "", "1975", ""),
        subject("pan", "", "20-03-1976", ""),
    ]);
    assert_eq!(report.outcome, Outcome::Mismatch);
}

#[test]
fn gender_male_and_m_match_and_male_and_female_mismatch() {
    let report = compare(&[
        subject("pan", "", "", "MALE"),
        subject("aadhaar", "", "", "M"),
    ]);
    assert_eq!(field(&report, Field::Gender).outcome, Outcome::Match);
    let report = compare(&[
        subject("pan", "", "", "MALE"),
        subject("aadhaar", "", "", "F"),
    ]);
    assert_eq!(report.outcome, Outcome::Mismatch);
}

#[test]
fn a_field_only_one_source_has_is_insufficient_and_so_is_the_report() {
    let report = compare(&[
        subject("aadhaar", "Ramesh", "1975", ""),
        subject("pan", "Ramesh", "", "M"),
    ]);
    let outcomes: Vec<_> = report.fields.iter().map(|f| (f.field, f.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (Field::Name, Outcome::Match),
            (Field::DateOfBirth, Outcome::Insufficient),
            (Field::Gender, Outcome::Insufficient),
        ]
    );
    assert_eq!(report.outcome, Outcome::Insufficient);
    assert_eq!(
        field(&report, Field::DateOfBirth).reason,
        "only aadhaar has it, nothing to compare it with"
    );
}

#[test]
fn comparing_nothing_is_insufficient_never_a_match() {
    let report = compare(&[]);
    assert_eq!(report.outcome, Outcome::Insufficient);
    assert_eq!(report.fields.len(), 3);
    assert!(report
        .fields
        .iter()
        .all(|f| f.outcome == Outcome::Insufficient && f.reason == "no source has it"));
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["outcome"], "insufficient");
}

#[test]
fn the_profile_and_the_expected_details_alone_never_make_a_match() {
    let report = compare(&[
        subject("profile", "Ramesh Kumar Sharma", "20-03-1975", "M"),
        subject("expected", "Ramesh Kumar Sharma", "20-03-1975", "M"),
    ]);
    assert_eq!(report.outcome, Outcome::Insufficient);
    assert_eq!(
        field(&report, Field::Name).reason,
        "no verified document has it"
    );
}

#[test]
fn unverified_or_failed_documents_are_listed_but_never_make_a_match() {
    let same = |source| subject(source, "Ramesh Kumar Sharma", "20-03-1975", "M");
    let report = compare(&[
        with_standing(Standing::Unverified, same("aadhaar")),
        with_standing(Standing::Failed, same("pan")),
        same("profile"),
    ]);
    assert_eq!(report.outcome, Outcome::Insufficient);
    let name = field(&report, Field::Name);
    assert_eq!(
        name.reason,
        "no verified document has it; not counted: aadhaar (unverified), pan (failed verification)"
    );
    assert_eq!(name.values.len(), 3);
    assert!(!name.values[0].counted && !name.values[1].counted && name.values[2].counted);
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["fields"][0]["values"][1]["standing"], "failed");
}

#[test]
fn an_unverified_document_that_disagrees_cannot_spoil_a_verified_match() {
    let report = compare(&[
        subject("aadhaar", "Ramesh Kumar Sharma", "20-03-1975", "M"),
        subject("profile", "Ramesh Kumar Sharma", "20-03-1975", "M"),
        with_standing(
            Standing::Unverified,
            subject("pan", "Priya Nair", "01-01-1990", "F"),
        ),
    ]);
    assert_eq!(report.outcome, Outcome::Match);
}

#[test]
fn one_verified_document_agreeing_with_the_profile_matches() {
    let report = compare(&[
        subject("aadhaar", "Ramesh Kumar Sharma", "20-03-1975", "M"),
        subject("profile", "Ramesh Kumar Sharma", "20/03/1975", "male"),
    ]);
    assert_eq!(report.outcome, Outcome::Match);
}

#[test]
fn the_worst_of_several_sources_decides_and_every_value_is_listed() {
    let report = compare(&[
        subject("aadhaar", "Ramesh Kumar Sharma", "20-03-1975", "M"),
        subject("pan", "R K SHARMA", "20-03-1975", "MALE"),
        subject("profile", "Ramesh Kumar Sharma", "20031975", "male"),
        subject("expected", "Ramesh Sharma", "", ""),
    ]);
    let f = field(&report, Field::Name);
    assert_eq!(f.values.len(), 4);
    assert_eq!(f.values[1].source, "pan");
    assert_eq!(f.outcome, Outcome::Partial);
    assert_eq!(report.outcome, Outcome::Partial);
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["outcome"], "partial");
    assert_eq!(json["fields"][1]["field"], "date_of_birth");
    assert_eq!(json["fields"][1]["values"][2]["value"], "1975-03-20");
}

#[test]
fn debug_output_of_a_report_shows_no_personal_data() {
    let report = compare(&[
        subject("aadhaar", "Ramesh Sharma", "20-03-1975", "M"),
        subject("pan", "R SHARMA", "1975", "M"),
    ]);
    let debug = format!("{report:?} {:?}", subject("pan", "Ramesh", "1975", "M"));
    assert!(
        !debug.contains("Ramesh") && !debug.contains("SHARMA") && !debug.contains("1975"),
        "{debug}"
    );
}
