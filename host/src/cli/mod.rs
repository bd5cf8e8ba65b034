//! The commands of `mem8-guard`, one module per group.

pub mod bundle;
pub mod check;
pub mod cleanup;
pub mod encryption;
pub mod engine;
pub mod keyring;
pub mod policy;
pub mod policy_test;
pub mod token;

use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mem8_guard_host::config::{self, ConfigError};

/// A usage or configuration error: printed on stderr, exit code 2.
pub type CliError = Box<dyn std::error::Error>;

/// The exit code when standard output was closed before the command wrote
/// all of it: 128 + SIGPIPE (13), as a shell reports for a tool that
/// SIGPIPE ended. Rust ignores SIGPIPE, so the write fails instead.
pub const BROKEN_PIPE_EXIT: u8 = 141;

/// Returns whether `error`, or an error in its source chain, is an I/O
/// error of kind [`io::ErrorKind::BrokenPipe`].
pub fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        // A `serde_json::Error` from a writer does not return the I/O error
        // as its source, only that error's own source.
        let kind = match error.downcast_ref::<io::Error>() {
            Some(io_error) => Some(io_error.kind()),
            None => error
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind),
        };
        if kind == Some(io::ErrorKind::BrokenPipe) {
            return true;
        }
        current = error.source();
    }
    false
}

/// Starts logging to stderr at the level named by `MEM8_GUARD_LOG` (`error`,
/// `warn`, `info`, `debug` or `trace`; default `warn`). Logs never contain
/// tokens, secrets or claim values.
pub fn init_logging() {
    let level = std::env::var("MEM8_GUARD_LOG")
        .ok()
        .and_then(|name| name.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::WARN);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        .without_time()
        .init();
}

/// `--now` if given, else the system clock in Unix seconds.
pub fn now_or_clock(now: Option<u64>) -> Result<u64, CliError> {
    match now {
        Some(now) => Ok(now),
        None => Ok(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs()),
    }
}

/// Reads a token from a file, from standard input (`-`) or from the
/// argument itself, with surrounding whitespace removed.
pub fn read_token(file: Option<&Path>, argument: Option<&str>) -> Result<String, CliError> {
    let text = match (file, argument) {
        (Some(path), _) => String::from_utf8(config::read_file(path)?)
            .map_err(|_| format!("`{}`: token file is not UTF-8", config::shown(path)))?,
        (None, Some("-")) => {
            let bytes = config::read_bounded(io::stdin().lock())
                .map_err(|error| format!("standard input: {error}"))?;
            String::from_utf8(bytes).map_err(|_| "standard input: token is not UTF-8")?
        }
        (None, Some(token)) => token.to_owned(),
        (None, None) => return Err("give a token, `-` or --token-file".into()),
    };
    Ok(text.trim().to_owned())
}

/// Prints a clap error with every argument that looks like a compact JWS
/// replaced by `[token]`, so that a usage mistake never echoes a token.
pub fn print_usage_error(error: &clap::Error) -> ! {
    let mut rendered = error.render().to_string();
    // `args_os`, because `args` panics on an argument that is not UTF-8.
    for argument in std::env::args_os().skip(1) {
        let argument = argument.to_string_lossy();
        if looks_like_token(&argument) {
            rendered = rendered.replace(argument.as_ref(), "[token]");
        }
    }
    // Help and version output go to stdout, real errors to stderr. `print!`
    // would panic on a failed write, so a closed stdout exits as `main`
    // does, and other failures are ignored.
    if error.use_stderr() {
        let _ = write!(io::stderr(), "{rendered}");
    } else if let Err(error) = write!(io::stdout(), "{rendered}") {
        if error.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_EXIT.into());
        }
    }
    std::process::exit(error.exit_code())
}

fn looks_like_token(argument: &str) -> bool {
    let segments: Vec<&str> = argument.split('.').collect();
    let base64url = |segment: &&str| {
        segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    argument.len() >= 16 && segments.len() >= 3 && segments.iter().all(base64url)
}

/// Reads a UTF-8 JSON file into bytes, naming the file on failure.
pub fn read_json_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    config::read_file(path)
}
