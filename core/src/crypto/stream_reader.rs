//! A stream decryptor that reads the stream header from its input as it
//! arrives, for callers that cannot split the header off themselves: the
//! npm package and the wasmtime guest.

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use super::error::CryptoError;
use super::{Keyring, Plaintext, StreamDecryptor, StreamHeader, MAX_STREAM_HEADER_LEN};

/// Decrypts a stream whose header comes in with the rest of the input.
///
/// [`Keyring::stream_decryptor`] needs the whole header at once. A reader
/// buffers input until the header is complete, then looks its key up in
/// the keyring passed to that call and decrypts the rest like a
/// [`StreamDecryptor`]. Every call takes the keyring, so the key's state is
/// checked when the header completes, not when the reader is created.
///
/// After an error the reader returns the same error for every later call.
pub struct StreamReader {
    state: ReaderState,
}

enum ReaderState {
    /// The header is incomplete: the bytes so far, at most
    /// [`MAX_STREAM_HEADER_LEN`], and the caller's associated data.
    Header {
        buffer: Vec<u8>,
        aad: Vec<u8>,
    },
    Body(StreamDecryptor),
    Failed(CryptoError),
}

impl StreamReader {
    /// Starts reading a stream encrypted with associated data `aad`.
    pub fn new(aad: &[u8]) -> Self {
        Self {
            state: ReaderState::Header {
                buffer: Vec::with_capacity(MAX_STREAM_HEADER_LEN),
                aad: Vec::from(aad),
            },
        }
    }

    /// Returns the header's public fields once the header is complete.
    pub fn info(&self) -> Option<StreamHeader> {
        match &self.state {
            ReaderState::Body(decryptor) => Some(decryptor.info()),
            _ => None,
        }
    }

    /// Decrypts the chunks that `ciphertext` completes and returns their
    /// plaintext, which may be empty.
    ///
    /// # Errors
    ///
    /// The header errors of [`Keyring::stream_decryptor`] once the header
    /// is complete (or shows a bad version or algorithm byte), then those
    /// of [`StreamDecryptor::update`]. After a failure, every later call
    /// returns the same error.
    ///
    /// # Security
    ///
    /// As for [`StreamDecryptor::update`]: the stream is complete only once
    /// [`finish`](Self::finish) succeeds.
    pub fn update(
        &mut self,
        keyring: &Keyring,
        ciphertext: &[u8],
    ) -> Result<Plaintext, CryptoError> {
        let result = self.step(keyring, ciphertext);
        if let Err(error) = &result {
            self.state = ReaderState::Failed(error.clone());
        }
        result
    }

    /// Decrypts the final chunk and checks that the stream ended there.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Malformed`] when the input ended inside the header,
    /// the other header errors of [`Keyring::stream_decryptor`], then those
    /// of [`StreamDecryptor::finish`]. The error of an earlier call, if one
    /// failed.
    pub fn finish(self, keyring: &Keyring) -> Result<Plaintext, CryptoError> {
        match self.state {
            ReaderState::Failed(error) => Err(error),
            ReaderState::Body(decryptor) => decryptor.finish(),
            ReaderState::Header { buffer, aad } => {
                // The input ended with the header incomplete or exactly
                // complete; the core reports which.
                let (decryptor, _) = keyring.stream_decryptor(&buffer, &aad)?;
                decryptor.finish()
            }
        }
    }

