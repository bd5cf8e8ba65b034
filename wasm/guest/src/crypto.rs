//! The `crypto` interface: keyrings, envelopes and raw AEAD for known-answer
//! tests.

use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

use mem8_guard::crypto::{
    hazmat, AeadAlgorithm, CryptoError, GivenKeyId, KeyId, KeyInfo, KeyState,
    Keyring as CoreKeyring, KeyringError, RotationPolicy, SecretKey,
};

use crate::bindings::exports::mem8::guard::crypto::{
    AeadAlgorithm as WitAlgorithm, Guest, GuestKeyring, KeyInfo as WitKeyInfo,
    KeyState as WitKeyState, Keyring, RotationDue, RotationPolicy as WitRotationPolicy,
    StreamDecryptor, StreamEncryptor,
};
use crate::bindings::exports::mem8::guard::types::GuardError;
use crate::stream::{DecryptorState, EncryptorState};
use crate::{detail, seconds, HostRng, Module};

/// A keyring. Every call runs to completion before the next starts, so the
/// `RefCell` is never borrowed twice. Stream decryptors share it.
pub struct KeyringState {
    inner: Rc<RefCell<CoreKeyring>>,
}

impl Guest for Module {
    type Keyring = KeyringState;
    type StreamEncryptor = EncryptorState;
    type StreamDecryptor = DecryptorState;

    fn hazmat_aead_seal(
        algorithm: WitAlgorithm,
        key: Vec<u8>,
        nonce: Vec<u8>,
        aad: Vec<u8>,
        plaintext: Vec<u8>,
    ) -> Result<Vec<u8>, GuardError> {
        let key = secret_key(&key, "an AEAD key")?;
        hazmat::encrypt_with_nonce(algorithm_of(algorithm), &key, &nonce, &aad, &plaintext)
            .map_err(crypto_error)
    }

    fn hazmat_aead_open(
        algorithm: WitAlgorithm,
        key: Vec<u8>,
        nonce: Vec<u8>,
        aad: Vec<u8>,
        sealed: Vec<u8>,
    ) -> Result<Vec<u8>, GuardError> {
        let key = secret_key(&key, "an AEAD key")?;
        let plaintext =
            hazmat::decrypt_with_nonce(algorithm_of(algorithm), &key, &nonce, &aad, &sealed)
                .map_err(crypto_error)?;
        Ok(Vec::from(plaintext.as_bytes()))
    }
}

impl KeyringState {
    fn wrap(inner: CoreKeyring) -> Keyring {
        Keyring::new(Self {
            inner: Rc::new(RefCell::new(inner)),
        })
    }
}

impl GuestKeyring for KeyringState {
    fn generate(algorithm: WitAlgorithm, now: Option<u64>) -> Keyring {
        let inner = CoreKeyring::generate(algorithm_of(algorithm), &mut HostRng, seconds(now));
        Self::wrap(inner)
    }

    fn from_json(document: String) -> Result<Keyring, GuardError> {
        let inner = CoreKeyring::from_json(document.as_bytes()).map_err(keyring_error)?;
        Ok(Self::wrap(inner))
    }

    fn open(sealed: String, kek: Vec<u8>) -> Result<Keyring, GuardError> {
        let kek = secret_key(&kek, "a key-encryption key")?;
        let inner = CoreKeyring::open(&sealed, &kek).map_err(keyring_error)?;
        Ok(Self::wrap(inner))
    }

    fn to_json(&self) -> String {
        String::from(self.inner.borrow().to_json().as_str())
    }

    fn seal(&self, kek: Vec<u8>) -> Result<String, GuardError> {
        let kek = secret_key(&kek, "a key-encryption key")?;
        self.inner
            .borrow()
            .seal(&kek, &mut HostRng)
            .map_err(keyring_error)
    }

    fn keys(&self) -> Vec<WitKeyInfo> {
        self.inner.borrow().keys().iter().map(key_info).collect()
    }

    fn add(&self, algorithm: WitAlgorithm, now: Option<u64>) -> Result<String, GuardError> {
        let id = self
            .inner
            .borrow_mut()
            .add(algorithm_of(algorithm), &mut HostRng, seconds(now))
            .map_err(keyring_error)?;
        Ok(id.to_string())
    }

    fn rotate(&self, algorithm: WitAlgorithm, now: Option<u64>) -> Result<String, GuardError> {
        let id = self
            .inner
            .borrow_mut()
            .rotate(algorithm_of(algorithm), &mut HostRng, seconds(now))
            .map_err(keyring_error)?;
        Ok(id.to_string())
    }

    fn promote(&self, id: String) -> Result<(), GuardError> {
        let id = key_id(&id)?;
        self.inner.borrow_mut().promote(id).map_err(keyring_error)
    }

    fn enable(&self, id: String) -> Result<(), GuardError> {
        let id = key_id(&id)?;
        self.inner.borrow_mut().enable(id).map_err(keyring_error)
    }

