//! `mem8-guard keyring new|add|promote|rotate|list|enable|disable|destroy`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use mem8_guard::crypto::{
    AeadAlgorithm, GivenKeyId, KeyId, KeyInfo, Keyring, RotationPolicy, SecretKey,
};
use mem8_guard_host::config;
use mem8_guard_host::keyring_file::{self, KeyringLock, KEK_ENV, LOCK_WAIT};
use rand_core::OsRng;
use serde_json::{json, Value};

use super::{now_or_clock, CliError};

/// The keyring commands.
#[derive(Debug, Subcommand)]
pub enum KeyringCommand {
    /// Create a keyring file with one fresh primary key, and print the key.
    New(NewArgs),
    /// Add a fresh key that decrypts but does not encrypt yet, and print it.
    /// Promote it once every copy of the keyring has it.
    Add(AddArgs),
    /// Make an enabled key the primary, which encrypts from now on; the old
    /// primary stays enabled for decryption.
    Promote(KeyIdArgs),
    /// Add a fresh key and make it the primary at once, and print it.
    Rotate(AddArgs),
    /// Print every key's metadata (never its material) as JSON, and whether
    /// the primary is due for rotation.
    List(ListArgs),
    /// Enable a disabled key again, for decryption only.
    Enable(KeyIdArgs),
    /// Disable an enabled key: it keeps its material but decrypts nothing.
    Disable(KeyIdArgs),
    /// Destroy a disabled key: its material is erased for good, and what it
    /// encrypted can no longer be decrypted.
    Destroy(KeyIdArgs),
}

/// The source of the key-encryption key.
#[derive(Debug, Args)]
pub struct KekArgs {
    /// File containing the 32-byte key-encryption key that seals the
    /// keyring: 32 raw bytes, 64 hex digits or 43 base64url characters.
    /// Create one with `head -c 32 /dev/urandom > kek.bin`. Without a key
    /// the keyring is stored unsealed, as JSON with file mode 0600.
    #[arg(long, value_name = "FILE", env = KEK_ENV)]
    pub kek: Option<PathBuf>,
}

/// An existing keyring file.
#[derive(Debug, Args)]
pub struct KeyringArgs {
    /// Keyring file to read, and to update in place (atomically) when the
    /// command changes it.
    #[arg(long, value_name = "FILE")]
    pub keyring: PathBuf,
    #[command(flatten)]
    pub kek: KekArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Keyring file to create; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    kek: KekArgs,
    #[command(flatten)]
    key: NewKeyArgs,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    keyring: KeyringArgs,
    #[command(flatten)]
    key: NewKeyArgs,
}

#[derive(Debug, Args)]
struct NewKeyArgs {
    /// Algorithm of the new key: XC20P (XChaCha20-Poly1305) or C20P
    /// (ChaCha20-Poly1305).
    #[arg(long, value_name = "ALG", default_value = "XC20P")]
    alg: String,
    /// Creation time to record, in Unix seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
}

#[derive(Debug, Args)]
pub struct KeyIdArgs {
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Id of the key: 8 hexadecimal digits, as `keyring list` prints them.
    #[arg(long, value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Maximum age of the primary key before rotation is due, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = RotationPolicy::default().max_age)]
    max_age: u64,
    /// Messages an XC20P primary may encrypt before rotation is due.
    /// Default: no limit.
    #[arg(long, value_name = "COUNT")]
    max_messages_xc20p: Option<u64>,
    /// Messages a C20P primary may encrypt before rotation is due.
    #[arg(long, value_name = "COUNT",
          default_value_t = RotationPolicy::default().max_messages_chacha20)]
    max_messages_c20p: u64,
    /// Time to check the key age against, in Unix seconds. Default: the
    /// system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
}

pub fn run(command: KeyringCommand) -> Result<ExitCode, CliError> {
    match command {
        KeyringCommand::New(args) => new(args),
        KeyringCommand::Add(args) => add(args, false),
        KeyringCommand::Rotate(args) => add(args, true),
        KeyringCommand::Promote(args) => change(args, Keyring::promote),
        KeyringCommand::Enable(args) => change(args, Keyring::enable),
        KeyringCommand::Disable(args) => change(args, Keyring::disable),
        KeyringCommand::Destroy(args) => change(args, Keyring::destroy),
        KeyringCommand::List(args) => list(args),
    }
}

fn new(args: NewArgs) -> Result<ExitCode, CliError> {
    let algorithm = parse_algorithm(&args.key.alg)?;
    let kek = read_kek(&args.kek)?;
    let keyring = Keyring::generate(algorithm, &mut OsRng, now_or_clock(args.key.now)?);
    keyring_file::create(&args.out, &keyring, kek.as_ref(), &mut OsRng)?;
    warn_if_unsealed(&args.out, kek.as_ref());
    tracing::info!(kid = %keyring.primary().id, "created keyring");
    print_saved(&args.out, keyring.primary())
}

