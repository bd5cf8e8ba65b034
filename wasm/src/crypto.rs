//! Keyrings and envelopes for JavaScript: the core's `crypto` module.
//!
//! Bytes cross as `Uint8Array`; keyring metadata and rotation answers as JSON
//! text. Decrypted bytes leave the module in their own buffer, which the
//! module's allocator zeroes once wasm-bindgen has copied it out. A copy
//! would take a third full-size buffer: 3 GiB for a 1 GiB envelope.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use mem8_guard::crypto::{
    hazmat, AeadAlgorithm, CryptoError, GivenKeyId, KeyId, KeyInfo, Keyring as CoreKeyring,
    KeyringError, RotationPolicy, SecretKey, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE,
};
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::stream::{StreamDecryptor, StreamEncryptor};
use crate::{error_value, parse_argument, seconds};

/// A keyring of AEAD keys, kept inside the module. Stream decryptors share
/// it; JavaScript runs one call at a time, so the `RefCell` is never
/// borrowed twice.
#[wasm_bindgen]
pub struct Keyring {
    shared: Rc<RefCell<CoreKeyring>>,
}

impl Keyring {
    fn wrap(inner: CoreKeyring) -> Self {
        Self {
            shared: Rc::new(RefCell::new(inner)),
        }
    }

    fn inner(&self) -> Ref<'_, CoreKeyring> {
        self.shared.borrow()
    }

    fn inner_mut(&mut self) -> RefMut<'_, CoreKeyring> {
        self.shared.borrow_mut()
    }

    pub(crate) fn shared(&self) -> &Rc<RefCell<CoreKeyring>> {
        &self.shared
    }
}

#[wasm_bindgen]
impl Keyring {
    /// Generates a keyring with one primary key of `algorithm` (`XC20P` or
    /// `C20P`), created at `now` (Unix seconds; `Date.now()` when undefined).
    pub fn generate(algorithm: &str, now: Option<f64>) -> Result<Keyring, JsValue> {
        let algorithm = parse_algorithm(algorithm)?;
        let inner = CoreKeyring::generate(algorithm, &mut rand_core::OsRng, seconds(now)?);
        Ok(Self::wrap(inner))
    }

