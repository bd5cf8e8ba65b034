//! Envelope encryption and decryption against the bare `chacha20poly1305`
//! crate: XChaCha20-Poly1305 `encrypt`/`decrypt` with a `Payload` and the
//! same associated data, at 64 B, 1 KiB, 64 KiB and 1 MiB.
//!
//! Both sides draw a fresh 24-byte nonce from `OsRng` per encryption, so
//! the difference is the envelope's header, its longer associated data and
//! the key lookup.
//!
//! Run with `cargo bench -p mem8-guard --bench aead`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
// generic-array 0.14.9 deprecates itself, but chacha20poly1305 0.10 takes it.
#![allow(deprecated)]

use std::hint::black_box;
use std::time::Duration;

use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mem8_guard::crypto::{AeadAlgorithm, Keyring};
use rand_core::{OsRng, RngCore};

const AAD: &[u8] = b"tenant:acme/invoice:7";
const SIZES: [(usize, &str); 4] = [
    (64, "64B"),
    (1024, "1KiB"),
    (64 * 1024, "64KiB"),
    (1024 * 1024, "1MiB"),
];

fn seal(c: &mut Criterion) {
    let mut keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, 0);
    let bare = XChaCha20Poly1305::new(GenericArray::from_slice(&[7u8; 32]));
    let mut group = c.benchmark_group("seal");
    for (size, name) in SIZES {
        let plaintext = vec![0x5a; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("mem8-guard", name),
            &plaintext,
            |b, input| b.iter(|| keyring.encrypt(black_box(input), AAD, &mut OsRng).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("chacha20poly1305", name),
            &plaintext,
            |b, input| {
                b.iter(|| {
                    let mut nonce = [0u8; 24];
                    OsRng.fill_bytes(&mut nonce);
                    let payload = Payload {
                        msg: black_box(input),
                        aad: AAD,
                    };
                    bare.encrypt(GenericArray::from_slice(&nonce), payload)
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

fn open(c: &mut Criterion) {
    let mut keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, 0);
    let bare = XChaCha20Poly1305::new(GenericArray::from_slice(&[7u8; 32]));
    let nonce = [9u8; 24];
    let mut group = c.benchmark_group("open");
    for (size, name) in SIZES {
        let plaintext = vec![0x5a; size];
        let envelope = keyring.encrypt(&plaintext, AAD, &mut OsRng).unwrap();
        let payload = Payload {
            msg: &plaintext,
            aad: AAD,
        };
        let sealed = bare
            .encrypt(GenericArray::from_slice(&nonce), payload)
            .unwrap();
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("mem8-guard", name),
            &envelope,
            |b, input| b.iter(|| keyring.decrypt(black_box(input), AAD).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("chacha20poly1305", name),
            &sealed,
            |b, input| {
                b.iter(|| {
                    let payload = Payload {
                        msg: black_box(input),
                        aad: AAD,
                    };
                    bare.decrypt(GenericArray::from_slice(&nonce), payload)
                        .unwrap()
                })
            },
        );
        // The bare crate with the same zeroization of the plaintext that the
        // envelope does on drop, to show what that costs.
        group.bench_with_input(
            BenchmarkId::new("chacha20poly1305-zeroized", name),
            &sealed,
            |b, input| {
                b.iter(|| {
                    let payload = Payload {
                        msg: black_box(input),
                        aad: AAD,
                    };
                    zeroize::Zeroizing::new(
                        bare.decrypt(GenericArray::from_slice(&nonce), payload)
                            .unwrap(),
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = seal, open
}
criterion_main!(benches);
