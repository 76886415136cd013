//! Issued documents: the list, and the files and XML behind their URIs.

use std::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::client::{header_text, read_body, MAX_FILE_BYTES};
use crate::scope::doctype_of_uri;
use crate::wire;
use crate::{AccessToken, DigiLockerClient, DigiLockerError};

/// One document in the user's issued-documents list.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct IssuedFile {
    /// Display name, e.g. `PAN Verification Record`.
    #[serde(default, deserialize_with = "text_or_empty")]
    pub name: String,
    /// The document URI, `<issuerid>-<DOCTYPE>-<docid>`, for the file and XML calls.
    #[serde(deserialize_with = "wire::text")]
    pub uri: String,
    /// The five-character doctype (taken from `uri` when the answer omits it).
    #[serde(default, deserialize_with = "text_or_empty")]
    pub doctype: String,
    /// The issuer's id, e.g. `in.gov.pan` (taken from `uri` when the answer omits it).
    #[serde(default, rename = "issuerid", deserialize_with = "text_or_empty")]
    pub issuer_id: String,
    /// The issuer's display name.
    #[serde(default, deserialize_with = "text_or_empty")]
    pub issuer: String,
    /// Document description.
    #[serde(default, deserialize_with = "text_or_empty")]
    pub description: String,
    /// Issue date as sent (`DD-MM-YYYY` in practice).
    #[serde(default, deserialize_with = "text_or_empty")]
    pub date: String,
    /// Available formats; `application/xml` means [`DigiLockerClient::xml_by_uri`] works.
    #[serde(default, deserialize_with = "wire::mime_list")]
    pub mime: Vec<String>,
}

impl fmt::Debug for IssuedFile {
    // The URI ends in the document number (PAN, DL number), which stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedFile")
            .field("doctype", &self.doctype)
            .field("issuer_id", &self.issuer_id)
            .field("date", &self.date)
            .field("mime", &self.mime)
            .finish_non_exhaustive()
    }
}

fn text_or_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(wire::opt_text(d)?.unwrap_or_default())
}

impl IssuedFile {
    /// Decodes `{"items":[...]}` (or a bare array) and fills doctype and issuer from the URI.
    pub(crate) fn list_from_value(value: Value) -> Result<Vec<Self>, DigiLockerError> {
        let items = match value {
            Value::Object(mut map) => map.remove("items").unwrap_or(Value::Array(Vec::new())),
            other => other,
        };
        let mut files: Vec<Self> = serde_json::from_value(items)
            .map_err(|err| DigiLockerError::decode("issued items", &err))?;
        for file in &mut files {
            if file.doctype.is_empty() {
                file.doctype = doctype_of_uri(&file.uri).unwrap_or_default().to_owned();
            }
            if file.issuer_id.is_empty() && !file.doctype.is_empty() {
                let marker = format!("-{}-", file.doctype);
                if let Some((issuer, _)) = file.uri.split_once(&marker) {
                    file.issuer_id = issuer.to_owned();
                }
            }
        }
        Ok(files)
    }
}

/// A document fetched from DigiLocker. `Debug` shows its size, never its content.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedFile {
    /// The raw body: PDF, image or XML.
    pub bytes: Vec<u8>,
    /// The `Content-Type` DigiLocker sent (`application/octet-stream` when absent).
    pub content_type: String,
    /// The `hmac` header, base64(HMAC-SHA256(client_secret, body)), when DigiLocker sent one.
    pub hmac: Option<String>,
}

impl fmt::Debug for FetchedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedFile")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .field("hmac", &self.hmac.is_some())
            .finish()
    }
}

impl FetchedFile {
    /// Whether the `hmac` header matches the body under `client_secret`, compared in constant
    /// time; `None` when no header was sent. The client already rejects a mismatch.
    pub fn hmac_matches(&self, client_secret: &SecretString) -> Option<bool> {
        let header = self.hmac.as_deref()?;
        let Some(tag) = decode_base64(header) else {
            return Some(false);
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.expose_secret().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(&self.bytes);
        Some(mac.verify_slice(&tag).is_ok())
    }
}

/// Base64 in any of the alphabets and padding styles seen from clients of this scheme.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
}

impl DigiLockerClient {
    /// The user's issued documents (`GET {api_base}/oauth2/2/files/issued`).
    pub async fn issued_files(
        &self,
        token: &AccessToken,
    ) -> Result<Vec<IssuedFile>, DigiLockerError> {
        let body: Value = self
            .get_json(token, &["oauth2", "2", "files", "issued"], "files/issued")
            .await?;
        IssuedFile::list_from_value(body)
    }

    /// The user's e-Aadhaar XML (`GET {api_base}/oauth2/3/xml/eaadhaar`).
    pub async fn eaadhaar_xml(&self, token: &AccessToken) -> Result<FetchedFile, DigiLockerError> {
        self.fetch(token, &["oauth2", "3", "xml", "eaadhaar"], "xml/eaadhaar")
            .await
    }

    /// An issued document's certificate XML (`GET {api_base}/oauth2/1/xml/{uri}`).
    pub async fn xml_by_uri(
        &self,
        token: &AccessToken,
        uri: &str,
    ) -> Result<FetchedFile, DigiLockerError> {
        self.fetch(token, &["oauth2", "1", "xml", uri], "xml").await
    }

    /// An issued document's file, usually a PDF (`GET {api_base}/oauth2/1/file/{uri}`).
    pub async fn file_by_uri(
        &self,
        token: &AccessToken,
        uri: &str,
    ) -> Result<FetchedFile, DigiLockerError> {
        self.fetch(token, &["oauth2", "1", "file", uri], "file")
            .await
    }

    /// GETs a document and rejects it when its `hmac` header does not match its body.
    async fn fetch(
        &self,
        token: &AccessToken,
        segments: &[&str],
        label: &'static str,
    ) -> Result<FetchedFile, DigiLockerError> {
        let request = self
            .inner
            .http
            .get(self.api_url(segments))
            .bearer_auth(token.expose());
        let response = self.send(request, label).await?;
        let content_type = header_text(response.headers(), "content-type")
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let hmac = header_text(response.headers(), "hmac");
        let file = FetchedFile {
            bytes: read_body(response, MAX_FILE_BYTES).await?,
            content_type,
            hmac,
        };
        if file.hmac_matches(&self.inner.config.client_secret) == Some(false) {
            tracing::warn!(
                endpoint = label,
                "DigiLocker document failed its hmac check"
            );
            return Err(DigiLockerError::HmacMismatch);
        }
        Ok(file)
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
