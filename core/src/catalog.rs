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

/// A prepared dynamic call; which variant depends on the operation's response.
#[derive(Debug)]
pub enum DynamicCall {
    Empty(Call<()>),
    Json(Call<Value>),
    Page(Call<Page<Value>>),
}

impl Client {
    /// Prepares operation `operation_id` from wire-named inputs.
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
        match (op.has_body, body) {
            (true, Some(Value::Object(map))) => {
                if let Some(k) = map.keys().find(|k| !op.body_fields.contains(&k.as_str())) {
                    return Err(Error::invalid(format!("`{}` has no body field `{k}`", op.id)));
                }
                let bytes = serde_json::to_vec(map).map_err(|e| Error::invalid(e.to_string()))?;
                req.json_body(bytes.into());
            }
            (true, None) => req.empty_json_body(),
            (true, Some(_)) => return Err(Error::invalid(format!("the body of `{}` must be a JSON object", op.id))),
            (false, Some(Value::Object(m))) if m.is_empty() => {}
            (false, None) => {}
            (false, Some(_)) => return Err(Error::invalid(format!("`{}` takes no body", op.id))),
        }
        Ok(match op.response {
            ResponseKind::Empty => DynamicCall::Empty(Call::empty(self.clone(), req)),
            ResponseKind::Model(_) => DynamicCall::Json(Call::json(self.clone(), req)),
            ResponseKind::Page(_) => DynamicCall::Page(Call::page(self.clone(), req)),
        })
    }
}
