//! Encryption with rotating keys: a [`Keyring`] of AEAD keys with ids and
//! life-cycle states, a versioned envelope for single messages, chunked
//! streams for data that does not fit in memory, HKDF subkeys, and keyrings
//! sealed under a key-encryption key.
//!
//! The keyring plays the part of a key manager (keys, states, rotation) and
//! of an encryption manager (`encrypt`, `decrypt`, streams). The
//! cryptography is the RustCrypto `chacha20poly1305` (0.10), `aead::stream`
//! and `hkdf` (0.12) crates; this module only frames their input and
//! output. It does no I/O: randomness and time are arguments.
//!
//! # Example
//!
//! ```
//! use mem8_guard::crypto::{AeadAlgorithm, CryptoError, Keyring};
//!
//! let mut rng = rand_core::OsRng;
//! let now = 1_700_000_000;
//! let mut keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut rng, now);
//!
//! // The associated data is authenticated, not stored: decryption needs it too.
//! let envelope = keyring.encrypt(b"card 4242", b"customer:7", &mut rng)?;
//! assert_eq!(keyring.decrypt(&envelope, b"customer:7")?.as_bytes(), b"card 4242");
//! assert_eq!(
//!     keyring.decrypt(&envelope, b"customer:8").unwrap_err(),
//!     CryptoError::DecryptionFailed
//! );
//!
//! // Rotate: new messages use the new key, old ones still decrypt.
//! let old = keyring.primary().id;
//! keyring.rotate(AeadAlgorithm::XChaCha20Poly1305, &mut rng, now + 86_400)?;
//! assert_eq!(keyring.decrypt(&envelope, b"customer:7")?.as_bytes(), b"card 4242");
//!
//! // Retire the old key: disable it, then destroy it.
//! keyring.disable(old)?;
//! keyring.destroy(old)?;
//! let error = keyring.decrypt(&envelope, b"customer:7").unwrap_err();
//! assert_eq!(error.code(), "key_destroyed");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Envelope format, version 1
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | version, `0x01` |
//! | 4 | key id, big-endian |
//! | 1 | algorithm: 1 XChaCha20-Poly1305, 2 ChaCha20-Poly1305 |
//! | 24 or 12 | nonce, random |
//! | n | ciphertext, as long as the plaintext |
//! | 16 | Poly1305 tag |
//!
//! The AEAD associated data is the 30-byte (XC20P) or 18-byte (C20P) header
//! followed by the caller's associated data. Their concatenation is
//! unambiguous because the algorithm byte, which is authenticated, fixes the
//! header length. The text form is the envelope in unpadded base64url
//! (RFC 4648 §5).
//!
//! # Stream format, version 1
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | version, `0x81` |
//! | 4 | key id, big-endian |
//! | 1 | algorithm, as in envelopes |
//! | 4 | chunk size in plaintext bytes, big-endian, 1 KiB to 16 MiB |
//! | 32 | salt, random |
//! | 19 or 7 | nonce prefix, random |
//!
//! Then come the chunks, each the ciphertext and 16-byte tag of STREAM
//! (`aead::stream::EncryptorBE32`): the nonce is the prefix, a 32-bit
//! big-endian chunk counter from 0 and a last-chunk flag byte. The key is
//! HKDF-SHA256 of the keyring key with the header's salt and `info`
//! `mem8-guard/v1/stream`, so every stream has its own key. Every chunk's
//! associated data is the whole header followed by the caller's associated
//! data. Every chunk but the last contains exactly the chunk size. The last
//! contains less, possibly nothing, and has the flag set. So reordering,
//! duplicating, dropping or appending chunks, cutting the stream short and
//! changing the header all fail the tag check or the end-of-stream check.
//!
//! # Keyring JSON and sealed keyrings
//!
//! [`Keyring::to_json`] documents the JSON. [`Keyring::seal`] encrypts it
//! into an envelope under a 32-byte key-encryption key, and the key's
//! [fingerprint](SecretKey::fingerprint) is the envelope's key id. So
//! [`Keyring::open`] distinguishes a wrong key-encryption key from a corrupt
//! keyring.

mod algorithm;
mod document;
mod envelope;
mod error;
#[cfg(feature = "hazmat")]
pub mod hazmat;
mod key;
mod keyring;
mod stream;
mod stream_reader;

pub use algorithm::{AeadAlgorithm, UnknownAeadAlgorithm, MAX_MESSAGE_LEN, TAG_LEN};
pub use document::KEYRING_VERSION;
pub use envelope::{header_len as envelope_header_len, ENVELOPE_VERSION};
pub use error::{CryptoError, KeyOperation, KeyringError};
pub use key::{GivenKeyId, InvalidKeyId, KeyId, KeyInfo, KeyState, Plaintext, SecretKey, KEY_LEN};
pub use keyring::{Keyring, RotationPolicy, RotationReason, CHACHA20_MESSAGE_LIMIT, MAX_KEYS};
pub use stream::{
    StreamDecryptor, StreamEncryptor, StreamHeader, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE,
    MAX_STREAM_HEADER_LEN, MIN_CHUNK_SIZE, STREAM_VERSION,
};
pub use stream_reader::StreamReader;
