//! Client configuration: the builder, environment fallbacks and validation.
//!
//! Precedence for every setting: a value passed to the builder, else the environment variable,
//! else the default. An explicitly passed blank value is an error, never a silent fallback.

use crate::error::{Error, Result};
use crate::logging::SharedLogSink;
use crate::secret::SecretString;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_BASE_URL: &str = "https://api.cadenya.com";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// No single wait between retries is longer than this, whatever `Retry-After` asks for.
pub const DEFAULT_MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

pub const ENV_API_KEY: &str = "CADENYA_API_KEY";
pub const ENV_BASE_URL: &str = "CADENYA_BASE_URL";
pub const ENV_WORKSPACE_ID: &str = "CADENYA_WORKSPACE_ID";
pub const ENV_WEBHOOK_SECRET: &str = "CADENYA_WEBHOOK_SECRET";
/// The name the official SDKs of this API version read; used when `CADENYA_WEBHOOK_SECRET` is unset.
pub const ENV_WEBHOOK_KEY: &str = "CADENYA_WEBHOOK_KEY";
pub const ENV_CUSTOM_HEADERS: &str = "CADENYA_CUSTOM_HEADERS";
pub const ENV_LOG: &str = "CADENYA_LOG";

/// Log levels for `CADENYA_LOG` / [`ClientBuilder::log_level`]: the client emits its own
/// `tracing` events only up to this level (default `warn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// The lower-case name `CADENYA_LOG` accepts (`off`, `error`, `warn`, `info`, `debug`, `trace`).
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Extra certificate authorities to trust, on top of the OS store and the bundled roots.
#[derive(Clone, PartialEq, Eq)]
pub enum CaBundle {
    /// A PEM file holding one or more certificates.
    Path(PathBuf),
    /// PEM text holding one or more certificates.
    Pem(Vec<u8>),
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaBundle::Path(p) => f.debug_tuple("Path").field(p).finish(),
            CaBundle::Pem(b) => write!(f, "Pem(<{} bytes>)", b.len()),
        }
    }
}

impl CaBundle {
    /// The certificates of the bundle; an unreadable file or one without a certificate is a
    /// configuration error naming the file.
    fn certificates(&self) -> Result<Vec<reqwest::Certificate>> {
        let (what, pem) = match self {
            CaBundle::Path(p) => {
                let what = format!("the CA bundle `{}`", p.display());
                let bytes = std::fs::read(p).map_err(|e| Error::config(format!("{what} could not be read: {e}")))?;
                (what, bytes)
            }
            CaBundle::Pem(b) => ("the CA bundle".to_string(), b.clone()),
        };
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Error::config(format!("{what} is not valid PEM: {e}")))?;
        if certs.is_empty() {
            return Err(Error::config(format!("{what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")));
        }
        Ok(certs)
    }
}

/// A proxy URL with any password replaced, for `Debug` and error messages.
fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("<redacted>"));
    }
    shown.to_string()
}

impl std::str::FromStr for LogLevel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Ok(LogLevel::Off),
            "error" => Ok(LogLevel::Error),
            "warn" | "warning" => Ok(LogLevel::Warn),
            "info" => Ok(LogLevel::Info),
            "debug" => Ok(LogLevel::Debug),
            "trace" => Ok(LogLevel::Trace),
            other => Err(Error::config(format!(
                "unknown log level `{other}` (expected off, error, warn, info, debug or trace)"
            ))),
        }
    }
}

type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Builds a [`Client`](crate::Client). Unset fields fall back to the environment, then to defaults.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    workspace_id: Option<String>,
    webhook_secret: Option<String>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    max_retry_delay: Option<Duration>,
    user_agent: Option<String>,
    allow_insecure_http: bool,
    log_level: Option<LogLevel>,
    ca_bundle: Option<CaBundle>,
    proxy: Option<String>,
    connect_timeout: Option<Duration>,
    logger: Option<SharedLogSink>,
    env: EnvLookup,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("workspace_id", &self.workspace_id)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "<redacted>"))
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("ca_bundle", &self.ca_bundle)
            .field(
                "proxy",
                &self.proxy.as_ref().map(|p| url::Url::parse(p).map(|u| redact_url(&u)).unwrap_or_default()),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("logger", &self.logger.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            workspace_id: None,
            webhook_secret: None,
            headers: Vec::new(),
            timeout: None,
            max_retries: None,
            max_retry_delay: None,
            user_agent: None,
            allow_insecure_http: false,
            log_level: None,
            ca_bundle: None,
            proxy: None,
            connect_timeout: None,
            logger: None,
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }
}

