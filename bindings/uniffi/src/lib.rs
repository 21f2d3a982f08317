//! UniFFI binding of the Cadenya core (the Kotlin and Swift SDKs). It only converts, through
//! the core's binding contract (`cadenya::contract`): arguments into one `CallInput`, the
//! response's JSON text straight into UniFFI records, the error record into [`CadenyaError`], and
//! calls into Kotlin suspend / Swift `async` functions. `generated.rs` and `generated_errors.rs`
//! are written by `cadenya-generator`.

// Errors cross the FFI by value as one flat enum; boxing would only add an allocation.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!("cadenya");

mod call;
mod client;
#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
mod generated;
#[rustfmt::skip]
mod generated_errors;
mod webhook;

pub use client::{CadenyaClient, CadenyaLogger, LogRecord, RawResponse, RequestOptions};
pub use generated::*;
pub use generated_errors::CadenyaError;
pub use webhook::{unsafe_unwrap_webhook, Webhook};
