//! HMAC-SHA-256 (RFC 2104, the `hmac` crate), the MAC of HS256.
//!
//! HS384 and HS512 have no speed target, so the core computes them itself,
//! where a size-optimized build compiles them small.

use alloc::boxed::Box;
use core::fmt;

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
    Sha256Key::new(key).map(|key| key.tag(message))
}

/// Compares a computed MAC tag with `expected` in constant time, and
/// zeroizes the computed tag, since it would let its holder forge the
/// message. A tag of the wrong length compares unequal.
pub fn tags_equal(
    computed: Zeroizing<impl AsRef<[u8]> + zeroize::Zeroize>,
    expected: &[u8],
) -> bool {
    // `ct_eq` on slices of different lengths is false without comparing.
    bool::from((*computed).as_ref().ct_eq(expected))
}

/// An HMAC-SHA-256 key prepared once: the `hmac` crate's state after it has
/// hashed the inner and outer key blocks. Each tag then costs two
/// compressions of SHA-256 fewer than from the raw key, which is about a
/// third of an HS256 verification's hashing for a short token.
///
/// The state lets its holder compute tags, so it is as secret as the key:
/// it is kept on the heap, so that moving the key copies no state, and it
/// is overwritten when the key is dropped. `Debug` shows no part of it.
pub struct Sha256Key(Box<Hmac<Sha256>>);

impl Sha256Key {
    /// Prepares `key`, or returns `None` when the `hmac` crate rejects it (it
    /// takes every length today).
    #[inline(never)]
    pub fn new(key: &[u8]) -> Option<Self> {
        <Hmac<Sha256> as Mac>::new_from_slice(key)
            .ok()
            .map(|state| Self(Box::new(state)))
    }

    /// Computes the HMAC-SHA-256 of `message`.
    #[inline(never)]
    pub fn tag(&self, message: &[u8]) -> [u8; SHA256_TAG_LEN] {
        // NOTE: this copy of the state, on the stack, is not overwritten
        // after use; hmac 0.12 does not zeroize its own states either.
        let mut mac = (*self.0).clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Checks `expected` against the HMAC-SHA-256 of `message`, in constant
    /// time. A tag of the wrong length is rejected.
    #[inline(never)]
    pub fn verify(&self, message: &[u8], expected: &[u8]) -> bool {
        tags_equal(Zeroizing::new(self.tag(message)), expected)
    }
}

impl Drop for Sha256Key {
    fn drop(&mut self) {
        // Neither `hmac` nor `sha2` implements `Zeroize`, and this crate has
        // no unsafe code, so the state is replaced by that of an empty key.
        // `black_box` keeps the compiler from dropping the store as dead.
        if let Ok(blank) = <Hmac<Sha256> as Mac>::new_from_slice(&[]) {
            *self.0 = blank;
            core::hint::black_box(&mut *self.0);
        }
    }
}

impl fmt::Debug for Sha256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256Key([redacted])")
    }
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
        let key = Sha256Key::new(b"Jefe").unwrap();
        assert!(key.verify(message, &expected));
        let mut wrong = expected.clone();
        wrong[0] ^= 1;
        assert!(!key.verify(message, &wrong));
        assert!(!key.verify(message, &expected[..31]));
        assert!(!key.verify(message, &[]));

        assert_eq!(key.tag(message).as_slice(), expected);
        assert_eq!(key.tag(message).as_slice(), expected, "state reused");
        assert_eq!(alloc::format!("{key:?}"), "Sha256Key([redacted])");
    }

    /// RFC 4231, test case 6: a key longer than the block, hashed first.
    #[test]
    fn rfc4231_case_6() {
        let key = Sha256Key::new(&[0xaa; 131]).unwrap();
        let message = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let expected = hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        assert_eq!(key.tag(message).as_slice(), expected);
        assert!(key.verify(message, &expected));
    }
}
