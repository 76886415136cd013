//! Identifier shapes DigiLocker uses: 40-hex codes and tokens, 32-hex document ids and reference keys.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// `len` random bytes from the thread's CSPRNG, as lower-case hex.
pub(crate) fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new authorization code, access token or refresh token: 40 lower-case hex characters.
pub(crate) fn new_token() -> String {
    random_hex(20)
}

/// A stable 32-hex identifier derived from the given parts (document ids, reference keys).
pub(crate) fn derived_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let mut out = hex(&hasher.finalize());
    out.truncate(32);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_forty_lower_hex_and_differ() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(a, b);
    }

    #[test]
    fn derived_ids_are_stable_and_separate_their_parts() {
        assert_eq!(derived_id(&["a", "bc"]), derived_id(&["a", "bc"]));
        assert_ne!(derived_id(&["a", "bc"]), derived_id(&["ab", "c"]));
        assert_eq!(derived_id(&["x"]).len(), 32);
    }
}