    fn disable(&self, id: String) -> Result<(), GuardError> {
        let id = key_id(&id)?;
        self.inner.borrow_mut().disable(id).map_err(keyring_error)
    }

    fn destroy(&self, id: String) -> Result<(), GuardError> {
        let id = key_id(&id)?;
        self.inner.borrow_mut().destroy(id).map_err(keyring_error)
    }

    fn encrypt(&self, plaintext: Vec<u8>, aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        self.inner
            .borrow_mut()
            .encrypt(&plaintext, &aad, &mut HostRng)
            .map_err(crypto_error)
    }

    fn encrypt_to_text(&self, plaintext: Vec<u8>, aad: Vec<u8>) -> Result<String, GuardError> {
        self.inner
            .borrow_mut()
            .encrypt_to_text(&plaintext, &aad, &mut HostRng)
            .map_err(crypto_error)
    }

    fn decrypt(&self, envelope: Vec<u8>, aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        let plaintext = self
            .inner
            .borrow()
            .decrypt(&envelope, &aad)
            .map_err(crypto_error)?;
        Ok(Vec::from(plaintext.as_bytes()))
    }

    fn decrypt_text(&self, envelope: String, aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        let plaintext = self
            .inner
            .borrow()
            .decrypt_text(&envelope, &aad)
            .map_err(crypto_error)?;
        Ok(Vec::from(plaintext.as_bytes()))
    }

    fn derive_key(&self, id: String, context: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        let id = key_id(&id)?;
        let key = self
            .inner
            .borrow()
            .derive_key(id, &context)
            .map_err(keyring_error)?;
        Ok(Vec::from(key.as_bytes().as_slice()))
    }

    fn rotation_due(&self, policy: WitRotationPolicy, now: Option<u64>) -> Option<RotationDue> {
        let mut core_policy = RotationPolicy::default();
        if let Some(max_age) = policy.max_age {
            core_policy.max_age = max_age;
        }
        if let Some(max) = policy.max_messages_xchacha20 {
            core_policy.max_messages_xchacha20 = max;
        }
        if let Some(max) = policy.max_messages_chacha20 {
            core_policy.max_messages_chacha20 = max;
        }
        let due = self.inner.borrow().rotation_due(&core_policy, seconds(now));
        due.map(|reason| RotationDue {
            reason: String::from(reason.code()),
            message: reason.to_string(),
        })
    }

    fn stream_encryptor(
        &self,
        aad: Vec<u8>,
        chunk_size: u32,
    ) -> Result<StreamEncryptor, GuardError> {
        let encryptor = self
            .inner
            .borrow_mut()
            .stream_encryptor(&aad, chunk_size as usize, &mut HostRng)
            .map_err(crypto_error)?;
        Ok(EncryptorState::wrap(encryptor))
    }

    fn stream_decryptor(&self, aad: Vec<u8>) -> StreamDecryptor {
        DecryptorState::wrap(Rc::clone(&self.inner), &aad)
    }
}

fn algorithm_of(algorithm: WitAlgorithm) -> AeadAlgorithm {
    match algorithm {
        WitAlgorithm::Xc20p => AeadAlgorithm::XChaCha20Poly1305,
        WitAlgorithm::C20p => AeadAlgorithm::ChaCha20Poly1305,
    }
}

pub(crate) fn wit_algorithm(algorithm: AeadAlgorithm) -> WitAlgorithm {
    match algorithm {
        AeadAlgorithm::ChaCha20Poly1305 => WitAlgorithm::C20p,
        _ => WitAlgorithm::Xc20p,
    }
}

fn key_info(info: &KeyInfo) -> WitKeyInfo {
    let algorithm = wit_algorithm(info.algorithm);
    let state = match info.state {
        KeyState::Primary => WitKeyState::Primary,
        KeyState::Enabled => WitKeyState::Enabled,
        KeyState::Disabled => WitKeyState::Disabled,
        KeyState::Destroyed => WitKeyState::Destroyed,
    };
    WitKeyInfo {
        id: info.id.to_string(),
        algorithm,
        state,
        created: info.created,
        messages: info.messages,
    }
}

/// Parses a key id in its text form, eight lowercase hex digits. The
/// message shows a long id only in part, since it may be pasted key
/// material.
fn key_id(id: &str) -> Result<KeyId, GuardError> {
    id.parse::<KeyId>().map_err(|_| {
        GuardError::InvalidArgument(alloc::format!(
            "invalid key id {}; expected eight lowercase hex digits",
            GivenKeyId(id)
        ))
    })
}

fn secret_key(bytes: &[u8], what: &str) -> Result<SecretKey, GuardError> {
    SecretKey::from_slice(bytes)
        .ok_or_else(|| GuardError::InvalidArgument(alloc::format!("{what} must be 32 bytes")))
}

pub(crate) fn crypto_error(error: CryptoError) -> GuardError {
    GuardError::Crypto(detail(error.code(), &error))
}

fn keyring_error(error: KeyringError) -> GuardError {
    GuardError::Keyring(detail(error.code(), &error))
}
