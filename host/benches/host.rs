//! The host's overhead: a policy decision, a guard check and an HS256
//! verification natively and through the wasmtime host (warm instance), and
//! loading the module from the on-disk cache against compiling it.
//!
//! Build the guest first (`scripts/build-guests.sh`), then run
//! `cargo bench -p mem8-guard-host --bench host`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use mem8_guard::guard::{Guard, GuardConfig, GuardRequest};
use mem8_guard::policy::{Policy, PolicyLimits, Principal, Request};
use mem8_guard::token::{self, KeySet, SigningKey, Validation};
use mem8_guard_host::sandbox::{load_component, HostConfig, HostGuard};
use serde_json::{json, Map, Value};

const NOW: u64 = 1_700_000_000;
const JWK: &str = r#"{"kty":"oct","kid":"bench","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#;

/// The example policy of `examples/policy.json`.
fn policy_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/policy.json"
    ))
    .unwrap()
}

fn guest() -> Vec<u8> {
    let path = std::env::var_os("MEM8_GUARD_GUEST_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
                .join("wasm32-wasip2/wasm-release/mem8_guard_guest.wasm")
        });
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("{}: {error}; run scripts/build-guests.sh", path.display()))
}

fn token() -> String {
    let key = SigningKey::from_jwk_json(JWK.as_bytes()).unwrap();
    let claims = json!({ "sub": "alice", "iss": "https://auth.example.com", "aud": "documents-api",
                         "exp": NOW + 3600, "iat": NOW, "roles": ["editor"] });
    token::sign(claims.as_object().unwrap(), &key).unwrap()
}

fn validation() -> Validation {
    let mut validation = Validation::default();
    validation.issuers = vec![String::from("https://auth.example.com")];
    validation.audiences = vec![String::from("documents-api")];
    validation
}

fn decisions(c: &mut Criterion) {
    let host = HostGuard::new(&guest(), HostConfig::default()).unwrap();
    let text = policy_text();
    let native = Policy::from_json(text.as_bytes()).unwrap();
    let hosted = host.policy(&text, &PolicyLimits::default()).unwrap();
    let principal = Principal {
        id: String::from("alice"),
        roles: vec![String::from("editor")],
        attributes: Map::new(),
    };
    let context = json!({});
    let request = Request {
        principal: &principal,
        action: "write",
        resource: "document:42",
        resource_attributes: None,
        context: &context,
    };
    assert_eq!(
        native.evaluate(&request),
        hosted
            .evaluate(&principal, "write", "document:42", &context)
            .unwrap()
    );

    let mut group = c.benchmark_group("decision");
    group.bench_function("native", |b| {
        b.iter(|| black_box(native.evaluate(black_box(&request))))
    });
    group.bench_function("host", |b| {
        b.iter(|| {
            black_box(
                hosted
                    .evaluate(&principal, "write", black_box("document:42"), &context)
                    .unwrap(),
            )
        })
    });
    group.finish();

    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    let mut config = GuardConfig::default();
    config.validation = validation();
    let guard = Guard::new(
        config.clone(),
        KeySet::from_json(jwks.as_bytes()).unwrap(),
        native,
    );
    let pipeline = host.pipeline(&jwks, &text, &config).unwrap();
    let jwt = token();
    let guard_request = GuardRequest {
        token: &jwt,
        action: "write",
        resource: "document:42",
        resource_attributes: None,
        context: &context,
    };
    assert!(guard.check(&guard_request, NOW).is_allowed());
    assert!(pipeline
        .check(&jwt, "write", "document:42", &context, NOW)
        .unwrap()
        .is_allowed());

    let mut group = c.benchmark_group("check");
    group.bench_function("native", |b| {
        b.iter(|| black_box(guard.check(black_box(&guard_request), NOW)))
    });
    group.bench_function("host", |b| {
        b.iter(|| {
            black_box(
                pipeline
                    .check(black_box(&jwt), "write", "document:42", &context, NOW)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn hs256(c: &mut Criterion) {
    let host = HostGuard::new(&guest(), HostConfig::default()).unwrap();
    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    let keys = KeySet::from_json(jwks.as_bytes()).unwrap();
    let validation = validation();
    let verifier = host.verifier(&jwks, &validation).unwrap();
    let jwt = token();
    assert_eq!(
        Value::Object(
            token::verify(&jwt, &keys, &validation, NOW)
                .unwrap()
                .claims
                .into_map()
        ),
        Value::Object(verifier.verify(&jwt, NOW).unwrap().claims)
    );

    let mut group = c.benchmark_group("hs256_verify");
    group.bench_function("native", |b| {
        b.iter(|| black_box(token::verify(black_box(&jwt), &keys, &validation, NOW).unwrap()))
    });
    group.bench_function("host", |b| {
        b.iter(|| black_box(verifier.verify(black_box(&jwt), NOW).unwrap()))
    });
    group.finish();
}

fn module_load(c: &mut Criterion) {
    let module = guest();
    let cache = tempfile::tempdir().unwrap();
    let engine = wasmtime::Engine::new(wasmtime::Config::new().epoch_interruption(true)).unwrap();
    load_component(&engine, &module, Some(cache.path())).unwrap();

    let mut group = c.benchmark_group("module_load");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("compile", |b| {
        b.iter(|| black_box(load_component(&engine, &module, None).unwrap()))
    });
    group.bench_function("cached", |b| {
        b.iter(|| black_box(load_component(&engine, &module, Some(cache.path())).unwrap()))
    });
    group.finish();

    // The whole `HostGuard::new` from the cache: engine with the pooling
    // allocator, cache read, linking, one instance and the version check.
    let mut config = HostConfig::default();
    config.cache_dir = Some(cache.path().to_path_buf());
    let mut group = c.benchmark_group("host_new");
    group.sample_size(20);
    group.bench_function("cached", |b| {
        b.iter(|| black_box(HostGuard::new(&module, config.clone()).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, decisions, hs256, module_load);
criterion_main!(benches);
