//! Signed bundles: a guard module, a policy and a manifest with a version
//! number, signed with Ed25519.
//!
//! A bundle is a folder with four files:
//!
//! | file | contains |
//! |---|---|
//! | `module.wasm` | the component built from `wasm/guest` |
//! | `policy.json` | a policy document |
//! | `manifest.json` | `{"format":1,"version":N,"created":T,"module_sha256":H,"policy_sha256":H}` |
//! | `manifest.sig` | `{"kid":K,"signature":S}`: an Ed25519 signature (base64url) over [`SIGNATURE_CONTEXT`] followed by the exact bytes of `manifest.json` |
//!
//! The signature covers the manifest, and the manifest covers the other two
//! files by their SHA-256, so changing any byte of any file is detected.
//! [`BundleHost`] adds rollback protection: it rejects a bundle whose
//! version is lower than the loaded one, and keeps the loaded bundle
//! whenever a new one is rejected.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use mem8_guard::json::{self, is_invisible, JsonLimits, Printable};
use mem8_guard::policy::{Policy, PolicyError, PolicyLimits};
use mem8_guard::token::{self, KeyError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::sandbox::{self, HostConfig, HostError, HostGuard, HostPolicy};

/// Bytes signed before the manifest, so a bundle signature cannot be
/// replayed as a signature of another kind of message made with the same key.
pub const SIGNATURE_CONTEXT: &[u8] = b"mem8-guard bundle manifest v1\n";

/// The manifest format this version reads and writes.
pub const MANIFEST_FORMAT: u32 = 1;

/// Largest file a bundle may contain, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Limits for JWK files: depth 2 covers a JWK Set's `keys` array, and one
/// more level its JWKs' `key_ops`.
const KEY_FILE_LIMITS: JsonLimits = JsonLimits {
    max_depth: 4,
    max_members: 1000,
};

const MODULE_FILE: &str = "module.wasm";
const POLICY_FILE: &str = "policy.json";
const MANIFEST_FILE: &str = "manifest.json";
const SIGNATURE_FILE: &str = "manifest.sig";

/// An error reading, verifying, loading or writing a bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A file could not be read or written.
    #[error("`{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is larger than [`MAX_FILE_BYTES`].
    #[error("`{path}` is larger than the limit of {MAX_FILE_BYTES} bytes for a bundle file")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// A bundle file is not a regular file, or a symbolic link to one: a
    /// device or FIFO is never opened, because reading it might not end.
    #[error("`{path}` is not a regular file; a bundle contains only regular files")]
    NotRegularFile {
        /// The file.
        path: String,
    },
    /// The module given to [`write_bundle`] is not a WebAssembly component
    /// that a host loads.
    #[error("invalid module: {reason}")]
    InvalidModule {
        /// The reason, naming what the bytes are instead.
        reason: String,
    },
    /// The policy given to [`write_bundle`] does not load.
    #[error("invalid policy: {0}")]
    InvalidPolicy(PolicyError),
    /// The manifest or signature file is not valid.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// `manifest` or `signature`.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A key file is not an Ed25519 JWK (or JWK Set) of the expected kind.
    #[error("invalid bundle key: {reason}")]
    InvalidKey {
        /// What is wrong.
        reason: String,
    },
    /// A trusted key carries private key material. Trusted keys are public
    /// keys only, as the core's key sets for verification are.
    #[error("invalid trusted keys: {0}")]
    PrivateKey(KeyError),
    /// No trusted key verifies the signature.
    #[error(
        "bundle signature does not verify with any trusted key (signed by key id `{}`)",
        Printable(.kid.as_str())
    )]
    BadSignature {
        /// The key id the signature names. It is not signed, so `Display`
        /// escapes it and cuts it at 64 characters.
        kid: String,
    },
    /// A file does not match its SHA-256 in the manifest.
    #[error("`{file}` does not match its SHA-256 in the manifest")]
    DigestMismatch {
        /// The file.
        file: &'static str,
    },
    /// The bundle is older than the loaded one.
    #[error(
        "bundle version `{found}` is lower than the loaded version `{loaded}`; rollback rejected"
    )]
    Rollback {
        /// The rejected bundle's version.
        found: u64,
        /// The loaded bundle's version.
        loaded: u64,
    },
    /// The bundle's version is lower than the host's configured minimum.
    #[error(
        "bundle version `{found}` is lower than the minimum version `{min}`; rollback rejected"
    )]
    BelowMinimum {
        /// The rejected bundle's version.
        found: u64,
        /// The minimum, from [`BundleHost::with_min_version`].
        min: u64,
    },
    /// The bundle has the loaded version but other contents.
    #[error("bundle version `{version}` is already loaded with other contents; give the new bundle a higher version")]
    VersionReused {
        /// The version.
        version: u64,
    },
    /// The module or policy failed to load in the sandbox.
    #[error("bundle rejected by the sandbox: {0}")]
    Host(#[from] HostError),
}

