//! Streams in the sandbox: agreement with the native core, streams pinned
//! to their instance under concurrency, and a stream whose instance was
//! discarded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use mem8_guard::crypto::{AeadAlgorithm, Keyring, StreamReader};
use mem8_guard_host::sandbox::{
    GuestErrorKind, HostConfig, HostError, HostGuard, HostKeyring, Limits, MAX_STREAM_CALL_BYTES,
};
use rand_core::OsRng;

const NOW: u64 = 1_700_000_000;
const CHUNK: usize = 1024;

fn host(max_instances: u32, limits: Limits) -> HostGuard {
    let mut config = HostConfig::default();
    config.limits = limits;
    config.max_instances = max_instances;
    HostGuard::new(&common::guest(), config).unwrap()
}

fn data(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|index| ((index + seed) * 31 % 251) as u8)
        .collect()
}

/// Encrypts in the host, feeding `plaintext` in pieces of `piece` bytes.
fn host_encrypt(keyring: &HostKeyring, plaintext: &[u8], piece: usize) -> Vec<u8> {
    let mut encryptor = keyring.stream_encryptor(b"aad", CHUNK).unwrap();
    let mut stream = encryptor.header().to_vec();
    for part in plaintext.chunks(piece.max(1)) {
        stream.extend(encryptor.update(part).unwrap());
    }
    stream.extend(encryptor.finish().unwrap());
    stream
}

fn host_decrypt(keyring: &HostKeyring, stream: &[u8], piece: usize) -> Result<Vec<u8>, HostError> {
    let mut decryptor = keyring.stream_decryptor(b"aad")?;
    let mut plaintext = Vec::new();
    for part in stream.chunks(piece.max(1)) {
        plaintext.extend_from_slice(&decryptor.update(part)?);
    }
    plaintext.extend_from_slice(&decryptor.finish()?);
    Ok(plaintext)
}

