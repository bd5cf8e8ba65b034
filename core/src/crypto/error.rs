//! Errors of encryption, decryption and keyring management.

use alloc::string::String;
use core::fmt;

use super::{AeadAlgorithm, KeyId, KeyState};
use crate::json::JsonError;

/// Why an envelope or stream could not be encrypted or decrypted.
///
/// [`CryptoError::code`] gives a stable name for each kind. A failed tag
/// check is the one opaque [`CryptoError::DecryptionFailed`], which reveals
/// nothing about which input was wrong. The other kinds describe only the public
/// header, never plaintext or key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The input is shorter than its header and tag, is not unpadded
    /// base64url, or a raw nonce has the wrong length.
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The version byte is not one this crate reads.
    UnsupportedVersion {
        /// The first byte of the input.
        version: u8,
    },
    /// The algorithm byte names no supported algorithm.
    UnsupportedAlgorithm {
        /// The algorithm byte.
        id: u8,
    },
    /// No key in the keyring has the header's key id.
    UnknownKey {
        /// The header's key id.
        id: KeyId,
    },
    /// The header's key is disabled, so it decrypts nothing until enabled.
    KeyDisabled {
        /// The key's id.
        id: KeyId,
    },
    /// The header's key was destroyed; what it encrypted is unrecoverable.
    KeyDestroyed {
        /// The key's id.
        id: KeyId,
    },
    /// The header names another algorithm than the one the key is bound to.
    /// A key is never used with any other algorithm.
    AlgorithmMismatch {
        /// The key's id.
        id: KeyId,
        /// The key's algorithm.
        key: AeadAlgorithm,
        /// The algorithm in the header.
        header: AeadAlgorithm,
    },
    /// The tag did not verify: the ciphertext, its header, the associated
    /// data or the key is not the one used to encrypt. Deliberately opaque.
    DecryptionFailed,
    /// The stream ended before its final chunk.
    Truncated,
    /// The plaintext is longer than one AEAD call accepts.
    TooLarge {
        /// The maximum plaintext length in bytes.
        max: u64,
    },
    /// A stream chunk size outside the supported bounds.
    InvalidChunkSize {
        /// The requested or stored chunk size, in bytes.
        size: u64,
        /// The minimum, in bytes.
        min: usize,
        /// The maximum, in bytes.
        max: usize,
    },
    /// The stream has reached 2^32 - 1 chunks, the most its 32-bit counter
    /// allows.
    StreamTooLong,
    /// The primary key has encrypted as many messages as its algorithm
    /// allows with random nonces; rotate the keyring.
    KeyExhausted {
        /// The key's id.
        id: KeyId,
        /// The key's message count.
        messages: u64,
    },
}

