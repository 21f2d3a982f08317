//! Shared setup of the CLI tests: a local server in this process, the `cadenya` binary as a
//! subprocess pointed at it (real HTTP over loopback).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cadenya_server::{ServerConfig, ServerHandle};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub async fn server() -> ServerHandle {
    cadenya_server::spawn(ServerConfig { step_delay: Duration::from_millis(2), ..Default::default() })
        .await
        .expect("server starts")
}

/// `cadenya` with a clean environment: only what a test passes reaches it.
pub fn cadenya() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cadenya"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CADENYA_") {
            c.env_remove(k);
        }
    }
    c
}

/// `cadenya` configured for `server` through the environment.
pub fn cli(server: &ServerHandle) -> Command {
    let mut c = cadenya();
    c.env("CADENYA_API_KEY", server.api_key())
        .env("CADENYA_BASE_URL", server.base_url())
        .env("CADENYA_WORKSPACE_ID", server.workspace_id());
    c
}

/// Runs a command off the async runtime (the server answers on it meanwhile), feeding `stdin`.
pub async fn run(mut cmd: Command, args: &[&str], stdin: &str) -> Output {
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let input = stdin.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("cadenya starts");
        let mut pipe = child.stdin.take().expect("stdin");
        // A command that never reads stdin may exit first; a broken pipe is fine then.
        let _ = pipe.write_all(input.as_bytes());
        drop(pipe);
        child.wait_with_output().expect("cadenya finishes")
    })
    .await
    .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}
