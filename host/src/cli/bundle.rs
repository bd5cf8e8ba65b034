//! `mem8-guard bundle sign|verify`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use mem8_guard::policy::{parse_text, PolicyLimits};
use mem8_guard_host::bundle::{self, BundleError, BundleSigner, TrustedKeys};
use mem8_guard_host::config::{self, PolicyForm};
use zeroize::Zeroizing;

use super::policy::read_text;
use super::{now_or_clock, CliError};

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write a signed bundle folder: module.wasm, policy.json, manifest.json
    /// and manifest.sig. Prints the manifest.
    Sign(SignArgs),
    /// Check a bundle's signature and file digests; print its manifest and
    /// exit 0 when valid, print the error on stderr and exit 1 when not
    /// (a file over 64 MiB or not a regular file included), and exit 2
    /// when a file cannot be read.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The guard module: a component built from `wasm/guest`, of at most
    /// 64 MiB.
    #[arg(long, value_name = "FILE")]
    module: PathBuf,
    /// The policy the bundle carries: the JSON form when the file name ends
    /// in `.json`, else the text form, which is converted to the JSON form.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Bundle version; hosts reject a bundle older than the one loaded.
    #[arg(long = "bundle-version", value_name = "N")]
    bundle_version: u64,
    /// Private Ed25519 JWK of the signer (`mem8-guard keygen --alg EdDSA`).
    #[arg(long, value_name = "JWK_FILE")]
    key: PathBuf,
    /// Folder to write; created if missing, its bundle files replaced.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Creation time written into the manifest, in Unix seconds. Default:
    /// the system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle folder.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Public Ed25519 JWK, or JWK Set, of the accepted signers.
    #[arg(long, value_name = "FILE")]
    trusted_keys: PathBuf,
    /// Reject a bundle whose version is lower than this.
    #[arg(long, value_name = "N")]
    min_version: Option<u64>,
}

pub fn run(command: BundleCommand) -> Result<ExitCode, CliError> {
    match command {
        BundleCommand::Sign(args) => sign(args),
        BundleCommand::Verify(args) => verify(args),
    }
}

fn sign(args: SignArgs) -> Result<ExitCode, CliError> {
    let key_text = Zeroizing::new(
        String::from_utf8(config::read_file(&args.key)?)
            .map_err(|_| format!("`{}`: not UTF-8", config::shown(&args.key)))?,
    );
    let signer = BundleSigner::from_jwk_json(&key_text)
        .map_err(|error| format!("`{}`: {error}", config::shown(&args.key)))?;
    let module = config::read_module(&args.module)?;
    let policy_text = read_text(&args.policy)?;
    let policy = match config::policy_form(&args.policy) {
        PolicyForm::Json => policy_text,
        PolicyForm::Text => policy_json_from_text(&args.policy, &policy_text)?,
    };
    let created = now_or_clock(args.now)?;
    let manifest = bundle::write_bundle(
        &args.out,
        &module,
        &policy,
        args.bundle_version,
        created,
        &signer,
    )
    .map_err(|error| -> CliError {
        match &error {
            BundleError::InvalidModule { .. } => {
                format!("`{}`: {error}", config::shown(&args.module)).into()
            }
            BundleError::InvalidPolicy(cause)
                if config::policy_form(&args.policy) == PolicyForm::Json =>
            {
                let message = config::policy_json_message(cause, policy.as_bytes());
                format!(
                    "`{}`: invalid policy: {message}",
                    config::shown(&args.policy)
                )
                .into()
            }
            BundleError::InvalidPolicy(_) => {
                format!("`{}`: {error}", config::shown(&args.policy)).into()
            }
            _ => error.into(),
        }
    })?;
    tracing::info!(
        version = manifest.version,
        kid = signer.kid(),
        "signed bundle"
    );
    writeln!(std::io::stdout(), "{}", serde_json::to_string(&manifest)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Converts a policy in the text form to the JSON form that a bundle's
/// `policy.json` holds, as `mem8-guard policy fmt --json` prints it.
fn policy_json_from_text(path: &Path, text: &str) -> Result<String, CliError> {
    let document = parse_text(text, &PolicyLimits::default())
        .map_err(|error| format!("`{}`: {error}", config::shown(path)))?;
    let mut json = serde_json::to_string_pretty(&document)?;
    json.push('\n');
    Ok(json)
}

fn verify(args: VerifyArgs) -> Result<ExitCode, CliError> {
    let keys_text = String::from_utf8(config::read_file(&args.trusted_keys)?)
        .map_err(|_| format!("`{}`: not UTF-8", config::shown(&args.trusted_keys)))?;
    let trusted = TrustedKeys::from_json(&keys_text)
        .map_err(|error| format!("`{}`: {error}", config::shown(&args.trusted_keys)))?;
    // A file that cannot be read is an error (exit 2). Contents that are
    // not a valid bundle, a file over the size limit or one that is not a
    // regular file included, are a negative result (exit 1).
    let bundle = match bundle::read_bundle(&args.dir, &trusted) {
        Ok(bundle) => bundle,
        Err(error @ BundleError::Io { .. }) => return Err(error.into()),
        Err(error) => {
            tracing::info!(%error, "bundle rejected");
            writeln!(std::io::stderr(), "invalid bundle: {error}")?;
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(min) = args.min_version {
        if bundle.manifest.version < min {
            writeln!(
                std::io::stderr(),
                "invalid bundle: version `{}` is lower than --min-version `{min}`",
                bundle.manifest.version
            )?;
            return Ok(ExitCode::from(1));
        }
    }
    writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string(&bundle.manifest)?
    )?;
    Ok(ExitCode::SUCCESS)
}
