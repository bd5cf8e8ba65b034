//! Keyring JSON and sealed keyrings.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::CryptoRngCore;
use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::envelope;
use super::error::{CryptoError, KeyringError};
use super::keyring::{Entry, MAX_KEYS};
use super::{AeadAlgorithm, GivenKeyId, KeyId, KeyInfo, KeyState, Keyring, SecretKey, KEY_LEN};
use crate::json::{self, JsonError, JsonLimits};

/// The `version` of the keyring JSON this crate reads and writes.
pub const KEYRING_VERSION: u64 = 1;

/// Associated data of sealed keyrings, which keeps a sealed keyring from
/// passing for any other envelope under the same key.
const SEAL_AAD: &[u8] = b"mem8-guard/v1/sealed-keyring";

/// Depth 3 is the document, the `keys` array and a key; the member limit
/// bounds the `keys` array.
const LIMITS: JsonLimits = JsonLimits {
    max_depth: 3,
    max_members: MAX_KEYS,
};

/// Bytes reserved per key for the JSON text, which is more than a pretty
/// printed key with the longest values takes (about 260), so the text never
/// reallocates and leaves no copy of a secret behind.
const TEXT_BYTES_PER_KEY: usize = 512;

/// A keyring document as [`Keyring::to_json`] writes it. Reading goes through
/// [`read_document`] instead of a derived `Deserialize`, so that no error
/// message is built from the document's text.
#[derive(Serialize)]
struct KeyringDocument {
    version: u64,
    keys: Vec<KeyDocument>,
}

#[derive(Serialize)]
struct KeyDocument {
    kty: String,
    kid: String,
    alg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<Zeroizing<String>>,
    state: KeyState,
    created: u64,
    messages: u64,
}

impl Keyring {
    /// The keyring as pretty-printed JSON, which contains every key's
    /// material; zeroized when dropped.
    ///
    /// The document is `{"version": 1, "keys": [...]}`. Each key is a JWK
    /// `oct` object with `kty`, `kid` (the key id), `alg` (`XC20P` or
    /// `C20P`) and `k` (unpadded base64url), plus `state`, `created` (Unix
    /// seconds) and `messages`. Destroyed keys have no `k`. The primary key
    /// comes first.
    ///
    /// # Security
    ///
    /// The text contains every live key. Store it only sealed
    /// ([`seal`](Self::seal)) or where only the key's owner can read it.
    pub fn to_json(&self) -> Zeroizing<String> {
        let document = KeyringDocument {
            version: KEYRING_VERSION,
            keys: core::iter::once(&self.primary)
                .chain(&self.others)
                .map(key_document)
                .collect(),
        };

        let mut text = Zeroizing::new(String::with_capacity(
            (document.keys.len() + 1) * TEXT_BYTES_PER_KEY,
        ));
        // `to_value` fails only for maps with non-string keys, which the
        // document does not have.
        if let Ok(mut value) = serde_json::to_value(&document) {
            let _ = write!(text, "{value:#}");
            json::zeroize_strings(&mut value);
        }
        text
    }

