//! When to retry and how long to wait.
//!
//! Safe to repeat (GET, PUT, DELETE, or any call with an idempotency key): retried on failures
//! to connect, timeouts, dropped or truncated responses, 408, 409, 429 and 5xx.
//! POST and PATCH without a key: retried only on 429 and on failures to connect, the two cases
//! where the server is known not to have applied the request. An `x-should-retry: true|false`
//! response header overrides the status rule.

use http::{HeaderMap, Method};
use std::time::{Duration, SystemTime};

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Never reached the server (refused, DNS, connect timeout, TLS handshake).
    Connect,
    /// The server's certificate is not trusted: retrying cannot help.
    Certificate,
    /// The attempt timed out; the server may have acted on it.
    Timeout,
    /// The connection broke after the request was sent (dropped or truncated response).
    Dropped,
    /// The server answered with this non-2xx status.
    Status(u16),
}

impl Failure {
    /// Why an attempt failed, as retry logs state it.
    pub(crate) fn reason(self) -> String {
        match self {
            Failure::Connect => "connection failed".into(),
            Failure::Certificate => "certificate not trusted".into(),
            Failure::Timeout => "timed out".into(),
            Failure::Dropped => "connection dropped".into(),
            Failure::Status(s) => format!("HTTP {s}"),
        }
    }

    pub(crate) fn status(self) -> Option<u16> {
        match self {
            Failure::Status(s) => Some(s),
            _ => None,
        }
    }
}

pub(crate) fn is_idempotent(method: &Method, has_idempotency_key: bool) -> bool {
    has_idempotency_key
        || matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE)
}

pub(crate) fn should_retry(failure: Failure, idempotent: bool, should_retry_header: Option<bool>) -> bool {
    match failure {
        Failure::Connect => true,
        Failure::Certificate => false,
        Failure::Timeout | Failure::Dropped => idempotent,
        Failure::Status(status) => {
            if let Some(verdict) = should_retry_header {
                return verdict;
            }
            match status {
                429 => true,
                408 | 409 => idempotent,
                s if s >= 500 => idempotent,
                _ => false,
            }
        }
    }
}

/// `x-should-retry: true|false`, when present and valid.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The wait the server asked for: `retry-after-ms` (milliseconds), else `Retry-After`
/// (seconds, possibly fractional, or an HTTP date). Negative or unparsable values are ignored.
pub(crate) fn server_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers.get("retry-after-ms").and_then(|v| v.to_str().ok()) {
        if let Ok(ms) = ms.trim().parse::<f64>() {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff from 0.5 s, doubling per retry up to 8 s, minus up to 25 % jitter.
pub(crate) fn backoff(retry: u32, jitter: f64) -> Duration {
    let base = (0.5 * 2f64.powi(retry.min(16) as i32)).min(8.0);
    Duration::from_secs_f64(base * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
}

/// The wait before retry number `retry` (0 = first retry), capped at `cap`.
pub(crate) fn delay(retry: u32, headers: Option<&HeaderMap>, cap: Duration) -> Duration {
    let asked = headers.and_then(|h| server_delay(h, SystemTime::now()));
    asked.unwrap_or_else(|| backoff(retry, fastrand::f64())).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = v.parse() {
                h.insert(*k, v);
            }
        }
        h
    }

    #[test]
    fn post_is_retried_only_when_safe() {
        let post = is_idempotent(&Method::POST, false);
        assert!(!post);
        assert!(should_retry(Failure::Connect, post, None));
        assert!(!should_retry(Failure::Certificate, is_idempotent(&Method::GET, false), None));
        assert!(should_retry(Failure::Status(429), post, None));
        assert!(!should_retry(Failure::Status(503), post, None));
        assert!(!should_retry(Failure::Dropped, post, None));
        assert!(!should_retry(Failure::Timeout, post, None));
        let keyed = is_idempotent(&Method::POST, true);
        assert!(should_retry(Failure::Status(503), keyed, None));
        assert!(should_retry(Failure::Dropped, keyed, None));
    }

    #[test]
    fn get_retries_on_the_documented_statuses() {
        let get = is_idempotent(&Method::GET, false);
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(should_retry(Failure::Status(s), get, None), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!should_retry(Failure::Status(s), get, None), "{s}");
        }
        assert!(!should_retry(Failure::Status(503), get, Some(false)));
        assert!(should_retry(Failure::Status(400), get, Some(true)));
    }

    #[test]
    fn server_delay_reads_ms_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(server_delay(&headers(&[("retry-after-ms", "250")]), now), Some(Duration::from_millis(250)));
        assert_eq!(server_delay(&headers(&[("retry-after", "2")]), now), Some(Duration::from_secs(2)));
        assert_eq!(server_delay(&headers(&[("retry-after", "1.5")]), now), Some(Duration::from_millis(1500)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(server_delay(&headers(&[("retry-after", &date)]), now), Some(Duration::from_secs(3)));
        assert_eq!(server_delay(&headers(&[("retry-after", "-1")]), now), None);
        assert_eq!(server_delay(&headers(&[("retry-after", "soon")]), now), None);
        // retry-after-ms wins over retry-after.
        assert_eq!(
            server_delay(&headers(&[("retry-after-ms", "10"), ("retry-after", "5")]), now),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn backoff_grows_caps_and_jitters_down() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(10, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(0, 1.0), Duration::from_millis(375));
        assert_eq!(
            delay(0, Some(&headers(&[("retry-after", "600")])), Duration::from_secs(60)),
            Duration::from_secs(60)
        );
    }
}
