//! Identity values shared by every document: a masked Aadhaar number, a date of birth that may
//! be only a year, and gender.

use super::dates::{date_parts, DateParts};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An Aadhaar number of which only the last four digits are known, shown as `XXXX-XXXX-1234`.
///
/// The full twelve digits can never be stored in it: the constructors keep the last four digits
/// only, so a serialised document cannot carry an unmasked Aadhaar number.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaskedAadhaar([u8; 4]);

impl MaskedAadhaar {
    /// Builds it from exactly four ASCII digits (the visible part of a masked number).
    pub fn from_last_four(digits: &str) -> Option<Self> {
        let bytes: [u8; 4] = digits.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Self(bytes))
    }

    /// Builds it from a `uid` attribute: masked (`xxxxxxxx1234`, `XXXX-XXXX-1234`, `********1234`)
    /// or, if an issuer ever sends one, a full 12-digit number of which only the last four are kept.
    pub fn from_uid(uid: &str) -> Option<Self> {
        let compact: Vec<u8> = uid.bytes().filter(|b| !matches!(b, b' ' | b'-')).collect();
        if compact.len() != 12 {
            return None;
        }
        let (mask, last) = compact.split_at(8);
        let masked = mask.iter().all(|b| matches!(b, b'x' | b'X' | b'*'));
        let digits = mask.iter().all(u8::is_ascii_digit);
        if !(masked || digits) {
            return None;
        }
        std::str::from_utf8(last)
            .ok()
            .and_then(Self::from_last_four)
    }

    /// The four visible digits.
    pub fn last_four(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("????")
    }
}

impl fmt::Display for MaskedAadhaar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XXXX-XXXX-{}", self.last_four())
    }
}

impl fmt::Debug for MaskedAadhaar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MaskedAadhaar(..)")
    }
}

impl Serialize for MaskedAadhaar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MaskedAadhaar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_uid(&s).ok_or_else(|| serde::de::Error::custom("not a masked Aadhaar number"))
    }
}

/// A date of birth: a full date, or only the year for old records.
///
/// Serialised as ISO 8601: `YYYY-MM-DD`, or `YYYY` when only the year is known.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateOfBirth(Precision);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Precision {
    Year(u16),
    Day(NaiveDate),
}

impl DateOfBirth {
    /// Reads a date of birth: `DD-MM-YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`, `YYYY-MM-DD`,
    /// `YYYY/MM/DD`, `DDMMYYYY` (DigiLocker's user profile) or a bare year `YYYY`. Surrounding
    /// spaces are ignored.
    pub fn parse(s: &str) -> Option<Self> {
        match date_parts(s)? {
            DateParts::Year(y) => Self::from_year(y),
            DateParts::Full(d) => Self::from_date(d),
        }
    }

    /// A full date of birth; `None` outside the years 1 to 9999, which ISO `YYYY` cannot show.
    pub fn from_date(date: NaiveDate) -> Option<Self> {
        (1..=9999)
            .contains(&date.year())
            .then_some(Self(Precision::Day(date)))
    }

    /// A date of birth known only by its year (1 to 9999).
    pub fn from_year(year: u16) -> Option<Self> {
        (1..=9999)
            .contains(&year)
            .then_some(Self(Precision::Year(year)))
    }

    /// The year of birth.
    pub fn year(&self) -> u16 {
        match self.0 {
            Precision::Year(y) => y,
            // The constructor keeps the year within 1..=9999.
            Precision::Day(d) => u16::try_from(d.year()).unwrap_or(0),
        }
    }

    /// The full date, when the record has more than the year.
    pub fn date(&self) -> Option<NaiveDate> {
        match self.0 {
            Precision::Year(_) => None,
            Precision::Day(d) => Some(d),
        }
    }

    /// Whether only the year is known.
    pub fn is_year_only(&self) -> bool {
        matches!(self.0, Precision::Year(_))
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Precision::Year(y) => write!(f, "{y:04}"),
            Precision::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DateOfBirth(..)")
    }
}

impl Serialize for DateOfBirth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateOfBirth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateOfBirth::parse(&s).ok_or_else(|| serde::de::Error::custom("not a date of birth"))
    }
}

/// Gender as UIDAI records it: male, female or transgender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// Male (`M`).
    #[serde(rename = "M")]
    Male,
    /// Female (`F`).
    #[serde(rename = "F")]
    Female,
    /// Transgender (`T`).
    #[serde(rename = "T")]
    Transgender,
}

impl Gender {
    /// Reads a gender, ignoring case and surrounding spaces: `M`/`MALE`, `F`/`FEMALE`,
    /// `T`/`TRANSGENDER`/`TG`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" => Some(Gender::Male),
            "f" | "female" => Some(Gender::Female),
            "t" | "tg" | "transgender" => Some(Gender::Transgender),
            _ => None,
        }
    }
}

impl Gender {
    /// The one-letter code (`M`, `F`, `T`) used in the normalised model.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
            Gender::Transgender => "T",
        }
    }
}
