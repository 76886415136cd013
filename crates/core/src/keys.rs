//! API key identifiers shaped like Sandbox's (`key_live_…` / `key_test_…`), so an existing
//! integration moves over by changing only its base URL.

use rand::distributions::{Alphanumeric, DistString};
use serde::{Deserialize, Serialize};
use std::fmt;

const RANDOM_LEN: usize = 32;

/// Which set a key belongs to, as its prefix says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyEnvironment {
    /// `key_live_…`: production calls.
    Live,
    /// `key_test_…`: test calls.
    Test,
}

impl KeyEnvironment {
    fn word(self) -> &'static str {
        match self {
            KeyEnvironment::Live => "live",
            KeyEnvironment::Test => "test",
        }
    }
}

/// The public identifier of an API key (`x-api-key`, the JWT `sub`). Built only from a
/// well-formed string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiKeyId(String);

impl ApiKeyId {
    /// Generates a new random key id and its secret (`secret_<env>_…`). The secret is
    /// returned once to be shown to the operator; only its hash is ever stored.
    pub fn generate(env: KeyEnvironment) -> (ApiKeyId, String) {
        let mut rng = rand::thread_rng();
        let id = format!(
            "key_{}_{}",
            env.word(),
            Alphanumeric.sample_string(&mut rng, RANDOM_LEN)
        );
        let secret = format!(
            "secret_{}_{}",
            env.word(),
            Alphanumeric.sample_string(&mut rng, RANDOM_LEN)
        );
        (ApiKeyId(id), secret)
    }

    /// Parses a key id as sent in `x-api-key`.
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s
            .strip_prefix("key_live_")
            .or_else(|| s.strip_prefix("key_test_"))?;
        let ok = (8..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| ApiKeyId(s.to_owned()))
    }

    /// The key's environment.
    pub fn environment(&self) -> KeyEnvironment {
        if self.0.starts_with("key_live_") {
            KeyEnvironment::Live
        } else {
            KeyEnvironment::Test
        }
    }

    /// The key id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ApiKeyId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ApiKeyId::parse(&s).ok_or_else(|| "malformed API key id".to_owned())
    }
}

impl From<ApiKeyId> for String {
    fn from(k: ApiKeyId) -> String {
        k.0
    }
}

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_look_like_sandbox_keys_and_parse() {
        let (id, secret) = ApiKeyId::generate(KeyEnvironment::Live);
        assert!(id.as_str().starts_with("key_live_"));
        assert!(secret.starts_with("secret_live_"));
        assert_eq!(ApiKeyId::parse(id.as_str()), Some(id.clone()));
        let (test_id, test_secret) = ApiKeyId::generate(KeyEnvironment::Test);
        assert_eq!(test_id.environment(), KeyEnvironment::Test);
        assert!(test_secret.starts_with("secret_test_"));
        assert_ne!(id, test_id);
    }

    #[test]
    fn malformed_key_ids_are_refused() {
        for bad in [
            "",
            "key_live_",
            "key_prod_abcdefghij",
            "key_live_abc",
            "key_live_abc def ghij",
            "secret_live_abcdefghijk",
        ] {
            assert_eq!(ApiKeyId::parse(bad), None, "{bad:?}");
        }
    }
}
