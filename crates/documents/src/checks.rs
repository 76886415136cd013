//! Cross-document checks: do the name, date of birth and gender agree between the documents,
//! the DigiLocker profile and what the integrator expected?
//!
//! Only evidence can make a match: a field is compared when at least one document whose
//! signature **verified** carries it and at least two counted sources have it. Counted sources are
//! verified documents, the DigiLocker profile and the integrator's expected details; the profile
//! (DigiLocker's user-details API, not a signed document) and the expected details are compared
//! against verified documents but can never make a match on their own. Documents that are
//! unverified or failed verification are listed with their standing and never compared. A field
//! that cannot be compared is `insufficient`, with the reason; a report is `match` only when every
//! field was compared and agreed. The field's outcome is its worst pair. Names are compared word by word after removing case, punctuation and titles, and
//! allowing for word order, initials and common transliteration variants (see `names`).
//!
//! Transliteration variants (`Mohammed` / `Mohammad`, `Laxmi` / `Lakshmi`) count as a **match**
//! with a score of 0.95: they are one name romanised by two issuers, and calling them partial
//! would flag a large share of genuine applicants. The score below 1 still shows the difference.

mod evidence;
mod fields;
mod name_match;
mod names;
mod similarity;

#[cfg(test)]
mod tests;

use crate::model::{DateOfBirth, Document, Gender};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use evidence::Standing;

/// One source of identity details: a parsed document, the DigiLocker profile, or what the
/// integrator expected.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// Where the details come from: `aadhaar`, `pan`, `driving_license`, `profile` or `expected`.
    pub source: String,
    /// The full name as the source spells it.
    pub name: Option<String>,
    /// The date of birth.
    pub date_of_birth: Option<DateOfBirth>,
    /// The gender.
    pub gender: Option<Gender>,
    /// How far the source can be relied on; `unverified` (never compared) unless set.
    #[serde(default)]
    pub standing: Standing,
}

impl From<&Document> for Subject {
    /// The document's details, `unverified` until the caller sets the standing its signature
    /// earned.
    fn from(doc: &Document) -> Self {
        Subject {
            source: doc.doc_type().api_name().to_owned(),
            name: Some(doc.name().to_owned()),
            date_of_birth: doc.date_of_birth(),
            gender: doc.gender(),
            standing: Standing::Unverified,
        }
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("source", &self.source)
            .field("standing", &self.standing)
            .finish_non_exhaustive()
    }
}

/// How well values agree. Ordered from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The values disagree.
    Mismatch,
    /// Not enough verified evidence to compare: no verified document has the field, or nothing
    /// counted is there to compare it with.
    Insufficient,
    /// The values are consistent but not the same (initials, a missing middle name, a year only).
    Partial,
    /// The values agree.
    Match,
}

/// The field a [`FieldCheck`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The holder's name.
    Name,
    /// The date of birth.
    DateOfBirth,
    /// The gender.
    Gender,
}

/// One source's value of a field, as compared.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedValue {
    /// The [`Subject::source`] it came from.
    pub source: String,
    /// The value as text (names as given, dates ISO 8601, gender `M`/`F`/`T`).
    pub value: String,
    /// The source's standing (`verified`, `unverified`, `failed`, `unsigned`, `claimed`).
    pub standing: Standing,
    /// Whether the value took part in the comparison (unverified and failed documents never do).
    pub counted: bool,
}

/// The comparison of one field across every source that has it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCheck {
    /// Which field.
    pub field: Field,
    /// Every source's value, in input order, counted or not.
    pub values: Vec<SourcedValue>,
    /// Similarity of the least similar pair, from 0 to 1 (0 when `insufficient`).
    pub score: f64,
    /// Outcome of the least similar pair, or `insufficient`.
    pub outcome: Outcome,
    /// Why, in words: for the least similar pair, or what evidence is missing.
    pub reason: String,
}

