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
use std::fs;
use std::path::{Path, PathBuf};

use mem8_guard::guard::{Guard, GuardConfig, PrincipalMapping};
use mem8_guard::json::{self, JsonLimits};
use mem8_guard::policy::Policy;
use mem8_guard::token::{KeySet, Validation};
use serde::Deserialize;
use serde_json::Value;

/// Largest configuration, key set or policy file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
            message: format!("`{}`: {what}", path.display()),
        }
    }
}

/// Reads a whole file of at most [`MAX_FILE_BYTES`].
///
/// # Errors
///
/// A [`ConfigError`] naming the file when it cannot be read or is too large.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let metadata = fs::metadata(path).map_err(|error| ConfigError::new(path, error))?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ConfigError::new(
            path,
            format!("file is larger than the limit of {MAX_FILE_BYTES} bytes"),
        ));
    }
    fs::read(path).map_err(|error| ConfigError::new(path, error))
}

/// Loads a JWK Set file.
///
/// # Errors
///
/// A [`ConfigError`] naming the file when it cannot be read or is not a valid
/// key set.
pub fn load_key_set(path: &Path) -> Result<KeySet, ConfigError> {
    let bytes = read_file(path)?;
    KeySet::from_json(&bytes).map_err(|error| ConfigError::new(path, error))
}

/// Loads a guard configuration file with its key set and policy.
///
/// # Errors
///
/// A [`ConfigError`] naming the file at fault: the configuration, the key set
/// or the policy.
pub fn load_guard(path: &Path) -> Result<Guard, ConfigError> {
    let bytes = read_file(path)?;
    let limits = JsonLimits {
        max_depth: 64,
        max_members: 100_000,
    };
    let value =
        json::parse_value(&bytes, &limits).map_err(|error| ConfigError::new(path, error))?;
    let file: ConfigFile =
        serde_json::from_value(value).map_err(|error| ConfigError::new(path, error))?;
    let base = path.parent().unwrap_or(Path::new("."));

    let keys = match file.jwks {
        Source::Path(relative) => load_key_set(&base.join(relative))?,
        Source::Inline(value) => KeySet::from_json(value.to_string().as_bytes())
            .map_err(|error| ConfigError::new(path, format_args!("inline `jwks`: {error}")))?,
    };
    let policy = match file.policy {
        Source::Path(relative) => {
            let policy_path = base.join(relative);
            let bytes = read_file(&policy_path)?;
            Policy::from_json(&bytes).map_err(|error| ConfigError::new(&policy_path, error))?
        }
        Source::Inline(value) => Policy::from_json(value.to_string().as_bytes())
            .map_err(|error| ConfigError::new(path, format_args!("inline `policy`: {error}")))?,
    };

    let mut config = GuardConfig::default();
    config.validation = file.validation;
    config.principal = file.principal;
    Ok(Guard::new(config, keys, policy))
}
