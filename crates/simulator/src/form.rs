//! Request parsing shared by the endpoints: form or JSON bodies, client credentials, bearer tokens.

use axum::http::{header, HeaderMap};
use base64::Engine as _;

/// The fields of a request body, in order, repeated names kept (consent checkboxes repeat `doc`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parses `application/x-www-form-urlencoded`, or a JSON object when the content type says JSON
    /// (DigiLocker's OpenAPI shows JSON; real clients send forms, so JSON is accepted leniently).
    pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
        if is_json {
            return Self::from_json(body);
        }
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn from_json(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
            return Self::default();
        };
        let fields = map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                serde_json::Value::Bool(b) => Some((k, b.to_string())),
                _ => None,
            })
            .collect();
        Self(fields)
    }

    /// The first value of `name`, if present and not empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Client credentials as sent: HTTP Basic takes precedence over `client_id`/`client_secret` fields.
///
/// DigiLocker's OAuth library reads Basic credentials through PHP, which decodes base64 with or
/// without `=` padding and simply leaves the credentials unset when the header does not decode
/// to `id:secret`; the library then looks in the body. Both behaviours are kept here, so an
/// unpadded header works and a malformed one falls back to the form fields.
pub(crate) fn client_credentials(headers: &HeaderMap, fields: &Fields) -> Option<(String, String)> {
    if let Some(pair) = authorization(headers, "Basic").and_then(decode_basic) {
        return Some(pair);
    }
    Some((
        fields.get("client_id")?.to_owned(),
        fields.get("client_secret")?.to_owned(),
    ))
}

/// `base64(id:secret)`, padded or not, split at the first colon; `None` when it is not that.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let decoded = LENIENT.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Whether `value` has the shape RFC 7636 gives PKCE verifiers and challenges: 43 to 128
/// characters from `[A-Za-z0-9-._~]`.
pub(crate) fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// PHP's `urldecode`: `+` becomes a space and each `%XX` its byte; a `%` not followed by two hex
/// digits stays as it is. DigiLocker's OAuth library applies it to the token request's
/// (already form-decoded) `redirect_uri`, so a URI sent encoded twice still matches.
pub(crate) fn php_urldecode(value: &str) -> String {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bearer token of the `Authorization` header, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    authorization(headers, "Bearer")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The credentials after `scheme ` in the `Authorization` header (scheme case-insensitive).
fn authorization<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(k.clone(), HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn forms_keep_repeated_fields_and_json_is_accepted() {
        let form = Fields::parse(&HeaderMap::new(), b"doc=ADHAR&doc=PANCR&decision=allow&x=");
        assert_eq!(form.all("doc").collect::<Vec<_>>(), ["ADHAR", "PANCR"]);
        assert_eq!(form.get("decision"), Some("allow"));
        assert_eq!(form.get("x"), None);
        let json = Fields::parse(
            &headers(&[(header::CONTENT_TYPE, "application/json; charset=utf-8")]),
            br#"{"grant_type":"authorization_code","n":5}"#,
        );
        assert_eq!(json.get("grant_type"), Some("authorization_code"));
        assert_eq!(json.get("n"), Some("5"));
    }

    #[test]
    fn basic_credentials_win_over_body_credentials() {
        // "id:se:cret" base64
        let h = headers(&[(header::AUTHORIZATION, "basic aWQ6c2U6Y3JldA==")]);
        let body = Fields::parse(&HeaderMap::new(), b"client_id=other&client_secret=x");
        assert_eq!(
            client_credentials(&h, &body),
            Some(("id".into(), "se:cret".into()))
        );
        assert_eq!(
            client_credentials(&HeaderMap::new(), &body),
            Some(("other".into(), "x".into()))
        );
    }

    #[test]
    fn unpadded_basic_credentials_decode_and_malformed_ones_fall_back_to_the_body() {
        let body = Fields::parse(&HeaderMap::new(), b"client_id=other&client_secret=x");
        // "id:se:cret" base64 without its "=="
        let unpadded = headers(&[(header::AUTHORIZATION, "Basic aWQ6c2U6Y3JldA")]);
        assert_eq!(
            client_credentials(&unpadded, &body),
            Some(("id".into(), "se:cret".into()))
        );
        for malformed in ["Basic !!!", "Basic aWQ", "Basic "] {
            let h = headers(&[(header::AUTHORIZATION, malformed)]);
            assert_eq!(
                client_credentials(&h, &body),
                Some(("other".into(), "x".into())),
                "{malformed}"
            );
            assert_eq!(client_credentials(&h, &Fields::default()), None);
        }
    }

    #[test]
    fn urldecode_works_like_php() {
        assert_eq!(
            php_urldecode("https%3A%2F%2Fa.example%2Fcb"),
            "https://a.example/cb"
        );
        assert_eq!(
            php_urldecode("https://a.example/cb"),
            "https://a.example/cb"
        );
        assert_eq!(php_urldecode("a+b%2Bc%zz%4"), "a b+c%zz%4");
    }

    #[test]
    fn pkce_values_are_43_to_128_unreserved_characters() {
        assert!(is_pkce_value(&"a".repeat(43)));
        assert!(is_pkce_value(&"a-._~Z9".repeat(19)[..128]));
        assert!(!is_pkce_value(&"a".repeat(42)));
        assert!(!is_pkce_value(&"a".repeat(129)));
        assert!(!is_pkce_value(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let h = headers(&[(header::AUTHORIZATION, "bearer abc")]);
        assert_eq!(bearer(&h), Some("abc"));
        assert_eq!(
            bearer(&headers(&[(header::AUTHORIZATION, "Bearer ")])),
            None
        );
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
