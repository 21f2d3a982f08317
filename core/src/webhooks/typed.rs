//! Typed unwrap into the generated envelope models, and the client's webhook handle.

use super::{unsafe_unwrap_raw, HeaderSource, Webhook, WebhookError};
use crate::error::{Error, Result};
use crate::models::{UnsafeUnwrapWebhookEvent, UnwrapWebhookEvent};
use crate::Client;

impl Webhook {
    /// Verifies the delivery, then decodes it as the typed webhook envelope.
    pub fn unwrap(&self, payload: &[u8], headers: impl HeaderSource) -> Result<UnwrapWebhookEvent, WebhookError> {
        self.unwrap_raw(payload, headers)
    }
}

/// Decodes a delivery WITHOUT verifying it. Only for payloads whose origin is already trusted.
pub fn unsafe_unwrap(payload: &[u8]) -> Result<UnsafeUnwrapWebhookEvent, WebhookError> {
    unsafe_unwrap_raw(payload)
}

/// Webhook helpers bound to a client: they use the client's webhook secret
/// (`webhook_secret`, `CADENYA_WEBHOOK_SECRET` or `CADENYA_WEBHOOK_KEY`) unless one is passed.
#[derive(Debug, Clone)]
pub struct Webhooks {
    client: Client,
}

impl Client {
    /// Webhook verification with this client's secret.
    pub fn webhooks(&self) -> Webhooks {
        Webhooks { client: self.clone() }
    }
}

impl Webhooks {
    /// A verifier for `secret`, or for the client's secret when `None`.
    pub fn verifier(&self, secret: Option<&str>) -> Result<Webhook> {
        let secret = match secret {
            Some(s) => s,
            None => self.client.config().webhook_secret().map(|s| s.expose()).ok_or_else(|| {
                Error::config("no webhook secret: pass one, or set webhook_secret / CADENYA_WEBHOOK_SECRET")
            })?,
        };
        Ok(Webhook::new(secret)?)
    }

    /// Checks the signature and timestamp of a delivery.
    pub fn verify(&self, payload: &[u8], headers: impl HeaderSource) -> Result<()> {
        Ok(self.verifier(None)?.verify(payload, headers)?)
    }

    /// Verifies a delivery, then decodes the typed envelope.
    pub fn unwrap(&self, payload: &[u8], headers: impl HeaderSource) -> Result<UnwrapWebhookEvent> {
        Ok(self.verifier(None)?.unwrap(payload, headers)?)
    }

    /// Decodes a delivery without verifying it.
    pub fn unsafe_unwrap(&self, payload: &[u8]) -> Result<UnsafeUnwrapWebhookEvent> {
        Ok(unsafe_unwrap(payload)?)
    }
}
