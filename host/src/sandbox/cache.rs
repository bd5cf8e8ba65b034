//! Precompiled modules on disk, keyed by the module's SHA-256 and the
//! engine's compatibility hash (wasmtime version and compilation settings).

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

use super::HostError;

/// The origin of a loaded module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleSource {
    /// Compiled now; no cache folder is configured.
    Compiled,
    /// Compiled now and written to the cache folder.
    CompiledAndCached,
    /// Compiled now, but writing it to the cache folder failed, so the next
    /// load compiles again. The host logged the error as a warning.
    CompiledNotCached,
    /// Read from the cache folder without compiling.
    Cached,
}

/// Compiles `bytes`, or reads the precompiled module from `cache_dir` when
/// one for these exact bytes and this engine is there.
///
/// # Errors
///
/// [`HostError::Load`] when the module does not start with a component's
/// header (see [`check_component_header`](super::check_component_header)),
/// does not compile, or the cache folder is unsafe or cannot be created.
/// A cached file that wasmtime
/// rejects (another engine, a truncated write) is compiled again and
/// replaced. A failure to write the compiled module to the folder is no
/// error: the host logs a warning and returns
/// [`ModuleSource::CompiledNotCached`].
pub fn load_component(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: Option<&Path>,
) -> Result<(Component, ModuleSource), HostError> {
    super::check_component_header(bytes).map_err(|reason| HostError::Load { reason })?;
    let Some(dir) = cache_dir else {
        return Ok((compile(engine, bytes)?, ModuleSource::Compiled));
    };
    prepare_dir(dir)?;
    let path = dir.join(cache_file_name(engine, bytes));

    if path.exists() {
        match deserialize(engine, &path, bytes.len()) {
            Ok(component) => return Ok((component, ModuleSource::Cached)),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "discarding unusable precompiled module");
            }
        }
    }

    let component = compile(engine, bytes)?;

    // The cache only saves compiling, so a read-only folder or a full disk
    // costs the next load time and does not stop this one.
    match store(dir, &path, &component) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "cached precompiled module");
            Ok((component, ModuleSource::CompiledAndCached))
        }
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "failed to cache the precompiled module; using the module compiled now");
            Ok((component, ModuleSource::CompiledNotCached))
        }
    }
}

/// Serializes `component` and writes it to `path` in `dir`, or returns why
/// it could not.
fn store(dir: &Path, path: &Path, component: &Component) -> Result<(), String> {
    let serialized = component
        .serialize()
        .map_err(|error| format!("failed to serialize the compiled module: {error}"))?;
    if fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_dir()) {
        return Err(format!(
            "module cache file `{}` is a folder; remove it",
            path.display()
        ));
    }
    write_atomically(dir, path, &serialized)
}

/// The cache file name: `<module sha256>-<engine hash>.cwasm`.
pub fn cache_file_name(engine: &Engine, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut module_hex = String::with_capacity(64);
    for byte in digest {
        module_hex.push_str(&format!("{byte:02x}"));
    }
    // `DefaultHasher::new` uses fixed keys, so the value is stable for one
    // build of the host; another build at worst misses the cache.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{module_hex}-{:016x}.cwasm", hasher.finish())
}

/// Joins the lines of a wasmtime message, whose causes may print values
/// over several indented lines, into one line for logs and the CLI.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, HostError> {
    Component::from_binary(engine, bytes).map_err(|error| HostError::Load {
        reason: one_line(&format!("failed to compile the module: {error:#}")),
    })
}

/// Largest cache file read for a module of `module_len` bytes: 16 times
/// the module, plus 1 MiB.
///
/// NOTE: an estimate with room to spare. The 1.2 MB guest compiles to
/// 3.1 MB (2.5 times, wasmtime 48 on x86-64).
fn max_cache_file_bytes(module_len: usize) -> u64 {
    (module_len as u64)
        .saturating_mul(16)
        .saturating_add(1024 * 1024)
}

