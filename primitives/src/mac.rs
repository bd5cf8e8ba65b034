//! HMAC with SHA-256, SHA-384 and SHA-512 (RFC 2104, the `hmac` crate).

use alloc::vec::Vec;

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The hash under the HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256: 32-byte tags.
    Sha256,
    /// SHA-384: 48-byte tags.
    Sha384,
    /// SHA-512: 64-byte tags.
    Sha512,
}

/// Computes the HMAC of `message` under `key`, or `None` when the `hmac`
/// crate rejects the key (it takes every length today).
#[inline(never)]
pub fn tag(hash: Hash, key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    Some(match hash {
        Hash::Sha256 => keyed::<Hmac<Sha256>>(key, message)?
            .finalize()
            .into_bytes()
            .to_vec(),
        Hash::Sha384 => keyed::<Hmac<Sha384>>(key, message)?
            .finalize()
            .into_bytes()
            .to_vec(),
        Hash::Sha512 => keyed::<Hmac<Sha512>>(key, message)?
            .finalize()
            .into_bytes()
            .to_vec(),
    })
}

/// Checks `expected` against the HMAC of `message` under `key`, in
/// constant time. A tag of the wrong length is rejected, and so is a key
/// the `hmac` crate rejects.
///
/// This computes the tag with [`tag`] and compares it with `subtle`, as
/// `hmac`'s own `verify_slice` does; sharing [`tag`] keeps one copy of the
/// three HMAC instantiations in the module.
#[inline(never)]
pub fn verify(hash: Hash, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    // The computed tag would let its holder forge `message`: zeroize it.
    let Some(computed) = tag(hash, key, message).map(Zeroizing::new) else {
        return false;
    };
    // `ct_eq` on slices of different lengths is false without comparing.
    bool::from(computed.as_slice().ct_eq(expected))
}

/// Keys the MAC and feeds it `message`.
fn keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Option<M> {
    let mut mac = <M as Mac>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac)
}
