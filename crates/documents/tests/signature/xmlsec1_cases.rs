//! The files of the `xmlsec1` comparison: documents we signed, documents `xmlsec1` signed from
//! templates, and tampered variants of both.

use std::path::Path;
use std::process::Command;

use digigate_documents::signature::{sign_enveloped, SignatureMethod, SigningIdentity};

use super::fixtures::{
    expired_identity, fixture, pki_dir, replace, signature_of, signed, testdata,
};
use super::identities::{impostor, issued_by_the_document_signer};

/// Which roots both verifiers trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchors {
    /// The simulator's test root only.
    Main,
    /// The test root and the expired PKI's root.
    Both,
}

pub struct Case {
    pub name: String,
    pub xml: Vec<u8>,
    pub anchors: Anchors,
    pub expect_verified: bool,
    pub expect_reason: &'static str,
    /// Set when we refuse, by design, a document XML-DSig itself (and so `xmlsec1`) accepts.
    pub stricter_by_policy: Option<&'static str>,
}

fn case(name: &str, xml: String, expect_reason: &'static str) -> Case {
    Case {
        name: name.to_owned(),
        xml: xml.into_bytes(),
        anchors: Anchors::Main,
        expect_verified: expect_reason.is_empty(),
        expect_reason,
        stricter_by_policy: None,
    }
}

fn stricter(mut c: Case, why: &'static str) -> Case {
    c.stricter_by_policy = Some(why);
    c
}

fn both(mut c: Case) -> Case {
    c.anchors = Anchors::Both;
    c
}

/// `xmlsec1 --sign` of a template from `testdata/signature/`, with the test signer's key.
fn signed_by_xmlsec1(template: &str, dir: &Path) -> String {
    let chain = std::fs::read_to_string(pki_dir().join("signer-chain.pem")).expect("chain");
    let certs: Vec<&str> = chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    let signer = dir.join("xmlsec1-signer.pem");
    std::fs::write(&signer, certs[0]).expect("signer cert");
    // Like DigiLocker, put the intermediate into KeyInfo too.
    let intermediate = dir.join("xmlsec1-signer-intermediate.pem");
    std::fs::write(&intermediate, certs[1]).expect("intermediate cert");
    let key = pki_dir().join("signer-key.pem");
    let out = dir.join(format!("{template}.signed"));
    let status = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(format!(
            "{},{},{}",
            key.display(),
            signer.display(),
            intermediate.display()
        ))
        .arg("--output")
        .arg(&out)
        .arg(testdata().join("signature").join(format!("{template}.xml")))
        .status()
        .expect("xmlsec1 runs");
    assert!(status.success(), "xmlsec1 could not sign {template}");
    std::fs::read_to_string(out).expect("signed output")
}

fn sign_with(name: &str, identity: &SigningIdentity) -> String {
    sign_enveloped(&fixture(name), identity, SignatureMethod::RsaSha256).expect("signs")
}

