//! e-Aadhaar: `Certificate/CertificateData/KycRes` (DigiLocker v3) or a bare `KycRes` (v2).

use super::tree::{child, inner_text, require_child, require_text, text, typed};
use super::values::{parse_dob, parse_gender, parse_photo, parse_timestamp};
use super::ParseError;
use crate::model::{Aadhaar, AadhaarAddress, LocalLanguage, MaskedAadhaar};
use roxmltree::Node;

/// Reads the Aadhaar model from the document's root element.
pub(super) fn from_root(root: Node<'_, '_>) -> Result<Aadhaar, ParseError> {
    let kyc = match root.tag_name().name() {
        "KycRes" => root,
        "Certificate" => {
            let data = require_child(root, "CertificateData", "Certificate/CertificateData")?;
            require_child(data, "KycRes", "CertificateData/KycRes")?
        }
        _ => {
            return Err(ParseError::WrongRoot {
                expected: "Certificate or KycRes",
            })
        }
    };
    // `Rar`, `Prn` and an inner `Signature` may sit beside `UidData`; none of them is needed.
    let uid_data = require_child(kyc, "UidData", "KycRes/UidData")?;
    let uid = require_text(uid_data, "uid", "UidData@uid")?;
    let masked_number = MaskedAadhaar::from_uid(&uid).ok_or(ParseError::Invalid {
        what: "UidData@uid",
        problem: "not a masked or 12-digit Aadhaar number",
    })?;
    let poi = require_child(uid_data, "Poi", "UidData/Poi")?;
    let poa = child(uid_data, "Poa");
    let photo = match child(uid_data, "Pht") {
        None => None,
        Some(pht) => parse_photo(&inner_text(pht)).map_err(|problem| ParseError::Invalid {
            what: "UidData/Pht",
            problem,
        })?,
    };
    Ok(Aadhaar {
        masked_number,
        name: require_text(poi, "name", "Poi@name")?,
        date_of_birth: typed(poi, "dob", "Poi@dob", parse_dob, "not a known date format")?,
        gender: typed(
            poi,
            "gender",
            "Poi@gender",
            parse_gender,
            "not a known gender",
        )?,
        care_of: poa.and_then(|p| text(p, "co")),
        address: poa.map(address).unwrap_or_default(),
        local_language: child(uid_data, "LData").map(local_language),
        photo,
        issued_at: typed(kyc, "ts", "KycRes@ts", parse_timestamp, "not a timestamp")?,
    })
}

fn address(node: Node<'_, '_>) -> AadhaarAddress {
    AadhaarAddress {
        house: text(node, "house"),
        street: text(node, "street"),
        landmark: text(node, "lm"),
        locality: text(node, "loc"),
        vtc: text(node, "vtc"),
        subdistrict: text(node, "subdist"),
        district: text(node, "dist"),
        state: text(node, "state"),
        pincode: text(node, "pc"),
        post_office: text(node, "po"),
        country: text(node, "country"),
    }
}

fn local_language(node: Node<'_, '_>) -> LocalLanguage {
    LocalLanguage {
        language_code: text(node, "lang"),
        name: text(node, "name"),
        care_of: text(node, "co"),
        address: address(node),
    }
}