#[test]
fn host_stream_matches_native() {
    let host = host(4, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let message = data(5 * CHUNK + 300, 0);
    let stream = host_encrypt(&keyring, &message, 700);
    assert_eq!(
        keyring.keys().unwrap()[0].messages,
        1,
        "one message counted"
    );

    // The native core decrypts what the host wrote.
    let native = Keyring::from_json(keyring.to_json().unwrap().as_bytes()).unwrap();
    let mut reader = StreamReader::new(b"aad");
    let mut opened = reader.update(&native, &stream).unwrap().as_bytes().to_vec();
    opened.extend_from_slice(reader.finish(&native).unwrap().as_bytes());
    assert_eq!(opened, message);

    // And the host decrypts what the native core wrote.
    let mut native = native;
    let mut encryptor = native.stream_encryptor(b"aad", CHUNK, &mut OsRng).unwrap();
    let mut native_stream = encryptor.header().to_vec();
    native_stream.extend(encryptor.update(&message).unwrap());
    native_stream.extend(encryptor.finish().unwrap());
    let from_native = host.keyring_from_json(&native.to_json()).unwrap();
    assert_eq!(
        host_decrypt(&from_native, &native_stream, 999).unwrap(),
        message
    );
}

#[test]
fn host_stream_splits_large_updates() {
    let host = host(2, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::ChaCha20Poly1305, NOW)
        .unwrap();
    let message = data(MAX_STREAM_CALL_BYTES * 2 + 5, 3);
    let stream = host_encrypt(&keyring, &message, message.len());
    assert_eq!(
        host_decrypt(&keyring, &stream, stream.len()).unwrap(),
        message
    );
}

#[test]
fn host_stream_errors_are_typed() {
    let host = host(2, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();

    let error = keyring.stream_encryptor(b"", 10).unwrap_err();
    let guest = error.guest().expect("a guest error");
    assert_eq!(guest.kind, GuestErrorKind::Crypto);
    assert_eq!(guest.code, "invalid_chunk_size");
    assert!(guest.message.contains("`10`"), "{}", guest.message);
    // Sizes past the WIT's `u32` are reported as given, not clamped.
    for size in [usize::MAX, u32::MAX as usize + 1] {
        let error = keyring.stream_encryptor(b"", size).unwrap_err();
        let guest = error.guest().expect("a guest error");
        assert_eq!(guest.kind, GuestErrorKind::Crypto);
        assert_eq!(guest.code, "invalid_chunk_size");
        assert!(
            guest.message.contains(&format!("`{size}`")),
            "{}",
            guest.message
        );
    }

    let mut stream = host_encrypt(&keyring, &data(3000, 1), 3000);
    stream.truncate(stream.len() - 1);
    let error = host_decrypt(&keyring, &stream, 100).unwrap_err();
    assert_eq!(error.guest().unwrap().code, "decryption_failed");
}

#[test]
fn host_stream_info_matches_header() {
    let host = host(2, Limits::default());
    for algorithm in [
        AeadAlgorithm::XChaCha20Poly1305,
        AeadAlgorithm::ChaCha20Poly1305,
    ] {
        let keyring = host.generate_keyring(algorithm, NOW).unwrap();
        let key_id = keyring.keys().unwrap()[0].id;
        let mut encryptor = keyring.stream_encryptor(b"aad", 2 * CHUNK).unwrap();
        let header_len = encryptor.header().len();
        let info = encryptor.info();
        assert_eq!(info.key_id, key_id);
        assert_eq!(info.algorithm, algorithm);
        assert_eq!(info.chunk_size, 2 * CHUNK);

        let mut stream = encryptor.header().to_vec();
        stream.extend(encryptor.update(&data(3 * CHUNK, 2)).unwrap());
        stream.extend(encryptor.finish().unwrap());

        // The decryptor has the fields once an update completes the header.
        let mut decryptor = keyring.stream_decryptor(b"aad").unwrap();
        assert_eq!(decryptor.info(), None);
        decryptor.update(&stream[..header_len - 1]).unwrap();
        assert_eq!(decryptor.info(), None, "header not complete");
        decryptor.update(&stream[header_len - 1..]).unwrap();
        assert_eq!(decryptor.info(), Some(info));

        // The native reader reads the same fields.
        let native = Keyring::from_json(keyring.to_json().unwrap().as_bytes()).unwrap();
        let mut reader = StreamReader::new(b"aad");
        reader.update(&native, &stream).unwrap();
        let header = reader.info().unwrap();
        assert_eq!(header.key_id(), info.key_id);
        assert_eq!(header.algorithm(), info.algorithm);
        assert_eq!(header.chunk_size(), info.chunk_size);
    }
}

/// Many threads run streams at once on a pool of two instances, with
/// keyring calls in between that move other work onto those instances.
#[test]
fn host_streams_pinned_under_concurrency() {
    let host = Arc::new(host(2, Limits::default()));
    let keyring = Arc::new(
        host.generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
            .unwrap(),
    );
    let threads: Vec<_> = (0..8)
        .map(|thread| {
            let keyring = Arc::clone(&keyring);
            std::thread::spawn(move || {
                for round in 0..3 {
                    let message = data(3 * CHUNK + 17 * thread + round, thread);
                    let mut encryptor = keyring.stream_encryptor(b"aad", CHUNK).unwrap();
                    let mut stream = encryptor.header().to_vec();
                    for part in message.chunks(333 + thread) {
                        stream.extend(encryptor.update(part).unwrap());
                        // Another call that may take the stream's instance.
                        keyring.keys().unwrap();
                    }
                    stream.extend(encryptor.finish().unwrap());
                    let opened = host_decrypt(&keyring, &stream, 101 + thread).unwrap();
                    assert_eq!(opened, message, "thread {thread} round {round}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(keyring.keys().unwrap()[0].messages, 24);
}

#[test]
fn host_stream_lost_after_trap() {
    let mut limits = Limits::default();
    limits.max_memory_bytes = 4 << 20;
    let host = host(1, limits);
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let mut encryptor = keyring.stream_encryptor(b"aad", CHUNK).unwrap();
    encryptor.update(&data(100, 0)).unwrap();

    // With one instance, this call runs on the stream's instance and
    // discards it.
    let error = keyring.encrypt(&vec![7u8; 8 << 20], b"").unwrap_err();
    assert!(
        matches!(error, HostError::MemoryLimit { .. }),
        "got {error:?}"
    );

    let error = encryptor.update(b"more").unwrap_err();
    assert!(matches!(error, HostError::StreamLost), "got {error:?}");
    assert!(matches!(encryptor.finish(), Err(HostError::StreamLost)));

    // New streams work on the replacement instance.
    let message = data(2000, 5);
    let stream = host_encrypt(&keyring, &message, 2000);
    assert_eq!(host_decrypt(&keyring, &stream, 64).unwrap(), message);
}

#[test]
fn host_stream_debug_is_redacted() {
    let host = host(1, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let encryptor = keyring.stream_encryptor(b"secret-aad", CHUNK).unwrap();
    let decryptor = keyring.stream_decryptor(b"secret-aad").unwrap();
    let text = format!("{encryptor:?} {decryptor:?}");
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("HostStreamEncryptor"), "{text}");
}

#[test]
fn host_decryptor_keeps_keyring_copy() {
    let host = host(2, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let message = data(1500, 2);
    let stream = host_encrypt(&keyring, &message, 1500);
    let decryptor = keyring.stream_decryptor(b"aad").unwrap();

    // Disabling the key afterwards does not reach the started decryptor,
    // but a new decryptor rejects the stream.
    let old = keyring.keys().unwrap()[0].id;
    keyring
        .rotate(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    keyring.disable(old).unwrap();
    let mut decryptor = decryptor;
    let mut opened = decryptor.update(&stream).unwrap().to_vec();
    opened.extend_from_slice(&decryptor.finish().unwrap());
    assert_eq!(opened, message);
    let error = host_decrypt(&keyring, &stream, 500).unwrap_err();
    assert_eq!(error.guest().unwrap().code, "key_disabled");
}

/// The largest chunk size, under the default 64 MiB memory cap, fed whole
/// and in 64 KiB pieces.
#[test]
fn largest_chunk_size_fits_default_limits() {
    let host = host(1, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let chunk = mem8_guard::crypto::MAX_CHUNK_SIZE;
    let message = data(chunk + chunk / 4, 3);
    let mut encryptor = keyring.stream_encryptor(b"aad", chunk).unwrap();
    let mut stream = encryptor.header().to_vec();
    stream.extend(encryptor.update(&message).unwrap());
    stream.extend(encryptor.finish().unwrap());

    assert_eq!(
        host_decrypt(&keyring, &stream, stream.len()).unwrap(),
        message
    );
    assert_eq!(host_decrypt(&keyring, &stream, 64 * 1024).unwrap(), message);
}

/// A forged header with the largest chunk size and junk after it fails as
/// inauthentic, and a stream open on the same instance keeps working.
#[test]
fn forged_large_chunk_leaves_other_streams() {
    let host = host(1, Limits::default());
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, NOW)
        .unwrap();
    let mut victim = keyring.stream_encryptor(b"aad", CHUNK).unwrap();
    victim.update(&data(5000, 1)).unwrap();

    let chunk = u32::try_from(mem8_guard::crypto::MAX_CHUNK_SIZE).unwrap();
    let mut forged = keyring
        .stream_encryptor(b"aad", CHUNK)
        .unwrap()
        .header()
        .to_vec();
    forged[6..10].copy_from_slice(&chunk.to_be_bytes());
    forged.resize(forged.len() + chunk as usize + 4096, 0);
    let error = host_decrypt(&keyring, &forged, 64 * 1024).unwrap_err();
    match &error {
        HostError::Guest(guest) => assert_eq!(guest.code, "decryption_failed", "{error}"),
        other => panic!("expected a guest error, got {other}"),
    }

    assert!(victim.update(&data(10, 2)).is_ok());
}
