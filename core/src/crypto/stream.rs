//! Chunked encryption of data too large for memory, with the STREAM
//! construction of `aead::stream` (Hoang, Reyhanitabar, Rogaway and Vizár,
//! "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance",
//! CRYPTO 2015).
//!
//! The module does no I/O: the caller feeds bytes in and writes out what
//! comes back.

use alloc::vec::Vec;
use core::fmt;

use mem8_guard_primitives::aead::{StreamOpener, StreamSealer};
use rand_core::CryptoRngCore;
use zeroize::{Zeroize, Zeroizing};

use super::algorithm::TAG_LEN;
use super::error::CryptoError;
use super::key::hkdf_expand;
use super::{AeadAlgorithm, KeyId, Keyring, Plaintext, SecretKey};

/// The first byte of every stream this crate writes. Bit 7 is set, which
/// distinguishes a stream from an envelope.
pub const STREAM_VERSION: u8 = 0x81;

/// Default chunk size: 64 KiB of plaintext per chunk, so the tag adds 0.02 %
/// and a reader buffers about two chunks.
pub const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;

/// Smallest chunk size, in bytes. Smaller chunks spend more on tags than the
/// 1.6 % they cost at this size.
pub const MIN_CHUNK_SIZE: usize = 1024;

/// Largest chunk size, in bytes: 16 MiB. The header sets the chunk size
/// before a reader can trust it, so this bound caps a reader's memory.
pub const MAX_CHUNK_SIZE: usize = 16 * 1024 * 1024;

/// Length of the random HKDF salt in the header, in bytes.
const SALT_LEN: usize = 32;

/// Version, key id, algorithm, chunk size and salt: the bytes before the
/// nonce prefix.
const FIXED_LEN: usize = 1 + 4 + 1 + 4 + SALT_LEN;

/// STREAM takes 5 bytes of each AEAD nonce: a 32-bit big-endian chunk
/// counter and a last-chunk flag.
const STREAM_NONCE_OVERHEAD: usize = 5;

/// Maximum stream header length, in bytes: 61 for XC20P (49 for C20P).
pub const MAX_STREAM_HEADER_LEN: usize = FIXED_LEN + 24 - STREAM_NONCE_OVERHEAD;

/// HKDF `info` label of per-stream keys.
const STREAM_LABEL: &[u8] = b"mem8-guard/v1/stream";

/// The public fields of a stream header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamHeader {
    key_id: KeyId,
    algorithm: AeadAlgorithm,
    chunk_size: usize,
}

impl StreamHeader {
    /// The id of the key that encrypted the stream.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The stream's algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.algorithm
    }

    /// Plaintext bytes in every chunk but the last.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }
}

/// The header length for `algorithm`.
const fn header_len(algorithm: AeadAlgorithm) -> usize {
    FIXED_LEN + algorithm.nonce_len() - STREAM_NONCE_OVERHEAD
}

/// Encrypts a stream chunk by chunk. Create one with
/// [`Keyring::stream_encryptor`], write [`header`](Self::header) first,
/// then what every [`update`](Self::update) returns, then what
/// [`finish`](Self::finish) returns.
///
/// After an error the encryptor returns the same error for every later
/// call.
pub struct StreamEncryptor {
    header: Vec<u8>,
    info: StreamHeader,
    aad: Vec<u8>,
    sealer: StreamSealer,
    /// Plaintext of the chunk being filled, always shorter than a chunk.
    pending: Zeroizing<Vec<u8>>,
    failure: Option<CryptoError>,
}

/// Decrypts a stream chunk by chunk. Create one with
/// [`Keyring::stream_decryptor`], pass the rest of the input to
/// [`update`](Self::update), and call [`finish`](Self::finish) at the end.
///
/// After an error the decryptor returns the same error for every later
/// call, so no plaintext follows a chunk that failed.
pub struct StreamDecryptor {
    info: StreamHeader,
    aad: Vec<u8>,
    opener: StreamOpener,
    /// Ciphertext not yet decrypted: at most one chunk and its tag, because
    /// a full chunk is held back until a byte after it shows it is not the
    /// last.
    pending: Vec<u8>,
    failure: Option<CryptoError>,
}

