//! Property tests: a subject always matches itself, and the order of subjects never matters.

use crate::checks::{compare, Outcome, Standing, Subject};
use crate::model::{DateOfBirth, Gender};
use proptest::prelude::*;

fn any_subject() -> impl Strategy<Value = Subject> {
    let word = prop_oneof![
        Just("Ramesh".to_owned()),
        Just("R".to_owned()),
        Just("Kumar".to_owned()),
        Just("SHARMA".to_owned()),
        Just("Mohammed".to_owned()),
        Just("Mohammad".to_owned()),
        Just("Laxmi".to_owned()),
        Just("Mr.".to_owned()),
        "[A-Za-z]{1,8}",
        "\\PC{1,6}",
    ];
    let name =
        proptest::option::of(proptest::collection::vec(word, 0..5).prop_map(|w| w.join(" ")));
    let dob = proptest::option::of(prop_oneof![
        (1950u16..1960).prop_map(|y| DateOfBirth::from_year(y).expect("in range")),
        (1950i32..1960, 1u32..=12, 1u32..=12).prop_map(|(y, m, d)| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .and_then(DateOfBirth::from_date)
                .expect("valid")
        }),
    ]);
    let gender = proptest::option::of(prop_oneof![
        Just(Gender::Male),
        Just(Gender::Female),
        Just(Gender::Transgender)
    ]);
    let source = prop_oneof![
        Just("aadhaar"),
        Just("pan"),
        Just("driving_license"),
        Just("profile"),
        Just("expected")
    ];
    (source, name, dob, gender).prop_map(|(source, name, date_of_birth, gender)| Subject {
        source: source.to_owned(),
        name,
        date_of_birth,
        gender,
        standing: Standing::Verified,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn a_subject_compared_with_itself_always_matches(s in any_subject()) {
        let copy = Subject { source: "expected".into(), ..s.clone() };
        let complete = s.name.as_deref().is_some_and(crate::checks::names::is_comparable)
            && s.date_of_birth.is_some()
            && s.gender.is_some();
        let report = compare(&[s, copy]);
        let expected = if complete { Outcome::Match } else { Outcome::Insufficient };
        prop_assert_eq!(report.outcome, expected, "{}", serde_json::to_string(&report).unwrap_or_default());
    }

    #[test]
    fn comparison_does_not_depend_on_the_order_of_subjects(a in any_subject(), b in any_subject()) {
        let ab = compare(&[a.clone(), b.clone()]);
        let ba = compare(&[b, a]);
        prop_assert_eq!(ab.outcome, ba.outcome);
        for (x, y) in ab.fields.iter().zip(&ba.fields) {
            prop_assert_eq!((x.field, x.outcome), (y.field, y.outcome));
            prop_assert_eq!(x.score, y.score);
        }
    }

    #[test]
    fn scores_stay_between_zero_and_one(a in any_subject(), b in any_subject(), c in any_subject()) {
        for f in compare(&[a, b, c]).fields {
            prop_assert!((0.0..=1.0).contains(&f.score));
        }
    }
}
