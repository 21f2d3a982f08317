//! What one call is: the operation's request description, per-request options, and [`Call`],
//! the awaitable every operation method returns.

use crate::codec::QueryValue;
use crate::error::{CallInfo, Error, Result};
use crate::pagination::Page;
use crate::response::{ApiResponse, RawResponse};
use crate::Client;
use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

/// Query parameters in order. Repeated names are allowed (extra query may add some).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub fn push(&mut self, name: &str, value: &impl QueryValue) {
        self.0.push((name.to_string(), value.to_query()));
    }

    /// Replaces every value of `name` with one value.
    pub fn set(&mut self, name: &str, value: String) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_string(), value));
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Implemented by every generated `*Params` struct: writes its query fields.
/// Its `Serialize` impl writes only the body fields.
pub trait Params: serde::Serialize {
    fn query(&self, q: &mut Query);
}

/// Per-request overrides. Everything unset uses the client's setting.
/// `Debug` shows header names only: a header value may be a credential.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    pub headers: Vec<(String, String)>,
    pub extra_query: Vec<(String, String)>,
    /// Sent as `Idempotency-Key`; also lets a POST/PATCH be retried after a 5xx, timeout or drop.
    pub idempotency_key: Option<String>,
    /// Replaces the client's default workspace for `{workspaceId}`.
    pub workspace_id: Option<String>,
    /// Fields merged into the JSON body last (their keys win), sent as given even when the spec
    /// does not declare them: the official SDKs' `extra_body`. Only for operations with a body.
    pub extra_body: Option<serde_json::Map<String, serde_json::Value>>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("extra_query", &self.extra_query)
            .field("idempotency_key", &self.idempotency_key)
            .field("workspace_id", &self.workspace_id)
            // Names only: a value may be a secret.
            .field("extra_body", &self.extra_body.as_ref().map(|m| m.keys().collect::<Vec<_>>()))
            .finish()
    }
}

/// Unreserved characters stay as they are; everything else is percent-encoded, so an id can
/// never add a `/`, `?` or `#` to the route.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// An operation's request before options are applied: method, path template and parameters.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub(crate) method: Method,
    pub(crate) operation: &'static str,
    pub(crate) template: &'static str,
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) uses_workspace: bool,
    pub(crate) query: Query,
    /// Serialised JSON body; an error from serialisation is reported when the call is sent.
    pub(crate) body: Option<std::result::Result<bytes::Bytes, String>>,
}

impl RequestSpec {
    pub fn new(method: Method, operation: &'static str, template: &'static str) -> Self {
        RequestSpec {
            method,
            operation,
            template,
            path_params: Vec::new(),
            uses_workspace: false,
            query: Query::default(),
            body: None,
        }
    }

    /// The path has a `{workspaceId}`: fill it from the options or the client's default.
    pub fn workspace_param(&mut self) {
        self.uses_workspace = true;
    }

    pub fn path_param(&mut self, name: &'static str, value: &str) {
        self.path_params.push((name, value.to_string()));
    }

    pub fn params<P: Params>(&mut self, params: &P) {
        params.query(&mut self.query);
    }

    pub fn params_with_body<P: Params>(&mut self, params: &P) {
        params.query(&mut self.query);
        self.body = Some(serde_json::to_vec(params).map(bytes::Bytes::from).map_err(|e| e.to_string()));
    }

    /// Operations whose body has no fields still send `{}`.
    pub fn empty_json_body(&mut self) {
        self.body = Some(Ok(bytes::Bytes::from_static(b"{}")));
    }

    /// Sets a raw JSON body (used by the language bindings, which build bodies themselves).
    pub fn json_body(&mut self, body: bytes::Bytes) {
        self.body = Some(Ok(body));
    }

    /// Appends a query parameter (used by the language bindings).
    pub fn query_param(&mut self, name: &str, value: String) {
        self.query.0.push((name.to_string(), value));
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn operation(&self) -> &'static str {
        self.operation
    }

