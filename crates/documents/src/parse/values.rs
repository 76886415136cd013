//! Reading the value formats issuers use: dates, gender, timestamps and photos.

use crate::model::dates::{date_parts, DateParts};
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
    DateOfBirth::parse(s)
}

/// Reads a gender, ignoring case and surrounding spaces: `M`/`MALE`, `F`/`FEMALE`,
/// `T`/`TRANSGENDER`/`TG`.
pub fn parse_gender(s: &str) -> Option<Gender> {
    Gender::parse(s)
}

/// Reads a full calendar date in any of the [`parse_dob`] formats except a bare year.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    match date_parts(s)? {
        DateParts::Full(d) => Some(d),
        DateParts::Year(_) => None,
    }
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
