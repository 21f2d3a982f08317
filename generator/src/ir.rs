//! The generator's intermediate model: a language-neutral description of the API.
//!
//! Every emitter (Rust today; Python, TypeScript and UniFFI later) reads only this model,
//! never the raw OpenAPI document, so naming and typing decisions are made once, here.

/// The whole API: named models, named enums and operations, in spec order.
#[derive(Debug, Clone)]
pub struct Api {
    pub version: String,
    pub models: Vec<Model>,
    pub enums: Vec<EnumDef>,
    pub operations: Vec<Operation>,
}

/// A JSON object schema with named fields.
#[derive(Debug, Clone)]
pub struct Model {
    /// Name as in the spec (`AgentSpec`, `APIKey`).
    pub name: String,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    /// `additionalProperties: true` on the object itself: extra keys are part of the model.
    pub open: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Name on the wire (camelCase), e.g. `webhookEventsUrl`.
    pub wire_name: String,
    pub ty: Type,
    pub required: bool,
    pub description: Option<String>,
    /// `x-sensitive: true`: a credential or secret. Surfaces print it redacted (`Debug`, `repr`).
    pub sensitive: bool,
}

/// A field or parameter type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    /// `integer` / `int32`.
    Int32,
    /// `string` / `int64`: a 64-bit integer carried as a JSON string.
    Int64String,
    /// `number` (any format).
    Float,
    Bool,
    /// RFC 3339 timestamp carried as a string.
    DateTime,
    /// Free-form JSON object (`additionalProperties: true`).
    JsonObject,
    /// Any JSON value (`{}`).
    Any,
    Array(Box<Type>),
    /// Object with user-defined keys (`additionalProperties: <schema>`). Keys are user data.
    Map(Box<Type>),
    /// A named model.
    Model(String),
    /// A named enum.
    Enum(String),
}

/// A closed set of wire strings; every language also accepts unknown values.
#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    /// Exact wire string, e.g. `AGENT_STATUS_DRAFT`.
    pub wire: String,
    /// The value without the enum's shared prefix, in SCREAMING_SNAKE case: `DRAFT`.
    pub short: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// One API operation, e.g. `agents.variations.add_assignment`.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operationId, e.g. `agents.variations.add_assignment`.
    pub id: String,
    /// Resource path segments in snake_case: `["agents", "variations"]`.
    pub resource: Vec<String>,
    /// Method name in snake_case: `add_assignment`.
    pub method: String,
    pub http_method: HttpMethod,
    /// Path template as in the spec: `/v1/workspaces/{workspaceId}/agents/{id}`.
    pub path: String,
    /// Path parameters in path order. `workspaceId` is marked: it defaults to the client's workspace.
    pub path_params: Vec<PathParam>,
    pub query_params: Vec<Field>,
    pub body: Option<Body>,
    pub response: Response,
    pub summary: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PathParam {
    pub wire_name: String,
    pub description: Option<String>,
    /// True for `{workspaceId}`: filled from the client's default workspace unless overridden.
    pub is_workspace: bool,
}

#[derive(Debug, Clone)]
pub struct Body {
    /// Whether the spec marks the body required (the Rust surface always sends one).
    #[allow(dead_code)]
    pub required: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// 200 with no body.
    Empty,
    /// 200 with one model.
    Model(String),
    /// A cursor-paginated list of the given item type (the envelope's name is kept for docs).
    Page { item: Type, envelope: String },
}

impl Operation {
    /// Query and body fields together: what a caller passes besides the path.
    pub fn param_fields(&self) -> impl Iterator<Item = &Field> {
        self.query_params.iter().chain(self.body.iter().flat_map(|b| b.fields.iter()))
    }

    pub fn has_params(&self) -> bool {
        self.param_fields().next().is_some()
    }
}

/// Naming helpers shared by every emitter.
pub mod names {
    /// `webhookEventsUrl` -> `webhook_events_url`; `@type` -> `type`; `APIKey` -> `api_key`.
    pub fn snake(s: &str) -> String {
        let s = s.trim_start_matches('@');
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_ascii_uppercase() {
                let prev = if i > 0 { chars.get(i - 1).copied() } else { None };
                let next = chars.get(i + 1).copied();
                let boundary = match prev {
                    Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                    Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                    _ => false,
                };
                if boundary && !out.ends_with('_') {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else if c == '-' || c == '.' || c == ' ' {
                out.push('_');
            } else {
                out.push(c);
            }
        }
        out
    }

    /// `add_assignment` / `AGENT_STATUS` / `tool_sets` -> `AddAssignment` / `AgentStatus` / `ToolSets`.
    pub fn pascal(s: &str) -> String {
        let mut out = String::new();
        for part in snake(s).split('_').filter(|p| !p.is_empty()) {
            let lower = part.to_ascii_lowercase();
            let mut cs = lower.chars();
            if let Some(f) = cs.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(cs);
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        #[test]
        fn cases() {
            assert_eq!(snake("webhookEventsUrl"), "webhook_events_url");
            assert_eq!(snake("APIKey"), "api_key");
            assert_eq!(snake("@type"), "type");
            assert_eq!(snake("inputPricePerMillionTokens"), "input_price_per_million_tokens");
            assert_eq!(snake("ConfigHTTP"), "config_http");
            assert_eq!(pascal("add_assignment"), "AddAssignment");
            assert_eq!(pascal("AGENT_STATUS"), "AgentStatus");
        }
    }
}
