//! XChaCha20-Poly1305 and ChaCha20-Poly1305, one message at a time or as a
//! STREAM (`aead::stream`, big-endian 32-bit counter).

// generic-array 0.14.9 deprecates itself in favour of 1.x, but the
// chacha20poly1305 0.10 API takes 0.14 arrays.
#![allow(deprecated)]

use alloc::vec::Vec;

use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32, Nonce, StreamBE32};
use chacha20poly1305::aead::Buffer;
use chacha20poly1305::{AeadInPlace, ChaCha20Poly1305, KeyInit, XChaCha20Poly1305};

/// Length of a Poly1305 tag in bytes.
pub const TAG_LEN: usize = 16;

/// Length of a key in bytes, for both algorithms.
pub const KEY_LEN: usize = 32;

/// The two AEADs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// XChaCha20-Poly1305: 24-byte nonces, 19-byte STREAM nonce prefixes.
    XChaCha20Poly1305,
    /// ChaCha20-Poly1305 (RFC 8439): 12-byte nonces, 7-byte prefixes.
    ChaCha20Poly1305,
}

impl Algorithm {
    /// Returns the nonce length in bytes.
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::XChaCha20Poly1305 => 24,
            Self::ChaCha20Poly1305 => 12,
        }
    }

    /// Returns the STREAM nonce prefix length in bytes: the nonce less the
    /// 4-byte counter and the 1-byte last-chunk flag.
    pub const fn stream_prefix_len(self) -> usize {
        self.nonce_len() - 5
    }
}

/// The reason a primitive call failed. It carries no detail, because the
/// caller maps the failure to its own error for the call it made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The nonce or nonce prefix has the wrong length for the algorithm.
    NonceLength,
    /// Encryption refused the input: the message is over the AEAD's length
    /// limit, or the STREAM counter is exhausted.
    Refused,
    /// The tag did not verify. The buffer then contains no plaintext.
    Verification,
}

/// Encrypts `buffer` in place and returns the tag.
///
/// # Errors
///
/// [`Error::NonceLength`] when `nonce` is not [`Algorithm::nonce_len`]
/// bytes; [`Error::Refused`] when the message is over the length limit.
#[inline(never)]
pub fn seal_in_place(
    algorithm: Algorithm,
    key: &[u8; KEY_LEN],
    nonce: &[u8],
    aad: &[u8],
    buffer: &mut [u8],
) -> Result<[u8; TAG_LEN], Error> {
    if nonce.len() != algorithm.nonce_len() {
        return Err(Error::NonceLength);
    }
    let key = GenericArray::from_slice(key);
    let tag = match algorithm {
        Algorithm::XChaCha20Poly1305 => XChaCha20Poly1305::new(key).encrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            buffer,
        ),
        Algorithm::ChaCha20Poly1305 => ChaCha20Poly1305::new(key).encrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            buffer,
        ),
    };
    tag.map(Into::into).map_err(|_| Error::Refused)
}

/// Verifies `tag` and decrypts `buffer` in place. The primitive compares
/// the tag in constant time and decrypts only after it verified.
///
/// # Errors
///
/// [`Error::NonceLength`]; [`Error::Verification`] when the tag does not
/// verify, leaving `buffer` as it was.
#[inline(never)]
pub fn open_in_place(
    algorithm: Algorithm,
    key: &[u8; KEY_LEN],
    nonce: &[u8],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), Error> {
    if nonce.len() != algorithm.nonce_len() {
        return Err(Error::NonceLength);
    }
    let key = GenericArray::from_slice(key);
    let tag = GenericArray::from_slice(tag);
    let opened = match algorithm {
        Algorithm::XChaCha20Poly1305 => XChaCha20Poly1305::new(key).decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            buffer,
            tag,
        ),
        Algorithm::ChaCha20Poly1305 => ChaCha20Poly1305::new(key).decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            buffer,
            tag,
        ),
    };
    opened.map_err(|_| Error::Verification)
}

/// The encrypting half of a STREAM.
pub struct StreamSealer(Sealer);

enum Sealer {
    XChaCha(EncryptorBE32<XChaCha20Poly1305>),
    ChaCha(EncryptorBE32<ChaCha20Poly1305>),
}

/// The decrypting half of a STREAM.
pub struct StreamOpener(Opener);

enum Opener {
    XChaCha(DecryptorBE32<XChaCha20Poly1305>),
    ChaCha(DecryptorBE32<ChaCha20Poly1305>),
}