pub fn cases(dir: &Path) -> Vec<Case> {
    use SignatureMethod::{RsaSha1, RsaSha256};
    let mut all = Vec::new();
    for name in ["aadhaar", "pan", "driving_licence"] {
        all.push(case(&format!("{name}-rsa-sha1"), signed(name, RsaSha1), ""));
        all.push(case(
            &format!("{name}-rsa-sha256"),
            signed(name, RsaSha256),
            "",
        ));
    }
    for template in [
        "xmlsec1_template_inclusive",
        "xmlsec1_template_exclusive_prefixes",
        "xmlsec1_template_namespaces",
    ] {
        let xml = signed_by_xmlsec1(template, dir);
        let name = template.replace("_template", "-signed");
        let tampered = xml.replacen("=\"1\"", "=\"2\"", 1);
        all.push(case(&name, xml, ""));
        all.push(case(
            &format!("{name}-tampered"),
            tampered,
            "digest_mismatch",
        ));
    }

    let aadhaar = signed("aadhaar", RsaSha1);
    let pan = signed("pan", RsaSha256);
    let sig = signature_of(&aadhaar).to_owned();
    let unsigned = aadhaar.replace(&sig, "");
    let forged = r#"<CertificateData><KycRes><Poi name="Forged"/></KycRes></CertificateData>"#;
    let value_at = aadhaar.find("<SignatureValue>").expect("value") + 30;
    let mut flipped = aadhaar.clone().into_bytes();
    flipped[value_at] = if flipped[value_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let data_start = aadhaar.find("<CertificateData>").expect("data");
    let data_end = aadhaar.find("</CertificateData>").expect("end") + "</CertificateData>".len();
    let data = &aadhaar[data_start..data_end];
    let in_2018 = replace(
        &fixture("aadhaar"),
        "2024-06-04T14:54:03.230+05:30",
        "2018-03-01T10:00:00.000+05:30",
    );
    let expired_in_2018 = sign_enveloped(&in_2018, &expired_identity(), RsaSha1).expect("signs");

    all.extend([
        case(
            "aadhaar-poi-name-changed",
            replace(&aadhaar, "Test Person", "Test Persom"),
            "digest_mismatch",
        ),
        case(
            "pan-photo-text-changed",
            replace(&pan, ">SAMPLE<", ">SAMPLF<"),
            "digest_mismatch",
        ),
        case(
            "aadhaar-attribute-added",
            replace(&aadhaar, "<Poi ", "<Poi extra=\"1\" "),
            "digest_mismatch",
        ),
        case(
            "aadhaar-signature-removed",
            unsigned.clone(),
            "no_signature",
        ),
        case(
            "aadhaar-signature-value-flipped",
            String::from_utf8(flipped).expect("utf8"),
            "signature_invalid",
        ),
        case(
            "aadhaar-signed-info-changed",
            replace(
                &aadhaar,
                "<Reference URI=\"\">",
                "<Reference URI=\"\" Id=\"r\">",
            ),
            "signature_invalid",
        ),
        case(
            "aadhaar-second-certificate-data",
            replace(&aadhaar, "<Certificate>", &format!("<Certificate>{forged}")),
            "digest_mismatch",
        ),
        case(
            "aadhaar-data-moved-under-wrapper",
            aadhaar.replacen(
                data,
                &format!(
                    "<Wrapper>{data}</Wrapper>{}",
                    data.replace("Test Person", "Forged")
                ),
                1,
            ),
            "digest_mismatch",
        ),
        case(
            "aadhaar-root-wrapped",
            replace(
                &replace(&aadhaar, "<Certificate>", "<W><Certificate>"),
                "</Certificate>",
                "</Certificate></W>",
            ),
            "signature_misplaced",
        ),
        case(
            "aadhaar-second-signature-inside",
            replace(&aadhaar, "<UidData ", &format!("{sig}<UidData ")),
            "multiple_signatures",
        ),
        case(
            "pan-comment-in-text",
            replace(&pan, ">SAMPLE<", ">SAM<!---->PLE<"),
            "",
        ),
        case(
            "aadhaar-reference-to-fragment",
            replace(
                &aadhaar,
                "<Reference URI=\"\">",
                "<Reference URI=\"#data\">",
            ),
            "reference_not_whole_document",
        ),
        case(
            "aadhaar-hmac-sha1",
            replace(&aadhaar, "xmldsig#rsa-sha1", "xmldsig#hmac-sha1"),
            "unsupported_algorithm",
        ),
        case(
            "aadhaar-untrusted-signer",
            expired_in_2018.clone(),
            "untrusted_signer",
        ),
        both(case(
            "pan-expired-signer",
            sign_with("pan", &expired_identity()),
            "certificate_expired",
        )),
        stricter(
            both(case(
                "aadhaar-expired-signer-back-dated",
                expired_in_2018,
                "signing_time_not_at_fetch",
            )),
            "an e-Aadhaar is generated when fetched; one dated years earlier is back-dated",
        ),
        case(
            "aadhaar-impostor-self-signed",
            sign_with("aadhaar", &impostor(false)),
            "untrusted_signer",
        ),
        case(
            "aadhaar-impostor-with-real-chain",
            sign_with("aadhaar", &impostor(true)),
            "untrusted_signer",
        ),
        case(
            "pan-issued-by-non-ca-signer",
            sign_with("pan", &issued_by_the_document_signer()),
            "issuer_not_ca",
        ),
        stricter(
            case(
                "aadhaar-signature-moved-first",
                replace(&unsigned, "<Certificate>", &format!("<Certificate>{sig}")),
                "signature_misplaced",
            ),
            "DigiLocker's signature is always the root's last child",
        ),
        stricter(
            case(
                "aadhaar-object-with-forged-data",
                replace(
                    &aadhaar,
                    "</KeyInfo>",
                    &format!("</KeyInfo><Object>{forged}</Object>"),
                ),
                "malformed_signature",
            ),
            "nothing unsigned may sit inside Signature",
        ),
        stricter(
            case(
                "aadhaar-doctype",
                replace(
                    &aadhaar,
                    "<Certificate>",
                    "<!DOCTYPE Certificate [<!ENTITY e \"x\">]>\n<Certificate>",
                ),
                "dtd_forbidden",
            ),
            "DTDs are refused before anything else",
        ),
    ]);
    all
}
