//! Verification of Cadenya webhooks ([Standard Webhooks] scheme).
//!
//! Cadenya signs every webhook delivery with the account's
//! `webhookEventsHmacSecret` (`whsec_…`). A receiver builds one [`Webhook`]
//! from that secret at start-up and calls [`Webhook::verify`] (or
//! [`Webhook::unwrap_raw`], which verifies and then decodes the JSON body) for
//! each request, passing the raw body bytes and the request headers.
//!
//! ```
//! use cadenya::webhooks::{Webhook, WebhookError};
//!
//! let hook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?
//!     .with_clock(|| 1_767_225_600_i64); // tests only; the default is the system clock
//! let body = br#"{"type":"objective_event.finalized"}"#;
//! let signature = hook.sign("msg_1", 1_767_225_600, body);
//! let headers = [
//!     ("webhook-id", "msg_1"),
//!     ("webhook-timestamp", "1767225600"),
//!     ("webhook-signature", signature.as_str()),
//! ];
//! hook.verify(body, &headers)?;
//! assert_eq!(hook.verify(b"tampered", &headers), Err(WebhookError::BadSignature));
//! # Ok::<(), WebhookError>(())
//! ```
//!
//! # Rules
//!
//! These are the rules of `spec/webhooks/README.md` ("What the vectors
//! require"); every vector in `spec/webhooks/vectors.json` passes
//! (`core/tests/webhook_vectors.rs`). Checks run in this order and the first
//! failure is reported:
//!
//! 1. **Secret** (in [`Webhook::new`]): `whsec_` (case-sensitive) is stripped
//!    once; the rest must be `A–Z a–z 0–9 + /` followed by at most two `=`;
//!    padding is optional, the number of data characters must not be `4n+1`,
//!    the text after the prefix must be at least 4 characters and the decoded
//!    key must not be empty → else [`WebhookError::BadSecret`].
//! 2. **Headers** `webhook-id`, `webhook-timestamp`, `webhook-signature`,
//!    names compared ASCII-case-insensitively; absent or empty →
//!    [`WebhookError::MissingHeader`] (checked in that order). `svix-*` headers
//!    are never consulted.
//! 3. **Timestamp**: optional spaces/tabs around an optional sign, ASCII digits
//!    and an optional `.` plus ASCII digits; the integer part must fit `i64` →
//!    else [`WebhookError::BadTimestamp`].
//! 4. **Window**: the *exact* value (fraction included, compared without
//!    rounding) must satisfy `now − tolerance ≤ ts ≤ now + tolerance`
//!    (tolerance 300 s by default, both ends inclusive) → else
//!    [`WebhookError::TooOld`] / [`WebhookError::TooNew`].
//! 5. **Signature**: the signed content is `{id}.{secs}.{payload}` where
//!    `secs` is the integer part of the timestamp (truncated toward zero)
//!    written canonically (`01767225600`, `+1767225600` and `1767225600.9`
//!    all sign as `1767225600`). The expected value is
//!    `base64(HMAC-SHA256(key, content))` with padding (44 characters). The
//!    header is split on single spaces; empty entries and entries without a
//!    comma are skipped; each entry is split at its first comma; the version
//!    must be exactly `v1`; the value must equal the expected base64 text
//!    byte for byte, compared in constant time. Any match accepts → else
//!    [`WebhookError::BadSignature`].
//!
//! The payload is never parsed by [`Webhook::verify`].
//!
//! # Decisions where the reference libraries disagree
//!
//! Each `disagreement: true` vector and the rule that settles it:
//!
//! | vector | verdict | rule applied |
//! |---|---|---|
//! | `ts_fraction_9` (`1767225600.9`) | ok | a `.digits` fraction is accepted; the content is signed over the integer part |
//! | `ts_surrounding_spaces` (` 1767225600 `) | ok | spaces/tabs around the timestamp are ignored |
//! | `ts_fraction_beyond_future_edge` (`now+300.5`) | `too_new` | the window compares the exact value, fraction included |
//! | `ts_trailing_garbage` (`1767225600abc`) | `bad_timestamp` | the whole header must match the grammar (no `parseInt` prefix parsing) |
//! | `ts_exponent` (`1.7672256e9`) | `bad_timestamp` | no exponents |
//! | `ts_arabic_indic_digits` | `bad_timestamp` | ASCII digits only |
//! | `secret_base64_with_inner_space` | `bad_secret` | strict alphabet: no character is silently dropped |
//! | `secret_stray_trailing_char` (`4n+1` characters) | `bad_secret` | `4n+1` data characters are rejected, not truncated |
//! | `sig_extra_comma_field` (`v1,<sig>,extra`) | `bad_signature` | split at the first comma only; the value `<sig>,extra` does not match |
//! | `sig_trailing_junk_char` (`v1,<sig>!`) | `bad_signature` | the base64 text is compared exactly, never decoded leniently |
//! | `list_double_space` | ok | empty entries (from doubled spaces) are skipped |
//! | `list_leading_space` | ok | likewise for a leading space |
//! | `list_garbage_entry_first` (`garbage v1,<sig>`) | ok | an entry without a comma is skipped, not fatal |
//! | `svix_headers_only` | `missing_header` | only `webhook-*` headers are read |
//!
//! Points the README leaves open, decided with its own tie-break (the Python
//! and Node references when they agree, else the Rust `svix` crate):
//!
//! * **Short secrets**: a secret whose text after `whsec_` is 2 or 3
//!   characters (e.g. `whsec_QQ`) is rejected. Python accepts it, Node's
//!   base64 decoder rejects any padded-alphabet input shorter than 4
//!   characters and `svix` requires canonical padding, so the tie-break gives
//!   `bad_secret`. (Real secrets are 24–64 bytes, so this never bites.)
//! * **Padding amount**: up to two `=` are accepted whether or not they are the
//!   canonical amount (`QUJDRA=`, `QUJD==`): both Python and Node accept these.
//!   Non-zero trailing bits in the last character are accepted for the same
//!   reason.
//! * **`1767225600.`** (a dot with no fraction digits) is accepted: Python's
//!   `float` and Node's `parseInt` both accept it. `.5` (no integer digits) is
//!   rejected (Node and `svix` reject it).
//! * **Negative timestamps** parse (`-1767225600` is `too_old`, as in the
//!   vectors); `-0.5` signs as `0`.
//! * **Repeated headers**: the first value is used (first pair in a list, the
//!   first value in an [`http::HeaderMap`]; maps prefer the key spelled exactly
//!   in lower case).
//! * Header values are taken as raw bytes: a non-UTF-8 `webhook-id` is signed
//!   byte for byte; a non-ASCII timestamp is `bad_timestamp`.
//!
//! # Cost
//!
//! [`Webhook::new`] decodes the key and keys HMAC-SHA256 once. Each
//! verification clones that keyed state, feeds `id`, `.`, the timestamp, `.`
//! and the payload into it without copying the payload, base64-encodes the tag
//! once into a stack buffer and compares every `v1` candidate against it.
//! Header lookups do not allocate. See `docs/WEBHOOKS.md` for measurements.
//!
//! [Standard Webhooks]: https://www.standardwebhooks.com/

