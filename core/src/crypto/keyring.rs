//! The keyring: keys with ids and states, their transitions, and the
//! rotation policy.

use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRngCore;

use super::error::{CryptoError, KeyOperation, KeyringError};
use super::{AeadAlgorithm, KeyId, KeyInfo, KeyState, SecretKey};

/// Maximum number of keys in a keyring, destroyed keys included.
pub const MAX_KEYS: usize = 1000;

/// Random key ids drawn before [`Keyring::add`] gives up. With at most
/// [`MAX_KEYS`] of 2^32 ids taken, each draw hits a taken id with
/// probability below 2^-22, so 32 misses in a row mean the RNG is broken.
const KEY_ID_ATTEMPTS: usize = 32;

/// Messages after which a ChaCha20-Poly1305 key rejects encryption: 2^32,
/// the limit NIST SP 800-38D §8.3 sets for random 96-bit nonces under one
/// key. [`RotationPolicy`] makes rotation due well before.
pub const CHACHA20_MESSAGE_LIMIT: u64 = 1 << 32;

/// One key of a keyring. Invariant: `material` is `None` exactly when the
/// state is [`KeyState::Destroyed`].
pub(crate) struct Entry {
    pub(crate) info: KeyInfo,
    pub(crate) material: Option<SecretKey>,
}

impl Entry {
    fn generate(
        id: KeyId,
        algorithm: AeadAlgorithm,
        state: KeyState,
        rng: &mut impl CryptoRngCore,
        now: u64,
    ) -> Self {
        Self {
            info: KeyInfo {
                id,
                algorithm,
                state,
                created: now,
                messages: 0,
            },
            material: Some(SecretKey::generate(rng)),
        }
    }
}

/// A set of AEAD keys with ids and life-cycle states, exactly one of which,
/// the primary, encrypts.
///
/// Every envelope and stream names the id of the key that encrypted it, so
/// decryption picks the key by id. The safe way to replace the primary:
///
/// 1. [`add`](Self::add) a key, which starts enabled: it decrypts but does not
///    encrypt yet, so every copy of the keyring can learn it first;
/// 2. [`promote`](Self::promote) it, which makes the old primary enabled;
/// 3. later [`disable`](Self::disable) the old key, once nothing needs it
///    (this is reversible with [`enable`](Self::enable));
/// 4. finally [`destroy`](Self::destroy) it, which zeroizes its material.
///
/// [`rotate`](Self::rotate) does steps 1 and 2 at once. Every operation
/// that fails leaves the keyring unchanged.
///
/// `Debug` prints the metadata of each key, never its material.
pub struct Keyring {
    pub(crate) primary: Entry,
    /// The other keys, in the order they were added or demoted.
    pub(crate) others: Vec<Entry>,
}

impl Keyring {
    /// Creates a keyring with one fresh primary key of `algorithm`, created
    /// at `now` (Unix seconds).
    pub fn generate(algorithm: AeadAlgorithm, rng: &mut impl CryptoRngCore, now: u64) -> Self {
        let id = KeyId::new(rng.next_u32());
        Self {
            primary: Entry::generate(id, algorithm, KeyState::Primary, rng, now),
            others: Vec::new(),
        }
    }

    /// The metadata of every key: the primary first, then the others in the
    /// order they were added or demoted.
    pub fn keys(&self) -> Vec<KeyInfo> {
        core::iter::once(&self.primary)
            .chain(&self.others)
            .map(|entry| entry.info)
            .collect()
    }

    /// The metadata of the key with `id`, if any.
    pub fn key(&self, id: KeyId) -> Option<KeyInfo> {
        self.entry(id).map(|entry| entry.info)
    }

    /// The metadata of the primary key.
    pub fn primary(&self) -> KeyInfo {
        self.primary.info
    }

