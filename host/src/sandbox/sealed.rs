//! A sealed in-memory copy of a precompiled module file, on Linux.
//!
//! `Component::deserialize` copies the file's bytes twice: once when they
//! are read, once into the memory that wasmtime makes executable. Both
//! copies fault in fresh pages, which took about 4 of the 5 to 6 ms of a
//! cached load of the 3 MB module here. `Component::deserialize_file` maps
//! the file instead, but a mapped file that someone truncates or overwrites
//! in place while its module runs kills the process with SIGBUS.
//!
//! A memfd sealed with `F_SEAL_WRITE`, `F_SEAL_SHRINK` and `F_SEAL_GROW`
//! cannot change any more, not even through its owner's other descriptors,
//! so wasmtime can map it safely. The kernel copies the file into it, and
//! the mapping faults in only the pages that wasmtime reads.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::PathBuf;

/// A memfd holding a copy of a file, sealed against any change.
pub(super) struct SealedCopy {
    memfd: File,
}

impl SealedCopy {
    /// Copies up to `max_len` bytes of `file`, from its start, into a new
    /// memfd and seals it. A file that grew past `max_len` after its size
    /// was checked gives a cut copy, which wasmtime rejects.
    ///
    /// # Errors
    ///
    /// Any error of `memfd_create`, the copy or `fcntl`, for example on a
    /// kernel without memfd support; the caller then reads the file the
    /// usual way.
    #[allow(unsafe_code)]
    pub(super) fn new(file: &File, max_len: u64) -> io::Result<Self> {
        // SAFETY: the name is a NUL-terminated literal; the flags are
        // valid `memfd_create` flags. A negative result is an error.
        let fd = unsafe {
            libc::memfd_create(
                c"mem8-guard-module".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a descriptor that `memfd_create` just opened and
        // that nothing else owns.
        let memfd = unsafe { File::from_raw_fd(fd) };

        // `io::copy` between two files copies inside the kernel
        // (`copy_file_range` or `sendfile`) where it can.
        io::copy(&mut io::Read::take(file, max_len), &mut &memfd)?;

        let seals =
            libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
        // SAFETY: `F_ADD_SEALS` takes an int of seal flags and touches no
        // memory of this process.
        if unsafe { libc::fcntl(memfd.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let copy = Self { memfd };
        // wasmtime opens the copy by path; fail here, where the caller can
        // fall back, when `/proc` is not mounted.
        std::fs::metadata(copy.path())?;
        Ok(copy)
    }

    /// Returns the path under `/proc/self/fd` that opens this memfd, valid
    /// while `self` lives.
    pub(super) fn path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", self.memfd.as_raw_fd()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn copy_has_file_contents() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"precompiled bytes").unwrap();
        let file = reopen_at_start(file);
        let copy = SealedCopy::new(&file, 1024).unwrap();
        let mut text = String::new();
        File::open(copy.path())
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "precompiled bytes");
    }

    #[test]
    fn copy_rejects_writes() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"precompiled bytes").unwrap();
        let file = reopen_at_start(file);
        let copy = SealedCopy::new(&file, 1024).unwrap();

        let error = std::fs::OpenOptions::new()
            .write(true)
            .open(copy.path())
            .and_then(|mut writer| writer.write_all(b"x"))
            .unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EPERM), "{error}");
        let error = copy.memfd.set_len(1).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EPERM), "{error}");
    }

    fn reopen_at_start(mut file: File) -> File {
        use std::io::Seek;
        file.rewind().unwrap();
        file
    }
}
