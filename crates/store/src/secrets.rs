//! Secrets handed to clients (session ids, API tokens, invitation codes): 256 random bits from
//! the operating system, URL-safe base64. Only their SHA-256 is stored, and looked up by it;
//! with 256 bits of entropy a plain hash is enough (no salt or slow hash needed).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// A new secret: the value for the client, once, and the hash to store.
#[derive(Debug)]
pub(crate) struct Secret {
    pub clear: String,
    pub hash: String,
}

/// A new secret starting with `prefix` (`ktn_` for API tokens, so that a leaked one is
/// recognisable by secret scanners).
pub(crate) fn new_secret(prefix: &str) -> Result<Secret> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| StoreError::Corrupt(format!("no random numbers: {error}")))?;
    let clear = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_secret(&clear);
    Ok(Secret { clear, hash })
}

/// The stored form of a secret.
pub(crate) fn hash_secret(clear: &str) -> String {
    let digest = Sha256::digest(clear.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_distinct_and_hashed() {
        let a = new_secret("ktn_").expect("secret");
        let b = new_secret("ktn_").expect("secret");
        assert_ne!(a.clear, b.clear);
        assert!(a.clear.starts_with("ktn_") && a.clear.len() == 4 + 43, "{}", a.clear);
        assert_eq!(a.hash, hash_secret(&a.clear));
        assert_eq!(a.hash.len(), 64);
        assert_ne!(a.hash, a.clear);
    }
}
