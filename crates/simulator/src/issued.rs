//! The documents a persona holds in DigiLocker, as the issued list and the consent page name them.

use base64::Engine as _;

use crate::ids::derived_id;
use crate::personas::Persona;

/// The placeholder photo (a small real JPEG) used when a persona has none of its own.
pub(crate) const PLACEHOLDER_PHOTO: &[u8] = include_bytes!("../assets/photo.jpg");

pub(crate) use digigate_core::DocType;

/// What the simulated DigiLocker says about each document type it issues: codes as it accepts
/// them, names, issuers and formats.
pub(crate) trait Issuance: Sized {
    /// Parses a doctype (`ADHAR`, `PANCR`, `DRVLC`), ignoring surrounding spaces and case.
    fn from_code(code: &str) -> Option<Self>;
    /// The document name in the issued list and on the consent page.
    fn name(self) -> &'static str;
    /// The issuer id, the first part of the URI.
    fn issuer_id(self) -> &'static str;
    /// The issuer's display name.
    fn issuer(self) -> &'static str;
    /// The formats the issued list advertises.
    fn mimes(self) -> &'static [&'static str];
}

impl Issuance for DocType {
    fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.digilocker_code().eq_ignore_ascii_case(code))
    }

    fn name(self) -> &'static str {
        match self {
            DocType::Aadhaar => "Aadhaar Card",
            DocType::Pan => "PAN Verification Record",
            DocType::DrivingLicense => "Driving License",
        }
    }

    fn issuer_id(self) -> &'static str {
        match self {
            DocType::Aadhaar => "in.gov.uidai",
            DocType::Pan => "in.gov.pan",
            DocType::DrivingLicense => "in.gov.transport",
        }
    }

    fn issuer(self) -> &'static str {
        match self {
            DocType::Aadhaar => "Aadhaar, Unique Identification Authority of India",
            DocType::Pan => "Income Tax Department",
            DocType::DrivingLicense => "Ministry of Road Transport and Highways",
        }
    }

    fn mimes(self) -> &'static [&'static str] {
        match self {
            DocType::Aadhaar => &["application/pdf", "application/xml"],
            DocType::Pan | DocType::DrivingLicense => {
                &["application/json", "application/xml", "application/pdf"]
            }
        }
    }
}

/// One document in a persona's issued list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IssuedDoc {
    /// Its type.
    pub kind: DocType,
    /// `<issuerid>-<DOCTYPE>-<docid>`.
    pub uri: String,
    /// Issue date, `DD-MM-YYYY`.
    pub date: String,
}

impl Persona {
    /// The documents issued to this persona, in display order.
    pub(crate) fn issued_documents(&self) -> Vec<IssuedDoc> {
        DocType::ALL
            .into_iter()
            .filter_map(|kind| self.issued_document(kind))
            .collect()
    }

    /// The issued document of one kind, when the persona holds it.
    pub(crate) fn issued_document(&self, kind: DocType) -> Option<IssuedDoc> {
        let (doc_id, date) = match kind {
            DocType::Aadhaar => {
                let a = self.aadhaar.as_ref()?;
                (derived_id(&["ADHAR", &self.digilockerid]), &a.issue_date)
            }
            DocType::Pan => {
                let p = self.pan.as_ref()?;
                (p.number.clone(), &p.issue_date)
            }
            DocType::DrivingLicense => {
                let d = self.driving_licence.as_ref()?;
                (d.number.clone(), &d.issue_date)
            }
        };
        Some(IssuedDoc {
            kind,
            uri: format!("{}-{}-{doc_id}", kind.issuer_id(), kind.digilocker_code()),
            date: date.clone(),
        })
    }

    /// Date of birth as the token and user APIs send it: `DDMMYYYY`.
    pub(crate) fn dob_compact(&self) -> String {
        self.dob.chars().filter(char::is_ascii_digit).collect()
    }

    /// `Y` when an Aadhaar is linked, else `N`.
    pub(crate) fn eaadhaar_flag(&self) -> &'static str {
        if self.aadhaar.is_some() {
            "Y"
        } else {
            "N"
        }
    }

    /// The persona's photo as base64 JPEG.
    pub(crate) fn photo_base64(&self) -> String {
        match &self.photo_base64 {
            Some(photo) => photo.clone(),
            None => base64::engine::general_purpose::STANDARD.encode(PLACEHOLDER_PHOTO),
        }
    }

    /// The per-partner `reference_key` DigiLocker returns for this account.
    pub(crate) fn reference_key(&self, client_id: &str) -> String {
        derived_id(&["reference_key", client_id, &self.digilockerid])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_photo_is_a_small_jpeg() {
        assert!(PLACEHOLDER_PHOTO.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(PLACEHOLDER_PHOTO.ends_with(&[0xFF, 0xD9]));
        assert!(PLACEHOLDER_PHOTO.len() < 1024);
    }

    #[test]
    fn uris_follow_the_issuer_doctype_id_scheme() {
        let personas = Persona::built_in();
        let docs = personas[0].issued_documents();
        let uris: Vec<&str> = docs.iter().map(|d| d.uri.as_str()).collect();
        assert_eq!(uris.len(), 3);
        assert!(uris[0].starts_with("in.gov.uidai-ADHAR-") && uris[0].len() == 19 + 32);
        assert_eq!(uris[1], "in.gov.pan-PANCR-ABKPV4821M");
        assert_eq!(uris[2], "in.gov.transport-DRVLC-MH1220190012345");
        assert_eq!(personas[1].issued_documents().len(), 1);
    }

    #[test]
    fn profile_fields_use_digilocker_shapes() {
        let p = &Persona::built_in()[0];
        assert_eq!(p.dob_compact(), "15081990");
        assert_eq!(p.eaadhaar_flag(), "Y");
        assert_eq!(p.reference_key("client").len(), 32);
        assert_ne!(p.reference_key("client"), p.reference_key("other"));
        assert_eq!(DocType::from_code(" pancr"), Some(DocType::Pan));
        assert_eq!(DocType::from_code("RVCER"), None);
    }
}