    /// Parses keyring JSON as [`to_json`](Self::to_json) writes it.
    ///
    /// Parsing is strict. It rejects duplicate member names, unknown members
    /// and a `version` other than 1. It also rejects anything but exactly one
    /// primary key, repeated key ids, a `k` on a destroyed key or a missing
    /// `k` on another, and a `k` that is not 32 bytes of unpadded base64url.
    ///
    /// # Errors
    ///
    /// [`KeyringError::InvalidJson`] for JSON that is not strict or exceeds
    /// depth 3 or [`MAX_KEYS`] keys; [`KeyringError::InvalidKeyring`]
    /// otherwise, naming the key at fault by its position or id. Messages
    /// show no value and no member name from the document other than the
    /// keyring format's own names, so they never contain key material.
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeyringError> {
        // NOTE: serde_json's scratch buffer for strings with escapes is not
        // zeroized; an escaped `k` can leave a copy in freed memory. The npm
        // module and the wasmtime guest zero every freed block, so this
        // holds for native builds only.
        let mut value = json::parse_value(bytes, &LIMITS).map_err(redacted_json_error)?;
        // Reading copies `k` into zeroizing strings, so the value's copies
        // can be zeroized whatever the outcome.
        let parsed = read_document(&value);
        json::zeroize_strings(&mut value);
        let document = parsed?;

        if document.version != KEYRING_VERSION {
            return Err(invalid(format!(
                "unsupported version `{}`; this crate reads version {KEYRING_VERSION}",
                document.version
            )));
        }
        if document.keys.is_empty() {
            return Err(invalid(String::from(
                "`keys` is empty; a keyring needs at least its primary key",
            )));
        }
        let mut primary = None;
        let mut others = Vec::with_capacity(document.keys.len());
        for (index, key) in document.keys.into_iter().enumerate() {
            let entry = read_key(index, key)?;
            if others
                .iter()
                .chain(&primary)
                .any(|other: &Entry| other.info.id == entry.info.id)
            {
                return Err(invalid(format!(
                    "kid `{}` appears on more than one key",
                    entry.info.id
                )));
            }
            if entry.info.state != KeyState::Primary {
                others.push(entry);
            } else if primary.is_none() {
                primary = Some(entry);
            } else {
                return Err(invalid(String::from(
                    "more than one key is primary; exactly one must be",
                )));
            }
        }
        let primary = primary
            .ok_or_else(|| invalid(String::from("no key is primary; exactly one must be")))?;
        Ok(Self { primary, others })
    }

