//! Commands as data: the generated operations (`generated.rs`) plus the hand-written helpers.
//! The clap tree, argument conversion and `cadenya schema` all read this one description.

use serde_json::{json, Map, Value};

/// How a flag's text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    /// RFC 3339 timestamp, sent as a string.
    DateTime,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer (a JSON string on the wire). No operation field has this type today.
    #[allow(dead_code)]
    Int64,
    Number,
    /// `--flag` (true) or `--flag=true|false`.
    Bool,
    /// One of `values`: the wire value or its short form (`draft` for `AGENT_STATUS_DRAFT`).
    Enum,
    /// Repeatable or comma-separated strings (a query list).
    List,
    /// JSON: a literal, `@file` or `-` (stdin).
    Json,
    /// Raw text: a literal, `@file` or `-` (stdin); bytes kept as given.
    Text,
}

impl Kind {
    fn schema_type(self) -> &'static str {
        match self {
            Kind::String | Kind::DateTime | Kind::Text => "string",
            Kind::Integer => "integer",
            Kind::Int64 => "int64",
            Kind::Number => "number",
            Kind::Bool => "boolean",
            Kind::Enum => "enum",
            Kind::List => "list",
            Kind::Json => "json",
        }
    }
}

/// Where a flag's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    Query,
    Body,
    /// Read by the command itself (helpers).
    Local,
}

/// A positional argument (a path id of an operation).
#[derive(Debug)]
pub struct Arg {
    pub name: &'static str,
    pub wire: &'static str,
    pub help: &'static str,
}

#[derive(Debug)]
pub struct Flag {
    pub name: &'static str,
    pub wire: &'static str,
    pub loc: Loc,
    pub kind: Kind,
    pub required: bool,
    pub help: &'static str,
    /// Enum values: (wire, short form).
    pub values: &'static [(&'static str, &'static str)],
    /// JSON Schema of a JSON-valued flag (may `$ref` into `SCHEMA_DEFS`).
    pub schema: &'static str,
}

#[derive(Debug)]
pub struct Command {
    /// The operationId; empty for helpers.
    pub operation: &'static str,
    pub path: &'static [&'static str],
    pub method: &'static str,
    pub http_path: &'static str,
    pub about: &'static str,
    pub args: &'static [Arg],
    /// Takes `--workspace-id` (the path has `{workspaceId}`).
    pub workspace: bool,
    pub flags: &'static [Flag],
    pub has_body: bool,
    pub paged: bool,
}

pub use crate::generated::{OPERATIONS, SCHEMA_DEFS};

const fn local(
    name: &'static str,
    kind: Kind,
    help: &'static str,
    values: &'static [(&'static str, &'static str)],
) -> Flag {
    Flag { name, wire: name, loc: Loc::Local, kind, required: false, help, values, schema: "" }
}

const OBJECTIVE_ID: &[Arg] = &[Arg { name: "objective-id", wire: "objectiveId", help: "ID of the objective." }];

const STATES: &[(&str, &str)] = &[
    ("STATE_PENDING", "pending"),
    ("STATE_RUNNING", "running"),
    ("STATE_WAITING", "waiting"),
    ("STATE_FAILED", "failed"),
    ("STATE_CANCELLED", "cancelled"),
    ("STATE_FINALIZED", "finalized"),
];

const fn helper(
    path: &'static [&'static str],
    about: &'static str,
    args: &'static [Arg],
    workspace: bool,
    flags: &'static [Flag],
) -> Command {
    Command {
        operation: "",
        path,
        method: "",
        http_path: "",
        about,
        args,
        workspace,
        flags,
        has_body: false,
        paged: false,
    }
}

/// `objectives wait --state`.
pub const STATE_FLAG: Flag =
    local("state", Kind::Enum, "A state to wait for (repeatable; default the terminal states).", STATES);
/// `webhooks verify --header`.
pub const HEADER_FLAG: Flag = local("header", Kind::List, "A delivery header, 'name: value' (repeatable).", &[]);

