//! Key material, key ids, key states and decrypted plaintext.

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::AeadAlgorithm;

/// Length of every key, in bytes.
pub const KEY_LEN: usize = 32;

/// HKDF `info` label of subkeys derived by [`SecretKey::derive`].
const DERIVE_LABEL: &[u8] = b"mem8-guard/v1/derive";
/// HKDF `info` label of key fingerprints.
const FINGERPRINT_LABEL: &[u8] = b"mem8-guard/v1/fingerprint";

/// A 256-bit symmetric key: a keyring key, a key-encryption key or a
/// derived subkey.
///
/// The bytes are zeroized on drop, and `Debug` prints `[redacted]` in their
/// place. There is deliberately no `Clone`, `PartialEq` or `Serialize`.
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// Generates a key from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut key = Self([0; KEY_LEN]);
        rng.fill_bytes(&mut key.0);
        key
    }

    /// Wraps existing key bytes.
    ///
    /// # Security
    ///
    /// The bytes must come from a cryptographic random source or a KDF. The
    /// caller's copy is not zeroized by this call.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// Wraps key bytes given as a slice, or returns `None` unless the slice
    /// is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut key = Self([0; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return None;
        }
        key.0.copy_from_slice(bytes);
        Some(key)
    }

    /// The key bytes.
    ///
    /// # Security
    ///
    /// Copies made from this slice are not zeroized by this type.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Returns whether every byte is zero, which marks a placeholder (such
    /// as a file made from `/dev/zero`) and never a key. Runs in constant time.
    pub fn is_all_zero(&self) -> bool {
        use subtle::ConstantTimeEq;

        bool::from(self.0.ct_eq(&[0u8; KEY_LEN]))
    }

    /// Derives the subkey of this key for `context`, for example a tenant id.
    ///
    /// The subkey is HKDF-SHA256 (RFC 5869) output with:
    ///
    /// - no salt (RFC 5869 §2.2 then uses 32 zero bytes), because this key is
    ///   already uniformly random and the extract step needs no salt to
    ///   concentrate entropy;
    /// - `info` = `mem8-guard/v1/derive`, one 0x00 byte, then `context`. The
    ///   label contains no 0x00 byte, so distinct contexts always give
    ///   distinct `info`, and the label separates these subkeys from every
    ///   other HKDF output of this crate (fingerprints, stream keys).
    ///
    /// The same key and context always give the same subkey, and different
    /// contexts give independent subkeys.
    pub fn derive(&self, context: &[u8]) -> SecretKey {
        let mut info = Zeroizing::new(Vec::with_capacity(DERIVE_LABEL.len() + 1 + context.len()));
        info.extend_from_slice(DERIVE_LABEL);
        info.push(0);
        info.extend_from_slice(context);
        hkdf_expand(None, &self.0, &[&info])
    }

    /// A public 32-bit identifier of this key, for telling keys apart
    /// without revealing them: the first 4 bytes, big-endian, of HKDF-SHA256
    /// with no salt and `info` `mem8-guard/v1/fingerprint`.
    ///
    /// Sealed keyrings store their key-encryption key's fingerprint, so that
    /// opening one with another key fails with a clear error. Two keys share
    /// a fingerprint with probability 2^-32, so a match does not prove the
    /// key is right; the tag check does.
    pub fn fingerprint(&self) -> KeyId {
        let mut okm = [0u8; 4];
        let hkdf = Hkdf::<Sha256>::new(None, &self.0);
        // 4 bytes is far below HKDF-SHA256's limit of 255 * 32.
        let _ = hkdf.expand(FINGERPRINT_LABEL, &mut okm);
        KeyId(u32::from_be_bytes(okm))
    }
}

/// Expands HKDF-SHA256 of `ikm` and `salt` with the concatenated `info`
/// parts into a 32-byte key.
pub(crate) fn hkdf_expand(salt: Option<&[u8]>, ikm: &[u8], info: &[&[u8]]) -> SecretKey {
    let mut key = SecretKey([0; KEY_LEN]);
    let hkdf = Hkdf::<Sha256>::new(salt, ikm);
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32, the only error.
    let _ = hkdf.expand_multi_info(info, &mut key.0);
    key
}