    pub fn template(&self) -> &'static str {
        self.template
    }

    /// The concrete path: every `{name}` replaced by its checked, percent-encoded value.
    pub(crate) fn render_path(&self, workspace: Option<&str>) -> Result<String> {
        let mut out = String::with_capacity(self.template.len() + 32);
        let mut rest = self.template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after.find('}').ok_or_else(|| Error::invalid(format!("bad path template {}", self.template)))?;
            let name = &after[..end];
            let value = if name == "workspaceId" && self.uses_workspace {
                workspace.ok_or_else(|| {
                    Error::invalid(format!(
                        "`{}` needs a workspace: set workspace_id on the client (or CADENYA_WORKSPACE_ID) or on the call",
                        self.operation
                    ))
                })?
            } else {
                self.path_params
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_str())
                    .ok_or_else(|| Error::invalid(format!("path parameter `{name}` was not given")))?
            };
            check_segment(name, value)?;
            out.extend(utf8_percent_encode(value, SEGMENT));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// An id must be a non-empty, single path segment. `.` and `..` are refused outright: URL
/// parsers treat them (even percent-encoded) as "this" and "parent" directory.
fn check_segment(name: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("path parameter `{name}` must not be empty")));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid(format!("path parameter `{name}` must not be `.` or `..`")));
    }
    Ok(())
}

type Decoder<T> = fn(&Client, &RequestSpec, &RequestOptions, &RawResponse) -> Result<T>;

/// One API call, ready to send. Await it for the decoded value, or configure it first:
///
/// ```no_run
/// # async fn demo(client: cadenya::Client) -> cadenya::Result<()> {
/// let agent = client
///     .agents()
///     .retrieve("agt_123")
///     .workspace_id("ws_other")
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    req: RequestSpec,
    opts: RequestOptions,
    decode: Decoder<T>,
    _out: PhantomData<fn() -> T>,
}

impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        Call {
            client: self.client.clone(),
            req: self.req.clone(),
            opts: self.opts.clone(),
            decode: self.decode,
            _out: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").field("operation", &self.req.operation).field("options", &self.opts).finish()
    }
}

fn decode_json<T: DeserializeOwned>(raw: &RawResponse) -> Result<T> {
    crate::json::decode(&raw.body).map_err(|(path, e)| Error::Decode {
        path,
        message: e.to_string(),
        status: raw.status,
        request_id: raw.request_id.clone(),
        call: None,
    })
}

impl<T: DeserializeOwned> Call<T> {
    /// A call whose 200 body decodes into `T`.
    pub fn model(client: Client, req: RequestSpec) -> Self {
        Self::with_decoder(client, req, |_, _, _, raw| decode_json(raw))
    }
}

impl Call<()> {
    /// A call whose 200 response has no body (any body is ignored).
    pub fn empty(client: Client, req: RequestSpec) -> Self {
        Self::with_decoder(client, req, |_, _, _, _| Ok(()))
    }
}

impl Call<serde_json::Value> {
    /// A call whose body is returned as untyped JSON (an empty body becomes `null`).
    /// The language bindings use this: they convert JSON into their own types.
    pub fn json(client: Client, req: RequestSpec) -> Self {
        Self::with_decoder(client, req, |_, _, _, raw| {
            if raw.body.iter().all(u8::is_ascii_whitespace) {
                return Ok(serde_json::Value::Null);
            }
            decode_json(raw)
        })
    }
}

impl Call<crate::json::RawJson> {
    /// A call whose body is returned as JSON text, checked to be valid JSON but not parsed into
    /// a tree (an empty body becomes `null`). For bindings that parse JSON in their own language.
    pub fn raw_json(client: Client, req: RequestSpec) -> Self {
        Self::with_decoder(client, req, |_, _, _, raw| {
            if raw.body.iter().all(u8::is_ascii_whitespace) {
                return serde_json::value::RawValue::from_string("null".into())
                    .map_err(|e| Error::invalid(e.to_string()));
            }
            decode_json(raw)
        })
    }
}

