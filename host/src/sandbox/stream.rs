//! Chunked stream encryption in the sandbox: the core's `StreamEncryptor`
//! and `StreamReader`.
//!
//! A stream's state (its key, counter and buffered bytes) exists only
//! inside the guest instance that created it, so each host stream is pinned
//! to that instance. Every call on the stream runs there, and waits while
//! the instance serves another call. Other objects' calls still use that
//! instance in between. When the instance is discarded after a trap or a
//! limit, in any call on it, the stream fails with
//! [`HostError::StreamLost`].

use mem8_guard::crypto::{AeadAlgorithm, KeyId};
use wasmtime::component::ResourceAny;
use zeroize::Zeroizing;

use super::api::ObjectHandle;
use super::bindings::exports::mem8::guard::crypto as wit;
use super::keyring::{aead_algorithm, key_id};
use super::runtime::Worker;
use super::HostError;

/// Largest input one guest call of [`HostStreamEncryptor::update`] or
/// [`HostStreamDecryptor::update`] receives: 1 MiB. Longer input is split
/// into calls of this size, so that one call stays far below the memory cap
/// and the deadline whatever the caller passes.
pub const MAX_STREAM_CALL_BYTES: usize = 1024 * 1024;

/// The public fields of a stream header, with the values of the core's
/// `StreamHeader`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamInfo {
    /// The id of the key that encrypted the stream.
    pub key_id: KeyId,
    /// The stream's algorithm.
    pub algorithm: AeadAlgorithm,
    /// Plaintext bytes in every chunk but the last.
    pub chunk_size: usize,
}

impl StreamInfo {
    pub(crate) fn from_wit(info: wit::StreamInfo) -> Result<Self, HostError> {
        Ok(Self {
            key_id: key_id(&info.key_id)?,
            algorithm: aead_algorithm(info.algorithm),
            chunk_size: info.chunk_size as usize,
        })
    }
}

/// The guest resource of a stream and the instance it lives in.
struct Pinned {
    handle: ObjectHandle,
    worker: u64,
}

impl Pinned {
    /// Runs `op` on the stream's resource in its instance.
    fn call<R>(
        &self,
        op: impl FnOnce(&mut Worker, ResourceAny) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        let id = self.handle.id;
        self.handle.runtime().call_on(self.worker, |worker| {
            let Some(resource) = worker.cached(id) else {
                return Ok(Err(HostError::Internal {
                    reason: String::from("the stream's resource is missing from its instance"),
                }));
            };
            op(worker, resource)
        })
    }

    /// Runs `op` on the resource, then drops the resource.
    fn finish<R>(
        self,
        op: impl FnOnce(&mut Worker, ResourceAny) -> wasmtime::Result<Result<R, HostError>>,
    ) -> Result<R, HostError> {
        let id = self.handle.id;
        self.call(|worker, resource| {
            let result = op(worker, resource)?;
            worker.forget(id)?;
            Ok(result)
        })
    }
}

/// Encrypts a stream chunk by chunk in the sandbox, like the core's
/// `StreamEncryptor`. Create one with
/// [`HostKeyring::stream_encryptor`](super::HostKeyring::stream_encryptor),
/// write [`header`](Self::header) first, then what every
/// [`update`](Self::update) returns, then what [`finish`](Self::finish)
/// returns.
pub struct HostStreamEncryptor {
    pinned: Pinned,
    header: Vec<u8>,
    info: StreamInfo,
}

impl std::fmt::Debug for HostStreamEncryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostStreamEncryptor")
            .field("instance", &self.pinned.worker)
            .finish_non_exhaustive()
    }
}

impl HostStreamEncryptor {
    pub(crate) fn new(
        handle: ObjectHandle,
        worker: u64,
        header: Vec<u8>,
        info: StreamInfo,
    ) -> Self {
        Self {
            pinned: Pinned { handle, worker },
            header,
            info,
        }
    }

    /// Returns the stream header, to be written before any chunk.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Returns the header's public fields, like the core's
    /// `StreamEncryptor::info`.
    pub fn info(&self) -> StreamInfo {
        self.info
    }

