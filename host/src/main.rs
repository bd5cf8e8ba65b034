//! The `mem8-guard` command-line tool.
//!
//! Exit codes are part of the contract: 0 for success (a valid token, an
//! allow decision), 1 for a negative result (an invalid token, a deny, input
//! that does not decrypt), 2 for usage and configuration errors. When
//! standard output is closed early, as by `| head`, the command stops
//! without a message and exits 141, the status (128 + SIGPIPE) that a shell
//! reports for `cat` or `grep` ended by SIGPIPE.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod cli;

/// Tokens, authorization decisions, keys and encryption from the command line.
#[derive(Debug, Parser)]
#[command(name = "mem8-guard", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Verify or sign JSON Web Tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Generate a signing key and print it as a private JWK.
    Keygen(KeygenArgs),
    /// Turn a bearer token and a request into an allow/deny decision.
    Check(CheckArgs),
    /// Test, check, format and query authorization policies.
    #[command(subcommand)]
    Policy(cli::policy::PolicyCommand),
    /// Create and manage keyrings of encryption keys.
    #[command(subcommand)]
    Keyring(cli::keyring::KeyringCommand),
    /// Encrypt a file or standard input with the keyring's primary key, in
    /// chunks, and count one message on that key.
    Encrypt(cli::encryption::EncryptArgs),
    /// Decrypt what `encrypt` wrote. Exit 1 and write no plaintext when the
    /// input is not authentic: modified, truncated, encrypted with other
    /// associated data, or under an unknown, disabled or destroyed key.
    Decrypt(cli::encryption::DecryptArgs),
    /// Sign and verify bundles of a guard module and a policy for
    /// `--engine wasm`.
    #[command(subcommand)]
    Bundle(cli::bundle::BundleCommand),
}

// The arguments are parsed once per run, so the size of the largest
// variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Verify a token; print its claims as JSON and exit 0 when valid, print
    /// the error on stderr and exit 1 when not.
    Verify(VerifyArgs),
    /// Sign the claims in a JSON file and print the token.
    Sign(SignArgs),
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// JWK Set file holding the verification keys.
    #[arg(long, value_name = "FILE")]
    jwks: PathBuf,
    /// Accepted issuer (`iss`); repeat for several. Default: not checked.
    #[arg(long = "iss", value_name = "ISS")]
    issuers: Vec<String>,
    /// Accepted audience (`aud`); repeat for several. Default: none, so a
    /// token carrying `aud` is rejected.
    #[arg(long = "aud", value_name = "AUD")]
    audiences: Vec<String>,
    /// Accepted algorithm; repeat for several. Default: the `alg` of each key.
    #[arg(long = "alg", value_name = "ALG")]
    algorithms: Vec<String>,
    /// Clock skew tolerated for `exp`, `nbf` and `iat`, in seconds; at
    /// most 3600.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    leeway: u64,
    /// Maximum token age from `iat`, in seconds. Default: not checked.
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// Required subject (`sub`), not empty. Default: not checked.
    #[arg(long, value_name = "SUB")]
    sub: Option<String>,
    /// Required header `typ`, for example `at+jwt`, not empty. Default: not
    /// checked.
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// Claim that must be present, in addition to `exp`, which is always
    /// required; repeat for several.
    #[arg(long = "require", value_name = "CLAIM")]
    required: Vec<String>,
    /// Time to check against, in Unix seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    #[command(flatten)]
    token: TokenInput,
    #[command(flatten)]
    engine: cli::engine::EngineArgs,
}

/// Where the token comes from: exactly one of a file, an argument or `-`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct TokenInput {
    /// File holding the token; surrounding whitespace is ignored.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The token itself, or `-` to read it from standard input. A token in
    /// an argument is visible in the process list; prefer `-` or --token-file.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// Private JWK file of the signing key (oct HS*, OKP Ed25519 or EC P-256).
    #[arg(long, value_name = "JWK_FILE")]
    key: PathBuf,
    /// JSON file holding the claims object.
    #[arg(long, value_name = "JSON_FILE")]
    claims: PathBuf,
    /// Set `iat` to now and `exp` to now plus this many seconds, replacing
    /// any in the claims file. At least 1, and `exp` must not pass
    /// 9999-12-31T23:59:59Z.
    #[arg(long, value_name = "SECONDS")]
    expires_in: Option<u64>,
    /// Time used by `--expires-in`, in Unix seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
}

#[derive(Debug, Args)]
struct KeygenArgs {
    /// Signing algorithm of the new key: EdDSA, ES256, HS256, HS384 or HS512.
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// Also print the public JWK, on a second line (not for HS*).
    #[arg(long)]
    public: bool,
    /// Key id to use instead of a random 128-bit one; must not be empty.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Guard configuration file: key set, policy, validation and principal
    /// mapping.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    #[command(flatten)]
    token: CheckToken,
    /// Action requested, for example `read`.
    #[arg(long, value_name = "A")]
    action: String,
    /// Resource requested, for example `document:42`.
    #[arg(long, value_name = "R")]
    resource: String,
    /// Request context as a JSON object. Default: `{}`.
    #[arg(long, value_name = "JSON")]
    context: Option<String>,
    /// Attributes of the resource as a JSON object, for rule conditions on
    /// `resource`. Default: none.
    #[arg(long, value_name = "JSON")]
    resource_attributes: Option<String>,
    /// Time to check against, in Unix seconds. Default: the system clock.
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    #[command(flatten)]
    engine: cli::engine::EngineArgs,
}

/// The source of `check`'s bearer token: exactly one of a file or an
/// argument. As one group, a missing token names both options.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct CheckToken {
    /// File holding the bearer token.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The bearer token itself. A token in an argument is visible in the
    /// process list; prefer --token-file.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

fn main() -> ExitCode {
    cli::init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => cli::print_usage_error(&error),
    };
    let result = match cli.command {
        Command::Token(TokenCommand::Verify(args)) => cli::token::verify(args),
        Command::Token(TokenCommand::Sign(args)) => cli::token::sign(args),
        Command::Keygen(args) => cli::token::keygen(args),
        Command::Check(args) => cli::check::run(args),
        Command::Policy(command) => cli::policy::run(command),
        Command::Keyring(command) => cli::keyring::run(command),
        Command::Encrypt(args) => cli::encryption::encrypt(args),
        Command::Decrypt(args) => cli::encryption::decrypt(args),
        Command::Bundle(command) => cli::bundle::run(command),
    };
    match result {
        Ok(code) => code,
        Err(error) if cli::is_broken_pipe(error.as_ref()) => ExitCode::from(cli::BROKEN_PIPE_EXIT),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}