/// Every client setting as plain optional data, for callers that gather settings from their own
/// arguments (the language bindings). `None` means "the environment, then the default", exactly
/// as an unset builder field; [`ClientBuilder::options`] applies it.
#[derive(Clone, Default)]
pub struct ClientOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub workspace_id: Option<String>,
    pub webhook_secret: Option<String>,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    /// Sent with every request, after those of `CADENYA_CUSTOM_HEADERS`.
    pub default_headers: Vec<(String, String)>,
    pub user_agent: Option<String>,
    pub log_level: Option<LogLevel>,
    /// Certificate authorities trusted in addition to the OS store (or `SSL_CERT_FILE` /
    /// `SSL_CERT_DIR` when set) and the bundled Mozilla roots.
    pub ca_bundle: Option<CaBundle>,
    /// Every request goes through this proxy (`http://host:port`, credentials allowed), instead
    /// of what `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` say.
    pub proxy: Option<String>,
    /// Longest wait for a TCP + TLS connection (default: only the per-attempt timeout applies).
    pub connect_timeout: Option<Duration>,
    /// Receives the client's log records (see [`crate::logging`]), up to `log_level`.
    pub logger: Option<SharedLogSink>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("workspace_id", &self.workspace_id)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("default_headers", &self.default_headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("user_agent", &self.user_agent)
            .field("log_level", &self.log_level)
            .field("ca_bundle", &self.ca_bundle)
            .field(
                "proxy",
                &self.proxy.as_ref().map(|p| url::Url::parse(p).map(|u| redact_url(&u)).unwrap_or_default()),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("logger", &self.logger.is_some())
            .finish()
    }
}

/// The validated, immutable configuration a client runs with.
#[derive(Clone)]
pub struct Config {
    pub(crate) api_key: SecretString,
    pub(crate) base_url: url::Url,
    pub(crate) workspace_id: Option<String>,
    pub(crate) webhook_secret: Option<SecretString>,
    pub(crate) default_headers: HeaderMap,
    pub(crate) timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_retry_delay: Duration,
    pub(crate) user_agent: String,
    pub(crate) log_level: LogLevel,
    pub(crate) ca_certs: Vec<reqwest::Certificate>,
    pub(crate) proxy: Option<url::Url>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) logger: Option<SharedLogSink>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url.as_str())
            .field("workspace_id", &self.workspace_id)
            .field("webhook_secret", &self.webhook_secret)
            .field("default_headers", &self.default_headers.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("max_retry_delay", &self.max_retry_delay)
            .field("user_agent", &self.user_agent)
            .field("log_level", &self.log_level)
            .field("ca_certs", &self.ca_certs.len())
            .field("proxy", &self.proxy.as_ref().map(redact_url))
            .field("connect_timeout", &self.connect_timeout)
            .field("logger", &self.logger.is_some())
            .finish()
    }
}

impl Config {
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }
    pub fn workspace_id(&self) -> Option<&str> {
        self.workspace_id.as_deref()
    }
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }
    pub fn max_retry_delay(&self) -> Duration {
        self.max_retry_delay
    }
    pub fn log_level(&self) -> LogLevel {
        self.log_level
    }
    /// The sink receiving this client's log records, if one was given.
    pub fn logger(&self) -> Option<&SharedLogSink> {
        self.logger.as_ref()
    }
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }
    /// The webhook secret configured on the client, if any.
    pub fn webhook_secret(&self) -> Option<&SecretString> {
        self.webhook_secret.as_ref()
    }
}

fn explicit(name: &str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Error::config(format!("{name} was given but is blank"))),
        Some(v) => Ok(Some(v.trim().to_string())),
        None => Ok(None),
    }
}

