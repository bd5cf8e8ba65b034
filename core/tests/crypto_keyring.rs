//! Keyring life cycle, rotation, key derivation, keyring JSON and sealed
//! keyrings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use mem8_guard::crypto::{
    AeadAlgorithm, CryptoError, KeyId, KeyOperation, KeyState, Keyring, KeyringError,
    RotationPolicy, RotationReason, SecretKey, DEFAULT_CHUNK_SIZE, MAX_KEYS,
};
use rand_core::OsRng;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const XC20P: AeadAlgorithm = AeadAlgorithm::XChaCha20Poly1305;
const C20P: AeadAlgorithm = AeadAlgorithm::ChaCha20Poly1305;

fn keyring() -> Keyring {
    Keyring::generate(XC20P, &mut OsRng, NOW)
}

/// The key id an envelope names, read from its header.
fn envelope_key(envelope: &[u8]) -> KeyId {
    KeyId::new(u32::from_be_bytes(envelope[1..5].try_into().unwrap()))
}

fn json_of(keyring: &Keyring) -> Value {
    serde_json::from_str(&keyring.to_json()).unwrap()
}

// ---------------------------------------------------------------- life cycle

#[test]
fn new_keyring_has_one_primary() {
    let keyring = Keyring::generate(C20P, &mut OsRng, NOW);
    let keys = keyring.keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].state, KeyState::Primary);
    assert_eq!(keys[0].algorithm, C20P);
    assert_eq!(keys[0].created, NOW);
    assert_eq!(keys[0].messages, 0);
    assert_eq!(keyring.primary(), keys[0]);
}

#[test]
fn added_key_decrypts_but_does_not_encrypt() {
    let mut keyring = keyring();
    let primary = keyring.primary().id;
    let added = keyring.add(C20P, &mut OsRng, NOW + 1).unwrap();

    let info = keyring.key(added).unwrap();
    assert_eq!(info.state, KeyState::Enabled);
    assert_eq!(info.algorithm, C20P);
    assert_eq!(info.created, NOW + 1);
    assert_eq!(keyring.primary().id, primary);
    let envelope = keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(envelope_key(&envelope), primary);
}

#[test]
fn promote_makes_old_primary_enabled() {
    let mut keyring = keyring();
    let old = keyring.primary().id;
    let new = keyring.add(XC20P, &mut OsRng, NOW).unwrap();
    keyring.promote(new).unwrap();

    assert_eq!(keyring.primary().id, new);
    assert_eq!(keyring.key(old).unwrap().state, KeyState::Enabled);
    let envelope = keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(envelope_key(&envelope), new);
}

#[test]
fn rotate_adds_and_promotes() {
    let mut keyring = keyring();
    let old = keyring.primary().id;
    let new = keyring.rotate(C20P, &mut OsRng, NOW + 10).unwrap();

    assert_ne!(new, old);
    assert_eq!(keyring.primary().id, new);
    assert_eq!(keyring.primary().algorithm, C20P);
    assert_eq!(keyring.key(old).unwrap().state, KeyState::Enabled);
    assert_eq!(keyring.keys().len(), 2);
}

#[test]
fn key_ids_are_unique() {
    let mut keyring = keyring();
    for _ in 0..200 {
        keyring.add(XC20P, &mut OsRng, NOW).unwrap();
    }
    let mut ids: Vec<KeyId> = keyring.keys().iter().map(|key| key.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 201);
}

