//! Property tests (the fuzz target) for `cadenya::webhooks`.
//!
//! Run: `cargo test -p cadenya --test webhook_props`; for a long run set
//! `PROPTEST_CASES=100000`.

#![allow(clippy::panic)] // failing loudly is the point of a test

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use cadenya::webhooks::{HeaderSource, Webhook, WebhookError, WebhookSecret};
use proptest::collection::vec;
use proptest::prelude::*;

const NOW: i64 = 1_767_225_600;

/// Headers with arbitrary byte values (including non-UTF-8), which no `&str`
/// based source can express.
struct RawHeaders(Vec<(String, Vec<u8>)>);

impl HeaderSource for RawHeaders {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

fn hook_for(key: &[u8]) -> Webhook {
    match Webhook::new(&format!("whsec_{}", STANDARD.encode(key))) {
        Ok(h) => h.with_clock(|| NOW),
        Err(e) => panic!("valid key rejected: {e}"),
    }
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("webhook-id".to_owned()),
        Just("Webhook-Timestamp".to_owned()),
        Just("WEBHOOK-SIGNATURE".to_owned()),
        Just("svix-signature".to_owned()),
        "[a-zA-Z-]{0,20}",
    ]
}

/// Timestamp-shaped text: mostly near the grammar, sometimes anything.
fn timestamp_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[ \t]{0,2}[+-]?[0-9]{0,22}(\\.[0-9]{0,12})?[ \t]{0,2}".prop_map(String::into_bytes),
        (NOW - 400..NOW + 400).prop_map(|t| t.to_string().into_bytes()),
        "[0-9eE.+\\- _a-z\u{660}-\u{669}]{0,24}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..32),
    ]
}

/// One signature-list entry: valid-looking, wrong-version, junk or raw bytes.
fn signature_entry() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 32).prop_map(|d| format!("v1,{}", STANDARD.encode(d)).into_bytes()),
        (vec(any::<u8>(), 32), "[vV][0-9a-z]{0,2}")
            .prop_map(|(d, v)| format!("{v},{}", STANDARD.encode(d)).into_bytes()),
        "[ ,=a-zA-Z0-9+/!]{0,60}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..60),
    ]
}

fn signature_list() -> impl Strategy<Value = Vec<u8>> {
    (vec(signature_entry(), 0..8), prop_oneof![Just(" "), Just("  "), Just(","), Just("\t")])
        .prop_map(|(entries, sep)| entries.join(sep.as_bytes()))
}

