//! `cadenya`: the Cadenya API from a shell. Every operation of the spec is a command (generated
//! from the same IR as the SDKs), plus `objectives wait|follow`, `webhooks verify`, `serve`,
//! `schema` and `completions`.
//!
//! Exit codes: 0 success, 1 API or transport error (the typed error on stderr), 2 usage error
//! (found before any network I/O), 130 interrupted.

mod app;
#[rustfmt::skip]
mod generated;
mod input;
mod output;
mod run;
mod spec;

use std::process::ExitCode;

/// A failure and the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments or configuration: exit 2, nothing was sent.
    Usage(String),
    /// The call failed: exit 1.
    Api(cadenya::Error),
    /// A local step failed (webhook verification, I/O): exit 1 with this message.
    Other(String),
}

impl From<cadenya::Error> for Failure {
    fn from(e: cadenya::Error) -> Self {
        match e {
            // Refused before anything was sent: a usage problem.
            cadenya::Error::InvalidRequest { message } => Failure::Usage(message),
            cadenya::Error::Configuration { message } => Failure::Usage(message),
            other => Failure::Api(other),
        }
    }
}

pub type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let matches = match app::build().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async {
        tokio::select! {
            outcome = run::dispatch(&matches) => match outcome {
                Ok(()) => 0,
                Err(f) => report(f),
            },
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted");
                130
            }
        }
    });
    ExitCode::from(code)
}

/// Prints a failure on stderr and returns its exit code.
fn report(f: Failure) -> u8 {
    match f {
        Failure::Usage(message) => {
            eprintln!("error: {message}");
            2
        }
        Failure::Other(message) => {
            eprintln!("error: {message}");
            1
        }
        Failure::Api(e) => {
            eprintln!("{}", output::error_json(&e));
            1
        }
    }
}
