//! Guard configuration files.
//!
//! A configuration is a JSON object (unknown fields rejected):
//!
//! ```json
//! {
//!   "jwks": "jwks.json",
//!   "policy": "policy.json",
//!   "validation": { "issuers": ["https://issuer.example"], "audiences": ["api"] },
//!   "principal": { "roles_claims": ["roles"] }
//! }
//! ```
//!
//! `jwks` and `policy` are paths relative to the configuration file, or the
//! documents themselves inline. `validation` and `principal` are the core's
//! [`Validation`] and [`PrincipalMapping`].

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use mem8_guard::guard::{Guard, GuardConfig, PrincipalMapping};
use mem8_guard::json::{self, JsonLimits};
use mem8_guard::policy::{Policy, PolicyError};
use mem8_guard::token::{KeySet, Validation};
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

/// Largest configuration, key set, policy, claims or token file read, in
/// bytes: 16 MiB. Parsing a policy takes about 30 times its size in memory.
/// Guard modules have their own limit, [`MAX_MODULE_BYTES`].
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Limits for reading a configuration file. The core parses an inline key
/// set or policy again under its own limits, so the file around them may
/// nest as deep as the parser can check. A policy at `max_json_depth` then
/// loads inline as it loads from its own file.
const CONFIG_LIMITS: JsonLimits = JsonLimits {
    max_depth: json::MAX_SUPPORTED_DEPTH,
    max_members: 100_000,
};

/// A document given by path or inline.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Source {
    Path(PathBuf),
    Inline(Value),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    jwks: Source,
    policy: Source,
    #[serde(default)]
    validation: Validation,
    #[serde(default)]
    principal: PrincipalMapping,
}

/// Why a configuration could not be loaded. The message names the file and
/// what is wrong with it.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn new(path: &Path, what: impl fmt::Display) -> Self {
        Self {
            message: format!("`{}`: {what}", shown(path)),
        }
    }
}

/// A path for messages, with control characters escaped and cut at 200
/// characters.
pub fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    let mut escaped: String = text
        .chars()
        .take(200)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > 200 {
        escaped.push_str("...");
    }
    escaped
}

/// Largest guard module read, in bytes: 64 MiB, the limit of a bundle file
/// ([`bundle::MAX_FILE_BYTES`](crate::bundle::MAX_FILE_BYTES)), so that a
/// module that runs from `--module` also fits in a bundle, and the reverse.
pub const MAX_MODULE_BYTES: u64 = crate::bundle::MAX_FILE_BYTES;

/// Reads a whole file of at most [`MAX_FILE_BYTES`]. The limit holds for
/// devices and pipes too, whose reported size is 0.
///
/// # Errors
///
/// A [`ConfigError`] naming the file when it cannot be read or is too large.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    read_file_up_to(path, MAX_FILE_BYTES)
}

/// Reads a guard module file of at most [`MAX_MODULE_BYTES`].
///
/// # Errors
///
/// A [`ConfigError`] naming the file when it cannot be read or is too large.
pub fn read_module(path: &Path) -> Result<Vec<u8>, ConfigError> {
    read_file_up_to(path, MAX_MODULE_BYTES)
}

fn read_file_up_to(path: &Path, max: u64) -> Result<Vec<u8>, ConfigError> {
    let file = File::open(path).map_err(|error| ConfigError::new(path, error))?;
    read_bounded_to(file, max).map_err(|error| ConfigError::new(path, error))
}

/// Reads `source` to its end, failing once it passes [`MAX_FILE_BYTES`].
///
/// # Errors
///
/// The read error, or an `InvalidData` error when the input is too large.
pub fn read_bounded(source: impl Read) -> std::io::Result<Vec<u8>> {
    read_bounded_to(source, MAX_FILE_BYTES)
}

