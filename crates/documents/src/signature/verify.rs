//! Verifying a DigiLocker document's enveloped signature against configured trust anchors.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use roxmltree::{Document, Node};
use sha2::{Digest, Sha256};
use x509_cert::der::Decode;
use x509_cert::Certificate;

use super::algorithms::DSIG_NS;
use super::c14n::canonicalize;
use super::certificates::{rsa_key, serial_hex, subject, summary};
use super::report::{hex, Verification, VerificationReport, VerificationStatus};
use super::signers::declared_type;
use super::structure;
use super::trust::TrustStore;
use super::xml;
use crate::model::DocTypeCode;

/// How far an e-Aadhaar's `KycRes@ts` may lie from the time it was received, either way.
/// DigiLocker generates (and signs) the e-Aadhaar when the partner asks for it, and a fetch
/// lasts at most the client's timeout (30 s): the difference is clock skew between DigiLocker
/// and us, seconds with NTP. Ten minutes covers a badly synchronised host while refusing the
/// months or years by which a document signed with a retired or leaked key would be back-dated
/// (`docs/signatures.md`).
pub const EAADHAAR_SIGNING_TIME_TOLERANCE: chrono::Duration = chrono::Duration::minutes(10);
/// The offset DigiLocker's local timestamps are in when they carry none (IST).
const IST_SECONDS: i32 = 5 * 3600 + 1800;

/// What the caller knows about a document apart from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// The type asked of DigiLocker; `None` (an auditor's file) takes the type the document
    /// declares (`KycRes` for the e-Aadhaar, else `Certificate@type`).
    pub doc_type: Option<DocTypeCode>,
    /// When the document arrived from DigiLocker.
    pub at: DateTime<Utc>,
}

/// [`verify_received`] for a document of undeclared type received at `now`.
pub fn verify(xml: &[u8], trust: &TrustStore, now: DateTime<Utc>) -> Verification {
    verify_received(
        xml,
        trust,
        Received {
            doc_type: None,
            at: now,
        },
    )
}

/// Verifies the enveloped signature of the document `xml` (raw bytes as received).
///
/// In order: size, UTF-8, DTD refusal, well-formedness and nesting; exactly one `Signature`,
/// the last element child of the root; its structure and algorithms; the digest of the document
/// without the signature; the RSA signature of `SignedInfo` by a `KeyInfo` certificate; and a
/// chain from that certificate to an anchor of `trust`, every certificate valid at the signing
/// time (`KycRes@ts` when present, else the time received); and a signer matching one of the
/// store's signer rules for the document's type (`unexpected_signer` otherwise). A document
/// declaring another type than the one asked for fails as `document_type_mismatch`. An
/// e-Aadhaar must carry `KycRes@ts` within [`EAADHAAR_SIGNING_TIME_TOLERANCE`] of the time it was
/// received (`signing_time_not_at_fetch`, `signing_time_in_future`). The first
/// failed step is the report's reason. With an empty `trust` a document that passes every other
/// step is `unverified`, not `verified`; so is a document with no signature at all.
pub fn verify_received(xml: &[u8], trust: &TrustStore, received: Received) -> Verification {
    let mut report = VerificationReport::new(hex(&Sha256::digest(xml)));
    let signed_content = match check(xml, trust, received, &mut report) {
        Ok(content) => {
            report.status = VerificationStatus::Verified;
            Some(content)
        }
        Err(Stop::Failed(reason)) => {
            report.status = VerificationStatus::Failed;
            report.reason = Some(reason.to_owned());
            None
        }
        Err(Stop::Unverified(reason)) => {
            report.status = VerificationStatus::Unverified;
            report.reason = Some(reason.to_owned());
            None
        }
    };
    Verification {
        report,
        signed_content,
    }
}

