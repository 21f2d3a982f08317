//! Standard Webhooks verification: the rules are the contract's, the typed event is decoded here.

use crate::generated::{UnsafeUnwrapWebhookEvent, UnwrapWebhookEvent};
use crate::CadenyaError;
use cadenya::contract::{self, ErrorRecord};
use cadenya::webhooks::WebhookError;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Verifies (and decodes) webhook deliveries signed with one secret. Never shows the secret.
/// (`Debug` is the core verifier's, which redacts the secret.)
#[derive(Debug, uniffi::Object)]
pub struct Webhook {
    pub(crate) inner: cadenya::webhooks::Webhook,
}

/// The typed event of an envelope the contract has accepted; a mismatch is `bad_payload`.
fn event<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, CadenyaError> {
    let text = std::str::from_utf8(payload).map_err(|e| e.to_string());
    let decoded = text.and_then(|t| contract::json_text::decode(t, 200, None).map_err(|e| e.message));
    decoded.map_err(|message| ErrorRecord::from(WebhookError::BadPayload { message }).into())
}

#[uniffi::export]
impl Webhook {
    /// A verifier for `secret` (`whsec_<base64>`); `tolerance` is the accepted clock skew (300 s).
    #[uniffi::constructor(default(tolerance = None))]
    pub fn new(secret: String, tolerance: Option<Duration>) -> Result<Arc<Self>, CadenyaError> {
        let hook = contract::catch(|| Ok(cadenya::webhooks::Webhook::new(&secret)?));
        let inner = hook.map_err(ErrorRecord::from)?;
        Ok(Arc::new(Webhook { inner: if let Some(t) = tolerance { inner.with_tolerance(t) } else { inner } }))
    }

    /// For tests: a copy of this verifier whose clock always reads `unix_seconds`.
    pub fn with_fixed_clock(&self, unix_seconds: i64) -> Arc<Self> {
        Arc::new(Webhook { inner: self.inner.clone().with_clock(move || unix_seconds) })
    }

    /// Checks the headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`; names are
    /// case-insensitive) and the signature of the raw request body.
    pub fn verify(&self, payload: Vec<u8>, headers: HashMap<String, String>) -> Result<(), CadenyaError> {
        Ok(contract::webhook_verify(&self.inner, &payload, &headers)?)
    }

    /// Verifies the delivery and its envelope, then decodes the typed event.
    pub fn unwrap(
        &self,
        payload: Vec<u8>,
        headers: HashMap<String, String>,
    ) -> Result<UnwrapWebhookEvent, CadenyaError> {
        contract::webhook_unwrap(&self.inner, &payload, &headers)?;
        event(&payload)
    }
}

/// Decodes a webhook body WITHOUT verifying it: only for bodies whose origin is already trusted.
#[uniffi::export]
pub fn unsafe_unwrap_webhook(payload: Vec<u8>) -> Result<UnsafeUnwrapWebhookEvent, CadenyaError> {
    contract::webhook_unsafe_unwrap(&payload)?;
    event(&payload)
}
