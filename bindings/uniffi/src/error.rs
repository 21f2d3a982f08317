//! One error type for every failure: a Kotlin `CadenyaException` hierarchy, a Swift `Error`.

use std::fmt;

macro_rules! cadenya_error {
    ($($(#[$doc:meta])* $variant:ident => $class:literal,)*) => {
        /// Everything a call can fail with. Every variant carries the same fields:
        /// `message`, `kind` (`api`, `connection`, `timeout`, `decode`, `invalid_request`,
        /// `configuration`, `webhook`), `status`, `request_id`, `body`, `code` (the error
        /// body's google.rpc code) and `detail` (decode: the failing field path; webhook: why
        /// verification failed, e.g. `bad_signature`).
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
                    kind: String,
                    status: Option<i32>,
                    request_id: Option<String>,
                    body: Option<String>,
                    code: Option<i32>,
                    detail: Option<String>,
                },
            )*
        }

        impl CadenyaError {
            /// The class name every Cadenya SDK uses for this error (`NotFoundError`, …).
            pub fn class_name(&self) -> &'static str {
                match self {
                    $(CadenyaError::$variant { .. } => $class,)*
                }
            }

            fn parts(&self) -> (&str, Option<i32>, Option<&str>) {
                match self {
                    $(CadenyaError::$variant { message, status, request_id, .. } => (message, *status, request_id.as_deref()),)*
                }
            }

            fn build(variant: Variant, f: Fields) -> Self {
                match variant {
                    $(Variant::$variant => CadenyaError::$variant {
                        message: f.message,
                        kind: f.kind.to_string(),
                        status: f.status,
                        request_id: f.request_id,
                        body: f.body,
                        code: f.code,
                        detail: f.detail,
                    },)*
                }
            }
        }

        #[derive(Clone, Copy)]
        enum Variant { $($variant,)* }
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
    Api => "APIError",
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
}

struct Fields {
    message: String,
    kind: &'static str,
    status: Option<i32>,
    request_id: Option<String>,
    body: Option<String>,
    code: Option<i32>,
    detail: Option<String>,
}

impl Fields {
    fn new(kind: &'static str, message: String) -> Self {
        Fields { message, kind, status: None, request_id: None, body: None, code: None, detail: None }
    }
}

impl fmt::Display for CadenyaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (message, status, request_id) = self.parts();
        match status {
            Some(s) => write!(f, "{} ({s}): {message}", self.class_name())?,
            None => write!(f, "{}: {message}", self.class_name())?,
        }
        if let Some(id) = request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl CadenyaError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::build(Variant::InvalidRequest, Fields::new("invalid_request", message.into()))
    }

    /// A failure inside this binding (a caught panic): reported, never unwound into the JVM.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        let message = format!("internal error in the Cadenya SDK (please report it): {}", message.into());
        Self::build(Variant::Configuration, Fields::new("configuration", message))
    }

    pub(crate) fn decode(message: String, path: String, status: u16, request_id: Option<String>) -> Self {
        let mut f = Fields::new("decode", message);
        f.status = Some(i32::from(status));
        f.request_id = request_id;
        f.detail = Some(path);
        Self::build(Variant::Decode, f)
    }
}

impl From<cadenya::webhooks::WebhookError> for CadenyaError {
    fn from(e: cadenya::webhooks::WebhookError) -> Self {
        let mut f = Fields::new("webhook", e.to_string());
        f.detail = Some(e.kind().to_string());
        Self::build(Variant::WebhookVerification, f)
    }
}

impl From<cadenya::Error> for CadenyaError {
    fn from(e: cadenya::Error) -> Self {
        use cadenya::{ApiErrorKind as K, Error as E};
        match e {
            E::Api(api) => {
                let variant = match api.kind {
                    K::BadRequest => Variant::BadRequest,
                    K::Authentication => Variant::Authentication,
                    K::PermissionDenied => Variant::PermissionDenied,
                    K::NotFound => Variant::NotFound,
                    K::Conflict => Variant::Conflict,
                    K::UnprocessableEntity => Variant::UnprocessableEntity,
                    K::RateLimit => Variant::RateLimit,
                    K::InternalServer => Variant::InternalServer,
                    _ => Variant::Api,
                };
                let api = *api;
                let mut f = Fields::new("api", api.message);
                f.status = Some(i32::from(api.status));
                f.request_id = api.request_id;
                f.body = Some(api.body);
                f.code = api.code;
                Self::build(variant, f)
            }
            E::Decode { message, path, status, request_id, .. } => {
                Self::decode(format!("could not decode the response at `{path}`: {message}"), path, status, request_id)
            }
            E::Webhook(w) => w.into(),
            other => {
                let (variant, kind) = match &other {
                    E::Connection { .. } => (Variant::Connection, "connection"),
                    E::Timeout { .. } => (Variant::Timeout, "timeout"),
                    E::InvalidRequest { .. } => (Variant::InvalidRequest, "invalid_request"),
                    _ => (Variant::Configuration, "configuration"),
                };
                // The core's Display never contains keys or secrets.
                Self::build(variant, Fields::new(kind, other.to_string()))
            }
        }
    }
}
