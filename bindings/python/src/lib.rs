//! `cadenya._native`: the PyO3 binding of the Cadenya core. It converts between Python and the
//! core's binding contract (`cadenya::contract`) and runs calls in Python's models: sync calls
//! block with the GIL released (`gate`), async calls resolve a future on their asyncio loop's
//! thread (`completion`). No runtime thread ever calls into Python: log records wait in a queue
//! until a Python thread converts a result.

mod completion;
mod gate;

use cadenya::busy_poll::BusyPoll;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{self, Body, CallInput, CallSettings, ClientSettings, ErrorRecord, LogQueue, ObjectiveEvents};
use cadenya::contract::{ObjectiveSettings, Outcome, Response, Session};
use cadenya::json::RawJson;
use cadenya::logging::{LogRecord, SharedLogSink};
use cadenya::webhooks::Webhook;
use cadenya::Page;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use std::future::Future;
use std::sync::Arc;

type Pairs = Option<Vec<(String, String)>>;
/// Call options as the generated code passes them: `(timeout, max_retries, headers, extra_query, idempotency_key, extra_body)`.
type OptsArg = (Option<f64>, Option<f64>, Vec<(String, String)>, Vec<(String, String)>, Option<String>, Option<String>);
/// Objective helper options: `(states, timeout, after_event_id, workspace_id)`.
type ObjectiveArgs = (Vec<String>, Option<f64>, Option<String>, Option<String>);

fn objective_settings((states, timeout_secs, after_event_id, workspace_id): ObjectiveArgs) -> ObjectiveSettings {
    ObjectiveSettings { states, timeout_secs, after_event_id, workspace_id }
}

/// The exception of an error record, built by `cadenya._exceptions._from_native` from its JSON.
fn to_pyerr(py: Python<'_>, r: &ErrorRecord) -> PyErr {
    static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let exc = FROM_NATIVE.import(py, "cadenya._exceptions", "_from_native").and_then(|f| f.call1((r.to_json(),)));
    exc.map_or_else(|e| e, PyErr::from_value)
}

/// Log records of every client, queued on runtime threads for a Python thread.
static LOGS: LogQueue = LogQueue::new();
/// Python's `json.loads` on JSON text the core has already checked.
fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    JSON_LOADS.import(py, "json", "loads")?.call1((text,))
}

/// A finished call in Python: `None`, decoded JSON, a `NativePage`, or (`raw`) `(status, headers, request_id, value)`.
fn to_python(py: Python<'_>, result: Outcome, raw: bool, session: &Arc<Session>) -> PyResult<Py<PyAny>> {
    // The log records queued so far go to `logging` here, on a Python thread.
    let logs = LOGS.take();
    if !logs.is_empty() {
        static EMIT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        if let Err(e) = EMIT.import(py, "cadenya._logging", "_emit").and_then(|f| f.call1((logs,))) {
            e.write_unraisable(py, None);
        }
    }
    let r = result.map_err(|e| to_pyerr(py, &e))?;
    let headers = if raw { r.header_pairs() } else { Vec::new() };
    let value = match r.body {
        Body::Empty => py.None(),
        Body::Json(v) => json_loads(py, v.get())?.unbind(),
        Body::Page(p) => Py::new(py, NativePage::new(py, p, session)?)?.into_any(),
    };
    if !raw {
        return Ok(value);
    }
    Ok((r.status, headers, r.request_id, value).into_pyobject(py)?.into_any().unbind())
}

/// Runs `fut` for Python: blocking with the GIL released, or (`aio`) as a future of the running
/// asyncio loop (cancelling it aborts the call). Pages it returns fetch through `session`.
fn run<F>(py: Python<'_>, fut: F, raw: bool, aio: bool, session: &Arc<Session>) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let fut = BusyPoll::global().track(fut);
    if aio {
        completion::spawn(py, fut, raw, Arc::clone(session))
    } else {
        gate::block_on(py, fut, |py, r| to_python(py, r, raw, session))
    }
}