    /// Adds a fresh key of `algorithm`, created at `now` (Unix seconds), in
    /// the [`KeyState::Enabled`] state, and returns its id. The id is random
    /// and unique in this keyring.
    ///
    /// # Errors
    ///
    /// [`KeyringError::TooManyKeys`] when the keyring contains [`MAX_KEYS`]
    /// keys; [`KeyringError::NoFreeKeyId`] when `rng` keeps returning taken
    /// ids.
    pub fn add(
        &mut self,
        algorithm: AeadAlgorithm,
        rng: &mut impl CryptoRngCore,
        now: u64,
    ) -> Result<KeyId, KeyringError> {
        if self.len() >= MAX_KEYS {
            return Err(KeyringError::TooManyKeys { max: MAX_KEYS });
        }
        let id = self.draw_unused_id(rng)?;
        self.others
            .push(Entry::generate(id, algorithm, KeyState::Enabled, rng, now));
        Ok(id)
    }

    /// Makes the enabled key `id` the primary; the old primary becomes
    /// enabled.
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKey`], or [`KeyringError::InvalidState`] unless
    /// the key is enabled.
    pub fn promote(&mut self, id: KeyId) -> Result<(), KeyringError> {
        let position = self.position_of_other(id, KeyOperation::Promote)?;
        let Some(state) = self.others.get(position).map(|entry| entry.info.state) else {
            return Err(KeyringError::UnknownKey { id });
        };
        if state != KeyState::Enabled {
            return Err(KeyringError::InvalidState {
                id,
                state,
                operation: KeyOperation::Promote,
            });
        }

        // `position` comes from `position_of_other`, so it is in bounds.
        let mut promoted = self.others.remove(position);
        promoted.info.state = KeyState::Primary;
        let mut demoted = core::mem::replace(&mut self.primary, promoted);
        demoted.info.state = KeyState::Enabled;
        self.others.push(demoted);
        Ok(())
    }

    /// Adds a fresh key of `algorithm` and promotes it at once, returning its
    /// id.
    ///
    /// # Errors
    ///
    /// Those of [`add`](Self::add).
    ///
    /// # Security
    ///
    /// Copies of the keyring that have not learned the new key cannot decrypt
    /// what it encrypts. Where several services share a keyring, add the key
    /// first and promote it once every copy has it.
    pub fn rotate(
        &mut self,
        algorithm: AeadAlgorithm,
        rng: &mut impl CryptoRngCore,
        now: u64,
    ) -> Result<KeyId, KeyringError> {
        let id = self.add(algorithm, rng, now)?;
        if let Err(error) = self.promote(id) {
            // Unreachable for a key just added, but undo it all the same.
            self.others.pop();
            return Err(error);
        }
        Ok(id)
    }

    /// Disables the enabled key `id`: it keeps its material but decrypts
    /// nothing until enabled again.
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKey`], or [`KeyringError::InvalidState`] unless
    /// the key is enabled (the primary cannot be disabled).
    pub fn disable(&mut self, id: KeyId) -> Result<(), KeyringError> {
        self.transition(
            id,
            KeyOperation::Disable,
            KeyState::Enabled,
            KeyState::Disabled,
        )
    }

    /// Enables the disabled key `id` again, for decryption only.
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKey`], or [`KeyringError::InvalidState`] unless
    /// the key is disabled.
    pub fn enable(&mut self, id: KeyId) -> Result<(), KeyringError> {
        self.transition(
            id,
            KeyOperation::Enable,
            KeyState::Disabled,
            KeyState::Enabled,
        )
    }

    /// Destroys the disabled key `id`: its material is zeroized and dropped,
    /// and its id stays, so that what it encrypted reports
    /// [`CryptoError::KeyDestroyed`].
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKey`], or [`KeyringError::InvalidState`] unless
    /// the key is disabled.
    ///
    /// # Security
    ///
    /// Only this copy of the material is zeroized. Stored copies of the
    /// keyring, sealed or not, still hold the key until they are replaced.
    pub fn destroy(&mut self, id: KeyId) -> Result<(), KeyringError> {
        self.transition(
            id,
            KeyOperation::Destroy,
            KeyState::Disabled,
            KeyState::Destroyed,
        )?;
        if let Some(entry) = self.others.iter_mut().find(|entry| entry.info.id == id) {
            // Zeroized in place: `take` would move the bytes out and leave
            // them in the entry's slot, which `None` does not overwrite.
            if let Some(material) = entry.material.as_mut() {
                zeroize::Zeroize::zeroize(material);
            }
            entry.material = None;
        }
        Ok(())
    }

    /// Derives the subkey of key `id` for `context`, as
    /// [`SecretKey::derive`] documents.
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKey`], or [`KeyringError::InvalidState`] when
    /// the key is disabled or destroyed.
    pub fn derive_key(&self, id: KeyId, context: &[u8]) -> Result<SecretKey, KeyringError> {
        let entry = self.entry(id).ok_or(KeyringError::UnknownKey { id })?;
        let invalid = KeyringError::InvalidState {
            id,
            state: entry.info.state,
            operation: KeyOperation::Derive,
        };
        match (entry.info.state, &entry.material) {
            (KeyState::Primary | KeyState::Enabled, Some(material)) => Ok(material.derive(context)),
            _ => Err(invalid),
        }
    }

    /// Whether the primary key is due for rotation under `policy` at `now`
    /// (Unix seconds), and why. A message limit is reported before the age.
    pub fn rotation_due(&self, policy: &RotationPolicy, now: u64) -> Option<RotationReason> {
        let info = self.primary.info;
        let max_messages = policy.max_messages(info.algorithm);
        if info.messages >= max_messages {
            return Some(RotationReason::MessageLimit {
                id: info.id,
                messages: info.messages,
                max_messages,
            });
        }
        let age = now.saturating_sub(info.created);
        if age >= policy.max_age {
            return Some(RotationReason::MaxAge {
                id: info.id,
                age,
                max_age: policy.max_age,
            });
        }
        None
    }

    /// The number of keys, destroyed keys included.
    fn len(&self) -> usize {
        self.others.len().saturating_add(1)
    }

    pub(crate) fn entry(&self, id: KeyId) -> Option<&Entry> {
        core::iter::once(&self.primary)
            .chain(&self.others)
            .find(|entry| entry.info.id == id)
    }

    /// The primary key's material, unless it has reached its algorithm's
    /// hard message limit.
    pub(crate) fn encryption_key(&self) -> Result<(KeyInfo, &SecretKey), CryptoError> {
        let info = self.primary.info;
        let exhausted = info.algorithm == AeadAlgorithm::ChaCha20Poly1305
            && info.messages >= CHACHA20_MESSAGE_LIMIT;
        if exhausted {
            return Err(CryptoError::KeyExhausted {
                id: info.id,
                messages: info.messages,
            });
        }
        match &self.primary.material {
            Some(material) => Ok((info, material)),
            // The primary is never destroyed, so this does not happen.
            None => Err(CryptoError::KeyDestroyed { id: info.id }),
        }
    }

    /// Counts one message encrypted by the primary key.
    pub(crate) fn count_message(&mut self) {
        let messages = &mut self.primary.info.messages;
        *messages = messages.saturating_add(1);
    }

    /// The material of key `id` for decrypting a message whose header names
    /// `algorithm`.
    pub(crate) fn decryption_key(
        &self,
        id: KeyId,
        algorithm: AeadAlgorithm,
    ) -> Result<&SecretKey, CryptoError> {
        let entry = self.entry(id).ok_or(CryptoError::UnknownKey { id })?;
        let material = match (entry.info.state, &entry.material) {
            (KeyState::Disabled, _) => return Err(CryptoError::KeyDisabled { id }),
            (KeyState::Destroyed, _) | (_, None) => return Err(CryptoError::KeyDestroyed { id }),
            (_, Some(material)) => material,
        };
        if entry.info.algorithm != algorithm {
            return Err(CryptoError::AlgorithmMismatch {
                id,
                key: entry.info.algorithm,
                header: algorithm,
            });
        }
        Ok(material)
    }

    fn draw_unused_id(&self, rng: &mut impl CryptoRngCore) -> Result<KeyId, KeyringError> {
        for _ in 0..KEY_ID_ATTEMPTS {
            let id = KeyId::new(rng.next_u32());
            if self.entry(id).is_none() {
                return Ok(id);
            }
        }
        Err(KeyringError::NoFreeKeyId {
            attempts: KEY_ID_ATTEMPTS,
        })
    }

    /// The position of `id` among the non-primary keys.
    fn position_of_other(&self, id: KeyId, operation: KeyOperation) -> Result<usize, KeyringError> {
        if self.primary.info.id == id {
            return Err(KeyringError::InvalidState {
                id,
                state: KeyState::Primary,
                operation,
            });
        }
        self.others
            .iter()
            .position(|entry| entry.info.id == id)
            .ok_or(KeyringError::UnknownKey { id })
    }

    /// Moves key `id` from state `from` to state `to`.
    fn transition(
        &mut self,
        id: KeyId,
        operation: KeyOperation,
        from: KeyState,
        to: KeyState,
    ) -> Result<(), KeyringError> {
        let position = self.position_of_other(id, operation)?;
        let Some(entry) = self.others.get_mut(position) else {
            return Err(KeyringError::UnknownKey { id });
        };
        if entry.info.state != from {
            return Err(KeyringError::InvalidState {
                id,
                state: entry.info.state,
                operation,
            });
        }
        entry.info.state = to;
        Ok(())
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("keys", &self.keys())
            .finish()
    }
}

/// Limits after which the primary key is due for rotation. The keyring does
/// not rotate by itself: [`Keyring::rotation_due`] reports to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RotationPolicy {
    /// Maximum age of the primary key, in seconds. Default: 90 days
    /// (7,776,000 s).
    pub max_age: u64,
    /// Maximum messages of an XChaCha20-Poly1305 primary. Default:
    /// `u64::MAX`, no limit. With n random 192-bit nonces, the chance that
    /// two collide is below n^2 / 2^193, which stays under 2^-65 for any
    /// count a `u64` can represent.
    pub max_messages_xchacha20: u64,
    /// Maximum messages of a ChaCha20-Poly1305 primary. Default: 2^30.
    ///
    /// With n random 96-bit nonces, the chance that two collide, which
    /// breaks confidentiality and authenticity for that pair, is below
    /// n^2 / 2^97 (the birthday bound). At 2^30 messages that is 2^-37. At
    /// 2^32, where [`CHACHA20_MESSAGE_LIMIT`] makes the key refuse to
    /// encrypt, it is 2^-33, so the default leaves a factor of 4 in messages
    /// (16 in collision chance) before that hard stop.
    pub max_messages_chacha20: u64,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        Self {
            max_age: 90 * 24 * 60 * 60,
            max_messages_xchacha20: u64::MAX,
            max_messages_chacha20: 1 << 30,
        }
    }
}

impl RotationPolicy {
    /// The message limit for a primary key of `algorithm`.
    pub const fn max_messages(&self, algorithm: AeadAlgorithm) -> u64 {
        match algorithm {
            AeadAlgorithm::XChaCha20Poly1305 => self.max_messages_xchacha20,
            AeadAlgorithm::ChaCha20Poly1305 => self.max_messages_chacha20,
        }
    }
}

/// The reason the primary key is due for rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotationReason {
    /// The primary has encrypted at least the policy's maximum of messages.
    MessageLimit {
        /// The primary key's id.
        id: KeyId,
        /// Its message count.
        messages: u64,
        /// The policy's maximum for its algorithm.
        max_messages: u64,
    },
    /// The primary is at least the policy's maximum age.
    MaxAge {
        /// The primary key's id.
        id: KeyId,
        /// Its age, in seconds.
        age: u64,
        /// The policy's maximum age, in seconds.
        max_age: u64,
    },
}

impl RotationReason {
    /// A stable snake_case code for the reason.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MessageLimit { .. } => "message_limit",
            Self::MaxAge { .. } => "max_age",
        }
    }
}

impl fmt::Display for RotationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MessageLimit {
                id,
                messages,
                max_messages,
            } => write!(
                f,
                "rotation due: primary key `{id}` has encrypted {messages} messages, at or over \
                 the limit of {max_messages}"
            ),
            Self::MaxAge { id, age, max_age } => write!(
                f,
                "rotation due: primary key `{id}` is {age} s old, at or over the maximum age of \
                 {max_age} s"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;

    use rand_core::{CryptoRng, RngCore};

    use super::*;

    #[test]
    fn document_errors_never_echo_values() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs";
        let documents = [
            format!(r#"{{"version":1,"keys":["{secret}"]}}"#),
            format!(r#"{{"version":1,"keys":[{{"{secret}":1}}]}}"#),
            format!(
                r#"{{"version":1,"keys":[{{"kty":"oct","kid":"00000001","alg":"XC20P","k":"x","state":"{secret}","created":1,"messages":0}}]}}"#
            ),
            format!(
                r#"{{"version":1,"keys":[{{"kty":"oct","kid":"00000001","alg":"{secret}","k":"x","state":"primary","created":1,"messages":0}}]}}"#
            ),
        ];
        for document in documents {
            let error = Keyring::from_json(document.as_bytes()).unwrap_err();
            let message = format!("{error}");
            assert!(!message.contains(secret), "{message}");
        }
    }

    #[test]
    fn long_kid_shown_as_length() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs";
        let document = format!(
            r#"{{"version":1,"keys":[{{"kty":"oct","kid":"{secret}","alg":"XC20P","k":"x","state":"primary","created":1,"messages":0}}]}}"#
        );
        let message = format!("{}", Keyring::from_json(document.as_bytes()).unwrap_err());
        assert!(!message.contains(secret), "{message}");
        assert!(
            message.contains("`kid` `...` (51 characters, not shown) is not"),
            "{message}"
        );

        // A short wrong id is shown whole, so a typo can be found.
        let document = r#"{"version":1,"keys":[{"kty":"oct","kid":"0A1B2C3D","alg":"XC20P","k":"x","state":"primary","created":1,"messages":0}]}"#;
        let message = format!("{}", Keyring::from_json(document.as_bytes()).unwrap_err());
        assert!(message.contains("`kid` `0A1B2C3D` is not"), "{message}");
    }

    #[test]
    fn document_errors_keep_member_names() {
        let document = r#"{"version":1,"keys":[{"kty":"oct"}]}"#;
        let message = format!("{}", Keyring::from_json(document.as_bytes()).unwrap_err());
        assert!(message.contains("`kid`"), "{message}");
    }

    /// An RNG that always returns the same bytes, to force id collisions.
    struct ConstantRng;

    impl RngCore for ConstantRng {
        fn next_u32(&mut self) -> u32 {
            7
        }
        fn next_u64(&mut self) -> u64 {
            7
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            dest.fill(7);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            dest.fill(7);
            Ok(())
        }
    }

    impl CryptoRng for ConstantRng {}

    #[test]
    fn broken_rng_reports_no_free_id() {
        let mut keyring = Keyring::generate(AeadAlgorithm::default(), &mut ConstantRng, 0);
        let error = keyring
            .add(AeadAlgorithm::default(), &mut ConstantRng, 0)
            .unwrap_err();
        assert_eq!(error, KeyringError::NoFreeKeyId { attempts: 32 });
        assert_eq!(keyring.keys().len(), 1);
    }

    #[test]
    fn destroy_drops_material() {
        let mut rng = rand_core::OsRng;
        let mut keyring = Keyring::generate(AeadAlgorithm::default(), &mut rng, 0);
        let old = keyring.primary().id;
        keyring
            .rotate(AeadAlgorithm::default(), &mut rng, 1)
            .unwrap();
        keyring.disable(old).unwrap();
        assert!(keyring.entry(old).unwrap().material.is_some());
        keyring.destroy(old).unwrap();
        let entry = keyring.entry(old).unwrap();
        assert_eq!(entry.info.state, KeyState::Destroyed);
        assert!(entry.material.is_none());
    }

    #[test]
    fn debug_shows_metadata_only() {
        let keyring = Keyring::generate(AeadAlgorithm::default(), &mut rand_core::OsRng, 5);
        let shown = format!("{keyring:?}");
        assert!(shown.contains("Primary"), "{shown}");
        assert!(!shown.contains("material"), "{shown}");
        assert!(!shown.contains("SecretKey"), "{shown}");
    }
}
