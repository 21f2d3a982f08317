//! The native addon of the `cadenya` npm package: conversions over the core's binding contract
//! ([`cadenya::contract`]). Options in seconds, bodies as JSON text both ways, errors as the
//! marked JSON of an [`ErrorRecord`] (the generated `node/lib/errors.js` rebuilds the class).
//! Calls run on the core's runtime and settle napi-rs deferred promises, which napi-rs detaches
//! from a torn-down environment: a call ending after `process.exit` or a worker's end is dropped.

mod webhooks;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{self, Body, CallInput, CallSettings, ClientSettings, ErrorRecord};
use cadenya::contract::{ObjectiveEvents, ObjectiveSettings, Outcome, Session};
use cadenya::{json::RawJson, logging::LogRecord, Page};
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

/// The JS error of a record: its JSON after a marker (a record never holds a secret).
fn js_error(e: impl Into<ErrorRecord>) -> Error {
    Error::from_reason(format!("\u{1}cadenya:{}", e.into().to_json()))
}

/// Options of `new Cadenya(...)` (seconds); unset fields fall back to the environment.
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

/// Per-request options (seconds); `query` holds extra, already formatted parameters.
#[napi(object)]
#[derive(Default)]
pub struct CallOptions {
    pub timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub headers: Option<HashMap<String, String>>,
    pub idempotency_key: Option<String>,
    pub query: Option<HashMap<String, String>>,
    pub body: Option<String>,
}

/// The JS log function, called on the JS thread with a record's JSON text. Weak: it never keeps
/// Node alive, and napi-rs stops calling it once its environment is gone.
type LogFn = ThreadsafeFunction<String, (), String, Status, false, true>;

/// One client: the core's [`Session`] (client, connection pool, `close()`).
#[napi]
pub struct NativeClient {
    session: Arc<Session>,
}

#[napi]
impl NativeClient {
    #[napi(constructor, catch_unwind)]
    pub fn new(o: ClientOptions, log: Option<LogFn>) -> Result<Self> {
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
            logger: log.map(|f| {
                Arc::new(move |r: &LogRecord| _ = f.call(r.to_json(), ThreadsafeFunctionCallMode::NonBlocking)) as _
            }),
            ca_bundle_path: o.ca_bundle_path,
            ca_bundle_pem: o.ca_bundle_pem.map(|b| b.to_vec()),
            proxy: o.proxy,
            connect_timeout_secs: o.connect_timeout,
        };
        Ok(NativeClient { session: Arc::new(Session::new(settings).map_err(js_error)?) })
    }

    /// JSON of what the client resolved from options and environment: `baseURL`, `workspaceId`,
    /// `timeout` (ms), `maxRetries`, `busyPollMicros` (the core's window, 0 when off).
    #[napi]
    pub fn settings(&self) -> String {
        let (c, poll) = (self.session.config(), BusyPoll::global().window().as_micros());
        let timeout = c.timeout().as_secs_f64() * 1000.0;
        let (base_url, workspace_id, max_retries) = (c.base_url(), c.workspace_id(), c.max_retries());
        let json = serde_json::json!({ "baseURL": base_url, "workspaceId": workspace_id, "timeout": timeout,
            "maxRetries": max_retries, "busyPollMicros": poll });
        json.to_string()
    }

    #[napi]
    pub fn close(&self) {
        self.session.close();
    }

    /// A verifier for the client's webhook secret (configured or from the environment).
    #[napi(catch_unwind)]
    pub fn webhook(&self) -> Result<NativeWebhook> {
        let client = self.session.client().map_err(js_error)?;
        Ok(NativeWebhook(client.webhooks().verifier(None).map_err(js_error)?))
    }

    /// Sends one operation (`path`, `query`: flat `[name, value, …]` lists of wire names; `body`:
    /// JSON text). Resolves to JSON text, a page or `undefined`; with `raw`, see [`Reply`].
    #[napi(
        catch_unwind,
        ts_return_type = "Promise<string | NativePage | undefined | [number, Record<string, string>, string | null, string | null, NativePage | null]>"
    )]
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
        let o = options.unwrap_or_default();
        let options = CallSettings {
            timeout_secs: o.timeout,
            max_retries: o.max_retries,
            headers: o.headers.unwrap_or_default().into_iter().collect(),
            extra_query: o.query.unwrap_or_default().into_iter().collect(),
            idempotency_key: o.idempotency_key,
            workspace_id: None,
            extra_body: o.body,
        };
        let (path, query) = (pairs(&path), pairs(&query));
        let (body, options) = (body.as_deref().map(DynamicBody::Text), options.into_options().map_err(js_error)?);
        let input = CallInput { operation: &operation, path: &path, query: &query, body, options };
        let (fut, session) = (self.session.call(input), Arc::clone(&self.session));
        spawn(env, abort, async move { reply(fut.await, raw, &session) })
    }

    /// Polls an objective until its state is in `states` (default: the terminal ones); resolves
    /// to its JSON text, or rejects with `WaitTimeoutError` (`detail`: the last state).
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

    /// The objective's events in order, each once, after `afterEventId` when given.
    #[napi(catch_unwind)]
    pub fn follow_events(
        &self,
        id: String,
        after_event_id: Option<String>,
        timeout: Option<f64>,
        workspace_id: Option<String>,
    ) -> Result<NativeEvents> {
        let settings = ObjectiveSettings { after_event_id, timeout_secs: timeout, workspace_id, ..Default::default() };
        Ok(NativeEvents(self.session.follow_events(&id, settings).map_err(js_error)?))
    }
}