fn no_headers(body: Option<Body>) -> Response {
    Response { status: 200, headers: Default::default(), request_id: None, body: body.unwrap_or(Body::Empty) }
}

/// The core client behind `cadenya.Cadenya` / `cadenya.AsyncCadenya` (see `Session`).
#[pyclass(frozen, module = "cadenya._native")]
struct NativeClient {
    session: Arc<Session>,
}

#[pymethods]
impl NativeClient {
    /// `settings`: the client's settings as a JSON object (see `cadenya._client`).
    #[new]
    fn new(py: Python<'_>, settings: &str) -> PyResult<Self> {
        let mut settings = ClientSettings::from_json(settings).map_err(|e| to_pyerr(py, &e.into()))?;
        settings.logger = Some(Arc::new(|r: &LogRecord| LOGS.push(r)) as SharedLogSink);
        Session::new(settings).map(|s| NativeClient { session: Arc::new(s) }).map_err(|e| to_pyerr(py, &e))
    }

    /// `(base_url, workspace_id, has_webhook_secret, is_closed)`.
    #[getter]
    fn config(&self) -> (String, Option<String>, bool, bool) {
        let (c, closed) = (self.session.config(), self.session.is_closed());
        (c.base_url().to_string(), c.workspace_id().map(str::to_string), c.webhook_secret().is_some(), closed)
    }

    /// Fails later calls and ends the ones in flight with `CadenyaError` (their requests dropped).
    fn close(&self) {
        self.session.close();
    }

    /// Calls one operation (`body` as JSON text) and blocks, GIL released, until it completes;
    /// with `aio`, returns a future of the running asyncio loop instead, never blocking it.
    #[pyo3(signature = (op, path, workspace_id=None, query=None, body=None, opts=None, raw=false, aio=false))]
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        py: Python<'_>,
        op: &str,
        path: Vec<String>,
        workspace_id: Option<String>,
        query: Pairs,
        body: Option<&str>,
        opts: Option<OptsArg>,
        raw: bool,
        aio: bool,
    ) -> PyResult<Py<PyAny>> {
        let (timeout_secs, max_retries, headers, extra_query, idempotency_key, extra_body) = opts.unwrap_or_default();
        let s =
            CallSettings { timeout_secs, max_retries, headers, extra_query, idempotency_key, workspace_id, extra_body };
        let checked = s.into_options().and_then(|o| Ok((o, contract::path_names(op)?.collect::<Vec<_>>())));
        let (options, names) = checked.map_err(|e| to_pyerr(py, &e.into()))?;
        if path.len() > names.len() {
            return Err(to_pyerr(py, &ErrorRecord::invalid(format!("`{op}` takes {} path parameters", names.len()))));
        }
        let path: Vec<_> = names.into_iter().zip(path.iter().map(String::as_str)).collect();
        let query: Vec<_> = query.iter().flatten().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = body.map(DynamicBody::Text);
        let call = self.session.call(CallInput { operation: op, path: &path, query: &query, body, options });
        run(py, call, raw, aio, &self.session)
    }

    /// Polls an objective until its state is in `states` (empty: the terminal ones); its JSON.
    #[pyo3(signature = (id, args, aio=false))]
    fn wait_objective(&self, py: Python<'_>, id: &str, args: ObjectiveArgs, aio: bool) -> PyResult<Py<PyAny>> {
        run(py, self.session.wait_objective(id, objective_settings(args)), false, aio, &self.session)
    }

    /// The events of an objective, oldest first, each once, until it is terminal.
    fn follow_events(&self, py: Python<'_>, objective_id: &str, args: ObjectiveArgs) -> PyResult<NativeEvents> {
        let events = self.session.follow_events(objective_id, objective_settings(args));
        Ok(NativeEvents { events: events.map_err(|e| to_pyerr(py, &e))?, session: Arc::clone(&self.session) })
    }

    /// A verifier for `secret` or the client's own; `now` (Unix seconds) pins its clock (test vectors).
    #[pyo3(signature = (secret=None, now=None))]
    fn webhook(&self, py: Python<'_>, secret: Option<&str>, now: Option<f64>) -> PyResult<NativeWebhook> {
        let hook = self.session.client().and_then(|c| c.webhooks().verifier(secret));
        let hook = hook.map_err(|e| to_pyerr(py, &e.into()))?;
        Ok(NativeWebhook { hook: if let Some(n) = now { hook.with_clock(move || n) } else { hook } })
    }
}