/// Reads the precompiled module at `path` for a module of `module_len`
/// bytes.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path, module_len: usize) -> Result<Component, HostError> {
    let file = open_file(path, effective_uid())?;

    // A file far larger than the module compiles to is no cache file of
    // it. Reject it before copying it into memory.
    let size = file
        .metadata()
        .map_err(|error| cache_io_error(path, &error))?
        .len();
    let max = max_cache_file_bytes(module_len);
    if size > max {
        return Err(HostError::Load {
            reason: format!(
                "module cache file `{}` has {size} bytes, more than the {max} bytes that a \
                 compiled module of {module_len} bytes can have",
                path.display()
            ),
        });
    }

    // SAFETY: `Component::deserialize_file` here and
    // `Component::deserialize` in `deserialize_in_memory` run the bytes'
    // native code unchecked, so they must come from
    // `Component::serialize` of a compatible engine. This host writes the
    // files itself, atomically under a fresh name, in a folder that
    // `prepare_dir` requires to be writable only by its owner, on a path
    // that only that user or root can change; `open_file` applies the same
    // rule to the file, and wasmtime checks the header for engine
    // compatibility.

    // On Linux, wasmtime maps a sealed copy that nothing can change, which
    // saves the copies that `Component::deserialize` makes. Where memfds
    // are unavailable or not executable (`vm.memfd_noexec`), the file is
    // read instead.
    #[cfg(target_os = "linux")]
    match super::sealed::SealedCopy::new(&file, max) {
        Ok(copy) => match unsafe { Component::deserialize_file(engine, copy.path()) } {
            Ok(component) => return Ok(component),
            // Contents that are no precompiled component fail the same
            // way from memory, so reading the file again would only cost.
            Err(error) if !is_precompiled_component(&copy) => {
                return Err(read_error(path, &error));
            }
            Err(error) => {
                tracing::debug!(path = %path.display(), error = %format!("{error:#}"), "failed to map the sealed copy; reading the module into memory");
            }
        },
        Err(error) => {
            tracing::debug!(path = %path.display(), %error, "no sealed copy; reading the module into memory");
        }
    }

    deserialize_in_memory(engine, file, max, path)
}

/// Returns whether `copy` starts like a precompiled component, reading only
/// its headers.
#[cfg(target_os = "linux")]
fn is_precompiled_component(copy: &super::sealed::SealedCopy) -> bool {
    matches!(
        Engine::detect_precompiled_file(copy.path()),
        Ok(Some(wasmtime::Precompiled::Component))
    )
}

/// Reads up to `max_len` bytes of `file` from its start into memory and
/// deserializes them, so that a change to the file on disk while the module
/// runs cannot fault the process. `path` names the file in errors.
#[allow(unsafe_code)]
fn deserialize_in_memory(
    engine: &Engine,
    mut file: fs::File,
    max_len: u64,
    path: &Path,
) -> Result<Component, HostError> {
    use std::io::{Read, Seek};
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|_| (&file).take(max_len).read_to_end(&mut bytes))
        .map_err(|error| cache_io_error(path, &error))?;
    // SAFETY: `deserialize`, the only caller outside tests, opened `file`
    // with `open_file`; see its safety argument.
    unsafe { Component::deserialize(engine, &bytes) }.map_err(|error| read_error(path, &error))
}

fn read_error(path: &Path, error: &wasmtime::Error) -> HostError {
    HostError::Load {
        reason: format!("failed to read `{}`: {error:#}", path.display()),
    }
}

/// Creates the folder (owner-only on Unix) and checks it and every folder
/// above it, as [`check_dir_chain`] describes.
fn prepare_dir(dir: &Path) -> Result<(), HostError> {
    let dir = std::path::absolute(dir).map_err(|error| cache_io_error(dir, &error))?;
    let uid = effective_uid();

    // Check the folders that exist before creating any, so that no folder
    // is created through a symbolic link or inside a folder others control.
    check_dir_chain(&dir, uid, Missing::Allowed)?;
    if !dir.exists() {
        create_private_dir(&dir)?;
    }
    check_dir_chain(&dir, uid, Missing::Rejected)
}

/// Whether [`check_dir_chain`] accepts a path whose last folders do not
/// exist yet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Missing {
    Allowed,
    Rejected,
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), HostError> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|error| cache_io_error(dir, &error))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), HostError> {
    fs::create_dir_all(dir).map_err(|error| cache_io_error(dir, &error))
}

