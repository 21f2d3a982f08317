//! What every generated method uses: argument encoding, one dynamic core call, decoding.

use crate::client::RequestOptions;
use crate::error::CadenyaError;
use cadenya::catalog::DynamicCall;
use cadenya::{Call, Client};
use futures_util::FutureExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

pub type Result<T, E = CadenyaError> = std::result::Result<T, E>;

/// A value that can be one query parameter (arrays are comma-separated, as the API expects).
pub trait QueryArg {
    fn to_query(&self) -> String;
}

macro_rules! query_display {
    ($($t:ty),*) => {$(
        impl QueryArg for $t {
            fn to_query(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
query_display!(String, i32, i64, f64, bool);

impl<T: QueryArg> QueryArg for Vec<T> {
    fn to_query(&self) -> String {
        self.iter().map(QueryArg::to_query).collect::<Vec<_>>().join(",")
    }
}

/// Query parameters by wire name.
#[derive(Default)]
pub struct Query(Vec<(&'static str, String)>);

impl Query {
    pub fn push(&mut self, name: &'static str, value: &impl QueryArg) {
        self.0.push((name, value.to_query()));
    }
}

/// A JSON body by wire name.
#[derive(Default)]
pub struct Body(Map<String, Value>);

impl Body {
    pub fn put<T: Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let v = serde_json::to_value(value).map_err(|e| CadenyaError::invalid(format!("`{name}`: {e}")))?;
        self.0.insert(name.to_string(), v);
        Ok(())
    }

    /// An `int64` field: a JSON string on the wire.
    #[allow(dead_code)] // used when the spec has int64 body fields
    pub fn put_i64(&mut self, name: &str, value: i64) {
        self.0.insert(name.to_string(), Value::String(value.to_string()));
    }

    /// A free-form JSON field, passed as JSON text.
    #[allow(dead_code)] // used when the spec has free-form JSON body fields
    pub fn put_json(&mut self, name: &str, text: &str) -> Result<()> {
        let v = serde_json::from_str(text)
            .map_err(|e| CadenyaError::invalid(format!("`{name}` is not valid JSON: {e}")))?;
        self.0.insert(name.to_string(), v);
        Ok(())
    }
}

/// Runs a call's future, turning a panic into an error instead of unwinding into the foreign side.
async fn guarded<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => Err(CadenyaError::internal(panic_text(&p))),
    }
}

/// Runs a synchronous entry point, turning a panic into an error (UniFFI would otherwise report
/// it as an untyped internal exception).
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(CadenyaError::internal(panic_text(&p))))
}

pub(crate) fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// One operation's inputs, as the generated method collected them.
pub struct Req<'a> {
    pub op: &'static str,
    pub path: &'a [(&'static str, &'a str)],
    pub query: Query,
    pub body: Option<Body>,
    pub workspace_id: Option<String>,
    pub options: Option<RequestOptions>,
}

impl Req<'_> {
    fn prepare(self, client: &Client) -> Result<(DynamicCall, Option<String>, Option<RequestOptions>)> {
        let query: Vec<(&str, &str)> = self.query.0.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = self.body.map(|b| Value::Object(b.0));
        let call = client.dynamic_call(self.op, self.path, &query, body.as_ref())?;
        Ok((call, self.workspace_id, self.options))
    }
}

fn configure<T>(mut call: Call<T>, workspace_id: Option<String>, options: Option<RequestOptions>) -> Call<T> {
    if let Some(ws) = workspace_id {
        call = call.workspace_id(ws);
    }
    if let Some(o) = options {
        if let Some(t) = o.timeout {
            call = call.timeout(t);
        }
        if let Some(n) = o.max_retries {
            call = call.max_retries(n);
        }
        if let Some(k) = o.idempotency_key {
            call = call.idempotency_key(k);
        }
        // Sorted so the request is the same whatever the foreign map's order.
        let mut headers: Vec<_> = o.headers.into_iter().collect();
        headers.sort();
        for (k, v) in headers {
            call = call.header(k, v);
        }
    }
    call
}

