//! The client object and per-call options, converted to the contract's settings.

use crate::call::Ctx;
use crate::webhook::Webhook;
use crate::CadenyaError;
use cadenya::contract::{CallSettings, ClientSettings, ErrorRecord, HostLog, Session};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Receives the client's log records at `logLevel` (else `CADENYA_LOG`, default warn) and up, on
/// the coroutine's / task's thread as each call completes (never a runtime thread). What it
/// throws is ignored (that record is lost).
#[uniffi::export(callback_interface)]
pub trait CadenyaLogger: Send + Sync {
    fn log(&self, record: LogRecord) -> Result<(), CadenyaError>;
}

/// A log record: `level`, `message`, `fields` (null: unknown) and all as one `line`. No secrets.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LogRecord {
    pub level: String,
    pub message: String,
    pub fields: HashMap<String, Option<String>>,
    pub line: String,
}

impl From<&cadenya::logging::LogRecord> for LogRecord {
    fn from(r: &cadenya::logging::LogRecord) -> Self {
        let fields = r.text_fields().collect();
        LogRecord { level: r.level.as_str().into(), message: r.message.into(), fields, line: r.line() }
    }
}

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
    /// Filled with the response's status, headers and request id once the call succeeds.
    #[uniffi(default)]
    pub raw_response: Option<Arc<RawResponse>>,
}

/// Status, headers and request id of a call's response, for any operation: pass one in
/// `RequestOptions.rawResponse`, read it after the call (a failed call leaves it empty).
#[derive(Debug, Default, uniffi::Object)]
pub struct RawResponse(Mutex<Seen>);

type Seen = Option<(i32, HashMap<String, String>, Option<String>)>;

impl RawResponse {
    pub(crate) fn record(&self, r: &cadenya::contract::Response) {
        *self.seen() = Some((r.status.into(), r.header_pairs().into_iter().collect(), r.request_id.clone()));
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl RawResponse {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The HTTP status; null until a call has filled it.
    pub fn status(&self) -> Option<i32> {
        self.seen().as_ref().map(|r| r.0)
    }

    /// The response headers (lower-case names; repeated ones joined with `, `).
    pub fn headers(&self) -> HashMap<String, String> {
        self.seen().as_ref().map(|r| r.1.clone()).unwrap_or_default()
    }

    /// One header, by case-insensitive name.
    pub fn header(&self, name: String) -> Option<String> {
        self.seen().as_ref().and_then(|r| r.1.get(&name.to_ascii_lowercase()).cloned())
    }

    /// The `x-request-id` of the response: quote it to support.
    pub fn request_id(&self) -> Option<String> {
        self.seen().as_ref().and_then(|r| r.2.clone())
    }
}

impl RequestOptions {
    /// The contract's call settings (validated there, as in every language).
    pub(crate) fn into_settings(self) -> CallSettings {
        CallSettings {
            timeout_secs: self.timeout.map(|d| d.as_secs_f64()),
            max_retries: self.max_retries.map(f64::from),
            headers: self.headers.into_iter().collect(),
            idempotency_key: self.idempotency_key,
            ..CallSettings::default()
        }
    }
}

/// The Cadenya API client. Cheap to share between coroutines/tasks; one connection pool per client.
///
/// Every argument falls back to the environment (`CADENYA_API_KEY`, `CADENYA_BASE_URL`,
/// `CADENYA_WORKSPACE_ID`, `CADENYA_WEBHOOK_SECRET`/`CADENYA_WEBHOOK_KEY`,
/// `CADENYA_CUSTOM_HEADERS`, `CADENYA_LOG`), then to the defaults (60 s timeout, 2 retries).
/// `caBundle` is a PEM file of extra certificate authorities; `proxy` (`http://host:port`)
/// overrides `HTTPS_PROXY`/`NO_PROXY`; `connectTimeout` bounds each TCP + TLS connection.
#[derive(Debug, uniffi::Object)]
pub struct CadenyaClient {
    pub(crate) c: Ctx,
}

#[uniffi::export]
impl CadenyaClient {
    #[uniffi::constructor(default(api_key = None, base_url = None, workspace_id = None, webhook_secret = None, timeout = None, max_retries = None, default_headers = None, log_level = None, ca_bundle = None, proxy = None, connect_timeout = None, logger = None))]
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
        ca_bundle: Option<String>,
        proxy: Option<String>,
        connect_timeout: Option<Duration>,
        logger: Option<Box<dyn CadenyaLogger>>,
    ) -> Result<Arc<Self>, CadenyaError> {
        let (logs, logger) = logger.map(HostLog::new).unzip();
        let settings = ClientSettings {
            api_key,
            base_url,
            workspace_id,
            webhook_secret,
            timeout_secs: timeout.map(|d| d.as_secs_f64()),
            max_retries: max_retries.map(f64::from),
            default_headers: default_headers.unwrap_or_default().into_iter().collect(),
            log_level,
            ca_bundle_path: ca_bundle,
            proxy,
            connect_timeout_secs: connect_timeout.map(|d| d.as_secs_f64()),
            logger,
            ..ClientSettings::default()
        };
        let session = Arc::new(Session::new(settings)?);
        Ok(Arc::new(CadenyaClient { c: Ctx { session, workspace_id: None, logs } }))
    }

    /// The workspace used for `{workspaceId}` when a call does not pass one.
    pub fn workspace_id(&self) -> Option<String> {
        self.c.workspace_id.clone().or_else(|| self.c.session.config().workspace_id().map(str::to_string))
    }

    /// The API base URL.
    pub fn base_url(&self) -> String {
        self.c.session.config().base_url().to_string()
    }

    /// A client sharing this one's connection pool and settings, with another default workspace.
    pub fn with_workspace(&self, workspace_id: String) -> Result<Arc<Self>, CadenyaError> {
        if workspace_id.trim().is_empty() {
            return Err(ErrorRecord::invalid("workspace_id must not be blank").into());
        }
        Ok(Arc::new(CadenyaClient { c: Ctx { workspace_id: Some(workspace_id), ..self.c.clone() } }))
    }

    /// A webhook verifier for `secret`, or for the client's configured webhook secret.
    #[uniffi::method(default(secret = None))]
    pub fn webhook(&self, secret: Option<String>) -> Result<Arc<Webhook>, CadenyaError> {
        let verifier = cadenya::contract::catch(|| self.c.session.client()?.webhooks().verifier(secret.as_deref()));
        Ok(Arc::new(Webhook { inner: verifier.map_err(ErrorRecord::from)? }))
    }
}