mod error;
mod event_type;
mod headers;
mod secret;
mod timestamp;
mod typed;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

pub use error::WebhookError;
pub use event_type::WebhookEventType;
pub use headers::HeaderSource;
pub use secret::{WebhookSecret, SECRET_PREFIX};
pub use typed::{unsafe_unwrap, Webhooks};

/// Name of the header carrying the message id.
pub const HEADER_ID: &str = "webhook-id";
/// Name of the header carrying the Unix timestamp in seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Name of the header carrying the space-separated signature list.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// The default accepted clock skew, in either direction (inclusive).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// Length of standard padded base64 of a 32-byte digest.
const SIGNATURE_B64_LEN: usize = 44;

type HmacSha256 = Hmac<Sha256>;
type Clock = Arc<dyn Fn() -> i128 + Send + Sync>;

/// A reading of a clock, in Unix time, accepted by [`Webhook::with_clock`].
///
/// Implemented for whole seconds (`i64`, `i32`, `u64`, `u32`), fractional
/// seconds (`f64`, `f32`), [`SystemTime`] and [`Duration`] (since the epoch).
pub trait UnixTime {
    /// The reading in nanoseconds since the Unix epoch (saturating).
    fn unix_nanos(self) -> i128;
}

macro_rules! unix_time_int {
    ($($t:ty),*) => {$(
        impl UnixTime for $t {
            fn unix_nanos(self) -> i128 {
                i128::from(self).saturating_mul(NANOS_PER_SEC)
            }
        }
    )*};
}
unix_time_int!(i64, i32, u64, u32);