/// The result of [`compare`].
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// `mismatch` if any field mismatches, else `insufficient` if any field could not be
    /// compared on verified evidence, else `partial` if any is partial, else `match`.
    pub outcome: Outcome,
    /// One entry per field, always all three, in the order name, date, gender.
    pub fields: Vec<FieldCheck>,
}

impl fmt::Debug for FieldCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values and reasons quote personal data.
        f.debug_struct("FieldCheck")
            .field("field", &self.field)
            .field("outcome", &self.outcome)
            .field("score", &self.score)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckReport")
            .field("outcome", &self.outcome)
            .field("fields", &self.fields)
            .finish()
    }
}

/// The verdict on one pair of values.
struct Pair {
    outcome: Outcome,
    score: f64,
    reason: String,
}

impl Pair {
    fn new(outcome: Outcome, score: f64, reason: impl Into<String>) -> Self {
        // `+ 0.0` turns the -0.0 of an empty float sum into 0.0, which serialises as `0.0`.
        let score = (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0 + 0.0;
        Pair {
            outcome,
            score,
            reason: reason.into(),
        }
    }
}

/// Compares name, date of birth and gender across the subjects, counting only verified
/// documents as evidence (see the module documentation).
pub fn compare(inputs: &[Subject]) -> CheckReport {
    let names: Vec<(&str, Standing, &str)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.standing, s.name.as_deref()?)))
        .filter(|(_, _, n)| names::is_comparable(n))
        .collect();
    let dates: Vec<(&str, Standing, DateOfBirth)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.standing, s.date_of_birth?)))
        .collect();
    let genders: Vec<(&str, Standing, Gender)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.standing, s.gender?)))
        .collect();
    let fields = vec![
        check(
            Field::Name,
            &names,
            |n| n.trim().to_owned(),
            name_match::compare_names,
        ),
        check(
            Field::DateOfBirth,
            &dates,
            |d| d.to_string(),
            fields::compare_dates,
        ),
        check(
            Field::Gender,
            &genders,
            |g| g.code().to_owned(),
            fields::compare_genders,
        ),
    ];
    let outcome = fields
        .iter()
        .map(|f| f.outcome)
        .min()
        .unwrap_or(Outcome::Insufficient);
    CheckReport { outcome, fields }
}

/// Compares every pair of counted values of one field and keeps the worst; `insufficient`
/// without a verified document's value or without two counted values.
fn check<T: Copy>(
    field: Field,
    values: &[(&str, Standing, T)],
    show: impl Fn(T) -> String,
    pair: impl Fn((&str, T), (&str, T)) -> Pair,
) -> FieldCheck {
    let listed = values
        .iter()
        .map(|(source, standing, v)| SourcedValue {
            source: (*source).to_owned(),
            value: show(*v),
            standing: *standing,
            counted: standing.counts(),
        })
        .collect();
    let counted: Vec<(&str, T)> = values
        .iter()
        .filter(|(_, standing, _)| standing.counts())
        .map(|(source, _, v)| (*source, *v))
        .collect();
    let worst = match evidence::shortfall(values) {
        Some(reason) => Pair::new(Outcome::Insufficient, 0.0, reason),
        None => {
            let mut worst: Option<Pair> = None;
            for (i, a) in counted.iter().enumerate() {
                for b in &counted[i + 1..] {
                    let p = pair(*a, *b);
                    let worse = worst.as_ref().is_none_or(|w| {
                        (p.outcome, p.score).partial_cmp(&(w.outcome, w.score))
                            == Some(std::cmp::Ordering::Less)
                    });
                    if worse {
                        worst = Some(p);
                    }
                }
            }
            worst.unwrap_or_else(|| Pair::new(Outcome::Insufficient, 0.0, "nothing to compare"))
        }
    };
    FieldCheck {
        field,
        values: listed,
        score: worst.score,
        outcome: worst.outcome,
        reason: worst.reason,
    }
}
