//! The secret tokens in webhook and agent URLs, compared the one way both use.

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// Whether `given` is the token `expected`, compared in constant time (for equal lengths),
/// so answer times do not reveal how much of a guess was right. An empty expected token
/// matches nothing.
pub fn token_matches(given: &str, expected: &SecretString) -> bool {
    let expected = expected.expose_secret().as_bytes();
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_when_equal() {
        let expected = SecretString::from("s3cret");
        assert!(token_matches("s3cret", &expected));
        assert!(!token_matches("s3cre", &expected));
        assert!(!token_matches("s3cretX", &expected));
        assert!(!token_matches("S3cret", &expected));
        assert!(!token_matches("", &expected));
        assert!(!token_matches("", &SecretString::from("")));
    }
}
