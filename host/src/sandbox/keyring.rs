//! Keyrings in the sandbox.
//!
//! The host keeps the keyring document (secrets included, zeroized on drop)
//! as the state of record, with a revision number. Each instance keeps a
//! guest keyring at some revision and rebuilds it from the document when it
//! is behind, so a trap that discards an instance loses no state. A call
//! that changes the keyring (including `encrypt`, which counts messages)
//! stores the new document and revision.

use std::sync::{Arc, Mutex, MutexGuard};

use mem8_guard::crypto::{
    AeadAlgorithm, CryptoError, GivenKeyId, KeyId, KeyState, RotationPolicy, RotationReason,
    MAX_CHUNK_SIZE, MIN_CHUNK_SIZE,
};
use wasmtime::component::ResourceAny;
use zeroize::Zeroizing;

use super::api::ObjectHandle;
use super::bindings::exports::mem8::guard::crypto as wit;
use super::runtime::{Runtime, Worker};
use super::stream::{HostStreamDecryptor, HostStreamEncryptor, StreamInfo};
use super::{GuestError, GuestErrorKind, HostError};

/// A key's metadata with the fields of the core's `KeyInfo`; never key
/// material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyMetadata {
    /// The key's id.
    pub id: KeyId,
    /// The algorithm the key is bound to.
    pub algorithm: AeadAlgorithm,
    /// The life-cycle state.
    pub state: KeyState,
    /// Creation time, in Unix seconds.
    pub created: u64,
    /// Messages encrypted with the key, as counted by this keyring.
    pub messages: u64,
}

/// Why the primary key is due for rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationDue {
    /// The core's code, as `RotationReason::code` returns it.
    pub reason: String,
    /// The core's message.
    pub message: String,
}

/// The keyring document and its revision.
struct KeyringRecord {
    revision: u64,
    document: Zeroizing<String>,
}

/// A keyring of AEAD keys, run in the sandbox.
///
/// Calls on one keyring are serialized, as `&mut self` calls on the core's
/// `Keyring` are; calls on different keyrings run in parallel.
pub struct HostKeyring {
    handle: ObjectHandle,
    record: Mutex<KeyringRecord>,
}

