//! Runs one warm host operation in a loop and prints the time per call,
//! for profiling the call boundary with `perf record`.
//!
//! ```sh
//! scripts/build-guests.sh
//! cargo build --release -p mem8-guard-host --example call_loop
//! MEM8_GUARD_GUEST_WASM=target/wasm32-wasip2/wasm-release/mem8_guard_guest.wasm \
//!   MEM8_GUARD_CACHE=/tmp/mem8-guard-cache \
//!   perf record -g target/release/examples/call_loop decision 1000000
//! ```
//!
//! The operation is `version` (the smallest call), `decision`, `check` or
//! `hs256`, with the inputs of `host/benches/host.rs`. `MEM8_GUARD_CACHE`
//! is optional; with it, the second run reads the compiled module from the
//! cache, so the profile contains the calls and not the compilation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Instant;

use mem8_guard::guard::GuardConfig;
use mem8_guard::policy::{PolicyLimits, Principal};
use mem8_guard::token::{self, SigningKey, Validation};
use mem8_guard_host::sandbox::{HostConfig, HostGuard};
use serde_json::{json, Map};

const NOW: u64 = 1_700_000_000;
const JWK: &str = r#"{"kty":"oct","kid":"bench","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let operation = args.next().unwrap_or_else(|| String::from("decision"));
    let count: u64 = args.next().map(|n| n.parse().unwrap()).unwrap_or(1_000_000);
    let module =
        std::fs::read(std::env::var("MEM8_GUARD_GUEST_WASM").expect("set MEM8_GUARD_GUEST_WASM"))
            .unwrap();
    let mut config = HostConfig::default();
    config.cache_dir = std::env::var_os("MEM8_GUARD_CACHE").map(Into::into);
    let host = HostGuard::new(&module, config).unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/policy.json"
    ))
    .unwrap();
    let principal = Principal {
        id: String::from("alice"),
        roles: vec![String::from("editor")],
        attributes: Map::new(),
    };
    let context = json!({});
    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    let mut validation = Validation::default();
    validation.issuers = vec![String::from("https://auth.example.com")];
    validation.audiences = vec![String::from("documents-api")];
    let key = SigningKey::from_jwk_json(JWK.as_bytes()).unwrap();
    let claims = json!({ "sub": "alice", "iss": "https://auth.example.com", "aud": "documents-api",
                         "exp": NOW + 3600, "iat": NOW, "roles": ["editor"] });
    let jwt = token::sign(claims.as_object().unwrap(), &key).unwrap();

    let policy = host.policy(&text, &PolicyLimits::default()).unwrap();
    let mut guard_config = GuardConfig::default();
    guard_config.validation = validation.clone();
    let pipeline = host.pipeline(&jwks, &text, &guard_config).unwrap();
    let verifier = host.verifier(&jwks, &validation).unwrap();

    let start = Instant::now();
    for _ in 0..count {
        match operation.as_str() {
            "decision" => {
                std::hint::black_box(
                    policy
                        .evaluate(&principal, "write", "document:42", &context)
                        .unwrap(),
                );
            }
            "check" => {
                std::hint::black_box(
                    pipeline
                        .check(&jwt, "write", "document:42", &context, NOW)
                        .unwrap(),
                );
            }
            "hs256" => {
                std::hint::black_box(verifier.verify(&jwt, NOW).unwrap());
            }
            "version" => {
                std::hint::black_box(host.version().unwrap());
            }
            _ => panic!("unknown operation"),
        }
    }
    let elapsed = start.elapsed();
    println!(
        "{operation}: {:.0} ns per call",
        elapsed.as_nanos() as f64 / count as f64
    );
}