/// Checks every component of the absolute path `dir`, from `/` down,
/// without following symbolic links:
///
/// - the cache folder itself must be a folder owned by `uid` that group and
///   others cannot write to;
/// - every folder above it must be owned by `uid` or root. Group and
///   others must not be able to write to it unless it has the sticky bit,
///   as `/tmp` has, which stops them from renaming or removing the entries
///   of other users;
/// - no component may be a symbolic link, because whoever can change the
///   link or its target's folders can point the cache elsewhere.
///
/// Whoever can write to one of these folders can replace the cache folder,
/// and with it the native code the host runs.
#[cfg(unix)]
fn check_dir_chain(dir: &Path, uid: u32, missing: Missing) -> Result<(), HostError> {
    let count = dir.components().count();
    let mut prefix = PathBuf::new();
    for (index, component) in dir.components().enumerate() {
        prefix.push(component);
        let metadata = match fs::symlink_metadata(&prefix) {
            Ok(metadata) => metadata,
            Err(error)
                if missing == Missing::Allowed && error.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(());
            }
            Err(error) => return Err(cache_io_error(&prefix, &error)),
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            return Err(symlink_error(&prefix));
        }
        if !kind.is_dir() {
            return Err(HostError::Load {
                reason: format!("module cache path `{}` is not a folder", prefix.display()),
            });
        }
        if index + 1 == count {
            check_owner(&prefix, &metadata, uid)?;
            check_mode(&prefix, &metadata)?;
        } else {
            check_parent(&prefix, &metadata, uid)?;
        }
    }
    Ok(())
}

/// Opens a cache file that [`check_file`] accepts, without following a
/// symbolic link or blocking on a FIFO, and checks that the file opened is
/// the file checked.
#[cfg(unix)]
fn open_file(path: &Path, uid: u32) -> Result<fs::File, HostError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let checked = check_file(path, uid)?;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|error| cache_io_error(path, &error))?;
    let opened = file
        .metadata()
        .map_err(|error| cache_io_error(path, &error))?;
    if (opened.dev(), opened.ino()) != (checked.dev(), checked.ino()) {
        return Err(HostError::Load {
            reason: format!(
                "module cache file `{}` was replaced while it was opened",
                path.display()
            ),
        });
    }
    Ok(file)
}

/// Rejects a cache file that is a symbolic link or not a regular file,
/// that `uid` does not own or that group or others can write to, and
/// returns its metadata.
#[cfg(unix)]
fn check_file(path: &Path, uid: u32) -> Result<fs::Metadata, HostError> {
    let metadata = fs::symlink_metadata(path).map_err(|error| cache_io_error(path, &error))?;
    if metadata.file_type().is_symlink() {
        return Err(symlink_error(path));
    }
    if !metadata.is_file() {
        return Err(HostError::Load {
            reason: format!(
                "module cache file `{}` is not a regular file; remove it",
                path.display()
            ),
        });
    }
    check_owner(path, &metadata, uid)?;
    check_mode(path, &metadata)?;
    Ok(metadata)
}

#[cfg(unix)]
fn check_mode(path: &Path, metadata: &fs::Metadata) -> Result<(), HostError> {
    use std::os::unix::fs::PermissionsExt;
    if metadata.permissions().mode() & 0o022 != 0 {
        return Err(HostError::Load {
            reason: format!(
                "module cache `{}` is writable by group or others; run `chmod go-w` on it",
                path.display()
            ),
        });
    }
    Ok(())
}

/// Rejects a cache folder or file that `uid` does not own: its owner can
/// replace the native code the host runs, whatever its mode bits are.
#[cfg(unix)]
fn check_owner(path: &Path, metadata: &fs::Metadata, uid: u32) -> Result<(), HostError> {
    use std::os::unix::fs::MetadataExt;
    let owner = metadata.uid();
    if owner != uid {
        return Err(HostError::Load {
            reason: format!(
                "module cache `{}` is owned by uid `{owner}`, not by this process's uid `{uid}`; \
                 use a folder the service owns",
                path.display()
            ),
        });
    }
    Ok(())
}

