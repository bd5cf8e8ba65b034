//! The stream resources of the `crypto` interface: the core's
//! `StreamEncryptor` and `StreamReader`.

use alloc::rc::Rc;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::cell::RefCell;

use mem8_guard::crypto::{
    Keyring as CoreKeyring, StreamEncryptor as CoreEncryptor, StreamHeader, StreamReader,
};

use crate::bindings::exports::mem8::guard::crypto::{
    GuestStreamDecryptor, GuestStreamEncryptor, StreamDecryptor, StreamEncryptor, StreamInfo,
};
use crate::bindings::exports::mem8::guard::types::GuardError;
use crate::crypto::{crypto_error, wit_algorithm};

/// A stream being encrypted; `None` once finished.
pub struct EncryptorState {
    header: Vec<u8>,
    inner: RefCell<Option<CoreEncryptor>>,
}

/// A stream being decrypted, with the keyring it was started from; the
/// reader is `None` once finished.
pub struct DecryptorState {
    keyring: Rc<RefCell<CoreKeyring>>,
    inner: RefCell<Option<StreamReader>>,
}

impl EncryptorState {
    pub(crate) fn wrap(encryptor: CoreEncryptor) -> StreamEncryptor {
        StreamEncryptor::new(Self {
            header: Vec::from(encryptor.header()),
            inner: RefCell::new(Some(encryptor)),
        })
    }
}

impl DecryptorState {
    pub(crate) fn wrap(keyring: Rc<RefCell<CoreKeyring>>, aad: &[u8]) -> StreamDecryptor {
        StreamDecryptor::new(Self {
            keyring,
            inner: RefCell::new(Some(StreamReader::new(aad))),
        })
    }
}

/// Converts `header` to its WIT record. Chunk sizes are at most 16 MiB, so
/// they fit in the record's `u32`.
fn stream_info(header: StreamHeader) -> StreamInfo {
    StreamInfo {
        key_id: header.key_id().to_string(),
        algorithm: wit_algorithm(header.algorithm()),
        chunk_size: u32::try_from(header.chunk_size()).unwrap_or(u32::MAX),
    }
}

fn finished() -> GuardError {
    GuardError::InvalidArgument(alloc::string::String::from(
        "the stream is already finished; start a new stream",
    ))
}

impl GuestStreamEncryptor for EncryptorState {
    fn header(&self) -> Vec<u8> {
        self.header.clone()
    }

    fn info(&self) -> Option<StreamInfo> {
        let inner = self.inner.borrow();
        inner
            .as_ref()
            .map(|encryptor| stream_info(encryptor.info()))
    }

    fn update(&self, plaintext: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        let mut inner = self.inner.borrow_mut();
        let encryptor = inner.as_mut().ok_or_else(finished)?;
        encryptor.update(&plaintext).map_err(crypto_error)
    }

    fn finish(&self) -> Result<Vec<u8>, GuardError> {
        let encryptor = self.inner.borrow_mut().take().ok_or_else(finished)?;
        encryptor.finish().map_err(crypto_error)
    }
}

impl GuestStreamDecryptor for DecryptorState {
    fn info(&self) -> Option<StreamInfo> {
        let inner = self.inner.borrow();
        inner.as_ref().and_then(StreamReader::info).map(stream_info)
    }

    fn update(&self, ciphertext: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        let mut inner = self.inner.borrow_mut();
        let reader = inner.as_mut().ok_or_else(finished)?;
        let plaintext = reader
            .update(&self.keyring.borrow(), &ciphertext)
            .map_err(crypto_error)?;
        drop(ciphertext);
        // The plaintext's own buffer: a copy doubled the memory of an
        // update, over the default 64 MiB cap with 16 MiB chunks.
        Ok(plaintext.into_vec())
    }

    fn finish(&self) -> Result<Vec<u8>, GuardError> {
        let reader = self.inner.borrow_mut().take().ok_or_else(finished)?;
        let plaintext = reader
            .finish(&self.keyring.borrow())
            .map_err(crypto_error)?;
        Ok(plaintext.into_vec())
    }
}
