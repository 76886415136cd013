//! The normalised PAN verification record model.

use super::{DateOfBirth, Gender};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A PAN verification record (`Certificate type="PANCR"`) as the gateway serves it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Pan {
    /// The permanent account number (`PAN@num`, else `Certificate@number`).
    pub number: String,
    /// The holder's name (`Person@name`).
    pub name: String,
    /// Date of birth (`Person@dob`).
    pub date_of_birth: Option<DateOfBirth>,
    /// Gender (`Person@gender`).
    pub gender: Option<Gender>,
    /// Father's (or spouse's) name (`Person@swd`).
    pub father_name: Option<String>,
    /// When the Income Tax Department verified the record (`verifiedOn`), in IST, no offset.
    pub verified_on: Option<NaiveDateTime>,
    /// Certificate status as issued (`Certificate@status`, `A` for active).
    pub status: Option<String>,
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pan { .. }")
    }
}
