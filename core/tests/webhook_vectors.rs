//! Every vector of `spec/webhooks/vectors.json`, plus API-level checks of
//! `cadenya::webhooks`.

#![allow(clippy::panic)]
// failing loudly is the point of a test
// Passing `&headers` on purpose: the borrowed forms are the API under test.
#![allow(clippy::needless_borrows_for_generic_args)]

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use cadenya::webhooks::{unsafe_unwrap_raw, HeaderSource, Webhook, WebhookError, WebhookEventType, WebhookSecret};
use serde_json::Value;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_767_225_600;

fn load_vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/webhooks/vectors.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    let count = doc["count"].as_u64();
    let vectors = doc["vectors"].as_array().cloned().unwrap_or_default();
    assert_eq!(count, Some(vectors.len() as u64), "`count` disagrees with the vector list");
    vectors
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("vector {} lacks string `{field}`", v["name"]))
}

/// Runs one vector; `Ok(())` when our verdict matches.
fn run_vector(v: &Value) -> Result<(), String> {
    let name = text(v, "name");
    let payload = text(v, "payload").as_bytes();
    let headers: Vec<(String, String)> = v["headers"]
        .as_object()
        .ok_or_else(|| format!("{name}: headers is not an object"))?
        .iter()
        .map(|(k, val)| (k.clone(), val.as_str().unwrap_or_default().to_owned()))
        .collect();
    let now = v["now"].as_f64().ok_or_else(|| format!("{name}: now is not a number"))?;

    let verdict = Webhook::new(text(v, "secret"))
        .map(|hook| hook.with_clock(move || now))
        .and_then(|hook| hook.verify(payload, &headers));

    match (text(v, "expect"), &verdict) {
        ("ok", Ok(())) => Ok(()),
        ("error", Err(err)) if err.kind() == text(v, "error_kind") => Ok(()),
        (expect, got) => {
            Err(format!("{name}: expected {expect} {}, got {got:?}", v["error_kind"].as_str().unwrap_or("")))
        }
    }
}

#[test]
fn all_vectors() {
    let vectors = load_vectors();
    let mut checked = 0;
    let mut failures = Vec::new();
    for v in &vectors {
        if let Err(msg) = run_vector(v) {
            failures.push(msg);
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{} failing vectors:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, 80);
}

#[test]
fn vectors_through_every_header_source() {
    // The same verdicts whether headers arrive as a HeaderMap, a HashMap or a
    // BTreeMap (vectors whose header values are not valid HTTP are skipped
    // for the HeaderMap).
    for v in load_vectors() {
        let name = text(&v, "name");
        let now = v["now"].as_i64().unwrap_or_default();
        let Ok(hook) = Webhook::new(text(&v, "secret")) else {
            continue;
        };
        let hook = hook.with_clock(move || now);
        let payload = text(&v, "payload").as_bytes();
        let obj = v["headers"].as_object().cloned().unwrap_or_default();
        let pairs: Vec<(&str, &str)> =
            obj.iter().map(|(k, val)| (k.as_str(), val.as_str().unwrap_or_default())).collect();
        let hash: HashMap<&str, &str> = pairs.iter().copied().collect();
        let btree: BTreeMap<String, String> = pairs.iter().map(|(k, val)| (k.to_string(), val.to_string())).collect();
        let base = hook.verify(payload, &pairs);
        assert_eq!(hook.verify(payload, &hash), base, "{name} (HashMap)");
        assert_eq!(hook.verify(payload, &btree), base, "{name} (BTreeMap)");
        assert_eq!(hook.verify(payload, pairs.as_slice()), base, "{name} (slice)");
        let mut map = http::HeaderMap::new();
        let mut representable = true;
        for (k, val) in &pairs {
            match (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_bytes(val.as_bytes())) {
                (Ok(k), Ok(val)) => {
                    map.append(k, val);
                }
                _ => representable = false,
            }
        }
        if representable {
            assert_eq!(hook.verify(payload, &map), base, "{name} (HeaderMap)");
        }
    }
}

fn signed_headers(hook: &Webhook, id: &str, ts: i64, payload: &[u8]) -> Vec<(String, String)> {
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), ts.to_string()),
        ("webhook-signature".into(), hook.sign(id, ts, payload)),
    ]
}

fn hook() -> Webhook {
    match Webhook::new(SECRET) {
        Ok(h) => h.with_clock(|| NOW),
        Err(e) => panic!("test secret rejected: {e}"),
    }
}

