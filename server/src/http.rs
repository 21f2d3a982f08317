//! HTTP plumbing on hyper 1: accept loop, the request pipeline (faults, auth,
//! idempotency, routing, validation, dispatch, logging) and the `/_cadenya/*`
//! control routes.

use crate::app::{lock, ApiError, Ctx, Shared, StoredResponse};
use crate::faults::Fault;
use crate::log::RecordedRequest;
use crate::spec::spec;
use crate::util::{new_id, now_ms, status_body};
use crate::validate::{check_request, conform, parse_param};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

pub type Body = BoxBody<Bytes, std::io::Error>;

/// Largest accepted request body.
pub const MAX_BODY: usize = 1 << 20;

/// Error returned from the service to make hyper close the connection.
#[derive(Debug)]
pub struct DropConnection;
impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for DropConnection {}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                continue;
            }
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let svc = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { handle(req, shared).await }
            });
            // Errors here are client disconnects or deliberate drops.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, svc).await;
        });
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|e: Infallible| match e {}).boxed()
}

fn json_response(status: u16, body: &Value) -> (u16, Vec<u8>) {
    (status, serde_json::to_vec(body).unwrap_or_default())
}

fn error_parts(e: &ApiError) -> (u16, Vec<u8>) {
    json_response(e.status, &status_body(e.status, &e.message))
}

fn build(status: u16, body: Vec<u8>, req_id: &str) -> Response<Body> {
    let mut resp = Response::new(full(body.clone()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    if !body.is_empty() {
        h.insert("content-type", HeaderValue::from_static("application/json"));
    }
    if let Ok(v) = HeaderValue::from_str(req_id) {
        h.insert("x-request-id", v);
    }
    resp
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<Body>, DropConnection> {
    let req_id = new_id("req");
    let at_ms = now_ms();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let headers = req.headers().clone();

    if path.starts_with("/_cadenya/") {
        let body = read_body(req).await;
        let (status, body) = control(&shared, &method, &path, body);
        return Ok(build(status, body, &req_id));
    }

    let body = read_body(req).await;
    let body_text = match &body {
        Ok(b) => String::from_utf8_lossy(b).into_owned(),
        Err(_) => String::new(),
    };
    let mut record = RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                let k = k.as_str().to_ascii_lowercase();
                let v = if k == "authorization" {
                    "[redacted]".to_string()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k, v)
            })
            .collect(),
        body: body_text,
        at_ms,
        status: 0,
    };

    // Faults come first so that a faulted request never executes.
    let fault_header = headers.get("x-cadenya-fault").and_then(|v| v.to_str().ok());
    let fault = lock(&shared.faults).take(method.as_str(), &path, fault_header);
    let fault = match fault {
        Ok(f) => f,
        Err(msg) => {
            let (s, b) = error_parts(&ApiError::bad(format!("x-cadenya-fault: {msg}")));
            record.status = s;
            lock(&shared.log).push(record);
            return Ok(build(s, b, &req_id));
        }
    };
    if let Some(ms) = fault.as_ref().and_then(|f| f.delay_ms) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if let Some(f) = &fault {
        if f.drop {
            lock(&shared.log).push(record);
            return Err(DropConnection);
        }
        if let Some(st) = f.status {
            let (s, b) = json_response(st, &status_body(st, &format!("injected fault: status {st}")));
            record.status = s;
            lock(&shared.log).push(record);
            let mut resp = build(s, b, &req_id);
            add_retry_headers(resp.headers_mut(), f);
            return Ok(resp);
        }
    }

    // An unknown path or method is answered before authentication, as a gateway routes first.
    if let Ok(Err(allowed)) = spec().map(|s| s.route(method.as_str(), &path).map(|_| ())) {
        let (s, b) = error_parts(&route_error(&method, &path, &allowed));
        record.status = s;
        lock(&shared.log).push(record);
        let mut resp = build(s, b, &req_id);
        if let Some(v) = Some(allowed.join(", ")).filter(|a| !a.is_empty()).and_then(|a| HeaderValue::from_str(&a).ok())
        {
            resp.headers_mut().insert(http::header::ALLOW, v);
        }
        return Ok(resp);
    }

    let (status, out, replayed) = pipeline(&shared, &method, &path, &query, &headers, body);
    record.status = status;
    lock(&shared.log).push(record);

    let mut resp = match &fault {
        Some(f) if f.malformed_json && (200..300).contains(&status) => {
            build(status, b"{\"items\": [ this is not json".to_vec(), &req_id)
        }
        Some(f) if f.truncate && (200..300).contains(&status) => truncated(status, out, &req_id),
        _ => build(status, out, &req_id),
    };
    if let Some(f) = &fault {
        add_retry_headers(resp.headers_mut(), f);
    }
    if replayed {
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

fn add_retry_headers(h: &mut HeaderMap, f: &Fault) {
    if let Some(v) = f.retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        h.insert("retry-after", v);
    }
    if let Some(v) = f.retry_after_ms.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        h.insert("retry-after-ms", v);
    }
}

