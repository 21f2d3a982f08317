//! Small helpers: ids, clocks, secrets.

use base64::Engine;
use std::time::{SystemTime, UNIX_EPOCH};

/// A prefixed ULID such as `agt_01J...`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub fn now_secs() -> i64 {
    (now_ms() / 1000) as i64
}

/// Current time as RFC 3339 UTC with millisecond precision.
pub fn now_rfc3339() -> String {
    rfc3339_from_ms(now_ms())
}

pub fn rfc3339_from_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let millis = ms % 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::new();
    (0..n).map(|_| rng.u8(..)).collect()
}

/// `whsec_` + standard base64 of 32 random bytes.
pub fn new_webhook_secret() -> String {
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(random_bytes(32)))
}

/// A bearer token `cdn_test_<32 hex chars>`.
pub fn new_api_token() -> String {
    let hex: String = random_bytes(16).iter().map(|b| format!("{b:02x}")).collect();
    format!("cdn_test_{hex}")
}

/// Maps an HTTP status to the google.rpc code carried in Status bodies.
pub fn grpc_code(status: u16) -> i32 {
    match status {
        400 => 3,
        401 => 16,
        403 => 7,
        404 => 5,
        405 => 12,
        408 => 4,
        409 => 10,
        412 => 9,
        413 => 3,
        429 => 8,
        499 => 1,
        501 => 12,
        503 => 14,
        504 => 4,
        s if s >= 500 => 13,
        _ => 2,
    }
}

/// A google.rpc.Status body.
pub fn status_body(status: u16, message: &str) -> serde_json::Value {
    let reason = match status {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        429 => "RATE_LIMITED",
        s if s >= 500 => "UNAVAILABLE",
        _ => "ERROR",
    };
    serde_json::json!({
        "code": grpc_code(status),
        "message": message,
        "details": [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "cadenya.com",
            "metadata": {"httpStatus": status.to_string()}
        }]
    })
}
