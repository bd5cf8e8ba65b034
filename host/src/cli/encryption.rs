//! `mem8-guard encrypt` and `mem8-guard decrypt`: the stream format of
//! `mem8_guard::crypto`, from a file or standard input to a file or standard
//! output, in bounded memory.

use std::fs::{self, File};
use std::io::{self, IsTerminal, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mem8_guard::crypto::{
    CryptoError, Keyring, RotationPolicy, DEFAULT_CHUNK_SIZE, MAX_STREAM_HEADER_LEN,
};
use mem8_guard_host::{config, keyring_file};
use rand_core::OsRng;
use tempfile::NamedTempFile;
use zeroize::Zeroizing;

use super::cleanup::{self, Registered};
use super::keyring::{self, KeyringArgs};
use super::{now_or_clock, CliError};

/// Bytes read from the input at a time.
const READ_SIZE: usize = 1024 * 1024;

/// Inputs at least this large, in bytes, get a progress bar when standard
/// error is a terminal.
const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Associated data to bind to the ciphertext, as UTF-8 text. It is
    /// authenticated but not stored, so `decrypt` needs the same text.
    /// Default: empty.
    #[arg(long, value_name = "TEXT")]
    aad: Option<String>,
    /// Output file, written to a temporary file beside it and renamed into
    /// place when encryption succeeds. Default, or `-`: standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Plaintext bytes per chunk, from 1024 to 16777216.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_CHUNK_SIZE)]
    chunk_size: usize,
    /// File to encrypt. Default, or `-`: standard input.
    #[arg(value_name = "IN")]
    input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecryptArgs {
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Associated data the input was encrypted with, as UTF-8 text.
    /// Default: empty.
    #[arg(long, value_name = "TEXT")]
    aad: Option<String>,
    /// Output file, created or replaced only when the whole input decrypted
    /// and verified. Default, or `-`: standard output, written only then.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// File to decrypt. Default, or `-`: standard input.
    #[arg(value_name = "IN")]
    input: Option<PathBuf>,
}

pub fn encrypt(args: EncryptArgs) -> Result<ExitCode, CliError> {
    cleanup::install();
    reject_protected_output(args.output.as_deref(), &args.keyring, args.input.as_deref())?;
    let (mut keyring, kek, lock) = keyring::load(&args.keyring)?;
    let mut input = Input::open(args.input.as_deref())?;
    let mut output = Output::open(args.output.as_deref())?;
    let mut encryptor = keyring
        .stream_encryptor(aad_bytes(&args.aad), args.chunk_size, &mut OsRng)
        .map_err(|error| with_rotate_command(error, &args.keyring.keyring))?;

    // Save the raised message count before any ciphertext exists, so that a
    // failure later can only make the count too high, never too low.
    keyring::save(&args.keyring.keyring, &keyring, kek.as_ref())?;
    drop(lock);
    warn_if_rotation_due(&keyring)?;
    tracing::info!(kid = %encryptor.info().key_id(), "encrypting");

    let progress = progress_bar(input.len);
    output.write(encryptor.header())?;
    let mut buffer = Zeroizing::new(vec![0u8; READ_SIZE]);
    loop {
        let read = input.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        output.write(&encryptor.update(buffer.get(..read).unwrap_or_default())?)?;
        progress.inc(read as u64);
    }
    output.write(&encryptor.finish()?)?;
    output.commit()?;
    progress.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}

pub fn decrypt(args: DecryptArgs) -> Result<ExitCode, CliError> {
    cleanup::install();
    reject_protected_output(args.output.as_deref(), &args.keyring, args.input.as_deref())?;
    let kek = keyring::read_kek(&args.keyring.kek)?;
    let keyring = keyring_file::load(&args.keyring.keyring, kek.as_ref())?.keyring;
    let mut input = Input::open(args.input.as_deref())?;
    let target = args
        .output
        .filter(|path| path.as_os_str() != "-")
        .map(|path| output_file(&path))
        .transpose()?;

    // The plaintext goes to a private temporary file first, and reaches the
    // output only once the whole stream verified: beside the output file,
    // so that the final rename is atomic, or in the temporary directory for
    // standard output.
    let temp_dir = match &target {
        Some(path) => keyring_file::parent_dir(path),
        None => std::env::temp_dir(),
    };
    let mut temp = NamedTempFile::new_in(&temp_dir).map_err(|error| {
        format!(
            "creating a temporary file in `{}`: {error}",
            config::shown(&temp_dir)
        )
    })?;
    let _registered = cleanup::register(temp.path());

    let progress = progress_bar(input.len);
    let aad = aad_bytes(&args.aad);
    let verified = decrypt_into(&keyring, aad, &mut input, &mut temp, &progress)?;
    progress.finish_and_clear();
    if let Err(error) = verified {
        tracing::info!(code = error.code(), "decryption rejected");
        writeln!(
            io::stderr(),
            "error: cannot decrypt {}: {error}",
            input.name
        )?;
        // Dropping `temp` removes it, so no plaintext is left anywhere.
        return Ok(ExitCode::from(1));
    }

    match target {
        Some(path) => {
            temp.as_file().sync_all()?;
            temp.persist(&path)
                .map_err(|error| format!("writing `{}`: {}", config::shown(&path), error.error))?;
            keyring_file::sync_dir(&keyring_file::parent_dir(&path))?;
        }
        None => {
            let file = temp.as_file_mut();
            file.rewind()?;
            io::copy(file, &mut io::stdout().lock())
                .map_err(|error| write_error("standard output", error))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Decrypts the whole input into `temp`. The outer error is an I/O failure
/// (exit code 2); the inner one means the input is not authentic (exit 1).
fn decrypt_into(
    keyring: &Keyring,
    aad: &[u8],
    input: &mut Input,
    temp: &mut NamedTempFile,
    progress: &ProgressBar,
) -> Result<Result<(), CryptoError>, CliError> {
    let mut head = [0u8; MAX_STREAM_HEADER_LEN];
    let head_len = input.read_full(&mut head)?;
    let head = head.get(..head_len).unwrap_or_default();
    let (mut decryptor, header_len) = match keyring.stream_decryptor(head, aad) {
        Ok(started) => started,
        Err(error) => return Ok(Err(error)),
    };
    tracing::info!(kid = %decryptor.info().key_id(), "decrypting");

    let mut pending = head.get(header_len..).unwrap_or_default();
    let mut buffer = vec![0u8; READ_SIZE];
    loop {
        let plaintext = match decryptor.update(pending) {
            Ok(plaintext) => plaintext,
            Err(error) => return Ok(Err(error)),
        };
        temp.write_all(plaintext.as_bytes())
            .map_err(|error| format!("writing the temporary file: {error}"))?;
        progress.inc(pending.len() as u64);

        let read = input.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        pending = buffer.get(..read).unwrap_or_default();
    }
    match decryptor.finish() {
        Ok(plaintext) => temp
            .write_all(plaintext.as_bytes())
            .map_err(|error| format!("writing the temporary file: {error}"))?,
        Err(error) => return Ok(Err(error)),
    }
    temp.flush()?;
    Ok(Ok(()))
}

/// The input file or standard input, with its length when known.
struct Input {
    reader: Box<dyn Read>,
    name: String,
    len: Option<u64>,
}

impl Input {
    fn open(path: Option<&Path>) -> Result<Self, CliError> {
        match path.filter(|path| path.as_os_str() != "-") {
            None => Ok(Self {
                reader: Box::new(io::stdin().lock()),
                name: String::from("standard input"),
                len: None,
            }),
            Some(path) => {
                let name = format!("`{}`", config::shown(path));
                let file = File::open(path).map_err(|error| format!("{name}: {error}"))?;
                let metadata = file.metadata().ok();
                // Opening a directory succeeds on Unix, and only reading it
                // fails: too late for `encrypt`, which has counted a message.
                if metadata.as_ref().is_some_and(fs::Metadata::is_dir) {
                    return Err(format!("{name} is a directory; give a file as the input").into());
                }
                let len = metadata.map(|metadata| metadata.len());
                Ok(Self {
                    reader: Box::new(file),
                    name,
                    len,
                })
            }
        }
    }

    /// Reads what is available, up to `buffer.len()` bytes; 0 at the end.
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, CliError> {
        loop {
            match self.reader.read(buffer) {
                Ok(read) => return Ok(read),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(format!("reading {}: {error}", self.name).into()),
            }
        }
    }

    /// Reads until `buffer` is full or the input ends; returns the count.
    fn read_full(&mut self, buffer: &mut [u8]) -> Result<usize, CliError> {
        let mut filled = 0;
        while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            let read = self.read(rest)?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        Ok(filled)
    }
}

/// Rejects an `-o` that names the keyring file, its lock file, the
/// key-encryption key file or the input, before any work starts. Renaming
/// the output into place would replace that file, and replacing the keyring
/// or its key-encryption key destroys every key in it.
///
/// Files are the same when they have the same device and inode after
/// following symbolic links, so hard links count too. The lock file may
/// not exist yet, so it is also compared by its resolved path.
fn reject_protected_output(
    output: Option<&Path>,
    keyring: &KeyringArgs,
    input: Option<&Path>,
) -> Result<(), CliError> {
    let Some(given) = path_argument(output) else {
        return Ok(());
    };
    // This also rejects a dangling link, whose target could be the lock
    // file that loading the keyring is about to create.
    let output = &output_file(given)?;
    let lock = keyring_file::lock_path(&keyring.keyring).ok();
    let protected = [
        (
            "the keyring file (--keyring)",
            Some(keyring.keyring.as_path()),
        ),
        ("the keyring's lock file", lock.as_deref()),
        (
            "the key-encryption key file (--kek)",
            keyring.kek.kek.as_deref(),
        ),
        ("the input file", path_argument(input)),
    ];
    let output_resolved = resolved_path(output);
    for (role, path) in protected {
        let Some(path) = path else {
            continue;
        };
        let same_path = output_resolved.is_some() && output_resolved == resolved_path(path);
        if same_path || same_file(output, path) {
            return Err(format!(
                "-o `{}` is {role} `{}`; writing the output there would replace it, so \
                 choose another output path",
                config::shown(given),
                config::shown(path)
            )
            .into());
        }
    }
    Ok(())
}

/// Returns a path argument, or `None` for `-` and a missing argument,
/// which both mean standard input or output.
fn path_argument(path: Option<&Path>) -> Option<&Path> {
    path.filter(|path| path.as_os_str() != "-")
}

/// Returns `path` with every symbolic link and `.` or `..` resolved: the
/// canonical path of the file, or of its directory when the file does not
/// exist. `None` when the directory cannot be resolved either.
fn resolved_path(path: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = fs::canonicalize(path) {
        return Some(resolved);
    }
    let name = path.file_name()?;
    let dir = fs::canonicalize(keyring_file::parent_dir(path)).ok()?;
    Some(dir.join(name))
}

/// Returns whether two paths name the same existing file, after following
/// symbolic links.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(a), Ok(b)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    // NOTE: without Unix metadata only the resolved paths are compared, so
    // a hard link to the keyring is not recognized.
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Returns the file that `-o PATH` replaces: `PATH`, or the file that a
/// symbolic link there points to.
///
/// The output is renamed into place, so it would put a regular file where a
/// device, a FIFO or a socket was: as root, `-o /dev/null` would replace the
/// system's `/dev/null`. Anything but a regular file or a new path is
/// therefore refused before any work starts.
fn output_file(path: &Path) -> Result<PathBuf, CliError> {
    if is_standard_output(path) {
        return Err(format!(
            "-o `{}` is standard output, which -o cannot replace; leave out -o, or give \
             `-o -`, to write to standard output",
            config::shown(path)
        )
        .into());
    }
    let resolved = match keyring_file::resolve_link(path) {
        Ok(resolved) => resolved,
        // A link such as `/dev/fd/3` to a pipe or socket has no path to
        // resolve, but the file it leads to has a type.
        Err(error) => match fs::metadata(path) {
            Ok(metadata) => return Err(not_regular_file(path, &metadata)),
            Err(_) => {
                return Err(format!(
                    "`{}` is a symbolic link whose target cannot be found: {error}",
                    config::shown(path)
                )
                .into())
            }
        },
    };
    let metadata = match fs::metadata(&resolved) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(resolved),
        Err(error) => return Err(format!("`{}`: {error}", config::shown(&resolved)).into()),
    };
    if metadata.is_file() {
        return Ok(resolved);
    }
    Err(not_regular_file(&resolved, &metadata))
}

fn not_regular_file(path: &Path, metadata: &fs::Metadata) -> CliError {
    format!(
        "`{}` is {}, not a regular file; -o replaces the file at its path, so give a regular \
         file or a new path, or leave out -o to write to standard output",
        config::shown(path),
        file_kind(&metadata.file_type())
    )
    .into()
}

/// Returns whether `path` leads to this process's standard output when
/// that is not a regular file, as `/dev/stdout` does when standard output
/// is a pipe or a terminal. Replacing such a path by rename cannot work.
fn is_standard_output(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let Ok(target) = fs::metadata(path) else {
            return false;
        };
        let stdout = io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(File::from)
            .and_then(|file| file.metadata());
        stdout.is_ok_and(|stdout| {
            !stdout.is_file() && (stdout.dev(), stdout.ino()) == (target.dev(), target.ino())
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Names a file type for an error message.
fn file_kind(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// The destination of `encrypt`: a temporary file renamed over the output at
/// the end, or standard output.
enum Output {
    File {
        temp: NamedTempFile,
        path: PathBuf,
        _registered: Registered,
    },
    Stdout(io::StdoutLock<'static>),
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Self, CliError> {
        match path.filter(|path| path.as_os_str() != "-") {
            None => Ok(Self::Stdout(io::stdout().lock())),
            Some(path) => {
                let path = &output_file(path)?;
                let dir = keyring_file::parent_dir(path);
                let temp = NamedTempFile::new_in(&dir)
                    .map_err(|error| format!("`{}`: {error}", config::shown(&dir)))?;
                Ok(Self::File {
                    _registered: cleanup::register(temp.path()),
                    temp,
                    path: path.to_path_buf(),
                })
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        let written = match self {
            Self::File { temp, .. } => temp.write_all(bytes),
            Self::Stdout(stdout) => stdout.write_all(bytes),
        };
        written.map_err(|error| write_error(&self.name(), error))
    }

    fn commit(self) -> Result<(), CliError> {
        match self {
            Self::File { temp, path, .. } => {
                temp.as_file().sync_all()?;
                temp.persist(&path).map_err(|error| {
                    format!("writing `{}`: {}", config::shown(&path), error.error)
                })?;
                keyring_file::sync_dir(&keyring_file::parent_dir(&path))?;
            }
            Self::Stdout(mut stdout) => stdout.flush()?,
        }
        Ok(())
    }

    fn name(&self) -> String {
        match self {
            Self::File { path, .. } => format!("`{}`", config::shown(path)),
            Self::Stdout(_) => String::from("standard output"),
        }
    }
}

/// Names the destination of a failed write. A closed pipe keeps its
/// [`io::Error`], so that `main` can end quietly on it.
fn write_error(name: &str, error: io::Error) -> CliError {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return error.into();
    }
    format!("writing {name}: {error}").into()
}

/// Creates a progress bar on standard error for large inputs when it is a
/// terminal, and a hidden one otherwise.
fn progress_bar(len: Option<u64>) -> ProgressBar {
    let Some(len) = len.filter(|len| *len >= PROGRESS_MIN_BYTES) else {
        return ProgressBar::hidden();
    };
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{bytes}/{total_bytes} [{bar:40}] {bytes_per_sec}, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

fn aad_bytes(aad: &Option<String>) -> &[u8] {
    aad.as_deref().unwrap_or_default().as_bytes()
}

/// Names the command that fixes a [`CryptoError::KeyExhausted`]. The
/// keyring file is unchanged then, because nothing was encrypted.
fn with_rotate_command(error: CryptoError, keyring: &Path) -> CliError {
    match error {
        CryptoError::KeyExhausted { .. } => format!(
            "{error}: run `mem8-guard keyring rotate --keyring {}`, then encrypt again",
            config::shown(keyring)
        )
        .into(),
        other => other.into(),
    }
}

fn warn_if_rotation_due(keyring: &Keyring) -> Result<(), CliError> {
    if let Some(reason) = keyring.rotation_due(&RotationPolicy::default(), now_or_clock(None)?) {
        writeln!(
            io::stderr(),
            "warning: {reason}; run `mem8-guard keyring rotate`"
        )?;
    }
    Ok(())
}
