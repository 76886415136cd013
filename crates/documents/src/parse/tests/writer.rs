//! A test-only XML writer: renders a model the way an issuer might, in one of several styles.

use crate::model::{Aadhaar, AadhaarAddress, DateOfBirth, DrivingLicence, Gender, Pan, Photo};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use std::io::Write;

/// The accepted variations the writer may choose between.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    /// 0: `DD-MM-YYYY`, 1: `DD/MM/YYYY`, 2: `YYYY-MM-DD`, 3: `DD.MM.YYYY`.
    pub date_format: u8,
    /// 0: `M`, 1: `MALE`, 2: `Male`, 3: `male`.
    pub gender_spelling: u8,
    /// Absent values written as `attr=""` instead of being left out.
    pub blank_attributes: bool,
    /// Photos gzip-wrapped and split over lines.
    pub gzip_photo: bool,
    /// A trailing `Signature` element.
    pub signature: bool,
    /// Aadhaar: `Certificate` wrapper (else a bare `KycRes` with `Rar` and `Prn`).
    /// PAN: `PAN` element (else `PANVerificationRecord`). DL: typed addresses.
    pub primary_shape: bool,
    /// Aadhaar: a full 12-digit `uid` instead of a masked one.
    pub full_uid: bool,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn attrs(style: Style, pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        match v {
            Some(v) => out.push_str(&format!(" {k}=\"{}\"", escape(v))),
            None if style.blank_attributes => out.push_str(&format!(" {k}=\"\"")),
            None => {}
        }
    }
    out
}

fn date(style: Style, d: NaiveDate) -> String {
    let fmt = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"][usize::from(style.date_format % 4)];
    d.format(fmt).to_string()
}

fn dob(style: Style, d: Option<DateOfBirth>) -> Option<String> {
    d.map(|d| match d.date() {
        Some(full) => date(style, full),
        None => format!("{:04}", d.year()),
    })
}

fn gender(style: Style, g: Option<Gender>) -> Option<String> {
    let words = match g? {
        Gender::Male => ["M", "MALE", "Male", "male"],
        Gender::Female => ["F", "FEMALE", "Female", "female"],
        Gender::Transgender => ["T", "TRANSGENDER", "Transgender", "t"],
    };
    Some(words[usize::from(style.gender_spelling % 4)].to_owned())
}

fn photo(style: Style, p: &Option<Photo>) -> String {
    let Some(p) = p else { return String::new() };
    if !style.gzip_photo {
        return p.as_base64().to_owned();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&p.to_jpeg()).expect("in-memory write");
    let encoded = STANDARD.encode(gz.finish().expect("in-memory gzip"));
    // Issuers wrap base64 at 76 columns.
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    lines.join("\n")
}

fn signature(style: Style) -> &'static str {
    if style.signature {
        r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/><SignatureValue>AAAA</SignatureValue></Signature>"#
    } else {
        ""
    }
}

fn address_attrs(style: Style, a: &AadhaarAddress) -> String {
    attrs(
        style,
        &[
            ("house", a.house.clone()),
            ("street", a.street.clone()),
            ("lm", a.landmark.clone()),
            ("loc", a.locality.clone()),
            ("vtc", a.vtc.clone()),
            ("subdist", a.subdistrict.clone()),
            ("dist", a.district.clone()),
            ("state", a.state.clone()),
            ("pc", a.pincode.clone()),
            ("po", a.post_office.clone()),
            ("country", a.country.clone()),
        ],
    )
}

/// Renders an e-Aadhaar document.
pub(super) fn aadhaar(m: &Aadhaar, style: Style) -> String {
    let last = m.masked_number.last_four();
    let uid = if style.full_uid {
        format!("98765432{last}")
    } else {
        format!("xxxxxxxx{last}")
    };
    let ts = m
        .issued_at
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, false));
    let poi = attrs(
        style,
        &[
            ("dob", dob(style, m.date_of_birth)),
            ("gender", gender(style, m.gender)),
            ("name", Some(m.name.clone())),
        ],
    );
    let poa = format!(
        "{}{}",
        attrs(style, &[("co", m.care_of.clone())]),
        address_attrs(style, &m.address)
    );
    let ldata = m.local_language.as_ref().map_or(String::new(), |l| {
        let head = attrs(
            style,
            &[
                ("lang", l.language_code.clone()),
                ("name", l.name.clone()),
                ("co", l.care_of.clone()),
            ],
        );
        format!("<LData{head}{}/>", address_attrs(style, &l.address))
    });
    let pht = if m.photo.is_some() || style.blank_attributes {
        format!("<Pht>{}</Pht>", photo(style, &m.photo))
    } else {
        String::new()
    };
    let uid_data = format!(r#"<UidData tkn="" uid="{uid}"><Poi{poi}/><Poa{poa}/>{ldata}{pht}"#);
    let kyc_attrs = attrs(style, &[("ts", ts)]);
    if style.primary_shape {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Certificate><CertificateData><KycRes code="c" ret="Y"{kyc_attrs}>{uid_data}</UidData></KycRes></CertificateData>{}</Certificate>"#,
            signature(style)
        )
    } else {
        format!(
            r#"<KycRes xmlns="http://www.uidai.gov.in/kyc/uid-kyc-response/1.0" ret="Y"{kyc_attrs}><Rar>UmFy</Rar>{uid_data}<Prn type="pdf">UHJu</Prn></UidData>{}</KycRes>"#,
            signature(style)
        )
    }
}