impl UnixTime for f64 {
    fn unix_nanos(self) -> i128 {
        // Whole seconds exactly, the fraction rounded to the nearest nanosecond;
        // `as` saturates and maps NaN to 0.
        let whole = self.floor();
        let frac = self - whole;
        (whole as i128).saturating_mul(NANOS_PER_SEC).saturating_add((frac * 1e9).round() as i128)
    }
}

impl UnixTime for f32 {
    fn unix_nanos(self) -> i128 {
        f64::from(self).unix_nanos()
    }
}

impl UnixTime for Duration {
    fn unix_nanos(self) -> i128 {
        i128::try_from(self.as_nanos()).unwrap_or(i128::MAX)
    }
}

impl UnixTime for SystemTime {
    fn unix_nanos(self) -> i128 {
        match self.duration_since(UNIX_EPOCH) {
            Ok(after) => after.unix_nanos(),
            Err(before) => before.duration().unix_nanos().saturating_neg(),
        }
    }
}

/// A Standard Webhooks verifier (and signer) for one secret.
///
/// Cheap to clone and `Send + Sync`; build it once and share it. `Debug` never
/// shows the key.
#[derive(Clone)]
pub struct Webhook {
    /// HMAC-SHA256 already keyed with the secret; cloned per message.
    mac: HmacSha256,
    tolerance: Duration,
    /// `None` = the system clock.
    clock: Option<Clock>,
}

impl Webhook {
    /// Parses `secret` (`whsec_<base64>`, prefix optional) and prepares the
    /// keyed HMAC. Errors with [`WebhookError::BadSecret`]; see
    /// [`WebhookSecret::parse`] for the exact rules.
    pub fn new(secret: &str) -> Result<Webhook, WebhookError> {
        Webhook::from_secret(&WebhookSecret::parse(secret)?)
    }

