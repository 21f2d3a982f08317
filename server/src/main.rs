//! `cadenya-server [--port N] [--api-key KEY] [--step-delay-ms N] [--exit-on-stdin-close]`
//!
//! Prints one JSON line with the connection details, then serves until
//! SIGTERM/SIGINT (or, with `--exit-on-stdin-close`, until stdin reaches EOF;
//! opt-in because a process started with stdin on /dev/null would otherwise
//! exit at once).

use cadenya_server::{spawn, ServerConfig};

// The server allocates many small JSON values per request; mimalloc keeps that cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::io::Write;
use std::time::Duration;
use tokio::io::AsyncReadExt;

fn usage(msg: &str) -> ! {
    eprintln!(
        "error: {msg}\nusage: cadenya-server [--port N] [--api-key KEY] [--step-delay-ms N] [--exit-on-stdin-close]"
    );
    std::process::exit(2)
}

fn parse_args() -> (ServerConfig, bool) {
    let mut cfg = ServerConfig::default();
    let mut watch_stdin = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value =
            || inline.clone().or_else(|| args.next()).unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--port" => cfg.port = value().parse().unwrap_or_else(|_| usage("--port expects a number")),
            "--api-key" => cfg.api_key = Some(value()),
            "--step-delay-ms" => {
                cfg.step_delay =
                    Duration::from_millis(value().parse().unwrap_or_else(|_| usage("--step-delay-ms expects a number")))
            }
            "--exit-on-stdin-close" => watch_stdin = true,
            "-h" | "--help" => {
                println!(
                    "usage: cadenya-server [--port N] [--api-key KEY] [--step-delay-ms N] [--exit-on-stdin-close]"
                );
                std::process::exit(0)
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    (cfg, watch_stdin)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (cfg, watch_stdin) = parse_args();
    let handle = match spawn(cfg).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: could not start server: {e}");
            std::process::exit(1)
        }
    };
    let line = handle.announcement();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);

    let stdin_closed = async {
        if !watch_stdin {
            std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        loop {
            match stdin.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
        _ = stdin_closed => {}
    }
    handle.shutdown().await;
}