fn add(args: AddArgs, promote: bool) -> Result<ExitCode, CliError> {
    let algorithm = parse_algorithm(&args.key.alg)?;
    let now = now_or_clock(args.key.now)?;
    let (mut keyring, kek, _lock) = load(&args.keyring)?;
    let id = if promote {
        keyring.rotate(algorithm, &mut OsRng, now)?
    } else {
        keyring.add(algorithm, &mut OsRng, now)?
    };
    save(&args.keyring.keyring, &keyring, kek.as_ref())?;
    tracing::info!(kid = %id, promoted = promote, "added key");
    print_saved(
        &args.keyring.keyring,
        keyring.key(id).ok_or("the new key is missing")?,
    )
}

fn change(
    args: KeyIdArgs,
    operation: fn(&mut Keyring, KeyId) -> Result<(), mem8_guard::crypto::KeyringError>,
) -> Result<ExitCode, CliError> {
    let id: KeyId = args
        .id
        .to_ascii_lowercase()
        .parse()
        .map_err(|error| format!("--id {}: {error}", GivenKeyId(&args.id)))?;
    let (mut keyring, kek, _lock) = load(&args.keyring)?;
    operation(&mut keyring, id)?;
    save(&args.keyring.keyring, &keyring, kek.as_ref())?;
    let info = keyring.key(id).ok_or("the key is missing")?;
    tracing::info!(kid = %id, state = %info.state, "changed key state");
    print_saved(&args.keyring.keyring, info)
}

fn list(args: ListArgs) -> Result<ExitCode, CliError> {
    let kek = read_kek(&args.keyring.kek)?;
    let loaded = keyring_file::load(&args.keyring.keyring, kek.as_ref())?;
    let mut policy = RotationPolicy::default();
    policy.max_age = args.max_age;
    policy.max_messages_xchacha20 = args.max_messages_xc20p.unwrap_or(u64::MAX);
    policy.max_messages_chacha20 = args.max_messages_c20p;
    let due = loaded
        .keyring
        .rotation_due(&policy, now_or_clock(args.now)?);

    let keys: Vec<Value> = loaded.keyring.keys().into_iter().map(key_json).collect();
    let rotation = due.map(|reason| json!({"code": reason.code(), "message": reason.to_string()}));
    let listing = json!({"sealed": loaded.sealed, "keys": keys, "rotation_due": rotation});
    writeln!(std::io::stdout(), "{listing}")?;
    Ok(ExitCode::SUCCESS)
}

/// Reads the key-encryption key named by `--kek` or the environment, if any.
pub fn read_kek(args: &KekArgs) -> Result<Option<SecretKey>, CliError> {
    let Some(path) = &args.kek else {
        return Ok(None);
    };
    let kek = keyring_file::read_kek(path)?;
    if keyring_file::readable_by_others(path) {
        writeln!(
            std::io::stderr(),
            "warning: key-encryption key file `{}` can be read by other users; \
             restrict it with `chmod 600`",
            config::shown(path)
        )?;
    }
    Ok(Some(kek))
}

/// Locks and loads a keyring file, for a change that [`save`] writes back
/// before the returned lock is dropped. Returns the key-encryption key the
/// keyring is to be saved under.
pub fn load(args: &KeyringArgs) -> Result<(Keyring, Option<SecretKey>, KeyringLock), CliError> {
    let kek = read_kek(&args.kek)?;
    let lock = keyring_file::lock(&args.keyring, LOCK_WAIT)?;
    let loaded = keyring_file::load(&args.keyring, kek.as_ref())?;
    if !loaded.sealed && kek.is_some() {
        writeln!(
            std::io::stderr(),
            "note: keyring `{}` is unsealed; changes save it sealed under the given \
             key-encryption key",
            config::shown(&args.keyring)
        )?;
    }
    Ok((loaded.keyring, kek, lock))
}

/// Saves a keyring atomically, sealed when `kek` is given.
pub fn save(path: &Path, keyring: &Keyring, kek: Option<&SecretKey>) -> Result<(), CliError> {
    keyring_file::save(path, keyring, kek, &mut OsRng)?;
    warn_if_unsealed(path, kek);
    Ok(())
}

fn warn_if_unsealed(path: &Path, kek: Option<&SecretKey>) {
    if kek.is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: keyring `{}` is stored unsealed (file mode 0600): anyone who can read it \
             can decrypt what it protects; seal it with --kek FILE or {KEK_ENV}",
            config::shown(path)
        );
    }
}

fn parse_algorithm(name: &str) -> Result<AeadAlgorithm, CliError> {
    name.parse()
        .map_err(|_| format!("--alg `{name}` is not supported; use XC20P or C20P").into())
}

fn key_json(info: KeyInfo) -> Value {
    json!({
        "kid": info.id.to_string(),
        "alg": info.algorithm.as_str(),
        "state": info.state.as_str(),
        "created": info.created,
        "messages": info.messages,
    })
}

/// Prints the key that a saved change created or changed. When standard
/// output fails for another reason than a closed pipe, the error states
/// that the keyring was saved, so that the command is not run again.
fn print_saved(path: &Path, info: KeyInfo) -> Result<ExitCode, CliError> {
    let id = info.id;
    match writeln!(std::io::stdout(), "{}", key_json(info)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Err(error.into()),
        Err(error) => Err(format!(
            "keyring `{}` was saved with key `{id}`, but printing the key to standard output \
             failed: {error}; run `mem8-guard keyring list` to see it",
            config::shown(path)
        )
        .into()),
    }
}