    /// Encrypts the keyring JSON under the key-encryption key `kek` and
    /// returns it as unpadded base64url text.
    ///
    /// The text is an envelope (see the module documentation) whose key id is
    /// [`kek.fingerprint()`](SecretKey::fingerprint), with algorithm
    /// XChaCha20-Poly1305 and the associated data
    /// `mem8-guard/v1/sealed-keyring`.
    ///
    /// # Errors
    ///
    /// [`KeyringError::WeakKek`] when `kek` is all zero bytes.
    /// [`KeyringError::CorruptSealed`] holding [`CryptoError::TooLarge`],
    /// which a keyring within [`MAX_KEYS`] never reaches.
    pub fn seal(
        &self,
        kek: &SecretKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<String, KeyringError> {
        if kek.is_all_zero() {
            return Err(KeyringError::WeakKek);
        }
        let text = self.to_json();
        let sealed = envelope::seal(
            kek,
            kek.fingerprint(),
            AeadAlgorithm::XChaCha20Poly1305,
            text.as_bytes(),
            SEAL_AAD,
            rng,
        )
        .map_err(KeyringError::CorruptSealed)?;
        Ok(Base64UrlUnpadded::encode_string(&sealed))
    }

    /// Decrypts and parses a keyring sealed by [`seal`](Self::seal).
    ///
    /// # Errors
    ///
    /// [`KeyringError::WeakKek`] when `kek` is all zero bytes.
    /// [`KeyringError::WrongKek`] when the text was sealed under a key with
    /// another fingerprint. [`KeyringError::CorruptSealed`] when the text is
    /// not a well-formed envelope or its tag does not verify. Then those of
    /// [`from_json`](Self::from_json).
    pub fn open(sealed: &str, kek: &SecretKey) -> Result<Self, KeyringError> {
        if kek.is_all_zero() {
            return Err(KeyringError::WeakKek);
        }
        let bytes = envelope::decode_text(sealed).map_err(KeyringError::CorruptSealed)?;
        let parsed = envelope::parse(&bytes).map_err(KeyringError::CorruptSealed)?;

        // Fingerprints are public, since the sealed text stores one, so
        // comparing them in variable time reveals nothing.
        let given = kek.fingerprint();
        if parsed.key_id != given {
            return Err(KeyringError::WrongKek {
                sealed_with: parsed.key_id,
                given,
            });
        }
        if parsed.algorithm != AeadAlgorithm::XChaCha20Poly1305 {
            return Err(KeyringError::CorruptSealed(
                CryptoError::AlgorithmMismatch {
                    id: given,
                    key: AeadAlgorithm::XChaCha20Poly1305,
                    header: parsed.algorithm,
                },
            ));
        }
        let plaintext =
            envelope::open_parsed(&parsed, kek, SEAL_AAD).map_err(KeyringError::CorruptSealed)?;
        Self::from_json(plaintext.as_bytes())
    }
}

fn key_document(entry: &Entry) -> KeyDocument {
    let info = entry.info;
    KeyDocument {
        kty: String::from("oct"),
        kid: format!("{}", info.id),
        alg: String::from(info.algorithm.as_str()),
        k: entry
            .material
            .as_ref()
            .map(|key| Zeroizing::new(Base64UrlUnpadded::encode_string(key.as_bytes()))),
        state: info.state,
        created: info.created,
        messages: info.messages,
    }
}

/// Checks one key of a parsed document; `index` counts from 0.
fn read_key(index: usize, key: KeyDocument) -> Result<Entry, KeyringError> {
    if key.kty != "oct" {
        return Err(invalid(format!("key {index}: `kty` must be `oct`")));
    }
    let id: KeyId = key.kid.parse().map_err(|_| {
        invalid(format!(
            "key {index}: `kid` {} is not 8 lowercase hexadecimal digits",
            GivenKeyId(&key.kid)
        ))
    })?;
    let algorithm: AeadAlgorithm = key.alg.parse().map_err(|_| {
        invalid(format!(
            "key `{id}`: unsupported `alg` {}; expected `XC20P` or `C20P`",
            GivenKeyId(&key.alg)
        ))
    })?;

    let material = match (key.state, &key.k) {
        (KeyState::Destroyed, None) => None,
        (KeyState::Destroyed, Some(_)) => {
            return Err(invalid(format!(
                "key `{id}`: a destroyed key must not have `k`"
            )));
        }
        (_, None) => {
            return Err(invalid(format!(
                "key `{id}`: `k` is required unless the key is destroyed"
            )));
        }
        (_, Some(k)) => Some(decode_key(k).ok_or_else(|| {
            invalid(format!(
                "key `{id}`: `k` must be {KEY_LEN} bytes of unpadded base64url"
            ))
        })?),
    };
    Ok(Entry {
        info: KeyInfo {
            id,
            algorithm,
            state: key.state,
            created: key.created,
            messages: key.messages,
        },
        material,
    })
}

/// Decodes `k`, in constant time, into exactly 32 bytes.
fn decode_key(k: &str) -> Option<SecretKey> {
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    // A longer `k` does not fit the buffer and is an error; a shorter one is
    // caught by the length check.
    let decoded_len = Base64UrlUnpadded::decode(k, &mut *bytes).ok()?.len();
    if decoded_len != KEY_LEN {
        return None;
    }
    Some(SecretKey::from_bytes(*bytes))
}

/// Members of the document's top level.
const DOCUMENT_MEMBERS: &[&str] = &["version", "keys"];

/// Members of a key object.
const KEY_MEMBERS: &[&str] = &["kty", "kid", "alg", "k", "state", "created", "messages"];

/// Reads a parsed keyring document by its structure.
///
/// Messages are built from the names in [`DOCUMENT_MEMBERS`] and
/// [`KEY_MEMBERS`], key positions and fixed text, never from the document's
/// text. So a key's `k` cannot reach a message, wherever it is written.
fn read_document(value: &Value) -> Result<KeyringDocument, KeyringError> {
    let Value::Object(members) = value else {
        return Err(invalid(String::from(
            "the document must be a JSON object with `version` and `keys`",
        )));
    };
    check_members(members, DOCUMENT_MEMBERS, "the document")?;
    let version = integer(members, "version", "the document")?;
    let keys = match members.get("keys") {
        Some(Value::Array(keys)) => keys,
        Some(_) => {
            return Err(invalid(String::from(
                "`keys` must be an array of key objects",
            )))
        }
        None => return Err(invalid(String::from("the document is missing `keys`"))),
    };
    let keys = keys
        .iter()
        .enumerate()
        .map(|(index, key)| read_key_document(index, key))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(KeyringDocument { version, keys })
}

/// Reads the key object at `index` of `keys`.
fn read_key_document(index: usize, value: &Value) -> Result<KeyDocument, KeyringError> {
    let place = format!("key {index}");
    let Value::Object(members) = value else {
        return Err(invalid(format!("{place} must be a JSON object")));
    };
    check_members(members, KEY_MEMBERS, &place)?;
    let k = match members.get("k") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(Zeroizing::new(k.clone())),
        Some(_) => {
            return Err(invalid(format!(
                "{place}: `k` must be a string of unpadded base64url"
            )))
        }
    };
    Ok(KeyDocument {
        kty: string(members, "kty", &place)?,
        kid: string(members, "kid", &place)?,
        alg: string(members, "alg", &place)?,
        k,
        state: state(members, &place)?,
        created: integer(members, "created", &place)?,
        messages: integer(members, "messages", &place)?,
    })
}

