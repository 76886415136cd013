//! Signed download links (`/files/{id}?expires=…&signature=…`): the query is parsed as the
//! server's `Query<LinkQuery>` does and checked. Never panics, and a link is accepted only for
//! the document and expiry it was signed for, and only before it expires.
#![no_main]

use arbitrary::Arbitrary;
use digigate_server::links::{LinkQuery, LinkSigner};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// The document a genuine link is signed for.
    signed_for: &'a str,
    /// Its expiry.
    expires: i64,
    /// The document id the request names.
    requested: &'a str,
    /// Edits to the genuine query string (position, byte); none keeps it genuine.
    edits: Vec<(u16, u8)>,
    /// A query string to use instead of the genuine one.
    raw_query: Option<&'a str>,
    /// The time of the request.
    now: i64,
}

fuzz_target!(|input: Input<'_>| {
    let signer = LinkSigner::new([9u8; 32]);
    let link = signer.sign(input.signed_for, input.expires);
    let genuine = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let query = match input.raw_query {
        Some(q) => q.to_owned(),
        None => {
            let mut bytes = genuine.as_bytes().to_vec();
            for (at, b) in &input.edits {
                if !bytes.is_empty() {
                    let at = *at as usize % bytes.len();
                    bytes[at] = *b;
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let Ok(q) = serde_urlencoded::from_str::<LinkQuery>(&query) else {
        return;
    };
    if signer.check(input.requested, &q, input.now) {
        assert_eq!(
            input.requested, input.signed_for,
            "accepted for another document"
        );
        assert_eq!(q.expires, input.expires, "accepted with another expiry");
        assert!(q.expires > input.now, "accepted after expiry");
    }
});
