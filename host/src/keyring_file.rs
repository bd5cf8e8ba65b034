//! Keyring files on disk, plain or sealed, always replaced atomically.
//!
//! A plain keyring file is the keyring JSON (it starts with `{`). A sealed
//! one is the unpadded base64url text of [`Keyring::seal`], which never
//! starts with `{`. Both end with a newline and are written with mode 0600
//! on Unix.
//!
//! Writes go to a temporary file in the same directory, which is flushed to
//! disk and then renamed over the target, so a crash or a failed command
//! leaves either the old file or the new one, never a mix.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mem8_guard::crypto::{Keyring, SecretKey, KEY_LEN};
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::config;

/// The environment variable that names the key-encryption key file when
/// `--kek` is absent.
pub const KEK_ENV: &str = "MEM8_GUARD_KEK_FILE";

/// Why a keyring or key-encryption key file could not be read or written.
/// The message names the file.
#[derive(Debug)]
pub struct KeyringFileError {
    message: String,
}

impl KeyringFileError {
    fn new(path: &Path, what: impl fmt::Display) -> Self {
        Self {
            message: format!("`{}`: {what}", path.display()),
        }
    }
}

impl fmt::Display for KeyringFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KeyringFileError {}

/// A keyring read from a file, and whether the file was sealed.
#[derive(Debug)]
pub struct LoadedKeyring {
    /// The keyring.
    pub keyring: Keyring,
    /// Whether the file was sealed under a key-encryption key.
    pub sealed: bool,
}

/// Reads a key-encryption key file: exactly 32 raw bytes, or 64 hex digits
/// or 43 unpadded base64url characters with optional surrounding whitespace.
///
/// # Errors
///
/// A [`KeyringFileError`] naming the file when it cannot be read or contains
/// none of the three forms. 32 bytes that are all printable ASCII, tabs or
/// line breaks are rejected as a typed passphrase.
pub fn read_kek(path: &Path) -> Result<SecretKey, KeyringFileError> {
    let bytes = Zeroizing::new(config::read_file(path).map_err(|error| KeyringFileError {
        message: error.to_string(),
    })?);
    if bytes.len() == KEY_LEN && bytes.iter().all(|byte| is_text_byte(*byte)) {
        return Err(KeyringFileError::new(
            path,
            "the key-encryption key file holds 32 characters of text, such as a typed \
             passphrase, not a key; a key-encryption key is 32 random bytes, 64 hex digits or \
             43 base64url characters: create one with `head -c 32 /dev/urandom > FILE`",
        ));
    }
    if let Some(key) = SecretKey::from_slice(&bytes) {
        return reject_all_zero(key, path);
    }

    let text = bytes.trim_ascii();
    let mut decoded = Zeroizing::new([0u8; KEY_LEN]);
    let parsed = match text.len() {
        64 => decode_hex(text, &mut decoded),
        43 => {
            use base64ct::{Base64UrlUnpadded, Encoding};
            Base64UrlUnpadded::decode(text, &mut *decoded).is_ok_and(|key| key.len() == KEY_LEN)
        }
        _ => false,
    };
    if !parsed {
        return Err(KeyringFileError::new(
            path,
            "a key-encryption key file must contain 32 raw bytes, 64 hex digits or 43 \
             base64url characters; create one with `head -c 32 /dev/urandom > FILE`",
        ));
    }
    reject_all_zero(SecretKey::from_bytes(*decoded), path)
}

/// Returns whether `byte` is printable ASCII, a tab or a line break. 32
/// random bytes are all of these with a probability of (98/256)^32, below
/// 10^-13, so a 32-byte file of them is text, not a key.
fn is_text_byte(byte: u8) -> bool {
    matches!(byte, b' '..=b'~' | b'\t' | b'\n' | b'\r')
}

