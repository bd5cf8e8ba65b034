//! The versioned envelope of one encrypted message, in binary and text form.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::CryptoRngCore;
use zeroize::{Zeroize, Zeroizing};

use super::algorithm::{self, MAX_MESSAGE_LEN, TAG_LEN};
use super::error::CryptoError;
use super::{AeadAlgorithm, KeyId, Keyring, Plaintext, SecretKey};

/// The first byte of every envelope this crate writes.
pub const ENVELOPE_VERSION: u8 = 0x01;

/// Version, key id and algorithm: the bytes before the nonce.
const PREFIX_LEN: usize = 6;

/// A parsed envelope whose header is well formed. Nothing is authenticated
/// yet.
pub(crate) struct ParsedEnvelope<'a> {
    pub(crate) key_id: KeyId,
    pub(crate) algorithm: AeadAlgorithm,
    header: &'a [u8],
    nonce: &'a [u8],
    ciphertext: &'a [u8],
    tag: [u8; TAG_LEN],
}

/// The envelope header length for `algorithm`: 30 bytes for XC20P, 18 for
/// C20P.
pub const fn header_len(algorithm: AeadAlgorithm) -> usize {
    PREFIX_LEN + algorithm.nonce_len()
}

impl Keyring {
    /// Encrypts `plaintext` with the primary key into an envelope, binding
    /// `aad`, and counts one message on the primary.
    ///
    /// `aad` (associated data) is authenticated but not encrypted or stored:
    /// decryption must supply the same bytes. The nonce comes from `rng`.
    ///
    /// # Errors
    ///
    /// [`CryptoError::KeyExhausted`] when a ChaCha20-Poly1305 primary has
    /// encrypted [`CHACHA20_MESSAGE_LIMIT`](super::CHACHA20_MESSAGE_LIMIT)
    /// messages; [`CryptoError::TooLarge`] above [`MAX_MESSAGE_LEN`]. The
    /// keyring is unchanged on error.
    ///
    /// # Security
    ///
    /// Nonces are random, so `rng` must be a cryptographic RNG; a repeated
    /// nonce under one key breaks confidentiality and authenticity of both
    /// messages. Save the keyring after encrypting, or the message counts
    /// that [`rotation_due`](Self::rotation_due) reads stay behind.
    pub fn encrypt(
        &mut self,
        plaintext: &[u8],
        aad: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, CryptoError> {
        let (info, key) = self.encryption_key()?;
        let envelope = seal(key, info.id, info.algorithm, plaintext, aad, rng)?;
        self.count_message();
        Ok(envelope)
    }

    /// [`encrypt`](Self::encrypt), returning the envelope as unpadded
    /// base64url text.
    ///
    /// # Errors
    ///
    /// Those of [`encrypt`](Self::encrypt).
    pub fn encrypt_to_text(
        &mut self,
        plaintext: &[u8],
        aad: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<String, CryptoError> {
        let envelope = self.encrypt(plaintext, aad, rng)?;
        Ok(Base64UrlUnpadded::encode_string(&envelope))
    }

    /// Decrypts an envelope with the key its header names, checking `aad`.
    ///
    /// Checks run in this order, and the first failure is returned: the
    /// version byte, the header length, the algorithm byte, the key (unknown,
    /// disabled, destroyed, or bound to another algorithm), then the tag.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Malformed`], [`CryptoError::UnsupportedVersion`],
    /// [`CryptoError::UnsupportedAlgorithm`], [`CryptoError::UnknownKey`],
    /// [`CryptoError::KeyDisabled`], [`CryptoError::KeyDestroyed`],
    /// [`CryptoError::AlgorithmMismatch`], and the opaque
    /// [`CryptoError::DecryptionFailed`] when the tag does not verify.
    ///
    /// # Security
    ///
    /// No plaintext is released unless the tag verified; on failure the
    /// working buffer is zeroed before it is freed.
    pub fn decrypt(&self, envelope: &[u8], aad: &[u8]) -> Result<Plaintext, CryptoError> {
        let parsed = parse(envelope)?;
        let key = self.decryption_key(parsed.key_id, parsed.algorithm)?;
        open_parsed(&parsed, key, aad)
    }

    /// [`decrypt`](Self::decrypt) of an envelope in unpadded base64url text.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Malformed`] when `text` is not strict unpadded
    /// base64url, then those of [`decrypt`](Self::decrypt).
    pub fn decrypt_text(&self, text: &str, aad: &[u8]) -> Result<Plaintext, CryptoError> {
        let envelope = decode_text(text)?;
        self.decrypt(&envelope, aad)
    }
}

/// Decodes strict unpadded base64url text.
pub(crate) fn decode_text(text: &str) -> Result<Vec<u8>, CryptoError> {
    Base64UrlUnpadded::decode_vec(text).map_err(|_| CryptoError::Malformed {
        reason: "text is not unpadded base64url",
    })
}

/// Encrypts `plaintext` under `key` into an envelope naming `key_id`.
pub(crate) fn seal(
    key: &SecretKey,
    key_id: KeyId,
    algorithm: AeadAlgorithm,
    plaintext: &[u8],
    aad: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, CryptoError> {
    let too_large = CryptoError::TooLarge {
        max: MAX_MESSAGE_LEN,
    };
    if plaintext.len() as u64 > MAX_MESSAGE_LEN {
        return Err(too_large);
    }
    let header_len = header_len(algorithm);
    let total = plaintext
        .len()
        .checked_add(header_len + TAG_LEN)
        .ok_or(too_large)?;

    // One buffer contains header, then plaintext encrypted in place, then tag,
    // so the plaintext is copied once and the buffer never reallocates.
    let mut envelope = Vec::with_capacity(total);
    envelope.push(ENVELOPE_VERSION);
    envelope.extend_from_slice(&key_id.value().to_be_bytes());
    envelope.push(algorithm.id());
    let mut nonce = [0u8; 24];
    let nonce = nonce.get_mut(..algorithm.nonce_len()).unwrap_or_default();
    rng.fill_bytes(nonce);
    envelope.extend_from_slice(nonce);

    let full_aad = authenticated_data(&envelope, aad);
    envelope.extend_from_slice(plaintext);
    let (_, body) = envelope.split_at_mut(header_len);
    match algorithm::seal_in_place(algorithm, key, nonce, &full_aad, body) {
        Ok(tag) => {
            envelope.extend_from_slice(&tag);
            Ok(envelope)
        }
        Err(error) => {
            envelope.zeroize();
            Err(error)
        }
    }
}

/// Splits an envelope into its parts, checking everything that can be
/// checked without a key.
pub(crate) fn parse(envelope: &[u8]) -> Result<ParsedEnvelope<'_>, CryptoError> {
    let Some((&version, rest)) = envelope.split_first() else {
        return Err(CryptoError::Malformed {
            reason: "the envelope is empty",
        });
    };
    if version != ENVELOPE_VERSION {
        return Err(CryptoError::UnsupportedVersion { version });
    }
    let short_header = CryptoError::Malformed {
        reason: "the envelope is shorter than its header",
    };
    let Some((id_bytes, rest)) = rest.split_first_chunk::<4>() else {
        return Err(short_header);
    };
    let Some((&algorithm_id, _)) = rest.split_first() else {
        return Err(short_header);
    };
    let algorithm = AeadAlgorithm::from_id(algorithm_id)
        .ok_or(CryptoError::UnsupportedAlgorithm { id: algorithm_id })?;

    let header_len = header_len(algorithm);
    let truncated = CryptoError::Malformed {
        reason: "the envelope is shorter than its header and tag",
    };
    let (header, rest) = envelope
        .split_at_checked(header_len)
        .ok_or(truncated.clone())?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or(truncated)?;
    let nonce = header.get(PREFIX_LEN..).unwrap_or_default();
    Ok(ParsedEnvelope {
        key_id: KeyId::new(u32::from_be_bytes(*id_bytes)),
        algorithm,
        header,
        nonce,
        ciphertext,
        tag: *tag,
    })
}

/// Verifies and decrypts a parsed envelope under `key`.
pub(crate) fn open_parsed(
    parsed: &ParsedEnvelope<'_>,
    key: &SecretKey,
    aad: &[u8],
) -> Result<Plaintext, CryptoError> {
    let full_aad = authenticated_data(parsed.header, aad);
    let mut buffer = Zeroizing::new(parsed.ciphertext.to_vec());
    algorithm::open_in_place(
        parsed.algorithm,
        key,
        parsed.nonce,
        &full_aad,
        &mut buffer,
        &parsed.tag,
    )?;
    Ok(Plaintext::new(buffer))
}

/// Builds the AEAD associated data: the header, then the caller's `aad`.
///
/// The concatenation is unambiguous because the header length is fixed by
/// its algorithm byte, which is itself part of the authenticated header.
fn authenticated_data(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(header.len().saturating_add(aad.len()));
    full.extend_from_slice(header);
    full.extend_from_slice(aad);
    full
}
