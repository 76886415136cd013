//! Cross-document checks: do the name, date of birth and gender agree between the documents,
//! the DigiLocker profile and what the integrator expected?
//!
//! Each field present in at least two sources is compared pairwise; the field's outcome is its
//! worst pair. Names are compared word by word after removing case, punctuation and titles, and
//! allowing for word order, initials and common transliteration variants (see `names`).
//!
//! Transliteration variants (`Mohammed` / `Mohammad`, `Laxmi` / `Lakshmi`) count as a **match**
//! with a score of 0.95: they are one name romanised by two issuers, and calling them partial
//! would flag a large share of genuine applicants. The score below 1 still shows the difference.

mod fields;
mod name_match;
mod names;
mod similarity;

#[cfg(test)]
mod tests;

use crate::model::{DateOfBirth, Document, Gender};
use serde::{Deserialize, Serialize};
use std::fmt;

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
}

impl From<&Document> for Subject {
    fn from(doc: &Document) -> Self {
        Subject {
            source: doc.doc_type().api_name().to_owned(),
            name: Some(doc.name().to_owned()),
            date_of_birth: doc.date_of_birth(),
            gender: doc.gender(),
        }
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// How well values agree. Ordered from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The values disagree.
    Mismatch,
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
}

/// The comparison of one field across every source that has it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCheck {
    /// Which field.
    pub field: Field,
    /// Every source's value, in input order.
    pub values: Vec<SourcedValue>,
    /// Similarity of the least similar pair, from 0 to 1.
    pub score: f64,
    /// Outcome of the least similar pair.
    pub outcome: Outcome,
    /// Why, in words, for the least similar pair.
    pub reason: String,
}

/// The result of [`compare`].
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// `mismatch` if any field mismatches, else `partial` if any is partial, else `match`
    /// (also when nothing could be compared).
    pub outcome: Outcome,
    /// One entry per field found in at least two sources, in the order name, date, gender.
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

/// Compares name, date of birth and gender across the subjects.
pub fn compare(inputs: &[Subject]) -> CheckReport {
    let names: Vec<(&str, &str)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.name.as_deref()?)))
        .filter(|(_, n)| names::is_comparable(n))
        .collect();
    let dates: Vec<(&str, DateOfBirth)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.date_of_birth?)))
        .collect();
    let genders: Vec<(&str, Gender)> = inputs
        .iter()
        .filter_map(|s| Some((s.source.as_str(), s.gender?)))
        .collect();
    let fields: Vec<FieldCheck> = [
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
    ]
    .into_iter()
    .flatten()
    .collect();
    let outcome = fields
        .iter()
        .map(|f| f.outcome)
        .min()
        .unwrap_or(Outcome::Match);
    CheckReport { outcome, fields }
}

/// Compares every pair of values of one field and keeps the worst; `None` below two values.
fn check<T: Copy>(
    field: Field,
    values: &[(&str, T)],
    show: impl Fn(T) -> String,
    pair: impl Fn((&str, T), (&str, T)) -> Pair,
) -> Option<FieldCheck> {
    let mut worst: Option<Pair> = None;
    for (i, a) in values.iter().enumerate() {
        for b in &values[i + 1..] {
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
    let worst = worst?;
    Some(FieldCheck {
        field,
        values: values
            .iter()
            .map(|(source, v)| SourcedValue {
                source: (*source).to_owned(),
                value: show(*v),
            })
            .collect(),
        score: worst.score,
        outcome: worst.outcome,
        reason: worst.reason,
    })
}
