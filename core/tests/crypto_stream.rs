//! Streams: layout, round trips with every feeding pattern, and detection of
//! truncation, reordering, duplication, appending and header changes over
//! streams of several chunks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mem8_guard::crypto::{
    AeadAlgorithm, CryptoError, Keyring, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MAX_STREAM_HEADER_LEN,
    MIN_CHUNK_SIZE, STREAM_VERSION,
};
use rand_core::OsRng;

const NOW: u64 = 1_700_000_000;
const AAD: &[u8] = b"backup:2024-06";
const CHUNK: usize = MIN_CHUNK_SIZE;
const SEALED_CHUNK: usize = CHUNK + 16;

fn keyring(algorithm: AeadAlgorithm) -> Keyring {
    Keyring::generate(algorithm, &mut OsRng, NOW)
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|index| (index * 31 % 251) as u8).collect()
}

/// Encrypts `plaintext` in pieces of `feed` bytes; returns header and
/// chunks as one byte string.
fn encrypt(keyring: &mut Keyring, plaintext: &[u8], chunk: usize, feed: usize) -> Vec<u8> {
    let mut encryptor = keyring.stream_encryptor(AAD, chunk, &mut OsRng).unwrap();
    let mut output = encryptor.header().to_vec();
    for piece in plaintext.chunks(feed.max(1)) {
        output.extend(encryptor.update(piece).unwrap());
    }
    output.extend(encryptor.finish().unwrap());
    output
}

/// Decrypts a whole stream fed in pieces of `feed` bytes.
fn decrypt(
    keyring: &Keyring,
    stream: &[u8],
    aad: &[u8],
    feed: usize,
) -> Result<Vec<u8>, CryptoError> {
    let (mut decryptor, used) = keyring.stream_decryptor(stream, aad)?;
    let mut output = Vec::new();
    for piece in stream[used..].chunks(feed.max(1)) {
        output.extend_from_slice(decryptor.update(piece)?.as_bytes());
    }
    output.extend_from_slice(decryptor.finish()?.as_bytes());
    Ok(output)
}

#[test]
fn layout_matches_the_format() {
    for algorithm in AeadAlgorithm::ALL {
        let mut keyring = keyring(algorithm);
        let encryptor = keyring.stream_encryptor(AAD, 4096, &mut OsRng).unwrap();
        let header = encryptor.header();
        let expected_len = 42 + algorithm.nonce_len() - 5;

        assert_eq!(header.len(), expected_len, "{algorithm}");
        assert!(header.len() <= MAX_STREAM_HEADER_LEN);
        assert_eq!(header[0], STREAM_VERSION);
        assert_eq!(header[1..5], keyring.primary().id.value().to_be_bytes());
        assert_eq!(header[5], algorithm.id());
        assert_eq!(header[6..10], 4096u32.to_be_bytes());
        assert_eq!(encryptor.info().chunk_size(), 4096);
        assert_eq!(encryptor.info().key_id(), keyring.primary().id);
        assert_eq!(encryptor.info().algorithm(), algorithm);
    }
    assert_eq!(MAX_STREAM_HEADER_LEN, 61);
}

#[test]
fn sizes_follow_the_chunking_rule() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5] {
        let stream = encrypt(&mut keyring, &data(len), CHUNK, 100);
        // Every full chunk is sealed as it fills, so the final chunk contains
        // the remainder, possibly nothing.
        let expected = 61 + (len / CHUNK) * SEALED_CHUNK + (len % CHUNK) + 16;
        assert_eq!(stream.len(), expected, "{len}");
    }
}

#[test]
fn round_trip_with_any_feeding() {
    for algorithm in AeadAlgorithm::ALL {
        let mut keyring = keyring(algorithm);
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 4 * CHUNK + 100] {
            let plaintext = data(len);
            for feed in [1, 7, CHUNK, CHUNK + 16, 100_000] {
                let stream = encrypt(&mut keyring, &plaintext, CHUNK, feed);
                for read in [1, 13, SEALED_CHUNK, 100_000] {
                    let opened = decrypt(&keyring, &stream, AAD, read).unwrap();
                    assert_eq!(
                        opened, plaintext,
                        "{algorithm} len {len} feed {feed} read {read}"
                    );
                }
            }
        }
    }
}

