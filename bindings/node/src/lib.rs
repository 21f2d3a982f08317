//! The native addon of the `cadenya` npm package.
//!
//! It converts and nothing more: JS options into the core's builder, wire-named path/query/body
//! values into [`cadenya::Client::dynamic_call`], JSON results back as strings (the JS side
//! `JSON.parse`s them, which is faster than building objects through N-API), core errors into
//! marked records (see `error.rs`), and Rust futures into Promises (see `settle.rs`), so
//! the Node event loop never waits for I/O. Pagination stays in the core: a [`NativePage`]
//! holds the core's `Page` and fetches the next one with it.

mod error;
// The Promise bridge calls Node-API directly; each `unsafe` there carries its `// SAFETY:` reason.
#[allow(unsafe_code)]
mod settle;
mod webhooks;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{self, Body, CallInput, Prepared};
use cadenya::json::RawJson;
use cadenya::Page;
use futures_util::future::{AbortHandle, AbortRegistration, Abortable};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use webhooks::NativeWebhook;

/// Options of `new Cadenya(...)`; every unset field falls back to the core's environment lookup.
#[napi(object)]
pub struct ClientOptions {
    pub api_key: Option<String>,
    #[napi(js_name = "baseURL")]
    pub base_url: Option<String>,
    pub workspace_id: Option<String>,
    pub webhook_secret: Option<String>,
    /// Milliseconds.
    pub timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub default_headers: Option<HashMap<String, String>>,
    pub log_level: Option<String>,
}

/// Per-request options (the abort signal is handled with [`AbortToken`]).
#[napi(object)]
pub struct CallOptions {
    /// Milliseconds.
    pub timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub headers: Option<HashMap<String, String>>,
    pub idempotency_key: Option<String>,
    /// Extra query parameters (already formatted).
    pub query: Option<HashMap<String, String>>,
}

fn duration_ms(name: &str, ms: f64) -> Result<Duration> {
    contract::seconds(name, ms / 1000.0)
        .map_err(|_| error::invalid(format!("{name} must be a positive number of milliseconds")))
}

fn retries(n: f64) -> Result<u32> {
    contract::retry_count("maxRetries", n).map_err(error::core)
}