impl std::fmt::Debug for HostKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostKeyring")
            .field("document", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl HostKeyring {
    pub(crate) fn generate(
        runtime: &Arc<Runtime>,
        algorithm: AeadAlgorithm,
        now: u64,
    ) -> Result<Self, HostError> {
        let algorithm = wit_algorithm(algorithm);
        Self::create(runtime, |worker| {
            let keyring = worker.guest.mem8_guard_crypto().keyring();
            Ok(Ok(keyring.call_generate(
                &mut worker.store,
                algorithm,
                Some(now),
            )?))
        })
    }

    pub(crate) fn from_json(runtime: &Arc<Runtime>, document: &str) -> Result<Self, HostError> {
        Self::create(runtime, |worker| {
            let keyring = worker.guest.mem8_guard_crypto().keyring();
            Ok(keyring
                .call_from_json(&mut worker.store, document)?
                .map_err(HostError::from))
        })
    }

    pub(crate) fn open(
        runtime: &Arc<Runtime>,
        sealed: &str,
        kek: &[u8],
    ) -> Result<Self, HostError> {
        Self::create(runtime, |worker| {
            let keyring = worker.guest.mem8_guard_crypto().keyring();
            Ok(keyring
                .call_open(&mut worker.store, sealed, kek)?
                .map_err(HostError::from))
        })
    }

    /// Creates the guest keyring with `make`, reads its document, and keeps
    /// the resource in that instance at revision 0.
    fn create(
        runtime: &Arc<Runtime>,
        make: impl FnOnce(&mut Worker) -> wasmtime::Result<Result<ResourceAny, HostError>>,
    ) -> Result<Self, HostError> {
        let handle = ObjectHandle::new(runtime);
        let document = runtime.call(|worker| {
            let resource = match make(worker)? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            worker.remember(handle.id, 0, handle.owner(), resource);
            let document = worker
                .guest
                .mem8_guard_crypto()
                .keyring()
                .call_to_json(&mut worker.store, resource)?;
            Ok(Ok(Zeroizing::new(document)))
        })?;
        Ok(Self {
            handle,
            record: Mutex::new(KeyringRecord {
                revision: 0,
                document,
            }),
        })
    }

    /// Runs `op` on the guest keyring at the current revision. When
    /// `changes` is true, stores the document after a successful call.
    fn run<R>(
        &self,
        changes: bool,
        op: impl FnOnce(&mut Worker, ResourceAny) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        let mut record = self.lock()?;
        let revision = record.revision;
        let id = self.handle.id;
        let owner = self.handle.owner();
        let (value, document) = self.handle.runtime().call(|worker| {
            let resource = match worker.resource(id, revision, owner, |worker| {
                let keyring = worker.guest.mem8_guard_crypto().keyring();
                Ok(keyring
                    .call_from_json(&mut worker.store, &record.document)?
                    .map_err(HostError::from))
            })? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            let value = match op(worker, resource)? {
                Ok(value) => value,
                Err(error) => return Ok(Err(error)),
            };
            if !changes {
                return Ok(Ok((value, None)));
            }
            let document = worker
                .guest
                .mem8_guard_crypto()
                .keyring()
                .call_to_json(&mut worker.store, resource)?;
            worker.remember(id, revision + 1, owner, resource);
            Ok(Ok((value, Some(Zeroizing::new(document)))))
        })?;
        if let Some(document) = document {
            record.document = document;
            record.revision = revision + 1;
        }
        Ok(value)
    }

    fn lock(&self) -> Result<MutexGuard<'_, KeyringRecord>, HostError> {
        self.record.lock().map_err(|_| HostError::Internal {
            reason: String::from("keyring lock poisoned by a panic in another thread"),
        })
    }

    /// The keyring document as JSON text, secrets included.
    ///
    /// # Errors
    ///
    /// [`HostError::Internal`] when the lock is poisoned.
    pub fn to_json(&self) -> Result<Zeroizing<String>, HostError> {
        Ok(self.lock()?.document.clone())
    }

    /// The keyring sealed under a 32-byte key-encryption key.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a key of another
    /// length or `Crypto` for an all-zero key.
    pub fn seal(&self, kek: &[u8]) -> Result<String, HostError> {
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            Ok(api
                .call_seal(&mut worker.store, keyring, kek)?
                .map_err(HostError::from))
        })
    }

    /// Metadata of every key.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn keys(&self) -> Result<Vec<KeyMetadata>, HostError> {
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let keys = api.call_keys(&mut worker.store, keyring)?;
            Ok(keys.into_iter().map(key_metadata).collect())
        })
    }

    /// Adds an enabled (decrypt-only) key and returns its id.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` when the keyring is full.
    pub fn add(&self, algorithm: AeadAlgorithm, now: u64) -> Result<KeyId, HostError> {
        let algorithm = wit_algorithm(algorithm);
        self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let result = api.call_add(&mut worker.store, keyring, algorithm, Some(now))?;
            Ok(result.map_err(HostError::from).and_then(|id| key_id(&id)))
        })
    }

    /// Adds a key, makes it the primary and returns its id.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` when the keyring is full.
    pub fn rotate(&self, algorithm: AeadAlgorithm, now: u64) -> Result<KeyId, HostError> {
        let algorithm = wit_algorithm(algorithm);
        self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let result = api.call_rotate(&mut worker.store, keyring, algorithm, Some(now))?;
            Ok(result.map_err(HostError::from).and_then(|id| key_id(&id)))
        })
    }

    /// Makes key `id` the primary.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` for an unknown key or a
    /// transition the key's state does not allow.
    pub fn promote(&self, id: KeyId) -> Result<(), HostError> {
        self.transition(id, |api, store, keyring, id| {
            api.call_promote(store, keyring, id)
        })
    }

    /// Enables key `id` for decryption.
    ///
    /// # Errors
    ///
    /// As [`HostKeyring::promote`].
    pub fn enable(&self, id: KeyId) -> Result<(), HostError> {
        self.transition(id, |api, store, keyring, id| {
            api.call_enable(store, keyring, id)
        })
    }

    /// Disables key `id`.
    ///
    /// # Errors
    ///
    /// As [`HostKeyring::promote`].
    pub fn disable(&self, id: KeyId) -> Result<(), HostError> {
        self.transition(id, |api, store, keyring, id| {
            api.call_disable(store, keyring, id)
        })
    }

    /// Destroys key `id`, which must be disabled.
    ///
    /// # Errors
    ///
    /// As [`HostKeyring::promote`].
    pub fn destroy(&self, id: KeyId) -> Result<(), HostError> {
        self.transition(id, |api, store, keyring, id| {
            api.call_destroy(store, keyring, id)
        })
    }

    fn transition(
        &self,
        id: KeyId,
        call: impl FnOnce(
            wit::GuestKeyring<'_>,
            &mut wasmtime::Store<super::runtime::WorkerState>,
            ResourceAny,
            &str,
        ) -> wasmtime::Result<Result<(), wit::GuardError>>,
    ) -> Result<(), HostError> {
        let id = id.to_string();
        self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            Ok(call(api, &mut worker.store, keyring, &id)?.map_err(HostError::from))
        })
    }

    /// Encrypts with the primary key into a binary envelope and counts one
    /// message on it.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto` when the primary key reached
    /// its hard message limit or the plaintext is too long.
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, HostError> {
        self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            Ok(api
                .call_encrypt(&mut worker.store, keyring, plaintext, aad)?
                .map_err(HostError::from))
        })
    }

    /// Encrypts with the primary key into a base64url envelope.
    ///
    /// # Errors
    ///
    /// As [`HostKeyring::encrypt`].
    pub fn encrypt_to_text(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, HostError> {
        self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            Ok(api
                .call_encrypt_to_text(&mut worker.store, keyring, plaintext, aad)?
                .map_err(HostError::from))
        })
    }

    /// Decrypts a binary envelope with the key its header names.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto` when the envelope is not
    /// authentic or its key is unknown, disabled or destroyed.
    pub fn decrypt(&self, envelope: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, HostError> {
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let result = api.call_decrypt(&mut worker.store, keyring, envelope, aad)?;
            Ok(result.map_err(HostError::from).map(Zeroizing::new))
        })
    }

    /// Decrypts a base64url envelope.
    ///
    /// # Errors
    ///
    /// As [`HostKeyring::decrypt`].
    pub fn decrypt_text(
        &self,
        envelope: &str,
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, HostError> {
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let result = api.call_decrypt_text(&mut worker.store, keyring, envelope, aad)?;
            Ok(result.map_err(HostError::from).map(Zeroizing::new))
        })
    }

    /// Derives a 32-byte subkey of key `id` for `context` with HKDF-SHA256,
    /// like `Keyring::derive_key`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` for an unknown or destroyed key.
    pub fn derive_key(&self, id: KeyId, context: &[u8]) -> Result<Zeroizing<Vec<u8>>, HostError> {
        let id = id.to_string();
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let result = api.call_derive_key(&mut worker.store, keyring, &id, context)?;
            Ok(result.map_err(HostError::from).map(Zeroizing::new))
        })
    }

    /// Whether the primary key is due for rotation under `policy` at `now`.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn rotation_due(
        &self,
        policy: &RotationPolicy,
        now: u64,
    ) -> Result<Option<RotationDue>, HostError> {
        let policy = wit::RotationPolicy {
            max_age: Some(policy.max_age),
            max_messages_xchacha20: Some(policy.max_messages_xchacha20),
            max_messages_chacha20: Some(policy.max_messages_chacha20),
        };
        self.run(false, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let due = api.call_rotation_due(&mut worker.store, keyring, policy, Some(now))?;
            Ok(Ok(due.map(|due| RotationDue {
                reason: due.reason,
                message: due.message,
            })))
        })
    }
}

