//! The holder's photograph, as embedded in Aadhaar and driving-licence XML.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A photograph (JPEG in practice), serialised as standard padded base64 without line breaks.
///
/// Any gzip wrapping found in the source document has already been removed.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo(String);

impl Photo {
    /// Wraps the raw image bytes.
    pub fn from_jpeg(bytes: &[u8]) -> Self {
        Self(STANDARD.encode(bytes))
    }

    /// The image as standard base64.
    pub fn as_base64(&self) -> &str {
        &self.0
    }

    /// The raw image bytes.
    pub fn to_jpeg(&self) -> Vec<u8> {
        // The string was produced by `STANDARD.encode` or checked on deserialisation.
        STANDARD.decode(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo({} base64 chars)", self.0.len())
    }
}

impl Serialize for Photo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Photo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = STANDARD
            .decode(&s)
            .map_err(|_| serde::de::Error::custom("photo is not standard base64"))?;
        Ok(Self::from_jpeg(&bytes))
    }
}