/// Parses `CADENYA_CUSTOM_HEADERS`: one `Name: value` per line; blank lines are skipped.
pub fn parse_header_lines(text: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Error::config(format!("{ENV_CUSTOM_HEADERS} line {} is not `Name: value`", i + 1)))?;
        out.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(out)
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Headers the SDK sets itself; a default header may not replace them.
const RESERVED_HEADERS: &[&str] = &["authorization", "content-length", "host"];

impl ClientBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key, sent as `Authorization: Bearer <key>`. Falls back to `CADENYA_API_KEY`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
    /// Falls back to `CADENYA_BASE_URL`, then `https://api.cadenya.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// Default `{workspaceId}` of every call. Falls back to `CADENYA_WORKSPACE_ID`.
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.workspace_id = Some(id.into());
        self
    }
    /// Secret for [`Client::webhooks`](crate::Client::webhooks). Falls back to
    /// `CADENYA_WEBHOOK_SECRET`, then `CADENYA_WEBHOOK_KEY`.
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = Some(secret.into());
        self
    }
    /// A header sent with every request. Added to those from `CADENYA_CUSTOM_HEADERS`.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Per-attempt timeout (connect, send and read the whole body). Default 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Retries after the first attempt. Default 2.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    /// Longest single wait between retries (caps `Retry-After`). Default 60 s.
    pub fn max_retry_delay(mut self, d: Duration) -> Self {
        self.max_retry_delay = Some(d);
        self
    }
    /// Replaces the `User-Agent` (default `cadenya-rust/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }
    /// Allows `http://` to hosts other than loopback. Off by default: keys must not travel in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// Level up to which the client emits its own tracing events. Falls back to `CADENYA_LOG`, then `warn`.
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log_level = Some(level);
        self
    }
    /// Trusts the certificates of this PEM file too (beside the OS store and the bundled roots).
    pub fn ca_bundle_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(CaBundle::Path(path.into()));
        self
    }
    /// Trusts the certificates of this PEM text too (beside the OS store and the bundled roots).
    pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_bundle = Some(CaBundle::Pem(pem.into()));
        self
    }
    /// Sends every request through this proxy, whatever `HTTPS_PROXY` / `NO_PROXY` say.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }
    /// Longest wait for a connection (TCP and TLS handshake) before the attempt fails.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// Receives the client's log records up to its log level (see [`crate::logging`]).
    pub fn logger(mut self, sink: SharedLogSink) -> Self {
        self.logger = Some(sink);
        self
    }
    /// Applies every setting that is `Some` (and every default header) from `options`.
    pub fn options(mut self, options: ClientOptions) -> Self {
        let ClientOptions {
            api_key,
            base_url,
            workspace_id,
            webhook_secret,
            timeout,
            max_retries,
            default_headers,
            user_agent,
            log_level,
            ca_bundle,
            proxy,
            connect_timeout,
            logger,
        } = options;
        self.api_key = api_key.or(self.api_key);
        self.base_url = base_url.or(self.base_url);
        self.workspace_id = workspace_id.or(self.workspace_id);
        self.webhook_secret = webhook_secret.or(self.webhook_secret);
        self.timeout = timeout.or(self.timeout);
        self.max_retries = max_retries.or(self.max_retries);
        self.headers.extend(default_headers);
        self.user_agent = user_agent.or(self.user_agent);
        self.log_level = log_level.or(self.log_level);
        self.ca_bundle = ca_bundle.or(self.ca_bundle);
        self.proxy = proxy.or(self.proxy);
        self.connect_timeout = connect_timeout.or(self.connect_timeout);
        self.logger = logger.or(self.logger);
        self
    }

    /// Replaces where environment fallbacks are read from (tests; sandboxes). `|_| None` disables them.
    pub fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(lookup);
        self
    }

    fn env(&self, name: &str) -> Option<String> {
        (self.env)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// Validates everything and returns the configuration; [`ClientBuilder::build`] calls this.
    pub fn resolve(&self) -> Result<Config> {
        let api_key = explicit("api_key", &self.api_key)?
            .or_else(|| self.env(ENV_API_KEY))
            .ok_or_else(|| Error::config(format!("no API key: pass one to the client or set {ENV_API_KEY}")))?;
        if api_key.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::config("the API key contains spaces or control characters"));
        }
        let base = explicit("base_url", &self.base_url)?
            .or_else(|| self.env(ENV_BASE_URL))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let mut base_url =
            url::Url::parse(&base).map_err(|e| Error::config(format!("base URL `{base}` is not a valid URL: {e}")))?;
        match base_url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&base_url) => {}
            "http" => {
                return Err(Error::config(format!(
                    "base URL `{base}` uses http:// to a non-loopback host; use https:// or allow_insecure_http(true)"
                )))
            }
            other => return Err(Error::config(format!("base URL scheme `{other}` is not http or https"))),
        }
        if base_url.query().is_some() || base_url.fragment().is_some() || !base_url.username().is_empty() {
            return Err(Error::config("base URL must not carry a query, fragment or credentials"));
        }
        // Normalise to no trailing slash so `{base}{path}` joins cleanly.
        let trimmed = base_url.path().trim_end_matches('/').to_string();
        base_url.set_path(&trimmed);
        let workspace_id = explicit("workspace_id", &self.workspace_id)?.or_else(|| self.env(ENV_WORKSPACE_ID));
        let webhook_secret = explicit("webhook_secret", &self.webhook_secret)?
            .or_else(|| self.env(ENV_WEBHOOK_SECRET))
            .or_else(|| self.env(ENV_WEBHOOK_KEY))
            .map(SecretString::new);
        let mut pairs = match (self.env)(ENV_CUSTOM_HEADERS) {
            Some(text) => parse_header_lines(&text)?,
            None => Vec::new(),
        };
        pairs.extend(self.headers.iter().cloned());
        let mut default_headers = HeaderMap::new();
        for (name, value) in pairs {
            let hn = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("`{name}` is not a valid header name")))?;
            if RESERVED_HEADERS.contains(&hn.as_str()) {
                return Err(Error::config(format!("header `{name}` is set by the SDK and cannot be a default header")));
            }
            // The value may be a credential: never echo it.
            let hv = HeaderValue::from_str(&value)
                .map_err(|_| Error::config(format!("the value of header `{name}` is not a valid header value")))?;
            default_headers.insert(hn, hv);
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::config("timeout must be greater than zero"));
        }
        let log_level = match (self.log_level, self.env(ENV_LOG)) {
            (Some(l), _) => l,
            (None, Some(s)) => s.parse()?,
            (None, None) => LogLevel::Warn,
        };
        let ca_certs = match &self.ca_bundle {
            Some(bundle) => bundle.certificates()?,
            None => Vec::new(),
        };
        let proxy = match explicit("proxy", &self.proxy)? {
            Some(p) => {
                let u =
                    url::Url::parse(&p).map_err(|e| Error::config(format!("the proxy URL is not a valid URL: {e}")))?;
                if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
                    return Err(Error::config(format!(
                        "the proxy URL `{}` must be http:// or https:// with a host",
                        redact_url(&u)
                    )));
                }
                Some(u)
            }
            None => None,
        };
        if self.connect_timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::config("connect_timeout must be greater than zero"));
        }
        let user_agent = match &self.user_agent {
            Some(ua) => explicit("user_agent", &Some(ua.clone()))?.unwrap_or_default(),
            None => format!("cadenya-rust/{}", env!("CARGO_PKG_VERSION")),
        };
        Ok(Config {
            api_key: SecretString::new(api_key),
            base_url,
            workspace_id,
            webhook_secret,
            default_headers,
            timeout,
            max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            max_retry_delay: self.max_retry_delay.unwrap_or(DEFAULT_MAX_RETRY_DELAY),
            user_agent,
            log_level,
            ca_certs,
            proxy,
            connect_timeout: self.connect_timeout,
            logger: self.logger.clone(),
        })
    }

    /// Builds the client: one connection pool shared by every clone of it.
    pub fn build(&self) -> Result<crate::Client> {
        crate::Client::from_config(self.resolve()?)
    }
}
