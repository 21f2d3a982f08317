//! One error type for every failure: a Kotlin `CadenyaException` hierarchy, a Swift `Error`.

use cadenya::contract::ErrorRecord;
use std::fmt;

macro_rules! cadenya_error {
    ($($(#[$doc:meta])* $variant:ident => $class:literal,)*) => {
        /// Everything a call can fail with: the core contract's error record, one variant per
        /// class of the error table. Every variant carries the same fields: `message`,
        /// `class_name` (`NotFoundError`, … as in every language), `kind` (`api`, `connection`,
        /// `timeout`, `decode`, `invalid_request`, `configuration`, `webhook`, `internal`),
        /// `status`, `request_id`, `body`, `code` (the error body's google.rpc code), `detail`
        /// (decode: the failing field path; webhook: why, e.g. `bad_signature`), `operation`
        /// (the failed call's operationId) and `attempts` (1 + retries, for status errors).
        ///
        /// Kotlin: `CadenyaException.NotFound` etc. (the message field is `errorMessage` there,
        /// because `Throwable.message` is taken). Swift: `CadenyaError.notFound(...)`.
        #[derive(Debug, Clone, PartialEq, uniffi::Error)]
        #[uniffi::export(Display)]
        pub enum CadenyaError {
            $(
                $(#[$doc])*
                $variant {
                    message: String,
                    class_name: String,
                    kind: String,
                    status: Option<i32>,
                    request_id: Option<String>,
                    body: Option<String>,
                    code: Option<i32>,
                    detail: Option<String>,
                    operation: Option<String>,
                    attempts: Option<u32>,
                },
            )*
        }

        impl CadenyaError {
            /// The error with the failed call's operationId, when it has none yet.
            pub(crate) fn with_operation(mut self, op: &str) -> Self {
                match &mut self {
                    $(CadenyaError::$variant { operation, .. } => { operation.get_or_insert_with(|| op.to_string()); })*
                }
                self
            }

            fn message(&self) -> &str {
                match self {
                    $(CadenyaError::$variant { message, .. } => message,)*
                }
            }
        }

        /// The core contract's flat record as the variant of its class.
        impl From<ErrorRecord> for CadenyaError {
            fn from(r: ErrorRecord) -> Self {
                let (kind, class_name, status) = (r.kind().to_string(), r.class.name().to_string(), r.status.map(i32::from));
                let (message, request_id, body, code, detail, operation, attempts) =
                    (r.message, r.request_id, r.body, r.code, r.detail, r.operation, r.attempts);
                match class_name.as_str() {
                    $($class => CadenyaError::$variant {
                        message, class_name, kind, status, request_id, body, code, detail, operation, attempts,
                    },)*
                    // Classes without a variant here (the abstract ones) never come from the core.
                    _ => CadenyaError::Internal {
                        message, class_name, kind, status, request_id, body, code, detail, operation, attempts,
                    },
                }
            }
        }
    };
}

cadenya_error! {
    /// HTTP 400.
    BadRequest => "BadRequestError",
    /// HTTP 401: the API key is missing, wrong or revoked.
    Authentication => "AuthenticationError",
    /// HTTP 403.
    PermissionDenied => "PermissionDeniedError",
    /// HTTP 404.
    NotFound => "NotFoundError",
    /// HTTP 409.
    Conflict => "ConflictError",
    /// HTTP 422.
    UnprocessableEntity => "UnprocessableEntityError",
    /// HTTP 429 (after the retries the client is configured for).
    RateLimit => "RateLimitError",
    /// HTTP 5xx (after retries).
    InternalServer => "InternalServerError",
    /// Any other non-2xx status.
    Api => "APIStatusError",
    /// The request could not be sent or the response not read (refused, reset, dropped, truncated).
    Connection => "APIConnectionError",
    /// One attempt took longer than the timeout.
    Timeout => "APITimeoutError",
    /// The response did not match the model; `detail` names the failing field path.
    Decode => "APIResponseValidationError",
    /// Refused before anything was sent (empty id, bad header, invalid JSON in a JSON field, …).
    InvalidRequest => "InvalidRequestError",
    /// The client could not be built (missing API key, bad base URL, …).
    Configuration => "ConfigurationError",
    /// A webhook failed verification or could not be decoded; `detail` says why.
    WebhookVerification => "WebhookVerificationError",
    /// A bug inside the SDK (a caught panic); please report it.
    Internal => "InternalError",
}

impl fmt::Display for CadenyaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The record's message already reads `NotFoundError (404): … [request id req_…]`.
        f.write_str(self.message())
    }
}

impl CadenyaError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        cadenya::Error::InvalidRequest { message: message.into() }.into()
    }

    /// A failure inside this binding (a caught panic): reported, never unwound into the JVM.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        cadenya::Error::Internal { message: message.into() }.into()
    }

    pub(crate) fn decode(message: String, path: String, status: u16, request_id: Option<String>) -> Self {
        cadenya::Error::Decode { message, path, status, request_id, call: None }.into()
    }
}

impl From<cadenya::webhooks::WebhookError> for CadenyaError {
    fn from(e: cadenya::webhooks::WebhookError) -> Self {
        ErrorRecord::from(e).into()
    }
}

impl From<cadenya::Error> for CadenyaError {
    fn from(e: cadenya::Error) -> Self {
        ErrorRecord::from(e).into()
    }
}