impl CryptoError {
    /// A stable snake_case code for the error kind, shared by every runtime.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::UnsupportedVersion { .. } => "unsupported_version",
            Self::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Self::UnknownKey { .. } => "unknown_key",
            Self::KeyDisabled { .. } => "key_disabled",
            Self::KeyDestroyed { .. } => "key_destroyed",
            Self::AlgorithmMismatch { .. } => "algorithm_mismatch",
            Self::DecryptionFailed => "decryption_failed",
            Self::Truncated => "truncated",
            Self::TooLarge { .. } => "too_large",
            Self::InvalidChunkSize { .. } => "invalid_chunk_size",
            Self::StreamTooLong => "stream_too_long",
            Self::KeyExhausted { .. } => "key_exhausted",
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { reason } => write!(f, "malformed input: {reason}"),
            // Each reader accepts one of the two versions, so the other one
            // means the input went to the wrong reader.
            Self::UnsupportedVersion { version: 0x81 } => f.write_str(
                "the input is a stream (version byte `0x81`), not an envelope; decrypt it \
                 with a stream decryptor, as `mem8-guard decrypt` does",
            ),
            Self::UnsupportedVersion { version: 0x01 } => f.write_str(
                "the input is an envelope (version byte `0x01`), not a stream; decrypt it \
                 with the keyring's `decrypt` (the library's `Keyring::decrypt`, or \
                 `keyring.decrypt` in the npm package), because `mem8-guard decrypt` reads \
                 streams only",
            ),
            Self::UnsupportedVersion { version } => write!(
                f,
                "unsupported format version byte `0x{version:02x}`; expected an envelope (0x01) \
                 or a stream (0x81)"
            ),
            Self::UnsupportedAlgorithm { id } => {
                write!(f, "unsupported algorithm byte `{id}`; expected 1 (XC20P) or 2 (C20P)")
            }
            Self::UnknownKey { id } => write!(
                f,
                "no key with id `{id}` in the keyring; decrypt with the keyring that encrypted it"
            ),
            Self::KeyDisabled { id } => write!(
                f,
                "key `{id}` is disabled; enable it to decrypt what it encrypted"
            ),
            Self::KeyDestroyed { id } => write!(
                f,
                "key `{id}` was destroyed; what it encrypted cannot be recovered"
            ),
            Self::AlgorithmMismatch { id, key, header } => write!(
                f,
                "key `{id}` is bound to `{key}`, but the header names `{header}`"
            ),
            Self::DecryptionFailed => f.write_str(
                "decryption failed: the ciphertext was modified, or the associated data or key \
                 differs from the ones used to encrypt it",
            ),
            Self::Truncated => f.write_str("stream is truncated: it ends before its final chunk"),
            Self::TooLarge { max } => {
                write!(f, "plaintext is longer than the maximum of {max} bytes")
            }
            Self::InvalidChunkSize { size, min, max } => write!(
                f,
                "chunk size `{size}` is outside the supported range of {min} to {max} bytes"
            ),
            Self::StreamTooLong => f.write_str(
                "stream has 2^32 - 1 chunks, the maximum; use a larger chunk size or split the data",
            ),
            Self::KeyExhausted { id, messages } => write!(
                f,
                "primary key `{id}` has encrypted {messages} messages, the most its algorithm \
                 allows with random nonces; rotate the keyring"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CryptoError {}

/// An operation on a keyring key, named in [`KeyringError::InvalidState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyOperation {
    /// Making a key the primary.
    Promote,
    /// Enabling a disabled key.
    Enable,
    /// Disabling an enabled key.
    Disable,
    /// Destroying a disabled key.
    Destroy,
    /// Deriving a subkey.
    Derive,
}

impl KeyOperation {
    /// The verb, as used in messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Promote => "promote",
            Self::Enable => "enable",
            Self::Disable => "disable",
            Self::Destroy => "destroy",
            Self::Derive => "derive from",
        }
    }
}

/// Why a keyring operation, or loading, sealing or opening a keyring, failed.
///
/// A failed operation leaves the keyring unchanged. Messages never contain
/// key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyringError {
    /// No key in the keyring has this id.
    UnknownKey {
        /// The requested id.
        id: KeyId,
    },
    /// The operation is not allowed in the key's current state.
    InvalidState {
        /// The key's id.
        id: KeyId,
        /// The key's state.
        state: KeyState,
        /// The operation requested.
        operation: KeyOperation,
    },
    /// The keyring already contains the maximum number of keys, destroyed
    /// ones included.
    TooManyKeys {
        /// The maximum.
        max: usize,
    },
    /// Every random key id drawn was already taken, which points to a broken
    /// random number generator.
    NoFreeKeyId {
        /// How many ids were drawn.
        attempts: usize,
    },
    /// The keyring document is not strict JSON or exceeds the JSON limits.
    InvalidJson(JsonError),
    /// The keyring document is JSON but not a valid keyring.
    InvalidKeyring {
        /// What is wrong; never contains key material.
        reason: String,
    },
    /// The sealed keyring was sealed under another key-encryption key.
    WrongKek {
        /// Fingerprint of the key-encryption key the keyring was sealed under.
        sealed_with: KeyId,
        /// Fingerprint of the key-encryption key given.
        given: KeyId,
    },
    /// The key-encryption key is all zero bytes, a placeholder rather than a
    /// key, so the keyring is neither sealed nor opened with it.
    WeakKek,
    /// The sealed keyring is not a valid envelope, or its tag did not verify
    /// under the right key-encryption key: it is corrupt or was modified.
    CorruptSealed(CryptoError),
}

