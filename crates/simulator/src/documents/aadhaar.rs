//! The e-Aadhaar XML (reference §5.1).

use super::{element, last_four, XML_DECLARATION};
use crate::ids::derived_id;
use crate::personas::{AadhaarRecord, Persona};
use chrono::{DateTime, FixedOffset, Months};

/// The e-Aadhaar XML (`/oauth2/3/xml/eaadhaar`, and the `ADHAR` URI's XML), §5.1 shape, unsigned.
/// DigiLocker generates it when asked: `KycRes@ts` is `generated_at` (IST) and `ttl` a year later.
pub(crate) fn eaadhaar_xml(
    persona: &Persona,
    a: &AadhaarRecord,
    generated_at: DateTime<FixedOffset>,
) -> Vec<u8> {
    let code = derived_id(&["kyc", &persona.digilockerid]);
    let ts = generated_at.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string();
    let ttl = (generated_at + Months::new(12))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let txn = format!("UKC:{code}{}", generated_at.format("%Y%m%d%H%M%S"));
    let tkn = format!(
        "01002274{}",
        derived_id(&["tkn", &persona.digilockerid]).to_uppercase()
    );
    let uid = format!("xxxxxxxx{}", last_four(&a.number));
    let addr = &a.address;
    let local = a.local.as_ref();
    let la = local.map(|l| l.address.clone()).unwrap_or_default();
    let lang = local.map_or("", |l| l.lang.as_str());
    let lname = local.map_or("", |l| l.name.as_str());
    let lco = local.map_or("", |l| l.care_of.as_str());
    let mut out = String::with_capacity(2048);
    out.push_str(XML_DECLARATION);
    out.push_str("\n<Certificate><CertificateData>");
    element(
        &mut out,
        "KycRes",
        &[
            ("code", &code),
            ("ret", "Y"),
            ("ts", &ts),
            ("ttl", &ttl),
            ("txn", &txn),
        ],
        false,
    );
    element(&mut out, "UidData", &[("tkn", &tkn), ("uid", &uid)], false);
    element(
        &mut out,
        "Poi",
        &[
            ("dob", &a.dob),
            ("gender", a.gender.code()),
            ("name", &a.name),
        ],
        true,
    );
    element(
        &mut out,
        "Poa",
        &[
            ("co", &a.care_of),
            ("country", &addr.country),
            ("dist", &addr.district),
            ("house", &addr.house),
            ("lm", &addr.landmark),
            ("loc", &addr.locality),
            ("pc", &addr.pincode),
            ("po", &addr.post_office),
            ("state", &addr.state),
            ("street", &addr.street),
            ("subdist", &addr.subdistrict),
            ("vtc", &addr.vtc),
        ],
        true,
    );
    element(
        &mut out,
        "LData",
        &[
            ("co", lco),
            ("country", &la.country),
            ("dist", &la.district),
            ("house", &la.house),
            ("lang", lang),
            ("lm", &la.landmark),
            ("loc", &la.locality),
            ("name", lname),
            ("pc", &la.pincode),
            ("po", &la.post_office),
            ("state", &la.state),
            ("street", &la.street),
            ("subdist", &la.subdistrict),
            ("vtc", &la.vtc),
        ],
        true,
    );
    out.push_str("<Pht>");
    out.push_str(&persona.photo_base64());
    out.push_str("</Pht></UidData></KycRes></CertificateData></Certificate>\n");
    out.into_bytes()
}
