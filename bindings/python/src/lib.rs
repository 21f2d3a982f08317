//! `cadenya._native`: the PyO3 binding of the Cadenya core.
//!
//! This module converts arguments, values, errors and async; everything else (auth, retries,
//! timeouts, pagination, error mapping, webhook verification) is the core's. The typed Python
//! surface (`cadenya.resources`, `cadenya.types`) is generated and calls in through
//! [`NativeClient::call`] / [`NativeClient::call_async`] with wire names.
//!
//! Rules kept here:
//! - The GIL is released while a sync call waits on the network; async calls run on the
//!   module's tokio runtime and resolve an asyncio future through `call_soon_threadsafe`.
//! - No Rust panic reaches Python as a panic: every entry point catches unwinds and raises
//!   `cadenya.CadenyaError` instead.
//! - After `os.fork()` the child gets a fresh runtime and fresh connection pools (detected by a
//!   pid change), so both the sync and the async client keep working there.

mod convert;
mod errors;
mod runtime;
mod webhooks;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::{DynamicBody, DynamicCall, RawJson};
use cadenya::{Call, Client, ClientBuilder, Page};
use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::time::Duration;

/// Per-call options, as the generated code passes them:
/// `(timeout_s, max_retries, headers, extra_query, idempotency_key)`.
type OptsArg = (Option<f64>, Option<u32>, Option<Vec<(String, String)>>, Option<Vec<(String, String)>>, Option<String>);

#[derive(Default, Clone)]
struct Opts {
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    headers: Vec<(String, String)>,
    extra_query: Vec<(String, String)>,
    idempotency_key: Option<String>,
    workspace_id: Option<String>,
}

impl Opts {
    fn apply<T>(&self, mut call: Call<T>) -> Call<T> {
        if let Some(t) = self.timeout {
            call = call.timeout(t);
        }
        if let Some(n) = self.max_retries {
            call = call.max_retries(n);
        }
        for (k, v) in &self.headers {
            call = call.header(k.clone(), v.clone());
        }
        for (k, v) in &self.extra_query {
            call = call.query(k.clone(), v.clone());
        }
        if let Some(k) = &self.idempotency_key {
            call = call.idempotency_key(k.clone());
        }
        if let Some(w) = &self.workspace_id {
            call = call.workspace_id(w.clone());
        }
        call
    }
}

fn seconds(name: &str, s: f64) -> Result<Duration, cadenya::Error> {
    if !(s.is_finite() && s > 0.0) {
        return Err(cadenya::Error::InvalidRequest { message: format!("{name} must be a positive number of seconds") });
    }
    Duration::try_from_secs_f64(s)
        .map_err(|_| cadenya::Error::InvalidRequest { message: format!("{name} is out of range") })
}

/// What came back from one call, before conversion to Python. JSON stays text until it is
/// handed to Python's `json.loads`, which builds Python objects faster than going through a
/// serde_json tree (and shares repeated keys within one document).
enum Outcome {
    Empty,
    Json(RawJson),
    Page(Page<RawJson>),
}

/// Status, headers and request id for `with_raw_response`.
struct RawMeta {
    status: u16,
    headers: Vec<(String, String)>,
    request_id: Option<String>,
}

type CallResult = Result<(Outcome, Option<RawMeta>), cadenya::Error>;

fn meta<T>(r: &cadenya::ApiResponse<T>) -> RawMeta {
    RawMeta {
        status: r.status,
        headers: r
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        request_id: r.request_id.clone(),
    }
}

async fn run(call: DynamicCall<RawJson>, raw: bool) -> CallResult {
    Ok(match (call, raw) {
        (DynamicCall::Empty(c), false) => (c.send().await.map(|()| Outcome::Empty)?, None),
        (DynamicCall::Json(c), false) => (Outcome::Json(c.send().await?), None),
        (DynamicCall::Page(c), false) => (Outcome::Page(c.send().await?), None),
        (DynamicCall::Empty(c), true) => {
            let r = c.with_raw_response().await?;
            (Outcome::Empty, Some(meta(&r)))
        }
        (DynamicCall::Json(c), true) => {
            let r = c.with_raw_response().await?;
            let m = meta(&r);
            (Outcome::Json(r.data), Some(m))
        }
        (DynamicCall::Page(c), true) => {
            let r = c.with_raw_response().await?;
            let m = meta(&r);
            (Outcome::Page(r.data), Some(m))
        }
    })
}