/// Declares the full Content-Length but sends only half of the body, then
/// fails the body stream so hyper aborts the connection.
fn truncated(status: u16, body: Vec<u8>, req_id: &str) -> Response<Body> {
    let len = body.len();
    let half = Bytes::from(body[..len / 2].to_vec());
    // The pause lets hyper flush the headers and the first half before the
    // error aborts the connection.
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Frame::data(half)) });
    let fail = futures_util::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "truncated by fault injection"))
    });
    let stream = futures_util::StreamExt::chain(first, fail);
    let mut resp = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(req_id) {
        h.insert("x-request-id", v);
    }
    resp
}

enum BodyError {
    TooLarge,
    Io,
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, BodyError> {
    if let Some(len) = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
    }
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Io),
    }
}

/// Everything after faults: returns (status, body bytes, replayed?).
fn pipeline(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BodyError>,
) -> (u16, Vec<u8>, bool) {
    let body = match body {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return (
                error_parts(&ApiError::new(413, format!("body: larger than {MAX_BODY} bytes"))).0,
                error_parts(&ApiError::new(413, format!("body: larger than {MAX_BODY} bytes"))).1,
                false,
            )
        }
        Err(BodyError::Io) => {
            let (s, b) = error_parts(&ApiError::bad("body: could not read request body"));
            return (s, b, false);
        }
    };

    // Authentication.
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    let key = {
        let st = shared.state();
        st.store
            .all("api_key", None, None)
            .into_iter()
            .find(|k| !token.is_empty() && k.hidden.get("token").and_then(Value::as_str) == Some(token.as_str()))
            .map(|k| (k.id.clone(), k.hidden.get("profileId").and_then(Value::as_str).unwrap_or_default().to_string()))
    };
    let Some((key_id, profile_id)) = key else {
        let msg = if token.is_empty() { "missing bearer token" } else { "invalid API key" };
        let (s, b) = error_parts(&ApiError::new(401, msg));
        return (s, b, false);
    };

    // Idempotent replay.
    let idem_key = match *method {
        Method::POST | Method::PATCH => headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(|k| (k.to_string(), method.to_string(), path.to_string())),
        _ => None,
    };
    if let Some(k) = &idem_key {
        if let Some(stored) = lock(&shared.idem).get(k).cloned() {
            return (stored.status, stored.body, true);
        }
    }

    let (status, out) = match execute(shared, method, path, query, body, key_id, profile_id) {
        Ok(Some(v)) => (200, v),
        Ok(None) => (200, Vec::new()),
        Err(e) => error_parts(&e),
    };
    if let Some(k) = idem_key {
        if status < 500 {
            lock(&shared.idem).insert(k, StoredResponse { status, body: out.clone() });
        }
    }
    (status, out, false)
}

