//! The reusable value readers: dates of birth and genders from any source.

use crate::model::{DateOfBirth, Gender};
use crate::parse::{parse_dob, parse_gender};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> Option<DateOfBirth> {
    NaiveDate::from_ymd_opt(y, m, d).and_then(DateOfBirth::from_date)
}

#[test]
fn dates_of_birth_are_read_in_every_issuer_format() {
    let want = day(1970, 12, 31);
    for s in [
        "31-12-1970",
        "31/12/1970",
        "31.12.1970",
        "1970-12-31",
        "1970/12/31",
        "31121970",
        " 31-12-1970 ",
    ] {
        assert_eq!(parse_dob(s), want, "{s}");
    }
    assert_eq!(parse_dob("5-1-1990"), day(1990, 1, 5));
}

#[test]
fn a_bare_year_is_a_year_only_date_of_birth() {
    let d = parse_dob("1958").expect("a year");
    assert!(d.is_year_only());
    assert_eq!(
        (d.year(), d.date(), d.to_string()),
        (1958, None, "1958".to_owned())
    );
}

#[test]
fn impossible_or_unknown_dates_are_not_read() {
    for s in [
        "",
        "31-02-1990",
        "00-01-1990",
        "0000",
        "19900101x",
        "1-1-90",
        "12345",
        "01-01-1990-01",
        "2024-06-04T14:54:03",
        "१९९०",
        "01-13-1990",
        "9999999999999999999-01-01",
    ] {
        assert_eq!(parse_dob(s), None, "{s}");
    }
}

#[test]
fn genders_are_read_whatever_their_case_or_length() {
    for (s, want) in [
        ("m", Gender::Male),
        (" MALE ", Gender::Male),
        ("female", Gender::Female),
        ("F", Gender::Female),
        ("T", Gender::Transgender),
        ("Transgender", Gender::Transgender),
    ] {
        assert_eq!(parse_gender(s), Some(want), "{s}");
    }
    for s in ["", "X", "unknown", "mal"] {
        assert_eq!(parse_gender(s), None, "{s}");
    }
}

#[test]
fn a_date_of_birth_serialises_as_iso_8601() {
    let d = day(1996, 10, 5).expect("valid");
    assert_eq!(
        serde_json::to_string(&d).expect("serialises"),
        "\"1996-10-05\""
    );
    assert_eq!(format!("{d:?}"), "DateOfBirth(..)");
}
