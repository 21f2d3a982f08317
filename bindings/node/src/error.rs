//! Errors cross the boundary as one JS `Error` whose message is a marked JSON record; the JS
//! wrapper (`node/lib/errors.js`) turns it into the exported class (`NotFoundError`, …).
//! Only the error path pays for this; nothing here ever holds a key or a webhook secret.

use serde_json::{json, Map, Value};

/// Prefix of the message of every error the addon throws or rejects with.
pub const MARKER: &str = "\u{1}cadenya:";

/// A cancelled call (the JS `AbortSignal` fired).
pub fn aborted() -> napi::Error {
    record(json!({ "kind": "aborted", "name": "APIUserAbortError", "message": "request was aborted" }))
}

/// A bad argument detected by the binding itself (not by the core).
pub fn invalid(message: impl Into<String>) -> napi::Error {
    let message = message.into();
    record(
        json!({ "kind": "invalid_request", "name": "InvalidRequestError", "message": format!("invalid request: {message}") }),
    )
}

pub fn configuration(message: impl Into<String>) -> napi::Error {
    let message = message.into();
    record(
        json!({ "kind": "configuration", "name": "ConfigurationError", "message": format!("configuration error: {message}") }),
    )
}

/// A failure inside the binding itself (a bug): rejects as the base `CadenyaError`.
pub fn internal(message: impl Into<String>) -> napi::Error {
    let message = message.into();
    record(json!({ "kind": "internal", "name": "CadenyaError", "message": format!("internal error: {message}") }))
}

fn record(v: Value) -> napi::Error {
    napi::Error::from_reason(format!("{MARKER}{v}"))
}

/// Maps a core error to the record the JS side rebuilds its class from.
pub fn from_core(e: &cadenya::Error) -> napi::Error {
    let mut out = Map::new();
    out.insert("kind".into(), e.kind().into());
    out.insert("message".into(), e.to_string().into());
    let name = match e {
        cadenya::Error::Api(api) => {
            out.insert("status".into(), api.status.into());
            out.insert("requestId".into(), api.request_id.clone().into());
            out.insert("body".into(), api.body.clone().into());
            out.insert("code".into(), api.code.into());
            out.insert("details".into(), Value::Array(api.details.clone()));
            out.insert("errorMessage".into(), api.message.clone().into());
            let headers: Map<String, Value> =
                api.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            out.insert("headers".into(), Value::Object(headers));
            api.kind.name()
        }
        cadenya::Error::Connection { .. } => "APIConnectionError",
        cadenya::Error::Timeout { after, .. } => {
            out.insert("timeoutMs".into(), (after.as_secs_f64() * 1000.0).into());
            "APITimeoutError"
        }
        cadenya::Error::Decode { path, status, request_id, .. } => {
            out.insert("status".into(), (*status).into());
            out.insert("requestId".into(), request_id.clone().into());
            out.insert("path".into(), path.clone().into());
            "APIResponseValidationError"
        }
        cadenya::Error::InvalidRequest { .. } => "InvalidRequestError",
        cadenya::Error::Configuration { .. } => "ConfigurationError",
        cadenya::Error::Webhook(w) => {
            out.insert("webhookKind".into(), w.kind().into());
            "WebhookVerificationError"
        }
        // The enum is non-exhaustive: a new family still reaches JS as the base class.
        _ => "CadenyaError",
    };
    out.insert("name".into(), name.into());
    record(Value::Object(out))
}

/// A webhook error (verification or payload) as its record.
pub fn from_webhook(e: cadenya::webhooks::WebhookError) -> napi::Error {
    from_core(&cadenya::Error::Webhook(e))
}
