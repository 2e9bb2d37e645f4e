//! A `loket console` child on a data dir, with piped stdin, a reader
//! thread over its stdout and stderr in a file: the real binary, killed
//! and restarted by tests.
//!
//! Include with `#[path = "support/console_process.rs"] mod console_process;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

/// A new empty directory under the system's temp dir, named for the test
/// (a data dir for the console, or for a store the test opens itself).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "loket-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Console {
    pub child: Child,
    pub lines: std_mpsc::Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
}

impl Console {
    /// Starts on `data_dir` with a fixed secret key and follow-ups after
    /// 1 s, stderr into `stderr_file`, and `extra_env` on top.
    pub fn start(data_dir: &Path, stderr_file: &Path, extra_env: &[(&str, &str)]) -> Console {
        let mut command = Command::new(env!("CARGO_BIN_EXE_loket"));
        command
            .arg("console")
            .env("LOKET_DATA_DIR", data_dir)
            .env("LOKET_SECRET_KEY", "07".repeat(32))
            .env("LOKET_RECHECK_AFTER", "1")
            .env_remove("LOKET_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(stderr_file).unwrap());
        for (k, v) in extra_env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Console {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    pub fn send(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for an output line containing `needle`.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {needle:?} within {timeout:?}; saw:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Closes stdin (the console ends), waits, and returns every line.
    pub fn quit(mut self) -> Vec<String> {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        self.seen.extend(self.lines.try_iter());
        self.seen
    }
}