#[test]
fn sign_then_verify_round_trip() {
    let hook = hook();
    for payload in [&b""[..], b"{}", b"\xff\xfe not utf-8", &[b'x'; 70_000][..]] {
        for ts in [NOW, NOW - 300, NOW + 300] {
            let headers = signed_headers(&hook, "msg_2b8f", ts, payload);
            assert_eq!(hook.verify(payload, &headers), Ok(()));
        }
    }
    let sig = hook.sign("msg_1", NOW, b"{}");
    assert!(sig.starts_with("v1,"));
    assert_eq!(sig.len(), 47);

    // The unprefixed secret is the same key.
    let bare = Webhook::new(SECRET.trim_start_matches("whsec_")).map(|h| h.with_clock(|| NOW));
    assert_eq!(bare.map(|h| h.sign("msg_1", NOW, b"{}")), Ok(sig));

    // Window edges and tolerance.
    let headers = signed_headers(&hook, "msg", NOW - 301, b"{}");
    assert_eq!(hook.verify(b"{}", &headers), Err(WebhookError::TooOld));
    let headers = signed_headers(&hook, "msg", NOW + 301, b"{}");
    assert_eq!(hook.verify(b"{}", &headers), Err(WebhookError::TooNew));
    let wide = hook.clone().with_tolerance(Duration::from_secs(3600));
    assert_eq!(wide.tolerance(), Duration::from_secs(3600));
    assert_eq!(wide.verify(b"{}", &headers), Ok(()));
    let strict = hook.clone().with_tolerance(Duration::ZERO);
    assert_eq!(strict.verify(b"{}", &signed_headers(&hook, "m", NOW, b"{}")), Ok(()));
    assert_eq!(strict.verify(b"{}", &signed_headers(&hook, "m", NOW - 1, b"{}")), Err(WebhookError::TooOld));
}

#[test]
fn shareable_across_threads() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Webhook>();
    assert_send_sync_clone::<WebhookError>();
    let hook = hook();
    let headers = signed_headers(&hook, "msg", NOW, b"{}");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(hook.verify(b"{}", &headers), Ok(())));
        }
    });
}

