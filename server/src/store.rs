//! Generic in-memory resource store with account/workspace scoping, parent
//! scoping, filters and cursor pagination.
//!
//! Every record keeps the JSON body the API returns (`value`) plus `hidden`
//! server-only fields (tokens, access lists, lifecycle bookkeeping). Order is
//! creation order via a global sequence number, which is also what the opaque
//! cursor encodes, so deleting items between pages never skips others.

use base64::Engine;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Rec {
    pub id: String,
    /// Owning workspace; `None` for account-level records.
    pub ws: Option<String>,
    /// Parent resource id for nested collections.
    pub parent: Option<String>,
    pub seq: u64,
    pub value: Value,
    pub hidden: Value,
    /// The JSON text of `value` as list pages return it (see [`Rec::cached_json`]). Emptied on
    /// every mutable access to the record, so it never outlives the value it was made from.
    json: OnceLock<CachedJson>,
}

#[derive(Debug, Clone)]
struct CachedJson {
    /// What the text was made for (see [`Rec::cached_json`]).
    key: usize,
    text: Box<str>,
}

impl Rec {
    /// The JSON text `make` renders for this record, made once and reused until the record is
    /// next changed. `key` names the rendering (a kind can be listed by several operations, each
    /// with its own item schema); the cache serves only the key it was made for. Listing a page
    /// then copies stored text instead of cloning, conforming and serialising every item again.
    pub fn cached_json(&self, key: usize, make: impl FnOnce() -> String) -> std::borrow::Cow<'_, str> {
        match self.json.get() {
            Some(c) if c.key == key => std::borrow::Cow::Borrowed(&c.text),
            Some(_) => std::borrow::Cow::Owned(make()),
            None => {
                let c = self.json.get_or_init(|| CachedJson { key, text: make().into() });
                std::borrow::Cow::Borrowed(&c.text)
            }
        }
    }
}

#[derive(Default)]
pub struct Store {
    seq: u64,
    kinds: HashMap<&'static str, Vec<Rec>>,
}

/// Default page size when `limit` is absent or not positive.
pub const DEFAULT_LIMIT: usize = 20;
/// Larger limits are clamped to this.
pub const MAX_LIMIT: usize = 100;

impl Store {
    pub fn insert(
        &mut self,
        kind: &'static str,
        ws: Option<String>,
        parent: Option<String>,
        id: String,
        value: Value,
    ) -> &mut Rec {
        self.seq += 1;
        let list = self.kinds.entry(kind).or_default();
        let hidden = Value::Object(Map::new());
        list.push(Rec { id, ws, parent, seq: self.seq, value, hidden, json: OnceLock::new() });
        let last = list.len() - 1;
        &mut list[last]
    }

    fn matches(r: &Rec, ws: Option<&str>, parent: Option<&str>, id: &str) -> bool {
        (r.id == id || id_matches_external(r, id))
            && ws.map(|w| r.ws.as_deref() == Some(w)).unwrap_or(true)
            && parent.map(|p| r.parent.as_deref() == Some(p)).unwrap_or(true)
    }

    /// Looks a record up by id; `ws`/`parent` (when given) must match too, which
    /// is what makes resources of workspace A invisible from workspace B.
    pub fn get(&self, kind: &str, ws: Option<&str>, parent: Option<&str>, id: &str) -> Option<&Rec> {
        self.kinds.get(kind)?.iter().find(|r| Self::matches(r, ws, parent, id))
    }

    /// The record to change; its cached JSON text is dropped since the caller may change it.
    pub fn get_mut(&mut self, kind: &str, ws: Option<&str>, parent: Option<&str>, id: &str) -> Option<&mut Rec> {
        let rec = self.kinds.get_mut(kind)?.iter_mut().find(|r| Self::matches(r, ws, parent, id))?;
        rec.json = OnceLock::new();
        Some(rec)
    }

    pub fn remove(&mut self, kind: &str, ws: Option<&str>, parent: Option<&str>, id: &str) -> Option<Rec> {
        let list = self.kinds.get_mut(kind)?;
        let pos = list.iter().position(|r| Self::matches(r, ws, parent, id))?;
        Some(list.remove(pos))
    }

    /// Removes every record of `kind` whose parent is `parent`.
    pub fn remove_children(&mut self, kind: &str, parent: &str) {
        if let Some(list) = self.kinds.get_mut(kind) {
            list.retain(|r| r.parent.as_deref() != Some(parent));
        }
    }

    /// All records of a kind in creation order, scoped like `get`.
    pub fn all(&self, kind: &str, ws: Option<&str>, parent: Option<&str>) -> Vec<&Rec> {
        self.kinds
            .get(kind)
            .map(|l| {
                l.iter()
                    .filter(|r| ws.map(|w| r.ws.as_deref() == Some(w)).unwrap_or(true))
                    .filter(|r| parent.map(|p| r.parent.as_deref() == Some(p)).unwrap_or(true))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One page of the records of a kind that pass `keep`, in `page` order after its cursor,
    /// plus whether more follow. Records are stored in creation (= seq) order, so the cursor is
    /// found by binary search and only the page (and one look-ahead) is visited, whatever the
    /// collection's size, unless `keep` rejects most records.
    pub fn page<'a>(&'a self, kind: &str, page: PageReq, keep: impl Fn(&Rec) -> bool) -> (Vec<&'a Rec>, bool) {
        let recs: &[Rec] = self.kinds.get(kind).map(Vec::as_slice).unwrap_or_default();
        let mut out = Vec::with_capacity(page.limit + 1);
        let mut push = |r: &'a Rec| {
            if keep(r) {
                out.push(r);
            }
            out.len() > page.limit
        };
        match (page.desc, page.after) {
            (false, after) => {
                let start = after.map(|a| recs.partition_point(|r| r.seq <= a)).unwrap_or(0);
                let _ = recs[start..].iter().any(&mut push);
            }
            (true, before) => {
                let end = before.map(|b| recs.partition_point(|r| r.seq < b)).unwrap_or(recs.len());
                let _ = recs[..end].iter().rev().any(&mut push);
            }
        }
        let more = out.len() > page.limit;
        out.truncate(page.limit);
        (out, more)
    }

    pub fn count(&self, kind: &str, ws: Option<&str>, parent: Option<&str>) -> usize {
        self.all(kind, ws, parent).len()
    }
}

/// Path ids may use the `external_id:<value>` form.
fn id_matches_external(r: &Rec, id: &str) -> bool {
    match id.strip_prefix("external_id:") {
        Some(ext) => r.value.pointer("/metadata/externalId").and_then(Value::as_str) == Some(ext),
        None => false,
    }
}

/// Page request parsed from `limit`, `cursor` and `sortOrder`.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub limit: usize,
    pub after: Option<u64>,
    pub desc: bool,
}

