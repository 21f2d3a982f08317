//! The client: configuration plus one shared connection pool. Cheap to clone; clones share the pool.

use crate::config::{ClientBuilder, Config};
use crate::error::{Error, Result};
use std::fmt;
use std::sync::Arc;

/// The Cadenya API client. Build one with [`Client::builder`] or [`Client::from_env`], then call
/// operations through the resource tree: `client.agents().variations().add_assignment(..)`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: reqwest::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish()
    }
}

impl Client {
    /// A builder; unset settings fall back to `CADENYA_*` environment variables, then defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment only (`CADENYA_API_KEY` is required).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::new().build()
    }

    pub(crate) fn from_config(config: Config) -> Result<Client> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .pool_idle_timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| Error::config(format!("could not start the HTTP client: {e}")))?;
        Ok(Client { inner: Arc::new(Inner { config, http }) })
    }

    /// The configuration this client runs with (secrets redacted in `Debug`).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// A client for another default workspace, sharing this client's connection pool.
    pub fn with_workspace(&self, workspace_id: impl Into<String>) -> Result<Client> {
        let id = workspace_id.into();
        if id.trim().is_empty() {
            return Err(Error::config("workspace_id was given but is blank"));
        }
        let mut config = self.inner.config.clone();
        config.workspace_id = Some(id);
        Ok(Client { inner: Arc::new(Inner { config, http: self.inner.http.clone() }) })
    }
}