    /// Loads an unsealed keyring document (JSON text).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Keyring, JsValue> {
        let inner = CoreKeyring::from_json(text.as_bytes()).map_err(keyring_error)?;
        Ok(Self::wrap(inner))
    }

    /// Opens a sealed keyring with a 32-byte key-encryption key.
    pub fn open(sealed: &str, kek: &[u8]) -> Result<Keyring, JsValue> {
        let kek = kek_from(kek)?;
        let inner = CoreKeyring::open(sealed, &kek).map_err(keyring_error)?;
        Ok(Self::wrap(inner))
    }

    /// The keyring document as JSON text, secrets included.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        String::from(self.inner().to_json().as_str())
    }

    /// The keyring sealed under a 32-byte key-encryption key, as text.
    pub fn seal(&self, kek: &[u8]) -> Result<String, JsValue> {
        let kek = kek_from(kek)?;
        self.inner()
            .seal(&kek, &mut rand_core::OsRng)
            .map_err(keyring_error)
    }

    /// Metadata of every key, as a JSON array; never key material.
    pub fn keys(&self) -> String {
        let keys: Vec<Value> = self.inner().keys().iter().map(key_json).collect();
        Value::Array(keys).to_string()
    }

    /// Adds an enabled (decrypt-only) key and returns its id (eight hex digits).
    pub fn add(&mut self, algorithm: &str, now: Option<f64>) -> Result<String, JsValue> {
        let algorithm = parse_algorithm(algorithm)?;
        let id = self
            .inner_mut()
            .add(algorithm, &mut rand_core::OsRng, seconds(now)?)
            .map_err(keyring_error)?;
        Ok(id.to_string())
    }

    /// Adds a key and promotes it to primary; returns its id.
    pub fn rotate(&mut self, algorithm: &str, now: Option<f64>) -> Result<String, JsValue> {
        let algorithm = parse_algorithm(algorithm)?;
        let id = self
            .inner_mut()
            .rotate(algorithm, &mut rand_core::OsRng, seconds(now)?)
            .map_err(keyring_error)?;
        Ok(id.to_string())
    }

    pub fn promote(&mut self, id: &str) -> Result<(), JsValue> {
        self.inner_mut().promote(key_id(id)?).map_err(keyring_error)
    }

    pub fn enable(&mut self, id: &str) -> Result<(), JsValue> {
        self.inner_mut().enable(key_id(id)?).map_err(keyring_error)
    }

    pub fn disable(&mut self, id: &str) -> Result<(), JsValue> {
        self.inner_mut().disable(key_id(id)?).map_err(keyring_error)
    }

    pub fn destroy(&mut self, id: &str) -> Result<(), JsValue> {
        self.inner_mut().destroy(key_id(id)?).map_err(keyring_error)
    }

    /// Encrypts with the primary key into a binary envelope.
    pub fn encrypt(&mut self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, JsValue> {
        self.inner_mut()
            .encrypt(plaintext, aad, &mut rand_core::OsRng)
            .map_err(crypto_error)
    }

    /// Encrypts with the primary key into a base64url envelope.
    #[wasm_bindgen(js_name = encryptToText)]
    pub fn encrypt_to_text(&mut self, plaintext: &[u8], aad: &[u8]) -> Result<String, JsValue> {
        self.inner_mut()
            .encrypt_to_text(plaintext, aad, &mut rand_core::OsRng)
            .map_err(crypto_error)
    }

    /// Decrypts a binary envelope with the key its header names.
    pub fn decrypt(&self, envelope: &[u8], aad: &[u8]) -> Result<Vec<u8>, JsValue> {
        let plaintext = self.inner().decrypt(envelope, aad).map_err(crypto_error)?;
        Ok(plaintext.into_vec())
    }

    /// Decrypts a base64url envelope.
    #[wasm_bindgen(js_name = decryptText)]
    pub fn decrypt_text(&self, text: &str, aad: &[u8]) -> Result<Vec<u8>, JsValue> {
        let plaintext = self.inner().decrypt_text(text, aad).map_err(crypto_error)?;
        Ok(plaintext.into_vec())
    }

    /// Starts a stream under the primary key with `chunk_size` bytes of
    /// plaintext per chunk, and counts one message on the primary.
    #[wasm_bindgen(js_name = streamEncryptor)]
    pub fn stream_encryptor(
        &mut self,
        aad: &[u8],
        chunk_size: f64,
    ) -> Result<StreamEncryptor, JsValue> {
        let chunk_size = chunk_size_from(chunk_size)?;
        let encryptor = self
            .inner_mut()
            .stream_encryptor(aad, chunk_size, &mut rand_core::OsRng)
            .map_err(crypto_error)?;
        Ok(StreamEncryptor::new(encryptor))
    }

    /// Starts decrypting a stream, header included; the key is looked up in
    /// this keyring once the header has arrived.
    #[wasm_bindgen(js_name = streamDecryptor)]
    pub fn stream_decryptor(&self, aad: &[u8]) -> StreamDecryptor {
        StreamDecryptor::new(Rc::clone(self.shared()), aad)
    }

    /// Whether the primary key is due for rotation under a policy (snake_case
    /// JSON; every field optional), at `now`: `null` or `{"reason", "message"}`.
    #[wasm_bindgen(js_name = rotationDue)]
    pub fn rotation_due(&self, policy_json: &str, now: Option<f64>) -> Result<String, JsValue> {
        #[derive(Default, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        struct Policy {
            max_age: Option<u64>,
            max_messages_xchacha20: Option<u64>,
            max_messages_chacha20: Option<u64>,
        }
        let given = parse_argument::<Policy>(policy_json, "rotation policy")?;
        let mut policy = RotationPolicy::default();
        if let Some(max_age) = given.max_age {
            policy.max_age = max_age;
        }
        if let Some(max) = given.max_messages_xchacha20 {
            policy.max_messages_xchacha20 = max;
        }
        if let Some(max) = given.max_messages_chacha20 {
            policy.max_messages_chacha20 = max;
        }
        let due = self.inner().rotation_due(&policy, seconds(now)?);
        Ok(match due {
            None => String::from("null"),
            Some(reason) => {
                json!({ "reason": reason.code(), "message": reason.to_string() }).to_string()
            }
        })
    }
}