impl<I: DeserializeOwned + Send + 'static> Call<Page<I>> {
    /// A call returning one page of a cursor-paginated list.
    pub fn page(client: Client, req: RequestSpec) -> Self {
        Self::with_decoder(client, req, |client, req, opts, raw| {
            let envelope: crate::pagination::Envelope<I> = decode_json(raw)?;
            Ok(Page::from_envelope(envelope, client, req, opts))
        })
    }
}

impl<T> Call<T> {
    fn with_decoder(client: Client, req: RequestSpec, decode: Decoder<T>) -> Self {
        Call { client, req, opts: RequestOptions::default(), decode, _out: PhantomData }
    }

    /// Use this workspace for `{workspaceId}` instead of the client's default.
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.opts.workspace_id = Some(id.into());
        self
    }
    /// Per-attempt timeout for this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.opts.timeout = Some(timeout);
        self
    }
    pub fn max_retries(mut self, n: u32) -> Self {
        self.opts.max_retries = Some(n);
        self
    }
    /// An extra header for this call (replaces a default header of the same name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.opts.headers.push((name.into(), value.into()));
        self
    }
    /// An extra query parameter for this call.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.opts.extra_query.push((name.into(), value.into()));
        self
    }
    /// A JSON body field for this call, set last (it replaces a field of the same name), even
    /// one the spec does not declare. Fails the call if the operation takes no body.
    pub fn extra_body_field(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.opts.extra_body.get_or_insert_with(Default::default).insert(name.into(), value);
        self
    }
    /// Sends `Idempotency-Key`; a POST/PATCH with a key may be retried after 5xx, timeouts and drops.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.opts.idempotency_key = Some(key.into());
        self
    }
    /// Replaces all options at once.
    pub fn options(mut self, opts: RequestOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Sends the call and returns the decoded value with the response's status, headers and request id.
    pub async fn with_raw_response(self) -> Result<ApiResponse<T>> {
        let raw = self.client.execute(&self.req, &self.opts).await?;
        let data = self.decode_raw(&raw)?;
        Ok(ApiResponse { status: raw.status, headers: raw.headers, request_id: raw.request_id, data })
    }

    /// Sends the call and returns the decoded value.
    pub async fn send(self) -> Result<T> {
        let raw = self.client.execute(&self.req, &self.opts).await?;
        self.decode_raw(&raw)
    }

    fn decode_raw(&self, raw: &RawResponse) -> Result<T> {
        (self.decode)(&self.client, &self.req, &self.opts, raw)
            .map_err(|e| e.in_call(CallInfo { operation: self.req.operation, attempts: Some(raw.attempts) }))
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(template: &'static str, params: &[(&'static str, &str)]) -> RequestSpec {
        let mut r = RequestSpec::new(Method::GET, "test.op", template);
        r.workspace_param();
        for (n, v) in params {
            r.path_param(n, v);
        }
        r
    }

    #[test]
    fn hostile_ids_stay_one_segment() {
        let r = spec("/v1/workspaces/{workspaceId}/agents/{id}", &[("id", "../x/y?z=1#f")]);
        let p = r.render_path(Some("ws 1")).unwrap_or_default();
        assert_eq!(p, "/v1/workspaces/ws%201/agents/..%2Fx%2Fy%3Fz%3D1%23f");
    }

    #[test]
    fn empty_dot_and_missing_ids_are_refused() {
        for bad in ["", "  ", ".", ".."] {
            let r = spec("/v1/workspaces/{workspaceId}/agents/{id}", &[("id", bad)]);
            let err = r.render_path(Some("ws")).err().map(|e| e.kind());
            assert_eq!(err, Some("invalid_request"), "{bad:?}");
        }
        let r = spec("/v1/workspaces/{workspaceId}/agents/{id}", &[("id", "a")]);
        assert!(matches!(r.render_path(None), Err(Error::InvalidRequest { .. })));
    }
}
