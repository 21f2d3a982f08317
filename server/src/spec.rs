//! Loading the embedded OpenAPI document and deriving the route table from it.
//!
//! The spec is parsed once per process (`OnceLock`), so spawning many servers in
//! parallel tests stays cheap.

use serde_json::Value;
use std::sync::OnceLock;

const SPEC_YAML: &str = include_str!("../../spec/openapi.yaml");

/// One segment of a path template.
#[derive(Debug, Clone)]
pub enum Seg {
    Lit(String),
    Param(String),
}

/// A declared path or query parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// Path parameters captured by routing: (name, percent-decoded value).
pub type Captures = Vec<(String, String)>;

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub segments: Vec<Seg>,
    pub params: Vec<Param>,
    /// (required, schema) of the JSON request body.
    pub body: Option<(bool, Value)>,
    /// Schema of the 2xx JSON response; `None` for no-body operations.
    pub response: Option<Value>,
}

pub struct Spec {
    pub doc: Value,
    pub ops: Vec<Operation>,
}

static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();

/// The parsed spec, or the reason it could not be parsed.
pub fn spec() -> Result<&'static Spec, String> {
    SPEC.get_or_init(load).as_ref().map_err(|e| e.clone())
}

fn load() -> Result<Spec, String> {
    let doc: Value = serde_yaml::from_str(SPEC_YAML).map_err(|e| format!("spec parse: {e}"))?;
    let mut ops = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object).ok_or("spec has no paths")?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let segments = path
                .trim_start_matches('/')
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Seg::Param(s[1..s.len() - 1].to_string())
                    } else {
                        Seg::Lit(s.to_string())
                    }
                })
                .collect();
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| Param {
                            name: str_of(p, "name"),
                            location: str_of(p, "in"),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            schema: p.get("schema").cloned().unwrap_or(Value::Null),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = op.get("requestBody").map(|rb| {
                (
                    rb.get("required").and_then(Value::as_bool).unwrap_or(false),
                    rb.pointer("/content/application~1json/schema").cloned().unwrap_or(Value::Null),
                )
            });
            let response = op
                .get("responses")
                .and_then(Value::as_object)
                .and_then(|r| r.iter().find(|(k, _)| k.starts_with('2')).map(|(_, v)| v))
                .and_then(|r| r.pointer("/content/application~1json/schema"))
                .cloned();
            ops.push(Operation {
                id: id.to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                segments,
                params,
                body,
                response,
            });
        }
    }
    Ok(Spec { doc, ops })
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

impl Spec {
    /// Resolves a local `$ref` (`#/components/schemas/X`).
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut cur = schema;
        // Bounded to avoid looping on a self-referencing alias.
        for _ in 0..16 {
            match cur.get("$ref").and_then(Value::as_str) {
                // Component refs are looked up directly (hot: every object of every response).
                Some(r) if r.starts_with("#/components/schemas/") => {
                    match self.doc.get("components").and_then(|c| c.get("schemas")).and_then(|s| s.get(&r[21..])) {
                        Some(t) => cur = t,
                        None => return cur,
                    }
                }
                Some(r) => match r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                    Some(t) => cur = t,
                    None => return cur,
                },
                None => return cur,
            }
        }
        cur
    }

    /// A component schema by name.
    pub fn schema(&self, name: &str) -> Value {
        self.doc.pointer(&format!("/components/schemas/{name}")).cloned().unwrap_or(Value::Null)
    }

    pub fn op(&self, id: &str) -> Option<&Operation> {
        self.ops.iter().find(|o| o.id == id)
    }

    /// Finds the operation for a request path. Literal segments beat parameters
    /// (`/v1/workspaces/current` is not a workspace id). Returns the operation and
    /// the captured path parameters, or the methods the path has under other
    /// operations: non-empty means 405 (they are the `Allow` header), empty 404.
    pub fn route(&self, method: &str, path: &str) -> Result<(&Operation, Captures), Vec<String>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, &Operation, Vec<(String, String)>)> = None;
        let mut allowed: Vec<String> = Vec::new();
        for op in &self.ops {
            if op.segments.len() != parts.len() {
                continue;
            }
            let mut caps = Vec::new();
            let mut lits = 0;
            let mut ok = true;
            for (seg, part) in op.segments.iter().zip(&parts) {
                match seg {
                    Seg::Lit(l) if l == part => lits += 1,
                    Seg::Lit(_) => {
                        ok = false;
                        break;
                    }
                    Seg::Param(name) => {
                        if part.is_empty() {
                            ok = false;
                            break;
                        }
                        let decoded = percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned();
                        caps.push((name.clone(), decoded));
                    }
                }
            }
            if !ok {
                continue;
            }
            if op.method != method {
                if !allowed.contains(&op.method) {
                    allowed.push(op.method.clone());
                }
                continue;
            }
            if best.as_ref().map(|b| lits > b.0).unwrap_or(true) {
                best = Some((lits, op, caps));
            }
        }
        match best {
            Some((_, op, caps)) => Ok((op, caps)),
            None => {
                allowed.sort();
                Err(allowed)
            }
        }
    }
}
