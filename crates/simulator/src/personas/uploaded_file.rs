//! A persona's self-uploaded documents, as written in a persona file.

use serde::{Deserialize, Serialize};

/// A document the person uploaded to their DigiLocker themselves (not issued by an issuer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadedFile {
    /// The file name as shown in the list, e.g. `Rent Agreement.pdf`.
    pub name: String,
    /// The folder it sits in, one level below the top; empty for the top itself.
    #[serde(default)]
    pub folder: String,
    /// Its MIME type (default `application/pdf`).
    #[serde(default = "default_mime")]
    pub mime: String,
    /// Its size in bytes.
    #[serde(default)]
    pub size: u64,
    /// When it was uploaded, `DD-MM-YYYY`.
    pub date: String,
    /// The description the person gave it, if any.
    #[serde(default)]
    pub description: String,
}

fn default_mime() -> String {
    "application/pdf".to_owned()
}
