use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};

pub fn verify_redirect(url: &url::Url, secret: &str, now: i64, max_age: i64) -> bool {
    let get = |name: &str| {
        let mut v = url
            .query_pairs()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned());
        match (v.next(), v.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    let (Some(id), Some(status), Some(ts), Some(sig)) =
        (get("session_id"), get("status"), get("ts"), get("sig"))
    else {
        return false;
    };
    let Ok(key) = STANDARD.decode(secret.trim_start_matches("whsec_")) else {
        return false;
    };
    let Ok(at) = ts.parse::<i64>() else {
        return false;
    };
    let Some(sig) = sig
        .strip_prefix("v1,")
        .and_then(|s| STANDARD.decode(s).ok())
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{id}.{status}.{ts}").as_bytes());
    (now - at).abs() <= max_age && mac.verify_slice(&sig).is_ok() // constant time
}
