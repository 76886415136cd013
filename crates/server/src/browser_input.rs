//! Parsers of what a person's browser sends to the consent journey: the query string DigiLocker
//! appends to the callback, and the `Cookie` header that carries the browser binding. They are
//! public so that the fuzz targets (`fuzz/`) can reach them; the server uses them in
//! `routes::callback`.

use axum::http::{header, HeaderMap};
use std::collections::HashMap;

/// Longest parameter name the callback accepts.
pub const MAX_PARAM_NAME: usize = 64;
/// Longest parameter value the callback accepts.
pub const MAX_PARAM_VALUE: usize = 2048;

/// The callback's query parameters, percent-decoded. `None` when a parameter appears twice or a
/// name or value is too long, so that an ambiguous or oversized callback is refused whole.
pub fn parse_query(raw: Option<&str>) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k.len() > MAX_PARAM_NAME
            || v.len() > MAX_PARAM_VALUE
            || out.insert(k.into_owned(), v.into_owned()).is_some()
        {
            return None;
        }
    }
    Some(out)
}

/// The value of the cookie `name` among every `Cookie` header of a request (the first match
/// wins; headers that are not visible ASCII are skipped).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicated_or_oversized_parameters_are_refused() {
        assert!(parse_query(Some("state=a&code=b")).is_some());
        assert!(parse_query(Some("state=a&state=b")).is_none());
        assert!(parse_query(Some(&format!("state={}", "x".repeat(3000)))).is_none());
        assert!(parse_query(None).unwrap().is_empty());
    }

    #[test]
    fn a_parameter_repeated_under_another_encoding_is_still_a_duplicate() {
        assert!(parse_query(Some("state=a&%73tate=b")).is_none());
        assert!(parse_query(Some(&format!("{}=1", "k".repeat(65)))).is_none());
    }

    #[test]
    fn the_binding_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; dgb_x=secret; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "dgb_x"), Some("secret"));
        assert_eq!(cookie(&h, "dgb_y"), None);
    }

    #[test]
    fn the_binding_cookie_is_found_in_a_second_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1".parse().unwrap());
        h.append(header::COOKIE, "dgb_x=secret".parse().unwrap());
        assert_eq!(cookie(&h, "dgb_x"), Some("secret"));
    }
}
