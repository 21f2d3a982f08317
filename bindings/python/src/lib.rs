//! `cadenya._native`: the PyO3 binding of the Cadenya core.
//!
//! It converts Python values into the core's binding contract (`cadenya::contract`: one call
//! entry, one response, one error record, one webhook entry) and back, and runs calls in
//! Python's models: sync calls block with the GIL released, async calls resolve an asyncio
//! future on its loop thread (`completion`: runtime threads never take the GIL, and no thread
//! takes it back once the interpreter has begun to exit, `runtime`). Retries, timeouts, paging, error classes, panics and
//! webhook rules are the core's. After `os.fork()` the child gets a fresh runtime and client.

mod completion;
mod convert;
mod errors;
// The runtime slot is a leaked, lock-free pointer (fork safety); its `unsafe` is justified there.
#[allow(unsafe_code)]
mod runtime;
mod webhooks;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{self, Body, CallInput, CallOptions, ErrorRecord, Prepared, Response};
use cadenya::json::RawJson;
use cadenya::{Client, ClientBuilder, Page};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::Arc;

/// Per-call options, as the generated code passes them:
/// `(timeout_s, max_retries, headers, extra_query, idempotency_key)`.
type OptsArg = (Option<f64>, Option<u32>, Option<Vec<(String, String)>>, Option<Vec<(String, String)>>, Option<String>);

type Outcome = Result<Response, ErrorRecord>;

/// Converts a finished call into Python: `None`, the decoded JSON, a `NativePage`, or for raw
/// calls `(status, headers, request_id, value)`.
fn to_python(py: Python<'_>, result: Outcome, raw: bool) -> PyResult<Py<PyAny>> {
    let r = result.map_err(|e| errors::to_pyerr(py, &e))?;
    let headers = if raw { r.header_pairs() } else { Vec::new() };
    let value = match r.body {
        Body::Empty => py.None(),
        Body::Json(v) => json_loads(py, v.get())?.unbind(),
        Body::Page(p) => Py::new(py, NativePage::new(py, p)?)?.into_any(),
    };
    if !raw {
        return Ok(value);
    }
    let meta = (r.status, headers, r.request_id, value);
    Ok(meta.into_pyobject(py)?.into_any().unbind())
}

