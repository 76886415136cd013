//! The simulated people: who can sign in, what documents they hold and how their repository fails.
//!
//! Personas are plain data, loadable from a JSON file (an array of [`Persona`]); the built-in set
//! lives in `assets/personas.json` and doubles as the format's example.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::SimulatorError;
pub use uploaded_file::UploadedFile;

mod uploaded_file;
mod validate;

pub(crate) use validate::validate;

/// The built-in personas, the same file the documentation points to.
const BUILT_IN_JSON: &str = include_str!("../../assets/personas.json");

/// One simulated DigiLocker user, with the identity DigiLocker returns and the documents issued to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// The 10-digit mobile number the account is registered with; also a sign-in id.
    pub mobile: String,
    /// The account's stable 36-character DigiLocker id (a UUID).
    pub digilockerid: String,
    /// The account holder's name as DigiLocker shows it (token and user APIs).
    pub name: String,
    /// Date of birth, `DD-MM-YYYY`; the token and user APIs send it as `DDMMYYYY`.
    pub dob: String,
    /// `M`, `F` or `T`.
    pub gender: Gender,
    /// The account e-mail address, empty when none.
    #[serde(default)]
    pub email: String,
    /// Whether the account exists already; `false` means sign-in fails until the person signs up.
    #[serde(default = "default_true")]
    pub registered: bool,
    /// A failure this persona's documents always produce, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// A base64 JPEG photo; when absent the simulator's built-in placeholder photo is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_base64: Option<String>,
    /// The Aadhaar linked to the account; absent means `eaadhaar` is `N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aadhaar: Option<AadhaarRecord>,
    /// The PAN verification record issued to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<PanRecord>,
    /// The driving licence issued to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driving_licence: Option<DrivingLicenceRecord>,
    /// Documents the person uploaded themselves (`/oauth2/1/files/`); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uploaded: Vec<UploadedFile>,
}

fn default_true() -> bool {
    true
}

/// Gender as DigiLocker and UIDAI code it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gender {
    /// Male.
    M,
    /// Female.
    F,
    /// Transgender.
    T,
}

impl Gender {
    /// The one-letter code used in JSON and XML.
    pub fn code(self) -> &'static str {
        match self {
            Gender::M => "M",
            Gender::F => "F",
            Gender::T => "T",
        }
    }
}

/// A postal address, as UIDAI and the certificate schema split it. Every part may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    /// House or flat number.
    pub house: String,
    /// Street.
    pub street: String,
    /// Landmark.
    pub landmark: String,
    /// Locality.
    pub locality: String,
    /// Village, town or city.
    pub vtc: String,
    /// Post office (`Poa@po` in e-Aadhaar).
    pub post_office: String,
    /// Sub-district, e.g. the taluka or tehsil (`Poa@subdist` in e-Aadhaar).
    pub subdistrict: String,
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// Six-digit PIN code.
    pub pincode: String,
    /// Country name, e.g. `India`.
    pub country: String,
}

/// The e-Aadhaar data of a persona (UIDAI KYC response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AadhaarRecord {
    /// The full 12-digit Verhoeff-valid number; only its last four digits ever appear in documents.
    pub number: String,
    /// Name as on Aadhaar.
    pub name: String,
    /// Date of birth as in `Poi@dob`, normally `DD-MM-YYYY`.
    pub dob: String,
    /// `M`, `F` or `T`.
    pub gender: Gender,
    /// Care-of line, e.g. `D/O Suresh Verma`.
    #[serde(default)]
    pub care_of: String,
    /// The address (`Poa`).
    #[serde(default)]
    pub address: Address,
    /// Name and address in a local language (`LData`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalLanguageData>,
    /// When the document was issued to DigiLocker, `DD-MM-YYYY` (the issued list's `date`).
    pub issue_date: String,
}

/// The local-language copy of the Aadhaar name and address (`LData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalLanguageData {
    /// UIDAI language code, e.g. `13` for Marathi.
    pub lang: String,
    /// Name in that language.
    pub name: String,
    /// Care-of line in that language.
    #[serde(default)]
    pub care_of: String,
    /// Address in that language.
    #[serde(default)]
    pub address: Address,
}

