//! Hazardous raw AEAD calls with a caller-chosen nonce, for known-answer
//! tests only. Compiled only with the `hazmat` feature, which is off by
//! default.
//!
//! These are the primitive calls that envelopes and sealed keyrings make,
//! without a header, a random nonce or any key state. Encrypting two
//! messages under one key and nonce reveals the XOR of their plaintexts and
//! lets anyone forge messages under that key. Use [`Keyring`] instead.
//!
//! [`Keyring`]: super::Keyring

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::algorithm::{self, TAG_LEN};
use super::{AeadAlgorithm, CryptoError, Plaintext, SecretKey};

/// Encrypts `plaintext` with `nonce` and returns the ciphertext followed by
/// the 16-byte tag.
///
/// # Errors
///
/// [`CryptoError::Malformed`] when `nonce` is not
/// [`AeadAlgorithm::nonce_len`] bytes; [`CryptoError::TooLarge`].
///
/// # Security
///
/// Never reuse a nonce with the same key.
pub fn encrypt_with_nonce(
    algorithm: AeadAlgorithm,
    key: &SecretKey,
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len().saturating_add(TAG_LEN)));
    buffer.extend_from_slice(plaintext);
    let tag = algorithm::seal_in_place(algorithm, key, nonce, aad, &mut buffer)?;
    buffer.extend_from_slice(&tag);
    Ok(core::mem::take(&mut *buffer))
}

/// Verifies and decrypts `ciphertext`, the ciphertext followed by its
/// 16-byte tag.
///
/// # Errors
///
/// [`CryptoError::Malformed`] when `nonce` has the wrong length or
/// `ciphertext` is shorter than a tag; [`CryptoError::DecryptionFailed`]
/// when the tag does not verify.
pub fn decrypt_with_nonce(
    algorithm: AeadAlgorithm,
    key: &SecretKey,
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Plaintext, CryptoError> {
    let Some((body, tag)) = ciphertext.split_last_chunk::<TAG_LEN>() else {
        return Err(CryptoError::Malformed {
            reason: "the ciphertext is shorter than its tag",
        });
    };
    let mut buffer = Zeroizing::new(body.to_vec());
    algorithm::open_in_place(algorithm, key, nonce, aad, &mut buffer, tag)?;
    Ok(Plaintext::new(buffer))
}
