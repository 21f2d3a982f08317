//! Webhook verification: a native verifier per secret, so the secret is parsed and the HMAC
//! keyed once, then each delivery costs one N-API call.

use cadenya::contract;
use cadenya::webhooks::{HeaderSource, Webhook};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Headers as a flat `[name, value, …]` list (from a plain object or a Fetch `Headers`).
struct FlatHeaders<'a>(&'a [String]);

impl HeaderSource for FlatHeaders<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        // First match wins, as for the core's pair lists.
        self.0.chunks_exact(2).find(|c| c[0].eq_ignore_ascii_case(name)).map(|c| c[1].as_bytes())
    }
}

/// A payload: a string or bytes.
type Payload<'a> = Either<String, &'a [u8]>;

fn bytes<'a>(payload: &'a Payload) -> &'a [u8] {
    match payload {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// A Standard Webhooks verifier for one secret. `Debug`/`toString` never show the secret.
#[napi]
pub struct NativeWebhook(pub(crate) Webhook);

#[napi]
impl NativeWebhook {
    /// Parses the secret (`whsec_…`); throws `WebhookVerificationError` (`bad_secret`).
    #[napi(constructor, catch_unwind)]
    pub fn new(secret: String) -> Result<Self> {
        Webhook::new(&secret).map(NativeWebhook).map_err(crate::js_error)
    }

    /// Checks headers, timestamp and signature (clock fixed at `now`, Unix seconds, if given); with
    /// `envelope`, then that the body is the webhook envelope. Throws on failure.
    #[napi(catch_unwind)]
    pub fn verify(&self, payload: Payload, headers: Vec<String>, envelope: bool, now: Option<f64>) -> Result<()> {
        let clocked = now.map(|n| self.0.clone().with_clock(move || n));
        let (hook, body, h) = (clocked.as_ref().unwrap_or(&self.0), bytes(&payload), FlatHeaders(&headers));
        let r =
            if envelope { contract::webhook_unwrap(hook, body, h) } else { contract::webhook_verify(hook, body, h) };
        r.map_err(crate::js_error)
    }

    /// The `webhook-signature` value for a message (for tests and local senders).
    #[napi]
    pub fn sign(&self, msg_id: String, timestamp: i64, payload: Payload) -> String {
        self.0.sign(&msg_id, timestamp, bytes(&payload))
    }
}

/// Checks that a body is the webhook envelope WITHOUT verifying it (`bad_payload` if not).
#[napi(catch_unwind)]
pub fn unsafe_unwrap_check(payload: Payload) -> Result<()> {
    contract::webhook_unsafe_unwrap(bytes(&payload)).map_err(crate::js_error)
}