/// Runs `fut` to completion with panics turned into an error value.
async fn guarded<F, T>(fut: F) -> Result<T, cadenya::Error>
where
    F: std::future::Future<Output = Result<T, cadenya::Error>>,
{
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => Err(errors::panic_error(&p)),
    }
}

/// Converts a finished call into Python: `None`, the decoded JSON, a `NativePage`, or for raw
/// calls `(status, headers, request_id, value)`.
fn to_python(py: Python<'_>, result: CallResult) -> PyResult<Py<PyAny>> {
    let (outcome, raw) = result.map_err(|e| errors::to_pyerr(py, &e))?;
    let value = match outcome {
        Outcome::Empty => py.None(),
        Outcome::Json(v) => json_loads(py, v.get())?.unbind(),
        Outcome::Page(p) => Py::new(py, NativePage::new(py, p)?)?.into_any(),
    };
    match raw {
        None => Ok(value),
        Some(m) => Ok(PyTuple::new(
            py,
            [
                m.status.into_pyobject(py)?.into_any().unbind(),
                m.headers.into_pyobject(py)?.into_any().unbind(),
                m.request_id.into_pyobject(py)?.into_any().unbind(),
                value,
            ],
        )?
        .into_any()
        .unbind()),
    }
}

/// Blocks on `fut` on the module runtime with the GIL released, panics caught.
fn block_on<T: Send + 'static>(
    py: Python<'_>,
    fut: impl std::future::Future<Output = Result<T, cadenya::Error>> + Send,
) -> Result<T, cadenya::Error> {
    let rt = runtime::get()?;
    py.detach(|| {
        std::panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(BusyPoll::global().track(guarded(fut)))))
            .unwrap_or_else(|p| Err(errors::panic_error(&p)))
    })
}

static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Starts `fut` on the runtime and returns an asyncio future of the running loop that receives
/// its converted result. Cancelling the asyncio future aborts the Rust task.
fn spawn_awaitable<F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    F: std::future::Future<Output = CallResult> + Send + 'static,
{
    let get_loop = GET_RUNNING_LOOP.import(py, "asyncio", "get_running_loop")?;
    let event_loop = get_loop.call0()?;
    let py_fut = event_loop.call_method0("create_future")?;
    let rt = runtime::get().map_err(|e| errors::to_pyerr(py, &e))?;
    let target = py_fut.clone().unbind();
    let loop_ref = event_loop.unbind();
    let handle = rt.spawn(async move {
        let result = BusyPoll::global().track(guarded(fut)).await;
        Python::attach(|py| {
            let resolve = RESOLVE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                Ok(py.import("cadenya._core")?.getattr("_resolve")?.unbind())
            });
            let Ok(resolve) = resolve else { return };
            let (ok, value) = match to_python(py, result) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            // The loop may already be closed (the program is exiting): nothing to resolve then.
            let _ = loop_ref.call_method1(py, "call_soon_threadsafe", (resolve, target, ok, value));
        });
    });
    let canceller = Py::new(py, Canceller { handle: handle.abort_handle() })?;
    py_fut.call_method1("add_done_callback", (canceller,))?;
    Ok(py_fut.unbind())
}

/// Done-callback of an awaitable: aborts the Rust task when the asyncio future was cancelled.
#[pyclass(frozen, module = "cadenya._native")]
struct Canceller {
    handle: tokio::task::AbortHandle,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.handle.abort();
        }
        Ok(())
    }
}

/// The core client behind `cadenya.Cadenya` / `cadenya.AsyncCadenya`.
#[pyclass(frozen, module = "cadenya._native")]
struct NativeClient {
    builder: ClientBuilder,
    pid: u32,
    client: Client,
    /// The client rebuilt in a forked child (leaked on purpose: a fork is rare and the old
    /// pool's sockets belong to the parent).
    forked: AtomicPtr<(u32, Client)>,
    closed: AtomicBool,
    workspace_id: Option<String>,
    base_url: String,
}