enum Stop {
    Failed(&'static str),
    Unverified(&'static str),
}

impl From<&'static str> for Stop {
    fn from(reason: &'static str) -> Self {
        Self::Failed(reason)
    }
}

fn check(
    bytes: &[u8],
    trust: &TrustStore,
    received: Received,
    report: &mut VerificationReport,
) -> Result<String, Stop> {
    let now = received.at;
    report.fetched_at = Some(rfc3339(now));
    let text = xml::decode(bytes).map_err(|r| r.reason())?;
    let doc = xml::parse(text).map_err(|r| r.reason())?;
    let signature = the_signature(&doc, trust)?;
    let parts = structure::read(signature, report)?;

    let content = canonicalize(
        doc.root(),
        &parts.reference_canonicalization,
        Some(signature.id()),
    );
    let matched = parts.digest.digest(content.as_bytes()) == parts.digest_value;
    report.digest_matched = Some(matched);
    if !matched {
        return Err("digest_mismatch".into());
    }

    let certificates = parts
        .certificates
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "malformed_certificate")?;
    if certificates.is_empty() {
        return Err("missing_certificate".into());
    }
    report.chain = certificates.iter().map(summary).collect();
    let signed_info = canonicalize(parts.signed_info, &parts.canonicalization, None);
    let signer = certificates
        .iter()
        .find(|cert| {
            rsa_key(cert).is_some_and(|key| {
                parts
                    .method
                    .verify(&key, signed_info.as_bytes(), &parts.signature_value)
            })
        })
        .ok_or("signature_invalid")?;
    report.signer_subject = Some(subject(signer));
    report.signer_serial = Some(serial_hex(signer));

    let declared = declared_type(&doc);
    if let (Some(asked), Some(declared)) = (received.doc_type, declared) {
        if asked != declared {
            return Err("document_type_mismatch".into());
        }
    }
    let doc_type = received.doc_type.or(declared);
    report.doc_type = doc_type.map(|t| t.api_name().to_owned());
    report.expected_signers = trust
        .rules_for(doc_type)
        .iter()
        .map(ToString::to_string)
        .collect();
    if trust.is_empty() {
        return Err(Stop::Unverified("no_trust_anchors"));
    }
    let (at, source) = signing_time(&doc, doc_type, now)?;
    report.validity_checked_at = Some(rfc3339(at));
    report.signing_time_source = Some(source.to_owned());
    let chain = trust.chain(signer, &certificates, at)?;
    report.chain = chain.iter().map(summary).collect();
    let rule = trust.expected_signer(signer, doc_type)?;
    report.signer_rule = Some(rule.to_string());
    if source == KYCRES_TS {
        // A signing time far from the fetch is a back-dated (or post-dated) document.
        if at > now + EAADHAAR_SIGNING_TIME_TOLERANCE {
            return Err("signing_time_in_future".into());
        }
        if at < now - EAADHAAR_SIGNING_TIME_TOLERANCE {
            return Err("signing_time_not_at_fetch".into());
        }
    }
    Ok(content)
}

/// The one `Signature` element, which must be the root's last element child.
fn the_signature<'a, 'input>(
    doc: &'a Document<'input>,
    trust: &TrustStore,
) -> Result<Node<'a, 'input>, Stop> {
    let mut found = doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Signature");
    let signature = match (found.next(), found.next()) {
        (None, _) if trust.is_empty() => return Err(Stop::Unverified("no_signature")),
        (None, _) => return Err("no_signature".into()),
        (Some(_), Some(_)) => return Err("multiple_signatures".into()),
        (Some(one), None) => one,
    };
    if signature.tag_name().namespace() != Some(DSIG_NS) {
        return Err("malformed_signature".into());
    }
    let last_of_root = signature.parent() == Some(doc.root_element())
        && !signature.next_siblings().skip(1).any(|n| n.is_element());
    if !last_of_root {
        return Err("signature_misplaced".into());
    }
    Ok(signature)
}

/// `signing_time_source` when the signing time is the e-Aadhaar's `KycRes@ts`.
const KYCRES_TS: &str = "kycres_ts";
/// `signing_time_source` when the signing time is when the document was received.
const RECEIVED_AT: &str = "fetched_at";

/// The time certificates are checked at and where it came from: `KycRes@ts` when present
/// (required for an e-Aadhaar), otherwise the time the document was received.
fn signing_time(
    doc: &Document<'_>,
    doc_type: Option<DocTypeCode>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, &'static str), Stop> {
    let ts = doc
        .descendants()
        .find(|n| n.has_tag_name("KycRes"))
        .and_then(|n| n.attribute("ts"));
    match ts {
        Some(ts) => Ok((
            parse_timestamp(ts).ok_or("invalid_signing_time")?,
            KYCRES_TS,
        )),
        None if doc_type == Some(DocTypeCode::Aadhaar) => Err("invalid_signing_time".into()),
        None => Ok((now, RECEIVED_AT)),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An RFC 3339 timestamp, or a local one without offset, which DigiLocker means as IST.
fn parse_timestamp(ts: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ts) {
        return Some(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(ts, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let ist = FixedOffset::east_opt(IST_SECONDS)?;
    ist.from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}
