//! The client object and per-call options.

use crate::error::CadenyaError;
use crate::webhook::Webhook;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Options for one call; every field is optional.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RequestOptions {
    /// Per-attempt timeout (default: the client's).
    #[uniffi(default)]
    pub timeout: Option<Duration>,
    /// Retries after the first attempt (default: the client's).
    #[uniffi(default)]
    pub max_retries: Option<u32>,
    /// Sent as `Idempotency-Key`; lets the core retry a POST/PATCH after a 5xx, timeout or drop.
    #[uniffi(default)]
    pub idempotency_key: Option<String>,
    /// Extra headers (replace a default header of the same name).
    #[uniffi(default)]
    pub headers: HashMap<String, String>,
}

/// The Cadenya API client. Cheap to share between coroutines/tasks; one connection pool per client.
///
/// Every argument falls back to the environment (`CADENYA_API_KEY`, `CADENYA_BASE_URL`,
/// `CADENYA_WORKSPACE_ID`, `CADENYA_WEBHOOK_SECRET`/`CADENYA_WEBHOOK_KEY`,
/// `CADENYA_CUSTOM_HEADERS`, `CADENYA_LOG`), then to the defaults (60 s timeout, 2 retries).
#[derive(uniffi::Object)]
pub struct CadenyaClient {
    pub(crate) inner: cadenya::Client,
}

impl std::fmt::Debug for CadenyaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The core's Debug redacts the API key and webhook secret.
        self.inner.fmt(f)
    }
}

#[uniffi::export]
impl CadenyaClient {
    #[uniffi::constructor(default(api_key = None, base_url = None, workspace_id = None, webhook_secret = None, timeout = None, max_retries = None, default_headers = None, log_level = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        api_key: Option<String>,
        base_url: Option<String>,
        workspace_id: Option<String>,
        webhook_secret: Option<String>,
        timeout: Option<Duration>,
        max_retries: Option<u32>,
        default_headers: Option<HashMap<String, String>>,
        log_level: Option<String>,
    ) -> Result<Arc<Self>, CadenyaError> {
        crate::rt::catch(|| {
            // Sorted so the headers' order does not depend on the map's.
            let mut headers: Vec<_> = default_headers.unwrap_or_default().into_iter().collect();
            headers.sort();
            let log_level = match log_level {
                Some(v) => Some(v.parse()?),
                None => None,
            };
            let b = cadenya::Client::builder().options(cadenya::ClientOptions {
                api_key,
                base_url,
                workspace_id,
                webhook_secret,
                timeout,
                max_retries,
                default_headers: headers,
                user_agent: None,
                log_level,
                ..Default::default()
            });
            Ok(Arc::new(CadenyaClient { inner: b.build()? }))
        })
    }

    /// The workspace used for `{workspaceId}` when a call does not pass one.
    pub fn workspace_id(&self) -> Option<String> {
        self.inner.config().workspace_id().map(str::to_string)
    }

    /// The API base URL.
    pub fn base_url(&self) -> String {
        self.inner.config().base_url().to_string()
    }

    /// A client sharing this one's connection pool and settings, with another default workspace.
    pub fn with_workspace(&self, workspace_id: String) -> Result<Arc<Self>, CadenyaError> {
        Ok(Arc::new(CadenyaClient { inner: self.inner.with_workspace(workspace_id)? }))
    }

    /// A webhook verifier for `secret`, or for the client's configured webhook secret.
    #[uniffi::method(default(secret = None))]
    pub fn webhook(&self, secret: Option<String>) -> Result<Arc<Webhook>, CadenyaError> {
        crate::rt::catch(|| {
            let inner = self.inner.webhooks().verifier(secret.as_deref())?;
            Ok(Arc::new(Webhook { inner }))
        })
    }
}