/// Rejects a member whose name is not in `allowed`. The name is shown only
/// when it is a member name of the keyring format, because any other name
/// may be key material written in the wrong place.
fn check_members(
    members: &Map<String, Value>,
    allowed: &[&str],
    place: &str,
) -> Result<(), KeyringError> {
    let Some(name) = members
        .keys()
        .find(|name| !allowed.contains(&name.as_str()))
    else {
        return Ok(());
    };
    let expected = allowed
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(invalid(if is_format_member(name) {
        format!("{place} has the unknown member `{name}`; its members are {expected}")
    } else {
        format!(
            "{place} has an unknown member, whose name is not shown in case it is key \
             material; its members are {expected}"
        )
    }))
}

/// Returns whether `name` is a member name of the keyring format.
fn is_format_member(name: &str) -> bool {
    DOCUMENT_MEMBERS.contains(&name) || KEY_MEMBERS.contains(&name)
}

fn string(members: &Map<String, Value>, name: &str, place: &str) -> Result<String, KeyringError> {
    match members.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(invalid(format!("{place}: `{name}` must be a string"))),
        None => Err(invalid(format!("{place} is missing `{name}`"))),
    }
}

/// Reads a non-negative integer member.
fn integer(members: &Map<String, Value>, name: &str, place: &str) -> Result<u64, KeyringError> {
    let Some(value) = members.get(name) else {
        return Err(invalid(format!("{place} is missing `{name}`")));
    };
    value.as_u64().ok_or_else(|| {
        invalid(format!(
            "{place}: `{name}` must be an integer from 0 to 2^64 - 1"
        ))
    })
}

fn state(members: &Map<String, Value>, place: &str) -> Result<KeyState, KeyringError> {
    let name = match members.get("state") {
        Some(Value::String(name)) => name.as_str(),
        Some(_) => "",
        None => return Err(invalid(format!("{place} is missing `state`"))),
    };
    match name {
        "primary" => Ok(KeyState::Primary),
        "enabled" => Ok(KeyState::Enabled),
        "disabled" => Ok(KeyState::Disabled),
        "destroyed" => Ok(KeyState::Destroyed),
        _ => Err(invalid(format!(
            "{place}: `state` must be `primary`, `enabled`, `disabled` or `destroyed`"
        ))),
    }
}

/// Returns the parser's error with the name of a repeated member replaced
/// by `[redacted]`, unless it is a member name of the keyring format.
fn redacted_json_error(error: JsonError) -> KeyringError {
    let error = match error {
        JsonError::DuplicateMember { name } if !is_format_member(&name) => {
            JsonError::DuplicateMember {
                name: String::from("[redacted]"),
            }
        }
        error => error,
    };
    KeyringError::InvalidJson(error)
}

fn invalid(reason: String) -> KeyringError {
    KeyringError::InvalidKeyring { reason }
}