fn runtime(py: Python<'_>) -> PyResult<&'static tokio::runtime::Runtime> {
    runtime::get().map_err(|e| errors::core(py, e))
}

/// Blocks on `fut` on the module runtime with the GIL released and converts its result once
/// the GIL is back (see `runtime::block_on` for interpreter exit).
fn call_blocking(py: Python<'_>, fut: impl Future<Output = Outcome> + Send, raw: bool) -> PyResult<Py<PyAny>> {
    runtime::block_on(py, BusyPoll::global().track(fut), |py, r| to_python(py, r, raw))
}

/// Starts `fut` on the runtime and returns an asyncio future of the running loop that receives
/// its converted result (through `completion`). Cancelling the asyncio future aborts the task.
fn spawn_awaitable<F>(py: Python<'_>, fut: F, raw: bool) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let fut = BusyPoll::global().track(fut);
    completion::spawn(py, runtime(py)?, async move { (fut.await, raw) }, |py, (r, raw)| to_python(py, r, raw))
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
    /// Flips to true on `close()`: calls in flight then end with the "client is closed" error.
    closing: tokio::sync::watch::Sender<bool>,
}

fn closed_error() -> cadenya::Error {
    cadenya::Error::Configuration { message: "the client is closed".into() }
}

impl NativeClient {
    /// `fut`, cut short (and its request dropped) when the client is closed meanwhile.
    fn until_closed(&self, fut: impl Future<Output = Outcome>) -> impl Future<Output = Outcome> {
        let mut closing = self.closing.subscribe();
        async move {
            tokio::select! {
                r = fut => r,
                _ = closing.wait_for(|closed| *closed) => Err(closed_error().into()),
            }
        }
    }

    fn client(&self) -> Result<Client, cadenya::Error> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(closed_error());
        }
        let pid = std::process::id();
        if pid == self.pid {
            return Ok(self.client.clone());
        }
        let p = self.forked.load(Ordering::Acquire);
        if !p.is_null() {
            // SAFETY: non-null pointers stored in `forked` come from `Box::into_raw` and are never freed.
            #[allow(unsafe_code)]
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

    fn prepare(
        &self,
        op: &str,
        path: &[String],
        workspace_id: Option<String>,
        query: Option<Vec<(String, String)>>,
        body: Option<&Bound<'_, PyAny>>,
        opts: Option<OptsArg>,
    ) -> Result<Prepared, cadenya::Error> {
        let client = self.client()?;
        let names: Vec<&str> = contract::path_names(op)?.collect();
        if path.len() > names.len() {
            return Err(cadenya::Error::InvalidRequest {
                message: format!("`{op}` takes {} path parameters", names.len()),
            });
        }
        let pairs: Vec<(&str, &str)> = names.into_iter().zip(path.iter().map(String::as_str)).collect();
        let query = query.unwrap_or_default();
        let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = match body {
            Some(b) if !b.is_none() => Some(convert::from_py(b)?),
            _ => None,
        };
        let mut options = CallOptions { workspace_id, ..CallOptions::default() };
        if let Some((timeout, max_retries, headers, extra_query, idem)) = opts {
            options.timeout = timeout.map(|t| contract::seconds("timeout", t)).transpose()?;
            options.max_retries = max_retries;
            options.headers = headers.unwrap_or_default();
            options.extra_query = extra_query.unwrap_or_default();
            options.idempotency_key = idem;
        }
        let body = body.as_ref().map(DynamicBody::Value);
        client.prepare(CallInput { operation: op, path: &pairs, query: &q, body, options })
    }
}

async fn page_call(page: Arc<Page<RawJson>>) -> Outcome {
    let next = contract::next_page(&page).await?;
    let body = next.map(Body::Page).unwrap_or(Body::Empty);
    Ok(Response { status: 200, headers: Default::default(), request_id: None, body })
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
        let built = contract::catch(|| {
            let timeout = timeout
                .map(|t| contract::seconds("timeout", t))
                .transpose()
                .map_err(|e| cadenya::Error::Configuration { message: e.to_string() })?;
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
        let (builder, client) = built.map_err(|e| errors::core(py, e))?;
        let (pid, forked, closed) = (std::process::id(), AtomicPtr::new(std::ptr::null_mut()), AtomicBool::new(false));
        let closing = tokio::sync::watch::Sender::new(false);
        Ok(NativeClient { builder, pid, client, forked, closed, closing })
    }

    /// The default workspace (`None` when neither passed nor in the environment).
    #[getter]
    fn workspace_id(&self) -> Option<String> {
        self.client.config().workspace_id().map(str::to_string)
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.config().base_url().to_string()
    }

    #[getter]
    fn has_webhook_secret(&self) -> bool {
        self.client.config().webhook_secret().is_some()
    }

    /// Marks the client closed: later calls raise `CadenyaError`, and so do the calls in flight,
    /// whose requests are dropped (closing their connections).
    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.closing.send_replace(true);
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
        let prepared = contract::catch(|| self.prepare(op, &path, workspace_id, query, body, opts));
        let call = prepared.map_err(|e| errors::core(py, e))?;
        call_blocking(py, self.until_closed(call.send()), raw)
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
        let prepared = contract::catch(|| self.prepare(op, &path, workspace_id, query, body, opts));
        let call = prepared.map_err(|e| errors::core(py, e))?;
        spawn_awaitable(py, self.until_closed(call.send()), raw)
    }

    /// A webhook verifier for `secret`, or for the client's configured secret.
    #[pyo3(signature = (secret=None, now=None))]
    fn webhook(&self, py: Python<'_>, secret: Option<&str>, now: Option<f64>) -> PyResult<webhooks::NativeWebhook> {
        let hook = contract::catch(|| self.client.webhooks().verifier(secret)).map_err(|e| errors::core(py, e))?;
        Ok(webhooks::NativeWebhook::from_hook(hook, now))
    }

    fn __repr__(&self) -> String {
        let config = self.client.config();
        format!("NativeClient(base_url={:?}, workspace_id={:?})", config.base_url(), config.workspace_id())
    }
}

/// One page of a list: `items` (decoded JSON objects), the next cursor, and the next page.
#[pyclass(frozen, module = "cadenya._native")]
struct NativePage {
    items: Py<PyList>,
    next_cursor: Option<String>,
    /// The page with its items taken out: what `next_page` needs.
    page: Arc<Page<RawJson>>,
}

impl NativePage {
    fn new(py: Python<'_>, mut page: Page<RawJson>) -> PyResult<Self> {
        // One `json.loads` per page.
        let list = json_loads(py, page.take_items_json())?.cast_into::<PyList>()?;
        Ok(NativePage { items: list.unbind(), next_cursor: page.next_cursor.clone(), page: Arc::new(page) })
    }
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Python's `json.loads` on JSON text the core has already checked.
fn json_loads<'py>(py: Python<'py>, text: impl IntoPyObject<'py>) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS.import(py, "json", "loads")?.call1((text,))
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
        call_blocking(py, page_call(self.page.clone()), false)
    }

    /// Awaitable of the next page, or of `None` after the last one.
    fn next_page_async(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        spawn_awaitable(py, page_call(self.page.clone()), false)
    }
}

#[pymodule]
#[allow(clippy::unsafe_removed_from_name)] // `unsafe_unwrap_json` keeps its name in Python
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClient>()?;
    m.add_class::<NativePage>()?;
    m.add_class::<webhooks::NativeWebhook>()?;
    m.add_function(wrap_pyfunction!(webhooks::unsafe_unwrap_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    runtime::register_exit_hook(m)?;
    Ok(())
}
