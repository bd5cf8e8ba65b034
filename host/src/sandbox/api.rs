//! [`HostGuard`] and the objects it creates: verifiers, policies and guard
//! pipelines, each mirrored by a guest resource in every instance that
//! serves it.

use std::sync::Arc;

use mem8_guard::guard::{GuardConfig, PrincipalMapping};
use mem8_guard::json::{self, JsonLimits};
use mem8_guard::policy::PolicyLimits;
use mem8_guard::token::{Algorithm, Validation};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::bindings::exports::mem8::guard::token as wit_token;
use super::keyring::HostKeyring;
use super::objects::{HostPipeline, HostPolicy, HostVerifier};
use super::runtime::Runtime;
use super::{HostConfig, HostError, ModuleSource, WORLD_VERSION};

/// Limits for JSON documents the host re-reads from the guest (claims):
/// the guest already enforced its own.
const DOCUMENT_LIMITS: JsonLimits = JsonLimits {
    max_depth: 128,
    max_members: 1_000_000,
};

/// The versions a module reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleVersion {
    /// The WIT package version it implements, such as `0.1.0`.
    pub world: String,
    /// The `mem8-guard` core version compiled into it.
    pub core: String,
    /// Operations it has beyond its package version.
    pub additions: Vec<String>,
}

/// The protected header of a verified token, with the fields of the core's
/// `token::Header`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The signature algorithm.
    pub alg: Algorithm,
    /// The key id, if any.
    pub kid: Option<String>,
    /// The media type, if any.
    pub typ: Option<String>,
}

/// A JWT whose signature and claims verified, with the fields of the
/// core's `token::VerifiedToken`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Header,
    /// The claims object.
    pub claims: Map<String, Value>,
    /// The decoded payload segment: the exact JSON text `claims` was parsed
    /// from, with numbers as the token writes them.
    pub payload: Vec<u8>,
}

/// A compact JWS whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Header,
    /// The decoded payload.
    pub payload: Vec<u8>,
}

/// A freshly generated signing key.
pub struct GeneratedKey {
    /// The private JWK as JSON text.
    pub private_jwk: Zeroizing<String>,
    /// The public JWK as JSON text; `None` for HMAC secrets.
    pub public_jwk: Option<String>,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("private_jwk", &"[redacted]")
            .field("public_jwk", &self.public_jwk)
            .finish()
    }
}

/// The sandboxed core: one compiled module and a pool of instances.
///
/// Cloning is cheap and shares the pool. Every method may be called from
/// several threads at once; each call runs on its own instance.
#[derive(Clone)]
pub struct HostGuard {
    pub(crate) runtime: Arc<Runtime>,
}

impl std::fmt::Debug for HostGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostGuard")
            .field("source", &self.runtime.source())
            .field("limits", self.runtime.limits())
            .finish_non_exhaustive()
    }
}

impl HostGuard {
    /// Compiles `module` (a component built from `wasm/guest`), or reads
    /// it from the cache, links it and checks its world version.
    ///
    /// # Errors
    ///
    /// [`HostError::Load`] when the module does not compile or link, and
    /// [`HostError::IncompatibleModule`] when it implements another `0.x`
    /// series of the world.
    pub fn new(module: &[u8], config: HostConfig) -> Result<Self, HostError> {
        let runtime = Arc::new(Runtime::new(module, &config)?);
        let host = Self { runtime };
        let version = host.version()?;
        if !compatible(&version.world) {
            return Err(HostError::IncompatibleModule {
                found: version.world,
                expected: String::from(WORLD_VERSION),
            });
        }
        tracing::info!(world = %version.world, core = %version.core, source = ?host.runtime.source(), "loaded guard module");
        Ok(host)
    }

    /// Whether the module was compiled now or read from the cache.
    pub fn module_source(&self) -> ModuleSource {
        self.runtime.source()
    }

