//! The normalised e-Aadhaar model.

use super::{DateOfBirth, Gender, MaskedAadhaar, Photo};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An e-Aadhaar record (`KycRes/UidData`) as the gateway serves it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Aadhaar {
    /// The Aadhaar number with only its last four digits visible.
    pub masked_number: MaskedAadhaar,
    /// The resident's name (`Poi@name`).
    pub name: String,
    /// Date of birth (`Poi@dob`), sometimes only the year.
    pub date_of_birth: Option<DateOfBirth>,
    /// Gender (`Poi@gender`).
    pub gender: Option<Gender>,
    /// Care-of line (`Poa@co`), e.g. `S/O Test Father`.
    pub care_of: Option<String>,
    /// The address (`Poa`), split as UIDAI records it.
    pub address: AadhaarAddress,
    /// The same details in the resident's local language (`LData`), when present.
    pub local_language: Option<LocalLanguage>,
    /// The photograph (`Pht`), with any gzip wrapping removed.
    pub photo: Option<Photo>,
    /// When UIDAI produced the response (`KycRes@ts`); an offset-less stamp is read as IST.
    pub issued_at: Option<DateTime<FixedOffset>>,
}

/// An Aadhaar address (`Poa` or `LData`); every part is optional.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AadhaarAddress {
    /// House number or name (`house`).
    pub house: Option<String>,
    /// Street (`street`).
    pub street: Option<String>,
    /// Landmark (`lm`).
    pub landmark: Option<String>,
    /// Locality (`loc`).
    pub locality: Option<String>,
    /// Village, town or city (`vtc`).
    pub vtc: Option<String>,
    /// Sub-district (`subdist`).
    pub subdistrict: Option<String>,
    /// District (`dist`).
    pub district: Option<String>,
    /// State (`state`).
    pub state: Option<String>,
    /// PIN code (`pc`).
    pub pincode: Option<String>,
    /// Post office (`po`).
    pub post_office: Option<String>,
    /// Country (`country`).
    pub country: Option<String>,
}

/// The local-language copy of the name and address (`LData`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalLanguage {
    /// UIDAI language code (`lang`), e.g. `06` Gujarati, `13` Marathi.
    pub language_code: Option<String>,
    /// The name in the local script (`name`).
    pub name: Option<String>,
    /// The care-of line in the local script (`co`).
    pub care_of: Option<String>,
    /// The address in the local script.
    pub address: AadhaarAddress,
}

impl fmt::Debug for Aadhaar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aadhaar { .. }")
    }
}

impl fmt::Debug for AadhaarAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AadhaarAddress { .. }")
    }
}

impl fmt::Debug for LocalLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalLanguage { .. }")
    }
}