    fn step(&mut self, keyring: &Keyring, ciphertext: &[u8]) -> Result<Plaintext, CryptoError> {
        let (buffer, aad) = match &mut self.state {
            ReaderState::Failed(error) => return Err(error.clone()),
            ReaderState::Body(decryptor) => return decryptor.update(ciphertext),
            ReaderState::Header { buffer, aad } => (buffer, aad),
        };

        // Buffer no more than a header can need, so a reader keeps at most
        // MAX_STREAM_HEADER_LEN bytes before the key is known.
        let room = MAX_STREAM_HEADER_LEN.saturating_sub(buffer.len());
        let (head, rest) = ciphertext.split_at(room.min(ciphertext.len()));
        buffer.extend_from_slice(head);
        let (mut decryptor, read) = match keyring.stream_decryptor(buffer, aad) {
            Ok(opened) => opened,
            // `stream_decryptor` returns `Malformed` only for input shorter
            // than the header, which more input can complete.
            Err(CryptoError::Malformed { .. }) if rest.is_empty() => {
                return Ok(Plaintext::new(Zeroizing::new(Vec::new())))
            }
            Err(error) => return Err(error),
        };

        // The header may be shorter than what was buffered: the bytes after
        // it and `rest` are the start of the first chunk.
        let mut body = Vec::with_capacity(buffer.len().saturating_sub(read) + rest.len());
        body.extend_from_slice(buffer.get(read..).unwrap_or_default());
        body.extend_from_slice(rest);
        let plaintext = decryptor.update(&body);
        self.state = ReaderState::Body(decryptor);
        plaintext
    }
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            ReaderState::Header { buffer, .. } => {
                return f
                    .debug_struct("StreamReader")
                    .field("header_bytes", &buffer.len())
                    .finish_non_exhaustive()
            }
            ReaderState::Body(decryptor) => decryptor as &dyn fmt::Debug,
            ReaderState::Failed(error) => error as &dyn fmt::Debug,
        };
        f.debug_tuple("StreamReader").field(state).finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use alloc::format;

    use rand_core::{CryptoRng, RngCore};

    use super::*;
    use crate::crypto::{AeadAlgorithm, MIN_CHUNK_SIZE};

    /// A counter, not a random source: enough for tests that need distinct
    /// bytes.
    struct CountingRng(u8);

    impl RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            rand_core::impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            rand_core::impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for byte in dest {
                self.0 = self.0.wrapping_add(1);
                *byte = self.0;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for CountingRng {}

    fn encrypt(keyring: &mut Keyring, plaintext: &[u8]) -> Vec<u8> {
        let mut rng = CountingRng(7);
        let mut encryptor = keyring
            .stream_encryptor(b"aad", MIN_CHUNK_SIZE, &mut rng)
            .unwrap();
        let mut stream = Vec::from(encryptor.header());
        stream.extend(encryptor.update(plaintext).unwrap());
        stream.extend(encryptor.finish().unwrap());
        stream
    }

    fn read_in_pieces(keyring: &Keyring, stream: &[u8], piece: usize) -> Vec<u8> {
        let mut reader = StreamReader::new(b"aad");
        let mut plaintext = Vec::new();
        for part in stream.chunks(piece) {
            plaintext.extend_from_slice(reader.update(keyring, part).unwrap().as_bytes());
        }
        plaintext.extend_from_slice(reader.finish(keyring).unwrap().as_bytes());
        plaintext
    }

    #[test]
    fn reader_splits_match_plaintext() {
        for algorithm in [
            AeadAlgorithm::XChaCha20Poly1305,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            let mut keyring = Keyring::generate(algorithm, &mut CountingRng(1), 0);
            let message: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
            let stream = encrypt(&mut keyring, &message);
            for piece in [1, 7, 48, 49, 61, 62, 1040, stream.len()] {
                let read = read_in_pieces(&keyring, &stream, piece);
                assert_eq!(read, message, "{algorithm} in pieces of {piece}");
            }
        }
    }

    #[test]
    fn reader_reports_short_header() {
        let keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut CountingRng(1), 0);
        let mut reader = StreamReader::new(b"");
        assert_eq!(reader.update(&keyring, &[0x81, 0, 0]).unwrap().len(), 0);
        assert!(reader.info().is_none());
        let error = reader.finish(&keyring).unwrap_err();
        assert_eq!(error.code(), "malformed");
    }

    #[test]
    fn reader_rejects_bad_version_early() {
        let keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut CountingRng(1), 0);
        let mut reader = StreamReader::new(b"");
        let error = reader.update(&keyring, &[0x01]).unwrap_err();
        assert_eq!(error.code(), "unsupported_version");
        let again = reader.update(&keyring, &[0x81]).unwrap_err();
        assert_eq!(again, error);
    }

    #[test]
    fn reader_header_only_is_truncated() {
        let mut keyring =
            Keyring::generate(AeadAlgorithm::ChaCha20Poly1305, &mut CountingRng(1), 0);
        let stream = encrypt(&mut keyring, b"");
        let header_len = stream.len() - 16;
        let mut reader = StreamReader::new(b"aad");
        reader.update(&keyring, &stream[..header_len]).unwrap();
        assert_eq!(reader.finish(&keyring).unwrap_err().code(), "truncated");
    }

    #[test]
    fn reader_debug_prints_no_bytes() {
        let keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut CountingRng(1), 0);
        let mut reader = StreamReader::new(b"secret aad");
        reader.update(&keyring, &[0x81; 5]).unwrap();
        let text = format!("{reader:?}");
        assert_eq!(text, "StreamReader { header_bytes: 5, .. }");
    }
}
