//! The native addon of the `cadenya` npm package.
//!
//! It converts and nothing more, over the core's binding contract ([`cadenya::contract`]): JS
//! options into [`ClientSettings`] / [`CallSettings`] (the JS side turns milliseconds into
//! seconds), one call entry for every operation, bodies back as JSON text (the JS side
//! `JSON.parse`s them, faster than building objects through N-API), errors as the marked JSON
//! of the core's [`ErrorRecord`] (`node/lib/errors.js`, generated, rebuilds the class), and log
//! records to the client's JS logger. Every call runs on the core's runtime and settles a
//! napi-rs deferred promise, which napi-rs detaches from an environment being torn down, so a
//! call that ends after `process.exit` or a terminated worker touches nothing.

mod webhooks;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{self, Body, CallInput, CallSettings, ClientSettings, ErrorRecord};
use cadenya::contract::{ObjectiveEvents, ObjectiveSettings, Outcome, Session};
use cadenya::json::RawJson;
use cadenya::logging::{LogRecord, SharedLogSink};
use cadenya::Page;
use futures_util::future::{AbortHandle, AbortRegistration, Abortable};
use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

pub use webhooks::NativeWebhook;

/// Prefix of the message of every error the addon throws or rejects with.
const MARKER: &str = "\u{1}cadenya:";

/// The JS error of a record: its marked JSON (a record never holds a secret).
fn js_error(r: &ErrorRecord) -> Error {
    Error::from_reason(format!("{MARKER}{}", r.to_json()))
}

fn core_error(e: impl Into<ErrorRecord>) -> Error {
    js_error(&e.into())
}

fn aborted() -> Error {
    let r = r#"{"name":"APIUserAbortError","kind":"aborted","message":"request was aborted"}"#;
    Error::from_reason(format!("{MARKER}{r}"))
}

/// Options of `new Cadenya(...)`; durations in seconds. Unset fields fall back to the environment.
#[napi(object)]
pub struct ClientOptions {
    pub api_key: Option<String>,
    #[napi(js_name = "baseURL")]
    pub base_url: Option<String>,
    pub workspace_id: Option<String>,
    pub webhook_secret: Option<String>,
    pub timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub default_headers: Option<HashMap<String, String>>,
    pub log_level: Option<String>,
    pub ca_bundle_path: Option<String>,
    pub ca_bundle_pem: Option<Buffer>,
    pub proxy: Option<String>,
    pub connect_timeout: Option<f64>,
}

/// Per-request options; durations in seconds (the abort signal comes as an [`AbortToken`]).
#[napi(object)]
#[derive(Default)]
pub struct CallOptions {
    pub timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub headers: Option<HashMap<String, String>>,
    pub idempotency_key: Option<String>,
    /// Extra query parameters (already formatted).
    pub query: Option<HashMap<String, String>>,
}

/// The JS log function: called on the JS thread with one record's JSON text. Weak: it never
/// keeps Node alive, and napi-rs stops calling it once its environment is gone.
type LogFn = ThreadsafeFunction<String, (), String, Status, false, true>;

/// See [`NativeClient::settings`].
#[napi(object, object_from_js = false)]
pub struct Settings {
    #[napi(js_name = "baseURL")]
    pub base_url: String,
    pub workspace_id: Option<String>,
    pub timeout: f64,
    pub max_retries: u32,
}

/// One client: the core's [`Session`] (client, connection pool, `close()`).
#[napi]
pub struct NativeClient {
    session: Arc<Session>,
}

#[napi]
impl NativeClient {
    #[napi(constructor, catch_unwind)]
    pub fn new(o: ClientOptions, log: Option<LogFn>) -> Result<Self> {
        let logger = log.map(|f| -> SharedLogSink {
            Arc::new(move |r: &LogRecord| {
                f.call(r.to_json(), ThreadsafeFunctionCallMode::NonBlocking);
            })
        });
        let settings = ClientSettings {
            api_key: o.api_key,
            base_url: o.base_url,
            workspace_id: o.workspace_id,
            webhook_secret: o.webhook_secret,
            timeout_secs: o.timeout,
            max_retries: o.max_retries,
            default_headers: o.default_headers.unwrap_or_default().into_iter().collect(),
            user_agent: Some(concat!("cadenya-node/", env!("CARGO_PKG_VERSION")).into()),
            log_level: o.log_level,
            logger,
            ca_bundle_path: o.ca_bundle_path,
            ca_bundle_pem: o.ca_bundle_pem.map(|b| b.to_vec()),
            proxy: o.proxy,
            connect_timeout_secs: o.connect_timeout,
        };
        let session = Session::new(settings).map_err(|e| js_error(&e))?;
        Ok(NativeClient { session: Arc::new(session) })
    }

