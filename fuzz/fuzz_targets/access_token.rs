//! The access-token verifier (`TokenIssuer::verify`): never panics on any string, and a token
//! issued by the gateway stops verifying as soon as any byte of it is edited.
#![no_main]

use arbitrary::Arbitrary;
use digigate_core::{ApiKeyId, KeyEnvironment};
use digigate_server::auth::TokenIssuer;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretBox;
use std::sync::OnceLock;
use std::time::Duration;

const NOW: i64 = 1_800_000_000;

fn issuer() -> &'static (TokenIssuer, String) {
    static ISSUER: OnceLock<(TokenIssuer, String)> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let tokens = TokenIssuer::new(
            &SecretBox::new(Box::new([7u8; 32])),
            "digigate".into(),
            Duration::from_secs(3600),
        );
        let (id, _) = ApiKeyId::generate(KeyEnvironment::Test);
        let token = tokens.issue(&id, 0, NOW);
        (tokens, token)
    })
}

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    /// Any string at all.
    Raw(&'a str),
    /// The genuine token with some bytes replaced, inserted or removed.
    Edited(Vec<(u16, u8, u8)>),
}

fuzz_target!(|input: Input<'_>| {
    let (tokens, genuine) = issuer();
    match input {
        Input::Raw(s) => {
            if tokens.verify(s, NOW).is_some() {
                assert_eq!(s, genuine, "a token the gateway did not issue verified");
            }
        }
        Input::Edited(edits) => {
            let mut bytes = genuine.clone().into_bytes();
            for (at, op, b) in edits {
                let at = at as usize % (bytes.len() + 1);
                match op % 3 {
                    0 if at < bytes.len() => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            let Ok(edited) = String::from_utf8(bytes) else {
                return;
            };
            if tokens.verify(&edited, NOW).is_some() {
                assert_eq!(&edited, genuine, "an edited token verified");
            }
            assert!(
                tokens.verify(&edited, NOW + 3600).is_none(),
                "an expired token verified"
            );
        }
    }
});