/// Rejects a folder above the cache that a user other than `uid` and root
/// owns, or that group or others can write to without the sticky bit.
#[cfg(unix)]
fn check_parent(path: &Path, metadata: &fs::Metadata, uid: u32) -> Result<(), HostError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let owner = metadata.uid();
    if owner != uid && owner != 0 {
        return Err(HostError::Load {
            reason: format!(
                "folder `{}` above the module cache is owned by uid `{owner}`, neither this \
                 process's uid `{uid}` nor root; put the cache where only the service user or \
                 root can change its path",
                path.display()
            ),
        });
    }
    let mode = metadata.permissions().mode();
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(HostError::Load {
            reason: format!(
                "folder `{}` above the module cache is writable by group or others without the \
                 sticky bit; run `chmod go-w` on it or put the cache elsewhere",
                path.display()
            ),
        });
    }
    Ok(())
}

#[cfg(unix)]
fn symlink_error(path: &Path) -> HostError {
    HostError::Load {
        reason: format!(
            "module cache path `{}` is a symbolic link; give the path it resolves to \
             (`realpath`), in folders only the service user or root can write to",
            path.display()
        ),
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes no arguments, touches no memory and cannot
    // fail (POSIX).
    unsafe { libc::geteuid() }
}

// NOTE: on other platforms the cache folder's permissions are not checked.
#[cfg(not(unix))]
fn check_dir_chain(_dir: &Path, _uid: u32, _missing: Missing) -> Result<(), HostError> {
    Ok(())
}

#[cfg(not(unix))]
fn open_file(path: &Path, _uid: u32) -> Result<fs::File, HostError> {
    fs::File::open(path).map_err(|error| cache_io_error(path, &error))
}

#[cfg(not(unix))]
fn effective_uid() -> u32 {
    0
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), String> {
    let failed = |path: &Path, error: &std::io::Error| {
        format!("failed to write module cache `{}`: {error}", path.display())
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|error| failed(dir, &error))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|error| failed(file.path(), &error))?;
    file.persist(path)
        .map_err(|error| failed(path, &error.error))?;
    Ok(())
}

