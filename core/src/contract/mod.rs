//! The binding contract: what every language binding calls, and all it calls.
//!
//! A binding converts its language's values into a [`CallInput`], runs [`Client::invoke`]
//! on its runtime in its async model, and converts the [`Response`] or [`ErrorRecord`] back.
//! Options, validation, panics, error classification and webhook envelope rules live here, so
//! they cannot drift between Python, Node, Kotlin and Swift. Behind the `binding` feature.

// The record is built only on the error path and moved once into the foreign exception.
#![allow(clippy::result_large_err)]

use crate::catalog::{DynamicBody, DynamicCall};
use crate::error::{Error, Result};
use crate::json::RawJson;
use crate::pagination::Page;
use crate::webhooks::{HeaderSource, Webhook};
use crate::Client;
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

mod host;
pub mod json_text;

mod objectives;
mod process;
mod session;
mod settings;
mod task;

pub use crate::ErrorClass;
#[cfg(any(unix, windows))]
pub use host::Completions;
pub use host::{ExitGate, HostLog, LogQueue, Passed};
pub use objectives::{ObjectiveEvents, ObjectiveSettings};
pub use process::{runtime, PerProcess};
pub use session::{Outcome, Session};
pub use settings::{retry_count, seconds, CallSettings, ClientSettings};
pub use task::spawn;

/// Per-call options, as every language passes them (the core's own [`RequestOptions`]).
pub use crate::RequestOptions as CallOptions;

/// The path parameters of `operation` other than `workspaceId`, in path order (for bindings
/// that take them positionally).
pub fn path_names(operation: &str) -> Result<impl Iterator<Item = &'static str>> {
    let op =
        crate::catalog::find(operation).ok_or_else(|| Error::invalid(format!("unknown operation `{operation}`")))?;
    Ok(op.path_params.iter().copied().filter(|n| *n != "workspaceId"))
}

/// One operation call: the operationId, wire-named path and query values, the body as JSON
/// (text or tree) and the options. `workspaceId` among the path values is the per-call workspace.
#[derive(Debug)]
pub struct CallInput<'a> {
    pub operation: &'a str,
    pub path: &'a [(&'a str, &'a str)],
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<DynamicBody<'a>>,
    pub options: CallOptions,
}

/// A call checked against the operation table, ready to send.
#[derive(Debug)]
pub struct Prepared {
    operation: String,
    call: DynamicCall<RawJson>,
}

/// What a successful response carries besides its metadata.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // moved once, from the runtime to the binding
pub enum Body {
    /// An operation without a response body.
    Empty,
    /// A model, as validated JSON text.
    Json(RawJson),
    /// One page of a list; it knows how to fetch the next one.
    Page(Page<RawJson>),
}

/// One successful response: status, headers (lower-case names, repeated ones joined with `, `),
/// request id and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub request_id: Option<String>,
    pub body: Body,
}

impl Response {
    /// Header pairs, each name once (repeated values joined with `, `), in first-seen order.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        header_pairs(&self.headers)
    }
}

/// `HeaderMap` as pairs, each name once.
pub fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .keys()
        .map(|name| {
            let values: Vec<_> =
                headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
            (name.as_str().to_string(), values.join(", "))
        })
        .collect()
}

impl Client {
    /// Checks a call against the operation table and the options; nothing is sent yet.
    pub fn prepare(&self, input: CallInput<'_>) -> Result<Prepared> {
        let mut options = input.options;
        let mut path = Vec::with_capacity(input.path.len());
        for &(name, value) in input.path {
            // A per-call workspace goes through the core's option, like every other language.
            if name == "workspaceId" {
                options.workspace_id = Some(value.to_string());
            } else {
                path.push((name, value));
            }
        }
        let call = self.dynamic_call_raw(input.operation, &path, input.query, input.body)?;
        if options.workspace_id.as_deref().is_some_and(|w| w.trim().is_empty()) {
            return Err(Error::invalid("workspace_id must not be blank"));
        }
        let call = match call {
            DynamicCall::Empty(c) => DynamicCall::Empty(c.options(options)),
            DynamicCall::Json(c) => DynamicCall::Json(c.options(options)),
            DynamicCall::Page(c) => DynamicCall::Page(c.options(options)),
        };
        Ok(Prepared { operation: input.operation.to_string(), call })
    }

