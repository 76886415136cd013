//! The operator credential: a long random string the operator keeps in a file, unrelated to
//! API keys, so no business's key can open the operator page and the page's token opens no API.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// The fewest characters an operator token may have: 32 characters of the suggested
/// `openssl rand -hex 32` are 128 bits, beyond guessing at any rate the sign-in allows.
pub const MIN_TOKEN_CHARS: usize = 32;

/// The operator page's token; built only by [`OperatorToken::parse`], so it is never short,
/// never blank and never printed.
#[derive(Clone)]
pub struct OperatorToken(SecretString);

/// Why a token was refused; says nothing of the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OperatorTokenError {
    /// Fewer than [`MIN_TOKEN_CHARS`] characters once the surrounding whitespace is removed.
    #[error("the operator token must have at least {MIN_TOKEN_CHARS} characters")]
    TooShort,
    /// Whitespace or control characters inside it: a token that cannot be typed or pasted as
    /// one word is a file that holds something else.
    #[error("the operator token must be one word of visible characters")]
    NotOneWord,
}

impl OperatorToken {
    /// The token as read from its file: surrounding whitespace (the file's last newline) is
    /// not part of it.
    pub fn parse(text: &str) -> Result<OperatorToken, OperatorTokenError> {
        let token = text.trim();
        if token.chars().count() < MIN_TOKEN_CHARS {
            return Err(OperatorTokenError::TooShort);
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(OperatorTokenError::NotOneWord);
        }
        Ok(OperatorToken(SecretString::from(token.to_owned())))
    }

    /// Whether `candidate` is this token, in time that does not depend on where they differ:
    /// both are hashed first, so even their lengths are compared in constant time.
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        let ours = Sha256::digest(self.0.expose_secret().as_bytes());
        let theirs = Sha256::digest(candidate.trim().as_bytes());
        ours.ct_eq(&theirs).into()
    }

    /// The token's bytes, for keying the sign-in cookie's MAC (so a new token ends every
    /// cookie signed under the old one).
    pub(crate) fn expose(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OperatorToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_read_from_a_file_loses_its_newline_and_matches_only_itself() {
        let token = OperatorToken::parse(&format!("{GOOD}\n")).unwrap();
        assert!(token.matches(GOOD));
        assert!(!token.matches(&GOOD[1..]));
        assert!(!token.matches(&format!("{GOOD}0")));
        assert!(!token.matches(""));
    }

    #[test]
    fn short_or_spaced_tokens_are_refused() {
        assert_eq!(
            OperatorToken::parse("short").unwrap_err(),
            OperatorTokenError::TooShort
        );
        assert_eq!(
            OperatorToken::parse(&format!("{GOOD} {GOOD}")).unwrap_err(),
            OperatorTokenError::NotOneWord
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = OperatorToken::parse(GOOD).unwrap();
        assert!(!format!("{token:?}").contains("0123"));
    }
}