fn mismatch(op: &str) -> CadenyaError {
    CadenyaError::internal(format!("`{op}` does not return what its generated method expects"))
}

/// Decodes JSON into a record, naming the failing field path.
pub fn decode<T: DeserializeOwned>(value: Value, status: u16, request_id: Option<String>) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        CadenyaError::decode(e.into_inner().to_string(), path, status, request_id)
    })
}

/// An operation answering with one model.
pub async fn model<T: DeserializeOwned>(client: &Client, req: Req<'_>) -> Result<T> {
    let op = req.op;
    let (call, ws, options) = req.prepare(client)?;
    let DynamicCall::Json(call) = call else { return Err(mismatch(op)) };
    guarded(async move {
        let r = configure(call, ws, options).with_raw_response().await?;
        decode(r.data, r.status, r.request_id)
    })
    .await
    .map_err(|e| e.with_operation(op))
}

/// An operation answering with no body.
pub async fn empty(client: &Client, req: Req<'_>) -> Result<()> {
    let op = req.op;
    let (call, ws, options) = req.prepare(client)?;
    let DynamicCall::Empty(call) = call else { return Err(mismatch(op)) };
    guarded(async move { Ok(configure(call, ws, options).send().await?) }).await.map_err(|e| e.with_operation(op))
}

/// A generated page object: typed items of one core page, which keeps the next request.
pub trait PageType: Sized {
    type Item: DeserializeOwned;
    fn build(items: Vec<Self::Item>, next_cursor: Option<String>, core: cadenya::Page<Value>) -> Self;

    fn from_core(mut core: cadenya::Page<Value>, status: u16, request_id: Option<String>) -> Result<Self> {
        let items: Vec<Self::Item> = decode(Value::Array(std::mem::take(&mut core.items)), status, request_id)?;
        let next_cursor = core.next_cursor.clone();
        Ok(Self::build(items, next_cursor, core))
    }
}

/// A paginated operation: its first page.
pub async fn page<P: PageType>(client: &Client, req: Req<'_>) -> Result<Arc<P>> {
    let op = req.op;
    let (call, ws, options) = req.prepare(client)?;
    let DynamicCall::Page(call) = call else { return Err(mismatch(op)) };
    guarded(async move {
        let r = configure(call, ws, options).with_raw_response().await?;
        P::from_core(r.data, r.status, r.request_id).map(Arc::new)
    })
    .await
    .map_err(|e| e.with_operation(op))
}

/// The page after `core`, through the core's own cursor handling.
pub async fn next_page<P: PageType>(core: &cadenya::Page<Value>) -> Result<Option<Arc<P>>> {
    guarded(async move {
        match core.next_page().await? {
            Some(next) => P::from_core(next, 200, None).map(|p| Some(Arc::new(p))),
            None => Ok(None),
        }
    })
    .await
}

/// Free-form JSON fields travel as JSON text in Kotlin and Swift.
pub mod json_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(v.to_string())
    }
}

/// Optional form of [`json_text`].
pub mod json_text_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match text {
            Some(t) => super::json_text::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::json_text")] String);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

/// A list of free-form JSON values, each as JSON text.
pub mod json_text_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(texts: &[String], s: S) -> Result<S::Ok, S::Error> {
        let values = texts
            .iter()
            .map(|t| serde_json::from_str::<serde_json::Value>(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serde::ser::Error::custom)?;
        values.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(Vec::<serde_json::Value>::deserialize(d)?.iter().map(|v| v.to_string()).collect())
    }
}

/// Optional form of [`json_text_vec`].
#[allow(dead_code)]
pub mod json_text_vec_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(texts: &Option<Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
        match texts {
            Some(t) => super::json_text_vec::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::json_text_vec")] Vec<String>);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}
