//! HMAC tags for HS256, HS384 and HS512.
//!
//! HS256 goes through `mem8-guard-primitives`, which the npm module compiles
//! for speed; HS384 and HS512 have no speed target and are generated here,
//! at the core's level, which the npm module sets for size.

use alloc::vec::Vec;

use hmac::{Hmac, Mac};
use mem8_guard_primitives::mac as primitive;
use sha2::{Sha384, Sha512};
use zeroize::Zeroizing;

use super::Algorithm;

/// Computes the HMAC of `message` under `key` for an HS* `alg`. Returns
/// `None` for another algorithm, or for a key the `hmac` crate rejects
/// (hmac 0.12 accepts every length).
pub(crate) fn tag(alg: Algorithm, key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    match alg {
        Algorithm::HS256 => primitive::sha256_tag(key, message).map(|tag| tag.to_vec()),
        Algorithm::HS384 => keyed_tag::<Hmac<Sha384>>(key, message),
        Algorithm::HS512 => keyed_tag::<Hmac<Sha512>>(key, message),
        _ => None,
    }
}

/// An HMAC verification key: the secret, for HS384 and HS512, and the
/// state of HS256 prepared from it once.
pub(crate) struct HmacKey {
    secret: Zeroizing<Vec<u8>>,
    /// `None` only if the `hmac` crate rejected the key, which it does for
    /// no length today; then HS256 verifies nothing.
    sha256: Option<primitive::Sha256Key>,
}

impl HmacKey {
    pub(crate) fn new(secret: Zeroizing<Vec<u8>>) -> Self {
        let sha256 = primitive::Sha256Key::new(&secret);
        Self { secret, sha256 }
    }

    /// Returns the secret's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.secret.len()
    }

    /// Checks in constant time whether `expected` is the HMAC of `message`
    /// for an HS* `alg`. A tag of the wrong length is rejected.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], expected: &[u8]) -> bool {
        if alg == Algorithm::HS256 {
            return self
                .sha256
                .as_ref()
                .is_some_and(|key| key.verify(message, expected));
        }
        tag(alg, &self.secret, message)
            .is_some_and(|computed| primitive::tags_equal(Zeroizing::new(computed), expected))
    }
}

fn keyed_tag<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    let mut mac = <M as Mac>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().to_vec())
}
