//! Runs the real `mem8-guard` binary: keyring commands, encryption and
//! decryption through files and pipes, sealed keyrings, exit codes, and a
//! 256 MiB round trip in bounded memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_mem8-guard");

/// A scratch directory with a keyring in it.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Self {
        let scratch = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        let output = scratch.run(&["keyring", "new", "--out", &scratch.path("ring.json")]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        scratch
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let input = stdin.to_vec();
        let writer = std::thread::spawn(move || pipe.write_all(&input));
        let output = child.wait_with_output().unwrap();
        // The child may exit before reading everything; that is not an error here.
        let _ = writer.join().unwrap();
        output
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("MEM8_GUARD_KEK_FILE");
        command
    }

    /// Encrypts `name` with `--aad` to `out`, asserting success.
    fn encrypt(&self, name: &str, aad: &str, out: &str) {
        let output = self.run(&[
            "encrypt",
            "--keyring",
            "ring.json",
            "--aad",
            aad,
            "-o",
            out,
            name,
        ]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }

    fn decrypt(&self, name: &str, aad: &str, out: &str) -> Output {
        self.run(&[
            "decrypt",
            "--keyring",
            "ring.json",
            "--aad",
            aad,
            "-o",
            out,
            name,
        ])
    }

    fn list(&self) -> Value {
        let output = self.run(&["keyring", "list", "--keyring", "ring.json"]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn primary(&self) -> String {
        let listing = self.list();
        listing["keys"][0]["kid"].as_str().unwrap().to_owned()
    }

    fn exists(&self, name: &str) -> bool {
        Path::new(&self.path(name)).exists()
    }

    /// The names of the files in the scratch directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {output:?}"))
}

// ---------------------------------------------------------------- keyrings

#[test]
fn keyring_new_writes_private_unsealed_file() {
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("ring.json");
    let output = Command::new(BIN)
        .args([
            "keyring",
            "new",
            "--out",
            ring.to_str().unwrap(),
            "--alg",
            "C20P",
        ])
        .env_remove("MEM8_GUARD_KEK_FILE")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let key = stdout_json(&output);
    assert_eq!(key["state"], "primary");
    assert_eq!(key["alg"], "C20P");
    assert_eq!(key["kid"].as_str().unwrap().len(), 8);
    assert!(stderr(&output).contains("unsealed"), "{output:?}");
    let stored: Value = serde_json::from_slice(&fs::read(&ring).unwrap()).unwrap();
    assert_eq!(stored["keys"][0]["kid"], key["kid"]);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&ring).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn keyring_new_keeps_existing_file() {
    let scratch = Scratch::new();
    let before = fs::read(scratch.path("ring.json")).unwrap();
    let output = scratch.run(&["keyring", "new", "--out", "ring.json"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("already exists"), "{output:?}");
    assert_eq!(fs::read(scratch.path("ring.json")).unwrap(), before);
}

#[test]
fn rotation_through_the_cli() {
    let scratch = Scratch::new();
    let first = scratch.primary();
    scratch.write("a.txt", b"first secret");
    scratch.encrypt("a.txt", "", "a.enc");

    // Add, then promote: the safe order.
    let output = scratch.run(&["keyring", "add", "--keyring", "ring.json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let added = stdout_json(&output)["kid"].as_str().unwrap().to_owned();
    assert_eq!(stdout_json(&output)["state"], "enabled");
    assert_eq!(scratch.primary(), first);
    let output = scratch.run(&[
        "keyring",
        "promote",
        "--keyring",
        "ring.json",
        "--id",
        &added,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(scratch.primary(), added);

    // Rotate does both at once.
    let output = scratch.run(&[
        "keyring",
        "rotate",
        "--keyring",
        "ring.json",
        "--alg",
        "C20P",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let third = stdout_json(&output)["kid"].as_str().unwrap().to_owned();
    assert_eq!(scratch.primary(), third);
    scratch.write("b.txt", b"second secret");
    scratch.encrypt("b.txt", "", "b.enc");

    // Both ciphertexts decrypt; the old one stops when its key is disabled.
    assert_eq!(scratch.decrypt("a.enc", "", "a.out").status.code(), Some(0));
    assert_eq!(fs::read(scratch.path("a.out")).unwrap(), b"first secret");
    assert_eq!(scratch.decrypt("b.enc", "", "b.out").status.code(), Some(0));
    assert_eq!(fs::read(scratch.path("b.out")).unwrap(), b"second secret");

    let output = scratch.run(&[
        "keyring",
        "disable",
        "--keyring",
        "ring.json",
        "--id",
        &first,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = scratch.decrypt("a.enc", "", "a2.out");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr(&output).contains("disabled"), "{output:?}");
    assert!(!scratch.exists("a2.out"));

    let output = scratch.run(&[
        "keyring",
        "enable",
        "--keyring",
        "ring.json",
        "--id",
        &first,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        scratch.decrypt("a.enc", "", "a3.out").status.code(),
        Some(0)
    );

    // Destroy needs a disabled key.
    let output = scratch.run(&[
        "keyring",
        "destroy",
        "--keyring",
        "ring.json",
        "--id",
        &first,
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("disable it first"), "{output:?}");
    scratch.run(&[
        "keyring",
        "disable",
        "--keyring",
        "ring.json",
        "--id",
        &first,
    ]);
    let output = scratch.run(&[
        "keyring",
        "destroy",
        "--keyring",
        "ring.json",
        "--id",
        &first,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout_json(&output)["state"], "destroyed");

    let output = scratch.decrypt("a.enc", "", "a4.out");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr(&output).contains("destroyed"), "{output:?}");
    assert!(!scratch.exists("a4.out"));
    let stored = fs::read_to_string(scratch.path("ring.json")).unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    let destroyed = stored["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == first.as_str())
        .unwrap();
    assert!(destroyed.get("k").is_none(), "{destroyed}");
}

#[test]
fn invalid_transitions_exit_2_and_keep_keyring() {
    let scratch = Scratch::new();
    let primary = scratch.primary();
    let before = fs::read(scratch.path("ring.json")).unwrap();
    for (command, expected) in [
        ("disable", "promote another key first"),
        ("destroy", "promote another key"),
        ("enable", "already"),
        ("promote", "already"),
    ] {
        let output = scratch.run(&[
            "keyring",
            command,
            "--keyring",
            "ring.json",
            "--id",
            &primary,
        ]);
        assert_eq!(output.status.code(), Some(2), "{command}: {output:?}");
        let message = stderr(&output);
        assert!(
            message.contains(&format!("`{primary}`")),
            "{command}: {message}"
        );
        assert!(message.contains("primary"), "{command}: {message}");
        assert!(message.contains(expected), "{command}: {message}");
        assert_eq!(
            fs::read(scratch.path("ring.json")).unwrap(),
            before,
            "{command}"
        );
    }

    for id in ["xyz", "0a1b2c3", "00000000"] {
        let output = scratch.run(&["keyring", "disable", "--keyring", "ring.json", "--id", id]);
        assert_eq!(output.status.code(), Some(2), "{id}: {output:?}");
    }
    let output = scratch.run(&[
        "keyring",
        "rotate",
        "--keyring",
        "ring.json",
        "--alg",
        "A256GCM",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(fs::read(scratch.path("ring.json")).unwrap(), before);
    // The lock file stays by design; it holds no data.
    assert_eq!(
        scratch.files(),
        ["ring.json", "ring.json.lock"],
        "no temporary files are left"
    );
}

#[test]
fn long_key_id_shown_as_length() {
    let scratch = Scratch::new();
    // A 32-byte key in base64url, pasted where an id belongs.
    let secret = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let output = scratch.run(&[
        "keyring",
        "disable",
        "--keyring",
        "ring.json",
        "--id",
        secret,
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
    assert!(!message.contains(secret), "{message}");
    assert!(
        message.contains("--id `...` (43 characters, not shown)"),
        "{message}"
    );

    // A short wrong id is shown whole.
    let output = scratch.run(&[
        "keyring",
        "disable",
        "--keyring",
        "ring.json",
        "--id",
        "0a1b2c3",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("--id `0a1b2c3`"), "{output:?}");
}

#[test]
fn list_reports_rotation_due() {
    let scratch = Scratch::new();
    let listing = scratch.list();
    assert_eq!(listing["sealed"], false);
    assert_eq!(listing["rotation_due"], Value::Null);
    assert!(
        listing["keys"][0].get("k").is_none(),
        "list never prints material"
    );

    let created = listing["keys"][0]["created"].as_u64().unwrap();
    let later = (created + 91 * 86_400).to_string();
    let output = scratch.run(&["keyring", "list", "--keyring", "ring.json", "--now", &later]);
    assert_eq!(stdout_json(&output)["rotation_due"]["code"], "max_age");

    scratch.write("p.txt", b"x");
    scratch.encrypt("p.txt", "", "p.enc");
    scratch.encrypt("p.txt", "", "p2.enc");
    assert_eq!(scratch.list()["keys"][0]["messages"], 2);
    let output = scratch.run(&[
        "keyring",
        "list",
        "--keyring",
        "ring.json",
        "--max-messages-xc20p",
        "2",
    ]);
    assert_eq!(
        stdout_json(&output)["rotation_due"]["code"],
        "message_limit"
    );
}

// ---------------------------------------------------------------- sealing

#[test]
fn sealed_keyring_needs_its_kek() {
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    fs::write(&kek, [0xc2u8; 32]).unwrap();
    let other = dir.path().join("other.hex");
    fs::write(&other, format!("{}\n", "17".repeat(32))).unwrap();
    let ring = dir.path().join("ring.sealed");
    let run = |args: &[&str], kek_env: Option<&Path>| {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(dir.path())
            .env_remove("MEM8_GUARD_KEK_FILE");
        if let Some(path) = kek_env {
            command.env("MEM8_GUARD_KEK_FILE", path);
        }
        command.output().unwrap()
    };

    let output = run(
        &["keyring", "new", "--out", "ring.sealed", "--kek", "kek.bin"],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(!stderr(&output).contains("unsealed"), "{output:?}");
    let sealed = fs::read_to_string(&ring).unwrap();
    assert!(!sealed.starts_with('{'));
    assert!(!sealed.contains("XC20P"));

    // The environment variable works as --kek does.
    let output = run(
        &["keyring", "rotate", "--keyring", "ring.sealed"],
        Some(&kek),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = run(&["keyring", "list", "--keyring", "ring.sealed"], Some(&kek));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout_json(&output)["sealed"], true);
    assert_eq!(stdout_json(&output)["keys"].as_array().unwrap().len(), 2);

    // Without a key, or with the wrong one: usage errors that change nothing.
    let before = fs::read(&ring).unwrap();
    let output = run(&["keyring", "list", "--keyring", "ring.sealed"], None);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("--kek"), "{output:?}");
    let output = run(
        &[
            "keyring",
            "rotate",
            "--keyring",
            "ring.sealed",
            "--kek",
            "other.hex",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("wrong key-encryption key"),
        "{output:?}"
    );
    assert_eq!(fs::read(&ring).unwrap(), before);

    // Encryption round trip with the sealed keyring.
    fs::write(dir.path().join("p.txt"), b"sealed secret").unwrap();
    let output = run(
        &[
            "encrypt",
            "--keyring",
            "ring.sealed",
            "--kek",
            "kek.bin",
            "-o",
            "p.enc",
            "p.txt",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = run(
        &["decrypt", "--keyring", "ring.sealed", "p.enc"],
        Some(&kek),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(output.stdout, b"sealed secret");
}

#[test]
fn bad_kek_file_is_a_usage_error() {
    let scratch = Scratch::new();
    scratch.write("short.kek", &[1; 31]);
    let output = scratch.run(&[
        "keyring",
        "list",
        "--keyring",
        "ring.json",
        "--kek",
        "short.kek",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("32 raw bytes"), "{output:?}");
}

// ---------------------------------------------------------------- encrypt and decrypt

#[test]
fn file_round_trip_counts_messages() {
    let scratch = Scratch::new();
    let plaintext: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    scratch.write("p.bin", &plaintext);
    scratch.encrypt("p.bin", "invoice:7", "c.bin");

    let ciphertext = fs::read(scratch.path("c.bin")).unwrap();
    assert_eq!(ciphertext[0], 0x81);
    assert_ne!(&ciphertext[61..100], &plaintext[..39]);
    assert_eq!(scratch.list()["keys"][0]["messages"], 1);

    let output = scratch.decrypt("c.bin", "invoice:7", "out.bin");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(fs::read(scratch.path("out.bin")).unwrap(), plaintext);
    assert_eq!(
        scratch.list()["keys"][0]["messages"],
        1,
        "decrypting counts nothing"
    );
}

#[test]
fn concurrent_changes_all_kept() {
    // Every process loads, changes and saves the same keyring. Without the
    // lock, two of them load the same version and the later save drops the
    // other's key or message count.
    let scratch = Scratch::new();
    let ring = scratch.path("ring.json");
    let input = scratch.write("plain.txt", b"counted");
    let outputs: Vec<String> = (0..6)
        .map(|index| scratch.path(&format!("c{index}.bin")))
        .collect();
    let children: Vec<_> = (0..6)
        .map(|index| {
            let args: Vec<&str> = if index % 2 == 0 {
                vec!["keyring", "add", "--keyring", &ring]
            } else {
                vec!["encrypt", "--keyring", &ring, "-o", &outputs[index], &input]
            };
            scratch
                .command(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }

    let listing = stdout_json(&scratch.run(&["keyring", "list", "--keyring", &ring]));
    let keys = listing["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4, "{listing}");
    let primary = keys.iter().find(|key| key["state"] == "primary").unwrap();
    assert_eq!(primary["messages"], 3, "{listing}");
}

#[test]
fn held_lock_times_out() {
    let scratch = Scratch::new();
    let ring = scratch.path("ring.json");
    let before = fs::read(&ring).unwrap();
    let _held = mem8_guard_host::keyring_file::lock(Path::new(&ring), Duration::ZERO).unwrap();

    // A second lock in this process conflicts too: the lock belongs to the
    // open file, not to the process.
    let error = mem8_guard_host::keyring_file::lock(Path::new(&ring), Duration::from_millis(50))
        .unwrap_err()
        .to_string();
    assert!(error.contains("ring.json.lock"), "{error}");
    assert!(error.contains("retry"), "{error}");
    assert_eq!(fs::read(&ring).unwrap(), before);
}

/// Starts `args` with a piped standard input, feeds it `prefix` and keeps
/// the pipe open, waits until a temporary file appears beside `ring.json`,
/// then sends SIGTERM and returns the exit status.
#[cfg(unix)]
fn terminate_midway(scratch: &Scratch, args: &[&str], prefix: &[u8]) -> Option<i32> {
    let mut child = scratch
        .command(args)
        .env("TMPDIR", scratch.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(prefix).unwrap();
    stdin.flush().unwrap();

    let known = ["c.bin", "p.bin", "ring.json", "ring.json.lock"];
    let mut waited = 0;
    while !scratch
        .files()
        .iter()
        .any(|name| !known.contains(&name.as_str()))
    {
        assert!(
            waited < 1000,
            "no temporary file appeared: {:?}",
            scratch.files()
        );
        std::thread::sleep(Duration::from_millis(10));
        waited += 1;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    drop(stdin);
    status.code()
}

#[cfg(unix)]
#[test]
fn sigterm_removes_temporary_files() {
    let scratch = Scratch::new();
    let plaintext = vec![7u8; 3 << 20];
    scratch.write("p.bin", &plaintext);
    scratch.encrypt("p.bin", "", "c.bin");
    let ciphertext = fs::read(scratch.path("c.bin")).unwrap();

    // Decrypting: the temporary file contains plaintext whose end is not
    // verified yet, beside the output or (for standard output) in TMPDIR.
    for output in ["out.bin", "-"] {
        let args = ["decrypt", "--keyring", "ring.json", "-o", output];
        let code = terminate_midway(&scratch, &args, &ciphertext[..ciphertext.len() / 2]);
        assert_eq!(code, Some(130), "decrypt -o {output}");
        assert_eq!(
            scratch.files(),
            ["c.bin", "p.bin", "ring.json", "ring.json.lock"]
        );
    }

    // Encrypting to a file: the temporary file contains partial ciphertext.
    let args = ["encrypt", "--keyring", "ring.json", "-o", "out.bin"];
    let code = terminate_midway(&scratch, &args, &plaintext[..1 << 20]);
    assert_eq!(code, Some(130), "encrypt");
    assert_eq!(
        scratch.files(),
        ["c.bin", "p.bin", "ring.json", "ring.json.lock"]
    );
}

#[cfg(unix)]
#[test]
fn file_size_limit_removes_temporary_files() {
    let scratch = Scratch::new();
    scratch.write("p.bin", &vec![7u8; 1 << 20]);
    scratch.encrypt("p.bin", "", "c.bin");

    // `ulimit -f 100` allows 100 blocks of 512 bytes: 51,200 bytes.
    for output in ["out.bin", "-"] {
        let script =
            format!("ulimit -f 100; exec \"$0\" decrypt --keyring ring.json -o {output} c.bin");
        let run = Command::new("sh")
            .args(["-c", &script, BIN])
            .current_dir(scratch.dir.path())
            .env("TMPDIR", scratch.dir.path())
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "decrypt -o {output}: {run:?}");
        assert!(
            stderr(&run).contains("File too large"),
            "decrypt -o {output}: {}",
            stderr(&run)
        );
        assert_eq!(
            scratch.files(),
            ["c.bin", "p.bin", "ring.json", "ring.json.lock"]
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn failed_print_says_keyring_was_saved() {
    let scratch = Scratch::new();
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = scratch
        .command(&["keyring", "rotate", "--keyring", "ring.json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
    assert!(
        message.contains("keyring `ring.json` was saved with key `"),
        "{message}"
    );
    assert!(message.contains("keyring list"), "{message}");
    assert_eq!(scratch.list()["keys"].as_array().unwrap().len(), 2);
}

#[test]
fn pipes_round_trip() {
    let scratch = Scratch::new();
    let plaintext = b"through standard input and output".repeat(5000);
    let encrypted = scratch.run_with_stdin(&["encrypt", "--keyring", "ring.json"], &plaintext);
    assert_eq!(encrypted.status.code(), Some(0), "{encrypted:?}");
    let decrypted = scratch.run_with_stdin(
        &["decrypt", "--keyring", "ring.json", "-o", "-", "-"],
        &encrypted.stdout,
    );
    assert_eq!(decrypted.status.code(), Some(0), "{decrypted:?}");
    assert_eq!(decrypted.stdout, plaintext);
}

#[test]
fn empty_input_round_trip() {
    let scratch = Scratch::new();
    scratch.write("empty", b"");
    scratch.encrypt("empty", "", "empty.enc");
    assert_eq!(
        scratch.decrypt("empty.enc", "", "empty.out").status.code(),
        Some(0)
    );
    assert_eq!(fs::read(scratch.path("empty.out")).unwrap(), b"");
}

/// A 10-chunk ciphertext of `p.bin` in `c.bin`, with its plaintext.
fn encrypted_sample(scratch: &Scratch) -> Vec<u8> {
    let plaintext = vec![7u8; 10 * 1024 + 10];
    scratch.write("p.bin", &plaintext);
    let output = scratch.run(&[
        "encrypt",
        "--keyring",
        "ring.json",
        "--chunk-size",
        "1024",
        "-o",
        "c.bin",
        "p.bin",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    fs::read(scratch.path("c.bin")).unwrap()
}

#[test]
fn cut_streams_name_where_they_were_cut() {
    let scratch = Scratch::new();
    let ciphertext = encrypted_sample(&scratch);
    // A 61-byte header, then sealed chunks of 1024 + 16 bytes.
    let cases = [
        ("at a chunk boundary", 61 + 1040, "stream is truncated"),
        ("after the header", 61, "stream is truncated"),
        ("inside a chunk", 61 + 1040 + 100, "decryption failed"),
        ("inside the header", 58, "malformed input"),
    ];
    for (name, length, message) in cases {
        scratch.write("cut.bin", &ciphertext[..length]);
        let output = scratch.decrypt("cut.bin", "", "out.bin");
        assert_eq!(output.status.code(), Some(1), "{name}: {output:?}");
        let stderr = stderr(&output);
        assert!(
            stderr.contains(&format!("cannot decrypt `cut.bin`: {message}")),
            "{name}: {stderr}"
        );
        assert!(!scratch.exists("out.bin"), "{name}");
    }
}

#[test]
fn inauthentic_input_exits_1_without_output() {
    let scratch = Scratch::new();
    let ciphertext = encrypted_sample(&scratch);

    let mut flipped = ciphertext.clone();
    flipped[61 + 3 * 1040 + 5] ^= 1;
    let mut last_flipped = ciphertext.clone();
    *last_flipped.last_mut().unwrap() ^= 1;
    let truncated = ciphertext[..ciphertext.len() - 26].to_vec();
    let chunk_dropped = [&ciphertext[..61], &ciphertext[61 + 1040..]].concat();
    let mut appended = ciphertext.clone();
    appended.extend_from_slice(b"more");
    let mut header_changed = ciphertext.clone();
    header_changed[20] ^= 1;
    let cases = [
        ("flipped", flipped, ""),
        ("last byte flipped", last_flipped, ""),
        ("truncated", truncated, ""),
        ("chunk dropped", chunk_dropped, ""),
        ("appended", appended, ""),
        ("header changed", header_changed, ""),
        ("wrong aad", ciphertext.clone(), "other"),
        ("garbage", b"not a stream at all".to_vec(), ""),
        ("empty", Vec::new(), ""),
    ];
    for (name, bytes, aad) in cases {
        scratch.write("bad.bin", &bytes);

        let to_file = scratch.decrypt("bad.bin", aad, "out.bin");
        assert_eq!(to_file.status.code(), Some(1), "{name}: {to_file:?}");
        assert!(
            stderr(&to_file).starts_with("error: cannot decrypt"),
            "{name}: {to_file:?}"
        );
        assert!(
            !scratch.exists("out.bin"),
            "{name}: output file left behind"
        );

        let to_stdout =
            scratch.run(&["decrypt", "--keyring", "ring.json", "--aad", aad, "bad.bin"]);
        assert_eq!(to_stdout.status.code(), Some(1), "{name}: {to_stdout:?}");
        assert!(to_stdout.stdout.is_empty(), "{name}: plaintext on stdout");
    }
    let mut files = scratch.files();
    let expected = ["bad.bin", "c.bin", "p.bin", "ring.json", "ring.json.lock"];
    files.retain(|name| !expected.contains(&name.as_str()));
    assert!(files.is_empty(), "leftover files: {files:?}");
}

#[test]
fn existing_output_survives_failed_decrypt() {
    let scratch = Scratch::new();
    let mut ciphertext = encrypted_sample(&scratch);
    *ciphertext.last_mut().unwrap() ^= 1;
    scratch.write("bad.bin", &ciphertext);
    scratch.write("out.bin", b"previous contents");
    let output = scratch.decrypt("bad.bin", "", "out.bin");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        fs::read(scratch.path("out.bin")).unwrap(),
        b"previous contents"
    );
}

#[test]
fn unknown_key_exits_1() {
    let scratch = Scratch::new();
    encrypted_sample(&scratch);
    let output = scratch.run(&["keyring", "new", "--out", "other.json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = scratch.run(&[
        "decrypt",
        "--keyring",
        "other.json",
        "-o",
        "out.bin",
        "c.bin",
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr(&output).contains("no key with id"), "{output:?}");
    assert!(!scratch.exists("out.bin"));
}

#[test]
fn usage_errors_exit_2() {
    let scratch = Scratch::new();
    scratch.write("p.txt", b"x");
    let before = fs::read(scratch.path("ring.json")).unwrap();
    for args in [
        vec!["encrypt", "--keyring", "missing.json", "p.txt"],
        vec!["encrypt", "--keyring", "ring.json", "missing.txt"],
        vec![
            "encrypt",
            "--keyring",
            "ring.json",
            "--chunk-size",
            "100",
            "p.txt",
        ],
        vec![
            "encrypt",
            "--keyring",
            "ring.json",
            "-o",
            "no/such/dir/out",
            "p.txt",
        ],
        vec!["decrypt", "--keyring", "ring.json", "missing.enc"],
        vec!["decrypt", "p.txt"],
        vec![
            "encrypt",
            "--keyring",
            "ring.json",
            "--unknown-flag",
            "p.txt",
        ],
    ] {
        let output = scratch.run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(
        fs::read(scratch.path("ring.json")).unwrap(),
        before,
        "no count was saved"
    );
}

#[test]
fn help_names_units_and_environment() {
    let scratch = Scratch::new();
    let help = |args: &[&str]| String::from_utf8(scratch.run(args).stdout).unwrap();
    let encrypt = help(&["encrypt", "--help"]);
    assert!(encrypt.contains("MEM8_GUARD_KEK_FILE"), "{encrypt}");
    assert!(encrypt.contains("--chunk-size <BYTES>"), "{encrypt}");
    assert!(encrypt.contains("standard input"), "{encrypt}");
    let decrypt = help(&["decrypt", "--help"]);
    assert!(decrypt.contains("--aad <TEXT>"), "{decrypt}");
    assert!(decrypt.contains("MEM8_GUARD_KEK_FILE"), "{decrypt}");
    let list = help(&["keyring", "list", "--help"]);
    assert!(list.contains("in seconds"), "{list}");
    assert!(list.contains("<UNIX_SECONDS>"), "{list}");
    let keyring = help(&["keyring", "--help"]);
    for command in [
        "new", "add", "promote", "rotate", "list", "enable", "disable", "destroy",
    ] {
        assert!(
            keyring.contains(&format!("  {command} ")),
            "{command}: {keyring}"
        );
    }
}

// ---------------------------------------------------------------- large input

/// Writes `len` bytes of varied data to `path`, 1 MiB at a time.
fn write_large(path: &Path, len: usize) {
    let mut file = File::create(path).unwrap();
    let mut block = vec![0u8; 1 << 20];
    for (index, byte) in block.iter_mut().enumerate() {
        *byte = (index.wrapping_mul(2_654_435_761) >> 13) as u8;
    }
    for round in 0..len >> 20 {
        block[0] = round as u8;
        file.write_all(&block).unwrap();
    }
}

/// Runs the binary under `/usr/bin/time -f %M` and returns its output with
/// the peak resident set size in KiB, which GNU time prints last on stderr.
fn run_measured(dir: &Path, args: &[&str], stdout: Stdio) -> (Output, u64) {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", BIN])
        .args(args)
        .current_dir(dir)
        .env_remove("MEM8_GUARD_KEK_FILE")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("GNU time at /usr/bin/time (Debian package `time`)");
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let peak = text
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS from /usr/bin/time: {text}"));
    (output, peak)
}

fn files_equal(a: &Path, b: &Path) -> bool {
    let (mut a, mut b) = (File::open(a).unwrap(), File::open(b).unwrap());
    let (mut left, mut right) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let read = a.read(&mut left).unwrap();
        let mut filled = 0;
        while filled < read {
            let more = b.read(&mut right[filled..read]).unwrap();
            if more == 0 {
                return false;
            }
            filled += more;
        }
        if left[..read] != right[..read] {
            return false;
        }
        if read == 0 {
            return b.read(&mut right).unwrap() == 0;
        }
    }
}

#[test]
fn large_round_trip_in_bounded_memory() {
    const LEN: usize = 256 << 20;
    const MAX_PEAK_KIB: u64 = 64 * 1024;
    let scratch = Scratch::new();
    let dir = scratch.dir.path();
    let input: PathBuf = dir.join("large.bin");
    write_large(&input, LEN);

    let (output, encrypt_peak) = run_measured(
        dir,
        &[
            "encrypt",
            "--keyring",
            "ring.json",
            "-o",
            "large.enc",
            "large.bin",
        ],
        Stdio::null(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        encrypt_peak < MAX_PEAK_KIB,
        "encrypt peak RSS {encrypt_peak} KiB"
    );
    // stderr is not a terminal here, so there is no progress bar.
    assert!(!stderr(&output).contains("left"), "{output:?}");

    // Decrypt to standard output, which goes through a temporary file.
    let decrypted = dir.join("large.out");
    let (output, decrypt_peak) = run_measured(
        dir,
        &["decrypt", "--keyring", "ring.json", "large.enc"],
        Stdio::from(File::create(&decrypted).unwrap()),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        decrypt_peak < MAX_PEAK_KIB,
        "decrypt peak RSS {decrypt_peak} KiB"
    );
    assert_eq!(fs::metadata(&decrypted).unwrap().len(), LEN as u64);
    assert!(files_equal(&input, &decrypted), "decrypted data differs");

    // A tampered large file leaves no output file.
    let mut tampered = fs::OpenOptions::new()
        .write(true)
        .open(dir.join("large.enc"))
        .unwrap();
    use std::io::{Seek, SeekFrom};
    tampered.seek(SeekFrom::Start(200 << 20)).unwrap();
    tampered.write_all(b"\xff\xff\xff\xff").unwrap();
    drop(tampered);
    let (output, _) = run_measured(
        dir,
        &[
            "decrypt",
            "--keyring",
            "ring.json",
            "-o",
            "tampered.out",
            "large.enc",
        ],
        Stdio::null(),
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(!dir.join("tampered.out").exists());
}

// ------------------------------------------------- links and special files

#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_refused() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret plaintext");
    let fifo = scratch.path("fifo");
    let mkfifo = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(mkfifo.success());

    let output = scratch.run(&["encrypt", "--keyring", "ring.json", "-o", "fifo", "p.bin"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("is a FIFO"), "{}", stderr(&output));

    use std::os::unix::fs::FileTypeExt;
    let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    assert_eq!(scratch.list()["keys"][0]["messages"], 0);
}

#[cfg(unix)]
#[test]
fn output_to_standard_output_path_explained() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret plaintext");
    scratch.encrypt("p.bin", "", "c.bin");
    // `output()` makes standard output a pipe, whose `/dev/stdout` link
    // (to `pipe:[...]`) has no path to resolve.
    for path in ["/dev/stdout", "/proc/self/fd/1"] {
        let encrypt = scratch.run(&["encrypt", "--keyring", "ring.json", "-o", path, "p.bin"]);
        let decrypt = scratch.decrypt("c.bin", "", path);
        for output in [encrypt, decrypt] {
            assert_eq!(output.status.code(), Some(2), "{path}: {output:?}");
            let message = stderr(&output);
            assert!(
                message.contains(&format!("-o `{path}` is standard output")),
                "{message}"
            );
            assert!(message.contains("leave out -o"), "{message}");
            assert!(!message.contains("cannot be found"), "{message}");
            assert!(output.stdout.is_empty(), "{path}: {output:?}");
        }
    }
    // No message was counted for the rejected encryption.
    assert_eq!(scratch.list()["keys"][0]["messages"], 1);
}

#[test]
fn passphrase_kek_rejected() {
    let scratch = Scratch::new();
    scratch.write("typed.kek", b"correct horse battery staple 123");
    let output = scratch.run(&[
        "keyring",
        "new",
        "--out",
        "sealed.ring",
        "--kek",
        "typed.kek",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
    assert!(message.contains("typed.kek"), "{message}");
    assert!(
        message.contains(
            "a key-encryption key is 32 random bytes, 64 hex digits or 43 base64url characters"
        ),
        "{message}"
    );
    assert!(message.contains("head -c 32 /dev/urandom"), "{message}");
    assert!(!message.contains("correct horse"), "{message}");
    assert!(!scratch.exists("sealed.ring"));
}

#[cfg(unix)]
#[test]
fn decrypt_to_a_device_is_refused() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret plaintext");
    scratch.encrypt("p.bin", "", "c.bin");
    // A link to /dev/null stands for any device without touching the real one.
    std::os::unix::fs::symlink("/dev/null", scratch.path("null")).unwrap();

    let output = scratch.decrypt("c.bin", "", "null");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("is a device"),
        "{}",
        stderr(&output)
    );

    use std::os::unix::fs::FileTypeExt;
    let kind = fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device());
    assert!(fs::symlink_metadata(scratch.path("null"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn output_through_a_link_writes_its_target() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret plaintext");
    scratch.write("target.bin", b"old");
    std::os::unix::fs::symlink("target.bin", scratch.path("link.bin")).unwrap();

    scratch.encrypt("p.bin", "", "link.bin");
    assert!(fs::symlink_metadata(scratch.path("link.bin"))
        .unwrap()
        .file_type()
        .is_symlink());
    let output = scratch.decrypt("target.bin", "", "out.bin");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        fs::read(scratch.path("out.bin")).unwrap(),
        b"secret plaintext"
    );
}

#[cfg(unix)]
#[test]
fn keyring_through_a_link_changes_its_target() {
    let scratch = Scratch::new();
    std::os::unix::fs::symlink("ring.json", scratch.path("link.json")).unwrap();

    let output = scratch.run(&["keyring", "add", "--keyring", "link.json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(fs::symlink_metadata(scratch.path("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(scratch.list()["keys"].as_array().unwrap().len(), 2);
    assert!(
        !scratch.exists("link.json.lock"),
        "the link took its own lock"
    );
}

// ---------------------------------------------------------------- protected outputs

/// Runs `encrypt` or `decrypt` with `-o out` and asserts that it is rejected
/// as naming `role`, with every file in the scratch directory unchanged.
fn assert_output_rejected(scratch: &Scratch, args: &[&str], role: &str) {
    let snapshot = |scratch: &Scratch| -> Vec<(String, Vec<u8>)> {
        scratch
            .files()
            .into_iter()
            .map(|name| {
                let bytes = fs::read(scratch.path(&name)).unwrap_or_default();
                (name, bytes)
            })
            .collect()
    };
    let before = snapshot(scratch);
    let output = scratch.run(args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
    assert!(message.contains("-o `"), "{args:?}: {message}");
    assert!(message.contains(role), "{args:?}: {message}");
    assert_eq!(snapshot(scratch), before, "{args:?} changed a file");
}

#[test]
fn output_onto_keyring_rejected() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret backup");
    scratch.encrypt("p.bin", "", "c.bin");
    let ring = scratch.path("ring.json");
    let ring_dotted = format!("{}/./ring.json", scratch.dir.path().display());
    let cases = [
        ("ring.json", "keyring file"),
        (ring.as_str(), "keyring file"),
        (ring_dotted.as_str(), "keyring file"),
        ("ring.json.lock", "lock file"),
    ];
    for (out, role) in cases {
        let encrypt = ["encrypt", "--keyring", "ring.json", "-o", out, "p.bin"];
        assert_output_rejected(&scratch, &encrypt, role);
        let decrypt = ["decrypt", "--keyring", "ring.json", "-o", out, "c.bin"];
        assert_output_rejected(&scratch, &decrypt, role);
    }
    assert_eq!(scratch.list()["keys"][0]["messages"], 1);
}

#[test]
fn output_onto_missing_lock_rejected() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret backup");
    assert!(!scratch.exists("ring.json.lock"));

    let output = scratch.run(&[
        "encrypt",
        "--keyring",
        "ring.json",
        "-o",
        "ring.json.lock",
        "p.bin",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("lock file"), "{}", stderr(&output));
    assert!(
        !scratch.exists("ring.json.lock"),
        "the lock file was created"
    );
    assert_eq!(scratch.list()["keys"][0]["messages"], 0);
}

#[cfg(unix)]
#[test]
fn output_onto_keyring_links_rejected() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret backup");
    std::os::unix::fs::symlink("ring.json", scratch.path("soft.json")).unwrap();
    fs::hard_link(scratch.path("ring.json"), scratch.path("hard.json")).unwrap();
    fs::create_dir(scratch.path("sub")).unwrap();
    std::os::unix::fs::symlink("../ring.json", scratch.path("sub/ring.json")).unwrap();

    for out in ["soft.json", "hard.json", "sub/ring.json"] {
        let encrypt = ["encrypt", "--keyring", "ring.json", "-o", out, "p.bin"];
        assert_output_rejected(&scratch, &encrypt, "keyring file");
    }
    // The keyring named through a link: its lock file is the target's.
    let encrypt = [
        "encrypt",
        "--keyring",
        "soft.json",
        "-o",
        "ring.json.lock",
        "p.bin",
    ];
    assert_output_rejected(&scratch, &encrypt, "lock file");
    assert!(!scratch.exists("ring.json.lock"));
    assert_eq!(scratch.list()["keys"][0]["messages"], 0);
}

#[test]
fn output_onto_kek_rejected() {
    let scratch = Scratch::new();
    scratch.write("kek.bin", &[0xc2u8; 32]);
    let output = scratch.run(&["keyring", "new", "--out", "ring.sealed", "--kek", "kek.bin"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    scratch.write("p.bin", b"secret backup");
    let output = scratch.run(&[
        "encrypt",
        "--keyring",
        "ring.sealed",
        "--kek",
        "kek.bin",
        "-o",
        "c.bin",
        "p.bin",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let with_kek = |command: &'static str, out: &'static str, input: &'static str| {
        let args = [
            command,
            "--keyring",
            "ring.sealed",
            "--kek",
            "kek.bin",
            "-o",
            out,
            input,
        ];
        assert_output_rejected(&scratch, &args, "key-encryption key file");
    };
    with_kek("encrypt", "kek.bin", "p.bin");
    with_kek("decrypt", "kek.bin", "c.bin");

    // The key-encryption key named by the environment counts as well.
    let output = scratch
        .command(&[
            "decrypt",
            "--keyring",
            "ring.sealed",
            "-o",
            "kek.bin",
            "c.bin",
        ])
        .env("MEM8_GUARD_KEK_FILE", scratch.path("kek.bin"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("key-encryption key file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read(scratch.path("kek.bin")).unwrap(), [0xc2u8; 32]);
}

#[test]
fn output_onto_input_rejected() {
    let scratch = Scratch::new();
    scratch.write("p.bin", b"secret backup");
    scratch.encrypt("p.bin", "", "c.bin");

    let encrypt = ["encrypt", "--keyring", "ring.json", "-o", "p.bin", "p.bin"];
    assert_output_rejected(&scratch, &encrypt, "input file");
    let decrypt = ["decrypt", "--keyring", "ring.json", "-o", "c.bin", "c.bin"];
    assert_output_rejected(&scratch, &decrypt, "input file");
    assert_eq!(scratch.list()["keys"][0]["messages"], 1);
}

// ---------------------------------------------------------------- smaller cases

#[cfg(unix)]
#[test]
fn keyring_new_onto_dangling_link() {
    let scratch = Scratch::new();
    std::os::unix::fs::symlink("missing.json", scratch.path("link.json")).unwrap();

    let output = scratch.run(&["keyring", "new", "--out", "link.json"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(message.contains("dangling symbolic link"), "{message}");
    assert!(!message.contains("already exists"), "{message}");
    assert!(!scratch.exists("missing.json"));
    assert!(fs::symlink_metadata(scratch.path("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
}

/// Writes a keyring file whose only key is a C20P primary that has
/// encrypted `messages` messages.
fn write_c20p_keyring(scratch: &Scratch, messages: u64) {
    let k = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk";
    let document = format!(
        r#"{{"version":1,"keys":[{{"kty":"oct","kid":"0a1b2c3d","alg":"C20P","k":"{k}","state":"primary","created":1,"messages":{messages}}}]}}"#
    );
    let path = scratch.write("ring.json", document.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn exhausted_c20p_key_encrypts_nothing() {
    let scratch = Scratch::new();
    // 2^32 - 1: one message below the hard limit for random 96-bit nonces.
    write_c20p_keyring(&scratch, (1 << 32) - 1);
    scratch.write("p.bin", b"last message");
    scratch.encrypt("p.bin", "", "last.bin");
    assert_eq!(scratch.list()["keys"][0]["messages"], 1u64 << 32);

    let before = fs::read(scratch.path("ring.json")).unwrap();
    let output = scratch.run(&["encrypt", "--keyring", "ring.json", "-o", "c.bin", "p.bin"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let message = stderr(&output);
    assert!(
        message.contains("`0a1b2c3d` has encrypted 4294967296 messages"),
        "{message}"
    );
    assert!(
        message.contains("run `mem8-guard keyring rotate --keyring ring.json`"),
        "{message}"
    );
    assert!(!scratch.exists("c.bin"));
    assert_eq!(fs::read(scratch.path("ring.json")).unwrap(), before);
    let output = scratch.run_with_stdin(&["encrypt", "--keyring", "ring.json"], b"x");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert_eq!(fs::read(scratch.path("ring.json")).unwrap(), before);

    // A fresh primary encrypts, and the old key still decrypts.
    let output = scratch.run(&[
        "keyring",
        "rotate",
        "--keyring",
        "ring.json",
        "--alg",
        "C20P",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    scratch.encrypt("p.bin", "", "c.bin");
    let output = scratch.decrypt("last.bin", "", "out.bin");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(fs::read(scratch.path("out.bin")).unwrap(), b"last message");
}

#[test]
fn soft_limit_only_warns() {
    let scratch = Scratch::new();
    // 2^30, the default rotation policy's limit for C20P, well below the hard limit.
    write_c20p_keyring(&scratch, 1 << 30);
    scratch.write("p.bin", b"message");
    let output = scratch.run(&["encrypt", "--keyring", "ring.json", "-o", "c.bin", "p.bin"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        stderr(&output).contains("warning: rotation due"),
        "{output:?}"
    );
    assert_eq!(scratch.list()["keys"][0]["messages"], (1u64 << 30) + 1);
}

#[test]
fn encrypt_directory_input_counts_nothing() {
    let scratch = Scratch::new();
    fs::create_dir(scratch.path("folder")).unwrap();

    let output = scratch.run(&["encrypt", "--keyring", "ring.json", "-o", "c.bin", "folder"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("is a directory"),
        "{}",
        stderr(&output)
    );
    assert!(!scratch.exists("c.bin"));
    assert_eq!(scratch.list()["keys"][0]["messages"], 0);

    let output = scratch.run(&["decrypt", "--keyring", "ring.json", "folder"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
}

#[test]
fn closed_stdout_exits_quietly() {
    let scratch = Scratch::new();
    let plaintext = vec![7u8; 300_000];
    scratch.write("p.bin", &plaintext);
    scratch.encrypt("p.bin", "", "c.bin");

    for args in [
        ["encrypt", "--keyring", "ring.json", "p.bin"],
        ["decrypt", "--keyring", "ring.json", "c.bin"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = scratch.command(&args).stdout(writer).output().unwrap();
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {output:?}");
        // `encrypt` still warns that the keyring is unsealed.
        assert!(!message.contains("error"), "{args:?}: {message}");
        assert!(!message.contains("Broken pipe"), "{args:?}: {message}");
    }
}

#[cfg(unix)]
#[test]
fn warnings_escape_paths() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new();
    let kek = "k\n\u{1b}[31m.kek";
    scratch.write(kek, &[0xc2u8; 32]);
    fs::set_permissions(scratch.path(kek), fs::Permissions::from_mode(0o644)).unwrap();
    let unsealed = "u\n\u{1b}[31m.json";

    let cases: [&[&str]; 3] = [
        // The key-encryption key file can be read by others.
        &["keyring", "new", "--out", "sealed.ring", "--kek", kek],
        // The new keyring is stored unsealed.
        &["keyring", "new", "--out", unsealed],
        // The unsealed keyring is about to be sealed.
        &["keyring", "add", "--keyring", unsealed, "--kek", kek],
    ];
    for args in cases {
        let output = scratch.run(args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert!(message.contains("\\u{1b}[31m"), "{args:?}: {message}");
        assert!(!message.contains('\u{1b}'), "{args:?}: {message:?}");
        assert!(!message.contains("k\n"), "{args:?}: {message:?}");
        assert!(!message.contains("u\n"), "{args:?}: {message:?}");
    }
}
