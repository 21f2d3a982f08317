//! Log records a host language can receive.
//!
//! The transport emits each record twice: as a `tracing` event (target `cadenya`, for Rust
//! users' subscribers) and, when the client was given one, to a [`LogSink`]. The sink is how a
//! binding forwards records to its host's logging (Python `logging`, a Node `logger`, a Kotlin
//! or Swift callback). It belongs to one client, so two clients may log to two places, and it
//! needs no global `tracing` subscriber in the host process.
//!
//! Both paths are capped by the client's [`LogLevel`] (`CADENYA_LOG`, default `warn`) and carry
//! the same fields. Records never contain the API key, a webhook secret, the `Authorization`
//! header, any other header value, or a request or response body: only the operation, method,
//! path template, status, attempt, timings, request id, retry reason and error summaries.

use crate::config::LogLevel;
use std::fmt;
use std::sync::Arc;

/// One field value of a [`LogRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogValue {
    Str(String),
    Int(u64),
    /// The value is unknown (no response, so no status or request id).
    Null,
}

impl fmt::Display for LogValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogValue::Str(s) => f.write_str(s),
            LogValue::Int(n) => write!(f, "{n}"),
            LogValue::Null => f.write_str("-"),
        }
    }
}

impl From<u64> for LogValue {
    fn from(n: u64) -> Self {
        LogValue::Int(n)
    }
}
impl From<u32> for LogValue {
    fn from(n: u32) -> Self {
        LogValue::Int(u64::from(n))
    }
}
impl From<u16> for LogValue {
    fn from(n: u16) -> Self {
        LogValue::Int(u64::from(n))
    }
}
impl From<&str> for LogValue {
    fn from(s: &str) -> Self {
        LogValue::Str(s.to_string())
    }
}
impl From<String> for LogValue {
    fn from(s: String) -> Self {
        LogValue::Str(s)
    }
}
impl<T: Into<LogValue>> From<Option<T>> for LogValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(LogValue::Null, Into::into)
    }
}

impl LogValue {
    fn to_json(&self) -> serde_json::Value {
        match self {
            LogValue::Str(s) => s.as_str().into(),
            LogValue::Int(n) => (*n).into(),
            LogValue::Null => serde_json::Value::Null,
        }
    }
}

/// One log record: what a binding hands to its host's logger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub level: LogLevel,
    /// Always `cadenya` (the Python logger's name; the `tracing` target).
    pub target: &'static str,
    /// A short fixed message: `http request`, `retrying`, `request failed`.
    pub message: &'static str,
    /// Named values in a fixed order (`operation`, `method`, `path`, `status`, …).
    pub fields: Vec<(&'static str, LogValue)>,
}

impl LogRecord {
    /// The value of field `name`, if the record has it.
    pub fn field(&self, name: &str) -> Option<&LogValue> {
        self.fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// The fields as text, in order; `None` where the value is unknown (for hosts whose records
    /// carry string maps, such as Kotlin and Swift).
    pub fn text_fields(&self) -> impl Iterator<Item = (String, Option<String>)> + '_ {
        self.fields.iter().map(|(k, v)| (k.to_string(), if *v == LogValue::Null { None } else { Some(v.to_string()) }))
    }

    /// The record as one line: `retrying operation=agents.list attempt=1 reason="HTTP 503" wait_ms=500`.
    pub fn line(&self) -> String {
        let mut out = String::from(self.message);
        for (k, v) in &self.fields {
            match v {
                LogValue::Str(s) if s.is_empty() || s.contains([' ', '"', '=']) => {
                    out.push_str(&format!(" {k}={s:?}"));
                }
                _ => out.push_str(&format!(" {k}={v}")),
            }
        }
        out
    }

    /// The record as a JSON object: `{"level":"debug","target":"cadenya","message":…,"fields":{…}}`.
    /// Bindings whose host parses JSON cheaply may pass this text instead of building objects.
    pub fn to_json(&self) -> String {
        let fields: serde_json::Map<String, serde_json::Value> =
            self.fields.iter().map(|(k, v)| ((*k).to_string(), v.to_json())).collect();
        serde_json::json!({
            "level": self.level.as_str(),
            "target": self.target,
            "message": self.message,
            "fields": fields,
        })
        .to_string()
    }
}

/// Receives a client's log records. Called on the runtime thread that ran the request, so it
/// should hand the record off quickly (the bindings queue it to their host's thread or take the
/// host's lock briefly). It must not panic; a binding catches its host's exceptions itself.
pub trait LogSink: Send + Sync {
    fn log(&self, record: &LogRecord);
}

impl<F: Fn(&LogRecord) + Send + Sync> LogSink for F {
    fn log(&self, record: &LogRecord) {
        self(record)
    }
}

/// A shareable sink, as [`ClientOptions::logger`](crate::ClientOptions::logger) holds it.
pub type SharedLogSink = Arc<dyn LogSink>;

/// Emits one record at a level to `tracing` (target `cadenya`) and to the client's sink, when
/// the client's level allows it. Fields are `name = value` with values convertible to [`LogValue`].
macro_rules! log_record {
    ($config:expr, $tracing_level:ident, $level:ident, $message:literal, $($name:ident = $value:expr),* $(,)?) => {{
        let config: &$crate::config::Config = $config;
        if config.log_level() >= $crate::config::LogLevel::$level {
            $(let $name = $crate::logging::LogValue::from($value);)*
            tracing::event!(target: "cadenya", tracing::Level::$tracing_level, $($name = %$name,)* $message);
            if let Some(sink) = config.logger() {
                sink.log(&$crate::logging::LogRecord {
                    level: $crate::config::LogLevel::$level,
                    target: "cadenya",
                    message: $message,
                    fields: vec![$((stringify!($name), $name),)*],
                });
            }
        }
    }};
}
pub(crate) use log_record;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_json_render_every_field() {
        let r = LogRecord {
            level: LogLevel::Info,
            target: "cadenya",
            message: "retrying",
            fields: vec![
                ("operation", "agents.list".into()),
                ("reason", "HTTP 503".into()),
                ("wait_ms", 500u64.into()),
                ("request_id", LogValue::from(None::<&str>)),
            ],
        };
        assert_eq!(r.line(), r#"retrying operation=agents.list reason="HTTP 503" wait_ms=500 request_id=-"#);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap_or_default();
        assert_eq!(v["level"], "info");
        assert_eq!(v["fields"]["wait_ms"], 500);
        assert!(v["fields"]["request_id"].is_null());
        assert_eq!(r.field("reason"), Some(&LogValue::Str("HTTP 503".into())));
        let texts: Vec<_> = r.text_fields().collect();
        assert_eq!(texts[2], ("wait_ms".to_string(), Some("500".to_string())));
        assert_eq!(texts[3], ("request_id".to_string(), None));
    }
}