#[test]
fn every_past_primary_decrypts_until_disabled() {
    let mut keyring = keyring();
    let mut history = Vec::new();
    for round in 0..4u64 {
        let id = keyring.primary().id;
        let message = format!("message {round}");
        let envelope = keyring
            .encrypt(message.as_bytes(), b"ctx", &mut OsRng)
            .unwrap();
        history.push((id, message, envelope));
        keyring.rotate(XC20P, &mut OsRng, NOW + round + 1).unwrap();
    }

    // Every past primary still decrypts what it encrypted.
    for (_, message, envelope) in &history {
        let plaintext = keyring.decrypt(envelope, b"ctx").unwrap();
        assert_eq!(plaintext.as_bytes(), message.as_bytes());
    }

    // Disabling the oldest key stops only its messages.
    let (oldest, _, oldest_envelope) = &history[0];
    keyring.disable(*oldest).unwrap();
    assert_eq!(
        keyring.decrypt(oldest_envelope, b"ctx").unwrap_err(),
        CryptoError::KeyDisabled { id: *oldest }
    );
    for (_, message, envelope) in &history[1..] {
        assert_eq!(
            keyring.decrypt(envelope, b"ctx").unwrap().as_bytes(),
            message.as_bytes()
        );
    }

    // Enabling it again restores them.
    keyring.enable(*oldest).unwrap();
    assert_eq!(
        keyring.decrypt(oldest_envelope, b"ctx").unwrap().as_bytes(),
        b"message 0"
    );
}