fn date_time(style: Style, t: Option<NaiveDateTime>) -> Option<String> {
    t.map(|t| match style.date_format % 2 {
        0 => t.format("%d-%m-%Y %H:%M:%S").to_string(),
        _ => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    })
}

/// Renders a PAN verification record.
pub(super) fn pan(m: &Pan, style: Style) -> String {
    let head = attrs(
        style,
        &[
            ("number", Some(m.number.clone())),
            ("status", m.status.clone()),
        ],
    );
    let person = attrs(
        style,
        &[
            ("name", Some(m.name.clone())),
            ("dob", dob(style, m.date_of_birth)),
            ("swd", m.father_name.clone()),
            ("gender", gender(style, m.gender)),
        ],
    );
    let element = if style.primary_shape {
        "PAN"
    } else {
        "PANVerificationRecord"
    };
    let record = attrs(
        style,
        &[
            ("num", Some(m.number.clone())),
            ("verifiedOn", date_time(style, m.verified_on)),
        ],
    );
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Certificate language="99" name="PAN Verification Record" type="PANCR"{head} issuedAt="DigiLocker">
<IssuedBy><Organization name="Income Tax Department" type="CG"><Address type="" country="IN"/></Organization></IssuedBy>
<IssuedTo><Person uid=""{person}><Address type="permanent" country="IN"/><Photo format=""/></Person></IssuedTo>
<CertificateData><{element}{record}/></CertificateData><QRMeta/>{}</Certificate>"#,
        signature(style)
    )
}

/// Renders a driving licence.
pub(super) fn driving_licence(m: &DrivingLicence, style: Style) -> String {
    let d = |x: Option<NaiveDate>| x.map(|x| date(style, x));
    let head = attrs(
        style,
        &[
            ("number", Some(m.number.clone())),
            ("issueDate", d(m.issue_date)),
            ("validFromDate", d(m.valid_from)),
            ("expiryDate", d(m.expiry_date)),
        ],
    );
    let person = attrs(
        style,
        &[
            ("name", Some(m.name.clone())),
            ("dob", dob(style, m.date_of_birth)),
            ("gender", gender(style, m.gender)),
        ],
    );
    let (present_type, permanent_type) = if style.primary_shape {
        (r#" type="present""#, r#" type="permanent""#)
    } else {
        ("", "")
    };
    let present = attrs(style, &[("line1", m.present_address.clone())]);
    let permanent = attrs(style, &[("line1", m.permanent_address.clone())]);
    let classes: String = m
        .vehicle_classes
        .iter()
        .map(|c| {
            let a = attrs(
                style,
                &[
                    ("code", c.code.clone()),
                    ("abbreviation", c.abbreviation.clone()),
                    ("description", c.description.clone()),
                    ("issueDate", d(c.issue_date)),
                ],
            );
            format!("<Category{a} endorseDate=\"\"/>")
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Certificate language="99" name="Driving License" type="DRVLC"{head}>
<IssuedBy><Organization{}/></IssuedBy>
<IssuedTo><Person{person}><Address{present_type}{present}/><Address2{permanent_type}{permanent}/><Photo format="">{}</Photo></Person></IssuedTo>
<CertificateData><DrivingLicense verifiedOn="01-01-2026 12:00:00"><Categories>{classes}</Categories></DrivingLicense></CertificateData>{}</Certificate>"#,
        attrs(style, &[("name", m.issuing_authority.clone())]),
        photo(style, &m.photo),
        signature(style)
    )
}