impl Keyring {
    /// Starts a stream encrypted under a key derived from the primary key,
    /// binding `aad` to every chunk, and counts one message on the primary.
    ///
    /// `chunk_size` is the plaintext length of every chunk but the last;
    /// [`DEFAULT_CHUNK_SIZE`] suits most uses.
    ///
    /// # Errors
    ///
    /// [`CryptoError::InvalidChunkSize`] outside [`MIN_CHUNK_SIZE`] to
    /// [`MAX_CHUNK_SIZE`]; [`CryptoError::KeyExhausted`] as for
    /// [`encrypt`](Self::encrypt). The keyring is unchanged on error.
    ///
    /// # Security
    ///
    /// The salt and nonce prefix come from `rng`, which must be a
    /// cryptographic RNG. Each stream gets its own key, so streams never
    /// share a nonce under one key.
    pub fn stream_encryptor(
        &mut self,
        aad: &[u8],
        chunk_size: usize,
        rng: &mut impl CryptoRngCore,
    ) -> Result<StreamEncryptor, CryptoError> {
        let chunk_field = check_chunk_size(chunk_size as u64)?;
        let (info, key) = self.encryption_key()?;

        let algorithm = info.algorithm;
        let mut header = Vec::with_capacity(header_len(algorithm));
        header.push(STREAM_VERSION);
        header.extend_from_slice(&info.id.value().to_be_bytes());
        header.push(algorithm.id());
        header.extend_from_slice(&chunk_field.to_be_bytes());
        let mut random = [0u8; MAX_STREAM_HEADER_LEN - FIXED_LEN + SALT_LEN];
        let random = random
            .get_mut(..header_len(algorithm) - FIXED_LEN + SALT_LEN)
            .unwrap_or_default();
        rng.fill_bytes(random);
        header.extend_from_slice(random);

        let (salt, prefix) = split_salt(&header);
        let stream_key = stream_key(key, salt);
        // The prefix has the algorithm's length: `split_salt` cuts it from a
        // header of `header_len(algorithm)` bytes.
        let sealer = StreamSealer::new(algorithm.primitive(), stream_key.as_bytes(), prefix)
            .map_err(|_| CryptoError::Malformed {
                reason: "the stream nonce prefix has the wrong length",
            })?;

        let aad = chunk_aad(&header, aad);
        self.count_message();
        Ok(StreamEncryptor {
            header,
            info: StreamHeader {
                key_id: info.id,
                algorithm,
                chunk_size,
            },
            aad,
            sealer,
            pending: Zeroizing::new(Vec::with_capacity(chunk_size)),
            failure: None,
        })
    }

    /// Reads a stream header from the start of `input` and returns a
    /// decryptor for the rest, with the number of header bytes read.
    ///
    /// `input` may hold more than the header; pass `&input[read..]` to
    /// [`StreamDecryptor::update`]. [`MAX_STREAM_HEADER_LEN`] bytes always
    /// suffice.
    ///
    /// # Errors
    ///
    /// [`CryptoError::UnsupportedVersion`], [`CryptoError::Malformed`] when
    /// `input` is shorter than the header,
    /// [`CryptoError::UnsupportedAlgorithm`],
    /// [`CryptoError::InvalidChunkSize`], then the key errors of
    /// [`decrypt`](Self::decrypt). The header itself is authenticated with
    /// the first chunk.
    pub fn stream_decryptor(
        &self,
        input: &[u8],
        aad: &[u8],
    ) -> Result<(StreamDecryptor, usize), CryptoError> {
        let short = CryptoError::Malformed {
            reason: "the input is shorter than the stream header",
        };
        let Some((&version, rest)) = input.split_first() else {
            return Err(short);
        };
        if version != STREAM_VERSION {
            return Err(CryptoError::UnsupportedVersion { version });
        }
        let Some((id_bytes, rest)) = rest.split_first_chunk::<4>() else {
            return Err(short);
        };
        let Some((&algorithm_id, rest)) = rest.split_first() else {
            return Err(short);
        };
        let algorithm = AeadAlgorithm::from_id(algorithm_id)
            .ok_or(CryptoError::UnsupportedAlgorithm { id: algorithm_id })?;
        let Some((chunk_bytes, _)) = rest.split_first_chunk::<4>() else {
            return Err(short);
        };
        let chunk_size = check_chunk_size(u32::from_be_bytes(*chunk_bytes).into())?;
        let header_len = header_len(algorithm);
        let Some(header) = input.get(..header_len) else {
            return Err(short);
        };

        let key_id = KeyId::new(u32::from_be_bytes(*id_bytes));
        let key = self.decryption_key(key_id, algorithm)?;
        let (salt, prefix) = split_salt(header);
        let stream_key = stream_key(key, salt);
        let opener = StreamOpener::new(algorithm.primitive(), stream_key.as_bytes(), prefix)
            .map_err(|_| CryptoError::Malformed {
                reason: "the stream nonce prefix has the wrong length",
            })?;

        let decryptor = StreamDecryptor {
            info: StreamHeader {
                key_id,
                algorithm,
                chunk_size: chunk_size as usize,
            },
            aad: chunk_aad(header, aad),
            opener,
            pending: Vec::new(),
            failure: None,
        };
        Ok((decryptor, header_len))
    }
}

