//! UniFFI binding of the Cadenya core: the Kotlin and Swift SDKs.
//!
//! This crate only converts: arguments into the core's dynamic calls (`cadenya::catalog`), JSON
//! responses into UniFFI records, core errors into [`CadenyaError`], and Rust futures into Kotlin
//! suspend functions / Swift `async` functions. Retries, timeouts, paging, error mapping and
//! webhook verification all happen in the core.
//!
//! `generated.rs` (records, enums, page types, one method per operation) is written by
//! `cadenya-generator` from the spec; the rest is hand-written.

// Errors cross the FFI by value as one flat record-like enum; boxing would only add an allocation.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!("cadenya");

#[macro_use]
mod macros;
mod client;
mod error;
#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
mod generated;
mod rt;
mod webhook;

pub use client::{CadenyaClient, RequestOptions};
pub use error::CadenyaError;
pub use generated::*;
pub use webhook::Webhook;