    /// Builds a verifier from an already parsed secret.
    pub fn from_secret(secret: &WebhookSecret) -> Result<Webhook, WebhookError> {
        let mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::BadSecret)?;
        Ok(Webhook { mac, tolerance: DEFAULT_TOLERANCE, clock: None })
    }

    /// Sets the accepted clock skew in either direction (default 300 s). Both
    /// ends of the window are inclusive.
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Webhook {
        self.tolerance = tolerance;
        self
    }

    /// Replaces the system clock, e.g. `|| 1_767_225_600_i64` in tests. The
    /// closure returns Unix time as any [`UnixTime`] (integer or fractional
    /// seconds, [`SystemTime`], ...).
    #[must_use]
    pub fn with_clock<F, T>(mut self, clock: F) -> Webhook
    where
        F: Fn() -> T + Send + Sync + 'static,
        T: UnixTime,
    {
        self.clock = Some(Arc::new(move || clock().unix_nanos()));
        self
    }

    /// The accepted clock skew.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    fn now_nanos(&self) -> i128 {
        match &self.clock {
            Some(clock) => clock(),
            None => SystemTime::now().unix_nanos(),
        }
    }

    /// Checks the headers and signature of one delivery. `payload` is the raw
    /// request body, exactly as received.
    pub fn verify(&self, payload: &[u8], headers: impl HeaderSource) -> Result<(), WebhookError> {
        let id = required(&headers, HEADER_ID)?;
        let raw_timestamp = required(&headers, HEADER_TIMESTAMP)?;
        let signatures = required(&headers, HEADER_SIGNATURE)?;

        let timestamp = timestamp::parse(raw_timestamp).ok_or(WebhookError::BadTimestamp)?;
        let now = self.now_nanos();
        let tolerance = i128::try_from(self.tolerance.as_nanos()).unwrap_or(i128::MAX);
        match timestamp.window(now.saturating_sub(tolerance), now.saturating_add(tolerance)) {
            std::cmp::Ordering::Less => return Err(WebhookError::TooOld),
            std::cmp::Ordering::Greater => return Err(WebhookError::TooNew),
            std::cmp::Ordering::Equal => {}
        }

        let expected = self.expected_signature(id, timestamp.secs, payload);
        match expected {
            Some(expected) if any_signature_matches(signatures, &expected) => Ok(()),
            _ => Err(WebhookError::BadSignature),
        }
    }

    /// [`verify`](Webhook::verify)s the delivery, then decodes the body as JSON
    /// into `T` (a decoding failure is [`WebhookError::BadPayload`]).
    pub fn unwrap_raw<T: DeserializeOwned>(
        &self,
        payload: &[u8],
        headers: impl HeaderSource,
    ) -> Result<T, WebhookError> {
        self.verify(payload, headers)?;
        unsafe_unwrap_raw(payload)
    }

    /// The `webhook-signature` value (`v1,<base64>`) for a message, as the
    /// sender computes it.
    pub fn sign(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> String {
        let digest = self.digest(msg_id.as_bytes(), timestamp, payload);
        let mut out = String::with_capacity(3 + SIGNATURE_B64_LEN);
        out.push_str("v1,");
        STANDARD.encode_string(digest, &mut out);
        out
    }

    /// HMAC-SHA256 of `{id}.{secs}.{payload}`, fed piecewise.
    fn digest(&self, id: &[u8], secs: i64, payload: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        let mut secs_buf = [0u8; 20];
        mac.update(id);
        mac.update(b".");
        mac.update(timestamp::format_secs(secs, &mut secs_buf));
        mac.update(b".");
        mac.update(payload);
        mac.finalize().into_bytes().into()
    }

    /// The expected signature as base64 text, on the stack.
    fn expected_signature(&self, id: &[u8], secs: i64, payload: &[u8]) -> Option<[u8; SIGNATURE_B64_LEN]> {
        let digest = self.digest(id, secs, payload);
        let mut text = [0u8; SIGNATURE_B64_LEN];
        match STANDARD.encode_slice(digest, &mut text) {
            Ok(SIGNATURE_B64_LEN) => Some(text),
            _ => None,
        }
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clock = if self.clock.is_some() { "custom" } else { "system" };
        f.debug_struct("Webhook")
            .field("secret", &format_args!("<redacted>"))
            .field("tolerance", &self.tolerance)
            .field("clock", &format_args!("{clock}"))
            .finish()
    }
}

/// Decodes a webhook body as JSON **without verifying it**. Only for bodies
/// whose authenticity was established some other way.
pub fn unsafe_unwrap_raw<T: DeserializeOwned>(payload: &[u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(payload).map_err(|e| WebhookError::BadPayload { message: e.to_string() })
}

fn required<'h, H: HeaderSource>(headers: &'h H, name: &'static str) -> Result<&'h [u8], WebhookError> {
    match headers.header(name) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(WebhookError::MissingHeader { name }),
    }
}

/// Rule 5: any `v1` entry equal to `expected`. Every entry is compared (no
/// early exit), each in constant time for its length.
fn any_signature_matches(header: &[u8], expected: &[u8; SIGNATURE_B64_LEN]) -> bool {
    let mut found = Choice::from(0);
    for entry in header.split(|b| *b == b' ') {
        let mut parts = entry.splitn(2, |b| *b == b',');
        let (Some(version), Some(value)) = (parts.next(), parts.next()) else {
            continue; // empty entry or no comma
        };
        if version == b"v1" {
            found |= value.ct_eq(expected.as_slice());
        }
    }
    found.into()
}
