//! Async calls: results reach their asyncio loop with no runtime thread touching Python (one
//! that took the GIL could be caught by interpreter finalization, aborting the process). Each loop
//! has a `Completer` (`cadenya._core._completer`), called when its socket turns readable (through
//! `add_reader`, or a reader task on loops without it): workers push plain Rust results, the loop
//! thread converts them and completes the futures, which never leave it.

use cadenya::contract::{self, Completions, Outcome, Session};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::task::AbortHandle;

/// A finished call, converted to Python on the loop thread.
type Done = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// The completer of one event loop: the loop's reader callback.
#[pyclass(frozen, module = "cadenya._native")]
pub struct Completer {
    done: Arc<Completions<(u64, Done)>>,
    /// Calls in flight: their future and task, by call number.
    pending: Mutex<HashMap<u64, (Py<PyAny>, AbortHandle)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[pymethods]
impl Completer {
    #[new]
    fn new() -> PyResult<Self> {
        let done = Completions::new().map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        Ok(Completer { done: Arc::new(done), pending: Mutex::default() })
    }

    /// The socket the loop watches (fd, or `SOCKET` on Windows); Python wraps only a duplicate of it.
    #[getter]
    fn fd(&self) -> i64 {
        self.done.fd()
    }

    /// Runs on the loop thread when the socket is readable: completes finished calls' futures.
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let resolve = RESOLVE.import(py, "cadenya._core", "_resolve")?;
        for (id, done) in self.done.drain() {
            // A cancelled call's future is gone: its result is just dropped.
            let Some((fut, _)) = lock(&self.pending).remove(&id) else { continue };
            let (ok, value) = match done(py) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            if let Err(e) = resolve.call1((fut.bind(py), ok, value)) {
                e.write_unraisable(py, Some(fut.bind(py)));
            }
        }
        Ok(())
    }

    /// Done-callback of every future: a cancelled one aborts its call.
    fn settled(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            let mut pending = lock(&self.pending);
            let id = pending.iter().find(|(_, (f, _))| f.as_ptr() == fut.as_ptr()).map(|(id, _)| *id);
            if let Some((_, handle)) = id.and_then(|id| pending.remove(&id)) {
                handle.abort();
            }
        }
        Ok(())
    }
}

/// Starts `fut` on the core's runtime and returns a future of the running asyncio loop that
/// receives its result in Python. Cancelling that future aborts the task.
pub fn spawn<F>(py: Python<'_>, fut: F, raw: bool, s: Arc<Session>) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    static COMPLETER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let rt = contract::runtime().map_err(|e| crate::to_pyerr(py, &e.into()))?;
    let (completer, py_fut): (Bound<'_, Completer>, Bound<'_, PyAny>) =
        COMPLETER.import(py, "cadenya._core", "_completer")?.call0()?.extract()?;
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let done = completer.get().done.clone();
    let handle = rt.spawn(async move {
        let result = fut.await;
        done.push((id, Box::new(move |py| crate::to_python(py, result, raw, &s))));
    });
    lock(&completer.get().pending).insert(id, (py_fut.clone().unbind(), handle.abort_handle()));
    py_fut.call_method1("add_done_callback", (completer.getattr("settled")?,))?;
    Ok(py_fut.unbind())
}
