//! The document types a consent session can request.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A document type as Sandbox's API names it (`aadhaar`, `pan`, `driving_license`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocType {
    /// e-Aadhaar (UIDAI), DigiLocker doctype `ADHAR`.
    Aadhaar,
    /// PAN verification record (Income Tax Department), DigiLocker doctype `PANCR`.
    Pan,
    /// Driving licence (transport department), DigiLocker doctype `DRVLC`.
    DrivingLicense,
}

impl DocType {
    /// Every document type, in the order Sandbox lists them.
    pub const ALL: [DocType; 3] = [DocType::Aadhaar, DocType::Pan, DocType::DrivingLicense];

    /// The name used on the Sandbox-compatible API.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Aadhaar => "aadhaar",
            DocType::Pan => "pan",
            DocType::DrivingLicense => "driving_license",
        }
    }

    /// The five-letter DigiLocker doctype code (`req_doctype`, issued URIs).
    pub fn digilocker_code(self) -> &'static str {
        match self {
            DocType::Aadhaar => "ADHAR",
            DocType::Pan => "PANCR",
            DocType::DrivingLicense => "DRVLC",
        }
    }

    /// Parses the Sandbox API name.
    pub fn from_api_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// Parses a DigiLocker doctype code.
    pub fn from_digilocker_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.digilocker_code() == code)
    }

    /// Parses a comma-separated list of API names as stored; unknown names are an error.
    pub fn parse_list(list: &str) -> Option<Vec<Self>> {
        if list.is_empty() {
            return Some(Vec::new());
        }
        list.split(',').map(Self::from_api_name).collect()
    }

    /// Joins a list of document types with commas (the stored form).
    pub fn join(list: &[Self]) -> String {
        list.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for d in DocType::ALL {
            assert_eq!(DocType::from_api_name(d.as_str()), Some(d));
            assert_eq!(DocType::from_digilocker_code(d.digilocker_code()), Some(d));
        }
        assert_eq!(DocType::from_api_name("passport"), None);
        assert_eq!(DocType::from_api_name("AADHAAR"), None);
    }

    #[test]
    fn lists_round_trip_and_reject_unknown_names() {
        let list = vec![DocType::Pan, DocType::Aadhaar];
        assert_eq!(DocType::parse_list(&DocType::join(&list)), Some(list));
        assert_eq!(DocType::parse_list(""), Some(vec![]));
        assert_eq!(DocType::parse_list("pan,voter"), None);
    }
}
