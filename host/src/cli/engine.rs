//! `--engine wasm`: routing a command through the wasmtime host.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mem8_guard_host::bundle::{BundleHost, TrustedKeys};
use mem8_guard_host::config;
use mem8_guard_host::sandbox::{HostConfig, HostGuard};

use super::CliError;

/// The environment variable that names the guard module when `--module`
/// and `--bundle` are absent. Only `--engine wasm` reads it.
pub const MODULE_ENV: &str = "MEM8_GUARD_MODULE";

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
    /// wasm`, loaded without a signature check. Default: the file that
    /// MEM8_GUARD_MODULE names, unless --bundle is given.
    #[arg(long, value_name = "FILE", conflicts_with = "bundle")]
    pub module: Option<PathBuf>,
    /// Signed bundle folder for `--engine wasm`; its policy replaces the
    /// configuration's. Needs --trusted-keys.
    #[arg(long, value_name = "DIR", requires = "trusted_keys")]
    pub bundle: Option<PathBuf>,
    /// Public Ed25519 JWK, or JWK Set, that a bundle must be signed with,
    /// for `--engine wasm --bundle`.
    #[arg(long, value_name = "FILE", requires = "bundle")]
    pub trusted_keys: Option<PathBuf>,
    /// Reject a bundle whose version is lower than N, for `--engine wasm
    /// --bundle`. The command keeps no state between runs, so this is its
    /// only protection against an older signed bundle.
    #[arg(long, value_name = "N", requires = "bundle")]
    pub min_version: Option<u64>,
    /// Folder for precompiled modules, created owner-only, for `--engine
    /// wasm`. Default: none, so the module is compiled on every run (about
    /// a second).
    #[arg(long, value_name = "DIR")]
    pub module_cache: Option<PathBuf>,
    /// Memory cap of the module, in MiB, for `--engine wasm`: 2 to 4096.
    /// The guest starts with 1.125 MiB of memory, and 4096 is the most a
    /// 32-bit WebAssembly memory holds. Default: 64. A policy
    /// takes about 15 bytes of module memory per byte of its JSON form.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u16).range(2..=4096))]
    pub max_memory: Option<u16>,
    /// Time limit of one call into the module, in milliseconds, for
    /// `--engine wasm`: 1 to 3600000. Default: 1000. Loading a policy of
    /// 100,000 rules (13.5 MB) takes about 0.7 s on a 2-core machine.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..=3_600_000))]
    pub call_timeout: Option<u32>,
}

/// A host ready to serve, and the policy of its bundle when it came from one.
pub struct LoadedHost {
    pub host: HostGuard,
    pub bundle_policy: Option<String>,
}

impl EngineArgs {
    /// Rejects an option that the chosen engine would ignore, so that a
    /// `--bundle` is never skipped in silence. The native engine reads none
    /// of the seven options, and --trusted-keys needs --bundle. A set
    /// MEM8_GUARD_MODULE is no error, because it is only a default.
    ///
    /// # Errors
    ///
    /// A usage error naming the first such option.
    pub fn check_engine(&self) -> Result<(), CliError> {
        if self.engine == Engine::Wasm {
            // Clap's `requires` does not fire here when --module is given,
            // because --module conflicts with --bundle.
            if self.trusted_keys.is_some() && self.bundle.is_none() {
                let message = "--trusted-keys needs --bundle; a module from --module is \
                               loaded without a signature check";
                return Err(message.into());
            }
            return Ok(());
        }
        let wasm_only = [
            ("--module", self.module.is_some()),
            ("--bundle", self.bundle.is_some()),
            ("--trusted-keys", self.trusted_keys.is_some()),
            ("--min-version", self.min_version.is_some()),
            ("--module-cache", self.module_cache.is_some()),
            ("--max-memory", self.max_memory.is_some()),
            ("--call-timeout", self.call_timeout.is_some()),
        ];
        match wasm_only.iter().find(|(_, given)| *given) {
            Some((option, _)) => Err(format!(
                "{option} needs --engine wasm; the default engine, native, does not read it, \
                 so add --engine wasm or leave out {option}"
            )
            .into()),
            None => Ok(()),
        }
    }

    /// Loads the module or bundle that `--engine wasm` names.
    pub fn load(&self) -> Result<LoadedHost, CliError> {
        let module_env = std::env::var_os(MODULE_ENV).filter(|value| !value.is_empty());
        let mut host_config = HostConfig::default();
        host_config.cache_dir = self.module_cache.clone();
        host_config.max_instances = 2;
        if let Some(mebibytes) = self.max_memory {
            host_config.limits.max_memory_bytes = usize::from(mebibytes).saturating_mul(1 << 20);
        }
        if let Some(milliseconds) = self.call_timeout {
            host_config.limits.deadline = std::time::Duration::from_millis(u64::from(milliseconds));
        }

        if let Some(dir) = &self.bundle {
            if let Some(module) = &module_env {
                return Err(bundle_with_module_env(module));
            }
            let Some(keys_path) = &self.trusted_keys else {
                return Err("--bundle needs --trusted-keys".into());
            };
            let text = String::from_utf8(config::read_file(keys_path)?)
                .map_err(|_| format!("`{}`: not UTF-8", config::shown(keys_path)))?;
            let trusted = TrustedKeys::from_json(&text)
                .map_err(|error| format!("`{}`: {error}", config::shown(keys_path)))?;
            let loader = BundleHost::new(trusted, host_config)
                .with_min_version(self.min_version.unwrap_or(0));
            let loaded = loader
                .load(dir)
                .map_err(|error| format!("`{}`: {error}", config::shown(dir)))?;
            tracing::info!(version = loaded.manifest.version, "running bundle");
            return Ok(LoadedHost {
                host: loaded.guard.clone(),
                bundle_policy: Some(loaded.policy_json.clone()),
            });
        }

        let Some(path) = self.module.clone().or(module_env.map(PathBuf::from)) else {
            return Err(format!(
                "--engine wasm needs --module FILE (or {MODULE_ENV}) or --bundle DIR"
            )
            .into());
        };
        let module = config::read_module(&path)?;
        let host = HostGuard::new(&module, host_config)
            .map_err(|error| format!("`{}`: {error}", config::shown(&path)))?;
        Ok(LoadedHost {
            host,
            bundle_policy: None,
        })
    }
}

/// Builds the error for `--bundle` while MEM8_GUARD_MODULE names a module.
/// The user may not know that the variable is set, so the message names it.
fn bundle_with_module_env(module: &OsString) -> CliError {
    format!(
        "--bundle cannot be used with a module from the environment: {MODULE_ENV} is set to \
         `{}`; unset it to run the bundle",
        config::shown(std::path::Path::new(module))
    )
    .into()
}
