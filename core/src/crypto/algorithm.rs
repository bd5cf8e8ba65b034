//! The AEAD algorithms a key can use, and the one place where this module
//! calls the `chacha20poly1305` primitives for single messages (through
//! `mem8-guard-primitives`, which fixes their types).

use core::fmt;
use core::str::FromStr;

use mem8_guard_primitives::aead::{self as primitive, Algorithm as Primitive};

use super::error::CryptoError;
use super::key::SecretKey;

/// Length of a Poly1305 tag, in bytes.
pub const TAG_LEN: usize = 16;

/// Largest plaintext one AEAD call accepts, in bytes: 2^38 - 65.
///
/// The `chacha20poly1305` crate (0.10) rejects a message of 2^32 - 1 or more
/// 64-byte blocks, because ChaCha20's 32-bit block counter would wrap.
pub const MAX_MESSAGE_LEN: u64 = 64 * (u32::MAX as u64) - 1;

/// An AEAD algorithm. Every key is bound to exactly one.
///
/// Both take 256-bit keys and produce 128-bit tags. They differ in nonce
/// length, which decides how many messages one key can encrypt with random
/// nonces (see [`RotationPolicy`](super::RotationPolicy)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) with 192-bit random
    /// nonces; JWK `alg` `XC20P`, algorithm byte 1. The default.
    #[default]
    XChaCha20Poly1305,
    /// ChaCha20-Poly1305 (RFC 8439) with 96-bit random nonces; JWK `alg`
    /// `C20P`, algorithm byte 2.
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Every supported algorithm, in a stable order.
    pub const ALL: [AeadAlgorithm; 2] = [Self::XChaCha20Poly1305, Self::ChaCha20Poly1305];

    /// The JWK `alg` name: `XC20P` or `C20P`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::XChaCha20Poly1305 => "XC20P",
            Self::ChaCha20Poly1305 => "C20P",
        }
    }

    /// The algorithm byte in envelope and stream headers.
    pub const fn id(self) -> u8 {
        match self {
            Self::XChaCha20Poly1305 => 1,
            Self::ChaCha20Poly1305 => 2,
        }
    }

    /// The algorithm with header byte `id`, if any.
    pub const fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(Self::XChaCha20Poly1305),
            2 => Some(Self::ChaCha20Poly1305),
            _ => None,
        }
    }

    /// Nonce length in bytes: 24 or 12.
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::XChaCha20Poly1305 => 24,
            Self::ChaCha20Poly1305 => 12,
        }
    }

    /// Returns the same algorithm as a `mem8-guard-primitives` value.
    pub(crate) const fn primitive(self) -> Primitive {
        match self {
            Self::XChaCha20Poly1305 => Primitive::XChaCha20Poly1305,
            Self::ChaCha20Poly1305 => Primitive::ChaCha20Poly1305,
        }
    }
}

impl fmt::Display for AeadAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rejection of a name that is not `XC20P` or `C20P`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownAeadAlgorithm;

impl fmt::Display for UnknownAeadAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown AEAD algorithm; expected `XC20P` or `C20P`")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UnknownAeadAlgorithm {}

impl FromStr for AeadAlgorithm {
    type Err = UnknownAeadAlgorithm;

    /// Parses a JWK `alg` name, case-sensitively.
    fn from_str(name: &str) -> Result<Self, UnknownAeadAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.as_str() == name)
            .ok_or(UnknownAeadAlgorithm)
    }
}

/// Encrypts `buffer` in place under `key` and `nonce` and returns the tag.
///
/// `nonce` must be [`AeadAlgorithm::nonce_len`] bytes; callers that build
/// the nonce themselves guarantee that, and the hazmat entry points check it.
pub(crate) fn seal_in_place(
    algorithm: AeadAlgorithm,
    key: &SecretKey,
    nonce: &[u8],
    aad: &[u8],
    buffer: &mut [u8],
) -> Result<[u8; TAG_LEN], CryptoError> {
    check_nonce(algorithm, nonce)?;
    if buffer.len() as u64 > MAX_MESSAGE_LEN {
        return Err(CryptoError::TooLarge {
            max: MAX_MESSAGE_LEN,
        });
    }

    // The nonce and the length were checked above, which are the only ways
    // encryption fails.
    primitive::seal_in_place(algorithm.primitive(), key.as_bytes(), nonce, aad, buffer).map_err(
        |_| CryptoError::TooLarge {
            max: MAX_MESSAGE_LEN,
        },
    )
}

/// Verifies `tag` and decrypts `buffer` in place.
///
/// On failure `buffer` is zeroed, so it never contains a mix of ciphertext
/// and plaintext.
pub(crate) fn open_in_place(
    algorithm: AeadAlgorithm,
    key: &SecretKey,
    nonce: &[u8],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), CryptoError> {
    check_nonce(algorithm, nonce)?;

    // The primitive compares tags in constant time (`subtle`) and applies the
    // keystream only after the tag verified.
    primitive::open_in_place(
        algorithm.primitive(),
        key.as_bytes(),
        nonce,
        aad,
        buffer,
        tag,
    )
    .map_err(|_| {
        zeroize::Zeroize::zeroize(buffer);
        CryptoError::DecryptionFailed
    })
}

fn check_nonce(algorithm: AeadAlgorithm, nonce: &[u8]) -> Result<(), CryptoError> {
    if nonce.len() == algorithm.nonce_len() {
        Ok(())
    } else {
        Err(CryptoError::Malformed {
            reason: match algorithm {
                AeadAlgorithm::XChaCha20Poly1305 => "an XC20P nonce must be 24 bytes",
                AeadAlgorithm::ChaCha20Poly1305 => "a C20P nonce must be 12 bytes",
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for algorithm in AeadAlgorithm::ALL {
            assert_eq!(algorithm.as_str().parse(), Ok(algorithm));
            assert_eq!(AeadAlgorithm::from_id(algorithm.id()), Some(algorithm));
        }
    }

    #[test]
    fn lowercase_and_unknown_names_rejected() {
        for name in ["xc20p", "c20p", "A256GCM", "", "XC20P "] {
            assert_eq!(name.parse::<AeadAlgorithm>(), Err(UnknownAeadAlgorithm));
        }
    }

    #[test]
    fn unknown_ids_rejected() {
        for id in [0u8, 3, 0x81, 0xff] {
            assert_eq!(AeadAlgorithm::from_id(id), None, "{id}");
        }
    }

    #[test]
    fn wrong_nonce_length_rejected() {
        let key = SecretKey::from_bytes([7; 32]);
        let mut buffer = [1u8; 4];
        let error = seal_in_place(
            AeadAlgorithm::XChaCha20Poly1305,
            &key,
            &[0; 12],
            b"",
            &mut buffer,
        )
        .unwrap_err();
        assert_eq!(error.code(), "malformed");
        assert_eq!(buffer, [1u8; 4]);
    }

    #[test]
    fn failed_open_zeroes_buffer() {
        let key = SecretKey::from_bytes([7; 32]);
        let algorithm = AeadAlgorithm::ChaCha20Poly1305;
        let mut buffer = *b"attack at dawn";
        let tag = seal_in_place(algorithm, &key, &[0; 12], b"aad", &mut buffer).unwrap();
        let error =
            open_in_place(algorithm, &key, &[0; 12], b"other", &mut buffer, &tag).unwrap_err();
        assert_eq!(error, CryptoError::DecryptionFailed);
        assert_eq!(buffer, [0u8; 14]);
    }
}