/// The signed description of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleManifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The bundle's version; a loaded bundle is only replaced by a higher one.
    pub version: u64,
    /// Creation time, Unix seconds.
    pub created: u64,
    /// SHA-256 of `module.wasm`, lowercase hex.
    pub module_sha256: String,
    /// SHA-256 of `policy.json`, lowercase hex.
    pub policy_sha256: String,
}

/// The signature file's contents.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    kid: String,
    signature: String,
}

/// A bundle whose signature and digests verified.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The manifest.
    pub manifest: BundleManifest,
    /// The module's bytes.
    pub module: Vec<u8>,
    /// The policy document.
    pub policy: String,
    /// SHA-256 of the manifest's bytes, which identifies the contents.
    pub manifest_sha256: [u8; 32],
}

/// An Ed25519 key that signs bundles.
pub struct BundleSigner {
    key: SigningKey,
    kid: String,
}

impl std::fmt::Debug for BundleSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleSigner")
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl BundleSigner {
    /// Reads a private Ed25519 JWK (`kty` `OKP`, `crv` `Ed25519`, with `d`
    /// and `x`), as `mem8-guard keygen --alg EdDSA` prints it.
    ///
    /// # Errors
    ///
    /// [`BundleError::InvalidKey`] for text that is not strict JSON (a
    /// repeated member name included) and for another kind of key. Also for
    /// a `d` whose public key is not `x`, because its bundles would fail
    /// verification against that JWK's own public part.
    pub fn from_jwk_json(text: &str) -> Result<Self, BundleError> {
        let mut jwk = parse_okp(text, "sign")?;
        let secret = match jwk.remove("d") {
            Some(Value::String(secret)) => Zeroizing::new(secret),
            _ => return Err(invalid_key("the JWK has no private part `d`")),
        };
        let bytes = Zeroizing::new(decode_32(&secret, "d")?);
        let key = SigningKey::from_bytes(&bytes);
        let x = jwk
            .get("x")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_key("the JWK has no public part `x`"))?;
        // `x` is public, so comparing it in variable time reveals nothing.
        if decode_32(x, "x")? != key.verifying_key().to_bytes() {
            return Err(invalid_key(
                "member `d` does not match the public key `x`; use the JWK that \
                 `mem8-guard keygen --alg EdDSA` printed, unchanged",
            ));
        }
        let kid = match jwk.get("kid").and_then(Value::as_str) {
            Some(kid) => String::from(kid),
            None => key_thumbprint(&key.verifying_key()),
        };
        Ok(Self { key, kid })
    }

    /// The key id written into signatures.
    pub fn kid(&self) -> &str {
        &self.kid
    }
}

/// The public keys a host accepts bundles from.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    keys: Vec<(String, VerifyingKey)>,
}