impl KeyringError {
    /// A stable snake_case code for the error kind, shared by every runtime.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::UnknownKey { .. } => "unknown_key",
            Self::InvalidState { .. } => "invalid_state",
            Self::TooManyKeys { .. } => "too_many_keys",
            Self::NoFreeKeyId { .. } => "no_free_key_id",
            Self::InvalidJson(_) => "invalid_json",
            Self::InvalidKeyring { .. } => "invalid_keyring",
            Self::WrongKek { .. } => "wrong_kek",
            Self::WeakKek => "weak_kek",
            Self::CorruptSealed(_) => "corrupt_sealed_keyring",
        }
    }
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownKey { id } => write!(f, "no key with id `{id}` in the keyring"),
            Self::InvalidState {
                id,
                state,
                operation,
            } => {
                write!(f, "cannot {} key `{id}`: it is {state}", operation.as_str())?;
                f.write_str(state_hint(*operation, *state))
            }
            Self::TooManyKeys { max } => write!(
                f,
                "keyring already contains the maximum of {max} keys, destroyed keys included"
            ),
            Self::NoFreeKeyId { attempts } => write!(
                f,
                "no unused key id in {attempts} random draws; check the random number generator"
            ),
            Self::InvalidJson(error) => write!(f, "invalid keyring: {error}"),
            Self::InvalidKeyring { reason } => write!(f, "invalid keyring: {reason}"),
            Self::WrongKek { sealed_with, given } => write!(
                f,
                "wrong key-encryption key: the keyring was sealed under key-encryption key \
                 `{sealed_with}`, not `{given}`"
            ),
            Self::WeakKek => f.write_str(
                "the key-encryption key is all zero bytes; use 32 bytes from a \
                 cryptographic random source",
            ),
            Self::CorruptSealed(cause) => {
                write!(f, "sealed keyring is corrupt or was modified: {cause}")
            }
        }
    }
}

/// The next step to suggest after an invalid transition.
fn state_hint(operation: KeyOperation, state: KeyState) -> &'static str {
    match (operation, state) {
        (KeyOperation::Promote, KeyState::Primary) => " already",
        (KeyOperation::Promote, KeyState::Disabled) => "; enable it first",
        (KeyOperation::Disable, KeyState::Primary) => "; promote another key first",
        (KeyOperation::Destroy, KeyState::Primary) => {
            "; promote another key, then disable this one first"
        }
        (KeyOperation::Destroy, KeyState::Enabled) => "; disable it first",
        (KeyOperation::Enable | KeyOperation::Disable, _) if state != KeyState::Destroyed => {
            " already"
        }
        (_, KeyState::Destroyed) => ", which is final",
        _ => "",
    }
}

#[cfg(feature = "std")]
impl std::error::Error for KeyringError {}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    fn invalid(state: KeyState, operation: KeyOperation) -> String {
        KeyringError::InvalidState {
            id: KeyId::new(0x0a1b_2c3d),
            state,
            operation,
        }
        .to_string()
    }

    #[test]
    fn invalid_state_messages_name_id_and_next_step() {
        assert_eq!(
            invalid(KeyState::Primary, KeyOperation::Disable),
            "cannot disable key `0a1b2c3d`: it is primary; promote another key first"
        );
        assert_eq!(
            invalid(KeyState::Enabled, KeyOperation::Destroy),
            "cannot destroy key `0a1b2c3d`: it is enabled; disable it first"
        );
        assert_eq!(
            invalid(KeyState::Destroyed, KeyOperation::Enable),
            "cannot enable key `0a1b2c3d`: it is destroyed, which is final"
        );
        assert_eq!(
            invalid(KeyState::Disabled, KeyOperation::Disable),
            "cannot disable key `0a1b2c3d`: it is disabled already"
        );
        assert_eq!(
            invalid(KeyState::Disabled, KeyOperation::Promote),
            "cannot promote key `0a1b2c3d`: it is disabled; enable it first"
        );
    }

    #[test]
    fn version_of_the_other_format_names_it() {
        let stream = CryptoError::UnsupportedVersion { version: 0x81 }.to_string();
        assert!(stream.starts_with("the input is a stream"), "{stream}");
        let envelope = CryptoError::UnsupportedVersion { version: 0x01 }.to_string();
        assert!(
            envelope.starts_with("the input is an envelope"),
            "{envelope}"
        );
        let other = CryptoError::UnsupportedVersion { version: 0x02 }.to_string();
        assert!(other.contains("`0x02`"), "{other}");
    }

    #[test]
    fn decryption_failure_is_opaque() {
        let message = CryptoError::DecryptionFailed.to_string();
        assert!(!message.contains('`'), "{message}");
    }
}