fn execute(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    raw_query: &str,
    body: Bytes,
    key_id: String,
    profile_id: String,
) -> Result<Option<Vec<u8>>, ApiError> {
    let spec = spec().map_err(|e| ApiError::new(500, e))?;
    let (op, caps) = spec.route(method.as_str(), path).map_err(|allowed| route_error(method, path, &allowed))?;

    // Query parameters: typed per the spec; undeclared ones are ignored.
    let mut query = Map::new();
    for (k, v) in url_pairs(raw_query) {
        if let Some(p) = op.params.iter().find(|p| p.location == "query" && p.name == k) {
            let parsed = parse_param(spec, &p.schema, &v, &k).map_err(ApiError::bad)?;
            query.insert(k, parsed);
        }
    }
    for p in op.params.iter().filter(|p| p.location == "query" && p.required) {
        if !query.contains_key(&p.name) {
            return Err(ApiError::bad(format!("{}: missing required query parameter", p.name)));
        }
    }
    let path_params: HashMap<String, String> = caps.into_iter().collect();
    for p in op.params.iter().filter(|p| p.location == "path") {
        if let Some(v) = path_params.get(&p.name) {
            parse_param(spec, &p.schema, v, &p.name).map_err(ApiError::bad)?;
        }
    }

    // JSON body.
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad("body: invalid UTF-8"))?;
    let parsed: Option<Value> = if text.trim().is_empty() {
        None
    } else {
        Some(serde_json::from_str(text).map_err(|e| ApiError::bad(format!("body: malformed JSON: {e}")))?)
    };
    let body_value = match (&op.body, parsed) {
        (Some((true, _)), None) => return Err(ApiError::bad("body: required")),
        (Some((_, schema)), Some(mut v)) => {
            if !v.is_object() {
                return Err(ApiError::bad("body: expected a JSON object"));
            }
            check_request(spec, schema, &mut v).map_err(ApiError::bad)?;
            v
        }
        (None, Some(v)) => {
            // Operations without a body tolerate an empty object only.
            if v.as_object().map(|o| !o.is_empty()).unwrap_or(true) {
                return Err(ApiError::bad("body: this operation takes no request body"));
            }
            v
        }
        (_, None) => json!({}),
    };

    // Workspace scoping: an unknown or inaccessible workspace is 404.
    if let Some(ws) = path_params.get("workspaceId") {
        let st = shared.state();
        let ok = if path.starts_with("/v1/workspaces/") {
            st.key_can_use(&key_id, ws)
        } else {
            // Admin routes and key access routes see every workspace of the account.
            st.store.get("workspace", None, None, ws).is_some()
        };
        if !ok {
            return Err(ApiError::not_found("workspace", ws));
        }
    }

    let ctx = Ctx {
        op,
        path: path_params,
        query,
        body: body_value,
        key_id,
        profile_id,
        shared: shared.clone(),
        reply_text: Default::default(),
    };
    let out = crate::handlers::dispatch(&ctx)?;
    if let Some(text) = ctx.reply_text.into_inner() {
        return Ok(Some(text.into_bytes()));
    }
    Ok(op.response.as_ref().map(|schema| serde_json::to_vec(&conform(spec, schema, out)).unwrap_or_default()))
}

/// 405 when the path exists under other methods (`allowed`), else 404.
fn route_error(method: &Method, path: &str, allowed: &[String]) -> ApiError {
    if allowed.is_empty() {
        ApiError::new(404, format!("no route for {method} {path}"))
    } else {
        ApiError::new(405, format!("method {method} not allowed on {path}; allowed: {}", allowed.join(", ")))
    }
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let dec =
                |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

/// `/_cadenya/*`: request log and armed faults (no auth, not logged).
fn control(shared: &Arc<Shared>, method: &Method, path: &str, body: Result<Bytes, BodyError>) -> (u16, Vec<u8>) {
    match (method.as_str(), path) {
        ("GET", "/_cadenya/requests") => {
            let reqs = lock(&shared.log).clone();
            json_response(200, &json!({ "requests": reqs }))
        }
        ("DELETE", "/_cadenya/requests") => {
            lock(&shared.log).clear();
            (200, Vec::new())
        }
        ("POST", "/_cadenya/faults") => {
            let v: Value = match body.ok().and_then(|b| serde_json::from_slice(&b).ok()) {
                Some(v) => v,
                None => return error_parts(&ApiError::bad("body: malformed JSON")),
            };
            let Some(fs) = v.get("fault").and_then(Value::as_str) else {
                return error_parts(&ApiError::bad("fault: missing required field"));
            };
            let fault = match Fault::parse(fs) {
                Ok(f) => f,
                Err(e) => return error_parts(&ApiError::bad(format!("fault: {e}"))),
            };
            let m = v.get("method").and_then(Value::as_str).map(str::to_string);
            let p = v.get("path_prefix").and_then(Value::as_str).map(str::to_string);
            lock(&shared.faults).arm(m, p, fault);
            json_response(200, &json!({"armed": true}))
        }
        ("DELETE", "/_cadenya/faults") => {
            lock(&shared.faults).clear();
            (200, Vec::new())
        }
        (_, "/_cadenya/requests") | (_, "/_cadenya/faults") => error_parts(&ApiError::new(405, "method not allowed")),
        _ => error_parts(&ApiError::new(404, format!("no route for {method} {path}"))),
    }
}