#[test]
fn destroyed_key_is_unrecoverable() {
    let mut keyring = keyring();
    let old = keyring.primary().id;
    let envelope = keyring.encrypt(b"secret", b"", &mut OsRng).unwrap();
    keyring.rotate(XC20P, &mut OsRng, NOW + 1).unwrap();
    keyring.disable(old).unwrap();
    keyring.destroy(old).unwrap();

    assert_eq!(keyring.key(old).unwrap().state, KeyState::Destroyed);
    assert_eq!(
        keyring.decrypt(&envelope, b"").unwrap_err(),
        CryptoError::KeyDestroyed { id: old }
    );
    let error = keyring.enable(old).unwrap_err();
    assert_eq!(error.code(), "invalid_state");

    // The stored form has no material for it, and reloading keeps it destroyed.
    let document = json_of(&keyring);
    let stored = document["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == old.to_string())
        .unwrap();
    assert_eq!(stored["state"], "destroyed");
    assert!(stored.get("k").is_none(), "{stored}");
    let reloaded = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();
    assert_eq!(
        reloaded.decrypt(&envelope, b"").unwrap_err(),
        CryptoError::KeyDestroyed { id: old }
    );
}

/// A state transition of the keyring, for tables of cases.
type Operation = fn(&mut Keyring, KeyId) -> Result<(), KeyringError>;

/// A keyring with a primary, an enabled, a disabled and a destroyed key.
fn keyring_in_every_state() -> (Keyring, [KeyId; 4]) {
    let mut keyring = keyring();
    let destroyed = keyring.primary().id;
    let disabled = keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    let enabled = keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    let primary = keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    keyring.disable(destroyed).unwrap();
    keyring.destroy(destroyed).unwrap();
    keyring.disable(disabled).unwrap();
    (keyring, [primary, enabled, disabled, destroyed])
}

#[test]
fn invalid_transitions_are_typed_and_change_nothing() {
    let (mut keyring, [primary, enabled, disabled, destroyed]) = keyring_in_every_state();
    let before = keyring.to_json();

    let cases: [(&str, Operation, KeyOperation, KeyId, KeyState); 11] = [
        (
            "disable primary",
            Keyring::disable,
            KeyOperation::Disable,
            primary,
            KeyState::Primary,
        ),
        (
            "destroy primary",
            Keyring::destroy,
            KeyOperation::Destroy,
            primary,
            KeyState::Primary,
        ),
        (
            "enable primary",
            Keyring::enable,
            KeyOperation::Enable,
            primary,
            KeyState::Primary,
        ),
        (
            "promote primary",
            Keyring::promote,
            KeyOperation::Promote,
            primary,
            KeyState::Primary,
        ),
        (
            "destroy enabled",
            Keyring::destroy,
            KeyOperation::Destroy,
            enabled,
            KeyState::Enabled,
        ),
        (
            "enable enabled",
            Keyring::enable,
            KeyOperation::Enable,
            enabled,
            KeyState::Enabled,
        ),
        (
            "promote disabled",
            Keyring::promote,
            KeyOperation::Promote,
            disabled,
            KeyState::Disabled,
        ),
        (
            "disable disabled",
            Keyring::disable,
            KeyOperation::Disable,
            disabled,
            KeyState::Disabled,
        ),
        (
            "enable destroyed",
            Keyring::enable,
            KeyOperation::Enable,
            destroyed,
            KeyState::Destroyed,
        ),
        (
            "promote destroyed",
            Keyring::promote,
            KeyOperation::Promote,
            destroyed,
            KeyState::Destroyed,
        ),
        (
            "destroy destroyed",
            Keyring::destroy,
            KeyOperation::Destroy,
            destroyed,
            KeyState::Destroyed,
        ),
    ];
    for (name, operation, kind, id, state) in cases {
        let error = operation(&mut keyring, id).unwrap_err();
        assert_eq!(
            error,
            KeyringError::InvalidState {
                id,
                state,
                operation: kind
            },
            "{name}"
        );
        let message = error.to_string();
        assert!(message.contains(&format!("`{id}`")), "{name}: {message}");
        assert!(message.contains(state.as_str()), "{name}: {message}");
        assert_eq!(*keyring.to_json(), *before, "{name} changed the keyring");
    }
}

#[test]
fn unknown_key_operations_rejected() {
    let mut keyring = keyring();
    let before = keyring.to_json();
    let unknown = KeyId::new(keyring.primary().id.value() ^ 1);
    let operations: [Operation; 4] = [
        Keyring::promote,
        Keyring::enable,
        Keyring::disable,
        Keyring::destroy,
    ];
    for operation in operations {
        assert_eq!(
            operation(&mut keyring, unknown).unwrap_err(),
            KeyringError::UnknownKey { id: unknown }
        );
    }
    assert_eq!(
        keyring.derive_key(unknown, b"x").unwrap_err(),
        KeyringError::UnknownKey { id: unknown }
    );
    assert_eq!(*keyring.to_json(), *before);
}

#[test]
fn keyring_full_rejects_add() {
    let mut keyring = keyring();
    for _ in 1..MAX_KEYS {
        keyring.add(XC20P, &mut OsRng, NOW).unwrap();
    }
    let before = keyring.keys();
    assert_eq!(
        keyring.add(XC20P, &mut OsRng, NOW).unwrap_err(),
        KeyringError::TooManyKeys { max: MAX_KEYS }
    );
    assert_eq!(
        keyring.rotate(XC20P, &mut OsRng, NOW).unwrap_err(),
        KeyringError::TooManyKeys { max: MAX_KEYS }
    );
    assert_eq!(keyring.keys(), before);

    // A full keyring still round-trips through JSON.
    let reloaded = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();
    assert_eq!(reloaded.keys(), before);
}

// ---------------------------------------------------------------- counting and rotation

#[test]
fn encrypting_counts_primary_messages() {
    let mut keyring = keyring();
    let old = keyring.primary().id;
    for _ in 0..3 {
        keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    }
    keyring
        .stream_encryptor(b"", DEFAULT_CHUNK_SIZE, &mut OsRng)
        .unwrap();
    assert_eq!(keyring.primary().messages, 4);

    keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(keyring.primary().messages, 1);
    assert_eq!(keyring.key(old).unwrap().messages, 4);

    // Decrypting counts nothing.
    let envelope = keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    keyring.decrypt(&envelope, b"").unwrap();
    assert_eq!(keyring.primary().messages, 2);
}

#[test]
fn rotation_policy_defaults() {
    let policy = RotationPolicy::default();
    assert_eq!(policy.max_age, 90 * 86_400);
    assert_eq!(policy.max_messages_chacha20, 1 << 30);
    assert_eq!(policy.max_messages_xchacha20, u64::MAX);
    assert_eq!(policy.max_messages(C20P), 1 << 30);
}

#[test]
fn rotation_due_by_age() {
    let keyring = keyring();
    let policy = RotationPolicy::default();
    assert_eq!(keyring.rotation_due(&policy, NOW), None);
    assert_eq!(
        keyring.rotation_due(&policy, NOW + policy.max_age - 1),
        None
    );
    let due = keyring.rotation_due(&policy, NOW + policy.max_age).unwrap();
    assert_eq!(
        due,
        RotationReason::MaxAge {
            id: keyring.primary().id,
            age: policy.max_age,
            max_age: policy.max_age
        }
    );
    assert_eq!(due.code(), "max_age");
    // A clock behind the creation time is not a reason to rotate.
    assert_eq!(keyring.rotation_due(&policy, NOW - 1_000), None);
}

#[test]
fn rotation_due_by_messages_first() {
    let mut keyring = Keyring::generate(C20P, &mut OsRng, NOW);
    let mut policy = RotationPolicy::default();
    policy.max_messages_chacha20 = 2;
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(keyring.rotation_due(&policy, NOW), None);
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();

    // Both limits are reached; the message limit is reported.
    let due = keyring.rotation_due(&policy, NOW + policy.max_age).unwrap();
    assert_eq!(
        due,
        RotationReason::MessageLimit {
            id: keyring.primary().id,
            messages: 2,
            max_messages: 2
        }
    );
    assert!(due.to_string().contains("2 messages"), "{due}");

    // The same count does not make an XChaCha20-Poly1305 key due.
    keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(keyring.rotation_due(&policy, NOW), None);
}

/// A one-key keyring document with the given primary.
fn document(alg: &str, messages: u64) -> String {
    let k = Base64UrlUnpadded::encode_string(&[9u8; 32]);
    format!(
        r#"{{"version":1,"keys":[{{"kty":"oct","kid":"0a1b2c3d","alg":"{alg}","k":"{k}","state":"primary","created":{NOW},"messages":{messages}}}]}}"#
    )
}

#[test]
fn exhausted_chacha20_key_refuses_to_encrypt() {
    let limit = mem8_guard::crypto::CHACHA20_MESSAGE_LIMIT;
    let mut keyring = Keyring::from_json(document("C20P", limit - 1).as_bytes()).unwrap();
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
    assert_eq!(keyring.primary().messages, limit);

    let id = keyring.primary().id;
    let expected = CryptoError::KeyExhausted {
        id,
        messages: limit,
    };
    assert_eq!(
        keyring.encrypt(b"m", b"", &mut OsRng).unwrap_err(),
        expected
    );
    let stream = keyring.stream_encryptor(b"", DEFAULT_CHUNK_SIZE, &mut OsRng);
    assert_eq!(stream.err(), Some(expected));
    assert_eq!(keyring.primary().messages, limit);

    // The same count on an XChaCha20-Poly1305 key is fine.
    let mut keyring = Keyring::from_json(document("XC20P", limit).as_bytes()).unwrap();
    keyring.encrypt(b"m", b"", &mut OsRng).unwrap();
}

// ---------------------------------------------------------------- derivation

#[test]
fn derived_keys_are_deterministic_per_context() {
    let mut keyring = keyring();
    let id = keyring.primary().id;
    let acme = keyring.derive_key(id, b"tenant:acme").unwrap();
    let again = keyring.derive_key(id, b"tenant:acme").unwrap();
    let globex = keyring.derive_key(id, b"tenant:globex").unwrap();
    assert_eq!(acme.as_bytes(), again.as_bytes());
    assert_ne!(acme.as_bytes(), globex.as_bytes());

    // The same after a JSON round trip, and different under another key.
    let reloaded = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();
    assert_eq!(
        reloaded.derive_key(id, b"tenant:acme").unwrap().as_bytes(),
        acme.as_bytes()
    );
    let other = keyring.rotate(XC20P, &mut OsRng, NOW).unwrap();
    assert_ne!(
        keyring
            .derive_key(other, b"tenant:acme")
            .unwrap()
            .as_bytes(),
        acme.as_bytes()
    );

    // An enabled key still derives; a disabled one does not.
    assert!(keyring.derive_key(id, b"tenant:acme").is_ok());
    keyring.disable(id).unwrap();
    assert_eq!(
        keyring.derive_key(id, b"tenant:acme").unwrap_err(),
        KeyringError::InvalidState {
            id,
            state: KeyState::Disabled,
            operation: KeyOperation::Derive
        }
    );
}

#[test]
fn derived_key_seals_a_tenant_keyring() {
    let master = SecretKey::generate(&mut OsRng);
    let tenant = keyring();
    let sealed = tenant
        .seal(&master.derive(b"tenant:acme"), &mut OsRng)
        .unwrap();
    let opened = Keyring::open(&sealed, &master.derive(b"tenant:acme")).unwrap();
    assert_eq!(opened.keys(), tenant.keys());
    let error = Keyring::open(&sealed, &master.derive(b"tenant:globex")).unwrap_err();
    assert_eq!(error.code(), "wrong_kek");
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_has_jwk_members() {
    let (keyring, [primary, _, disabled, destroyed]) = keyring_in_every_state();
    let document = json_of(&keyring);
    assert_eq!(document["version"], 1);
    let keys = document["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[0]["kid"], primary.to_string(), "primary comes first");

    for key in keys {
        assert_eq!(key["kty"], "oct");
        assert_eq!(key["alg"], "XC20P");
        assert_eq!(key["created"], NOW);
        assert_eq!(key["messages"], 0);
        let kid = key["kid"].as_str().unwrap();
        assert_eq!(kid.len(), 8);
        if kid == destroyed.to_string() {
            assert_eq!(key["state"], "destroyed");
            assert!(key.get("k").is_none());
        } else {
            let k = key["k"].as_str().unwrap();
            assert_eq!(Base64UrlUnpadded::decode_vec(k).unwrap().len(), 32);
        }
        if kid == disabled.to_string() {
            assert_eq!(key["state"], "disabled");
        }
    }
}

#[test]
fn json_round_trip_keeps_keys_and_decrypts() {
    let (mut keyring, [_, enabled, _, _]) = keyring_in_every_state();
    let envelope = keyring.encrypt(b"hello", b"aad", &mut OsRng).unwrap();
    let reloaded = Keyring::from_json(keyring.to_json().as_bytes()).unwrap();

    assert_eq!(reloaded.keys(), keyring.keys());
    assert_eq!(*reloaded.to_json(), *keyring.to_json());
    assert_eq!(
        reloaded.decrypt(&envelope, b"aad").unwrap().as_bytes(),
        b"hello"
    );
    assert_eq!(reloaded.key(enabled).unwrap().state, KeyState::Enabled);
}

/// Replaces `from` with `to` once in a valid document and returns it.
fn edited(from: &str, to: &str) -> String {
    let text = document("XC20P", 0);
    assert!(text.contains(from), "{from} not in {text}");
    text.replacen(from, to, 1)
}

#[test]
fn invalid_json_rejected() {
    let k = Base64UrlUnpadded::encode_string(&[9u8; 32]);
    let second = format!(
        r#"{{"kty":"oct","kid":"0a1b2c3d","alg":"XC20P","k":"{k}","state":"enabled","created":1,"messages":0}}"#
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "duplicate member",
            edited(r#""kty":"oct""#, r#""kty":"oct","kty":"oct""#),
            "invalid_json",
        ),
        ("not JSON", String::from("{"), "invalid_json"),
        (
            "unknown top-level member",
            edited(r#""version":1"#, r#""version":1,"extra":1"#),
            "invalid_keyring",
        ),
        (
            "unknown key member",
            edited(r#""kty":"oct""#, r#""kty":"oct","use":"enc""#),
            "invalid_keyring",
        ),
        (
            "version 2",
            edited(r#""version":1"#, r#""version":2"#),
            "invalid_keyring",
        ),
        (
            "missing version",
            edited(r#""version":1,"#, ""),
            "invalid_keyring",
        ),
        (
            "no keys",
            String::from(r#"{"version":1,"keys":[]}"#),
            "invalid_keyring",
        ),
        (
            "no primary",
            edited(r#""primary""#, r#""enabled""#),
            "invalid_keyring",
        ),
        (
            "two primaries",
            edited(
                "}]",
                &format!(
                    "}},{}]",
                    second
                        .replace("enabled", "primary")
                        .replace("0a1b2c3d", "0a1b2c3e")
                ),
            ),
            "invalid_keyring",
        ),
        (
            "duplicate kid",
            edited("}]", &format!("}},{second}]")),
            "invalid_keyring",
        ),
        (
            "uppercase kid",
            edited("0a1b2c3d", "0A1B2C3D"),
            "invalid_keyring",
        ),
        (
            "short kid",
            edited("0a1b2c3d", "a1b2c3d"),
            "invalid_keyring",
        ),
        ("unknown alg", edited("XC20P", "A256GCM"), "invalid_keyring"),
        (
            "kty RSA",
            edited(r#""kty":"oct""#, r#""kty":"RSA""#),
            "invalid_keyring",
        ),
        (
            "missing k",
            edited(&format!(r#""k":"{k}","#), ""),
            "invalid_keyring",
        ),
        (
            "31-byte k",
            edited(&k, &Base64UrlUnpadded::encode_string(&[9u8; 31])),
            "invalid_keyring",
        ),
        (
            "33-byte k",
            edited(&k, &Base64UrlUnpadded::encode_string(&[9u8; 33])),
            "invalid_keyring",
        ),
        ("padded k", edited(&k, &format!("{k}=")), "invalid_keyring"),
        (
            "standard base64 k",
            edited(&k, &k.replace('J', "+")),
            "invalid_keyring",
        ),
        (
            "negative messages",
            edited(r#""messages":0"#, r#""messages":-1"#),
            "invalid_keyring",
        ),
        (
            "fractional created",
            edited(&format!(r#""created":{NOW}"#), r#""created":1.5"#),
            "invalid_keyring",
        ),
        (
            "unknown state",
            edited(r#""primary""#, r#""retired""#),
            "invalid_keyring",
        ),
        (
            "destroyed primary with k",
            edited(r#""primary""#, r#""destroyed""#),
            "invalid_keyring",
        ),
    ];
    for (name, text, code) in cases {
        let error = Keyring::from_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), code, "{name}: {error}");
    }
}

#[test]
fn json_errors_never_echo_secrets() {
    let k = Base64UrlUnpadded::encode_string(&[9u8; 32]);
    let cases = [
        edited(
            &format!(r#""created":{NOW}"#),
            &format!(r#""created":"{k}""#),
        ),
        edited(r#""state":"primary""#, &format!(r#""state":"{k}""#)),
        edited(r#""messages":0"#, &format!(r#""messages":"{k}""#)),
        edited(&k, &format!("{k}AA")),
    ];
    for text in cases {
        let message = Keyring::from_json(text.as_bytes()).unwrap_err().to_string();
        assert!(!message.contains(&k[..20]), "{message}");
    }
}

/// Returns whether `message` contains any 6 consecutive characters of `k`.
fn shows_part_of(message: &str, k: &str) -> bool {
    let chars: Vec<char> = k.chars().collect();
    chars
        .windows(6)
        .any(|window| message.contains(&window.iter().collect::<String>()))
}

#[test]
fn messages_never_show_k() {
    // A real generated keyring, so that `k` has no repeating pattern.
    let keyring = keyring();
    let text = keyring.to_json();
    let k = json_of(&keyring)["keys"][0]["k"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_member = format!(r#""k": "{k}""#);
    assert!(text.contains(&key_member), "{}", text.as_str());
    let with = |extra: &str| text.replacen(&key_member, &format!("{key_member},{extra}"), 1);
    let cases = [
        // A member name with a backtick before the key's own `k`: redaction
        // that paired quote characters printed the rest of the name.
        ("backtick in a member name", with(&format!(r#""x`{k}": 1"#))),
        ("two backticks", with(&format!(r#""`x`{k}`": 1"#))),
        ("double quote in a name", with(&format!(r#""x\"{k}": 1"#))),
        ("k as a member name", with(&format!(r#""{k}": 1"#))),
        (
            "k as a repeated name",
            with(&format!(r#""{k}": 1, "{k}": 2"#)),
        ),
        (
            "k as a top-level name",
            text.replacen("{", &format!(r#"{{"{k}": 1,"#), 1),
        ),
        (
            "k in place of a key",
            format!(r#"{{"version": 1, "keys": ["{k}"]}}"#),
        ),
        (
            "k in place of keys",
            format!(r#"{{"version": 1, "keys": "{k}"}}"#),
        ),
        ("k in an array", format!(r#"["{k}"]"#)),
        ("k as the document", format!(r#""{k}""#)),
        (
            "k as kty",
            text.replacen(r#""kty": "oct""#, &format!(r#""kty": "`{k}""#), 1),
        ),
        (
            "k as alg",
            text.replacen(r#""alg": "XC20P""#, &format!(r#""alg": "{k}""#), 1),
        ),
        (
            "k as state",
            text.replacen(r#""state": "primary""#, &format!(r#""state": "`{k}`""#), 1),
        ),
        (
            "k in an array as k",
            text.replacen(&key_member, &format!(r#""k": ["{k}"]"#), 1),
        ),
        (
            "k as version",
            text.replacen(r#""version": 1"#, &format!(r#""version": "{k}""#), 1),
        ),
    ];
    for (name, document) in cases {
        assert!(document.contains(&k), "{name}: {document}");
        let message = Keyring::from_json(document.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(!shows_part_of(&message, &k), "{name}: {message}");
        let debug = format!("{:?}", Keyring::from_json(document.as_bytes()).unwrap_err());
        assert!(!shows_part_of(&debug, &k), "{name}: {debug}");
    }
}

#[test]
fn document_errors_name_the_member() {
    let unknown = edited(r#""kty":"oct""#, r#""kty":"oct","state2":1"#);
    let message = Keyring::from_json(unknown.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "invalid keyring: key 0 has an unknown member, whose name is not shown in case it \
         is key material; its members are `kty`, `kid`, `alg`, `k`, `state`, `created`, \
         `messages`"
    );
    let misplaced = edited(r#""kty":"oct""#, r#""kty":"oct","version":1"#);
    let message = Keyring::from_json(misplaced.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("key 0 has the unknown member `version`"),
        "{message}"
    );
    let missing = edited(r#","messages":0"#, "");
    let message = Keyring::from_json(missing.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(message, "invalid keyring: key 0 is missing `messages`");
    let negative = edited(r#""messages":0"#, r#""messages":-1"#);
    let message = Keyring::from_json(negative.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "invalid keyring: key 0: `messages` must be an integer from 0 to 2^64 - 1"
    );
    let repeated = edited(r#""kty":"oct""#, r#""kty":"oct","x":1,"x":2"#);
    let message = Keyring::from_json(repeated.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "invalid keyring: duplicate member name `[redacted]`"
    );
}

// ---------------------------------------------------------------- sealing

#[test]
fn sealed_keyring_opens_with_its_kek() {
    let (mut keyring, _) = keyring_in_every_state();
    let envelope = keyring.encrypt(b"payload", b"", &mut OsRng).unwrap();
    let kek = SecretKey::generate(&mut OsRng);
    let sealed = keyring.seal(&kek, &mut OsRng).unwrap();

    // The text is unpadded base64url and shows nothing of the keyring.
    assert!(sealed
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let k = json_of(&keyring)["keys"][0]["k"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!sealed.contains(&k));
    assert!(!sealed.contains("XC20P"));

    let opened = Keyring::open(&sealed, &kek).unwrap();
    assert_eq!(opened.keys(), keyring.keys());
    assert_eq!(
        opened.decrypt(&envelope, b"").unwrap().as_bytes(),
        b"payload"
    );
}

#[test]
fn sealed_keyring_stores_kek_fingerprint() {
    let kek = SecretKey::generate(&mut OsRng);
    let sealed = keyring().seal(&kek, &mut OsRng).unwrap();
    let bytes = Base64UrlUnpadded::decode_vec(&sealed).unwrap();
    assert_eq!(bytes[0], 0x01);
    assert_eq!(envelope_key(&bytes), kek.fingerprint());
    assert_eq!(bytes[5], XC20P.id());
}

#[test]
fn all_zero_kek_rejected() {
    let zero = SecretKey::from_bytes([0; 32]);
    assert!(zero.is_all_zero());
    assert!(!SecretKey::generate(&mut OsRng).is_all_zero());
    let mut one_bit = [0; 32];
    one_bit[31] = 1;
    assert!(!SecretKey::from_bytes(one_bit).is_all_zero());

    let error = keyring().seal(&zero, &mut OsRng).unwrap_err();
    assert_eq!(error, KeyringError::WeakKek);
    assert_eq!(error.code(), "weak_kek");
    assert!(error.to_string().contains("all zero bytes"), "{error}");

    // A keyring sealed under a real key reports the weak key before it
    // compares fingerprints.
    let sealed = keyring()
        .seal(&SecretKey::generate(&mut OsRng), &mut OsRng)
        .unwrap();
    assert_eq!(
        Keyring::open(&sealed, &zero).unwrap_err(),
        KeyringError::WeakKek
    );
}

#[test]
fn wrong_kek_is_a_clear_error() {
    let kek = SecretKey::generate(&mut OsRng);
    let other = SecretKey::generate(&mut OsRng);
    let sealed = keyring().seal(&kek, &mut OsRng).unwrap();
    let error = Keyring::open(&sealed, &other).unwrap_err();
    assert_eq!(
        error,
        KeyringError::WrongKek {
            sealed_with: kek.fingerprint(),
            given: other.fingerprint()
        }
    );
    assert!(
        error.to_string().starts_with("wrong key-encryption key"),
        "{error}"
    );
}

#[test]
fn modified_sealed_keyring_is_corrupt() {
    let kek = SecretKey::generate(&mut OsRng);
    let sealed = keyring().seal(&kek, &mut OsRng).unwrap();
    let bytes = Base64UrlUnpadded::decode_vec(&sealed).unwrap();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let error = Keyring::open(&Base64UrlUnpadded::encode_string(&flipped), &kek).unwrap_err();
    assert_eq!(
        error,
        KeyringError::CorruptSealed(CryptoError::DecryptionFailed)
    );

    let truncated = Base64UrlUnpadded::encode_string(&bytes[..40]);
    let error = Keyring::open(&truncated, &kek).unwrap_err();
    assert_eq!(error.code(), "corrupt_sealed_keyring");

    let error = Keyring::open("not base64!", &kek).unwrap_err();
    assert_eq!(error.code(), "corrupt_sealed_keyring");
}

#[test]
fn data_envelope_is_not_a_sealed_keyring() {
    // A keyring whose key is the KEK, under the KEK's fingerprint, writes
    // envelopes with the same header as a sealed keyring. The sealing
    // associated data still distinguishes them.
    let kek_bytes = [5u8; 32];
    let kek = SecretKey::from_bytes(kek_bytes);
    let text = json!({"version": 1, "keys": [{"kty": "oct", "kid": kek.fingerprint().to_string(),
        "alg": "XC20P", "k": Base64UrlUnpadded::encode_string(&kek_bytes), "state": "primary",
        "created": NOW, "messages": 0}]})
    .to_string();
    let mut impostor = Keyring::from_json(text.as_bytes()).unwrap();
    let forged = impostor
        .encrypt_to_text(keyring().to_json().as_bytes(), b"", &mut OsRng)
        .unwrap();
    assert_eq!(
        Keyring::open(&forged, &kek).unwrap_err(),
        KeyringError::CorruptSealed(CryptoError::DecryptionFailed)
    );
}

#[test]
fn debug_output_redacts_material() {
    let keyring = keyring();
    let k = json_of(&keyring)["keys"][0]["k"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = Base64UrlUnpadded::decode_vec(&k).unwrap();
    let shown = format!("{keyring:?}");
    assert!(shown.contains(&keyring.primary().id.to_string()) || shown.contains("KeyId"));
    assert!(!shown.contains(&k), "{shown}");
    assert!(!shown.contains("material"), "{shown}");
    let key = SecretKey::from_slice(&bytes).unwrap();
    assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
}
