//! Sync calls wait with the GIL released. Once the interpreter finalizes, CPython ends a thread
//! that asks for the GIL with `pthread_exit`, whose forced unwind through Rust frames aborts the
//! process; so an `atexit` hook (run on the finalizing thread) closes the core's `ExitGate`, and
//! a sync call that ends later never takes the GIL again. (Async calls never take it.)

// The error record is built once, on the error path, and moved into the Python exception.
#![allow(clippy::result_large_err)]

use cadenya::contract::{self, ErrorRecord, ExitGate};
use pyo3::prelude::*;
use std::time::Duration;

static GATE: ExitGate = ExitGate::new();

/// Runs `fut` on the core's runtime with the GIL released (panics caught), then hands its
/// output to `convert` with the GIL held again, through the gate.
pub fn block_on<T: Send, R>(
    py: Python<'_>,
    fut: impl std::future::Future<Output = Result<T, ErrorRecord>> + Send,
    convert: impl FnOnce(Python<'_>, Result<T, ErrorRecord>) -> R,
) -> R {
    let (out, passed) = py.detach(|| {
        let out = contract::runtime().map_err(ErrorRecord::from).and_then(|rt| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(fut)))
                .unwrap_or_else(|p| Err(contract::panic_error(p.as_ref()).into()))
        });
        (out, GATE.pass())
    });
    let r = convert(py, out);
    drop(passed);
    r
}

/// The `atexit` hook: closes the gate, then waits (GIL released, ≤ 5 s) for threads already past it.
#[pyfunction]
fn _at_exit(py: Python<'_>) {
    py.detach(|| GATE.close(Duration::from_secs(5)));
}

/// Registers the exit hook with Python's `atexit`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.py().import("atexit")?.call_method1("register", (wrap_pyfunction!(_at_exit, m)?,))?;
    Ok(())
}
