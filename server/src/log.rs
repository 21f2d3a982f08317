//! The request log exposed at `/_cadenya/requests` and `ServerHandle::requests`.

use serde::Serialize;

/// One API request as the server received it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string without the `?` (empty when absent).
    pub query: String,
    /// Lower-cased header names; `authorization` is redacted.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Unix milliseconds when the request arrived.
    pub at_ms: u64,
    /// Status code returned (0 when the connection was dropped on purpose).
    pub status: u16,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}