impl StreamSealer {
    /// Starts a stream under `key` with the nonce prefix `prefix`.
    ///
    /// # Errors
    ///
    /// [`Error::NonceLength`] when `prefix` is not
    /// [`Algorithm::stream_prefix_len`] bytes.
    pub fn new(algorithm: Algorithm, key: &[u8; KEY_LEN], prefix: &[u8]) -> Result<Self, Error> {
        Ok(Self(match StreamStart::new(algorithm, key, prefix)? {
            StreamStart::XChaCha(aead, prefix) => {
                Sealer::XChaCha(EncryptorBE32::from_aead(aead, prefix))
            }
            StreamStart::ChaCha(aead, prefix) => {
                Sealer::ChaCha(EncryptorBE32::from_aead(aead, prefix))
            }
        }))
    }

    /// Encrypts `output[start..]` in place as the next, non-final chunk and
    /// appends its tag.
    ///
    /// # Errors
    ///
    /// [`Error::Refused`] when the chunk counter is exhausted.
    #[inline(never)]
    pub fn seal_next(
        &mut self,
        aad: &[u8],
        output: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Error> {
        let mut buffer = TailBuffer { vec: output, start };
        let sealed = match &mut self.0 {
            Sealer::XChaCha(sealer) => sealer.encrypt_next_in_place(aad, &mut buffer),
            Sealer::ChaCha(sealer) => sealer.encrypt_next_in_place(aad, &mut buffer),
        };
        sealed.map_err(|_| Error::Refused)
    }

    /// Encrypts `output[start..]` in place as the final chunk and appends
    /// its tag.
    ///
    /// # Errors
    ///
    /// [`Error::Refused`] when the chunk counter is exhausted.
    #[inline(never)]
    pub fn seal_last(self, aad: &[u8], output: &mut Vec<u8>, start: usize) -> Result<(), Error> {
        let mut buffer = TailBuffer { vec: output, start };
        let sealed = match self.0 {
            Sealer::XChaCha(sealer) => sealer.encrypt_last_in_place(aad, &mut buffer),
            Sealer::ChaCha(sealer) => sealer.encrypt_last_in_place(aad, &mut buffer),
        };
        sealed.map_err(|_| Error::Refused)
    }
}

impl StreamOpener {
    /// Starts reading a stream under `key` with the nonce prefix `prefix`.
    ///
    /// # Errors
    ///
    /// [`Error::NonceLength`] when `prefix` is not
    /// [`Algorithm::stream_prefix_len`] bytes.
    pub fn new(algorithm: Algorithm, key: &[u8; KEY_LEN], prefix: &[u8]) -> Result<Self, Error> {
        Ok(Self(match StreamStart::new(algorithm, key, prefix)? {
            StreamStart::XChaCha(aead, prefix) => {
                Opener::XChaCha(DecryptorBE32::from_aead(aead, prefix))
            }
            StreamStart::ChaCha(aead, prefix) => {
                Opener::ChaCha(DecryptorBE32::from_aead(aead, prefix))
            }
        }))
    }

    /// Verifies and decrypts the non-final chunk at `output[start..]` (its
    /// ciphertext and tag) in place, leaving the plaintext there.
    ///
    /// # Errors
    ///
    /// [`Error::Verification`] when the chunk does not verify.
    #[inline(never)]
    pub fn open_next(
        &mut self,
        aad: &[u8],
        output: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Error> {
        let mut buffer = TailBuffer { vec: output, start };
        let opened = match &mut self.0 {
            Opener::XChaCha(opener) => opener.decrypt_next_in_place(aad, &mut buffer),
            Opener::ChaCha(opener) => opener.decrypt_next_in_place(aad, &mut buffer),
        };
        opened.map_err(|_| Error::Verification)
    }

    /// Verifies and decrypts the final chunk at `output[start..]` in place.
    ///
    /// # Errors
    ///
    /// [`Error::Verification`] when the chunk does not verify.
    #[inline(never)]
    pub fn open_last(self, aad: &[u8], output: &mut Vec<u8>, start: usize) -> Result<(), Error> {
        let mut buffer = TailBuffer { vec: output, start };
        let opened = match self.0 {
            Opener::XChaCha(opener) => opener.decrypt_last_in_place(aad, &mut buffer),
            Opener::ChaCha(opener) => opener.decrypt_last_in_place(aad, &mut buffer),
        };
        opened.map_err(|_| Error::Verification)
    }
}

/// The keyed AEAD and the nonce prefix that start either half of a STREAM.
enum StreamStart<'a> {
    XChaCha(XChaCha20Poly1305, &'a StreamPrefix<XChaCha20Poly1305>),
    ChaCha(ChaCha20Poly1305, &'a StreamPrefix<ChaCha20Poly1305>),
}

/// A STREAM nonce prefix of the length that AEAD `A` needs.
type StreamPrefix<A> = Nonce<A, StreamBE32<A>>;

impl<'a> StreamStart<'a> {
    /// Checks the length of `prefix` and keys the algorithm's AEAD.
    fn new(algorithm: Algorithm, key: &[u8; KEY_LEN], prefix: &'a [u8]) -> Result<Self, Error> {
        if prefix.len() != algorithm.stream_prefix_len() {
            return Err(Error::NonceLength);
        }
        // Each arm converts `prefix` to its own array length, which the
        // check above guarantees, so `from_slice` cannot panic.
        let key = GenericArray::from_slice(key);
        Ok(match algorithm {
            Algorithm::XChaCha20Poly1305 => Self::XChaCha(
                XChaCha20Poly1305::new(key),
                GenericArray::from_slice(prefix),
            ),
            Algorithm::ChaCha20Poly1305 => {
                Self::ChaCha(ChaCha20Poly1305::new(key), GenericArray::from_slice(prefix))
            }
        })
    }
}

/// The part of a vector from `start` on, as an `aead` buffer, so that each
/// chunk is encrypted or decrypted where it lies in the output.
struct TailBuffer<'a> {
    vec: &'a mut Vec<u8>,
    start: usize,
}

impl AsRef<[u8]> for TailBuffer<'_> {
    fn as_ref(&self) -> &[u8] {
        self.vec.get(self.start..).unwrap_or_default()
    }
}

impl AsMut<[u8]> for TailBuffer<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        self.vec.get_mut(self.start..).unwrap_or_default()
    }
}