/// Rejects the all-zero key, the usual result of a file made from
/// `/dev/zero` or a placeholder. Reading all 32 bytes in variable time only
/// reveals whether the key is that one rejected value.
fn reject_all_zero(key: SecretKey, path: &Path) -> Result<SecretKey, KeyringFileError> {
    if key.as_bytes().iter().all(|byte| *byte == 0) {
        return Err(KeyringFileError::new(
            path,
            "the key-encryption key is all zero bytes; create a random one with \
             `head -c 32 /dev/urandom > FILE`",
        ));
    }
    Ok(key)
}

/// Whether others than the owner can read the file at `path`. Always false
/// on systems without Unix permissions.
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Reads a keyring file, opening it with `kek` when it is sealed.
///
/// # Errors
///
/// A [`KeyringFileError`] naming the file when it cannot be read, is sealed
/// and no `kek` is given, was sealed under another key-encryption key, or
/// is not a valid keyring.
pub fn load(path: &Path, kek: Option<&SecretKey>) -> Result<LoadedKeyring, KeyringFileError> {
    let bytes = Zeroizing::new(config::read_file(path).map_err(|error| KeyringFileError {
        message: error.to_string(),
    })?);
    let text = bytes.trim_ascii();
    // A sealed keyring is base64url text. Anything else is read as JSON, so
    // that a malformed document (a top-level array, a byte-order mark) gets
    // its JSON error instead of a request for a key-encryption key.
    let sealed_form = !text.is_empty()
        && text
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'='));

    if !sealed_form {
        let keyring =
            Keyring::from_json(text).map_err(|error| KeyringFileError::new(path, error))?;
        if readable_by_others(path) {
            tracing::warn!(
                path = %config::shown(path),
                "unsealed keyring can be read by other users; restrict it with chmod 600 \
                 or seal it with --kek"
            );
        }
        return Ok(LoadedKeyring {
            keyring,
            sealed: false,
        });
    }
    let Some(kek) = kek else {
        return Err(KeyringFileError::new(
            path,
            format_args!(
                "the keyring is sealed; give its key-encryption key with --kek FILE or {KEK_ENV}"
            ),
        ));
    };
    let sealed = std::str::from_utf8(text)
        .map_err(|_| KeyringFileError::new(path, "a sealed keyring must be base64url text"))?;
    let keyring = Keyring::open(sealed, kek).map_err(|error| KeyringFileError::new(path, error))?;
    Ok(LoadedKeyring {
        keyring,
        sealed: true,
    })
}

/// Writes `keyring` to `path`, sealed under `kek` when given, replacing any
/// file there atomically.
///
/// # Errors
///
/// A [`KeyringFileError`] naming the file when writing fails; the old file,
/// if any, is then unchanged.
///
/// Hold a [`lock`] from loading to saving, or a process changing the same
/// keyring at the same time may have its change overwritten.
pub fn save(
    path: &Path,
    keyring: &Keyring,
    kek: Option<&SecretKey>,
    rng: &mut impl CryptoRngCore,
) -> Result<(), KeyringFileError> {
    let text = render(path, keyring, kek, rng)?;
    write_atomically(path, text.as_bytes(), Replace::Yes)
        .map_err(|error| KeyringFileError::new(path, error))
}

/// Writes `keyring` to a new file at `path`, sealed under `kek` when given.
///
/// # Errors
///
/// A [`KeyringFileError`] naming the file when it already exists or writing
/// fails.
pub fn create(
    path: &Path,
    keyring: &Keyring,
    kek: Option<&SecretKey>,
    rng: &mut impl CryptoRngCore,
) -> Result<(), KeyringFileError> {
    let text = render(path, keyring, kek, rng)?;
    write_atomically(path, text.as_bytes(), Replace::No).map_err(|error| {
        if error.kind() != io::ErrorKind::AlreadyExists {
            return KeyringFileError::new(path, error);
        }
        if is_dangling_link(path) {
            return KeyringFileError::new(
                path,
                "the path is a dangling symbolic link (its target does not exist); remove the \
                 link or choose another path",
            );
        }
        KeyringFileError::new(path, "the file already exists; choose another path")
    })
}

