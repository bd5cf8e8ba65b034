//! HMAC-SHA-256 (RFC 2104, the `hmac` crate), the MAC of HS256.
//!
//! HS384 and HS512 have no speed target, so the core computes them itself,
//! where a size-optimized build compiles them small.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Length of an HMAC-SHA-256 tag in bytes.
pub const SHA256_TAG_LEN: usize = 32;

/// Computes the HMAC-SHA-256 of `message` under `key`, or `None` when the
/// `hmac` crate rejects the key (it takes every length today).
#[inline(never)]
pub fn sha256_tag(key: &[u8], message: &[u8]) -> Option<[u8; SHA256_TAG_LEN]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().into())
}

/// Checks `expected` against the HMAC-SHA-256 of `message` under `key`, in
/// constant time. A tag of the wrong length is rejected, and so is a key
/// the `hmac` crate rejects.
///
/// This computes the tag with [`sha256_tag`] and compares it with `subtle`,
/// as `hmac`'s own `verify_slice` does, so a build has one copy of the
/// HMAC code.
#[inline(never)]
pub fn sha256_verify(key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    // The computed tag would let its holder forge `message`: zeroize it.
    let Some(computed) = sha256_tag(key, message).map(Zeroizing::new) else {
        return false;
    };
    // `ct_eq` on slices of different lengths is false without comparing.
    bool::from(computed.as_slice().ct_eq(expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 4231, test case 2: key "Jefe".
    #[test]
    fn rfc4231_case_2() {
        let message = b"what do ya want for nothing?";
        let expected = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(sha256_tag(b"Jefe", message).unwrap().as_slice(), expected);
        assert!(sha256_verify(b"Jefe", message, &expected));
        let mut wrong = expected.clone();
        wrong[0] ^= 1;
        assert!(!sha256_verify(b"Jefe", message, &wrong));
        assert!(!sha256_verify(b"Jefe", message, &expected[..31]));
        assert!(!sha256_verify(b"Jefe", message, &[]));
    }
}
