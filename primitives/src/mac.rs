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

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2: key "Jefe".
    const MESSAGE: &[u8] = b"what do ya want for nothing?";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc4231_case_2() {
        let cases = [
            (
                Hash::Sha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                Hash::Sha384,
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            ),
            (
                Hash::Sha512,
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ];
        for (hash, expected) in cases {
            let expected = hex(expected);
            assert_eq!(tag(hash, b"Jefe", MESSAGE).unwrap(), expected);
            assert!(verify(hash, b"Jefe", MESSAGE, &expected));
            let mut wrong = expected.clone();
            wrong[0] ^= 1;
            assert!(!verify(hash, b"Jefe", MESSAGE, &wrong));
            assert!(!verify(
                hash,
                b"Jefe",
                MESSAGE,
                &expected[..expected.len() - 1]
            ));
        }
    }
}
