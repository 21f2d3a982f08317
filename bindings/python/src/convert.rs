//! Python request bodies as serde_json values.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Deeper nesting than this is refused when converting from Python (it also stops cycles).
const MAX_DEPTH: usize = 256;

fn invalid(message: String) -> cadenya::Error {
    cadenya::Error::InvalidRequest { message }
}

/// Python -> serde_json. Accepts dict (str keys), list, tuple, str, int, float, bool, None.
pub fn from_py(obj: &Bound<'_, PyAny>) -> Result<Value, cadenya::Error> {
    from_py_at(obj, 0)
}

fn from_py_at(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Value, cadenya::Error> {
    if depth > MAX_DEPTH {
        return Err(invalid("the request body is nested too deeply (or contains a cycle)".into()));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_cow().map(|c| Value::String(c.into_owned())).map_err(|e| invalid(e.to_string()));
    }
    // bool before int: `True` is an `int` in Python.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(invalid("an integer in the request does not fit 64 bits".into()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid("NaN and infinity cannot be sent as JSON".into()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| invalid("JSON object keys must be strings".into()))?
                .to_cow()
                .map_err(|e| invalid(e.to_string()))?
                .into_owned();
            map.insert(key, from_py_at(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().map(|v| from_py_at(&v, depth + 1)).collect::<Result<Vec<_>, _>>().map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|v| from_py_at(&v, depth + 1)).collect::<Result<Vec<_>, _>>().map(Value::Array);
    }
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(invalid(format!("a value of type `{type_name}` cannot be sent as JSON")))
}