/// One page of a list: `items` (decoded JSON objects), the next cursor, and the next page.
#[pyclass(frozen, module = "cadenya._native")]
struct NativePage {
    #[pyo3(get)]
    items: Py<PyList>,
    #[pyo3(get)]
    next_cursor: Option<String>,
    #[pyo3(get)]
    has_next_page: bool,
    /// The page with its items taken out, and its client's session: what `next_page` needs.
    page: Arc<Page<RawJson>>,
    session: Arc<Session>,
}

impl NativePage {
    fn new(py: Python<'_>, mut page: Page<RawJson>, session: &Arc<Session>) -> PyResult<Self> {
        let items = json_loads(py, &page.take_items_json())?.cast_into::<PyList>()?.unbind();
        let (next_cursor, has_next_page) = (page.next_cursor.clone(), page.has_next_page());
        Ok(NativePage { items, next_cursor, has_next_page, page: Arc::new(page), session: Arc::clone(session) })
    }
}

#[pymethods]
impl NativePage {
    /// The next page, or `None` after the last one (with `aio`, a future of it); `close()` ends it.
    #[pyo3(signature = (aio=false))]
    fn next_page(&self, py: Python<'_>, aio: bool) -> PyResult<Py<PyAny>> {
        run(py, self.session.next_page(Arc::clone(&self.page)), false, aio, &self.session)
    }
}

/// A follow of an objective's events.
#[pyclass(frozen, module = "cadenya._native")]
struct NativeEvents {
    events: ObjectiveEvents,
    session: Arc<Session>,
}

#[pymethods]
impl NativeEvents {
    /// The next event (decoded JSON), or `None` once the follow is over (with `aio`, a future of it).
    #[pyo3(signature = (aio=false))]
    fn next(&self, py: Python<'_>, aio: bool) -> PyResult<Py<PyAny>> {
        let next = self.events.next();
        run(py, async move { next.await.map(|e| no_headers(e.map(Body::Json))) }, false, aio, &self.session)
    }

    #[getter]
    fn last_event_id(&self) -> Option<String> {
        self.events.last_event_id()
    }
}

/// A webhook verifier for one secret (decoded and keyed once).
#[pyclass(frozen, module = "cadenya._native")]
struct NativeWebhook {
    hook: Webhook,
}

#[pymethods]
impl NativeWebhook {
    /// Raises `WebhookVerificationError` unless the delivery is authentic and fresh and, with
    /// `envelope`, its body is the webhook envelope. `headers`: the Standard Webhooks ones as
    /// `(name, value)` pairs (`cadenya._webhooks` finds them in any mapping).
    fn verify(&self, py: Python<'_>, payload: &[u8], headers: Vec<(String, String)>, envelope: bool) -> PyResult<()> {
        let checked = if envelope {
            contract::webhook_unwrap(&self.hook, payload, &headers)
        } else {
            contract::webhook_verify(&self.hook, payload, &headers)
        };
        checked.map_err(|e| to_pyerr(py, &e))
    }
}

/// Raises `WebhookVerificationError` (`bad_payload`) unless `payload` is the envelope; verifies nothing.
#[pyfunction]
fn check_envelope(py: Python<'_>, payload: &[u8]) -> PyResult<()> {
    contract::webhook_unsafe_unwrap(payload).map_err(|e| to_pyerr(py, &e))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClient>()?;
    m.add_class::<NativePage>()?;
    m.add_class::<NativeEvents>()?;
    m.add_class::<NativeWebhook>()?;
    m.add_class::<completion::Completer>()?;
    m.add_function(wrap_pyfunction!(check_envelope, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    gate::register(m)
}