#[test]
fn default_chunk_size_round_trip() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let plaintext = data(3 * DEFAULT_CHUNK_SIZE + 17);
    let stream = encrypt(&mut keyring, &plaintext, DEFAULT_CHUNK_SIZE, 10_000);
    assert_eq!(decrypt(&keyring, &stream, AAD, 4096).unwrap(), plaintext);
}

#[test]
fn chunk_size_bounds() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    for size in [0, 1, MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1, usize::MAX] {
        let error = keyring
            .stream_encryptor(AAD, size, &mut OsRng)
            .err()
            .unwrap();
        assert_eq!(error.code(), "invalid_chunk_size", "{size}");
    }
    for size in [MIN_CHUNK_SIZE, MAX_CHUNK_SIZE] {
        assert!(keyring.stream_encryptor(AAD, size, &mut OsRng).is_ok());
    }
    // Only the streams that started were counted.
    assert_eq!(keyring.primary().messages, 2);
}

/// A stream of 4 full chunks and a final one of 100 bytes, split into its
/// header and sealed chunks.
fn sample() -> (Keyring, Vec<u8>, Vec<Vec<u8>>) {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let stream = encrypt(&mut keyring, &data(4 * CHUNK + 100), CHUNK, 500);
    let header = stream[..61].to_vec();
    let chunks: Vec<Vec<u8>> = stream[61..]
        .chunks(SEALED_CHUNK)
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(chunks.len(), 5);
    assert_eq!(chunks[4].len(), 116);
    (keyring, header, chunks)
}

fn join(header: &[u8], chunks: &[&Vec<u8>]) -> Vec<u8> {
    let mut stream = header.to_vec();
    for chunk in chunks {
        stream.extend_from_slice(chunk);
    }
    stream
}

#[test]
fn sample_decrypts() {
    let (keyring, header, chunks) = sample();
    let all: Vec<&Vec<u8>> = chunks.iter().collect();
    assert_eq!(
        decrypt(&keyring, &join(&header, &all), AAD, 700).unwrap(),
        data(4 * CHUNK + 100)
    );
}

