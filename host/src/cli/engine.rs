//! `--engine wasm`: routing a command through the wasmtime host.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mem8_guard_host::bundle::{BundleHost, TrustedKeys};
use mem8_guard_host::config;
use mem8_guard_host::sandbox::{HostConfig, HostGuard};

use super::CliError;

/// The runtime a command computes its result in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The core compiled into this binary.
    Native,
    /// The core's WebAssembly component, run under wasmtime with limits.
    Wasm,
}

/// Options of the commands that can run in the wasmtime host.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Where the result is computed: `native` (the core in this binary) or
    /// `wasm` (the core's WebAssembly component under wasmtime).
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    pub engine: Engine,
    /// Guard module (a component built from `wasm/guest`) for `--engine
    /// wasm`, loaded without a signature check.
    #[arg(
        long,
        value_name = "FILE",
        env = "MEM8_GUARD_MODULE",
        conflicts_with = "bundle"
    )]
    pub module: Option<PathBuf>,
    /// Signed bundle folder for `--engine wasm`; its policy replaces the
    /// configuration's. Needs --trusted-keys.
    #[arg(long, value_name = "DIR", requires = "trusted_keys")]
    pub bundle: Option<PathBuf>,
    /// Public Ed25519 JWK, or JWK Set, that a bundle must be signed with.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Option<PathBuf>,
    /// Folder for precompiled modules, created owner-only. Default: none,
    /// so the module is compiled on every run (about a second).
    #[arg(long, value_name = "DIR")]
    pub module_cache: Option<PathBuf>,
}

/// A host ready to serve, and the policy of its bundle when it came from one.
pub struct LoadedHost {
    pub host: HostGuard,
    pub bundle_policy: Option<String>,
}

impl EngineArgs {
    /// Loads the module or bundle that `--engine wasm` names.
    pub fn load(&self) -> Result<LoadedHost, CliError> {
        let mut host_config = HostConfig::default();
        host_config.cache_dir = self.module_cache.clone();
        host_config.max_instances = 2;

        if let Some(dir) = &self.bundle {
            let Some(keys_path) = &self.trusted_keys else {
                return Err("--bundle needs --trusted-keys".into());
            };
            let text = String::from_utf8(config::read_file(keys_path)?)
                .map_err(|_| format!("`{}`: not UTF-8", config::shown(keys_path)))?;
            let trusted = TrustedKeys::from_json(&text)
                .map_err(|error| format!("`{}`: {error}", config::shown(keys_path)))?;
            let loader = BundleHost::new(trusted, host_config);
            let loaded = loader
                .load(dir)
                .map_err(|error| format!("`{}`: {error}", config::shown(dir)))?;
            tracing::info!(version = loaded.manifest.version, "running bundle");
            return Ok(LoadedHost {
                host: loaded.guard.clone(),
                bundle_policy: Some(loaded.policy_json.clone()),
            });
        }

        let Some(path) = &self.module else {
            return Err(
                "--engine wasm needs --module FILE (or MEM8_GUARD_MODULE) or --bundle DIR".into(),
            );
        };
        let module = config::read_file(path)?;
        let host = HostGuard::new(&module, host_config)
            .map_err(|error| format!("`{}`: {error}", config::shown(path)))?;
        Ok(LoadedHost {
            host,
            bundle_policy: None,
        })
    }
}
