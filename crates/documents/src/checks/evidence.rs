//! Which sources count as evidence in a comparison, and why a field could not be compared.

use serde::{Deserialize, Serialize};

/// How far a source's details can be relied on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// A document whose signature verified (trusted chain, expected signer): evidence.
    Verified,
    /// A document whose signature could not be checked (no trust anchors): shown, never compared.
    #[default]
    Unverified,
    /// A document whose signature verification failed: shown, never compared.
    Failed,
    /// The DigiLocker profile (user-details API): read from DigiLocker over the session's token
    /// but not a signed document, so it is compared with verified documents and is never enough
    /// on its own.
    Unsigned,
    /// What the integrator expected at init: a claim to be checked, never evidence.
    Claimed,
}

impl Standing {
    /// Whether values from such a source take part in comparisons.
    pub fn counts(self) -> bool {
        matches!(self, Self::Verified | Self::Unsigned | Self::Claimed)
    }

    fn word(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unverified => "unverified",
            Self::Failed => "failed verification",
            Self::Unsigned => "unsigned",
            Self::Claimed => "claimed",
        }
    }
}

/// Why a field with these values cannot be compared, or `None` when it can: at least one
/// verified document has it and at least two counted sources do.
pub(super) fn shortfall<T>(values: &[(&str, Standing, T)]) -> Option<String> {
    let not_counted: Vec<String> = values
        .iter()
        .filter(|(_, standing, _)| !standing.counts())
        .map(|(source, standing, _)| format!("{source} ({})", standing.word()))
        .collect();
    let ignored = if not_counted.is_empty() {
        String::new()
    } else {
        format!("; not counted: {}", not_counted.join(", "))
    };
    if !values.iter().any(|(_, s, _)| *s == Standing::Verified) {
        let why = if values.is_empty() {
            "no source has it".to_owned()
        } else {
            "no verified document has it".to_owned()
        };
        return Some(format!("{why}{ignored}"));
    }
    let counted: Vec<&str> = values
        .iter()
        .filter(|(_, s, _)| s.counts())
        .map(|(source, _, _)| *source)
        .collect();
    if counted.len() < 2 {
        return Some(format!(
            "only {} has it, nothing to compare it with{ignored}",
            counted.join(", ")
        ));
    }
    None
}