proptest! {
    /// Any secret text: parsing never panics, and accepted secrets give a
    /// working verifier whose Debug output hides the key.
    #[test]
    fn any_secret_never_panics(secret in prop_oneof![
        any::<String>(),
        "(whsec_)?[A-Za-z0-9+/= _-]{0,70}",
    ]) {
        match Webhook::new(&secret) {
            Ok(hook) => {
                let shown = format!("{hook:?}");
                prop_assert!(shown.contains("<redacted>"));
                let sig = hook.sign("m", NOW, b"x");
                prop_assert!(sig.starts_with("v1,") && sig.len() == 47);
            }
            Err(e) => {
                prop_assert_eq!(e.clone(), WebhookError::BadSecret);
                let body = secret.trim_start_matches("whsec_");
                if body.len() >= 12 {
                    prop_assert!(!e.to_string().contains(body));
                }
            }
        }
    }

    /// Every standard base64 form of a non-empty key (padded, unpadded,
    /// with or without the prefix) parses to that key.
    #[test]
    fn secret_encodings_agree(key in vec(any::<u8>(), 3..80), prefixed in any::<bool>(), padded in any::<bool>()) {
        let body = if padded { STANDARD.encode(&key) } else { STANDARD_NO_PAD.encode(&key) };
        let text = if prefixed { format!("whsec_{body}") } else { body };
        let parsed = WebhookSecret::parse(&text).map(|s| s.as_bytes().to_vec());
        prop_assert_eq!(parsed, Ok(key));
    }

    /// Random header sets (random names, byte values, signature lists and
    /// payloads) never panic, and never verify without the right signature.
    #[test]
    fn random_headers_never_panic(
        key in vec(any::<u8>(), 1..64),
        id in vec(any::<u8>(), 0..40),
        ts in timestamp_text(),
        sigs in signature_list(),
        extra in vec((header_name(), vec(any::<u8>(), 0..40)), 0..4),
        payload in vec(any::<u8>(), 0..512),
        order in 0usize..4,
    ) {
        let hook = hook_for(&key);
        let mut headers = vec![
            ("webhook-id".to_owned(), id),
            ("webhook-timestamp".to_owned(), ts),
            ("webhook-signature".to_owned(), sigs),
        ];
        headers.rotate_left(order % 3);
        if order == 3 {
            headers.splice(0..0, extra);
        } else {
            headers.extend(extra);
        }
        let headers = RawHeaders(headers);
        match hook.verify(&payload, &headers) {
            // Random 32-byte candidates cannot match, so success is impossible.
            Ok(()) => prop_assert!(false, "random signature list verified"),
            Err(e) => {
                prop_assert!(!e.kind().is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
        let _ = hook.unwrap_raw::<serde_json::Value>(&payload, &headers);
    }

    /// A correctly signed message always verifies, wherever its signature sits
    /// in a list of decoys, whatever the payload bytes; flipping any single bit
    /// of the payload makes it fail with BadSignature.
    #[test]
    fn signed_verifies_and_bit_flips_fail(
        key in vec(any::<u8>(), 1..64),
        id in "[ -~]{1,40}",
        offset in -300i64..=300,
        payload in vec(any::<u8>(), 0..1024),
        decoys_before in vec(signature_entry(), 0..4),
        decoys_after in vec(signature_entry(), 0..4),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let hook = hook_for(&key);
        let ts = NOW + offset;
        let good = hook.sign(&id, ts, &payload);
        // Decoys may contain spaces themselves; that only adds more entries.
        let mut list: Vec<Vec<u8>> = decoys_before;
        list.push(good.clone().into_bytes());
        list.extend(decoys_after);
        let headers = RawHeaders(vec![
            ("Webhook-Id".to_owned(), id.clone().into_bytes()),
            ("Webhook-Timestamp".to_owned(), ts.to_string().into_bytes()),
            ("Webhook-Signature".to_owned(), list.join(&b' ')),
        ]);
        prop_assert_eq!(hook.verify(&payload, &headers), Ok(()));

        // Same key from another Webhook instance, headers as string pairs.
        let pairs = [("webhook-id", id.as_str()), ("webhook-timestamp", &ts.to_string()), ("webhook-signature", good.as_str())];
        prop_assert_eq!(hook_for(&key).verify(&payload, pairs), Ok(()));

        if !payload.is_empty() {
            let mut tampered = payload.clone();
            let i = flip.index(tampered.len());
            if let Some(byte) = tampered.get_mut(i) {
                *byte ^= 1 << bit;
            }
            prop_assert_eq!(hook.verify(&tampered, &headers), Err(WebhookError::BadSignature));
        }
        // A flipped bit anywhere in the signature text also fails.
        let mut bad_sig = good.clone().into_bytes();
        let j = 3 + flip.index(bad_sig.len() - 3);
        if let Some(byte) = bad_sig.get_mut(j) {
            *byte ^= 1 << bit;
        }
        let headers = RawHeaders(vec![
            ("webhook-id".to_owned(), id.into_bytes()),
            ("webhook-timestamp".to_owned(), ts.to_string().into_bytes()),
            ("webhook-signature".to_owned(), bad_sig),
        ]);
        prop_assert_eq!(hook.verify(&payload, &headers), Err(WebhookError::BadSignature));
    }

    /// Any spelling of the same integer second (leading zeros, `+`, a
    /// fraction, surrounding blanks) verifies against the signature over the
    /// canonical integer; the window is enforced on the exact value.
    #[test]
    fn timestamp_spellings(
        offset in -299i64..=299,
        zeros in 0usize..4,
        plus in any::<bool>(),
        frac in "(\\.[0-9]{0,12})?",
        lead in "[ \t]{0,2}",
        trail in "[ \t]{0,2}",
        key in vec(any::<u8>(), 1..40),
    ) {
        let hook = hook_for(&key);
        let ts = NOW + offset;
        let text = format!("{lead}{}{}{ts}{frac}{trail}", if plus { "+" } else { "" }, "0".repeat(zeros));
        let headers = [("webhook-id", "msg"), ("webhook-timestamp", text.as_str()), ("webhook-signature", &hook.sign("msg", ts, b"{}"))];
        prop_assert_eq!(hook.verify(b"{}", headers), Ok(()));
    }

    /// Timestamps outside the window report the right side, before any
    /// signature check.
    #[test]
    fn window_sides(delta in 301i64..10_000_000, key in vec(any::<u8>(), 1..40)) {
        let hook = hook_for(&key);
        for (ts, want) in [(NOW - delta, WebhookError::TooOld), (NOW + delta, WebhookError::TooNew)] {
            let headers = [("webhook-id", "m".to_owned()), ("webhook-timestamp", ts.to_string()), ("webhook-signature", hook.sign("m", ts, b""))];
            prop_assert_eq!(hook.verify(b"", &headers), Err(want));
        }
    }
}