/// One client: the core client (configuration plus connection pool).
#[napi]
pub struct NativeClient {
    client: cadenya::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<ClientOptions>) -> Result<Self> {
        let mut opts = cadenya::ClientOptions {
            user_agent: Some(concat!("cadenya-node/", env!("CARGO_PKG_VERSION")).into()),
            ..Default::default()
        };
        if let Some(o) = options {
            opts.api_key = o.api_key;
            opts.base_url = o.base_url;
            opts.workspace_id = o.workspace_id;
            opts.webhook_secret = o.webhook_secret;
            opts.timeout = match o.timeout {
                Some(ms) => Some(
                    duration_ms("timeout", ms)
                        .map_err(|_| error::configuration("timeout must be a positive number of milliseconds"))?,
                ),
                None => None,
            };
            opts.max_retries = match o.max_retries {
                Some(n) => {
                    Some(retries(n).map_err(|_| error::configuration("maxRetries must be a non-negative integer"))?)
                }
                None => None,
            };
            opts.default_headers = o.default_headers.unwrap_or_default().into_iter().collect();
            opts.log_level = match o.log_level {
                Some(level) => Some(level.parse().map_err(error::core)?),
                None => None,
            };
        }
        let b = cadenya::Client::builder().options(opts);
        let client = b.build().map_err(error::core)?;
        Ok(NativeClient { client })
    }

    #[napi(getter, js_name = "baseURL")]
    pub fn base_url(&self) -> String {
        self.client.config().base_url().to_string()
    }

    #[napi(getter)]
    pub fn workspace_id(&self) -> Option<String> {
        self.client.config().workspace_id().map(str::to_string)
    }

    /// Milliseconds.
    #[napi(getter)]
    pub fn timeout(&self) -> f64 {
        self.client.config().timeout().as_secs_f64() * 1000.0
    }

    #[napi(getter)]
    pub fn max_retries(&self) -> u32 {
        self.client.config().max_retries()
    }

    /// Whether a webhook secret is configured (the secret itself never leaves the core).
    #[napi(getter)]
    pub fn has_webhook_secret(&self) -> bool {
        self.client.config().webhook_secret().is_some()
    }

    /// A verifier for the client's webhook secret (configured or from the environment).
    #[napi(catch_unwind)]
    pub fn webhook(&self) -> Result<NativeWebhook> {
        let hook = self.client.webhooks().verifier(None).map_err(error::core)?;
        Ok(NativeWebhook::from_core(hook))
    }

    /// Sends one operation whose response is a model or empty. Resolves to the JSON text of the
    /// body (`""` for operations without a body).
    ///
    /// `path` and `query` are flat `[name, value, name, value, …]` lists of wire names; `body` is
    /// the JSON text of the body object.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    #[allow(clippy::too_many_arguments)]
    pub fn request<'env>(
        &self,
        env: &'env Env,
        operation: String,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        options: Option<CallOptions>,
        abort: Option<&AbortToken>,
    ) -> Result<PromiseRaw<'env, String>> {
        let call = self.prepare(&operation, &path, &query, body.as_deref(), options)?;
        if call.is_page() {
            return Err(error::invalid(format!("`{operation}` is a list: use requestPage")));
        }
        let registration = abort.map(AbortToken::register).transpose()?;
        let fut = async move {
            match call.send().await.map_err(|e| error::record(&e))?.body {
                Body::Json(raw) => Ok(String::from(Box::<str>::from(raw))),
                _ => Ok(String::new()),
            }
        };
        spawn_call(env, fut, registration)
    }

    /// Sends a list operation; resolves to its first page.
    #[napi(catch_unwind, ts_return_type = "Promise<NativePage>")]
    #[allow(clippy::too_many_arguments)]
    pub fn request_page<'env>(
        &self,
        env: &'env Env,
        operation: String,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        options: Option<CallOptions>,
        abort: Option<&AbortToken>,
    ) -> Result<PromiseRaw<'env, NativePage>> {
        let call = self.prepare(&operation, &path, &query, body.as_deref(), options)?;
        if !call.is_page() {
            return Err(error::invalid(format!("`{operation}` is not a list operation")));
        }
        let registration = abort.map(AbortToken::register).transpose()?;
        let fut = async move {
            match call.send().await.map_err(|e| error::record(&e))?.body {
                Body::Page(page) => NativePage::new(page),
                _ => Err(error::internal("a list operation answered without a page")),
            }
        };
        spawn_call(env, fut, registration)
    }

    /// Sends any operation and resolves to its response: status, headers and request id, with
    /// the body (a model's JSON text, or the first page) to take from it.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeRawResponse>")]
    #[allow(clippy::too_many_arguments)]
    pub fn request_raw<'env>(
        &self,
        env: &'env Env,
        operation: String,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        options: Option<CallOptions>,
        abort: Option<&AbortToken>,
    ) -> Result<PromiseRaw<'env, NativeRawResponse>> {
        let call = self.prepare(&operation, &path, &query, body.as_deref(), options)?;
        let registration = abort.map(AbortToken::register).transpose()?;
        let fut = async move {
            let r = call.send().await.map_err(|e| error::record(&e))?;
            let headers = r.header_pairs().into_iter().collect();
            let body = match r.body {
                Body::Empty => RawBody::Empty,
                Body::Json(raw) => RawBody::Json(String::from(Box::<str>::from(raw))),
                Body::Page(page) => RawBody::Page(NativePage::new(page)?),
            };
            Ok(NativeRawResponse { status: r.status, headers, request_id: r.request_id, body: Some(body) })
        };
        spawn_call(env, fut, registration)
    }
}

/// What a raw response carries besides its metadata.
enum RawBody {
    Empty,
    Json(String),
    Page(NativePage),
}

/// One response of `requestRaw`: status, headers and request id, and the body to take once.
#[napi]
pub struct NativeRawResponse {
    status: u16,
    headers: HashMap<String, String>,
    request_id: Option<String>,
    body: Option<RawBody>,
}

