//! Webhook verification: a native verifier per secret, so the secret is parsed and the HMAC
//! keyed once, then each delivery costs one N-API call.

use cadenya::contract;
use cadenya::webhooks::{HeaderSource, Webhook};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Headers as a flat `[name, value, name, value, …]` list (from a plain object or a Fetch `Headers`).
struct FlatHeaders<'a>(&'a [String]);

impl HeaderSource for FlatHeaders<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        // First match wins, as for the core's pair lists.
        self.0.chunks_exact(2).find(|c| c[0].eq_ignore_ascii_case(name)).map(|c| c[1].as_bytes())
    }
}

fn bytes<'a>(payload: &'a Either<String, &[u8]>) -> &'a [u8] {
    match payload {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// A Standard Webhooks verifier for one secret. `Debug`/`toString` never show the secret.
#[napi]
pub struct NativeWebhook {
    hook: Webhook,
}

impl NativeWebhook {
    pub(crate) fn from_core(hook: Webhook) -> Self {
        NativeWebhook { hook }
    }

    /// The verifier, with its clock fixed at `now` (Unix seconds) when given (tests).
    fn at(&self, now: Option<f64>) -> std::borrow::Cow<'_, Webhook> {
        match now {
            Some(n) => std::borrow::Cow::Owned(self.hook.clone().with_clock(move || n)),
            None => std::borrow::Cow::Borrowed(&self.hook),
        }
    }
}

#[napi]
impl NativeWebhook {
    /// Parses the secret (`whsec_…`); throws `WebhookVerificationError` (`bad_secret`).
    #[napi(constructor, catch_unwind)]
    pub fn new(secret: String) -> Result<Self> {
        Webhook::new(&secret).map(Self::from_core).map_err(crate::core_error)
    }

    /// Checks headers, timestamp and signature; throws on failure.
    #[napi(catch_unwind)]
    pub fn verify(&self, payload: Either<String, &[u8]>, headers: Vec<String>, now: Option<f64>) -> Result<()> {
        contract::webhook_verify(&self.at(now), bytes(&payload), FlatHeaders(&headers)).map_err(|e| crate::js_error(&e))
    }

    /// Verifies, then checks that the body is the typed webhook envelope (`bad_payload` if not).
    /// The JS side parses the body itself, so nothing is returned.
    #[napi(catch_unwind)]
    pub fn unwrap(&self, payload: Either<String, &[u8]>, headers: Vec<String>, now: Option<f64>) -> Result<()> {
        contract::webhook_unwrap(&self.at(now), bytes(&payload), FlatHeaders(&headers)).map_err(|e| crate::js_error(&e))
    }

    /// The `webhook-signature` value for a message (for tests and local senders).
    #[napi]
    pub fn sign(&self, msg_id: String, timestamp: i64, payload: Either<String, &[u8]>) -> String {
        self.hook.sign(&msg_id, timestamp, bytes(&payload))
    }
}

/// Checks that a body is the webhook envelope WITHOUT verifying it (`bad_payload` if not).
#[napi(catch_unwind)]
pub fn unsafe_unwrap_check(payload: Either<String, &[u8]>) -> Result<()> {
    contract::webhook_unsafe_unwrap(bytes(&payload)).map_err(|e| crate::js_error(&e))
}
