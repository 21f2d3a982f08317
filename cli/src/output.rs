//! What `cadenya` prints: indented JSON, NDJSON lines, tables, and errors on stderr.

use serde_json::{json, Value};
use std::io::Write;

/// `--display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    Json,
    Table,
}

/// Writes one chunk of text and a newline to stdout; false once stdout is closed (`| head`),
/// which is not an error: streaming commands just stop.
pub fn emit(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush()).is_ok()
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One value: indented JSON, or a one-row table.
pub fn value(v: &Value, display: Display) {
    match display {
        Display::Json => emit(&pretty(v)),
        Display::Table => emit(&table(std::slice::from_ref(v), None)),
    };
}

/// One list page: the wire envelope as indented JSON, or a table with the next cursor under it.
pub fn page(items: &[Value], next_cursor: Option<&str>, display: Display) {
    match display {
        Display::Json => {
            let mut pagination = serde_json::Map::new();
            if let Some(c) = next_cursor {
                pagination.insert("nextCursor".into(), json!(c));
            }
            emit(&pretty(&json!({"items": items, "pagination": pagination})))
        }
        Display::Table => emit(&table(items, next_cursor)),
    };
}

/// Columns a table may show, each from the first of its JSON pointers that holds a scalar.
const COLUMNS: &[(&str, &[&str])] = &[
    ("ID", &["/metadata/id", "/id"]),
    ("NAME", &["/metadata/name", "/name"]),
    ("STATUS", &["/status/state", "/spec/status", "/status", "/executionStatus"]),
    ("TYPE", &["/data/type", "/type"]),
    ("CREATED", &["/metadata/createdAt", "/createdAt"]),
];

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn cell(row: &Value, pointers: &[&str]) -> String {
    pointers.iter().find_map(|p| row.pointer(p).and_then(scalar)).unwrap_or_default()
}

/// Aligned text columns: id, name, status, created (the empty ones left out). Rows with none of
/// them (an account, a context window) show their top-level fields instead.
pub fn table(rows: &[Value], next_cursor: Option<&str>) -> String {
    let mut header: Vec<&str> = Vec::new();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); rows.len()];
    for (name, pointers) in COLUMNS {
        let column: Vec<String> = rows.iter().map(|r| cell(r, pointers)).collect();
        if column.iter().any(|c| !c.is_empty()) {
            header.push(name);
            for (row, c) in cells.iter_mut().zip(column) {
                row.push(c);
            }
        }
    }
    let mut lines: Vec<Vec<String>>;
    if rows.is_empty() {
        return with_cursor("(no items)".to_string(), next_cursor);
    } else if header.is_empty() {
        header = vec!["FIELD", "VALUE"];
        lines = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            for (k, v) in r.as_object().into_iter().flatten() {
                let key = if rows.len() > 1 { format!("{i}.{k}") } else { k.clone() };
                lines.push(vec![key, scalar(v).unwrap_or_else(|| v.to_string())]);
            }
        }
    } else {
        lines = cells;
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for l in &lines {
        for (w, c) in widths.iter_mut().zip(l) {
            *w = (*w).max(c.chars().count());
        }
    }
    let render = |cols: Vec<String>| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            s.extend(std::iter::repeat_n(' ', w.saturating_sub(c.chars().count())));
        }
        s.trim_end().to_string()
    };
    let mut out = vec![render(header.iter().map(|h| h.to_string()).collect())];
    out.extend(lines.into_iter().map(render));
    with_cursor(out.join("\n"), next_cursor)
}

fn with_cursor(text: String, next_cursor: Option<&str>) -> String {
    match next_cursor {
        Some(c) => format!("{text}\n(more: --cursor {c})"),
        None => text,
    }
}

/// The typed error as one JSON line for stderr: kind, status, message, request id.
pub fn error_json(e: &cadenya::Error) -> String {
    let kind = match e {
        cadenya::Error::Api(api) => api.kind.name(),
        cadenya::Error::Connection { .. } => "APIConnectionError",
        cadenya::Error::Timeout { .. } => "APITimeoutError",
        cadenya::Error::Decode { .. } => "APIResponseValidationError",
        cadenya::Error::WaitTimeout { .. } => "WaitTimeoutError",
        cadenya::Error::Webhook(_) => "WebhookVerificationError",
        cadenya::Error::InvalidRequest { .. } => "InvalidRequestError",
        cadenya::Error::Configuration { .. } => "ConfigurationError",
        _ => "CadenyaError",
    };
    let message = match e {
        cadenya::Error::Api(api) => api.message.clone(),
        other => other.to_string(),
    };
    let mut v = json!({"kind": kind, "status": e.status(), "message": message, "request_id": e.request_id()});
    if let cadenya::Error::WaitTimeout { last_state, .. } = e {
        v["last_state"] = json!(last_state);
    }
    json!({ "error": v }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_keeps_only_filled_columns() {
        let rows = vec![
            json!({"metadata": {"id": "agt_1", "name": "a", "createdAt": "2026-01-01T00:00:00Z"}, "spec": {"status": "AGENT_STATUS_DRAFT"}}),
            json!({"metadata": {"id": "agt_22", "name": "bb"}}),
        ];
        assert_eq!(
            table(&rows, Some("c1")),
            "ID      NAME  STATUS              CREATED\n\
             agt_1   a     AGENT_STATUS_DRAFT  2026-01-01T00:00:00Z\n\
             agt_22  bb\n\
             (more: --cursor c1)"
        );
        assert_eq!(table(&[json!({"name": "x"})], None), "NAME\nx");
        assert_eq!(table(&[json!({"a": 1, "b": {"c": 2}})], None), "FIELD  VALUE\na      1\nb      {\"c\":2}");
        assert_eq!(table(&[], None), "(no items)");
    }
}
