//! Reads `spec/openapi.yaml` into the intermediate model.
//!
//! Only the OpenAPI subset this spec uses is understood; anything else is a hard error,
//! so a spec change that needs new generator support cannot slip through silently.

use crate::ir::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

type Res<T> = Result<T, String>;

pub fn load(text: &str) -> Res<Api> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| format!("spec is not valid YAML: {e}"))?;
    let schemas =
        doc.pointer("/components/schemas").and_then(Value::as_object).ok_or("spec has no components.schemas")?;
    let mut reader = Reader { schemas: schemas.clone(), ..Reader::default() };
    reader.collect_enums(&doc)?;
    let mut models = Vec::new();
    for (name, schema) in schemas {
        models.push(reader.model(name, schema)?);
    }
    let mut operations = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object).ok_or("spec has no paths")?;
    for (path, item) in paths {
        let item = item.as_object().ok_or_else(|| format!("{path}: not an object"))?;
        for (verb, op) in item {
            let method = match verb.as_str() {
                "get" => HttpMethod::Get,
                "post" => HttpMethod::Post,
                "put" => HttpMethod::Put,
                "patch" => HttpMethod::Patch,
                "delete" => HttpMethod::Delete,
                "parameters" | "summary" | "description" => continue,
                other => return Err(format!("{path}: unsupported verb {other}")),
            };
            operations.push(reader.operation(path, method, op)?);
        }
    }
    let version = doc.pointer("/info/version").and_then(Value::as_str).unwrap_or("0").to_string();
    let enums = reader.enum_defs();
    Ok(Api { version, models, enums, operations })
}

/// Enum naming: every distinct value list becomes one enum. It is named after the shared
/// prefix of its values (`AGENT_STATUS_*` -> `AgentStatus`) when that prefix is unique to it;
/// otherwise after the first schema property that uses it (`ObjectiveStatus.state` -> `ObjectiveStatusState`).
#[derive(Default)]
struct Reader {
    /// value list -> enum name
    enum_names: BTreeMap<Vec<String>, String>,
    /// enum name -> values, in first-seen order
    enum_order: Vec<(String, Vec<String>)>,
    schemas: Map<String, Value>,
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(|s| s.trim().to_string())
}