#[napi]
impl NativeRawResponse {
    #[napi(getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.status)
    }

    /// Header names in lower case.
    #[napi(getter)]
    pub fn headers(&self) -> HashMap<String, String> {
        self.headers.clone()
    }

    /// The `x-request-id` header.
    #[napi(getter)]
    pub fn request_id(&self) -> Option<String> {
        self.request_id.clone()
    }

    /// The JSON text of a model body (null for operations without one, or once taken).
    #[napi]
    pub fn take_body(&mut self) -> Option<String> {
        match self.body.take() {
            Some(RawBody::Json(text)) => Some(text),
            other => {
                self.body = other;
                None
            }
        }
    }

    /// The page of a list operation (null for other operations, or once taken).
    #[napi]
    pub fn take_page(&mut self) -> Option<NativePage> {
        match self.body.take() {
            Some(RawBody::Page(page)) => Some(page),
            other => {
                self.body = other;
                None
            }
        }
    }
}

impl NativeClient {
    fn prepare(
        &self,
        operation: &str,
        path: &[String],
        query: &[String],
        body: Option<&str>,
        options: Option<CallOptions>,
    ) -> Result<Prepared> {
        if path.len() % 2 != 0 || query.len() % 2 != 0 {
            return Err(error::invalid("path and query must be name/value pairs"));
        }
        let mut opts = contract::CallOptions::default();
        if let Some(o) = options {
            opts.timeout = o.timeout.map(|ms| duration_ms("timeout", ms)).transpose()?;
            opts.max_retries = o.max_retries.map(retries).transpose()?;
            opts.headers = o.headers.unwrap_or_default().into_iter().collect();
            opts.extra_query = o.query.unwrap_or_default().into_iter().collect();
            opts.idempotency_key = o.idempotency_key;
        }
        // JSON text in, JSON text out: the core checks it but never builds a tree of it.
        let input = CallInput {
            operation,
            path: &pairs(path),
            query: &pairs(query),
            body: body.map(DynamicBody::Text),
            options: opts,
        };
        contract::catch(|| self.client.prepare(input)).map_err(error::core)
    }
}

/// A flat `[name, value, name, value, …]` list as pairs.
fn pairs(flat: &[String]) -> Vec<(&str, &str)> {
    flat.chunks_exact(2).map(|c| (c[0].as_str(), c[1].as_str())).collect()
}

/// Starts one call as a Promise, abortable by its token.
fn spawn_call<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    fut: impl Future<Output = Result<T>> + Send + 'static,
    registration: Option<AbortRegistration>,
) -> Result<PromiseRaw<'env, T>> {
    settle::spawn(env, abortable(fut, registration))
}

/// Runs `fut` unless the token fires first; dropping the future drops the in-flight request.
async fn abortable<T>(fut: impl Future<Output = Result<T>>, registration: Option<AbortRegistration>) -> Result<T> {
    match registration {
        None => fut.await,
        Some(reg) => Abortable::new(fut, reg).await.unwrap_or_else(|_| Err(error::aborted())),
    }
}

/// The native half of an `AbortSignal`: the JS wrapper calls `abort()` from the signal's
/// `abort` event, which cancels the Rust future of the request it was passed to.
#[napi]
pub struct AbortToken {
    handle: AbortHandle,
    registration: Mutex<Option<AbortRegistration>>,
}

#[napi]
impl AbortToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let (handle, registration) = AbortHandle::new_pair();
        AbortToken { handle, registration: Mutex::new(Some(registration)) }
    }

    #[napi]
    pub fn abort(&self) {
        self.handle.abort();
    }

    fn register(&self) -> Result<AbortRegistration> {
        self.registration
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| error::invalid("an AbortToken can be used for one request only"))
    }
}

/// One page of a list: its items (JSON text) and the core's page, which knows how to fetch the
/// next one (same request, `cursor` = this page's `nextCursor`, same options).
#[napi]
pub struct NativePage {
    items: String,
    next_cursor: Option<String>,
    page: Arc<Page<RawJson>>,
}

impl NativePage {
    fn new(mut page: Page<RawJson>) -> Result<Self> {
        // One array text, made on the tokio thread, so the JS thread runs one JSON.parse.
        let items = page.take_items_json();
        Ok(NativePage { items, next_cursor: page.next_cursor.clone(), page: Arc::new(page) })
    }
}