    /// Prepares and sends one call: the one entry point of every binding. Cancelling is
    /// dropping the future (the request is abandoned, no retry follows).
    pub fn invoke(&self, input: CallInput<'_>) -> impl Future<Output = Result<Response, ErrorRecord>> + Send {
        let prepared = catch(|| self.prepare(input));
        async move {
            match prepared {
                Ok(p) => p.send().await,
                Err(e) => Err(ErrorRecord::from_error(&e, None)),
            }
        }
    }
}

impl Prepared {
    /// Whether the operation answers with a page.
    pub fn is_page(&self) -> bool {
        matches!(self.call, DynamicCall::Page(_))
    }

    /// Sends the call; panics become [`Error::Internal`].
    pub async fn send(self) -> Result<Response, ErrorRecord> {
        let Prepared { operation, call } = self;
        let result = guarded(async move {
            Ok(match call {
                DynamicCall::Empty(c) => response(c.with_raw_response().await?, |()| Body::Empty),
                DynamicCall::Json(c) => response(c.with_raw_response().await?, Body::Json),
                DynamicCall::Page(c) => response(c.with_raw_response().await?, Body::Page),
            })
        })
        .await;
        result.map_err(|e| ErrorRecord::from_error(&e, Some(&operation)))
    }
}

fn response<T>(r: crate::ApiResponse<T>, body: impl FnOnce(T) -> Body) -> Response {
    Response { status: r.status, headers: r.headers, request_id: r.request_id, body: body(r.data) }
}

/// The page after `page`, or `None` after the last one; panics become [`Error::Internal`].
pub async fn next_page(page: &Page<RawJson>) -> Result<Option<Page<RawJson>>, ErrorRecord> {
    guarded(page.next_page()).await.map_err(|e| ErrorRecord::from_error(&e, None))
}

/// A caught panic's payload as [`Error::Internal`].
pub fn panic_error(p: &(dyn std::any::Any + Send)) -> Error {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    Error::Internal { message: what }
}

/// Runs `f`, turning a panic into [`Error::Internal`]: no panic crosses a language boundary.
pub fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p.as_ref())))
}

/// Awaits `fut`, turning a panic into [`Error::Internal`].
pub async fn guarded<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    AssertUnwindSafe(fut).catch_unwind().await.unwrap_or_else(|p| Err(panic_error(p.as_ref())))
}

/// Every failure as one flat record: what each binding turns into its exception class.
/// Fields that do not apply are `None`/empty. Never holds a key or a webhook secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    /// The class every language uses (`NotFoundError`, …), from the error table.
    pub class: ErrorClass,
    /// `Display` of the error: `NotFoundError (404): agent not found [request id req_1]`.
    pub message: String,
    pub status: Option<u16>,
    /// `code` of the error body (a google.rpc.Code).
    pub code: Option<i32>,
    /// `details` of the error body, as JSON text of an array (`[]` when none).
    pub details: String,
    /// The raw response body of an API error.
    pub body: Option<String>,
    pub request_id: Option<String>,
    /// Response headers of an API error (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The operationId of the failed call.
    pub operation: Option<String>,
    /// Attempts made (1 + retries) for API errors.
    pub attempts: Option<u32>,
    /// Decode errors: the failing field path; webhook errors: why (`bad_signature`, …).
    pub detail: Option<String>,
}

