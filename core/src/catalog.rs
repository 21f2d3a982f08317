//! Operations chosen at run time: look one up by operationId and call it with JSON.
//!
//! The typed resource tree is the Rust API. This module is for the language bindings, which
//! build query strings and JSON bodies from their own values and want JSON back; it goes
//! through exactly the same transport, retries, errors and pagination.

use crate::error::{Error, Result};
use crate::pagination::Page;
use crate::request::{Call, RequestSpec};
use crate::Client;
use serde_json::Value;

pub use crate::generated::catalog::OPERATIONS;

/// What an operation's 200 response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// No body.
    Empty,
    /// One model, by schema name.
    Model(&'static str),
    /// A cursor page whose items are this schema.
    Page(&'static str),
}

/// One operation as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationDef {
    /// `agents.variations.add_assignment`.
    pub id: &'static str,
    pub method: &'static str,
    /// Path template, `/v1/workspaces/{workspaceId}/agents/{id}`.
    pub path: &'static str,
    /// Path parameters in path order (wire names, `workspaceId` included).
    pub path_params: &'static [&'static str],
    pub query_params: &'static [&'static str],
    pub body_fields: &'static [&'static str],
    pub has_body: bool,
    pub response: ResponseKind,
}

/// Looks an operation up by its operationId.
pub fn find(operation_id: &str) -> Option<&'static OperationDef> {
    OPERATIONS.iter().find(|o| o.id == operation_id)
}

pub use crate::json::RawJson;

/// A prepared dynamic call; which variant depends on the operation's response. `J` is how JSON
/// values come back: [`Value`] (a tree) or [`RawJson`] (the text, validated).
#[derive(Debug)]
pub enum DynamicCall<J = Value> {
    Empty(Call<()>),
    Json(Call<J>),
    Page(Call<Page<J>>),
}

/// A body given to a dynamic call: a JSON tree, or JSON text.
#[derive(Debug, Clone, Copy)]
pub enum DynamicBody<'a> {
    Value(&'a Value),
    Text(&'a str),
}

impl Client {
    /// Prepares operation `operation_id` from wire-named inputs; values come back as [`Value`].
    ///
    /// `path_params` are by wire name; `workspaceId` may be left out (client default).
    /// `query` values are already formatted (arrays comma-separated). `body` must be a JSON object
    /// whose keys are the operation's body fields. Unknown names are refused, so a binding bug
    /// surfaces as an `InvalidRequest` instead of a silently ignored parameter.
    pub fn dynamic_call(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<DynamicCall> {
        let (req, kind) = self.dynamic_request(operation_id, path_params, query, body.map(DynamicBody::Value))?;
        Ok(match kind {
            ResponseKind::Empty => DynamicCall::Empty(Call::empty(self.clone(), req)),
            ResponseKind::Model(_) => DynamicCall::Json(Call::json(self.clone(), req)),
            ResponseKind::Page(_) => DynamicCall::Page(Call::page(self.clone(), req)),
        })
    }

    /// As [`Client::dynamic_call`], with values returned as [`RawJson`] text: the cheapest path
    /// for bindings whose language parses JSON itself. The body may be a tree or JSON text.
    pub fn dynamic_call_raw(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<DynamicBody<'_>>,
    ) -> Result<DynamicCall<RawJson>> {
        let (req, kind) = self.dynamic_request(operation_id, path_params, query, body)?;
        Ok(match kind {
            ResponseKind::Empty => DynamicCall::Empty(Call::empty(self.clone(), req)),
            ResponseKind::Model(_) => DynamicCall::Json(Call::raw_json(self.clone(), req)),
            ResponseKind::Page(_) => DynamicCall::Page(Call::page(self.clone(), req)),
        })
    }

    /// Checks every name against the catalog and builds the request.
    fn dynamic_request(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<DynamicBody<'_>>,
    ) -> Result<(RequestSpec, ResponseKind)> {
        let op = find(operation_id).ok_or_else(|| Error::invalid(format!("unknown operation `{operation_id}`")))?;
        let method = http::Method::from_bytes(op.method.as_bytes()).map_err(|_| Error::invalid("bad method"))?;
        let mut req = RequestSpec::new(method, op.id, op.path);
        for (name, _) in path_params {
            if !op.path_params.contains(name) {
                return Err(Error::invalid(format!("`{}` has no path parameter `{name}`", op.id)));
            }
        }
        for &name in op.path_params {
            match path_params.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => req.path_param(name, value),
                None if name == "workspaceId" => req.workspace_param(),
                None => return Err(Error::invalid(format!("path parameter `{name}` was not given"))),
            }
        }
        for (name, value) in query {
            if !op.query_params.contains(name) {
                return Err(Error::invalid(format!("`{}` has no query parameter `{name}`", op.id)));
            }
            req.query_param(name, value.to_string());
        }
        // The body's top-level keys, and its bytes to send.
        let body = match body {
            None => None,
            Some(DynamicBody::Value(Value::Object(map))) => {
                let bytes = serde_json::to_vec(map).map_err(|e| Error::invalid(e.to_string()))?;
                Some((map.keys().cloned().collect::<Vec<_>>(), bytes))
            }
            Some(DynamicBody::Value(_)) => return Err(not_an_object(op)),
            Some(DynamicBody::Text(text)) => {
                let fields: std::collections::HashMap<String, &serde_json::value::RawValue> =
                    serde_json::from_str(text).map_err(|_| not_an_object(op))?;
                Some((fields.into_keys().collect(), text.as_bytes().to_vec()))
            }
        };
        match (op.has_body, body) {
            (true, Some((keys, bytes))) => {
                if let Some(k) = keys.iter().find(|k| !op.body_fields.contains(&k.as_str())) {
                    return Err(Error::invalid(format!("`{}` has no body field `{k}`", op.id)));
                }
                req.json_body(bytes.into());
            }
            (true, None) => req.empty_json_body(),
            (false, Some((keys, _))) if keys.is_empty() => {}
            (false, None) => {}
            (false, Some(_)) => return Err(Error::invalid(format!("`{}` takes no body", op.id))),
        }
        Ok((req, op.response))
    }
}

fn not_an_object(op: &OperationDef) -> Error {
    Error::invalid(format!("the body of `{}` must be a JSON object", op.id))
}