#[napi]
impl NativePage {
    /// The JSON text of the page's items; empties the page's copy (call once).
    #[napi(ts_return_type = "string")]
    pub fn take_items(&mut self) -> JsonText {
        JsonText(std::mem::take(&mut self.items))
    }

    /// A walker over the pages after this one (for `for await` over items).
    #[napi]
    pub fn walk(&self) -> NativeWalker {
        NativeWalker { at: Arc::new(Mutex::new(Some(Arc::clone(&self.page)))) }
    }

    #[napi(getter)]
    pub fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }

    #[napi(getter)]
    pub fn has_next_page(&self) -> bool {
        self.page.has_next_page()
    }

    /// The next page, or `null` after the last one.
    #[napi(catch_unwind, ts_return_type = "Promise<NativePage | null>")]
    pub fn next_page<'env>(
        &self,
        env: &'env Env,
        abort: Option<&AbortToken>,
    ) -> Result<PromiseRaw<'env, Option<NativePage>>> {
        let page = Arc::clone(&self.page);
        let registration = abort.map(AbortToken::register).transpose()?;
        let fut = async move {
            match contract::next_page(&page).await.map_err(|e| error::record(&e))? {
                Some(next) => NativePage::new(next).map(Some),
                None => Ok(None),
            }
        };
        spawn_call(env, fut, registration)
    }
}

/// JSON text for JS. ASCII text (the usual JSON) crosses as Latin-1, which V8 copies without
/// decoding UTF-8.
pub struct JsonText(String);

#[allow(unsafe_code)] // the trait's method is `unsafe fn`; see the SAFETY note inside
impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        let text = val.0;
        let mut out = std::ptr::null_mut();
        // SAFETY: called by napi on the JS thread with its env; the buffer outlives the call.
        let status = unsafe {
            if text.is_ascii() {
                napi::sys::napi_create_string_latin1(env, text.as_ptr().cast(), text.len() as isize, &mut out)
            } else {
                napi::sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut out)
            }
        };
        if status == napi::sys::Status::napi_ok {
            Ok(out)
        } else {
            Err(error::internal(format!("could not make a string (napi status {status})")))
        }
    }
}

/// Fetches the pages after a given one, one at a time, resolving each to its items' JSON text:
/// what `for await` over items needs, without a page object per page.
#[napi]
pub struct NativeWalker {
    /// The page the walk stands on: the one it started from, then the last one it fetched.
    at: Arc<Mutex<Option<Arc<Page<RawJson>>>>>,
}

#[napi]
impl NativeWalker {
    /// The items of the next page as JSON text, or `null` after the last page.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next<'env>(&self, env: &'env Env, abort: Option<&AbortToken>) -> Result<PromiseRaw<'env, Option<JsonText>>> {
        let at = Arc::clone(&self.at);
        let registration = abort.map(AbortToken::register).transpose()?;
        let fut = async move {
            let Some(walk) = settle::lock(&at).take() else {
                return Err(error::invalid("this walk was interrupted; iterate again from a page"));
            };
            match contract::next_page(&walk).await {
                Ok(Some(mut page)) => {
                    let text = page.take_items_json();
                    *settle::lock(&at) = Some(Arc::new(page));
                    Ok(Some(JsonText(text)))
                }
                // At the end, or after an error, the walk stays where it was.
                other => {
                    *settle::lock(&at) = Some(walk);
                    other.map(|_| None).map_err(|e| error::record(&e))
                }
            }
        };
        spawn_call(env, fut, registration)
    }
}

/// The busy-poll window in microseconds (`CADENYA_BUSY_POLL_US`, 0 when off): the JS side keeps
/// its event loop awake for as long around a lone call, as the runtime's worker does.
#[napi]
pub fn busy_poll_window_micros() -> u32 {
    u32::try_from(BusyPoll::global().window().as_micros()).unwrap_or(u32::MAX)
}

/// One turn of the JS side's busy polling: gives this CPU to any thread waiting for it (the
/// I/O worker, or a local server) before the event loop polls again, as the worker does on
/// each of its turns.
#[napi]
pub fn busy_poll_turn() {
    std::thread::yield_now();
}
