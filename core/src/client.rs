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
        // Trusted: the OS store (or SSL_CERT_FILE / SSL_CERT_DIR when set, read by
        // rustls-native-certs), the bundled webpki roots, and the configured CA bundle.
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(true)
            .pool_idle_timeout(std::time::Duration::from_secs(60));
        for cert in &config.ca_certs {
            builder = builder.add_root_certificate(cert.clone());
        }
        if let Some(proxy) = &config.proxy {
            // Replaces the proxies of the environment (HTTPS_PROXY, NO_PROXY, …) entirely.
            let p = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| Error::config(format!("the proxy URL cannot be used: {}", e.without_url())))?;
            builder = builder.proxy(p);
        }
        if let Some(t) = config.connect_timeout {
            builder = builder.connect_timeout(t);
        }
        let http = builder.build().map_err(|e| Error::config(format!("could not start the HTTP client: {e}")))?;
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
