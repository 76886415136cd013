//! What a fetched session becomes in storage: each document sealed with its verification and
//! clear metadata, and the profile in Sandbox's shape, sealed.

use crate::config::GatewayConfig;
use crate::envelope::now_ms;
use crate::vault::{sha256_hex, DataKey};
use digigate_core::DocType;
use digigate_digilocker::{FetchedFile, IssuedFile, TokenGrant, UserDetails};
use digigate_store::{DocumentRecord, ProfileRecord};
use serde_json::json;

/// The Sandbox-shaped profile, sealed with the session's data key.
pub(super) fn profile_record(
    session_id: &str,
    data_key: &DataKey,
    user: &UserDetails,
) -> ProfileRecord {
    ProfileRecord {
        session_id: session_id.to_owned(),
        sealed: data_key.seal(
            &format!("profile:{session_id}"),
            sandbox_profile(user).to_string().as_bytes(),
        ),
    }
}

/// The granted URI of `doc_type`'s document, if the `scope` names one.
pub(super) fn granted_uri(grant: &TokenGrant, doc_type: DocType) -> Option<String> {
    let code = format!("-{}-", doc_type.digilocker_code());
    grant.granted_uris().into_iter().find(|u| u.contains(&code))
}

/// The stored record of a fetched document: verified, sealed with the session's data key,
/// with only `<issuer>-<DOCTYPE>` of its URI in the clear.
pub(super) fn document_record(
    session_id: &str,
    doc_type: DocType,
    item: Option<&IssuedFile>,
    grant: &TokenGrant,
    file: FetchedFile,
    key: &DataKey,
    cfg: &GatewayConfig,
) -> DocumentRecord {
    let id = uuid::Uuid::new_v4().to_string();
    let examined = super::trust::examine(
        doc_type,
        &file.bytes,
        file.hmac.is_some(),
        &cfg.trust_store,
        cfg.require_hmac,
    );
    let (issuer_id, issuer, description) = match (item, doc_type) {
        (Some(i), _) => (i.issuer_id.clone(), i.issuer.clone(), i.description.clone()),
        (None, DocType::Aadhaar) => (
            "in.gov.uidai".to_owned(),
            "Unique Identification Authority of India (UIDAI)".to_owned(),
            "Aadhaar Card".to_owned(),
        ),
        (None, d) => (String::new(), String::new(), d.as_str().to_owned()),
    };
    let last_modified = item
        .map(|i| i.date.replace('-', "/"))
        .filter(|d| d.len() == 10)
        .unwrap_or_else(|| chrono::Utc::now().format("%d/%m/%Y").to_string());
    // A URI ends in the document's number (a PAN, a licence number): keep only
    // `<issuer>-<DOCTYPE>` in the clear.
    let uri = granted_uri(grant, doc_type)
        .or_else(|| item.map(|i| i.uri.clone()))
        .and_then(|u| u.rsplit_once('-').map(|(head, _)| head.to_owned()))
        .unwrap_or_default();
    let normalised_sealed = examined
        .normalised
        .map(|n| key.seal(&format!("normalised:{id}"), &n));
    DocumentRecord {
        sealed: key.seal(&format!("document:{id}"), &file.bytes),
        id,
        session_id: session_id.to_owned(),
        doc_type,
        content_type: file.content_type.clone(),
        size: file.bytes.len() as i64,
        sha256: sha256_hex(&file.bytes),
        uri,
        issuer_id,
        issuer,
        description,
        last_modified,
        created_at_ms: now_ms(),
        verification: Some(examined.verification),
        normalised_sealed,
    }
}

/// The profile in Sandbox's shape: `date_of_birth` `DD/MM/YYYY`, lowercase `gender`, boolean `eaadhaar`.
fn sandbox_profile(u: &UserDetails) -> serde_json::Value {
    let dob = u
        .dob
        .as_deref()
        .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()));
    let gender = match u.gender.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("M" | "MALE") => "male",
        Some("F" | "FEMALE") => "female",
        Some("T" | "TRANSGENDER") => "transgender",
        _ => "",
    };
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
        "id": u.digilocker_id,
        "name": u.name,
        "date_of_birth": dob.map(|d| format!("{}/{}/{}", &d[..2], &d[2..4], &d[4..])).unwrap_or_default(),
        "gender": gender,
        "eaadhaar": u.eaadhaar,
        "mobile": u.mobile.clone().unwrap_or_default(),
        "email": u.email.clone().unwrap_or_default(),
    })
}
