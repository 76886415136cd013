//! The Sandbox-compatible `sessions/init` request, validated field by field so that a bad
//! request is answered with a message naming the field and what is wrong with it.

use crate::DocType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use url::{Host, Url};

/// The `@entity` tag an init request must carry.
pub const INIT_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.request";
const HOUR_MS: i64 = 3_600_000;
const MAX_CONSENT_MS: i64 = 365 * 24 * HOUR_MS;

/// A way of verifying a new DigiLocker account on sign-up (`options.verification_method`, sent
/// to DigiLocker as `amr`), with the wire names Sandbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VerificationMethod {
    /// Aadhaar number.
    Aadhaar,
    /// PAN.
    Pan,
    /// Driving licence.
    DrivingLicense,
    /// Email address.
    Email,
    /// Username.
    Username,
    /// Mobile number.
    Mobile,
    /// Anything else DigiLocker offers.
    Other,
}

impl VerificationMethod {
    /// Every method, in Sandbox's order.
    pub const ALL: [VerificationMethod; 7] = [
        VerificationMethod::Aadhaar,
        VerificationMethod::Pan,
        VerificationMethod::DrivingLicense,
        VerificationMethod::Email,
        VerificationMethod::Username,
        VerificationMethod::Mobile,
        VerificationMethod::Other,
    ];

    /// The wire name (`driving_license`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationMethod::Aadhaar => "aadhaar",
            VerificationMethod::Pan => "pan",
            VerificationMethod::DrivingLicense => "driving_license",
            VerificationMethod::Email => "email",
            VerificationMethod::Username => "username",
            VerificationMethod::Mobile => "mobile",
            VerificationMethod::Other => "other",
        }
    }

    /// The method with this wire name.
    pub fn parse(name: &str) -> Option<VerificationMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// A field of a request that failed validation, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The JSON path of the offending field (`options.verified_mobile`, `doc_types[1]`).
    pub field: String,
    /// What is wrong with it, in words.
    pub problem: String,
}

impl ValidationError {
    /// A validation error for `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid request body: {} {}", self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}

/// Which DigiLocker journey the person is sent on: the one definition the gateway, its client,
/// the DigiLocker client (`dl_flow`) and the simulator share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Flow {
    /// An existing DigiLocker user signs in (the default).
    #[default]
    Signin,
    /// A new user creates a DigiLocker account.
    Signup,
}

impl Flow {
    /// The wire name, also DigiLocker's `dl_flow` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Signin => "signin",
            Flow::Signup => "signup",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "signin" => Some(Flow::Signin),
            "signup" => Some(Flow::Signup),
            _ => None,
        }
    }
}

/// The `options` object of an init request: how the DigiLocker pages behave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOptions {
    /// Sign in with OTP only (`pla=Y`).
    #[serde(default)]
    pub pinless: bool,
    /// Skip username creation on sign-up (`plsignup=Y`).
    #[serde(default)]
    pub usernameless: bool,
    /// A mobile number the business already verified (sign-up skips its OTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_mobile: Option<String>,
    /// Verification methods allowed on sign-up (`amr`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verification_method: Vec<String>,
}

/// A validated init request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitRequest {
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// Where the person is sent when the journey ends.
    pub redirect_url: Url,
    /// The documents asked for, without duplicates, in request order.
    pub doc_types: Vec<DocType>,
    /// Page options.
    pub options: SessionOptions,
    /// When consent lapses, epoch milliseconds.
    pub consent_expiry_ms: i64,
}

impl InitRequest {
    /// Validates a parsed JSON body. `now_ms` is the current time; `allow_http_localhost`
    /// permits `http://localhost` / `http://127.0.0.1` redirect URLs (development mode only).
    pub fn from_json(
        body: &Value,
        now_ms: i64,
        allow_http_localhost: bool,
    ) -> Result<Self, ValidationError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ValidationError::new("body", "must be a JSON object"))?;
        expect_entity(obj, INIT_ENTITY)?;
        let flow = required_str(obj, "flow")?;
        let flow = Flow::parse(flow)
            .ok_or_else(|| ValidationError::new("flow", "must be one of signin, signup"))?;
        let redirect_url =
            parse_redirect_url(required_str(obj, "redirect_url")?, allow_http_localhost)?;
        let doc_types = parse_doc_types(obj.get("doc_types"))?;
        let options = match obj.get("options") {
            None | Some(Value::Null) => SessionOptions::default(),
            Some(v) => parse_options(v)?,
        };
        let consent_expiry_ms = parse_consent_expiry(obj.get("consent_expiry"), now_ms)?;
        Ok(InitRequest {
            flow,
            redirect_url,
            doc_types,
            options,
            consent_expiry_ms,
        })
    }
}

/// Checks that the `@entity` tag is present and equals `expected`.
pub fn expect_entity(obj: &Map<String, Value>, expected: &str) -> Result<(), ValidationError> {
    match obj.get("@entity") {
        Some(Value::String(s)) if s == expected => Ok(()),
        Some(_) => Err(ValidationError::new(
            "@entity",
            format!("must be {expected}"),
        )),
        None => Err(ValidationError::new("@entity", "is required")),
    }
}

pub(crate) fn required_str<'a>(
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, ValidationError> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ValidationError::new(field, "must be a string")),
        None => Err(ValidationError::new(field, "is required")),
    }
}

