//! Comparing dates of birth and genders between two sources.

use super::{Outcome, Pair};
use crate::model::{DateOfBirth, Gender};
use chrono::Datelike;

/// Compares two dates of birth; a year-only record agreeing on the year is a partial match.
pub(super) fn compare_dates(a: (&str, DateOfBirth), b: (&str, DateOfBirth)) -> Pair {
    let ((sa, da), (sb, db)) = if a.1 <= b.1 { (a, b) } else { (b, a) };
    if da == db {
        return Pair::new(Outcome::Match, 1.0, "the same date of birth");
    }
    if da.year() != db.year() {
        return Pair::new(Outcome::Mismatch, 0.0, "the years of birth differ");
    }
    match (da.date(), db.date()) {
        (None, _) => year_only(sa, sb),
        (_, None) => year_only(sb, sa),
        (Some(x), Some(y)) if x.day() == y.month() && x.month() == y.day() => Pair::new(
            Outcome::Mismatch,
            0.5,
            "same year, but day and month appear swapped",
        ),
        _ => Pair::new(Outcome::Mismatch, 0.25, "same year, different day or month"),
    }
}

fn year_only(vague: &str, precise: &str) -> Pair {
    Pair::new(
        Outcome::Partial,
        0.5,
        format!("{vague} has only the year of birth, which agrees with {precise}"),
    )
}

/// Compares two genders.
pub(super) fn compare_genders(a: (&str, Gender), b: (&str, Gender)) -> Pair {
    if a.1 == b.1 {
        Pair::new(Outcome::Match, 1.0, "the same gender")
    } else {
        Pair::new(Outcome::Mismatch, 0.0, "the genders differ")
    }
}
