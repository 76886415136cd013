//! The date formats issuers and DigiLocker write, read into their parts (a validated
//! [`super::DateOfBirth`] and the parser's calendar dates both start here).

use chrono::NaiveDate;

/// A date as written: a bare year or a full date.
pub(crate) enum DateParts {
    /// Only a year (`YYYY`).
    Year(u16),
    /// A full calendar date.
    Full(NaiveDate),
}

/// Splits a date written `DD-MM-YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD`,
/// `DDMMYYYY` or `YYYY` into its parts; `None` for anything else or an impossible date.
pub(crate) fn date_parts(s: &str) -> Option<DateParts> {
    let s = s.trim();
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (day, month, year) = if digits(s, 4..=4) {
        let year: u16 = s.parse().ok()?;
        return (year >= 1).then_some(DateParts::Year(year));
    } else if digits(s, 8..=8) {
        (&s[0..2], &s[2..4], &s[4..8])
    } else {
        let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let mut parts = s.split(sep);
        let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !digits(b, 1..=2) {
            return None;
        }
        if digits(a, 4..=4) && digits(c, 1..=2) {
            (c, b, a)
        } else if digits(a, 1..=2) && digits(c, 4..=4) {
            (a, b, c)
        } else {
            return None;
        }
    };
    let year: i32 = year.parse().ok()?;
    if year < 1 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?).map(DateParts::Full)
}
