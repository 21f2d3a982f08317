//! The one JSON-Schema-subset validator driven by the spec: `type`, `properties`,
//! `required`, `items`, `enum`, `additionalProperties`, `anyOf`, `oneOf`, `format` (int32,
//! int64-as-string, date-time), `pattern`, `minLength`/`maxLength`,
//! `minimum`/`maximum` and `minItems`/`maxItems`.
//!
//! Every request body (nested bulk-apply bundles included, since they are
//! described by the same component schemas) goes through [`check_request`]:
//! properties the schema does not declare are dropped, as the API's
//! protobuf-JSON gateway discards unknown fields, and what remains is validated
//! by [`validate`]. The same [`validate`] checks responses in tests, where an
//! undeclared property is an error. Rules a schema cannot state live in
//! `server/README.md` ("Rules beyond the schema").

use crate::spec::Spec;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// Validates a request body: drops the properties its schema does not declare
/// (they are never stored), then checks the rest. The error names the field path.
pub fn check_request(spec: &Spec, schema: &Value, value: &mut Value) -> Result<(), String> {
    drop_undeclared(spec, schema, value);
    validate(spec, schema, value, "")
}

/// Removes, at every depth, the object properties that the schema does not declare
/// (objects with `additionalProperties` keep theirs; their values are walked).
fn drop_undeclared(spec: &Spec, schema: &Value, value: &mut Value) {
    let schema = spec.resolve(schema);
    match value {
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|e| !matches!(e, Value::Bool(false)));
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                return;
            }
            obj.retain(|k, _| extra.is_some() || props.is_some_and(|p| p.contains_key(k)));
            for (k, v) in obj.iter_mut() {
                if let Some(sub) = props.and_then(|p| p.get(k)).or(extra.filter(|e| e.is_object())) {
                    drop_undeclared(spec, sub, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for v in items {
                    drop_undeclared(spec, sub, v);
                }
            }
        }
        _ => {}
    }
}

/// Compiled `pattern`s, by source (the spec holds a handful).
static PATTERNS: LazyLock<Mutex<HashMap<String, Result<regex::Regex, String>>>> = LazyLock::new(Default::default);

fn matches_pattern(pattern: &str, s: &str) -> Result<bool, String> {
    let mut cache = PATTERNS.lock().unwrap_or_else(|e| e.into_inner());
    let re = cache
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).map_err(|e| format!("spec pattern {pattern:?}: {e}")));
    re.as_ref().map(|re| re.is_match(s)).map_err(Clone::clone)
}

