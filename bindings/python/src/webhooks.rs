//! Webhook verification from Python: payload `str`/`bytes`, headers any mapping.

use crate::errors;
use cadenya::contract;
use cadenya::webhooks::{HeaderSource, Webhook, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::borrow::Cow;

/// A verifier for one secret (prepared once: the key is decoded and the HMAC keyed up front).
#[pyclass(frozen, module = "cadenya._native")]
pub struct NativeWebhook {
    hook: Webhook,
}

impl NativeWebhook {
    /// `now` (Unix seconds) pins the clock: the tests replay vectors at their recorded time.
    pub fn from_hook(hook: Webhook, now: Option<f64>) -> Self {
        match now {
            Some(n) => NativeWebhook { hook: hook.with_clock(move || n) },
            None => NativeWebhook { hook },
        }
    }
}

/// The three Standard Webhooks headers, read out of a Python object.
struct Found<'a> {
    id: Option<Cow<'a, [u8]>>,
    timestamp: Option<Cow<'a, [u8]>>,
    signature: Option<Cow<'a, [u8]>>,
}

impl HeaderSource for Found<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        match name {
            HEADER_ID => self.id.as_deref(),
            HEADER_TIMESTAMP => self.timestamp.as_deref(),
            HEADER_SIGNATURE => self.signature.as_deref(),
            _ => None,
        }
    }
}

/// `str` (sent as UTF-8) or `bytes` (as is).
fn bytes_of<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Cow::Owned(s.to_cow()?.into_owned().into_bytes()));
    }
    if let Ok(b) = obj.extract::<Vec<u8>>() {
        return Ok(Cow::Owned(b));
    }
    Err(PyTypeError::new_err(format!("{what} must be str or bytes")))
}

/// The value of header `name`: the exact (lower-case) key first, through the mapping's own `get`
/// (case-insensitive for Starlette, Django, Werkzeug headers), then the first key equal to it
/// ignoring ASCII case in iteration order (plain dicts with `Webhook-Id` keys).
fn lookup(headers: &Bound<'_, PyAny>, name: &'static str) -> PyResult<Option<Cow<'static, [u8]>>> {
    let exact = if let Ok(d) = headers.cast::<PyDict>() {
        d.get_item(name)?
    } else if headers.hasattr("get")? {
        let v = headers.call_method1("get", (name,))?;
        if v.is_none() {
            None
        } else {
            Some(v)
        }
    } else {
        None
    };
    if let Some(v) = exact {
        return Ok(Some(Cow::Owned(bytes_of(&v, "a header value")?.into_owned())));
    }
    let items = if headers.hasattr("items")? { headers.call_method0("items")? } else { headers.clone() };
    for pair in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let key = bytes_of(&k, "a header name")?;
        if key.eq_ignore_ascii_case(name.as_bytes()) {
            return Ok(Some(Cow::Owned(bytes_of(&v, "a header value")?.into_owned())));
        }
    }
    Ok(None)
}

fn headers_of(headers: &Bound<'_, PyAny>) -> PyResult<Found<'static>> {
    Ok(Found {
        id: lookup(headers, HEADER_ID)?,
        timestamp: lookup(headers, HEADER_TIMESTAMP)?,
        signature: lookup(headers, HEADER_SIGNATURE)?,
    })
}

#[pymethods]
impl NativeWebhook {
    #[new]
    #[pyo3(signature = (secret, now=None))]
    fn new(py: Python<'_>, secret: &str, now: Option<f64>) -> PyResult<Self> {
        let hook = Webhook::new(secret).map_err(|e| errors::to_pyerr(py, &e.into()))?;
        Ok(NativeWebhook::from_hook(hook, now))
    }

    /// Raises `WebhookVerificationError` unless the delivery is authentic and fresh.
    fn verify(&self, py: Python<'_>, payload: &Bound<'_, PyAny>, headers: &Bound<'_, PyAny>) -> PyResult<()> {
        let body = bytes_of(payload, "payload")?;
        let found = headers_of(headers)?;
        contract::webhook_verify(&self.hook, &body, &found).map_err(|e| errors::to_pyerr(py, &e))
    }

    /// Verifies, checks the body is the webhook envelope (as every language does), then returns
    /// the decoded JSON body.
    fn unwrap(&self, py: Python<'_>, payload: &Bound<'_, PyAny>, headers: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let body = bytes_of(payload, "payload")?;
        let found = headers_of(headers)?;
        contract::webhook_unwrap(&self.hook, &body, &found).map_err(|e| errors::to_pyerr(py, &e))?;
        Ok(crate::json_loads(py, body.as_ref())?.unbind())
    }

    fn __repr__(&self) -> String {
        "NativeWebhook(secret=<redacted>)".into()
    }
}

/// Decodes a webhook body WITHOUT verifying it (`bad_payload` when it is not the envelope).
#[pyfunction]
pub fn unsafe_unwrap_json(py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let body = bytes_of(payload, "payload")?;
    contract::webhook_unsafe_unwrap(&body).map_err(|e| errors::to_pyerr(py, &e))?;
    Ok(crate::json_loads(py, body.as_ref())?.unbind())
}
