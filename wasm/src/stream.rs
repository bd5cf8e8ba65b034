//! Chunked stream encryption for JavaScript: the core's `StreamEncryptor`
//! and `StreamReader`.
//!
//! Bytes cross as `Uint8Array`. Decrypted bytes leave the module in their
//! own buffer, which the module's allocator zeroes once wasm-bindgen has
//! copied it out.

use std::cell::RefCell;
use std::rc::Rc;

use mem8_guard::crypto::{
    Keyring as CoreKeyring, StreamEncryptor as CoreEncryptor, StreamHeader, StreamReader,
};
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::crypto::crypto_error;
use crate::error_value;

/// Encrypts one stream chunk by chunk; `None` once finished.
#[wasm_bindgen]
pub struct StreamEncryptor {
    header: Vec<u8>,
    inner: Option<CoreEncryptor>,
}

/// Decrypts one stream, header included, with the keyring it was started
/// from; `None` once finished.
#[wasm_bindgen]
pub struct StreamDecryptor {
    keyring: Rc<RefCell<CoreKeyring>>,
    inner: Option<StreamReader>,
}

impl StreamEncryptor {
    pub(crate) fn new(encryptor: CoreEncryptor) -> Self {
        Self {
            header: encryptor.header().to_vec(),
            inner: Some(encryptor),
        }
    }
}

impl StreamDecryptor {
    pub(crate) fn new(keyring: Rc<RefCell<CoreKeyring>>, aad: &[u8]) -> Self {
        Self {
            keyring,
            inner: Some(StreamReader::new(aad)),
        }
    }
}

#[wasm_bindgen]
impl StreamEncryptor {
    /// Returns the stream header, to be written before any chunk.
    #[wasm_bindgen(getter)]
    pub fn header(&self) -> Vec<u8> {
        self.header.clone()
    }

    /// Returns the header's public fields as JSON text (`{"keyId",
    /// "algorithm", "chunkSize"}`), or `null` once finished.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> String {
        header_json(self.inner.as_ref().map(CoreEncryptor::info))
    }

    /// Encrypts `plaintext` and returns every chunk it completes.
    pub fn update(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, JsValue> {
        let encryptor = self.inner.as_mut().ok_or_else(finished)?;
        encryptor.update(plaintext).map_err(crypto_error)
    }

    /// Encrypts the buffered rest as the final chunk and returns it.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        let encryptor = self.inner.take().ok_or_else(finished)?;
        encryptor.finish().map_err(crypto_error)
    }
}

#[wasm_bindgen]
impl StreamDecryptor {
    /// Returns the header's public fields as JSON text once the header has
    /// arrived, or `null` before.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> String {
        header_json(self.inner.as_ref().and_then(StreamReader::info))
    }

    /// Decrypts the chunks that `ciphertext` completes and returns their
    /// plaintext, which is complete only once `finish` succeeds.
    pub fn update(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>, JsValue> {
        let reader = self.inner.as_mut().ok_or_else(finished)?;
        let plaintext = reader
            .update(&self.keyring.borrow(), ciphertext)
            .map_err(crypto_error)?;
        Ok(plaintext.into_vec())
    }

    /// Decrypts the final chunk and checks that the stream ended there.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        let reader = self.inner.take().ok_or_else(finished)?;
        let plaintext = reader
            .finish(&self.keyring.borrow())
            .map_err(crypto_error)?;
        Ok(plaintext.into_vec())
    }
}

fn header_json(header: Option<StreamHeader>) -> String {
    match header {
        None => String::from("null"),
        Some(header) => json!({
            "keyId": header.key_id().to_string(),
            "algorithm": header.algorithm().as_str(),
            "chunkSize": header.chunk_size(),
        })
        .to_string(),
    }
}

fn finished() -> JsValue {
    error_value(
        "argument",
        "invalid_argument",
        "the stream is already finished; start a new stream",
    )
}