impl Zeroize for SecretKey {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// A key's 32-bit id, unique in its keyring and written into every envelope
/// and stream header it encrypts.
///
/// Its text form, the JWK `kid`, is exactly 8 lowercase hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(u32);

impl KeyId {
    /// The id with this numeric value.
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// The numeric value.
    pub const fn value(self) -> u32 {
        self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// A key id as a caller gave it, for error messages; also used for a
/// keyring document's `alg`. An id of at most 12 characters is shown whole.
/// A longer one shows only its length, so that key material pasted where an
/// id belongs is not echoed, not even in part.
///
/// The output includes the backticks around the value, and escapes control
/// characters and backticks: `` `0a1b2c3` `` or `` `...` (43 characters, not shown) ``.
#[derive(Debug, Clone, Copy)]
pub struct GivenKeyId<'a>(pub &'a str);

impl GivenKeyId<'_> {
    /// Maximum length, in characters, of an id shown whole. A valid id has 8.
    pub const MAX_SHOWN_CHARS: usize = 12;
}

impl fmt::Display for GivenKeyId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let length = self.0.chars().count();
        if length > Self::MAX_SHOWN_CHARS {
            return write!(f, "`...` ({length} characters, not shown)");
        }
        f.write_str("`")?;
        for c in self.0.chars() {
            if c.is_control() || c == '`' {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str("`")
    }
}

/// Rejection of a key id that is not exactly 8 lowercase hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidKeyId;

impl fmt::Display for InvalidKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key id is exactly 8 lowercase hexadecimal digits, for example `0a1b2c3d`")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for InvalidKeyId {}

impl FromStr for KeyId {
    type Err = InvalidKeyId;

    /// Parses the canonical form only, so that one id has one spelling.
    fn from_str(text: &str) -> Result<Self, InvalidKeyId> {
        let canonical = text.len() == 8
            && text
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if !canonical {
            return Err(InvalidKeyId);
        }
        u32::from_str_radix(text, 16)
            .map(Self)
            .map_err(|_| InvalidKeyId)
    }
}

/// Where a key is in its life cycle.
///
/// A new key starts `Enabled`. Promoting an `Enabled` key makes it
/// `Primary` and the old primary `Enabled`. An `Enabled` key can be
/// `Disabled`, and a `Disabled` key `Enabled` again. A `Disabled` key can be
/// `Destroyed`, which is final. There are no other transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// Encrypts new messages and decrypts. A keyring has exactly one.
    Primary,
    /// Decrypts only.
    Enabled,
    /// Rejects decryption, but keeps its material so that it can be enabled
    /// again.
    Disabled,
    /// The material is zeroized and gone. The id remains, so that old
    /// ciphertexts report a destroyed key instead of corruption.
    Destroyed,
}

impl KeyState {
    /// The lowercase name used in keyring JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
            Self::Destroyed => "destroyed",
        }
    }
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key's public metadata: everything but the material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyInfo {
    /// The key's id.
    pub id: KeyId,
    /// The algorithm the key is bound to.
    pub algorithm: AeadAlgorithm,
    /// The life-cycle state.
    pub state: KeyState,
    /// Creation time, in Unix seconds.
    pub created: u64,
    /// Envelopes and streams encrypted with the key, as counted by this
    /// keyring. The count is only as durable as the stored keyring.
    pub messages: u64,
}

/// Decrypted bytes, zeroized on drop.
///
/// `Debug` prints the length only.
pub struct Plaintext(Zeroizing<Vec<u8>>);

impl Plaintext {
    pub(crate) fn new(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }

    /// The decrypted bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bytes, still zeroized on drop.
    pub fn into_zeroizing(self) -> Zeroizing<Vec<u8>> {
        self.0
    }

    /// Returns the bytes as a plain `Vec`, without a copy and without the
    /// zeroizing on drop: the caller takes over wiping them. The Wasm
    /// builds use it, because their allocator zeroes every block it frees.
    pub fn into_vec(self) -> Vec<u8> {
        let mut bytes = self.0;
        core::mem::take(&mut *bytes)
    }
}