impl ErrorRecord {
    /// The record of `e`, for the call of `operation` when known.
    pub fn from_error(e: &Error, operation: Option<&str>) -> Self {
        let mut r = ErrorRecord {
            class: ErrorClass::of(e),
            message: e.to_string(),
            status: e.status(),
            code: None,
            details: "[]".into(),
            body: None,
            request_id: e.request_id().map(str::to_string),
            headers: Vec::new(),
            operation: operation.map(str::to_string).or_else(|| e.call().map(|c| c.operation.to_string())),
            attempts: e.call().and_then(|c| c.attempts),
            detail: None,
        };
        match e {
            Error::Api(api) => {
                r.code = api.code;
                r.details = serde_json::to_string(&api.details).unwrap_or_else(|_| "[]".into());
                r.body = Some(api.body.clone());
                r.headers = joined(&api.headers);
            }
            Error::Decode { path, .. } => r.detail = Some(path.clone()),
            Error::Webhook(w) => r.detail = Some(w.kind().to_string()),
            Error::WaitTimeout { last_state, .. } => r.detail = Some(last_state.clone()),
            _ => {}
        }
        r
    }

    /// The kind of the class (`api`, `timeout`, `webhook`, …).
    pub fn kind(&self) -> &'static str {
        self.class.kind()
    }

    /// A bad argument a binding found while converting it.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::invalid(message).into()
    }

    /// A failure inside a binding itself (a bug).
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal { message: message.into() }.into()
    }

    /// The record as one JSON object with camelCase keys (`name`, `kind`, `message`, `status`,
    /// `code`, `details` (an array), `body`, `requestId`, `headers` (an object or null),
    /// `operation`, `attempts`, `detail`): what bindings that rebuild the exception in their
    /// language's code pass across.
    pub fn to_json(&self) -> String {
        use serde_json::{json, Map, Value};
        let headers: Map<String, Value> =
            self.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let details: Value = serde_json::from_str(&self.details).unwrap_or(Value::Array(Vec::new()));
        json!({
            "name": self.class.name(),
            "kind": self.kind(),
            "message": self.message,
            "status": self.status,
            "code": self.code,
            "details": details,
            "body": self.body,
            "requestId": self.request_id,
            "headers": if headers.is_empty() { Value::Null } else { Value::Object(headers) },
            "operation": self.operation,
            "attempts": self.attempts,
            "detail": self.detail,
        })
        .to_string()
    }
}

/// Pairs with each name once, repeated values joined with `, ` (first-seen order).
fn joined(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match out.iter_mut().find(|(n, _)| n == k) {
            Some((_, joined)) => {
                joined.push_str(", ");
                joined.push_str(v);
            }
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

impl From<Error> for ErrorRecord {
    fn from(e: Error) -> Self {
        ErrorRecord::from_error(&e, None)
    }
}

impl From<crate::webhooks::WebhookError> for ErrorRecord {
    fn from(e: crate::webhooks::WebhookError) -> Self {
        ErrorRecord::from_error(&Error::Webhook(e), None)
    }
}

/// The webhook entry of every binding: verify, then check the body is the typed envelope (the
/// same rules everywhere; a body that is not the envelope is `bad_payload`).
pub fn webhook_unwrap(hook: &Webhook, payload: &[u8], headers: impl HeaderSource) -> Result<(), ErrorRecord> {
    catch(|| Ok(hook.unwrap(payload, headers).map(drop)?)).map_err(ErrorRecord::from)
}

/// Verifies a delivery (signature, timestamp, headers).
pub fn webhook_verify(hook: &Webhook, payload: &[u8], headers: impl HeaderSource) -> Result<(), ErrorRecord> {
    catch(|| Ok(hook.verify(payload, headers)?)).map_err(ErrorRecord::from)
}

/// Checks, WITHOUT verifying it, that a body is the webhook envelope.
pub fn webhook_unsafe_unwrap(payload: &[u8]) -> Result<(), ErrorRecord> {
    catch(|| Ok(crate::webhooks::unsafe_unwrap(payload).map(drop)?)).map_err(ErrorRecord::from)
}
