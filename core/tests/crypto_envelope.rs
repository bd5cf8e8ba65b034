//! Envelopes: layout, round trips, and rejection of every kind of tampering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mem8_guard::crypto::{
    envelope_header_len, AeadAlgorithm, CryptoError, KeyId, Keyring, ENVELOPE_VERSION,
};
use rand_core::OsRng;

const NOW: u64 = 1_700_000_000;
const AAD: &[u8] = b"tenant:acme";

fn keyring(algorithm: AeadAlgorithm) -> Keyring {
    Keyring::generate(algorithm, &mut OsRng, NOW)
}

#[test]
fn layout_matches_the_format() {
    for algorithm in AeadAlgorithm::ALL {
        let mut keyring = keyring(algorithm);
        let envelope = keyring.encrypt(b"hello", AAD, &mut OsRng).unwrap();
        let header_len = envelope_header_len(algorithm);

        assert_eq!(header_len, 6 + algorithm.nonce_len());
        assert_eq!(envelope.len(), header_len + 5 + 16, "{algorithm}");
        assert_eq!(envelope[0], ENVELOPE_VERSION);
        let id = u32::from_be_bytes(envelope[1..5].try_into().unwrap());
        assert_eq!(KeyId::new(id), keyring.primary().id);
        assert_eq!(envelope[5], algorithm.id());
        assert_ne!(&envelope[header_len..header_len + 5], b"hello");
    }
    assert_eq!(envelope_header_len(AeadAlgorithm::XChaCha20Poly1305), 30);
    assert_eq!(envelope_header_len(AeadAlgorithm::ChaCha20Poly1305), 18);
}

#[test]
fn round_trip_both_algorithms() {
    for algorithm in AeadAlgorithm::ALL {
        let mut keyring = keyring(algorithm);
        for plaintext in [&b""[..], b"x", &[0xa5; 1000]] {
            for aad in [&b""[..], AAD] {
                let envelope = keyring.encrypt(plaintext, aad, &mut OsRng).unwrap();
                let opened = keyring.decrypt(&envelope, aad).unwrap();
                assert_eq!(opened.as_bytes(), plaintext, "{algorithm}");
            }
        }
    }
}

#[test]
fn nonces_are_fresh() {
    let mut keyring = keyring(AeadAlgorithm::ChaCha20Poly1305);
    let first = keyring.encrypt(b"same", AAD, &mut OsRng).unwrap();
    let second = keyring.encrypt(b"same", AAD, &mut OsRng).unwrap();
    assert_ne!(first[6..18], second[6..18]);
    assert_ne!(first[18..], second[18..]);
}

#[test]
fn text_form_is_unpadded_base64url() {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    // 100 bytes of plaintext make 146, which base64 would pad.
    let text = keyring.encrypt_to_text(&[7; 100], AAD, &mut OsRng).unwrap();
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{text}"
    );
    assert_eq!(
        keyring.decrypt_text(&text, AAD).unwrap().as_bytes(),
        &[7; 100]
    );

    for bad in [
        format!("{text}="),
        format!("{text} "),
        text.replace('-', "+"),
        String::new(),
    ] {
        if bad == text {
            continue;
        }
        let error = keyring.decrypt_text(&bad, AAD).unwrap_err();
        assert!(
            matches!(
                error,
                CryptoError::Malformed { .. } | CryptoError::DecryptionFailed
            ),
            "{bad}: {error}"
        );
    }
    let error = keyring.decrypt_text("!!!!", AAD).unwrap_err();
    assert_eq!(error.code(), "malformed");
}

/// An XChaCha20-Poly1305 envelope of 40 bytes of plaintext and its keyring.
fn sample() -> (Keyring, Vec<u8>) {
    let mut keyring = keyring(AeadAlgorithm::XChaCha20Poly1305);
    let envelope = keyring.encrypt(&[0x42; 40], AAD, &mut OsRng).unwrap();
    (keyring, envelope)
}

#[test]
fn truncated_envelopes_rejected() {
    let (keyring, envelope) = sample();
    // Cut inside the ciphertext or tag: the tag check fails.
    for len in [envelope.len() - 1, envelope.len() - 16, 30 + 16] {
        assert_eq!(
            keyring.decrypt(&envelope[..len], AAD).unwrap_err(),
            CryptoError::DecryptionFailed,
            "{len}"
        );
    }
    // Cut into the header or tag: malformed before any key is used.
    for len in [0, 1, 5, 6, 29, 30, 30 + 15] {
        let error = keyring.decrypt(&envelope[..len], AAD).unwrap_err();
        assert_eq!(error.code(), "malformed", "{len}: {error}");
    }
}