impl AsRef<[u8]> for Plaintext {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plaintext")
            .field("len", &self.0.len())
            .field("bytes", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn key_id_text_round_trip() {
        for value in [0, 1, 0x0a1b_2c3d, u32::MAX] {
            let id = KeyId::new(value);
            assert_eq!(id.to_string().parse(), Ok(id));
        }
        assert_eq!(KeyId::new(0x0a1b_2c3d).to_string(), "0a1b2c3d");
    }

    #[test]
    fn key_id_non_canonical_rejected() {
        for text in [
            "0A1B2C3D",
            "a1b2c3d",
            "0a1b2c3d0",
            "+a1b2c3d",
            "0x1b2c3d",
            "",
            "0a1b2c3g",
        ] {
            assert_eq!(text.parse::<KeyId>(), Err(InvalidKeyId), "{text}");
        }
    }

    #[test]
    fn given_key_id_short_shown_whole() {
        assert_eq!(GivenKeyId("0a1b2c3").to_string(), "`0a1b2c3`");
        assert_eq!(GivenKeyId("0x0a1b2c3d00").to_string(), "`0x0a1b2c3d00`");
        assert_eq!(GivenKeyId("").to_string(), "``");
        assert_eq!(GivenKeyId("a`b\n").to_string(), "`a\\u{60}b\\u{a}`");
    }

    #[test]
    fn given_key_id_long_shows_length_only() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Q";
        let shown = GivenKeyId(secret).to_string();
        assert_eq!(shown, "`...` (39 characters, not shown)");
        assert_eq!(
            GivenKeyId("0a1b2c3d0a1b2").to_string(),
            "`...` (13 characters, not shown)"
        );
        // Characters, not bytes.
        assert_eq!(
            GivenKeyId("ééééééééééééé").to_string(),
            "`...` (13 characters, not shown)"
        );
    }

    #[test]
    fn secret_key_debug_redacted() {
        let key = SecretKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "SecretKey([redacted])");
        assert!(!shown.contains("ab, "), "{shown}");
    }

    #[test]
    fn plaintext_debug_redacted() {
        let plaintext = Plaintext::new(Zeroizing::new(b"attack at dawn".to_vec()));
        let shown = format!("{plaintext:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("attack"), "{shown}");
        assert!(shown.contains("14"), "{shown}");
    }

    #[test]
    fn secret_key_zeroize_clears_bytes() {
        let mut key = SecretKey::from_bytes([0xab; 32]);
        key.zeroize();
        assert_eq!(key.as_bytes(), &[0u8; 32]);
    }

    #[test]
    fn from_slice_needs_32_bytes() {
        assert!(SecretKey::from_slice(&[1; 31]).is_none());
        assert!(SecretKey::from_slice(&[1; 33]).is_none());
        assert_eq!(
            SecretKey::from_slice(&[1; 32]).unwrap().as_bytes(),
            &[1; 32]
        );
    }

    #[test]
    fn derive_is_deterministic_and_context_bound() {
        let master = SecretKey::from_bytes([3; 32]);
        let acme = master.derive(b"tenant:acme");
        assert_eq!(acme.as_bytes(), master.derive(b"tenant:acme").as_bytes());
        assert_ne!(acme.as_bytes(), master.derive(b"tenant:globex").as_bytes());
        assert_ne!(acme.as_bytes(), master.derive(b"").as_bytes());
        assert_ne!(acme.as_bytes(), master.as_bytes());
        let other = SecretKey::from_bytes([4; 32]);
        assert_ne!(acme.as_bytes(), other.derive(b"tenant:acme").as_bytes());
    }

    /// Computed independently with Python 3.11 and `cryptography` 48:
    /// `HKDF(SHA256(), 32, salt=None, info=b"mem8-guard/v1/derive\x00tenant:acme")
    /// .derive(bytes(range(32)))`.
    #[test]
    fn derive_known_answer() {
        let mut ikm = [0u8; 32];
        for (index, byte) in ikm.iter_mut().enumerate() {
            *byte = index as u8;
        }
        let subkey = SecretKey::from_bytes(ikm).derive(b"tenant:acme");
        assert_eq!(hex(subkey.as_bytes()), DERIVE_KAT);
    }

    const DERIVE_KAT: &str = "f4689a024426c60db550a863cfc1bf1b2c508b3255e7b38fa1c09261be69f9af";

    /// The first 4 bytes of the same HKDF with `info=b"mem8-guard/v1/fingerprint"`,
    /// also computed with Python's `cryptography`.
    #[test]
    fn fingerprint_known_answer() {
        let mut ikm = [0u8; 32];
        for (index, byte) in ikm.iter_mut().enumerate() {
            *byte = index as u8;
        }
        assert_eq!(
            SecretKey::from_bytes(ikm).fingerprint(),
            KeyId::new(0xfe85_91fa)
        );
    }

    fn hex(bytes: &[u8]) -> alloc::string::String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}