/// Returns whether `path` is a symbolic link whose target does not exist.
fn is_dangling_link(path: &Path) -> bool {
    let is_link = fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_symlink());
    is_link && fs::metadata(path).is_err_and(|error| error.kind() == io::ErrorKind::NotFound)
}

fn render(
    path: &Path,
    keyring: &Keyring,
    kek: Option<&SecretKey>,
    rng: &mut impl CryptoRngCore,
) -> Result<Zeroizing<String>, KeyringFileError> {
    let mut text = match kek {
        Some(kek) => Zeroizing::new(
            keyring
                .seal(kek, rng)
                .map_err(|error| KeyringFileError::new(path, error))?,
        ),
        None => keyring.to_json(),
    };
    // Reserve first, so that appending cannot move the secret text and leave
    // a copy behind.
    text.reserve_exact(1);
    text.push('\n');
    Ok(text)
}

/// An exclusive advisory lock on a keyring file, released on drop.
///
/// The lock is taken on a sidecar file, `FILE.lock`, and not on the keyring
/// file itself, because saving replaces the keyring file by renaming a new
/// one over it. The sidecar stays after the lock is released; it holds no
/// data. Only processes that take this lock are kept out: it is advisory.
#[derive(Debug)]
pub struct KeyringLock {
    _file: File,
}

/// How long [`lock`] waits for another process to release the keyring.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Takes the [`KeyringLock`] of the keyring at `path`, waiting up to `wait`
/// while another process has it.
///
/// # Errors
///
/// A [`KeyringFileError`] naming the file when the lock file cannot be
/// opened, or when another process still has the lock after `wait`.
pub fn lock(path: &Path, wait: Duration) -> Result<KeyringLock, KeyringFileError> {
    let lock_path = lock_path(path).map_err(|error| KeyringFileError::new(path, error))?;
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(&lock_path)
        .map_err(|error| KeyringFileError::new(&lock_path, error))?;

    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(KeyringLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(KeyringFileError::new(
                    path,
                    format_args!(
                        "another process has held the keyring's lock file `{}` for more than \
                         {} s; retry when it has finished",
                        config::shown(&lock_path),
                        wait.as_secs()
                    ),
                ))
            }
            Err(fs::TryLockError::Error(error)) => {
                return Err(KeyringFileError::new(&lock_path, error))
            }
        }
    }
}

/// Returns the path of the lock file that [`lock`] takes for the keyring at
/// `path`: the keyring's path, after following symbolic links, with `.lock`
/// appended. The lock file need not exist yet.
///
/// # Errors
///
/// The I/O error when `path` is a link whose target cannot be found.
pub fn lock_path(path: &Path) -> io::Result<PathBuf> {
    // Two names of one keyring, a symbolic link and its target, must take
    // the same lock.
    let mut name = resolve_link(path)?.into_os_string();
    name.push(".lock");
    Ok(PathBuf::from(name))
}

/// Whether [`write_atomically`] may replace an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Replace the file.
    Yes,
    /// Fail with [`io::ErrorKind::AlreadyExists`] if the file exists.
    No,
}

/// Writes `bytes` to a temporary file (mode 0600 on Unix) in the directory
/// of `path`, flushes it to disk, renames it to `path` and flushes the
/// directory.
///
/// # Errors
///
/// The I/O error of the step that failed. The temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8], replace: Replace) -> io::Result<()> {
    // Replacing a symbolic link would leave its target, the real file,
    // unchanged: write the target instead. A new file keeps its path, so
    // `Replace::No` still rejects an existing link.
    let resolved;
    let path = match replace {
        Replace::Yes => {
            resolved = resolve_link(path)?;
            resolved.as_path()
        }
        Replace::No => path,
    };
    let mut file = tempfile::NamedTempFile::new_in(parent_dir(path))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    match replace {
        Replace::Yes => file.persist(path).map_err(|error| error.error)?,
        Replace::No => file.persist_noclobber(path).map_err(|error| error.error)?,
    };
    sync_dir(&parent_dir(path))
}

