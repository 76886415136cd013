//! Issued-document certificates (`Certificate` with `IssuedBy`, `IssuedTo`, `CertificateData`):
//! PAN verification records and driving licences.

use super::tree::{child, inner_text, require_child, require_text, text, typed};
use super::values::{parse_date, parse_date_time, parse_dob, parse_gender, parse_photo};
use super::ParseError;
use crate::model::{DateOfBirth, DrivingLicence, Gender, Pan, VehicleClass};
use roxmltree::Node;

const BAD_DATE: &str = "not a known date format";

/// Reads the PAN model from the document's root element.
pub(super) fn pan(root: Node<'_, '_>) -> Result<Pan, ParseError> {
    check_root(root, "PANCR")?;
    let person = person(root)?;
    let data = require_child(root, "CertificateData", "Certificate/CertificateData")?;
    let record = child(data, "PAN").or_else(|| child(data, "PANVerificationRecord"));
    let number = record
        .and_then(|r| text(r, "num"))
        .or_else(|| text(root, "number"))
        .ok_or(ParseError::Missing { what: "PAN@num" })?;
    let verified_on = match record {
        None => None,
        Some(r) => typed(r, "verifiedOn", "PAN@verifiedOn", parse_date_time, BAD_DATE)?,
    };
    let holder = Holder::read(person)?;
    Ok(Pan {
        number,
        name: holder.name,
        date_of_birth: holder.date_of_birth,
        gender: holder.gender,
        father_name: text(person, "swd"),
        verified_on,
        status: text(root, "status"),
    })
}

/// Reads the driving-licence model from the document's root element.
pub(super) fn driving_licence(root: Node<'_, '_>) -> Result<DrivingLicence, ParseError> {
    check_root(root, "DRVLC")?;
    let person = person(root)?;
    let holder = Holder::read(person)?;
    let photo = match child(person, "Photo") {
        None => None,
        Some(p) => parse_photo(&inner_text(p)).map_err(|problem| ParseError::Invalid {
            what: "Person/Photo",
            problem,
        })?,
    };
    let (present_address, permanent_address) = addresses(person);
    let authority = child(root, "IssuedBy")
        .and_then(|i| child(i, "Organization"))
        .and_then(|o| text(o, "name"));
    Ok(DrivingLicence {
        number: require_text(root, "number", "Certificate@number")?,
        name: holder.name,
        date_of_birth: holder.date_of_birth,
        gender: holder.gender,
        issue_date: typed(
            root,
            "issueDate",
            "Certificate@issueDate",
            parse_date,
            BAD_DATE,
        )?,
        valid_from: typed(
            root,
            "validFromDate",
            "Certificate@validFromDate",
            parse_date,
            BAD_DATE,
        )?,
        expiry_date: typed(
            root,
            "expiryDate",
            "Certificate@expiryDate",
            parse_date,
            BAD_DATE,
        )?,
        vehicle_classes: vehicle_classes(root)?,
        present_address,
        permanent_address,
        photo,
        issuing_authority: authority.or_else(|| text(root, "issuedAt")),
    })
}

fn check_root(root: Node<'_, '_>, doc_type: &'static str) -> Result<(), ParseError> {
    if root.tag_name().name() != "Certificate" {
        return Err(ParseError::WrongRoot {
            expected: "Certificate",
        });
    }
    match text(root, "type") {
        Some(t) if !t.eq_ignore_ascii_case(doc_type) => {
            Err(ParseError::WrongType { expected: doc_type })
        }
        _ => Ok(()),
    }
}

fn person<'a, 'i>(root: Node<'a, 'i>) -> Result<Node<'a, 'i>, ParseError> {
    let issued_to = require_child(root, "IssuedTo", "Certificate/IssuedTo")?;
    require_child(issued_to, "Person", "IssuedTo/Person")
}

/// The identity attributes every certificate's `Person` carries.
struct Holder {
    name: String,
    date_of_birth: Option<DateOfBirth>,
    gender: Option<Gender>,
}

impl Holder {
    fn read(person: Node<'_, '_>) -> Result<Self, ParseError> {
        Ok(Holder {
            name: require_text(person, "name", "Person@name")?,
            date_of_birth: typed(person, "dob", "Person@dob", parse_dob, BAD_DATE)?,
            gender: typed(
                person,
                "gender",
                "Person@gender",
                parse_gender,
                "not a known gender",
            )?,
        })
    }
}

/// Present and permanent addresses: `Address`/`Address2` elements told apart by `type`, else by
/// name (`Address` present, `Address2` permanent).
fn addresses(person: Node<'_, '_>) -> (Option<String>, Option<String>) {
    let (mut present, mut permanent) = (None, None);
    for node in person.children().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if !name.starts_with("Address") {
            continue;
        }
        let kind = text(node, "type").map(|t| t.to_ascii_lowercase());
        let slot = match (kind.as_deref(), name) {
            (Some("present"), _) | (None, "Address") => &mut present,
            (Some("permanent"), _) | (None, "Address2") => &mut permanent,
            _ => continue,
        };
        if slot.is_none() {
            *slot = address_line(node);
        }
    }
    (present, permanent)
}

fn address_line(node: Node<'_, '_>) -> Option<String> {
    const PARTS: [&str; 9] = [
        "house", "line1", "line2", "landmark", "locality", "vtc", "district", "state", "pin",
    ];
    let mut line = String::new();
    for part in PARTS.iter().filter_map(|p| text(node, p)) {
        // `line1` often already holds the city and PIN; don't repeat them.
        if part.chars().count() >= 3 && line.to_lowercase().contains(&part.to_lowercase()) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(&part);
    }
    (!line.is_empty()).then_some(line)
}

/// Every `Category` under `CertificateData`, plus flat `DrivingLicense` elements that carry a
/// class themselves (the API Setu schema shape), in document order.
fn vehicle_classes(root: Node<'_, '_>) -> Result<Vec<VehicleClass>, ParseError> {
    let Some(data) = child(root, "CertificateData") else {
        return Ok(Vec::new());
    };
    let is_class = |n: &Node<'_, '_>| match n.tag_name().name() {
        "Category" => true,
        "DrivingLicense" => ["abbreviation", "description", "code"]
            .iter()
            .any(|a| text(*n, a).is_some()),
        _ => false,
    };
    data.descendants()
        .filter(|n| n.is_element() && is_class(n))
        .map(|n| {
            Ok(VehicleClass {
                abbreviation: text(n, "abbreviation"),
                description: text(n, "description"),
                code: text(n, "code"),
                issue_date: typed(n, "issueDate", "Category@issueDate", parse_date, BAD_DATE)?,
            })
        })
        .collect()
}
