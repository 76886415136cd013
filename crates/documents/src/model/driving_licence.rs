//! The normalised driving-licence model.

use super::{DateOfBirth, Gender, Photo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A driving licence (`Certificate type="DRVLC"`) as the gateway serves it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct DrivingLicence {
    /// The licence number (`Certificate@number`), spacing as issued.
    pub number: String,
    /// The holder's name (`Person@name`).
    pub name: String,
    /// Date of birth (`Person@dob`).
    pub date_of_birth: Option<DateOfBirth>,
    /// Gender (`Person@gender`).
    pub gender: Option<Gender>,
    /// When the licence was issued (`Certificate@issueDate`).
    pub issue_date: Option<NaiveDate>,
    /// Start of validity (`Certificate@validFromDate`).
    pub valid_from: Option<NaiveDate>,
    /// End of validity (`Certificate@expiryDate`).
    pub expiry_date: Option<NaiveDate>,
    /// The classes of vehicle the holder may drive, in document order.
    pub vehicle_classes: Vec<VehicleClass>,
    /// The present address as one line (`Address type="present"`).
    pub present_address: Option<String>,
    /// The permanent address as one line (`Address`/`Address2` `type="permanent"`).
    pub permanent_address: Option<String>,
    /// The photograph (`Person/Photo`).
    pub photo: Option<Photo>,
    /// The issuing RTO (`IssuedBy/Organization@name`, else `Certificate@issuedAt`).
    pub issuing_authority: Option<String>,
}

/// One class of vehicle on a licence (`Category` or a flat `DrivingLicense` element).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleClass {
    /// Short form, e.g. `MCWG`, `LMV`.
    pub abbreviation: Option<String>,
    /// Long form, e.g. `LIGHT MOTOR VEHICLE`.
    pub description: Option<String>,
    /// `NT` (non-transport) or `TR` (transport).
    pub code: Option<String>,
    /// When this class was added to the licence.
    pub issue_date: Option<NaiveDate>,
}

impl fmt::Debug for DrivingLicence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DrivingLicence { .. }")
    }
}

impl fmt::Debug for VehicleClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The class is not personal data on its own.
        f.debug_struct("VehicleClass")
            .field("abbreviation", &self.abbreviation)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}