impl Buffer for TailBuffer<'_> {
    fn extend_from_slice(&mut self, other: &[u8]) -> chacha20poly1305::aead::Result<()> {
        self.vec.extend_from_slice(other);
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.vec.truncate(self.start.saturating_add(len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const ALL: [Algorithm; 2] = [Algorithm::XChaCha20Poly1305, Algorithm::ChaCha20Poly1305];

    #[test]
    fn streams_round_trip_for_both_algorithms() {
        for algorithm in ALL {
            let key = [7u8; KEY_LEN];
            let prefix = vec![9u8; algorithm.stream_prefix_len()];
            let mut sealer = StreamSealer::new(algorithm, &key, &prefix).unwrap();
            let mut output = b"first".to_vec();
            sealer.seal_next(b"aad", &mut output, 0).unwrap();
            let split = output.len();
            output.extend_from_slice(b"last");
            sealer.seal_last(b"aad", &mut output, split).unwrap();

            let mut opener = StreamOpener::new(algorithm, &key, &prefix).unwrap();
            let mut first = output[..split].to_vec();
            opener.open_next(b"aad", &mut first, 0).unwrap();
            assert_eq!(first, b"first");
            let mut last = output[split..].to_vec();
            opener.open_last(b"aad", &mut last, 0).unwrap();
            assert_eq!(last, b"last");
        }
    }

    #[test]
    fn wrong_lengths_are_errors() {
        for algorithm in ALL {
            let key = [7u8; KEY_LEN];
            let long = vec![0u8; algorithm.nonce_len() + 1];
            assert_eq!(
                seal_in_place(algorithm, &key, &long, b"", &mut []).unwrap_err(),
                Error::NonceLength
            );
            assert!(StreamSealer::new(algorithm, &key, &long).is_err());
            assert!(StreamOpener::new(algorithm, &key, &long).is_err());
        }
    }

    #[test]
    fn stream_prefix_length_is_per_algorithm() {
        let key = [7u8; KEY_LEN];
        for (algorithm, other) in [(ALL[0], ALL[1]), (ALL[1], ALL[0])] {
            let wrong = [
                vec![0u8; algorithm.stream_prefix_len() - 1],
                vec![0u8; other.stream_prefix_len()],
                Vec::new(),
            ];
            for prefix in &wrong {
                let sealer = StreamSealer::new(algorithm, &key, prefix);
                assert_eq!(sealer.err(), Some(Error::NonceLength), "{algorithm:?}");
                let opener = StreamOpener::new(algorithm, &key, prefix);
                assert_eq!(opener.err(), Some(Error::NonceLength), "{algorithm:?}");
            }
            let right = vec![0u8; algorithm.stream_prefix_len()];
            assert!(StreamSealer::new(algorithm, &key, &right).is_ok());
            assert!(StreamOpener::new(algorithm, &key, &right).is_ok());
        }
    }

    #[test]
    fn open_rejects_modified_message() {
        for algorithm in ALL {
            let key = [1u8; KEY_LEN];
            let nonce = vec![2u8; algorithm.nonce_len()];
            let mut buffer = b"message".to_vec();
            let tag = seal_in_place(algorithm, &key, &nonce, b"aad", &mut buffer).unwrap();
            buffer[0] ^= 1;
            assert_eq!(
                open_in_place(algorithm, &key, &nonce, b"aad", &mut buffer, &tag).unwrap_err(),
                Error::Verification
            );
        }
    }
}
