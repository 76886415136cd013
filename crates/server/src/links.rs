//! Signed, short-lived download links bound to one stored document:
//! `/files/{document_id}?expires={epoch seconds}&signature={HMAC-SHA256}`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;

/// Signs and checks download links with a key derived from the KEK.
pub struct LinkSigner {
    key: [u8; 32],
}

/// The query of a download link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    /// Expiry, epoch seconds.
    pub expires: i64,
    /// Base64url HMAC over the document id and the expiry.
    pub signature: String,
}

impl LinkSigner {
    /// A signer with `key`.
    pub fn new(key: [u8; 32]) -> Self {
        LinkSigner { key }
    }

    fn mac(&self, document_id: &str, expires: i64) -> Hmac<sha2::Sha256> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(format!("download:{document_id}:{expires}").as_bytes());
        mac
    }

    /// The path and query of a link to `document_id` valid until `expires` (epoch seconds).
    pub fn sign(&self, document_id: &str, expires: i64) -> String {
        let sig = B64.encode(self.mac(document_id, expires).finalize().into_bytes());
        format!("/files/{document_id}?expires={expires}&signature={sig}")
    }

    /// Whether the link is authentic for `document_id` and unexpired at `now` (epoch seconds).
    pub fn check(&self, document_id: &str, q: &LinkQuery, now: i64) -> bool {
        let Ok(sig) = B64.decode(&q.signature) else {
            return false;
        };
        q.expires > now && self.mac(document_id, q.expires).verify_slice(&sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_of(link: &str) -> LinkQuery {
        let q = link.split_once('?').unwrap().1;
        let mut expires = 0;
        let mut signature = String::new();
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap();
            match k {
                "expires" => expires = v.parse().unwrap(),
                _ => signature = v.to_owned(),
            }
        }
        LinkQuery { expires, signature }
    }

    #[test]
    fn a_link_works_for_its_document_until_it_expires() {
        let s = LinkSigner::new([3; 32]);
        let q = query_of(&s.sign("doc-a", 1000));
        assert!(s.check("doc-a", &q, 999));
        assert!(!s.check("doc-a", &q, 1000));
        assert!(!s.check("doc-b", &q, 999));
        assert!(!LinkSigner::new([4; 32]).check("doc-a", &q, 999));
        let stretched = LinkQuery {
            expires: 5000,
            signature: q.signature.clone(),
        };
        assert!(!s.check("doc-a", &stretched, 999));
    }
}
