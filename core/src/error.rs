//! One typed error for everything a call can run into.

use std::fmt;
use std::time::Duration;

/// Result alias used throughout the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call. Match on the variant (or [`Error::kind`]) to branch;
/// no variant ever carries the API key or a webhook secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-2xx status.
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read (refused, reset,
    /// dropped or truncated connection).
    Connection { message: String, source: Option<Box<dyn std::error::Error + Send + Sync>>, call: Option<CallInfo> },
    /// The request (one attempt, including reading the body) took longer than the timeout.
    Timeout { after: Duration, call: Option<CallInfo> },
    /// The response did not match the model: `path` names the failing field (`items[3].spec.status`).
    Decode { message: String, path: String, status: u16, request_id: Option<String>, call: Option<CallInfo> },
    /// The call was refused before anything was sent (empty path id, `..` as an id, bad header…).
    InvalidRequest { message: String },
    /// The client could not be built (missing API key, bad base URL, bad header, …).
    Configuration { message: String },
    /// A webhook failed verification or could not be decoded.
    Webhook(crate::webhooks::WebhookError),
    /// An objective helper (`objectives().wait`, `follow_events`) gave up: the objective did not
    /// reach the awaited state in time. `last_state` is the wire name of the state last seen.
    WaitTimeout { objective_id: String, after: Duration, last_state: String },
    /// A bug inside the SDK (a panic caught at a language boundary). Please report it.
    Internal { message: String },
}

/// The call an error came from, named at the start of the error's message:
/// `agents.retrieve failed after 3 attempts: …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallInfo {
    /// The operationId (`agents.retrieve`).
    pub operation: &'static str,
    /// Attempts sent (1 + retries); `None` when the call failed before anything was sent.
    pub attempts: Option<u32>,
}

impl fmt::Display for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attempts {
            Some(1) => write!(f, "{} failed after 1 attempt", self.operation),
            Some(n) => write!(f, "{} failed after {n} attempts", self.operation),
            None => write!(f, "{} failed", self.operation),
        }
    }
}

/// Which family an API error belongs to, by HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    BadRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    Conflict,
    UnprocessableEntity,
    RateLimit,
    InternalServer,
    /// Any other non-2xx status.
    Other,
}

impl ApiErrorKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            422 => Self::UnprocessableEntity,
            429 => Self::RateLimit,
            s if s >= 500 => Self::InternalServer,
            _ => Self::Other,
        }
    }

    /// The error class name every language uses (`NotFoundError`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequestError",
            Self::Authentication => "AuthenticationError",
            Self::PermissionDenied => "PermissionDeniedError",
            Self::NotFound => "NotFoundError",
            Self::Conflict => "ConflictError",
            Self::UnprocessableEntity => "UnprocessableEntityError",
            Self::RateLimit => "RateLimitError",
            Self::InternalServer => "InternalServerError",
            Self::Other => "APIStatusError",
        }
    }
}

/// A non-2xx answer from the API, with its decoded `google.rpc.Status` body when there is one.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub kind: ApiErrorKind,
    /// `code` of the error body (a google.rpc.Code), when the body had one.
    pub code: Option<i32>,
    /// `message` of the error body, or a short description of the status.
    pub message: String,
    /// `details` of the error body.
    pub details: Vec<serde_json::Value>,
    /// The raw response body, as text (lossy UTF-8).
    pub body: String,
    /// The `x-request-id` response header: quote it when contacting support.
    pub request_id: Option<String>,
    /// Response headers (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The operation and the attempts made, when the error came from a call.
    pub call: Option<CallInfo>,
}

impl ApiError {
    pub(crate) fn from_response(
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
        request_id: Option<String>,
    ) -> Self {
        let text = String::from_utf8_lossy(body).into_owned();
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let obj = parsed.as_ref().and_then(|v| v.as_object());
        let code = obj.and_then(|o| o.get("code")).and_then(|c| c.as_i64()).and_then(|c| i32::try_from(c).ok());
        let message = obj
            .and_then(|o| o.get("message"))
            .and_then(|m| m.as_str())
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                let reason = http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason());
                format!("HTTP {status}{}", reason.map(|r| format!(" {r}")).unwrap_or_default())
            });
        let details = obj.and_then(|o| o.get("details")).and_then(|d| d.as_array()).cloned().unwrap_or_default();
        let headers = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        ApiError {
            status,
            kind: ApiErrorKind::from_status(status),
            code,
            message,
            details,
            body: text,
            request_id,
            headers,
            call: None,
        }
    }
}

impl Error {
    /// A short stable name for the error family: `api`, `connection`, `timeout`, `decode`,
    /// `invalid_request`, `configuration`, `webhook`, `wait_timeout`, `internal`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Api(_) => "api",
            Error::Connection { .. } => "connection",
            Error::Timeout { .. } => "timeout",
            Error::Decode { .. } => "decode",
            Error::InvalidRequest { .. } => "invalid_request",
            Error::Configuration { .. } => "configuration",
            Error::Webhook(_) => "webhook",
            Error::WaitTimeout { .. } => "wait_timeout",
            Error::Internal { .. } => "internal",
        }
    }

    /// HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's request id, when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The class every language raises for this error (`NotFoundError`, `APITimeoutError`, …).
    pub fn class(&self) -> crate::ErrorClass {
        crate::ErrorClass::of(self)
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The operation and attempts this error came from, when it came from a call.
    pub fn call(&self) -> Option<&CallInfo> {
        match self {
            Error::Api(e) => e.call.as_ref(),
            Error::Connection { call, .. } | Error::Timeout { call, .. } | Error::Decode { call, .. } => call.as_ref(),
            _ => None,
        }
    }

    /// Records which call this error came from (kept if already set).
    pub(crate) fn in_call(mut self, info: CallInfo) -> Self {
        let slot = match &mut self {
            Error::Api(e) => &mut e.call,
            Error::Connection { call, .. } | Error::Timeout { call, .. } | Error::Decode { call, .. } => call,
            _ => return self,
        };
        slot.get_or_insert(info);
        self
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidRequest { message: message.into() }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Configuration { message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(call) = self.call() {
            write!(f, "{call}: ")?;
        }
        match self {
            Error::Api(e) => {
                write!(f, "{} ({}): {}", e.kind.name(), e.status, e.message)?;
                if let Some(id) = &e.request_id {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            Error::Connection { message, .. } => write!(f, "connection error: {message}"),
            Error::Timeout { after, .. } => write!(f, "request timed out after {:.3} s", after.as_secs_f64()),
            Error::Decode { message, path, status, request_id, .. } => {
                write!(f, "could not decode the HTTP {status} response at `{path}`: {message}")?;
                if let Some(id) = request_id {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            Error::InvalidRequest { message } => write!(f, "invalid request: {message}"),
            Error::Configuration { message } => write!(f, "configuration error: {message}"),
            Error::Webhook(e) => write!(f, "webhook error: {e}"),
            Error::WaitTimeout { objective_id, after, last_state } => write!(
                f,
                "objective {objective_id} did not reach the awaited state within {:.3} s (last state {last_state})",
                after.as_secs_f64()
            ),
            Error::Internal { message } => {
                write!(f, "internal error in the Cadenya SDK (please report it): {message}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connection { source: Some(s), .. } => Some(s.as_ref()),
            Error::Webhook(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::webhooks::WebhookError> for Error {
    fn from(e: crate::webhooks::WebhookError) -> Self {
        Error::Webhook(e)
    }
}
