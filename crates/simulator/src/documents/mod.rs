//! The document bytes the simulator serves: one function per document type and format.
//!
//! XML follows the shapes in the reference (§5.1 e-Aadhaar, §5.2 `Certificate`) and is unsigned
//! here; when a signing identity is configured, `crate::signing` signs it before it is served.
//! Values are deterministic for a persona (the e-Aadhaar for a persona and a generation time),
//! so repeated fetches of the other documents return identical bytes. A full
//! Aadhaar number never appears in any document: only `xxxxxxxx` and the last four digits.

use crate::issued::{DocType, Issuance};
use crate::pdf;
use crate::personas::{Address, Persona};

mod aadhaar;
mod certificate;

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The certificate XML of one of the persona's documents, or `None` when the persona lacks it;
/// an e-Aadhaar is generated at `now` (its `KycRes@ts`), as DigiLocker does on every fetch.
pub(crate) fn xml(
    persona: &Persona,
    kind: DocType,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Option<Vec<u8>> {
    match kind {
        DocType::Aadhaar => persona
            .aadhaar
            .as_ref()
            .map(|a| aadhaar::eaadhaar_xml(persona, a, now)),
        DocType::Pan => persona
            .pan
            .as_ref()
            .map(|p| certificate::pan_xml(persona, p)),
        DocType::DrivingLicense => persona
            .driving_licence
            .as_ref()
            .map(|d| certificate::driving_licence_xml(persona, d)),
    }
}

/// The PDF of one of the persona's documents, or `None` when the persona lacks it.
pub(crate) fn pdf(persona: &Persona, kind: DocType) -> Option<Vec<u8>> {
    let lines: Vec<(&str, String)> = match kind {
        DocType::Aadhaar => {
            let a = persona.aadhaar.as_ref()?;
            vec![
                ("Name", a.name.clone()),
                ("Date of birth", a.dob.clone()),
                ("Gender", a.gender.code().to_owned()),
                ("Aadhaar", format!("XXXX XXXX {}", last_four(&a.number))),
                ("Address", one_line(&a.address)),
            ]
        }
        DocType::Pan => {
            let p = persona.pan.as_ref()?;
            vec![
                ("Name", p.name.clone()),
                ("Father's name", p.father_name.clone()),
                ("Date of birth", p.dob.clone()),
                ("Permanent Account Number", p.number.clone()),
            ]
        }
        DocType::DrivingLicense => {
            let d = persona.driving_licence.as_ref()?;
            let classes: Vec<&str> = d
                .categories
                .iter()
                .map(|c| c.abbreviation.as_str())
                .collect();
            vec![
                ("Name", d.name.clone()),
                ("Date of birth", d.dob.clone()),
                ("Licence number", d.number.clone()),
                ("Issued by", d.issued_at.clone()),
                ("Valid till", d.expiry_date.clone()),
                ("Classes of vehicle", classes.join(", ")),
            ]
        }
    };
    Some(pdf::document(kind.name(), kind.issuer(), &lines))
}

/// Writes `<name a="v" ...>` (or `/>` when `empty`), escaping every attribute value.
fn element(out: &mut String, name: &str, attrs: &[(&str, &str)], empty: bool) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        out.push_str(&xml_attribute_value(value));
        out.push('"');
    }
    out.push_str(if empty { "/>" } else { ">" });
}

/// `value` for a double-quoted XML attribute: the markup characters as entities, tabs and line
/// breaks as character references (so attribute normalisation keeps them), and the control
/// characters XML 1.0 cannot carry at all dropped.
fn xml_attribute_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn last_four(number: &str) -> &str {
    number.get(number.len().saturating_sub(4)..).unwrap_or("")
}

fn one_line(a: &Address) -> String {
    [
        &a.house,
        &a.street,
        &a.landmark,
        &a.locality,
        &a.vtc,
        &a.district,
        &a.state,
        &a.pincode,
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests;