    /// What the client resolved from its options and the environment (timeout in milliseconds).
    #[napi]
    pub fn settings(&self) -> Settings {
        let c = self.session.config();
        let timeout = c.timeout().as_secs_f64() * 1000.0;
        let workspace_id = c.workspace_id().map(str::to_string);
        Settings { base_url: c.base_url().to_string(), workspace_id, timeout, max_retries: c.max_retries() }
    }

    /// Fails later calls and ends the ones in flight (their requests are dropped).
    #[napi]
    pub fn close(&self) {
        self.session.close();
    }

    /// A verifier for the client's webhook secret (configured or from the environment).
    #[napi(catch_unwind)]
    pub fn webhook(&self) -> Result<NativeWebhook> {
        let client = self.session.client().map_err(core_error)?;
        Ok(NativeWebhook::from_core(client.webhooks().verifier(None).map_err(core_error)?))
    }

    /// Sends one operation. `path` and `query` are flat `[name, value, …]` lists of wire names,
    /// `body` the JSON text of the body. Resolves to the body's JSON text, a [`NativePage`] or
    /// `undefined`; with `raw`, to a [`NativeResponse`] holding one of them.
    #[napi(catch_unwind, ts_return_type = "Promise<string | NativePage | NativeResponse | undefined>")]
    #[allow(clippy::too_many_arguments)]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        operation: String,
        path: Vec<String>,
        query: Vec<String>,
        body: Option<String>,
        options: Option<CallOptions>,
        raw: bool,
        abort: Option<&AbortToken>,
    ) -> Result<Object<'env>> {
        if path.len() % 2 != 0 || query.len() % 2 != 0 {
            return Err(core_error(ErrorRecord::invalid("path and query must be name/value pairs")));
        }
        let o = options.unwrap_or_default();
        let options = CallSettings {
            timeout_secs: o.timeout,
            max_retries: o.max_retries,
            headers: o.headers.unwrap_or_default().into_iter().collect(),
            extra_query: o.query.unwrap_or_default().into_iter().collect(),
            idempotency_key: o.idempotency_key,
            workspace_id: None,
        }
        .into_options()
        .map_err(core_error)?;
        let (path, query) = (pairs(&path), pairs(&query));
        let input = CallInput { operation: &operation, path: &path, query: &query, body: body.as_deref().map(DynamicBody::Text), options };
        let (fut, session) = (self.session.call(input), Arc::clone(&self.session));
        spawn(env, abort, async move { reply(fut.await, raw, &session) })
    }

    /// Polls an objective until its state is one of `states` (default: the terminal ones);
    /// resolves to its JSON text, or rejects with `WaitTimeoutError` (`detail`: the last state).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn wait_objective<'env>(
        &self,
        env: &'env Env,
        id: String,
        states: Vec<String>,
        timeout: Option<f64>,
        workspace_id: Option<String>,
        abort: Option<&AbortToken>,
    ) -> Result<Object<'env>> {
        let settings = ObjectiveSettings { states, timeout_secs: timeout, workspace_id, ..Default::default() };
        let (fut, session) = (self.session.wait_objective(&id, settings), Arc::clone(&self.session));
        spawn(env, abort, async move { reply(fut.await, false, &session) })
    }

    /// The objective's events in order, each once, resuming after `afterEventId` when given.
    #[napi(catch_unwind)]
    pub fn follow_events(
        &self,
        id: String,
        after_event_id: Option<String>,
        timeout: Option<f64>,
        workspace_id: Option<String>,
    ) -> Result<NativeEvents> {
        let settings = ObjectiveSettings { after_event_id, timeout_secs: timeout, workspace_id, ..Default::default() };
        Ok(NativeEvents(self.session.follow_events(&id, settings).map_err(|e| js_error(&e))?))
    }
}

/// A flat `[name, value, name, value, …]` list as pairs.
fn pairs(flat: &[String]) -> Vec<(&str, &str)> {
    flat.chunks_exact(2).map(|c| (c[0].as_str(), c[1].as_str())).collect()
}

/// What a call resolves to: JSON text, a page, a raw response, or nothing.
type Reply = Either4<JsonText, NativePage, NativeResponse, ()>;

fn reply(outcome: Outcome, raw: bool, session: &Arc<Session>) -> Result<Reply> {
    let r = outcome.map_err(|e| js_error(&e))?;
    if raw {
        let headers = r.header_pairs().into_iter().collect();
        let (body, page) = match r.body {
            Body::Empty => (None, None),
            Body::Json(json) => (Some(json_text(json)), None),
            Body::Page(p) => (None, Some(NativePage::new(p, session))),
        };
        let status = u32::from(r.status);
        return Ok(Either4::C(NativeResponse { status, headers, request_id: r.request_id, body, page }));
    }
    Ok(match r.body {
        Body::Empty => Either4::D(()),
        Body::Json(json) => Either4::A(json_text(json)),
        Body::Page(p) => Either4::B(NativePage::new(p, session)),
    })
}