impl HostKeyring {
    /// Starts a stream under the primary key with `chunk_size` bytes of
    /// plaintext per chunk, like `Keyring::stream_encryptor`, and counts one
    /// message on the primary.
    ///
    /// The stream runs in the instance that created it; see
    /// [`HostStreamEncryptor`].
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto`: `invalid_chunk_size` outside
    /// 1024 to 16 MiB, `key_exhausted` as for [`HostKeyring::encrypt`].
    pub fn stream_encryptor(
        &self,
        aad: &[u8],
        chunk_size: usize,
    ) -> Result<HostStreamEncryptor, HostError> {
        // The WIT parameter is a `u32`. Every size above `u32::MAX` is also
        // above the core's maximum, so the host returns the core's error
        // itself, with the size as given.
        let Ok(chunk_size) = u32::try_from(chunk_size) else {
            return Err(crypto_guest_error(&CryptoError::InvalidChunkSize {
                size: chunk_size as u64,
                min: MIN_CHUNK_SIZE,
                max: MAX_CHUNK_SIZE,
            }));
        };
        let stream = ObjectHandle::new(self.handle.runtime());
        let (stream_id, owner) = (stream.id, std::sync::Arc::clone(stream.owner()));
        let (worker_id, header, info) = self.run(true, |worker, keyring| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let resource =
                match api.call_stream_encryptor(&mut worker.store, keyring, aad, chunk_size)? {
                    Ok(resource) => resource,
                    Err(error) => return Ok(Err(HostError::from(error))),
                };
            worker.remember(stream_id, 0, &owner, resource);
            let api = worker.guest.mem8_guard_crypto().stream_encryptor();
            let header = api.call_header(&mut worker.store, resource)?;
            let info = api.call_info(&mut worker.store, resource)?;
            Ok(Ok((worker.id, header, info)))
        })?;
        let Some(info) = info else {
            return Err(HostError::InvalidGuestValue {
                reason: String::from("the guest returned no header fields for a new stream"),
            });
        };
        let info = StreamInfo::from_wit(info)?;
        Ok(HostStreamEncryptor::new(stream, worker_id, header, info))
    }

    /// Starts decrypting a stream, header included, like the core's
    /// `StreamReader`.
    ///
    /// The decryptor gets its own copy of the keyring as it is now, so
    /// later changes to this keyring (a disabled key, say) do not reach a
    /// stream already started. It runs in the instance that created it; see
    /// [`HostStreamDecryptor`].
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn stream_decryptor(&self, aad: &[u8]) -> Result<HostStreamDecryptor, HostError> {
        let document = self.to_json()?;
        let stream = ObjectHandle::new(self.handle.runtime());
        let (stream_id, owner) = (stream.id, std::sync::Arc::clone(stream.owner()));
        let worker_id = self.handle.runtime().call(|worker| {
            let api = worker.guest.mem8_guard_crypto().keyring();
            let copy = match api.call_from_json(&mut worker.store, &document)? {
                Ok(copy) => copy,
                Err(error) => return Ok(Err(HostError::from(error))),
            };
            let resource = api.call_stream_decryptor(&mut worker.store, copy, aad)?;
            // The guest decryptor keeps its own reference to the copy.
            copy.resource_drop(&mut worker.store)?;
            worker.remember(stream_id, 0, &owner, resource);
            Ok(Ok(worker.id))
        })?;
        Ok(HostStreamDecryptor::new(stream, worker_id))
    }
}

impl From<&RotationReason> for RotationDue {
    fn from(reason: &RotationReason) -> Self {
        Self {
            reason: String::from(reason.code()),
            message: reason.to_string(),
        }
    }
}

/// The error the guest returns for `error`, for a check that the host
/// makes before calling it.
fn crypto_guest_error(error: &CryptoError) -> HostError {
    HostError::Guest(GuestError {
        kind: GuestErrorKind::Crypto,
        code: String::from(error.code()),
        message: error.to_string(),
        claim: None,
        limit: None,
    })
}

pub(crate) fn wit_algorithm(algorithm: AeadAlgorithm) -> wit::AeadAlgorithm {
    match algorithm {
        AeadAlgorithm::ChaCha20Poly1305 => wit::AeadAlgorithm::C20p,
        _ => wit::AeadAlgorithm::Xc20p,
    }
}

pub(crate) fn aead_algorithm(algorithm: wit::AeadAlgorithm) -> AeadAlgorithm {
    match algorithm {
        wit::AeadAlgorithm::Xc20p => AeadAlgorithm::XChaCha20Poly1305,
        wit::AeadAlgorithm::C20p => AeadAlgorithm::ChaCha20Poly1305,
    }
}

fn key_metadata(info: wit::KeyInfo) -> Result<KeyMetadata, HostError> {
    Ok(KeyMetadata {
        id: key_id(&info.id)?,
        algorithm: aead_algorithm(info.algorithm),
        state: match info.state {
            wit::KeyState::Primary => KeyState::Primary,
            wit::KeyState::Enabled => KeyState::Enabled,
            wit::KeyState::Disabled => KeyState::Disabled,
            wit::KeyState::Destroyed => KeyState::Destroyed,
        },
        created: info.created,
        messages: info.messages,
    })
}

pub(crate) fn key_id(text: &str) -> Result<KeyId, HostError> {
    text.parse::<KeyId>()
        .map_err(|_| HostError::InvalidGuestValue {
            reason: format!("invalid key id {} from the guest", GivenKeyId(text)),
        })
}