impl StreamEncryptor {
    /// The stream header, to be written before any chunk.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// The header's public fields.
    pub fn info(&self) -> StreamHeader {
        self.info
    }

    /// Encrypts `plaintext` and returns every chunk it completes; a partial
    /// chunk stays buffered until more input or [`finish`](Self::finish).
    ///
    /// # Errors
    ///
    /// [`CryptoError::StreamTooLong`] when the stream reaches 2^32 - 1
    /// chunks, then the same error for every later call.
    pub fn update(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if let Some(error) = &self.failure {
            return Err(error.clone());
        }
        let chunk_size = self.info.chunk_size;
        let chunks = self.pending.len().saturating_add(plaintext.len()) / chunk_size;
        let mut output = Vec::with_capacity(chunks.saturating_mul(chunk_size + TAG_LEN));
        let mut input = plaintext;

        // Complete the buffered chunk, then take whole chunks from the input
        // directly, then buffer the remainder.
        if !self.pending.is_empty() {
            let missing = chunk_size.saturating_sub(self.pending.len());
            self.pending.extend_from_slice(take(&mut input, missing));
            if self.pending.len() < chunk_size {
                return Ok(output);
            }
            let sealed = seal_chunk(&mut self.sealer, &self.aad, &self.pending, &mut output);
            self.pending.zeroize();
            self.check(sealed, &mut output)?;
        }
        while input.len() >= chunk_size {
            let chunk = take(&mut input, chunk_size);
            let sealed = seal_chunk(&mut self.sealer, &self.aad, chunk, &mut output);
            self.check(sealed, &mut output)?;
        }
        self.pending.extend_from_slice(input);
        Ok(output)
    }

    /// Encrypts the buffered remainder as the final chunk and returns it.
    /// The final chunk is always shorter than the chunk size, and may be
    /// empty.
    ///
    /// # Errors
    ///
    /// The error of an earlier call, if one failed.
    pub fn finish(mut self) -> Result<Vec<u8>, CryptoError> {
        if let Some(error) = self.failure.take() {
            return Err(error);
        }
        let mut output = Vec::with_capacity(self.pending.len() + TAG_LEN);
        output.extend_from_slice(&self.pending);
        self.pending.zeroize();
        let sealed = self.sealer.seal_last(&self.aad, &mut output, 0);
        // The final chunk is shorter than MAX_CHUNK_SIZE, far below the AEAD
        // message limit, and the counter was checked for the last full chunk.
        if sealed.is_err() {
            output.zeroize();
            return Err(CryptoError::StreamTooLong);
        }
        Ok(output)
    }

    /// Zeroes `output` and poisons the encryptor when `sealed` failed.
    fn check(
        &mut self,
        sealed: Result<(), CryptoError>,
        output: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        if let Err(error) = sealed {
            output.zeroize();
            self.pending.zeroize();
            self.failure = Some(error.clone());
            return Err(error);
        }
        Ok(())
    }
}

impl StreamDecryptor {
    /// The header's public fields.
    pub fn info(&self) -> StreamHeader {
        self.info
    }

    /// Decrypts the chunks that `ciphertext` completes and returns their
    /// plaintext, which may be empty.
    ///
    /// # Errors
    ///
    /// [`CryptoError::DecryptionFailed`] when a chunk does not verify,
    /// because it was modified, reordered, duplicated or dropped, or the
    /// header or associated data differs. After a failure, every later call
    /// returns the same error.
    ///
    /// # Security
    ///
    /// Each returned chunk is authentic and in order, but the stream is
    /// complete only once [`finish`](Self::finish) succeeds: until then, an
    /// attacker may have cut it short. Do not act on the plaintext before.
    pub fn update(&mut self, ciphertext: &[u8]) -> Result<Plaintext, CryptoError> {
        if let Some(error) = &self.failure {
            return Err(error.clone());
        }
        let sealed_len = self.info.chunk_size + TAG_LEN;
        let total = self.pending.len().saturating_add(ciphertext.len());
        // A full chunk is decrypted only once a byte after it has arrived,
        // because only the end of the input marks the final chunk.
        let ready = total.saturating_sub(1) / sealed_len;
        let mut output = Zeroizing::new(Vec::with_capacity(ready.saturating_mul(sealed_len)));
        let mut input = ciphertext;

        for _ in 0..ready {
            let start = output.len();
            let missing = sealed_len.saturating_sub(self.pending.len());
            output.extend_from_slice(&self.pending);
            self.pending.clear();
            output.extend_from_slice(take(&mut input, missing));
            if let Err(error) = open_chunk(&mut self.opener, &self.aad, &mut output, start) {
                output.zeroize();
                self.failure = Some(error.clone());
                return Err(error);
            }
        }
        reserve_capped(&mut self.pending, input.len(), sealed_len);
        self.pending.extend_from_slice(input);
        Ok(Plaintext::new(output))
    }