/// A flat `[name, value, …]` list as pairs.
fn pairs(flat: &[String]) -> Vec<(&str, &str)> {
    flat.chunks_exact(2).map(|c| (c[0].as_str(), c[1].as_str())).collect()
}

/// What a call resolves to: JSON text, a page, nothing, or (`raw`) `[status, headers (lower-case
/// names), request id, JSON text, page]`.
type Reply = Either4<JsonText, NativePage, (), RawReply>;
type RawReply = (u32, HashMap<String, String>, Option<String>, Option<JsonText>, Option<NativePage>);

fn reply(outcome: Outcome, raw: bool, session: &Arc<Session>) -> Result<Reply> {
    let r = outcome.map_err(js_error)?;
    let headers = if raw { r.header_pairs().into_iter().collect() } else { HashMap::new() };
    let (status, request_id) = (u32::from(r.status), r.request_id);
    Ok(match (r.body, raw) {
        (Body::Json(json), false) => Either4::A(json_text(json)),
        (Body::Page(p), false) => Either4::B(NativePage::new(p, session)),
        (Body::Empty, false) => Either4::C(()),
        (Body::Json(json), true) => Either4::D((status, headers, request_id, Some(json_text(json)), None)),
        (Body::Page(p), true) => Either4::D((status, headers, request_id, None, Some(NativePage::new(p, session)))),
        (Body::Empty, true) => Either4::D((status, headers, request_id, None, None)),
    })
}

/// JSON text for JS: ASCII (the usual JSON) crosses as Latin-1, which V8 copies as it is.
type JsonText = Either<Latin1String, String>;

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
/// (dropping the future drops its request). Returns its Promise, a napi-rs deferred settled on
/// the JS thread; a panic rejects it with `InternalError`.
fn spawn<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    abort: Option<&AbortToken>,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<Object<'env>> {
    let registration = abort.map(AbortToken::register).transpose()?;
    let runtime = contract::runtime().map_err(js_error)?;
    let (deferred, promise) = env.create_deferred()?;
    runtime.spawn(BusyPoll::global().track(async move {
        let fut = async move {
            let Some(reg) = registration else { return fut.await };
            let aborted = r#"{"name":"APIUserAbortError","kind":"aborted","message":"request was aborted"}"#;
            Abortable::new(fut, reg)
                .await
                .unwrap_or_else(|_| Err(Error::from_reason(format!("\u{1}cadenya:{aborted}"))))
        };
        match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(Ok(v)) => deferred.resolve(move |_| Ok(v)),
            Ok(Err(e)) => deferred.reject(e),
            Err(p) => deferred.reject(js_error(contract::panic_error(p.as_ref()))),
        }
    }));
    Ok(promise)
}

/// The native half of an `AbortSignal`: the JS side calls `abort()` from the signal's `abort`
/// event, which drops the future (and the request) of the call it was passed to.
#[napi]
pub struct AbortToken(AbortHandle, Mutex<Option<AbortRegistration>>);

#[napi]
impl AbortToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let (handle, registration) = AbortHandle::new_pair();
        AbortToken(handle, Mutex::new(Some(registration)))
    }

    #[napi]
    pub fn abort(&self) {
        self.0.abort();
    }

    fn register(&self) -> Result<AbortRegistration> {
        let taken = self.1.lock().ok().and_then(|mut r| r.take());
        taken.ok_or_else(|| js_error(ErrorRecord::invalid("an AbortToken can be used for one request only")))
    }
}

/// One page of a list: its items (JSON text) and the core's page, which fetches the next one.
#[napi]
pub struct NativePage {
    #[napi(readonly)]
    pub next_cursor: Option<String>,
    #[napi(readonly)]
    pub has_next_page: bool,
    items: Option<String>,
    page: Arc<Page<RawJson>>,
    session: Arc<Session>,
}

impl NativePage {
    fn new(mut page: Page<RawJson>, session: &Arc<Session>) -> Self {
        // One array text, made on the runtime's thread, so the JS thread runs one JSON.parse.
        let items = Some(page.take_items_json());
        let (next_cursor, has_next_page) = (page.next_cursor.clone(), page.has_next_page());
        NativePage { next_cursor, has_next_page, items, page: Arc::new(page), session: Arc::clone(session) }
    }
}

#[napi]
impl NativePage {
    /// The JSON text of the page's items (once; `"[]"` after).
    #[napi(ts_return_type = "string")]
    pub fn take_items(&mut self) -> JsonText {
        text(self.items.take().unwrap_or_else(|| "[]".into()))
    }

    /// The next page (same request and options, `cursor` = `nextCursor`), `undefined` at the end.
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
    /// The next event's JSON text; `null` once the objective is terminal and all is delivered.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn next<'env>(&self, env: &'env Env, abort: Option<&AbortToken>) -> Result<Object<'env>> {
        let fut = self.0.next();
        spawn(env, abort, async move { Ok(fut.await.map_err(js_error)?.map(json_text)) })
    }
}

/// A turn of the JS side's busy polling: yields this CPU (to the I/O worker or a local server).
#[napi]
pub fn busy_poll_turn() {
    std::thread::yield_now();
}