fn enum_values(v: &Value) -> Option<Vec<String>> {
    v.get("enum").and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

fn common_prefix(values: &[String]) -> String {
    let Some(first) = values.first() else { return String::new() };
    let mut len = first.len();
    for v in values {
        len = len.min(first.bytes().zip(v.bytes()).take_while(|(a, b)| a == b).count());
    }
    // Cut back to the last `_` so the prefix is whole words.
    first[..len].rfind('_').map(|i| first[..=i].to_string()).unwrap_or_default()
}

impl Reader {
    fn collect_enums(&mut self, doc: &Value) -> Res<()> {
        // (values, owner hint) for every enum in the document, in document order.
        let mut found: Vec<(Vec<String>, Option<String>)> = Vec::new();
        fn walk(v: &Value, owner: Option<String>, found: &mut Vec<(Vec<String>, Option<String>)>) {
            match v {
                Value::Object(m) => {
                    if let Some(vals) = enum_values(v) {
                        found.push((vals, owner.clone()));
                    }
                    for (k, child) in m {
                        walk(child, owner.clone(), found);
                        if k == "properties" {
                            if let Value::Object(props) = child {
                                for (pname, p) in props {
                                    if let (Some(vals), Some(o)) = (enum_values(p), owner.as_ref()) {
                                        found.push((vals, Some(format!("{o}.{pname}"))));
                                    }
                                }
                            }
                        }
                    }
                }
                Value::Array(a) => a.iter().for_each(|c| walk(c, owner.clone(), found)),
                _ => {}
            }
        }
        if let Some(paths) = doc.get("paths") {
            walk(paths, None, &mut found);
        }
        if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
            for (name, s) in schemas {
                walk(s, Some(name.clone()), &mut found);
            }
        }
        let mut by_prefix: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
        let mut owners: BTreeMap<Vec<String>, String> = BTreeMap::new();
        let mut order: Vec<Vec<String>> = Vec::new();
        for (vals, owner) in &found {
            if !order.contains(vals) {
                order.push(vals.clone());
                let list = by_prefix.entry(common_prefix(vals)).or_default();
                list.push(vals.clone());
            }
            if let Some(o) = owner.as_ref().filter(|o| o.contains('.')) {
                owners.entry(vals.clone()).or_insert_with(|| o.clone());
            }
        }
        for vals in order {
            let prefix = common_prefix(&vals);
            let unique = by_prefix.get(&prefix).is_some_and(|l| l.len() == 1);
            let name = if !prefix.is_empty() && unique {
                names::pascal(prefix.trim_end_matches('_'))
            } else {
                let owner = owners
                    .get(&vals)
                    .ok_or_else(|| format!("enum {vals:?} has no unique prefix and no owning schema property"))?;
                let (schema, prop) = owner.split_once('.').unwrap_or((owner, ""));
                format!("{schema}{}", names::pascal(prop))
            };
            if self.enum_order.iter().any(|(n, _)| *n == name) {
                return Err(format!("two enums would both be named {name}"));
            }
            self.enum_names.insert(vals.clone(), name.clone());
            self.enum_order.push((name, vals));
        }
        Ok(())
    }

    fn enum_defs(&self) -> Vec<EnumDef> {
        let mut defs: Vec<EnumDef> = self
            .enum_order
            .iter()
            .map(|(name, vals)| {
                let prefix = common_prefix(vals);
                EnumDef {
                    name: name.clone(),
                    values: vals
                        .iter()
                        .map(|w| EnumValue { wire: w.clone(), short: w[prefix.len()..].to_string() })
                        .collect(),
                }
            })
            .collect();
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        defs
    }

    fn ty(&self, s: &Value, ctx: &str) -> Res<Type> {
        if let Some(r) = ref_name(s) {
            return Ok(Type::Model(r.to_string()));
        }
        if let Some(vals) = enum_values(s) {
            let name = self.enum_names.get(&vals).ok_or_else(|| format!("{ctx}: enum not collected"))?;
            return Ok(Type::Enum(name.clone()));
        }
        let format = s.get("format").and_then(Value::as_str);
        match s.get("type").and_then(Value::as_str) {
            // No type at all (`{}` or only a description): any JSON value.
            None if s.get("properties").is_none() && s.get("items").is_none() => Ok(Type::Any),
            Some("string") => Ok(match format {
                Some("int64") => Type::Int64String,
                Some("date-time") => Type::DateTime,
                _ => Type::String,
            }),
            Some("integer") => match format {
                Some("int32") | None => Ok(Type::Int32),
                Some(f) => Err(format!("{ctx}: unsupported integer format {f}")),
            },
            Some("number") => Ok(Type::Float),
            Some("boolean") => Ok(Type::Bool),
            Some("array") => {
                let items = s.get("items").ok_or_else(|| format!("{ctx}: array without items"))?;
                Ok(Type::Array(Box::new(self.ty(items, ctx)?)))
            }
            Some("object") => {
                if s.get("properties").is_some() {
                    return Err(format!("{ctx}: inline object schemas must be named in components"));
                }
                match s.get("additionalProperties") {
                    Some(Value::Bool(true)) | None => Ok(Type::JsonObject),
                    Some(inner @ Value::Object(_)) => Ok(Type::Map(Box::new(self.ty(inner, ctx)?))),
                    Some(other) => Err(format!("{ctx}: unsupported additionalProperties {other}")),
                }
            }
            other => Err(format!("{ctx}: unsupported schema type {other:?}")),
        }
    }

    fn fields(&self, schema: &Value, ctx: &str) -> Res<Vec<Field>> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                out.push(Field {
                    wire_name: name.clone(),
                    ty: self.ty(p, &format!("{ctx}.{name}"))?,
                    required: required.contains(&name.as_str()),
                    description: text(p, "description"),
                    sensitive: p.get("x-sensitive").and_then(Value::as_bool).unwrap_or(false),
                });
            }
        }
        Ok(out)
    }

    fn model(&self, name: &str, s: &Value) -> Res<Model> {
        if s.get("type").and_then(Value::as_str) != Some("object") {
            return Err(format!("schema {name}: only object schemas are supported"));
        }
        Ok(Model {
            name: name.to_string(),
            description: text(s, "description"),
            fields: self.fields(s, name)?,
            open: matches!(s.get("additionalProperties"), Some(Value::Bool(true))),
        })
    }

    fn operation(&self, path: &str, http_method: HttpMethod, op: &Value) -> Res<Operation> {
        let id = text(op, "operationId").ok_or_else(|| format!("{path}: operation without operationId"))?;
        let mut segments: Vec<String> = id.split('.').map(str::to_string).collect();
        let method = segments.pop().ok_or_else(|| format!("{id}: empty operationId"))?;
        let mut path_params = Vec::new();
        let mut query_params = Vec::new();
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let name = text(p, "name").ok_or_else(|| format!("{id}: parameter without name"))?;
            let schema = p.get("schema").ok_or_else(|| format!("{id}.{name}: parameter without schema"))?;
            match p.get("in").and_then(Value::as_str) {
                Some("path") => path_params.push(PathParam {
                    is_workspace: name == "workspaceId",
                    wire_name: name,
                    description: text(p, "description"),
                }),
                Some("query") => query_params.push(Field {
                    ty: self.ty(schema, &format!("{id}.{name}"))?,
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    description: text(p, "description"),
                    sensitive: p.get("x-sensitive").and_then(Value::as_bool).unwrap_or(false),
                    wire_name: name,
                }),
                other => return Err(format!("{id}.{name}: unsupported parameter location {other:?}")),
            }
        }
        // Path params in the order they appear in the template.
        path_params.sort_by_key(|p| path.find(&format!("{{{}}}", p.wire_name)).unwrap_or(usize::MAX));
        for p in &path_params {
            if !path.contains(&format!("{{{}}}", p.wire_name)) {
                return Err(format!("{id}: path parameter {} not in {path}", p.wire_name));
            }
        }
        let body = match op.get("requestBody") {
            None => None,
            Some(rb) => {
                let schema = rb
                    .pointer("/content/application~1json/schema")
                    .ok_or_else(|| format!("{id}: request body without a JSON schema"))?;
                Some(Body {
                    required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
                    fields: self.fields(schema, &format!("{id}.body"))?,
                })
            }
        };
        let ok = op.pointer("/responses/200").ok_or_else(|| format!("{id}: no 200 response"))?;
        let response = match ok.pointer("/content/application~1json/schema") {
            None => Response::Empty,
            Some(schema) => {
                let name = ref_name(schema).ok_or_else(|| format!("{id}: inline response schema"))?;
                if op.get("x-pagination").and_then(Value::as_str) == Some("cursor") {
                    let item = self.page_item(name, &id)?;
                    Response::Page { item, envelope: name.to_string() }
                } else {
                    Response::Model(name.to_string())
                }
            }
        };
        let operation = Operation {
            resource: segments,
            method,
            http_method,
            path: path.to_string(),
            path_params,
            query_params,
            body,
            response,
            summary: text(op, "summary"),
            description: text(op, "description"),
            id,
        };
        let mut seen = Vec::new();
        for f in operation.param_fields() {
            if seen.contains(&&f.wire_name) {
                return Err(format!("{}: parameter {} is both query and body", operation.id, f.wire_name));
            }
            seen.push(&f.wire_name);
        }
        Ok(operation)
    }

    /// The item type of a paginated envelope (`AgentsCursorPagination.items[]`).
    fn page_item(&self, envelope: &str, id: &str) -> Res<Type> {
        let items = self
            .schemas
            .get(envelope)
            .and_then(|s| s.pointer("/properties/items"))
            .ok_or_else(|| format!("{id}: page envelope {envelope} has no items property"))?;
        match self.ty(items, id)? {
            Type::Array(inner) => Ok(*inner),
            other => Err(format!("{id}: {envelope}.items is {other:?}, not an array")),
        }
    }
}