#[test]
fn truncation_detected() {
    let (keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();

    // Dropping the final chunk, or all chunks, leaves no final chunk.
    for kept in [&c[..4], &c[..2], &c[..0]] {
        assert_eq!(
            decrypt(&keyring, &join(&header, kept), AAD, 300).unwrap_err(),
            CryptoError::Truncated,
            "{} chunks kept",
            kept.len()
        );
    }

    // Cutting inside a chunk fails that chunk's tag, or leaves less than a tag.
    let full = join(&header, &c);
    for cut in [1, 15, 16, 50, 116, 116 + 1, 116 + 600] {
        let error = decrypt(&keyring, &full[..full.len() - cut], AAD, 300).unwrap_err();
        assert!(
            matches!(
                error,
                CryptoError::DecryptionFailed | CryptoError::Truncated
            ),
            "cut {cut}: {error}"
        );
    }

    // A stream cut inside its header.
    for len in [0, 1, 5, 9, 60] {
        let error = decrypt(&keyring, &full[..len], AAD, 300).unwrap_err();
        assert_eq!(error.code(), "malformed", "{len}");
    }
}

#[test]
fn reordering_detected() {
    let (keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();
    for order in [
        [1, 0, 2, 3, 4],
        [0, 2, 1, 3, 4],
        [0, 1, 2, 4, 3],
        [3, 2, 1, 0, 4],
    ] {
        let reordered: Vec<&Vec<u8>> = order.iter().map(|&index| c[index]).collect();
        let error = decrypt(&keyring, &join(&header, &reordered), AAD, 300).unwrap_err();
        assert_eq!(error, CryptoError::DecryptionFailed, "{order:?}");
    }
}

#[test]
fn duplication_detected() {
    let (keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();
    for stream in [
        vec![c[0], c[0], c[1], c[2], c[3], c[4]],
        vec![c[0], c[1], c[2], c[2], c[3], c[4]],
        vec![c[0], c[1], c[2], c[3], c[4], c[4]],
    ] {
        assert_eq!(
            decrypt(&keyring, &join(&header, &stream), AAD, 300).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn dropped_middle_chunk_detected() {
    let (keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();
    let stream = join(&header, &[c[0], c[2], c[3], c[4]]);
    assert_eq!(
        decrypt(&keyring, &stream, AAD, 300).unwrap_err(),
        CryptoError::DecryptionFailed
    );
}

#[test]
fn appending_detected() {
    let (keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();
    let full = join(&header, &c);

    let mut one_byte = full.clone();
    one_byte.push(0);
    let mut full_chunk = full.clone();
    full_chunk.extend_from_slice(c[1]);
    let mut tag_only = full.clone();
    tag_only.extend_from_slice(&[0; 16]);
    // The final chunk of another stream under the same key.
    let (_, other_header, other_chunks) = {
        let mut other = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();
        let stream = encrypt(&mut other, &data(50), CHUNK, 50);
        (other, stream[..61].to_vec(), vec![stream[61..].to_vec()])
    };
    assert_ne!(other_header, header);
    let mut spliced = full.clone();
    spliced.extend_from_slice(&other_chunks[0]);

    for stream in [one_byte, full_chunk, tag_only, spliced] {
        assert_eq!(
            decrypt(&keyring, &stream, AAD, 300).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn header_changes_detected() {
    let (mut keyring, header, chunks) = sample();
    let c: Vec<&Vec<u8>> = chunks.iter().collect();
    let full = join(&header, &c);

    // Every bit of the header matters.
    for index in 0..header.len() {
        for bit in 0..8 {
            let mut changed = full.clone();
            changed[index] ^= 1 << bit;
            assert!(
                decrypt(&keyring, &changed, AAD, 300).is_err(),
                "bit {bit} of header byte {index}"
            );
        }
    }

    // The specific errors for the public fields.
    let mut version = full.clone();
    version[0] = 0x01;
    assert_eq!(
        decrypt(&keyring, &version, AAD, 300).unwrap_err(),
        CryptoError::UnsupportedVersion { version: 0x01 }
    );
    let mut algorithm = full.clone();
    algorithm[5] = AeadAlgorithm::ChaCha20Poly1305.id();
    assert_eq!(
        decrypt(&keyring, &algorithm, AAD, 300).unwrap_err().code(),
        "algorithm_mismatch"
    );
    let mut chunk_size = full.clone();
    chunk_size[6..10].copy_from_slice(&2048u32.to_be_bytes());
    assert_eq!(
        decrypt(&keyring, &chunk_size, AAD, 300).unwrap_err(),
        CryptoError::DecryptionFailed
    );
    let mut tiny_chunks = full.clone();
    tiny_chunks[6..10].copy_from_slice(&16u32.to_be_bytes());
    assert_eq!(
        decrypt(&keyring, &tiny_chunks, AAD, 300)
            .unwrap_err()
            .code(),
        "invalid_chunk_size"
    );
    let mut huge_chunks = full.clone();
    huge_chunks[6..10].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        decrypt(&keyring, &huge_chunks, AAD, 300)
            .unwrap_err()
            .code(),
        "invalid_chunk_size"
    );

    // A header pointing at another key in the ring.
    let other = keyring
        .rotate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW)
        .unwrap();
    let mut retargeted = full.clone();
    retargeted[1..5].copy_from_slice(&other.value().to_be_bytes());
    assert_eq!(
        decrypt(&keyring, &retargeted, AAD, 300).unwrap_err(),
        CryptoError::DecryptionFailed
    );
}

#[test]
fn chunk_from_another_stream_detected() {
    let (mut keyring, header, chunks) = sample();
    let other = encrypt(&mut keyring, &data(4 * CHUNK + 100), CHUNK, 500);
    let mut spliced = chunks.clone();
    spliced[2] = other[61 + 2 * SEALED_CHUNK..61 + 3 * SEALED_CHUNK].to_vec();
    let stream = join(&header, &spliced.iter().collect::<Vec<_>>());
    assert_eq!(
        decrypt(&keyring, &stream, AAD, 300).unwrap_err(),
        CryptoError::DecryptionFailed
    );
}

#[test]
fn wrong_aad_detected() {
    let (keyring, header, chunks) = sample();
    let stream = join(&header, &chunks.iter().collect::<Vec<_>>());
    for aad in [&b""[..], b"backup:2024-07", b"backup:2024-06\0"] {
        assert_eq!(
            decrypt(&keyring, &stream, aad, 300).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn only_authentic_chunks_are_released() {
    let (keyring, header, mut chunks) = sample();
    chunks[2][10] ^= 1;
    let stream = join(&header, &chunks.iter().collect::<Vec<_>>());
    let (mut decryptor, used) = keyring.stream_decryptor(&stream, AAD).unwrap();
    assert_eq!(used, 61);

    // Chunks 0 and 1 verify and come out; chunk 2 fails, and nothing after.
    let first = decryptor
        .update(&stream[61..61 + 2 * SEALED_CHUNK + 1])
        .unwrap();
    assert_eq!(first.as_bytes(), &data(2 * CHUNK)[..]);
    let error = decryptor
        .update(&stream[61 + 2 * SEALED_CHUNK + 1..])
        .unwrap_err();
    assert_eq!(error, CryptoError::DecryptionFailed);
    assert_eq!(
        decryptor.update(&[]).unwrap_err(),
        CryptoError::DecryptionFailed
    );
    assert_eq!(
        decryptor.finish().unwrap_err(),
        CryptoError::DecryptionFailed
    );
}

#[test]
fn key_states_apply_to_streams() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let old = keyring.primary().id;
    let stream = encrypt(&mut keyring, &data(3000), CHUNK, 3000);
    keyring
        .rotate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW)
        .unwrap();
    assert_eq!(decrypt(&keyring, &stream, AAD, 999).unwrap(), data(3000));

    keyring.disable(old).unwrap();
    assert_eq!(
        decrypt(&keyring, &stream, AAD, 999).unwrap_err(),
        CryptoError::KeyDisabled { id: old }
    );
    keyring.destroy(old).unwrap();
    assert_eq!(
        decrypt(&keyring, &stream, AAD, 999).unwrap_err(),
        CryptoError::KeyDestroyed { id: old }
    );
    let stranger = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW);
    assert_eq!(
        decrypt(&stranger, &stream, AAD, 999).unwrap_err(),
        CryptoError::UnknownKey { id: old }
    );
}

#[test]
fn debug_shows_no_plaintext() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let mut encryptor = keyring.stream_encryptor(AAD, CHUNK, &mut OsRng).unwrap();
    encryptor.update(b"attack at dawn").unwrap();
    let shown = format!("{encryptor:?}");
    assert!(shown.contains("pending: 14"), "{shown}");
    assert!(!shown.contains("attack"), "{shown}");
}

#[test]
fn envelope_is_not_a_stream() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let envelope = keyring.encrypt(&data(100), AAD, &mut OsRng).unwrap();
    assert_eq!(
        keyring.stream_decryptor(&envelope, AAD).err(),
        Some(CryptoError::UnsupportedVersion { version: 0x01 })
    );
    let stream = encrypt(&mut keyring, &data(100), CHUNK, 100);
    assert_eq!(
        keyring.decrypt(&stream, AAD).unwrap_err(),
        CryptoError::UnsupportedVersion {
            version: STREAM_VERSION
        }
    );
}