fn read_bounded_to(mut source: impl Read, max: u64) -> std::io::Result<Vec<u8>> {
    // Key files come through here, so the buffer never grows in place: a
    // reallocation would free the old copy as it is. It grows into a new
    // buffer instead, and the old one is zeroized when it drops.
    let mut bytes = Zeroizing::new(Vec::with_capacity(READ_CHUNK_BYTES));
    let mut chunk = Zeroizing::new([0_u8; READ_CHUNK_BYTES]);
    loop {
        let read = match source.read(&mut chunk[..]) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let len = bytes.len().saturating_add(read);
        if len as u64 > max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("input is larger than the limit of {max} bytes"),
            ));
        }
        if len > bytes.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(len.max(bytes.capacity() * 2)));
            grown.extend_from_slice(&bytes);
            bytes = grown;
        }
        bytes.extend_from_slice(&chunk[..read]);
    }
    Ok(std::mem::take(&mut *bytes))
}

/// The size of one read in [`read_bounded_to`], and its first buffer.
const READ_CHUNK_BYTES: usize = 8 * 1024;

/// Loads a JWK Set file that has at least one usable key.
///
/// # Errors
///
/// A [`ConfigError`] naming the file when it cannot be read, is not a valid
/// key set, or has no key this crate can verify with.
pub fn load_key_set(path: &Path) -> Result<KeySet, ConfigError> {
    let bytes = Zeroizing::new(read_file(path)?);
    let keys = KeySet::from_json(&bytes).map_err(|error| ConfigError::new(path, error))?;
    require_keys(keys).map_err(|what| ConfigError::new(path, what))
}

/// Rejects a key set without usable keys, which would reject every token
/// with a misleading error.
fn require_keys(keys: KeySet) -> Result<KeySet, String> {
    if keys.is_empty() {
        return Err(format!(
            "key set has no usable key ({} skipped as unsupported key types, curves, \
             algorithms or uses)",
            keys.skipped()
        ));
    }
    Ok(keys)
}

/// Resolves a `jwks` or `policy` path, refusing JSON text written as a string,
/// which is a likely mistake that would echo the document (and any secret in
/// it) in a "file not found" error.
fn resolve(
    base: &Path,
    relative: &Path,
    member: &str,
    config: &Path,
) -> Result<PathBuf, ConfigError> {
    let text = relative.to_string_lossy();
    if text.trim_start().starts_with(['{', '[']) {
        return Err(ConfigError::new(
            config,
            format!(
                "`{member}` must be a path or an inline JSON object, not JSON text in a string"
            ),
        ));
    }
    Ok(base.join(relative))
}

/// Loads a guard configuration file with its key set and policy. A policy
/// path ending in `.json` is read in the JSON form, any other in the text
/// form.
///
/// # Errors
///
/// A [`ConfigError`] naming the file at fault: the configuration, the key set
/// or the policy.
pub fn load_guard(path: &Path) -> Result<Guard, ConfigError> {
    let file = read_config(path)?;
    let base = path.parent().unwrap_or(Path::new("."));

    let keys = match file.jwks {
        Source::Path(relative) => load_key_set(&resolve(base, &relative, "jwks", path)?)?,
        Source::Inline(value) => KeySet::from_json(value.to_string().as_bytes())
            .map_err(|error| format!("inline `jwks`: {error}"))
            .and_then(require_keys)
            .map_err(|what| ConfigError::new(path, what))?,
    };
    let policy = match file.policy {
        Source::Path(relative) => {
            let policy_path = resolve(base, &relative, "policy", path)?;
            let bytes = read_file(&policy_path)?;
            let loaded = if policy_form(&policy_path) == PolicyForm::Json {
                Policy::from_json(&bytes).map_err(|error| policy_json_message(&error, &bytes))
            } else {
                let text = String::from_utf8(bytes)
                    .map_err(|_| ConfigError::new(&policy_path, "policy file is not UTF-8"))?;
                Policy::from_text(&text).map_err(|error| error.to_string())
            };
            loaded.map_err(|message| ConfigError::new(&policy_path, message))?
        }
        Source::Inline(value) => Policy::from_json(value.to_string().as_bytes())
            .map_err(|error| ConfigError::new(path, format_args!("inline `policy`: {error}")))?,
    };

    let mut config = GuardConfig::default();
    config.validation = file.validation;
    config.principal = file.principal;
    Ok(Guard::new(config, keys, policy))
}