/// Commands built on the SDK's helpers rather than one operation.
pub static HELPERS: &[Command] = &[
    helper(
        &["objectives", "wait"],
        "Wait until an objective reaches a state (default: finalized, failed or cancelled) and print it",
        OBJECTIVE_ID,
        true,
        &[STATE_FLAG, local("timeout", Kind::Number, "Give up after this many seconds (default 300).", &[])],
    ),
    helper(
        &["objectives", "follow"],
        "Print an objective's events as NDJSON, each once and in order, until it is terminal",
        OBJECTIVE_ID,
        true,
        &[
            local("after-event-id", Kind::String, "Resume after this event.", &[]),
            local("page-size", Kind::Integer, "Events per list_events page.", &[]),
            local("timeout", Kind::Number, "Give up after this many seconds (default: never).", &[]),
        ],
    ),
    helper(
        &["webhooks", "verify"],
        "Verify a signed webhook payload (Standard Webhooks) and say why it does not verify",
        &[],
        false,
        &[
            local("secret", Kind::String, "Signing secret whsec_… (else CADENYA_WEBHOOK_SECRET).", &[]),
            HEADER_FLAG,
            local("payload", Kind::Text, "The payload: literal, @file or - (default: stdin).", &[]),
        ],
    ),
];

/// Every command with flags worth describing: operations first, then helpers.
pub fn all() -> impl Iterator<Item = &'static Command> {
    OPERATIONS.iter().chain(HELPERS.iter())
}

pub fn find(path: &[&str]) -> Option<&'static Command> {
    all().find(|c| c.path == path)
}

/// The definitions `schema` refers to, and those they refer to, as a `$defs` object.
fn reachable_defs(schema: &Value, defs: &Map<String, Value>) -> Map<String, Value> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    out.push(r.trim_start_matches("#/$defs/").to_string());
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut out = Map::new();
    let mut todo = Vec::new();
    refs(schema, &mut todo);
    while let Some(name) = todo.pop() {
        if out.contains_key(&name) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            refs(def, &mut todo);
            out.insert(name, def.clone());
        }
    }
    out
}

/// The `cadenya schema` description of one command.
pub fn describe(c: &Command, defs: &Map<String, Value>) -> Value {
    let flags: Vec<Value> = c
        .flags
        .iter()
        .map(|f| {
            let mut d = json!({
                "name": format!("--{}", f.name),
                "type": f.kind.schema_type(),
                "required": f.required,
                "in": match f.loc { Loc::Query => "query", Loc::Body => "body", Loc::Local => "local" },
            });
            if f.loc != Loc::Local {
                d["wire_name"] = json!(f.wire);
            }
            if !f.help.is_empty() {
                d["description"] = json!(f.help);
            }
            if !f.values.is_empty() {
                d["enum"] = json!(f.values.iter().map(|(w, _)| *w).collect::<Vec<_>>());
            }
            if !f.schema.is_empty() {
                let mut schema: Value = serde_json::from_str(f.schema).unwrap_or_default();
                let used = reachable_defs(&schema, defs);
                if !used.is_empty() {
                    schema["$defs"] = Value::Object(used);
                }
                schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
                d["schema"] = schema;
            }
            d
        })
        .collect();
    let mut out = json!({
        "command": c.path.join(" "),
        "kind": if c.operation.is_empty() { "helper" } else { "operation" },
        "description": c.about,
        "positionals": c.args.iter().map(|a| json!({"name": a.name, "description": a.help})).collect::<Vec<_>>(),
        "flags": flags,
    });
    if !c.operation.is_empty() {
        out["operation"] = json!(c.operation);
        out["method"] = json!(c.method);
        out["path"] = json!(c.http_path);
        out["paginated"] = json!(c.paged);
    }
    if c.workspace {
        out["workspace_flag"] = json!("--workspace-id");
    }
    out
}

pub fn schema_defs() -> Map<String, Value> {
    serde_json::from_str(SCHEMA_DEFS).unwrap_or_default()
}