impl NativeClient {
    fn client(&self) -> Result<Client, cadenya::Error> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(cadenya::Error::Configuration { message: "the client is closed".into() });
        }
        let pid = std::process::id();
        if pid == self.pid {
            return Ok(self.client.clone());
        }
        let p = self.forked.load(Ordering::Acquire);
        if !p.is_null() {
            // SAFETY: non-null pointers stored in `forked` come from `Box::into_raw` and are never freed.
            let slot = unsafe { &*p };
            if slot.0 == pid {
                return Ok(slot.1.clone());
            }
        }
        let fresh = self.builder.build()?;
        let slot = Box::into_raw(Box::new((pid, fresh.clone())));
        self.forked.store(slot, Ordering::Release);
        Ok(fresh)
    }

    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        op: &str,
        path: &[String],
        workspace_id: Option<String>,
        query: Option<Vec<(String, String)>>,
        body: Option<&Bound<'_, PyAny>>,
        opts: Option<OptsArg>,
    ) -> Result<DynamicCall<RawJson>, cadenya::Error> {
        let client = self.client()?;
        let def = cadenya::catalog::find(op)
            .ok_or_else(|| cadenya::Error::InvalidRequest { message: format!("unknown operation `{op}`") })?;
        let mut names = def.path_params.iter().filter(|n| **n != "workspaceId");
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(path.len());
        for value in path {
            let name = names.next().ok_or_else(|| cadenya::Error::InvalidRequest {
                message: format!("`{op}` takes {} path parameters", pairs.len()),
            })?;
            pairs.push((name, value.as_str()));
        }
        let query = query.unwrap_or_default();
        let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = match body {
            Some(b) if !b.is_none() => Some(convert::from_py(b)?),
            _ => None,
        };
        let call = client.dynamic_call_raw(op, &pairs, &q, body.as_ref().map(DynamicBody::Value))?;
        let mut o = Opts { workspace_id, ..Opts::default() };
        if let Some((timeout, max_retries, headers, extra_query, idem)) = opts {
            o.timeout = timeout.map(|t| seconds("timeout", t)).transpose()?;
            o.max_retries = max_retries;
            o.headers = headers.unwrap_or_default();
            o.extra_query = extra_query.unwrap_or_default();
            o.idempotency_key = idem;
        }
        if let Some(w) = &o.workspace_id {
            if w.trim().is_empty() {
                return Err(cadenya::Error::InvalidRequest { message: "workspace_id must not be blank".into() });
            }
        }
        Ok(match call {
            DynamicCall::Empty(c) => DynamicCall::Empty(o.apply(c)),
            DynamicCall::Json(c) => DynamicCall::Json(o.apply(c)),
            DynamicCall::Page(c) => DynamicCall::Page(o.apply(c)),
        })
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (api_key=None, base_url=None, workspace_id=None, webhook_secret=None, timeout=None, max_retries=None, default_headers=None, user_agent=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        workspace_id: Option<String>,
        webhook_secret: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        default_headers: Option<Vec<(String, String)>>,
        user_agent: Option<String>,
    ) -> PyResult<Self> {
        let built = errors::catch(|| {
            let timeout = match timeout {
                Some(t) => {
                    Some(seconds("timeout", t).map_err(|e| cadenya::Error::Configuration { message: e.to_string() })?)
                }
                None => None,
            };
            let b = Client::builder().options(cadenya::ClientOptions {
                api_key,
                base_url,
                workspace_id,
                webhook_secret,
                timeout,
                max_retries,
                default_headers: default_headers.unwrap_or_default(),
                user_agent,
                log_level: None,
                ..Default::default()
            });
            let client = b.build()?;
            Ok((b, client))
        });
        let (builder, client) = built.map_err(|e| errors::to_pyerr(py, &e))?;
        let workspace_id = client.config().workspace_id().map(str::to_string);
        let base_url = client.config().base_url().to_string();
        Ok(NativeClient {
            builder,
            pid: std::process::id(),
            client,
            forked: AtomicPtr::new(std::ptr::null_mut()),
            closed: AtomicBool::new(false),
            workspace_id,
            base_url,
        })
    }

    /// The default workspace (`None` when neither passed nor in the environment).
    #[getter]
    fn workspace_id(&self) -> Option<String> {
        self.workspace_id.clone()
    }

    #[getter]
    fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[getter]
    fn has_webhook_secret(&self) -> bool {
        self.client.config().webhook_secret().is_some()
    }

    /// Marks the client closed; later calls raise `CadenyaError`. Connections close when the
    /// last in-flight call finishes.
    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    #[getter]
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Calls one operation and blocks (GIL released) until it completes.
    #[pyo3(signature = (op, path, workspace_id=None, query=None, body=None, opts=None, raw=false))]
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        py: Python<'_>,
        op: &str,
        path: Vec<String>,
        workspace_id: Option<String>,
        query: Option<Vec<(String, String)>>,
        body: Option<&Bound<'_, PyAny>>,
        opts: Option<OptsArg>,
        raw: bool,
    ) -> PyResult<Py<PyAny>> {
        let prepared = errors::catch(|| self.prepare(op, &path, workspace_id, query, body, opts));
        let call = prepared.map_err(|e| errors::to_pyerr(py, &e))?;
        let result = block_on(py, run(call, raw));
        to_python(py, result)
    }

    /// Like `call`, but returns an awaitable of the running asyncio loop; never blocks it.
    #[pyo3(signature = (op, path, workspace_id=None, query=None, body=None, opts=None, raw=false))]
    #[allow(clippy::too_many_arguments)]
    fn call_async(
        &self,
        py: Python<'_>,
        op: &str,
        path: Vec<String>,
        workspace_id: Option<String>,
        query: Option<Vec<(String, String)>>,
        body: Option<&Bound<'_, PyAny>>,
        opts: Option<OptsArg>,
        raw: bool,
    ) -> PyResult<Py<PyAny>> {
        let prepared = errors::catch(|| self.prepare(op, &path, workspace_id, query, body, opts));
        let call = prepared.map_err(|e| errors::to_pyerr(py, &e))?;
        spawn_awaitable(py, run(call, raw))
    }

    /// A webhook verifier for `secret`, or for the client's configured secret.
    #[pyo3(signature = (secret=None, now=None))]
    fn webhook(&self, py: Python<'_>, secret: Option<&str>, now: Option<f64>) -> PyResult<webhooks::NativeWebhook> {
        let hook =
            errors::catch(|| Ok(self.client.webhooks().verifier(secret)?)).map_err(|e| errors::to_pyerr(py, &e))?;
        Ok(webhooks::NativeWebhook::from_hook(hook, now))
    }

    fn __repr__(&self) -> String {
        format!("NativeClient(base_url={:?}, workspace_id={:?})", self.base_url, self.workspace_id)
    }
}

