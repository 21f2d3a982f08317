//! How an async call's result gets back to its asyncio event loop without a runtime thread
//! ever touching Python.
//!
//! A tokio worker that took the GIL to complete an awaitable could be caught by interpreter
//! finalization: CPython ends a thread that waits for the GIL during finalization with
//! `pthread_exit`, and that forced unwind through Rust frames aborts the process. So workers
//! never take the GIL here. Each event loop gets one [`Completer`]: a queue of finished results
//! (plain Rust values) and a socket pair whose read end the loop watches (`loop.add_reader`).
//! A worker pushes its result and, when the queue was empty, writes one byte; the loop thread
//! then drains the queue while it holds the GIL, converts each result and completes its future.
//! After the loop is closed (or the interpreter is gone) results are simply dropped.
//!
//! The Python futures stay on the loop side, in the completer's table of pending calls, so no
//! Python object is ever dropped on a worker thread either.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyWeakrefReference;
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A finished call, converted to Python on the loop thread.
type Done = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// What workers and the loop share: finished calls and the wake-up socket pair.
struct Shared {
    queue: Mutex<Vec<(u64, Done)>>,
    rx: UnixStream,
    tx: UnixStream,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means a panic elsewhere; the data (a queue, a table) stays valid.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Called on a worker thread: queues a result and wakes the loop when it may be asleep.
    fn push(&self, id: u64, done: Done) {
        let first = {
            let mut q = lock(&self.queue);
            q.push((id, done));
            q.len() == 1
        };
        if first {
            // Non-blocking: a full buffer already holds a wake-up, any other error means the
            // loop is gone and nobody will read.
            let _ = (&self.tx).write(&[1]);
        }
    }
}

type Pending = Arc<Mutex<HashMap<u64, Py<PyAny>>>>;

/// The reader callback of one event loop: completes the futures of finished calls.
#[pyclass(frozen, module = "cadenya._native")]
pub struct Completer {
    shared: Arc<Shared>,
    pending: Pending,
    pid: u32,
}

#[pymethods]
impl Completer {
    /// Runs on the loop thread when the wake-up socket is readable.
    fn __call__(&self, py: Python<'_>) {
        // Read the wake-ups before taking the queue: a result pushed after the take then always
        // finds the queue empty and writes a new byte.
        let mut buf = [0u8; 256];
        loop {
            match (&self.shared.rx).read(&mut buf) {
                Ok(n) if n == buf.len() => continue,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                _ => break,
            }
        }
        let batch = std::mem::take(&mut *lock(&self.shared.queue));
        for (id, done) in batch {
            // A cancelled call's future is gone: its result (plain Rust values) is just dropped.
            let Some(fut) = lock(&self.pending).remove(&id) else { continue };
            let (ok, value) = match done(py) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            if let Err(e) = resolve(py, fut.bind(py), ok, value) {
                e.write_unraisable(py, Some(fut.bind(py)));
            }
        }
    }
}

static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `cadenya._core._resolve(fut, ok, value)`: completes `fut` unless it was cancelled.
fn resolve(py: Python<'_>, fut: &Bound<'_, PyAny>, ok: bool, value: Py<PyAny>) -> PyResult<()> {
    RESOLVE.import(py, "cadenya._core", "_resolve")?.call1((fut, ok, value))?;
    Ok(())
}

/// Done-callback of an awaitable: when the asyncio future was cancelled, aborts the Rust task
/// and forgets the future.
#[pyclass(frozen, module = "cadenya._native")]
pub struct Canceller {
    handle: tokio::task::AbortHandle,
    id: u64,
    pending: Pending,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.handle.abort();
            let dropped = lock(&self.pending).remove(&self.id);
            drop(dropped);
        }
        Ok(())
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static BY_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// The last loop used and its completer: most programs run one loop at a time.
static LAST: Mutex<Option<(Py<PyWeakrefReference>, Py<Completer>)>> = Mutex::new(None);

/// The completer of `event_loop`, made and registered with `add_reader` on first use (and again
/// in a forked child, whose sockets must not be shared with the parent).
fn completer_for(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Py<Completer>> {
    let pid = std::process::id();
    if let Some((weak, c)) = lock(&LAST).as_ref() {
        if c.get().pid == pid && weak.bind(py).upgrade().is_some_and(|l| l.is(event_loop)) {
            return Ok(c.clone_ref(py));
        }
    }
    let by_loop = BY_LOOP.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("weakref")?.getattr("WeakKeyDictionary")?.call0()?.unbind())
    })?;
    let by_loop = by_loop.bind(py);
    let known = by_loop.call_method1("get", (event_loop,))?;
    let completer = match known.cast_into::<Completer>() {
        Ok(c) if c.get().pid == pid => c.unbind(),
        _ => {
            let c = Py::new(py, Completer::new()?)?;
            let fd = c.get().shared.rx.as_raw_fd();
            event_loop.call_method1("add_reader", (fd, c.clone_ref(py)))?;
            by_loop.set_item(event_loop, c.clone_ref(py))?;
            c
        }
    };
    let weak = PyWeakrefReference::new(event_loop)?.unbind();
    let old = lock(&LAST).replace((weak, completer.clone_ref(py)));
    drop(old);
    Ok(completer)
}

impl Completer {
    fn new() -> PyResult<Self> {
        let io = |e: std::io::Error| pyo3::exceptions::PyOSError::new_err(e.to_string());
        let (rx, tx) = UnixStream::pair().map_err(io)?;
        rx.set_nonblocking(true).map_err(io)?;
        tx.set_nonblocking(true).map_err(io)?;
        Ok(Completer {
            shared: Arc::new(Shared { queue: Mutex::new(Vec::new()), rx, tx }),
            pending: Arc::new(Mutex::new(HashMap::new())),
            pid: std::process::id(),
        })
    }
}

/// Starts `fut` on `rt` and returns a future of the running asyncio loop that receives
/// `convert(result)`. Cancelling that future aborts the task.
pub fn spawn<T, F>(
    py: Python<'_>,
    rt: &tokio::runtime::Runtime,
    fut: F,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
) -> PyResult<Py<PyAny>>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let event_loop = GET_RUNNING_LOOP.import(py, "asyncio", "get_running_loop")?.call0()?;
    let completer = completer_for(py, &event_loop)?;
    let completer = completer.get();
    let py_fut = event_loop.call_method0("create_future")?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    lock(&completer.pending).insert(id, py_fut.clone().unbind());
    let shared = completer.shared.clone();
    let handle = rt.spawn(async move {
        let result = fut.await;
        shared.push(id, Box::new(move |py| convert(py, result)));
    });
    let canceller = Canceller { handle: handle.abort_handle(), id, pending: completer.pending.clone() };
    py_fut.call_method1("add_done_callback", (Py::new(py, canceller)?,))?;
    Ok(py_fut.unbind())
}