    /// Decrypts the final chunk and checks that the stream ended there.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Truncated`] when the input ended before a final chunk:
    /// nothing followed the header, fewer bytes than a tag remain, or a whole
    /// chunk remains, which a final chunk never is.
    /// [`CryptoError::DecryptionFailed`] when the final chunk does not
    /// verify, which includes data appended after it. The error of an
    /// earlier call, if one failed.
    pub fn finish(self) -> Result<Plaintext, CryptoError> {
        if let Some(error) = self.failure {
            return Err(error);
        }
        let sealed_len = self.info.chunk_size + TAG_LEN;
        let pending_len = self.pending.len();
        if pending_len < TAG_LEN || pending_len == sealed_len {
            return Err(CryptoError::Truncated);
        }

        let mut output = Zeroizing::new(self.pending);
        let opened = self.opener.open_last(&self.aad, &mut output, 0);
        if opened.is_err() {
            output.zeroize();
            return Err(CryptoError::DecryptionFailed);
        }
        Ok(Plaintext::new(output))
    }
}

impl fmt::Debug for StreamEncryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamEncryptor")
            .field("header", &self.info)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for StreamDecryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamDecryptor")
            .field("header", &self.info)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// Checks a chunk size and returns it as the header's 32-bit field.
fn check_chunk_size(size: u64) -> Result<u32, CryptoError> {
    let invalid = CryptoError::InvalidChunkSize {
        size,
        min: MIN_CHUNK_SIZE,
        max: MAX_CHUNK_SIZE,
    };
    if size < MIN_CHUNK_SIZE as u64 || size > MAX_CHUNK_SIZE as u64 {
        return Err(invalid);
    }
    u32::try_from(size).map_err(|_| invalid)
}

/// Splits a complete header into its salt and nonce prefix.
fn split_salt(header: &[u8]) -> (&[u8], &[u8]) {
    let random = header.get(FIXED_LEN - SALT_LEN..).unwrap_or_default();
    random.split_at(SALT_LEN.min(random.len()))
}

/// Derives the per-stream key: HKDF-SHA256 with the header's random salt,
/// the keyring key as input key material and `info` `mem8-guard/v1/stream`.
///
/// A fresh 256-bit salt gives each stream its own key, so the short random
/// nonce prefix of C20P streams (7 bytes) cannot repeat under one key.
fn stream_key(key: &SecretKey, salt: &[u8]) -> SecretKey {
    hkdf_expand(Some(salt), key.as_bytes(), &[STREAM_LABEL])
}

/// Builds the associated data of every chunk: the whole header, then the
/// caller's `aad`. This is unambiguous because the algorithm byte fixes the
/// header length.
fn chunk_aad(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(header.len().saturating_add(aad.len()));
    full.extend_from_slice(header);
    full.extend_from_slice(aad);
    full
}

/// Makes room for `more` bytes in `pending`, doubling its capacity as
/// `Vec` does but never past `cap`, the most it ever holds: a sealed
/// chunk. Plain doubling reserved up to twice the chunk, which a 16 MiB
/// chunk size turned into 32 MiB in the wasmtime guest, whose memory is
/// capped.
fn reserve_capped(pending: &mut Vec<u8>, more: usize, cap: usize) {
    let needed = pending.len().saturating_add(more);
    if needed <= pending.capacity() {
        return;
    }
    let target = pending
        .capacity()
        .saturating_mul(2)
        .clamp(needed, cap.max(needed));
    pending.reserve_exact(target - pending.len());
}

/// Removes up to `len` bytes from the front of `input` and returns them.
fn take<'a>(input: &mut &'a [u8], len: usize) -> &'a [u8] {
    let (head, rest) = input.split_at(len.min(input.len()));
    *input = rest;
    head
}

/// Appends `chunk` to `output` and encrypts it there as a non-final chunk.
fn seal_chunk(
    sealer: &mut StreamSealer,
    aad: &[u8],
    chunk: &[u8],
    output: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    let start = output.len();
    output.extend_from_slice(chunk);
    let sealed = sealer.seal_next(aad, output, start);
    // A chunk is far below the AEAD message limit, so only the counter can
    // fail.
    sealed.map_err(|_| CryptoError::StreamTooLong)
}

/// Decrypts the non-final chunk at `output[start..]` in place.
fn open_chunk(
    opener: &mut StreamOpener,
    aad: &[u8],
    output: &mut Vec<u8>,
    start: usize,
) -> Result<(), CryptoError> {
    let opened = opener.open_next(aad, output, start);
    opened.map_err(|_| CryptoError::DecryptionFailed)
}
