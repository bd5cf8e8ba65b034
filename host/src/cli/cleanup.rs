//! Removal of the CLI's temporary files when a signal ends the process.
//!
//! `encrypt` and `decrypt` write to a temporary file and rename it at the
//! end. A temporary file removes itself when dropped, but SIGINT, SIGTERM
//! and SIGHUP end the process without running destructors, which would
//! leave a partial file behind: partial ciphertext, or plaintext that was
//! never verified to its end. The handler installed here removes every
//! registered file first. SIGKILL cannot be caught, so it still leaves them.
//! SIGXFSZ, sent when a write passes the file size limit, is ignored, so
//! that the write fails and the file is dropped as on any other error.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Exit status after a signal, as shells report SIGINT (128 + 2).
pub const SIGNAL_EXIT_CODE: i32 = 130;

/// Paths of the temporary files that exist right now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the signal handler. Installing it twice keeps the first.
pub fn install() {
    ignore_file_size_limit_signal();
    let _ = ctrlc::set_handler(|| {
        let pending = match PENDING.lock() {
            Ok(pending) => pending,
            Err(poisoned) => poisoned.into_inner(),
        };
        for path in pending.iter() {
            let _ = std::fs::remove_file(path);
        }
        std::process::exit(SIGNAL_EXIT_CODE);
    });
}

/// Makes a write past the file size limit (`ulimit -f`) fail with `EFBIG`,
/// which the commands handle like any write error, removing the temporary
/// file. By default SIGXFSZ ends the process and leaves the file.
#[cfg(unix)]
#[allow(unsafe_code)]
fn ignore_file_size_limit_signal() {
    // SAFETY: `signal` with `SIG_IGN` installs no handler code and reads
    // no memory of this process; it only changes the signal's disposition.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn ignore_file_size_limit_signal() {}

/// A temporary file's entry in the removal list, taken out on drop. Drop it
/// after the file is renamed or removed.
#[derive(Debug)]
pub struct Registered(PathBuf);

/// Adds `path` to the files the signal handler removes.
pub fn register(path: &Path) -> Registered {
    let mut pending = match PENDING.lock() {
        Ok(pending) => pending,
        Err(poisoned) => poisoned.into_inner(),
    };
    pending.push(path.to_path_buf());
    Registered(path.to_path_buf())
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut pending = match PENDING.lock() {
            Ok(pending) => pending,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(index) = pending.iter().position(|path| *path == self.0) {
            pending.swap_remove(index);
        }
    }
}
