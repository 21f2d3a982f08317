//! # Cadenya
//!
//! The Rust SDK for the [Cadenya](https://cadenya.com) API: typed models, one method per
//! operation, retries with backoff, timeouts, cursor pagination, typed errors and
//! Standard Webhooks verification. The same core powers the Python, Node, Kotlin and Swift SDKs.
//!
//! ```no_run
//! # async fn demo() -> cadenya::Result<()> {
//! use cadenya::models::*;
//! use cadenya::params::AgentsCreateParams;
//!
//! let client = cadenya::Client::from_env()?; // CADENYA_API_KEY, CADENYA_WORKSPACE_ID, …
//! let agent = client
//!     .agents()
//!     .create(AgentsCreateParams {
//!         metadata: CreateResourceMetadata { name: "support".into(), ..Default::default() },
//!         spec: AgentSpec { status: AgentStatus::Draft, ..Default::default() },
//!         ..Default::default()
//!     })
//!     .await?;
//! println!("created {}", agent.metadata.id);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod busy_poll;
pub mod catalog;
mod client;
pub mod codec;
pub mod config;
#[cfg(feature = "binding")]
pub mod contract;
pub mod error;
mod generated;
pub mod json;
pub mod logging;
pub mod objectives;
pub mod pagination;
pub mod request;
pub mod response;
mod secret;
mod transport;
pub mod webhooks;

pub use client::Client;
pub use config::{CaBundle, ClientBuilder, ClientOptions, Config, LogLevel};
pub use error::{ApiError, ApiErrorKind, CallInfo, Error, Result};
pub use generated::errors::ErrorClass;
pub use generated::{models, params, resources};
pub use logging::{LogRecord, LogSink, LogValue};
pub use pagination::Page;
pub use request::{Call, RequestOptions};
pub use response::{ApiResponse, RawResponse};
pub use secret::SecretString;
pub use transport::{IDEMPOTENCY_HEADER, REQUEST_ID_HEADER, RETRY_COUNT_HEADER};

/// The README's Rust examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
