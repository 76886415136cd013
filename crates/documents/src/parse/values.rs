//! Reading the value formats issuers use: dates, gender, timestamps and photos.

use crate::model::{DateOfBirth, Gender, Photo};
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use std::io::Read;

/// The largest photo accepted once unwrapped from gzip.
const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;

/// Base64 as issuers write it: standard alphabet, padding optional.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Reads a date of birth: `DD-MM-YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD`,
/// `DDMMYYYY` (DigiLocker's user profile) or a bare year `YYYY`. Surrounding spaces are ignored.
pub fn parse_dob(s: &str) -> Option<DateOfBirth> {
    match date_parts(s)? {
        DateParts::Year(y) => DateOfBirth::from_year(y),
        DateParts::Full(d) => DateOfBirth::from_date(d),
    }
}

/// Reads a gender, ignoring case and surrounding spaces: `M`/`MALE`, `F`/`FEMALE`,
/// `T`/`TRANSGENDER`/`TG`.
pub fn parse_gender(s: &str) -> Option<Gender> {
    match s.trim().to_ascii_lowercase().as_str() {
        "m" | "male" => Some(Gender::Male),
        "f" | "female" => Some(Gender::Female),
        "t" | "tg" | "transgender" => Some(Gender::Transgender),
        _ => None,
    }
}

/// Reads a full calendar date in any of the [`parse_dob`] formats except a bare year.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    match date_parts(s)? {
        DateParts::Full(d) => Some(d),
        DateParts::Year(_) => None,
    }
}

enum DateParts {
    Year(u16),
    Full(NaiveDate),
}

fn date_parts(s: &str) -> Option<DateParts> {
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

/// Reads `KycRes@ts`: RFC 3339, or an offset-less `YYYY-MM-DDTHH:MM:SS[.fff]` taken as IST.
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let ist = FixedOffset::east_opt(5 * 3600 + 30 * 60)?;
    naive.and_local_timezone(ist).single()
}

/// Reads `verifiedOn`: a [`parse_date`] date, optionally followed by a space or `T` and
/// `HH:MM[:SS[.fff]]`. A date alone means midnight.
pub(crate) fn parse_date_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let date = parse_date(date)?;
    let time = if time.is_empty() {
        NaiveTime::MIN
    } else {
        NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
            .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
            .ok()?
    };
    Some(date.and_time(time))
}

/// Reads a photo element's text: base64 (line breaks allowed) of the image, or of a gzip stream
/// holding either the image or its base64. Empty text means no photo.
pub(crate) fn parse_photo(text: &str) -> Result<Option<Photo>, &'static str> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    let bytes = LENIENT_BASE64
        .decode(compact)
        .map_err(|_| "not valid base64")?;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Some(Photo::from_jpeg(&bytes)));
    }
    let mut inner = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .take(MAX_PHOTO_BYTES + 1)
        .read_to_end(&mut inner)
        .map_err(|_| "gzip data is corrupt")?;
    if inner.len() as u64 > MAX_PHOTO_BYTES {
        return Err("photo is too large once unzipped");
    }
    let looks_like_base64 = !inner.is_empty()
        && inner
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=\r\n ".contains(b));
    if looks_like_base64 {
        let text: Vec<u8> = inner
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let image = LENIENT_BASE64
            .decode(text)
            .map_err(|_| "gzip holds invalid base64")?;
        return Ok(Some(Photo::from_jpeg(&image)));
    }
    Ok(Some(Photo::from_jpeg(&inner)))
}