/// One response with its metadata (`raw` calls): status, headers (lower-case names), request id,
/// and the body as JSON text or a page.
#[napi(object, object_from_js = false)]
pub struct NativeResponse {
    pub status: u32,
    pub headers: HashMap<String, String>,
    pub request_id: Option<String>,
    #[napi(ts_type = "string | null")]
    pub body: Option<JsonText>,
    pub page: Option<NativePage>,
}

/// JSON text for JS: ASCII (the usual JSON) crosses as Latin-1, which V8 copies as it is.
pub type JsonText = Either<Latin1String, String>;

fn json_text(json: RawJson) -> JsonText {
    text(String::from(Box::<str>::from(json)))
}

fn text(s: String) -> JsonText {
    if s.is_ascii() {
        Either::A(Latin1String::from(s))
    } else {
        Either::B(s)
    }
}

/// Runs `fut` on the core's runtime, tracked by the busy poller, unless `abort` fires first
/// (dropping the future drops its request), and returns its Promise: a napi-rs deferred, settled
/// on the JS thread. A panic rejects it with `InternalError`.
fn spawn<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    abort: Option<&AbortToken>,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<Object<'env>> {
    let registration = abort.map(AbortToken::register).transpose()?;
    let runtime = contract::runtime().map_err(core_error)?;
    let (deferred, promise) = env.create_deferred()?;
    let fut = async move {
        match registration {
            None => fut.await,
            Some(reg) => Abortable::new(fut, reg).await.unwrap_or_else(|_| Err(aborted())),
        }
    };
    runtime.spawn(BusyPoll::global().track(async move {
        match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(Ok(v)) => deferred.resolve(move |_| Ok(v)),
            Ok(Err(e)) => deferred.reject(e),
            Err(p) => deferred.reject(core_error(contract::panic_error(p.as_ref()))),
        }
    }));
    Ok(promise)
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
        let taken = self.registration.lock().ok().and_then(|mut r| r.take());
        taken.ok_or_else(|| core_error(ErrorRecord::invalid("an AbortToken can be used for one request only")))
    }
}

/// One page of a list: its items (JSON text) and the core's page, which fetches the next one
/// (same request and options, `cursor` = this page's `nextCursor`).
#[napi]
pub struct NativePage {
    items: Option<String>,
    next_cursor: Option<String>,
    page: Arc<Page<RawJson>>,
    session: Arc<Session>,
}

impl NativePage {
    fn new(mut page: Page<RawJson>, session: &Arc<Session>) -> Self {
        // One array text, made on the runtime's thread, so the JS thread runs one JSON.parse.
        let items = Some(page.take_items_json());
        NativePage { items, next_cursor: page.next_cursor.clone(), page: Arc::new(page), session: Arc::clone(session) }
    }
}

#[napi]
impl NativePage {
    /// The JSON text of the page's items (once; `"[]"` after).
    #[napi(ts_return_type = "string")]
    pub fn take_items(&mut self) -> JsonText {
        text(self.items.take().unwrap_or_else(|| "[]".into()))
    }

    #[napi(getter)]
    pub fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }

    #[napi(getter)]
    pub fn has_next_page(&self) -> bool {
        self.page.has_next_page()
    }

    /// The next page, or `undefined` after the last one.
    #[napi(catch_unwind, ts_return_type = "Promise<NativePage | undefined>")]
    pub fn next_page<'env>(&self, env: &'env Env, abort: Option<&AbortToken>) -> Result<Object<'env>> {
        let (fut, session) = (self.session.next_page(Arc::clone(&self.page)), Arc::clone(&self.session));
        spawn(env, abort, async move { reply(fut.await, false, &session) })
    }
}

/// An objective's events being followed (`client.objectives.followEvents`).
#[napi]
pub struct NativeEvents(ObjectiveEvents);

#[napi]
impl NativeEvents {
    /// The next event's JSON text, or `null` once the objective is terminal and every event is
    /// delivered.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next<'env>(&self, env: &'env Env, abort: Option<&AbortToken>) -> Result<Object<'env>> {
        let fut = self.0.next();
        spawn(env, abort, async move { Ok(fut.await.map_err(|e| js_error(&e))?.map(json_text)) })
    }

    /// The id of the last event delivered (or the resume point).
    #[napi(getter)]
    pub fn last_event_id(&self) -> Option<String> {
        self.0.last_event_id()
    }
}

/// The busy-poll window in microseconds (`CADENYA_BUSY_POLL_US`, 0 when off): the JS side keeps
/// its event loop awake for as long around a lone call, as the runtime's worker does.
#[napi]
pub fn busy_poll_window_micros() -> u32 {
    u32::try_from(BusyPoll::global().window().as_micros()).unwrap_or(u32::MAX)
}

/// One turn of the JS side's busy polling: gives this CPU to any thread waiting for it (the
/// I/O worker, or a local server) before the event loop polls again.
#[napi]
pub fn busy_poll_turn() {
    std::thread::yield_now();
}