fn cache_io_error(path: &Path, error: &std::io::Error) -> HostError {
    HostError::Load {
        reason: format!("module cache `{}`: {error}", path.display()),
    }
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn load_reason(result: Result<(), HostError>) -> String {
        match result {
            Err(HostError::Load { reason }) => reason,
            other => panic!("expected a load error, got {other:?}"),
        }
    }

    #[test]
    fn owner_check_accepts_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let metadata = fs::metadata(dir.path()).unwrap();
        assert!(check_owner(dir.path(), &metadata, effective_uid()).is_ok());
    }

    #[test]
    fn owner_check_rejects_other_user() {
        let dir = tempfile::tempdir().unwrap();
        let metadata = fs::metadata(dir.path()).unwrap();
        let other = metadata.uid().wrapping_add(1);
        let error = check_owner(dir.path(), &metadata, other).unwrap_err();
        assert!(matches!(error, HostError::Load { .. }), "got {error:?}");
        assert!(error.to_string().contains("is owned by uid"), "{error}");
    }

    #[test]
    fn new_cache_under_temp_folder_accepted() {
        // The temporary folder is `/tmp` or `$TMPDIR`: world-writable with
        // the sticky bit, or private to the user.
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("a/b/modules");
        prepare_dir(&cache).unwrap();
        for folder in [dir.path().join("a"), dir.path().join("a/b"), cache] {
            let mode = fs::symlink_metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
        }
    }

    #[test]
    fn relative_cache_path_checked_from_root() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        // `absolute` keeps the link in the path, so the check still finds it.
        let relative = std::env::current_dir()
            .unwrap()
            .components()
            .map(|_| "..")
            .collect::<PathBuf>()
            .join(link.strip_prefix("/").unwrap())
            .join("modules");
        let reason = load_reason(prepare_dir(&relative));
        assert!(reason.contains("is a symbolic link"), "{reason}");
    }

    #[test]
    fn symlinked_cache_folder_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        set_mode(&real, 0o700);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();

        let reason = load_reason(prepare_dir(&link));
        assert!(reason.contains("is a symbolic link"), "{reason}");
        assert!(
            reason.contains(&format!("`{}`", link.display())),
            "{reason}"
        );
    }

    #[test]
    fn symlinked_parent_rejected_before_create() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();

        let reason = load_reason(prepare_dir(&link.join("modules")));
        assert!(reason.contains("is a symbolic link"), "{reason}");
        assert!(!real.join("modules").exists(), "created through the link");
    }

    #[test]
    fn writable_parent_rejected_before_create() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        fs::create_dir(&shared).unwrap();
        for mode in [0o775, 0o757] {
            set_mode(&shared, mode);
            let reason = load_reason(prepare_dir(&shared.join("modules")));
            assert!(reason.contains("without the sticky bit"), "{reason}");
            assert!(
                !shared.join("modules").exists(),
                "created in a shared folder"
            );
        }
    }

    #[test]
    fn sticky_writable_parent_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let sticky = dir.path().join("sticky");
        fs::create_dir(&sticky).unwrap();
        set_mode(&sticky, 0o1777);
        prepare_dir(&sticky.join("modules")).unwrap();
    }

    #[test]
    fn parent_of_other_user_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("parent");
        let cache = parent.join("modules");
        fs::create_dir_all(&cache).unwrap();
        set_mode(&parent, 0o755);
        set_mode(&cache, 0o700);
        let owner = fs::metadata(&parent).unwrap().uid();

        // As root, give the parent to `nobody`. Otherwise check as another
        // user: the parent's real owner is then neither that user nor root.
        let uid = if owner == 0 {
            std::os::unix::fs::chown(&parent, Some(65_534), None).unwrap();
            std::os::unix::fs::chown(&cache, Some(0), None).unwrap();
            0
        } else {
            std::os::unix::fs::chown(&cache, Some(owner), None).unwrap();
            owner.wrapping_add(1)
        };
        let reason = load_reason(check_dir_chain(&cache, uid, Missing::Rejected));
        assert!(
            reason.contains("above the module cache is owned by uid"),
            "{reason}"
        );
    }

    #[test]
    fn in_memory_read_loads_component() {
        let engine = Engine::default();
        let component = Component::new(&engine, "(component)").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.cwasm");
        fs::write(&path, component.serialize().unwrap()).unwrap();
        let mut file = fs::File::open(&path).unwrap();
        // Read from the start even when something moved the position.
        std::io::Read::read_exact(&mut file, &mut [0; 4]).unwrap();
        assert!(deserialize_in_memory(&engine, file, u64::MAX, &path).is_ok());

        fs::write(&path, b"not a module").unwrap();
        let file = fs::File::open(&path).unwrap();
        let error = deserialize_in_memory(&engine, file, u64::MAX, &path).unwrap_err();
        assert!(error.to_string().contains("failed to read `"), "{error}");
    }

    #[test]
    fn oversized_cache_file_rejected() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.cwasm");
        let max = max_cache_file_bytes(1000);
        assert_eq!(max, 1_064_576);

        // A sparse file: its size takes no disk space or read time.
        let file = fs::File::create(&path).unwrap();
        file.set_len(max + 1).unwrap();
        let reason = load_reason(deserialize(&engine, &path, 1000).map(drop));
        assert!(reason.contains("has 1064577 bytes"), "{reason}");
        assert!(reason.contains("more than the 1064576 bytes"), "{reason}");

        // At the limit the file is read, and wasmtime rejects its zeros.
        file.set_len(max).unwrap();
        let reason = load_reason(deserialize(&engine, &path, 1000).map(drop));
        assert!(!reason.contains("more than the"), "{reason}");
        assert!(reason.contains("failed to read `"), "{reason}");
    }

    #[test]
    fn cache_fifo_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("module.cwasm");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a NUL-terminated path that outlives the call.
        #[allow(unsafe_code)]
        let status = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
        assert_eq!(status, 0, "{}", std::io::Error::last_os_error());

        // Opening the FIFO for reading would block until a writer came.
        let reason = load_reason(open_file(&fifo, effective_uid()).map(drop));
        assert!(reason.contains("is not a regular file"), "{reason}");
    }

    #[test]
    fn cache_file_symlink_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.cwasm");
        fs::write(&target, b"x").unwrap();
        set_mode(&target, 0o600);
        let link = dir.path().join("link.cwasm");
        std::os::unix::fs::symlink(&target, &link).unwrap();

        assert!(check_file(&target, effective_uid()).is_ok());
        let reason = load_reason(check_file(&link, effective_uid()).map(drop));
        assert!(reason.contains("is a symbolic link"), "{reason}");
    }
}