impl TrustedKeys {
    /// Reads one public Ed25519 JWK or a JWK Set of them. A key without
    /// `kid` gets its thumbprint (first 16 hex digits of the SHA-256 of the
    /// raw public key), as [`BundleSigner`] does.
    ///
    /// # Errors
    ///
    /// [`BundleError::PrivateKey`] when a key has a private member, such as
    /// `d`, which belongs only in the signer's key file. This is checked
    /// before anything else about the key. [`BundleError::InvalidKey`] for
    /// text that is not strict JSON, a repeated member name included. Also
    /// for a key that is not Ed25519 or whose `alg`, `use` or `key_ops` do
    /// not allow verifying, and for an empty set.
    pub fn from_json(text: &str) -> Result<Self, BundleError> {
        let value = parse_key_file(text)?;
        let members = match value {
            Value::Object(mut object) if object.contains_key("keys") => match object.remove("keys")
            {
                Some(Value::Array(keys)) => keys,
                _ => return Err(invalid_key("`keys` must be an array of JWKs")),
            },
            value => vec![value],
        };
        let mut keys = Vec::new();
        for (index, member) in members.into_iter().enumerate() {
            if let Value::Object(jwk) = &member {
                if let Some(private) = token::private_member(jwk) {
                    return Err(BundleError::PrivateKey(KeyError::PrivateKey {
                        index,
                        kid: jwk
                            .get("kid")
                            .and_then(Value::as_str)
                            .map(|kid| kid.escape_debug().take(64).collect()),
                        member: private,
                    }));
                }
            }
            let jwk = check_okp(member, "verify")?;
            let x = jwk
                .get("x")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid_key("the JWK has no public part `x`"))?;
            let key = VerifyingKey::from_bytes(&decode_32(x, "x")?)
                .map_err(|_| invalid_key("`x` is not an Ed25519 public key"))?;
            let kid = match jwk.get("kid").and_then(Value::as_str) {
                Some(kid) => String::from(kid),
                None => key_thumbprint(&key),
            };
            keys.push((kid, key));
        }
        if keys.is_empty() {
            return Err(invalid_key("the key set is empty"));
        }
        Ok(Self { keys })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Returns `true` when there are no keys (never, for a parsed set).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Writes a signed bundle of `module` and `policy` (the JSON form) into
/// `dir`, creating it. Before signing, it checks that a host would load
/// both: `module` compiles and links against the guard world, and `policy`
/// loads under the default limits. The compile takes about a second.
///
/// # Errors
///
/// [`BundleError::InvalidModule`] or [`BundleError::InvalidPolicy`] for
/// contents no host would load; [`BundleError::Io`] when a file cannot be
/// written.
pub fn write_bundle(
    dir: &Path,
    module: &[u8],
    policy: &str,
    version: u64,
    created: u64,
    signer: &BundleSigner,
) -> Result<BundleManifest, BundleError> {
    sandbox::check_component_header(module)
        .map_err(|reason| BundleError::InvalidModule { reason })?;
    sandbox::check_module_loads(module).map_err(|error| BundleError::InvalidModule {
        reason: match error {
            HostError::Load { reason } => reason,
            other => other.to_string(),
        },
    })?;
    Policy::from_json_with_limits(policy.as_bytes(), &PolicyLimits::default())
        .map_err(BundleError::InvalidPolicy)?;

    let manifest = BundleManifest {
        format: MANIFEST_FORMAT,
        version,
        created,
        module_sha256: hex(&Sha256::digest(module)),
        policy_sha256: hex(&Sha256::digest(policy.as_bytes())),
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|error| BundleError::Invalid {
            what: "manifest",
            reason: error.to_string(),
        })?;
    manifest_bytes.push(b'\n');
    let signature = signer.key.sign(&signed_message(&manifest_bytes));
    let signature_file = SignatureFile {
        kid: signer.kid.clone(),
        signature: URL_SAFE_NO_PAD.encode(signature.to_bytes()),
    };
    let signature_bytes =
        serde_json::to_vec(&signature_file).map_err(|error| BundleError::Invalid {
            what: "signature",
            reason: error.to_string(),
        })?;

    // Each file is replaced on its own. A reader between two renames reads
    // files of two bundles, whose digests then fail the signature check.
    fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    write_file(dir, MODULE_FILE, module)?;
    write_file(dir, POLICY_FILE, policy.as_bytes())?;
    write_file(dir, MANIFEST_FILE, &manifest_bytes)?;
    write_file(dir, SIGNATURE_FILE, &signature_bytes)?;
    Ok(manifest)
}

/// Escapes the characters that [`is_invisible`] selects in a message about
/// an unsigned file, and cuts it at 200 characters, because serde quotes
/// unknown member names in it.
fn escaped_message(message: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut escaped = String::new();
    for (index, c) in message.chars().enumerate() {
        if index == MAX_CHARS {
            escaped.push_str("...");
            break;
        }
        if is_invisible(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Reads the bundle in `dir` and checks its signature against `trusted`
/// and each file against its digest.
///
/// # Errors
///
/// [`BundleError::BadSignature`], [`BundleError::DigestMismatch`],
/// [`BundleError::Invalid`] or [`BundleError::Io`].
pub fn read_bundle(dir: &Path, trusted: &TrustedKeys) -> Result<Bundle, BundleError> {
    let manifest_bytes = read_file(&dir.join(MANIFEST_FILE))?;
    let signature_bytes = read_file(&dir.join(SIGNATURE_FILE))?;
    let signature_file: SignatureFile =
        serde_json::from_slice(&signature_bytes).map_err(|error| BundleError::Invalid {
            what: "signature",
            reason: escaped_message(&error.to_string()),
        })?;
    verify_signature(&manifest_bytes, &signature_file, trusted)?;

    // Only signed bytes are parsed past this point.
    let manifest: BundleManifest =
        serde_json::from_slice(&manifest_bytes).map_err(|error| BundleError::Invalid {
            what: "manifest",
            reason: error.to_string(),
        })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(BundleError::Invalid {
            what: "manifest",
            reason: format!(
                "unsupported format `{}`; this host reads format {MANIFEST_FORMAT}",
                manifest.format
            ),
        });
    }
    let module = read_file(&dir.join(MODULE_FILE))?;
    if hex(&Sha256::digest(&module)) != manifest.module_sha256 {
        return Err(BundleError::DigestMismatch { file: MODULE_FILE });
    }
    let policy_bytes = read_file(&dir.join(POLICY_FILE))?;
    if hex(&Sha256::digest(&policy_bytes)) != manifest.policy_sha256 {
        return Err(BundleError::DigestMismatch { file: POLICY_FILE });
    }
    let policy = String::from_utf8(policy_bytes).map_err(|_| BundleError::Invalid {
        what: "manifest",
        reason: String::from("`policy.json` is not UTF-8"),
    })?;
    Ok(Bundle {
        manifest,
        module,
        policy,
        manifest_sha256: Sha256::digest(&manifest_bytes).into(),
    })
}

fn verify_signature(
    manifest: &[u8],
    file: &SignatureFile,
    trusted: &TrustedKeys,
) -> Result<(), BundleError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(&file.signature)
        .map_err(|_| BundleError::Invalid {
            what: "signature",
            reason: String::from("`signature` is not base64url"),
        })?;
    let signature = Signature::from_slice(&bytes).map_err(|_| BundleError::Invalid {
        what: "signature",
        reason: String::from("`signature` is not 64 bytes"),
    })?;
    let message = signed_message(manifest);
    let verified = trusted
        .keys
        .iter()
        .filter(|(kid, _)| *kid == file.kid)
        .any(|(_, key)| key.verify_strict(&message, &signature).is_ok());
    if verified {
        Ok(())
    } else {
        Err(BundleError::BadSignature {
            kid: file.kid.clone(),
        })
    }
}

/// A bundle loaded into the sandbox: its manifest, host and policy.
#[derive(Debug)]
pub struct LoadedBundle {
    /// The verified manifest.
    pub manifest: BundleManifest,
    /// The sandbox running the bundle's module.
    pub guard: HostGuard,
    /// The bundle's policy, loaded in that sandbox.
    pub policy: HostPolicy,
    /// The bundle's policy document.
    pub policy_json: String,
    manifest_sha256: [u8; 32],
}

/// Loads signed bundles with rollback protection, and keeps the loaded one
/// in place whenever a new one is rejected.
#[derive(Debug)]
pub struct BundleHost {
    trusted: TrustedKeys,
    config: HostConfig,
    min_version: u64,
    current: RwLock<Option<Arc<LoadedBundle>>>,
}

impl BundleHost {
    /// A host with no bundle loaded.
    pub fn new(trusted: TrustedKeys, config: HostConfig) -> Self {
        Self {
            trusted,
            config,
            min_version: 0,
            current: RwLock::new(None),
        }
    }

    /// Rejects every bundle whose version is lower than `min_version`, the
    /// first one included. The check against the loaded bundle lasts only
    /// as long as this host. A service keeps its floor across restarts by
    /// storing the version it last ran and passing it here.
    #[must_use]
    pub fn with_min_version(mut self, min_version: u64) -> Self {
        self.min_version = min_version;
        self
    }

    /// The loaded bundle, if any.
    pub fn current(&self) -> Option<Arc<LoadedBundle>> {
        self.current.read().ok().and_then(|current| current.clone())
    }

    /// Verifies the bundle in `dir`, loads its module and policy, and makes
    /// it the current bundle. Loading the current bundle again is a no-op.
    ///
    /// # Errors
    ///
    /// Every [`BundleError`]; the current bundle stays loaded on any of them.
    pub fn load(&self, dir: &Path) -> Result<Arc<LoadedBundle>, BundleError> {
        let result = self.try_load(dir);
        match &result {
            Ok(loaded) => {
                tracing::info!(bundle = %dir.display(), version = loaded.manifest.version, "loaded bundle")
            }
            // A service with a bundle loaded keeps serving it, which its
            // operator must hear about. Without one, the caller has the
            // error and reports it.
            Err(error) if self.current().is_some() => {
                tracing::warn!(bundle = %dir.display(), %error, "rejected bundle; keeping the loaded one")
            }
            Err(error) => {
                tracing::info!(bundle = %dir.display(), %error, "rejected bundle; no bundle is loaded")
            }
        }
        result
    }

    fn try_load(&self, dir: &Path) -> Result<Arc<LoadedBundle>, BundleError> {
        let bundle = read_bundle(dir, &self.trusted)?;
        if bundle.manifest.version < self.min_version {
            return Err(BundleError::BelowMinimum {
                found: bundle.manifest.version,
                min: self.min_version,
            });
        }
        if let Some(current) = self.current() {
            check_version(&current, &bundle)?;
            if current.manifest_sha256 == bundle.manifest_sha256 {
                return Ok(current);
            }
        }

        let guard = HostGuard::new(&bundle.module, self.config.clone())?;
        let policy = guard.policy(&bundle.policy, &PolicyLimits::default())?;
        let loaded = Arc::new(LoadedBundle {
            manifest: bundle.manifest,
            guard,
            policy,
            policy_json: bundle.policy,
            manifest_sha256: bundle.manifest_sha256,
        });

        let mut current = self.current.write().map_err(|_| {
            BundleError::Host(HostError::Internal {
                reason: String::from("bundle lock poisoned by a panic in another thread"),
            })
        })?;
        // Another thread may have loaded a bundle meanwhile.
        if let Some(existing) = current.as_ref() {
            if existing.manifest.version >= loaded.manifest.version
                && existing.manifest_sha256 != loaded.manifest_sha256
            {
                return Err(BundleError::Rollback {
                    found: loaded.manifest.version,
                    loaded: existing.manifest.version,
                });
            }
        }
        *current = Some(Arc::clone(&loaded));
        Ok(loaded)
    }
}

fn check_version(current: &LoadedBundle, bundle: &Bundle) -> Result<(), BundleError> {
    let loaded = current.manifest.version;
    let found = bundle.manifest.version;
    if found < loaded {
        return Err(BundleError::Rollback { found, loaded });
    }
    if found == loaded && current.manifest_sha256 != bundle.manifest_sha256 {
        return Err(BundleError::VersionReused { version: found });
    }
    Ok(())
}

fn signed_message(manifest: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_CONTEXT.len() + manifest.len());
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(manifest);
    message
}

fn parse_okp(text: &str, operation: &str) -> Result<serde_json::Map<String, Value>, BundleError> {
    check_okp(parse_key_file(text)?, operation)
}

/// Parses a JWK or JWK Set file with the core's strict parser, which
/// rejects repeated member names: otherwise the last of two `x` members
/// would be used while a reader sees the first.
fn parse_key_file(text: &str) -> Result<Value, BundleError> {
    json::parse_value(text.as_bytes(), &KEY_FILE_LIMITS)
        .map_err(|error| invalid_key(&format!("not strict JSON: {error}")))
}

/// Checks that `value` is an Ed25519 JWK whose optional `alg`, `use` and
/// `key_ops` allow `operation` (`sign` or `verify`) with EdDSA.
fn check_okp(value: Value, operation: &str) -> Result<serde_json::Map<String, Value>, BundleError> {
    let Value::Object(jwk) = value else {
        return Err(invalid_key("a JWK must be a JSON object"));
    };
    let kty = jwk.get("kty").and_then(Value::as_str);
    let crv = jwk.get("crv").and_then(Value::as_str);
    if kty != Some("OKP") || crv != Some("Ed25519") {
        return Err(invalid_key(
            "bundles are signed with Ed25519 keys (`kty` `OKP`, `crv` `Ed25519`)",
        ));
    }
    if let Some(alg) = jwk.get("alg") {
        if alg != "EdDSA" && alg != "Ed25519" {
            return Err(invalid_key(&format!(
                "the JWK's `alg` is {}, but bundles are signed with `EdDSA`; remove `alg` or set it to `EdDSA`",
                shown_member(alg)
            )));
        }
    }
    if let Some(usage) = jwk.get("use") {
        if usage != "sig" {
            return Err(invalid_key(&format!(
                "the JWK's `use` is {}, not `sig`; remove `use` or set it to `sig`",
                shown_member(usage)
            )));
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let allowed = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == operation));
        if !allowed {
            return Err(invalid_key(&format!(
                "the JWK's `key_ops` does not include `{operation}`"
            )));
        }
    }
    Ok(jwk)
}