/// One page of a list: `items` (decoded JSON objects), the next cursor, and the next page.
#[pyclass(frozen, module = "cadenya._native")]
struct NativePage {
    items: Py<PyList>,
    next_cursor: Option<String>,
    /// The page with its items taken out: what `next_page` needs.
    page: std::sync::Arc<Page<RawJson>>,
}

impl NativePage {
    fn new(py: Python<'_>, mut page: Page<RawJson>) -> PyResult<Self> {
        // One `json.loads` per page.
        let list = json_loads(py, &page.take_items_json())?.cast_into::<PyList>()?;
        Ok(NativePage { items: list.unbind(), next_cursor: page.next_cursor.clone(), page: std::sync::Arc::new(page) })
    }
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Python's `json.loads` on JSON text the core has already checked.
fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS.import(py, "json", "loads")?.call1((text,))
}

async fn next_of(page: std::sync::Arc<Page<RawJson>>) -> CallResult {
    Ok(match page.next_page().await? {
        Some(p) => (Outcome::Page(p), None),
        None => (Outcome::Empty, None),
    })
}

#[pymethods]
impl NativePage {
    #[getter]
    fn items(&self, py: Python<'_>) -> Py<PyList> {
        self.items.clone_ref(py)
    }

    #[getter]
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }

    fn has_next_page(&self) -> bool {
        self.page.has_next_page()
    }

    /// The next page (blocking, GIL released), or `None` after the last one.
    fn next_page(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, block_on(py, next_of(self.page.clone())))
    }

    /// Awaitable of the next page, or of `None` after the last one.
    fn next_page_async(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        spawn_awaitable(py, next_of(self.page.clone()))
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClient>()?;
    m.add_class::<NativePage>()?;
    m.add_class::<webhooks::NativeWebhook>()?;
    m.add_function(wrap_pyfunction!(webhooks::unsafe_unwrap_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