/// Returns the file that a symbolic link at `path` points to, through every
/// link in the chain. Returns `path` itself when it is not a link or does
/// not exist.
///
/// # Errors
///
/// The I/O error when `path` is a link whose target cannot be found.
pub fn resolve_link(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => fs::canonicalize(path),
        _ => Ok(path.to_path_buf()),
    }
}

/// The directory a file at `path` is in; `.` for a bare file name.
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes a directory, so that a rename in it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn decode_hex(text: &[u8], out: &mut [u8; KEY_LEN]) -> bool {
    let digit = |byte: u8| char::from(byte).to_digit(16);
    for (pair, slot) in text.chunks_exact(2).zip(out.iter_mut()) {
        let &[high, low] = pair else {
            return false;
        };
        let (Some(high), Some(low)) = (digit(high), digit(low)) else {
            return false;
        };
        *slot = (high * 16 + low) as u8;
    }
    text.len() == 2 * KEY_LEN
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn malformed_json_is_not_called_sealed() {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in [
            ("array", b"[{\"version\":1}]".to_vec()),
            ("bom", b"\xef\xbb\xbf{\"version\":1,\"keys\":[]}".to_vec()),
            ("empty", Vec::new()),
        ] {
            let path = dir.path().join(name);
            fs::write(&path, contents).unwrap();
            let error = load(&path, None).unwrap_err().to_string();
            assert!(!error.contains("sealed"), "{name}: {error}");
        }
    }

    #[test]
    fn kek_accepts_three_forms() {
        let dir = tempfile::tempdir().unwrap();
        let raw = [0xa5u8; 32];
        let hex: String = raw.iter().map(|byte| format!("{byte:02x}")).collect();
        let b64 = {
            use base64ct::{Base64UrlUnpadded, Encoding};
            Base64UrlUnpadded::encode_string(&raw)
        };
        for (name, contents) in [
            ("raw", raw.to_vec()),
            ("hex", format!("{hex}\n").into_bytes()),
            ("b64", format!("  {b64}\n").into_bytes()),
        ] {
            let path = dir.path().join(name);
            fs::write(&path, contents).unwrap();
            assert_eq!(read_kek(&path).unwrap().as_bytes(), &raw, "{name}");
        }
    }

    #[test]
    fn kek_of_wrong_length_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in [
            ("short", vec![1u8; 31]),
            ("long", vec![1u8; 33]),
            ("bad-hex", "zz".repeat(32).into_bytes()),
            ("empty", Vec::new()),
        ] {
            let path = dir.path().join(name);
            fs::write(&path, contents).unwrap();
            let error = read_kek(&path).unwrap_err().to_string();
            assert!(error.contains(name), "{error}");
            assert!(error.contains("32 raw bytes"), "{error}");
        }
    }

    #[test]
    fn kek_of_32_text_characters_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in [
            ("passphrase", b"correct horse battery staple 123".to_vec()),
            (
                "with-newline",
                b"correct horse battery staple 12\n".to_vec(),
            ),
            ("digits", b"01234567890123456789012345678901".to_vec()),
        ] {
            assert_eq!(contents.len(), 32, "{name}");
            let path = dir.path().join(name);
            fs::write(&path, contents).unwrap();
            let error = read_kek(&path).unwrap_err().to_string();
            assert!(error.contains(name), "{error}");
            assert!(error.contains("typed passphrase, not a key"), "{error}");
            assert!(error.contains("head -c 32 /dev/urandom"), "{error}");
        }

        // One byte outside printable ASCII makes it a key.
        let mut raw = b"correct horse battery staple 123".to_vec();
        raw[0] = 0xc3;
        let path = dir.path().join("raw");
        fs::write(&path, &raw).unwrap();
        assert_eq!(
            read_kek(&path).unwrap().as_bytes().as_slice(),
            raw.as_slice()
        );
    }

    #[test]
    fn create_does_not_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        write_atomically(&path, b"one", Replace::No).unwrap();
        let error = write_atomically(&path, b"two", Replace::No).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        write_atomically(&path, b"three", Replace::Yes).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        write_atomically(&path, b"x", Replace::Yes).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(!readable_by_others(&path));
    }
}
