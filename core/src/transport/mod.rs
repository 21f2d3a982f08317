//! From a [`RequestSpec`] to bytes on the wire and back: URL, headers, auth, the retry loop,
//! timeouts, error mapping and tracing. Every call of every language goes through `execute`.

pub(crate) mod retry;

use crate::error::{ApiError, CallInfo, Error, Result};
use crate::logging::log_record;
use crate::request::{RequestOptions, RequestSpec};
use crate::response::RawResponse;
use crate::Client;
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use retry::Failure;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Header carrying the attempt number (0 for the first try), so the server can tell retries apart.
pub const RETRY_COUNT_HEADER: &str = "x-cadenya-retry-count";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The result of one attempt, before the retry decision.
enum Attempt {
    Done(RawResponse),
    Failed { failure: Failure, error: Error, headers: Option<http::HeaderMap> },
}

fn header_value(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(format!("`{name}` is not a valid header name")))?;
    let v = HeaderValue::from_str(value)
        .map_err(|_| Error::invalid(format!("the value of header `{name}` is not a valid header value")))?;
    Ok((n, v))
}

fn request_id(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .or_else(|| headers.get("request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Maps a reqwest error to a failure class and a typed error. Nothing from the request
/// (URL query, headers) is copied into the message: only the error's own description.
fn classify(
    e: reqwest::Error,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    reading_body: bool,
) -> (Failure, Error) {
    let connect = e.is_connect();
    if e.is_timeout() {
        // A connect timeout never reached the server: as safe to retry as a refused connection.
        return if connect {
            (Failure::Connect, Error::Timeout { after: connect_timeout.unwrap_or(timeout), call: None })
        } else {
            (Failure::Timeout, Error::Timeout { after: timeout, call: None })
        };
    }
    let e = e.without_url();
    if connect {
        let mut msg = format!("could not connect: {}", source_chain(&e));
        let failure = match certificate_hint(&msg) {
            Some(hint) => {
                msg.push_str(hint);
                Failure::Certificate
            }
            None => Failure::Connect,
        };
        return (failure, Error::Connection { message: msg, source: Some(Box::new(e)), call: None });
    }
    let what = if reading_body {
        "the response body was cut short"
    } else {
        "the connection closed before a response arrived"
    };
    let msg = format!("{what}: {}", source_chain(&e));
    (Failure::Dropped, Error::Connection { message: msg, source: Some(Box::new(e)), call: None })
}

/// When the TLS handshake failed on the server's certificate: what to do about it. Read from
/// rustls's own description (`invalid peer certificate: UnknownIssuer`), which reaches us
/// through io and connector errors that do not expose it as a typed source.
fn certificate_hint(chain: &str) -> Option<&'static str> {
    let (_, cause) = chain.split_once("invalid peer certificate")?;
    Some(if cause.contains("UnknownIssuer") || cause.contains("BadSignature") {
        " (the server's certificate is not signed by a trusted authority: pass the CA in the \
         client's ca_bundle option, or set SSL_CERT_FILE / SSL_CERT_DIR, or add it to the OS trust store)"
    } else if cause.contains("NotValidForName") {
        " (the server's certificate does not name this host: check the base URL)"
    } else {
        " (the server's certificate was refused)"
    })
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// `body` (a JSON object) with `extra`'s fields set over it.
fn merge_body(
    operation: &str,
    body: &bytes::Bytes,
    extra: &serde_json::Map<String, serde_json::Value>,
) -> Result<bytes::Bytes> {
    let not_object = || Error::invalid(format!("the body of `{operation}` is not a JSON object to add extra_body to"));
    let mut fields: serde_json::Map<String, serde_json::Value> = if body.is_empty() {
        serde_json::Map::new()
    } else {
        serde_json::from_slice(body).map_err(|_| not_object())?
    };
    fields.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    serde_json::to_vec(&fields).map(Into::into).map_err(|e| Error::invalid(e.to_string()))
}

impl Client {
    /// Sends one call, retrying as the policy allows, and returns the successful response.
    pub(crate) async fn execute(&self, req: &RequestSpec, opts: &RequestOptions) -> Result<RawResponse> {
        let cfg = self.config();
        let workspace = opts.workspace_id.as_deref().or(cfg.workspace_id.as_deref());
        let path = req.render_path(workspace)?;
        if let Some(Err(e)) = &req.body {
            return Err(Error::invalid(format!("the request body could not be encoded: {e}")));
        }
        let mut url = cfg.base_url.clone();
        url.set_path(&format!("{}{}", cfg.base_url.path().trim_end_matches('/'), path));
        {
            let all: Vec<&(String, String)> = req.query.0.iter().chain(opts.extra_query.iter()).collect();
            if !all.is_empty() {
                let mut q = url.query_pairs_mut();
                for (k, v) in all {
                    q.append_pair(k, v);
                }
            }
        }
        let mut headers = cfg.default_headers.clone();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", cfg.api_key.expose()))
            .map_err(|_| Error::config("the API key is not a valid header value"))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers
            .insert(USER_AGENT, HeaderValue::from_str(&cfg.user_agent).map_err(|_| Error::config("bad user agent"))?);
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(if req.method == http::Method::DELETE { "*/*" } else { "application/json" }),
        );
        if req.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in &opts.headers {
            let (n, v) = header_value(name, value)?;
            headers.insert(n, v);
        }
        if let Some(key) = &opts.idempotency_key {
            let (n, v) = header_value(IDEMPOTENCY_HEADER, key)?;
            headers.insert(n, v);
        }
        let body = req.body.as_ref().and_then(|b| b.as_ref().ok()).cloned();
        let body = match (&opts.extra_body, body) {
            (None, body) => body,
            (Some(extra), Some(body)) => Some(merge_body(req.operation, &body, extra)?),
            (Some(_), None) => return Err(Error::invalid(format!("`{}` takes no body for extra_body", req.operation))),
        };
        let timeout = opts.timeout.unwrap_or(cfg.timeout);
        let max_retries = opts.max_retries.unwrap_or(cfg.max_retries);
        let idempotent = retry::is_idempotent(&req.method, opts.idempotency_key.is_some());
        let method = req.method.as_str();

        let span = tracing::info_span!(
            "cadenya.request",
            operation = req.operation,
            method = %req.method,
            path = req.template,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = async {
            let mut attempt = 1u32;
            loop {
                let attempt_started = Instant::now();
                let mut attempt_headers = headers.clone();
                attempt_headers.insert(RETRY_COUNT_HEADER, HeaderValue::from(attempt - 1));
                let mut builder =
                    self.http().request(req.method.clone(), url.clone()).headers(attempt_headers).timeout(timeout);
                if let Some(b) = &body {
                    builder = builder.body(b.clone());
                }
                let outcome = self.attempt(builder, timeout).await;
                let duration_ms = attempt_started.elapsed().as_millis() as u64;
                let span = tracing::Span::current();
                span.record("attempts", attempt);
                let (status, request_id, error) = match &outcome {
                    Attempt::Done(raw) => (Some(raw.status), raw.request_id.as_deref(), None),
                    Attempt::Failed { failure, error, .. } => {
                        (failure.status(), error.request_id(), Some(failure.reason()))
                    }
                };
                if let Some(s) = status {
                    span.record("status", s);
                }
                log_record!(
                    cfg,
                    DEBUG,
                    Debug,
                    "http request",
                    operation = req.operation,
                    method = method,
                    path = req.template,
                    status = status,
                    attempt = attempt,
                    duration_ms = duration_ms,
                    request_id = request_id,
                    error = error
                );
                let (failure, error, resp_headers) = match outcome {
                    Attempt::Done(mut raw) => {
                        raw.attempts = attempt;
                        return Ok(raw);
                    }
                    Attempt::Failed { failure, error, headers } => (failure, error, headers),
                };
                let verdict = resp_headers.as_ref().and_then(retry::should_retry_header);
                if !retry::should_retry(failure, idempotent, verdict) || attempt > max_retries {
                    return Err(error.in_call(CallInfo { operation: req.operation, attempts: Some(attempt) }));
                }
                let wait = retry::delay(attempt - 1, resp_headers.as_ref(), cfg.max_retry_delay);
                log_record!(
                    cfg,
                    INFO,
                    Info,
                    "retrying",
                    operation = req.operation,
                    attempt = attempt,
                    reason = failure.reason(),
                    wait_ms = wait.as_millis() as u64,
                    request_id = error.request_id()
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
        .instrument(span.clone())
        .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            let _enter = span.enter();
            let attempts = e.call().and_then(|c| c.attempts);
            // A 404 is often an expected answer ("does it exist?"): not worth a warning.
            let not_found = matches!(e, Error::Api(a) if a.status == 404);
            let (error, request_id) = (e.to_string(), e.request_id());
            if not_found {
                log_record!(
                    cfg,
                    DEBUG,
                    Debug,
                    "request failed",
                    operation = req.operation,
                    attempts = attempts,
                    error = error.as_str(),
                    request_id = request_id
                );
            } else {
                log_record!(
                    cfg,
                    WARN,
                    Warn,
                    "request failed",
                    operation = req.operation,
                    attempts = attempts,
                    error = error.as_str(),
                    request_id = request_id
                );
            }
        }
        result
    }

    /// One attempt: send, read the whole body, classify.
    async fn attempt(&self, builder: reqwest::RequestBuilder, timeout: Duration) -> Attempt {
        let resp = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                let (failure, error) = classify(e, timeout, self.config().connect_timeout, false);
                return Attempt::Failed { failure, error, headers: None };
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let (failure, error) = classify(e, timeout, self.config().connect_timeout, true);
                return Attempt::Failed { failure, error, headers: Some(headers) };
            }
        };
        let rid = request_id(&headers);
        if (200..300).contains(&status) {
            return Attempt::Done(RawResponse { status, headers, request_id: rid, body, attempts: 1 });
        }
        let error = Error::Api(Box::new(ApiError::from_response(status, &headers, &body, rid)));
        Attempt::Failed { failure: Failure::Status(status), error, headers: Some(headers) }
    }
}
