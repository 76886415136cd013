//! Lenient decoders for the field types DigiLocker spells more than one way.
//!
//! The OpenAPI, the PDFs and live answers disagree on types (`dob` string or integer,
//! `eaadhaar` `"Y"` or boolean, `mime` string or array). Each helper accepts all of them.
//! Error messages name the expected shape, never the value received.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// An optional string that may arrive as a number; blank strings become `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err(D::Error::custom("expected a string or a number")),
    }
}

/// A required string that may arrive as a number.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_text(d)?.ok_or_else(|| D::Error::custom("expected a non-empty string"))
}

/// A date of birth in `DDMMYYYY`; the OpenAPI types it as an integer, which drops the leading
/// zero of days 01 to 09, so numbers are padded back to eight digits.
pub(crate) fn opt_dob<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) => Ok(Some(format!("{v:08}"))),
            None => Err(D::Error::custom("expected dob as DDMMYYYY")),
        },
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(D::Error::custom("expected dob as a string or a number")),
    }
}

/// A yes/no flag: `"Y"`/`"N"`, `"true"`/`"false"`, a boolean or `1`/`0`.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) => Ok(n.as_u64().map(|v| v != 0)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "1" => Ok(Some(true)),
            "n" | "no" | "false" | "0" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(D::Error::custom("expected a Y/N flag")),
        },
        Some(_) => Err(D::Error::custom("expected a Y/N flag")),
    }
}

/// An optional integer (epoch seconds) that may arrive as a numeric string.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected an integer")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom("expected an integer")),
        Some(_) => Err(D::Error::custom("expected an integer")),
    }
}

/// MIME types: a single string in `/oauth2/1/files/issued`, an array in `/oauth2/2/...`.
pub(crate) fn mime_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(D::Error::custom("expected mime as a string array")),
            })
            .collect(),
        Some(_) => Err(D::Error::custom("expected mime as a string or an array")),
    }
}

/// The identity fields that the token answer and the user answer share, under every spelling
/// seen: `digilockerid` / `digilocker_id`, `eaadhaar` / `eaadhar`, `dob` as string or number.
#[derive(Clone, Default, Serialize)]
pub(crate) struct IdentityFields {
    pub(crate) digilocker_id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) dob: Option<String>,
    pub(crate) gender: Option<String>,
    pub(crate) eaadhaar: Option<bool>,
    pub(crate) reference_key: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) consent_valid_till: Option<i64>,
}

impl IdentityFields {
    /// Picks the fields out of a decoded JSON object. Taking a map rather than deriving lets
    /// both spellings of a field appear at once without a "duplicate field" failure.
    pub(crate) fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
        Ok(Self {
            digilocker_id: field(map, &["digilockerid", "digilocker_id"], opt_text)?,
            name: field(map, &["name"], opt_text)?,
            dob: field(map, &["dob"], opt_dob)?,
            gender: field(map, &["gender"], opt_text)?,
            eaadhaar: field(map, &["eaadhaar", "eaadhar"], opt_flag)?,
            reference_key: field(map, &["reference_key"], opt_text)?,
            mobile: field(map, &["mobile"], opt_text)?,
            email: field(map, &["email"], opt_text)?,
            consent_valid_till: field(map, &["consent_valid_till"], opt_i64)?,
        })
    }
}

impl TryFrom<Map<String, Value>> for IdentityFields {
    type Error = String;

    fn try_from(map: Map<String, Value>) -> Result<Self, String> {
        Self::from_map(&map)
    }
}

/// The first spelling present (and not null) decoded with `decode`; names the field on failure.
fn field<T>(
    map: &Map<String, Value>,
    names: &[&str],
    decode: fn(Value) -> Result<Option<T>, serde_json::Error>,
) -> Result<Option<T>, String> {
    for name in names {
        match map.get(*name) {
            None | Some(Value::Null) => continue,
            Some(value) => {
                return decode(value.clone()).map_err(|err| format!("field `{name}`: {err}"));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "super::opt_dob")]
        dob: Option<String>,
        #[serde(default, deserialize_with = "super::opt_flag")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "super::opt_i64")]
        ts: Option<i64>,
        #[serde(default, deserialize_with = "super::mime_list")]
        mime: Vec<String>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect("probe decodes")
    }

    #[test]
    fn dob_as_a_number_is_padded_to_eight_digits() {
        assert_eq!(
            probe(r#"{"dob":31121970}"#).dob.as_deref(),
            Some("31121970")
        );
        assert_eq!(probe(r#"{"dob":1011990}"#).dob.as_deref(), Some("01011990"));
        assert_eq!(
            probe(r#"{"dob":"01011990"}"#).dob.as_deref(),
            Some("01011990")
        );
        assert_eq!(probe(r#"{"dob":""}"#).dob, None);
    }

    #[test]
    fn flags_accept_every_spelling() {
        for (json, want) in [
            (r#"{"flag":"Y"}"#, Some(true)),
            (r#"{"flag":"N"}"#, Some(false)),
            (r#"{"flag":true}"#, Some(true)),
            (r#"{"flag":"false"}"#, Some(false)),
            (r#"{"flag":1}"#, Some(true)),
            (r#"{}"#, None),
        ] {
            assert_eq!(probe(json).flag, want, "{json}");
        }
    }

    #[test]
    fn epoch_seconds_accept_numbers_and_numeric_strings() {
        assert_eq!(probe(r#"{"ts":1684731048}"#).ts, Some(1_684_731_048));
        assert_eq!(probe(r#"{"ts":"1684731048"}"#).ts, Some(1_684_731_048));
    }

    #[test]
    fn mime_accepts_a_string_or_an_array() {
        assert_eq!(
            probe(r#"{"mime":"application/pdf"}"#).mime,
            ["application/pdf"]
        );
        assert_eq!(
            probe(r#"{"mime":["application/pdf","application/xml"]}"#).mime,
            ["application/pdf", "application/xml"]
        );
        assert!(probe(r#"{"mime":""}"#).mime.is_empty());
    }

    #[test]
    fn identity_fields_accept_both_spellings_even_together() {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"digilocker_id":"id-1","digilockerid":"id-1","eaadhar":"Y","dob":1011990}"#,
        )
        .expect("object");
        let fields = super::IdentityFields::from_map(&map).expect("decodes");
        assert_eq!(fields.digilocker_id.as_deref(), Some("id-1"));
        assert_eq!(fields.eaadhaar, Some(true));
        assert_eq!(fields.dob.as_deref(), Some("01011990"));
    }

    #[test]
    fn a_bad_flag_is_rejected_without_quoting_it() {
        let err = serde_json::from_str::<Probe>(r#"{"flag":"Sunil"}"#)
            .err()
            .expect("rejected");
        assert!(!err.to_string().contains("Sunil"));
    }
}
