//! One normalised, serialisable model per document type: what the gateway returns as
//! `data.document`, whatever shape the issuer's XML had.
//!
//! `Debug` never prints personal data: the gateway logs errors that may carry these values.

mod aadhaar;
pub(crate) mod dates;
mod driving_licence;
mod identity;
mod pan;
mod photo;

pub use aadhaar::{Aadhaar, AadhaarAddress, LocalLanguage};
pub use driving_licence::{DrivingLicence, VehicleClass};
pub use identity::{DateOfBirth, Gender, MaskedAadhaar};
pub use pan::Pan;
pub use photo::Photo;

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The DigiLocker doctype of a parsable document (`ADHAR`, `PANCR`, `DRVLC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocTypeCode {
    /// e-Aadhaar, `ADHAR`.
    Aadhaar,
    /// PAN verification record, `PANCR`.
    Pan,
    /// Driving licence, `DRVLC`.
    DrivingLicence,
}

impl DocTypeCode {
    /// Every parsable doctype.
    pub const ALL: [DocTypeCode; 3] = [Self::Aadhaar, Self::Pan, Self::DrivingLicence];

    /// The five-letter DigiLocker code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Aadhaar => "ADHAR",
            Self::Pan => "PANCR",
            Self::DrivingLicence => "DRVLC",
        }
    }

    /// The name on the Sandbox-compatible API (`aadhaar`, `pan`, `driving_license`), also the
    /// `source` of a [`crate::checks::Subject`] built from such a document.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Aadhaar => "aadhaar",
            Self::Pan => "pan",
            Self::DrivingLicence => "driving_license",
        }
    }
}

/// The one mapping from the gateway's document types to the parsable doctypes.
impl From<digigate_core::DocType> for DocTypeCode {
    fn from(d: digigate_core::DocType) -> Self {
        match d {
            digigate_core::DocType::Aadhaar => Self::Aadhaar,
            digigate_core::DocType::Pan => Self::Pan,
            digigate_core::DocType::DrivingLicense => Self::DrivingLicence,
        }
    }
}

impl fmt::Display for DocTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DocTypeCode {
    type Err = UnknownDocType;

    /// Accepts the DigiLocker code (`PANCR`) or the API name (`pan`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.code() == s || d.api_name() == s)
            .ok_or(UnknownDocType)
    }
}

/// The doctype string named no parsable document type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document type")]
pub struct UnknownDocType;

/// A parsed document of any supported type; serialises as the bare model (no tag).
#[derive(Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Document {
    /// An e-Aadhaar record (boxed: it is several times larger than the others).
    Aadhaar(Box<Aadhaar>),
    /// A PAN verification record.
    Pan(Pan),
    /// A driving licence.
    DrivingLicence(DrivingLicence),
}

impl Document {
    /// Which type of document this is.
    pub fn doc_type(&self) -> DocTypeCode {
        match self {
            Document::Aadhaar(_) => DocTypeCode::Aadhaar,
            Document::Pan(_) => DocTypeCode::Pan,
            Document::DrivingLicence(_) => DocTypeCode::DrivingLicence,
        }
    }

    /// The holder's name as the document spells it.
    pub fn name(&self) -> &str {
        match self {
            Document::Aadhaar(d) => &d.name,
            Document::Pan(d) => &d.name,
            Document::DrivingLicence(d) => &d.name,
        }
    }

    /// The holder's date of birth, when the document has one.
    pub fn date_of_birth(&self) -> Option<DateOfBirth> {
        match self {
            Document::Aadhaar(d) => d.date_of_birth,
            Document::Pan(d) => d.date_of_birth,
            Document::DrivingLicence(d) => d.date_of_birth,
        }
    }

    /// The holder's gender, when the document has one.
    pub fn gender(&self) -> Option<Gender> {
        match self {
            Document::Aadhaar(d) => d.gender,
            Document::Pan(d) => d.gender,
            Document::DrivingLicence(d) => d.gender,
        }
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Document::Aadhaar(d) => write!(f, "Document::Aadhaar({d:?})"),
            Document::Pan(d) => write!(f, "Document::Pan({d:?})"),
            Document::DrivingLicence(d) => write!(f, "Document::DrivingLicence({d:?})"),
        }
    }
}
