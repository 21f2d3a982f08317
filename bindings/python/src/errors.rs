//! Core errors (and caught panics) as exceptions of `cadenya._exceptions`.

use crate::convert;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use std::any::Any;
use std::panic::AssertUnwindSafe;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A caught panic, as an error value. The message never contains request data (the core's
/// panics carry none), and Python sees an ordinary `CadenyaError`.
pub fn panic_error(p: &Box<dyn Any + Send>) -> cadenya::Error {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    // `Configuration` is the one core variant without HTTP meaning; the prefix marks it internal.
    cadenya::Error::Configuration { message: format!("internal error in the Cadenya SDK (please report it): {what}") }
}

/// Runs `f`, turning a panic into an error.
pub fn catch<T>(f: impl FnOnce() -> Result<T, cadenya::Error>) -> Result<T, cadenya::Error> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(&p)))
}

/// The exception for a core error, built by `cadenya._exceptions._from_native`:
/// `(kind, class_name, message, status, request_id, body, headers, code, details, extra)`.
pub fn to_pyerr(py: Python<'_>, e: &cadenya::Error) -> PyErr {
    match build(py, e) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => PyRuntimeError::new_err(format!("{e} (and the exception could not be built: {err})")),
    }
}

fn build<'py>(py: Python<'py>, e: &cadenya::Error) -> PyResult<Bound<'py, PyAny>> {
    let factory = FROM_NATIVE.import(py, "cadenya._exceptions", "_from_native")?;
    let none = || py.None().into_bound(py);
    let message = e.to_string();
    let args: (
        &str,
        &str,
        String,
        Bound<'py, PyAny>,
        Option<String>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Option<i32>,
        Bound<'py, PyAny>,
        Option<String>,
    ) = match e {
        cadenya::Error::Api(api) => {
            let details = PyList::empty(py);
            for d in &api.details {
                details.append(convert::to_py(py, d)?)?;
            }
            (
                "api",
                api.kind.name(),
                api.message.clone(),
                api.status.into_pyobject(py)?.into_any(),
                api.request_id.clone(),
                api.body.clone().into_pyobject(py)?.into_any(),
                api.headers.clone().into_pyobject(py)?.into_any(),
                api.code,
                details.into_any(),
                None,
            )
        }
        cadenya::Error::Connection { .. } => {
            ("connection", "APIConnectionError", message, none(), None, none(), none(), None, none(), None)
        }
        cadenya::Error::Timeout { .. } => {
            ("timeout", "APITimeoutError", message, none(), None, none(), none(), None, none(), None)
        }
        cadenya::Error::Decode { path, status, request_id, .. } => (
            "decode",
            "APIResponseValidationError",
            message,
            status.into_pyobject(py)?.into_any(),
            request_id.clone(),
            none(),
            none(),
            None,
            none(),
            Some(path.clone()),
        ),
        cadenya::Error::InvalidRequest { .. } => {
            ("invalid_request", "InvalidRequestError", message, none(), None, none(), none(), None, none(), None)
        }
        cadenya::Error::Configuration { .. } => {
            ("configuration", "ConfigurationError", message, none(), None, none(), none(), None, none(), None)
        }
        cadenya::Error::Webhook(w) => (
            "webhook",
            "WebhookVerificationError",
            w.to_string(),
            none(),
            None,
            none(),
            none(),
            None,
            none(),
            Some(w.kind().to_string()),
        ),
        _ => ("other", "CadenyaError", message, none(), None, none(), none(), None, none(), None),
    };
    factory.call1(args)
}
