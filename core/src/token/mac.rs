//! HMAC tags for HS256, HS384 and HS512.
//!
//! HS256 goes through `mem8-guard-primitives`, which the npm module compiles
//! for speed; HS384 and HS512 have no speed target and are generated here,
//! at the core's level, which the npm module sets for size.

use alloc::vec::Vec;

use hmac::{Hmac, Mac};
use mem8_guard_primitives::mac as primitive;
use sha2::{Sha384, Sha512};
use subtle::ConstantTimeEq;
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

/// Checks in constant time whether `expected` is the HMAC of `message`
/// under `key`. A tag of the wrong length is rejected.
pub(crate) fn verify(alg: Algorithm, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    if alg == Algorithm::HS256 {
        return primitive::sha256_verify(key, message, expected);
    }
    // The computed tag would let its holder forge `message`: zeroize it.
    let Some(computed) = tag(alg, key, message).map(Zeroizing::new) else {
        return false;
    };
    bool::from(computed.as_slice().ct_eq(expected))
}

fn keyed_tag<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    let mut mac = <M as Mac>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().to_vec())
}