/// `minimum`/`maximum` of a number.
fn check_range(schema: &Value, n: f64, shown: &str) -> Result<(), String> {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64).filter(|min| n < *min) {
        return Err(format!("{shown}: must be >= {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64).filter(|max| n > *max) {
        return Err(format!("{shown}: must be <= {max}"));
    }
    Ok(())
}

/// `min*`/`max*` bounds of a count (string length in characters, array length).
fn check_count(schema: &Value, n: usize, what: &str, shown: &str) -> Result<(), String> {
    let bound = |k: &str| schema.get(k).and_then(Value::as_u64).map(|b| b as usize);
    let (lo, hi) = match what {
        "characters" => (bound("minLength"), bound("maxLength")),
        _ => (bound("minItems"), bound("maxItems")),
    };
    if let Some(lo) = lo.filter(|lo| n < *lo) {
        return Err(format!("{shown}: must have at least {lo} {what}"));
    }
    if let Some(hi) = hi.filter(|hi| n > *hi) {
        return Err(format!("{shown}: must have at most {hi} {what}"));
    }
    Ok(())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Validates `value` against `schema`. The error names the field path
/// (`spec.status: unknown enum value "X"`); `path` is the prefix ("" at the root).
pub fn validate(spec: &Spec, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let schema = spec.resolve(schema);
    let shown = if path.is_empty() { "body" } else { path };
    for (keyword, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        let Some(branches) = schema.get(keyword).and_then(Value::as_array) else { continue };
        let errors: Vec<String> = branches.iter().filter_map(|b| validate(spec, b, value, path).err()).collect();
        let passed = branches.len() - errors.len();
        if passed == 0 {
            let first = errors.into_iter().next().unwrap_or_default();
            return Err(format!("{shown}: matches none of the {keyword} alternatives ({first})"));
        }
        if exactly_one && passed > 1 {
            return Err(format!("{shown}: matches {passed} of the oneOf alternatives, expected exactly one"));
        }
    }
    // An untyped schema with `required`/`properties` (an anyOf/oneOf branch) constrains objects.
    let implied = (schema.get("required").is_some() || schema.get("properties").is_some()).then_some("object");
    let Some(ty) = schema.get("type").and_then(Value::as_str).or(implied) else {
        // No type: any JSON value (google.protobuf.Value style fields).
        return Ok(());
    };
    match ty {
        "object" => {
            let Some(obj) = value.as_object() else {
                return Err(format!("{shown}: expected object, got {}", kind(value)));
            };
            if let Some(req) = schema.get("required").and_then(Value::as_array) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        return Err(format!("{}: missing required field", join(path, r)));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties");
            for (k, v) in obj {
                let sub = join(path, k);
                if let Some(ps) = props.and_then(|p| p.get(k)) {
                    validate(spec, ps, v, &sub)?;
                } else {
                    match extra {
                        // A schema that declares no properties (an anyOf/oneOf branch) leaves them open.
                        None if props.is_none() => {}
                        Some(Value::Bool(true)) => {}
                        Some(s @ Value::Object(_)) => validate(spec, s, v, &sub)?,
                        _ => return Err(format!("{sub}: unknown field")),
                    }
                }
            }
            Ok(())
        }
        "array" => {
            let Some(arr) = value.as_array() else {
                return Err(format!("{shown}: expected array, got {}", kind(value)));
            };
            check_count(schema, arr.len(), "items", shown)?;
            if let Some(items) = schema.get("items") {
                for (i, v) in arr.iter().enumerate() {
                    validate(spec, items, v, &format!("{shown}[{i}]"))?;
                }
            }
            Ok(())
        }
        "string" => {
            let Some(s) = value.as_str() else {
                return Err(format!("{shown}: expected string, got {}", kind(value)));
            };
            if let Some(en) = schema.get("enum").and_then(Value::as_array) {
                if !en.iter().any(|e| e.as_str() == Some(s)) {
                    return Err(format!("{shown}: unknown enum value {s:?}"));
                }
            }
            check_count(schema, s.chars().count(), "characters", shown)?;
            if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                if !matches_pattern(p, s)? {
                    return Err(format!("{shown}: {s:?} does not match the pattern {p}"));
                }
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("int64") if !is_int_string(s) => {
                    Err(format!("{shown}: expected an int64 decimal string, got {s:?}"))
                }
                Some("date-time") if !is_date_time(s) => {
                    Err(format!("{shown}: expected an RFC 3339 date-time, got {s:?}"))
                }
                _ => Ok(()),
            }
        }
        "integer" => {
            let ok = match value {
                // An integral float (`5.0`) counts, but only within the 64-bit range the API's
                // integers have: `-1.15e19` would be stored and echoed as a float no client parses.
                Value::Number(n) => {
                    n.is_i64()
                        || n.is_u64()
                        || n.as_f64().is_some_and(|f| {
                            f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
                        })
                }
                _ => false,
            };
            if !ok {
                return Err(format!("{shown}: expected integer, got {}", kind(value)));
            }
            let n = value.as_f64().unwrap_or(0.0);
            if schema.get("format").and_then(Value::as_str) == Some("int32")
                && !(i32::MIN as f64..=i32::MAX as f64).contains(&n)
            {
                return Err(format!("{shown}: integer out of int32 range"));
            }
            check_range(schema, n, shown)
        }
        "number" => match value.as_f64() {
            Some(n) => check_range(schema, n, shown),
            None => Err(format!("{shown}: expected number, got {}", kind(value))),
        },
        "boolean" => {
            if !value.is_boolean() {
                return Err(format!("{shown}: expected boolean, got {}", kind(value)));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn is_int_string(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    !d.is_empty() && d.len() <= 19 && d.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i64>().is_ok()
}

/// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        || !(b[10] == b'T' || b[10] == b't')
        || !(digits(11..13) && b[13] == b':' && digits(14..16) && b[16] == b':' && digits(17..19))
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let rest = &b[i..];
    match rest {
        [b'Z'] | [b'z'] => true,
        [s, h1, h2, b':', m1, m2] if (*s == b'+' || *s == b'-') => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Parses one raw query/path value against its parameter schema.
pub fn parse_param(spec: &Spec, schema: &Value, raw: &str, name: &str) -> Result<Value, String> {
    let schema = spec.resolve(schema);
    let v = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            raw.parse::<i64>().map(Value::from).map_err(|_| format!("{name}: expected integer, got {raw:?}"))?
        }
        Some("number") => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{name}: expected number, got {raw:?}"))?,
        Some("boolean") => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("{name}: expected boolean, got {raw:?}")),
        },
        Some("array") => {
            // Query arrays are comma-separated in one parameter.
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let mut out = Vec::new();
            for (i, part) in raw.split(',').filter(|p| !p.is_empty()).enumerate() {
                out.push(parse_param(spec, &items, part, &format!("{name}[{i}]"))?);
            }
            Value::Array(out)
        }
        _ => Value::String(raw.to_string()),
    };
    validate(spec, schema, &v, name)?;
    Ok(v)
}

/// Makes a server-built value fit a response schema: drops undeclared
/// properties and fills missing required ones with neutral defaults. Types of
/// present values are left alone (tests validate them separately).
pub fn conform(spec: &Spec, schema: &Value, value: Value) -> Value {
    let schema = spec.resolve(schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Value::Object(mut obj) = value else {
                return if value.is_null() { default_for(spec, schema) } else { value };
            };
            let props = schema.get("properties").and_then(Value::as_object);
            // Schema of the values of undeclared keys, when they are typed.
            let extra = schema.get("additionalProperties");
            let extra_schema = extra.filter(|e| e.is_object());
            let keep_undeclared = matches!(extra, Some(Value::Bool(true))) || extra_schema.is_some();
            // In place: no object is rebuilt, only pruned and its children conformed.
            obj.retain(|k, v| match props.and_then(|p| p.get(k)) {
                Some(_) => !v.is_null(),
                None => keep_undeclared,
            });
            for (k, v) in obj.iter_mut() {
                if let Some(sub) = props.and_then(|p| p.get(k)).or(extra_schema) {
                    let taken = std::mem::take(v);
                    *v = conform(spec, sub, taken);
                }
            }
            if let (Some(req), Some(props)) = (schema.get("required").and_then(Value::as_array), props) {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        let d = props.get(r).map(|s| default_for(spec, s)).unwrap_or(Value::Null);
                        obj.insert(r.to_string(), d);
                    }
                }
            }
            Value::Object(obj)
        }
        Some("array") => match (value, schema.get("items")) {
            (Value::Array(a), Some(items)) => Value::Array(a.into_iter().map(|v| conform(spec, items, v)).collect()),
            (v, _) => v,
        },
        _ => value,
    }
}

/// A neutral value for a schema (used for missing required fields).
pub fn default_for(spec: &Spec, schema: &Value) -> Value {
    let schema = spec.resolve(schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => conform(spec, schema, Value::Object(Map::new())),
        Some("array") => Value::Array(vec![]),
        Some("integer") | Some("number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("string") => {
            if let Some(en) = schema.get("enum").and_then(Value::as_array) {
                return en.first().cloned().unwrap_or_default();
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("int64") => Value::String("0".into()),
                Some("date-time") => Value::String(crate::util::now_rfc3339()),
                _ => Value::String(String::new()),
            }
        }
        _ => Value::Null,
    }
}
