//! Parsing of `whsec_…` secrets.

use std::fmt;
use std::str::FromStr;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::WebhookError;

/// The prefix Standard Webhooks puts in front of the base64 key.
pub const SECRET_PREFIX: &str = "whsec_";

/// Decodes the unpadded data characters; padding and length are checked
/// beforehand by [`WebhookSecret::parse`]. Non-zero trailing bits are accepted
/// (both the Python and the Node reference accept them).
const KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// A decoded webhook signing key.
///
/// Parsed from `whsec_<standard base64>` (the prefix is optional). The key
/// bytes are never printed: `Debug` shows `WebhookSecret(<redacted>)`, and
/// they are overwritten with zeros when the value is dropped.
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    /// Parses a secret (rule 1 of `spec/webhooks/README.md`):
    ///
    /// * a leading `whsec_` (case-sensitive) is stripped once;
    /// * the rest is `A–Z a–z 0–9 + /` followed by at most two `=`;
    /// * the padding is optional and its amount is not checked, but the
    ///   number of data characters must not be `4n + 1`;
    /// * the text after the prefix must be at least 4 characters long
    ///   (see the module docs, "short secrets");
    /// * the decoded key must not be empty.
    ///
    /// Anything else is [`WebhookError::BadSecret`].
    pub fn parse(secret: &str) -> Result<Self, WebhookError> {
        let body = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret).as_bytes();
        let data_len = body.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/').count();
        let (data, padding) = body.split_at_checked(data_len).ok_or(WebhookError::BadSecret)?;
        if data.is_empty()
            || padding.len() > 2
            || padding.iter().any(|b| *b != b'=')
            || data.len() % 4 == 1
            || body.len() < 4
        {
            return Err(WebhookError::BadSecret);
        }
        let key = KEY_ENGINE.decode(data).map_err(|_| WebhookError::BadSecret)?;
        if key.is_empty() {
            return Err(WebhookError::BadSecret);
        }
        Ok(WebhookSecret { key })
    }

    /// The decoded key bytes (the HMAC key).
    pub fn as_bytes(&self) -> &[u8] {
        &self.key
    }
}

impl FromStr for WebhookSecret {
    type Err = WebhookError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WebhookSecret::parse(s)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

impl Drop for WebhookSecret {
    fn drop(&mut self) {
        self.key.iter_mut().for_each(|b| *b = 0);
        // Keep the zeroing from being optimised away as a dead store.
        std::hint::black_box(&self.key);
    }
}
