//! Errors cross the boundary as one JS `Error` whose message is a marked JSON error record (the
//! core contract's `ErrorRecord`, camelCase); `node/lib/errors.js` (generated from the error
//! table) rebuilds the class. Only the error path pays for this; no record holds a secret.

use cadenya::contract::ErrorRecord;
use serde_json::{json, Map, Value};

/// Prefix of the message of every error the addon throws or rejects with.
pub const MARKER: &str = "\u{1}cadenya:";

/// A cancelled call (the JS `AbortSignal` fired).
pub fn aborted() -> napi::Error {
    napi::Error::from_reason(format!(
        "{MARKER}{}",
        json!({ "name": "APIUserAbortError", "message": "request was aborted" })
    ))
}

/// A bad argument detected by the binding itself.
pub fn invalid(message: impl Into<String>) -> napi::Error {
    core(cadenya::Error::InvalidRequest { message: message.into() })
}

pub fn configuration(message: impl Into<String>) -> napi::Error {
    core(cadenya::Error::Configuration { message: message.into() })
}

/// A failure inside the binding itself (a bug).
pub fn internal(message: impl Into<String>) -> napi::Error {
    core(cadenya::Error::Internal { message: message.into() })
}

pub fn core(e: impl Into<ErrorRecord>) -> napi::Error {
    record(&e.into())
}

/// The marked JSON of a record.
pub fn record(r: &ErrorRecord) -> napi::Error {
    let headers: Map<String, Value> = r.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let details: Value = serde_json::from_str(&r.details).unwrap_or(Value::Array(Vec::new()));
    let v = json!({
        "name": r.class.name(),
        "kind": r.kind(),
        "message": r.message,
        "status": r.status,
        "code": r.code,
        "details": details,
        "body": r.body,
        "requestId": r.request_id,
        "headers": if headers.is_empty() { Value::Null } else { Value::Object(headers) },
        "operation": r.operation,
        "attempts": r.attempts,
        "detail": r.detail,
    });
    napi::Error::from_reason(format!("{MARKER}{v}"))
}
