//! Who may see the operator page: whoever signed in with the operator token holds a cookie
//! that says until when, signed with a key derived from the key-encryption key and the token.
//!
//! The cookie holds no secret and no state on the server: `{expires_ms}.{mac}`. Every gateway
//! sharing the KEK and the token accepts it (several instances behind one load balancer);
//! replacing the token, or the KEK, ends every cookie at once. Signing out removes the
//! browser's copy; a copied cookie stays valid until it lapses, which is why it is short.

use super::token::OperatorToken;
use crate::limits::RateLimiter;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use std::time::Duration;

/// The cookie's name.
const COOKIE: &str = "dg_operator";
/// How long a sign-in lasts.
pub(crate) const SIGN_IN_TTL: Duration = Duration::from_secs(30 * 60);
/// Sign-in attempts allowed per client address per minute.
const ATTEMPTS_PER_MINUTE: u32 = 10;

/// The operator token, the cookie's signing key, and the sign-in attempt limit.
pub(crate) struct OperatorAccess {
    token: OperatorToken,
    key: [u8; 32],
    attempts: RateLimiter<String>,
    /// `{public path}/operator`: the cookie goes to the operator pages and nowhere else.
    cookie_path: String,
    /// The public URL is https: the cookie is never sent over plain http.
    secure: bool,
}

impl OperatorAccess {
    /// Access with `token`; `derived` is the KEK's key for this purpose (`Vault::derive`).
    pub(crate) fn new(
        token: OperatorToken,
        derived: [u8; 32],
        cookie_path: String,
        secure: bool,
    ) -> Self {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&derived).expect("any key length");
        mac.update(token.expose());
        OperatorAccess {
            token,
            key: mac.finalize().into_bytes().into(),
            attempts: RateLimiter::new(ATTEMPTS_PER_MINUTE, Duration::from_secs(60)),
            cookie_path,
            secure,
        }
    }

    /// Counts a sign-in attempt from `address`; `Err(wait)` when it has made too many.
    pub(crate) fn attempt(&self, address: String) -> Result<(), Duration> {
        self.attempts.check(&address)
    }

    /// Whether `candidate` is the operator token (constant time).
    pub(crate) fn token_matches(&self, candidate: &str) -> bool {
        self.token.matches(candidate)
    }

    fn mac(&self, expires_ms: i64) -> Hmac<sha2::Sha256> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(b"operator-sign-in:");
        mac.update(expires_ms.to_string().as_bytes());
        mac
    }

    /// The `Set-Cookie` value of a sign-in made at `now_ms`.
    pub(crate) fn sign_in_cookie(&self, now_ms: i64) -> HeaderValue {
        let expires_ms = now_ms + SIGN_IN_TTL.as_millis() as i64;
        let mac = URL_SAFE_NO_PAD.encode(self.mac(expires_ms).finalize().into_bytes());
        self.cookie(&format!("{expires_ms}.{mac}"), SIGN_IN_TTL.as_secs())
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub(crate) fn sign_out_cookie(&self) -> HeaderValue {
        self.cookie("", 0)
    }

    fn cookie(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{COOKIE}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
            self.cookie_path
        );
        HeaderValue::from_str(&cookie).expect("digits, base64url and a URL path")
    }

    /// Whether the request carries a cookie of a sign-in that has not lapsed at `now_ms`.
    pub(crate) fn signed_in(&self, headers: &HeaderMap, now_ms: i64) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
            .any(|value| self.valid(value, now_ms))
    }

    fn valid(&self, value: &str, now_ms: i64) -> bool {
        let Some((expires, mac)) = value.split_once('.') else {
            return false;
        };
        let (Ok(expires_ms), Ok(mac)) = (expires.parse::<i64>(), URL_SAFE_NO_PAD.decode(mac))
        else {
            return false;
        };
        // A lifetime longer than a sign-in grants was not made here.
        let fresh = expires_ms > now_ms && expires_ms <= now_ms + SIGN_IN_TTL.as_millis() as i64;
        fresh && self.mac(expires_ms).verify_slice(&mac).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn access(token: &str, kek_key: [u8; 32]) -> OperatorAccess {
        let token = OperatorToken::parse(token).unwrap();
        OperatorAccess::new(token, kek_key, "/operator".to_owned(), true)
    }

    fn sent(cookie: &HeaderValue) -> HeaderMap {
        let pair = cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {pair}")).unwrap(),
        );
        h
    }

    #[test]
    fn a_sign_in_cookie_works_until_it_lapses() {
        let a = access(TOKEN, [7; 32]);
        let cookie = a.sign_in_cookie(1_000);
        let text = cookie.to_str().unwrap();
        for part in [
            "Path=/operator",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Max-Age=1800",
        ] {
            assert!(text.contains(part), "{text} has {part}");
        }
        assert!(!text.contains(TOKEN));
        let headers = sent(&cookie);
        assert!(a.signed_in(&headers, 1_000));
        assert!(a.signed_in(&headers, 1_000 + 1_799_999));
        assert!(!a.signed_in(&headers, 1_000 + 1_800_000));
    }

    #[test]
    fn a_new_token_or_kek_ends_every_cookie() {
        let cookie = access(TOKEN, [7; 32]).sign_in_cookie(1_000);
        let other_token = access(&TOKEN.replace('0', "z"), [7; 32]);
        let other_kek = access(TOKEN, [8; 32]);
        assert!(!other_token.signed_in(&sent(&cookie), 1_000));
        assert!(!other_kek.signed_in(&sent(&cookie), 1_000));
    }

    #[test]
    fn a_cookie_with_a_changed_time_or_a_forged_mac_is_refused() {
        let a = access(TOKEN, [7; 32]);
        let good = a.sign_in_cookie(1_000);
        let value = good.to_str().unwrap().split(';').next().unwrap();
        let (_, mac) = value.split_once('.').unwrap();
        let later = format!("dg_operator={}.{mac}", 1_000 + 1_800_000 + 60_000);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&later).unwrap());
        assert!(!a.signed_in(&h, 1_000 + 1_800_000));
        for forged in [
            "dg_operator=",
            "dg_operator=1",
            "dg_operator=99999999.AAAA",
            "dg_operator=x.y",
        ] {
            h.insert(header::COOKIE, HeaderValue::from_static(forged));
            assert!(!a.signed_in(&h, 1_000), "{forged}");
        }
        // Another cookie whose name merely starts the same way is not ours.
        let pair = value.replacen("dg_operator", "dg_operator_x", 1);
        h.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        assert!(!a.signed_in(&h, 1_000));
    }

    #[test]
    fn sign_in_attempts_are_limited_per_address() {
        let a = access(TOKEN, [7; 32]);
        for _ in 0..ATTEMPTS_PER_MINUTE {
            assert!(a.attempt("addr:192.0.2.1".to_owned()).is_ok());
        }
        assert!(a.attempt("addr:192.0.2.1".to_owned()).is_err());
        assert!(a.attempt("addr:192.0.2.2".to_owned()).is_ok());
    }
}