impl PageReq {
    pub fn from_query(q: &Map<String, Value>) -> Result<PageReq, String> {
        let limit = match q.get("limit").and_then(Value::as_i64) {
            Some(n) if n > 0 => (n as usize).min(MAX_LIMIT),
            _ => DEFAULT_LIMIT,
        };
        let desc = match q.get("sortOrder").and_then(Value::as_str) {
            None | Some("") => false,
            Some(s) if s.eq_ignore_ascii_case("asc") => false,
            Some(s) if s.eq_ignore_ascii_case("desc") => true,
            Some(s) => return Err(format!("sortOrder: expected asc or desc, got {s:?}")),
        };
        let after = match q.get("cursor").and_then(Value::as_str) {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| "cursor: invalid cursor".to_string())?),
        };
        Ok(PageReq { limit, after, desc })
    }
}

fn encode_cursor(seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("c1:{seq}"))
}

fn decode_cursor(c: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    let s = String::from_utf8(raw).ok()?;
    s.strip_prefix("c1:")?.parse().ok()
}

/// The cursor of the page after one that ended with `last`.
pub fn next_cursor(last: Option<&Rec>, more: bool) -> Option<String> {
    last.filter(|_| more).map(|r| encode_cursor(r.seq))
}

/// Query parameters that are not field-equality filters.
const NON_FILTERS: &[&str] = &[
    "cursor",
    "limit",
    "sortOrder",
    "includeInfo",
    "prefix",
    "query",
    "createdAfter",
    "createdBefore",
    "sentiment",
    "sinceEventId",
    "windowId",
    "includeArchived",
    "action",
];

fn lookup<'a>(rec: &'a Rec, field: &str) -> Option<&'a Value> {
    if let Some(v) = rec.hidden.get(field) {
        return Some(v);
    }
    for top in ["metadata", "spec", "data", "status"] {
        if let Some(v) = rec.value.get(top).and_then(|t| t.get(field)) {
            return Some(v);
        }
    }
    match rec.value.get(field) {
        Some(v @ Value::Object(_)) if field == "status" => v.get("state"),
        other => other,
    }
}

fn singular(name: &str) -> &str {
    match name {
        "names" => "name",
        "statuses" => "status",
        other => other,
    }
}

/// A key of a small JSON object by linear scan: for the handful of keys a record's objects have,
/// comparing a few short strings is cheaper than hashing the key (this runs for every stored
/// record on every filtered list request).
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// The generic filters of one list request, worked out once per request: `prefix` (on
/// metadata.name), `query` (free text over name and description) and any other declared
/// parameter as equality on the same-named field of the record. Unspecified enum values and
/// empty values filter nothing.
pub struct Filters {
    prefix: Option<String>,
    query: Option<String>,
    fields: Vec<(String, Value)>,
}

impl Filters {
    pub fn from_query(q: &Map<String, Value>) -> Filters {
        let fields = q
            .iter()
            .filter(|(k, _)| !NON_FILTERS.contains(&k.as_str()))
            .filter(|(_, want)| match want {
                Value::String(s) => !(s.ends_with("_UNSPECIFIED") || s.is_empty()),
                Value::Array(opts) => !opts.is_empty(),
                _ => true,
            })
            .map(|(k, want)| (singular(k).to_string(), want.clone()))
            .collect();
        Filters {
            prefix: q.get("prefix").and_then(Value::as_str).map(str::to_string),
            query: q.get("query").and_then(Value::as_str).map(str::to_lowercase),
            fields,
        }
    }

    pub fn matches(&self, rec: &Rec) -> bool {
        let name =
            || field(&rec.value, "metadata").and_then(|m| field(m, "name")).and_then(Value::as_str).unwrap_or_default();
        if let Some(p) = &self.prefix {
            if !name().starts_with(p.as_str()) {
                return false;
            }
        }
        if let Some(t) = &self.query {
            let desc = field(&rec.value, "spec")
                .and_then(|s| field(s, "description"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let extra = rec.hidden.get("text").and_then(Value::as_str).unwrap_or_default();
            let hit = |s: &str| s.to_lowercase().contains(t.as_str());
            if !(hit(name()) || hit(desc) || hit(extra)) {
                return false;
            }
        }
        self.fields.iter().all(|(field, want)| {
            let have = lookup(rec, field);
            match want {
                Value::Array(opts) => have.is_some_and(|h| opts.contains(h)),
                w => have.map(|h| h == w).unwrap_or(w == &Value::Bool(false)),
            }
        })
    }
}