    /// The versions the module reports.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn version(&self) -> Result<ModuleVersion, HostError> {
        self.runtime.call(|worker| {
            let info = worker
                .guest
                .mem8_guard_types()
                .call_version(&mut worker.store)?;
            Ok(Ok(ModuleVersion {
                world: info.world_version,
                core: info.core_version,
                additions: info.additions,
            }))
        })
    }

    /// Parses a JWK Set (JSON text) with validation options.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Key` for an invalid key set, or
    /// `InvalidArgument` for invalid options.
    pub fn verifier(
        &self,
        jwks_json: &str,
        validation: &Validation,
    ) -> Result<HostVerifier, HostError> {
        let verifier = HostVerifier {
            handle: ObjectHandle::new(&self.runtime),
            jwks_json: String::from(jwks_json),
            validation_json: to_json(validation)?,
        };
        self.runtime
            .call(|worker| verifier.resource(worker).map(|result| result.map(|_| ())))?;
        Ok(verifier)
    }

    /// Loads a policy document (JSON text) under `limits`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for an invalid document.
    pub fn policy(
        &self,
        document_json: &str,
        limits: &PolicyLimits,
    ) -> Result<HostPolicy, HostError> {
        let policy = HostPolicy {
            handle: ObjectHandle::new(&self.runtime),
            document_json: String::from(document_json),
            limits_json: to_json(limits)?,
        };
        self.runtime
            .call(|worker| policy.resource(worker).map(|result| result.map(|_| ())))?;
        Ok(policy)
    }

    /// Builds a guard pipeline from a JWK Set and a policy document (JSON
    /// text) and the core's [`GuardConfig`].
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Key` for a key set that is not valid,
    /// `Policy` for a policy that is not valid, JSON syntax included, or
    /// `InvalidArgument` for the configuration.
    pub fn pipeline(
        &self,
        jwks_json: &str,
        policy_json: &str,
        config: &GuardConfig,
    ) -> Result<HostPipeline, HostError> {
        #[derive(serde::Serialize)]
        struct Options<'a> {
            validation: &'a Validation,
            principal: &'a PrincipalMapping,
        }

        // The key set and policy cross as written: the core in the module
        // parses each one once, and reports numbers as the text has them.
        let pipeline = HostPipeline {
            handle: ObjectHandle::new(&self.runtime),
            jwks_json: String::from(jwks_json),
            policy_json: String::from(policy_json),
            options_json: to_json(&Options {
                validation: &config.validation,
                principal: &config.principal,
            })?,
        };
        self.runtime
            .call(|worker| pipeline.resource(worker).map(|result| result.map(|_| ())))?;
        Ok(pipeline)
    }

    /// Signs a claims object with a private JWK (JSON text) and returns the
    /// compact JWT.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Key` for an unusable key.
    pub fn sign(
        &self,
        claims: &Map<String, Value>,
        private_jwk_json: &str,
    ) -> Result<String, HostError> {
        let claims_json = Value::Object(claims.clone()).to_string();
        self.runtime.call(|worker| {
            let result = worker.guest.mem8_guard_token().call_sign(
                &mut worker.store,
                &claims_json,
                private_jwk_json,
            )?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Generates a signing key for `alg` with random bytes from the host's
    /// operating system.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Key` for an algorithm that cannot sign.
    pub fn generate_key(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<GeneratedKey, HostError> {
        self.runtime.call(|worker| {
            let result = worker.guest.mem8_guard_token().call_generate_key(
                &mut worker.store,
                alg.as_str(),
                kid,
            )?;
            Ok(result.map_err(HostError::from).map(|key| GeneratedKey {
                private_jwk: Zeroizing::new(key.private_jwk_json),
                public_jwk: key.public_jwk_json,
            }))
        })
    }

    /// Generates a keyring with one primary key, created at `now`.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn generate_keyring(
        &self,
        algorithm: mem8_guard::crypto::AeadAlgorithm,
        now: u64,
    ) -> Result<HostKeyring, HostError> {
        HostKeyring::generate(&self.runtime, algorithm, now)
    }

    /// Loads an unsealed keyring document (JSON text).
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` for an invalid document.
    pub fn keyring_from_json(&self, document: &str) -> Result<HostKeyring, HostError> {
        HostKeyring::from_json(&self.runtime, document)
    }

    /// Opens a sealed keyring with a 32-byte key-encryption key.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Keyring` (`wrong_kek` for the wrong
    /// key) or `InvalidArgument` for a key of another length.
    pub fn open_keyring(&self, sealed: &str, kek: &[u8]) -> Result<HostKeyring, HostError> {
        HostKeyring::open(&self.runtime, sealed, kek)
    }

    /// Encrypts with an explicit key and nonce, for known-answer tests.
    ///
    /// # Security
    ///
    /// Reusing a nonce under a key breaks confidentiality and authenticity;
    /// applications use [`HostKeyring::encrypt`], which draws random nonces.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] for a key or nonce of the wrong length.
    pub fn hazmat_aead_seal(
        &self,
        algorithm: mem8_guard::crypto::AeadAlgorithm,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, HostError> {
        let algorithm = super::keyring::wit_algorithm(algorithm);
        self.runtime.call(|worker| {
            let result = worker.guest.mem8_guard_crypto().call_hazmat_aead_seal(
                &mut worker.store,
                algorithm,
                key,
                nonce,
                aad,
                plaintext,
            )?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Decrypts `ciphertext || tag` with an explicit key and nonce, for
    /// known-answer tests.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Crypto` when the input is not authentic.
    pub fn hazmat_aead_open(
        &self,
        algorithm: mem8_guard::crypto::AeadAlgorithm,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, HostError> {
        let algorithm = super::keyring::wit_algorithm(algorithm);
        self.runtime.call(|worker| {
            let result = worker.guest.mem8_guard_crypto().call_hazmat_aead_open(
                &mut worker.store,
                algorithm,
                key,
                nonce,
                aad,
                sealed,
            )?;
            Ok(result.map_err(HostError::from).map(Zeroizing::new))
        })
    }
}

/// Accepts any `0.1.x` world: patch releases only add operations.
fn compatible(world: &str) -> bool {
    let series = WORLD_VERSION
        .rsplit_once('.')
        .map_or(WORLD_VERSION, |(series, _)| series);
    world
        .strip_prefix(series)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|byte| byte.is_ascii_digit()))
}

/// The id and liveness token of a host object whose guest resources live
/// in the pool's instances.
pub(crate) struct ObjectHandle {
    /// Alive as long as the host object. Declared first, so it is dropped
    /// before `notice` counts the drop, and a worker that sees the new count
    /// also sees the object gone.
    owner: Arc<()>,
    pub(crate) id: u64,
    notice: DropNotice,
}

/// Tells the runtime, when dropped, that a host object is gone.
struct DropNotice {
    runtime: Arc<Runtime>,
}

impl Drop for DropNotice {
    fn drop(&mut self) {
        self.runtime.note_drop();
    }
}

impl ObjectHandle {
    pub(crate) fn new(runtime: &Arc<Runtime>) -> Self {
        Self {
            owner: Arc::new(()),
            id: runtime.next_id(),
            notice: DropNotice {
                runtime: Arc::clone(runtime),
            },
        }
    }

    pub(crate) fn runtime(&self) -> &Arc<Runtime> {
        &self.notice.runtime
    }

    pub(crate) fn owner(&self) -> &Arc<()> {
        &self.owner
    }
}

pub(crate) fn header(header: wit_token::Header) -> Result<Header, HostError> {
    let alg = header
        .alg
        .parse::<Algorithm>()
        .map_err(|_| HostError::InvalidGuestValue {
            reason: format!(
                "unknown algorithm `{}` in a verified header",
                header.alg.escape_debug()
            ),
        })?;
    Ok(Header {
        alg,
        kid: header.kid,
        typ: header.typ,
    })
}

pub(crate) fn claims(text: &str) -> Result<Map<String, Value>, HostError> {
    json::parse_object(text.as_bytes(), &DOCUMENT_LIMITS).map_err(|error| {
        HostError::InvalidGuestValue {
            reason: format!("claims are not a JSON object: {error}"),
        }
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, HostError> {
    serde_json::to_string(value).map_err(|error| HostError::Internal {
        reason: format!("failed to serialize an argument: {error}"),
    })
}
