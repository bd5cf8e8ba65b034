//! The commands of `mem8-guard`, one module per group.

pub mod check;
pub mod encryption;
pub mod keyring;
pub mod token;

use std::io::{self, Read};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mem8_guard_host::config::{self, ConfigError};

/// A usage or configuration error: printed on stderr, exit code 2.
pub type CliError = Box<dyn std::error::Error>;

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
            .map_err(|_| format!("`{}`: token file is not UTF-8", path.display()))?,
        (None, Some("-")) => {
            let mut text = String::new();
            io::stdin()
                .take(config::MAX_FILE_BYTES)
                .read_to_string(&mut text)
                .map_err(|error| format!("standard input: {error}"))?;
            text
        }
        (None, Some(token)) => token.to_owned(),
        (None, None) => return Err("give a token, `-` or --token-file".into()),
    };
    Ok(text.trim().to_owned())
}

/// Reads a UTF-8 JSON file into bytes, naming the file on failure.
pub fn read_json_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    config::read_file(path)
}