/// Reads a configuration file and checks its validation options.
fn read_config(path: &Path) -> Result<ConfigFile, ConfigError> {
    let bytes = read_file(path)?;
    let value =
        json::parse_value(&bytes, &CONFIG_LIMITS).map_err(|error| ConfigError::new(path, error))?;
    let file: ConfigFile =
        json::from_value_in(&value, &bytes).map_err(|error| ConfigError::new(path, error))?;
    file.validation
        .check()
        .map_err(|error| ConfigError::new(path, format_args!("`validation`: {error}")))?;
    Ok(file)
}

/// The form a policy document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyForm {
    /// The JSON form.
    Json,
    /// The text form, which a runtime converts to the JSON form.
    Text,
}

/// Returns the form of the policy file at `path`: JSON when its name ends
/// in `.json`, else the text form, as for the `policy` commands.
pub fn policy_form(path: &Path) -> PolicyForm {
    if path.extension().is_some_and(|ext| ext == "json") {
        PolicyForm::Json
    } else {
        PolicyForm::Text
    }
}

/// Returns the message for a policy file named `*.json` that failed to load
/// from `bytes`. When the file looks like the text form, the message adds
/// that the file name selects the form.
pub fn policy_json_message(error: &PolicyError, bytes: &[u8]) -> String {
    if !error.suggests_text_form(bytes) {
        return error.to_string();
    }
    format!(
        "{error}; the file does not start with `{{`, so it may be in the text form, which is \
         read from a file whose name does not end in `.json`"
    )
}

/// The documents of a guard configuration as text, for a runtime that
/// parses them itself, such as the wasmtime host.
#[derive(Debug, Clone)]
pub struct GuardDocuments {
    /// The JWK Set, as JSON text.
    pub jwks_json: String,
    /// The key set's place for messages: its file, or the configuration
    /// file's inline `jwks`, in backticks.
    pub jwks_origin: String,
    /// The policy document, in the form `policy_form` names.
    pub policy: String,
    /// The form of `policy`: the text form for a policy file whose name
    /// does not end in `.json`, else JSON.
    pub policy_form: PolicyForm,
    /// The policy's place for messages, as `jwks_origin`.
    pub policy_origin: String,
    /// Validation options and principal mapping.
    pub config: GuardConfig,
}

/// Reads a guard configuration file and the files it names, without
/// parsing the key set or the policy.
///
/// # Errors
///
/// A [`ConfigError`] naming the file that is missing, too large or not
/// JSON, or the configuration field that is invalid.
pub fn load_guard_documents(path: &Path) -> Result<GuardDocuments, ConfigError> {
    let file = read_config(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let read = |source: Source, field: &str| -> Result<(String, String, PolicyForm), ConfigError> {
        match source {
            Source::Inline(value) => {
                let origin = format!("`{}`: inline `{field}`", shown(path));
                Ok((value.to_string(), origin, PolicyForm::Json))
            }
            Source::Path(relative) => {
                let document = resolve(base, &relative, field, path)?;
                let text = String::from_utf8(read_file(&document)?)
                    .map_err(|_| ConfigError::new(&document, "file is not UTF-8"))?;
                Ok((
                    text,
                    format!("`{}`", shown(&document)),
                    policy_form(&document),
                ))
            }
        }
    };
    let (jwks_json, jwks_origin, _) = read(file.jwks, "jwks")?;
    let (policy, policy_origin, policy_form) = read(file.policy, "policy")?;
    let mut config = GuardConfig::default();
    config.validation = file.validation;
    config.principal = file.principal;
    Ok(GuardDocuments {
        jwks_json,
        jwks_origin,
        policy,
        policy_form,
        policy_origin,
        config,
    })
}
