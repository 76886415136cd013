//! Issued-document `Certificate` XML for PAN and driving licence (reference §5.2).

use super::{element, XML_DECLARATION};
use crate::personas::{Address, DrivingLicenceRecord, Gender, PanRecord, Persona};

/// The PAN verification record XML (`in.gov.pan-PANCR-<PAN>`), §5.2 shape, unsigned.
pub(crate) fn pan_xml(persona: &Persona, p: &PanRecord) -> Vec<u8> {
    let mut out = certificate_open(
        "PAN Verification Record",
        "PANCR",
        &p.number,
        &[
            ("issuedAt", "Digilocker"),
            ("issueDate", &p.issue_date),
            ("validFromDate", ""),
        ],
    );
    out.push_str("<IssuedBy>");
    element(
        &mut out,
        "Organization",
        &[
            ("name", "Income Tax Department"),
            ("code", ""),
            ("tin", ""),
            ("uid", ""),
            ("type", "CG"),
        ],
        false,
    );
    address(
        &mut out,
        "Address",
        "",
        &Address {
            country: "IN".into(),
            ..Address::default()
        },
    );
    out.push_str("</Organization></IssuedBy>");
    let address = persona.aadhaar_address();
    person(
        &mut out,
        persona.gender,
        &p.name,
        &p.dob,
        &p.father_name,
        &[("Address", "permanent", &address)],
        "",
        "",
    );
    out.push_str("<CertificateData>");
    element(
        &mut out,
        "PAN",
        &[("num", &p.number), ("verifiedOn", &p.verified_on)],
        true,
    );
    out.push_str("</CertificateData></Certificate>\n");
    out.into_bytes()
}

/// The driving licence XML (`in.gov.transport-DRVLC-<DL no>`), §5.2 shape, unsigned.
pub(crate) fn driving_licence_xml(persona: &Persona, d: &DrivingLicenceRecord) -> Vec<u8> {
    let mut out = certificate_open(
        "Driving License",
        "DRVLC",
        &d.number,
        &[
            ("prevNumber", ""),
            ("issuedAt", &d.issued_at),
            ("issueDate", &d.issue_date),
            ("validFromDate", &d.issue_date),
            ("expiryDate", &d.expiry_date),
        ],
    );
    let state_code: String = d.number.chars().take(2).collect();
    out.push_str("<IssuedBy>");
    element(
        &mut out,
        "Organization",
        &[
            ("name", &d.issuer_name),
            ("code", &state_code),
            ("tin", ""),
            ("uid", ""),
            ("type", "SG"),
        ],
        false,
    );
    address(
        &mut out,
        "Address",
        "",
        &Address {
            state: d.address.state.clone(),
            country: "IN".into(),
            ..Address::default()
        },
    );
    out.push_str("</Organization></IssuedBy>");
    // Real licences carry both addresses: `Address` (present) and `Address2` (permanent).
    let permanent = d.permanent_address.as_ref().unwrap_or(&d.address);
    person(
        &mut out,
        persona.gender,
        &d.name,
        &d.dob,
        &d.father_name,
        &[
            ("Address", "present", &d.address),
            ("Address2", "permanent", permanent),
        ],
        "jpeg",
        &persona.photo_base64(),
    );
    out.push_str("<CertificateData><DrivingLicense><Categories>");
    for c in &d.categories {
        element(
            &mut out,
            "Category",
            &[
                ("abbreviation", &c.abbreviation),
                ("code", &c.code),
                ("description", &c.description),
                ("endorseDate", ""),
                ("issueDate", &c.issue_date),
            ],
            true,
        );
    }
    out.push_str("</Categories></DrivingLicense></CertificateData></Certificate>\n");
    out.into_bytes()
}

impl Persona {
    /// The address to print on non-Aadhaar certificates: the Aadhaar one when linked.
    fn aadhaar_address(&self) -> Address {
        self.aadhaar
            .as_ref()
            .map(|a| a.address.clone())
            .unwrap_or_default()
    }
}

fn certificate_open(name: &str, doctype: &str, number: &str, extra: &[(&str, &str)]) -> String {
    let mut attrs: Vec<(&str, &str)> = vec![
        ("language", "99"),
        ("name", name),
        ("type", doctype),
        ("number", number),
    ];
    attrs.extend_from_slice(extra);
    attrs.push(("status", "A"));
    let mut out = String::with_capacity(2048);
    out.push_str(XML_DECLARATION);
    out.push('\n');
    element(&mut out, "Certificate", &attrs, false);
    out
}

#[allow(clippy::too_many_arguments)]
fn person(
    out: &mut String,
    gender: Gender,
    name: &str,
    dob: &str,
    swd: &str,
    addresses: &[(&str, &str, &Address)],
    photo_format: &str,
    photo: &str,
) {
    let indicator = if gender == Gender::F { "D" } else { "S" };
    out.push_str("<IssuedTo>");
    element(
        out,
        "Person",
        &[
            ("uid", ""),
            ("title", ""),
            ("name", name),
            ("dob", dob),
            ("swd", swd),
            ("swdIndicator", indicator),
            ("gender", gender.code()),
            ("maritalStatus", ""),
            ("religion", ""),
            ("phone", ""),
            ("email", ""),
        ],
        false,
    );
    for (element_name, kind, addr) in addresses {
        address(
            out,
            element_name,
            kind,
            &Address {
                country: "IN".into(),
                ..(*addr).clone()
            },
        );
    }
    element(out, "Photo", &[("format", photo_format)], false);
    out.push_str(photo);
    out.push_str("</Photo></Person></IssuedTo>");
}

/// One `Address`-shaped element (`Address`, or `Address2` for a licence's permanent address).
fn address(out: &mut String, element_name: &str, kind: &str, a: &Address) {
    let line1 = [a.house.as_str(), a.street.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    element(
        out,
        element_name,
        &[
            ("type", kind),
            ("line1", &line1),
            ("line2", &a.locality),
            ("house", &a.house),
            ("landmark", &a.landmark),
            ("locality", &a.locality),
            ("vtc", &a.vtc),
            ("district", &a.district),
            ("pin", &a.pincode),
            ("state", &a.state),
            ("country", &a.country),
        ],
        true,
    );
}
