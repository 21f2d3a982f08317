//! Client and call settings as every binding receives them from its language: durations as
//! (fractional) seconds, counts as plain numbers, log levels as text. Validation and the
//! error messages live here, once, so a bad value fails the same way in every language.

use crate::error::{Error, Result};
use crate::logging::SharedLogSink;
use crate::{CaBundle, ClientOptions, LogLevel, RequestOptions};
use std::time::Duration;

/// A duration given as (fractional) seconds: positive and finite. `name` is the option's name
/// in the caller's language.
pub fn seconds(name: &str, s: f64) -> Result<Duration> {
    if !(s.is_finite() && s > 0.0) {
        return Err(Error::invalid(format!("{name} must be a positive, finite number of seconds")));
    }
    Duration::try_from_secs_f64(s).map_err(|_| Error::invalid(format!("{name} is out of range")))
}

/// A retry count given as a number (JS has no integers): a non-negative integer.
pub fn retry_count(name: &str, n: f64) -> Result<u32> {
    if n.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&n) {
        return Err(Error::invalid(format!("{name} must be a non-negative integer")));
    }
    Ok(n as u32)
}

/// The settings of a new client. Every unset field falls back to the environment, then to the
/// defaults (see [`ClientOptions`]). Also readable from JSON ([`ClientSettings::from_json`]).
#[derive(Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSettings {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub workspace_id: Option<String>,
    pub webhook_secret: Option<String>,
    /// Per-attempt timeout, seconds (`timeout` in JSON).
    #[serde(rename = "timeout")]
    pub timeout_secs: Option<f64>,
    pub max_retries: Option<f64>,
    pub default_headers: Vec<(String, String)>,
    pub user_agent: Option<String>,
    /// `off`, `error`, `warn`, `info`, `debug` or `trace`.
    pub log_level: Option<String>,
    #[serde(skip)]
    pub logger: Option<SharedLogSink>,
    /// A PEM file of extra certificate authorities.
    pub ca_bundle_path: Option<String>,
    /// PEM text of extra certificate authorities.
    #[serde(deserialize_with = "pem_text")]
    pub ca_bundle_pem: Option<Vec<u8>>,
    /// `http://host:port`, overriding `HTTPS_PROXY` / `NO_PROXY`.
    pub proxy: Option<String>,
    /// Longest wait for a TCP + TLS connection, seconds (`connect_timeout` in JSON).
    #[serde(rename = "connect_timeout")]
    pub connect_timeout_secs: Option<f64>,
}

/// PEM arrives in JSON as text.
fn pem_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<u8>>, D::Error> {
    Ok(<Option<String> as serde::Deserialize>::deserialize(d)?.map(String::into_bytes))
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only what cannot be a secret.
        f.debug_struct("ClientSettings")
            .field("base_url", &self.base_url)
            .field("workspace_id", &self.workspace_id)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl ClientSettings {
    /// Settings from a JSON object with snake_case keys (`timeout` and `connect_timeout` in
    /// seconds, `default_headers` as `[name, value]` pairs, `ca_bundle_pem` as PEM text), for
    /// bindings whose language builds an object more easily than it passes a dozen arguments.
    /// Unknown keys are refused; there is no logger.
    pub fn from_json(text: &str) -> Result<ClientSettings> {
        serde_json::from_str(text)
            .map_err(|e| Error::Configuration { message: format!("invalid client settings: {e}") })
    }

    /// The core's options; a bad value is a configuration error naming the option.
    pub fn into_options(self) -> Result<ClientOptions> {
        let config = |e: Error| match e {
            Error::InvalidRequest { message } => Error::Configuration { message },
            other => other,
        };
        let ca_bundle = match (self.ca_bundle_path, self.ca_bundle_pem) {
            (Some(_), Some(_)) => return Err(config(Error::invalid("give a CA bundle as a path or as PEM, not both"))),
            (Some(path), None) => Some(CaBundle::Path(path.into())),
            (None, Some(pem)) => Some(CaBundle::Pem(pem)),
            (None, None) => None,
        };
        Ok(ClientOptions {
            api_key: self.api_key,
            base_url: self.base_url,
            workspace_id: self.workspace_id,
            webhook_secret: self.webhook_secret,
            timeout: self.timeout_secs.map(|s| seconds("timeout", s)).transpose().map_err(config)?,
            max_retries: self.max_retries.map(|n| retry_count("max_retries", n)).transpose().map_err(config)?,
            default_headers: self.default_headers,
            user_agent: self.user_agent,
            log_level: self.log_level.as_deref().map(str::parse::<LogLevel>).transpose()?,
            logger: self.logger,
            ca_bundle,
            proxy: self.proxy,
            connect_timeout: self
                .connect_timeout_secs
                .map(|s| seconds("connect_timeout", s))
                .transpose()
                .map_err(config)?,
        })
    }
}

/// The options of one call.
#[derive(Debug, Default)]
pub struct CallSettings {
    /// Per-attempt timeout, seconds.
    pub timeout_secs: Option<f64>,
    pub max_retries: Option<f64>,
    pub headers: Vec<(String, String)>,
    pub extra_query: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    /// Replaces the client's default workspace; must not be blank.
    pub workspace_id: Option<String>,
    /// JSON text of an object whose fields are merged into the body last (`extra_body`).
    pub extra_body: Option<String>,
}

impl CallSettings {
    /// The core's options; a bad value is an invalid-request error naming the option.
    pub fn into_options(self) -> Result<RequestOptions> {
        if self.workspace_id.as_deref().is_some_and(|w| w.trim().is_empty()) {
            return Err(Error::invalid("workspace_id must not be blank"));
        }
        let mut headers = self.headers;
        // Sorted, so the request does not depend on the order of a foreign map.
        headers.sort();
        Ok(RequestOptions {
            timeout: self.timeout_secs.map(|s| seconds("timeout", s)).transpose()?,
            max_retries: self.max_retries.map(|n| retry_count("max_retries", n)).transpose()?,
            headers,
            extra_query: self.extra_query,
            idempotency_key: self.idempotency_key,
            extra_body: self
                .extra_body
                .map(|text| serde_json::from_str(&text).map_err(|_| Error::invalid("extra_body must be a JSON object")))
                .transpose()?,
            workspace_id: self.workspace_id,
        })
    }
}
