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
    /// Read from the cache folder without compiling.
    Cached,
}

/// Compiles `bytes`, or reads the precompiled module from `cache_dir` when
/// one for these exact bytes and this engine is there.
///
/// # Errors
///
/// [`HostError::Load`] when the module does not compile, or the cache
/// folder is unsafe or cannot be written. A cached file that wasmtime
/// rejects (another engine, a truncated write) is compiled again and
/// replaced.
pub fn load_component(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: Option<&Path>,
) -> Result<(Component, ModuleSource), HostError> {
    let Some(dir) = cache_dir else {
        return Ok((compile(engine, bytes)?, ModuleSource::Compiled));
    };
    prepare_dir(dir)?;
    let path = dir.join(cache_file_name(engine, bytes));

    if path.exists() {
        match deserialize(engine, &path) {
            Ok(component) => return Ok((component, ModuleSource::Cached)),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "discarding unusable precompiled module");
            }
        }
    }

    let component = compile(engine, bytes)?;
    let serialized = component.serialize().map_err(|error| HostError::Load {
        reason: format!("failed to serialize the compiled module: {error}"),
    })?;
    write_atomically(dir, &path, &serialized)?;
    tracing::info!(path = %path.display(), "cached precompiled module");
    Ok((component, ModuleSource::CompiledAndCached))
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

fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, HostError> {
    Component::from_binary(engine, bytes).map_err(|error| HostError::Load {
        reason: format!("failed to compile the module: {error:#}"),
    })
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> Result<Component, HostError> {
    check_not_shared(path)?;
    // The file is read into memory, not mapped, so a change to it on disk
    // while the module runs cannot fault the process.
    let bytes = fs::read(path).map_err(|error| cache_io_error(path, &error))?;
    // SAFETY: `Component::deserialize` runs the bytes' native code
    // unchecked, so they must come from `Component::serialize` of a
    // compatible engine. This host writes the files itself, atomically
    // under a fresh name, in a folder that `prepare_dir` and
    // `check_not_shared` require to be writable only by its owner, and
    // wasmtime checks the header for engine compatibility.
    unsafe { Component::deserialize(engine, &bytes) }.map_err(|error| HostError::Load {
        reason: format!("failed to read `{}`: {error:#}", path.display()),
    })
}

/// Creates the folder (owner-only on Unix) and rejects one that others can
/// write to.
fn prepare_dir(dir: &Path) -> Result<(), HostError> {
    if !dir.exists() {
        create_private_dir(dir)?;
    }
    check_not_shared(dir)
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

#[cfg(unix)]
fn check_not_shared(path: &Path) -> Result<(), HostError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = fs::metadata(path).map_err(|error| cache_io_error(path, &error))?;
    check_owner(path, &metadata, effective_uid())?;
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

#[cfg(unix)]
#[allow(unsafe_code)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes no arguments, touches no memory and cannot
    // fail (POSIX).
    unsafe { libc::geteuid() }
}

// NOTE: on other platforms the cache folder's permissions are not checked.
#[cfg(not(unix))]
fn check_not_shared(_path: &Path) -> Result<(), HostError> {
    Ok(())
}

fn write_atomically(dir: &Path, path: &PathBuf, bytes: &[u8]) -> Result<(), HostError> {
    let mut file =
        tempfile::NamedTempFile::new_in(dir).map_err(|error| cache_io_error(dir, &error))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|error| cache_io_error(file.path(), &error))?;
    file.persist(path)
        .map_err(|error| cache_io_error(path, &error.error))?;
    Ok(())
}

fn cache_io_error(path: &Path, error: &std::io::Error) -> HostError {
    HostError::Load {
        reason: format!("module cache `{}`: {error}", path.display()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn owner_check_accepts_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let metadata = fs::metadata(dir.path()).unwrap();
        assert!(check_owner(dir.path(), &metadata, effective_uid()).is_ok());
    }

    #[test]
    fn owner_check_rejects_other_user() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let metadata = fs::metadata(dir.path()).unwrap();
        let other = metadata.uid().wrapping_add(1);
        let error = check_owner(dir.path(), &metadata, other).unwrap_err();
        assert!(matches!(error, HostError::Load { .. }), "got {error:?}");
        assert!(error.to_string().contains("is owned by uid"), "{error}");
    }
}
