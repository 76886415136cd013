//! What the verifier needs to know about one X.509 certificate: its RSA key, who issued it,
//! whether it may issue others, when it is valid, and a summary for the report.

use chrono::{DateTime, Utc};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use x509_cert::der::oid::{AssociatedOid, ObjectIdentifier};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::report::{hex, CertificateSummary};

/// Keys shorter than this are refused anywhere in a chain.
pub(crate) const MIN_RSA_BITS: usize = 2048;

const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Every certificate of a PEM bundle. `Certificate::load_pem_chain` (x509-cert 0.2.5) panics on
/// input that is empty or only whitespace, so that case is answered here.
pub(crate) fn load_pem_chain(pem: &[u8]) -> Result<Vec<Certificate>, String> {
    if pem.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    Certificate::load_pem_chain(pem).map_err(|e| e.to_string())
}

/// The certificate's RSA public key, or `None` when it holds another kind of key.
pub(crate) fn rsa_key(cert: &Certificate) -> Option<RsaPublicKey> {
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}

/// Whether the key is long enough to be trusted.
pub(crate) fn strong_enough(key: &RsaPublicKey) -> bool {
    key.size() * 8 >= MIN_RSA_BITS
}

/// Certificate links already checked, by the SHA-256 of both certificates' DER: the same
/// signer, sub-CA and root sign every document, and checking a link is an RSA verification
/// (num-bigint-dig's, about 0.3 ms) whose outcome depends on those bytes alone.
static CHECKED_LINKS: LazyLock<Mutex<HashMap<[u8; 64], bool>>> = LazyLock::new(Default::default);

/// Links remembered before the memo starts afresh.
const MAX_CHECKED_LINKS: usize = 1024;

/// Whether `issuer` issued `cert`: the names match and `issuer`'s key verifies the signature.
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let (Ok(cert_der), Ok(issuer_der)) = (cert.to_der(), issuer.to_der()) else {
        return false;
    };
    let mut link = [0u8; 64];
    link[..32].copy_from_slice(&Sha256::digest(&cert_der));
    link[32..].copy_from_slice(&Sha256::digest(&issuer_der));
    let memo = || CHECKED_LINKS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = memo().get(&link) {
        return *known;
    }
    let outcome = signature_verifies(cert, issuer);
    let mut links = memo();
    if links.len() >= MAX_CHECKED_LINKS {
        links.clear();
    }
    links.insert(link, outcome);
    outcome
}

/// Whether `issuer`'s key verifies `cert`'s signature.
fn signature_verifies(cert: &Certificate, issuer: &Certificate) -> bool {
    let (Some(key), Ok(tbs)) = (rsa_key(issuer), cert.tbs_certificate.to_der()) else {
        return false;
    };
    let Some(signature) = cert.signature.as_bytes() else {
        return false;
    };
    let oid = cert.signature_algorithm.oid;
    let outcome = if oid == SHA256_WITH_RSA {
        key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(&tbs),
            signature,
        )
    } else if oid == SHA1_WITH_RSA {
        key.verify(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(&tbs), signature)
    } else if oid == SHA384_WITH_RSA {
        key.verify(
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(&tbs),
            signature,
        )
    } else if oid == SHA512_WITH_RSA {
        key.verify(
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(&tbs),
            signature,
        )
    } else {
        return false;
    };
    outcome.is_ok()
}

/// The `basicConstraints` CA flag: `None` when the extension is absent or unreadable.
pub(crate) fn is_ca(cert: &Certificate) -> Option<bool> {
    let extensions = cert.tbs_certificate.extensions.as_ref()?;
    let ext = extensions
        .iter()
        .find(|e| e.extn_id == BasicConstraints::OID)?;
    BasicConstraints::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|bc| bc.ca)
}

/// `Ok` when `at` lies within the certificate's validity, otherwise the report reason.
pub(crate) fn valid_at(cert: &Certificate, at: DateTime<Utc>) -> Result<(), &'static str> {
    let validity = &cert.tbs_certificate.validity;
    let at = at.timestamp();
    if at < seconds(&validity.not_before) {
        Err("certificate_not_yet_valid")
    } else if at > seconds(&validity.not_after) {
        Err("certificate_expired")
    } else {
        Ok(())
    }
}

fn seconds(time: &Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn rfc3339(time: &Time) -> String {
    DateTime::<Utc>::from_timestamp(seconds(time), 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The certificate's serial number, lowercase hex.
pub(crate) fn serial_hex(cert: &Certificate) -> String {
    hex(cert.tbs_certificate.serial_number.as_bytes())
}

/// The subject as an RFC 4514 string.
pub(crate) fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// The certificate as it appears in a report.
pub(crate) fn summary(cert: &Certificate) -> CertificateSummary {
    let tbs = &cert.tbs_certificate;
    CertificateSummary {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: serial_hex(cert),
        not_before: rfc3339(&tbs.validity.not_before),
        not_after: rfc3339(&tbs.validity.not_after),
        sha256_fingerprint: cert
            .to_der()
            .map(|der| hex(&Sha256::digest(der)))
            .unwrap_or_default(),
    }
}
