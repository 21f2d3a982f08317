//! Error records of the core's contract as exceptions of `cadenya._exceptions` (generated from
//! the error table; `_from_native` picks the class by name).

use cadenya::contract::ErrorRecord;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The exception of a core error.
pub fn core(py: Python<'_>, e: cadenya::Error) -> PyErr {
    to_pyerr(py, &ErrorRecord::from(e))
}

/// The exception of an error record.
pub fn to_pyerr(py: Python<'_>, r: &ErrorRecord) -> PyErr {
    let build = || -> PyResult<Bound<'_, PyAny>> {
        let f = PyDict::new(py);
        f.set_item("name", r.class.name())?;
        f.set_item("message", &r.message)?;
        f.set_item("kind", r.kind())?;
        f.set_item("status", r.status)?;
        f.set_item("code", r.code)?;
        f.set_item("details", &r.details)?;
        f.set_item("body", &r.body)?;
        f.set_item("request_id", &r.request_id)?;
        f.set_item("headers", r.headers.clone())?;
        f.set_item("operation", &r.operation)?;
        f.set_item("attempts", r.attempts)?;
        f.set_item("detail", &r.detail)?;
        FROM_NATIVE.import(py, "cadenya._exceptions", "_from_native")?.call((), Some(&f))
    };
    match build() {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => PyRuntimeError::new_err(format!("{} (and the exception could not be built: {err})", r.message)),
    }
}
