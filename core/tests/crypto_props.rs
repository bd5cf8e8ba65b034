//! Property tests: random sizes and associated data round-trip, random
//! corruption never decrypts, and failed keyring operations change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mem8_guard::crypto::{AeadAlgorithm, KeyId, Keyring, MIN_CHUNK_SIZE};
use proptest::prelude::*;
use rand_core::OsRng;

const NOW: u64 = 1_700_000_000;

fn algorithm() -> impl Strategy<Value = AeadAlgorithm> {
    prop::sample::select(AeadAlgorithm::ALL.to_vec())
}

/// A change to a byte string that always makes it differ.
#[derive(Debug, Clone)]
enum Corruption {
    Flip(usize, u8),
    Truncate(usize),
    Append(Vec<u8>),
    Delete(usize),
    Swap(usize, usize),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Corruption::Flip(at, mask)),
        any::<usize>().prop_map(Corruption::Truncate),
        prop::collection::vec(any::<u8>(), 1..40).prop_map(Corruption::Append),
        any::<usize>().prop_map(Corruption::Delete),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Corruption::Swap(a, b)),
    ]
}

/// Applies `corruption`; returns `None` when it would leave `bytes` equal.
fn corrupt(bytes: &[u8], corruption: &Corruption) -> Option<Vec<u8>> {
    let mut out = bytes.to_vec();
    match corruption {
        Corruption::Flip(at, mask) => out[at % bytes.len()] ^= mask,
        Corruption::Truncate(len) => out.truncate(len % bytes.len()),
        Corruption::Append(extra) => out.extend_from_slice(extra),
        Corruption::Delete(at) => {
            out.remove(at % bytes.len());
        }
        Corruption::Swap(a, b) => out.swap(a % bytes.len(), b % bytes.len()),
    }
    (out != bytes).then_some(out)
}

fn encrypt_stream(
    keyring: &mut Keyring,
    data: &[u8],
    aad: &[u8],
    chunk: usize,
    feed: usize,
) -> Vec<u8> {
    let mut encryptor = keyring.stream_encryptor(aad, chunk, &mut OsRng).unwrap();
    let mut out = encryptor.header().to_vec();
    for piece in data.chunks(feed) {
        out.extend(encryptor.update(piece).unwrap());
    }
    out.extend(encryptor.finish().unwrap());
    out
}

/// Decrypts a whole stream; `None` on any error.
fn decrypt_stream(keyring: &Keyring, stream: &[u8], aad: &[u8], feed: usize) -> Option<Vec<u8>> {
    let (mut decryptor, used) = keyring.stream_decryptor(stream, aad).ok()?;
    let mut out = Vec::new();
    for piece in stream[used..].chunks(feed) {
        out.extend_from_slice(decryptor.update(piece).ok()?.as_bytes());
    }
    out.extend_from_slice(decryptor.finish().ok()?.as_bytes());
    Some(out)
}

proptest! {
    #[test]
    fn envelope_round_trips(
        algorithm in algorithm(),
        plaintext in prop::collection::vec(any::<u8>(), 0..4096),
        aad in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut keyring = Keyring::generate(algorithm, &mut OsRng, NOW);
        let envelope = keyring.encrypt(&plaintext, &aad, &mut OsRng).unwrap();
        let opened = keyring.decrypt(&envelope, &aad).unwrap();
        prop_assert_eq!(opened.as_bytes(), &plaintext[..]);
        let text = keyring.encrypt_to_text(&plaintext, &aad, &mut OsRng).unwrap();
        let opened = keyring.decrypt_text(&text, &aad).unwrap();
        prop_assert_eq!(opened.as_bytes(), &plaintext[..]);
    }

    #[test]
    fn corrupt_envelope_never_decrypts(
        algorithm in algorithm(),
        plaintext in prop::collection::vec(any::<u8>(), 0..512),
        aad in prop::collection::vec(any::<u8>(), 0..16),
        corruption in corruption(),
    ) {
        let mut keyring = Keyring::generate(algorithm, &mut OsRng, NOW);
        let envelope = keyring.encrypt(&plaintext, &aad, &mut OsRng).unwrap();
        if let Some(corrupted) = corrupt(&envelope, &corruption) {
            prop_assert!(keyring.decrypt(&corrupted, &aad).is_err());
        }
    }

    #[test]
    fn changed_aad_never_decrypts(
        plaintext in prop::collection::vec(any::<u8>(), 0..256),
        aad in prop::collection::vec(any::<u8>(), 0..16),
        other in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        prop_assume!(aad != other);
        let mut keyring = Keyring::generate(AeadAlgorithm::default(), &mut OsRng, NOW);
        let envelope = keyring.encrypt(&plaintext, &aad, &mut OsRng).unwrap();
        prop_assert!(keyring.decrypt(&envelope, &other).is_err());
    }

    #[test]
    fn stream_round_trips(
        algorithm in algorithm(),
        data in prop::collection::vec(any::<u8>(), 0..12_000),
        aad in prop::collection::vec(any::<u8>(), 0..32),
        chunk in MIN_CHUNK_SIZE..3000,
        feed in 1..5000usize,
        read in 1..5000usize,
    ) {
        let mut keyring = Keyring::generate(algorithm, &mut OsRng, NOW);
        let stream = encrypt_stream(&mut keyring, &data, &aad, chunk, feed);
        prop_assert_eq!(decrypt_stream(&keyring, &stream, &aad, read), Some(data));
    }

    #[test]
    fn corrupt_stream_never_decrypts(
        algorithm in algorithm(),
        data in prop::collection::vec(any::<u8>(), 0..6000),
        chunk in MIN_CHUNK_SIZE..2000,
        corruption in corruption(),
        read in 1..3000usize,
    ) {
        let mut keyring = Keyring::generate(algorithm, &mut OsRng, NOW);
        let stream = encrypt_stream(&mut keyring, &data, b"aad", chunk, 777);
        if let Some(corrupted) = corrupt(&stream, &corruption) {
            prop_assert_eq!(decrypt_stream(&keyring, &corrupted, b"aad", read), None);
        }
    }

    #[test]
    fn failed_operations_change_nothing(
        operations in prop::collection::vec((0..6u8, 0..8usize), 1..40),
    ) {
        let mut keyring = Keyring::generate(AeadAlgorithm::default(), &mut OsRng, NOW);
        for (operation, target) in operations {
            let keys = keyring.keys();
            // Pick an existing key, or now and then an unknown id.
            let id = keys
                .get(target)
                .map(|key| key.id)
                .unwrap_or(KeyId::new(keys[0].id.value() ^ 0x8000_0000));
            let before = keyring.to_json();
            let result = match operation {
                0 => keyring.add(AeadAlgorithm::default(), &mut OsRng, NOW).map(drop),
                1 => keyring.promote(id),
                2 => keyring.disable(id),
                3 => keyring.enable(id),
                4 => keyring.destroy(id),
                _ => keyring.rotate(AeadAlgorithm::ChaCha20Poly1305, &mut OsRng, NOW).map(drop),
            };
            if result.is_err() {
                prop_assert_eq!(&*keyring.to_json(), &*before);
            }
            let primaries = keyring
                .keys()
                .iter()
                .filter(|key| key.state == mem8_guard::crypto::KeyState::Primary)
                .count();
            prop_assert_eq!(primaries, 1);
            let reloaded = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();
            prop_assert_eq!(reloaded.keys(), keyring.keys());
        }
    }
}