/// A JWK member's value for a message: a short string as written, else
/// its JSON type, so that key material pasted there is not repeated.
fn shown_member(value: &Value) -> String {
    match value.as_str() {
        Some(text) if text.len() <= 16 => format!("`{}`", text.escape_debug()),
        Some(_) => String::from("a long string"),
        None => String::from("not a string"),
    }
}

fn decode_32(text: &str, member: &str) -> Result<[u8; 32], BundleError> {
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| invalid_key(&format!("`{member}` is not base64url")))?,
    );
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| invalid_key(&format!("`{member}` is not 32 bytes")))
}

fn key_thumbprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex(&digest[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn invalid_key(reason: &str) -> BundleError {
    BundleError::InvalidKey {
        reason: String::from(reason),
    }
}

/// Reads a bundle file: a regular file (or a link to one) of at most
/// [`MAX_FILE_BYTES`]. A device or FIFO reports a length of 0, so the read
/// itself is bounded too, and a FIFO is refused before it is opened, which
/// would wait for a writer.
fn read_file(path: &Path) -> Result<Vec<u8>, BundleError> {
    let metadata = fs::metadata(path).map_err(|source| io_error(path, source))?;
    if !metadata.is_file() {
        return Err(BundleError::NotRegularFile {
            path: path.display().to_string(),
        });
    }
    let file = fs::File::open(path).map_err(|source| io_error(path, source))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(BundleError::TooLarge {
            path: path.display().to_string(),
        });
    }
    Ok(bytes)
}

/// Replaces `name` in `dir` by rename from a new file in the same folder,
/// so that a symbolic link there is replaced, never written through, and a
/// reader sees the old file or the new one.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|source| io_error(dir, source))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|source| io_error(file.path(), source))?;
    let path = dir.join(name);
    file.persist(&path)
        .map_err(|error| io_error(&path, error.error))?;
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> BundleError {
    BundleError::Io {
        path: path.display().to_string(),
        source,
    }
}