#[test]
fn clocks() {
    let base = hook();
    let headers = signed_headers(&base, "msg", NOW, b"{}");
    let ok = |h: Webhook| h.verify(b"{}", &headers);
    assert_eq!(ok(base.clone().with_clock(|| NOW as f64 + 300.0)), Ok(()));
    assert_eq!(ok(base.clone().with_clock(|| NOW as f64 + 300.5)), Err(WebhookError::TooOld));
    assert_eq!(ok(base.clone().with_clock(|| NOW as u64)), Ok(()));
    assert_eq!(ok(base.clone().with_clock(|| 1_767_225_600)), Ok(()));
    assert_eq!(ok(base.clone().with_clock(|| std::time::UNIX_EPOCH + Duration::from_secs(NOW as u64))), Ok(()));
    assert_eq!(ok(base.clone().with_clock(|| f64::NAN)), Err(WebhookError::TooNew));
    // The real clock: a timestamp from 2026 is far from now only if the
    // machine's clock is wrong, so only check that a fresh signature verifies.
    let real = Webhook::new(SECRET).map_err(|e| e.to_string());
    let real = real.unwrap_or_else(|e| panic!("{e}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    assert_eq!(real.verify(b"{}", &signed_headers(&real, "m", now, b"{}")), Ok(()));
}

#[test]
fn secret_never_shown() {
    let secret_b64 = SECRET.trim_start_matches("whsec_");
    let hook = hook();
    for shown in [format!("{hook:?}"), format!("{:?}", WebhookSecret::parse(SECRET))] {
        assert!(!shown.contains(secret_b64), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
    assert_eq!(format!("{:?}", SECRET.parse::<WebhookSecret>().map_err(|e| e.kind())), "Ok(WebhookSecret(<redacted>))");

    let all = [
        WebhookError::MissingHeader { name: "webhook-id" },
        WebhookError::BadTimestamp,
        WebhookError::TooOld,
        WebhookError::TooNew,
        WebhookError::BadSignature,
        WebhookError::BadSecret,
        WebhookError::BadPayload { message: "expected value".into() },
    ];
    let kinds: Vec<&str> = all.iter().map(WebhookError::kind).collect();
    assert_eq!(
        kinds,
        ["missing_header", "bad_timestamp", "too_old", "too_new", "bad_signature", "bad_secret", "bad_payload"]
    );
    for err in &all {
        let msg = err.to_string();
        assert!(!msg.is_empty());
        assert!(!msg.contains(secret_b64), "{msg}");
        let _: &dyn std::error::Error = err;
    }

    // Errors produced from real failures, including bad secrets that embed
    // recognisable text, never echo that text.
    for bad in ["whsec_not base64!", "my-webhook-secret", "whsec_QQ", "SECRETSECRETx"] {
        let err = Webhook::new(bad).map(|_| ());
        assert_eq!(err, Err(WebhookError::BadSecret));
        if let Err(e) = err {
            assert!(!e.to_string().contains(bad.trim_start_matches("whsec_")));
            assert!(!format!("{e:?}").contains(bad.trim_start_matches("whsec_")));
        }
    }
    let headers = signed_headers(&hook, "msg", NOW, b"{}");
    let sig = hook.sign("msg", NOW, b"{}");
    let err = hook.verify(b"{x}", &headers).err();
    let msg = err.map(|e| format!("{e} {e:?}")).unwrap_or_default();
    assert!(!msg.contains(secret_b64) && !msg.contains(&sig[3..]), "{msg}");
}

#[test]
fn header_sources() {
    let hook = hook();
    let payload = br#"{"type":"objective_event.finalized"}"#;
    let sig = hook.sign("msg_1", NOW, payload);

    let mut map = http::HeaderMap::new();
    map.insert("Webhook-Id", http::HeaderValue::from_static("msg_1"));
    map.insert("WEBHOOK-TIMESTAMP", http::HeaderValue::from_static("1767225600"));
    map.insert("webhook-signature", http::HeaderValue::from_str(&sig).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(hook.verify(payload, &map), Ok(()));
    assert_eq!(hook.verify(payload, map.clone()), Ok(()));

    let pairs = [
        ("Content-Type", "application/json"),
        ("Webhook-ID", "msg_1"),
        ("webhook-Timestamp", "1767225600"),
        ("WEBHOOK-SIGNATURE", sig.as_str()),
    ];
    assert_eq!(hook.verify(payload, &pairs), Ok(()));
    assert_eq!(hook.verify(payload, &pairs[..]), Ok(()));
    assert_eq!(hook.verify(payload, &pairs.to_vec()), Ok(()));

    let owned: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(hook.verify(payload, &owned), Ok(()));
    let btree: BTreeMap<&str, &str> = pairs.iter().copied().collect();
    assert_eq!(hook.verify(payload, &btree), Ok(()));

    // Lookups are case-insensitive; first match wins for lists.
    assert_eq!(pairs.header("webhook-id"), Some(&b"msg_1"[..]));
    let dup = [("webhook-id", "first"), ("Webhook-Id", "second")];
    assert_eq!(dup.header("WEBHOOK-ID"), Some(&b"first"[..]));
    let dup_map: HashMap<&str, &str> = [("Webhook-Id", "mixed"), ("webhook-id", "exact")].into();
    assert_eq!(dup_map.header("webhook-id"), Some(&b"exact"[..]));

    // Missing, empty, and the order of the checks.
    let none: [(&str, &str); 0] = [];
    assert_eq!(hook.verify(payload, &none), Err(WebhookError::MissingHeader { name: "webhook-id" }));
    let no_ts = [("webhook-id", "m"), ("webhook-timestamp", ""), ("webhook-signature", "")];
    assert_eq!(hook.verify(payload, &no_ts), Err(WebhookError::MissingHeader { name: "webhook-timestamp" }));
    let bad_ts_no_sig = [("webhook-id", "m"), ("webhook-timestamp", "x")];
    assert_eq!(hook.verify(payload, &bad_ts_no_sig), Err(WebhookError::MissingHeader { name: "webhook-signature" }));
    let svix = [("svix-id", "msg_1"), ("svix-timestamp", "1767225600"), ("svix-signature", sig.as_str())];
    assert_eq!(hook.verify(payload, &svix), Err(WebhookError::MissingHeader { name: "webhook-id" }));
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Envelope {
    #[serde(rename = "type")]
    kind: WebhookEventType,
    timestamp: String,
    data: Value,
}

#[test]
fn unwrap_raw_decodes_after_verifying() {
    let hook = hook();
    let body =
        br#"{"type":"objective_event.tool_result","timestamp":"2026-01-01T00:00:00Z","data":{"objectiveEvent":{}}}"#;
    let headers = signed_headers(&hook, "msg_1", NOW, body);
    let event: Envelope = hook.unwrap_raw(body, &headers).unwrap_or_else(|e| panic!("unwrap_raw: {e}"));
    assert_eq!(event.kind, WebhookEventType::ToolResult);
    assert_eq!(event.timestamp, "2026-01-01T00:00:00Z");

    // A forged body fails on the signature, before any JSON decoding.
    let forged = br#"{"type":"objective_event.finalized","timestamp":"x","data":{}}"#;
    assert_eq!(hook.unwrap_raw::<Envelope>(forged, &headers).err(), Some(WebhookError::BadSignature));
    // An authentic body of the wrong shape is BadPayload.
    let odd = b"[1,2,3]";
    let err = hook.unwrap_raw::<Envelope>(odd, &signed_headers(&hook, "m", NOW, odd)).err();
    assert_eq!(err.as_ref().map(WebhookError::kind), Some("bad_payload"));
    // Raw JSON values work too.
    let any: Value = hook.unwrap_raw(body, &headers).unwrap_or_default();
    assert_eq!(any["type"], "objective_event.tool_result");
}

#[test]
fn unsafe_unwrap_raw_skips_verification() {
    let body = br#"{"type":"objective_event.cancelled","timestamp":"t","data":{}}"#;
    let event: Result<Envelope, _> = unsafe_unwrap_raw(body);
    assert_eq!(event.map(|e| e.kind), Ok(WebhookEventType::Cancelled));

    for bad in [&b""[..], b"{", b"not json", b"\xff\xfe", br#"{"type":1}"#] {
        match unsafe_unwrap_raw::<Envelope>(bad) {
            Err(WebhookError::BadPayload { message }) => assert!(!message.is_empty()),
            other => panic!("{:?}: expected BadPayload, got {other:?}", String::from_utf8_lossy(bad)),
        }
    }
}

#[test]
fn event_type_strings() {
    assert_eq!(WebhookEventType::KNOWN.len(), 16);
    for kind in WebhookEventType::KNOWN {
        let s = kind.as_str();
        assert!(s.starts_with("objective_event."), "{s}");
        assert_eq!(&WebhookEventType::from(s), kind);
        assert_eq!(s.parse::<WebhookEventType>().as_ref(), Ok(kind));
        assert_eq!(WebhookEventType::from(s.to_owned()), *kind);
        assert_eq!(kind.to_string(), s);
        assert!(kind.is_known());
        let json = serde_json::to_string(kind).unwrap_or_default();
        assert_eq!(json, format!("\"{s}\""));
        let back: Result<WebhookEventType, _> = serde_json::from_str(&json);
        assert_eq!(back.as_ref().ok(), Some(kind));
        // OBJECTIVE_EVENT_TYPE_* names map both ways.
        let proto = kind.objective_event_type().unwrap_or_default();
        assert_eq!(proto.to_ascii_lowercase().replace("objective_event_type_", "objective_event."), s);
        assert_eq!(&WebhookEventType::from_objective_event_type(proto), kind);
    }
    assert_eq!(WebhookEventType::from("objective_event.tool_result"), WebhookEventType::ToolResult);
    assert_eq!(WebhookEventType::SubAgentSpawned.as_str(), "objective_event.sub_agent_spawned");
    assert_eq!(
        WebhookEventType::ContextWindowCompacted.objective_event_type(),
        Some("OBJECTIVE_EVENT_TYPE_CONTEXT_WINDOW_COMPACTED")
    );

    // Unknown kinds are kept verbatim and round-trip.
    for odd in ["objective_event.brand_new", "agent.run.completed", "", "OBJECTIVE_EVENT.TOOL_RESULT"] {
        let t = WebhookEventType::from(odd);
        assert_eq!(t, WebhookEventType::Unknown(odd.to_owned()));
        assert!(!t.is_known());
        assert_eq!(t.as_str(), odd);
        assert_eq!(t.objective_event_type(), None);
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(serde_json::from_str::<WebhookEventType>(&json).ok(), Some(t));
    }
    assert_eq!(
        WebhookEventType::from_objective_event_type("OBJECTIVE_EVENT_TYPE_NEW"),
        WebhookEventType::Unknown("OBJECTIVE_EVENT_TYPE_NEW".into())
    );
    assert!(serde_json::from_str::<WebhookEventType>("42").is_err());
}

#[test]
fn secret_grammar() {
    let ok = |s: &str| Webhook::new(s).is_ok();
    // Padding optional, any amount up to two, trailing bits tolerated.
    for s in ["QUJD", "QUJDRA", "QUJDRA==", "QUJDRA=", "QUJD=", "QUJD==", "QUJDRB", "whsec_QUJDRA", "QQ=="] {
        assert!(ok(s), "{s} should be accepted");
    }
    for s in [
        "",
        "whsec_",
        "whsec_=",
        "====",
        "QUJDR",
        "QUJDR==",
        "QUJD===",
        "QQ",
        "QUI",
        "QQ=",
        "whsec_whsec_QUJD",
        "WHSEC_QUJD",
        " QUJD",
        "QUJD ",
        "QU JD",
        "QUJD\n",
        "QU=JD",
        "QUJD-_",
        "QUJD\u{0}",
    ] {
        assert_eq!(Webhook::new(s).map(|_| ()), Err(WebhookError::BadSecret), "{s:?}");
    }
    let key = WebhookSecret::parse("whsec_QUJDRA").map(|s| s.as_bytes().to_vec());
    assert_eq!(key, Ok(b"ABCD".to_vec()));
}
