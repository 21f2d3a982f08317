//! Standard Webhooks verification (all rules live in the core).

use crate::error::CadenyaError;
use crate::generated::{UnsafeUnwrapWebhookEvent, UnwrapWebhookEvent};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Verifies (and decodes) webhook deliveries signed with one secret. Never shows the secret.
#[derive(uniffi::Object)]
pub struct Webhook {
    pub(crate) inner: cadenya::webhooks::Webhook,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, CadenyaError> {
    let de = &mut serde_json::Deserializer::from_slice(payload);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = format!("at `{}`: {}", e.path(), e.inner());
        cadenya::webhooks::WebhookError::BadPayload { message }.into()
    })
}

#[uniffi::export]
impl Webhook {
    /// A verifier for `secret` (`whsec_<base64>`); `tolerance` is the accepted clock skew (300 s).
    #[uniffi::constructor(default(tolerance = None))]
    pub fn new(secret: String, tolerance: Option<Duration>) -> Result<Arc<Self>, CadenyaError> {
        crate::rt::catch(|| {
            let mut inner = cadenya::webhooks::Webhook::new(&secret)?;
            if let Some(t) = tolerance {
                inner = inner.with_tolerance(t);
            }
            Ok(Arc::new(Webhook { inner }))
        })
    }

    /// For tests: a copy of this verifier whose clock always reads `unix_seconds`.
    pub fn with_fixed_clock(&self, unix_seconds: i64) -> Arc<Self> {
        Arc::new(Webhook { inner: self.inner.clone().with_clock(move || unix_seconds) })
    }

    /// Checks the headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`; names are
    /// case-insensitive) and the signature of the raw request body.
    pub fn verify(&self, payload: Vec<u8>, headers: HashMap<String, String>) -> Result<(), CadenyaError> {
        crate::rt::catch(|| Ok(self.inner.verify(&payload, &headers)?))
    }

    /// Verifies the delivery, then decodes the typed event.
    pub fn unwrap(
        &self,
        payload: Vec<u8>,
        headers: HashMap<String, String>,
    ) -> Result<UnwrapWebhookEvent, CadenyaError> {
        crate::rt::catch(|| {
            self.inner.verify(&payload, &headers)?;
            decode(&payload)
        })
    }
}

/// Decodes a webhook body WITHOUT verifying it: only for bodies whose origin is already trusted.
#[uniffi::export]
pub fn unsafe_unwrap_webhook(payload: Vec<u8>) -> Result<UnsafeUnwrapWebhookEvent, CadenyaError> {
    crate::rt::catch(|| decode(&payload))
}