    /// Encrypts `plaintext` and returns every chunk it completes; a partial
    /// chunk stays buffered in the guest.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto` with the core's error,
    /// [`HostError::StreamLost`] when the stream's instance was discarded.
    pub fn update(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, HostError> {
        let mut output = Vec::new();
        for piece in plaintext.chunks(MAX_STREAM_CALL_BYTES) {
            let sealed = self.pinned.call(|worker, stream| {
                let api = worker.guest.mem8_guard_crypto().stream_encryptor();
                Ok(api
                    .call_update(&mut worker.store, stream, piece)?
                    .map_err(HostError::from))
            })?;
            output.extend_from_slice(&sealed);
        }
        Ok(output)
    }

    /// Encrypts the buffered remainder as the final chunk and returns it.
    ///
    /// # Errors
    ///
    /// As [`HostStreamEncryptor::update`].
    pub fn finish(self) -> Result<Vec<u8>, HostError> {
        self.pinned.finish(|worker, stream| {
            let api = worker.guest.mem8_guard_crypto().stream_encryptor();
            Ok(api
                .call_finish(&mut worker.store, stream)?
                .map_err(HostError::from))
        })
    }
}

/// Decrypts a stream, header included, in the sandbox, like the core's
/// `StreamReader`. Create one with
/// [`HostKeyring::stream_decryptor`](super::HostKeyring::stream_decryptor).
pub struct HostStreamDecryptor {
    pinned: Pinned,
    /// Set by the update that completes the header.
    info: Option<StreamInfo>,
}

impl std::fmt::Debug for HostStreamDecryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostStreamDecryptor")
            .field("instance", &self.pinned.worker)
            .finish_non_exhaustive()
    }
}

impl HostStreamDecryptor {
    pub(crate) fn new(handle: ObjectHandle, worker: u64) -> Self {
        Self {
            pinned: Pinned { handle, worker },
            info: None,
        }
    }

    /// Returns the header's public fields once an update has completed the
    /// header and its key was found, like the core's `StreamReader::info`;
    /// `None` before.
    pub fn info(&self) -> Option<StreamInfo> {
        self.info
    }

    /// Decrypts the chunks that `ciphertext` completes and returns their
    /// plaintext, which may be empty.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto` with the core's error, such as
    /// `decryption_failed` or `unknown_key`; after one, every later call
    /// fails the same way. [`HostError::StreamLost`] when the stream's
    /// instance was discarded.
    ///
    /// # Security
    ///
    /// The stream is complete only once [`finish`](Self::finish)
    /// succeeds: until then, an attacker may have cut it short.
    pub fn update(&mut self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, HostError> {
        let mut output = Zeroizing::new(Vec::new());
        for piece in ciphertext.chunks(MAX_STREAM_CALL_BYTES) {
            let known = self.info.is_some();
            let (opened, info) = self.pinned.call(|worker, stream| {
                let api = worker.guest.mem8_guard_crypto().stream_decryptor();
                let opened = match api.call_update(&mut worker.store, stream, piece)? {
                    Ok(opened) => opened,
                    Err(error) => return Ok(Err(HostError::from(error))),
                };
                // Until the header is complete, ask in the same visit to the
                // instance whether this piece completed it.
                let info = if known {
                    None
                } else {
                    api.call_info(&mut worker.store, stream)?
                };
                Ok(Ok((opened, info)))
            })?;
            output.extend_from_slice(&Zeroizing::new(opened));
            if let Some(info) = info {
                self.info = Some(StreamInfo::from_wit(info)?);
            }
        }
        Ok(output)
    }

    /// Decrypts the final chunk and checks that the stream ended there.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto`: `truncated` when the stream
    /// ended early, `malformed` inside the header, the error of an earlier
    /// update; [`HostError::StreamLost`] as for
    /// [`update`](Self::update).
    pub fn finish(self) -> Result<Zeroizing<Vec<u8>>, HostError> {
        self.pinned.finish(|worker, stream| {
            let api = worker.guest.mem8_guard_crypto().stream_decryptor();
            let result = api.call_finish(&mut worker.store, stream)?;
            Ok(result.map_err(HostError::from).map(Zeroizing::new))
        })
    }
}
