//! The error type of webhook verification.

use std::fmt;

/// Why a webhook could not be verified or decoded.
///
/// No variant ever carries the secret, the expected signature or any part of
/// the HMAC key; `Display` only names the failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// A required header (`webhook-id`, `webhook-timestamp` or
    /// `webhook-signature`) is absent or has an empty value.
    MissingHeader {
        /// Lower-case name of the first missing header.
        name: &'static str,
    },
    /// `webhook-timestamp` is not a decimal Unix time in seconds that fits `i64`.
    BadTimestamp,
    /// The timestamp lies more than the tolerance before the verifier's clock.
    TooOld,
    /// The timestamp lies more than the tolerance after the verifier's clock.
    TooNew,
    /// No `v1` entry of `webhook-signature` matches the expected signature.
    BadSignature,
    /// The secret is not `whsec_` (optional) followed by standard base64 of a
    /// non-empty key.
    BadSecret,
    /// The payload was authentic (or not checked) but is not JSON of the
    /// requested shape.
    BadPayload {
        /// The JSON decoder's message.
        message: String,
    },
}

impl WebhookError {
    /// The stable, machine-readable name of the error, equal to the
    /// `error_kind` names of `spec/webhooks/vectors.json` (plus `bad_payload`).
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookError::MissingHeader { .. } => "missing_header",
            WebhookError::BadTimestamp => "bad_timestamp",
            WebhookError::TooOld => "too_old",
            WebhookError::TooNew => "too_new",
            WebhookError::BadSignature => "bad_signature",
            WebhookError::BadSecret => "bad_secret",
            WebhookError::BadPayload { .. } => "bad_payload",
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingHeader { name } => {
                write!(f, "missing required webhook header `{name}` (absent or empty)")
            }
            WebhookError::BadTimestamp => f.write_str(
                "invalid `webhook-timestamp` header: expected decimal Unix time in seconds",
            ),
            WebhookError::TooOld => {
                f.write_str("webhook timestamp too old: outside the tolerance window")
            }
            WebhookError::TooNew => {
                f.write_str("webhook timestamp too new: outside the tolerance window")
            }
            WebhookError::BadSignature => f.write_str("no matching webhook signature found"),
            WebhookError::BadSecret => f.write_str(
                "invalid webhook secret: expected optional `whsec_` prefix followed by standard base64 of a non-empty key",
            ),
            WebhookError::BadPayload { message } => {
                write!(f, "webhook payload is not valid JSON of the expected shape: {message}")
            }
        }
    }
}

impl std::error::Error for WebhookError {}