/// Encrypts with an explicit key and nonce, for known-answer tests only.
///
/// # Security
///
/// Reusing a nonce under a key breaks both confidentiality and authenticity.
/// Applications use `Keyring.encrypt`, which draws random nonces.
#[wasm_bindgen(js_name = hazmatAeadSeal)]
pub fn hazmat_aead_seal(
    algorithm: &str,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let algorithm = parse_algorithm(algorithm)?;
    let key = aead_key(key)?;
    hazmat::encrypt_with_nonce(algorithm, &key, nonce, aad, plaintext).map_err(crypto_error)
}

/// Decrypts `ciphertext || tag` with an explicit key and nonce, for
/// known-answer tests.
#[wasm_bindgen(js_name = hazmatAeadOpen)]
pub fn hazmat_aead_open(
    algorithm: &str,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let algorithm = parse_algorithm(algorithm)?;
    let key = aead_key(key)?;
    let plaintext =
        hazmat::decrypt_with_nonce(algorithm, &key, nonce, aad, sealed).map_err(crypto_error)?;
    Ok(plaintext.into_vec())
}

/// Converts a JavaScript number to a chunk size. The core checks the range,
/// except for a number past `usize::MAX`, whose `invalid_chunk_size` error
/// is made here so that it names the number as given.
fn chunk_size_from(value: f64) -> Result<usize, JsValue> {
    if !(value.is_finite() && value >= 0.0 && value.fract() == 0.0) {
        return Err(error_value(
            "argument",
            "invalid_argument",
            &format!(
                "chunkSize `{}` must be a whole number of bytes",
                crate::number_text(value)
            ),
        ));
    }

    // A whole number below 2^64 converts to `u64` exactly.
    if value < TWO_POW_64 {
        let size = value as u64;
        return usize::try_from(size).map_err(|_| {
            crypto_error(CryptoError::InvalidChunkSize {
                size,
                min: MIN_CHUNK_SIZE,
                max: MAX_CHUNK_SIZE,
            })
        });
    }

    // NOTE: the core's error stores the size as a `u64`, so this message
    // repeats its text.
    Err(error_value(
        "crypto",
        "invalid_chunk_size",
        &format!(
            "chunk size `{}` is outside the supported range of {MIN_CHUNK_SIZE} to \
             {MAX_CHUNK_SIZE} bytes",
            crate::number_text(value)
        ),
    ))
}

/// 2^64, the first whole `f64` that does not fit in a `u64`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

fn parse_algorithm(name: &str) -> Result<AeadAlgorithm, JsValue> {
    name.parse::<AeadAlgorithm>().map_err(|_| {
        error_value(
            "argument",
            "invalid_argument",
            &format!("unsupported AEAD algorithm `{name}`; use XC20P or C20P"),
        )
    })
}

/// Parses a key id in its text form, eight lowercase hex digits. The
/// message shows a long id only in part, since it may be pasted key
/// material.
fn key_id(id: &str) -> Result<KeyId, JsValue> {
    id.parse::<KeyId>().map_err(|_| {
        error_value(
            "argument",
            "invalid_argument",
            &format!(
                "invalid key id {}; expected eight lowercase hex digits",
                GivenKeyId(id)
            ),
        )
    })
}

fn aead_key(bytes: &[u8]) -> Result<SecretKey, JsValue> {
    SecretKey::from_slice(bytes).ok_or_else(|| {
        error_value(
            "argument",
            "invalid_argument",
            "an AEAD key must be 32 bytes",
        )
    })
}

fn kek_from(bytes: &[u8]) -> Result<SecretKey, JsValue> {
    SecretKey::from_slice(bytes).ok_or_else(|| {
        error_value(
            "argument",
            "invalid_argument",
            "a key-encryption key must be 32 bytes",
        )
    })
}

fn key_json(info: &KeyInfo) -> Value {
    json!({
        "id": info.id.to_string(),
        "algorithm": info.algorithm.as_str(),
        "state": info.state.as_str(),
        "created": info.created,
        "messages": info.messages,
    })
}

pub(crate) fn crypto_error(error: CryptoError) -> JsValue {
    error_value("crypto", error.code(), &error.to_string())
}

fn keyring_error(error: KeyringError) -> JsValue {
    error_value("keyring", error.code(), &error.to_string())
}
