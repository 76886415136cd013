//! Validation of loaded personas: the shapes a real DigiLocker account would have.

use std::collections::HashSet;

use super::Persona;
use crate::error::SimulatorError;
use crate::verhoeff;

/// Checks the shapes a real DigiLocker account would have; messages never echo personal data.
pub(crate) fn validate(personas: &[Persona]) -> Result<(), SimulatorError> {
    let mut seen = HashSet::new();
    for (index, p) in personas.iter().enumerate() {
        let fail = |reason: &str| SimulatorError::InvalidPersona {
            index,
            reason: reason.to_owned(),
        };
        if p.mobile.len() != 10 || !p.mobile.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("mobile must be 10 digits"));
        }
        if !is_uuid(&p.digilockerid) {
            return Err(fail("digilockerid must be a 36-character UUID"));
        }
        if !is_ddmmyyyy(&p.dob) {
            return Err(fail("dob must be DD-MM-YYYY"));
        }
        if let Some(a) = &p.aadhaar {
            if !verhoeff::is_valid_aadhaar(&a.number) {
                return Err(fail(
                    "aadhaar.number must be 12 Verhoeff-valid digits, first 2-9",
                ));
            }
            if !seen.insert(a.number.clone()) {
                return Err(fail("aadhaar.number is used by another persona"));
            }
        }
        if let Some(pan) = &p.pan {
            if !is_pan(&pan.number) {
                return Err(fail("pan.number must look like AAAPA1234A"));
            }
        }
        if let Some(dl) = &p.driving_licence {
            if dl.number.is_empty() || !dl.number.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(fail(
                    "driving_licence.number must be letters and digits only",
                ));
            }
        }
        for file in &p.uploaded {
            if file.name.trim().is_empty() || !is_ddmmyyyy(&file.date) {
                return Err(fail("uploaded files need a name and a DD-MM-YYYY date"));
            }
            if file.folder.contains('/') {
                return Err(fail("uploaded.folder is one level deep: no '/'"));
            }
        }
        if !seen.insert(p.mobile.clone()) || !seen.insert(p.digilockerid.clone()) {
            return Err(fail("mobile or digilockerid is used by another persona"));
        }
    }
    Ok(())
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_ddmmyyyy(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[2] == b'-'
        && b[5] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

/// A personal PAN: five letters (the fourth `P`), four digits, one letter.
pub(crate) fn is_pan(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[3] == b'P'
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personas::{Fault, Gender};

    #[test]
    fn the_built_in_personas_are_valid_and_cover_the_documented_cases() {
        let personas = Persona::built_in();
        validate(&personas).expect("built-ins validate");
        let mobiles: Vec<&str> = personas.iter().map(|p| p.mobile.as_str()).collect();
        assert_eq!(
            mobiles,
            [
                "9000000001",
                "9000000002",
                "9000000003",
                "9000000004",
                "9000000005",
                "9000000006"
            ]
        );
        let [one, two, three, four, five, six] = &personas[..] else {
            panic!("six personas")
        };
        assert!(one.aadhaar.is_some() && one.pan.is_some() && one.driving_licence.is_some());
        assert!(two.aadhaar.is_none() && two.pan.is_some());
        let (aadhaar, pan) = (three.aadhaar.as_ref(), three.pan.as_ref());
        assert_eq!(
            aadhaar.map(|a| a.name.as_str()),
            Some("Ramesh Kumar Sharma")
        );
        assert_eq!(pan.map(|p| p.name.as_str()), Some("R K SHARMA"));
        assert_eq!(pan.map(|p| p.dob.as_str()), Some("07/03/1985"));
        assert_eq!(aadhaar.map(|a| a.dob.as_str()), Some("07-03-1985"));
        assert_eq!(four.fault, Some(Fault::RepositoryServiceUnresponsive));
        assert!(!five.registered && five.aadhaar.is_some());
        assert_eq!(six.fault, Some(Fault::SlowRepository));
        assert!(six.aadhaar.is_some() && six.pan.is_some());
        assert!(personas
            .iter()
            .filter(|p| p.mobile != "9000000005")
            .all(|p| p.registered));
    }

    #[test]
    fn pan_shapes_need_five_letters_four_digits_and_a_letter_with_p_fourth() {
        assert!(is_pan("ABKPV4821M"));
        assert!(!is_pan("ABKCV4821M"));
        assert!(!is_pan("ABKPV48210"));
        assert!(!is_pan("abkpv4821m"));
        assert!(!is_pan("ABKPV4821"));
    }

    #[test]
    fn a_persona_with_a_bad_aadhaar_checksum_is_rejected() {
        let mut personas = Persona::built_in();
        if let Some(a) = personas[0].aadhaar.as_mut() {
            a.number = "491830275617".into();
        }
        let err = validate(&personas).expect_err("checksum fails");
        assert!(err.to_string().contains("persona 0"), "{err}");
        assert!(
            !err.to_string().contains("491830275617"),
            "no personal data in errors"
        );
    }

    #[test]
    fn duplicate_mobiles_are_rejected() {
        let mut personas = Persona::built_in();
        personas[1].mobile = personas[0].mobile.clone();
        assert!(validate(&personas).is_err());
    }

    #[test]
    fn a_persona_file_round_trips_and_defaults_optional_fields() {
        let json = r#"[{"mobile":"9123456780","digilockerid":"00000000-0000-4000-8000-000000000001",
            "name":"Test Person","dob":"01-01-2000","gender":"T","fault":"partner_service_unresponsive"}]"#;
        let dir = std::env::temp_dir().join(format!("digigate-sim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("personas.json");
        std::fs::write(&path, json).expect("write");
        let loaded = Persona::load_file(&path).expect("loads");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(loaded.len(), 1);
        let p = &loaded[0];
        assert!(p.registered && p.email.is_empty() && p.aadhaar.is_none());
        assert_eq!(p.gender, Gender::T);
        assert_eq!(p.fault, Some(Fault::PartnerServiceUnresponsive));
        let again: Vec<Persona> =
            serde_json::from_str(&serde_json::to_string(&loaded).expect("serialise"))
                .expect("parse");
        assert_eq!(again, loaded);
    }

    #[test]
    fn a_missing_or_malformed_persona_file_is_an_error() {
        let missing = std::path::Path::new("/nonexistent/personas.json");
        assert!(matches!(
            Persona::load_file(missing),
            Err(SimulatorError::ReadPersonas { .. })
        ));
    }
}