#[test]
fn extended_envelopes_rejected() {
    let (keyring, envelope) = sample();
    for extra in [&[0u8][..], &[0; 16], &envelope[30..]] {
        let mut extended = envelope.clone();
        extended.extend_from_slice(extra);
        assert_eq!(
            keyring.decrypt(&extended, AAD).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn reordered_envelopes_rejected() {
    let (keyring, envelope) = sample();

    let mut swapped_bytes = envelope.clone();
    swapped_bytes.swap(31, 40);
    let mut swapped_blocks = envelope.clone();
    let (first, second) = swapped_blocks[30..62].split_at_mut(16);
    first.swap_with_slice(second);
    let mut tag_first = envelope[..30].to_vec();
    tag_first.extend_from_slice(&envelope[envelope.len() - 16..]);
    tag_first.extend_from_slice(&envelope[30..envelope.len() - 16]);

    for reordered in [swapped_bytes, swapped_blocks, tag_first] {
        assert_ne!(reordered, envelope);
        assert_eq!(
            keyring.decrypt(&reordered, AAD).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn version_change_rejected() {
    let (keyring, envelope) = sample();
    for version in [0x00, 0x02, 0x81, 0xff] {
        let mut changed = envelope.clone();
        changed[0] = version;
        assert_eq!(
            keyring.decrypt(&changed, AAD).unwrap_err(),
            CryptoError::UnsupportedVersion { version }
        );
    }
}

#[test]
fn algorithm_change_rejected() {
    let (keyring, envelope) = sample();
    let id = keyring.primary().id;

    let mut other = envelope.clone();
    other[5] = AeadAlgorithm::ChaCha20Poly1305.id();
    assert_eq!(
        keyring.decrypt(&other, AAD).unwrap_err(),
        CryptoError::AlgorithmMismatch {
            id,
            key: AeadAlgorithm::XChaCha20Poly1305,
            header: AeadAlgorithm::ChaCha20Poly1305
        }
    );
    let mut unknown = envelope.clone();
    unknown[5] = 9;
    assert_eq!(
        keyring.decrypt(&unknown, AAD).unwrap_err(),
        CryptoError::UnsupportedAlgorithm { id: 9 }
    );
}

#[test]
fn key_id_change_rejected() {
    let (mut keyring, envelope) = sample();
    let primary = keyring.primary().id;

    // An id no key has.
    let mut unknown = envelope.clone();
    unknown[4] ^= 1;
    let unknown_id = KeyId::new(u32::from_be_bytes(unknown[1..5].try_into().unwrap()));
    assert_eq!(
        keyring.decrypt(&unknown, AAD).unwrap_err(),
        CryptoError::UnknownKey { id: unknown_id }
    );

    // The id of another key in the ring: the header is authenticated, and the
    // key is wrong anyway.
    let other = keyring
        .rotate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW)
        .unwrap();
    let mut retargeted = envelope.clone();
    retargeted[1..5].copy_from_slice(&other.value().to_be_bytes());
    assert_eq!(
        keyring.decrypt(&retargeted, AAD).unwrap_err(),
        CryptoError::DecryptionFailed
    );
    assert!(
        keyring.decrypt(&envelope, AAD).is_ok(),
        "{primary} still decrypts"
    );
}

#[test]
fn every_bit_flip_rejected() {
    let (keyring, envelope) = sample();
    for index in 0..envelope.len() {
        for bit in 0..8 {
            let mut flipped = envelope.clone();
            flipped[index] ^= 1 << bit;
            assert!(
                keyring.decrypt(&flipped, AAD).is_err(),
                "flipping bit {bit} of byte {index} went unnoticed"
            );
        }
    }
}

#[test]
fn wrong_aad_rejected() {
    let (keyring, envelope) = sample();
    for aad in [&b""[..], b"tenant:acmf", b"tenant:acme\0", b"tenant:"] {
        assert_eq!(
            keyring.decrypt(&envelope, aad).unwrap_err(),
            CryptoError::DecryptionFailed
        );
    }
}

#[test]
fn key_state_errors_are_distinct() {
    let (mut keyring, envelope) = sample();
    let old = keyring.primary().id;
    let mut tampered = envelope.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let bad_tag = keyring.decrypt(&tampered, AAD).unwrap_err();
    let stranger = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW);
    let unknown = stranger.decrypt(&envelope, AAD).unwrap_err();
    keyring
        .rotate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, NOW)
        .unwrap();
    keyring.disable(old).unwrap();
    let disabled = keyring.decrypt(&envelope, AAD).unwrap_err();
    keyring.destroy(old).unwrap();
    let destroyed = keyring.decrypt(&envelope, AAD).unwrap_err();

    assert_eq!(bad_tag.code(), "decryption_failed");
    assert_eq!(unknown.code(), "unknown_key");
    assert_eq!(disabled.code(), "key_disabled");
    assert_eq!(destroyed.code(), "key_destroyed");
    for message in [disabled.to_string(), destroyed.to_string()] {
        assert!(message.contains(&format!("`{old}`")), "{message}");
    }
}

#[test]
fn tag_failure_reveals_nothing() {
    let (keyring, envelope) = sample();
    let mut tampered = envelope.clone();
    tampered[35] ^= 1;
    let by_ciphertext = keyring.decrypt(&tampered, AAD).unwrap_err();
    let by_aad = keyring.decrypt(&envelope, b"other").unwrap_err();
    let mut tag = envelope.clone();
    *tag.last_mut().unwrap() ^= 1;
    let by_tag = keyring.decrypt(&tag, AAD).unwrap_err();

    assert_eq!(by_ciphertext, CryptoError::DecryptionFailed);
    assert_eq!(by_aad, by_ciphertext);
    assert_eq!(by_tag, by_ciphertext);
    assert_eq!(by_tag.to_string(), by_aad.to_string());
}
