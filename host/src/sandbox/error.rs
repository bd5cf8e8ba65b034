//! Errors of the sandboxed host: the guest's own typed errors, limits that
//! stopped a call, and failures to load or run the module.

use std::fmt;
use std::time::Duration;

/// The area a guest error belongs to, as the WIT variant `guard-error`
/// names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GuestErrorKind {
    /// The token is invalid.
    Token,
    /// A JWK or JWK Set is invalid or unsupported.
    Key,
    /// A policy document is invalid or over a limit.
    Policy,
    /// Encryption or decryption failed.
    Crypto,
    /// A keyring operation or document is invalid.
    Keyring,
    /// An argument is malformed.
    InvalidArgument,
    /// A bug in the module.
    Internal,
}

impl GuestErrorKind {
    /// The lowercase name: `token`, `key`, `policy`, `crypto`, `keyring`,
    /// `argument` or `internal`, as the npm package's `kind` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Key => "key",
            Self::Policy => "policy",
            Self::Crypto => "crypto",
            Self::Keyring => "keyring",
            Self::InvalidArgument => "argument",
            Self::Internal => "internal",
        }
    }
}

/// An error the core returned inside the module: the same kind, code and
/// message that the native core gives for the same input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestError {
    /// The area.
    pub kind: GuestErrorKind,
    /// The core's stable snake_case code, for example `expired`;
    /// `invalid_argument` or `internal` for those kinds.
    pub code: String,
    /// The core's message.
    pub message: String,
    /// For missing or invalid claims: the claim.
    pub claim: Option<String>,
    /// For tokens over a limit: `token_length`, `json_depth` or `claim_count`.
    pub limit: Option<String>,
}

impl fmt::Display for GuestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Everything a call into the sandbox can fail with.
///
/// Only [`HostError::Guest`] comes from the core's logic. The others mean
/// the call was stopped or the module misbehaved; the host then discards the
/// instance it ran on, so the next call starts from a fresh one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The core rejected the input; see [`GuestError`].
    #[error("{0}")]
    Guest(GuestError),
    /// The call ran past its deadline and was interrupted.
    #[error("guest call timed out after {deadline:?}; raise the deadline (`Limits::deadline`, or `--call-timeout` on the command line) if the input is legitimate")]
    Timeout {
        /// The configured deadline.
        deadline: Duration,
    },
    /// The call used up its fuel.
    #[error("guest call ran out of fuel (limit `{fuel}` units); raise `Limits::fuel` if the input is legitimate")]
    OutOfFuel {
        /// The configured fuel per call.
        fuel: u64,
    },
    /// The guest tried to grow its memory past the cap.
    #[error("guest memory limit of `{limit}` bytes exceeded; raise it (`Limits::max_memory_bytes`, or `--max-memory` on the command line) if the input is legitimate")]
    MemoryLimit {
        /// The configured cap, in bytes.
        limit: usize,
    },
    /// The guest trapped: a panic, `unreachable`, an out-of-bounds access.
    #[error("guest trapped: {reason}")]
    Trap {
        /// Wasmtime's description of the trap.
        reason: String,
    },
    /// The guest returned a value that breaks the component ABI, such as a
    /// pointer or length outside its memory, or an invalid variant.
    #[error("guest returned an invalid value: {reason}")]
    InvalidGuestValue {
        /// Wasmtime's description of the problem.
        reason: String,
    },
    /// The module could not be compiled, cached, linked or instantiated.
    #[error("failed to load the guard module: {reason}")]
    Load {
        /// What failed.
        reason: String,
    },
    /// The module was built for a WIT world this host does not support.
    #[error("incompatible guard module: world version `{found}`, this host needs `{expected}`")]
    IncompatibleModule {
        /// The version the module reported.
        found: String,
        /// The version series this host supports.
        expected: String,
    },
    /// A stream's state lived in an instance that was discarded after a
    /// failed call (a trap or a limit, in any call on that instance), so the
    /// stream cannot continue.
    #[error("the guest instance that held this stream was discarded after a failed call; restart the stream from its beginning")]
    StreamLost,
    /// A host-side failure, such as a poisoned lock after a panic in another
    /// thread.
    #[error("internal host error: {reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl HostError {
    /// The guest error, when the core itself rejected the input.
    pub fn guest(&self) -> Option<&GuestError> {
        match self {
            Self::Guest(error) => Some(error),
            _ => None,
        }
    }

    /// Returns `true` when the call was stopped by a limit (deadline, fuel
    /// or memory).
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. } | Self::OutOfFuel { .. } | Self::MemoryLimit { .. }
        )
    }
}
