//! UniFFI binding of the Cadenya core: the Kotlin and Swift SDKs.
//!
//! This crate only converts, through the core's binding contract (`cadenya::contract`):
//! Kotlin/Swift arguments into one [`cadenya::contract::CallInput`], the response's JSON text
//! straight into UniFFI records, the contract's error record into [`CadenyaError`], and Rust
//! futures into Kotlin suspend functions / Swift `async` functions. Options, retries, timeouts,
//! paging, error classes and webhook rules all live in the core.
//!
//! `generated.rs` (records, enums, pages, one method per operation) and `generated_errors.rs`
//! (the error enum, from the error table) are written by `cadenya-generator`.

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

pub use client::{CadenyaClient, RequestOptions};
pub use generated::*;
pub use generated_errors::CadenyaError;
pub use webhook::{unsafe_unwrap_webhook, Webhook};