/// The PAN verification record of a persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanRecord {
    /// The ten-character PAN (`AAAPA1234A` shape).
    pub number: String,
    /// Name as the Income Tax Department holds it (often upper case, sometimes initials).
    pub name: String,
    /// Date of birth exactly as the PAN XML carries it (e.g. `DD-MM-YYYY` or `DD/MM/YYYY`).
    pub dob: String,
    /// Father's name (`swd`).
    #[serde(default)]
    pub father_name: String,
    /// When the record was issued to DigiLocker, `DD-MM-YYYY`.
    pub issue_date: String,
    /// `PAN@verifiedOn`, `DD-MM-YYYY HH:MM:SS`.
    pub verified_on: String,
}

/// The driving licence of a persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrivingLicenceRecord {
    /// The licence number without spaces or hyphens, e.g. `MH1220190012345`.
    pub number: String,
    /// Name as on the licence.
    pub name: String,
    /// Date of birth as the DL XML carries it.
    pub dob: String,
    /// Father's or husband's name (`swd`).
    #[serde(default)]
    pub father_name: String,
    /// The issuing RTO, e.g. `RTO PUNE`.
    pub issued_at: String,
    /// The issuing state transport department.
    pub issuer_name: String,
    /// Issue date, `DD-MM-YYYY`.
    pub issue_date: String,
    /// Expiry date, `DD-MM-YYYY`.
    pub expiry_date: String,
    /// Present address (`Address type="present"`).
    #[serde(default)]
    pub address: Address,
    /// Permanent address (`Address2 type="permanent"`); the present address when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_address: Option<Address>,
    /// The classes of vehicle the licence covers.
    pub categories: Vec<VehicleClass>,
}

/// One class of vehicle on a driving licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleClass {
    /// E.g. `LMV` or `MCWG`.
    pub abbreviation: String,
    /// `NT` (non-transport) or `TR` (transport).
    pub code: String,
    /// E.g. `Light Motor Vehicle`.
    pub description: String,
    /// When this class was added, `DD-MM-YYYY`.
    pub issue_date: String,
}

/// A failure injected for one persona, named by the DigiLocker error code it produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 500 on file, xml and e-Aadhaar fetches.
    RepositoryServiceUnresponsive,
    /// 500 on file, xml and e-Aadhaar fetches.
    RepositoryServiceConfigerror,
    /// 500 on file, xml and e-Aadhaar fetches.
    RepositoryServiceResperror,
    /// 500 on file, xml and e-Aadhaar fetches.
    RepositoryServiceException,
    /// 503 on file, xml and e-Aadhaar fetches.
    RepositoryServiceInactive,
    /// 503 on file, xml and e-Aadhaar fetches.
    RepositoryServiceUnpublished,
    /// 404 on the e-Aadhaar fetch only.
    AadhaarNotAvailable,
    /// 500 on the issued-documents list only.
    PartnerServiceUnresponsive,
    /// No error, but every file, xml and e-Aadhaar fetch answers only after
    /// [`SimulatorConfig::slow_repository_delay`](crate::SimulatorConfig::slow_repository_delay)
    /// (2 s by default): a slow issuer repository.
    SlowRepository,
}

impl Persona {
    /// The six built-in personas (mobiles 9000000001 to 9000000006); see `docs/simulator.md`.
    pub fn built_in() -> Vec<Persona> {
        // The file is compiled in and covered by a unit test, so a parse failure is a build bug.
        serde_json::from_str(BUILT_IN_JSON).expect("assets/personas.json is a valid persona list")
    }

    /// Reads and validates a JSON array of personas.
    pub fn load_file(path: &Path) -> Result<Vec<Persona>, SimulatorError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| SimulatorError::ReadPersonas {
                path: path.to_owned(),
                source,
            })?;
        let personas: Vec<Persona> =
            serde_json::from_str(&text).map_err(|source| SimulatorError::ParsePersonas {
                path: path.to_owned(),
                source,
            })?;
        validate(&personas)?;
        Ok(personas)
    }
}