/// Zero-width and bidirectional-override characters, which make a URL read differently from
/// what it is.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// The query parameters the gateway appends to `redirect_url` when the journey ends
/// (`journey::return_address` in the server): the session, its status, and the signature's time
/// and value.
pub const RETURN_PARAMETERS: [&str; 4] = ["session_id", "status", "ts", "sig"];

fn parse_redirect_url(raw: &str, allow_http_localhost: bool) -> Result<Url, ValidationError> {
    let bad = |p: &str| ValidationError::new("redirect_url", p);
    if raw.len() > 2048 {
        return Err(bad("must be at most 2048 characters"));
    }
    if raw
        .chars()
        .any(|c| c.is_control() || c == '\\' || c.is_whitespace() || is_invisible(c))
    {
        return Err(bad(
            "must not contain spaces, control or invisible characters, or backslashes",
        ));
    }
    let url = Url::parse(raw).map_err(|_| bad("must be an absolute URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain user information"));
    }
    if let Some(name) = url.query_pairs().map(|(name, _)| name).find(|name| {
        RETURN_PARAMETERS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
    }) {
        // The gateway appends these to the address it sends the person back to; a URL that
        // already carries them would hand the business a forged pair first.
        let name = RETURN_PARAMETERS
            .iter()
            .find(|p| p.eq_ignore_ascii_case(&name))
            .unwrap_or(&"session_id");
        return Err(bad(&format!(
            "must not carry the query parameter {name}: the gateway adds it"
        )));
    }
    let local = matches!(url.host(), Some(Host::Domain("localhost")))
        || matches!(url.host(), Some(Host::Ipv4(ip)) if ip.is_loopback());
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if local && allow_http_localhost => Ok(url),
        "http" if local => Err(bad("may use http only for localhost in development mode")),
        _ => Err(bad("must be an https URL")),
    }
}

pub(crate) fn parse_doc_types(v: Option<&Value>) -> Result<Vec<DocType>, ValidationError> {
    let items = match v {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ValidationError::new("doc_types", "must be an array")),
        None => return Err(ValidationError::new("doc_types", "is required")),
    };
    if items.is_empty() || items.len() > 3 {
        return Err(ValidationError::new(
            "doc_types",
            "must list one to three document types",
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("doc_types[{i}]");
        let d = item
            .as_str()
            .and_then(DocType::from_api_name)
            .ok_or_else(|| {
                ValidationError::new(&field, "must be one of aadhaar, pan, driving_license")
            })?;
        if out.contains(&d) {
            return Err(ValidationError::new(field, "is listed twice"));
        }
        out.push(d);
    }
    Ok(out)
}

fn parse_options(v: &Value) -> Result<SessionOptions, ValidationError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ValidationError::new("options", "must be an object"))?;
    let flag = |name: &str| match obj.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ValidationError::new(
            format!("options.{name}"),
            "must be a boolean",
        )),
    };
    let verified_mobile = match obj.get("verified_mobile") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) if is_indian_mobile(m) => Some(m.clone()),
        Some(_) => {
            return Err(ValidationError::new(
                "options.verified_mobile",
                "must be a 10-digit mobile number starting with 6-9",
            ))
        }
    };
    let verification_method = match obj.get("verification_method") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str().and_then(VerificationMethod::parse) {
                    Some(m) => out.push(m.as_str().to_owned()),
                    None => {
                        let names: Vec<&str> = VerificationMethod::ALL
                            .map(VerificationMethod::as_str)
                            .to_vec();
                        return Err(ValidationError::new(
                            format!("options.verification_method[{i}]"),
                            format!("must be one of {}", names.join(", ")),
                        ));
                    }
                }
            }
            out
        }
        Some(_) => {
            return Err(ValidationError::new(
                "options.verification_method",
                "must be a non-empty array",
            ))
        }
    };
    Ok(SessionOptions {
        pinless: flag("pinless")?,
        usernameless: flag("usernameless")?,
        verified_mobile,
        verification_method,
    })
}

/// Whether `m` matches `^[6-9][0-9]{9}$`.
pub fn is_indian_mobile(m: &str) -> bool {
    m.len() == 10 && m.bytes().all(|b| b.is_ascii_digit()) && matches!(m.as_bytes()[0], b'6'..=b'9')
}

pub(crate) fn parse_consent_expiry(v: Option<&Value>, now_ms: i64) -> Result<i64, ValidationError> {
    let bad = |p: &str| ValidationError::new("consent_expiry", p);
    let raw = match v {
        None | Some(Value::Null) => return Ok(now_ms + HOUR_MS),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| bad("must be an integer epoch timestamp"))?,
        Some(_) => return Err(bad("must be an integer epoch timestamp")),
    };
    // Sandbox's own examples send both milliseconds and 10-digit seconds.
    let ms = if (0..100_000_000_000).contains(&raw) {
        raw * 1000
    } else {
        raw
    };
    if ms < now_ms + HOUR_MS {
        return Err(bad("must be at least one hour in the future"));
    }
    if ms > now_ms + MAX_CONSENT_MS {
        return Err(bad("must be within 365 days"));
    }
    Ok(ms)
}

#[cfg(test)]
mod tests;
