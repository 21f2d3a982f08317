//! Raw responses: status, headers and request id, with or without the decoded value.

use http::HeaderMap;

/// What came back over the wire for one successful call (after any retries).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub request_id: Option<String>,
    pub body: bytes::Bytes,
    /// Attempts made (1 + retries).
    pub attempts: u32,
}

/// A decoded value together with the response it came from.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    pub status: u16,
    pub headers: HeaderMap,
    /// The `x-request-id` header.
    pub request_id: Option<String>,
    pub data: T,
}

impl<T> ApiResponse<T> {
    pub fn into_data(self) -> T {
        self.data
    }
}
