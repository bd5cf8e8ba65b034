//! Opens one XChaCha20-Poly1305 message repeatedly, with `Keyring::decrypt`
//! or with the bare `chacha20poly1305` crate, so that a profiler can count
//! the instructions of each. Wall time is too noisy on a shared machine to
//! compare the two within a few percent; instruction counts are not.
//!
//! ```sh
//! cargo build --release -p mem8-guard --example aead_open
//! valgrind --tool=callgrind target/release/examples/aead_open envelope 1048576 4
//! valgrind --tool=callgrind target/release/examples/aead_open bare 1048576 4
//! valgrind --tool=callgrind target/release/examples/aead_open setup 1048576 4
//! ```
//!
//! Arguments: `envelope`, `bare` or `setup` (only the setup, whose count is
//! subtracted from the other two), the message size in bytes, and the
//! number of opens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// generic-array 0.14.9 deprecates itself, but chacha20poly1305 0.10 takes it.
#![allow(deprecated)]

use std::hint::black_box;

use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use mem8_guard::crypto::{AeadAlgorithm, Keyring};
use rand_core::OsRng;

const AAD: &[u8] = b"tenant:acme/invoice:7";
const USAGE: &str = "usage: aead_open envelope|bare|setup SIZE COUNT";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, size, count] = args.as_slice() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let (Ok(size), Ok(count)) = (size.parse::<usize>(), count.parse::<usize>()) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };

    let mut keyring = Keyring::generate(AeadAlgorithm::XChaCha20Poly1305, &mut OsRng, 0);
    let bare = XChaCha20Poly1305::new(GenericArray::from_slice(&[7u8; 32]));
    let nonce = GenericArray::from_slice(&[9u8; 24]);
    let plaintext = vec![0x5a_u8; size];
    let envelope = keyring.encrypt(&plaintext, AAD, &mut OsRng).unwrap();
    let payload = Payload {
        msg: &plaintext,
        aad: AAD,
    };
    let sealed = bare.encrypt(nonce, payload).unwrap();

    for _ in 0..count {
        match mode.as_str() {
            "envelope" => {
                black_box(keyring.decrypt(black_box(&envelope), AAD).unwrap());
            }
            "bare" => {
                let payload = Payload {
                    msg: black_box(&sealed),
                    aad: AAD,
                };
                black_box(bare.decrypt(nonce, payload).unwrap());
            }
            "setup" => {}
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
}
